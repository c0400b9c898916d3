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

from PySide6.QtCore import QCoreApplication, QModelIndex, QObject, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from db.enums import Transmission, VehicleStatus
from showroom.context import AppContext
from showroom.services.vehicles import (
    ENERGY_GROUPS,
    FilterOptions,
    VehicleFilter,
    VehiclePermissions,
    VehicleRow,
    count_vehicles,
    filter_options,
    list_vehicles,
    vehicle_permissions,
)
from showroom.users import StaffUser
from ui.screens.base import Screen
from ui.style import PALETTE
from ui.tasks import TaskRunner
from ui.widgets.comparison import ComparisonBasket
from ui.widgets.icons import icon
from ui.widgets.labels import vehicle_status_label
from ui.widgets.paged_model import PagedTableModel
from ui.widgets.tables import make_table, set_column_widths
from ui.widgets.vehicle_labels import ENERGY_GROUPS as ENERGY_GROUP_LABELS
from ui.widgets.vehicle_labels import TRANSMISSIONS, vlabel

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SEARCH_DELAY_MS = 200
WAN = 10_000

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
    """List prices are whole yuan in practice: ``¥168,000``; fen only when there are any.

    A car taken in by someone who may not set prices has none yet (0): 待定价.
    """
    if price <= 0:
        return QCoreApplication.translate("InventoryModel", "待定价")
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

    def sort_by(self, key: str, descending: bool) -> None:
        """Sort by a key no column shows (e.g. "listed", newest on sale first)."""
        self._sort_key = key
        self._descending = descending
        self.reload()


