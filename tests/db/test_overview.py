"""Today's figures for the home screen, counted in the store's time zone."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from db.engine import Database
from db.models import (
    Customer,
    Deposit,
    DepositStatus,
    Energy,
    EventStatus,
    FollowUp,
    FollowUpStatus,
    InspectionEvent,
    PaymentMethod,
    Registration,
    RegistrationStatus,
    SourceChannel,
    TestDrive,
    TestDriveStatus,
    Transmission,
    Vehicle,
    VehicleStatus,
    Visit,
    VisitPurpose,
    VisitStatus,
)
from showroom.errors import NotFoundError
from showroom.services.overview import day_bounds, ping, store_zone, today_overview
from tests.factories import make_store, went_out

# 10:00 in Beijing on 24 Nov 2026.
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)


def _vehicle(store_id: uuid.UUID, n: int, status: VehicleStatus) -> Vehicle:
    return Vehicle(
        store_id=store_id,
        stock_no=f"BJ01-S2026-{n:05d}",
        brand="丰田",
        model="凯美瑞",
        year=2020,
        mileage_km=30_000 + n,
        energy=Energy.PETROL,
        transmission=Transmission.AUTOMATIC,
        list_price=Decimal("150000"),
        status=status,
    )


def _customer(store_id: uuid.UUID, n: int) -> Customer:
    return Customer(store_id=store_id, name=f"测试客户{n}", phone=f"1380000{n:04d}")


@pytest.fixture
def store(database: Database) -> uuid.UUID:
    store_id = make_store(database)
    other_store = make_store(database, code="SH01", name="别的门店")
    with database.write() as s:
        cars = [_vehicle(store_id, n, VehicleStatus.ON_SALE) for n in range(3)]
        cars.append(_vehicle(store_id, 3, VehicleStatus.RESERVED))
        cars.append(_vehicle(store_id, 4, VehicleStatus.SOLD))
        deleted = _vehicle(store_id, 5, VehicleStatus.ON_SALE)
        deleted.deleted_at = NOW
        cars.append(deleted)
        cars.append(_vehicle(other_store, 6, VehicleStatus.ON_SALE))
        s.add_all(cars)
        people = [_customer(store_id, n) for n in range(4)]
        s.add_all(people)
        s.flush()

        def visit(n: int, at: datetime, status: VisitStatus, where: uuid.UUID = store_id) -> Visit:
            return Visit(
                store_id=where,
                visit_no=f"V{n}",
                customer_id=people[0].id,
                purpose=VisitPurpose.BUY,
                source_channel=SourceChannel.WALK_IN,
                arrived_at=at,
                status=status,
            )

        s.add_all(
            [
                # 07:30 Beijing is still 23 Nov in UTC, but it is today for the store.
                visit(1, datetime(2026, 11, 23, 23, 30, tzinfo=UTC), VisitStatus.WAITING),
                visit(2, datetime(2026, 11, 24, 1, 0, tzinfo=UTC), VisitStatus.WAITING),
                visit(3, datetime(2026, 11, 24, 1, 30, tzinfo=UTC), VisitStatus.WITH_CONSULTANT),
                visit(4, datetime(2026, 11, 24, 1, 40, tzinfo=UTC), VisitStatus.LEFT),
                # 23:30 Beijing yesterday: not today.
                visit(5, datetime(2026, 11, 23, 15, 30, tzinfo=UTC), VisitStatus.LEFT),
                visit(
                    6, datetime(2026, 11, 24, 1, 0, tzinfo=UTC), VisitStatus.WAITING, other_store
                ),
            ]
        )

        def drive(n: int, start: datetime, status: TestDriveStatus) -> TestDrive:
            return TestDrive(
                store_id=store_id,
                booking_code=f"TD{n}",
                vehicle_id=cars[0].id,
                customer_id=people[1].id,
                slot_start=start,
                slot_end=start + timedelta(hours=1),
                status=status,
                **went_out(s, store_id, f"TD{n}", start, status),
            )

        s.add_all(
            [
                drive(1, datetime(2026, 11, 24, 3, 0, tzinfo=UTC), TestDriveStatus.BOOKED),
                drive(2, datetime(2026, 11, 24, 1, 0, tzinfo=UTC), TestDriveStatus.CHECKED_OUT),
                drive(3, datetime(2026, 11, 24, 5, 0, tzinfo=UTC), TestDriveStatus.CANCELLED),
                drive(4, datetime(2026, 11, 25, 5, 0, tzinfo=UTC), TestDriveStatus.BOOKED),
            ]
        )
        s.add_all(
            [
                Deposit(
                    store_id=store_id,
                    receipt_no="R1",
                    vehicle_id=cars[1].id,
                    customer_id=people[1].id,
                    amount=Decimal("5000"),
                    method=PaymentMethod.WECHAT,
                    taken_at=NOW,
                    expires_at=NOW + timedelta(days=7),
                ),
                Deposit(
                    store_id=store_id,
                    receipt_no="R2",
                    vehicle_id=cars[3].id,
                    customer_id=people[2].id,
                    amount=Decimal("3000.50"),
                    method=PaymentMethod.CASH,
                    taken_at=NOW,
                    expires_at=NOW + timedelta(days=7),
                ),
                Deposit(
                    store_id=store_id,
                    receipt_no="R3",
                    vehicle_id=cars[2].id,
                    customer_id=people[2].id,
                    amount=Decimal("8000"),
                    method=PaymentMethod.CASH,
                    taken_at=NOW,
                    expires_at=NOW + timedelta(days=7),
                    status=DepositStatus.REFUNDED,
                    closed_at=NOW,
                ),
            ]
        )
        past = InspectionEvent(
            store_id=store_id,
            title="十月检测日",
            event_date=date(2026, 10, 20),
            starts_at=datetime(2026, 10, 20, 1, tzinfo=UTC),
            ends_at=datetime(2026, 10, 20, 9, tzinfo=UTC),
            seats=20,
        )
        coming = InspectionEvent(
            store_id=store_id,
            title="十一月透明检测日",
            event_date=date(2026, 11, 28),
            starts_at=datetime(2026, 11, 28, 1, tzinfo=UTC),
            ends_at=datetime(2026, 11, 28, 9, tzinfo=UTC),
            seats=2,
            status=EventStatus.OPEN,
        )
        s.add_all([past, coming])
        s.flush()
        for n, status, seat in (
            (1, RegistrationStatus.SEATED, 1),
            (2, RegistrationStatus.CHECKED_IN, 2),
            (3, RegistrationStatus.WAITLISTED, None),
            (4, RegistrationStatus.CANCELLED, None),
        ):
            s.add(
                Registration(
                    event_id=coming.id,
                    customer_id=people[n - 1].id,
                    booking_code=f"RG{n}",
                    status=status,
                    seat_no=seat,
                    plate=f"京A1234{n}",
                    waitlist_position=1 if status is RegistrationStatus.WAITLISTED else None,
                )
            )
        s.add_all(
            [
                FollowUp(customer_id=people[0].id, due_on=TODAY, reason="visit"),
                FollowUp(customer_id=people[1].id, due_on=TODAY, reason="visit"),
                FollowUp(
                    customer_id=people[2].id, due_on=TODAY - timedelta(days=2), reason="visit"
                ),
                FollowUp(
                    customer_id=people[3].id,
                    due_on=TODAY,
                    reason="visit",
                    status=FollowUpStatus.DONE,
                ),
                FollowUp(
                    customer_id=people[3].id, due_on=TODAY + timedelta(days=1), reason="visit"
                ),
            ]
        )
    return store_id


def test_counts_only_this_stores_day_in_its_own_time_zone(database: Database, store) -> None:  # type: ignore[no-untyped-def]
    with database.read() as s:
        ov = today_overview(s, store, NOW)
    assert ov.day == TODAY
    assert ov.visits_by_status == {
        VisitStatus.WAITING: 2,
        VisitStatus.WITH_CONSULTANT: 1,
        VisitStatus.LEFT: 1,
    }
    assert (ov.visits_today, ov.visitors_waiting) == (4, 2)


def test_counts_test_drives_deposits_and_cars(database: Database, store) -> None:  # type: ignore[no-untyped-def]
    with database.read() as s:
        ov = today_overview(s, store, NOW)
    assert (ov.test_drives_today, ov.test_drives_out) == (2, 1)
    assert ov.active_deposits == 2
    assert ov.active_deposits_sum == Decimal("8000.50")
    assert (ov.cars_on_sale, ov.cars_reserved) == (3, 1)
    assert (ov.follow_ups_due_today, ov.follow_ups_overdue) == (2, 1)


def test_shows_the_next_inspection_day_with_seats_and_wait_list(database: Database, store) -> None:  # type: ignore[no-untyped-def]
    with database.read() as s:
        ov = today_overview(s, store, NOW)
    event = ov.next_inspection_day
    assert event is not None
    assert (event.title, event.event_date) == ("十一月透明检测日", date(2026, 11, 28))
    assert (event.seats_taken, event.seats_total, event.seats_left) == (2, 2, 0)
    assert event.waitlisted == 1


def test_an_empty_store_has_zero_figures_and_no_inspection_day(database: Database) -> None:
    store_id = make_store(database)
    with database.read() as s:
        ov = today_overview(s, store_id, NOW)
    assert ov.visits_today == 0
    assert ov.active_deposits_sum == Decimal("0.00")
    assert ov.next_inspection_day is None


def test_an_unknown_store_is_reported(database: Database) -> None:
    with pytest.raises(NotFoundError), database.read() as s:
        today_overview(s, uuid.uuid4(), NOW)


def test_naive_now_is_refused(database: Database) -> None:
    store_id = make_store(database)
    with pytest.raises(ValueError), database.read() as s:
        today_overview(s, store_id, datetime(2026, 11, 24, 10, 0))


def test_day_bounds_are_beijing_midnight_in_utc() -> None:
    start, end = day_bounds(TODAY, store_zone("Asia/Shanghai"))
    assert start == datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
    assert store_zone("Nowhere/Unknown").utcoffset(None) == timedelta(hours=8)


def test_ping_answers_true_on_a_live_database(database: Database) -> None:
    with database.read() as s:
        assert ping(s) is True
