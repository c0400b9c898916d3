"""Look and feel in one place: palette, fonts and the application style sheet.

Widgets set object names and dynamic properties (``role="primary"``,
``tone="danger"``); ``resources/styles/app.qss`` gives them their looks. Colours
that code needs (the online dot, chart-like cards) come from ``Palette`` so the
style sheet and the code cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QWidget

import resources

# Chinese first: the first family the system has wins; Latin text uses the same face.
FONT_FAMILIES = (
    "Noto Sans CJK SC",
    "Microsoft YaHei",
    "Microsoft YaHei UI",
    "PingFang SC",
    "WenQuanYi Micro Hei",
    "Source Han Sans SC",
)
BASE_FONT_PX = 14
# Fusion, the same on every platform. Chosen on QApplication's command line: a
# QStyle object made in Python would build that class's enums (some 15 ms) before
# the first paint.
STYLE_ARGUMENTS = ("-style", "Fusion")


@dataclass(frozen=True)
class Palette:
    primary: str = "#1f4e79"
    primary_dark: str = "#173d5f"
    primary_light: str = "#e8f0f8"
    accent: str = "#f5b301"
    background: str = "#f3f5f8"
    surface: str = "#ffffff"
    border: str = "#dde3ea"
    text: str = "#1f2933"
    text_muted: str = "#5f6b7a"
    success: str = "#2e7d32"
    danger: str = "#c62828"
    warning: str = "#b26a00"


PALETTE = Palette()


def app_font() -> QFont:
    """The UI font: a CJK face the system has, at a size readable on a showroom PC.

    Qt takes the first of ``FONT_FAMILIES`` that is installed. Listing the installed
    families here would load the whole font database before the first paint; a PC
    without any of them is told after it (``ui.documents.fonts.warn_if_no_cjk_font``).
    """
    font = QFont()
    font.setFamilies(list(FONT_FAMILIES))
    font.setPixelSize(BASE_FONT_PX)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def _qt_palette() -> QPalette:
    pal = QPalette()
    colours = {
        QPalette.ColorRole.Window: PALETTE.background,
        QPalette.ColorRole.Base: PALETTE.surface,
        QPalette.ColorRole.AlternateBase: "#f7f9fb",
        QPalette.ColorRole.Text: PALETTE.text,
        QPalette.ColorRole.WindowText: PALETTE.text,
        QPalette.ColorRole.Button: PALETTE.surface,
        QPalette.ColorRole.ButtonText: PALETTE.text,
        QPalette.ColorRole.Highlight: PALETTE.primary,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: PALETTE.surface,
        QPalette.ColorRole.ToolTipText: PALETTE.text,
        QPalette.ColorRole.PlaceholderText: "#8a96a3",
        QPalette.ColorRole.Link: PALETTE.primary,
    }
    for role, colour in colours.items():
        pal.setColor(role, QColor(colour))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#9aa5b1"))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#9aa5b1"))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#9aa5b1"))
    return pal


def style_sheet() -> str:
    """The application style sheet, with ``@ICONS@`` pointing at the shipped icons."""
    icons = resources.path("icons").as_posix()
    return resources.read_text("styles", "app.qss").replace("@ICONS@", icons)


def apply_style(app: QApplication) -> None:
    """Our palette, font and style sheet (the Fusion style comes with ``STYLE_ARGUMENTS``)."""
    app.setPalette(_qt_palette())
    app.setFont(app_font())
    app.setStyleSheet(style_sheet())


def repolish(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property used by a selector changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()
