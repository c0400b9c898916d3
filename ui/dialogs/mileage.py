"""记录里程 and 保养间隔: small dialogs for the maintenance reminder by kilometres.

``MileageDialog``: a reading staff take from a call or a visit ("客户说现在跑了 12,300
公里"), for one of the cars the customer bought here, with its date. The dialog runs
the ``mileage.record`` operation itself: a refusal (below an earlier reading, in the
future, implausibly fast …) is shown here with everything typed kept; offline the
reading waits in the outbox (待同步).

``IntervalDialog``: the manager's months and kilometres between services; the screen
saves it (``maintenance.interval_save``) and shows a refusal here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from showroom.services import mileage
from showroom.sync import mileage_ops
from showroom.users import StaffUser
from ui.errors import report_failure
from ui.tasks import TaskRunner


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


NOT_TYPED = -1  # the km box's "请填写"
KM_BOX_MAX = 99_999_999  # beyond mileage.MAX_KM: the service says why, the box never clamps


class MileageDialog(QDialog):
    """One reading of one car. Signals: ``saved(object)``: the new reading's id, or the
    queued ``Submitted`` when the shared database is unreachable."""

    saved = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        user: StaffUser,
        cars: Sequence[mileage.CarReadings],
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("记录里程"))
        self.setMinimumWidth(460)
        self.runner, self.user, self.today = runner, user, today
        self.cars = list(cars)
        layout = QVBoxLayout(self)
        hint = QLabel(
            self.tr("客户来电或到店时说的表显里程，用来估算下次保养（按里程或按时间，先到为准）。"),
            self,
        )
        hint.setWordWrap(True)
        hint.setObjectName("HintText")
        layout.addWidget(hint)
        form = QFormLayout()
        self.car_combo = QComboBox(self)
        for car in self.cars:
            text = car.vehicle + (f"（{car.plate}）" if car.plate else "")
            self.car_combo.addItem(text, car.vehicle_id)
        self.car_combo.currentIndexChanged.connect(self._on_car)
        form.addRow(self.tr("车辆"), self.car_combo)
        self.date_edit = QDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMaximumDate(_qdate(today))
        self.date_edit.setDate(_qdate(today))
        form.addRow(self.tr("日期"), self.date_edit)
        self.km_spin = QSpinBox(self)
        # Empty ("请填写") until typed: a reading the customer never gave is not saved by
        # pressing Save. Wider than the service's limit so that it, not the box, refuses.
        self.km_spin.setRange(NOT_TYPED, KM_BOX_MAX)
        self.km_spin.setSpecialValueText(self.tr("请填写"))
        self.km_spin.setValue(NOT_TYPED)
        self.km_spin.setGroupSeparatorShown(True)
        self.km_spin.setSingleStep(100)
        self.km_spin.setSuffix(self.tr(" 公里"))
        self.km_spin.setMinimumWidth(180)
        form.addRow(self.tr("表显里程"), self.km_spin)
        self.last_label = QLabel("", self)
        self.last_label.setObjectName("HintText")
        form.addRow("", self.last_label)
        self.source_combo = QComboBox(self)
        self.source_combo.addItem(self.tr("电话（客户告知）"), "call")
        self.source_combo.addItem(self.tr("到店（员工查看）"), "visit")
        self.source_combo.addItem(self.tr("其他"), "other")
        form.addRow(self.tr("来源"), self.source_combo)
        self.note_edit = QLineEdit(self)
        self.note_edit.setPlaceholderText(self.tr("例如：客户说最近常跑长途"))
        form.addRow(self.tr("备注"), self.note_edit)
        layout.addLayout(form)
        self.error_label = QLabel("", self)
        self.error_label.setObjectName("ErrorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("保存"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._on_car()

    def car(self) -> mileage.CarReadings | None:
        index = self.car_combo.currentIndex()
        return self.cars[index] if 0 <= index < len(self.cars) else None

    def _on_car(self) -> None:
        car = self.car()
        if car is None:
            return
        self.date_edit.setMinimumDate(_qdate(car.sold_on))
        last = car.readings[-1] if car.readings else None
        if last is not None:
            self.last_label.setText(
                self.tr("上次：{day} {km} 公里").format(
                    day=last.read_on.isoformat(), km=f"{last.km:,}"
                )
            )

    def read_on(self) -> date:
        day = self.date_edit.date()
        return date(day.year(), day.month(), day.day())

    def submit(self) -> None:
        car = self.car()
        if car is None:
            return
        if self.km_spin.value() == NOT_TYPED:
            self.show_error(self.tr("请填写表显里程。"))
            self.km_spin.setFocus()
            return
        self.error_label.hide()
        payload = mileage_ops.reading_payload(
            self.user,
            car.vehicle_id,
            self.read_on(),
            self.km_spin.value(),
            source=self.source_combo.currentData(),
            note=self.note_edit.text(),
            today=self.today,
        )
        self.buttons.setEnabled(False)
        self.runner.submit("mileage.record", payload, self._done, self._done, self._failed)

    def _done(self, result: object) -> None:
        self.buttons.setEnabled(True)
        self.saved.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.show_error(report_failure(exc))

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()


class IntervalDialog(QDialog):
    """保养间隔: months and kilometres, whichever comes first. Emits accepted/rejected."""

    def __init__(self, current: mileage.Interval, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("保养间隔"))
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "购车客户距上次保养（或购车）满下面的月数或里程，先到者为准，"
                "就会出现在“购车客户提醒”里。里程按客户车辆的里程记录估算。"
            ),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.months_spin = QSpinBox(self)
        low, high = mileage.MONTHS_RANGE
        self.months_spin.setRange(0, 99)  # out of range is refused with a message
        self.months_spin.setValue(current.months)
        self.months_spin.setSuffix(self.tr(" 个月"))
        self.months_spin.setToolTip(self.tr("{low} 到 {high} 个月").format(low=low, high=high))
        form.addRow(self.tr("按时间"), self.months_spin)
        self.km_spin = QSpinBox(self)
        low, high = mileage.KM_RANGE
        self.km_spin.setRange(0, 999_999)
        self.km_spin.setSingleStep(500)
        self.km_spin.setGroupSeparatorShown(True)
        self.km_spin.setValue(current.km)
        self.km_spin.setSuffix(self.tr(" 公里"))
        self.km_spin.setToolTip(
            self.tr("{low} 到 {high} 公里").format(low=f"{low:,}", high=f"{high:,}")
        )
        form.addRow(self.tr("按里程"), self.km_spin)
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
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def values(self) -> tuple[int, int]:
        return self.months_spin.value(), self.km_spin.value()

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
