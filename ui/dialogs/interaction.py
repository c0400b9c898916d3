"""记录沟通: one contact with a customer or a lead, and the next step with its date.

Opened from the customer record, the customer list and the lead list (回电: the
number can be shown for dialling, which is audited). The dialog runs the
``interaction.log`` operation itself: a refusal is shown here and everything
typed stays; offline the contact waits in the outbox (待同步) like a follow-up.
Every text shows its limit while typing.

For a lead (no customer record yet) the consultant also chooses the intent grade at
the call: the store's cadence (回访节奏) plans the lead's next call from it, and the
lead shows on the follow-up list that day.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from db.enums import IntentGrade, InteractionChannel
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.roles import MAY_REVEAL_PERSONAL_DATA
from showroom.services import cadence, leads
from showroom.services.interactions import NewInteraction
from showroom.services.reception import STORE_ZONE
from showroom.sync import customer_ops
from showroom.users import StaffUser
from ui.errors import report_failure
from ui.tasks import TaskRunner
from ui.widgets.labels import INTERACTION_CHANNELS, label
from ui.widgets.limits import stacked_with_counter, with_counter

Clock = Callable[[], datetime]
CHANNEL_ORDER = (
    InteractionChannel.PHONE,
    InteractionChannel.WECHAT,
    InteractionChannel.SMS,
    InteractionChannel.IN_STORE,
    InteractionChannel.ONLINE_CHAT,
    InteractionChannel.OTHER,
)


def _wall_clock() -> datetime:
    return utcnow()


class InteractionDialog(QDialog):
    """Log one contact. Signals: ``saved(object)``: the ``LoggedInteraction``, or the
    queued ``Submitted`` when the shared database is unreachable (待同步)."""

    saved = Signal(object)

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        *,
        heading: str,
        customer_id: uuid.UUID | None = None,
        lead_id: uuid.UUID | None = None,
        channel: InteractionChannel = InteractionChannel.PHONE,
        clock: Clock | None = None,
        parent: QWidget | None = None,
        lead_grade: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("记录沟通"))
        self.setMinimumWidth(620)
        self.context, self.runner, self.user = context, runner, user
        self.customer_id, self.lead_id = customer_id, lead_id
        self._clock = clock or _wall_clock
        self._time_edited = False
        now_local = self._clock().astimezone(STORE_ZONE)
        today = now_local.date()

        title = QLabel(heading, self)
        title.setObjectName("SectionTitle")
        title.setWordWrap(True)

        self.channel_combo = QComboBox(self)
        for code in CHANNEL_ORDER:
            self.channel_combo.addItem(label(INTERACTION_CHANNELS, code), code)
        self.channel_combo.setCurrentIndex(max(0, self.channel_combo.findData(channel)))
        self.at_edit = QDateTimeEdit(self)
        self.at_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.at_edit.setCalendarPopup(True)
        self.at_edit.setDateTime(_qt(now_local))
        self.at_edit.setMaximumDateTime(_qt(now_local + timedelta(minutes=5)))
        self.at_edit.dateTimeChanged.connect(self._on_time_edited)

        self.summary_edit = QPlainTextEdit(self)
        self.summary_edit.setPlaceholderText(self.tr("聊了什么：例如 介绍了凯美瑞的车况和价格"))
        self.summary_edit.setTabChangesFocus(True)
        self.summary_edit.setMinimumHeight(84)
        self.response_edit = QPlainTextEdit(self)
        self.response_edit.setPlaceholderText(self.tr("客户怎么说：例如 想周末带家人来看"))
        self.response_edit.setTabChangesFocus(True)
        self.response_edit.setMinimumHeight(64)
        self.next_step_edit = QLineEdit(self)
        self.next_step_edit.setPlaceholderText(self.tr("下一步做什么：例如 周六上午到店看车"))
        self.next_check = QCheckBox(self.tr("定日期"), self)
        self.next_date = QDateEdit(self)
        self.next_date.setCalendarPopup(True)
        self.next_date.setDisplayFormat("yyyy-MM-dd")
        self.next_date.setMinimumDate(_qdate(today))
        self.next_date.setDate(_qdate(today + timedelta(days=1)))
        self.next_date.setEnabled(False)
        self.next_check.toggled.connect(self.next_date.setEnabled)

        summary_box, self.summary_counter = stacked_with_counter(
            self.summary_edit, "interaction.summary", self
        )
        response_box, self.response_counter = stacked_with_counter(
            self.response_edit, "interaction.response", self
        )
        next_row, self.next_counter = with_counter(
            self.next_step_edit, "interaction.next_step", self
        )
        next_row.addWidget(self.next_check)
        next_row.addWidget(self.next_date)

        form = QFormLayout()
        form.setSpacing(10)
        when = QHBoxLayout()
        when.addWidget(self.channel_combo)
        when.addSpacing(12)
        when.addWidget(QLabel(self.tr("时间"), self))
        when.addWidget(self.at_edit)
        when.addStretch(1)
        form.addRow(self.tr("方式"), when)
        form.addRow(self.tr("沟通内容"), summary_box)
        form.addRow(self.tr("客户答复"), response_box)
        form.addRow(self.tr("下一步"), next_row)
        self.grade_combo = QComboBox(self)
        grades = {
            IntentGrade.A: self.tr("A 级（热）：48 小时内再联系"),
            IntentGrade.B: self.tr("B 级（温）"),
            IntentGrade.C: self.tr("C 级（冷）"),
            IntentGrade.D: self.tr("D 级（无意向）：不再自动回访"),
        }
        for grade, text in grades.items():
            self.grade_combo.addItem(text, grade)
        chosen = IntentGrade(lead_grade) if lead_grade else cadence.LEAD_GRADE
        self.grade_combo.setCurrentIndex(max(0, self.grade_combo.findData(chosen)))
        self.grade_combo.setToolTip(
            self.tr("按本店的回访节奏安排下次回电；填了下一步日期则以该日期为准。")
        )
        if lead_id is not None:
            form.addRow(self.tr("意向等级"), self.grade_combo)
        else:
            self.grade_combo.hide()

        self.phone_label = QLabel("", self)
        self.reveal_button = QPushButton(self.tr("显示号码回拨"), self)
        self.reveal_button.setToolTip(self.tr("查看会记入审计日志"))
        self.reveal_button.setAutoDefault(False)
        self.reveal_button.clicked.connect(self.reveal_phone)
        dial = QHBoxLayout()
        dial.addWidget(self.phone_label)
        dial.addWidget(self.reveal_button)
        dial.addStretch(1)
        show_dial = lead_id is not None and user.has_any(*MAY_REVEAL_PERSONAL_DATA)
        self.reveal_button.setVisible(show_dial)

        self.error_label = QLabel("", self)
        self.error_label.setObjectName("ErrorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.cancel_button = QPushButton(self.tr("取消"), self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton(self.tr("保存（Ctrl+回车）"), self)
        self.save_button.setProperty("role", "primary")
        self.save_button.clicked.connect(self.submit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(title)
        if show_dial:
            layout.addLayout(dial)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.submit)
        self.summary_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- the form ------------------------------------------------------------------------

    def _on_time_edited(self, *_args: object) -> None:
        self._time_edited = True

    def form(self) -> NewInteraction:
        at = None
        if self._time_edited:
            local = self.at_edit.dateTime().toPython()
            at = local.replace(tzinfo=STORE_ZONE).astimezone(UTC)  # type: ignore[union-attr]
        next_on = None
        if self.next_check.isChecked():
            day = self.next_date.date()
            next_on = date(day.year(), day.month(), day.day())
        return NewInteraction(
            channel=InteractionChannel(self.channel_combo.currentData()),
            summary=self.summary_edit.toPlainText(),
            response=self.response_edit.toPlainText(),
            next_step=self.next_step_edit.text(),
            next_on=next_on,
            at=at,
            intent_grade=(
                IntentGrade(self.grade_combo.currentData()) if self.lead_id is not None else None
            ),
        )

    def submit(self) -> None:
        self.error_label.hide()
        over = [
            c for c in (self.summary_counter, self.response_counter, self.next_counter) if c.over
        ]
        if over:
            self.show_error(self.tr("有内容超出字数上限（红色计数），请删减后再保存。"))
            over[0].edit.setFocus()
            return
        now = self._clock()
        payload = customer_ops.interaction_payload(
            self.user,
            self.form(),
            customer_id=self.customer_id,
            lead_id=self.lead_id,
            now=now,
            today=now.astimezone(STORE_ZONE).date(),
        )
        self.save_button.setEnabled(False)
        self.runner.submit("interaction.log", payload, self._done, self._done, self._failed)

    def _done(self, result: object) -> None:
        self.save_button.setEnabled(True)
        self.saved.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.show_error(report_failure(exc))

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    # --- calling the lead back --------------------------------------------------------------

    def reveal_phone(self) -> None:
        user, lead_id = self.user, self.lead_id
        if lead_id is None:
            return

        def work(session: Session) -> str:
            return leads.reveal_phone(session, user, lead_id)

        self.runner.write(work, self._on_phone, self._failed)

    def _on_phone(self, phone: str) -> None:
        self.phone_label.setText(self.tr("号码：{p}（此次查看已记入审计日志）").format(p=phone))
        self.reveal_button.setEnabled(False)
        self.context.bus.publish({"audit"})


def _qt(moment: datetime) -> QDateTime:
    return QDateTime(
        QDate(moment.year, moment.month, moment.day),
        QTime(moment.hour, moment.minute),
    )


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)
