"""Comparison (车型对比): a basket of 2-4 cars and the side-by-side view.

The basket is shared by the inventory list, the archive and the kiosk (they call
``add``); the view shows ``showroom.services.comparison.compare`` as one table: a
column per car, section rows spanning the table, rows where the cars differ shaded,
the best value of a row in bold green with a star. "只看不同" hides equal rows. Staff
print or save it through the document engine (``vehicle_papers.comparison_paper``);
the kiosk view has no print button and never shows a cost price (the service never
reads one).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from showroom.context import AppContext
from showroom.documents import vehicle_papers as vp
from showroom.documents.model import Document
from showroom.money import format_yuan, in_wan
from showroom.services import comparison as cmp
from showroom.users import KIOSK, SYSTEM, Actor
from ui.errors import report_failure
from ui.tasks import TaskRunner
from ui.widgets.changes import ChangeRelay
from ui.widgets.tables import make_table
from ui.widgets.vehicle_labels import vword

if TYPE_CHECKING:
    pass

MAX_CARS = cmp.MAX_CARS
STORE_ZONE = ZoneInfo("Asia/Shanghai")
DIFF_COLOUR = QColor("#fff4d6")
SECTION_COLOUR = QColor("#e8f0f8")
BEST_COLOUR = QColor("#2e7d32")
_CONTEXT = "Comparison"

SECTION_TITLES = {
    "basic": QT_TRANSLATE_NOOP("Comparison", "基本信息"),
    "price": QT_TRANSLATE_NOOP("Comparison", "价格"),
    "condition": QT_TRANSLATE_NOOP("Comparison", "车况"),
    "powertrain": QT_TRANSLATE_NOOP("Comparison", "动力与规格"),
    "features": QT_TRANSLATE_NOOP("Comparison", "配置"),
}
ROW_TITLES = {
    "model": QT_TRANSLATE_NOOP("Comparison", "品牌车型"),
    "trim": QT_TRANSLATE_NOOP("Comparison", "配置版本"),
    "year": QT_TRANSLATE_NOOP("Comparison", "年款"),
    "first_registration": QT_TRANSLATE_NOOP("Comparison", "初次登记"),
    "mileage": QT_TRANSLATE_NOOP("Comparison", "表显里程"),
    "body_type": QT_TRANSLATE_NOOP("Comparison", "车身"),
    "colour": QT_TRANSLATE_NOOP("Comparison", "颜色"),
    "seats": QT_TRANSLATE_NOOP("Comparison", "座位数"),
    "price": QT_TRANSLATE_NOOP("Comparison", "售价"),
    "new_price": QT_TRANSLATE_NOOP("Comparison", "新车指导价"),
    "saving": QT_TRANSLATE_NOOP("Comparison", "比新车省"),
    "transfers": QT_TRANSLATE_NOOP("Comparison", "过户次数"),
    "history": QT_TRANSLATE_NOOP("Comparison", "事故/泡水/火烧记录"),
    "grade": QT_TRANSLATE_NOOP("Comparison", "本店检测等级"),
    "maintenance": QT_TRANSLATE_NOOP("Comparison", "保养维修记录"),
    "annual_inspection_due": QT_TRANSLATE_NOOP("Comparison", "年检到期"),
    "insurance_due": QT_TRANSLATE_NOOP("Comparison", "交强险到期"),
    "energy": QT_TRANSLATE_NOOP("Comparison", "能源类型"),
    "transmission": QT_TRANSLATE_NOOP("Comparison", "变速箱"),
    "displacement": QT_TRANSLATE_NOOP("Comparison", "排量"),
    "ev_range": QT_TRANSLATE_NOOP("Comparison", "纯电续航"),
    "power": QT_TRANSLATE_NOOP("Comparison", "最大马力"),
    "drive": QT_TRANSLATE_NOOP("Comparison", "驱动方式"),
    "emission": QT_TRANSLATE_NOOP("Comparison", "排放标准"),
}
# Coded values (enums) the service gives in Chinese; shown through the translation.
VALUE_WORDS = (
    QT_TRANSLATE_NOOP("Comparison", "汽油"),
    QT_TRANSLATE_NOOP("Comparison", "柴油"),
    QT_TRANSLATE_NOOP("Comparison", "油电混动"),
    QT_TRANSLATE_NOOP("Comparison", "插电混动"),
    QT_TRANSLATE_NOOP("Comparison", "纯电动"),
    QT_TRANSLATE_NOOP("Comparison", "手动挡"),
    QT_TRANSLATE_NOOP("Comparison", "自动挡"),
    QT_TRANSLATE_NOOP("Comparison", "一级"),
    QT_TRANSLATE_NOOP("Comparison", "二级"),
    QT_TRANSLATE_NOOP("Comparison", "三级"),
    QT_TRANSLATE_NOOP("Comparison", "四级"),
    QT_TRANSLATE_NOOP("Comparison", "五级（事故车）"),
    QT_TRANSLATE_NOOP("Comparison", "事故"),
    QT_TRANSLATE_NOOP("Comparison", "泡水"),
    QT_TRANSLATE_NOOP("Comparison", "火烧"),
    QT_TRANSLATE_NOOP("Comparison", "其他"),
)
STATUS_WORDS = {
    "preparing": QT_TRANSLATE_NOOP("Comparison", "整备中"),
    "on_sale": QT_TRANSLATE_NOOP("Comparison", "在售"),
    "reserved": QT_TRANSLATE_NOOP("Comparison", "已预订"),
    "test_drive": QT_TRANSLATE_NOOP("Comparison", "试驾中"),
    "sold": QT_TRANSLATE_NOOP("Comparison", "已售"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def cell_display(kind: str, value: Any) -> str:
    """A value in the user's language (``cmp.cell_text`` is the Chinese paper's form)."""
    if value is None:
        return "—"
    if kind == "money":
        return QCoreApplication.translate("Comparison", "{wan}万元").format(
            wan=in_wan(value), yuan=format_yuan(value)
        )
    if kind == "km":
        # Chinese reads mileage in 万公里; other languages get the full figure ({km}).
        return QCoreApplication.translate("Comparison", "{wan}万公里").format(
            wan=f"{Decimal(value) / 10_000:.2f}", km=f"{value:,}"
        )
    if kind == "year":
        return QCoreApplication.translate("Comparison", "{year}款").format(year=value)
    if kind == "month" and isinstance(value, date):
        return QCoreApplication.translate("Comparison", "{year}年{month}月").format(
            year=value.year, month=f"{value.month:02d}"
        )
    if kind == "seats":
        return QCoreApplication.translate("Comparison", "{n}座").format(n=value)
    if kind == "transfers":
        return (
            QCoreApplication.translate("Comparison", "0次（一手车）")
            if value == 0
            else QCoreApplication.translate("Comparison", "{n}次").format(n=value)
        )
    if kind == "records":
        return (
            QCoreApplication.translate("Comparison", "无")
            if value == 0
            else QCoreApplication.translate("Comparison", "{n}条").format(n=value)
        )
    if kind == "history":
        if value.total == 0:
            return QCoreApplication.translate("Comparison", "无")
        return QCoreApplication.translate("Comparison", "、").join(
            QCoreApplication.translate("Comparison", "{kind}{n}次").format(
                kind=_tr(cmp.HISTORY_ZH[k]), n=n
            )
            for k, n in value.counts
        )
    if kind == "grade":
        return _tr(cmp.GRADE_ZH[value])
    if kind == "energy":
        return _tr(cmp.ENERGY_ZH[value])
    if kind == "transmission":
        return _tr(cmp.TRANSMISSION_ZH[value])
    if kind == "range":
        return QCoreApplication.translate("Comparison", "{n}公里").format(n=value)
    if kind == "hp":
        return QCoreApplication.translate("Comparison", "{n}马力").format(n=value)
    if kind == "feature":
        return "●" if value else "—"
    if kind == "text":
        return vword(str(value))  # body type, colour, drive: 轿车 -> Sedan in English
    return cmp.cell_text(kind, value)


class ComparisonBasket(QObject):
    """The cars chosen for comparison, in the order they were added.

    Signals: ``changed()`` after every add, remove or clear.
    """

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids: list[uuid.UUID] = []

    def add(self, vehicle_id: uuid.UUID) -> str | None:
        """Add a car; a translated reason when it cannot be added, else None."""
        if vehicle_id in self._ids:
            return self.tr("这辆车已在对比中")
        if len(self._ids) >= MAX_CARS:
            return self.tr("最多同时对比 %n 辆车，请先移除一辆", "", MAX_CARS)
        self._ids.append(vehicle_id)
        self.changed.emit()
        return None

    def remove(self, vehicle_id: uuid.UUID) -> None:
        if vehicle_id in self._ids:
            self._ids.remove(vehicle_id)
            self.changed.emit()

    def clear(self) -> None:
        if self._ids:
            self._ids.clear()
            self.changed.emit()

    def ids(self) -> list[uuid.UUID]:
        return list(self._ids)

    def __contains__(self, vehicle_id: object) -> bool:
        return vehicle_id in self._ids

    def len(self) -> int:
        return len(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


Index = QModelIndex | QPersistentModelIndex


class ComparisonModel(QAbstractTableModel):
    """Column 0: the row titles; then one column per car. Section rows span the table."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.result: cmp.Comparison | None = None
        self.only_differences = False
        # (section key, None) for a heading, (section key, row) for a value row.
        self._lines: list[tuple[str, cmp.CompareRow | None]] = []

    def set_result(self, result: cmp.Comparison | None, only_differences: bool) -> None:
        self.beginResetModel()
        self.result = result
        self.only_differences = only_differences
        self._lines = []
        if result is not None:
            for key, rows in result.sections(only_differences):
                self._lines.append((key, None))
                self._lines.extend((key, row) for row in rows)
        self.endResetModel()

    def line(self, row: int) -> tuple[str, cmp.CompareRow | None]:
        return self._lines[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid() or self.result is None:
            return 0
        return 1 + len(self.result.cars)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or self.result is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section == 0:
                return self.tr("项目")
            car = self.result.cars[section - 1]
            status = (
                "" if car.status.value == "on_sale" else f" · {_tr(STATUS_WORDS[car.status.value])}"
            )
            return f"{car.title}\n{car.stock_no}{status}"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        section, row = self._lines[index.row()]
        column = index.column()
        if row is None:
            if role == Qt.ItemDataRole.DisplayRole and column == 0:
                return _tr(SECTION_TITLES[section])
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(SECTION_COLOUR)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            return None
        best = column - 1 in row.best
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                source = ROW_TITLES.get(row.key)
                return _tr(source) if source else row.label  # a feature keeps its own name
            text = cell_display(row.kind, row.values[column - 1])
            return f"{text} ★" if best else text
        if role == Qt.ItemDataRole.BackgroundRole and row.differs:
            return QBrush(DIFF_COLOUR)
        if role == Qt.ItemDataRole.ForegroundRole and best:
            return QBrush(BEST_COLOUR)
        if role == Qt.ItemDataRole.FontRole and best:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and best:
            return self.tr("该项最优")
        return None


class _ShadingDelegate(QStyledItemDelegate):
    """Paints the model's row background: the app style sheet's item rule would hide it."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        brush = index.data(Qt.ItemDataRole.BackgroundRole)
        if isinstance(brush, QBrush):
            painter.fillRect(option.rect, brush)
        super().paint(painter, option, index)


class ComparisonView(QWidget):
    """Side-by-side table of the basket's cars, grouped by section.

    ``kiosk=True``: large type and touch-sized buttons, no printing. Emits no signals;
    it follows the basket and reloads when cars change elsewhere (a car sold meanwhile).
    """

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        basket: ComparisonBasket,
        *,
        kiosk: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ComparisonView")
        self.context = context
        self.runner = runner
        self.basket = basket
        self.kiosk = kiosk
        self.result: cmp.Comparison | None = None
        self.last_pdf: str | None = None
        # Who the printed paper's audit entry names; the staff shell sets the signed-in user.
        self.actor: Actor = KIOSK if kiosk else SYSTEM
        touch = 56 if kiosk else 0

        self.title = QLabel(self.tr("车型对比"), self)
        self.title.setObjectName("PageTitle")
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("HintText")
        self.only_differences = QCheckBox(self.tr("只看不同"), self)
        self.clear_button = QPushButton(self.tr("清空对比"), self)
        self.print_button = QPushButton(self.tr("打印…"), self)
        self.pdf_button = QPushButton(self.tr("保存 PDF…"), self)
        self.print_button.setVisible(not kiosk)
        self.pdf_button.setVisible(not kiosk)
        self.message = QLabel("", self)
        self.message.setObjectName("ErrorText")
        self.message.setWordWrap(True)
        self.message.hide()
        self.empty_label = QLabel(
            self.tr("请从车辆列表或车辆档案中选择 2 到 4 辆车加入对比。"), self
        )
        self.empty_label.setObjectName("HintText")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.count_label, 1)
        top.addWidget(self.only_differences)
        top.addWidget(self.clear_button)
        top.addWidget(self.print_button)
        top.addWidget(self.pdf_button)

        # One remove button per car, above its column.
        self.remove_row = QHBoxLayout()
        self.remove_buttons: list[QPushButton] = []

        self.model = ComparisonModel(self)
        self.table: QTableView = make_table(self)
        self.table.setModel(self.model)
        self.table.setItemDelegate(_ShadingDelegate(self.table))
        self.table.setSelectionMode(QTableView.SelectionMode.NoSelection)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.table.horizontalHeader().setMinimumHeight(56)
        if kiosk:
            self.setStyleSheet(
                "#ComparisonView QLabel, #ComparisonView QCheckBox,"
                " #ComparisonView QPushButton { font-size: 22px; }"
                "#ComparisonView QTableView, #ComparisonView QHeaderView::section"
                " { font-size: 20px; }"
                "#ComparisonView QCheckBox::indicator { width: 32px; height: 32px; }"
                "#ComparisonView QLabel#PageTitle { font-size: 32px; font-weight: 600; }"
            )
            self.table.verticalHeader().setDefaultSectionSize(52)
            self.table.horizontalHeader().setMinimumHeight(80)
            for button in (self.clear_button, self.only_differences):
                button.setMinimumHeight(touch)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addLayout(self.remove_row)
        layout.addWidget(self.empty_label, 1)
        layout.addWidget(self.table, 3)

        self.only_differences.toggled.connect(self._show)
        self.clear_button.clicked.connect(basket.clear)
        self.print_button.clicked.connect(self._print)
        self.pdf_button.clicked.connect(self._save_pdf)
        basket.changed.connect(self.reload)
        self._relay = ChangeRelay(context.bus, self)
        self._relay.changed.connect(self._changed)
        self.reload()

    # --- loading ---------------------------------------------------------------------------

    def _changed(self, topics: frozenset[str]) -> None:
        if any(t == "vehicles" or t.startswith("vehicle") for t in topics):
            self.reload()

    def reload(self) -> None:
        ids = self.basket.ids()
        self.count_label.setText(self.tr("已选 %n 辆（最多 4 辆）", "", len(ids)) if ids else "")
        self.clear_button.setEnabled(bool(ids))
        if len(ids) < cmp.MIN_CARS:
            self.result = None
            self._show()
            return
        self.runner.read(lambda s: cmp.compare(s, ids), self._loaded, self._failed)

    def _loaded(self, result: cmp.Comparison) -> None:
        if [c.id for c in result.cars] != self.basket.ids():
            return  # the basket changed while loading; its own reload follows
        self.result = result
        self.message.hide()
        self._show()

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(report_failure(exc))
        self.message.show()

    def _show(self) -> None:
        has = self.result is not None
        self.empty_label.setVisible(not has)
        if len(self.basket) == 1:
            self.empty_label.setText(self.tr("已选 1 辆车，请再选择至少 1 辆车进行对比。"))
        else:
            self.empty_label.setText(self.tr("请从车辆列表或车辆档案中选择 2 到 4 辆车加入对比。"))
        self.table.setVisible(has)
        self.only_differences.setEnabled(has)
        self.print_button.setEnabled(has)
        self.pdf_button.setEnabled(has)
        self.model.set_result(self.result, self.only_differences.isChecked())
        self.table.clearSpans()
        columns = self.model.columnCount()
        for row in range(self.model.rowCount()):
            if self.model.line(row)[1] is None:
                self.table.setSpan(row, 0, 1, columns)
        header = self.table.horizontalHeader()
        if columns:
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
            self.table.setColumnWidth(0, self._label_width())
        self._build_remove_buttons()

    def _label_width(self) -> int:
        """Wide enough for the longest row title in the current language (English is longer)."""
        metrics = self.table.fontMetrics()
        titles = [self.model.index(r, 0).data() or "" for r in range(self.model.rowCount())]
        widest = max((metrics.horizontalAdvance(t) for t in titles), default=0)
        return max(220 if self.kiosk else 160, min(widest + 40, 320))

    def _build_remove_buttons(self) -> None:
        while self.remove_row.count():
            item = self.remove_row.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()  # out of the layout now; gone at the next event loop turn
                item.widget().deleteLater()
        self.remove_buttons = []
        if self.result is None:
            return
        spacer = QLabel("", self)
        spacer.setFixedWidth(self._label_width())
        self.remove_row.addWidget(spacer)
        for car in self.result.cars:
            button = QPushButton(self.tr("移除 {title}").format(title=car.title), self)
            if self.kiosk:
                button.setMinimumHeight(56)
            button.clicked.connect(lambda _=False, vid=car.id: self.basket.remove(vid))
            self.remove_buttons.append(button)
            self.remove_row.addWidget(button, 1)

    # --- printing --------------------------------------------------------------------------

    def _issue(self, then: Callable[[Document, bytes], None]) -> None:
        """Take a number, build the paper, paint it, archive it, then ``then(document, pdf)``."""
        from ui.documents.printing import issue_and_archive

        ids = self.basket.ids()
        only = self.only_differences.isChecked()
        folder = self.context.paths.data_dir / "templates"
        actor = self.actor
        issue_and_archive(
            self.runner,
            lambda s: vp.issue_comparison(
                s,
                ids,
                templates_dir=folder,
                zone=STORE_ZONE,
                only_differences=only,
            ),
            lambda s, document, pdf: vp.archive_paper(s, actor, document, pdf, ids[0]),
            then,
            self._failed,
            self.context.paths.cache_dir,  # text stays searchable in the PDF
        )

    def _print(self) -> None:
        from ui.documents.printing import preview

        self._issue(lambda document, _pdf: preview(document, self))

    def _save_pdf(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("保存车型对比 PDF"), self.tr("车型对比.pdf"), self.tr("PDF 文件 (*.pdf)")
        )
        if path:
            self.save_pdf(path)

    def save_pdf(self, path: str) -> None:
        """Issue, archive and write the comparison to ``path`` (the file dialog's choice)."""

        from ui.documents.printing import write_file

        def write(_document: Document, pdf: bytes) -> None:
            write_file(self.runner, path, pdf, written, failed)

        def written() -> None:
            self.last_pdf = path
            self.count_label.setText(self.tr("已保存：{path}").format(path=path))

        def failed(message: str) -> None:
            self.message.setText(message)
            self.message.show()

        self._issue(write)
