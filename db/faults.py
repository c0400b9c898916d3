"""What a failed database call means: try again, the server is gone, or neither.

One function, ``classify``, decides for the whole app; the write runner
(``Database.run``), the sync service and the task runner all ask it, so a
deadlock can never again be mistaken for a pulled cable.

- ``TRANSIENT``: the server answered and refused *this attempt* because of other
  transactions running at the same time: deadlock (SQLSTATE 40P01), serialization
  failure (40001), lock not available / lock timeout (55P03); on SQLite a busy or
  locked database file. Re-running the whole transaction after a short pause
  succeeds. The PC is online.
- ``OFFLINE``: the server cannot be reached: connection refused, reset, closed or
  timed out. psycopg raises these as ``OperationalError`` *without* a SQLSTATE (no
  server message arrived); a server going down says 08xxx or 57P01-57P03. Only
  this marks a PC offline and sends its work to the outbox.
- ``OTHER``: anything else (a constraint, a rule, a bug) is raised as it is.
"""

from __future__ import annotations

import enum
import sqlite3

TRANSIENT_SQLSTATES = frozenset(
    {
        "40P01",  # deadlock_detected
        "40001",  # serialization_failure
        "55P03",  # lock_not_available (NOWAIT, lock_timeout)
    }
)
# The server is shutting down or starting up: as good as unreachable for now.
OFFLINE_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})
# SQLite's result codes for "another connection holds the file" (primary codes only).
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_SQLITE_BUSY_WORDS = ("database is locked", "database table is locked", "database is busy")


class Fault(enum.Enum):
    TRANSIENT = "transient"
    OFFLINE = "offline"
    OTHER = "other"


TRANSIENT, OFFLINE, OTHER = Fault.TRANSIENT, Fault.OFFLINE, Fault.OTHER


def _driver_error(exc: BaseException) -> BaseException | None:
    """The DBAPI exception inside SQLAlchemy's wrapper (or ``exc`` itself if it is one)."""
    orig = getattr(exc, "orig", None)
    if isinstance(orig, BaseException):
        return orig
    return exc


def sqlstate(exc: BaseException) -> str | None:
    """The server's SQLSTATE for ``exc`` (psycopg), or None when no server message came."""
    driver = _driver_error(exc)
    state = getattr(driver, "sqlstate", None)
    return state if isinstance(state, str) and state else None


def classify(exc: BaseException) -> Fault:
    """TRANSIENT, OFFLINE or OTHER for any exception a database call raised."""
    from sqlalchemy.exc import (
        DBAPIError,
        DisconnectionError,
        IntegrityError,
        InterfaceError,
        OperationalError,
    )

    if getattr(exc, "code", None) == "db.offline":  # already said plainly upstream
        return OFFLINE
    if isinstance(exc, IntegrityError):
        return OTHER
    if isinstance(exc, DisconnectionError | ConnectionError | TimeoutError):
        return OFFLINE
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return OFFLINE
    driver = _driver_error(exc)
    if isinstance(driver, sqlite3.Error):
        return _classify_sqlite(driver)
    state = sqlstate(exc)
    if state is not None:
        if state in TRANSIENT_SQLSTATES:
            return TRANSIENT
        if state.startswith("08") or state in OFFLINE_SQLSTATES:
            return OFFLINE
        return OTHER
    if isinstance(exc, OperationalError | InterfaceError):
        # No SQLSTATE: no answer from the server at all (refused, closed, timed out).
        return OFFLINE
    if _is_psycopg_connection_error(driver):
        return OFFLINE
    if isinstance(exc, OSError):
        return OFFLINE
    return OTHER


def _classify_sqlite(error: sqlite3.Error) -> Fault:
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return TRANSIENT
    text = str(error).lower()
    if any(words in text for words in _SQLITE_BUSY_WORDS):
        return TRANSIENT
    # A local file cannot be "offline": a broken or missing file is reported as it is.
    return OTHER


def _is_psycopg_connection_error(error: BaseException | None) -> bool:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    return isinstance(error, psycopg.OperationalError | psycopg.InterfaceError) and (
        getattr(error, "sqlstate", None) is None
    )


def reason(exc: BaseException) -> str:
    """A short name for a transient failure, for counters and logs (never personal data)."""
    state = sqlstate(exc)
    if state is not None:
        return {"40P01": "deadlock", "40001": "serialization", "55P03": "lock_timeout"}.get(
            state, state
        )
    return "sqlite_busy" if isinstance(_driver_error(exc), sqlite3.Error) else type(exc).__name__


def is_transient(exc: BaseException) -> bool:
    return classify(exc) is TRANSIENT


def is_offline(exc: BaseException) -> bool:
    return classify(exc) is OFFLINE
