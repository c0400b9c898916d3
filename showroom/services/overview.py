"""Today's figures for the home screen (今日概览): one read, plain numbers out.

"Today" is the store's calendar day in the store's time zone (stored on the
store, Asia/Shanghai by default), not the PC's and not UTC: a visit at 07:30
Beijing time belongs to today even though it is yesterday in UTC.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from db.models import (
    Customer,
    Deposit,
    DepositStatus,
    EventStatus,
    FollowUp,
    FollowUpStatus,
    InspectionEvent,
    Registration,
    RegistrationStatus,
    Store,
    TestDrive,
    TestDriveStatus,
    Vehicle,
    VehicleStatus,
    Visit,
    VisitStatus,
)
from showroom.errors import NotFoundError

# China has one zone and no daylight saving: a fixed offset is a safe fallback when the
# platform has no tz database (Windows without the tzdata package).
_CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")


@dataclass(frozen=True)
class InspectionDaySeats:
    """The next inspection day (透明检测日) and how full it is."""

    event_id: uuid.UUID
    title: str
    event_date: date
    seats_taken: int
    seats_total: int
    waitlisted: int

    @property
    def seats_left(self) -> int:
        return max(0, self.seats_total - self.seats_taken)


@dataclass(frozen=True)
class Overview:
    """The store's day at a glance; every figure is for ``day`` in the store's zone."""

    day: date
    visits_by_status: dict[VisitStatus, int] = field(default_factory=dict)
    test_drives_today: int = 0  # booked for today, not cancelled
    test_drives_out: int = 0  # checked out right now
    active_deposits: int = 0
    active_deposits_sum: Decimal = Decimal("0.00")
    next_inspection_day: InspectionDaySeats | None = None
    cars_on_sale: int = 0
    cars_reserved: int = 0
    follow_ups_due_today: int = 0
    follow_ups_overdue: int = 0

    @property
    def visits_today(self) -> int:
        return sum(self.visits_by_status.values())

    @property
    def visitors_waiting(self) -> int:
        return self.visits_by_status.get(VisitStatus.WAITING, 0)


def store_zone(name: str | None) -> tzinfo:
    """The store's time zone; China's fixed offset when the name is unknown here."""
    if not name:
        return _CHINA
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return _CHINA


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """Start and end (exclusive) of ``day`` in ``zone``, as UTC instants."""
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def today_overview(session: Session, store_id: uuid.UUID, now: datetime) -> Overview:
    """Figures for the store's current day; ``now`` must be timezone-aware."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    store = session.get(Store, store_id)
    if store is None:
        raise NotFoundError("store.not_found", "门店不存在。", store_id=str(store_id))
    zone = store_zone(store.timezone)
    day = now.astimezone(zone).date()
    start, end = day_bounds(day, zone)

    visits = {
        status: count
        for status, count in session.execute(
            select(Visit.status, func.count(Visit.id))
            .where(Visit.store_id == store_id, Visit.arrived_at >= start, Visit.arrived_at < end)
            .group_by(Visit.status)
        )
    }

    drives_today = session.scalar(
        select(func.count(TestDrive.id)).where(
            TestDrive.store_id == store_id,
            TestDrive.slot_start >= start,
            TestDrive.slot_start < end,
            TestDrive.status != TestDriveStatus.CANCELLED,
        )
    )
    drives_out = session.scalar(
        select(func.count(TestDrive.id)).where(
            TestDrive.store_id == store_id, TestDrive.status == TestDriveStatus.CHECKED_OUT
        )
    )

    deposit_count, deposit_sum = session.execute(
        select(func.count(Deposit.id), func.coalesce(func.sum(Deposit.amount), 0)).where(
            Deposit.store_id == store_id, Deposit.status == DepositStatus.ACTIVE
        )
    ).one()

    cars = dict(
        session.execute(
            select(Vehicle.status, func.count(Vehicle.id))
            .where(
                Vehicle.store_id == store_id,
                Vehicle.deleted_at.is_(None),
                Vehicle.status.in_([VehicleStatus.ON_SALE, VehicleStatus.RESERVED]),
            )
            .group_by(Vehicle.status)
        ).all()
    )

    # Follow-ups carry no store of their own: they belong to the customer's store.
    open_follow_ups = (
        select(func.count(FollowUp.id))
        .join(Customer, Customer.id == FollowUp.customer_id)
        .where(Customer.store_id == store_id, FollowUp.status == FollowUpStatus.OPEN)
    )
    due_today = session.scalar(open_follow_ups.where(FollowUp.due_on == day))
    overdue = session.scalar(open_follow_ups.where(FollowUp.due_on < day))

    return Overview(
        day=day,
        visits_by_status={VisitStatus(k): int(v) for k, v in visits.items()},
        test_drives_today=int(drives_today or 0),
        test_drives_out=int(drives_out or 0),
        active_deposits=int(deposit_count or 0),
        # SUM keeps the column's Money type, so the total comes back in yuan already.
        active_deposits_sum=Decimal(deposit_sum or 0).quantize(Decimal("0.01")),
        next_inspection_day=_next_inspection_day(session, store_id, day),
        cars_on_sale=int(cars.get(VehicleStatus.ON_SALE, 0)),
        cars_reserved=int(cars.get(VehicleStatus.RESERVED, 0)),
        follow_ups_due_today=int(due_today or 0),
        follow_ups_overdue=int(overdue or 0),
    )


def _next_inspection_day(
    session: Session, store_id: uuid.UUID, day: date
) -> InspectionDaySeats | None:
    event = session.scalars(
        select(InspectionEvent)
        .where(
            InspectionEvent.store_id == store_id,
            InspectionEvent.event_date >= day,
            InspectionEvent.status.in_([EventStatus.PLANNED, EventStatus.OPEN]),
        )
        .order_by(InspectionEvent.event_date, InspectionEvent.starts_at)
        .limit(1)
    ).first()
    if event is None:
        return None
    counts = dict(
        session.execute(
            select(Registration.status, func.count(Registration.id))
            .where(Registration.event_id == event.id)
            .group_by(Registration.status)
        ).all()
    )
    seated = sum(
        counts.get(s, 0)
        for s in (
            RegistrationStatus.SEATED,
            RegistrationStatus.CHECKED_IN,
            RegistrationStatus.INSPECTED,
            RegistrationStatus.NO_SHOW,
        )
    )
    return InspectionDaySeats(
        event_id=event.id,
        title=event.title,
        event_date=event.event_date,
        seats_taken=int(seated),
        seats_total=event.seats,
        waitlisted=int(counts.get(RegistrationStatus.WAITLISTED, 0)),
    )


def ping(session: Session) -> bool:
    """A cheap round trip to the database, for the status bar's online dot."""
    return session.execute(text("SELECT 1")).scalar() == 1
