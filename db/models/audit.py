"""Append-only, hash-chained audit log.

Each entry's hash covers the previous entry's hash, so editing or deleting any
entry breaks the chain; ``audit_head`` remembers the last entry so that cutting
the tail is detected too. Database triggers refuse UPDATE and DELETE, and on
PostgreSQL TRUNCATE; the head only moves forward and the counters never move
backwards (migration 0018). Anchors kept outside the database
(``showroom.audit_anchors``) catch a rewrite done by someone who can bypass all that.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow

# SQLite only auto-assigns INTEGER PRIMARY KEY, not BIGINT.
SeqType = BigInteger().with_variant(Integer(), "sqlite")


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    store_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    actor: Mapped[str] = mapped_column(String(60))  # display name at the time, or "kiosk"
    action: Mapped[str] = mapped_column(String(40), index=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """One row: the last entry's number and hash, locked while appending."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(SeqType, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class NumberSequence(Base):
    """Counters for human numbers, per store, kind and period (year or day).

    Incremented by one UPSERT inside the caller's transaction, so a number is
    only used when the record that carries it commits: no gaps, no duplicates.
    """

    __tablename__ = "number_sequences"
    __table_args__ = (CheckConstraint("last_value >= 0", name="value_not_negative"),)

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)  # store code
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)
