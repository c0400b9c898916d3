"""Turn other PCs' commits into change-bus topics, and watch the connection.

``FeedWatcher`` runs one daemon thread. On PostgreSQL it holds a dedicated
psycopg connection that LISTENs on the feed's channel; each NOTIFY (and, as a
safety net, every heartbeat) pulls the feed entries after the last seq seen
and reports their topics. The heartbeat (``SELECT 1`` every ``heartbeat_s``)
is also how a lost server is noticed within seconds: ``on_online(False)``,
then a reconnect every ``retry_s`` until it answers, then a catch-up pull.
On SQLite a cheap ``max(seq)`` poll does the same.

``on_online(True)`` is repeated after every successful heartbeat, not only on a
change: the app may have marked itself offline for its own reasons (a write
whose connection broke) while this connection stayed fine, and the next beat
must bring it back.

Callbacks run on the watcher thread; keep them short (the change bus is).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import text

from db.engine import Database
from db.sync import feed

log = logging.getLogger("showroom.sync")

TopicsCallback = Callable[[frozenset[str]], None]
OnlineCallback = Callable[[bool], None]


class FeedWatcher:
    def __init__(
        self,
        database: Database,
        on_topics: TopicsCallback,
        *,
        on_online: OnlineCallback | None = None,
        on_seq: Callable[[int], None] | None = None,
        last_seq: int | None = None,
        poll_s: float = 0.25,
        heartbeat_s: float = 2.0,
        retry_s: float = 1.0,
        echo_own: bool = False,
    ) -> None:
        self.database = database
        self._on_topics = on_topics
        self._on_online = on_online
        self._on_seq = on_seq
        self.last_seq = last_seq
        self.poll_s = poll_s
        self.heartbeat_s = heartbeat_s
        self.retry_s = retry_s
        self._echo_own = echo_own
        self.online: bool | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: Any = None

    # --- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="feed-watcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        # The listen loop wakes at least every heartbeat and sees the flag; cancelling
        # its wait from here would block on the connection's lock.
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    # --- the loop ---------------------------------------------------------------------------

    def _run(self) -> None:
        postgres = self.database.kind == "postgresql"
        while not self._stop.is_set():
            try:
                if postgres:
                    self._listen()
                else:
                    self._poll()
            except Exception as exc:  # noqa: BLE001 - any failure means "not reachable now"
                if self._stop.is_set():
                    break
                log.info("change feed unreachable: %s", type(exc).__name__)
                self._set_online(False)
                self._close()
                self._stop.wait(self.retry_s)
        self._close()

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # already broken
                conn.close()

    def _poll(self) -> None:
        beat = 0.0
        while not self._stop.is_set():
            self.pull()
            now = time.monotonic()
            self._set_online(True, beat=now - beat >= self.heartbeat_s)
            if now - beat >= self.heartbeat_s:
                beat = now
            self._stop.wait(self.poll_s)

    def _listen(self) -> None:
        import psycopg

        url = self.database.engine.url.set(drivername="postgresql")
        conn = psycopg.connect(
            url.render_as_string(hide_password=False),
            autocommit=True,
            connect_timeout=5,
            application_name="showroom-feed",
            tcp_user_timeout=5000,
            keepalives_idle=5,
            keepalives_interval=2,
            keepalives_count=2,
        )
        self._conn = conn
        conn.execute(f"LISTEN {feed.CHANNEL}")
        self.pull()  # what happened while not listening
        self._set_online(True)
        while not self._stop.is_set():
            got = False
            for _note in conn.notifies(timeout=self.heartbeat_s, stop_after=1):
                got = True
            if self._stop.is_set():
                break
            if got:
                self.pull()
            else:
                conn.execute("SELECT 1")  # heartbeat: raises when the server is gone
                self.pull()
                self._set_online(True, beat=True)

    def pull(self) -> feed.Changes | None:
        """Publish what changed after ``last_seq`` (first call: start from now)."""
        with self.database.engine.connect() as conn:
            if self.last_seq is None:
                self.last_seq = feed.latest_seq(conn)
                return None
            if conn.dialect.name == "sqlite":
                # The cheap poll: one max() on the primary key, usually unchanged.
                top = conn.execute(text("SELECT max(seq) FROM change_feed")).scalar() or 0
                if top <= self.last_seq:
                    return None
            changes = feed.changes_since(
                conn,
                self.last_seq,
                exclude_origin=None if self._echo_own else self.database.origin,
            )
        if changes.last_seq == self.last_seq:
            return changes
        self.last_seq = changes.last_seq
        if self._on_seq is not None:
            self._on_seq(changes.last_seq)
        if changes.topics:
            self._on_topics(changes.topics)
        return changes

    def _set_online(self, online: bool, *, beat: bool = False) -> None:
        """Report a change; a heartbeat (``beat``) also repeats "online" (see above)."""
        if online != self.online or (online and beat):
            self.online = online
            if self._on_online is not None:
                self._on_online(online)
