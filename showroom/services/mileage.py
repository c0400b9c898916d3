"""表显里程与保养间隔: what a sold car has driven, and when it is due a service.

A buyer is due maintenance ``months`` after the last service (or the sale) or after
``km`` kilometres, whichever comes first; the store sets both (``save_interval``,
defaults 6 months / 5,000 km). Kilometres are known from readings of the car:

- the odometer when it was sold (the contract prints the car's ``mileage_km``);
- the service book (``MaintenanceRecord.mileage_km``, when written down);
- warranty claims (the odometer when the claim was opened);
- readings staff record from a call or a visit (``record_reading``: "客户说现在跑了
  12,300 公里"), each with its date, refused when below an earlier reading, above a
  later one, implausibly fast (``MAX_KM_PER_DAY``) or absurd; the database refuses a
  reading out of order too (migration 0021).

From the readings since the sale the car's kilometres per day are estimated (first
to last reading, at least ``MIN_SPAN_DAYS`` apart); with a single reading the
national average (``NATIONAL_KM_PER_YEAR``) is assumed. ``maintenance_due`` then
says the date the kilometre interval will be reached, the date the months run out,
and which comes first.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import (
    Contract,
    ContractKind,
    ContractStatus,
    MaintenanceInterval,
    MaintenanceRecord,
    MileageReading,
    Role,
    Staff,
    Vehicle,
    WarrantyClaim,
)
from showroom.clock import local_day
from showroom.errors import NotFoundError, PermissionDenied, ValidationError
from showroom.services import audit
from showroom.services.contracts import add_months
from showroom.users import StaffUser

STORE_ZONE = ZoneInfo("Asia/Shanghai")
DEFAULT_MONTHS = 6
DEFAULT_KM = 5_000
MONTHS_RANGE = (1, 24)
KM_RANGE = (1_000, 50_000)
# 全国私家车年均行驶里程约 1.2 万公里: the estimate while a car has one reading only.
NATIONAL_KM_PER_YEAR = 12_000
DEFAULT_KM_PER_DAY = NATIONAL_KM_PER_YEAR / 365
MAX_KM = 2_000_000  # an odometer beyond this is a typing mistake (a CHECK says so too)
MAX_KM_PER_DAY = 1_500  # faster than this between two readings is a typing mistake
MIN_SPAN_DAYS = 7  # readings closer together give no rate worth trusting
MAX_NOTE = 100
SOURCES = ("call", "visit", "other")  # what staff record; the others come from the file
MAY_RECORD = frozenset({Role.SALES, Role.MANAGER, Role.RECEPTION})
KM_BASIS, MONTHS_BASIS = "km", "months"


@dataclass(frozen=True)
class Interval:
    months: int
    km: int
    is_default: bool = True


@dataclass(frozen=True)
class Reading:
    """One known odometer figure of a car. ``source``: sale, maintenance, warranty,
    call, visit or other; ``by`` who recorded it (staff readings only)."""

    read_on: date
    km: int
    source: str
    note: str = ""
    by: str = ""


@dataclass(frozen=True)
class MaintenanceDue:
    """The next service of a car: ``due_on`` is the earlier of ``km_due_on`` (None: the
    car does not move) and ``months_due_on``; ``basis`` says which."""

    due_on: date
    basis: str  # KM_BASIS or MONTHS_BASIS
    km_due_on: date | None
    months_due_on: date
    base_on: date  # the last service, or the sale
    base_is_sale: bool
    km_since_base: int  # estimated, at the later of today and the due date, to 100 km
    months_since_base: int  # the interval's months times the cycle
    km_per_day: float
    estimated_from_readings: bool  # False: the national average was assumed
    cycle: int  # 1: the first service after the base, 2: the second …


# --- the store's interval --------------------------------------------------------------------


def interval(session: Session, store_id: uuid.UUID) -> Interval:
    row = session.scalars(
        select(MaintenanceInterval).where(MaintenanceInterval.store_id == store_id)
    ).first()
    if row is None:
        return Interval(DEFAULT_MONTHS, DEFAULT_KM)
    return Interval(row.months, row.km, False)


def _whole_in(value: object, low: int, high: int) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and low <= value <= high


def save_interval(session: Session, user: StaffUser, months: int, km: int) -> Interval:
    """The manager sets the store's maintenance interval (audit-logged)."""
    if not user.has_role(Role.MANAGER):
        raise PermissionDenied("maintenance.interval_denied", "只有店长可以设置保养间隔。")
    low, high = MONTHS_RANGE
    if not _whole_in(months, low, high):
        raise ValidationError(
            "maintenance.months_range",
            f"保养间隔月数应在 {low} 到 {high} 个月之间。",
            low=f"{low:,}",
            high=f"{high:,}",
        )
    low, high = KM_RANGE
    if not _whole_in(km, low, high):
        raise ValidationError(
            "maintenance.km_range",
            f"保养间隔里程应在 {low:,} 到 {high:,} 公里之间。",
            low=f"{low:,}",
            high=f"{high:,}",
        )
    old = interval(session, user.store_id)
    row = session.scalars(
        select(MaintenanceInterval)
        .where(MaintenanceInterval.store_id == user.store_id)
        .with_for_update()
    ).first()
    if row is None:
        row = MaintenanceInterval(store_id=user.store_id, months=months, km=km)
        session.add(row)
    row.months, row.km, row.updated_by_id = months, km, user.id
    session.flush()
    if (old.months, old.km) != (months, km):
        audit.record(
            session,
            user.actor,
            "maintenance_interval_set",
            "maintenance_interval",
            row.id,
            {"from": [old.months, old.km], "to": [months, km]},
        )
    return Interval(months, km, False)


