"""Human numbers (visit no., receipt no., contract no., stock no.) from the database.

One UPSERT ... RETURNING increments the counter inside the caller's
transaction: PostgreSQL row-locks it until commit, SQLite holds its write
lock, so two PCs never get the same number and a rolled-back record leaves no
gap.
"""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from db.models.audit import NumberSequence


def next_value(session: Session, scope: str, kind: str, period: str, count: int = 1) -> int:
    """Reserve ``count`` consecutive values; return the last one."""
    dialect = session.get_bind().dialect.name
    values = {"scope": scope, "kind": kind, "period": period, "last_value": count}
    table = NumberSequence.__table__
    if dialect == "postgresql":
        ins = pg_insert(table).values(**values)
    elif dialect == "sqlite":
        ins = sqlite_insert(table).values(**values)
    else:  # pragma: no cover - only the two supported backends
        raise NotImplementedError(dialect)
    stmt = ins.on_conflict_do_update(
        index_elements=["scope", "kind", "period"],
        set_={"last_value": table.c.last_value + count},
    ).returning(table.c.last_value)
    return int(session.execute(stmt).scalar_one())
