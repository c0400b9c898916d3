"""登记推荐人: who brought this customer to the store, and the reward promised to them.

Opened from the referred customer's record: staff type the referrer's mobile
number (the desk's habit), choose the reward (none, an amount, a gift) and save.
The number is looked up, then the referral saved through ``referral.record``;
a refusal (no such customer, already referred, a bad amount) shows here with
everything typed kept.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from showroom.errors import NotFoundError
from showroom.services import reception, referrals
from showroom.sync import operations
from showroom.users import StaffUser
from ui.errors import error_text, is_expected, report_failure
from ui.tasks import TaskRunner


class ReferralDialog(QDialog):
    """Signals: ``saved(object)`` with the new referral's id once it is stored."""

    saved = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        user: StaffUser,
        referred_id: uuid.UUID,
        heading: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner, self.user, self.referred_id = runner, user, referred_id
        self.setWindowTitle(self.tr("登记推荐人"))
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        title = QLabel(heading, self)
        title.setObjectName("CardTitle")
        layout.addWidget(title)
        form = QFormLayout()
        self.phone_edit = QLineEdit(self)
        self.phone_edit.setPlaceholderText(self.tr("推荐人的手机号"))
        form.addRow(self.tr("推荐人手机号"), self.phone_edit)
        self.kind_combo = QComboBox(self)
        self.kind_combo.addItem(self.tr("无奖励"), referrals.NONE)
        self.kind_combo.addItem(self.tr("现金奖励"), referrals.AMOUNT)
        self.kind_combo.addItem(self.tr("赠送礼品"), referrals.GIFT)
        self.kind_combo.currentIndexChanged.connect(self._on_kind)
        form.addRow(self.tr("奖励方式"), self.kind_combo)
        self.amount_edit = QLineEdit(self)
        self.amount_edit.setPlaceholderText(self.tr("例如 500"))
        form.addRow(self.tr("奖励金额（元）"), self.amount_edit)
        self.gift_edit = QLineEdit(self)
        self.gift_edit.setPlaceholderText(self.tr("例如 保养券一张"))
        form.addRow(self.tr("礼品"), self.gift_edit)
        self.note_edit = QLineEdit(self)
        form.addRow(self.tr("备注"), self.note_edit)
        layout.addLayout(form)
        self.error_label = QLabel("", self)
        self.error_label.setObjectName("ErrorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("保存"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._on_kind()

    def _on_kind(self) -> None:
        kind = self.kind_combo.currentData()
        self.amount_edit.setEnabled(kind == referrals.AMOUNT)
        self.gift_edit.setEnabled(kind == referrals.GIFT)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def save(self) -> None:
        phone = self.phone_edit.text()

        def work(session: Session) -> uuid.UUID:
            found = reception.find_by_phone(session, phone)  # a bad number: its own message
            if found is None:
                raise NotFoundError("referral.referrer_unknown", "没有找到这个手机号的客户。")
            return found.id

        self.runner.read(work, self._submit, self._failed)

    def _submit(self, referrer_id: uuid.UUID) -> None:
        kind = self.kind_combo.currentData()
        payload: dict[str, Any] = {
            "user": operations.user_payload(self.user),
            "referrer_id": str(referrer_id),
            "referred_id": str(self.referred_id),
            "reward_kind": kind,
            "amount": self.amount_edit.text() if kind == referrals.AMOUNT else None,
            "gift": self.gift_edit.text() if kind == referrals.GIFT else "",
            "note": self.note_edit.text(),
        }
        self.runner.submit("referral.record", payload, self._saved, self._saved, self._failed)

    def _saved(self, result: object) -> None:
        self.saved.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.show_error(error_text(exc) if is_expected(exc) else report_failure(exc))
