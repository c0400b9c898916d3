"""透明检测日 (reception, appraiser, manager, sales): events, registrations, the day, the checklist.

Three tabs sized for a 1280x800 tablet:

- 报名: upcoming days with seats left; the selected day's registrations (seated,
  wait-list, promoted and to be called, checked in); register at the desk,
  cancel, mark a promoted customer as called; managers create, change (time,
  bays, seats) and cancel days, and get the list of customers to phone.
- 签到与排队: scan the booking QR or type the code (a USB scanner types it and
  Enter); one queue per bay; an appraiser takes the next car of their bay.
- 检测记录: the checklist (``ui.screens.inspection_record``) and the recent
  inspections, including stock inspections (收车评估) by stock number.
"""

from __future__ import annotations

import uuid
from datetime import date, time
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTime,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from db.models import EventStatus, RegistrationStatus, Role, Title
from showroom import inspection_grading as grading
from showroom.context import AppContext
from showroom.roles import may_reveal_personal_data
from showroom.services import inspection_day as idays
from showroom.services import inspections as insp
from showroom.services import roster
from showroom.services.customers import reveal_phone
from showroom.users import StaffUser
from ui.clock import today_qdate
from ui.errors import report_failure
from ui.screens.base import Screen
from ui.screens.inspection_record import TOUCH, InspectionEditor, section_label
from ui.tasks import TaskRunner
from ui.widgets.dates import month_day, weekday
from ui.widgets.limits import fit_text_width
from ui.widgets.names import shown_name
from ui.widgets.tables import RowListModel, make_table, set_column_widths

if TYPE_CHECKING:
    pass

Index = QModelIndex | QPersistentModelIndex
TOPICS = frozenset({"registrations", "inspections", "inspection_events"})


class RegistrationModel(RowListModel):
    """The selected day's registrations. Emits no extra signals."""

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("名额"),
            self.tr("报名码"),
            self.tr("客户"),
            self.tr("电话"),
            self.tr("车牌"),
            self.tr("车辆"),
            self.tr("状态"),
            self.tr("工位"),
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row: idays.RegistrationRow | None = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 6:
            if row.needs_call:
                return QColor("#b26a00")
            if row.status is RegistrationStatus.CANCELLED:
                return QColor("#8a96a3")
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if row.seat_no is not None:
            place = self.tr("第 {n} 位").format(n=row.seat_no)
        elif row.waitlist_position is not None:
            place = self.tr("候补 {n}").format(n=row.waitlist_position)
        else:
            place = "—"
        status = {
            RegistrationStatus.SEATED: self.tr("已报名"),
            RegistrationStatus.WAITLISTED: self.tr("候补"),
            RegistrationStatus.CHECKED_IN: self.tr("已签到"),
            RegistrationStatus.INSPECTED: self.tr("检测中/已检"),
            RegistrationStatus.CANCELLED: self.tr("已取消"),
            RegistrationStatus.NO_SHOW: self.tr("未到场"),
        }[row.status]
        if row.needs_call:
            status = call_reason_label(row.call_reason) + self.tr("·待电话通知")
        return (
            place,
            row.booking_code,
            shown_name(row.customer_name),
            row.phone_masked,
            row.plate,
            row.car,
            status,
            str(row.bay) if row.bay else "",
        )[index.column()]


