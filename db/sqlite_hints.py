"""Telling SQLite which index to read (``INDEXED BY``), in the two forms the app uses.

- ``Select.with_hint(table, "INDEXED BY ix_…", "sqlite")`` on a statement built on the
  mapped class (the inventory's browse);
- ``indexed_by(Model, "ix_…")``: the model under an alias named after the index, for
  queries that read one table several times (the dashboard).

SQLite plans without statistics (the app never runs ANALYZE) and then sometimes walks
the sort column's index and reads each wide row instead of answering from a covering
index; ``INDEXED BY`` after the table's name tells it which index to use. SQLAlchemy
keeps such a hint on the statement, but its SQLite compiler renders table hints as
nothing. Both forms add it after the table name, for SQLite only; other databases
see the plain table or alias. Imported with the models (``db.base``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.selectable import Alias


@compiles(Table, "sqlite")
def _table_with_sqlite_hint(element: Table, compiler: Any, **kw: Any) -> str:
    text: str = compiler.visit_table(element, **kw)
    hints = kw.get("fromhints")
    if kw.get("asfrom") and hints and element in hints:
        text += " " + hints[element]
    return text


class _IndexedBy(Alias):
    """A table under an alias named after the index SQLite must read it through."""

    inherit_cache = True


@compiles(_IndexedBy)
def _compile_indexed_by(element: Any, compiler: Any, **kw: Any) -> str:
    text: str = compiler.visit_alias(element, **kw)
    if kw.get("asfrom") and compiler.dialect.name == "sqlite":
        text += f" INDEXED BY {element.name}"
    return text


def indexed_by(model: Any, index: str) -> Any:
    """``model`` read through ``index`` on SQLite (the alias's name is the index's)."""
    return aliased(model, _IndexedBy._construct(model.__table__, name=index))
