"""保养提醒 by months or kilometres, whichever first: readings of the car (sale, service
book, warranty, calls), the estimate of km per day, refusals of readings that cannot be
true (service and database), the store's interval, and the reminder's words."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from db.engine import Database
from db.models import (
    AuditEntry,
    Contract,
    MaintenanceInterval,
    MaintenanceRecord,
    MileageReading,
)
from showroom.errors import PermissionDenied, ValidationError
from showroom.services import buyer_reminders as br
from showroom.services import mileage
from showroom.sync import mileage_ops, operations
from showroom.users import StaffUser
from tests.db.test_buyer_reminders import _sale
from tests.db.test_cadence import NOW, people

__all__ = ["people"]

SOLD = date(2026, 1, 10)  # _sale signs on 10 January, the car at 30,000 km


def _car(database: Database, customer_id: uuid.UUID) -> uuid.UUID:
    with database.read() as s:
        return s.scalars(
            select(Contract.vehicle_id).where(Contract.customer_id == customer_id)
        ).one()


def _read(
    database: Database,
    user: StaffUser,
    car: uuid.UUID,
    on: date,
    km: int,
    today: date | None = None,
) -> uuid.UUID:
    with database.write() as s:
        return mileage.record_reading(
            s, user, car, on, km, source="call", note="客户电话告知", today=today or on
        )


def _maintenance(database: Database, user: StaffUser, today: date) -> list[br.ReminderTask]:
    with database.read() as s:
        return [t for t in br.due(s, user, today) if t.kind == br.MAINTENANCE]


def test_a_car_that_runs_a_lot_is_due_by_kilometres_well_before_six_months(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    car = _car(database, _sale(database, sun))
    # 2,400 km in the first month: 80 km a day, so 5,000 km after about 63 days.
    _read(database, sun, car, date(2026, 2, 9), 32_400)
    with database.read() as s:
        [info] = mileage.customer_cars(s, sun.store_id, _customer_of(s, car), date(2026, 2, 9))
    assert info.due is not None
    assert info.due.basis == mileage.KM_BASIS and info.due.km_per_day == 80.0
    assert info.due.estimated_from_readings
    # From the call: 2,600 km more at 80 km a day is 32.5 days, so 14 March.
    assert info.due.due_on == date(2026, 3, 14)
    assert info.due.months_due_on == date(2026, 7, 10)
    assert [(r.read_on, r.km, r.source) for r in info.readings] == [
        (SOLD, 30_000, "sale"),
        (date(2026, 2, 9), 32_400, "call"),
    ]
    assert _maintenance(database, sun, date(2026, 3, 6)) == []  # shown a week ahead
    [task] = _maintenance(database, sun, date(2026, 3, 7))
    assert task.due_on == date(2026, 3, 14) and task.basis == "km"
    assert task.reason == "按里程：预计已行驶约 5,000 公里"
    assert "丰田卡罗拉距购车预计已行驶约 5,000 公里，建议 2026-03-14 前后保养" in task.message
    # Seen a few days late, the estimate has grown with the days (5,280 km).
    [late] = _maintenance(database, sun, date(2026, 3, 17))
    assert late.reason == "按里程：预计已行驶约 5,300 公里"


def _customer_of(session: object, car: uuid.UUID) -> uuid.UUID:
    return session.scalars(  # type: ignore[attr-defined]
        select(Contract.customer_id).where(Contract.vehicle_id == car)
    ).one()


def test_a_car_that_barely_runs_is_due_by_the_months(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    car = _car(database, _sale(database, sun))
    _read(database, sun, car, date(2026, 4, 10), 30_900)  # 900 km in three months
    [task] = _maintenance(database, sun, date(2026, 7, 5))
    assert (task.due_on, task.basis, task.months_since) == (date(2026, 7, 10), "months", 6)
    assert task.reason == "距购车已 6 个月"
    assert "丰田卡罗拉距购车已满 6 个月，建议 2026-07-10 前后保养" in task.message


def test_one_reading_assumes_the_national_average(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    _sale(database, sun)
    # Only the odometer at the sale: 12,000 km a year puts 5,000 km at 153 days.
    [task] = _maintenance(database, sun, date(2026, 6, 10))
    assert task.due_on == SOLD + timedelta(days=153) and task.basis == "km"
    assert pytest.approx(12_000 / 365) == mileage.DEFAULT_KM_PER_DAY


def test_the_last_service_with_its_mileage_starts_the_count_again(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    car = _car(database, _sale(database, sun))
    with database.write() as s:
        s.add(
            MaintenanceRecord(
                vehicle_id=car,
                performed_on=date(2026, 5, 1),
                mileage_km=31_000,  # 1,000 km in 111 days: about 9 km a day
                shop="本店",
                description="小保养",
            )
        )
    [task] = _maintenance(database, sun, date(2026, 10, 28))
    assert (task.due_on, task.basis) == (date(2026, 11, 1), "months")
    assert task.reason == "距上次保养已 6 个月"
    assert _maintenance(database, sun, date(2026, 7, 5)) == []
    # A call says the car now runs a lot: the kilometres come first.
    _read(database, sun, car, date(2026, 6, 1), 33_480)  # 2,480 km in 31 days: 80 a day
    [task] = _maintenance(database, sun, date(2026, 6, 30))
    assert task.basis == "km" and task.due_on < date(2026, 11, 1)
    assert "距上次保养预计已行驶约" in task.message


def test_a_reminder_sent_counts_for_its_service_even_when_the_estimate_moves(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    cid = _sale(database, sun)
    car = _car(database, cid)
    _read(database, sun, car, date(2026, 2, 9), 32_400)
    [task] = _maintenance(database, sun, date(2026, 3, 10))
    with database.write() as s:
        br.mark(s, sun, cid, br.MAINTENANCE, task.due_on, now=datetime(2026, 3, 10, 2, tzinfo=UTC))
    # A later call moves the estimate: no second reminder for the same service.
    _read(database, sun, car, date(2026, 3, 11), 34_700)
    assert _maintenance(database, sun, date(2026, 3, 12)) == []
    [nxt] = _maintenance(database, sun, date(2026, 5, 20))
    assert nxt.due_on > task.due_on and nxt.basis == "km"


def test_readings_that_cannot_be_true_are_refused_with_the_reason(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    car = _car(database, _sale(database, sun))
    _read(database, sun, car, date(2026, 3, 1), 34_000)
    today = date(2026, 4, 1)
    cases = {
        (date(2026, 3, 20), 33_500): "mileage.below_earlier",
        (date(2026, 2, 1), 35_000): "mileage.above_later",
        (date(2026, 1, 5), 30_000): "mileage.before_sale",
        (date(2026, 4, 2), 36_000): "mileage.future",
        (date(2026, 3, 2), 60_000): "mileage.too_fast",
        (date(2026, 3, 20), -5): "mileage.km_range",
        (date(2026, 3, 20), 3_000_000): "mileage.km_range",
        (date(2026, 1, 20), 29_000): "mileage.below_earlier",  # below the sale's odometer
    }
    for (on, km), code in cases.items():
        with database.write() as s, pytest.raises(ValidationError) as refused:
            mileage.record_reading(s, sun, car, on, km, today=today)
        assert refused.value.code == code, (on, km)
    with database.write() as s, pytest.raises(ValidationError) as refused:
        mileage.record_reading(s, sun, car, date(2026, 3, 20), 33_500, today=today)
    assert str(refused.value) == (
        "33,500 公里低于 2026-03-01 已记录的 34,000 公里，里程不会倒退，请核对。"
    )
    with database.read() as s:
        assert len(s.scalars(select(MileageReading)).all()) == 1


def test_the_database_refuses_a_reading_below_an_earlier_one_or_absurd(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    car = _car(database, _sale(database, sun))
    _read(database, sun, car, date(2026, 3, 1), 34_000)

    def insert(on: date, km: int, source: str = "call") -> None:
        with database.write() as s:
            s.add(
                MileageReading(
                    store_id=sun.store_id, vehicle_id=car, read_on=on, mileage_km=km, source=source
                )
            )

    for on, km, source in (
        (date(2026, 3, 5), 33_000, "call"),  # below the earlier reading
        (date(2026, 2, 1), 35_000, "call"),  # above a later one
        (date(2026, 2, 1), 29_000, "call"),  # below the odometer when sold
        (date(2026, 3, 5), -1, "call"),
        (date(2026, 3, 5), 2_000_001, "call"),
        (date(2026, 3, 5), 35_000, "guess"),
    ):
        with pytest.raises(IntegrityError):
            insert(on, km, source)
    insert(date(2026, 3, 5), 34_000)  # the same figure again is no step back


def test_a_car_not_sold_takes_no_reading_and_only_sales_desk_and_manager_record(
    database: Database, people: dict[str, StaffUser]
) -> None:
    from showroom.users import StaffUser as U

    sun = people["sun"]
    car = _car(database, _sale(database, sun))
    with database.write() as s:
        s.scalars(select(Contract).where(Contract.vehicle_id == car)).one().returned_at = NOW
    with database.write() as s, pytest.raises(ValidationError) as refused:
        mileage.record_reading(s, sun, car, date(2026, 3, 1), 34_000, today=date(2026, 3, 1))
    assert refused.value.code == "mileage.not_sold"
    appraiser = U(uuid.uuid4(), "a", "评估师", frozenset(), sun.store_id, "BJ01", "测试展厅")
    with database.write() as s, pytest.raises(PermissionDenied):
        mileage.record_reading(s, appraiser, car, date(2026, 3, 1), 34_000, today=date(2026, 3, 1))


def test_a_reading_is_audited_and_travels_as_an_operation(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    car = _car(database, _sale(database, sun))
    payload = mileage_ops.reading_payload(
        sun, car, date(2026, 3, 1), 34_000, source="visit", note="", today=date(2026, 3, 2)
    )
    op_id = uuid.uuid4()
    for _ in range(2):  # replayed twice: recorded once
        with database.write() as s:
            operations.apply(s, op_id, "mileage.record", payload, created_at=NOW, origin="t")
    with database.read() as s:
        assert [(r.mileage_km, r.source) for r in s.scalars(select(MileageReading))] == [
            (34_000, "visit")
        ]
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "mileage_recorded")).one()
    assert entry.detail == {"km": 34_000, "read_on": "2026-03-01", "source": "visit"}


def test_the_store_sets_its_interval_within_limits(
    database: Database, people: dict[str, StaffUser]
) -> None:
    manager, sun = people["manager"], people["sun"]
    with database.read() as s:
        assert mileage.interval(s, sun.store_id) == mileage.Interval(6, 5_000, True)
    for months, km, code in (
        (0, 5_000, "maintenance.months_range"),
        (25, 5_000, "maintenance.months_range"),
        (6, 500, "maintenance.km_range"),
        (6, 100_000, "maintenance.km_range"),
    ):
        with database.write() as s, pytest.raises(ValidationError) as refused:
            mileage.save_interval(s, manager, months, km)
        assert refused.value.code == code
    with database.write() as s, pytest.raises(PermissionDenied):
        mileage.save_interval(s, sun, 12, 10_000)
    payload = mileage_ops.interval_payload(manager, 12, 10_000)
    with database.write() as s:
        operations.apply(
            s, uuid.uuid4(), "maintenance.interval_save", payload, created_at=NOW, origin="t"
        )
    with database.read() as s:
        assert mileage.interval(s, sun.store_id) == mileage.Interval(12, 10_000, False)
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "maintenance_interval_set")
        ).one()
    assert entry.detail == {"from": [6, 5_000], "to": [12, 10_000]}
    # A barely running car now waits a year, a busy one 10,000 km.
    car = _car(database, _sale(database, sun))
    _read(database, sun, car, date(2026, 2, 9), 32_400)  # 80 km a day
    assert _maintenance(database, sun, date(2026, 5, 7)) == []
    [task] = _maintenance(database, sun, date(2026, 5, 10))
    assert task.due_on == SOLD + timedelta(days=125) and task.basis == "km"
    for values in ({"months": 30}, {"km": 999}):
        with pytest.raises(IntegrityError), database.write() as s:
            s.execute(update(MaintenanceInterval).values(**values))


def test_the_estimate_helpers(database: Database) -> None:
    points = [
        mileage.Reading(date(2026, 1, 1), 10_000, "sale"),
        mileage.Reading(date(2026, 1, 11), 11_000, "call"),
    ]
    rate, measured = mileage.km_per_day(points)
    assert (rate, measured) == (100.0, True)
    assert mileage.km_on(points, rate, date(2026, 1, 6)) == 10_500
    assert mileage.day_reaching(points, rate, 10_500) == date(2026, 1, 6)
    assert mileage.day_reaching(points, rate, 12_000) == date(2026, 1, 21)
    close = [points[0], mileage.Reading(date(2026, 1, 3), 10_400, "call")]
    assert mileage.km_per_day(close) == (mileage.DEFAULT_KM_PER_DAY, False)  # 2 days: no rate
    still = [points[0], mileage.Reading(date(2026, 3, 1), 10_000, "call")]
    assert mileage.day_reaching(still, mileage.km_per_day(still)[0], 15_000) is None