class EventDialog(QDialog):
    """The manager creates an inspection day (optionally monthly). Emits ``succeeded(ids)``."""

    succeeded = Signal(object)

    def __init__(self, runner: TaskRunner, user: StaffUser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.user = runner, user
        self.setWindowTitle(self.tr("新建检测日"))
        form = QFormLayout(self)
        # Fields take the dialog's width: the offer text is a sentence, not a code.
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.title = QLineEdit(self.tr("透明检测日"), self)
        self.day = QDateEdit(today_qdate().addDays(14), self)
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.opens = QTimeEdit(QTime(9, 0), self)
        self.closes = QTimeEdit(QTime(17, 0), self)
        self.bays = QSpinBox(self)
        self.bays.setRange(1, 20)
        self.bays.setValue(2)
        self.seats = QSpinBox(self)
        self.seats.setRange(1, 500)
        self.seats.setValue(20)
        self.offer = QLineEdit(self.tr("免费全车检测一次，出具检测报告"), self)
        fit_text_width(self.offer)
        self.repeat = QSpinBox(self)
        self.repeat.setRange(0, idays.MAX_REPEAT_MONTHS)
        self.repeat.setSuffix(self.tr(" 个月"))
        self.repeat.setSpecialValueText(self.tr("不重复"))
        for label, widget in (
            (self.tr("名称"), self.title),
            (self.tr("日期"), self.day),
            (self.tr("开始"), self.opens),
            (self.tr("结束"), self.closes),
            (self.tr("检测工位"), self.bays),
            (self.tr("名额"), self.seats),
            (self.tr("免费内容"), self.offer),
            (self.tr("按月重复（同月第几个星期几）"), self.repeat),
        ):
            widget.setMinimumHeight(40)
            form.addRow(label, widget)
        self.error, self.ok, buttons = _error_and_buttons(self, self.tr("创建"))
        form.addRow(self.error)
        form.addRow(buttons)

    def submit(self) -> None:
        d, o, c = self.day.date(), self.opens.time(), self.closes.time()
        form = idays.EventForm(
            self.title.text(),
            date(d.year(), d.month(), d.day()),
            time(o.hour(), o.minute()),
            time(c.hour(), c.minute()),
            self.bays.value(),
            self.seats.value(),
            self.offer.text(),
            self.repeat.value(),
        )
        actor, store = self.user.actor, self.user.store_id
        self.ok.setEnabled(False)
        self.runner.write(
            lambda s: idays.create_events(s, actor, store, form), self._done, self._failed
        )

    def _done(self, ids: list[uuid.UUID]) -> None:
        self.succeeded.emit(ids)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok.setEnabled(True)
        self.error.setText(report_failure(exc))


class EditEventDialog(QDialog):
    """The manager changes a day's time, bays, seats, name or offer.

    Signals: ``succeeded(EventChange)``; the screen then shows whom to phone.
    """

    succeeded = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        user: StaffUser,
        event: idays.EventRow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner, self.user, self.event_row = runner, user, event
        self.setWindowTitle(self.tr("修改检测日"))
        form = QFormLayout(self)
        # Fields take the dialog's width: the offer text is a sentence, not a code.
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        starts = event.starts_at.astimezone(idays.STORE_ZONE)
        ends = event.ends_at.astimezone(idays.STORE_ZONE)
        self.title = QLineEdit(event.title, self)
        self.day = QDateEdit(QDate(event.day.year, event.day.month, event.day.day), self)
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.opens = QTimeEdit(QTime(starts.hour, starts.minute), self)
        self.closes = QTimeEdit(QTime(ends.hour, ends.minute), self)
        self.bays = QSpinBox(self)
        self.bays.setRange(1, 20)
        self.bays.setValue(event.bays)
        self.seats = QSpinBox(self)
        self.seats.setRange(1, 500)
        self.seats.setValue(event.seats)
        self.offer = QLineEdit(event.offer, self)
        fit_text_width(self.offer)
        given = QLabel(
            self.tr("已占名额 {seated} 位，候补 {waiting} 位：名额不能少于已占名额；").format(
                seated=event.seated, waiting=event.waitlisted
            )
            + self.tr("增加的名额按顺序给候补客户；改日期或时间后需电话通知所有报名客户。"),
            self,
        )
        given.setObjectName("HintText")
        given.setWordWrap(True)
        given.setMinimumHeight(given.fontMetrics().lineSpacing() * 2 + 6)
        form.addRow(given)
        for label, widget in (
            (self.tr("名称"), self.title),
            (self.tr("日期"), self.day),
            (self.tr("开始"), self.opens),
            (self.tr("结束"), self.closes),
            (self.tr("检测工位"), self.bays),
            (self.tr("名额"), self.seats),
            (self.tr("免费内容"), self.offer),
        ):
            widget.setMinimumHeight(40)
            form.addRow(label, widget)
        self.error, self.ok, buttons = _error_and_buttons(self, self.tr("保存修改"))
        form.addRow(self.error)
        form.addRow(buttons)
        self.setMinimumWidth(560)

    def submit(self) -> None:
        d, o, c = self.day.date(), self.opens.time(), self.closes.time()
        edit = idays.EventEdit(
            self.title.text(),
            date(d.year(), d.month(), d.day()),
            time(o.hour(), o.minute()),
            time(c.hour(), c.minute()),
            self.bays.value(),
            self.seats.value(),
            self.offer.text(),
        )
        actor, event_id = self.user.actor, self.event_row.id
        self.ok.setEnabled(False)
        self.error.setText("")
        self.runner.write(
            lambda s: idays.update_event(s, actor, event_id, edit), self._done, self._failed
        )

    def _done(self, change: idays.EventChange) -> None:
        self.succeeded.emit(change)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        # What was typed stays; only the message changes.
        self.ok.setEnabled(True)
        self.error.setText(report_failure(exc))


class CallListDialog(QDialog):
    """The customers the desk must phone for a day (moved, cancelled, or a seat freed).

    Phones are masked; 显示号码 reveals one number for the call (audited, for the roles
    allowed to see numbers). 已电话通知 takes the customer off the list. Emits ``changed()``.
    """

    changed = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        user: StaffUser,
        event: idays.EventRow,
        rows: list[idays.RegistrationRow],
        parent: QWidget | None = None,
        *,
        heading: str = "",
    ) -> None:
        super().__init__(parent)
        self.runner, self.user, self.event_row = runner, user, event
        self.setWindowTitle(self.tr("待电话通知的客户"))
        self.resize(860, 520)
        box = QVBoxLayout(self)
        self.heading = QLabel(
            heading
            or self.tr("{day} {title}：以下客户需要电话通知。").format(
                day=f"{event.day:%Y-%m-%d}", title=event.title
            ),
            self,
        )
        self.heading.setWordWrap(True)
        self.heading.setObjectName("SectionTitle")
        box.addWidget(self.heading)
        self.model = CallListModel(self)
        self.model.set_rows(rows)
        self.table = make_table(self)
        self.table.setModel(self.model)
        self.table.verticalHeader().setDefaultSectionSize(40)
        set_column_widths(self.table, {0: 90, 1: 80, 2: 100, 3: 140, 4: 100}, stretch=5)
        box.addWidget(self.table, 1)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        box.addWidget(self.message)
        actions = QHBoxLayout()
        self.reveal_button = QPushButton(self.tr("显示完整号码"), self)
        self.reveal_button.clicked.connect(self.reveal)
        self.called_button = QPushButton(self.tr("已电话通知"), self)
        self.called_button.setProperty("role", "primary")
        self.called_button.clicked.connect(self.mark_called)
        close = QPushButton(self.tr("关闭"), self)
        close.clicked.connect(self.accept)
        for button in (self.reveal_button, self.called_button):
            button.setMinimumHeight(TOUCH)
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(close)
        box.addLayout(actions)
        self.reveal_button.setEnabled(may_reveal_personal_data(user))
        if self.model.rowCount() == 0:
            self.message.setText(self.tr("没有需要电话通知的客户。"))

    def selected(self) -> idays.RegistrationRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def reveal(self) -> None:
        row = self.selected()
        if row is None or row.customer_id is None:
            self.message.setText(self.tr("请先选择一位客户。"))
            return
        user, customer_id = self.user, row.customer_id
        self.runner.write(
            lambda s: reveal_phone(s, user, customer_id),
            lambda phone: self.message.setText(
                self.tr("{name}：{phone}（查看已记录）").format(
                    name=shown_name(row.customer_name), phone=phone
                )
            ),
            self._failed,
        )

    def mark_called(self) -> None:
        row = self.selected()
        if row is None:
            self.message.setText(self.tr("请先选择一位客户。"))
            return
        reg_id, actor, event_id = row.id, self.user.actor, self.event_row.id

        def work(session: Any) -> list[idays.RegistrationRow]:
            idays.mark_called(session, actor, reg_id)
            return idays.to_call(session, event_id)

        self.runner.write(work, self._called, self._failed)

    def _called(self, rows: list[idays.RegistrationRow]) -> None:
        self.model.set_rows(rows)
        self.message.setText(self.tr("已记录电话通知。还剩 {n} 位。").format(n=len(rows)))
        self.changed.emit()

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(report_failure(exc))


