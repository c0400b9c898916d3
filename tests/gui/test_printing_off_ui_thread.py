"""Painting a PDF and writing it to disk happen in a worker, not on the UI thread."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from showroom.context import AppContext
from ui.documents import printing
from ui.tasks import TaskRunner


@pytest.fixture
def threaded(qtbot, gui_context: AppContext):  # type: ignore[no-untyped-def]
    runner = TaskRunner(gui_context.database)  # real pools, as in the app
    yield runner
    runner.wait()
    runner.deleteLater()


def test_issue_paints_in_a_worker_then_archives_and_writes(
    qtbot, threaded: TaskRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    ui_thread = threading.get_ident()
    painted_on: list[int] = []

    def fake_render(document: object) -> bytes:
        painted_on.append(threading.get_ident())
        return b"%PDF-1.4 " + str(document).encode()

    monkeypatch.setattr(printing, "render_pdf", fake_render)
    stored: list[bytes] = []
    done: list[tuple[object, bytes]] = []
    failures: list[BaseException] = []
    printing.issue_and_archive(
        threaded,
        lambda _session: "paper",  # type: ignore[arg-type, return-value]
        lambda _session, _document, pdf: stored.append(pdf),
        lambda document, pdf: done.append((document, pdf)),
        failures.append,
    )
    qtbot.waitUntil(lambda: bool(done or failures), timeout=10_000)
    assert failures == []
    assert done == [("paper", b"%PDF-1.4 paper")] and stored == [b"%PDF-1.4 paper"]
    assert painted_on and painted_on[0] != ui_thread

    target = tmp_path / "out.pdf"
    written: list[bool] = []
    printing.write_file(threaded, target, b"%PDF", lambda: written.append(True), failures.append)
    qtbot.waitUntil(lambda: bool(written or failures), timeout=10_000)
    assert target.read_bytes() == b"%PDF"

    messages: list[str] = []
    printing.write_file(
        threaded, tmp_path / "missing" / "x.pdf", b"", lambda: None, messages.append
    )
    qtbot.waitUntil(lambda: bool(messages), timeout=10_000)
    assert messages[0].startswith("无法保存到") and "x.pdf" in messages[0]
