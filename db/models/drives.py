"""Test drives (试驾): booking, licence check, check-out and return."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Entity
from db.models.enums import IntentGrade, TestDriveStatus, enum_type


class TestDrive(Entity, Base):
    __test__ = False  # not a pytest test class despite the name
    __tablename__ = "test_drives"
    __table_args__ = (
        Index("ix_test_drives_vehicle_slot", "vehicle_id", "slot_start"),
        # The dashboard's drives in a range, read from the index alone (0022).
        Index(
            "ix_test_drives_slot_cover",
            "slot_start",
            "status",
            "store_id",
            "consultant_id",
            "customer_id",
        ),
        # A car is out on one test drive at a time, even when two desks check out at once.
        Index(
            "uq_test_drives_vehicle_out",
            "vehicle_id",
            unique=True,
            sqlite_where=text("status = 'checked_out'"),
            postgresql_where=text("status = 'checked_out'"),
        ),
        CheckConstraint("slot_end > slot_start", name="slot_order"),
        CheckConstraint(
            "in_odometer_km IS NULL OR out_odometer_km IS NULL"
            " OR in_odometer_km >= out_odometer_km",
            name="odometer_forward",
        ),
        CheckConstraint(
            "out_fuel_percent IS NULL OR (out_fuel_percent BETWEEN 0 AND 100)",
            name="fuel_percent_range",
        ),
        CheckConstraint(
            "in_fuel_percent IS NULL OR (in_fuel_percent BETWEEN 0 AND 100)",
            name="in_fuel_percent_range",
        ),
        # A car leaves only after the licence check, the signed agreement and the
        # check-out reading; a return has its time and reading (migration 0018).
        CheckConstraint(
            "status NOT IN ('checked_out', 'returned') OR (licence_number IS NOT NULL"
            " AND licence_valid_until IS NOT NULL AND agreement_document_id IS NOT NULL"
            " AND out_at IS NOT NULL AND out_odometer_km IS NOT NULL)",
            name="out_checked",
        ),
        CheckConstraint(
            "status <> 'returned' OR (in_at IS NOT NULL AND in_odometer_km IS NOT NULL)",
            name="return_recorded",
        ),
        # Overlapping active bookings of one car are refused by the database too:
        # an exclusion constraint on PostgreSQL, a trigger on SQLite (migration 0004).
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    booking_code: Mapped[str] = mapped_column(String(12), unique=True)
    vehicle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vehicles.id"))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    consultant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
    slot_start: Mapped[datetime] = mapped_column()
    slot_end: Mapped[datetime] = mapped_column()
    status: Mapped[TestDriveStatus] = mapped_column(
        enum_type(TestDriveStatus), default=TestDriveStatus.BOOKED
    )
    licence_number: Mapped[str | None] = mapped_column(String(18), default=None)
    licence_class: Mapped[str | None] = mapped_column(String(8), default=None)
    licence_valid_until: Mapped[date | None] = mapped_column(Date, default=None)
    licence_name: Mapped[str | None] = mapped_column(String(60), default=None)
    licence_photo_sha: Mapped[str | None] = mapped_column(ForeignKey("media.sha256"), default=None)
    agreement_document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("documents.id"), default=None
    )
    out_at: Mapped[datetime | None] = mapped_column(default=None)
    out_odometer_km: Mapped[int | None] = mapped_column(Integer, default=None)
    out_fuel_percent: Mapped[int | None] = mapped_column(Integer, default=None)
    accompanying_staff_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff.id"), default=None
    )
    route: Mapped[str] = mapped_column(String(200), default="")
    in_at: Mapped[datetime | None] = mapped_column(default=None)
    in_odometer_km: Mapped[int | None] = mapped_column(Integer, default=None)
    in_fuel_percent: Mapped[int | None] = mapped_column(Integer, default=None)
    damage_photo_shas: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    booked_via: Mapped[str] = mapped_column(String(10), default="desk")  # desk / kiosk
    damage_notes: Mapped[str] = mapped_column(Text, default="")
    feedback: Mapped[str] = mapped_column(Text, default="")
    intent_grade: Mapped[IntentGrade | None] = mapped_column(enum_type(IntentGrade), default=None)
