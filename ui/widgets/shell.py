"""The signed-in shell: navigation on the left, a header, and the role's screens.

The navigation is built from ``showroom.roles.screens_for(roles)``: a person sees
the screens of every role they hold, in that order. A screen is created the first time it is
opened, so signing in costs one screen's query, not all of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from db.enums import Role
from showroom import __version__
from showroom.context import AppContext
from showroom.roles import screens_for
from showroom.users import StaffUser
from ui.screens import SCREENS
from ui.tasks import TaskRunner
from ui.widgets.icons import icon, nav_icon, pixmap
from ui.widgets.labels import roles_label

if TYPE_CHECKING:
    from ui.widgets.kiosk_arrivals import ArrivalWatcher

NAV_WIDTH = 216
KEY_ROLE = Qt.ItemDataRole.UserRole


class Shell(QWidget):
    """Navigation, header and screens for one signed-in user.

    Signals: ``signOutRequested()``, ``settingsRequested()`` (managers only),
    ``screenChanged(str)`` with the key of the screen now shown.
    """

    signOutRequested = Signal()  # noqa: N815 - Qt's signal naming
    settingsRequested = Signal()  # noqa: N815 - Qt's signal naming
    screenChanged = Signal(str)  # noqa: N815 - Qt's signal naming

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.runner = runner
        self.user = user
        self.screens: dict[str, QWidget] = {}
        self.keys = [key for key in screens_for(user.roles) if key in SCREENS]

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_nav())

        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(0)
        right.addWidget(self._build_header())
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("ScreenArea")
        right.addWidget(self.stack, 1)
        layout.addLayout(right, 1)

        self.nav.currentRowChanged.connect(self._on_nav_row)
        # The desk hears kiosk self check-ins on any screen (a chime and the badge).
        self.arrivals: ArrivalWatcher | None = None
        if "board" in self.keys:
            from ui.widgets.kiosk_arrivals import ArrivalWatcher

            self.arrivals = ArrivalWatcher(context, runner, user, self)
            self.arrivals.changed.connect(self._show_arrivals)
            self._show_arrivals()
        if self.keys:
            self.nav.setCurrentRow(0)

    # --- building ----------------------------------------------------------------------

    def _build_nav(self) -> QWidget:
        panel = QFrame(self)
        panel.setObjectName("NavPanel")
        panel.setFixedWidth(NAV_WIDTH)
        box = QVBoxLayout(panel)
        box.setContentsMargins(0, 18, 0, 14)
        box.setSpacing(4)

        brand = QHBoxLayout()
        brand.setContentsMargins(18, 0, 12, 0)
        brand.setSpacing(10)
        logo = QLabel(panel)
        logo.setPixmap(pixmap("showroom", size=38))
        brand.addWidget(logo)
        names = QVBoxLayout()
        names.setSpacing(0)
        title = QLabel(self.tr("展厅管理"), panel)
        title.setObjectName("NavBrand")
        names.addWidget(title)
        store = QLabel(self.user.store_name, panel)
        store.setObjectName("NavBrandSub")
        store.setToolTip(self.user.store_name)
        names.addWidget(store)
        brand.addLayout(names, 1)
        box.addLayout(brand)
        box.addSpacing(18)

        self.nav = QListWidget(panel)
        self.nav.setObjectName("NavList")
        self.nav.setIconSize(QSize(22, 22))
        self.nav.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for key in self.keys:
            info = SCREENS[key]
            item = QListWidgetItem(nav_icon(info.icon), info.label)
            item.setData(KEY_ROLE, key)
            item.setSizeHint(QSize(NAV_WIDTH - 20, 48))
            self.nav.addItem(item)
        box.addWidget(self.nav, 1)

        footer = QLabel(self.tr("版本 {version}").format(version=__version__), panel)
        footer.setObjectName("NavFooter")
        footer.setContentsMargins(20, 0, 0, 0)
        box.addWidget(footer)
        return panel

    def _build_header(self) -> QWidget:
        header = QFrame(self)
        header.setObjectName("Header")
        header.setFixedHeight(64)
        row = QHBoxLayout(header)
        row.setContentsMargins(24, 0, 16, 0)
        row.setSpacing(12)
        self.title_label = QLabel("", header)
        self.title_label.setObjectName("HeaderTitle")
        row.addWidget(self.title_label)
        row.addStretch(1)
        # Kiosk self check-ins waiting to be greeted; opens the board.
        self.arrivals_button = QToolButton(header)
        self.arrivals_button.setObjectName("HeaderButton")
        self.arrivals_button.setStyleSheet("color: #b45309; font-weight: 600;")
        self.arrivals_button.clicked.connect(self._open_board)
        self.arrivals_button.hide()
        row.addWidget(self.arrivals_button)

        user_icon = QLabel(header)
        user_icon.setPixmap(pixmap("user", "#5f6b7a", 20))
        row.addWidget(user_icon)
        self.user_label = QLabel(self.user.display_name, header)
        self.user_label.setObjectName("HeaderUser")
        row.addWidget(self.user_label)
        self.role_label = QLabel(roles_label(self.user.roles), header)
        self.role_label.setObjectName("HeaderRole")
        row.addWidget(self.role_label, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addSpacing(8)

        self.settings_button = QToolButton(header)
        self.settings_button.setObjectName("HeaderButton")
        self.settings_button.setIcon(icon("settings", "#3e4c59"))
        self.settings_button.setText(self.tr("设置"))
        self.settings_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.settings_button.setVisible(self.user.has_role(Role.MANAGER))
        self.settings_button.clicked.connect(self.settingsRequested)
        row.addWidget(self.settings_button)

        self.sign_out_button = QToolButton(header)
        self.sign_out_button.setObjectName("HeaderButton")
        self.sign_out_button.setIcon(icon("sign-out", "#3e4c59"))
        self.sign_out_button.setText(self.tr("退出登录"))
        self.sign_out_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.sign_out_button.clicked.connect(self.signOutRequested)
        row.addWidget(self.sign_out_button)
        return header

    def _show_arrivals(self) -> None:
        from ui.widgets.kiosk_arrivals import badge_text

        count = len(self.arrivals.arrivals) if self.arrivals is not None else 0
        self.arrivals_button.setText(badge_text(count))
        self.arrivals_button.setVisible(count > 0)

    def _open_board(self) -> None:
        if "board" in self.keys:
            self.open_screen("board")

    # --- navigation --------------------------------------------------------------------

    def nav_keys(self) -> list[str]:
        return [self.nav.item(n).data(KEY_ROLE) for n in range(self.nav.count())]

    def nav_labels(self) -> list[str]:
        return [self.nav.item(n).text() for n in range(self.nav.count())]

    def open_screen(self, key: str) -> QWidget:
        """Show the screen ``key`` (creating it on first use) and select it in the nav."""
        row = self.keys.index(key)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)  # comes back through _on_nav_row
        return self.screens[key]

    def current_key(self) -> str | None:
        row = self.nav.currentRow()
        return self.keys[row] if 0 <= row < len(self.keys) else None

    def _on_nav_row(self, row: int) -> None:
        if not 0 <= row < len(self.keys):
            return
        key = self.keys[row]
        screen = self.screens.get(key)
        if screen is None:
            screen_class = SCREENS[key].load()
            screen = screen_class(self.context, self.runner, self.user, self.stack)
            if hasattr(screen, "settingsRequested"):  # the staff screen's set-up checklist
                screen.settingsRequested.connect(self.settingsRequested)
            self.screens[key] = screen
            self.stack.addWidget(screen)
        self.stack.setCurrentWidget(screen)
        self.title_label.setText(SCREENS[key].label)
        self.screenChanged.emit(key)
