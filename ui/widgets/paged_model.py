"""A table model that loads its rows page by page, off the UI thread.

Lists in the app can hold 100,000 cars, so a model never loads them all: it
counts the matches and loads the first page; the view asks for more
(``canFetchMore``/``fetchMore``) as the user scrolls. Filtering and sorting
happen in SQL. The first page and the count are separate tasks, so rows show before a slow count
finishes. Every load carries a generation number, so a page that arrives
after the search text changed is dropped instead of mixed into the new list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from ui.errors import report_failure
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Index = QModelIndex | QPersistentModelIndex


class PagedTableModel(QAbstractTableModel):
    """Base for lazily fetched lists; subclasses say what to query and how to show it.

    Signals: ``totalChanged(int)`` when the number of matches is known,
    ``loadingChanged(bool)``, ``failed(str)`` with a sentence for the user.
    """

    totalChanged = Signal(int)  # noqa: N815 - Qt's signal naming
    loadingChanged = Signal(bool)  # noqa: N815 - Qt's signal naming
    failed = Signal(str)

    PAGE_SIZE: ClassVar[int] = 200

    def __init__(self, runner: TaskRunner, query: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._query = query
        self._rows: list[Any] = []
        self._total: int | None = None
        self._generation = 0
        self._loading = False
        self._exhausted = False
        self._sort_key: str | None = None
        self._descending = False

    # --- what subclasses provide -------------------------------------------------------

    def headers(self) -> Sequence[str]:
        raise NotImplementedError

    @staticmethod
    def count_rows(session: Session, query: Any) -> int:
        """Number of matches; runs in a worker thread."""
        raise NotImplementedError

    @staticmethod
    def load_rows(
        session: Session, query: Any, offset: int, limit: int, sort: str | None, descending: bool
    ) -> list[Any]:
        """One page of plain rows; runs in a worker thread."""
        raise NotImplementedError

    def display(self, row: Any, column: int) -> Any:
        raise NotImplementedError

    def alignment(self, column: int) -> Qt.AlignmentFlag:
        return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter

    def foreground(self, row: Any, column: int) -> QColor | None:
        """Text colour of a cell, when it carries meaning (a status); None for the default."""
        return None

    def sort_key(self, column: int) -> str | None:
        """The SQL sort for ``column``, or None when that column cannot be sorted."""
        return None

    # --- loading -----------------------------------------------------------------------

    @property
    def query(self) -> Any:
        return self._query

    @property
    def total(self) -> int | None:
        return self._total

    @property
    def loading(self) -> bool:
        return self._loading

    def set_query(self, query: Any) -> None:
        """Start over with new filters: the old rows go, the first page is loaded."""
        self._query = query
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._total = None
        self._exhausted = False
        self._loading = False
        self.endResetModel()
        self._load_page()
        self._load_count()

    def refresh_in_place(self, query: Any = None) -> None:
        """Reload what is loaded, keeping rows, scroll position and selection (a live change).

        ``query``: the same filters restated (a list of deadlines judged at a later time).

        Fetches as many rows as are shown in one task and swaps them in with
        ``dataChanged``/row inserts and removals instead of a model reset, so a
        change on another PC does not throw the user back to the top of the list.
        """
        if query is not None:
            self._query = query
        if not self._rows:
            self.reload()
            return
        self._generation += 1
        generation, query, limit = self._generation, self._query, len(self._rows)
        sort, descending = self._sort_key, self._descending
        load_rows = type(self).load_rows

        def work(session: Session) -> tuple[int, int, list[Any]]:
            return generation, 0, load_rows(session, query, 0, limit, sort, descending)

        self._runner.read(work, self._on_refreshed, self._on_failed)
        self._load_count()

    def _on_refreshed(self, result: tuple[int, int, list[Any]]) -> None:
        generation, _offset, rows = result
        if generation != self._generation:
            return
        old = len(self._rows)
        if len(rows) < old:
            self.beginRemoveRows(QModelIndex(), len(rows), old - 1)
            del self._rows[len(rows) :]
            self.endRemoveRows()
        common = len(self._rows)
        self._rows[:common] = rows[:common]
        if common:
            self.dataChanged.emit(self.index(0, 0), self.index(common - 1, self.columnCount() - 1))
        if len(rows) > common:
            self.beginInsertRows(QModelIndex(), common, len(rows) - 1)
            self._rows.extend(rows[common:])
            self.endInsertRows()

    def _load_count(self) -> None:
        # A separate task from the first page: counting every match of a rare search
        # scans the table, while the first 200 rows in index order often arrive at once.
        generation, query, count_rows = self._generation, self._query, type(self).count_rows

        def work(session: Session) -> tuple[int, int]:
            return generation, count_rows(session, query)

        self._runner.read(work, self._on_count, self._on_failed)

    def _load_page(self) -> None:
        generation = self._generation
        query, offset, limit = self._query, len(self._rows), self.PAGE_SIZE
        sort, descending = self._sort_key, self._descending
        load_rows = type(self).load_rows

        def work(session: Session) -> tuple[int, int, list[Any]]:
            return generation, offset, load_rows(session, query, offset, limit, sort, descending)

        self._set_loading(True)
        self._runner.read(work, self._on_page, self._on_failed)

    def _on_count(self, result: tuple[int, int]) -> None:
        generation, total = result
        if generation != self._generation:
            return
        self._total = total
        self.totalChanged.emit(total)

    def _on_page(self, result: tuple[int, int, list[Any]]) -> None:
        generation, offset, rows = result
        if generation != self._generation or offset != len(self._rows):
            return  # an answer to a question nobody asks any more
        self._set_loading(False)
        if rows:
            self.beginInsertRows(QModelIndex(), offset, offset + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        if len(rows) < self.PAGE_SIZE:
            self._exhausted = True  # the list ends here, whatever the count said

    def _on_failed(self, exc: BaseException) -> None:
        self._set_loading(False)
        self._exhausted = True  # do not hammer a failing database from the scroll bar
        self.failed.emit(report_failure(exc))

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loadingChanged.emit(loading)

    # --- Qt model API ------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.headers())

    def canFetchMore(self, parent: Index) -> bool:  # noqa: N802
        if parent.isValid() or self._loading or self._exhausted:
            return False
        return self._total is None or len(self._rows) < self._total

    def fetchMore(self, parent: Index) -> None:  # noqa: N802
        if self.canFetchMore(parent):
            self._load_page()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(self._rows[index.row()], index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(self.alignment(index.column()))
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.foreground(self._rows[index.row()], index.column())
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.headers()[section]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(self.alignment(section))
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.sort_key(column)
        if key is None:
            return
        self._sort_key = key
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def row_at(self, row: int) -> Any | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def replace_row(self, row: int, value: Any) -> None:
        """Swap one loaded row (e.g. after revealing a field) and repaint it."""
        if 0 <= row < len(self._rows):
            self._rows[row] = value
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
