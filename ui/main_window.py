"""The staff main window: start-up page, sign-in page and the signed-in shell.

The window exists before the database does: it shows "正在连接数据库…" at once
and gets its context (``attach``) when the connection is made in the
background. Below the pages, a permanent status bar shows which database this
PC works on, whether it answers, and who is signed in. A database of another
schema version puts a red read-only banner above everything.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.tasks import TaskRunner
from ui.widgets.sign_in_page import SignInPage
from ui.widgets.status import OnlineIndicator

if TYPE_CHECKING:
    # What only a signed-in session needs is imported when one starts, so the
    # sign-in form paints without waiting for it (see benchmarks/startup.py).
    from showroom.context import AppContext
    from showroom.sync.service import SyncState
    from showroom.users import StaffUser
    from ui.widgets.shell import Shell
    from ui.widgets.startup_page import StartupPage

log = logging.getLogger("showroom.ui")

DEFAULT_SIZE = (1280, 800)
MINIMUM_SIZE = (1024, 640)


def database_description(context: AppContext) -> tuple[str, str]:
    """(short label, tooltip) for the database this PC works on, never with a password."""
    from showroom.context import describe_url
    from ui.errors import server_of

    database = context.database
    shown = describe_url(str(database.engine.url))  # str() of a URL masks the password
    if context.embedded:
        return QCoreApplication.translate("MainWindow", "本机内置数据库"), shown
    return (
        QCoreApplication.translate("MainWindow", "共享数据库 {where}").format(
            where=server_of(shown)
        ),
        shown,
    )


class MainWindow(QMainWindow):
    """Top-level staff window.

    Signals: ``retryRequested()``, ``settingsRequested()``, ``embeddedRequested()`` (from
    the start-up fault page and, for settings, from a manager's header),
    ``signedIn(object)`` with the ``StaffUser``, ``signedOut()``, ``setupRequested()``
    (the first-run set-up, asked for on the sign-in page).
    """

    retryRequested = Signal()  # noqa: N815 - Qt's signal naming
    settingsRequested = Signal()  # noqa: N815 - Qt's signal naming
    embeddedRequested = Signal()  # noqa: N815 - Qt's signal naming
    signedIn = Signal(object)  # noqa: N815 - Qt's signal naming
    signedOut = Signal()  # noqa: N815 - Qt's signal naming
    setupRequested = Signal()  # noqa: N815 - Qt's signal naming

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.context: AppContext | None = None
        self.user: StaffUser | None = None
        self.shell: Shell | None = None
        self.password_page: QWidget | None = None  # 设置新密码 after a temporary password
        self.sign_in_page: SignInPage | None = None
        # In kiosk mode the staff window is a detour: closing it signs out (back to the
        # kiosk) instead of quitting the app on an unattended PC.
        self.close_signs_out = False
        # The window icon is the application's (set once in ui.app).
        self.setWindowTitle(self.tr("二手车展厅管理系统"))
        self.resize(*DEFAULT_SIZE)
        self.setMinimumSize(*MINIMUM_SIZE)

        central = QWidget(self)
        self._column = QVBoxLayout(central)
        self._column.setContentsMargins(0, 0, 0, 0)
        self._column.setSpacing(0)
        self.pages = QStackedWidget(central)
        self._column.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        # Built when first needed: a normal start goes straight to the sign-in page,
        # and the first paint should not wait for pages nobody sees.
        self._startup_page: StartupPage | None = None
        self._banner: QFrame | None = None

        self.online_indicator = OnlineIndicator(self)
        self.database_label = QLabel(self.tr("数据库：未连接"), self)
        self.user_label = QLabel(self.tr("未登录"), self)
        bar = self.statusBar()
        bar.setSizeGripEnabled(False)
        bar.addPermanentWidget(self.online_indicator)
        bar.addPermanentWidget(self._separator())
        bar.addPermanentWidget(self.database_label)
        bar.addPermanentWidget(self._separator())
        bar.addPermanentWidget(self.user_label)
        self.online_indicator.set_online(None)

    @property
    def startup_page(self) -> StartupPage:
        """ "正在连接数据库…" and the start-up fault page with retry / settings / embedded."""
        if self._startup_page is None:
            from ui.widgets.startup_page import StartupPage

            page = StartupPage(self.pages)
            page.retryRequested.connect(self.retryRequested)
            page.settingsRequested.connect(self.settingsRequested)
            page.embeddedRequested.connect(self.embeddedRequested)
            self.pages.addWidget(page)
            self._startup_page = page
        return self._startup_page

    @property
    def banner(self) -> QFrame:
        """The red read-only banner above the pages (hidden unless writes are refused)."""
        if self._banner is None:
            from PySide6.QtCore import Qt

            from ui.widgets.icons import pixmap

            banner = QFrame(self.centralWidget())
            banner.setObjectName("ReadOnlyBanner")
            row = QHBoxLayout(banner)
            row.setContentsMargins(16, 8, 16, 8)
            row.setSpacing(10)
            warn = QLabel(banner)
            warn.setPixmap(pixmap("warning", "#ffffff", 20))
            row.addWidget(warn, 0, Qt.AlignmentFlag.AlignTop)
            self.banner_label = QLabel("", banner)
            self.banner_label.setWordWrap(True)
            row.addWidget(self.banner_label, 1)
            banner.hide()
            self._column.insertWidget(0, banner)
            self._banner = banner
        return self._banner

    def _separator(self) -> QFrame:
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.VLine)
        line.setStyleSheet("color: #dde3ea;")
        return line

    # --- start-up ----------------------------------------------------------------------

    def show_connecting(self, target: str, message: str | None = None) -> None:
        self.startup_page.show_connecting(target, message)
        self.pages.setCurrentWidget(self.startup_page)

    def show_fault(self, message: str, technical: str = "", *, offer_embedded: bool = True) -> None:
        self.startup_page.show_fault(message, technical, offer_embedded=offer_embedded)
        self.pages.setCurrentWidget(self.startup_page)
        self.online_indicator.set_online(False)

    def attach(self, context: AppContext) -> None:
        """The database is open: build the sign-in page for it and show the status."""
        self._drop_session()
        self.context = context
        text, tooltip = database_description(context)
        self.database_label.setText(text)
        self.database_label.setToolTip(tooltip)
        refused = context.database.writes_refused
        if refused or self._banner is not None:
            banner = self.banner
            self.banner_label.setText(self.tr("只读模式：{reason}").format(reason=refused or ""))
            banner.setVisible(bool(refused))
        if self.sign_in_page is None:
            self.prepare_sign_in()
        assert self.sign_in_page is not None
        self.sign_in_page.attach(context)

    def prepare_sign_in(self, store_name: str = "") -> None:
        """Build the sign-in page before the database is open, so typing can start."""
        if self.sign_in_page is not None:
            return
        self.sign_in_page = SignInPage(None, self.runner, self.pages, store_name=store_name)
        self.sign_in_page.signedIn.connect(self.open_session)
        self.sign_in_page.setupRequested.connect(self.setupRequested)
        self.pages.addWidget(self.sign_in_page)

    def show_sign_in(self, username: str | None = None) -> None:
        if self.sign_in_page is None:
            return
        if username is not None:
            self.sign_in_page.prefill(username)
        self.pages.setCurrentWidget(self.sign_in_page)
        self.sign_in_page.focus_first_empty()

    def set_online(self, online: bool) -> None:
        self.online_indicator.set_online(online)

    def set_sync(self, state: SyncState) -> None:
        """The sync service's state: the status bar, and the sign-in page's offline note."""
        self.online_indicator.set_sync(state)
        if self.sign_in_page is not None:
            self.sign_in_page.set_sync(state)

    # --- session -----------------------------------------------------------------------

    def open_session(self, user: StaffUser) -> None:
        """Show the shell for ``user`` (after sign-in, or a staff PIN at the kiosk).

        A person signed in with a temporary password sets their own first.
        """
        if self.context is None:
            raise RuntimeError("open_session before attach")
        if user.must_change_password:
            self.ask_new_password(user)
            return
        self._drop_session()
        self.user = user
        from ui.widgets.labels import roles_label
        from ui.widgets.shell import Shell

        self.shell = Shell(self.context, self.runner, user, self.pages)
        self.shell.signOutRequested.connect(self.sign_out)
        self.shell.settingsRequested.connect(self.settingsRequested)
        self.pages.addWidget(self.shell)
        self.pages.setCurrentWidget(self.shell)
        self.user_label.setText(
            self.tr("{name}（{role}）").format(name=user.display_name, role=roles_label(user.roles))
        )
        self.setWindowTitle(self.tr("二手车展厅管理系统 — {store}").format(store=user.store_name))
        log.info("signed in: %s (%s)", user.username, ",".join(sorted(user.roles)))
        self.signedIn.emit(user)

    def ask_new_password(self, user: StaffUser) -> None:
        """The 设置新密码 page; the password just typed on the sign-in page is the current one."""
        from ui.widgets.password_page import PasswordChangePage

        self._drop_session()
        typed = self.sign_in_page.password.text() if self.sign_in_page is not None else ""
        page = PasswordChangePage(self.runner, user, typed or None, self.pages)
        page.changed.connect(self.open_session)
        page.cancelled.connect(self.sign_out)
        self.password_page = page
        self.pages.addWidget(page)
        self.pages.setCurrentWidget(page)

    def sign_out(self) -> None:
        """Back to the sign-in page; the password is cleared, the username kept."""
        if self.user is not None:
            log.info("signed out: %s", self.user.username)
        self._drop_session()
        self.user_label.setText(self.tr("未登录"))
        self.setWindowTitle(self.tr("二手车展厅管理系统"))
        if self.sign_in_page is not None:
            self.sign_in_page.reset(keep_username=True)
        self.show_sign_in()
        self.signedOut.emit()

    def _drop_session(self) -> None:
        page = self.password_page
        if page is not None:
            self.pages.removeWidget(page)
            page.deleteLater()
            self.password_page = None
        if self.shell is not None:
            self.pages.removeWidget(self.shell)
            # Deleting the shell deletes its screens: late results for them are dropped.
            self.shell.deleteLater()
            self.shell = None
        self.user = None

    @property
    def current_page(self) -> QWidget:
        return self.pages.currentWidget()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.close_signs_out and self.user is not None:
            event.ignore()
            self.sign_out()
            return
        # Let queued saves finish before the window (and then the app) goes away.
        self.runner.wait(10_000)
        super().closeEvent(event)
