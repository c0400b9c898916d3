"""The test-drive dialogs: book, check the licence, sign the agreement, check out, return.

Each dialog collects input, calls one service through the runner and closes
only when it succeeded; a refusal (slot taken, licence expired, odometer
backwards) is shown in red above the buttons and everything typed stays.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTextBrowser,
    QWidget,
)

from db.models import IntentGrade
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.documents.model import Document
from showroom.errors import ShowroomError
from showroom.services import test_drives as td
from showroom.sync import operations
from showroom.users import StaffUser
from ui.clock import today_qdate
from ui.dialogs.service import STORE_ZONE, templates_dir
from ui.dialogs.service import ServiceDialog as _ServiceDialog
from ui.dialogs.signing import SigningDialog
from ui.documents.render import body_html
from ui.tasks import TaskRunner
from ui.widgets.combos import find_data
from ui.widgets.reception_labels import grade_label


def slot_rules(context: AppContext) -> td.SlotRules:
    return td.SlotRules.from_settings(context.settings.__getitem__)


def _to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def fill_consultants(
    combo: QComboBox, choices: td.ConsultantChoices, keep: uuid.UUID | None
) -> None:
    """On-duty consultants, with a "please choose" line first. The preselected one is
    what the user picked already, else the service's default; never simply the first."""
    combo.clear()
    combo.addItem(QCoreApplication.translate("TestDriveDialogs", "请选择…"), None)
    for staff_id, name in choices.people:
        combo.addItem(name, staff_id)
    wanted = keep if find_data(combo, keep) > 0 else choices.default_id
    combo.setCurrentIndex(max(0, find_data(combo, wanted)))


class BookingDialog(_ServiceDialog):
    """新预约: car by stock no., day and free slot, customer by mobile number."""

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
        *,
        stock_no: str = "",
    ) -> None:
        super().__init__(self.tr("预约试驾"), context, runner, user, parent)
        self._car: td.CarChoice | None = None
        self.stock_no = QLineEdit(stock_no, self)
        self.stock_no.setPlaceholderText(self.tr("如 BJ01-S2026-00012"))
        self.stock_no.editingFinished.connect(self._find_car)
        self.car_label = QLabel(self.tr("输入库存编号后按回车"), self)
        self.day = QDateEdit(today_qdate().addDays(1), self)
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.setMinimumDate(today_qdate())
        self.day.dateChanged.connect(self._load_slots)
        self.day.dateChanged.connect(self._load_consultants)
        self.slot = QComboBox(self)
        self.consultant = QComboBox(self)
        self.form.addRow(self.tr("库存编号"), self.stock_no)
        self.form.addRow("", self.car_label)
        self.form.addRow(self.tr("日期"), self.day)
        self.form.addRow(self.tr("时段"), self.slot)
        self.add_customer_lookup(
            self.tr("手机号"),
            self.tr("输入手机号后按回车查找客户"),
            self.tr("没有这个手机号的客户，请先在“客户”中登记。"),
        )
        self.form.addRow(self.tr("销售顾问"), self.consultant)
        self.finish_layout()
        self.setMinimumWidth(460)
        self._load_consultants()
        if stock_no:
            self._find_car()

    def _load_consultants(self) -> None:
        """Consultants on duty on the chosen day; the customer's visit consultant or the
        signed-in salesperson preselected, else nobody (the desk chooses)."""
        store_id, user, day = self.user.store_id, self.user, _to_date(self.day.date())
        customer_id = self.customer.id if self.customer else None
        self.runner.read(
            lambda s: td.consultant_choices(s, store_id, user, customer_id=customer_id, day=day),
            self._fill_staff,
            self.show_error,
        )

    def _fill_staff(self, choices: td.ConsultantChoices) -> None:
        fill_consultants(self.consultant, choices, self.consultant.currentData())

    def _customer_found(self, match: td.CustomerMatch | None) -> None:
        super()._customer_found(match)
        self._load_consultants()

    def _find_car(self) -> None:
        text = self.stock_no.text().strip()
        if text:
            self.runner.read(lambda s: td.find_car(s, text), self._car_found, self._car_failed)

    def _car_found(self, car: td.CarChoice) -> None:
        self._car = car
        self.car_label.setText(f"{car.label}（{'自动挡' if car.automatic else '手动挡'}）")
        self.error.hide()
        self._load_slots()

    def _car_failed(self, exc: BaseException) -> None:
        self._car = None
        self.slot.clear()
        self.show_error(exc)

    def _load_slots(self) -> None:
        if self._car is None:
            return
        car_id, day, rules = self._car.id, _to_date(self.day.date()), slot_rules(self.context)
        self.runner.read(
            lambda s: td.day_slots(s, car_id, day, rules), self._fill_slots, self.show_error
        )

    def _fill_slots(self, slots: list[td.Slot]) -> None:
        self.slot.clear()
        for slot in slots:
            label = slot.label(STORE_ZONE) + ("" if slot.free else self.tr("（不可约）"))
            self.slot.addItem(label, slot.start)
            if not slot.free:
                item = self.slot.model().item(self.slot.count() - 1)  # type: ignore[attr-defined]
                item.setEnabled(False)
        first_free = next((i for i, s in enumerate(slots) if s.free), -1)
        self.slot.setCurrentIndex(first_free)

    def submit(self) -> None:
        if self._car is None:
            self.show_message(self.tr("请先输入库存编号并找到车辆。"))
            return
        if self.customer is None:
            self.show_message(self.tr("请先输入手机号并找到客户。"))
            return
        start = self.slot.currentData()
        if start is None:
            self.show_message(self.tr("这一天没有可预约的时段，请换一天。"))
            return
        car_id, customer_id = self._car.id, self.customer.id
        consultant_id = self.consultant.currentData()
        if consultant_id is None:
            self.show_message(self.tr("请选择负责这次试驾的销售顾问。"))
            return
        rules, actor = slot_rules(self.context), self.user.actor
        self.run_write(
            lambda s: td.book(
                s,
                actor,
                vehicle_id=car_id,
                customer_id=customer_id,
                slot_start=start,
                rules=rules,
                consultant_id=consultant_id,
            )
        )


