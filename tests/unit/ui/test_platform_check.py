"""A PC without an X11 library gets one sentence naming it, not Qt's abort."""

from __future__ import annotations

from pathlib import Path

import pytest

from ui import platform_check

ROOT = Path(__file__).resolve().parents[3]


def test_the_missing_library_and_its_package_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: str) -> None:
        raise OSError(
            "libxcb-icccm.so.4: cannot open shared object file: No such file or directory"
        )

    monkeypatch.setattr(platform_check.ctypes, "CDLL", refuse)
    monkeypatch.setattr(platform_check.sys, "platform", "linux")
    missing = platform_check.missing_library({"QT_QPA_PLATFORM": "xcb"})
    assert missing == "libxcb-icccm.so.4"
    chinese = platform_check.message(missing, "zh_CN")
    assert "libxcb-icccm.so.4" in chinese and "libxcb-icccm4" in chinese
    assert "sudo apt-get install" in chinese and chinese.count("。") <= 1
    english = platform_check.message(missing, "en")
    assert "package libxcb-icccm4" in english and "sudo apt-get install" in english


def test_other_platforms_are_left_to_qt(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(path: str) -> None:
        raise AssertionError("must not load the X11 plugin")

    monkeypatch.setattr(platform_check.ctypes, "CDLL", fail)
    monkeypatch.setattr(platform_check.sys, "platform", "linux")
    assert platform_check.missing_library({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert platform_check.missing_library({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}) is None
    assert platform_check.missing_library({}) is None


def test_the_readme_lists_every_package_the_plugin_needs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for package in set(platform_check.PACKAGES.values()):
        assert f" {package}" in readme, package


class _FakeXcb:
    """libxcb as far as ``unreachable_display`` uses it; ``answers``: the live displays."""

    def __init__(self, answers: set[str]) -> None:
        self.answers = answers
        self.tried: list[bytes] = []

        # Plain functions, as ctypes' are: the check sets their restype and argtypes.
        def connect(name: bytes, screen: object) -> int:
            self.tried.append(name)
            return 1 if name.decode() in self.answers else 0

        def has_error(connection: int) -> int:
            return 0 if connection else 1

        def disconnect(connection: int) -> None:
            pass

        self.xcb_connect, self.xcb_connection_has_error = connect, has_error
        self.xcb_disconnect = disconnect


def test_no_display_gets_a_sentence_not_qts_silent_abort(monkeypatch: pytest.MonkeyPatch) -> None:
    xcb = _FakeXcb({":0"})
    monkeypatch.setattr(platform_check.ctypes, "CDLL", lambda name: xcb)
    monkeypatch.setattr(platform_check.sys, "platform", "linux")
    unreachable = platform_check.unreachable_display
    assert unreachable({}) == ""  # over ssh, in a service: nothing to draw on
    assert unreachable({"DISPLAY": ":77"}) == ":77"
    assert unreachable({"DISPLAY": ":0"}) is None
    assert xcb.tried == [b":77", b":0"]
    # Where Qt would not use X11 at all, nothing is tried.
    assert unreachable({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert unreachable({"WAYLAND_DISPLAY": "wayland-0"}) is None
    assert unreachable({"DISPLAY": ":77", "WAYLAND_DISPLAY": "wayland-0"}) is None
    assert xcb.tried == [b":77", b":0"]
    chinese = platform_check.display_message("", "zh_CN")
    assert "DISPLAY" in chinese and "showroom --help" in chinese and chinese.count("。") == 1
    english = platform_check.display_message(":77", "en")
    assert "display :77 does not answer" in english
