"""Changes published on any thread reach screens on the UI thread; bugs get the friendly dialog."""

from __future__ import annotations

import sys
import threading

import pytest
from PySide6.QtCore import QThread

from showroom.changes import ChangeBus
from ui.errors import BugReporter, install_exception_hooks
from ui.widgets.changes import ChangeRelay


def test_a_publication_from_a_worker_arrives_on_the_ui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    bus = ChangeBus()
    relay = ChangeRelay(bus)
    seen: list[tuple[frozenset[str], bool]] = []

    def on_changed(topics: frozenset[str]) -> None:
        seen.append((topics, QThread.currentThread() is relay.thread()))

    relay.changed.connect(on_changed)
    with qtbot.waitSignal(relay.changed, timeout=2000):
        worker = threading.Thread(target=bus.publish, args=({"visits"},))
        worker.start()
        worker.join()
    assert seen == [(frozenset({"visits"}), True)]


def test_a_destroyed_relay_stops_listening(qtbot) -> None:  # type: ignore[no-untyped-def]
    bus = ChangeBus()
    relay = ChangeRelay(bus)
    assert len(bus._listeners) == 1
    relay.deleteLater()
    qtbot.waitUntil(lambda: len(bus._listeners) == 0, timeout=2000)
    bus.publish({"visits"})  # no error: nobody is listening any more


def test_uncaught_errors_are_logged_and_reported_without_details(
    qtbot,
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,
    caplog,  # type: ignore[no-untyped-def]
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(BugReporter, "_show", lambda self, summary: shown.append(summary))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    reporter = BugReporter(tmp_path / "showroom.log")
    install_exception_hooks(reporter)
    try:
        raise ValueError("客户 13812345678 的数据")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    qtbot.waitUntil(lambda: shown == ["builtins.ValueError"], timeout=2000)
    assert "Traceback" in caplog.text
    # The summary for the dialog holds the kind of error only, never its message.
    assert "13812345678" not in shown[0]


def test_the_error_dialog_waits_for_the_event_loop_when_raised_on_the_ui_thread(
    qtbot,
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    # An error inside a paint or key handler must not open a modal dialog in the middle of it.
    shown: list[str] = []
    monkeypatch.setattr(BugReporter, "_show", lambda self, summary: shown.append(summary))
    reporter = BugReporter(tmp_path / "showroom.log")
    reporter.reported.emit("builtins.ValueError")
    assert shown == []
    qtbot.waitUntil(lambda: shown == ["builtins.ValueError"], timeout=2000)
