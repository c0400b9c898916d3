"""The local outbox: operations typed while the shared database was unreachable.

A small SQLite file in the PC's data dir (never the shared database). Every
operation is a kind, a JSON payload, its UUID and when it was made; it stays
``pending`` until replayed, then becomes ``done`` or a ``problem`` that stays
listed until staff retry or discard it. Each call opens its own connection
with ``synchronous=FULL``: an operation is on disk when ``add`` returns, so a
crash or power cut while offline loses nothing.

The file also keeps small sync state (the last feed seq this PC has seen).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from db.clock import utcnow

PENDING, DONE, PROBLEM, DISCARDED = "pending", "done", "problem", "discarded"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS operations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    message TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Operation:
    seq: int
    id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    created_at: datetime
    status: str
    message: str
    outcome: str
    attempts: int


def _now() -> str:
    return utcnow().isoformat()


class Outbox:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.row_factory = sqlite3.Row
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # --- operations -------------------------------------------------------------------------

    def add(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        op_id: uuid.UUID | None = None,
        created_at: datetime | None = None,
    ) -> Operation:
        op_id = op_id or uuid.uuid4()
        at = (created_at or utcnow()).isoformat()
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        with self._connect() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO operations (id, kind, payload, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (str(op_id), kind, text, at, _now()),
            )
            row = conn.execute("SELECT * FROM operations WHERE id = ?", (str(op_id),)).fetchone()
        return _operation(row)

    def _list(self, *statuses: str) -> list[Operation]:
        marks = ", ".join("?" for _ in statuses)
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT * FROM operations WHERE status IN ({marks}) ORDER BY seq", statuses
            ).fetchall()
        return [_operation(row) for row in rows]

    def pending(self) -> list[Operation]:
        """In the order they were made: replay keeps it."""
        return self._list(PENDING)

    def problems(self) -> list[Operation]:
        return self._list(PROBLEM)

    def all(self) -> list[Operation]:
        return self._list(PENDING, DONE, PROBLEM, DISCARDED)

    def counts(self) -> dict[str, int]:
        with self._connect() as conn:
            rows = conn.execute("SELECT status, count(*) FROM operations GROUP BY status")
            return {status: n for status, n in rows}

    def _set(self, op_id: uuid.UUID, status: str, *, message: str = "", outcome: str = "") -> None:
        with self._connect() as conn:
            conn.execute(
                "UPDATE operations SET status = ?, message = ?, outcome = ?, "
                "attempts = attempts + 1, updated_at = ? WHERE id = ?",
                (status, message, outcome, _now(), str(op_id)),
            )

    def settle(self, results: list[tuple[uuid.UUID, str, str | None]]) -> None:
        """Many replay results in one transaction: (id, outcome, problem message or None)."""
        now = _now()
        with self._connect() as conn:
            conn.executemany(
                "UPDATE operations SET status = ?, message = ?, outcome = ?, "
                "attempts = attempts + 1, updated_at = ? WHERE id = ?",
                [
                    (PROBLEM if problem is not None else DONE, problem or "", outcome, now, str(i))
                    for i, outcome, problem in results
                ],
            )

    def mark_done(self, op_id: uuid.UUID, outcome: str = "") -> None:
        self._set(op_id, DONE, outcome=outcome)

    def mark_problem(self, op_id: uuid.UUID, message: str) -> None:
        self._set(op_id, PROBLEM, message=message)

    def retry(self, op_id: uuid.UUID) -> None:
        """A problem goes back in the queue (after staff fixed its cause)."""
        with self._connect() as conn:
            conn.execute(
                "UPDATE operations SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
                (PENDING, _now(), str(op_id), PROBLEM),
            )

    def discard(self, op_id: uuid.UUID, reason: str) -> None:
        """Staff decided this operation must not be applied; it stays listed as discarded."""
        with self._connect() as conn:
            conn.execute(
                "UPDATE operations SET status = ?, message = ?, updated_at = ? "
                "WHERE id = ? AND status IN (?, ?)",
                (DISCARDED, reason, _now(), str(op_id), PROBLEM, PENDING),
            )

    # --- state ------------------------------------------------------------------------------

    def get_state(self, key: str) -> str | None:
        with self._connect() as conn:
            row = conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_state(self, key: str, value: str) -> None:
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO state (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


def _operation(row: sqlite3.Row) -> Operation:
    return Operation(
        seq=row["seq"],
        id=uuid.UUID(row["id"]),
        kind=row["kind"],
        payload=json.loads(row["payload"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        status=row["status"],
        message=row["message"],
        outcome=row["outcome"],
        attempts=row["attempts"],
    )
