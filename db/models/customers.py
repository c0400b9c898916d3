"""Customers (one per normalised mobile number), consents, visits and follow-ups."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Entity, SoftDeleted
from db.models.enums import (
    ConsentPurpose,
    FollowUpStatus,
    IntentGrade,
    InteractionChannel,
    SourceChannel,
    Title,
    VisitOutcome,
    VisitPurpose,
    VisitStatus,
    enum_type,
)


class Customer(Entity, SoftDeleted, Base):
    """统一客户ID: one live record per mobile number across the dealer group.

    A merged duplicate keeps its row (for history) with ``merged_into_id`` and
    ``deleted_at`` set, so the phone becomes free for the survivor only.
    """

    __tablename__ = "customers"
    __table_args__ = (
        Index(
            "uq_customers_phone_live",
            "phone",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    title: Mapped[Title] = mapped_column(enum_type(Title), default=Title.NONE)
    phone: Mapped[str] = mapped_column(String(20))
    id_number: Mapped[str | None] = mapped_column(String(18), default=None)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
    owner_since: Mapped[datetime | None] = mapped_column(default=None)
    intent_grade: Mapped[IntentGrade | None] = mapped_column(enum_type(IntentGrade), default=None)
    source_channel: Mapped[SourceChannel] = mapped_column(
        enum_type(SourceChannel), default=SourceChannel.WALK_IN
    )
    budget_min: Mapped[Decimal | None] = mapped_column(default=None)
    budget_max: Mapped[Decimal | None] = mapped_column(default=None)
    intended_use: Mapped[str] = mapped_column(String(100), default="")
    preferred_models: Mapped[str] = mapped_column(String(200), default="")
    decision_cycle: Mapped[str] = mapped_column(String(40), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("customers.id"), default=None
    )


class Consent(Entity, Base):
    """A PIPL consent as given: which text version, for what purpose, when, by whom."""

    __tablename__ = "consents"

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    purpose: Mapped[ConsentPurpose] = mapped_column(enum_type(ConsentPurpose))
    granted: Mapped[bool] = mapped_column(Boolean)
    text_version: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[datetime] = mapped_column()
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
    channel: Mapped[str] = mapped_column(String(20), default="desk")  # desk / kiosk


class Visit(Entity, Base):
    """One arrival at the showroom (到店), logged at the desk or the kiosk."""

    __tablename__ = "visits"
    __table_args__ = (
        Index("ix_visits_store_arrived", "store_id", "arrived_at"),
        # Covering indexes for the dashboard (migration 0003_reports).
        Index(
            "ix_visits_arrived_cover",
            "arrived_at",
            "store_id",
            "consultant_id",
            "purpose",
            "customer_id",
        ),
        Index(
            "ix_visits_customer_cover",
            "customer_id",
            "consultant_id",
            "arrived_at",
            "purpose",
            "store_id",
        ),
        CheckConstraint("party_size >= 1", name="party_size_positive"),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    visit_no: Mapped[str] = mapped_column(String(24), unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    purpose: Mapped[VisitPurpose] = mapped_column(enum_type(VisitPurpose))
    source_channel: Mapped[SourceChannel] = mapped_column(enum_type(SourceChannel))
    party_size: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[VisitStatus] = mapped_column(enum_type(VisitStatus), default=VisitStatus.WAITING)
    consultant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
    arrived_at: Mapped[datetime] = mapped_column()
    greeted_at: Mapped[datetime | None] = mapped_column(default=None)
    left_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome: Mapped[VisitOutcome | None] = mapped_column(enum_type(VisitOutcome), default=None)
    intent_grade: Mapped[IntentGrade | None] = mapped_column(enum_type(IntentGrade), default=None)
    test_drive_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("test_drives.id"), default=None
    )
    registration_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("registrations.id"), default=None
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)


class Interaction(Entity, Base):
    """A contact with the customer (in store, call, WeChat) and what came of it."""

    __tablename__ = "interactions"

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
    channel: Mapped[InteractionChannel] = mapped_column(enum_type(InteractionChannel))
    at: Mapped[datetime] = mapped_column()
    summary: Mapped[str] = mapped_column(Text, default="")


class GradeChange(Entity, Base):
    """History of a customer's intent grade (A/B/C/D)."""

    __tablename__ = "grade_changes"

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    old_grade: Mapped[IntentGrade | None] = mapped_column(
        enum_type(IntentGrade, "old_intentgrade"), default=None
    )
    new_grade: Mapped[IntentGrade] = mapped_column(enum_type(IntentGrade))
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
    reason: Mapped[str] = mapped_column(String(200), default="")


class FollowUp(Entity, Base):
    """A scheduled contact (3 days, 1/3/6/12 months after a sale, or after a visit)."""

    __tablename__ = "follow_ups"
    __table_args__ = (Index("ix_follow_ups_owner_due", "consultant_id", "status", "due_on"),)

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    consultant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
    due_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(40))  # e.g. contract_3d, contract_1m, visit
    contract_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contracts.id"), default=None)
    visit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("visits.id"), default=None)
    status: Mapped[FollowUpStatus] = mapped_column(
        enum_type(FollowUpStatus), default=FollowUpStatus.OPEN
    )
    result: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None] = mapped_column(default=None)