# --- readings ----------------------------------------------------------------------------------


def _sale(session: Session, vehicle_id: uuid.UUID) -> Contract | None:
    """The car's sale that stands (signed, not returned), the latest one."""
    return session.scalars(
        select(Contract)
        .where(
            Contract.vehicle_id == vehicle_id,
            Contract.kind == ContractKind.SALE,
            Contract.status == ContractStatus.SIGNED,
            Contract.signed_at.is_not(None),
            Contract.returned_at.is_(None),
        )
        .order_by(Contract.signed_at.desc())
    ).first()


def readings_by_vehicle(
    session: Session, sales: dict[uuid.UUID, tuple[date, int]]
) -> dict[uuid.UUID, list[Reading]]:
    """Every known reading of each car since its sale, oldest first (one query per
    source for all the cars). ``sales``: car -> (sale day, odometer when sold)."""
    found: dict[uuid.UUID, list[Reading]] = {
        vid: [Reading(day, km, "sale")] for vid, (day, km) in sales.items()
    }
    if not sales:
        return found
    ids = list(sales)
    for vid, day, km in session.execute(
        select(
            MaintenanceRecord.vehicle_id,
            MaintenanceRecord.performed_on,
            MaintenanceRecord.mileage_km,
        ).where(MaintenanceRecord.vehicle_id.in_(ids), MaintenanceRecord.mileage_km.is_not(None))
    ):
        found[vid].append(Reading(day, km, "maintenance"))
    for vid, at, km in session.execute(
        select(WarrantyClaim.vehicle_id, WarrantyClaim.reported_at, WarrantyClaim.mileage_km).where(
            WarrantyClaim.vehicle_id.in_(ids)
        )
    ):
        found[vid].append(Reading(local_day(at), km, "warranty"))
    for row, name in session.execute(
        select(MileageReading, Staff.display_name)
        .outerjoin(Staff, Staff.id == MileageReading.recorded_by_id)
        .where(MileageReading.vehicle_id.in_(ids))
    ):
        found[row.vehicle_id].append(
            Reading(row.read_on, row.mileage_km, row.source, row.note, name or "")
        )
    for vid, points in found.items():
        sold_on = sales[vid][0]
        kept = [p for p in points if p.read_on >= sold_on]
        kept.sort(key=lambda p: (p.read_on, p.km, p.source != "sale"))
        found[vid] = kept
    return found


def vehicle_readings(session: Session, vehicle_id: uuid.UUID) -> list[Reading]:
    """The car's readings since its sale (empty when it is not sold), oldest first."""
    sale = _sale(session, vehicle_id)
    vehicle = session.get(Vehicle, vehicle_id)
    if sale is None or vehicle is None:
        return []
    sold = (local_day(sale.signed_at), vehicle.mileage_km)  # type: ignore[arg-type]
    return readings_by_vehicle(session, {vehicle_id: sold})[vehicle_id]


@dataclass(frozen=True)
class CarReadings:
    """A car a customer bought, with its readings and next service (customer record)."""

    vehicle_id: uuid.UUID
    vehicle: str
    plate: str
    sold_on: date
    readings: tuple[Reading, ...]
    due: MaintenanceDue | None


