"""After the sale: 7-day returns (退车) and complaints (投诉).

A return unwinds a signed sale: it names the contract (at most one return per
contract, a unique key), keeps the figures printed on the numbered return
agreement, and the database checks that they add up (refund = price −
deductions, never negative), so a desk cannot store a return that pays out
more than the car was sold for. Its number comes from the store's counter, so
return numbers have no gaps.

A complaint has an owner and a response deadline; a resolved complaint says
how and when. Both tables hold rows of one customer: migration 0019 gives them
the "live customer" trigger of 0018, and merge and erasure cover them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Entity
from db.models.enums import PaymentMethod, enum_type

COMPLAINT_TOPICS = ("car", "staff", "paperwork", "price", "service", "other")
COMPLAINT_STATES = ("open", "resolved")


class VehicleReturn(Entity, Base):
    """退车: one per contract; the refund is the price less the deductions, to the fen."""

    __tablename__ = "vehicle_returns"
    __table_args__ = (
        CheckConstraint("deductions_total >= 0", name="deductions_not_negative"),
        CheckConstraint("refund >= 0", name="refund_not_negative"),
        CheckConstraint("refund = price - deductions_total", name="refund_adds_up"),
        CheckConstraint("mileage_km >= sale_mileage_km", name="mileage_not_below_sale"),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    return_no: Mapped[str] = mapped_column(String(24), unique=True)
    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contracts.id"), unique=True)
    vehicle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vehicles.id"), index=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    deposit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("deposits.id"), default=None)
    reason: Mapped[str] = mapped_column(Text)
    condition: Mapped[str] = mapped_column(Text, default="")
    sale_mileage_km: Mapped[int] = mapped_column(Integer)
    mileage_km: Mapped[int] = mapped_column(Integer)
    price: Mapped[Decimal] = mapped_column()
    deductions: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    deductions_total: Mapped[Decimal] = mapped_column()
    refund: Mapped[Decimal] = mapped_column()
    method: Mapped[PaymentMethod] = mapped_column(enum_type(PaymentMethod))
    payment_ref: Mapped[str] = mapped_column(String(60), default="")
    returned_at: Mapped[datetime] = mapped_column()
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)


class Complaint(Entity, Base):
    """投诉: who, about what, whose job it is, by when; resolved with how and how satisfied."""

    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint(
            "topic IN ('car', 'staff', 'paperwork', 'price', 'service', 'other')", name="topic"
        ),
        CheckConstraint("status IN ('open', 'resolved')", name="status"),
        CheckConstraint("due_at > received_at", name="due_after_received"),
        CheckConstraint(
            "status <> 'resolved' OR (resolved_at IS NOT NULL AND resolution <> '')",
            name="resolved_complete",
        ),
        CheckConstraint(
            "satisfaction IS NULL OR (satisfaction >= 1 AND satisfaction <= 5)",
            name="satisfaction_range",
        ),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"), index=True)
    complaint_no: Mapped[str] = mapped_column(String(24), unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    topic: Mapped[str] = mapped_column(String(20))
    vehicle_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("vehicles.id"), default=None)
    contract_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contracts.id"), default=None)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"))
    received_at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="open")
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
    satisfaction: Mapped[int | None] = mapped_column(Integer, default=None)


WARRANTY_PARTS = ("engine", "gearbox")
WARRANTY_DECISIONS = ("pending", "covered", "not_covered")


class WarrantyClaim(Entity, Base):
    """保修索赔 against a sold car: where it stood against the terms, the diagnosis, the decision.

    ``within_terms`` is fixed when the claim is opened (days since delivery and
    kilometres since the sale against the store's warranty); a covered claim must be
    within them, and a decided one says why and when (CHECKs).
    """

    __tablename__ = "warranty_claims"
    __table_args__ = (
        CheckConstraint("part IN ('engine', 'gearbox')", name="part"),
        CheckConstraint("decision IN ('pending', 'covered', 'not_covered')", name="decision"),
        CheckConstraint("cost >= 0", name="cost_not_negative"),
        CheckConstraint("customer_cost >= 0", name="customer_cost_not_negative"),
        CheckConstraint("mileage_km >= sale_mileage_km", name="mileage_not_below_sale"),
        CheckConstraint(
            "decision = 'pending' OR (decided_at IS NOT NULL AND decision_reason <> '')",
            name="decided_complete",
        ),
        CheckConstraint("decision <> 'covered' OR within_terms", name="covered_within_terms"),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"), index=True)
    claim_no: Mapped[str] = mapped_column(String(24), unique=True)
    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contracts.id"), index=True)
    vehicle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vehicles.id"), index=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    part: Mapped[str] = mapped_column(String(20))
    symptom: Mapped[str] = mapped_column(Text)
    reported_at: Mapped[datetime] = mapped_column()
    sale_mileage_km: Mapped[int] = mapped_column(Integer)
    mileage_km: Mapped[int] = mapped_column(Integer)
    days_since_delivery: Mapped[int] = mapped_column(Integer)
    within_terms: Mapped[bool] = mapped_column(Boolean)
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)  # media SHA-256s
    diagnosis: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(String(20), default="pending")
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    cost: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))  # borne by the store
    customer_cost: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
    opened_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)


PURCHASE_STATES = ("draft", "signed", "void")
SIGNED_PURCHASE = "status = 'signed'"


class VehiclePurchase(Entity, Base):
    """收车: buying a customer's car from a finished inspection with its valuation.

    A numbered purchase agreement, drafted then signed; on signing the car enters
    stock (``vehicle_id``). One signed purchase per inspection report (all its
    revisions share ``report_no``): the partial unique index is the last line when
    two desks sign at once.
    """

    __tablename__ = "vehicle_purchases"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'signed', 'void')", name="status"),
        CheckConstraint("price > 0", name="price_positive"),
        CheckConstraint("keys >= 1 AND keys <= 9", name="keys_range"),
        CheckConstraint(
            "status <> 'signed' OR (vehicle_id IS NOT NULL AND signed_at IS NOT NULL)",
            name="signed_complete",
        ),
        CheckConstraint("status <> 'void' OR voided_at IS NOT NULL", name="void_has_time"),
        Index(
            "uq_vehicle_purchases_report_signed",
            "report_no",
            unique=True,
            sqlite_where=text(SIGNED_PURCHASE),
            postgresql_where=text(SIGNED_PURCHASE),
        ),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"), index=True)
    purchase_no: Mapped[str] = mapped_column(String(24), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    inspection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inspections.id"), index=True)
    report_no: Mapped[str] = mapped_column(String(24))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    consultant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
    price: Mapped[Decimal] = mapped_column()
    seller_id_number: Mapped[str] = mapped_column(String(18))
    method: Mapped[PaymentMethod] = mapped_column(enum_type(PaymentMethod))
    payment_ref: Mapped[str] = mapped_column(String(60), default="")
    keys: Mapped[int] = mapped_column(Integer, default=2)
    documents: Mapped[list[str]] = mapped_column(JSON, default=list)  # handed over
    statements: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    facts: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)  # for the stock card
    vehicle_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("vehicles.id"), unique=True, default=None
    )
    signed_at: Mapped[datetime | None] = mapped_column(default=None)
    voided_at: Mapped[datetime | None] = mapped_column(default=None)
    # 置换: the sale contract this car's price was credited to (both papers name each other).
    credited_contract_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contracts.id"), default=None
    )
