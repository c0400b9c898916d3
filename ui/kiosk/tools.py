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

        self.view = ComparisonView(context, runner, basket, kiosk=True, parent=self)
        self.empty = QLabel(self.tr("请在车辆档案中点“加入对比”，选 2 到 4 辆车一起比较"), self)
        self.empty.setObjectName("kioskNotice")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        browse = _button(self.tr("去挑选车辆"), "kioskSecondaryButton", self)
        browse.clicked.connect(lambda: self.navigate.emit("browse"))
        clear = _button(self.tr("清空对比"), "kioskSecondaryButton", self)
        clear.clicked.connect(basket.clear)
        head = QHBoxLayout()
        head.addWidget(_title(self.tr("车型对比"), self))
        head.addStretch(1)
        head.addWidget(clear)
        head.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 16, 48, 16)
        layout.addLayout(head)
        layout.addWidget(self.empty)
        layout.addWidget(self.view, 1)
        basket.changed.connect(self._changed)
        self._changed()

    def _changed(self) -> None:
        enough = len(self.basket) >= 2
        self.empty.setVisible(not enough)
        self.view.setVisible(enough)

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
