"""The audit trail: who did what to which record, hash-chained.

Entries are appended under a lock on ``audit_head`` (row lock on PostgreSQL,
the write lock on SQLite), so two PCs appending at once still form one chain.
``verify`` recomputes every hash and names the first entry that does not fit.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AuditEntry, AuditHead
from showroom.users import KIOSK, SYSTEM, Actor

__all__ = ["KIOSK", "SYSTEM", "Actor", "AuditRow", "VerifyResult", "recent", "record", "verify"]

GENESIS_HASH = "0" * 64
_PAGE = 2000


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


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object = "",
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one entry in the caller's transaction; return its sequence number.

    ``detail`` must be JSON-plain (str, int, bool, None, lists, dicts) and must
    not hold personal data in full: say *that* a phone was revealed, not which.
    """
    detail = json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str))
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    seq = head.last_seq + 1
    # Microseconds survive both backends; the hash must match what is read back.
    at = datetime.now(UTC)
    digest = entry_hash(
        head.last_hash,
        seq,
        at,
        actor.name,
        actor.staff_id,
        actor.store_id,
        action,
        entity,
        str(entity_id),
        detail,
    )
    session.add(
        AuditEntry(
            seq=seq,
            at=at,
            store_id=actor.store_id,
            staff_id=actor.staff_id,
            actor=actor.name,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            detail=detail,
            prev_hash=head.last_hash,
            hash=digest,
        )
    )
    head.last_seq = seq
    head.last_hash = digest
    session.flush()
    return seq


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    first_broken_seq: int | None = None
    reason: str = ""


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


def verify(session: Session) -> VerifyResult:
    """Walk the whole chain; report the first entry that was edited, removed or inserted."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    count = 0
    for entry in _entries(session):
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
    return VerifyResult(True, count)


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    detail: dict[str, Any]


def recent(session: Session, limit: int = 100) -> list[AuditRow]:
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit))
    return [AuditRow(r.seq, r.at, r.actor, r.action, r.entity, r.entity_id, r.detail) for r in rows]
