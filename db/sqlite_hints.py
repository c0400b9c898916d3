"""``Select.with_hint(table, "INDEXED BY ix_…", "sqlite")`` rendered on SQLite.

SQLite plans without statistics (the app never runs ANALYZE) and then sometimes walks
the sort column's index and reads each wide row instead of answering from a covering
index; ``INDEXED BY`` after the table's name tells it which index to use. SQLAlchemy
keeps such a hint on the statement, but its SQLite compiler renders table hints as
nothing. This adds them after the table name, for SQLite only; other databases
ignore a hint given for "sqlite". Imported with the models (``db.base``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.compiler import compiles


@compiles(Table, "sqlite")
def _table_with_sqlite_hint(element: Table, compiler: Any, **kw: Any) -> str:
    text: str = compiler.visit_table(element, **kw)
    hints = kw.get("fromhints")
    if kw.get("asfrom") and hints and element in hints:
        text += " " + hints[element]
    return text
