"""投诉 dialogs: record a complaint, and record how it was resolved.

Both submit one operation (``complaint.record`` / ``complaint.resolve``) through
the runner: applied now, or queued while the shared database is away. A refusal
shows in red above the buttons and everything typed stays.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.services import complaints as cp
from showroom.services import vehicles
from showroom.sync.after_sales_ops import record_payload, resolve_payload
from showroom.users import StaffUser
from ui.dialogs.service import ServiceDialog
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# The services' Chinese labels, marked here so lupdate offers them for translation.
TOPIC_TEXTS = (
    QT_TRANSLATE_NOOP("Complaints", "车辆问题"),
    QT_TRANSLATE_NOOP("Complaints", "员工服务"),
    QT_TRANSLATE_NOOP("Complaints", "手续证件"),
    QT_TRANSLATE_NOOP("Complaints", "价格费用"),
    QT_TRANSLATE_NOOP("Complaints", "售后服务"),
    QT_TRANSLATE_NOOP("Complaints", "其他"),
    QT_TRANSLATE_NOOP("Complaints", "处理中"),
    QT_TRANSLATE_NOOP("Complaints", "已处理"),
)


def complaints_text(text: str) -> str:
    return QCoreApplication.translate("Complaints", text)


def response_hours(context: AppContext) -> int:
    return int(context.settings["complaint_response_hours"])


class ComplaintDialog(ServiceDialog):
    """登记投诉: the customer by phone, the topic, what was said, the owner, the car if any.

    On success ``result_value`` is the ``RecordedComplaint`` (or the queued operation).
    """

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("登记投诉"), context, runner, user, parent)
        self.car: vehicles.CarChoice | None = None
        self.add_customer_lookup(
            self.tr("客户手机"),
            self.tr("（未找到客户）"),
            self.tr("没有这个手机号的客户，请先在前台登记。"),
        )
        self.topic = QComboBox(self)
        for key, label in cp.TOPIC_LABELS.items():
            self.topic.addItem(complaints_text(label), key)
        self.description = QPlainTextEdit(self)
        self.description.setPlaceholderText(self.tr("客户反映的问题，尽量记下原话"))
        self.description.setMinimumHeight(90)
        self.car_input = QLineEdit(self)
        self.car_input.setPlaceholderText(self.tr("涉及的车辆：库存编号或车牌号（可不填）"))
        self.car_input.editingFinished.connect(self._find_car)
        self.car_label = QLabel(self)
        self.owner = QComboBox(self)
        self.owner.addItem(self.tr("我（{name}）").format(name=user.display_name), None)
        hours = response_hours(context)
        self.form.addRow(self.tr("类别"), self.topic)
        self.form.addRow(self.tr("投诉内容"), self.description)
        self.form.addRow(self.tr("车辆"), self.car_input)
        self.form.addRow("", self.car_label)
        self.form.addRow(self.tr("负责人"), self.owner)
        self.form.addRow(
            "", QLabel(self.tr("须在 {h} 小时内答复客户，超时在店长首页提示。").format(h=hours))
        )
        self.ok_button.setText(self.tr("登记"))
        self.finish_layout()
        self.resize(560, 460)
        store = user.store_id
        runner.read(lambda s: cp.owners(s, store), self._owners, self.show_error)

    def _owners(self, choices: list[cp.StaffChoice]) -> None:
        for choice in choices:
            if choice.id != self.user.id:
                self.owner.addItem(choice.name, choice.id)

    def _find_car(self) -> None:
        # The car found for what was typed before does not stand for what is typed now:
        # a lookup that fails must not leave the complaint on the previous car.
        self.car = None
        self.car_label.setText("")
        text = self.car_input.text()
        if not text.strip():
            return

        def work(session: Session) -> vehicles.CarChoice:
            return vehicles.find_car(session, text)

        self.runner.read(work, self._car_found, self.show_error)

    def _car_found(self, car: vehicles.CarChoice) -> None:
        self.car = car
        self.error.hide()
        self.car_label.setText(f"{car.label} · {car.stock_no}")

    def submit(self) -> None:
        if self.customer is None:
            self.show_message(self.tr("请先输入手机号找到客户。"))
            return
        if self.car_input.text().strip() and self.car is None:
            self.show_message(self.tr("没有找到所填的车辆，请核对库存编号或车牌号，或清空。"))
            return
        form = cp.ComplaintInput(
            self.customer.id,
            self.topic.currentData(),
            self.description.toPlainText(),
            owner_id=self.owner.currentData(),
            vehicle_id=self.car.id if self.car else None,
        )
        payload = record_payload(
            self.user, form, response_hours=response_hours(self.context), now=utcnow()
        )
        self.error.hide()
        self.ok_button.setEnabled(False)
        self.runner.submit("complaint.record", payload, self._done, self._done, self.show_error)


class ResolveComplaintDialog(ServiceDialog):
    """登记处理结果: how it was resolved and, when given, the customer's satisfaction."""

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        row: cp.ComplaintRow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("登记投诉处理结果"), context, runner, user, parent)
        self.complaint_id: uuid.UUID = row.id
        about = QLabel(
            f"{row.complaint_no} · {row.customer_name} · {complaints_text(row.topic_label)}", self
        )
        said = QLabel(row.description, self)
        said.setWordWrap(True)
        self.resolution = QPlainTextEdit(self)
        self.resolution.setPlaceholderText(self.tr("如何处理、答复了客户什么"))
        self.resolution.setMinimumHeight(90)
        self.satisfaction = QComboBox(self)
        self.satisfaction.addItem(self.tr("客户未评价"), None)
        for score in range(5, 0, -1):
            self.satisfaction.addItem(self.tr("{n} 分").format(n=score), score)
        self.form.addRow(self.tr("投诉"), about)
        self.form.addRow(self.tr("内容"), said)
        self.form.addRow(self.tr("处理结果"), self.resolution)
        self.form.addRow(self.tr("客户满意度"), self.satisfaction)
        self.ok_button.setText(self.tr("处理完毕"))
        self.finish_layout()
        self.resize(540, 380)

    def submit(self) -> None:
        payload = {
            **resolve_payload(
                self.user,
                self.complaint_id,
                self.resolution.toPlainText(),
                self.satisfaction.currentData(),
            ),
            "now": utcnow().isoformat(),
        }
        self.error.hide()
        self.ok_button.setEnabled(False)
        self.runner.submit("complaint.resolve", payload, self._done, self._done, self.show_error)
