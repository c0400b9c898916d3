"""One look for every list: row height, selection, headers, empty space."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

Index = QModelIndex | QPersistentModelIndex


def make_table(parent: QWidget | None = None, *, sortable: bool = False) -> QTableView:
    """A read-only, row-selecting table view styled like the rest of the app."""
    view = QTableView(parent)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setSortingEnabled(sortable)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(38)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setStretchLastSection(True)
    header.setMinimumSectionSize(60)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    return view


def set_column_widths(
    view: QTableView, widths: dict[int, int], *, stretch: int | None = None
) -> None:
    """Starting widths (in pixels) so that Chinese headers are never cut off.

    ``stretch`` names the column that takes the remaining width (the one with the longest
    text, e.g. the car model), so wide screens show more of it and narrow ones scroll less.
    """
    for column, width in widths.items():
        view.setColumnWidth(column, width)
    if stretch is not None:
        header = view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    _ColumnFitter(view, widths, stretch)


# A column grows to its longest shown text up to this width; beyond it the text is
# elided (the user can widen the column, or open the record).
MAX_FITTED_WIDTH = 360


class _ColumnFitter(QObject):
    """Widens a starting-width column when its header or shown cells need more room.

    The starting widths suit typical data; a longer header in another language, a
    longer duration or a longer name must not be cut off. Columns only grow, and a
    column the user resized by hand is left alone.
    """

    def __init__(self, view: QTableView, widths: dict[int, int], stretch: int | None) -> None:
        super().__init__(view)
        self._view = view
        self._columns = [c for c in widths if c != stretch]
        self._user_sized: set[int] = set()
        self._fitting = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        view.horizontalHeader().sectionResized.connect(self._resized)
        model = view.model()
        if model is not None:
            for signal in (model.modelReset, model.layoutChanged, model.rowsInserted):
                signal.connect(self._timer.start)
        self._timer.start()

    def _resized(self, column: int, _old: int, _new: int) -> None:
        if not self._fitting:
            self._user_sized.add(column)

    def fit(self) -> None:
        view, header = self._view, self._view.horizontalHeader()
        self._fitting = True
        try:
            for column in self._columns:
                if column in self._user_sized or view.isColumnHidden(column):
                    continue
                needed = max(header.sectionSizeHint(column), view.sizeHintForColumn(column))
                if needed > view.columnWidth(column):
                    view.setColumnWidth(column, min(needed, MAX_FITTED_WIDTH))
        finally:
            self._fitting = False


class RowListModel(QAbstractTableModel):
    """A short list loaded whole (staff, recent audit entries, today's follow-ups).

    Holds plain frozen rows from a service; subclasses give ``headers()`` and
    ``data()``. Lists that can grow without bound use ``PagedTableModel`` instead.
    Emits no extra signals.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: Sequence[Any] = ()

    def headers(self) -> Sequence[str]:
        """The translated column titles; their count is the column count."""
        raise NotImplementedError

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def row_at(self, row: int) -> Any | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.headers())

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None
