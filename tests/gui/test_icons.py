"""Every shipped SVG icon renders at the size asked for, tinted where it uses currentColor."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor

import resources
from ui.kiosk import icons as kiosk_icons
from ui.widgets import icons

LINE_ICONS = sorted(p.stem for p in resources.path("icons").glob("*.svg"))
KIOSK_ICONS = sorted(p.stem for p in resources.path("icons", "kiosk").glob("*.svg"))


def painted_colours(image) -> set[str]:  # type: ignore[no-untyped-def]
    return {
        QColor(image.pixel(x, y)).name()
        for x in range(image.width())
        for y in range(image.height())
        if QColor.fromRgba(image.pixel(x, y)).alpha() == 255
    }


@pytest.mark.parametrize("name", LINE_ICONS)
def test_line_icons_render_at_size_in_the_asked_colour(qapp, name: str) -> None:  # type: ignore[no-untyped-def]
    pix = icons.pixmap(name, "#c62828", 24)
    image = pix.toImage()
    assert image.width() == round(24 * pix.devicePixelRatio())
    colours = painted_colours(image)
    assert colours, f"{name} rendered nothing"
    if "currentColor" in Path(resources.path("icons", f"{name}.svg")).read_text(encoding="utf-8"):
        assert "#c62828" in colours


@pytest.mark.parametrize("name", KIOSK_ICONS)
def test_kiosk_icons_render_at_size(qapp, name: str) -> None:  # type: ignore[no-untyped-def]
    pix = kiosk_icons.pixmap(name, QSize(96, 96), 2.0)
    assert pix.deviceIndependentSize().toSize() == QSize(96, 96)
    assert pix.toImage().width() == 192
    assert painted_colours(pix.toImage().scaled(48, 48))


def test_the_app_icon_has_every_task_bar_size(qapp) -> None:  # type: ignore[no-untyped-def]
    sizes = {(s.width(), s.height()) for s in icons.app_icon().availableSizes()}
    assert {(16, 16), (32, 32), (256, 256)} <= sizes
