"""Deposits that reserve a car, and numbered contracts."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Entity
from db.models.enums import (
    ContractKind,
    ContractStatus,
    DepositStatus,
    PaymentMethod,
    enum_type,
)


class Deposit(Entity, Base):
    """意向金: at most one active deposit per car, enforced by a partial unique index."""

    __tablename__ = "deposits"
    __table_args__ = (
        Index(
            "uq_deposits_vehicle_active",
            "vehicle_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        CheckConstraint("amount > 0", name="amount_positive"),
        # The dashboard's deposits in a range with who took them and how much (0022).
        Index(
            "ix_deposits_taken_cover",
            "taken_at",
            "store_id",
            "taken_by_id",
            "customer_id",
            "amount",
        ),
        # The states the desk relies on (migration 0018): a reservation always lapses,
        # after it was taken; money applied to a car names its contract; a closed
        # deposit says when it was closed.
        CheckConstraint("status <> 'active' OR expires_at IS NOT NULL", name="active_expires"),
        CheckConstraint("expires_at IS NULL OR expires_at > taken_at", name="expires_after_taken"),
        CheckConstraint(
            "status <> 'applied' OR applied_contract_id IS NOT NULL", name="applied_has_contract"
        ),
        CheckConstraint("status = 'active' OR closed_at IS NOT NULL", name="closed_has_time"),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    receipt_no: Mapped[str] = mapped_column(String(24), unique=True)
    vehicle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vehicles.id"))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    amount: Mapped[Decimal] = mapped_column()
    method: Mapped[PaymentMethod] = mapped_column(enum_type(PaymentMethod))
    payment_ref: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[DepositStatus] = mapped_column(
        enum_type(DepositStatus), default=DepositStatus.ACTIVE
    )
    taken_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
    taken_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
    close_reason: Mapped[str] = mapped_column(String(200), default="")
    applied_contract_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contracts.id"), default=None
    )


SIGNED_SALE = "status = 'signed' AND kind = 'sale' AND returned_at IS NULL"


class Contract(Entity, Base):
    """A numbered contract. ``terms`` is the exact data printed and signed.

    A void contract keeps its number, so the numbering shows no gaps.
    """

    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint("price IS NULL OR price >= 0", name="price_not_negative"),
        # A signed contract has its price and signing time; a void one its void time.
        CheckConstraint(
            "status <> 'signed' OR (price IS NOT NULL AND signed_at IS NOT NULL)",
            name="signed_complete",
        ),
        CheckConstraint("status <> 'void' OR voided_at IS NOT NULL", name="void_has_time"),
        Index("ix_contracts_vehicle", "vehicle_id"),
        # The dashboard's sales in a range with their consultant, customer and price (0022).
        Index(
            "ix_contracts_signed_cover",
            "signed_at",
            "kind",
            "status",
            "store_id",
            "consultant_id",
            "customer_id",
            "price",
        ),
        # One signed sale per car: two desks signing the same car cannot both succeed.
        # A sale unwound by a 7-day return (``returned_at``, migration 0019) no longer
        # holds the car, so it can be sold again.
        Index(
            "uq_contracts_vehicle_signed",
            "vehicle_id",
            unique=True,
            sqlite_where=text(SIGNED_SALE),
            postgresql_where=text(SIGNED_SALE),
        ),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    contract_no: Mapped[str] = mapped_column(String(24), unique=True)
    kind: Mapped[ContractKind] = mapped_column(enum_type(ContractKind))
    status: Mapped[ContractStatus] = mapped_column(
        enum_type(ContractStatus), default=ContractStatus.DRAFT
    )
    vehicle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vehicles.id"))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    consultant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
    price: Mapped[Decimal | None] = mapped_column(default=None)
    buyer_id_number: Mapped[str | None] = mapped_column(String(18), default=None)
    amends_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contracts.id"), default=None)
    terms: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    signed_at: Mapped[datetime | None] = mapped_column(default=None)
    voided_at: Mapped[datetime | None] = mapped_column(default=None)
    void_reason: Mapped[str] = mapped_column(Text, default="")
    # Set when the car came back under the 7-day return (退车); the contract stays signed.
    returned_at: Mapped[datetime | None] = mapped_column(default=None)
