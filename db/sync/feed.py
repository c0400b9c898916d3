"""The change feed: which rows each commit changed, numbered by the server.

``install`` hooks a sessionmaker: after every flush it notes the table and key
of each inserted, updated or deleted object, and of bulk statements the table.
``append`` (called by ``Database.write`` just before commit) writes those notes
to ``change_feed`` and, on PostgreSQL, sends a NOTIFY that the server delivers
at commit. Nothing here knows any table by name, so tables added later are fed
without changes.

On PostgreSQL the appending transaction first takes one advisory lock held to
commit: feed sequence numbers then commit in order, so a reader that saw seq N
can never miss a smaller one committed later. It is the last lock of the global
order (``db.locks``): nothing is locked after it, and it is held only for the
feed insert, the NOTIFY and the commit.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CTE,
    Connection,
    Select,
    String,
    Text,
    bindparam,
    cast,
    event,
    func,
    insert,
    inspect,
    literal,
    select,
    text,
)
from sqlalchemy.orm import Session, sessionmaker

from db.models.sync import ChangeFeedEntry

CHANNEL = "showroom_changes"
_LOCK_KEY = 730_100_001  # any constant; names the feed's advisory lock
_KEY = "showroom_feed_changes"
_LOCKED = "showroom_feed_locked"  # the feed lock was taken already (``lock_in``)

# Bookkeeping tables whose changes nobody displays.
SKIP_TABLES = frozenset(
    {"change_feed", "applied_operations", "audit_head", "number_sequences", "alembic_version"}
)
# Tables whose screens listen under another name.
TOPIC_ALIASES = {"audit_entries": "audit"}

# Above this many changes a catch-up reports areas only ("vehicles"), not every row.
MAX_ROW_TOPICS = 500


def topic_of(table: str) -> str:
    return TOPIC_ALIASES.get(table, table)


def row_topic(area: str, row_id: str) -> str:
    """``customers`` + id -> ``customer:<id>`` (what screens and services publish)."""
    singular = area[:-1] if area.endswith("s") and not area.endswith("ss") else area
    return f"{singular}:{row_id}"


def _pending(session: Session) -> set[tuple[str, str | None]]:
    return session.info.setdefault(_KEY, set())


def _after_flush(session: Session, _context: Any) -> None:
    pending = _pending(session)
    for obj in (*session.new, *session.dirty, *session.deleted):
        state = inspect(obj)
        if obj in session.dirty and not session.is_modified(obj):
            continue
        table = getattr(state.mapper.persist_selectable, "name", None)
        if not table or table in SKIP_TABLES:
            continue
        key = state.mapper.primary_key_from_instance(obj)
        row_id = str(key[0]) if len(key) == 1 and key[0] is not None else None
        pending.add((table, row_id))


def _on_execute(state: Any) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table and table not in SKIP_TABLES:
        _pending(state.session).add((table, None))


def install(maker: sessionmaker[Session]) -> None:
    """Note the changes of every session ``maker`` makes."""
    event.listen(maker, "after_flush", _after_flush)
    event.listen(maker, "do_orm_execute", _on_execute)


def lock_in(session: Session) -> bool:
    """Whether the statement appending the audit entries may take the feed lock too.

    That statement is the last but the feed's in nearly every write, and the store's
    shared locks (visit counter, audit head) are held meanwhile: taking the feed lock
    in it (``lock_cte``) saves a round trip, and ``append`` then skips its own lock
    statement. PostgreSQL only, and not inside a savepoint (a rolled-back savepoint
    would release the lock).
    """
    if session.get_bind().dialect.name != "postgresql" or session.in_nested_transaction():
        return False
    session.info[_LOCKED] = True
    return True


def lock_cte() -> CTE:
    """``feed_locked``: one row (``one`` = 1) whose making takes the feed lock."""
    return select(
        literal(1).label("one"), func.pg_advisory_xact_lock(_LOCK_KEY).label("locked")
    ).cte("feed_locked")


def discard(session: Session) -> None:
    session.info.pop(_KEY, None)


def append(session: Session, origin: str) -> int | None:
    """Write the session's noted changes to the feed; return the last seq (None: nothing)."""
    session.flush()
    pending = session.info.pop(_KEY, None)
    if not pending:
        return None
    # A table changed in bulk makes its single rows redundant.
    bulk = {table for table, row in pending if row is None}
    rows = [
        {"table_name": t, "row_id": r, "topic": topic_of(t), "origin": origin}
        for t, r in sorted(pending, key=lambda p: (p[0], p[1] or ""))
        if r is None or t not in bulk
    ]
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres and not session.info.pop(_LOCKED, False):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    if postgres:
        # The lock is held until COMMIT: the rows and the NOTIFY go in one round trip,
        # as arrays into a statement of one fixed shape (compiled once, prepared once).
        last = int(
            session.execute(
                _append_and_notify(),
                {
                    "tables": [r["table_name"] for r in rows],
                    "row_ids": [r["row_id"] for r in rows],
                    "topics": [r["topic"] for r in rows],
                    "origin": origin,
                    "channel": CHANNEL,
                },
            ).one()[1]
        )
    else:
        # RETURNING gives the numbers just drawn: no max() over the feed afterwards.
        last = max(session.scalars(insert(ChangeFeedEntry).returning(ChangeFeedEntry.seq), rows))
    session.info.pop(_KEY, None)  # the insert itself noted the feed table (skipped anyway)
    return last


