"""The change feed and the record of replayed offline operations.

Neither table is an ``Entity``: feed rows are numbered by the server (the
sequence is the point: a PC asks "what changed after 1234?"), and an applied
operation is keyed by the UUID the offline PC gave it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Identity, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, utcnow

# SQLite makes an INTEGER PRIMARY KEY an autoincrementing rowid; BIGINT would not be.
_SEQ = BigInteger().with_variant(Integer(), "sqlite")


class ChangeFeedEntry(Base):
    """One changed row (or, for a bulk statement, one changed table) of one commit."""

    __tablename__ = "change_feed"

    seq: Mapped[int] = mapped_column(_SEQ, Identity(always=False), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    table_name: Mapped[str] = mapped_column(String(63))
    row_id: Mapped[str | None] = mapped_column(String(64), default=None)
    topic: Mapped[str] = mapped_column(String(80))
    origin: Mapped[str] = mapped_column(String(36))

    __table_args__ = (Index("ix_change_feed_at", "at"),)


class AppliedOperation(Base):
    """An offline operation replayed here; its row makes a second replay a no-op."""

    __tablename__ = "applied_operations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime]
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    origin: Mapped[str] = mapped_column(String(36))
    outcome: Mapped[str] = mapped_column(String(400), default="")
