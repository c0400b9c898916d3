"""Consultant routing on both backends: the roster decides who is on duty; the fair queue.

A consultant who becomes free is offered the longest-waiting unassigned visitor
first; nobody is given a second waiting visitor by rotation while colleagues are
free (only by hand, or because the customer is theirs).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import (
    AuditEntry,
    Customer,
    IntentGrade,
    Role,
    RosterStatus,
    Title,
    Visit,
    VisitOutcome,
    VisitStatus,
)
from showroom.errors import ValidationError
from showroom.services import auth, reception, roster
from showroom.users import StaffUser
from tests.factories import make_staff, make_store

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # Tuesday 11:00 in the store
TODAY = date(2026, 11, 24)


@dataclass
class Floor:
    store: uuid.UUID
    a: uuid.UUID  # 孙顾问
    b: uuid.UUID  # 周顾问
    manager: StaffUser
    phones: list[str]


@pytest.fixture
def floor(database: Database) -> Floor:
    return make_floor(database)


def make_floor(database: Database) -> Floor:
    store = make_store(database)
    a = make_staff(database, store, "a", Role.SALES, display_name="孙顾问")
    b = make_staff(database, store, "b", Role.SALES, display_name="周顾问")
    boss = make_staff(database, store, "boss", Role.MANAGER, display_name="赵店长")
    with database.read() as s:
        manager = auth.user_of(s, boss)
    return Floor(store, a, b, manager, [])


def _walk_in(
    database: Database, floor: Floor, minutes: int, **kw: object
) -> reception.CheckInResult:
    phone = f"1380000{len(floor.phones):04d}"
    floor.phones.append(phone)
    with database.write() as s:
        customer = Customer(store_id=floor.store, name="王", title=Title.MS, phone=phone, **kw)
        s.add(customer)
        s.flush()
        return reception.check_in(
            s,
            floor.manager.actor,
            floor.store,
            customer_id=customer.id,
            now=NOW + timedelta(minutes=minutes),
        )


def _consultant(database: Database, visit_id: uuid.UUID) -> uuid.UUID | None:
    with database.read() as s:
        return s.get_one(Visit, visit_id).consultant_id


def _leave(database: Database, floor: Floor, visit_id: uuid.UUID, minutes: int) -> list:  # type: ignore[type-arg]
    with database.write() as s:
        return reception.check_out(
            s,
            floor.manager,
            visit_id,
            VisitOutcome.FOLLOW_UP,
            IntentGrade.B,
            now=NOW + timedelta(minutes=minutes),
        )


def test_nobody_gets_a_second_waiting_visitor_while_a_colleague_is_free(
    database: Database, floor: Floor
) -> None:
    first = _walk_in(database, floor, 0)
    second = _walk_in(database, floor, 1)
    # Both consultants have someone waiting (not yet greeted): the third visitor queues
    # instead of going to whoever was given one longest ago.
    third = _walk_in(database, floor, 2)
    assert {first.routing.consultant_id, second.routing.consultant_id} == {floor.a, floor.b}
    assert (third.routing.reason, third.routing.consultant_id) == ("queue", None)
    assert third.routing.queue_position == 1
    fourth = _walk_in(database, floor, 3)
    assert fourth.routing.queue_position == 2


def test_a_consultant_who_becomes_free_takes_the_longest_waiting_visitor(
    database: Database, floor: Floor
) -> None:
    first = _walk_in(database, floor, 0)
    _walk_in(database, floor, 1)
    third = _walk_in(database, floor, 2)
    fourth = _walk_in(database, floor, 3)
    offers = _leave(database, floor, first.visit_id, 10)
    assert [(o.visit_id, o.consultant_id) for o in offers] == [
        (third.visit_id, first.routing.consultant_id)
    ]
    assert _consultant(database, fourth.visit_id) is None  # still next in line
    with database.read() as s:
        customer = s.get_one(Customer, third.customer_id)
        assert customer.owner_id == first.routing.consultant_id  # 首问负责制
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "visit_offered")).one()
        assert entry.detail["visit_no"] == third.visit_no


def test_a_new_arrival_does_not_overtake_the_queue(database: Database, floor: Floor) -> None:
    first = _walk_in(database, floor, 0)
    _walk_in(database, floor, 1)
    queued = _walk_in(database, floor, 2)
    # A consultant comes on duty without anyone noticing the queue (a roster change).
    extra = make_staff(database, floor.store, "c", Role.SALES, display_name="吴顾问")
    late = _walk_in(database, floor, 5)
    assert _consultant(database, queued.visit_id) == extra  # the one who waited goes first
    assert late.routing.reason == "queue"
    assert first.routing.reason == "rotation"


def test_the_owner_and_a_choice_by_hand_may_give_a_second_visitor(
    database: Database, floor: Floor
) -> None:
    first = _walk_in(database, floor, 0)
    owner = first.routing.consultant_id
    assert owner is not None
    other = floor.b if owner == floor.a else floor.a
    # The same consultant's protected customer comes back: to them, though they have one waiting.
    theirs = _walk_in(database, floor, 1, owner_id=owner, owner_since=NOW - timedelta(days=3))
    assert (theirs.routing.reason, theirs.routing.consultant_id) == ("owner", owner)
    # By hand the desk may give anyone on duty a second visitor.
    with database.write() as s:
        customer = Customer(store_id=floor.store, name="李", title=Title.MR, phone="13900009999")
        s.add(customer)
        s.flush()
        chosen = reception.check_in(
            s,
            floor.manager.actor,
            floor.store,
            customer_id=customer.id,
            consultant_id=owner,
            now=NOW + timedelta(minutes=2),
        )
    assert (chosen.routing.reason, chosen.routing.consultant_id) == ("override", owner)
    assert _walk_in(database, floor, 3).routing.consultant_id == other


def test_only_consultants_on_duty_are_listed_routed_or_chosen(
    database: Database, floor: Floor
) -> None:
    with database.write() as s:
        roster.set_day(s, floor.manager, floor.a, TODAY, RosterStatus.LEAVE, now=NOW)
    with database.read() as s:
        listed = reception.list_consultants(s, floor.store, now=NOW)
    assert [c.name for c in listed] == ["周顾问"]
    first = _walk_in(database, floor, 0)
    assert first.routing.consultant_id == floor.b
    with pytest.raises(ValidationError) as off, database.write() as s:
        reception.assign(s, floor.manager, first.visit_id, floor.a, now=NOW)
    assert off.value.code == "reception.bad_consultant"
    # A protected customer whose consultant is on leave goes by rotation, not to the absent.
    back = _walk_in(database, floor, 1, owner_id=floor.a, owner_since=NOW - timedelta(days=1))
    assert back.routing.reason == "queue"  # b has someone waiting; a is away
    with database.write() as s:
        roster.set_day(s, floor.manager, floor.b, TODAY, RosterStatus.SICK, now=NOW)
    nobody = _walk_in(database, floor, 2)
    assert (nobody.routing.reason, nobody.routing.consultant_id) == ("none", None)


def test_handing_a_visitor_on_frees_the_first_consultant_for_the_queue(
    database: Database, floor: Floor
) -> None:
    first = _walk_in(database, floor, 0)
    second = _walk_in(database, floor, 1)
    queued = _walk_in(database, floor, 2)
    giver = first.routing.consultant_id
    taker = second.routing.consultant_id
    assert giver is not None and taker is not None
    with database.write() as s:
        reception.assign(s, floor.manager, first.visit_id, taker, now=NOW + timedelta(minutes=3))
    assert _consultant(database, queued.visit_id) == giver


def test_a_salesperson_greeting_an_unassigned_visitor_takes_them(
    database: Database, floor: Floor
) -> None:
    _walk_in(database, floor, 0)
    _walk_in(database, floor, 1)
    queued = _walk_in(database, floor, 2)
    with database.read() as s:
        sales = auth.user_of(s, floor.a)
    with database.write() as s:
        reception.set_status(s, sales, queued.visit_id, VisitStatus.WITH_CONSULTANT)
    assert _consultant(database, queued.visit_id) == floor.a


def test_two_desks_checking_in_at_once_give_two_consultants(
    postgresql_database: Database,
) -> None:
    """The second desk waits for the first desk's rotation, then sees its consultant busy."""
    import threading
    import time

    database = postgresql_database
    floor_ = make_floor(database)
    with database.write() as s:
        customers = []
        for n in range(2):
            customer = Customer(
                store_id=floor_.store, name="王", title=Title.MS, phone=f"1390000000{n}"
            )
            s.add(customer)
            s.flush()
            customers.append(customer.id)
    results: dict[str, reception.CheckInResult] = {}
    first_routed = threading.Event()

    def desk(name: str, customer_id: uuid.UUID, hold: float) -> None:
        with database.write() as s:
            results[name] = reception.check_in(
                s, floor_.manager.actor, floor_.store, customer_id=customer_id, now=NOW
            )
            if hold:
                first_routed.set()
                time.sleep(hold)  # the first desk has chosen but not yet committed

    first = threading.Thread(target=desk, args=("first", customers[0], 1.0))
    first.start()
    assert first_routed.wait(10)
    second = threading.Thread(target=desk, args=("second", customers[1], 0))
    second.start()
    first.join(20)
    second.join(20)
    chosen = {_consultant(database, r.visit_id) for r in results.values()}
    assert chosen == {floor_.a, floor_.b}