class LicenceDialog(_ServiceDialog):
    """核验驾驶证: number, class, valid-until and name; an optional photo from a file."""

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        row: td.TestDriveRow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("核验驾驶证"), context, runner, user, parent)
        self.row = row
        self._photo = b""
        self.number = QLineEdit(self)
        self.number.setPlaceholderText(self.tr("18 位证号（与身份证号相同）"))
        self.classes = QLineEdit("C1", self)
        self.valid_until = QDateEdit(today_qdate().addYears(6), self)
        self.valid_until.setCalendarPopup(True)
        self.valid_until.setDisplayFormat("yyyy-MM-dd")
        self.name = QLineEdit(row.customer_name, self)
        self.photo_button = QPushButton(self.tr("选择驾驶证照片…"), self)
        self.photo_button.clicked.connect(self._choose_photo)
        self.form.addRow(self.tr("试驾车辆"), QLabel(row.vehicle_label, self))
        self.form.addRow(self.tr("驾驶证号"), self.number)
        self.form.addRow(self.tr("准驾车型"), self.classes)
        self.form.addRow(self.tr("有效期至"), self.valid_until)
        self.form.addRow(self.tr("姓名"), self.name)
        self.form.addRow(self.tr("照片（可选）"), self.photo_button)
        self.finish_layout()

    def _choose_photo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("驾驶证照片"), "", self.tr("图片 (*.png *.jpg *.jpeg)")
        )
        if path:
            self.ok_button.setEnabled(False)  # until the photo is read, off the UI thread
            self.runner.call(
                lambda: Path(path).read_bytes(),
                lambda data: self._photo_read(Path(path).name, data),
                self.show_error,
            )

    def _photo_read(self, name: str, data: bytes) -> None:
        self._photo = data
        self.photo_button.setText(name)
        self.ok_button.setEnabled(True)

    def submit(self) -> None:
        licence = td.LicenceInput(
            self.number.text(),
            self.classes.text(),
            _to_date(self.valid_until.date()),
            self.name.text(),
            self._photo,
        )
        drive_id, actor = self.row.id, self.user.actor
        self.run_write(lambda s: td.check_licence(s, actor, drive_id, licence))


