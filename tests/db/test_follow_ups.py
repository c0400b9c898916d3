"""Follow-up list, logging a result with the next date, and cooling quiet hot customers."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import (
    Customer,
    FollowUp,
    FollowUpStatus,
    GradeChange,
    IntentGrade,
    Interaction,
    InteractionChannel,
    Role,
    SourceChannel,
    Staff,
    Store,
    Visit,
    VisitPurpose,
)
from showroom.errors import ConflictError, PermissionDenied, ValidationError
from showroom.services import follow_ups
from showroom.users import StaffUser
from tests.factories import make_staff, make_store

TODAY = date(2026, 11, 24)
_phones = itertools.count(1)
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


def _user(database: Database, staff_id: uuid.UUID) -> StaffUser:
    with database.read() as s:
        staff = s.get(Staff, staff_id)
        store = s.get(Store, staff.store_id)  # type: ignore[union-attr]
        return StaffUser(
            staff.id,  # type: ignore[union-attr]
            staff.username,  # type: ignore[union-attr]
            staff.display_name,  # type: ignore[union-attr]
            staff.roles,  # type: ignore[union-attr]
            store.id,  # type: ignore[union-attr]
            store.code,  # type: ignore[union-attr]
            store.name,  # type: ignore[union-attr]
        )


@pytest.fixture
def people(database: Database) -> dict[str, StaffUser]:
    store = make_store(database)
    ids = {
        "manager": make_staff(database, store, "m", Role.MANAGER, display_name="赵店长"),
        "sun": make_staff(database, store, "sun", Role.SALES, display_name="孙顾问"),
        "zhou": make_staff(database, store, "zhou", Role.SALES, display_name="周顾问"),
    }
    return {key: _user(database, value) for key, value in ids.items()}


def _customer(
    database: Database,
    user: StaffUser,
    name: str,
    grade: IntentGrade | None = None,
    created: datetime = NOW - timedelta(days=60),
) -> uuid.UUID:
    with database.write() as s:
        c = Customer(
            store_id=user.store_id,
            name=name,
            phone=f"1380000{next(_phones):04d}",
            owner_id=user.id,
            intent_grade=grade,
            created_at=created,
        )
        s.add(c)
        s.flush()
        return c.id


def _follow_up(
    database: Database, customer: uuid.UUID, owner: StaffUser, due: date, reason: str = "visit"
) -> uuid.UUID:
    with database.write() as s:
        f = FollowUp(customer_id=customer, consultant_id=owner.id, due_on=due, reason=reason)
        s.add(f)
        s.flush()
        return f.id


def test_each_consultant_sees_own_due_and_overdue_the_manager_all(
    database: Database, people
) -> None:  # type: ignore[no-untyped-def]
    sun, zhou, manager = people["sun"], people["zhou"], people["manager"]
    a = _customer(database, sun, "张三")
    b = _customer(database, zhou, "李四")
    _follow_up(database, a, sun, TODAY, "contract_3d")
    _follow_up(database, a, sun, TODAY - timedelta(days=5), "contract_1m")
    _follow_up(database, a, sun, TODAY + timedelta(days=1))  # tomorrow: not listed
    _follow_up(database, b, zhou, TODAY - timedelta(days=1))
    with database.read() as s:
        mine = follow_ups.list_due(s, sun, TODAY)
        everyone = follow_ups.list_due(s, manager, TODAY)
        only_zhou = follow_ups.list_due(s, manager, TODAY, consultant_id=zhou.id)
        # A consultant cannot ask for a colleague's list.
        still_mine = follow_ups.list_due(s, sun, TODAY, consultant_id=zhou.id)
    assert [(r.reason, r.days_overdue) for r in mine.rows] == [
        ("contract_1m", 5),
        ("contract_3d", 0),
    ]
    assert (mine.due_today, mine.overdue) == (1, 1)
    assert mine.rows[0].phone_masked.startswith("138****")  # masked
    assert everyone.total == 3 and only_zhou.total == 1
    assert only_zhou.rows[0].consultant_name == "周顾问"
    assert still_mine.total == 2


def test_logging_a_result_closes_it_records_the_contact_and_schedules_the_next(
    database: Database, people
) -> None:  # type: ignore[no-untyped-def]
    sun = people["sun"]
    a = _customer(database, sun, "张三")
    fid = _follow_up(database, a, sun, TODAY, "contract_3d")
    with database.write() as s:
        done = follow_ups.complete(
            s, sun, fid, "  客户满意，提醒首保  ", date(2026, 12, 1), now=NOW, today=TODAY
        )
    assert done.next_due == date(2026, 12, 1)
    with database.read() as s:
        old = s.get(FollowUp, fid)
        nxt = s.get(FollowUp, done.next_follow_up_id)
        contact = s.scalars(select(Interaction)).one()
        assert (old.status, old.result, old.done_at) == (
            FollowUpStatus.DONE,
            "客户满意，提醒首保",
            NOW,
        )  # type: ignore[union-attr]
        assert (nxt.status, nxt.due_on, nxt.reason, nxt.consultant_id) == (  # type: ignore[union-attr]
            FollowUpStatus.OPEN,
            date(2026, 12, 1),
            "follow_up",
            sun.id,
        )
        assert (contact.customer_id, contact.channel, contact.at) == (
            a,
            InteractionChannel.PHONE,
            NOW,
        )
        listed = follow_ups.list_due(s, sun, TODAY)
    assert listed.total == 0


@pytest.mark.parametrize(
    ("result", "next_due", "code"),
    [
        ("   ", None, "follow_up.result_missing"),
        ("好", TODAY, "follow_up.next_due_past"),
        ("好", TODAY - timedelta(days=3), "follow_up.next_due_past"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(
    database: Database, people, result: str, next_due: date | None, code: str
) -> None:  # type: ignore[no-untyped-def]
    sun = people["sun"]
    fid = _follow_up(database, _customer(database, sun, "张三"), sun, TODAY)
    with pytest.raises(ValidationError) as info, database.write() as s:
        follow_ups.complete(s, sun, fid, result, next_due, now=NOW, today=TODAY)
    assert info.value.code == code
    with database.read() as s:
        assert s.get(FollowUp, fid).status is FollowUpStatus.OPEN  # type: ignore[union-attr]


def test_a_colleagues_or_closed_follow_up_is_refused(database: Database, people) -> None:  # type: ignore[no-untyped-def]
    sun, zhou, manager = people["sun"], people["zhou"], people["manager"]
    fid = _follow_up(database, _customer(database, sun, "张三"), sun, TODAY)
    with pytest.raises(PermissionDenied), database.write() as s:
        follow_ups.complete(s, zhou, fid, "已联系", None, now=NOW, today=TODAY)
    with database.write() as s:  # the manager may log anyone's
        follow_ups.complete(s, manager, fid, "店长代为回访", None, now=NOW, today=TODAY)
    with pytest.raises(ConflictError) as info, database.write() as s:
        follow_ups.complete(s, sun, fid, "再来一次", None, now=NOW, today=TODAY)
    assert info.value.message == "这条回访已经处理过了，请刷新列表。"


def test_hot_customers_silent_for_15_days_are_flagged_and_can_be_downgraded(
    database: Database, people
) -> None:  # type: ignore[no-untyped-def]
    sun = people["sun"]
    silent = _customer(database, sun, "沉默A", IntentGrade.A)
    called = _customer(database, sun, "回电A", IntentGrade.A)
    visited = _customer(database, sun, "到店A", IntentGrade.A)
    _customer(database, sun, "新客A", IntentGrade.A, created=NOW - timedelta(days=2))
    _customer(database, sun, "普通B", IntentGrade.B)
    with database.write() as s:
        s.add(
            Interaction(
                customer_id=silent,
                channel=InteractionChannel.WECHAT,
                at=NOW - timedelta(days=16),
            )
        )
        s.add(
            Interaction(
                customer_id=called, channel=InteractionChannel.PHONE, at=NOW - timedelta(days=3)
            )
        )
        s.add(
            Visit(
                store_id=sun.store_id,
                visit_no="V1",
                customer_id=visited,
                purpose=VisitPurpose.BUY,
                source_channel=SourceChannel.WALK_IN,
                arrived_at=NOW - timedelta(days=14),
            )
        )
    with database.read() as s:
        stale = follow_ups.stale_hot_customers(s, sun, NOW)
    assert [(c.name, c.silent_days) for c in stale] == [("沉默A", 16)]

    with database.write() as s:
        change = follow_ups.downgrade(s, sun, silent)
    assert (change.old_grade, change.new_grade) == (IntentGrade.A, IntentGrade.B)
    with database.read() as s:
        assert s.get(Customer, silent).intent_grade is IntentGrade.B  # type: ignore[union-attr]
        history = s.scalars(select(GradeChange)).one()
        assert (history.old_grade, history.new_grade, history.changed_by_id) == (
            IntentGrade.A,
            IntentGrade.B,
            sun.id,
        )
        assert follow_ups.stale_hot_customers(s, sun, NOW) == []
    with pytest.raises(ConflictError), database.write() as s:
        follow_ups.downgrade(s, sun, silent)  # already B
