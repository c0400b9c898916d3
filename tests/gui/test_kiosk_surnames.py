"""The surname picker: every surname within two taps, on keys a finger can hit."""

from __future__ import annotations

from typing import Any

from showroom import surnames
from ui.kiosk.surname_picker import SurnamePicker


def test_every_surname_is_two_taps_away_on_large_keys(qtbot: Any) -> None:
    picker = SurnamePicker()
    qtbot.addWidget(picker)
    picker.resize(1100, 700)
    picker.show()
    chosen: list[str] = []
    picker.chosen.connect(chosen.append)
    reachable = set(picker.shown())
    for letter in surnames.initials():
        picker.letter_keys[letter].click()
        reachable |= set(picker.shown())
        for key in picker.keys:
            if key.isVisible():
                assert key.width() >= 64 and key.height() >= 56
    assert reachable == {s.text for s in surnames.SURNAMES}
    picker.letter_keys["O"].click()
    next(k for k in picker.keys if k.text() == "欧阳").click()
    assert chosen == ["欧阳"] and picker.surname == "欧阳"


def test_reset_returns_to_the_common_surnames_with_none_chosen(qtbot: Any) -> None:
    picker = SurnamePicker()
    qtbot.addWidget(picker)
    picker.choose("薛")
    assert picker.page == "X" and "薛" in picker.shown()
    picker.reset()
    assert picker.surname == "" and picker.page == "common"
    assert not any(key.isChecked() for key in picker.keys)
    assert picker.shown() == [s.text for s in surnames.common()]
