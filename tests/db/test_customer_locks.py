"""A merge and the desks writing under the same customer, racing on PostgreSQL.

Each race is forced, not hoped for: one transaction takes its locks and stops; the
other is started and the test waits until PostgreSQL reports it waiting on a lock;
only then does the first commit. Both orders are run. Whatever the order, every
row ends on the surviving customer, nobody meets a StaleDataError, and the audit
chain stays whole. The same services, one after the other, are checked on SQLite
and PostgreSQL (a desk using a merged customer's id writes under the survivor).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import (
    Customer,
    Deposit,
    Energy,
    IntentGrade,
    PaymentMethod,
    Role,
    Title,
    Transmission,
    Vehicle,
    VehicleStatus,
    Visit,
    VisitOutcome,
)
from showroom.services import audit, merge, reception
from showroom.services import deposits as dp
from showroom.users import StaffUser
from tests.factories import make_staff, make_store

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # 11:00 in the store
WAIT_S = 20.0


@dataclass
class Floor:
    store_id: uuid.UUID
    manager: StaffUser
    sales: StaffUser
    keep: uuid.UUID
    drop: uuid.UUID
    car: uuid.UUID


def _floor(database: Database) -> Floor:
    store = make_store(database)
    boss = make_staff(database, store, "boss", Role.MANAGER, display_name="赵店长")
    sales = make_staff(database, store, "s1", Role.SALES, display_name="孙顾问")
    with database.write() as s:
        keep = Customer(store_id=store, name="张伟", title=Title.MR, phone="13800000001")
        drop = Customer(store_id=store, name="张伟", title=Title.MR, phone="13900000001")
        car = Vehicle(
            store_id=store,
            stock_no="BJ01-S2026-00001",
            brand="大众",
            model="朗逸",
            year=2021,
            mileage_km=32000,
            energy=Energy.PETROL,
            transmission=Transmission.AUTOMATIC,
            list_price=Decimal("86000"),
            status=VehicleStatus.ON_SALE,
        )
        s.add_all([keep, drop, car])
        s.flush()
        ids = keep.id, drop.id, car.id
    return Floor(
        store,
        StaffUser(boss, "boss", "赵店长", Role.MANAGER, store, "BJ01", "测试展厅"),
        StaffUser(sales, "s1", "孙顾问", Role.SALES, store, "BJ01", "测试展厅"),
        *ids,
    )


@pytest.fixture
def floor(database: Database) -> Floor:
    return _floor(database)


@pytest.fixture
def pg_floor(postgresql_database: Database) -> Floor:
    return _floor(postgresql_database)


# --- the actions that race -----------------------------------------------------------------


def _merge(floor: Floor) -> Callable[[Session], object]:
    return lambda s: merge.merge_customers(s, floor.manager, floor.keep, floor.drop, now=NOW)


def _deposit(floor: Floor) -> Callable[[Session], object]:
    data = dp.DepositInput(floor.car, floor.drop, "5000", PaymentMethod.CASH)
    return lambda s: dp.take(s, floor.sales.actor, data, store_code="BJ01", now=NOW)


def _check_in(floor: Floor) -> Callable[[Session], object]:
    return lambda s: reception.check_in(
        s, floor.sales.actor, floor.store_id, customer_id=floor.drop, now=NOW
    )


def _check_out(floor: Floor, visit_id: uuid.UUID) -> Callable[[Session], object]:
    return lambda s: reception.check_out(
        s, floor.sales, visit_id, VisitOutcome.FOLLOW_UP, IntentGrade.B, now=NOW
    )


# --- forcing the order -----------------------------------------------------------------------


def _waiting_on_a_lock(database: Database) -> int:
    with database.engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        )


def _race(
    database: Database, first: Callable[[Session], object], second: Callable[[Session], object]
) -> list[BaseException]:
    """``first`` takes its locks and holds them until ``second`` waits on one; then commits."""
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def run_first() -> None:
        try:
            with database.write() as s:
                first(s)
                holding.set()
                release.wait(WAIT_S)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
            holding.set()

    def run_second() -> None:
        try:
            with database.write() as s:
                second(s)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    a = threading.Thread(target=run_first)
    a.start()
    assert holding.wait(WAIT_S)
    b = threading.Thread(target=run_second)
    b.start()
    deadline = time.monotonic() + WAIT_S
    while _waiting_on_a_lock(database) == 0 and b.is_alive():
        assert time.monotonic() < deadline, "the second transaction never waited on a lock"
        time.sleep(0.02)
    assert b.is_alive(), "the second transaction did not wait for the first"
    release.set()
    a.join(WAIT_S)
    b.join(WAIT_S)
    assert not a.is_alive() and not b.is_alive()
    return errors


def _everything_on_the_survivor(database: Database, floor: Floor) -> None:
    with database.read() as s:
        for table in merge.MOVED_TABLES.values():
            left = s.scalars(select(table.id).where(table.customer_id == floor.drop)).all()
            assert left == [], f"{table.__tablename__} left on the merged customer"
        dropped = s.get_one(Customer, floor.drop)
        assert dropped.merged_into_id == floor.keep and dropped.deleted_at is not None
        assert audit.verify(s).ok


def _rows(database: Database, model: type, floor: Floor) -> list[object]:
    with database.read() as s:
        return list(s.scalars(select(model).where(model.customer_id == floor.keep)))  # type: ignore[attr-defined]


# --- the races ---------------------------------------------------------------------------------


@pytest.mark.parametrize("merge_first", [True, False], ids=["merge-first", "deposit-first"])
def test_merge_against_deposit_leaves_the_deposit_on_the_survivor(
    postgresql_database: Database, pg_floor: Floor, merge_first: bool
) -> None:
    database, floor = postgresql_database, pg_floor
    actions = (_merge(floor), _deposit(floor))
    errors = _race(database, *(actions if merge_first else actions[::-1]))
    assert errors == []
    _everything_on_the_survivor(database, floor)
    deposits = _rows(database, Deposit, floor)
    assert len(deposits) == 1


@pytest.mark.parametrize("merge_first", [True, False], ids=["merge-first", "check-in-first"])
def test_merge_against_check_in_leaves_the_visit_on_the_survivor(
    postgresql_database: Database, pg_floor: Floor, merge_first: bool
) -> None:
    database, floor = postgresql_database, pg_floor
    actions = (_merge(floor), _check_in(floor))
    errors = _race(database, *(actions if merge_first else actions[::-1]))
    assert errors == []
    _everything_on_the_survivor(database, floor)
    visits = _rows(database, Visit, floor)
    assert len(visits) == 1


def test_a_visit_closed_while_a_merge_moves_it_meets_no_stale_version(
    postgresql_database: Database, pg_floor: Floor
) -> None:
    # The desk loaded the visit before the merge moved it (and bumped its version).
    database, floor = postgresql_database, pg_floor
    with database.write() as s:
        visit_id = reception.check_in(
            s, floor.sales.actor, floor.store_id, customer_id=floor.drop, now=NOW
        ).visit_id
    errors = _race(database, _merge(floor), _check_out(floor, visit_id))
    assert errors == []
    _everything_on_the_survivor(database, floor)
    with database.read() as s:
        assert s.get_one(Visit, visit_id).outcome is VisitOutcome.FOLLOW_UP
        assert s.get_one(Customer, floor.keep).intent_grade is IntentGrade.B


def test_two_merges_of_one_pair_in_opposite_directions_queue_instead_of_deadlocking(
    postgresql_database: Database, pg_floor: Floor
) -> None:
    database, floor = postgresql_database, pg_floor
    backwards = lambda s: merge.merge_customers(  # noqa: E731 - one line, read at the call
        s, floor.manager, floor.drop, floor.keep, now=NOW
    )
    errors = _race(database, _merge(floor), backwards)
    # The second finds one of the pair merged away: a plain refusal, never a deadlock.
    assert [getattr(e, "code", repr(e)) for e in errors] == ["customer.not_found"]


# --- one after the other, both databases --------------------------------------------------


@pytest.fixture
def merged(database: Database, floor: Floor) -> Iterator[Floor]:
    with database.write() as s:
        _merge(floor)(s)
    yield floor


def test_a_deposit_for_a_merged_customer_goes_to_the_survivor(
    database: Database, merged: Floor
) -> None:
    with database.write() as s:
        taken = _deposit(merged)(s)
    with database.read() as s:
        deposit = s.get_one(Deposit, taken.id)  # type: ignore[attr-defined]
        assert deposit.customer_id == merged.keep


def test_a_check_in_of_a_merged_customer_goes_to_the_survivor(
    database: Database, merged: Floor
) -> None:
    with database.write() as s:
        result = _check_in(merged)(s)
    assert result.customer_id == merged.keep  # type: ignore[attr-defined]
    with database.read() as s:
        assert s.get_one(Visit, result.visit_id).customer_id == merged.keep  # type: ignore[attr-defined]
    _everything_on_the_survivor(database, merged)


def test_lock_order_is_written_down_once() -> None:
    from db import locks

    order = locks.__doc__ or ""
    steps = ("customer rows", "business rows", "number counters", "audit head", "change-feed lock")
    positions = [order.index(f"**{step}**") for step in steps]
    assert positions == sorted(positions)