class CallListModel(RowListModel):
    """Registrations to phone, with why. Emits no extra signals."""

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("名额"),
            self.tr("报名码"),
            self.tr("客户"),
            self.tr("电话"),
            self.tr("车牌"),
            self.tr("原因"),
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row: idays.RegistrationRow | None = self.row_at(index.row()) if index.isValid() else None
        if row is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        if row.seat_no is not None:
            place = self.tr("第 {n} 位").format(n=row.seat_no)
        elif row.waitlist_position is not None:
            place = self.tr("候补 {n}").format(n=row.waitlist_position)
        else:
            place = "—"
        return (
            place,
            row.booking_code,
            shown_name(row.customer_name),
            row.phone_masked,
            row.plate,
            call_reason_label(row.call_reason),
        )[index.column()]


def call_reason_label(reason: str | None) -> str:
    return {
        idays.CALL_RESCHEDULED: QCoreApplication.translate("InspectionDay", "时间变更"),
        idays.CALL_EVENT_CANCELLED: QCoreApplication.translate("InspectionDay", "检测日取消"),
    }.get(reason or "", QCoreApplication.translate("InspectionDay", "候补转正"))


class RegisterDialog(QDialog):
    """The desk registers a customer's car. Emits ``succeeded(RegistrationResult)``."""

    succeeded = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        user: StaffUser,
        event: idays.EventRow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner, self.user, self.event_row = runner, user, event
        self.setWindowTitle(self.tr("检测日报名"))
        self.setMinimumWidth(560)
        form = QFormLayout(self)
        # Fields take the dialog's width: the offer text is a sentence, not a code.
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        left = event.seats_left
        head = QLabel(
            self.tr("{day} {hours} · 剩余名额 {left}/{seats}").format(
                day=f"{event.day:%m-%d}", hours=event.hours(), left=left, seats=event.seats
            )
            + ("" if left else self.tr("（已满，将登记为候补）")),
            self,
        )
        head.setObjectName("SectionTitle")
        form.addRow(head)
        self.phone = QLineEdit(self)
        self.phone.setPlaceholderText(self.tr("11 位手机号"))
        self.name = QLineEdit(self)
        self.name.setPlaceholderText(self.tr("新客户填写姓名；老客户按手机号自动找到"))
        self.title_box = QComboBox(self)
        for text, value in (
            (self.tr("（不称呼）"), Title.NONE),
            (self.tr("先生"), Title.MR),
            (self.tr("女士"), Title.MS),
        ):
            self.title_box.addItem(text, value)
        self.plate = QLineEdit(self)
        self.plate.setPlaceholderText(self.tr("如 京A12345"))
        self.brand = QLineEdit(self)
        self.model_edit = QLineEdit(self)
        self.year = QSpinBox(self)
        self.year.setRange(0, 2100)
        self.year.setSpecialValueText(self.tr("未填"))
        self.mileage = QSpinBox(self)
        self.mileage.setRange(0, 2_000_000)
        self.mileage.setSingleStep(1000)
        self.mileage.setSuffix(" km")
        self.mileage.setSpecialValueText(self.tr("未填"))
        self.vin = QLineEdit(self)
        self.vin.setPlaceholderText(self.tr("选填，17 位"))
        self.concerns = QPlainTextEdit(self)
        self.concerns.setFixedHeight(64)
        self.concerns.setPlaceholderText(self.tr("客户关心的问题（选填）"))
        self.consent = QCheckBox(self.tr("客户已同意门店使用手机号办理报名、签到和名额通知"), self)
        for label, widget in (
            (self.tr("手机号"), self.phone),
            (self.tr("姓名"), self.name),
            (self.tr("称呼"), self.title_box),
            (self.tr("车牌号"), self.plate),
            (self.tr("品牌"), self.brand),
            (self.tr("车型"), self.model_edit),
            (self.tr("年份"), self.year),
            (self.tr("表显里程"), self.mileage),
            (self.tr("车架号"), self.vin),
            (self.tr("关注问题"), self.concerns),
        ):
            if widget is not self.concerns:
                widget.setMinimumHeight(38)
            form.addRow(label, widget)
        form.addRow(self.consent)
        self.error, self.ok, buttons = _error_and_buttons(self, self.tr("报名"))
        form.addRow(self.error)
        self.ok.setDefault(True)
        form.addRow(buttons)

    def submit(self) -> None:
        car = idays.CarForm(
            plate=self.plate.text(),
            brand=self.brand.text(),
            model=self.model_edit.text(),
            year=self.year.value() or None,
            mileage_km=self.mileage.value() or None,
            vin=self.vin.text(),
            concerns=self.concerns.toPlainText(),
        )
        actor, store, event_id = self.user.actor, self.user.store_id, self.event_row.id
        phone, name = self.phone.text(), self.name.text()
        title, consent = self.title_box.currentData(), self.consent.isChecked()
        self.ok.setEnabled(False)
        self.error.setText("")
        self.runner.write(
            lambda s: idays.register_by_phone(
                s,
                actor,
                store,
                event_id=event_id,
                phone=phone,
                name=name,
                title=title,
                consent=consent,
                car=car,
            ),
            self._done,
            self._failed,
        )

    def _done(self, result: idays.RegistrationResult) -> None:
        self.succeeded.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        # What was typed stays; only the message changes.
        self.ok.setEnabled(True)
        self.error.setText(report_failure(exc))


