"""The roster on both backends: weekly pattern, day overrides, the store's local day."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import AuditEntry, Role, RosterStatus, Staff, Store
from showroom.errors import PermissionDenied, ValidationError
from showroom.services import auth, roster
from showroom.services.stores import setup_checklist
from tests.factories import make_staff, make_store

# 2026-11-23 is a Monday. 00:05 and 23:55 in the store (UTC+8) fall on different UTC days.
MONDAY = date(2026, 11, 23)
EARLY_MONDAY = datetime(2026, 11, 22, 16, 5, tzinfo=UTC)  # Monday 00:05 in Beijing
LATE_MONDAY = datetime(2026, 11, 23, 15, 55, tzinfo=UTC)  # Monday 23:55 in Beijing


@pytest.fixture
def people(database: Database) -> dict[str, uuid.UUID]:
    store = make_store(database)
    return {
        "store": store,
        "boss": make_staff(database, store, "boss", Role.MANAGER),
        # Monday off, every other day on.
        "sun": make_staff(database, store, "sun", Role.SALES, weekly_pattern="0111111"),
        "zhou": make_staff(database, store, "zhou", Role.SALES),
        "li": make_staff(database, store, "li", (Role.APPRAISER, Role.SALES)),
    }


def _names(database: Database, store: uuid.UUID, role: Role, now: datetime) -> list[str]:
    with database.read() as s:
        return [p.name for p in roster.on_duty(s, store, role=role, now=now)]


def test_on_duty_follows_the_pattern_for_the_stores_local_day(
    database: Database, people: dict[str, uuid.UUID]
) -> None:
    # At 00:05 and at 23:55 on Monday (store time) sun has the day off; on Sunday 23:55 not.
    for now in (EARLY_MONDAY, LATE_MONDAY):
        assert _names(database, people["store"], Role.SALES, now) == ["li", "zhou"]
    sunday_late = EARLY_MONDAY - timedelta(minutes=10)
    assert _names(database, people["store"], Role.SALES, sunday_late) == ["li", "sun", "zhou"]
    assert _names(database, people["store"], Role.APPRAISER, LATE_MONDAY) == ["li"]
    # A store in another zone counts its own day.
    with database.write() as s:
        s.get_one(Store, people["store"]).timezone = "Asia/Urumqi"  # UTC+6
    assert _names(database, people["store"], Role.SALES, EARLY_MONDAY) == ["li", "sun", "zhou"]


def test_day_overrides_take_people_off_and_put_them_on(
    database: Database, people: dict[str, uuid.UUID]
) -> None:
    with database.read() as s:
        boss = auth.user_of(s, people["boss"])
    with database.write() as s:
        roster.set_day(s, boss, people["zhou"], MONDAY, RosterStatus.SICK, now=LATE_MONDAY)
        roster.set_day(
            s, boss, people["sun"], MONDAY, RosterStatus.ON_DUTY, note="替班", now=LATE_MONDAY
        )
        roster.set_day(s, boss, people["li"], MONDAY, RosterStatus.OFF_SITE, now=LATE_MONDAY)
    assert _names(database, people["store"], Role.SALES, LATE_MONDAY) == ["sun"]
    with database.read() as s:
        week = roster.week(s, people["store"], MONDAY + timedelta(days=3), now=LATE_MONDAY)
        assert week.start == MONDAY and week.today == MONDAY
        zhou = next(r for r in week.rows if r.display_name == "zhou")
        assert (zhou.days[0].status, zhou.days[0].on_duty, zhou.days[1].on_duty) == (
            RosterStatus.SICK,
            False,
            True,
        )
        sun = next(r for r in week.rows if r.display_name == "sun")
        assert sun.days[0].note == "替班" and sun.days[0].on_duty and not sun.days[0].pattern_on
        assert week.on_duty_count(MONDAY, Role.SALES) == 1
        assert week.rows[0].display_name == "boss"  # managers first
    # Back to the pattern: the override row goes.
    with database.write() as s:
        roster.set_day(s, boss, people["zhou"], MONDAY, None, now=LATE_MONDAY)
    assert _names(database, people["store"], Role.SALES, LATE_MONDAY) == ["sun", "zhou"]
    with database.read() as s:
        actions = s.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "roster_day_set")
        ).all()
        assert {"day": "2026-11-23", "from": "sick", "to": None} in actions
        assert setup_checklist(s, people["store"]).items[1].done  # "roster" ticked


def test_a_weekly_pattern_is_seven_days_and_only_managers_change_it(
    database: Database, people: dict[str, uuid.UUID]
) -> None:
    with database.read() as s:
        boss = auth.user_of(s, people["boss"])
        sales = auth.user_of(s, people["zhou"])
    with database.write() as s:
        assert roster.set_weekly_pattern(s, boss, people["zhou"], [True] * 5 + [False] * 2) == (
            "1111100"
        )
    with database.read() as s:
        assert s.get_one(Staff, people["zhou"]).weekly_pattern == "1111100"
    for bad in ("111110", "11111x0", "1111 100"):
        with pytest.raises(ValidationError), database.write() as s:
            roster.set_weekly_pattern(s, boss, people["zhou"], bad)
    with pytest.raises(PermissionDenied), database.write() as s:
        roster.set_weekly_pattern(s, sales, people["sun"], "1111111")
    with pytest.raises(PermissionDenied), database.write() as s:
        roster.set_day(s, sales, people["sun"], MONDAY, RosterStatus.LEAVE, now=LATE_MONDAY)


def test_the_database_refuses_a_malformed_pattern(
    database: Database, people: dict[str, uuid.UUID]
) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), database.write() as s:
        s.get_one(Staff, people["zhou"]).weekly_pattern = "11x1111"


def test_days_far_away_and_long_notes_are_refused_not_cut(
    database: Database, people: dict[str, uuid.UUID]
) -> None:
    with database.read() as s:
        boss = auth.user_of(s, people["boss"])
    for day in (MONDAY - timedelta(days=90), MONDAY + timedelta(days=500)):
        with pytest.raises(ValidationError) as far, database.write() as s:
            roster.set_day(s, boss, people["zhou"], day, RosterStatus.LEAVE, now=LATE_MONDAY)
        assert far.value.code == "roster.day_out_of_range"
    with pytest.raises(ValidationError) as long_note, database.write() as s:
        roster.set_day(
            s, boss, people["zhou"], MONDAY, RosterStatus.LEAVE, note="假" * 101, now=LATE_MONDAY
        )
    assert long_note.value.code == "roster.note_long"


def test_disabled_people_are_never_on_duty(
    database: Database, people: dict[str, uuid.UUID]
) -> None:
    with database.write() as s:
        s.get_one(Staff, people["zhou"]).active = False
    assert "zhou" not in _names(database, people["store"], Role.SALES, LATE_MONDAY)
    with database.read() as s:
        assert not roster.staff_on_duty(s, people["zhou"], now=LATE_MONDAY)
        assert roster.staff_on_duty(s, people["li"], now=LATE_MONDAY)
