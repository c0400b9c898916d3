"""A local read cache of the shared database: desk and kiosk keep reading offline.

The replica is a SQLite file in the data folder with the app's own schema
(migrated like the embedded database), so every read service runs on it
unchanged. ``ReadReplica.fill`` copies the tables that inventory, staff,
inspection events and today's board read; ``refresh`` then pulls only the rows
the change feed names since the last pull (a table changed in bulk, or a feed
too far ahead, is copied whole again). ``Keeper`` does this on a daemon thread
while the shared database answers.

Only what those screens need is copied: today's visits and the customers they
name (not the customer file), cover thumbnails (not photos), staff without
their password and PIN hashes. The file sits next to the outbox on the store
PC and is never logged. Foreign keys are not enforced in it: it holds a
consistent subset, never a source of truth, and nothing writes to it but this
module.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, delete, event, func, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from db.base import Base
from db.clock import utcnow
from db.engine import Database, make_engine
from db.models.sync import ChangeFeedEntry

log = logging.getLogger("showroom.sync")

FILE = "read_cache.sqlite3"
# Copied whole (with their rows' changes followed through the feed).
WHOLE = (
    "stores",
    "staff",
    "staff_roles",  # who holds which role: consultant lists, rotation
    "roster_days",  # who is on duty today: the board and the pickers offline
    "vehicles",
    "vehicle_photos",
    "price_items",
    "history_records",
    "maintenance_records",
    "inspection_events",
    "registrations",
)
# Copied in part: today's visits, their customers, cover thumbnails.
PARTIAL = ("visits", "customers", "media")
TABLES = WHOLE + PARTIAL
# Visits this recent count as "today's board" in any time zone of the store.
VISIT_WINDOW = timedelta(hours=36)
# A feed this far ahead is cheaper to answer with a full copy.
MAX_FEED_ROWS = 20_000
CHUNK = 2_000
# Never copied to the store PC: secrets of sign-in.
BLANKED = {"staff": {"password_hash": "", "pin_hash": None}}


def _replica_connect(dbapi_conn: Any, _record: Any) -> None:
    # Runs after make_engine's own listener: a partial copy has dangling references.
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.close()


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _columns(table: Table) -> list[Any]:
    # Computed columns (the vehicles' search text) are the database's to fill.
    return [c for c in table.columns if c.computed is None]


def _key(table: Table, row_id: str) -> Any:
    if table.name == "media":
        return row_id
    try:
        return uuid.UUID(row_id)
    except ValueError:
        return row_id


class ReadReplica:
    """The cache file; ``database`` is a ``Database`` on it for reads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = make_engine(f"sqlite:///{path}")
        event.listen(engine, "connect", _replica_connect)
        self.database = Database(engine)
        self._lock = threading.Lock()
        self._migrate_lock = threading.Lock()
        self._migrated = False
        self._synced_at: datetime | None = None

    # --- state ------------------------------------------------------------------------------

    def _migrate(self) -> None:
        with self._migrate_lock:
            if not self._migrated:
                self._migrate_once()

    def _migrate_once(self) -> None:
        from db import schema

        state = schema.schema_state(self.database)
        if state.status == "newer":  # written by a newer app: start over
            self.database.dispose()
            self.path.unlink(missing_ok=True)
        schema.upgrade(self.database)
        with self.database.engine.begin() as conn:
            conn.execute(
                text("CREATE TABLE IF NOT EXISTS replica_state (key TEXT PRIMARY KEY, value TEXT)")
            )
            # A copy enforces nothing: the shared database did. Its rule triggers (seats,
            # retired customers...) would refuse a copy taken mid-change, table by table.
            for (name,) in conn.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).all():
                conn.execute(text(f'DROP TRIGGER IF EXISTS "{name}"'))
        self._migrated = True

    def _get(self, conn: Connection, key: str) -> str | None:
        return conn.execute(
            text("SELECT value FROM replica_state WHERE key = :k"), {"k": key}
        ).scalar()

    def _set(self, conn: Connection, key: str, value: str) -> None:
        conn.execute(
            text("INSERT OR REPLACE INTO replica_state (key, value) VALUES (:k, :v)"),
            {"k": key, "v": value},
        )

    def synced_at(self) -> datetime | None:
        """When the cache last matched the shared database (None: never filled)."""
        if self._synced_at is not None:
            return self._synced_at
        if not self.path.exists():
            return None
        try:
            self._migrate()
            with self.database.engine.connect() as conn:
                value = self._get(conn, "synced_at")
        except Exception:
            log.warning("read cache unreadable", exc_info=True)
            return None
        self._synced_at = datetime.fromisoformat(value) if value else None
        return self._synced_at

    def _stamp(self, conn: Connection) -> None:
        now = utcnow()
        self._set(conn, "synced_at", now.isoformat())
        self._synced_at = now

    @property
    def ready(self) -> bool:
        return self.synced_at() is not None

    # --- copying ----------------------------------------------------------------------------

    def fill(self, source: Database) -> int:
        """Copy every cached table afresh; return the rows copied."""
        with self._lock:
            self._migrate()
            with source.engine.connect() as src, self.database.engine.begin() as dst:
                seq = int(src.scalar(select(func.coalesce(func.max(ChangeFeedEntry.seq), 0))))
                copied = sum(self._copy_table(src, dst, name) for name in TABLES)
                self._set(dst, "seq", str(seq))
                self._stamp(dst)
            return copied

    def refresh(self, source: Database) -> int:
        """Pull the rows changed since the last pull; a first call fills."""
        self._migrate()
        with self.database.engine.connect() as conn:
            seq = self._get(conn, "seq")
        if seq is None:
            return self.fill(source)
        with self._lock:
            with source.engine.connect() as src:
                top = int(src.scalar(select(func.coalesce(func.max(ChangeFeedEntry.seq), 0))))
                entries = (
                    src.execute(
                        select(ChangeFeedEntry.table_name, ChangeFeedEntry.row_id)
                        .where(ChangeFeedEntry.seq > int(seq), ChangeFeedEntry.seq <= top)
                        .limit(MAX_FEED_ROWS + 1)
                    ).all()
                    if top > int(seq)
                    else []
                )
                if len(entries) > MAX_FEED_ROWS:
                    too_many = True
                else:
                    too_many = False
                    with self.database.engine.begin() as dst:
                        copied = self._apply(src, dst, entries)
                        self._set(dst, "seq", str(top))
                        self._stamp(dst)
            if not too_many:
                return copied
        return self.fill(source)

    def _apply(self, src: Connection, dst: Connection, entries: Iterable[Any]) -> int:
        whole: set[str] = set()
        rows: dict[str, set[str]] = {}
        for table_name, row_id in entries:
            if table_name not in TABLES:
                continue
            if row_id is None:
                whole.add(table_name)
            else:
                rows.setdefault(table_name, set()).add(row_id)
        copied = 0
        for name in TABLES:  # parents before the rows that name them
            if name in whole:
                copied += self._copy_table(src, dst, name)
            elif name in rows:
                copied += self._copy_rows(
                    src, dst, name, [_key(_table(name), r) for r in rows[name]]
                )
        return copied

    def _copy_table(self, src: Connection, dst: Connection, name: str) -> int:
        table = _table(name)
        dst.execute(delete(table))
        query = select(*_columns(table))
        if name == "visits":
            query = query.where(table.c.arrived_at >= utcnow() - VISIT_WINDOW)
        elif name == "customers":
            visits = _table("visits")
            ids = [r[0] for r in dst.execute(select(visits.c.customer_id).distinct())]
            return self._copy_rows(src, dst, name, ids)
        elif name == "media":
            photos = _table("vehicle_photos")
            shas = [r[0] for r in dst.execute(select(photos.c.thumbnail_sha).distinct())]
            return self._copy_rows(src, dst, name, self._covers_only(dst, shas))
        return self._insert(dst, table, src.execute(query).mappings())

    def _covers_only(self, dst: Connection, shas: list[str]) -> list[str]:
        """The thumbnail the kiosk shows per car: the cover, else the first photo."""
        photos = _table("vehicle_photos")
        covers: dict[Any, str] = {}
        for vehicle_id, sha in dst.execute(
            select(photos.c.vehicle_id, photos.c.thumbnail_sha).order_by(
                photos.c.vehicle_id, photos.c.is_cover.desc(), photos.c.position
            )
        ):
            covers.setdefault(vehicle_id, sha)
        wanted = set(covers.values())
        return [sha for sha in shas if sha in wanted]

    def _copy_rows(self, src: Connection, dst: Connection, name: str, keys: list[Any]) -> int:
        table = _table(name)
        pk = next(iter(table.primary_key.columns))
        if name == "customers" and keys:
            # Only customers on today's board (or already cached): not the customer file.
            visits = _table("visits")
            on_board = {r[0] for r in dst.execute(select(visits.c.customer_id).distinct())}
            keys = [k for k in keys if k in on_board]
        copied = 0
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            dst.execute(delete(table).where(pk.in_(part)))
            query = select(*_columns(table)).where(pk.in_(part))
            if name == "visits":
                query = query.where(table.c.arrived_at >= utcnow() - VISIT_WINDOW)
            found = list(src.execute(query).mappings())
            copied += self._insert(dst, table, found)
            if name == "visits":
                customers = list({row["customer_id"] for row in found})
                copied += self._copy_rows(src, dst, "customers", customers)
            elif name == "vehicle_photos":
                shas = [row["thumbnail_sha"] for row in found]
                copied += self._copy_rows(src, dst, "media", self._covers_only(dst, shas))
        return copied

    def _insert(self, dst: Connection, table: Table, rows: Iterable[Any]) -> int:
        blank = BLANKED.get(table.name, {})
        statement = sqlite_insert(table).prefix_with("OR REPLACE")
        batch: list[dict[str, Any]] = []
        count = 0
        for row in rows:
            batch.append({**row, **blank})
            if len(batch) >= CHUNK:
                dst.execute(statement, batch)
                count += len(batch)
                batch = []
        if batch:
            dst.execute(statement, batch)
            count += len(batch)
        return count

    def dispose(self) -> None:
        self.database.dispose()


class Keeper:
    """Keeps a replica fresh on a daemon thread while the shared database answers.

    ``poke()`` asks for a pull now (the feed watcher saw a change); otherwise it
    pulls every ``interval_s``. Failures (the server is gone) are retried quietly.
    """

    def __init__(self, replica: ReadReplica, source: Database, interval_s: float = 5.0) -> None:
        self.replica = replica
        self.source = source
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.refreshed = threading.Event()  # set after each successful pull (tests wait on it)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="read-cache", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.replica.refresh(self.source)
                self.refreshed.set()
            except Exception as exc:  # noqa: BLE001 - unreachable server: try again later
                log.info("read cache not refreshed: %s", type(exc).__name__)
            self._wake.wait(self.interval_s)
            self._wake.clear()
