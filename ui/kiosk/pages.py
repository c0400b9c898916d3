"""What every kiosk page shares, and the honest "please ask at the desk" page.

Each home tile opens one page by key. A page that is not built yet is a
``CounterHelpPage`` that says the desk will help; a later issue plugs the real
page in with ``KioskWindow.set_page(key, page)`` and nothing else changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.kiosk.icons import pixmap
from ui.qtprops import set_enum

if TYPE_CHECKING:
    from showroom.context import AppContext


class KioskPage(QFrame):
    """A page in the kiosk's stack.

    Signals: ``navigate(str)`` asks the window to open the page with that key
    (``"home"`` for the attract screen).
    """

    navigate = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        # A QFrame, so that kiosk.qss paints each page's background (a plain QWidget
        # subclass would need WA_StyledBackground, and with it Qt's enum namespace).
        super().__init__(parent)

    def activate(self) -> None:
        """Called each time the page is shown; load what it displays here."""

    def reset(self) -> None:
        """Forget everything a customer entered (idle timeout, 返回首页, new customer)."""

    def attach(self, context: AppContext) -> None:
        """The database has opened (the page may have been built before it did)."""


def orient(layout: QBoxLayout, size: QSize) -> None:
    """Side by side on a landscape screen, one above the other on a portrait one (1080x1920).

    Pages call it from ``resizeEvent``: the kiosk window does not take its pages' minimum
    sizes (``KioskWindow.set_page``), so a page learns the screen's shape from its own size.
    """
    wide = size.width() >= size.height()
    direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
    if layout.direction() != direction:
        layout.setDirection(direction)


class CounterHelpPage(KioskPage):
    """Sends the customer to the front desk for a service the kiosk does not offer yet.

    Signals: ``navigate(str)`` (see ``KioskPage``).
    """

    def __init__(
        self, title: str, message: str, icon_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("kioskCounterHelpPage")
        icon = QLabel(self)
        icon.setObjectName("kioskHelpIcon")
        icon.setPixmap(pixmap(icon_name, QSize(160, 160), self.devicePixelRatioF()))
        set_enum(icon, "alignment", "AlignCenter")

        heading = QLabel(title, self)
        heading.setObjectName("kioskPageTitle")
        set_enum(heading, "alignment", "AlignCenter")
        heading.setWordWrap(True)

        body = QLabel(message, self)
        body.setObjectName("kioskHelpMessage")
        set_enum(body, "alignment", "AlignCenter")
        body.setWordWrap(True)

        hint = QLabel(self.tr("如需帮助，也可以随时询问身边的工作人员。"), self)
        hint.setObjectName("kioskHelpHint")
        set_enum(hint, "alignment", "AlignCenter")
        hint.setWordWrap(True)

        browse = QPushButton(self.tr("先看看在售车辆"), self)
        browse.setObjectName("kioskSecondaryButton")
        browse.clicked.connect(self._browse)
        home = QPushButton(self.tr("返回首页"), self)
        home.setObjectName("kioskPrimaryButton")
        home.clicked.connect(self._home)
        for button in (browse, home):
            set_enum(button, "focusPolicy", "NoFocus")
            button.setMinimumSize(280, 88)

        buttons = QHBoxLayout()
        buttons.setSpacing(32)
        buttons.addStretch(1)
        buttons.addWidget(browse)
        buttons.addWidget(home)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(64, 32, 64, 48)
        layout.setSpacing(24)
        layout.addStretch(2)
        layout.addWidget(icon)
        layout.addWidget(heading)
        layout.addWidget(body)
        layout.addWidget(hint)
        layout.addSpacing(24)
        layout.addLayout(buttons)
        layout.addStretch(3)

    def _browse(self) -> None:
        self.navigate.emit("browse")

    def _home(self) -> None:
        self.navigate.emit("home")
