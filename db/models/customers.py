"""Customers (one per normalised mobile number), consents, visits and follow-ups.

The database keeps the customer's invariants too (migration 0018): the phone is
stored in one canonical form only (11-digit mainland mobile, e.g. ``13800138000``),
so ``138 0013 8000`` and ``+8613800138000`` can never be two live customers; an
anonymised customer has no phone at all and is retired; a budget's lower end is
not above its upper end.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
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
    CustomerKind,
    CustomerRole,
    FollowUpStatus,
    IntentGrade,
    InteractionChannel,
    PaymentPreference,
    SourceChannel,
    Title,
    VisitOutcome,
    VisitPurpose,
    VisitStatus,
    enum_type,
)

# The one stored form of a mobile number, as ``showroom.identifiers.normalize_mobile``
# returns it: 11 ASCII digits, 1 then 3-9. Written with length/substr/ltrim so that the
# same text is a CHECK on SQLite and on PostgreSQL (neither shares the other's regex).
CANONICAL_MOBILE_SQL = (
    "length(phone) = 11 AND substr(phone, 1, 1) = '1' "
    "AND substr(phone, 2, 1) IN ('3', '4', '5', '6', '7', '8', '9') "
    "AND ltrim(phone, '0123456789') = ''"
)
# The last four digits of a number, the same expression on SQLite and PostgreSQL.
PHONE_TAIL = "substr(phone, length(phone) - 3)"


class Customer(Entity, SoftDeleted, Base):
    """统一客户ID: one live record per mobile number across the dealer group.

    A merged duplicate keeps its row (for history) with ``merged_into_id`` and
    ``deleted_at`` set, so the phone becomes free for the survivor only. An erased
    (PIPL) or purged customer keeps an anonymous row with ``anonymised_at`` and
    ``deleted_at`` set, so contracts and receipts the law keeps still point at it.
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
        CheckConstraint(
            f"(anonymised_at IS NULL AND {CANONICAL_MOBILE_SQL}) "
            "OR (anonymised_at IS NOT NULL AND deleted_at IS NOT NULL AND phone = '')",
            name="phone_canonical",
        ),
        CheckConstraint(
            "budget_min IS NULL OR budget_max IS NULL OR budget_min <= budget_max",
            name="budget_order",
        ),
        CheckConstraint(
            "(budget_min IS NULL OR budget_min >= 0) AND (budget_max IS NULL OR budget_max >= 0)",
            name="budget_not_negative",
        ),
        # 尾号: the desk finds "0186" through this index, not by scanning every number;
        # with the phone second, the matches come out in number order without a sort.
        Index("ix_customers_phone_tail", "phone_tail", "phone"),
        # The dashboard's channel per customer without reading the row (migration 0022).
        Index("ix_customers_id_channel", "id", "source_channel"),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    title: Mapped[Title] = mapped_column(enum_type(Title), default=Title.NONE)
    phone: Mapped[str] = mapped_column(String(20))
    # The last four digits, computed by the database (see migration 0016_customer_file).
    phone_tail: Mapped[str | None] = mapped_column(String(4), Computed(PHONE_TAIL, persisted=True))
    phone2: Mapped[str | None] = mapped_column(String(20), default=None)
    kind: Mapped[CustomerKind] = mapped_column(
        enum_type(CustomerKind), default=CustomerKind.INDIVIDUAL
    )
    company_name: Mapped[str] = mapped_column(String(60), default="")
    role: Mapped[CustomerRole] = mapped_column(enum_type(CustomerRole), default=CustomerRole.BUYER)
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
    preferred_brands: Mapped[str] = mapped_column(String(100), default="")
    preferred_models: Mapped[str] = mapped_column(String(200), default="")
    decision_cycle: Mapped[str] = mapped_column(String(40), default="")
    payment_preference: Mapped[PaymentPreference | None] = mapped_column(
        enum_type(PaymentPreference), default=None
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("customers.id"), default=None
    )
    # Set when the person's data was erased on request or by the retention rule.
    anonymised_at: Mapped[datetime | None] = mapped_column(default=None)


