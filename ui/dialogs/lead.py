"""新建线索: a phone call or a platform enquiry, recorded before the person ever visits.

Number, name if known (薛女士 is fine: the form of address is read off), where it
came from (channel and platform), the car asked about, what they said, and who
answers it. The deadline is the store's response setting from the time received.
A number that already has an open lead is refused with that lead named, and the
dialog offers to log this enquiry on it instead (nothing typed is lost).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
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

from db.enums import Role, SourceChannel, Title
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.errors import ShowroomError
from showroom.services import reception
from showroom.services.leads import NewLead
from showroom.services.reception import STORE_ZONE
from showroom.sync import customer_ops
from showroom.users import StaffUser
from ui.errors import report_failure
from ui.tasks import TaskRunner
from ui.widgets.labels import TITLES, label
from ui.widgets.limits import LimitCounter, stacked_with_counter, with_counter
from ui.widgets.reception_labels import source_label

Clock = Callable[[], datetime]
LEAD_CHANNELS = (
    SourceChannel.PHONE,
    SourceChannel.LISTING_PLATFORM,
    SourceChannel.SHORT_VIDEO,
    SourceChannel.ONLINE_BOOKING,
    SourceChannel.REFERRAL,
    SourceChannel.OTHER,
)
PLATFORMS = ("懂车帝", "瓜子二手车", "二手车之家", "58同城", "抖音", "快手", "微信")


class LeadDialog(QDialog):
    """Signals: ``saved(object)`` (``LeadCreated``, or the queued ``Submitted`` offline);
    ``openExisting(object)``: (id of the open lead the number already has, what was
    typed about this enquiry) so it can be logged there."""

    saved = Signal(object)
    openExisting = Signal(object)  # noqa: N815 - Qt's signal naming

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        *,
        clock: Clock | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("新建线索"))
        self.setMinimumWidth(640)
        self.context, self.runner, self.user = context, runner, user
        self._clock = clock or (lambda: utcnow())
        self._existing: uuid.UUID | None = None
        self._time_edited = False
        self.counters: list[LimitCounter] = []
        now_local = self._clock().astimezone(STORE_ZONE)

        self.phone_edit = QLineEdit(self)
        self.phone_edit.setPlaceholderText(self.tr("11 位手机号"))
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText(self.tr("不知道可不填；“薛女士”也可以"))
        self.title_combo = QComboBox(self)
        self.title_combo.addItem(self.tr("（不填）"), Title.NONE)
        for code in (Title.MR, Title.MS):
            self.title_combo.addItem(label(TITLES, code), code)
        self.title_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        name_row = self._counted(self.name_edit, "lead.name")
        name_row.addWidget(self.title_combo)
        self.channel_combo = QComboBox(self)
        for code in LEAD_CHANNELS:
            self.channel_combo.addItem(source_label(code), code)
        self.platform_combo = QComboBox(self)
        self.platform_combo.setEditable(True)
        self.platform_combo.addItem("")
        self.platform_combo.addItems(list(PLATFORMS))
        self.platform_combo.lineEdit().setPlaceholderText(self.tr("平台名称（电话来的可不填）"))
        platform_row = QHBoxLayout()
        platform_row.addWidget(self.channel_combo)
        platform_row.addWidget(self.platform_combo, 1)
        platform_counter = LimitCounter(self.platform_combo.lineEdit(), "lead.platform", self)
        self.counters.append(platform_counter)
        platform_row.addWidget(platform_counter)
        self.vehicle_edit = QLineEdit(self)
        self.vehicle_edit.setPlaceholderText(self.tr("例如：2021款 丰田 凯美瑞 2.0G"))
        self.message_edit = QPlainTextEdit(self)
        self.message_edit.setPlaceholderText(self.tr("客户问了什么、留言内容"))
        self.message_edit.setTabChangesFocus(True)
        self.message_edit.setMinimumHeight(80)
        message_box, message_counter = stacked_with_counter(self.message_edit, "lead.message", self)
        self.counters.append(message_counter)
        self.owner_combo = QComboBox(self)
        self.owner_combo.addItem(self.tr("（暂不分配）"), None)
        self.received_edit = QDateTimeEdit(self)
        self.received_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.received_edit.setCalendarPopup(True)
        self.received_edit.setDateTime(_qt(now_local))
        self.received_edit.setMaximumDateTime(_qt(now_local + timedelta(minutes=5)))
        self.received_edit.dateTimeChanged.connect(self._on_time_edited)
        deadline = context.settings["lead_response_hours"]
        due_hint = QLabel(
            self.tr("须在收到后 {h} 小时内联系（门店设置）。").format(h=deadline), self
        )
        due_hint.setObjectName("HintText")

        form = QFormLayout()
        form.setSpacing(10)
        form.addRow(self.tr("手机号"), self.phone_edit)
        form.addRow(self.tr("称呼"), name_row)
        form.addRow(self.tr("来源"), platform_row)
        form.addRow(self.tr("咨询车辆"), self._counted(self.vehicle_edit, "lead.vehicle_text"))
        form.addRow(self.tr("留言"), message_box)
        form.addRow(self.tr("跟进顾问"), self.owner_combo)
        form.addRow(self.tr("收到时间"), self.received_edit)
        form.addRow("", due_hint)

        self.error_label = QLabel("", self)
        self.error_label.setObjectName("ErrorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.existing_button = QPushButton(self.tr("在原线索上记录这次沟通"), self)
        self.existing_button.setAutoDefault(False)
        self.existing_button.hide()
        self.existing_button.clicked.connect(self._open_existing)
        self.cancel_button = QPushButton(self.tr("取消"), self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton(self.tr("登记线索"), self)
        self.save_button.setProperty("role", "primary")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.submit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.existing_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self.phone_edit.setFocus(Qt.FocusReason.OtherFocusReason)

        store_id = user.store_id

        def work(session: Session) -> list[reception.ConsultantRow]:
            return reception.list_consultants(session, store_id)

        self.runner.read(work, self._on_consultants, self._failed)

    def _counted(self, edit: QLineEdit, key: str) -> QHBoxLayout:
        row, counter = with_counter(edit, key, self)
        self.counters.append(counter)
        return row  # type: ignore[return-value]

    def _on_consultants(self, rows: list[reception.ConsultantRow]) -> None:
        for row in rows:
            self.owner_combo.addItem(row.name, row.id)
        if self.user.has_role(Role.SALES):
            # findData cannot compare a UUID held as a Python object: look it up by hand.
            for index in range(self.owner_combo.count()):
                if self.owner_combo.itemData(index) == self.user.id:
                    self.owner_combo.setCurrentIndex(index)

    def _on_time_edited(self, *_args: object) -> None:
        self._time_edited = True

    def form(self) -> NewLead:
        received = None
        if self._time_edited:
            local = self.received_edit.dateTime().toPython()
            received = local.replace(tzinfo=STORE_ZONE).astimezone(UTC)  # type: ignore[union-attr]
        return NewLead(
            phone=self.phone_edit.text(),
            name=self.name_edit.text(),
            title=Title(self.title_combo.currentData()),
            source_channel=SourceChannel(self.channel_combo.currentData()),
            platform=self.platform_combo.currentText(),
            vehicle_text=self.vehicle_edit.text(),
            message=self.message_edit.toPlainText(),
            owner_id=self.owner_combo.currentData(),
            received_at=received,
        )

    def submit(self) -> None:
        self.error_label.hide()
        self.existing_button.hide()
        over = [c for c in self.counters if c.over]
        if over:
            self.show_error(self.tr("有内容超出字数上限（红色计数），请删减后再保存。"))
            over[0].edit.setFocus()
            return
        payload = customer_ops.lead_payload(
            self.user,
            self.form(),
            response_hours=self.context.settings["lead_response_hours"],
            now=self._clock(),
        )
        self.save_button.setEnabled(False)
        self.runner.submit("lead.create", payload, self._done, self._done, self._failed)

    def _done(self, result: object) -> None:
        self.save_button.setEnabled(True)
        self.saved.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.show_error(report_failure(exc))
        if isinstance(exc, ShowroomError) and exc.code == "lead.duplicate":
            self._existing = exc.params.get("lead_id")
            self.existing_button.setVisible(self._existing is not None)
            self.existing_button.setFocus()

    def _open_existing(self) -> None:
        if self._existing is not None:
            typed = [p.strip() for p in (self.vehicle_edit.text(), self.message_edit.toPlainText())]
            text = "；".join(p for p in typed if p)
            self.openExisting.emit(
                (self._existing, self.tr("再次咨询：{text}").format(text=text) if text else "")
            )
            self.reject()

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()


def _qt(moment: datetime) -> QDateTime:
    return QDateTime(
        QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute)
    )
