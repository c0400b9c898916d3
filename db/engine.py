"""Engines and sessions for the embedded SQLite file and the shared PostgreSQL.

``Database.write()`` opens a transaction that takes the write lock at once on
SQLite (``BEGIN IMMEDIATE``): a read-then-write rule (next number, seat count)
then cannot race another PC's writer; PostgreSQL uses row locks instead.

Every write also appends what it changed to the change feed (``db.sync.feed``)
in the same transaction, so other PCs learn of it (LISTEN/NOTIFY or a poll).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000


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
        self._feed_ready: bool | None = None
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
                    self._append_feed(session)
                    session.commit()
                else:
                    session.rollback()
                raise
            self._append_feed(session)
            session.commit()

    @property
    def feed_ready(self) -> bool:
        """Whether the schema has the change feed (a database mid-migration may not)."""
        if self._feed_ready is None:
            self._feed_ready = inspect(self.engine).has_table("change_feed")
        return self._feed_ready

    def schema_changed(self) -> None:
        """Forget what was learnt about the schema (after a migration)."""
        self._feed_ready = None

    def _append_feed(self, session: Session) -> None:
        from db.sync import feed

        if self.feed_ready:
            feed.append(session, self.origin)
        else:
            feed.discard(session)

    def dispose(self) -> None:
        self.engine.dispose()
