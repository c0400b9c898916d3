"""The kiosk's own SVG icons (resources/icons/kiosk), rendered crisp at any size."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from resources import path


def icon_path(name: str) -> str:
    return str(path("icons", "kiosk", f"{name}.svg"))


def icon(name: str) -> QIcon:
    return QIcon(icon_path(name))


def pixmap(name: str, size: QSize, device_pixel_ratio: float = 1.0) -> QPixmap:
    """Render ``name`` at ``size`` logical pixels (QIcon would scale a cached bitmap)."""
    image = QPixmap(size * device_pixel_ratio)
    image.setDevicePixelRatio(device_pixel_ratio)
    image.fill(QColor(0, 0, 0, 0))
    renderer = QSvgRenderer(icon_path(name))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size.width(), size.height()))
    painter.end()
    return image