class ChecklistDialog(QDialog):
    """The manager sets the store's section weights and items. Emits ``succeeded()``.

    One item per line; a line starting with ``?`` is optional (not required at finalising).
    """

    succeeded = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        user: StaffUser,
        current: insp.Checklist,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner, self.user = runner, user
        self.setWindowTitle(self.tr("门店检测项目设置"))
        self.resize(900, 700)
        box = QVBoxLayout(self)
        hint = QLabel(
            self.tr(
                "各部分分值合计 100 分。每行一个检测项目；行首加“?”表示选检（定稿时可以不检）。"
                "修改只影响以后新开的检测。"
            ),
            self,
        )
        hint.setWordWrap(True)
        box.addWidget(hint)
        grid = QFormLayout()
        self.weights: dict[Any, QSpinBox] = {}
        self.items: dict[Any, QPlainTextEdit] = {}
        for section in grading.SECTIONS:
            row = QHBoxLayout()
            weight = QSpinBox(self)
            weight.setRange(0, 100)
            weight.setValue(int(current.weights[section]))
            weight.setSuffix(self.tr(" 分"))
            weight.setMinimumHeight(36)
            items = QPlainTextEdit(self)
            items.setFixedHeight(78)
            items.setPlainText(
                "\n".join(
                    ("" if i.required else "?") + i.label
                    for i in current.items
                    if i.section is section
                )
            )
            row.addWidget(weight)
            row.addWidget(items, 1)
            self.weights[section], self.items[section] = weight, items
            grid.addRow(section_label(section), row)
        box.addLayout(grid)
        self.error, self.ok, buttons = _error_and_buttons(self, self.tr("保存"))
        box.addWidget(self.error)
        box.addLayout(buttons)

    def submit(self) -> None:
        weights = {s.value: w.value() for s, w in self.weights.items()}
        items: list[grading.ChecklistItem] = []
        for section, edit in self.items.items():
            prefix = _CODE_PREFIX[section]
            lines = [line.strip() for line in edit.toPlainText().splitlines() if line.strip()]
            for number, line in enumerate(lines, 1):
                optional = line.startswith(("?", "？"))
                label = line.lstrip("?？").strip()[:100]
                items.append(
                    grading.ChecklistItem(section, f"{prefix}{number:02d}", label, not optional)
                )
        actor, store = self.user.actor, self.user.store_id
        self.ok.setEnabled(False)
        self.runner.write(
            lambda s: insp.save_checklist(s, actor, store, weights, items),
            self._done,
            self._failed,
        )

    def _done(self, _result: object) -> None:
        self.succeeded.emit()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok.setEnabled(True)
        self.error.setText(report_failure(exc))


_CODE_PREFIX = dict(zip(grading.SECTIONS, "BECSRU", strict=True))


