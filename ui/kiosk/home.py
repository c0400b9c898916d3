"""The attract screen: the store's welcome and the big tiles a customer starts from.

Laid out for 1920x1080; on a shorter landscape screen (1280x800) the tiles turn
sideways (icon beside the text) in a 2 x 2 grid so everything still fits, and a
portrait kiosk (1080x1920) gets a 2 x 2 grid of tall tiles.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.kiosk.icons import pixmap
from ui.kiosk.pages import KioskPage
from ui.qtprops import set_enum

TILE_MIN = QSize(280, 140)
# Four tiles in a row need a wide screen; otherwise a 2 x 2 grid.
FOUR_COLUMNS_FROM = 1400
# Below this page height tall tiles (icon above text) no longer fit in two rows.
TALL_TILES_FROM = 900


@dataclass(frozen=True)
class Tile:
    """One entry point on the attract screen; ``key`` names the page it opens."""

    key: str
    title: str
    subtitle: str
    icon: str


class TileButton(QPushButton):
    """A large touch tile: icon, title and one line of explanation."""

    def __init__(self, tile: Tile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tile = tile
        self.setObjectName("kioskTile")
        set_enum(self, "focusPolicy", "NoFocus")
        self.setMinimumSize(TILE_MIN)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(tile.title)

        self._icon = QLabel(self)
        self._icon.setObjectName("kioskTileIcon")
        self._icon.setPixmap(pixmap(tile.icon, QSize(96, 96), self.devicePixelRatioF()))
        self._title = QLabel(tile.title, self)
        self._title.setObjectName("kioskTileTitle")
        self._title.setWordWrap(True)  # a long English title takes two lines, never cut
        self._subtitle = QLabel(tile.subtitle, self)
        self._subtitle.setObjectName("kioskTileSubtitle")
        self._subtitle.setWordWrap(True)
        # The whole tile is the button: the labels ignore presses, so a tap on the
        # text or the icon reaches it (tests/gui/test_kiosk.py taps the title).

        self._text = QVBoxLayout()
        self._text.setSpacing(8)
        self._text.addWidget(self._title)
        self._text.addWidget(self._subtitle)
        self._layout = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self._layout.setContentsMargins(28, 24, 28, 24)
        self._layout.setSpacing(16)
        self._layout.addStretch(1)
        self._layout.addWidget(self._icon)
        self._layout.addLayout(self._text)
        self._layout.addStretch(1)
        self._tall: bool | None = None
        self.set_tall(True)

    def set_tall(self, tall: bool) -> None:
        """Icon above the text (tall) or beside it (wide, for short screens)."""
        if tall == self._tall:
            return
        self._tall = tall
        self._layout.setDirection(
            QBoxLayout.Direction.TopToBottom if tall else QBoxLayout.Direction.LeftToRight
        )
        across = "AlignHCenter" if tall else "AlignLeft"
        for label in (self._icon, self._title, self._subtitle):
            set_enum(label, "alignment", f"{across}|AlignVCenter")


class HomePage(KioskPage):
    """Welcome, store name and one tile per service.

    Signals: ``navigate(str)`` with the key of the tapped tile.
    """

    def __init__(self, store_name: str, tiles: list[Tile], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskHomePage")
        welcome = QLabel(self.tr("欢迎光临"), self)
        welcome.setObjectName("kioskWelcome")
        self.store_label = QLabel(store_name, self)
        self.store_label.setObjectName("kioskHomeStore")
        self.store_label.setWordWrap(True)
        tagline = QLabel(self.tr("透明车况，放心选车"), self)
        tagline.setObjectName("kioskTagline")
        self._hint = QLabel(self.tr("请轻触下方选项开始"), self)
        self._hint.setObjectName("kioskHint")
        for label in (welcome, self.store_label, tagline, self._hint):
            set_enum(label, "alignment", "AlignCenter")

        self.tile_buttons: list[TileButton] = []
        for tile in tiles:
            button = TileButton(tile, self)
            button.clicked.connect(self._tile_clicked)
            self.tile_buttons.append(button)
        self._grid = QGridLayout()
        self._grid.setSpacing(28)
        self._columns = 0
        # Start with the most compact arrangement: the window's minimum size follows it, and
        # a larger minimum would stop the kiosk from shrinking to a 1280x800 screen.
        self._arrange(2, tall=False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(72, 16, 72, 32)
        layout.setSpacing(12)
        layout.addStretch(2)
        layout.addWidget(welcome)
        layout.addWidget(self.store_label)
        layout.addWidget(tagline)
        layout.addStretch(2)
        layout.addLayout(self._grid, 6)
        layout.addSpacing(16)
        layout.addWidget(self._hint)
        layout.addStretch(1)

    def _arrange(self, columns: int, *, tall: bool) -> None:
        for button in self.tile_buttons:
            button.set_tall(tall)
        # The hint costs a line a short screen does not have; the tiles speak for themselves.
        self._hint.setVisible(tall)
        if columns == self._columns:
            return
        self._columns = columns
        for button in self.tile_buttons:
            self._grid.removeWidget(button)
        for index, button in enumerate(self.tile_buttons):
            self._grid.addWidget(button, index // columns, index % columns)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        size = event.size()
        columns = 4 if size.width() >= FOUR_COLUMNS_FROM else 2
        self._arrange(columns, tall=columns == 4 or size.height() >= TALL_TILES_FROM)
        super().resizeEvent(event)

    def _tile_clicked(self) -> None:
        button = self.sender()
        if isinstance(button, TileButton):
            self.navigate.emit(button.tile.key)
