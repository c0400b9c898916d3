"""收车入库: a car taken into stock by hand, from the yard, without a CSV.

The form reads the VIN as it is typed (maker, model year, whether the check digit
computes; pure Python, no database) and offers the brands, series and versions the
store already has, while anything new can be typed. Dates and amounts are typed the
way the licence and the trade write them (``2023-05``, ``14.58万``, ``2.8万`` km).
Price fields are open only to who may set prices (``VehiclePermissions``); others take
the car in 待定价. A refusal is one sentence under the form and nothing typed is lost.

``prefill`` is the entry point for a car bought through an appraisal (issue 24): the
purchase flow passes an ``IntakeForm`` filled from the inspection.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from db.enums import Acquisition, Energy, Transmission
from showroom.errors import ValidationError
from showroom.services import vehicle_intake as intake
from showroom.services.vehicle_intake import IntakeChoices, IntakeForm, IntakeResult
from showroom.services.vehicles import VehiclePermissions
from showroom.users import StaffUser
from ui.errors import report_failure
from ui.tasks import TaskRunner
from ui.widgets.vehicle_labels import ACQUISITIONS, ENERGIES, TRANSMISSIONS, vlabel

VIN_DELAY_MS = 150


def _money_text(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _day_text(value: date | None) -> str:
    return value.isoformat() if value else ""


class VehicleIntakeDialog(QDialog):
    """The 收车入库 form. Signals: ``created(IntakeResult)`` after the car is stored."""

    created = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        user: StaffUser,
        permissions: VehiclePermissions,
        parent: QWidget | None = None,
        *,
        prefill: IntakeForm | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("VehicleIntake")
        self.setWindowTitle(self.tr("收车入库"))
        self.runner, self.user, self.permissions = runner, user, permissions
        self.choices = IntakeChoices((), {}, {}, ())
        self.result: IntakeResult | None = None
        self._vin_year: int | None = None

        # --- identity ---------------------------------------------------------------------
        self.vin = QLineEdit(self)
        self.vin.setPlaceholderText(self.tr("17 位，前挡风玻璃左下角或行驶证上"))
        self.vin.setMaxLength(24)  # room for spaces and dashes, dropped when read
        self.vin_note = QLabel("", self)
        self.vin_note.setObjectName("HintText")
        self.vin_note.setWordWrap(True)
        self.vin_confirmed = QCheckBox(self.tr("已对照车辆核对车架号（进口车可无校验位）"), self)
        self.vin_confirmed.hide()
        self.plate = QLineEdit(self)
        self.plate.setPlaceholderText(self.tr("如 京A·12345；未上牌留空"))
        self.plate.setMaxLength(12)
        self.brand = self._editable_combo(self.tr("如 丰田"), 40)
        self.model = self._editable_combo(self.tr("车系，如 凯美瑞"), 60)
        self.trim = self._editable_combo(self.tr("版本，如 2.0G 豪华版"), 120)
        self.year = QSpinBox(self)
        self.year.setRange(intake.EARLIEST_YEAR - 1, 2100)
        self.year.setSpecialValueText(self.tr("按车架号"))
        self.year.setValue(self.year.minimum())
        self.year.setSuffix(self.tr(" 款"))
        self.first_registration = QLineEdit(self)
        self.first_registration.setPlaceholderText(self.tr("如 2023-05-01；未上牌留空"))
        self.mileage = QLineEdit(self)
        self.mileage.setPlaceholderText(self.tr("公里，如 28000 或 2.8万"))
        self.colour = self._editable_combo(self.tr("如 珍珠白"), 20)
        self.body_type = self._editable_combo("", 20)
        self.body_type.addItems(list(intake.BODY_TYPES))
        self.body_type.setCurrentIndex(0)
        self.seats = QSpinBox(self)
        self.seats.setRange(0, 60)
        self.seats.setSpecialValueText(self.tr("未填"))
        self.seats.setValue(5)
        self.transfers = QSpinBox(self)
        self.transfers.setRange(0, 50)
        self.transfers.setSuffix(self.tr(" 次"))
        self.transfers.setToolTip(self.tr("过户次数：0 即一手车"))

        # --- power and papers --------------------------------------------------------------
        self.energy = QComboBox(self)
        self.energy.addItem(self.tr("请选择"), "")
        for energy in Energy:
            self.energy.addItem(vlabel(ENERGIES, energy), energy.value)
        self.transmission = QComboBox(self)
        self.transmission.addItem(self.tr("请选择"), "")
        for gearbox in Transmission:
            self.transmission.addItem(vlabel(TRANSMISSIONS, gearbox), gearbox.value)
        self.emission = self._editable_combo("", 20)
        self.emission.addItems(list(intake.EMISSION_STANDARDS))
        self.emission.setCurrentIndex(0)
        self.displacement = QLineEdit(self)
        self.displacement.setPlaceholderText(self.tr("升，如 2.0；纯电留空"))
        self.ev_range = QLineEdit(self)
        self.ev_range.setPlaceholderText(self.tr("公里，纯电/插混填写"))
        self.inspection_due = QLineEdit(self)
        self.inspection_due.setPlaceholderText(self.tr("如 2027-05"))
        self.insurance_due = QLineEdit(self)
        self.insurance_due.setPlaceholderText(self.tr("如 2027-04-30"))
        self.acquisition = QComboBox(self)
        self.acquisition.addItem(self.tr("请选择"), "")
        for source in Acquisition:
            self.acquisition.addItem(vlabel(ACQUISITIONS, source), source.value)
        self.new_price = QLineEdit(self)
        self.new_price.setPlaceholderText(self.tr("元，如 199800 或 19.98万"))

        # --- prices (manager or a granted role) --------------------------------------------
        self.cost_price = QLineEdit(self)
        self.cost_price.setPlaceholderText(self.tr("元，仅内部可见"))
        self.list_price = QLineEdit(self)
        self.list_price.setPlaceholderText(self.tr("元，如 145800 或 14.58万"))
        for field in (self.cost_price, self.list_price, self.new_price):
            field.setMaxLength(20)
        self.price_note = QLabel("", self)
        self.price_note.setObjectName("HintText")
        self.price_note.setWordWrap(True)
        if not permissions.prices:
            for field in (self.cost_price, self.list_price):
                field.setEnabled(False)
                field.setPlaceholderText(self.tr("待店长定价"))
            self.price_note.setText(
                self.tr("售价和收车成本由店长（或门店授权的岗位）填写；车辆先以“待定价”入库。")
            )

        self.description = QPlainTextEdit(self)
        self.description.setPlaceholderText(
            self.tr("车况说明（选填）：如 原版原漆，右后门有轻微划痕")
        )
        self.description.setFixedHeight(64)

        identity = QGroupBox(self.tr("车辆识别"), self)
        left = QFormLayout(identity)
        vin_box = QVBoxLayout()
        vin_box.setSpacing(2)
        vin_box.addWidget(self.vin)
        vin_box.addWidget(self.vin_note)
        vin_box.addWidget(self.vin_confirmed)
        left.addRow(self.tr("车架号（VIN）"), vin_box)
        left.addRow(self.tr("车牌号"), self.plate)
        left.addRow(self.tr("品牌"), self.brand)
        left.addRow(self.tr("车系"), self.model)
        left.addRow(self.tr("版本"), self.trim)
        left.addRow(self.tr("年款"), self.year)
        left.addRow(self.tr("初次登记"), self.first_registration)
        left.addRow(self.tr("表显里程"), self.mileage)
        left.addRow(self.tr("车身颜色"), self.colour)
        left.addRow(self.tr("车身形式"), self.body_type)
        left.addRow(self.tr("座位数"), self.seats)
        left.addRow(self.tr("过户次数"), self.transfers)

        papers = QGroupBox(self.tr("动力与手续"), self)
        right = QFormLayout(papers)
        right.addRow(self.tr("能源"), self.energy)
        right.addRow(self.tr("变速箱"), self.transmission)
        right.addRow(self.tr("排放标准"), self.emission)
        right.addRow(self.tr("排量"), self.displacement)
        right.addRow(self.tr("纯电续航"), self.ev_range)
        right.addRow(self.tr("年检到期"), self.inspection_due)
        right.addRow(self.tr("保险到期"), self.insurance_due)
        right.addRow(self.tr("收车来源"), self.acquisition)
        right.addRow(self.tr("新车指导价"), self.new_price)

        prices = QGroupBox(self.tr("价格（店长或授权岗位）"), self)
        price_form = QFormLayout(prices)
        price_form.addRow(self.tr("收车成本"), self.cost_price)
        price_form.addRow(self.tr("售价"), self.list_price)
        price_form.addRow(self.price_note)
        column = QVBoxLayout()
        column.addWidget(papers)
        column.addWidget(prices)
        column.addStretch(1)

        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.addWidget(identity, 0, 0)
        grid.addLayout(column, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        self.error = QLabel("", self)
        self.error.setObjectName("ErrorText")
        self.error.setWordWrap(True)
        self.error.hide()
        self.cancel_button = QPushButton(self.tr("取消"), self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button = QPushButton(self.tr("入库"), self)
        self.ok_button.setProperty("role", "primary")
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.submit)
        buttons = QHBoxLayout()
        hint = QLabel(
            self.tr("库存编号入库时自动生成；入库后状态为“整备中”，可继续上传照片和档案。")
        )
        hint.setObjectName("HintText")
        hint.setWordWrap(True)
        buttons.addWidget(hint, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addLayout(grid)
        layout.addWidget(QLabel(self.tr("车况说明"), self))
        layout.addWidget(self.description)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        for form_layout in (left, right, price_form):
            for row in range(form_layout.rowCount()):
                item = form_layout.itemAt(row, QFormLayout.ItemRole.FieldRole)
                widget = item.widget() if item is not None else None
                if isinstance(widget, QLineEdit | QComboBox | QSpinBox):
                    widget.setMinimumHeight(34)
        self.vin.setMinimumHeight(34)
        self.resize(1000, 720)

        self._vin_timer = QTimer(self)
        self._vin_timer.setSingleShot(True)
        self._vin_timer.setInterval(VIN_DELAY_MS)
        self._vin_timer.timeout.connect(self.read_vin)
        self.vin.textChanged.connect(self._vin_timer.start)
        self.brand.currentTextChanged.connect(self._fill_models)
        self.model.currentTextChanged.connect(self._fill_trims)
        if prefill is not None:
            self.fill(prefill)
        self.runner.read(intake.intake_choices, self._choices_loaded, self._failed)

    def _editable_combo(self, placeholder: str, limit: int) -> QComboBox:
        combo = QComboBox(self)
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        line = combo.lineEdit()
        line.setMaxLength(limit)
        if placeholder:
            line.setPlaceholderText(placeholder)
        combo.setCurrentIndex(-1)
        return combo

    # --- choices -------------------------------------------------------------------------

    def _choices_loaded(self, choices: IntakeChoices) -> None:
        self.choices = choices
        self._refill(self.brand, choices.brands)
        self._refill(self.colour, choices.colours)
        self._fill_models()

    @staticmethod
    def _refill(combo: QComboBox, values: Any) -> None:
        typed = combo.currentText()
        combo.blockSignals(True)
        combo.clear()
        combo.addItems(list(values))
        combo.setCurrentIndex(-1)
        combo.setEditText(typed)
        combo.blockSignals(False)

    def _fill_models(self, *_: object) -> None:
        self._refill(self.model, self.choices.models.get(self.brand.currentText().strip(), ()))
        self._fill_trims()

    def _fill_trims(self, *_: object) -> None:
        key = (self.brand.currentText().strip(), self.model.currentText().strip())
        self._refill(self.trim, self.choices.trims.get(key, ()))

    # --- the VIN -------------------------------------------------------------------------

    def read_vin(self) -> None:
        """Say what the VIN tells (maker, model year, check digit); fill an empty brand."""
        self._vin_timer.stop()
        text = self.vin.text()
        self._vin_year = None
        self.vin_confirmed.hide()
        if len(text.strip().replace(" ", "").replace("-", "")) < 17:
            self.vin_note.setText("")
            return
        try:
            reading = intake.read_vin(text)
        except ValidationError as exc:
            self._note(report_failure(exc), error=True)
            return
        parts = []
        if reading.maker:
            parts.append(self.tr("制造厂：{maker}").format(maker=reading.maker))
        if reading.model_year:
            self._vin_year = reading.model_year
            parts.append(self.tr("年款：{year}").format(year=reading.model_year))
        if reading.check_digit_ok:
            parts.insert(0, self.tr("✓ 校验位正确"))
            self._note("  ".join(parts), error=False)
        elif reading.check_digit_required:
            self._note(self.tr("校验位不符，可能有输入错误，请核对车架号"), error=True)
        else:
            self.vin_confirmed.show()
            self._note(
                "  ".join([self.tr("校验位不符（进口车可能不用校验位）"), *parts]), error=True
            )
        if len(reading.brands) == 1 and not self.brand.currentText().strip():
            self.brand.setEditText(reading.brands[0])
        if self.year.value() == self.year.minimum() and reading.model_year:
            self.year.setSpecialValueText(
                self.tr("按车架号（{year}）").format(year=reading.model_year)
            )

    def _note(self, text: str, *, error: bool) -> None:
        self.vin_note.setText(text)
        # A wrapped label in a form is given one line too few: room for two when it wraps.
        lines = 2 if self.vin_note.fontMetrics().horizontalAdvance(text) > 330 else 1
        self.vin_note.setMinimumHeight(self.vin_note.fontMetrics().lineSpacing() * lines + 4)
        self.vin_note.setObjectName("ErrorText" if error else "HintText")
        self.vin_note.setStyleSheet("color: #B91C1C;" if error else "color: #047857;")

    # --- saving --------------------------------------------------------------------------

    def form(self) -> IntakeForm:
        """What is typed, parsed; ``ValidationError`` names the first field that is wrong."""
        energy = self.energy.currentData()
        gearbox = self.transmission.currentData()
        source = self.acquisition.currentData()
        year = self.year.value()
        return IntakeForm(
            vin=self.vin.text(),
            plate=self.plate.text(),
            brand=self.brand.currentText(),
            model=self.model.currentText(),
            trim=self.trim.currentText(),
            year=None if year == self.year.minimum() else year,
            first_registration=intake.parse_day(self.first_registration.text(), "初次登记日期"),
            mileage_km=intake.parse_km(self.mileage.text()),
            colour=self.colour.currentText(),
            energy=Energy(energy) if energy else None,
            transmission=Transmission(gearbox) if gearbox else None,
            emission_standard=self.emission.currentText(),
            body_type=self.body_type.currentText(),
            seats=self.seats.value() or None,
            transfers=self.transfers.value(),
            displacement_l=intake.parse_litres(self.displacement.text()),
            ev_range_km=intake.parse_km(self.ev_range.text(), "纯电续航"),
            new_price=intake.parse_money(self.new_price.text(), "新车指导价"),
            cost_price=intake.parse_money(self.cost_price.text(), "收车成本"),
            list_price=intake.parse_money(self.list_price.text(), "售价"),
            annual_inspection_due=intake.parse_day(self.inspection_due.text(), "年检到期"),
            insurance_due=intake.parse_day(self.insurance_due.text(), "保险到期"),
            acquisition=Acquisition(source) if source else None,
            description=self.description.toPlainText(),
            vin_confirmed=not self.vin_confirmed.isHidden() and self.vin_confirmed.isChecked(),
        )

    def fill(self, form: IntakeForm) -> None:
        """Put values in the form (a pre-fill from an appraisal, or a test)."""
        self.vin.setText(form.vin)
        self.plate.setText(form.plate)
        self.brand.setEditText(form.brand)
        self.model.setEditText(form.model)
        self.trim.setEditText(form.trim)
        if form.year:
            self.year.setValue(form.year)
        self.first_registration.setText(_day_text(form.first_registration))
        self.mileage.setText("" if form.mileage_km is None else str(form.mileage_km))
        self.colour.setEditText(form.colour)
        if form.energy is not None:
            self.energy.setCurrentIndex(self.energy.findData(form.energy.value))
        if form.transmission is not None:
            self.transmission.setCurrentIndex(self.transmission.findData(form.transmission.value))
        if form.emission_standard:
            self.emission.setEditText(form.emission_standard)
        if form.body_type:
            self.body_type.setEditText(form.body_type)
        if form.seats:
            self.seats.setValue(form.seats)
        self.transfers.setValue(form.transfers)
        self.displacement.setText("" if form.displacement_l is None else str(form.displacement_l))
        self.ev_range.setText("" if form.ev_range_km is None else str(form.ev_range_km))
        self.new_price.setText(_money_text(form.new_price))
        if self.permissions.prices:
            self.cost_price.setText(_money_text(form.cost_price))
            self.list_price.setText(_money_text(form.list_price))
        self.inspection_due.setText(_day_text(form.annual_inspection_due))
        self.insurance_due.setText(_day_text(form.insurance_due))
        if form.acquisition is not None:
            self.acquisition.setCurrentIndex(self.acquisition.findData(form.acquisition.value))
        self.description.setPlainText(form.description)
        self.read_vin()

    def submit(self) -> None:
        self.read_vin()
        try:
            form = self.form()
        except ValidationError as exc:
            self._show_error(report_failure(exc))
            return
        actor, store = self.user.actor, self.user.store_id
        self._show_error("")
        self.ok_button.setEnabled(False)
        self.runner.write(
            lambda s: intake.intake_vehicle(s, actor, store, form), self._done, self._failed
        )

    def _done(self, result: IntakeResult) -> None:
        self.result = result
        self.created.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        self._show_error(report_failure(exc))

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        # Enter in a field moves on (a VIN scanner ends with Enter); only the button saves.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.ok_button.hasFocus():
            self.focusNextChild()
            return
        super().keyPressEvent(event)
