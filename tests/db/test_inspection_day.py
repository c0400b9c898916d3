"""Inspection days: seats, wait-list, promotion, check-in, queues; on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time as clock
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from db.engine import Database
from db.models import AuditEntry, Registration, RegistrationStatus, Role, Visit
from showroom.errors import ConflictError, ShowroomError, ValidationError
from showroom.services import audit
from showroom.services import inspection_day as idays
from tests.factories import make_staff, make_store

ZONE = ZoneInfo("Asia/Shanghai")
EVENT_DAY = date(2026, 12, 12)
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=ZONE)
ON_THE_DAY = datetime(2026, 12, 12, 9, 30, tzinfo=ZONE)
ACTOR = audit.Actor("测试")


def car(n: int) -> idays.CarForm:
    return idays.CarForm(
        plate=f"京A{n:05d}", brand="大众", model="朗逸", year=2019, mileage_km=60000
    )


def letter(n: int) -> str:
    """A name part for the n-th generated customer: names are letters, never digits."""
    stems = "甲乙丙丁戊己庚辛壬癸"
    return stems[n % 10] + stems[n // 10 % 10]


def phone(n: int) -> str:
    return f"1380013{n:04d}"


class World:
    def __init__(self, database: Database, seats: int = 3) -> None:
        self.database = database
        self.store_id = make_store(database)
        self.appraiser_id = make_staff(database, self.store_id, "app1", Role.APPRAISER)
        with database.write() as session:
            (self.event_id,) = idays.create_events(
                session,
                ACTOR,
                self.store_id,
                idays.EventForm("十二月透明检测日", EVENT_DAY, time(9), time(17), 2, seats),
                now=NOW,
            )

    def register(self, n: int, *, now: datetime = NOW, **kw: object) -> idays.RegistrationResult:
        with self.database.write() as session:
            return idays.register_by_phone(
                session,
                ACTOR,
                self.store_id,
                event_id=self.event_id,
                phone=str(kw.get("phone", phone(n))),
                name=f"客户{letter(n)}",
                consent=bool(kw.get("consent", True)),
                car=kw.get("car", car(n)),  # type: ignore[arg-type]
                now=now,
            )

    def rows(self) -> list[idays.RegistrationRow]:
        with self.database.read() as session:
            return idays.registrations(session, self.event_id)


@pytest.fixture
def world(database: Database) -> World:
    return World(database)


def test_first_seats_are_seated_then_the_wait_list_in_order(world: World) -> None:
    results = [world.register(n) for n in range(5)]
    assert [r.seated for r in results] == [True, True, True, False, False]
    assert [r.seat_no for r in results[:3]] == [1, 2, 3]
    assert [r.waitlist_position for r in results[3:]] == [1, 2]
    assert "名额已满" in results[3].message and "候补第 1 位" in results[3].message
    with world.database.read() as session:
        row = idays.get_event(session, world.event_id)
    assert (row.seated, row.waitlisted, row.seats_left) == (3, 2, 0)


def test_cancelling_a_seat_promotes_the_first_on_the_wait_list_and_flags_a_call(
    world: World,
) -> None:
    results = [world.register(n) for n in range(5)]
    with world.database.write() as session:
        promoted = idays.cancel(session, ACTOR, results[1].id, now=NOW)
    assert promoted is not None and promoted.booking_code == results[3].booking_code
    assert promoted.seat_no == 2 and promoted.needs_call
    assert promoted.status_label == "候补转正·待电话通知"
    rows = {r.booking_code: r for r in world.rows()}
    assert rows[results[1].booking_code].status is RegistrationStatus.CANCELLED
    assert rows[results[4].booking_code].waitlist_position == 2  # keeps its place behind
    with world.database.write() as session:
        idays.mark_called(session, ACTOR, promoted.id)
    assert not {r.booking_code: r for r in world.rows()}[results[3].booking_code].needs_call
    with world.database.read() as session:
        actions = set(session.scalars(select(AuditEntry.action)))
    assert {"inspection_registration_cancelled", "inspection_waitlist_promoted"} <= actions


def test_one_registration_per_car_per_event(world: World) -> None:
    first = world.register(1)
    with pytest.raises(ConflictError) as caught:
        world.register(2, car=idays.CarForm(plate="京a 00001"))
    assert caught.value.code == "registration.duplicate"
    assert first.booking_code in caught.value.message
    # After cancelling, the same car may sign up again.
    with world.database.write() as session:
        idays.cancel(session, ACTOR, first.id, now=NOW)
    assert world.register(2, car=idays.CarForm(plate="京A00001")).seated


def test_the_database_refuses_a_second_live_registration_of_a_car(world: World) -> None:
    world.register(1)
    with pytest.raises(IntegrityError), world.database.write() as session:
        other = session.scalars(select(Registration)).one()
        session.add(
            Registration(
                event_id=world.event_id,
                customer_id=other.customer_id,
                booking_code="ZZZZZZ",
                status=RegistrationStatus.WAITLISTED,
                plate=other.plate,
            )
        )
        session.flush()


def test_the_database_refuses_a_seat_above_the_events_seats(world: World) -> None:
    world.register(1)
    with pytest.raises((IntegrityError, DBAPIError)), world.database.write() as session:
        session.execute(text("UPDATE registrations SET seat_no = 4"))  # the event has 3 seats


def test_past_events_refuse_registration(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        world.register(1, now=datetime(2026, 12, 12, 17, 30, tzinfo=ZONE))
    assert caught.value.code == "registration.event_past"
    assert world.rows() == []


def test_consent_is_required_and_a_returning_customer_is_found_by_phone(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        world.register(1, consent=False)
    assert caught.value.code == "registration.consent_required"
    world.register(1)
    world.register(2, phone=phone(1), car=car(7))
    rows = world.rows()
    assert len({r.customer_name for r in rows}) == 1 and rows[0].phone_masked.count("*") == 4


def test_check_in_on_the_day_queues_per_bay_and_appraisers_take_the_next_car(
    world: World,
) -> None:
    results = [world.register(n) for n in range(4)]
    with world.database.write() as session, pytest.raises(ValidationError) as early:
        idays.check_in(session, ACTOR, world.store_id, results[0].booking_code, now=NOW)
    assert early.value.code == "booking.too_early"
    with world.database.write() as session, pytest.raises(ValidationError) as waiting:
        idays.check_in(session, ACTOR, world.store_id, results[3].booking_code, now=ON_THE_DAY)
    assert waiting.value.code == "registration.waitlisted"
    checked = []
    for r in results[:3]:
        with world.database.write() as session:
            checked.append(
                idays.check_in(
                    session, ACTOR, world.store_id, idays.QR_PREFIX + r.booking_code, now=ON_THE_DAY
                )
            )
    assert [c.bay for c in checked] == [1, 2, 1]
    with world.database.read() as session:
        visits = session.scalars(select(Visit)).all()
        queues = idays.queue(session, world.event_id)
    assert len(visits) == 3  # they are on the reception board
    assert [[r.booking_code for r in q.waiting] for q in queues] == [
        [results[0].booking_code, results[2].booking_code],
        [results[1].booking_code],
    ]
    with world.database.write() as session:
        actor = audit.Actor("评估师", world.appraiser_id, world.store_id)
        first = idays.take_next(session, actor, world.event_id, 1, now=ON_THE_DAY)
    assert first is not None
    with world.database.read() as session:
        queues = idays.queue(session, world.event_id)
    assert [r.booking_code for r in queues[0].waiting] == [results[2].booking_code]


def test_monthly_series_keeps_the_weekday_of_the_month(database: Database) -> None:
    store_id = make_store(database)
    with database.write() as session:
        ids = idays.create_events(
            session,
            ACTOR,
            store_id,
            idays.EventForm("检测日", date(2026, 12, 12), time(9), time(12), repeat_months=2),
            now=NOW,
        )
        days = [idays.get_event(session, i).day for i in ids]
    assert days == [date(2026, 12, 12), date(2027, 1, 9), date(2027, 2, 13)]  # 2nd Saturdays


def test_forty_simultaneous_registrations_for_twenty_seats(database_url: str) -> None:
    """40 desks and kiosks at the same instant, each on its own connection."""
    setup = Database.from_url(database_url)
    world = World(setup, seats=20)
    barrier = threading.Barrier(40)
    results: list[object] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        db = Database.from_url(database_url)  # its own engine and connection
        try:
            barrier.wait()
            with db.write() as session:
                outcome: object = idays.register_by_phone(
                    session,
                    ACTOR,
                    world.store_id,
                    event_id=world.event_id,
                    phone=phone(n),
                    name=f"并发{letter(n)}",
                    consent=True,
                    car=car(n),
                    channel="kiosk" if n % 2 else "desk",
                    now=NOW,
                )
        except (ShowroomError, DBAPIError) as exc:
            outcome = exc
        finally:
            db.dispose()
        with lock:
            results.append(outcome)

    started = clock.perf_counter()
    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    elapsed = clock.perf_counter() - started
    rows = world.rows()
    seated = sorted(r.seat_no for r in rows if r.seat_no is not None)
    waitlisted = sorted(r.waitlist_position for r in rows if r.waitlist_position is not None)
    errors = [r for r in results if not isinstance(r, idays.RegistrationResult)]
    summary = (
        f"{setup.kind}: 40 registrations for 20 seats -> {len(seated)} seated, "
        f"{len(waitlisted)} wait-listed, {len(errors)} errors, {len(rows)} stored "
        f"in {elapsed:.2f} s"
    )
    print(summary)
    setup.dispose()
    assert not errors, summary
    assert seated == list(range(1, 21)), summary
    assert waitlisted == list(range(1, 21)), summary
    assert len(rows) == 40, summary


def test_kiosk_events_show_seats_left_and_nothing_about_people(world: World) -> None:
    world.register(1)
    with world.database.read() as session:
        events = idays.kiosk_events(session, world.store_id, now=NOW)
    assert [(e.title, e.seats_left) for e in events] == [("十二月透明检测日", 2)]
    assert not any(hasattr(e, "registrations") for e in events)


def test_kiosk_registration_shows_only_what_was_typed(world: World) -> None:
    world.register(1)  # stored as 客户1
    with world.database.write() as session:
        result = idays.register_by_phone(
            session,
            audit.KIOSK,
            world.store_id,
            event_id=world.event_id,
            phone=phone(1),
            name="李",
            consent=True,
            car=car(9),
            channel="kiosk",
            now=NOW,
        )
    assert "客户1" not in result.customer_shown and result.customer_shown.startswith("李")
    assert result.phone_masked == "138****0001"
    assert result.qr_payload == f"SHOWROOM:ID:{result.booking_code}"


def test_a_wrong_plate_is_refused_before_anyone_is_created(world: World) -> None:
    with pytest.raises(ShowroomError):
        world.register(1, car=idays.CarForm(plate="ABC"))
    with world.database.read() as session:
        assert session.scalars(select(AuditEntry.action)).all().count("customer_created") == 0


def test_an_event_in_the_past_cannot_be_created(database: Database) -> None:
    store_id = make_store(database)
    with database.write() as session, pytest.raises(ValidationError) as caught:
        idays.create_events(
            session,
            ACTOR,
            store_id,
            idays.EventForm("检测日", date(2026, 11, 1), time(9), time(12)),
            now=NOW,
        )
    assert caught.value.code == "inspection_event.past"
