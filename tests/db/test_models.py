"""The last line of defence: what the database itself refuses or preserves."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm.exc import StaleDataError

from db.engine import Database
from db.models import (
    Customer,
    Deposit,
    DepositStatus,
    Energy,
    PaymentMethod,
    TestDrive,
    TestDriveStatus,
    Transmission,
    Vehicle,
    VehicleStatus,
)
from showroom.clock import utcnow
from tests.factories import make_store, went_out


def _vehicle(store_id: uuid.UUID, stock_no: str = "BJ01-S2026-00001") -> Vehicle:
    return Vehicle(
        store_id=store_id,
        stock_no=stock_no,
        brand="大众",
        model="朗逸",
        year=2020,
        mileage_km=45_000,
        energy=Energy.PETROL,
        transmission=Transmission.AUTOMATIC,
        list_price=Decimal("78900.00"),
        status=VehicleStatus.ON_SALE,
    )


def _customer(store_id: uuid.UUID, phone: str = "13800001111") -> Customer:
    return Customer(store_id=store_id, name="测试客户", phone=phone)


def _deposit(
    store_id: uuid.UUID, vehicle_id: uuid.UUID, customer_id: uuid.UUID, receipt_no: str
) -> Deposit:
    return Deposit(
        store_id=store_id,
        receipt_no=receipt_no,
        vehicle_id=vehicle_id,
        customer_id=customer_id,
        amount=Decimal("5000.00"),
        method=PaymentMethod.WECHAT,
        taken_at=utcnow(),
        expires_at=utcnow() + timedelta(days=7),
    )


def test_money_and_times_round_trip_exactly(database: Database) -> None:
    store_id = make_store(database)
    beijing = timezone(timedelta(hours=8))
    listed = datetime(2026, 11, 24, 9, 30, 15, 123456, tzinfo=beijing)
    with database.write() as session:
        car = _vehicle(store_id)
        car.list_price = Decimal("168000.05")
        car.listed_at = listed
        session.add(car)
    with database.read() as session:
        stored = session.scalars(select(Vehicle)).one()
    assert stored.list_price == Decimal("168000.05")
    assert stored.listed_at == listed
    assert stored.listed_at is not None and stored.listed_at.utcoffset() == timedelta(0)


def test_naive_times_and_float_money_are_refused(database: Database) -> None:
    store_id = make_store(database)
    with pytest.raises(StatementError, match="naive"), database.write() as session:
        car = _vehicle(store_id)
        car.listed_at = datetime(2026, 1, 1)
        session.add(car)
    with pytest.raises(StatementError, match="Decimal"), database.write() as session:
        car = _vehicle(store_id, "BJ01-S2026-00002")
        car.list_price = 1.5  # type: ignore[assignment]
        session.add(car)


def test_a_second_active_deposit_on_one_car_is_refused_by_the_database(
    database: Database,
) -> None:
    store_id = make_store(database)
    with database.write() as session:
        car, a, b = _vehicle(store_id), _customer(store_id), _customer(store_id, "13900002222")
        session.add_all([car, a, b])
        session.flush()
        session.add(_deposit(store_id, car.id, a.id, "R1"))
        ids = (car.id, b.id)
    with pytest.raises(IntegrityError), database.write() as session:
        session.add(_deposit(store_id, ids[0], ids[1], "R2"))
    # Once the first is refunded, the car can be reserved again.
    with database.write() as session:
        first = session.scalars(select(Deposit)).one()
        first.status = DepositStatus.REFUNDED
        first.closed_at = first.taken_at  # a closed deposit says when (migration 0018)
    with database.write() as session:
        session.add(_deposit(store_id, ids[0], ids[1], "R3"))


def test_zero_deposit_is_refused_by_the_database(database: Database) -> None:
    store_id = make_store(database)
    with database.write() as session:
        car, cust = _vehicle(store_id), _customer(store_id)
        session.add_all([car, cust])
    with pytest.raises(IntegrityError), database.write() as session:
        dep = _deposit(store_id, car.id, cust.id, "R1")
        dep.amount = Decimal("0")
        session.add(dep)


def test_one_live_customer_per_phone_but_merged_ones_keep_their_number(
    database: Database,
) -> None:
    store_id = make_store(database)
    with database.write() as session:
        session.add(_customer(store_id))
    with pytest.raises(IntegrityError), database.write() as session:
        session.add(_customer(store_id))
    with database.write() as session:
        old = session.scalars(select(Customer)).one()
        old.deleted_at = utcnow()
    with database.write() as session:
        session.add(_customer(store_id))
    with database.read() as session:
        assert len(session.scalars(select(Customer)).all()) == 2


def test_a_stale_save_fails_instead_of_overwriting(database: Database) -> None:
    store_id = make_store(database)
    with database.write() as session:
        session.add(_vehicle(store_id))
    with database.read() as session:
        stale = session.scalars(select(Vehicle)).one()
        session.expunge(stale)
    with database.write() as session:
        fresh = session.scalars(select(Vehicle)).one()
        fresh.list_price = Decimal("75000.00")
    assert stale.row_version == 1
    with pytest.raises(StaleDataError), database.write() as session:
        stale = session.merge(stale, load=False)
        stale.list_price = Decimal("70000.00")
    with database.read() as session:
        kept = session.scalars(select(Vehicle)).one()
    assert kept.list_price == Decimal("75000.00")
    assert kept.row_version == 2


def test_a_car_cannot_be_out_on_two_test_drives_at_once(database: Database) -> None:
    store_id = make_store(database)
    start = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    with database.write() as session:
        car, cust = _vehicle(store_id), _customer(store_id)
        session.add_all([car, cust])
        session.flush()
        for code, hours in (("AAAAAA", 0), ("BBBBBB", 1)):
            session.add(
                TestDrive(
                    store_id=store_id,
                    booking_code=code,
                    vehicle_id=car.id,
                    customer_id=cust.id,
                    slot_start=start + timedelta(hours=hours),
                    slot_end=start + timedelta(hours=hours, minutes=30),
                )
            )
    out = TestDriveStatus.CHECKED_OUT
    with database.write() as session:
        first = session.scalars(select(TestDrive).where(TestDrive.booking_code == "AAAAAA")).one()
        for name, value in went_out(session, store_id, "AAAAAA", start, out).items():
            setattr(first, name, value)
        first.status = out
    with pytest.raises(IntegrityError), database.write() as session:
        second = session.scalars(select(TestDrive).where(TestDrive.booking_code == "BBBBBB")).one()
        for name, value in went_out(session, store_id, "BBBBBB", start, out).items():
            setattr(second, name, value)
        second.status = out
