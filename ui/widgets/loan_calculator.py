"""Loan calculator (金融计算器): both repayment methods side by side with the schedule."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QVBoxLayout, QWidget


class LoanCalculatorWidget(QWidget):
    """Price, down payment, term and rate in; 等额本息 and 等额本金 out."""

    def __init__(
        self, parent: QWidget | None = None, *, price: Decimal | None = None, touch: bool = False
    ) -> None:
        super().__init__(parent)
        self._touch = touch
        self._price = price
        QVBoxLayout(self)

    def set_price(self, price: Decimal | None) -> None:
        self._price = price
