"""设置新密码: after signing in with a temporary password, before anything else opens.

The manager handed out a one-time password (new account or reset); the person
chooses their own here. The rules (``showroom.passwords``) are said up front and
a refusal keeps what was typed. When the temporary password is not known (the
kiosk PIN opened the session) it is asked for again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QPushButton, QWidget

from showroom.passwords import MIN_PASSWORD_LENGTH
from ui.errors import report_failure
from ui.tasks import TaskRunner
from ui.widgets.pages import CenteredPage, label

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from showroom.users import StaffUser


class PasswordChangePage(CenteredPage):
    """Signals: ``changed(object)`` with the ``StaffUser`` after the new password is saved;
    ``cancelled()`` when the person goes back to the sign-in page instead."""

    changed = Signal(object)
    cancelled = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        user: StaffUser,
        current: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, card_width=460)
        self.runner = runner
        self.user = user
        self._current = current
        self._busy = False
        self.card_layout.addWidget(
            label(self.tr("设置新密码"), "PageTitle", self.card, centered=True)
        )
        self.card_layout.addWidget(
            label(
                self.tr(
                    "{name}，你正在使用店长发的临时密码。请设置自己的密码，以后用它登录。"
                ).format(name=user.display_name),
                "PageSubtitle",
                self.card,
                wrap=True,
            )
        )
        self.card_layout.addSpacing(6)
        self.current_field = QLineEdit(self.card)
        self.current_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.current_field.setPlaceholderText(self.tr("店长给你的临时密码"))
        self.current_label = label(self.tr("临时密码"), "FieldLabel", self.card)
        self.card_layout.addWidget(self.current_label)
        self.card_layout.addWidget(self.current_field)
        self.current_label.setVisible(current is None)
        self.current_field.setVisible(current is None)
        self.card_layout.addWidget(label(self.tr("新密码"), "FieldLabel", self.card))
        self.new_field = QLineEdit(self.card)
        self.new_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_field.setPlaceholderText(self.tr("至少 {n} 位").format(n=MIN_PASSWORD_LENGTH))
        self.card_layout.addWidget(self.new_field)
        self.card_layout.addWidget(label(self.tr("再输一次"), "FieldLabel", self.card))
        self.repeat_field = QLineEdit(self.card)
        self.repeat_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_field.returnPressed.connect(self.submit)
        self.card_layout.addWidget(self.repeat_field)
        self.card_layout.addWidget(
            label(
                self.tr(
                    "至少 {n} 位；不能是用户名，不能包含用户名；不能用演示账号的密码或"
                    " 1234567890 这类常见密码。"
                ).format(n=MIN_PASSWORD_LENGTH),
                "HintText",
                self.card,
                wrap=True,
            )
        )
        self.error_label = label("", "ErrorText", self.card, wrap=True)
        self.error_label.hide()
        self.card_layout.addWidget(self.error_label)
        self.save_button = QPushButton(self.card)
        self.save_button.setText(self.tr("保存并进入"))
        self.save_button.setProperty("role", "primary")
        self.save_button.setMinimumHeight(42)
        self.save_button.clicked.connect(self.submit)
        self.card_layout.addWidget(self.save_button)
        self.back_button = QPushButton(self.card)
        self.back_button.setText(self.tr("返回登录"))
        self.back_button.clicked.connect(self.cancelled)
        self.card_layout.addWidget(self.back_button)
        (self.current_field if current is None else self.new_field).setFocus()

    def submit(self) -> None:
        if self._busy:
            return
        current = self._current if self._current is not None else self.current_field.text()
        new, repeat = self.new_field.text(), self.repeat_field.text()
        if not current:
            self._show(self.tr("请输入临时密码。"))
            self.current_field.setFocus()
            return
        if new != repeat:
            self._show(self.tr("两次输入的新密码不一致。"))
            self.repeat_field.setFocus()
            self.repeat_field.selectAll()
            return
        from showroom.services import auth

        staff_id = self.user.id

        def work(session: Session) -> StaffUser:
            return auth.change_password(session, staff_id, current, new)

        self._busy = True
        self.save_button.setEnabled(False)
        self.error_label.hide()
        self.runner.write(work, self._done, self._failed)

    def _done(self, user: StaffUser) -> None:
        self._busy = False
        self.save_button.setEnabled(True)
        self.changed.emit(user)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.save_button.setEnabled(True)
        self._show(report_failure(exc))
        self.new_field.setFocus()
        self.new_field.selectAll()

    def _show(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    @property
    def error_text(self) -> str:
        return "" if self.error_label.isHidden() else self.error_label.text()
