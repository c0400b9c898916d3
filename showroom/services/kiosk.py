"""Read-only queries the customer kiosk may run.

The kiosk is a public screen. These functions return only cars a customer may
see (on sale, reserved, out on a test drive) and only fields a customer may
see: no cost price, no VIN, plate or stock number, nothing about customers or
staff. Keeping that boundary here, rather than trimming ``VehicleRow`` in a
widget, means a later kiosk page cannot show staff data by accident: it never
receives it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Energy, Vehicle, VehicleStatus
from showroom.money import in_wan
from showroom.services.vehicles import (
    CUSTOMER_VISIBLE_STATUSES,
    VehicleFilter,
    VehicleRow,
    count_vehicles,
    list_vehicles,
)

# Customers want the newest cars first; ties broken by id in list_vehicles so pages never overlap.
_SORT = "year"


@dataclass(frozen=True)
class CarQuery:
    """What a customer can filter by on the kiosk (prices in yuan, both ends inclusive)."""

    brand: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None

    def to_filter(self) -> VehicleFilter:
        return VehicleFilter(
            brand=self.brand,
            min_price=self.min_price,
            max_price=self.max_price,
            customer_visible_only=True,
        )


@dataclass(frozen=True)
class KioskCar:
    """One car as a customer sees it. Deliberately has no cost price, VIN, plate or stock no."""

    id: uuid.UUID
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

    @classmethod
    def from_row(cls, row: VehicleRow) -> KioskCar:
        return cls(
            row.id,
            row.brand,
            row.model,
            row.trim,
            row.year,
            row.first_registration,
            row.mileage_km,
            row.price,
            row.status,
            row.energy,
            row.colour,
        )


@dataclass(frozen=True)
class CarPage:
    """One page of results; ``total`` is the number of matching cars (for "共 N 辆")."""

    offset: int
    cars: tuple[KioskCar, ...]
    total: int


def count_cars(session: Session, query: CarQuery = CarQuery()) -> int:
    return count_vehicles(session, query.to_filter())


def list_cars(
    session: Session, query: CarQuery = CarQuery(), *, offset: int = 0, limit: int = 48
) -> list[KioskCar]:
    rows = list_vehicles(
        session, query.to_filter(), offset=offset, limit=limit, sort=_SORT, descending=True
    )
    return [KioskCar.from_row(row) for row in rows]


def car_page(
    session: Session,
    query: CarQuery = CarQuery(),
    *,
    offset: int = 0,
    limit: int = 48,
    total: int | None = None,
) -> CarPage:
    """A page of cars; counts the matches only when ``total`` is not already known."""
    if total is None:
        total = count_cars(session, query)
    cars = tuple(list_cars(session, query, offset=offset, limit=limit))
    return CarPage(offset, cars, total)


def brands(session: Session, limit: int | None = 10) -> list[str]:
    """Brands of cars a customer can see, most cars first (for the brand chips)."""
    count = func.count(Vehicle.id)
    stmt = (
        select(Vehicle.brand)
        .where(Vehicle.deleted_at.is_(None), Vehicle.status.in_(CUSTOMER_VISIBLE_STATUSES))
        .group_by(Vehicle.brand)
        .order_by(count.desc(), Vehicle.brand)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def price_in_wan(price: Decimal) -> Decimal:
    """A yuan amount in 万元 with two places, as used cars are priced (125800 -> 12.58)."""
    return in_wan(price)


def mileage_in_wan_km(mileage_km: int) -> Decimal:
    """Mileage in 万公里 with one place (32150 -> 3.2), the way customers compare cars.

    Screens show less than 1,000 km in plain kilometres instead, because "0.0万公里"
    would read as a new car.
    """
    return (Decimal(mileage_km) / 10_000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
