"""Icons drawn as SVG in ``resources/icons``, tinted at load time.

The line icons use ``currentColor``; ``icon(name, colour)`` substitutes the
colour and renders the SVG crisply at the screen's pixel ratio, so one file
serves the white navigation and the dark buttons.

Rendering goes through Qt's SVG image plugin (``QImageReader`` at the wanted
size) rather than ``QtSvg`` and a ``QPainter`` from Python: the same drawing,
without loading those Python classes before the first screen is painted.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QSize
from PySide6.QtGui import QGuiApplication, QImage, QImageReader, QPixmap

import resources

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

log = logging.getLogger("showroom.ui")

DEFAULT_COLOUR = "#1f4e79"


def _svg(name: str) -> str:
    return resources.read_text("icons", f"{name}.svg")


def render_svg(svg: bytes, size: QSize) -> QImage:
    """``svg`` (the document's bytes) rendered at ``size`` device pixels, transparent around."""
    buffer = QBuffer()
    buffer.setData(QByteArray(svg))
    reader = QImageReader(buffer, QByteArray(b"svg"))
    reader.setScaledSize(size)
    image = reader.read()
    if image.isNull():
        log.warning("SVG not rendered: %s", reader.errorString())
    return image


def pixmap(name: str, colour: str = DEFAULT_COLOUR, size: int = 20) -> QPixmap:
    """The icon ``name`` tinted ``colour``, ``size`` device-independent pixels square."""
    ratio = QGuiApplication.primaryScreen().devicePixelRatio() if QGuiApplication.instance() else 1
    side = max(1, round(size * ratio))
    svg = _svg(name).replace("currentColor", colour).encode("utf-8")
    image = QPixmap.fromImage(render_svg(svg, QSize(side, side)))
    image.setDevicePixelRatio(ratio)
    return image


@lru_cache(maxsize=256)
def icon(name: str, colour: str = DEFAULT_COLOUR, size: int = 20) -> QIcon:
    """A cached ``QIcon`` for buttons, list entries and cards."""
    from PySide6.QtGui import QIcon  # QIcon's class is costly to load; the first paint has none

    result = QIcon()
    result.addPixmap(pixmap(name, colour, size))
    return result


def nav_icon(name: str) -> QIcon:
    """Navigation icon: light on the blue panel, blue when the entry is selected (white)."""
    from PySide6.QtGui import QIcon

    result = QIcon()
    result.addPixmap(pixmap(name, "#dce7f2", 22), QIcon.Mode.Normal)
    result.addPixmap(pixmap(name, DEFAULT_COLOUR, 22), QIcon.Mode.Selected)
    return result


@lru_cache(maxsize=1)
def app_icon() -> QIcon:
    """The application icon, at the sizes window managers and task bars ask for."""
    from PySide6.QtGui import QIcon

    result = QIcon()
    svg = _svg("showroom").encode("utf-8")
    for side in (16, 24, 32, 48, 64, 128, 256):
        result.addPixmap(QPixmap.fromImage(render_svg(svg, QSize(side, side))))
    return result
