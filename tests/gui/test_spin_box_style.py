"""A number box at its limit still shows both arrows (the one it cannot use greyed)."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QSpinBox

from ui.style import style_sheet


def _ink_in_down_button(box: QSpinBox) -> int:
    image = box.grab().toImage()
    width, height = image.width(), image.height()
    background = QColor("#f7f9fb")
    inked = 0
    for x in range(width - 20, width - 4):
        for y in range(height // 2 + 2, height - 3):
            colour = image.pixelColor(x, y)
            if abs(colour.red() - background.red()) + abs(colour.blue() - background.blue()) > 24:
                inked += 1
    return inked


def test_the_down_arrow_is_greyed_not_gone_at_the_minimum(qtbot) -> None:  # type: ignore[no-untyped-def]
    boxes = []
    for value in (0, 5):
        box = QSpinBox()
        box.setStyleSheet(style_sheet())
        box.setRange(0, 10)
        box.setValue(value)
        box.resize(200, 36)
        qtbot.addWidget(box)
        box.show()
        boxes.append(box)
    at_minimum, in_range = (_ink_in_down_button(b) for b in boxes)
    assert in_range > 0  # the probe sees an arrow where there is one
    assert at_minimum > 0
