"""Schema version checks and migrations through Alembic.

Alembic is imported only when a migration or an unusual version needs it, so
that opening an up-to-date database at start-up stays quick.

The app compares the database's revision with the newest one it ships:
``empty`` and ``older`` can be upgraded; ``newer`` (a later app migrated it)
and ``unknown`` mean this app must not write.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text

from db.engine import Database

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger("showroom.db")

# The newest revision this app ships. A test keeps it equal to the migrations'
# head; with it, the usual start (database already current) needs no Alembic.
HEAD_REVISION = "0022_consultant_targets"

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(database: Database | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database is not None:
        cfg.set_main_option(
            "sqlalchemy.url",
            database.engine.url.render_as_string(hide_password=False).replace("%", "%%"),
        )
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations shipped"
    return head


def current_revision(database: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with database.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@dataclass(frozen=True)
class SchemaState:
    current: str | None
    head: str
    status: str  # "empty" | "current" | "older" | "newer"

    @property
    def writable(self) -> bool:
        return self.status == "current"


def _stored_revision(database: Database) -> str | None:
    """The database's revision read directly; None when it has no version table."""
    with database.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def schema_state(database: Database) -> SchemaState:
    current = _stored_revision(database)
    if current is not None and current == HEAD_REVISION:
        return SchemaState(current, HEAD_REVISION, "current")
    head = head_revision()
    if current is None:
        has_tables = bool(set(inspect(database.engine).get_table_names()) - {"alembic_version"})
        return SchemaState(None, head, "newer" if has_tables else "empty")
    if current == head:
        return SchemaState(current, head, "current")
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    return SchemaState(current, head, "older" if current in known else "newer")


def _run(database: Database, fn_name: str, revision: str) -> None:
    from alembic import command

    cfg = alembic_config(database)
    if database.kind != "sqlite":
        with database.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            getattr(command, fn_name)(cfg, revision)
        database.schema_changed()
        return
    # SQLite drops a column by rebuilding the table (copy, drop, rename). With foreign
    # keys on, dropping a table that other rows refer to fails, so this follows SQLite's
    # documented procedure: keys off outside the transaction, every key checked before
    # the commit, then the connection's own setting back (the read cache keeps them off).
    with database.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        enforced = raw.execute("PRAGMA foreign_keys").fetchone()[0]
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                getattr(command, fn_name)(cfg, revision)
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                if broken is not None:
                    raise RuntimeError(f"migration left a dangling reference in {broken[0]}")
        finally:
            raw.execute(f"PRAGMA foreign_keys={'ON' if enforced else 'OFF'}")
    database.schema_changed()


def upgrade(database: Database, revision: str = "head") -> None:
    log.info("upgrading schema to %s", revision)
    _run(database, "upgrade", revision)


def downgrade(database: Database, revision: str) -> None:
    log.info("downgrading schema to %s", revision)
    _run(database, "downgrade", revision)
