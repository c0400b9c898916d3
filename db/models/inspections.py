"""Inspections on the GB/T 30323-2013 checklist, for event cars, stock and buy-ins."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Entity
from db.models.enums import (
    ConditionGrade,
    InspectionSection,
    InspectionStatus,
    ItemResult,
    enum_type,
)


class Inspection(Entity, Base):
    """One revision of an inspection; a correction after finalising is a new revision."""

    __tablename__ = "inspections"
    __table_args__ = (
        CheckConstraint("score IS NULL OR (score BETWEEN 0 AND 100)", name="score_range"),
        CheckConstraint("revision >= 1", name="revision_positive"),
        CheckConstraint(
            "valuation_low IS NULL OR valuation_high IS NULL OR valuation_low <= valuation_high",
            name="valuation_order",
        ),
        CheckConstraint(
            "(valuation_low IS NULL OR valuation_low >= 0)"
            " AND (valuation_high IS NULL OR valuation_high >= 0)",
            name="valuation_not_negative",
        ),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    report_no: Mapped[str] = mapped_column(String(24), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("inspections.id"), default=None
    )
    vehicle_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("vehicles.id"), index=True, default=None
    )
    registration_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("registrations.id"), default=None
    )
    appraiser_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
    status: Mapped[InspectionStatus] = mapped_column(
        enum_type(InspectionStatus), default=InspectionStatus.DRAFT
    )
    # Car as inspected (a customer's car is not in stock).
    plate: Mapped[str | None] = mapped_column(String(10), default=None)
    vin: Mapped[str | None] = mapped_column(String(17), default=None)
    brand: Mapped[str] = mapped_column(String(40), default="")
    model: Mapped[str] = mapped_column(String(60), default="")
    odometer_km: Mapped[int | None] = mapped_column(Integer, default=None)
    started_at: Mapped[datetime] = mapped_column()
    finalised_at: Mapped[datetime | None] = mapped_column(default=None)
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 1), default=None)
    grade: Mapped[ConditionGrade | None] = mapped_column(enum_type(ConditionGrade), default=None)
    accident: Mapped[bool] = mapped_column(Boolean, default=False)
    flood: Mapped[bool] = mapped_column(Boolean, default=False)
    fire: Mapped[bool] = mapped_column(Boolean, default=False)
    valuation_low: Mapped[Decimal | None] = mapped_column(default=None)
    valuation_high: Mapped[Decimal | None] = mapped_column(default=None)
    valuation_note: Mapped[str] = mapped_column(Text, default="")
    # Weights as used for this revision, so a later change of the store's weights
    # does not change a finished report's score.
    section_weights: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    comparables: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=None)
    structural_evidence: Mapped[str] = mapped_column(Text, default="")


class InspectionItem(Entity, Base):
    __tablename__ = "inspection_items"

    inspection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inspections.id"), index=True)
    section: Mapped[InspectionSection] = mapped_column(enum_type(InspectionSection))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(100))
    result: Mapped[ItemResult] = mapped_column(
        enum_type(ItemResult), default=ItemResult.NOT_CHECKED
    )
    severity: Mapped[int | None] = mapped_column(Integer, default=None)
    deduction: Mapped[Decimal | None] = mapped_column(Numeric(5, 1), default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=True)


class InspectionPhoto(Entity, Base):
    __tablename__ = "inspection_photos"

    inspection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inspections.id"), index=True)
    item_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("inspection_items.id"), default=None
    )
    image_sha: Mapped[str] = mapped_column(ForeignKey("media.sha256"))
    thumbnail_sha: Mapped[str] = mapped_column(ForeignKey("media.sha256"))
    caption: Mapped[str] = mapped_column(String(100), default="")


class InspectionChecklist(Entity, Base):
    """A store's own checklist: section weights and items (code, label, required)."""

    __tablename__ = "inspection_checklists"

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"), unique=True)
    weights: Mapped[dict[str, Any]] = mapped_column(JSON)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
