"""退车 (manager): take a sold car back under the 7-day return and refund the buyer.

The dialog opens on the sale's window (delivered on, last day, mileage sold and
allowed) as the service quotes it, collects the reason, the car's condition, the
odometer, the deductions the terms allow and how the money goes back, and shows
the refund in figures and capitals as it is typed. The service decides; a
refusal (window closed, too many kilometres, not the manager) shows in red and
everything typed stays.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from db.models import PaymentMethod
from showroom.context import AppContext
from showroom.errors import ShowroomError
from showroom.money import format_yuan, parse_amount, to_chinese_capitals
from showroom.services import returns as rt
from showroom.users import StaffUser
from ui.dialogs.deals import METHOD_ORDER, method_text
from ui.dialogs.service import STORE_ZONE, ServiceDialog
from ui.tasks import TaskRunner


def return_terms(context: AppContext) -> rt.ReturnTerms:
    """The window this store promises (settings ``return_days`` and ``return_km``)."""
    return rt.ReturnTerms(int(context.settings["return_days"]), int(context.settings["return_km"]))


class ReturnDialog(ServiceDialog):
    """七日退车. On success ``result_value`` is the ``RecordedReturn``."""

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        quote: rt.ReturnQuote,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("七日退车"), context, runner, user, parent)
        self.quote = quote
        self.terms = return_terms(context)
        self.form.addRow(
            self.tr("原合同"),
            QLabel(f"{quote.contract_no} · {quote.customer_name}", self),
        )
        self.form.addRow(self.tr("车辆"), QLabel(f"{quote.vehicle_label} · {quote.stock_no}", self))
        price = format_yuan(quote.price)
        if quote.deposit_amount:
            price = self.tr("{price}（其中意向金 {deposit} 已抵作车款）").format(
                price=price, deposit=format_yuan(quote.deposit_amount)
            )
        self.form.addRow(self.tr("成交价"), QLabel(price, self))
        window = QLabel(
            self.tr("{start} 交车，退车期限至 {last}（{days} 天）").format(
                start=f"{quote.delivered_on:%Y-%m-%d}",
                last=f"{quote.last_day:%Y-%m-%d}",
                days=self.terms.days,
            ),
            self,
        )
        if not quote.within_window:
            window.setText(window.text() + self.tr("，已超过期限"))
            window.setStyleSheet("color:#c5221f;")
        self.form.addRow(self.tr("退车期限"), window)
        self.mileage = QLineEdit(self)
        self.mileage.setPlaceholderText(
            self.tr("交车 {sold} 公里，最多 {most} 公里").format(
                sold=f"{quote.sale_mileage_km:,}", most=f"{quote.max_mileage_km:,}"
            )
        )
        self.reason = QPlainTextEdit(self)
        self.reason.setPlaceholderText(self.tr("客户提出退车的原因"))
        self.reason.setMaximumHeight(60)
        self.condition = QPlainTextEdit(self)
        self.condition.setPlaceholderText(
            self.tr("外观、内饰有无新增损伤；证件、钥匙、随车物品是否齐全")
        )
        self.condition.setMaximumHeight(70)
        self.deductions = QTableWidget(0, 2, self)
        self.deductions.setHorizontalHeaderLabels([self.tr("扣除名目"), self.tr("金额（元）")])
        self.deductions.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.deductions.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.deductions.setMinimumHeight(100)
        self.deductions.setMaximumHeight(160)
        self.deductions.itemChanged.connect(self._update_refund)
        rows = QHBoxLayout()
        add = QPushButton(self.tr("添加一项"), self)
        add.clicked.connect(self._add_empty)
        remove = QPushButton(self.tr("删除所选"), self)
        remove.clicked.connect(self._remove_deduction)
        rows.addWidget(add)
        rows.addWidget(remove)
        rows.addStretch(1)
        self.refund = QLabel(self)
        self.refund.setWordWrap(True)
        self.method = QComboBox(self)
        for method in METHOD_ORDER:
            self.method.addItem(method_text(method), method)
        self.method.setCurrentIndex(METHOD_ORDER.index(PaymentMethod.TRANSFER))
        self.reference = QLineEdit(self)
        self.reference.setPlaceholderText(self.tr("转账流水号 / 交易单号（现金可不填）"))
        self.form.addRow(self.tr("退车里程（公里）"), self.mileage)
        self.form.addRow(self.tr("退车原因"), self.reason)
        self.form.addRow(self.tr("退车时车况"), self.condition)
        self.form.addRow(self.tr("扣除费用"), self.deductions)
        self.form.addRow("", rows)
        self.form.addRow(self.tr("退款金额"), self.refund)
        self.form.addRow(self.tr("退款方式"), self.method)
        self.form.addRow(self.tr("交易单号"), self.reference)
        note = QLabel(
            self.tr(
                "按售后服务协议，只扣除已发生的过户、检验等第三方费用和新增损伤。"
                "保存后车辆恢复在售，合同显示“已退车”，回访停止，并打印退车协议。"
            ),
            self,
        )
        note.setWordWrap(True)
        self.layout_.addWidget(note)
        self.ok_button.setText(self.tr("确认退车并打印协议"))
        self.finish_layout()
        self.resize(640, 760)
        self._update_refund()

    def add_deduction(self, label: str = "", amount: str = "") -> None:
        row = self.deductions.rowCount()
        self.deductions.insertRow(row)
        self.deductions.setItem(row, 0, QTableWidgetItem(label))
        self.deductions.setItem(row, 1, QTableWidgetItem(amount))

    def _add_empty(self) -> None:
        self.add_deduction()

    def _remove_deduction(self) -> None:
        for index in sorted({i.row() for i in self.deductions.selectedIndexes()}, reverse=True):
            self.deductions.removeRow(index)
        self._update_refund()

    def items(self) -> list[rt.Deduction]:
        found = []
        for row in range(self.deductions.rowCount()):
            label = self.deductions.item(row, 0)
            amount = self.deductions.item(row, 1)
            found.append(
                rt.Deduction(label.text() if label else "", amount.text() if amount else "")
            )
        return found

    def _update_refund(self) -> None:
        total = Decimal("0.00")
        try:
            for item in self.items():
                if str(item.amount).strip():
                    total += parse_amount(item.amount)
        except ShowroomError:
            self.refund.setText(self.tr("（扣除金额格式不正确）"))
            return
        refund = self.quote.price - total
        if refund < 0:
            self.refund.setText(self.tr("（扣除费用超过成交价）"))
            return
        self.refund.setText(
            self.tr("{refund}（大写：人民币{capitals}），已扣除 {total}").format(
                refund=format_yuan(refund),
                capitals=to_chinese_capitals(refund),
                total=format_yuan(total),
            )
        )

    def submit(self) -> None:
        data = rt.ReturnInput(
            self.quote.contract_id,
            reason=self.reason.toPlainText(),
            condition=self.condition.toPlainText(),
            mileage_km=self.mileage.text(),
            method=PaymentMethod(self.method.currentData()),
            deductions=self.items(),
            payment_ref=self.reference.text(),
        )
        user, code, terms = self.user, self.user.store_code, self.terms
        self.run_write(
            lambda s: rt.record_return(s, user, data, terms=terms, store_code=code, zone=STORE_ZONE)
        )
