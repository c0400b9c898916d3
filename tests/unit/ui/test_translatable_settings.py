"""The settings dialog repeats the setting descriptions for lupdate; they must not drift."""

from __future__ import annotations

from showroom.settings import SETTINGS
from ui.dialogs.settings import DESCRIPTIONS


def test_every_setting_description_is_collected_for_translation() -> None:
    assert set(DESCRIPTIONS) == {s.description for s in SETTINGS}
