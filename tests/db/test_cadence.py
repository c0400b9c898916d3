"""回访节奏: follow-ups planned by intent grade at a visit's end, a test drive's return, a
lead and a grade change; the store's own rules; the repeat; one open per customer."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from db.engine import Database
from db.models import (
    AuditEntry,
    Customer,
    CustomerTag,
    CustomerTagLink,
    Energy,
    FollowUp,
    FollowUpCadence,
    FollowUpStatus,
    GradeChange,
    IntentGrade,
    Role,
    SourceChannel,
    Staff,
    Store,
    TestDrive,
    TestDriveStatus,
    Transmission,
    Vehicle,
    VehicleStatus,
    Visit,
    VisitOutcome,
    VisitPurpose,
    VisitStatus,
)
from showroom.errors import PermissionDenied, ValidationError
from showroom.services import audit, cadence, follow_ups, leads, merge, reception
from showroom.services import test_drives as td
from showroom.sync import operations
from showroom.users import StaffUser
from tests.factories import make_staff, make_store, went_out

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
TODAY = date(2026, 11, 24)
LATE = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # 01:00 on the 25th in Beijing
_phones = itertools.count(1)


def _user(database: Database, staff_id: uuid.UUID) -> StaffUser:
    with database.read() as s:
        staff = s.get_one(Staff, staff_id)
        store = s.get_one(Store, staff.store_id)
        return StaffUser(
            staff.id,
            staff.username,
            staff.display_name,
            staff.roles,
            store.id,
            store.code,
            store.name,
        )


@pytest.fixture
def people(database: Database) -> dict[str, StaffUser]:
    store = make_store(database)
    ids = {
        "manager": make_staff(database, store, "m", Role.MANAGER, display_name="赵店长"),
        "sun": make_staff(database, store, "sun", Role.SALES, display_name="孙顾问"),
    }
    return {key: _user(database, value) for key, value in ids.items()}


def _customer(database: Database, owner: StaffUser, grade: IntentGrade | None) -> uuid.UUID:
    with database.write() as s:
        c = Customer(
            store_id=owner.store_id,
            name="王小明",
            phone=f"1390000{next(_phones):04d}",
            owner_id=owner.id,
            intent_grade=grade,
            created_at=NOW - timedelta(days=60),
        )
        s.add(c)
        s.flush()
        return c.id


def _visit(database: Database, owner: StaffUser, customer_id: uuid.UUID) -> uuid.UUID:
    with database.write() as s:
        v = Visit(
            store_id=owner.store_id,
            visit_no=f"V{uuid.uuid4().hex[:10]}",
            customer_id=customer_id,
            purpose=VisitPurpose.BUY,
            source_channel=SourceChannel.WALK_IN,
            status=VisitStatus.WITH_CONSULTANT,
            consultant_id=owner.id,
            arrived_at=NOW - timedelta(hours=1),
        )
        s.add(v)
        s.flush()
        return v.id


def _open_cadence(database: Database, customer_id: uuid.UUID) -> list[tuple[date, str, str]]:
    with database.read() as s:
        return [
            (f.due_on, f.reason, f.cadence_grade or "")
            for f in s.scalars(
                select(FollowUp).where(
                    FollowUp.customer_id == customer_id, FollowUp.status == FollowUpStatus.OPEN
                )
            )
        ]


def _check_out(
    database: Database,
    user: StaffUser,
    customer_id: uuid.UUID,
    grade: IntentGrade,
    outcome: VisitOutcome = VisitOutcome.FOLLOW_UP,
    now: datetime = NOW,
) -> None:
    visit_id = _visit(database, user, customer_id)
    with database.write() as s:
        reception.check_out(s, user, visit_id, outcome, grade, now=now)


def test_defaults_hot_within_48_hours_warm_two_weeks_cold_monthly_d_none(
    database: Database, people: dict[str, StaffUser]
) -> None:
    with database.read() as s:
        found = cadence.rules(s, people["sun"].store_id)
    assert [(r.first_days, r.repeat_days) for r in found.values()] == [
        (2, 7),
        (14, 14),
        (30, 30),
        (None, None),
    ]


@pytest.mark.parametrize(
    ("grade", "due"),
    [
        (IntentGrade.A, TODAY + timedelta(days=2)),
        (IntentGrade.B, TODAY + timedelta(days=14)),
        (IntentGrade.C, TODAY + timedelta(days=30)),
    ],
)
def test_a_visit_ending_plans_the_follow_up_by_the_grade_given_at_check_out(
    database: Database, people: dict[str, StaffUser], grade: IntentGrade, due: date
) -> None:
    sun = people["sun"]
    cid = _customer(database, sun, None)
    _check_out(database, sun, cid, grade)
    assert _open_cadence(database, cid) == [(due, "visit", grade.value)]


def test_grade_d_plans_nothing_and_a_deal_leaves_it_to_the_contract(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    cid = _customer(database, sun, IntentGrade.B)
    _check_out(database, sun, cid, IntentGrade.B)
    _check_out(database, sun, cid, IntentGrade.D, VisitOutcome.NO_INTEREST)
    assert _open_cadence(database, cid) == []  # the B reminder was replaced by nothing
    with database.read() as s:
        skipped = s.scalars(select(FollowUp)).one()
        assert skipped.status is FollowUpStatus.SKIPPED
        assert skipped.result == "到店后按意向等级重新安排"
    other = _customer(database, sun, IntentGrade.A)
    _check_out(database, sun, other, IntentGrade.A)
    _check_out(database, sun, other, IntentGrade.A, VisitOutcome.DEAL)
    assert _open_cadence(database, other) == []  # the weekly A call stops at the deal


def test_the_day_is_the_stores_day_not_utcs(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    cid = _customer(database, sun, None)
    _check_out(database, sun, cid, IntentGrade.A, now=LATE)  # already the 25th in Beijing
    assert _open_cadence(database, cid) == [(date(2026, 11, 27), "visit", "A")]


def test_a_new_contact_replaces_the_open_cadence_follow_up_never_stacks(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    cid = _customer(database, sun, None)
    _check_out(database, sun, cid, IntentGrade.C)
    _check_out(database, sun, cid, IntentGrade.A, now=NOW + timedelta(days=3))
    assert _open_cadence(database, cid) == [(TODAY + timedelta(days=5), "visit", "A")]


def test_the_database_refuses_a_second_open_cadence_follow_up(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    cid = _customer(database, sun, None)
    _check_out(database, sun, cid, IntentGrade.A)
    with pytest.raises(IntegrityError), database.write() as s:
        s.add(FollowUp(customer_id=cid, due_on=TODAY, reason="visit", cadence_grade="B"))
        s.flush()
    with database.write() as s:  # a follow-up not planned by the cadence is not limited
        s.add(FollowUp(customer_id=cid, due_on=TODAY, reason="contract_3d"))


def test_vip_customers_are_followed_up_by_hand(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    cid = _customer(database, sun, None)
    with database.write() as s:
        tag = CustomerTag(store_id=sun.store_id, name="vip")
        s.add(tag)
        s.flush()
        s.add(CustomerTagLink(customer_id=cid, tag_id=tag.id))
        s.add(
            FollowUp(
                customer_id=cid, due_on=TODAY + timedelta(days=3), reason="follow_up",
                cadence_grade="A",
            )
        )  # fmt: skip
    _check_out(database, sun, cid, IntentGrade.A)
    assert _open_cadence(database, cid) == [(TODAY + timedelta(days=3), "follow_up", "A")]


def test_the_store_edits_a_grades_cadence_and_it_applies_from_the_next_contact(
    database: Database, people: dict[str, StaffUser]
) -> None:
    manager, sun = people["manager"], people["sun"]
    with database.write() as s:
        rule = cadence.save_rule(s, manager, IntentGrade.B, 7, 21)
    assert (rule.first_days, rule.repeat_days, rule.is_default) == (7, 21, False)
    with database.write() as s:  # saving it again changes and logs nothing new
        cadence.save_rule(s, manager, IntentGrade.B, 7, 21)
    with database.write() as s:
        cadence.save_rule(s, manager, IntentGrade.D, None, None)
    cid = _customer(database, sun, None)
    _check_out(database, sun, cid, IntentGrade.B)
    assert _open_cadence(database, cid) == [(TODAY + timedelta(days=7), "visit", "B")]
    with database.read() as s:
        assert cadence.rules(s, sun.store_id)[IntentGrade.A].is_default
        logged = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "follow_up_cadence_set")
        ).all()
    assert len(logged) == 1


@pytest.mark.parametrize(
    ("first", "repeat", "code"),
    [
        (0, 7, "cadence.days_range"),
        (366, None, "cadence.days_range"),
        (3, 400, "cadence.days_range"),
        (None, 7, "cadence.repeat_without_first"),
    ],
)
def test_a_cadence_out_of_range_is_refused_with_a_message(
    database: Database,
    people: dict[str, StaffUser],
    first: int | None,
    repeat: int | None,
    code: str,
) -> None:
    with pytest.raises(ValidationError) as caught, database.write() as s:
        cadence.save_rule(s, people["manager"], IntentGrade.A, first, repeat)
    assert caught.value.code == code
    assert "天" in caught.value.message or "周期" in caught.value.message


def test_only_the_manager_sets_the_cadence_and_the_database_checks_the_range(
    database: Database, people: dict[str, StaffUser]
) -> None:
    with pytest.raises(PermissionDenied), database.write() as s:
        cadence.save_rule(s, people["sun"], IntentGrade.A, 1, 7)
    with pytest.raises(IntegrityError), database.write() as s:
        s.add(FollowUpCadence(store_id=people["sun"].store_id, grade=IntentGrade.A, first_days=0))
        s.flush()
    with pytest.raises(IntegrityError), database.write() as s:
        s.add(FollowUpCadence(store_id=people["sun"].store_id, grade=IntentGrade.A, repeat_days=7))
        s.flush()


def test_the_cadence_is_saved_through_its_operation_and_needs_the_connection(
    database: Database, people: dict[str, StaffUser]
) -> None:
    assert operations.REGISTRY["follow_up.cadence_save"].can_wait is False
    payload = operations.cadence_payload(
        people["manager"], [(IntentGrade.C, 10, None), (IntentGrade.D, 60, None)]
    )
    with database.write() as s:
        done = operations.apply(
            s, uuid.uuid4(), "follow_up.cadence_save", payload, created_at=NOW, origin="pc1"
        )
    saved = done.value
    assert (saved[IntentGrade.C].first_days, saved[IntentGrade.C].repeat_days) == (10, None)
    assert saved[IntentGrade.D].first_days == 60
    bad = operations.cadence_payload(
        people["manager"], [(IntentGrade.A, 1, 7), (IntentGrade.B, 0, None)]
    )
    with pytest.raises(ValidationError), database.write() as s:  # all or none
        operations.apply(
            s, uuid.uuid4(), "follow_up.cadence_save", bad, created_at=NOW, origin="pc1"
        )
    with database.read() as s:
        assert cadence.rules(s, people["manager"].store_id)[IntentGrade.A].is_default


def test_logging_a_cadence_follow_up_plans_the_next_by_the_grades_repeat(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    cid = _customer(database, sun, None)
    _check_out(database, sun, cid, IntentGrade.A)
    day = TODAY + timedelta(days=2)
    with database.read() as s:
        fid = follow_ups.list_due(s, sun, day).rows[0].id
    with database.write() as s:
        done = follow_ups.complete(s, sun, fid, "客户周末再来看车", None, now=NOW, today=day)
    assert done.next_due == day + timedelta(days=7)
    assert _open_cadence(database, cid) == [(day + timedelta(days=7), "cadence", "A")]
    with database.read() as s:
        fid = follow_ups.list_due(s, sun, day + timedelta(days=7)).rows[0].id
    with database.write() as s:  # a date given by hand wins, and stays the cadence's one
        follow_ups.complete(s, sun, fid, "约了下周三", date(2026, 12, 9), now=NOW, today=day)
    assert _open_cadence(database, cid) == [(date(2026, 12, 9), "follow_up", "A")]


def test_the_list_shows_due_overdue_and_which_grade_planned_it(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    cid = _customer(database, sun, None)
    _check_out(database, sun, cid, IntentGrade.A)
    with database.read() as s:
        shown = follow_ups.list_due(s, sun, TODAY + timedelta(days=5))
    row = shown.rows[0]
    assert (row.reason, row.cadence_grade, row.days_overdue, shown.overdue) == ("visit", "A", 3, 1)


def test_a_downgrade_after_silence_replans_by_the_new_grade(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    cid = _customer(database, sun, None)
    _check_out(database, sun, cid, IntentGrade.A)
    with database.write() as s:
        follow_ups.downgrade(s, sun, cid, now=NOW + timedelta(days=15))
    assert _open_cadence(database, cid) == [(TODAY + timedelta(days=29), "grade", "B")]


def test_a_lead_from_a_known_customer_plans_by_their_grade(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    cid = _customer(database, sun, IntentGrade.C)
    with database.read() as s:
        phone = s.get_one(Customer, cid).phone
    with database.write() as s:
        leads.create_lead(s, sun, leads.NewLead(phone=phone, message="问朗逸"), now=NOW)
        # A number nobody has yet: no customer, no follow-up (the lead has its deadline).
        leads.create_lead(s, sun, leads.NewLead(phone="13700000999"), now=NOW)
    assert _open_cadence(database, cid) == [(TODAY + timedelta(days=30), "lead", "C")]
    with database.read() as s:
        assert s.scalar(select(func.count()).select_from(FollowUp)) == 1


def test_a_test_drive_return_records_the_grade_and_plans_the_follow_up(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    cid = _customer(database, sun, IntentGrade.C)
    start = NOW - timedelta(hours=1)
    with database.write() as s:
        car = Vehicle(
            store_id=sun.store_id,
            stock_no="BJ01-S2026-00009",
            vin="LSVAU2180N2123456",
            brand="大众",
            model="朗逸",
            year=2021,
            mileage_km=32000,
            energy=Energy.PETROL,
            transmission=Transmission.AUTOMATIC,
            list_price=Decimal("86000"),
            status=VehicleStatus.TEST_DRIVE,
        )
        s.add(car)
        s.flush()
        drive = TestDrive(
            store_id=sun.store_id,
            booking_code="TD0001",
            vehicle_id=car.id,
            customer_id=cid,
            consultant_id=sun.id,
            slot_start=start,
            slot_end=start + timedelta(minutes=30),
            status=TestDriveStatus.CHECKED_OUT,
            **went_out(s, sun.store_id, "TD0001", start, TestDriveStatus.CHECKED_OUT),
        )
        s.add(drive)
        s.flush()
        drive_id = drive.id
    with database.write() as s:
        td.return_car(
            s, audit.Actor("孙顾问", sun.id), drive_id, odometer_km=1010,
            intent_grade=IntentGrade.A, now=NOW,
        )  # fmt: skip
    assert _open_cadence(database, cid) == [(TODAY + timedelta(days=2), "test_drive", "A")]
    with database.read() as s:
        change = s.scalars(select(GradeChange)).one()
        assert (change.old_grade, change.new_grade, change.reason) == (
            IntentGrade.C,
            IntentGrade.A,
            "试驾 TD0001",
        )


def test_a_merge_keeps_one_open_cadence_follow_up_and_an_undo_restores_the_rows(
    database: Database, people: dict[str, StaffUser]
) -> None:
    manager, sun = people["manager"], people["sun"]
    keep, drop = _customer(database, sun, None), _customer(database, sun, None)
    _check_out(database, sun, keep, IntentGrade.B)
    _check_out(database, sun, drop, IntentGrade.A)
    with database.write() as s:
        result = merge.merge_customers(s, manager, keep, drop, now=NOW)
    assert _open_cadence(database, keep) == [(TODAY + timedelta(days=14), "visit", "B")]
    with database.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.seq == result.audit_seq)).one()
        assert len(entry.detail["cadence_skipped"]) == 1
    with database.write() as s:
        merge.unmerge(s, manager, result.audit_seq)
    assert _open_cadence(database, keep) == [(TODAY + timedelta(days=14), "visit", "B")]
    assert _open_cadence(database, drop) == []  # closed by the merge; planned again at a visit
