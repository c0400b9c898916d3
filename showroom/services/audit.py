"""The audit trail: who did what to which record, hash-chained.

One global chain, verified exactly: each entry's hash covers the previous one,
and ``audit_head`` holds the last number and hash. Appending needs that head
row locked (a row lock on PostgreSQL, the write lock on SQLite), which makes it
the one lock every audited write in the store shares. So the head is locked
last and briefly (``db.locks``): ``record`` only *stages* an entry in the session;
just before the transaction commits, one hook appends every staged entry under a
single head lock, and the lock is released by that commit. A transaction that
locks the head can therefore never wait for another lock while holding it, and
a check-in of a new customer and one of an existing customer cannot deadlock.

An entry staged inside a savepoint that is rolled back (a replayed operation
refused) is dropped with it. ``verify`` recomputes every hash and names the first
entry that does not fit.

Each committed head is also anchored outside the database
(``showroom.audit_anchors``): ``verify`` checks the chain against those anchors,
which catch a rewrite that recomputed every later hash or a rewound tail.
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Update, bindparam, event, func, insert, select, update
from sqlalchemy.orm import Session, SessionTransaction

from db import locks
from db.models import AuditEntry, AuditHead
from db.sync import feed
from showroom.audit_anchors import Anchor
from showroom.clock import utcnow
from showroom.users import KIOSK, SYSTEM, Actor

__all__ = [
    "KIOSK",
    "SYSTEM",
    "Actor",
    "Anchor",
    "AuditRow",
    "VerifyResult",
    "append_now",
    "current_anchor",
    "recent",
    "record",
    "verify",
]

STORE_ZONE = ZoneInfo("Asia/Shanghai")
GENESIS_HASH = "0" * 64
HEAD_KEY = "showroom_audit_head"  # session.info: the head this transaction appended
_PAGE = 2000
_STAGED = "showroom_audit_staged"


def _canonical_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    staff_id: uuid.UUID | None,
    store_id: uuid.UUID | None,
    action: str,
    entity: str,
    entity_id: str,
    detail: dict[str, Any],
) -> str:
    body = json.dumps(
        [
            seq,
            _canonical_time(at),
            actor,
            str(staff_id) if staff_id else None,
            str(store_id) if store_id else None,
            action,
            entity,
            entity_id,
            detail,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class _Staged:
    """An entry waiting for the commit; ``transaction`` says which savepoint made it."""

    at: datetime
    actor: Actor
    action: str
    entity: str
    entity_id: str
    detail: dict[str, Any]
    transaction: SessionTransaction | None


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Stage one entry in the caller's transaction; it is appended when that commits.

    ``detail`` must be JSON-plain (str, int, bool, None, lists, dicts) and must
    not hold personal data in full: say *that* a phone was revealed, not which.
    A caller that needs the entry's number calls ``append_now`` as its last step.
    """
    detail = json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str))
    staged: list[_Staged] | None = session.info.get(_STAGED)
    if staged is None:
        staged = session.info[_STAGED] = []
        event.listen(session, "after_soft_rollback", _forget_rolled_back)
    locks.at_commit(session, locks.AUDIT_HEAD, "audit", _append_staged)
    staged.append(
        _Staged(
            # When it happened (microseconds survive both backends; the hash must match
            # what is read back), not when the transaction got round to committing.
            utcnow(),
            actor,
            action,
            entity,
            str(entity_id),
            detail,
            session.get_nested_transaction() or session.get_transaction(),
        )
    )


def append_now(session: Session) -> list[int]:
    """Append the staged entries at once and return their numbers.

    This locks the audit head until the transaction ends: call it only as the
    last thing the transaction does (``db.locks``), e.g. a merge that must name
    its audit entry in its result.
    """
    return _append_staged(session)


def _forget_rolled_back(session: Session, previous: SessionTransaction) -> None:
    """A savepoint (or the transaction) was rolled back: its staged entries go with it."""
    staged: list[_Staged] | None = session.info.get(_STAGED)
    if staged:
        staged[:] = [e for e in staged if not _inside(e.transaction, previous)]


