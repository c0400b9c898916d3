"""One classification of database failures: retry, offline, or neither."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from psycopg import errors as pg
from sqlalchemy import exc as sa

from db import faults
from showroom.errors import DatabaseUnavailable, ValidationError


def _wrapped(orig: BaseException, kind: type[sa.DBAPIError] = sa.OperationalError) -> BaseException:
    """As SQLAlchemy raises it: the driver's exception inside its own."""
    return kind("SELECT 1", {}, orig)


@pytest.mark.parametrize(
    ("orig", "reason"),
    [
        (pg.DeadlockDetected("deadlock detected"), "deadlock"),
        (pg.SerializationFailure("could not serialize access"), "serialization"),
        (pg.LockNotAvailable("canceling statement due to lock timeout"), "lock_timeout"),
    ],
    ids=["deadlock-40P01", "serialization-40001", "lock-timeout-55P03"],
)
def test_a_refused_attempt_of_postgresql_is_transient(orig: BaseException, reason: str) -> None:
    error = _wrapped(orig)
    assert faults.classify(error) is faults.TRANSIENT
    assert faults.reason(error) == reason


@pytest.mark.parametrize(
    "message", ["database is locked", "database table is locked", "database is busy"]
)
def test_a_busy_sqlite_file_is_transient(message: str) -> None:
    assert faults.classify(_wrapped(sqlite3.OperationalError(message))) is faults.TRANSIENT


def test_a_busy_sqlite_file_is_recognised_by_its_code_too() -> None:
    error = sqlite3.OperationalError("anything")
    error.sqlite_errorcode = 5  # type: ignore[attr-defined] - SQLITE_BUSY
    assert faults.classify(_wrapped(error)) is faults.TRANSIENT


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(psycopg.OperationalError("connection failed: Connection refused")),
        _wrapped(psycopg.OperationalError("server closed the connection unexpectedly")),
        _wrapped(psycopg.InterfaceError("the connection is closed"), sa.InterfaceError),
        _wrapped(pg.AdminShutdown("terminating connection due to administrator command")),
        _wrapped(pg.ConnectionFailure("connection failure")),
        sa.DisconnectionError("gone"),
        ConnectionResetError("reset by peer"),
        DatabaseUnavailable("db.offline", "需要连接数据库"),
    ],
    ids=[
        "refused",
        "server-closed",
        "closed-connection",
        "admin-shutdown-57P01",
        "class-08",
        "disconnection",
        "os-reset",
        "said-plainly",
    ],
)
def test_only_a_lost_connection_is_offline(error: BaseException) -> None:
    assert faults.classify(error) is faults.OFFLINE


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(pg.UniqueViolation("duplicate key"), sa.IntegrityError),
        _wrapped(pg.CheckViolation("violates check constraint"), sa.IntegrityError),
        _wrapped(pg.UndefinedTable("relation does not exist"), sa.ProgrammingError),
        _wrapped(pg.QueryCanceled("canceling statement due to statement timeout")),
        _wrapped(sqlite3.OperationalError("no such table: visits")),
        _wrapped(sqlite3.IntegrityError("UNIQUE constraint failed"), sa.IntegrityError),
        ValidationError("visit.party_size", "到店人数应在 1 到 20 之间。"),
        ValueError("a bug"),
    ],
    ids=[
        "unique",
        "check",
        "undefined-table",
        "statement-timeout",
        "sqlite-no-table",
        "sqlite-unique",
        "refusal",
        "bug",
    ],
)
def test_refusals_and_bugs_are_neither(error: BaseException) -> None:
    assert faults.classify(error) is faults.OTHER


def test_an_invalidated_connection_is_offline_whatever_it_said() -> None:
    error = sa.OperationalError("SELECT 1", {}, pg.QueryCanceled("x"), connection_invalidated=True)
    assert faults.classify(error) is faults.OFFLINE
