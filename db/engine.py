"""Engines and sessions for the embedded SQLite file and the shared PostgreSQL.

``Database.write()`` opens a transaction that takes the write lock at once on
SQLite (``BEGIN IMMEDIATE``): a read-then-write rule (next number, seat count)
then cannot race another PC's writer; PostgreSQL uses row locks instead.

Every write also appends what it changed to the change feed (``db.sync.feed``)
in the same transaction, so other PCs learn of it (LISTEN/NOTIFY or a poll).

``Database.run(work)`` is the write runner: it runs ``work(session)`` in one
transaction and, when the database refuses that attempt because of another
transaction (a deadlock, a serialization failure, a lock timeout, a busy
SQLite file: ``db.faults``), rolls back and runs the *whole* ``work`` again after
a short, jittered pause. Connection loss is not retried here: the caller decides
(the sync service queues what can wait). Locks are taken in the order of
``db.locks``; the audit head and the feed lock are taken at commit.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("showroom.db")

SQLITE_BUSY_TIMEOUT_MS = 10_000
# session.info key under which showroom.services.audit.record leaves the new audit head.
_AUDIT_HEAD_KEY = "showroom_audit_head"

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently ``Database.run`` re-runs a transaction.

    Pauses grow from ``first_delay_s`` by doubling up to ``max_delay_s``, each drawn
    at random between half and all of that ("jitter"), so two desks that collided
    do not collide again in step.
    """

    attempts: int = 8
    first_delay_s: float = 0.01
    max_delay_s: float = 0.5

    def delay(self, attempt: int) -> float:
        ceiling = min(self.max_delay_s, self.first_delay_s * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)


# PostgreSQL answers a deadlock within its deadlock_timeout (1 s): retry readily. SQLite
# already waited busy_timeout (10 s) for the file before saying "locked": once more is enough.
POSTGRES_RETRY = RetryPolicy()
SQLITE_RETRY = RetryPolicy(attempts=2, first_delay_s=0.05, max_delay_s=0.2)


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (the driver's own is deferred).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_on_begin(conn: Any) -> None:
    immediate = conn.get_execution_options().get("sqlite_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Create an engine with the settings this app relies on for ``url``."""
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if url.get_backend_name() == "postgresql":
        connect_args = kwargs.setdefault("connect_args", {})
        connect_args.setdefault("connect_timeout", 5)
        connect_args.setdefault("application_name", "showroom")
        # A dead network must fail a query within seconds, not after the OS's TCP timeout.
        connect_args.setdefault("tcp_user_timeout", 5000)
        connect_args.setdefault("keepalives_idle", 5)
        connect_args.setdefault("keepalives_interval", 2)
        connect_args.setdefault("keepalives_count", 2)
    return create_engine(url, **kwargs)


class WritesRefused(RuntimeError):
    """This app must not write to this database (its schema is another version)."""


class Database:
    """An engine plus the two ways the app opens a unit of work.

    ``writes_refused`` holds the reason when the schema does not match the app;
    ``write()`` then raises ``WritesRefused`` instead of risking the data.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.writes_refused: str | None = None
        # Names this Database in the change feed, so its own changes are not echoed back.
        self.origin = str(uuid.uuid4())
        # Told (seq, hash) of the audit head after a write that appended to the audit log
        # committed: the app keeps it outside the database (showroom.audit_anchors).
        self.on_audit_commit: Callable[[int, str], None] | None = None
        self._feed_ready: bool | None = None
        self.retry = SQLITE_RETRY if engine.dialect.name == "sqlite" else POSTGRES_RETRY
        # Transient failures retried, by reason ("deadlock", "sqlite_busy"...): benchmarks
        # and tests read it; nothing else depends on it.
        self.retries: Counter[str] = Counter()
        self._retries_lock = threading.Lock()
        writer = engine.execution_options(sqlite_immediate=True)
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(writer, expire_on_commit=False)
        from db.sync import feed

        feed.install(self._write)

    @classmethod
    def from_url(cls, url: str | URL, **kwargs: Any) -> Database:
        return cls(make_engine(url, **kwargs))

    @property
    def kind(self) -> str:
        """``"sqlite"`` (embedded) or ``"postgresql"`` (shared)."""
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries; closed (its transaction rolled back) at the end."""
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that commits on success and rolls back on error.

        An exception with a true ``keep_changes`` attribute commits what was
        done before it was raised, then propagates.
        """
        if self.writes_refused:
            raise WritesRefused(self.writes_refused)
        with self._write() as session:
            session.begin()
            try:
                yield session
            except BaseException as exc:
                # A refusal that is itself a fact (failed sign-in counted and audited)
                # marks itself ``keep_changes``; everything else is undone.
                if getattr(exc, "keep_changes", False):
                    self._before_commit(session)
                    head = self._audit_head(session)
                    session.commit()
                    self._audit_committed(head)
                else:
                    session.rollback()
                raise
            self._before_commit(session)
            head = self._audit_head(session)
            session.commit()
            self._audit_committed(head)

    def _audit_head(self, session: Session) -> tuple[int, str] | None:
        """The audit head as this transaction leaves it, if it appended to the log.

        Read back rather than taken from ``record``: an entry made inside a savepoint
        that was rolled back must not be anchored as if it had been committed.
        """
        if not session.info.pop(_AUDIT_HEAD_KEY, None) or self.on_audit_commit is None:
            return None
        from sqlalchemy import select

        from db.models.audit import AuditHead

        # A Core read, not the identity map: the append moved the head with a Core UPDATE.
        head = session.execute(
            select(AuditHead.last_seq, AuditHead.last_hash).where(AuditHead.id == 1)
        ).first()
        return (int(head.last_seq), head.last_hash) if head is not None else None

    def _audit_committed(self, head: tuple[int, str] | None) -> None:
        if head is not None and self.on_audit_commit is not None:
            self.on_audit_commit(*head)

    def run(self, work: Callable[[Session], T]) -> T:
        """``work(session)`` in one write transaction, re-run whole on a transient failure.

        ``work`` must be safe to run again: it gets a fresh session each time and
        should change nothing outside it (plain data in, plain data out). After
        the last attempt the database's own exception propagates.
        """
        from db import faults

        attempt = 1
        while True:
            try:
                with self.write() as session:
                    return work(session)
            except Exception as exc:
                if attempt >= self.retry.attempts or not faults.is_transient(exc):
                    raise
                why = faults.reason(exc)
                with self._retries_lock:
                    self.retries[why] += 1
                pause = self.retry.delay(attempt)
                log.info("transaction retried after %s (attempt %d)", why, attempt)
                time.sleep(pause)
                attempt += 1

    @property
    def feed_ready(self) -> bool:
        """Whether the schema has the change feed (a database mid-migration may not)."""
        if self._feed_ready is None:
            self._feed_ready = inspect(self.engine).has_table("change_feed")
        return self._feed_ready

    def schema_changed(self) -> None:
        """Forget what was learnt about the schema (after a migration)."""
        self._feed_ready = None

    def _before_commit(self, session: Session) -> None:
        """The global locks, last and in the order of ``db.locks``: audit head, then feed."""
        from db import locks

        locks.run_commit_hooks(session)
        self._append_feed(session)

    def _append_feed(self, session: Session) -> None:
        from db.sync import feed

        if self.feed_ready:
            feed.append(session, self.origin)
        else:
            feed.discard(session)

    def dispose(self) -> None:
        self.engine.dispose()