@functools.cache
def _append_and_notify() -> Select[Any]:
    """INSERT the feed rows (unnest of arrays) and NOTIFY their last seq, in one statement."""
    from sqlalchemy.dialects.postgresql import ARRAY

    given = (
        func.unnest(
            bindparam("tables", type_=ARRAY(String)),
            bindparam("row_ids", type_=ARRAY(String)),
            bindparam("topics", type_=ARRAY(String)),
        )
        .table_valued("table_name", "row_id", "topic")
        .render_derived(name="given")
    )
    fed = (
        insert(ChangeFeedEntry)
        .from_select(
            ["table_name", "row_id", "topic", "origin"],
            select(
                given.c.table_name, given.c.row_id, given.c.topic, bindparam("origin", type_=String)
            ),
        )
        .returning(ChangeFeedEntry.seq)
        .cte("fed")
    )
    top = func.max(fed.c.seq)
    return select(func.pg_notify(bindparam("channel", type_=String), cast(top, Text)), top)


@dataclass(frozen=True)
class Changes:
    """What changed after a given seq, as bus topics."""

    last_seq: int
    topics: frozenset[str]
    count: int


def latest_seq(conn: Connection | Session) -> int:
    return int(conn.scalar(select(func.coalesce(func.max(ChangeFeedEntry.seq), 0))) or 0)


def changes_since(
    conn: Connection | Session, seq: int, *, exclude_origin: str | None = None
) -> Changes:
    """Topics of every change with a sequence above ``seq`` (a PC's catch-up)."""
    last = latest_seq(conn)
    if last <= seq:
        return Changes(seq, frozenset(), 0)
    query = select(ChangeFeedEntry.topic, ChangeFeedEntry.row_id).where(
        ChangeFeedEntry.seq > seq, ChangeFeedEntry.seq <= last
    )
    if exclude_origin is not None:
        query = query.where(ChangeFeedEntry.origin != exclude_origin)
    rows = conn.execute(query).all()
    return Changes(last, _topics(rows), len(rows))


def _topics(rows: Iterable[Any]) -> frozenset[str]:
    rows = list(rows)
    topics = {row.topic for row in rows}
    if len(rows) <= MAX_ROW_TOPICS:
        topics |= {row_topic(row.topic, row.row_id) for row in rows if row.row_id}
    return frozenset(topics)


def new_origin() -> str:
    return str(uuid.uuid4())
