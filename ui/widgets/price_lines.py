"""价格构成 editor: asking price, purchase cost and the lines, with the sums checked as typed.

Public lines (what the customer sees: vehicle price, service fee, transfer fee estimate)
must add up to the asking price; internal lines are costs on top of the purchase cost.
The summary under the table says at once whether the public lines match and what the
margin is. Saving goes through ``showroom.services.vehicle_archive.set_prices``, which
checks the same rules again (and the permission); this widget only helps typing.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from showroom.errors import ValidationError
from showroom.money import format_yuan
from showroom.services.vehicle_archive import (
    INTERNAL_LABELS,
    PUBLIC_LABELS,
    PriceLine,
    PriceSheet,
    VehicleArchive,
)
from showroom.services.vehicle_intake import parse_money

COL_LABEL, COL_AMOUNT, COL_PUBLIC = range(3)


def _plain(amount: Decimal | None) -> str:
    return "" if amount is None else format(amount.normalize(), "f")


class PriceEditor(QWidget):
    """The price tab. Signals: ``saveRequested(PriceSheet)`` when 保存价格 is pressed."""

    saveRequested = Signal(object)  # noqa: N815 - Qt's signal naming

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PriceEditor")
        self.editable = False
        self.list_price = QLineEdit(self)
        self.list_price.setPlaceholderText(self.tr("元，如 145800 或 14.58万"))
        self.cost_price = QLineEdit(self)
        self.cost_price.setPlaceholderText(self.tr("元，仅内部可见"))
        head = QFormLayout()
        head.addRow(self.tr("售价（一口价）"), self.list_price)
        head.addRow(self.tr("收车成本（内部）"), self.cost_price)

        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(
            [self.tr("项目"), self.tr("金额（元）"), self.tr("对客户公开")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_LABEL, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_AMOUNT, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_PUBLIC, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemChanged.connect(self._update_summary)
        self.list_price.textChanged.connect(self._update_summary)
        self.cost_price.textChanged.connect(self._update_summary)

        self.summary = QLabel("", self)
        self.summary.setWordWrap(True)
        self.margin = QLabel("", self)
        self.margin.setObjectName("Muted")
        self.margin.setWordWrap(True)
        self.add_public = QPushButton(self.tr("添加公开项目"), self)
        self.add_public.clicked.connect(lambda: self.add_line(PUBLIC_LABELS[0], None, True))
        self.add_internal = QPushButton(self.tr("添加内部成本"), self)
        self.add_internal.clicked.connect(lambda: self.add_line(INTERNAL_LABELS[0], None, False))
        self.remove_button = QPushButton(self.tr("删除所选行"), self)
        self.remove_button.clicked.connect(self.remove_selected)
        self.save_button = QPushButton(self.tr("保存价格"), self)
        self.save_button.setProperty("role", "primary")
        self.save_button.clicked.connect(self.save)
        self.note = QLabel("", self)
        self.note.setObjectName("HintText")
        self.note.setWordWrap(True)
        self.error = QLabel("", self)
        self.error.setObjectName("ErrorText")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QHBoxLayout()
        for button in (self.add_public, self.add_internal, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.margin)
        layout.addWidget(self.error)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        self.set_editable(False)

    # --- filling -----------------------------------------------------------------------------

    def set_car(self, car: VehicleArchive, *, editable: bool) -> None:
        """Show ``car``'s prices; ``editable`` when the user may change prices."""
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        self.list_price.setText("" if car.price_pending else _plain(car.list_price))
        self.cost_price.setText(_plain(car.cost_price))
        for line in car.price_lines:
            self.add_line(line.label, line.amount, line.public)
        self.table.blockSignals(False)
        self.set_editable(editable)
        self._show_error("")
        self._update_summary()

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        for widget in (
            self.list_price,
            self.cost_price,
            self.add_public,
            self.add_internal,
            self.remove_button,
            self.save_button,
        ):
            widget.setEnabled(editable)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.AllEditTriggers
            if editable
            else QAbstractItemView.EditTrigger.NoEditTriggers
        )
        for row in range(self.table.rowCount()):
            self._set_check_flags(self.table.item(row, COL_PUBLIC))
        self.note.setText(
            self.tr("公开项目合计必须等于售价；内部成本不对客户展示。")
            if editable
            else self.tr("只有店长（或门店授权的岗位）可以修改价格。")
        )

    def _set_check_flags(self, item: QTableWidgetItem | None) -> None:
        if item is None:
            return
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.editable:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        item.setFlags(flags)

    def add_line(self, label: str, amount: Decimal | None, public: bool) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, COL_LABEL, QTableWidgetItem(label))
        amount_item = QTableWidgetItem(_plain(amount))
        amount_item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.table.setItem(row, COL_AMOUNT, amount_item)
        check = QTableWidgetItem(self.tr("公开") if public else self.tr("仅内部"))
        check.setCheckState(Qt.CheckState.Checked if public else Qt.CheckState.Unchecked)
        self._set_check_flags(check)
        self.table.setItem(row, COL_PUBLIC, check)
        if self.editable and amount is None:
            self.table.setCurrentCell(row, COL_AMOUNT)
            self.table.editItem(amount_item)
        return row

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.table.removeRow(row)
        self._update_summary()

    # --- reading -----------------------------------------------------------------------------

    def lines(self) -> tuple[PriceLine, ...]:
        """The table's lines; ``ValidationError`` names the row with a bad amount."""
        lines = []
        for row in range(self.table.rowCount()):
            label = (self.table.item(row, COL_LABEL) or QTableWidgetItem()).text()
            text = (self.table.item(row, COL_AMOUNT) or QTableWidgetItem()).text()
            check = self.table.item(row, COL_PUBLIC)
            public = check is not None and check.checkState() == Qt.CheckState.Checked
            amount = parse_money(text, self.tr("第 {n} 行的金额").format(n=row + 1))
            if amount is None:
                raise ValidationError(
                    "price_lines.amount_invalid",
                    self.tr("第 {n} 行没有填写金额").format(n=row + 1),
                    row=row + 1,
                )
            lines.append(PriceLine(label, amount, public))
        return tuple(lines)

    def sheet(self) -> PriceSheet:
        price = parse_money(self.list_price.text(), self.tr("售价"))
        if price is None:
            raise ValidationError("vehicle.price_invalid", self.tr("请填写售价"))
        cost = parse_money(self.cost_price.text(), self.tr("收车成本"))
        return PriceSheet(price, cost, self.lines())

    def save(self) -> None:
        try:
            sheet = self.sheet()
        except ValidationError as exc:
            self._show_error(exc.message)
            return
        self._show_error("")
        self.saveRequested.emit(sheet)

    def show_error(self, text: str) -> None:
        """A refusal from the service; what was typed stays in the table."""
        self._show_error(text)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def _update_summary(self, *_: object) -> None:
        for row in range(self.table.rowCount()):
            check = self.table.item(row, COL_PUBLIC)
            if check is not None:
                wanted = (
                    self.tr("公开")
                    if check.checkState() == Qt.CheckState.Checked
                    else self.tr("仅内部")
                )
                if check.text() != wanted:
                    self.table.blockSignals(True)
                    check.setText(wanted)
                    self.table.blockSignals(False)
        public = internal = Decimal(0)
        unreadable = False
        for row in range(self.table.rowCount()):
            try:
                amount = parse_money(
                    (self.table.item(row, COL_AMOUNT) or QTableWidgetItem()).text(), ""
                )
            except ValidationError:
                unreadable = True
                continue
            check = self.table.item(row, COL_PUBLIC)
            if check is not None and check.checkState() == Qt.CheckState.Checked:
                public += amount or 0
            else:
                internal += amount or 0
        try:
            price = parse_money(self.list_price.text(), "")
            cost = parse_money(self.cost_price.text(), "") or Decimal(0)
        except ValidationError:
            price, cost, unreadable = None, Decimal(0), True
        if unreadable:
            self.summary.setStyleSheet("color: #B91C1C;")
            self.summary.setText(self.tr("有金额无法识别，请检查。"))
        elif price is None:
            self.summary.setStyleSheet("color: #B45309;")
            self.summary.setText(self.tr("待定价：还没有售价，不能上架。"))
        elif public == 0:
            self.summary.setStyleSheet("")
            self.summary.setText(self.tr("还没有公开的价格构成，客户只看到一口价。"))
        elif public == price:
            self.summary.setStyleSheet("color: #047857; font-weight: 600;")
            self.summary.setText(
                self.tr("✓ 公开项目合计 {total}，与售价一致").format(total=format_yuan(public))
            )
        else:
            self.summary.setStyleSheet("color: #B91C1C; font-weight: 600;")
            self.summary.setText(
                self.tr("公开项目合计 {total}，与售价 {price} 相差 {diff}").format(
                    total=format_yuan(public),
                    price=format_yuan(price),
                    diff=format_yuan(abs(price - public)),
                )
            )
        total_cost = cost + internal
        if price and total_cost:
            self.margin.setText(
                self.tr("成本合计 {cost}（收车 {buy} + 内部费用 {extra}）· 毛利 {margin}").format(
                    cost=format_yuan(total_cost),
                    buy=format_yuan(cost),
                    extra=format_yuan(internal),
                    margin=format_yuan(price - total_cost),
                )
            )
        else:
            self.margin.setText("")
