"""Editing and cancelling an inspection day, with the customers to phone; both databases."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import AuditEntry, EventStatus, RegistrationStatus
from showroom.errors import ConflictError, ValidationError
from showroom.services import inspection_day as idays
from tests.db.test_inspection_day import ACTOR, EVENT_DAY, NOW, ON_THE_DAY, World


def edit(world: World, **changes: object) -> idays.EventEdit:
    with world.database.read() as session:
        event = idays.get_event(session, world.event_id)
    zone = ZoneInfo("Asia/Shanghai")
    values: dict[str, object] = dict(
        title=event.title,
        day=event.day,
        opens=event.starts_at.astimezone(zone).time(),
        closes=event.ends_at.astimezone(zone).time(),
        bays=event.bays,
        seats=event.seats,
        offer=event.offer,
    )
    values.update(changes)
    return idays.EventEdit(**values)  # type: ignore[arg-type]


def change(world: World, form: idays.EventEdit, *, now: datetime = NOW) -> idays.EventChange:
    with world.database.write() as session:
        return idays.update_event(session, ACTOR, world.event_id, form, now=now)


@pytest.fixture
def world(database: Database) -> World:
    return World(database, seats=3)


def test_seats_never_drop_below_the_seats_already_given(world: World) -> None:
    for n in range(3):
        world.register(n)
    with pytest.raises(ValidationError) as caught:
        change(world, edit(world, seats=2))
    assert caught.value.code == "inspection_event.seats_below_given"
    assert "已有 3 位" in caught.value.message
    with world.database.read() as session:
        assert idays.get_event(session, world.event_id).seats == 3


def test_fewer_seats_move_high_seat_numbers_down_to_free_ones(world: World) -> None:
    results = [world.register(n) for n in range(3)]
    with world.database.write() as session:
        idays.cancel(session, ACTOR, results[0].id, now=NOW)  # seat 1 free, 2 and 3 held
    done = change(world, edit(world, seats=2))
    assert done.renumbered == 1 and done.event.seats == 2
    seats = {r.booking_code: r.seat_no for r in world.rows() if r.seat_no}
    assert seats == {results[1].booking_code: 2, results[2].booking_code: 1}


def test_more_seats_go_to_the_wait_list_in_order_and_are_flagged_to_call(world: World) -> None:
    results = [world.register(n) for n in range(6)]
    done = change(world, edit(world, seats=5))
    assert [r.booking_code for r in done.promoted] == [
        results[3].booking_code,
        results[4].booking_code,
    ]
    assert [r.seat_no for r in done.promoted] == [4, 5]
    assert all(r.status_label == "候补转正·待电话通知" for r in done.to_call)
    rows = {r.booking_code: r for r in world.rows()}
    assert rows[results[5].booking_code].waitlist_position == 3  # keeps the place it was told


def test_a_new_time_flags_every_registered_customer_to_be_phoned(world: World) -> None:
    results = [world.register(n) for n in range(4)]
    done = change(world, edit(world, opens=time(13), closes=time(18), bays=3))
    assert {r.booking_code for r in done.to_call} == {r.booking_code for r in results}
    assert {r.status_label for r in done.to_call} == {"时间变更·待电话通知"}
    assert done.event.hours() == "13:00–18:00" and done.event.bays == 3
    assert all("*" in r.phone_masked for r in done.to_call)  # masked: revealing is its own act
    with world.database.read() as session:
        assert len(idays.to_call(session, world.event_id)) == 4
        [entry] = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "inspection_event_changed")
        ).all()
    assert entry.detail["from"]["bays"] == 2 and entry.detail["to"]["bays"] == 3
    assert entry.detail["to_call"] == 4


def test_only_the_title_changed_calls_nobody(world: World) -> None:
    world.register(1)
    done = change(world, edit(world, title="十二月透明检测日（加场）"))
    assert done.to_call == () and done.event.title == "十二月透明检测日（加场）"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"title": " "}, "inspection_event.title_required"),
        ({"seats": 0}, "inspection_event.seats_range"),
        ({"bays": 21}, "inspection_event.bays_range"),
        ({"opens": time(17), "closes": time(9)}, "inspection_event.hours"),
        ({"day": date(2026, 11, 30)}, "inspection_event.past"),
    ],
)
def test_bad_edits_are_refused_with_a_sentence(world: World, changes: dict, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        change(world, edit(world, **changes))
    assert caught.value.code == code


def test_a_stale_form_meets_a_conflict(world: World) -> None:
    with world.database.read() as session:
        from db.models import InspectionEvent

        version = session.get_one(InspectionEvent, world.event_id).row_version
    change(world, edit(world, bays=3))
    with pytest.raises(ConflictError), world.database.write() as session:
        idays.update_event(
            session, ACTOR, world.event_id, edit(world, bays=4), expected_version=version, now=NOW
        )


def test_cancelling_a_day_lists_everyone_to_call_and_closes_registration(world: World) -> None:
    results = [world.register(n) for n in range(5)]
    with world.database.write() as session:
        done = idays.cancel_event(session, ACTOR, world.event_id, reason="场地检修", now=NOW)
    assert done.event.status is EventStatus.CANCELLED
    assert {r.booking_code for r in done.to_call} == {r.booking_code for r in results}
    assert {r.status_label for r in done.to_call} == {"检测日取消·待电话通知"}
    assert all(r.status is RegistrationStatus.CANCELLED for r in world.rows())
    with world.database.read() as session:
        assert idays.list_events(session, world.store_id, from_day=NOW.date()) == []
        [shown] = idays.list_events(
            session, world.store_id, from_day=NOW.date(), include_cancelled=True
        )
        assert idays.kiosk_events(session, world.store_id, now=NOW) == []
    assert shown.status is EventStatus.CANCELLED
    with pytest.raises(ValidationError) as caught:
        world.register(9)
    assert caught.value.code == "registration.event_closed"
    with world.database.write() as session:
        idays.mark_called(session, ACTOR, done.to_call[0].id)
        assert len(idays.to_call(session, world.event_id)) == 4


def test_a_day_with_cars_checked_in_cannot_be_cancelled(world: World) -> None:
    result = world.register(1)
    with world.database.write() as session:
        idays.check_in(session, ACTOR, world.store_id, result.booking_code, now=ON_THE_DAY)
    with pytest.raises(ValidationError) as caught, world.database.write() as session:
        idays.cancel_event(session, ACTOR, world.event_id, now=ON_THE_DAY)
    assert caught.value.code == "inspection_event.in_progress"


def test_a_day_that_is_over_cannot_be_edited(world: World) -> None:
    after = datetime(2026, 12, 12, 17, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with pytest.raises(ValidationError) as caught:
        change(world, edit(world, seats=5), now=after)
    assert caught.value.code == "inspection_event.over"
    assert EVENT_DAY.day == 12


def test_only_a_manager_may_change_or_cancel_a_day(world: World) -> None:
    from showroom.errors import PermissionDenied
    from showroom.services.audit import KIOSK, Actor

    appraiser = Actor("李评估", world.appraiser_id, world.store_id)
    for actor in (appraiser, KIOSK):
        with pytest.raises(PermissionDenied), world.database.write() as session:
            idays.update_event(session, actor, world.event_id, edit(world, seats=5), now=NOW)
        with pytest.raises(PermissionDenied), world.database.write() as session:
            idays.cancel_event(session, actor, world.event_id, now=NOW)
