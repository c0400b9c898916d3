"""Inventory queries: filtering and paging happen in SQL, rows come back as plain data."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from db.models import Energy, Vehicle, VehicleStatus


@dataclass(frozen=True)
class VehicleFilter:
    text: str = ""
    brand: str | None = None
    status: VehicleStatus | None = None
    energy: Energy | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    min_year: int | None = None
    max_year: int | None = None
    max_mileage_km: int | None = None
    customer_visible_only: bool = False  # kiosk: only cars a customer may see


@dataclass(frozen=True)
class VehicleRow:
    """What a list shows and ``vehicles list --json`` prints. No cost price."""

    id: uuid.UUID
    stock_no: str
    vin: str | None
    plate: str | None
    brand: str
    model: str
    trim: str
    year: int
    first_registration: date | None
    mileage_km: int
    price: Decimal
    status: VehicleStatus
    energy: Energy
    colour: str

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["id"] = str(self.id)
        data["price"] = str(self.price)
        data["status"] = self.status.value
        data["energy"] = self.energy.value
        data["first_registration"] = (
            self.first_registration.isoformat() if self.first_registration else None
        )
        return data


_ROW_COLUMNS = (
    Vehicle.id,
    Vehicle.stock_no,
    Vehicle.vin,
    Vehicle.plate,
    Vehicle.brand,
    Vehicle.model,
    Vehicle.trim,
    Vehicle.year,
    Vehicle.first_registration,
    Vehicle.mileage_km,
    Vehicle.list_price,
    Vehicle.status,
    Vehicle.energy,
    Vehicle.colour,
)

# What a customer may see (kiosk, public listings): never cars in preparation or sold.
CUSTOMER_VISIBLE_STATUSES = (
    VehicleStatus.ON_SALE,
    VehicleStatus.RESERVED,
    VehicleStatus.TEST_DRIVE,
)

SORTS = {
    "stock_no": Vehicle.stock_no,
    "price": Vehicle.list_price,
    "year": Vehicle.year,
    "mileage": Vehicle.mileage_km,
    "brand": Vehicle.brand,
}


def _filtered(stmt: Select[Any], flt: VehicleFilter) -> Select[Any]:
    stmt = stmt.where(Vehicle.deleted_at.is_(None))
    if flt.customer_visible_only:
        stmt = stmt.where(Vehicle.status.in_(CUSTOMER_VISIBLE_STATUSES))
    if flt.text.strip():
        like = f"%{flt.text.strip()}%"
        stmt = stmt.where(
            or_(
                Vehicle.brand.ilike(like),
                Vehicle.model.ilike(like),
                Vehicle.trim.ilike(like),
                Vehicle.vin.ilike(like),
                Vehicle.plate.ilike(like),
                Vehicle.stock_no.ilike(like),
            )
        )
    if flt.brand:
        stmt = stmt.where(Vehicle.brand == flt.brand)
    if flt.status:
        stmt = stmt.where(Vehicle.status == flt.status)
    if flt.energy:
        stmt = stmt.where(Vehicle.energy == flt.energy)
    if flt.min_price is not None:
        stmt = stmt.where(Vehicle.list_price >= flt.min_price)
    if flt.max_price is not None:
        stmt = stmt.where(Vehicle.list_price <= flt.max_price)
    if flt.min_year is not None:
        stmt = stmt.where(Vehicle.year >= flt.min_year)
    if flt.max_year is not None:
        stmt = stmt.where(Vehicle.year <= flt.max_year)
    if flt.max_mileage_km is not None:
        stmt = stmt.where(Vehicle.mileage_km <= flt.max_mileage_km)
    return stmt


def count_vehicles(session: Session, flt: VehicleFilter = VehicleFilter()) -> int:
    return int(session.scalar(_filtered(select(func.count(Vehicle.id)), flt)) or 0)


def list_vehicles(
    session: Session,
    flt: VehicleFilter = VehicleFilter(),
    *,
    offset: int = 0,
    limit: int | None = 200,
    sort: str = "stock_no",
    descending: bool = False,
) -> list[VehicleRow]:
    order = SORTS.get(sort, Vehicle.stock_no)
    stmt = _filtered(select(*_ROW_COLUMNS), flt).order_by(
        order.desc() if descending else order.asc(), Vehicle.id
    )
    if offset:
        stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [VehicleRow(*row) for row in session.execute(stmt)]


def brands(session: Session) -> list[str]:
    stmt = (
        select(Vehicle.brand).where(Vehicle.deleted_at.is_(None)).distinct().order_by(Vehicle.brand)
    )
    return list(session.scalars(stmt))
