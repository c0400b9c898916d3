"""Alembic environment: runs on a connection handed over by ``db.schema``.

On PostgreSQL the whole upgrade holds an advisory lock, so two PCs starting at
once cannot both migrate. SQLite uses batch mode for its limited ALTER TABLE.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

import db.models  # noqa: F401 - registers every table on the metadata
from db.base import Base

MIGRATION_LOCK_KEY = 0x5348_4F57  # "SHOW"

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # Developer use (`alembic -c alembic.ini ...`): build an engine from the URL.
    from db.engine import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///showroom-dev.db")
    with engine.connect() as conn:
        _run(conn)
        conn.commit()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported")
run_migrations_online()
