"""The kiosk's comparison and loan calculator pages: 4a's widgets in touch mode.

Both forget everything on ``reset`` (idle timeout): the comparison basket is
emptied and the loan calculator is rebuilt, so no inputs of one customer are
seen by the next.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.kiosk.pages import KioskPage
from ui.tasks import TaskRunner
from ui.widgets.comparison import ComparisonBasket


def _title(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName("kioskPageTitle")
    return label


def _button(text: str, name: str, parent: QWidget) -> QPushButton:
    button = QPushButton(text, parent)
    button.setObjectName(name)
    button.setMinimumSize(240, 80)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return button


class KioskComparePage(KioskPage):
    """车型对比 of the cars in the kiosk's basket. Signals: ``navigate(str)``."""

    def __init__(
        self,
        context: Any,
        runner: TaskRunner,
        basket: ComparisonBasket,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("kioskComparePage")
        self.basket = basket
        from ui.widgets.comparison import ComparisonView

        # The view brings its own title, count, "only differences" and clear buttons and
        # its hint while fewer than two cars are chosen; this page adds the way back.
        self.view = ComparisonView(context, runner, basket, kiosk=True, parent=self)
        browse = _button(self.tr("继续挑选车辆"), "kioskSecondaryButton", self)
        browse.clicked.connect(lambda: self.navigate.emit("browse"))
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 16, 48, 16)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)

    def reset(self) -> None:
        self.basket.clear()


class KioskLoanPage(KioskPage):
    """金融计算器 in touch mode; rebuilt on reset. Signals: ``navigate(str)``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskLoanPage")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(48, 16, 48, 16)
        head = QHBoxLayout()
        head.addWidget(_title(self.tr("金融计算器"), self))
        head.addStretch(1)
        hint = QLabel(self.tr("结果仅供参考，实际以金融机构审批为准"), self)
        hint.setObjectName("kioskHint")
        head.addWidget(hint)
        self._layout.addLayout(head)
        self.calculator: QWidget | None = None
        self._build(None)

    def _build(self, price: Decimal | None) -> None:
        from ui.widgets.loan_calculator import LoanCalculatorWidget

        if self.calculator is not None:
            self._layout.removeWidget(self.calculator)
            self.calculator.hide()  # now: deleteLater waits for the event loop
            self.calculator.deleteLater()
        self.calculator = LoanCalculatorWidget(self, price=price, touch=True)
        self._layout.addWidget(self.calculator, 1)

    def set_price(self, price: Decimal | None) -> None:
        """Start over with ``price`` (from a car's archive)."""
        self._build(price)

    def reset(self) -> None:
        self._build(None)