class CustomerTag(Entity, Base):
    """A tag the store defines (老客户介绍, 企业客户, 急需用车 …) to put on customers."""

    __tablename__ = "customer_tags"
    __table_args__ = (Index("uq_customer_tags_store_name", "store_id", "name", unique=True),)

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    name: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CustomerTagLink(Entity, Base):
    """One tag on one customer."""

    __tablename__ = "customer_tag_links"
    __table_args__ = (
        Index("uq_customer_tag_links_customer_tag", "customer_id", "tag_id", unique=True),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    tag_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customer_tags.id"), index=True)


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
        # Per consultant, their customers together: distinct customers counted per
        # consultant without sorting the year's visits (migration 0022).
        Index(
            "ix_visits_consultant_cover",
            "consultant_id",
            "customer_id",
            "arrived_at",
            "purpose",
            "store_id",
        ),
        # The few visits that recorded a lost-deal reason, by arrival (0022).
        Index(
            "ix_visits_lost_reason",
            "arrived_at",
            "store_id",
            "lost_reason",
            sqlite_where=text("lost_reason IS NOT NULL"),
            postgresql_where=text("lost_reason IS NOT NULL"),
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
    # 战败原因 chosen at check-out when the customer left without interest (0019).
    lost_reason: Mapped[str | None] = mapped_column(String(40), default=None)


class Interaction(Entity, Base):
    """A contact with the customer or a lead (call, WeChat, SMS, in store, online chat):
    what was discussed, the answer, and the next step with its date.

    A lead's contacts carry ``lead_id`` only until the lead becomes a customer; then
    they carry both, so the customer's timeline starts with the first call.
    """

    __tablename__ = "interactions"
    __table_args__ = (
        CheckConstraint("customer_id IS NOT NULL OR lead_id IS NOT NULL", name="has_subject"),
    )

    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("customers.id"), index=True, default=None
    )
    lead_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("leads.id"), index=True, default=None
    )
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
    channel: Mapped[InteractionChannel] = mapped_column(enum_type(InteractionChannel))
    at: Mapped[datetime] = mapped_column()
    summary: Mapped[str] = mapped_column(Text, default="")
    response: Mapped[str] = mapped_column(Text, default="")  # what the customer answered
    next_step: Mapped[str] = mapped_column(String(200), default="")
    next_on: Mapped[date | None] = mapped_column(Date, default=None)


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
    """A scheduled contact (3 days, 1/3/6/12 months after a sale, or after a visit).

    ``cadence_grade`` is set on the follow-ups the grade cadence plans (回访节奏,
    ``showroom.services.cadence``): the grade whose rule gave the date. A customer has
    at most one such follow-up open (a partial unique index, migration 0019): a new
    contact replaces it rather than stacking a second reminder on the list.
    """

    __tablename__ = "follow_ups"
    __table_args__ = (
        Index("ix_follow_ups_owner_due", "consultant_id", "status", "due_on"),
        Index(
            "uq_follow_ups_customer_open_cadence",
            "customer_id",
            unique=True,
            sqlite_where=text("status = 'open' AND cadence_grade IS NOT NULL"),
            postgresql_where=text("status = 'open' AND cadence_grade IS NOT NULL"),
        ),
        # Follow-ups that closed a deal as lost, by when (the dashboard, 0022).
        Index(
            "ix_follow_ups_lost_reason",
            "done_at",
            "customer_id",
            "lost_reason",
            sqlite_where=text("lost_reason IS NOT NULL"),
            postgresql_where=text("lost_reason IS NOT NULL"),
        ),
    )

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
    # The grade (A/B/C/D) whose cadence planned this follow-up; None when planned otherwise.
    # Plain text without a CHECK: added in place on SQLite (no table copy, migration 0019).
    cadence_grade: Mapped[str | None] = mapped_column(String(1), default=None)
    # False: the customer did not pick up or reply (churn signal when twice in a row).
    answered: Mapped[bool | None] = mapped_column(Boolean, default=None)
    # 战败原因 chosen when the call closed the deal as lost (text from ``lost_reasons``).
    lost_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    # After-sale calls: 1-5 (a CHECK on PostgreSQL, a trigger pair on SQLite, 0019).
    satisfaction: Mapped[int | None] = mapped_column(Integer, default=None)
    satisfaction_comment: Mapped[str | None] = mapped_column(String(500), default=None)


