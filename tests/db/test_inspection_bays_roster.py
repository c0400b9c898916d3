"""Inspection bays: only an appraiser on duty today takes the next car."""

from __future__ import annotations

import pytest

from db.engine import Database
from db.models import Role, RosterStatus
from showroom.errors import PermissionDenied
from showroom.services import audit, auth, roster
from showroom.services import inspection_day as idays
from tests.db.test_inspection_day import ACTOR, ON_THE_DAY, World
from tests.factories import make_staff


@pytest.fixture
def world(database: Database) -> World:
    return World(database)


def _checked_in(world: World) -> None:
    registration = world.register(0)
    with world.database.write() as session:
        idays.check_in(session, ACTOR, world.store_id, registration.booking_code, now=ON_THE_DAY)


def test_someone_without_the_appraiser_role_cannot_take_a_car(world: World) -> None:
    _checked_in(world)
    sales = make_staff(world.database, world.store_id, "sales9", Role.SALES)
    with pytest.raises(PermissionDenied) as refused, world.database.write() as session:
        idays.take_next(
            session, audit.Actor("孙", sales, world.store_id), world.event_id, 1, now=ON_THE_DAY
        )
    assert refused.value.code == "inspection.appraiser_only"


def test_an_appraiser_on_leave_today_cannot_and_a_consultant_who_appraises_can(
    world: World,
) -> None:
    _checked_in(world)
    boss_id = make_staff(world.database, world.store_id, "boss9", Role.MANAGER)
    with world.database.read() as session:
        boss = auth.user_of(session, boss_id)
    day = ON_THE_DAY.date()
    with world.database.write() as session:
        roster.set_day(session, boss, world.appraiser_id, day, RosterStatus.LEAVE, now=ON_THE_DAY)
    off = audit.Actor("评估师", world.appraiser_id, world.store_id)
    with pytest.raises(PermissionDenied) as refused, world.database.write() as session:
        idays.take_next(session, off, world.event_id, 1, now=ON_THE_DAY)
    assert refused.value.code == "inspection.appraiser_off_duty"
    both = make_staff(world.database, world.store_id, "li", (Role.SALES, Role.APPRAISER))
    with world.database.write() as session:
        taken = idays.take_next(
            session, audit.Actor("李", both, world.store_id), world.event_id, 1, now=ON_THE_DAY
        )
    assert taken is not None
