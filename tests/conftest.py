"""Shared fixtures: a migrated database on SQLite *and* PostgreSQL, app paths, settings.

Every test that asks for ``database`` runs twice, once per backend. PostgreSQL
tests use a database made for this run (dropped at the end). Outside CI they
are skipped when no server answers; with ``CI=true`` that is a failure.

The app's clock (``db.clock``) runs at mid-morning in the store's time zone on
today's date, whatever the hour the suite is started at: "twelve minutes ago" is
still today at 00:05 in Shanghai. A test about a particular moment sets the
clock itself with the ``clock_at`` fixture.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db import clock, schema
from db.engine import Database
from showroom.paths import AppPaths
from showroom.settings import Settings

PG_ADMIN_URL = os.environ.get(
    "SHOWROOM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# Any test may open a Qt application (a paper printed from the command line, say).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
STORE_ZONE = ZoneInfo("Asia/Shanghai")
SUITE_TIME_OF_DAY = time(10, 30)


def _mid_morning_offset() -> timedelta:
    real = clock.wall_clock().astimezone(STORE_ZONE)  # the one wall-clock read of the suite
    return datetime.combine(real.date(), SUITE_TIME_OF_DAY, STORE_ZONE) - real


# Set when this file is imported, before test modules are: their module-level
# "today" and "tomorrow" must come from the same clock as the app's.
_SUITE_OFFSET = _mid_morning_offset()
clock.set_source(lambda: clock.wall_clock() + _SUITE_OFFSET)


@pytest.fixture
def clock_at() -> Iterator[Callable[[datetime], None]]:
    """``clock_at(moment)`` stops the app's clock at ``moment`` for this test."""

    def stop_at(moment: datetime) -> None:
        clock.set_source(lambda: moment)

    yield stop_at
    clock.set_source(lambda: clock.wall_clock() + _SUITE_OFFSET)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Never read or write the developer's real settings, data or logs.
    monkeypatch.setenv("SHOWROOM_HOME", str(tmp_path / "home"))
    for key in list(os.environ):
        if key.startswith("SHOWROOM_") and key not in {"SHOWROOM_HOME", "SHOWROOM_TEST_PG_URL"}:
            monkeypatch.delenv(key)


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths.under(tmp_path / "home").ensure()


@pytest.fixture
def settings(paths: AppPaths) -> Settings:
    return Settings.load(paths.settings_file, environ={})


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; each test gets a copy (far faster than migrating per test)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    database = Database.from_url(f"sqlite:///{path}")
    schema.upgrade(database)
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


@pytest.fixture(scope="session")
def _pg_server_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, migrated once."""
    name = f"showroom_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        admin.dispose()
        message = f"PostgreSQL not available at {PG_ADMIN_URL}: {exc}"
        if IN_CI:
            pytest.fail(message + " (CI requires the PostgreSQL tests)", pytrace=False)
        pytest.skip(message)
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    database = Database.from_url(url)
    schema.upgrade(database)
    database.dispose()
    yield url
    admin.dispose()
    # Dropping a database makes the server flush every dirty page to disk first (a
    # checkpoint): after a whole run, tens of seconds to minutes on a busy machine,
    # which the last test of each worker used to wait for. Nothing needs to wait for
    # it, so a detached process drops it.
    # (The launcher starts the drop and returns at once, so nothing here is left running.)
    subprocess.run(
        [sys.executable, "-c", _LAUNCH_DROP, _DROP_DATABASE, PG_ADMIN_URL, name], check=False
    )


_DROP_DATABASE = """
import sys
from sqlalchemy import create_engine, text
admin = create_engine(sys.argv[1], isolation_level="AUTOCOMMIT")
with admin.connect() as conn:
    conn.execute(text(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)'))
"""
_LAUNCH_DROP = """
import subprocess, sys
subprocess.Popen(
    [sys.executable, "-c", *sys.argv[1:]],
    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    start_new_session=True,
)
"""


def _reset_postgres(database: Database) -> None:
    """Empty every table and reseed the audit head.

    The audit log, its head and the counters refuse TRUNCATE (migration 0018). The
    reset runs as the server's superuser, which may set ``session_replication_role``
    for its own transaction: ordinary triggers then stay silent for this TRUNCATE
    only. No app login can do that, so production loses nothing.
    A test that moved the schema (downgrade, fake revision) gets it rebuilt.
    """
    if schema.schema_state(database).status != "current":
        with database.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        schema.upgrade(database)
        return
    with database.engine.begin() as conn:
        tables = [
            row[0]
            for row in conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
        ]
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
        conn.execute(
            text("INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, :h)"),
            {"h": "0" * 64},
        )


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "showroom.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("_pg_server_url")
    database = Database.from_url(url)
    _reset_postgres(database)
    database.dispose()
    return url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A migrated, empty database; runs once on SQLite and once on PostgreSQL."""
    db = Database.from_url(database_url)
    yield db
    db.dispose()


@pytest.fixture
def postgresql_url(_pg_server_url: str) -> str:
    """PostgreSQL only, emptied: for the shared server itself (LISTEN/NOTIFY, a cut network)."""
    database = Database.from_url(_pg_server_url)
    _reset_postgres(database)
    database.dispose()
    return _pg_server_url


@pytest.fixture
def postgresql_database(postgresql_url: str) -> Iterator[Database]:
    db = Database.from_url(postgresql_url)
    yield db
    db.dispose()


@pytest.fixture
def sqlite_database(tmp_path: Path, _sqlite_template: Path) -> Iterator[Database]:
    """SQLite only: for tests about the embedded database itself."""
    path = tmp_path / "embedded.db"
    shutil.copyfile(_sqlite_template, path)
    db = Database.from_url(f"sqlite:///{path}")
    yield db
    db.dispose()
