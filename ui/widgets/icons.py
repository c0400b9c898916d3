"""Icons drawn as SVG in ``resources/icons``, tinted at load time.

The line icons use ``currentColor``; ``icon(name, colour)`` substitutes the
colour and renders the SVG crisply at the screen's pixel ratio, so one file
serves the white navigation and the dark buttons.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, QRectF, QSize
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

import resources

DEFAULT_COLOUR = "#1f4e79"
TRANSPARENT = QColor(0, 0, 0, 0)  # not Qt.GlobalColor: see ui/app.py on the Qt namespace


def _svg(name: str) -> str:
    return resources.read_text("icons", f"{name}.svg")


def pixmap(name: str, colour: str = DEFAULT_COLOUR, size: int = 20) -> QPixmap:
    """The icon ``name`` tinted ``colour``, ``size`` device-independent pixels square."""
    ratio = QGuiApplication.primaryScreen().devicePixelRatio() if QGuiApplication.instance() else 1
    data = QByteArray(_svg(name).replace("currentColor", colour).encode("utf-8"))
    renderer = QSvgRenderer(data)
    side = max(1, round(size * ratio))
    image = QPixmap(side, side)
    image.fill(TRANSPARENT)
    painter = QPainter(image)
    renderer.render(painter, QRectF(0, 0, side, side))
    painter.end()
    image.setDevicePixelRatio(ratio)
    return image


@lru_cache(maxsize=256)
def icon(name: str, colour: str = DEFAULT_COLOUR, size: int = 20) -> QIcon:
    """A cached ``QIcon`` for buttons, list entries and cards."""
    result = QIcon()
    result.addPixmap(pixmap(name, colour, size))
    return result


def nav_icon(name: str) -> QIcon:
    """Navigation icon: light on the blue panel, blue when the entry is selected (white)."""
    result = QIcon()
    result.addPixmap(pixmap(name, "#dce7f2", 22), QIcon.Mode.Normal)
    result.addPixmap(pixmap(name, DEFAULT_COLOUR, 22), QIcon.Mode.Selected)
    return result


@lru_cache(maxsize=1)
def app_icon() -> QIcon:
    """The application icon, at the sizes window managers and task bars ask for."""
    result = QIcon()
    renderer = QSvgRenderer(QByteArray(_svg("showroom").encode("utf-8")))
    for side in (16, 24, 32, 48, 64, 128, 256):
        image = QPixmap(QSize(side, side))
        image.fill(TRANSPARENT)
        painter = QPainter(image)
        renderer.render(painter, QRectF(0, 0, side, side))
        painter.end()
        result.addPixmap(image)
    return result
