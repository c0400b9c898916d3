"""Loan calculator (金融计算器): both repayment methods side by side with the schedule.

The arithmetic is ``showroom.loan`` (pure, instant for 60 months), so it runs on every
keystroke on the UI thread; nothing here touches the database. A bad figure shows a red
line under the form, keeps what was typed and greys out the results.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from showroom import loan
from showroom.errors import ValidationError
from showroom.money import format_yuan
from ui.widgets.tables import Index, RowListModel, make_table

TERMS = (12, 24, 36, 48, 60)
DEFAULT_PERCENT = "30"
DEFAULT_RATE = "4.5"
TOUCH_TARGET_PX = 56  # kiosk: above the 48 px minimum, for a finger

# English for the calculator's refusals; Chinese shows the service's own wording.
_MESSAGES = {
    "loan.price_invalid": QT_TRANSLATE_NOOP("LoanCalculator", "请输入正确的车价。"),
    "loan.down_invalid": QT_TRANSLATE_NOOP("LoanCalculator", "请输入正确的首付金额。"),
    "loan.down_too_large": QT_TRANSLATE_NOOP("LoanCalculator", "首付金额须小于车价，否则无需贷款"),
    "loan.percent_invalid": QT_TRANSLATE_NOOP(
        "LoanCalculator", "首付比例格式不正确，请输入百分数，如 30"
    ),
    "loan.percent_range": QT_TRANSLATE_NOOP(
        "LoanCalculator", "首付比例须在 0% 到 100% 之间（不含 100%）"
    ),
    "loan.term_invalid": QT_TRANSLATE_NOOP("LoanCalculator", "贷款期限请输入整月数，如 36"),
    "loan.term_range": QT_TRANSLATE_NOOP("LoanCalculator", "贷款期限须在 12 到 60 个月之间"),
    "loan.rate_invalid": QT_TRANSLATE_NOOP(
        "LoanCalculator", "年利率格式不正确，请输入百分数，如 4.5"
    ),
    "loan.rate_negative": QT_TRANSLATE_NOOP("LoanCalculator", "年利率不能为负数"),
    "loan.rate_too_high": QT_TRANSLATE_NOOP(
        "LoanCalculator", "年利率不能超过 36%，请检查是否多输了一位"
    ),
    "loan.rate_precision": QT_TRANSLATE_NOOP("LoanCalculator", "年利率最多保留四位小数"),
}


def loan_error_text(exc: ValidationError) -> str:
    source = _MESSAGES.get(exc.code)
    if source is None:
        return exc.message
    translated = QCoreApplication.translate("LoanCalculator", source)
    # Chinese keeps the service's wording, which may name the field's exact problem.
    return exc.message if translated == source else translated


class ScheduleModel(RowListModel):
    """One instalment per row: 期数, 月供, 本金, 利息, 剩余本金."""

    def headers(self) -> Sequence[str]:
        return (
            self.tr("期数"),
            self.tr("月供"),
            self.tr("本金"),
            self.tr("利息"),
            self.tr("剩余本金"),
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row: loan.Instalment | None = self.row_at(index.row())
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            column = index.column()
            if column == 0:
                return str(row.number)
            return format_yuan((row.payment, row.principal, row.interest, row.balance)[column - 1])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class _MethodCard(QFrame):
    """The headline figures of one method."""

    def __init__(self, title: str, touch: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 14)
        self.title = QLabel(title, self)
        self.title.setObjectName("CardTitle")
        self.payment = QLabel("—", self)
        self.payment.setObjectName("CardValue")
        self.payment.setProperty("tone", "primary")
        self.detail = QLabel("", self)
        self.detail.setObjectName("CardDetail")
        self.detail.setWordWrap(True)
        if touch:
            self.title.setStyleSheet("font-size: 22px;")
            self.payment.setStyleSheet("font-size: 44px; font-weight: 600; color: #1f4e79;")
            self.detail.setStyleSheet("font-size: 20px;")
        for widget in (self.title, self.payment, self.detail):
            layout.addWidget(widget)


class LoanCalculatorWidget(QWidget):
    """Price, down payment, term and rate in; 等额本息 and 等额本金 out.

    ``touch=True`` (kiosk): every target at least 48 px high, large type, the term as
    big buttons. Emits no signals; ``plans`` holds the last valid result or None.
    """

    def __init__(
        self, parent: QWidget | None = None, *, price: Decimal | None = None, touch: bool = False
    ) -> None:
        super().__init__(parent)
        self.setObjectName("LoanCalculator")
        self._touch = touch
        self.plans: tuple[loan.LoanPlan, loan.LoanPlan] | None = None
        checked = (
            "#LoanCalculator QPushButton:checked { background: #1f4e79; color: #ffffff;"
            " border-color: #1f4e79; }"
        )
        self.setStyleSheet(checked)
        if touch:
            self.setStyleSheet(
                checked + "#LoanCalculator QLabel { font-size: 20px; }"
                "#LoanCalculator QLineEdit, #LoanCalculator QComboBox,"
                " #LoanCalculator QPushButton { font-size: 22px; }"
                "#LoanCalculator QTableView, #LoanCalculator QHeaderView::section"
                " { font-size: 18px; }"
            )

        self.price_edit = QLineEdit(self)
        self.price_edit.setPlaceholderText(self.tr("如 168000 或 16.8万"))
        self.down_mode = QComboBox(self)
        self.down_mode.addItem(self.tr("首付比例（%）"), "percent")
        self.down_mode.addItem(self.tr("首付金额（元）"), "amount")
        self.down_edit = QLineEdit(DEFAULT_PERCENT, self)
        self.rate_edit = QLineEdit(DEFAULT_RATE, self)
        self.rate_edit.setPlaceholderText(self.tr("如 4.5"))
        self.term_box = QComboBox(self)
        self.term_box.setEditable(not touch)
        for months in TERMS:
            self.term_box.addItem(self.tr("%n 个月", "", months), months)
        self.term_box.setCurrentIndex(TERMS.index(36))
        self.term_buttons = QButtonGroup(self)
        term_row = QHBoxLayout()
        if touch:
            # A finger picks one of five big buttons instead of a drop-down list.
            self.term_box.hide()
            for months in TERMS:
                button = QPushButton(self.tr("%n 期", "", months), self)
                button.setCheckable(True)
                button.setChecked(months == 36)
                button.setMinimumHeight(TOUCH_TARGET_PX)
                self.term_buttons.addButton(button, months)
                term_row.addWidget(button)
            self.term_buttons.idClicked.connect(self._term_clicked)
        else:
            term_row.addWidget(self.term_box)

        form = QGridLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(10)
        form.addWidget(self._label(self.tr("车价（元）")), 0, 0)
        form.addWidget(self.price_edit, 0, 1, 1, 3)
        form.addWidget(self.down_mode, 1, 0)
        form.addWidget(self.down_edit, 1, 1)
        form.addWidget(self._label(self.tr("年利率（%）")), 1, 2)
        form.addWidget(self.rate_edit, 1, 3)
        form.addWidget(self._label(self.tr("贷款期限")), 2, 0)
        form.addLayout(term_row, 2, 1, 1, 3)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)

        self.loan_label = QLabel("", self)
        self.loan_label.setObjectName("HintText")
        self.error_label = QLabel("", self)
        self.error_label.setObjectName("ErrorText")
        self.error_label.setWordWrap(True)

        self.instalment_card = _MethodCard(self.tr("等额本息（每月还款相同）"), touch, self)
        self.principal_card = _MethodCard(self.tr("等额本金（每月还款递减）"), touch, self)
        cards = QHBoxLayout()
        cards.setSpacing(12)
        cards.addWidget(self.instalment_card, 1)
        cards.addWidget(self.principal_card, 1)
        self.saving_label = QLabel("", self)
        self.saving_label.setObjectName("HintText")
        self.saving_label.setWordWrap(True)

        self.schedule_method = QComboBox(self)
        self.schedule_method.addItem(self.tr("等额本息还款计划"), loan.Method.EQUAL_INSTALMENT)
        self.schedule_method.addItem(self.tr("等额本金还款计划"), loan.Method.EQUAL_PRINCIPAL)
        self.schedule_model = ScheduleModel(self)
        self.schedule_view: QTableView = make_table(self)
        self.schedule_view.setModel(self.schedule_model)
        # Five short figures: equal widths read better than one wide last column.
        self.schedule_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        if touch:
            for widget in (
                self.price_edit,
                self.down_mode,
                self.down_edit,
                self.rate_edit,
                self.schedule_method,
            ):
                widget.setMinimumHeight(TOUCH_TARGET_PX)
            self.schedule_view.verticalHeader().setDefaultSectionSize(48)

        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addLayout(form)
        layout.addWidget(self.loan_label)
        layout.addWidget(self.error_label)
        layout.addLayout(cards)
        layout.addWidget(self.saving_label)
        layout.addWidget(self.schedule_method, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.schedule_view, 1)

        self.price_edit.textChanged.connect(self.recalculate)
        self.down_edit.textChanged.connect(self.recalculate)
        self.rate_edit.textChanged.connect(self.recalculate)
        self.down_mode.currentIndexChanged.connect(self._down_mode_changed)
        self.term_box.currentTextChanged.connect(self.recalculate)
        self.schedule_method.currentIndexChanged.connect(self._show_schedule)
        self.set_price(price)

    def _label(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName("FieldLabel")
        return label

    def set_price(self, price: Decimal | None) -> None:
        """Put a car's price in (from the archive); None leaves the field for typing."""
        text = "" if price is None else f"{price:f}"
        if "." in text:  # 128800.00 -> 128800, but never 128800 -> 1288
            text = text.rstrip("0").rstrip(".")
        self.price_edit.setText(text)
        self.recalculate()

    def _term_clicked(self, months: int) -> None:
        self.term_box.setCurrentIndex(TERMS.index(months))

    def _down_mode_changed(self) -> None:
        # Switching between percent and amount would make "30" mean ¥30: start again.
        self.down_edit.setText(DEFAULT_PERCENT if self._down_is_percent() else "")
        self.recalculate()

    def _down_is_percent(self) -> bool:
        return self.down_mode.currentData() == "percent"

    def _term_text(self) -> str:
        index = self.term_box.currentIndex()
        text = self.term_box.currentText()
        if index >= 0 and text == self.term_box.itemText(index):
            return str(self.term_box.itemData(index))
        # Typed by hand: "18", "18个月", "18 months".
        digits = "".join(ch for ch in text if ch.isdigit() or ch == ".")
        return digits or text

    def recalculate(self) -> None:
        self.plans = None
        if not self.price_edit.text().strip():
            self._clear(self.tr("请输入车价"))
            return
        try:
            price = loan.parse_price(self.price_edit.text())
            if self._down_is_percent():
                down = loan.down_payment_from_percent(price, self.down_edit.text())
            else:
                down = loan.parse_down_payment(self.down_edit.text() or "0")
            self.plans = loan.calculate_both(price, down, self._term_text(), self.rate_edit.text())
        except ValidationError as exc:
            self._clear("", loan_error_text(exc))
            return
        self._show()

    def _clear(self, hint: str, error: str = "") -> None:
        self.loan_label.setText(hint)
        self.error_label.setText(error)
        self.error_label.setVisible(bool(error))
        for card in (self.instalment_card, self.principal_card):
            card.payment.setText("—")
            card.detail.setText("")
        self.saving_label.setText("")
        self.schedule_model.set_rows(())

    def _show(self) -> None:
        assert self.plans is not None
        instalment, principal = self.plans
        self.error_label.setText("")
        self.error_label.setVisible(False)
        self.loan_label.setText(
            self.tr("首付 {down}，贷款 {loan}，{term} 期，年利率 {rate}%").format(
                down=format_yuan(instalment.down_payment),
                loan=format_yuan(instalment.loan),
                term=instalment.term,
                rate=f"{instalment.annual_rate:f}",
            )
        )
        self.instalment_card.payment.setText(
            self.tr("月供 {amount}").format(amount=format_yuan(instalment.first_payment))
        )
        self.instalment_card.detail.setText(
            self.tr("总利息 {interest} · 还款总额 {total}\n末期 {last}（含分位调整）").format(
                interest=format_yuan(instalment.total_interest),
                total=format_yuan(instalment.total_payment),
                last=format_yuan(instalment.last_payment),
            )
        )
        self.principal_card.payment.setText(
            self.tr("首月 {amount}").format(amount=format_yuan(principal.first_payment))
        )
        self.principal_card.detail.setText(
            self.tr("每月约减少 {step} · 末期 {last}\n总利息 {interest} · 还款总额 {total}").format(
                step=format_yuan(principal.monthly_decrease),
                last=format_yuan(principal.last_payment),
                interest=format_yuan(principal.total_interest),
                total=format_yuan(principal.total_payment),
            )
        )
        saving = instalment.total_interest - principal.total_interest
        self.saving_label.setText(
            self.tr("等额本金比等额本息少付利息 {amount}，但前期月供更高。").format(
                amount=format_yuan(saving)
            )
            if saving > 0
            else ""
        )
        self._show_schedule()

    def _show_schedule(self) -> None:
        if self.plans is None:
            self.schedule_model.set_rows(())
            return
        method = self.schedule_method.currentData()
        plan = self.plans[0] if method == loan.Method.EQUAL_INSTALMENT else self.plans[1]
        self.schedule_model.set_rows(plan.schedule)
