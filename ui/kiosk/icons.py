"""The kiosk's own SVG icons (resources/icons/kiosk), rendered crisp at any size."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtGui import QPixmap

from resources import path
from ui.widgets.icons import render_svg

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon


def svg_path(name: str) -> Path:
    return path("icons", "kiosk", f"{name}.svg")


def icon(name: str) -> QIcon:
    from PySide6.QtGui import QIcon  # QIcon's class is costly to load; the attract screen has none

    return QIcon(str(svg_path(name)))


def pixmap(name: str, size: QSize, device_pixel_ratio: float = 1.0) -> QPixmap:
    """Render ``name`` at ``size`` logical pixels (QIcon would scale a cached bitmap)."""
    image = QPixmap.fromImage(render_svg(svg_path(name).read_bytes(), size * device_pixel_ratio))
    image.setDevicePixelRatio(device_pixel_ratio)
    return image
