"""流失预警: missed appointments, two unanswered follow-ups, quiet hot customers and lapsing
deposits on the follow-up list and the record; the dormant list."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import (
    Deposit,
    DepositStatus,
    Energy,
    FollowUp,
    FollowUpStatus,
    IntentGrade,
    Interaction,
    InteractionChannel,
    PaymentMethod,
    TestDrive,
    TestDriveStatus,
    Transmission,
    Vehicle,
    VehicleStatus,
)
from showroom.services import audit, churn, follow_ups, reception
from showroom.services import test_drives as td
from showroom.sync import operations
from showroom.users import StaffUser
from tests.db.test_cadence import NOW, TODAY, _check_out, _customer, people

__all__ = ["people"]


def _car(database: Database, user: StaffUser) -> uuid.UUID:
    with database.write() as s:
        car = Vehicle(
            store_id=user.store_id,
            stock_no=f"BJ01-S2026-{uuid.uuid4().int % 100000:05d}",
            vin=f"LSVAU2180N{uuid.uuid4().int % 10**7:07d}",
            brand="大众",
            model="朗逸",
            year=2021,
            mileage_km=32000,
            energy=Energy.PETROL,
            transmission=Transmission.AUTOMATIC,
            list_price=Decimal("86000"),
            status=VehicleStatus.ON_SALE,
        )
        s.add(car)
        s.flush()
        return car.id


def _booked(
    database: Database, user: StaffUser, customer_id: uuid.UUID, start: datetime
) -> uuid.UUID:
    car = _car(database, user)
    with database.write() as s:
        drive = TestDrive(
            store_id=user.store_id,
            booking_code=f"TD{uuid.uuid4().hex[:6]}",
            vehicle_id=car,
            customer_id=customer_id,
            consultant_id=user.id,
            slot_start=start,
            slot_end=start + timedelta(minutes=30),
            status=TestDriveStatus.BOOKED,
        )
        s.add(drive)
        s.flush()
        return drive.id


def _signals(database: Database, customer_id: uuid.UUID, now: datetime = NOW) -> tuple[str, ...]:
    with database.read() as s:
        return churn.signals(s, [customer_id], now).get(customer_id, ())


def test_a_missed_test_drive_raises_a_call_for_today_and_a_signal_until_they_come(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    cid = _customer(database, sun, IntentGrade.B)
    drive = _booked(database, sun, cid, NOW - timedelta(hours=2))
    with database.write() as s:
        td.mark_no_show(s, audit.Actor("孙顾问", sun.id), drive, now=NOW)
    with database.read() as s:
        due = follow_ups.list_due(s, sun, TODAY, now=NOW)
        record = reception.customer_record(s, cid, now=NOW)
    assert [(r.reason, r.signals) for r in due.rows] == [("no_show", (churn.MISSED,))]
    assert record.signals == (churn.MISSED,)
    _check_out(database, sun, cid, IntentGrade.B, now=NOW + timedelta(days=1))  # came in
    assert _signals(database, cid, NOW + timedelta(days=1)) == ()


def test_two_unanswered_follow_ups_in_a_row_are_a_signal_and_no_contact(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    cid = _customer(database, sun, IntentGrade.C)
    ids = []
    with database.write() as s:
        for n in range(3):
            f = FollowUp(customer_id=cid, consultant_id=sun.id, due_on=TODAY, reason=f"x{n}")
            s.add(f)
            s.flush()
            ids.append(f.id)
    with database.write() as s:
        follow_ups.complete(s, sun, ids[0], "", None, now=NOW, today=TODAY, answered=False)
    assert _signals(database, cid) == ()  # once is not a pattern
    payload = {
        "user": operations.user_payload(sun),
        "follow_up_id": str(ids[1]),
        "result": "",
        "next_due": None,
        "now": (NOW + timedelta(hours=1)).isoformat(),
        "today": TODAY.isoformat(),
        "answered": False,
    }
    with database.write() as s:
        operations.apply(
            s, uuid.uuid4(), "follow_up.complete", payload, created_at=NOW, origin="pc1"
        )
    assert _signals(database, cid, NOW + timedelta(hours=2)) == (churn.UNANSWERED,)
    with database.read() as s:
        assert s.scalars(select(Interaction)).all() == []  # nobody was reached
        results = s.scalars(
            select(FollowUp.result).where(FollowUp.status == FollowUpStatus.DONE)
        ).all()
    assert set(results) == {follow_ups.NO_ANSWER}
    with database.write() as s:  # they picked up the third time
        follow_ups.complete(s, sun, ids[2], "下周来看车", None, now=NOW + timedelta(hours=3))
    assert _signals(database, cid, NOW + timedelta(hours=4)) == ()


def test_a_hot_customer_silent_15_days_is_flagged_and_an_unanswered_call_keeps_them_so(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    cid = _customer(database, sun, IntentGrade.A)
    with database.write() as s:
        f = FollowUp(customer_id=cid, consultant_id=sun.id, due_on=TODAY, reason="visit")
        s.add(f)
        s.flush()
        fid = f.id
    with database.write() as s:
        follow_ups.complete(s, sun, fid, "", None, now=NOW, today=TODAY, answered=False)
    assert churn.HOT_SILENT in _signals(database, cid)
    with database.read() as s:
        stale = follow_ups.stale_hot_customers(s, sun, NOW)
    assert [c.customer_id for c in stale] == [cid]


def test_a_deposit_lapsing_within_two_days_is_a_signal(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    soon, later = _customer(database, sun, IntentGrade.A), _customer(database, sun, IntentGrade.A)
    with database.write() as s:
        for n, (cid, expires) in enumerate(
            ((soon, NOW + timedelta(days=1)), (later, NOW + timedelta(days=5)))
        ):
            s.add(
                Interaction(
                    customer_id=cid, channel=InteractionChannel.PHONE, at=NOW, summary="在考虑"
                )
            )
            s.add(
                Deposit(
                    store_id=sun.store_id,
                    receipt_no=f"R-{n}",
                    vehicle_id=_car_in(s, sun),
                    customer_id=cid,
                    amount=Decimal("5000"),
                    method=PaymentMethod.CASH,
                    status=DepositStatus.ACTIVE,
                    taken_by_id=sun.id,
                    taken_at=NOW - timedelta(days=5),
                    expires_at=expires,
                )
            )
    assert _signals(database, soon) == (churn.DEPOSIT_LAPSING,)
    assert _signals(database, later) == ()


def _car_in(s, user: StaffUser) -> uuid.UUID:  # type: ignore[no-untyped-def]
    car = Vehicle(
        store_id=user.store_id,
        stock_no=f"BJ01-S2026-{uuid.uuid4().int % 100000:05d}",
        brand="大众",
        model="朗逸",
        year=2021,
        mileage_km=32000,
        energy=Energy.PETROL,
        transmission=Transmission.AUTOMATIC,
        list_price=Decimal("86000"),
        status=VehicleStatus.RESERVED,
    )
    s.add(car)
    s.flush()
    return car.id


def test_dormant_customers_have_their_own_list_longest_silent_first(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun, manager = people["sun"], people["manager"]
    quiet = _customer(database, sun, IntentGrade.C)  # made 60 days before NOW
    recent = _customer(database, sun, IntentGrade.B)
    later = NOW + timedelta(days=200)
    with database.write() as s:
        s.add(
            Interaction(
                customer_id=recent, channel=InteractionChannel.WECHAT, at=later - timedelta(days=10)
            )
        )
        s.add(
            Interaction(
                customer_id=quiet, channel=InteractionChannel.PHONE, at=NOW - timedelta(days=30)
            )
        )
    with database.read() as s:
        mine = churn.dormant(s, sun, later)
        store = churn.dormant(s, manager, later)
        not_yet = churn.dormant(s, sun, NOW)
    assert [(r.customer_id, r.silent_days) for r in mine.rows] == [(quiet, 230)]
    assert mine.rows[0].phone_masked.startswith("139****")
    assert mine.rows[0].last_contact_at == NOW - timedelta(days=30)
    assert store.total == 1 and not_yet.total == 0


@pytest.mark.parametrize("grade", [IntentGrade.A, IntentGrade.C])
def test_no_signal_for_a_customer_heard_from_recently(
    database: Database, people: dict[str, StaffUser], grade: IntentGrade
) -> None:
    sun = people["sun"]
    cid = _customer(database, sun, grade)
    _check_out(database, sun, cid, grade, now=NOW - timedelta(days=3))
    assert _signals(database, cid) == ()