def _inside(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _append_staged(session: Session) -> list[int]:
    """All staged entries under one head lock: one SELECT ... FOR UPDATE, one INSERT, one UPDATE."""
    staged: list[_Staged] = session.info.get(_STAGED) or []
    if not staged:
        return []
    entries, staged[:] = list(staged), []
    head = session.execute(
        select(AuditHead.last_seq, AuditHead.last_hash).where(AuditHead.id == 1).with_for_update()
    ).one()
    seq, prev_hash = int(head.last_seq), head.last_hash
    rows: list[dict[str, Any]] = []
    for entry in entries:
        seq += 1
        digest = entry_hash(
            prev_hash,
            seq,
            entry.at,
            entry.actor.name,
            entry.actor.staff_id,
            entry.actor.store_id,
            entry.action,
            entry.entity,
            entry.entity_id,
            entry.detail,
        )
        rows.append(
            {
                "seq": seq,
                "at": entry.at,
                "store_id": entry.actor.store_id,
                "staff_id": entry.actor.staff_id,
                "actor": entry.actor.name,
                "action": entry.action,
                "entity": entry.entity,
                "entity_id": entry.entity_id,
                "detail": entry.detail,
                "prev_hash": prev_hash,
                "hash": digest,
            }
        )
        prev_hash = digest
    if session.get_bind().dialect.name == "postgresql":
        # The head is locked until COMMIT: entries and head go in one round trip, which
        # also takes the change feed's lock, the next and last in the order (db.locks).
        # Arrays into a statement of one fixed shape: compiled once, prepared once.
        params: dict[str, Any] = {name: [row[name] for row in rows] for name in _ENTRY_COLUMNS}
        params.update(last_seq=seq, last_hash=prev_hash)
        session.execute(_append_entries(with_feed_lock=feed.lock_in(session)), params)
    else:
        session.execute(insert(AuditEntry), rows)
        session.execute(
            update(AuditHead).where(AuditHead.id == 1).values(last_seq=seq, last_hash=prev_hash)
        )
    # Tells Database.write to anchor the head once this commits (showroom.audit_anchors).
    session.info[HEAD_KEY] = True
    return [row["seq"] for row in rows]


_ENTRY_COLUMNS = (
    "seq",
    "at",
    "store_id",
    "staff_id",
    "actor",
    "action",
    "entity",
    "entity_id",
    "detail",
    "prev_hash",
    "hash",
)


@functools.cache
def _append_entries(*, with_feed_lock: bool) -> Update:
    """PostgreSQL: INSERT the entries (unnest of arrays) and move the head, one statement."""
    from sqlalchemy.dialects.postgresql import ARRAY

    table = AuditEntry.__table__
    given = (
        func.unnest(*(bindparam(name, type_=ARRAY(table.c[name].type)) for name in _ENTRY_COLUMNS))
        .table_valued(*_ENTRY_COLUMNS)
        .render_derived(name="given")
    )
    appended = (
        insert(AuditEntry)
        .from_select(list(_ENTRY_COLUMNS), select(*(given.c[name] for name in _ENTRY_COLUMNS)))
        .cte("appended")
    )
    statement = (
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(last_seq=bindparam("last_seq"), last_hash=bindparam("last_hash"))
        .add_cte(appended)
    )
    if with_feed_lock:
        lock = feed.lock_cte()
        statement = statement.add_cte(lock).where(select(lock.c.one).scalar_subquery() == 1)
    return statement


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    first_broken_seq: int | None = None
    reason: str = ""
    anchors: int = 0  # anchors kept outside the database that were checked


def _entries(session: Session) -> Iterator[AuditEntry]:
    last = 0
    while True:
        page = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(_PAGE)
        ).all()
        if not page:
            return
        yield from page
        last = page[-1].seq
        session.expunge_all()


