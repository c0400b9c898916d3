"""Stores of a dealer group and their staff."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Entity, SoftDeleted
from db.models.enums import Role, enum_type


class Store(Entity, SoftDeleted, Base):
    """One showroom. ``code`` prefixes its human numbers (e.g. BJ01-2026-000123)."""

    __tablename__ = "stores"

    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Shanghai")
    letterhead: Mapped[str] = mapped_column(Text, default="")


class Staff(Entity, SoftDeleted, Base):
    """A person who signs in. Secrets are KDF hashes, never the secret itself."""

    __tablename__ = "staff"

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"), index=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    role: Mapped[Role] = mapped_column(enum_type(Role))
    password_hash: Mapped[str] = mapped_column(String(200))
    pin_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    on_duty: Mapped[bool] = mapped_column(Boolean, default=True)
    phone: Mapped[str | None] = mapped_column(String(20), default=None)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(default=None)
