"""The kiosk's comparison and loan calculator pages: 4a's widgets in touch mode.

Both forget everything on ``reset`` (idle timeout): the comparison basket is
emptied and the loan calculator is rebuilt, so no inputs of one customer are
seen by the next.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.kiosk.pages import KioskPage
from ui.tasks import TaskRunner
from ui.widgets.comparison import ComparisonBasket

if TYPE_CHECKING:
    from showroom.context import AppContext
    from ui.widgets.comparison import ComparisonView


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
    """车型对比 of the cars in the kiosk's basket. Signals: ``navigate(str)``.

    The comparison view follows the change bus, which exists once the database has
    opened: a page opened before that says it is connecting and builds the view on
    ``attach`` (the kiosk paints before the database opens, see ui/app.py).
    """

    def __init__(
        self,
        runner: TaskRunner,
        basket: ComparisonBasket,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("kioskComparePage")
        self.basket = basket
        self._runner = runner
        self.view: ComparisonView | None = None
        self.waiting = QLabel(self.tr("正在连接，请稍候…"), self)
        self.waiting.setObjectName("kioskNotice")
        self.waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        browse = _button(self.tr("继续挑选车辆"), "kioskSecondaryButton", self)
        browse.clicked.connect(self._browse)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(browse)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(48, 16, 48, 16)
        self._layout.addWidget(self.waiting, 1)
        self._layout.addLayout(bottom)

    def attach(self, context: AppContext) -> None:
        from ui.widgets.comparison import ComparisonView

        if self.view is not None:
            self._layout.removeWidget(self.view)
            self.view.hide()
            self.view.deleteLater()
        # The view brings its own title, count, "only differences" and clear buttons and
        # its hint while fewer than two cars are chosen; this page adds the way back.
        self.view = ComparisonView(context, self._runner, self.basket, kiosk=True, parent=self)
        self._layout.insertWidget(0, self.view, 1)
        self.waiting.hide()

    def _browse(self) -> None:
        self.navigate.emit("browse")

    def reset(self) -> None:
        self.basket.clear()
        if self.view is not None:
            self.view.only_differences.setChecked(False)


class KioskLoanPage(KioskPage):
    """金融计算器 in touch mode; rebuilt on reset. Signals: ``navigate(str)``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskLoanPage")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(24, 16, 24, 16)  # the calculator needs the width
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
