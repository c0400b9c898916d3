"""Stores of a dealer group, their staff, the roles each person holds and the roster."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, Entity, SoftDeleted
from db.models.enums import Role, RosterStatus, enum_type

# Monday..Sunday, "1" on duty, "0" off: the pattern a new person starts with is every day,
# so nobody silently disappears from the rotation before the manager sets their days off.
EVERY_DAY = "1111111"


class Store(Entity, SoftDeleted, Base):
    """One showroom and its profile (门店资料): what every paper of the store prints.

    ``code`` prefixes its human numbers (e.g. BJ01-2026-000123). ``public_url`` is the
    base address of the store's car pages (or a template with ``{stock_no}``).
    ``setup_steps`` remembers which first-run checklist steps are done (step -> ISO time).
    """

    __tablename__ = "stores"

    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Shanghai")
    letterhead: Mapped[str] = mapped_column(Text, default="")
    credit_code: Mapped[str] = mapped_column(String(18), default="", server_default="")
    bank_name: Mapped[str] = mapped_column(String(60), default="", server_default="")
    bank_account: Mapped[str] = mapped_column(String(40), default="", server_default="")
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    public_url: Mapped[str] = mapped_column(String(300), default="", server_default="")
    setup_steps: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class Staff(Entity, SoftDeleted, Base):
    """A person who signs in. Secrets are KDF hashes, never the secret itself.

    A person who signed anything is never deleted: ``active`` False (停用) keeps
    their name on every paper and in the audit log. ``roles`` is the set of roles
    held (rows of ``staff_roles``); ``weekly_pattern`` their usual week, which
    ``roster_days`` overrides day by day.
    """

    __tablename__ = "staff"
    __table_args__ = (
        CheckConstraint(
            "length(weekly_pattern) = 7 "
            "AND replace(replace(weekly_pattern, '0', ''), '1', '') = ''",
            name="weekly_pattern_days",
        ),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"), index=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(200))
    pin_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    weekly_pattern: Mapped[str] = mapped_column(
        String(7), default=EVERY_DAY, server_default=EVERY_DAY
    )
    phone: Mapped[str | None] = mapped_column(String(20), default=None)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(default=None)

    role_links: Mapped[list[StaffRole]] = relationship(
        back_populates="staff",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="StaffRole.role",
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(link.role for link in self.role_links)

    @roles.setter
    def roles(self, wanted: Any) -> None:
        wanted = frozenset({wanted} if isinstance(wanted, Role) else (Role(r) for r in wanted))
        for link in list(self.role_links):
            if link.role not in wanted:
                self.role_links.remove(link)
        held = {link.role for link in self.role_links}
        for role in sorted(wanted - held):
            self.role_links.append(StaffRole(role=role))

    @classmethod
    def holds(cls, role: Role) -> ColumnElement[bool]:
        """SQL: this person holds ``role`` (``select(Staff).where(Staff.holds(Role.SALES))``)."""
        return cls.role_links.any(StaffRole.role == role)


class StaffRole(Entity, Base):
    """One role held by one person; a person may hold several (e.g. sales + appraiser)."""

    __tablename__ = "staff_roles"
    __table_args__ = (UniqueConstraint("staff_id", "role"),)

    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_type(Role, "staff_role"))

    staff: Mapped[Staff] = relationship(back_populates="role_links")


class RosterDay(Entity, Base):
    """A day that differs from the person's weekly pattern: leave, sick, off-site, extra shift.

    ``day`` is the store's local calendar day. One row per person and day.
    """

    __tablename__ = "roster_days"
    __table_args__ = (UniqueConstraint("staff_id", "day"),)

    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[RosterStatus] = mapped_column(enum_type(RosterStatus))
    note: Mapped[str] = mapped_column(String(100), default="")
    set_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)


class DashboardTarget(Entity, Base):
    """经营目标: the manager's target and warning level for one dashboard metric.

    Counts (visits, test drives, deposits, deals) are per month and pro-rated to the
    range shown; rates (conversion, revisit, repurchase) are whole percent. Below the
    warning level the card turns red, from the target on green (migration 0019).
    """

    __tablename__ = "dashboard_targets"
    __table_args__ = (
        Index("uq_dashboard_targets_store_metric", "store_id", "metric", unique=True),
        CheckConstraint("target >= 1 AND target <= 1000000", name="target_range"),
        CheckConstraint(
            "warning IS NULL OR (warning >= 0 AND warning < target)", name="warning_below"
        ),
        CheckConstraint(
            "metric NOT IN ('conversion', 'revisit', 'repurchase') OR target <= 100",
            name="rate_percent",
        ),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    metric: Mapped[str] = mapped_column(String(20))
    target: Mapped[int] = mapped_column(Integer)
    warning: Mapped[int | None] = mapped_column(Integer, default=None)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)


CONSULTANT_TARGET_MAX = {"deals": 10_000, "amount": 100_000_000}


class ConsultantTarget(Entity, Base):
    """个人目标: the manager's monthly target for one consultant (migration 0022).

    ``deals`` in signed sales, ``amount`` in whole yuan of signed sale prices; pro-rated
    to the days the dashboard shows, like the store's counts. Its own table rather than
    a ``staff_id`` on ``dashboard_targets``: that table's unique key and CHECKs (a
    million at most, the rate metrics) are the store's, and changing them on SQLite
    would mean copying the table.
    """

    __tablename__ = "consultant_targets"
    __table_args__ = (
        Index("uq_consultant_targets_staff_metric", "staff_id", "metric", unique=True),
        CheckConstraint("metric IN ('deals', 'amount')", name="metric_known"),
        CheckConstraint(
            "target >= 1 AND target <= CASE metric WHEN 'deals' THEN 10000 ELSE 100000000 END",
            name="target_range",
        ),
        CheckConstraint(
            "warning IS NULL OR (warning >= 0 AND warning < target)", name="warning_below"
        ),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"), index=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"))
    metric: Mapped[str] = mapped_column(String(10))
    target: Mapped[int] = mapped_column(Integer)
    warning: Mapped[int | None] = mapped_column(Integer, default=None)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
