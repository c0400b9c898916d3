"""Schema version checks and migrations through Alembic.

The app compares the database's revision with the newest one it ships:
``empty`` and ``older`` can be upgraded; ``newer`` (a later app migrated it)
and ``unknown`` mean this app must not write.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from db.engine import Database

log = logging.getLogger("showroom.db")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(database: Database | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database is not None:
        cfg.set_main_option(
            "sqlalchemy.url",
            database.engine.url.render_as_string(hide_password=False).replace("%", "%%"),
        )
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations shipped"
    return head


def current_revision(database: Database) -> str | None:
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


def schema_state(database: Database) -> SchemaState:
    head = head_revision()
    current = current_revision(database)
    if current is None:
        has_tables = bool(set(inspect(database.engine).get_table_names()) - {"alembic_version"})
        return SchemaState(None, head, "newer" if has_tables else "empty")
    if current == head:
        return SchemaState(current, head, "current")
    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    return SchemaState(current, head, "older" if current in known else "newer")


def _run(database: Database, fn_name: str, revision: str) -> None:
    cfg = alembic_config(database)
    with database.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, fn_name)(cfg, revision)


def upgrade(database: Database, revision: str = "head") -> None:
    log.info("upgrading schema to %s", revision)
    _run(database, "upgrade", revision)


def downgrade(database: Database, revision: str) -> None:
    log.info("downgrading schema to %s", revision)
    _run(database, "downgrade", revision)
