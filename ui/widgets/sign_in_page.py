"""The staff sign-in page: username, password, 登录.

Sign-in runs through the write queue because it updates failure counters and
the audit log. A refused sign-in keeps everything typed, shows the reason in
red under the form and puts the cursor back in the password field, selected,
so a retype replaces it. On a database that refuses writes (schema of another
version) the check runs in a session that is rolled back: staff can still look,
nothing is recorded.

While the shared database is down (the PC may even have started that way, from
its read cache) the page says so above the form, and a member of staff who
signed in on this PC before signs in offline (``showroom.sync.offline_sign_in``);
the audit entry follows when the PC is back online.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget

from ui.errors import report_failure
from ui.qtprops import set_enum
from ui.tasks import TaskRunner
from ui.widgets.icons import pixmap
from ui.widgets.pages import CenteredPage, label

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from showroom.context import AppContext
    from showroom.services.stores import StoreInfo
    from showroom.sync.service import SyncState
    from showroom.users import StaffUser


class SignInPage(CenteredPage):
    """Staff sign-in form.

    Signals: ``signedIn(object)`` with the ``StaffUser`` after a correct password;
    ``setupRequested()`` when the user asks for the first-run set-up (no accounts yet).
    """

    signedIn = Signal(object)  # noqa: N815 - Qt's signal naming
    setupRequested = Signal()  # noqa: N815 - Qt's signal naming

    def __init__(
        self,
        context: AppContext | None,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        store_name: str = "",
    ) -> None:
        super().__init__(parent, card_width=420)
        # The page is shown before the database is open (it opens in a worker), so
        # staff can start typing at once; signing in waits for ``attach``.
        self._context: AppContext | None = None
        self._runner = runner
        self._busy = False
        self._typed = ("", "")  # (username, password) of the sign-in under way
        self._pending_submit = False

        logo = QLabel(self.card)
        logo.setPixmap(pixmap("showroom", size=56))
        set_enum(logo, "alignment", "AlignCenter")
        self.card_layout.addWidget(logo)
        title = label(self.tr("员工登录"), "PageTitle", self.card, centered=True)
        self.card_layout.addWidget(title)
        self.store_label = label(
            store_name or self.tr("二手车展厅管理系统"), "PageSubtitle", self.card, centered=True
        )
        self.card_layout.addWidget(self.store_label)
        # Shown only while the shared database is unreachable (``set_sync``).
        self.offline_note = label("", "HintText", self.card, wrap=True)
        self.offline_note.setVisible(False)
        self.card_layout.addWidget(self.offline_note)
        self.card_layout.addSpacing(14)

        self.card_layout.addWidget(label(self.tr("用户名"), "FieldLabel", self.card))
        self.username = QLineEdit(self.card)
        self.username.setPlaceholderText(self.tr("请输入用户名"))
        self.username.setMaxLength(40)
        self.username.returnPressed.connect(self._on_username_return)
        self.card_layout.addWidget(self.username)
        self.card_layout.addSpacing(4)

        self.card_layout.addWidget(label(self.tr("密码"), "FieldLabel", self.card))
        self.password = QLineEdit(self.card)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("请输入密码"))
        self.password.returnPressed.connect(self.submit)
        self.card_layout.addWidget(self.password)

        self.error_label = label("", "ErrorText", self.card, wrap=True)
        self.error_label.setVisible(False)
        self.card_layout.addWidget(self.error_label)
        self.card_layout.addSpacing(8)

        # QPushButton(parent) and setText: the (text, parent) constructor is matched against
        # the (icon, text) one, which loads QIcon's class before the first paint.
        self.sign_in_button = QPushButton(self.card)
        self.sign_in_button.setText(self.tr("登录"))
        self.sign_in_button.setProperty("role", "primary")
        self.sign_in_button.setMinimumHeight(42)
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.submit)
        self.card_layout.addWidget(self.sign_in_button)

        self.setup_hint = label(
            self.tr("这个数据库还没有任何员工账号，请先完成首次使用设置。"),
            "HintText",
            self.card,
            wrap=True,
        )
        self.setup_button = QPushButton(self.card)
        self.setup_button.setText(self.tr("首次使用设置…"))
        self.setup_button.clicked.connect(self.setupRequested)
        self.card_layout.addWidget(self.setup_hint)
        self.card_layout.addWidget(self.setup_button)
        self.show_setup_offer(False)

        self.setTabOrder(self.username, self.password)
        self.setTabOrder(self.password, self.sign_in_button)
        if context is not None:
            self.attach(context)
        else:
            self._set_waiting(True)

    def attach(self, context: AppContext) -> None:
        """The database is open: sign-in can go ahead (a waiting submit goes now)."""
        from showroom.services import stores

        self._context = context
        self._set_waiting(False)
        self._runner.read(stores.list_stores, self._on_stores, self._on_stores_failed)
        if self._pending_submit:
            self._pending_submit = False
            self.submit()

    def set_sync(self, state: SyncState) -> None:
        """Say above the form that the shared database is down and what still works."""
        offline = state.online is False
        if offline:
            if state.cached_at is not None:
                from ui.widgets.status import local_time

                text = self.tr(
                    "共享数据库暂时无法连接，正在使用本机 {time} 的缓存数据。"
                    "在本机登录过的员工可以离线登录；到店登记会保存在本机，恢复连接后自动同步。"
                ).format(time=local_time(state.cached_at))
            else:
                text = self.tr("共享数据库暂时无法连接。恢复连接后即可登录。")
            self.offline_note.setText(text)
        self.offline_note.setVisible(offline)

    def _set_waiting(self, waiting: bool) -> None:
        self.sign_in_button.setText(self.tr("正在连接数据库…") if waiting else self.tr("登录"))

    # --- behaviour ---------------------------------------------------------------------

    def _on_stores(self, found: list[StoreInfo]) -> None:
        # With one store the page can greet by name; with several it stays neutral.
        if len(found) == 1:
            self.store_label.setText(found[0].name)

    def _on_stores_failed(self, exc: BaseException) -> None:
        report_failure(exc)

    def _on_username_return(self) -> None:
        if self.password.text():
            self.submit()
        else:
            self.password.setFocus()

    def submit(self) -> None:
        if self._busy:
            return
        username = self.username.text().strip()
        password = self.password.text()
        if not username:
            self._show_error(self.tr("请输入用户名。"))
            self.username.setFocus()
            return
        if not password:
            self._show_error(self.tr("请输入密码。"))
            self.password.setFocus()
            return
        if self._context is None:
            # Enter pressed while the database is still opening: sign in once it is.
            self._pending_submit = True
            self.sign_in_button.setText(self.tr("正在连接数据库…"))
            return
        context = self._context
        settings = context.settings
        attempts, minutes = settings["lockout_attempts"], settings["lockout_minutes"]

        from showroom.services import auth

        def work(session: Session) -> StaffUser:
            return auth.sign_in(
                session, username, password, max_attempts=attempts, lockout_minutes=minutes
            )

        self._set_busy(True)
        self.error_label.setVisible(False)
        self._typed = (username, password)
        sync = context.sync
        if sync is not None and sync.online is False:
            self._sign_in_offline()
        elif context.database.writes_refused:
            self._runner.read(work, self._on_signed_in, self._on_failed)
        else:
            self._runner.write(work, self._on_signed_in_online, self._on_failed)

    def _sign_in_offline(self) -> None:
        """The server is down: check against what this PC kept from an earlier sign-in."""
        context = self._context
        assert context is not None and context.sync is not None
        sync, settings = context.sync, context.settings
        username, password = self._typed
        attempts, minutes = settings["lockout_attempts"], settings["lockout_minutes"]
        from showroom.sync import offline_sign_in

        def work() -> StaffUser:
            return offline_sign_in.sign_in(
                sync, username, password, max_attempts=attempts, lockout_minutes=minutes
            )

        self._runner.call(work, self._on_signed_in, self._on_failed)

    def _on_signed_in_online(self, user: StaffUser) -> None:
        context = self._context
        if context is not None and context.sync is not None:
            # For a sign-in on this PC while the server is down (on a worker: scrypt).
            from showroom.sync import offline_sign_in

            sync, password = context.sync, self._typed[1]
            self._runner.call(
                lambda: offline_sign_in.remember(sync, user, password),
                _ignore,
                _remember_failed,
            )
        self._on_signed_in(user)

    def _on_signed_in(self, user: StaffUser) -> None:
        self._set_busy(False)
        self._typed = ("", "")
        self.error_label.setVisible(False)
        if self._context is not None:
            self._context.bus.publish({"audit", "staff"})
        self.signedIn.emit(user)

    def _on_failed(self, exc: BaseException) -> None:
        context = self._context
        if (
            getattr(exc, "code", None) == "db.offline"
            and context is not None
            and context.sync is not None
        ):
            self._sign_in_offline()  # the server went away just now
            return
        self._set_busy(False)
        if self._context is not None:
            self._context.bus.publish({"audit", "staff"})  # failure counters changed
        self._show_error(report_failure(exc))
        self.password.setFocus()
        self.password.selectAll()

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(True)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.sign_in_button.setEnabled(not busy)
        self.sign_in_button.setText(self.tr("正在登录…") if busy else self.tr("登录"))

    def reset(self, *, keep_username: bool = True) -> None:
        """After sign-out: the password goes, the username may stay for the next shift."""
        self.password.clear()
        self.error_label.clear()
        self.error_label.setVisible(False)
        if not keep_username:
            self.username.clear()
        self._set_busy(False)

    def show_setup_offer(self, needed: bool) -> None:
        """Offer the first-run set-up here when it was postponed (no one could sign in)."""
        self.setup_hint.setVisible(needed)
        self.setup_button.setVisible(needed)

    def focus_first_empty(self) -> None:
        (self.password if self.username.text() else self.username).setFocus()

    def prefill(self, username: str) -> None:
        self.username.setText(username)
        self.password.clear()
        self.focus_first_empty()

    @property
    def error_text(self) -> str:
        return "" if self.error_label.isHidden() else self.error_label.text()


def _ignore(_result: object) -> None:
    """Nothing to show: remembering a sign-in for later is invisible to staff."""


def _remember_failed(exc: BaseException) -> None:
    import logging

    # Only the kind: the file holds personal data and a password verifier.
    logging.getLogger("showroom.sync").warning(
        "sign-in not kept for offline use: %s", type(exc).__name__
    )
