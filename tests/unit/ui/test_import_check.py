"""The lighter PySide import check gives PySide's own answer for every module."""

from __future__ import annotations

import sys

import PySide6.QtCore  # noqa: F401 - loads shiboken's import hook

from ui import import_check


def test_the_light_check_agrees_with_pysides_for_every_loaded_module() -> None:
    feature = sys.modules["shibokensupport.feature"]
    original = feature._mod_uses_pyside
    try:
        assert import_check.install() is True
        light = feature._mod_uses_pyside
        assert light is not original
        modules = [
            m
            for name, m in sorted(sys.modules.items())
            if name.split(".")[0] in {"ui", "showroom", "db", "sqlalchemy", "pytestqt", "json"}
        ]
        uses = {m.__name__: light(m) for m in modules}
        assert uses == {m.__name__: original(m) for m in modules}
        # Both kinds are among them, so the comparison means something.
        assert uses["ui.import_check"] is True  # its own text names PySide6
        assert uses["json"] is False
        assert import_check.install() is True  # a second call keeps the one replacement
        assert feature._mod_uses_pyside is light
    finally:
        feature._mod_uses_pyside = original
