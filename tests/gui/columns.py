"""Which columns of a table cut off their title or their shown text."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QTableView


def cut_off_columns(table: QTableView) -> list[str]:
    """Columns of ``table`` narrower than their header or shown cells (stretching ones aside)."""
    header = table.horizontalHeader()
    model = table.model()
    problems = []
    for column in range(header.count()):
        if table.isColumnHidden(column):
            continue
        if header.sectionResizeMode(column) == QHeaderView.ResizeMode.Stretch:
            continue
        if column == header.count() - 1 and header.stretchLastSection():
            continue
        needed = max(header.sectionSizeHint(column), table.sizeHintForColumn(column))
        if needed > table.columnWidth(column):
            title = model.headerData(column, header.orientation()) if model else column
            problems.append(f"{title}: {table.columnWidth(column)} < {needed}")
    return problems
