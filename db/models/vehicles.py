"""Vehicles and their archive: photos, price composition, maintenance and history.

Images and PDFs live in ``media`` keyed by SHA-256, inside the database, so every
PC of the store sees the same files and identical files are stored once.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Entity, SoftDeleted, utcnow
from db.models.enums import (
    Acquisition,
    Energy,
    HistoryKind,
    PhotoCategory,
    Transmission,
    VehicleStatus,
    enum_type,
)


class Media(Base):
    """Content-addressed bytes (photos, thumbnails, PDFs, signature images)."""

    __tablename__ = "media"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    mime: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Vehicle(Entity, SoftDeleted, Base):
    """A car in stock (车辆档案). ``cost_price`` is never shown to customers."""

    __tablename__ = "vehicles"
    __table_args__ = (
        UniqueConstraint("source", "source_ref", name="uq_vehicles_source_ref"),
        Index("ix_vehicles_status_brand", "status", "brand", "model"),
        Index("ix_vehicles_price", "list_price"),
        Index("ix_vehicles_year", "year"),
        Index("ix_vehicles_mileage", "mileage_km"),
        # Covers every filter, sort and the search text: counts and pages read only this.
        Index(
            "ix_vehicles_browse",
            "deleted_at",
            "status",
            "brand",
            "model",
            "list_price",
            "year",
            "mileage_km",
            "energy",
            "transmission",
            "body_type",
            "colour",
            "search_text",
            "stock_no",
            "listed_at",
            "id",
        ),
        CheckConstraint("mileage_km >= 0", name="mileage_not_negative"),
        CheckConstraint("list_price >= 0", name="price_not_negative"),
        CheckConstraint("transfers >= 0", name="transfers_not_negative"),
        # Migration 0018: CHECKs on PostgreSQL; triggers of the same names on SQLite,
        # whose table copy cannot carry the computed search text.
        CheckConstraint("cost_price IS NULL OR cost_price >= 0", name="cost_not_negative"),
        CheckConstraint("new_price IS NULL OR new_price >= 0", name="new_price_not_negative"),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"), index=True)
    stock_no: Mapped[str] = mapped_column(String(24), unique=True)
    vin: Mapped[str | None] = mapped_column(String(17), unique=True, default=None)
    plate: Mapped[str | None] = mapped_column(String(10), index=True, default=None)
    engine_no: Mapped[str | None] = mapped_column(String(30), default=None)
    brand: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(60))
    trim: Mapped[str] = mapped_column(String(120), default="")
    year: Mapped[int] = mapped_column(Integer)  # model year
    first_registration: Mapped[date | None] = mapped_column(Date, default=None)
    mileage_km: Mapped[int] = mapped_column(Integer)
    displacement_l: Mapped[Decimal | None] = mapped_column(Numeric(3, 1), default=None)
    ev_range_km: Mapped[int | None] = mapped_column(Integer, default=None)
    energy: Mapped[Energy] = mapped_column(enum_type(Energy))
    transmission: Mapped[Transmission] = mapped_column(enum_type(Transmission))
    emission_standard: Mapped[str] = mapped_column(String(20), default="")
    body_type: Mapped[str] = mapped_column(String(20), default="")  # 轿车 / SUV / MPV ...
    colour: Mapped[str] = mapped_column(String(20), default="")
    seats: Mapped[int | None] = mapped_column(Integer, default=None)
    power_hp: Mapped[int | None] = mapped_column(Integer, default=None)
    drive: Mapped[str] = mapped_column(String(20), default="")
    transfers: Mapped[int] = mapped_column(Integer, default=0)  # 过户次数
    annual_inspection_due: Mapped[date | None] = mapped_column(Date, default=None)
    insurance_due: Mapped[date | None] = mapped_column(Date, default=None)
    new_price: Mapped[Decimal | None] = mapped_column(default=None)  # 新车指导价
    list_price: Mapped[Decimal] = mapped_column()
    cost_price: Mapped[Decimal | None] = mapped_column(default=None)
    status: Mapped[VehicleStatus] = mapped_column(
        enum_type(VehicleStatus), default=VehicleStatus.PREPARING
    )
    configuration: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    third_party_report_sha: Mapped[str | None] = mapped_column(
        ForeignKey("media.sha256"), default=None
    )
    # The report's file name as attached, and its pages as JPEGs (media shas) so the kiosk
    # shows the document without reading a PDF itself.
    third_party_report_name: Mapped[str] = mapped_column(String(120), default="")
    third_party_report_pages: Mapped[list[str]] = mapped_column(JSON, default=list)
    acquisition: Mapped[Acquisition | None] = mapped_column(
        enum_type(Acquisition), default=None
    )  # 收车来源; unknown for cars that came from an import
    listed_at: Mapped[datetime | None] = mapped_column(default=None)
    source: Mapped[str] = mapped_column(String(20), default="manual")
    source_ref: Mapped[str | None] = mapped_column(String(80), default=None)
    # What the search box looks in, computed by the database (see migration 0010_inventory).
    search_text: Mapped[str | None] = mapped_column(
        String(240),
        Computed(
            "lower(brand || ' ' || model || ' ' || \"trim\" || ' ' || coalesce(vin, '') || ' ' "
            "|| coalesce(plate, '') || ' ' || stock_no)",
            persisted=True,
        ),
    )


class VehiclePhoto(Entity, Base):
    __tablename__ = "vehicle_photos"
    __table_args__ = (UniqueConstraint("vehicle_id", "position"),)

    vehicle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vehicles.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    category: Mapped[PhotoCategory] = mapped_column(enum_type(PhotoCategory))
    image_sha: Mapped[str] = mapped_column(ForeignKey("media.sha256"))
    thumbnail_sha: Mapped[str] = mapped_column(ForeignKey("media.sha256"))
    caption: Mapped[str] = mapped_column(String(100), default="")
    is_cover: Mapped[bool] = mapped_column(Boolean, default=False)


class PriceItem(Entity, Base):
    """One line of the price composition; ``public`` lines are shown to customers."""

    __tablename__ = "price_items"

    vehicle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vehicles.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(60))
    amount: Mapped[Decimal] = mapped_column()
    public: Mapped[bool] = mapped_column(Boolean, default=True)


class MaintenanceRecord(Entity, Base):
    __tablename__ = "maintenance_records"

    vehicle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vehicles.id"), index=True)
    performed_on: Mapped[date] = mapped_column(Date)
    mileage_km: Mapped[int | None] = mapped_column(Integer, default=None)
    shop: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text)
    # A photo or PDF of the invoice / service book page. Staff only: it may name the owner.
    document_sha: Mapped[str | None] = mapped_column(ForeignKey("media.sha256"), default=None)


class HistoryRecord(Entity, Base):
    """Accident, flood or fire history (事故/泡水/火烧), disclosed to the customer."""

    __tablename__ = "history_records"

    vehicle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vehicles.id"), index=True)
    kind: Mapped[HistoryKind] = mapped_column(enum_type(HistoryKind))
    occurred_on: Mapped[date | None] = mapped_column(Date, default=None)
    structural: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text)
    # The evidence (insurance record, repair invoice, photo). Staff only: it may name people;
    # customers are told that evidence is on file.
    evidence_sha: Mapped[str | None] = mapped_column(ForeignKey("media.sha256"), default=None)


class MileageReading(Entity, Base):
    """表显里程: what a sold car's odometer said on a day, as the customer told it on a
    call or staff read it at a visit; the maintenance reminder by kilometres estimates
    from these (``showroom.services.mileage``).

    Never below an earlier reading of the car nor its odometer when sold: a trigger on
    both databases (migration 0021) refuses it, as the service does first.
    """

    __tablename__ = "mileage_readings"
    __table_args__ = (
        Index("ix_mileage_readings_vehicle_read", "vehicle_id", "read_on"),
        CheckConstraint("mileage_km >= 0 AND mileage_km <= 2000000", name="km_range"),
        CheckConstraint("source IN ('call', 'visit', 'other')", name="source_known"),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    vehicle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vehicles.id"))
    read_on: Mapped[date] = mapped_column(Date)
    mileage_km: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10))  # call / visit / other
    note: Mapped[str] = mapped_column(String(100), default="")
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)


class MaintenanceInterval(Entity, Base):
    """保养间隔: the store's months and kilometres between services (whichever comes
    first); a store without a row uses 6 months / 5,000 km (migration 0021)."""

    __tablename__ = "maintenance_intervals"
    __table_args__ = (
        Index("uq_maintenance_intervals_store", "store_id", unique=True),
        CheckConstraint("months >= 1 AND months <= 24", name="months_range"),
        CheckConstraint("km >= 1000 AND km <= 50000", name="km_range"),
    )

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    months: Mapped[int] = mapped_column(Integer)
    km: Mapped[int] = mapped_column(Integer)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