class AgreementDialog(SigningDialog):
    """试驾协议: the exact text, signed on screen by the customer and the consultant.

    On success ``result_value`` is the signed ``Document`` (for printing).
    """

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        row: td.TestDriveRow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("签署试驾协议"), context, runner, user, parent)
        self.row = row
        self.document: Document | None = None
        self.signed_document: Document | None = None
        self.route = QLineEdit(self)
        self.route.setPlaceholderText(self.tr("留空使用模板中的默认路线"))
        self.route.editingFinished.connect(self._prepare)
        self.companion = QComboBox(self)
        self.companion.currentIndexChanged.connect(self._prepare)
        self.form.addRow(self.tr("试驾路线"), self.route)
        self.form.addRow(self.tr("陪同人员"), self.companion)
        self.text = QTextBrowser(self)
        self.text.setMinimumHeight(300)
        self.layout_.addWidget(self.text, 1)
        self.add_signature_pads(
            (self.tr("客户（试驾人）签名"), self.tr("客户在此签名")),
            (self.tr("销售顾问签名"), self.tr("销售顾问在此签名")),
        )
        self.ok_button.setText(self.tr("确认签署"))
        self.finish_layout()
        self.resize(900, 820)
        store_id, drive_id = user.store_id, row.id
        runner.read(
            lambda s: td.consultant_choices(s, store_id, user, test_drive_id=drive_id),
            self._fill_staff,
            self.show_error,
        )

    def _fill_staff(self, choices: td.ConsultantChoices) -> None:
        self.companion.blockSignals(True)
        fill_consultants(self.companion, choices, None)
        self.companion.blockSignals(False)
        self._prepare()

    def _prepare(self) -> None:
        drive_id, route, companion = self.row.id, self.route.text(), self.companion.currentData()
        if companion is None:
            self.document = None
            self.text.setHtml(
                "<p>" + self.tr("请先选择陪同试驾的销售顾问，协议会写明陪同人员。") + "</p>"
            )
            return
        folder, zone = templates_dir(self.context), STORE_ZONE
        self.runner.read(
            lambda s: td.prepare_agreement(
                s,
                drive_id,
                templates_dir=folder,
                zone=zone,
                accompanying_staff_id=companion,
                route=route,
            ),
            self._prepared,
            self.show_error,
        )

    def _prepared(self, document: Document) -> None:
        self.document = document
        self.text.setHtml(body_html(document))

    def submit(self) -> None:
        if self.companion.currentData() is None:
            self.show_message(self.tr("请选择陪同试驾的销售顾问。"))
            return
        if self.document is None:
            self.show_message(self.tr("协议还没有生成，请稍候。"))
            return
        customer, consultant = self.signatures()
        signed_at = utcnow()
        try:
            signed = td.attach_signatures(
                self.document, customer, consultant, signed_at, STORE_ZONE
            )
        except ShowroomError as exc:
            self.show_error(exc)
            return
        self.signed_document = signed
        drive_id, actor = self.row.id, self.user.actor
        self.render_then_store(
            [signed],
            lambda s, pdfs: td.sign_agreement(
                s, actor, drive_id, signed, customer, consultant, pdfs[0], signed_at
            ),
        )


class CheckOutDialog(_ServiceDialog):
    """出车: odometer, fuel, accompanying staff, route."""

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        row: td.TestDriveRow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("出车登记"), context, runner, user, parent)
        self.row = row
        self.odometer = QSpinBox(self)
        self.odometer.setRange(0, 2_000_000)
        self.odometer.setSuffix(" km")
        self.odometer.setValue(row.mileage_km)
        self.fuel = QSpinBox(self)
        self.fuel.setRange(0, 100)
        self.fuel.setSuffix(" %")
        self.fuel.setValue(80)
        self.companion = QComboBox(self)
        self.route = QLineEdit(self)
        self.form.addRow(self.tr("车辆"), QLabel(row.vehicle_label, self))
        self.form.addRow(self.tr("出车里程"), self.odometer)
        self.form.addRow(self.tr("油量/电量"), self.fuel)
        self.form.addRow(self.tr("陪同人员"), self.companion)
        self.form.addRow(self.tr("路线"), self.route)
        self.finish_layout()
        store_id, drive_id = user.store_id, row.id
        runner.read(
            lambda s: td.consultant_choices(s, store_id, user, test_drive_id=drive_id),
            self._fill_staff,
            self.show_error,
        )

    def _fill_staff(self, choices: td.ConsultantChoices) -> None:
        fill_consultants(self.companion, choices, None)

    def submit(self) -> None:
        if self.companion.currentData() is None:
            self.show_message(self.tr("请选择陪同试驾的人员。"))
            return
        drive_id, actor = self.row.id, self.user.actor
        km, fuel, companion, route = (
            self.odometer.value(),
            self.fuel.value(),
            self.companion.currentData(),
            self.route.text(),
        )
        self.run_write(
            lambda s: td.check_out(
                s,
                actor,
                drive_id,
                odometer_km=km,
                fuel_percent=fuel,
                accompanying_staff_id=companion,
                route=route,
            )
        )


