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