class InventoryScreen(Screen):
    """Search box, filters and the stock list; opens a car's archive. Emits no signals."""

    topics: ClassVar[frozenset[str]] = frozenset({"vehicles"})

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, runner, user, parent)
        self.basket = ComparisonBasket(self)
        self.basket.changed.connect(self._basket_changed)
        self.archive: QDialog | None = None
        self.intake: QDialog | None = None
        self._options_generation = 0
        # Until the stored role answers, nothing that changes cars is offered.
        self.permissions = VehiclePermissions(prices=False, facts=False)

        # --- first row: search, count and actions -----------------------------------------
        bar = QHBoxLayout()
        bar.setSpacing(10)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("搜索品牌、车型、车牌、车架号或库存号"))
        self.search.addAction(icon("search", "#5f6b7a"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(320)
        self.search.textChanged.connect(self._on_search_typed)
        bar.addWidget(self.search, 2)
        self.count_label = QLabel(self.tr("正在加载…"), self)
        self.count_label.setObjectName("CountLabel")
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        self.open_button = QPushButton(self.tr("查看档案"), self)
        self.open_button.clicked.connect(self.open_selected)
        self.compare_add = QPushButton(self.tr("加入对比"), self)
        self.compare_add.clicked.connect(self.add_selected_to_comparison)
        self.compare_button = QPushButton(self)
        self.compare_button.clicked.connect(self.open_comparison)
        self.loan_button = QPushButton(self.tr("金融计算器"), self)
        self.loan_button.clicked.connect(self.open_loan)
        self.intake_button = QPushButton(self.tr("收车入库…"), self)
        self.intake_button.setProperty("role", "primary")
        self.intake_button.setToolTip(self.tr("手工登记一辆新收的车"))
        self.intake_button.clicked.connect(self._intake_clicked)
        self.import_button = QPushButton(self.tr("导入…"), self)
        self.import_button.setToolTip(self.tr("从 CSV 文件导入车辆"))
        self.import_button.clicked.connect(self.open_import)
        self.grants_button = QPushButton(self.tr("岗位权限…"), self)
        self.grants_button.setToolTip(self.tr("设置哪些岗位可以改价格、改车辆资料"))
        self.grants_button.clicked.connect(self.open_grants)
        self.grants_button.setVisible(user.is_manager)
        for button in (
            self.open_button,
            self.compare_add,
            self.compare_button,
            self.loan_button,
            self.intake_button,
            self.import_button,
            self.grants_button,
        ):
            bar.addWidget(button)
        self.body.addLayout(bar)

        # --- second row: filters (every change re-queries after a short pause) -----------
        filters = QHBoxLayout()
        filters.setSpacing(8)
        self.brand_filter = self._combo(self.tr("全部品牌"), 110)
        self.brand_filter.currentIndexChanged.connect(self._brand_changed)
        self.model_filter = self._combo(self.tr("全部车型"), 120)
        self.energy_filter = self._combo(self.tr("全部能源"), 96)
        for key in ENERGY_GROUPS:
            self.energy_filter.addItem(vlabel(ENERGY_GROUP_LABELS, key), key)
        self.transmission_filter = self._combo(self.tr("全部变速箱"), 104)
        for gearbox in Transmission:
            self.transmission_filter.addItem(vlabel(TRANSMISSIONS, gearbox), gearbox.value)
        self.body_filter = self._combo(self.tr("全部车身"), 96)
        self.colour_filter = self._combo(self.tr("全部颜色"), 96)
        self.status_filter = self._combo(self.tr("全部状态"), 104)
        for status in VehicleStatus:
            self.status_filter.addItem(vehicle_status_label(status), status.value)
        # Prices in 万元 and mileage in 万公里, as the trade talks; the lowest value means "any".
        self.min_price = self._spin(0, 1000, self.tr(" 万"))
        self.max_price = self._spin(0, 1000, self.tr(" 万"))
        self.min_year = self._spin(1999, 2035, "")
        self.max_mileage = self._spin(0, 100, self.tr(" 万公里"))
        self.sort_combo = QComboBox(self)
        for text, key, descending in (
            (self.tr("最新入库在前"), "stock_no", True),
            (self.tr("库存号顺序"), "stock_no", False),
            (self.tr("价格从低到高"), "price", False),
            (self.tr("价格从高到低"), "price", True),
            (self.tr("里程最少"), "mileage", False),
            (self.tr("年份最新"), "year", True),
            (self.tr("最新上架"), "listed", True),
        ):
            self.sort_combo.addItem(text, f"{key}:{int(descending)}")
        self.sort_combo.currentIndexChanged.connect(self._sort_chosen)
        self.reset_button = QPushButton(self.tr("清除条件"), self)
        self.reset_button.clicked.connect(self.clear_filters)
        for widget in (
            self.brand_filter,
            self.model_filter,
            self._caption(self.tr("价格")),
            self.min_price,
            self._caption("–"),
            self.max_price,
            self._caption(self.tr("年份不早于")),
            self.min_year,
            self._caption(self.tr("里程不超过")),
            self.max_mileage,
        ):
            filters.addWidget(widget)
        filters.addStretch(1)
        self.body.addLayout(filters)
        more = QHBoxLayout()
        more.setSpacing(8)
        for widget in (
            self.body_filter,
            self.energy_filter,
            self.transmission_filter,
            self.colour_filter,
            self.status_filter,
            self.sort_combo,
            self.reset_button,
        ):
            more.addWidget(widget)
        more.addStretch(1)
        self.body.addLayout(more)

        self.error_label = QLabel("", self)
        self.error_label.setObjectName("ErrorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.body.addWidget(self.error_label)

        self.model = InventoryModel(runner, self)
        self.model.totalChanged.connect(self._on_total)
        self.model.failed.connect(self._on_failed)
        self.table = make_table(self, sortable=True)
        self.table.setModel(self.model)
        # Newest intake first: this year's cars, not last year's sold ones.
        self.table.sortByColumn(COL_STOCK_NO, Qt.SortOrder.DescendingOrder)
        self.table.doubleClicked.connect(self._row_activated)
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
        for combo in (
            self.model_filter,
            self.energy_filter,
            self.transmission_filter,
            self.body_filter,
            self.colour_filter,
            self.status_filter,
        ):
            combo.currentIndexChanged.connect(self._apply_filter)
        for spin in (self.min_price, self.max_price, self.min_year, self.max_mileage):
            spin.valueChanged.connect(self._on_search_typed)
        self._options = FilterOptions((), {}, (), ())
        self._basket_changed()
        self._apply_permissions()
        self._load_permissions()
        self._load_options()
        # A sortable view sorts (and so loads) when the model is set; load only if it did not.
        if self.model.total is None and not self.model.loading:
            self.model.reload()

    def _combo(self, everything: str, width: int) -> QComboBox:
        combo = QComboBox(self)
        # Item data are plain strings ("" for all): a None item comes back from Qt as an
        # invalid variant, which PySide6 6.12 on Python 3.11 miscounts.
        combo.addItem(everything, "")
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.setMinimumWidth(width + 24)
        return combo

    def _spin(self, low: int, high: int, suffix: str) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setRange(low, high)
        spin.setSpecialValueText(self.tr("不限"))
        spin.setSuffix(suffix)
        spin.setMinimumWidth(120 if high < 1000 else 104)
        spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        return spin

    def _caption(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName("Muted")
        return label

    # --- filters ---------------------------------------------------------------------------

    def current_filter(self) -> VehicleFilter:
        def chosen(combo: QComboBox) -> str | None:
            return combo.currentData() or None

        status = chosen(self.status_filter)
        gearbox = chosen(self.transmission_filter)
        min_price = self.min_price.value()
        max_price = self.max_price.value()
        min_year = self.min_year.value()
        max_mileage = self.max_mileage.value()
        return VehicleFilter(
            text=self.search.text().strip(),
            brand=chosen(self.brand_filter),
            model=chosen(self.model_filter),
            status=VehicleStatus(status) if status else None,
            energy_group=chosen(self.energy_filter),
            transmission=Transmission(gearbox) if gearbox else None,
            body_type=chosen(self.body_filter),
            colour=chosen(self.colour_filter),
            min_price=Decimal(min_price * WAN) if min_price else None,
            # The upper end is inclusive: "20 万内" keeps a car at exactly 200,000.
            max_price=Decimal(max_price * WAN) if max_price else None,
            min_year=min_year if min_year > self.min_year.minimum() else None,
            max_mileage_km=max_mileage * WAN if max_mileage else None,
        )

    def _on_search_typed(self, *_args: object) -> None:
        self._debounce.start()

    def _apply_filter(self) -> None:
        self._debounce.stop()
        flt = self.current_filter()
        if (
            flt.min_price is not None
            and flt.max_price is not None
            and flt.min_price > flt.max_price
        ):
            self.error_label.setText(self.tr("最低价高于最高价，请调整价格范围"))
            self.error_label.show()
            return
        self.error_label.hide()
        self.count_label.setText(self.tr("正在加载…"))
        self.model.set_query(flt)

    def _sort_chosen(self) -> None:
        key, descending = str(self.sort_combo.currentData()).split(":")
        column = next((c for c, k in _SORT_BY_COLUMN.items() if k == key), None)
        order = Qt.SortOrder.DescendingOrder if descending == "1" else Qt.SortOrder.AscendingOrder
        if column is not None:
            # Through the header so its arrow shows the order too.
            self.table.horizontalHeader().setSortIndicator(column, order)
        else:
            self.model.sort_by(key, descending == "1")

    def clear_filters(self) -> None:
        widgets: list[QWidget] = [
            self.search,
            self.brand_filter,
            self.model_filter,
            self.energy_filter,
            self.transmission_filter,
            self.body_filter,
            self.colour_filter,
            self.status_filter,
            self.min_price,
            self.max_price,
            self.min_year,
            self.max_mileage,
        ]
        for widget in widgets:
            widget.blockSignals(True)
        self.search.clear()
        for combo in widgets[1:8]:
            combo.setCurrentIndex(0)  # type: ignore[attr-defined]
        for spin in (self.min_price, self.max_price, self.min_year, self.max_mileage):
            spin.setValue(spin.minimum())
        for widget in widgets:
            widget.blockSignals(False)
        self._apply_filter()

    def _brand_changed(self) -> None:
        self._fill_models()
        self._apply_filter()

    def _fill_models(self) -> None:
        brand = self.brand_filter.currentData() or ""
        current = self.model_filter.currentData() or ""
        self.model_filter.blockSignals(True)
        while self.model_filter.count() > 1:
            self.model_filter.removeItem(1)
        for name in self._options.models.get(brand, ()):
            self.model_filter.addItem(name, name)
        index = self.model_filter.findData(current) if current else 0
        self.model_filter.setCurrentIndex(max(0, index))
        self.model_filter.setEnabled(bool(brand))
        self.model_filter.blockSignals(False)

    def _load_options(self) -> None:
        self._options_generation += 1
        generation = self._options_generation

        def work(session: Session) -> tuple[int, FilterOptions]:
            return generation, filter_options(session)

        self.runner.read(work, self._options_loaded, self._on_failed_exc)

    def _options_loaded(self, result: tuple[int, FilterOptions]) -> None:
        generation, options = result
        if generation != self._options_generation:
            return
        self._options = options
        for combo, values in (
            (self.brand_filter, options.brands),
            (self.body_filter, options.body_types),
            (self.colour_filter, options.colours),
        ):
            current = combo.currentData() or ""
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for value in values:
                combo.addItem(value, value)
            combo.setCurrentIndex(max(0, combo.findData(current)) if current else 0)
            combo.blockSignals(False)
        self._fill_models()

    def refresh(self) -> None:
        self.model.refresh_in_place()  # a live change keeps scroll and selection

    # --- permissions -----------------------------------------------------------------------

    def _load_permissions(self) -> None:
        actor = self.user.actor
        # A failure leaves the buttons off (the list itself still works and says its own).
        self.runner.read(lambda s: vehicle_permissions(s, actor), self._permissions_loaded)

    def _permissions_loaded(self, permissions: VehiclePermissions) -> None:
        self.permissions = permissions
        self._apply_permissions()

    def _apply_permissions(self) -> None:
        self.intake_button.setEnabled(self.permissions.facts)
        self.import_button.setEnabled(self.permissions.facts and self.permissions.prices)
        if not self.permissions.facts:
            self.intake_button.setToolTip(self.tr("只有整备/评估人员和店长可以收车入库"))

    def _on_total(self, total: int) -> None:
        self.count_label.setText(self.tr("共 {count} 辆").format(count=f"{total:,}"))

    def _on_failed(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self.count_label.setText("")

    def _on_failed_exc(self, exc: BaseException) -> None:
        from ui.errors import report_failure

        self._on_failed(report_failure(exc))

    # --- actions ---------------------------------------------------------------------------

    def selected_row(self) -> VehicleRow | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _row_activated(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.open_archive(row.id)

    def open_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            self._on_failed(self.tr("请先在列表中选择一辆车"))
            return
        self.open_archive(row.id)

    def open_archive(self, vehicle_id: Any) -> QDialog:
        from ui.screens.vehicle_archive import VehicleArchiveDialog

        dialog = VehicleArchiveDialog(self.context, self.runner, self.user, vehicle_id, self)
        dialog.compareRequested.connect(self.add_to_comparison)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.archive = dialog
        dialog.show()
        return dialog

    def add_selected_to_comparison(self) -> None:
        row = self.selected_row()
        if row is None:
            self._on_failed(self.tr("请先在列表中选择一辆车"))
            return
        self.add_to_comparison(row.id)

    def add_to_comparison(self, vehicle_id: Any) -> None:
        refusal = self.basket.add(vehicle_id)
        if refusal:
            self._on_failed(refusal)
        else:
            self.error_label.hide()

    def _basket_changed(self) -> None:
        count = len(self.basket)
        self.compare_button.setText(self.tr("对比（%n）", "", count))
        self.compare_button.setEnabled(count >= 2)
        self.compare_button.setToolTip("" if count >= 2 else self.tr("至少加入两辆车才能对比"))

    def open_comparison(self) -> None:
        from ui.widgets.comparison import ComparisonView

        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("车型对比"))
        layout = QVBoxLayout(dialog)
        layout.addWidget(ComparisonView(self.context, self.runner, self.basket, parent=dialog))
        dialog.resize(1200, 760)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    def open_loan(self) -> None:
        from ui.dialogs.loan_calculator import LoanCalculatorDialog

        row = self.selected_row()
        LoanCalculatorDialog(self, price=row.price if row is not None else None).exec()

    def open_import(self) -> None:
        from ui.dialogs.vehicle_import import VehicleImportDialog

        dialog = VehicleImportDialog(self.context, self.runner, self)
        dialog.actor = self.user.actor  # the service checks this person's permissions
        dialog.exec()
        self._load_options()
        self.model.reload()

    def _intake_clicked(self) -> None:
        self.open_intake()  # not connected directly: clicked(bool) would be taken for a prefill

    def open_intake(self, prefill: Any = None) -> QDialog:
        """The 收车入库 form; ``prefill`` (an ``IntakeForm``) starts it filled (issue 24)."""
        from ui.dialogs.vehicle_intake import VehicleIntakeDialog

        dialog = VehicleIntakeDialog(
            self.runner, self.user, self.permissions, self, prefill=prefill
        )
        dialog.created.connect(self._car_taken_in)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.intake = dialog
        dialog.open()
        return dialog

    def _car_taken_in(self, result: Any) -> None:
        self.context.bus.publish({"vehicles", f"vehicle:{result.id}"})
        self._load_options()
        self.model.reload()
        self.open_archive(result.id)  # straight on to photos, history and prices

    def open_grants(self) -> None:
        from ui.dialogs.vehicle_permissions import VehiclePermissionsDialog

        dialog = VehiclePermissionsDialog(self.runner, self.user, self)
        dialog.saved.connect(self._load_permissions)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