class ReturnDialog(_ServiceDialog):
    """还车: odometer (never below the out reading), damage with photos, feedback, intent."""

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        row: td.TestDriveRow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("还车登记"), context, runner, user, parent)
        self.row = row
        self._photos: list[bytes] = []
        self.odometer = QSpinBox(self)
        self.odometer.setRange(0, 2_000_000)
        self.odometer.setSuffix(" km")
        self.odometer.setValue(row.out_odometer_km or row.mileage_km)
        self.fuel = QSpinBox(self)
        self.fuel.setRange(0, 100)
        self.fuel.setSuffix(" %")
        self.fuel.setValue(75)
        self.damage = QPlainTextEdit(self)
        self.damage.setPlaceholderText(self.tr("无损伤可不填"))
        self.damage.setFixedHeight(70)
        self.photos = QListWidget(self)
        self.photos.setFixedHeight(60)
        add_photo = QPushButton(self.tr("添加损伤照片…"), self)
        add_photo.clicked.connect(self._add_photo)
        self.feedback = QPlainTextEdit(self)
        self.feedback.setFixedHeight(70)
        self.grade = QComboBox(self)
        self.grade.addItem(self.tr("（不变）"), None)
        for grade in IntentGrade:
            self.grade.addItem(grade_label(grade), grade)
        self.form.addRow(self.tr("出车里程"), QLabel(f"{row.out_odometer_km or 0} km", self))
        self.form.addRow(self.tr("还车里程"), self.odometer)
        self.form.addRow(self.tr("油量/电量"), self.fuel)
        self.form.addRow(self.tr("损伤情况"), self.damage)
        self.form.addRow(self.tr("损伤照片"), self.photos)
        self.form.addRow("", add_photo)
        self.form.addRow(self.tr("客户反馈"), self.feedback)
        self.form.addRow(self.tr("意向等级"), self.grade)
        self.finish_layout()

    def _add_photo(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, self.tr("损伤照片"), "", self.tr("图片 (*.png *.jpg *.jpeg)")
        )
        if paths:
            self.ok_button.setEnabled(False)  # until the photos are read, off the UI thread
            self.runner.call(
                lambda: [(Path(p).name, Path(p).read_bytes()) for p in paths],
                self._photos_read,
                self.show_error,
            )

    def _photos_read(self, read: list[tuple[str, bytes]]) -> None:
        for name, data in read:
            self._photos.append(data)
            self.photos.addItem(name)
        self.ok_button.setEnabled(True)

    def submit(self) -> None:
        drive_id, actor = self.row.id, self.user.actor
        km, fuel = self.odometer.value(), self.fuel.value()
        damage, feedback, grade = (
            self.damage.toPlainText(),
            self.feedback.toPlainText(),
            self.grade.currentData(),
        )
        photos = tuple(self._photos)
        payload = operations.return_payload(
            actor, drive_id, km, fuel, damage, photos, feedback, grade
        )
        self.error.hide()
        self.ok_button.setEnabled(False)
        self.runner.submit("test_drive.return", payload, self._done, self._queued, self.show_error)

    def _queued(self, _queued: object) -> None:
        # The shared database is unreachable: the return waits in this PC's outbox.
        self.show_message(self.tr("待同步：网络断开，还车记录已保存在本机，恢复连接后自动登记。"))
        self.ok_button.hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("关闭"))
