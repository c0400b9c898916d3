"""Building blocks of the full-window pages (start-up, sign-in): a centred card."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from ui.qtprops import set_enum


class CenteredPage(QFrame):
    """A light page with one white card in the middle. Emits no signals.

    ``card_layout`` is where the page's content goes.
    """

    def __init__(self, parent: QWidget | None = None, card_width: int = 440) -> None:
        super().__init__(parent)
        self.setObjectName("CenteredPage")  # a QFrame paints its style-sheet background
        outer = QGridLayout(self)
        outer.setContentsMargins(24, 24, 24, 24)
        outer.setRowStretch(0, 2)
        outer.setRowStretch(2, 3)
        outer.setColumnStretch(0, 1)
        outer.setColumnStretch(2, 1)
        self.card = QFrame(self)
        self.card.setObjectName("FormCard")
        self.card.setFixedWidth(card_width)
        self.card_layout = QVBoxLayout(self.card)
        self.card_layout.setContentsMargins(36, 32, 36, 32)
        self.card_layout.setSpacing(10)
        outer.addWidget(self.card, 1, 1)


def label(
    text: str, object_name: str, parent: QWidget, *, wrap: bool = False, centered: bool = False
) -> QLabel:
    """A QLabel with the style-sheet name ``object_name``."""
    widget = QLabel(text, parent)
    widget.setObjectName(object_name)
    widget.setWordWrap(wrap)
    if centered:
        set_enum(widget, "alignment", "AlignCenter")
    return widget