class BayColumn(QFrame):
    """One bay's queue and its "take next" button. Emits ``take(bay)``."""

    take = Signal(int)

    def __init__(self, bay: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bay = bay
        self.setObjectName("Card")
        box = QVBoxLayout(self)
        self.title = QLabel(self)
        self.title.setObjectName("CardTitle")
        self.title.setStyleSheet("font-size:18px; font-weight:700;")
        box.addWidget(self.title)
        self.list = QListWidget(self)
        self.list.setStyleSheet(
            "QListWidget { font-size:16px; } QListWidget::item { padding:10px; }"
        )
        box.addWidget(self.list, 1)
        self.button = QPushButton(self.tr("接下一辆车检测"), self)
        self.button.setProperty("role", "primary")
        self.button.setMinimumHeight(TOUCH + 4)
        self.button.clicked.connect(lambda: self.take.emit(self.bay))
        box.addWidget(self.button)

    def show_queue(self, rows: tuple[idays.RegistrationRow, ...], label: str) -> None:
        self.title.setText(label + "  " + self.tr("等候 {n} 辆").format(n=len(rows)))
        self.list.clear()
        for number, row in enumerate(rows, 1):
            at = row.checked_in_at.astimezone(idays.STORE_ZONE) if row.checked_in_at else None
            who = shown_name(row.customer_name)
            text = f"{number}. {row.plate}  {row.car}\n    {row.booking_code} · {who}"
            if at is not None:
                text += f" · {at:%H:%M}"
            QListWidgetItem(text, self.list)
        self.button.setEnabled(bool(rows))


class InspectionDayScreen(Screen):
    """Events, registrations, the day's check-in and queues, and the checklist."""

    topics: ClassVar[frozenset[str]] = TOPICS

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, runner, user, parent)
        self.body.setContentsMargins(16, 12, 16, 12)
        self.events: list[idays.EventRow] = []
        self.call_list: CallListDialog | None = None  # the last list of customers to phone
        self.tabs = QTabWidget(self)
        self.tabs.setStyleSheet(
            "QTabBar::tab { min-height:40px; min-width:140px; font-size:16px; }"
        )
        self.body.addWidget(self.tabs, 1)
        self.tabs.addTab(self._registrations_tab(), self.tr("报名"))
        self.tabs.addTab(self._day_tab(), self.tr("签到与排队"))
        self.tabs.addTab(self._record_tab(), self.tr("检测记录"))
        if user.has_role(Role.APPRAISER) and not user.has_any(Role.RECEPTION, Role.MANAGER):
            self.tabs.setCurrentIndex(1)
        self.refresh()

    # --- tab 1: events and registrations ------------------------------------------------

    def _registrations_tab(self) -> QWidget:
        tab = QWidget(self)
        box = QHBoxLayout(tab)
        left = QVBoxLayout()
        heading = QLabel(self.tr("近期检测日"), tab)
        heading.setObjectName("SectionTitle")
        left.addWidget(heading)
        self.event_list = QListWidget(tab)
        self.event_list.setStyleSheet(
            "QListWidget { font-size:15px; } QListWidget::item { padding:10px; }"
        )
        self.event_list.setFixedWidth(330)
        self.event_list.currentRowChanged.connect(self._event_selected)
        left.addWidget(self.event_list, 1)
        self.new_event_button = QPushButton(self.tr("新建检测日…"), tab)
        self.new_event_button.setMinimumHeight(TOUCH)
        self.new_event_button.setVisible(self.user.has_role(Role.MANAGER))
        self.new_event_button.clicked.connect(self.new_event)
        left.addWidget(self.new_event_button)
        manage = QHBoxLayout()
        self.edit_event_button = QPushButton(self.tr("修改…"), tab)
        self.edit_event_button.clicked.connect(self.edit_event)
        self.cancel_event_button = QPushButton(self.tr("取消检测日…"), tab)
        self.cancel_event_button.clicked.connect(self.cancel_event)
        for button in (self.edit_event_button, self.cancel_event_button):
            button.setMinimumHeight(TOUCH)
            button.setVisible(self.user.is_manager)
            manage.addWidget(button)
        left.addLayout(manage)
        box.addLayout(left)
        right = QVBoxLayout()
        self.event_title = QLabel(tab)
        self.event_title.setObjectName("SectionTitle")
        self.event_title.setWordWrap(True)
        right.addWidget(self.event_title)
        self.model = RegistrationModel(self)
        self.table = make_table(tab)
        self.table.setModel(self.model)
        self.table.verticalHeader().setDefaultSectionSize(44)
        set_column_widths(
            self.table, {0: 80, 1: 90, 2: 100, 3: 120, 4: 100, 6: 170, 7: 50}, stretch=5
        )
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        right.addWidget(self.table, 1)
        actions = QHBoxLayout()
        self.register_button = QPushButton(self.tr("报名…"), tab)
        self.register_button.setProperty("role", "primary")
        self.cancel_button = QPushButton(self.tr("取消报名"), tab)
        self.called_button = QPushButton(self.tr("已电话通知"), tab)
        self.slip_button = QPushButton(self.tr("打印报名单"), tab)
        self.call_list_button = QPushButton(self.tr("待通知名单"), tab)
        for button, slot in (
            (self.register_button, self.register),
            (self.cancel_button, self.cancel),
            (self.called_button, self.mark_called),
            (self.slip_button, self.print_slip),
            (self.call_list_button, self.show_call_list),
        ):
            button.setMinimumHeight(TOUCH)
            button.clicked.connect(slot)
            actions.addWidget(button)
        actions.addStretch(1)
        right.addLayout(actions)
        self.message = QLabel(tab)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("font-size:15px;")
        right.addWidget(self.message)
        box.addLayout(right, 1)
        return tab

    def refresh(self) -> None:
        store = self.user.store_id
        self.runner.read(
            lambda s: idays.list_events(s, store, include_cancelled=True),
            self._events_loaded,
            self._failed,
        )
        self._load_registrations()
        self._load_queue()
        self._load_recent()
        self.editor.sync_settled()  # after a replay the queued edits are stored

    def _events_loaded(self, events: list[idays.EventRow]) -> None:
        current = self.selected_event()
        self.events = events
        self.event_list.blockSignals(True)
        self.event_list.clear()
        for event in events:
            text = self.tr(
                "{day} {weekday} {hours}\n{title}\n剩余名额 {left}/{seats} · 候补 {waiting}"
            ).format(
                day=month_day(event.day),
                weekday=weekday(event.day),
                hours=event.hours(),
                title=event.title,
                left=event.seats_left,
                seats=event.seats,
                waiting=event.waitlisted,
            )
            if event.status is EventStatus.CANCELLED:
                text = self.tr("{day} {weekday}\n{title}\n已取消").format(
                    day=month_day(event.day), weekday=weekday(event.day), title=event.title
                )
            item = QListWidgetItem(text, self.event_list)
            if event.status is EventStatus.CANCELLED:
                item.setForeground(QColor("#8a96a3"))
        index = next(
            (i for i, e in enumerate(events) if current and e.id == current.id), 0 if events else -1
        )
        self.event_list.setCurrentRow(index)
        self.event_list.blockSignals(False)
        if not events:
            self.event_title.setText(self.tr("还没有安排检测日。店长可以点“新建检测日”。"))
        self._event_selected(index)

    def selected_event(self) -> idays.EventRow | None:
        row = self.event_list.currentRow() if hasattr(self, "event_list") else -1
        return self.events[row] if 0 <= row < len(self.events) else None

    def _event_selected(self, _row: int) -> None:
        event = self.selected_event()
        if event is not None:
            self.event_title.setText(
                f"{event.title} · {event.day:%Y-%m-%d} {event.hours()} · "
                + self.tr("名额 {seated}/{seats}，候补 {waiting}，已签到 {checked}").format(
                    seated=event.seated,
                    seats=event.seats,
                    waiting=event.waitlisted,
                    checked=event.checked_in,
                )
                + "\n"
                + self.tr("免费内容：{offer}").format(offer=event.offer)
            )
        self._load_registrations()
        self._load_queue()
        self._update_actions()

    def _load_registrations(self) -> None:
        event = self.selected_event()
        if event is None:
            self.model.set_rows([])
            return
        event_id = event.id
        self.runner.read(
            lambda s: idays.registrations(s, event_id), self._registrations_loaded, self._failed
        )

    def _registrations_loaded(self, rows: list[idays.RegistrationRow]) -> None:
        self.model.set_rows(rows)
        self._update_actions()

    def selected_registration(self) -> idays.RegistrationRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_actions(self, *_: object) -> None:
        row = self.selected_registration()
        event = self.selected_event()
        live = event is not None and event.status is not EventStatus.CANCELLED
        self.register_button.setEnabled(live)
        self.edit_event_button.setEnabled(live)
        self.cancel_event_button.setEnabled(live)
        self.call_list_button.setEnabled(event is not None)
        self.cancel_button.setEnabled(
            row is not None
            and row.status in (RegistrationStatus.SEATED, RegistrationStatus.WAITLISTED)
        )
        self.called_button.setEnabled(row is not None and row.needs_call)
        self.slip_button.setEnabled(
            row is not None
            and row.status in (RegistrationStatus.SEATED, RegistrationStatus.WAITLISTED)
        )

    def _changed(self, *_: object) -> None:
        self.context.bus.publish(TOPICS | {"visits"})
        self.refresh()

    def new_event(self) -> None:
        dialog = EventDialog(self.runner, self.user, self)
        dialog.succeeded.connect(self._changed)
        dialog.open()

    def edit_event(self) -> None:
        event = self.selected_event()
        if event is None:
            return
        dialog = EditEventDialog(self.runner, self.user, event, self)
        dialog.succeeded.connect(self._event_changed)
        dialog.open()

    def _event_changed(self, change: idays.EventChange) -> None:
        parts = [self.tr("检测日已修改。")]
        if change.promoted:
            parts.append(self.tr("{n} 位候补客户获得名额。").format(n=len(change.promoted)))
        if change.renumbered:
            parts.append(self.tr("{n} 位客户的名额号已调整。").format(n=change.renumbered))
        self._say("".join(parts))
        self._changed()
        if change.to_call:
            self._open_call_list(change.event, list(change.to_call))

    def cancel_event(self) -> None:
        event = self.selected_event()
        if event is None:
            return
        reason, ok = QInputDialog.getText(
            self,
            self.tr("取消检测日"),
            self.tr(
                "取消 {day} {title}？已报名的 {n} 位客户（含候补）将列出，需逐一电话通知。\n"
                "取消原因（选填）："
            ).format(
                day=f"{event.day:%m-%d}", title=event.title, n=event.seated + event.waitlisted
            ),
        )
        if not ok:
            return
        actor, event_id = self.user.actor, event.id
        self.runner.write(
            lambda s: idays.cancel_event(s, actor, event_id, reason=reason),
            self._event_cancelled,
            self._failed,
        )

    def _event_cancelled(self, change: idays.EventChange) -> None:
        self._say(self.tr("检测日已取消，{n} 位客户需要电话通知。").format(n=len(change.to_call)))
        self._changed()
        self._open_call_list(change.event, list(change.to_call))

    def show_call_list(self) -> None:
        event = self.selected_event()
        if event is None:
            return
        event_id = event.id
        self.runner.read(
            lambda s: idays.to_call(s, event_id),
            lambda rows: self._open_call_list(event, rows),
            self._failed,
        )

    def _open_call_list(self, event: idays.EventRow, rows: list[idays.RegistrationRow]) -> None:
        dialog = CallListDialog(self.runner, self.user, event, rows, self)
        dialog.changed.connect(self._changed)
        self.call_list = dialog
        dialog.open()

    def register(self) -> None:
        event = self.selected_event()
        if event is None:
            return
        dialog = RegisterDialog(self.runner, self.user, event, self)
        dialog.succeeded.connect(self._registered)
        dialog.open()

    def _registered(self, result: idays.RegistrationResult) -> None:
        if result.seated:
            text = self.tr(
                "报名成功：{plate}，名额第 {seat} 位，报名码 {code}。可打印报名单。"
            ).format(plate=result.plate, seat=result.seat_no, code=result.booking_code)
        else:
            text = self.tr(
                "名额已满：{plate} 已登记为候补第 {n} 位，报名码 {code}。有人取消时会提示电话通知。"
            ).format(plate=result.plate, n=result.waitlist_position, code=result.booking_code)
        self._say(text)
        self._changed()

    def cancel(self) -> None:
        row = self.selected_registration()
        if row is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("取消报名"),
            self.tr("确定取消 {plate}（{code}）的报名吗？名额会顺延给候补第一位。").format(
                plate=row.plate, code=row.booking_code
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        reg_id, actor = row.id, self.user.actor
        self.runner.write(lambda s: idays.cancel(s, actor, reg_id), self._cancelled, self._failed)

    def _cancelled(self, promoted: idays.RegistrationRow | None) -> None:
        if promoted is None:
            self._say(self.tr("已取消报名。"))
        else:
            self._say(
                self.tr(
                    "已取消报名。候补 {plate}（{name}）转为第 {seat} 位，请电话通知客户。"
                ).format(
                    plate=promoted.plate,
                    name=shown_name(promoted.customer_name),
                    seat=promoted.seat_no,
                )
            )
        self._changed()

    def mark_called(self) -> None:
        row = self.selected_registration()
        if row is None:
            return
        reg_id, actor = row.id, self.user.actor
        self.runner.write(
            lambda s: idays.mark_called(s, actor, reg_id), self._changed, self._failed
        )

    def print_slip(self) -> None:
        row = self.selected_registration()
        if row is None:
            return
        reg_id = row.id
        self.runner.read(
            lambda s: idays.registration_slip(s, reg_id), self._slip_ready, self._failed
        )

    def _slip_ready(self, document: Any) -> None:
        from ui.documents.render import render_pdf

        row = self.selected_registration()
        if row is None:
            return
        reg_id, actor = row.id, self.user.actor

        def archived(_result: object) -> None:
            self._say(self.tr("报名单已存档，正在打开打印预览。"))
            self._preview(document)

        def rendered(pdf: bytes) -> None:
            self.runner.write(
                lambda s: idays.archive_slip(s, actor, reg_id, document, pdf),
                archived,
                self._failed,
            )

        self.runner.call(lambda: render_pdf(document), rendered, self._failed)

    # --- tab 2: check-in and queues -----------------------------------------------------

    def _day_tab(self) -> QWidget:
        tab = QWidget(self)
        box = QVBoxLayout(tab)
        scan = QHBoxLayout()
        self.scan = QLineEdit(tab)
        self.scan.setMinimumHeight(TOUCH + 4)
        self.scan.setStyleSheet("font-size:20px;")
        self.scan.setPlaceholderText(self.tr("扫描报名二维码，或输入报名码后按回车"))
        self.scan.returnPressed.connect(self.check_in)
        scan.addWidget(self.scan, 1)
        self.check_in_button = QPushButton(self.tr("签到"), tab)
        self.check_in_button.setProperty("role", "primary")
        self.check_in_button.setMinimumSize(120, TOUCH + 4)
        self.check_in_button.clicked.connect(self.check_in)
        scan.addWidget(self.check_in_button)
        box.addLayout(scan)
        self.scan_result = QLabel(tab)
        self.scan_result.setWordWrap(True)
        self.scan_result.setStyleSheet("font-size:17px;")
        box.addWidget(self.scan_result)
        # Only appraisers on today's roster take cars (the service refuses anyone else).
        self.appraisers_label = QLabel(tab)
        self.appraisers_label.setObjectName("HintText")
        box.addWidget(self.appraisers_label)
        self.bays_row = QHBoxLayout()
        box.addLayout(self.bays_row, 1)
        self.bay_columns: list[BayColumn] = []
        return tab

    def _load_queue(self) -> None:
        event = self.selected_event()
        if event is None:
            return
        event_id, store_id = event.id, self.user.store_id
        self.runner.read(lambda s: idays.queue(s, event_id), self._queue_loaded, self._failed)
        self.runner.read(
            lambda s: [p.name for p in roster.on_duty(s, store_id, role=Role.APPRAISER)],
            self._appraisers_loaded,
            self._failed,
        )

    def _appraisers_loaded(self, names: list[str]) -> None:
        self.appraisers_label.setText(
            self.tr("今日在岗评估师：{names}").format(names="、".join(names))
            if names
            else self.tr("今天没有在岗的评估师，检测工位无人接车（请店长在“员工 → 排班”中安排）。")
        )

    def _queue_loaded(self, queues: list[idays.BayQueue]) -> None:
        while len(self.bay_columns) < len(queues):
            column = BayColumn(0, self)
            column.take.connect(self.take_next)
            self.bays_row.addWidget(column, 1)
            self.bay_columns.append(column)
        for column, bay in zip(self.bay_columns, queues, strict=False):
            column.bay = bay.bay if bay.bay else 1
            label = self.tr("{n} 号工位").format(n=bay.bay) if bay.bay else self.tr("待分配工位")
            column.show_queue(bay.waiting, label)
            column.setVisible(True)
            column.button.setVisible(bool(bay.bay))
        for column in self.bay_columns[len(queues) :]:
            column.setVisible(False)

    def check_in(self) -> None:
        text = self.scan.text()
        if not text.strip():
            return
        actor, store = self.user.actor, self.user.store_id
        self.runner.write(
            lambda s: idays.check_in(s, actor, store, text), self._checked_in, self._scan_failed
        )

    def _checked_in(self, row: idays.RegistrationRow) -> None:
        self.scan.clear()
        self.scan_result.setStyleSheet("font-size:17px; color:#2e7d32;")
        self.scan_result.setText(
            self.tr("已签到：{plate} {car}（{name}），请到 {bay} 号工位排队。").format(
                plate=row.plate, car=row.car, name=row.customer_name, bay=row.bay or "?"
            )
        )
        self._changed()

    def _scan_failed(self, exc: BaseException) -> None:
        # The scan stays in the field, selected, so the next scan replaces it.
        self.scan.selectAll()
        self.scan_result.setStyleSheet("font-size:17px; color:#c62828;")
        self.scan_result.setText(report_failure(exc))

    def take_next(self, bay: int) -> None:
        event = self.selected_event()
        if event is None:
            return
        event_id, actor = event.id, self.user.actor
        self.runner.write(
            lambda s: idays.take_next(s, actor, event_id, bay), self._taken, self._failed
        )

    def _taken(self, inspection_id: uuid.UUID | None) -> None:
        if inspection_id is None:
            self.scan_result.setText(self.tr("这个工位没有等候的车辆。"))
            return
        self._changed()
        self.open_inspection(inspection_id)

    # --- tab 3: the checklist -----------------------------------------------------------

    def _record_tab(self) -> QWidget:
        tab = QWidget(self)
        box = QVBoxLayout(tab)
        box.setContentsMargins(4, 8, 4, 4)
        top = QHBoxLayout()
        self.recent = QComboBox(tab)
        self.recent.setMinimumHeight(44)
        self.recent.setMinimumWidth(420)
        self.recent.activated.connect(self._recent_chosen)
        top.addWidget(QLabel(self.tr("打开检测记录："), tab))
        top.addWidget(self.recent, 1)
        self.stock_button = QPushButton(self.tr("收车/库存评估…"), tab)
        self.stock_button.setMinimumHeight(44)
        self.stock_button.clicked.connect(self.stock_inspection)
        top.addWidget(self.stock_button)
        self.checklist_button = QPushButton(self.tr("检测项目设置…"), tab)
        self.checklist_button.setMinimumHeight(44)
        self.checklist_button.setVisible(self.user.has_role(Role.MANAGER))
        self.checklist_button.clicked.connect(self.edit_checklist)
        top.addWidget(self.checklist_button)
        box.addLayout(top)
        self.editor = InspectionEditor(self.runner, self.user, tab)
        self.editor.saved.connect(lambda: self.context.bus.publish({"inspections"}))
        self.editor.finalised.connect(lambda _id: self._changed())
        self.editor.report_ready.connect(self._preview)
        box.addWidget(self.editor, 1)
        return tab

    def _load_recent(self) -> None:
        store = self.user.store_id
        self.runner.read(lambda s: insp.recent(s, store), self._recent_loaded, self._failed)

    def _recent_loaded(self, rows: list[insp.InspectionListRow]) -> None:
        current = self.recent.currentData()
        self.recent.clear()
        for row in rows:
            state = self.tr("已定稿") if row.grade else self.tr("草稿")
            self.recent.addItem(
                f"{row.report_no} v{row.revision} · {row.plate or ''} {row.car} · {state}",
                row.id,
            )
        if current is not None:
            index = self.recent.findData(current)
            if index >= 0:
                self.recent.setCurrentIndex(index)

    def _recent_chosen(self, index: int) -> None:
        inspection_id = self.recent.itemData(index)
        if inspection_id is not None:
            self.editor.open_inspection(inspection_id)

    def open_inspection(self, inspection_id: uuid.UUID) -> None:
        self.tabs.setCurrentIndex(2)
        self.editor.open_inspection(inspection_id)

    def stock_inspection(self) -> None:
        stock_no, ok = QInputDialog.getText(
            self, self.tr("收车/库存评估"), self.tr("库存编号（如 BJ01-S2026-00012）：")
        )
        if not ok or not stock_no.strip():
            return
        actor = self.user.actor
        self.runner.write(
            lambda s: insp.start_for_stock_no(s, actor, stock_no),
            self._stock_started,
            self._failed,
        )

    def _stock_started(self, inspection_id: uuid.UUID) -> None:
        self._changed()
        self.open_inspection(inspection_id)

    def edit_checklist(self) -> None:
        store = self.user.store_id
        self.runner.read(lambda s: insp.checklist(s, store), self._checklist_loaded, self._failed)

    def _checklist_loaded(self, current: insp.Checklist) -> None:
        dialog = ChecklistDialog(self.runner, self.user, current, self)
        dialog.succeeded.connect(
            lambda: self.editor.message.setText(
                self.tr("检测项目已保存，以后新开的检测按新项目进行。")
            )
        )
        dialog.open()

    def _preview(self, document: Any) -> None:
        from ui.documents import printing

        printing.preview(document, self)

    # --- messages -----------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.message.setStyleSheet("font-size:15px; color:#2e7d32;")
        self.message.setText(text)

    def _failed(self, exc: BaseException) -> None:
        self.message.setStyleSheet("font-size:15px; color:#c62828;")
        self.message.setText(report_failure(exc))

    def hideEvent(self, event: Any) -> None:  # noqa: N802
        self.editor.flush_notes()  # switching screens never drops a half-typed note
        super().hideEvent(event)


def _error_and_buttons(dialog: QDialog, ok_text: str) -> tuple[QLabel, QPushButton, QHBoxLayout]:
    """The red error line and the Cancel / OK row every form here ends with.

    OK calls ``dialog.submit``; the caller adds both to its layout.
    """
    error = QLabel(dialog)
    error.setObjectName("ErrorText")
    error.setWordWrap(True)
    buttons = QHBoxLayout()
    cancel = QPushButton(QCoreApplication.translate("InspectionDayForms", "取消"), dialog)
    cancel.clicked.connect(dialog.reject)
    ok = QPushButton(ok_text, dialog)
    ok.setProperty("role", "primary")
    ok.clicked.connect(dialog.submit)  # type: ignore[attr-defined]
    buttons.addStretch(1)
    buttons.addWidget(cancel)
    buttons.addWidget(ok)
    return error, ok, buttons
