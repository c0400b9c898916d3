"""车辆库存: the whole stock, searchable, filtered and sorted in SQL.

The list is a lazily fetched model (``InventoryModel``): with 100,000 cars it
holds only the pages the user has scrolled through. Typing in the search box
waits for a 200 ms pause before asking the database, so each keystroke does not
start a query.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from db.enums import VehicleStatus
from showroom.context import AppContext
from showroom.services.vehicles import VehicleFilter, VehicleRow, count_vehicles, list_vehicles
from showroom.users import StaffUser
from ui.screens.base import Screen
from ui.style import PALETTE
from ui.tasks import TaskRunner
from ui.widgets.icons import icon
from ui.widgets.labels import vehicle_status_label
from ui.widgets.paged_model import PagedTableModel
from ui.widgets.tables import make_table, set_column_widths

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SEARCH_DELAY_MS = 200

COL_STOCK_NO, COL_BRAND, COL_MODEL, COL_YEAR, COL_MILEAGE, COL_PRICE, COL_STATUS, COL_PLATE = range(
    8
)
_SORT_BY_COLUMN = {
    COL_STOCK_NO: "stock_no",
    COL_BRAND: "brand",
    COL_YEAR: "year",
    COL_MILEAGE: "mileage",
    COL_PRICE: "price",
}
_NUMERIC = {COL_YEAR, COL_MILEAGE, COL_PRICE}
# A status a salesperson must notice (reserved, out on a drive) stands out; sold fades.
_STATUS_COLOURS = {
    VehicleStatus.ON_SALE: QColor(PALETTE.success),
    VehicleStatus.RESERVED: QColor(PALETTE.warning),
    VehicleStatus.TEST_DRIVE: QColor(PALETTE.primary),
    VehicleStatus.SOLD: QColor(PALETTE.text_muted),
    VehicleStatus.PREPARING: QColor(PALETTE.text_muted),
}


def format_price(price: Decimal) -> str:
    """List prices are whole yuan in practice: ``¥168,000``; fen only when there are any."""
    if price == price.to_integral_value():
        return f"¥{int(price):,}"
    return f"¥{price:,.2f}"


class InventoryModel(PagedTableModel):
    """Vehicles matching a ``VehicleFilter``, loaded page by page.

    Signals: inherited from ``PagedTableModel``.
    """

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(runner, VehicleFilter(), parent)

    def headers(self) -> Sequence[str]:
        return (
            self.tr("库存号"),
            self.tr("品牌"),
            self.tr("车型"),
            self.tr("年份"),
            self.tr("里程（公里）"),
            self.tr("售价（元）"),
            self.tr("状态"),
            self.tr("车牌"),
        )

    @staticmethod
    def count_rows(session: Session, query: Any) -> int:
        return count_vehicles(session, query)

    @staticmethod
    def load_rows(
        session: Session, query: Any, offset: int, limit: int, sort: str | None, descending: bool
    ) -> list[Any]:
        return list_vehicles(
            session,
            query,
            offset=offset,
            limit=limit,
            sort=sort or "stock_no",
            descending=descending,
        )

    def display(self, row: VehicleRow, column: int) -> Any:
        if column == COL_STOCK_NO:
            return row.stock_no
        if column == COL_BRAND:
            return row.brand
        if column == COL_MODEL:
            return f"{row.model} {row.trim}".strip()
        if column == COL_YEAR:
            return str(row.year)
        if column == COL_MILEAGE:
            return f"{row.mileage_km:,}"
        if column == COL_PRICE:
            return format_price(row.price)
        if column == COL_STATUS:
            return vehicle_status_label(row.status)
        if column == COL_PLATE:
            return row.plate or "—"
        return None

    def foreground(self, row: VehicleRow, column: int) -> QColor | None:
        if column == COL_STATUS:
            return _STATUS_COLOURS.get(row.status)
        return None

    def alignment(self, column: int) -> Qt.AlignmentFlag:
        if column in _NUMERIC:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter

    def sort_key(self, column: int) -> str | None:
        return _SORT_BY_COLUMN.get(column)


class InventoryScreen(Screen):
    """Search box, status filter and the stock list. Emits no signals."""

    topics: ClassVar[frozenset[str]] = frozenset({"vehicles"})

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, runner, user, parent)
        bar = QHBoxLayout()
        bar.setSpacing(10)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("搜索品牌、车型、车牌、车架号或库存号"))
        self.search.addAction(icon("search", "#5f6b7a"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(360)
        self.search.textChanged.connect(self._on_search_typed)
        bar.addWidget(self.search, 2)

        self.status_filter = QComboBox(self)
        # Item data are plain strings ("" for all): a None item comes back from Qt as an
        # invalid variant, which PySide6 6.12 on Python 3.11 miscounts.
        self.status_filter.addItem(self.tr("全部状态"), "")
        for status in VehicleStatus:
            self.status_filter.addItem(vehicle_status_label(status), status.value)
        self.status_filter.setMinimumWidth(140)
        self.status_filter.currentIndexChanged.connect(self._apply_filter)
        bar.addWidget(self.status_filter)
        bar.addStretch(1)
        self.count_label = QLabel(self.tr("正在加载…"), self)
        self.count_label.setObjectName("CountLabel")
        bar.addWidget(self.count_label)
        self.body.addLayout(bar)

        self.error_label = QLabel("", self)
        self.error_label.setObjectName("ErrorText")
        self.error_label.hide()
        self.body.addWidget(self.error_label)

        self.model = InventoryModel(runner, self)
        self.model.totalChanged.connect(self._on_total)
        self.model.failed.connect(self._on_failed)
        self.table = make_table(self, sortable=True)
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSortIndicator(COL_STOCK_NO, Qt.SortOrder.AscendingOrder)
        set_column_widths(
            self.table,
            {
                COL_STOCK_NO: 170,
                COL_BRAND: 100,
                COL_MODEL: 260,
                COL_YEAR: 72,
                COL_MILEAGE: 116,
                COL_PRICE: 120,
                COL_STATUS: 104,
                COL_PLATE: 110,
            },
            stretch=COL_MODEL,
        )
        self.body.addWidget(self.table, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self._apply_filter)
        # A sortable view sorts (and so loads) when the model is set; load only if it did not.
        if self.model.total is None and not self.model.loading:
            self.model.reload()

    def current_filter(self) -> VehicleFilter:
        return VehicleFilter(
            text=self.search.text().strip(),
            status=VehicleStatus(code) if (code := self.status_filter.currentData()) else None,
        )

    def _on_search_typed(self, _text: str) -> None:
        self._debounce.start()

    def _apply_filter(self) -> None:
        self._debounce.stop()
        self.error_label.hide()
        self.count_label.setText(self.tr("正在加载…"))
        self.model.set_query(self.current_filter())

    def refresh(self) -> None:
        self.model.refresh_in_place()  # a live change keeps scroll and selection

    def _on_total(self, total: int) -> None:
        self.count_label.setText(self.tr("共 {count} 辆").format(count=f"{total:,}"))

    def _on_failed(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self.count_label.setText("")