class FollowUpCadence(Entity, Base):
    """回访节奏: how soon and how often a store follows up a customer of one intent grade.

    A grade with no row uses the defaults in ``showroom.services.cadence``. ``first_days``
    None means "no automatic follow-up" (D by default); ``repeat_days`` None means one
    follow-up and no repeat.
    """

    __tablename__ = "follow_up_cadences"
    __table_args__ = (
        Index("uq_follow_up_cadences_store_grade", "store_id", "grade", unique=True),
        CheckConstraint(
            "first_days IS NULL OR (first_days >= 1 AND first_days <= 365)", name="first_range"
        ),
        CheckConstraint(
            "repeat_days IS NULL OR (repeat_days >= 1 AND repeat_days <= 365)",
            name="repeat_range",
        ),
        CheckConstraint("first_days IS NOT NULL OR repeat_days IS NULL", name="repeat_needs_first"),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    grade: Mapped[IntentGrade] = mapped_column(enum_type(IntentGrade))
    first_days: Mapped[int | None] = mapped_column(Integer, default=None)
    repeat_days: Mapped[int | None] = mapped_column(Integer, default=None)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)


class LostReason(Entity, Base):
    """战败原因: one entry of the store's list of why a deal was lost (价格太高 …).

    The chosen text is copied onto the visit or follow-up, so renaming or retiring an
    entry never rewrites what was recorded; a retired one is ``active`` False.
    """

    __tablename__ = "lost_reasons"
    __table_args__ = (
        Index("uq_lost_reasons_store_label", "store_id", "label", unique=True),
        CheckConstraint("length(trim(label)) > 0", name="label_present"),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    label: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Referral(Entity, Base):
    """老带新: ``referrer_id`` brought ``referred_id`` to the store, and what they get for it.

    The reward is an amount (fen, ``Money``) or a gift, promised then paid; the CHECKs
    (migration 0019) keep the shape honest and a customer has one referrer. Both ends
    must be live customers (a trigger, as 0018 does for single-customer tables).
    """

    __tablename__ = "referrals"
    __table_args__ = (
        Index("uq_referrals_referred", "referred_id", unique=True),
        CheckConstraint("referrer_id <> referred_id", name="not_self"),
        CheckConstraint(
            "(reward_kind = 'amount' AND reward_amount IS NOT NULL AND reward_amount > 0 "
            "AND reward_gift = '') "
            "OR (reward_kind = 'gift' AND reward_amount IS NULL AND length(trim(reward_gift)) > 0) "
            "OR (reward_kind = 'none' AND reward_amount IS NULL AND reward_gift = '')",
            name="reward_shape",
        ),
        CheckConstraint(
            "(reward_kind = 'none' AND reward_status = 'none') "
            "OR (reward_kind <> 'none' AND reward_status IN ('promised', 'paid'))",
            name="status_matches",
        ),
        CheckConstraint("(reward_status = 'paid') = (paid_at IS NOT NULL)", name="paid_has_time"),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    referrer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    referred_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    reward_kind: Mapped[str] = mapped_column(String(10))  # amount / gift / none
    reward_amount: Mapped[Decimal | None] = mapped_column(default=None)
    reward_gift: Mapped[str] = mapped_column(String(100), default="")
    reward_status: Mapped[str] = mapped_column(String(10))  # promised / paid / none
    paid_at: Mapped[datetime | None] = mapped_column(default=None)
    paid_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)


class ReminderLog(Entity, Base):
    """A buyer reminder (``showroom.services.buyer_reminders``) that was sent or skipped.

    The reminders themselves are computed from the contracts and the car's file; this
    row makes one disappear from the list, once per customer, kind and date.
    """

    __tablename__ = "reminder_log"
    __table_args__ = (
        Index("uq_reminder_log_customer_kind_due", "customer_id", "kind", "due_on", unique=True),
        CheckConstraint("status IN ('sent', 'skipped')", name="status_known"),
        CheckConstraint("channel IN ('sms', 'wechat', 'phone', 'other')", name="channel_known"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime] = mapped_column()
    done_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