def customer_cars(
    session: Session, store_id: uuid.UUID, customer_id: uuid.UUID, today: date
) -> list[CarReadings]:
    """The cars the customer bought here (sale standing), with readings and next service."""
    rows = session.execute(
        select(Contract, Vehicle)
        .join(Vehicle, Vehicle.id == Contract.vehicle_id)
        .where(
            Contract.customer_id == customer_id,
            Contract.store_id == store_id,
            Contract.kind == ContractKind.SALE,
            Contract.status == ContractStatus.SIGNED,
            Contract.signed_at.is_not(None),
            Contract.returned_at.is_(None),
        )
        .order_by(Contract.signed_at)
    ).all()
    sales = {v.id: (local_day(c.signed_at), v.mileage_km) for c, v in rows}  # type: ignore[arg-type]
    points = readings_by_vehicle(session, sales)
    every = interval(session, store_id)
    serviced = _last_services(session, list(sales))
    result = []
    for _contract, vehicle in rows:
        sold_on = sales[vehicle.id][0]
        base = max(serviced.get(vehicle.id) or sold_on, sold_on)
        result.append(
            CarReadings(
                vehicle.id,
                f"{vehicle.brand}{vehicle.model}",
                vehicle.plate or "",
                sold_on,
                tuple(points[vehicle.id]),
                # The first service after the last one, even when its day has passed.
                maintenance_due(
                    points[vehicle.id], base, base == sold_on, every, today=today, start=base
                ),
            )
        )
    return result


def _last_services(session: Session, vehicle_ids: list[uuid.UUID]) -> dict[uuid.UUID, date]:
    if not vehicle_ids:
        return {}
    return dict(
        session.execute(  # type: ignore[arg-type]
            select(MaintenanceRecord.vehicle_id, func.max(MaintenanceRecord.performed_on))
            .where(MaintenanceRecord.vehicle_id.in_(vehicle_ids))
            .group_by(MaintenanceRecord.vehicle_id)
        ).all()
    )


def record_reading(
    session: Session,
    user: StaffUser,
    vehicle_id: uuid.UUID,
    read_on: date,
    mileage_km: int,
    *,
    source: str = "call",
    note: str = "",
    today: date,
) -> uuid.UUID:
    """A reading staff took from a call or a visit; refused when it cannot be true."""
    if not user.has_any(*MAY_RECORD):
        raise PermissionDenied("mileage.denied", "你的岗位不能记录车辆里程。")
    if source not in SOURCES:
        raise ValidationError("mileage.source", "请选择里程的来源（电话、到店或其他）。")
    if (
        isinstance(mileage_km, bool)
        or not isinstance(mileage_km, int)
        or not 0 <= mileage_km <= MAX_KM
    ):
        raise ValidationError(
            "mileage.km_range", f"里程应在 0 到 {MAX_KM:,} 公里之间。", high=f"{MAX_KM:,}"
        )
    if read_on > today:
        raise ValidationError("mileage.future", "里程日期不能晚于今天。")
    text = note.strip()
    if len(text) > MAX_NOTE:
        raise ValidationError(
            "mileage.note_too_long", f"备注最多 {MAX_NOTE} 个字。", limit=MAX_NOTE
        )
    # The car's row first: two desks recording at once are put in order.
    vehicle = session.get(Vehicle, vehicle_id, with_for_update=True)
    if vehicle is None or vehicle.store_id != user.store_id:
        raise NotFoundError("vehicle.not_found", "所选车辆不存在。")
    sale = _sale(session, vehicle_id)
    if sale is None:
        raise ValidationError("mileage.not_sold", "这辆车没有有效的销售合同，无需记录保养里程。")
    sold_on = local_day(sale.signed_at)  # type: ignore[arg-type]
    if read_on < sold_on:
        raise ValidationError(
            "mileage.before_sale",
            f"里程日期不能早于购车日期 {sold_on:%Y-%m-%d}。",
            day=f"{sold_on:%Y-%m-%d}",
        )
    points = readings_by_vehicle(session, {vehicle_id: (sold_on, vehicle.mileage_km)})[vehicle_id]
    earlier = [p for p in points if p.read_on <= read_on]
    later = [p for p in points if p.read_on >= read_on]
    top = max(earlier, key=lambda p: p.km, default=None)
    if top is not None and mileage_km < top.km:
        raise ValidationError(
            "mileage.below_earlier",
            f"{mileage_km:,} 公里低于 {top.read_on:%Y-%m-%d} 已记录的 {top.km:,} 公里，"
            "里程不会倒退，请核对。",
            km=f"{mileage_km:,}",
            day=f"{top.read_on:%Y-%m-%d}",
            earlier=f"{top.km:,}",
        )
    low = min(later, key=lambda p: p.km, default=None)
    if low is not None and mileage_km > low.km:
        raise ValidationError(
            "mileage.above_later",
            f"{mileage_km:,} 公里高于之后 {low.read_on:%Y-%m-%d} 记录的 {low.km:,} 公里，"
            "请核对日期。",
            km=f"{mileage_km:,}",
            day=f"{low.read_on:%Y-%m-%d}",
            later=f"{low.km:,}",
        )
    last = max(earlier, key=lambda p: p.read_on, default=None)
    if last is not None:
        days = max(1, (read_on - last.read_on).days)
        if (mileage_km - last.km) / days > MAX_KM_PER_DAY:
            raise ValidationError(
                "mileage.too_fast",
                f"距 {last.read_on:%Y-%m-%d} 的 {last.km:,} 公里，{days} 天多跑了 "
                f"{mileage_km - last.km:,} 公里，不太可能，请核对。",
                day=f"{last.read_on:%Y-%m-%d}",
                earlier=f"{last.km:,}",
                days=days,
                driven=f"{mileage_km - last.km:,}",
            )
    reading = MileageReading(
        store_id=user.store_id,
        vehicle_id=vehicle_id,
        read_on=read_on,
        mileage_km=mileage_km,
        source=source,
        note=text,
        recorded_by_id=user.id,
    )
    session.add(reading)
    session.flush()
    audit.record(
        session,
        user.actor,
        "mileage_recorded",
        "vehicle",
        vehicle_id,
        {"km": mileage_km, "read_on": read_on.isoformat(), "source": source},
    )
    return reading.id


