"""Read-only queries the customer kiosk may run.

The kiosk is a public screen. These functions return only cars a customer may
see (on sale, reserved, out on a test drive) and only fields a customer may
see: no cost price, no VIN, plate or stock number, no 证件 photos and no evidence
files, nothing about customers or staff. Keeping that boundary here, rather than
trimming ``VehicleRow`` in a widget, means a later kiosk page cannot show staff data
by accident: it never receives it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from db.models import Energy, Vehicle, VehiclePhoto, VehicleStatus
from showroom.errors import NotFoundError
from showroom.money import in_wan
from showroom.services.vehicle_archive import (
    PRIVATE_CATEGORIES,
    VehicleArchive,
    media_bytes,
    vehicle_archive,
)
from showroom.services.vehicles import (
    CUSTOMER_VISIBLE_STATUSES,
    VehicleFilter,
    VehicleRow,
    count_vehicles,
    filter_options,
    list_vehicles,
)

# Customers want the newest cars first; ties broken by id in list_vehicles so pages never overlap.
_SORT = "year"
KIOSK_SORTS = ("year", "price", "mileage")


@dataclass(frozen=True)
class CarQuery:
    """What a customer can filter by on the kiosk (prices in yuan, both ends inclusive)."""

    brand: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    energy_group: str | None = None  # "fuel" / "hybrid" / "ev"
    body_type: str | None = None
    max_mileage_km: int | None = None
    min_year: int | None = None
    sort: str = _SORT
    descending: bool = True

    def to_filter(self) -> VehicleFilter:
        return VehicleFilter(
            brand=self.brand,
            min_price=self.min_price,
            max_price=self.max_price,
            energy_group=self.energy_group,
            body_type=self.body_type,
            max_mileage_km=self.max_mileage_km,
            min_year=self.min_year,
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
    cover_sha: str | None = None  # the cover photo's thumbnail, for the card

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
        session,
        query.to_filter(),
        offset=offset,
        limit=limit,
        sort=query.sort if query.sort in KIOSK_SORTS else _SORT,
        descending=query.descending,
    )
    covers = _cover_thumbnails(session, [row.id for row in rows])
    return [replace(KioskCar.from_row(row), cover_sha=covers.get(row.id)) for row in rows]


def _cover_thumbnails(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Each car's cover thumbnail (or its first photo's when none is marked), one query."""
    if not ids:
        return {}
    stmt = (
        select(VehiclePhoto.vehicle_id, VehiclePhoto.thumbnail_sha)
        .where(
            VehiclePhoto.vehicle_id.in_(ids),
            VehiclePhoto.category.not_in(PRIVATE_CATEGORIES),
        )
        .order_by(VehiclePhoto.vehicle_id, VehiclePhoto.is_cover.desc(), VehiclePhoto.position)
    )
    covers: dict[uuid.UUID, str] = {}
    for vehicle_id, sha in session.execute(stmt):
        covers.setdefault(vehicle_id, sha)
    return covers


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


def body_types(session: Session) -> list[str]:
    """Body types among the cars a customer can see (for the body chips)."""
    return list(filter_options(session, customer_visible_only=True).body_types)


def public_archive(session: Session, vehicle_id: uuid.UUID) -> VehicleArchive:
    """A car's archive as a customer may see it: no cost price, private price lines, VIN, plate.

    A car that was sold or taken off sale meanwhile raises ``NotFoundError`` so the
    kiosk says so instead of showing a car the customer cannot have.
    """
    archive = vehicle_archive(session, vehicle_id)
    if archive.status not in CUSTOMER_VISIBLE_STATUSES:
        raise NotFoundError("kiosk.car_gone", "这辆车已售出或暂停展示，请看看其他车辆")
    return archive.public()


def public_photo(session: Session, vehicle_id: uuid.UUID, sha: str) -> bytes:
    """A photo of a car a customer may see; nothing else in ``media`` is reachable from here."""
    stmt = (
        select(VehiclePhoto.id)
        .join(Vehicle, Vehicle.id == VehiclePhoto.vehicle_id)
        .where(
            VehiclePhoto.vehicle_id == vehicle_id,
            or_(VehiclePhoto.image_sha == sha, VehiclePhoto.thumbnail_sha == sha),
            VehiclePhoto.category.not_in(PRIVATE_CATEGORIES),
            Vehicle.deleted_at.is_(None),
            Vehicle.status.in_(CUSTOMER_VISIBLE_STATUSES),
        )
        .limit(1)
    )
    if session.scalar(stmt) is None:
        raise NotFoundError("media.not_found", "照片暂时无法显示")
    return media_bytes(session, sha)


def public_report(session: Session, vehicle_id: uuid.UUID) -> bytes:
    archive = public_archive(session, vehicle_id)
    if not archive.report_sha:
        raise NotFoundError("vehicle.no_report", "这辆车还没有第三方检测报告")
    return media_bytes(session, archive.report_sha)


def public_report_page(session: Session, vehicle_id: uuid.UUID, sha: str) -> bytes:
    """One page (JPEG) of the third-party report of a car a customer may see."""
    archive = public_archive(session, vehicle_id)
    if sha not in archive.report_pages:
        raise NotFoundError("media.not_found", "报告页面暂时无法显示")
    return media_bytes(session, sha)
