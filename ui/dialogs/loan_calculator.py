"""The loan calculator in a dialog, for the staff screens and the kiosk."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from ui.widgets.loan_calculator import LoanCalculatorWidget


class LoanCalculatorDialog(QDialog):
    """Wraps ``LoanCalculatorWidget``; ``touch=True`` for the kiosk."""

    def __init__(
        self, parent: QWidget | None = None, *, price: Decimal | None = None, touch: bool = False
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("金融计算器"))
        self.calculator = LoanCalculatorWidget(self, price=price, touch=touch)
        layout = QVBoxLayout(self)
        layout.addWidget(self.calculator)