# --- the estimate ------------------------------------------------------------------------------


def km_per_day(points: list[Reading], since: date | None = None) -> tuple[float, bool]:
    """The car's kilometres per day and whether it came from readings (False: the
    national average: one reading, or readings too close together).

    From the first to the last reading on or after ``since`` (the last service: how
    the car is driven now) when they are ``MIN_SPAN_DAYS`` apart, else from all of them.
    """
    recent = [p for p in points if since is not None and p.read_on >= since]
    for chosen in (recent, points):
        if len(chosen) >= 2:
            first, last = chosen[0], chosen[-1]
            span = (last.read_on - first.read_on).days
            if span >= MIN_SPAN_DAYS:
                return max(0.0, (last.km - first.km) / span), True
    return DEFAULT_KM_PER_DAY, False


def km_on(points: list[Reading], rate: float, day: date) -> float:
    """The odometer on ``day``: between two readings on the line joining them, after
    the last one at ``rate``."""
    before = [p for p in points if p.read_on <= day]
    after = [p for p in points if p.read_on > day]
    if not before:
        return float(points[0].km) if points else 0.0
    a = before[-1]
    if not after:
        return a.km + rate * (day - a.read_on).days
    b = after[0]
    span = (b.read_on - a.read_on).days
    return a.km + (b.km - a.km) * (day - a.read_on).days / span


def day_reaching(points: list[Reading], rate: float, target: float) -> date | None:
    """The first day the odometer reaches ``target`` km; None when it never will."""
    for n, p in enumerate(points):
        if p.km >= target:
            if n == 0:
                return p.read_on
            a = points[n - 1]
            span = (p.read_on - a.read_on).days
            gained = p.km - a.km
            step = math.ceil((target - a.km) * span / gained) if gained else span
            return a.read_on + timedelta(days=max(0, step))
    if not points or rate <= 0:
        return None
    last = points[-1]
    return last.read_on + timedelta(days=math.ceil((target - last.km) / rate))


def maintenance_due(
    points: list[Reading],
    base_on: date,
    base_is_sale: bool,
    every: Interval,
    *,
    today: date,
    start: date,
    cycle: int = 1,
) -> MaintenanceDue:
    """The first service from ``cycle`` on that falls on or after ``start`` (cycles
    whose day has passed are rolled over, as the reminder list does)."""
    rate, measured = km_per_day(points, base_on)
    at_base = next((p.km for p in points if p.read_on == base_on), None)
    base_km = float(at_base) if at_base is not None else km_on(points, rate, base_on)
    n = max(1, cycle)
    while True:
        months_day = add_months(base_on, every.months * n)
        km_day = day_reaching(points, rate, base_km + every.km * n)
        due = min(months_day, km_day) if km_day is not None else months_day
        if due >= start or n > 600:
            break
        n += 1
    by_km = km_day is not None and km_day < months_day
    seen = max(today, due)
    driven = max(0.0, km_on(points, rate, seen) - base_km)
    return MaintenanceDue(
        due_on=due,
        basis=KM_BASIS if by_km else MONTHS_BASIS,
        km_due_on=km_day,
        months_due_on=months_day,
        base_on=base_on,
        base_is_sale=base_is_sale,
        km_since_base=round(driven / 100.0) * 100,
        months_since_base=every.months * n,
        km_per_day=rate,
        estimated_from_readings=measured,
        cycle=n,
    )
