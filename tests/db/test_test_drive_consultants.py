"""Who is named on a test drive: only consultants on duty, never the first name of a list."""

from __future__ import annotations

import pytest

from db.engine import Database
from db.models import (
    Role,
    RosterStatus,
    SourceChannel,
    Staff,
    TestDrive,
    Visit,
    VisitPurpose,
    VisitStatus,
)
from showroom.errors import ValidationError
from showroom.services import auth, roster
from showroom.services import test_drives as td
from tests.db.test_test_drives import NOW, RULES, TOMORROW, World, check, local
from tests.factories import make_staff


@pytest.fixture
def world(database: Database) -> World:
    return World(database)


def _user(world: World, staff_id):  # type: ignore[no-untyped-def]
    with world.database.read() as s:
        return auth.user_of(s, staff_id)


def test_the_list_holds_only_consultants_on_duty_that_day(world: World) -> None:
    zhou = make_staff(world.database, world.store_id, "zhou", Role.SALES, display_name="周顾问")
    make_staff(world.database, world.store_id, "desk", Role.RECEPTION, display_name="钱前台")
    gone = make_staff(world.database, world.store_id, "gone", Role.SALES, display_name="吴顾问")
    boss = make_staff(world.database, world.store_id, "boss", Role.MANAGER)
    with world.database.write() as s:
        roster.set_day(s, _user(world, boss), zhou, TOMORROW, RosterStatus.LEAVE, now=NOW)
        s.get_one(Staff, gone).active = False
    with world.database.read() as s:
        today = td.staff_choices(s, world.store_id, now=NOW)
        tomorrow = td.staff_choices(s, world.store_id, day=TOMORROW, now=NOW)
    assert [name for _, name in today] == ["周顾问", "孙顾问"]
    assert [name for _, name in tomorrow] == ["孙顾问"]


def test_the_default_is_the_drive_or_visit_consultant_or_you_never_the_first(
    world: World,
) -> None:
    zhou = make_staff(world.database, world.store_id, "zhou", Role.SALES, display_name="周顾问")
    desk = make_staff(world.database, world.store_id, "desk", Role.RECEPTION)
    # The desk books for a customer nobody serves today: no preselection at all.
    with world.database.read() as s:
        choices = td.consultant_choices(
            s, world.store_id, _user(world, desk), customer_id=world.customer_id, now=NOW
        )
    assert choices.default_id is None and len(choices.people) == 2
    # A salesperson booking is preselected themselves.
    with world.database.read() as s:
        mine = td.consultant_choices(s, world.store_id, _user(world, zhou), now=NOW)
    assert (mine.default_id, mine.reason) == (zhou, "you")
    # The customer is here today with 孙顾问: the desk gets 孙顾问, even when 周 books.
    with world.database.write() as s:
        s.add(
            Visit(
                store_id=world.store_id,
                visit_no="BJ01-V20261124-0001",
                customer_id=world.customer_id,
                purpose=VisitPurpose.BUY,
                source_channel=SourceChannel.WALK_IN,
                status=VisitStatus.WITH_CONSULTANT,
                consultant_id=world.consultant_id,
                arrived_at=NOW,
            )
        )
    with world.database.read() as s:
        visit = td.consultant_choices(
            s, world.store_id, _user(world, zhou), customer_id=world.customer_id, now=NOW
        )
    assert (visit.default_id, visit.reason) == (world.consultant_id, "visit")
    # For an existing drive, its own consultant.
    booking = world.book(local(TOMORROW, 10))
    with world.database.read() as s:
        drive = td.consultant_choices(
            s, world.store_id, _user(world, zhou), test_drive_id=booking.id, now=NOW
        )
    assert (drive.default_id, drive.reason) == (world.consultant_id, "drive")


def test_the_agreement_never_names_nobody(world: World) -> None:
    booking = world.book(local(TOMORROW, 10))
    check(world, booking)
    with world.database.write() as s:
        s.get_one(TestDrive, booking.id).consultant_id = None
    with pytest.raises(ValidationError) as missing, world.database.read() as s:
        td.prepare_agreement(s, booking.id, templates_dir=None, zone=RULES.zone)
    assert missing.value.code == "test_drive.companion_missing"
    with world.database.read() as s:
        document = td.prepare_agreement(
            s,
            booking.id,
            templates_dir=None,
            zone=RULES.zone,
            accompanying_staff_id=world.consultant_id,
        )
    assert "孙顾问" in document.signed_text()