def test_handing_out_the_queue_passes_over_a_customer_another_desk_holds(
    postgresql_database: Database,
) -> None:
    """The hand-out never waits for a customer row (it runs after business locks).

    Another desk is writing under the first queued visitor's customer: the free
    consultant gets the next visitor at once, and the first keeps their place.
    """
    from sqlalchemy import text

    database = postgresql_database
    floor_ = make_floor(database)
    first = _walk_in(database, floor_, 0)
    _walk_in(database, floor_, 1)
    held = _walk_in(database, floor_, 2)  # queued first
    later = _walk_in(database, floor_, 3)  # queued second
    assert _consultant(database, held.visit_id) is None
    with database.read() as s:
        held_customer = s.get_one(Visit, held.visit_id).customer_id
    freed = first.routing.consultant_id
    with database.engine.connect() as other_desk:
        other_desk.execute(
            select(Customer.id).where(Customer.id == held_customer).with_for_update(read=True)
        )
        with database.write() as s:
            # Fail instead of hanging if the hand-out waits for the other desk's lock.
            s.execute(text("SET LOCAL lock_timeout = '3s'"))
            reception.check_out(
                s,
                floor_.manager,
                first.visit_id,
                VisitOutcome.NO_INTEREST,
                IntentGrade.C,
                now=NOW + timedelta(minutes=10),
            )
        other_desk.rollback()
    assert _consultant(database, later.visit_id) == freed
    assert _consultant(database, held.visit_id) is None
    with database.read() as s:
        assert s.get_one(Customer, held_customer).owner_id is None