def verify(session: Session, anchors: Iterable[Anchor] = ()) -> VerifyResult:
    """Walk the whole chain; report the first entry that was edited, removed or inserted.

    ``anchors`` are heads kept outside the database (``showroom.audit_anchors``): a
    rewrite that recomputed every later hash, or a tail cut together with the head,
    still contradicts each anchor taken after the rewritten entry.
    """
    anchors = sorted(anchors, key=lambda a: a.seq)
    pinned = {a.seq for a in anchors}
    seen: dict[int, str] = {}
    prev_hash = GENESIS_HASH
    expected_seq = 1
    count = 0
    for entry in _entries(session):
        if entry.seq in pinned:
            seen[entry.seq] = entry.hash
        if entry.seq != expected_seq:
            return VerifyResult(False, count, expected_seq, f"条目 {expected_seq} 缺失（已被删除）")
        if entry.prev_hash != prev_hash:
            return VerifyResult(False, count, entry.seq, f"条目 {entry.seq} 与前一条的链接不符")
        recomputed = entry_hash(
            entry.prev_hash,
            entry.seq,
            entry.at,
            entry.actor,
            entry.staff_id,
            entry.store_id,
            entry.action,
            entry.entity,
            entry.entity_id,
            entry.detail,
        )
        if recomputed != entry.hash:
            return VerifyResult(False, count, entry.seq, f"条目 {entry.seq} 的内容被修改")
        prev_hash = entry.hash
        expected_seq += 1
        count += 1
    head = session.get(AuditHead, 1)
    if head is None:
        return VerifyResult(False, count, None, "审计链头记录缺失")
    if head.last_seq != count or head.last_hash != prev_hash:
        return VerifyResult(
            False, count, count + 1, f"最后的条目被删除（链头记录到第 {head.last_seq} 条）"
        )
    return _against_anchors(count, seen, anchors) or VerifyResult(True, count, anchors=len(anchors))


def _when(anchor: Anchor) -> str:
    source = _ANCHOR_SOURCES.get(anchor.source, anchor.source or "链外")
    if anchor.at is None:
        return source
    return f"{source}（{anchor.at.astimezone(STORE_ZONE):%Y-%m-%d %H:%M}）"


_ANCHOR_SOURCES = {
    "write": "本机写入后记录的锚点",
    "start": "本机启动时记录的锚点",
    "verify": "上次校验时记录的锚点",
    "anchor": "手工记录的锚点",
    "typed": "输入的锚点",
}


def _against_anchors(
    count: int, seen: dict[int, str], anchors: list[Anchor]
) -> VerifyResult | None:
    """The first anchor the chain contradicts, as a result; None when all agree."""
    last_good = 0
    for anchor in anchors:
        if anchor.seq > count:
            break
        if not anchor.matches(seen.get(anchor.seq, "")):
            start = last_good + 1
            return VerifyResult(
                False,
                count,
                start,
                f"审计日志被改写并重算了哈希：第 {anchor.seq} 条与{_when(anchor)}不符，"
                f"改动在第 {start} 到 {anchor.seq} 条之间",
                anchors=len(anchors),
            )
        last_good = anchor.seq
    beyond = anchors[-1] if anchors and anchors[-1].seq > count else None
    if beyond is not None:
        return VerifyResult(
            False,
            count,
            count + 1,
            f"审计日志的末尾被删除并改写了链头：{_when(beyond)}显示已有第 {beyond.seq} 条，"
            f"现在只剩 {count} 条",
            anchors=len(anchors),
        )
    return None


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    detail: dict[str, Any]


def current_anchor(session: Session) -> Anchor:
    """The head as it stands: what to write down outside the database."""
    # Through the table, not the mapped class: read at start-up, before anything else
    # needs the ORM, it must not pay for configuring every mapper (~60 ms; see
    # ``ui.app``, which configures them in the background once the app is ready).
    table = AuditHead.__table__
    head = session.execute(
        select(table.c.last_seq, table.c.last_hash).where(table.c.id == 1)
    ).first()
    if head is None:
        return Anchor(0, GENESIS_HASH, utcnow(), "anchor")
    return Anchor(head.last_seq, head.last_hash, utcnow(), "anchor")


def recent(session: Session, limit: int = 100) -> list[AuditRow]:
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit))
    return [AuditRow(r.seq, r.at, r.actor, r.action, r.entity, r.entity_id, r.detail) for r in rows]
