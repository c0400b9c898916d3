"""Test-drive bookings, licence checks, check-out and return, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from db.engine import Database
from db.models import (
    AuditEntry,
    Customer,
    Deposit,
    DepositStatus,
    Energy,
    IntentGrade,
    PaymentMethod,
    Role,
    TestDrive,
    TestDriveStatus,
    Transmission,
    Vehicle,
    VehicleStatus,
)
from showroom.errors import ConflictError, ShowroomError, ValidationError
from showroom.identifiers import id_check_digit
from showroom.services import audit
from showroom.services import test_drives as td
from tests.factories import make_staff, make_store

ZONE = ZoneInfo("Asia/Shanghai")
RULES = td.SlotRules(minutes=30, opens=time(9), closes=time(18), zone=ZONE)
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZONE)
TOMORROW = date(2026, 11, 25)
ACTOR = audit.Actor("测试")


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ZONE)


def id_number(body17: str = "11010519900307123") -> str:
    return body17 + id_check_digit(body17)


class World:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.store_id = make_store(database)
        self.consultant_id = make_staff(
            database, self.store_id, "sales1", Role.SALES, display_name="孙顾问"
        )
        with database.write() as session:
            self.auto = Vehicle(
                store_id=self.store_id,
                stock_no="BJ01-S2026-00001",
                vin="LSVAU2180N2123456",
                plate="京A12345",
                brand="大众",
                model="朗逸",
                trim="1.5L 自动舒适版",
                year=2021,
                mileage_km=32000,
                energy=Energy.PETROL,
                transmission=Transmission.AUTOMATIC,
                list_price=Decimal("86000"),
                status=VehicleStatus.ON_SALE,
            )
            self.manual = Vehicle(
                store_id=self.store_id,
                stock_no="BJ01-S2026-00002",
                vin="LFV2A21K0M3000001",
                brand="丰田",
                model="卡罗拉",
                year=2020,
                mileage_km=51000,
                energy=Energy.PETROL,
                transmission=Transmission.MANUAL,
                list_price=Decimal("72000"),
                status=VehicleStatus.ON_SALE,
            )
            self.customer = Customer(store_id=self.store_id, name="王小明", phone="13812345678")
            session.add_all([self.auto, self.manual, self.customer])
            session.flush()
            self.auto_id, self.manual_id, self.customer_id = (
                self.auto.id,
                self.manual.id,
                self.customer.id,
            )

    def book(self, start: datetime, vehicle_id: uuid.UUID | None = None) -> td.Booking:
        with self.database.write() as session:
            return td.book(
                session,
                ACTOR,
                vehicle_id=vehicle_id or self.auto_id,
                customer_id=self.customer_id,
                slot_start=start,
                rules=RULES,
                consultant_id=self.consultant_id,
                now=NOW,
            )


@pytest.fixture
def world(database: Database) -> World:
    return World(database)


def test_booking_gets_a_code_and_takes_the_slot(world: World) -> None:
    booking = world.book(local(TOMORROW, 10))
    assert len(booking.booking_code) == 8
    assert booking.qr_payload.endswith(booking.booking_code)
    assert booking.phone_masked == "138****5678"
    with world.database.read() as session:
        slots = td.day_slots(session, world.auto_id, TOMORROW, RULES, now=NOW)
    assert len(slots) == 18  # 09:00-18:00 in 30-minute slots
    taken = [s.label(ZONE) for s in slots if not s.free]
    assert taken == ["10:00–10:30"]


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (local(date(2026, 11, 24), 9, 30), "test_drive.slot_past"),
        (local(TOMORROW, 8, 30), "test_drive.slot_outside_hours"),
        (local(TOMORROW, 17, 45), "test_drive.slot_outside_hours"),
    ],
)
def test_slot_in_the_past_or_outside_hours_is_refused(
    world: World, start: datetime, code: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        world.book(start)
    assert caught.value.code == code
    with world.database.read() as session:
        assert session.scalars(select(TestDrive)).all() == []


def test_overlapping_slot_of_the_same_car_is_refused_but_another_car_is_fine(world: World) -> None:
    world.book(local(TOMORROW, 10))
    with pytest.raises(ConflictError) as caught:
        world.book(local(TOMORROW, 10, 15))
    assert caught.value.code == "test_drive.slot_taken"
    assert "已被预约" in caught.value.message
    world.book(local(TOMORROW, 10, 30))  # the next slot touches but does not overlap
    world.book(local(TOMORROW, 10), vehicle_id=world.manual_id)


def test_a_cancelled_booking_frees_its_slot(world: World) -> None:
    booking = world.book(local(TOMORROW, 11))
    with world.database.write() as session:
        td.cancel(session, ACTOR, booking.id)
    world.book(local(TOMORROW, 11))


def test_database_refuses_an_overlap_even_when_the_service_is_bypassed(world: World) -> None:
    world.book(local(TOMORROW, 10))
    start = local(TOMORROW, 10, 10).astimezone(UTC)
    with pytest.raises(IntegrityError), world.database.write() as session:
        session.add(
            TestDrive(
                store_id=world.store_id,
                booking_code="ZZZZZZ",
                vehicle_id=world.auto_id,
                customer_id=world.customer_id,
                slot_start=start,
                slot_end=start + timedelta(minutes=30),
            )
        )
        session.flush()


def test_database_refuses_reactivating_into_an_overlap(world: World) -> None:
    first = world.book(local(TOMORROW, 14))
    with world.database.write() as session:
        td.cancel(session, ACTOR, first.id)
    world.book(local(TOMORROW, 14))
    with pytest.raises(IntegrityError), world.database.write() as session:
        session.execute(
            update(TestDrive).where(TestDrive.id == first.id).values(status=TestDriveStatus.BOOKED)
        )


def test_two_sessions_racing_for_one_slot_exactly_one_wins(world: World) -> None:
    start = local(TOMORROW, 15)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def attempt() -> None:
        # Separate connections from the pool; both pass the service check, only one commits.
        barrier.wait()
        try:
            results.append(world.book(start))
        except ShowroomError as exc:
            results.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    winners = [r for r in results if isinstance(r, td.Booking)]
    losers = [r for r in results if isinstance(r, ShowroomError)]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0].code == "test_drive.slot_taken"
    with world.database.read() as session:
        assert len(session.scalars(select(TestDrive)).all()) == 1


# --- licence --------------------------------------------------------------------------------


def check(world: World, booking: td.Booking, **changes: object) -> td.LicenceResult:
    fields: dict[str, object] = {
        "number": id_number(),
        "classes": "C1",
        "valid_until": date(2030, 1, 1),
        "name": "王小明",
    }
    fields.update(changes)
    with world.database.write() as session:
        return td.check_licence(
            session,
            ACTOR,
            booking.id,
            td.LicenceInput(**fields),
            today=NOW.date(),  # type: ignore[arg-type]
        )


def test_a_valid_licence_is_stored_masked_in_the_result(world: World) -> None:
    booking = world.book(local(TOMORROW, 10))
    result = check(world, booking, photo_png=b"\x89PNG fake")
    assert result.number_masked == "110105********" + id_number()[-4:]
    with world.database.read() as session:
        drive = session.get(TestDrive, booking.id)
        assert drive is not None and drive.licence_class == "C1" and drive.licence_photo_sha


@pytest.mark.parametrize(
    ("changes", "code", "words"),
    [
        ({"number": "110105199003071230"}, "licence.id_number.checksum", "校验位"),
        ({"number": "1101051990"}, "licence.id_number.length", "18 位"),
        ({"valid_until": date(2026, 11, 1)}, "licence.expired", "过期"),
        ({"name": "王小名"}, "licence.name_mismatch", "不一致"),
        ({"classes": "D"}, "licence.class_not_allowed", "不能驾驶"),
        ({"classes": "XY"}, "licence_class.invalid", "准驾车型"),
    ],
)
def test_a_failing_licence_explains_itself(
    world: World, changes: dict[str, object], code: str, words: str
) -> None:
    booking = world.book(local(TOMORROW, 10))
    with pytest.raises(ValidationError) as caught:
        check(world, booking, **changes)
    assert caught.value.code == code
    assert words in caught.value.message
    with world.database.read() as session:
        drive = session.get(TestDrive, booking.id)
        assert drive is not None and drive.licence_number is None


def test_c2_drives_automatic_but_not_manual(world: World) -> None:
    auto = world.book(local(TOMORROW, 10))
    manual = world.book(local(TOMORROW, 10), vehicle_id=world.manual_id)
    assert check(world, auto, classes="C2").classes == "C2"
    with pytest.raises(ValidationError) as caught:
        check(world, manual, classes="C2")
    assert "手动挡" in caught.value.message
    assert check(world, manual, classes="A1").classes == "A1"


# --- check-out and return ------------------------------------------------------------------


def test_check_out_needs_the_signed_agreement(world: World) -> None:
    booking = world.book(local(TOMORROW, 10))
    check(world, booking)
    with pytest.raises(ValidationError) as caught, world.database.write() as session:
        td.check_out(
            session,
            ACTOR,
            booking.id,
            odometer_km=32000,
            fuel_percent=80,
            accompanying_staff_id=world.consultant_id,
        )
    assert caught.value.code == "test_drive.agreement_unsigned"


def _sign_without_render(world: World, booking: td.Booking) -> None:
    """Sign through the archive with a stand-in PDF (rendering is tested with Qt)."""
    from tests.db.test_documents import signed_agreement

    signed_agreement(world.database, booking.id, pdf=b"%PDF-1.4 stand-in")


def test_check_out_and_return_move_the_car_status(world: World) -> None:
    booking = world.book(local(TOMORROW, 10))
    check(world, booking)
    _sign_without_render(world, booking)
    with world.database.write() as session:
        td.check_out(
            session,
            ACTOR,
            booking.id,
            odometer_km=32000,
            fuel_percent=80,
            accompanying_staff_id=world.consultant_id,
            route="园区环路",
        )
    with world.database.read() as session:
        assert session.get(Vehicle, world.auto_id).status is VehicleStatus.TEST_DRIVE  # type: ignore[union-attr]
        assert td.get(session, booking.id).status_label == "试驾中"
    with pytest.raises(ValidationError) as caught, world.database.write() as session:
        td.return_car(session, ACTOR, booking.id, odometer_km=31990)
    assert caught.value.code == "test_drive.odometer_backwards"
    assert "31990" in caught.value.message and "32000" in caught.value.message
    with world.database.write() as session:
        status = td.return_car(
            session,
            ACTOR,
            booking.id,
            odometer_km=32008,
            fuel_percent=75,
            damage_notes="右后轮毂轻微刮痕",
            damage_photos=(b"\x89PNG photo",),
            feedback="动力够用",
            intent_grade=IntentGrade.A,
        )
    assert status is VehicleStatus.ON_SALE
    with world.database.read() as session:
        drive = session.get(TestDrive, booking.id)
        assert drive is not None and drive.status is TestDriveStatus.RETURNED
        assert drive.in_odometer_km == 32008 and drive.damage_photo_shas
        assert session.get(Customer, world.customer_id).intent_grade is IntentGrade.A  # type: ignore[union-attr]


def test_a_car_with_an_active_deposit_returns_to_reserved(world: World) -> None:
    booking = world.book(local(TOMORROW, 10))
    check(world, booking)
    _sign_without_render(world, booking)
    with world.database.write() as session:
        session.add(
            Deposit(
                store_id=world.store_id,
                receipt_no="BJ01-R2026-000001",
                vehicle_id=world.auto_id,
                customer_id=world.customer_id,
                amount=Decimal("5000"),
                method=PaymentMethod.CASH,
                status=DepositStatus.ACTIVE,
                taken_at=NOW,
                expires_at=NOW + timedelta(days=7),
            )
        )
    with world.database.write() as session:
        td.check_out(
            session, ACTOR, booking.id, odometer_km=100, fuel_percent=50, accompanying_staff_id=None
        )
    with world.database.write() as session:
        assert td.return_car(session, ACTOR, booking.id, odometer_km=110) is VehicleStatus.RESERVED


@pytest.mark.parametrize(
    ("status", "word"), [(VehicleStatus.SOLD, "已售出"), (VehicleStatus.PREPARING, "整备中")]
)
def test_a_sold_or_preparing_car_cannot_be_checked_out(
    world: World, status: VehicleStatus, word: str
) -> None:
    booking = world.book(local(TOMORROW, 10))
    check(world, booking)
    _sign_without_render(world, booking)
    with world.database.write() as session:
        session.execute(update(Vehicle).where(Vehicle.id == world.auto_id).values(status=status))
    with pytest.raises(ConflictError) as caught, world.database.write() as session:
        td.check_out(
            session, ACTOR, booking.id, odometer_km=100, fuel_percent=50, accompanying_staff_id=None
        )
    assert caught.value.code == "test_drive.vehicle_unavailable"
    assert word in caught.value.message and "不能出车" in caught.value.message
    with world.database.read() as session:
        assert session.get(Vehicle, world.auto_id).status is status  # type: ignore[union-attr]
        assert session.get(TestDrive, booking.id).status is TestDriveStatus.BOOKED  # type: ignore[union-attr]


def test_a_return_never_revives_a_car_that_is_no_longer_out(world: World) -> None:
    booking = world.book(local(TOMORROW, 10))
    check(world, booking)
    _sign_without_render(world, booking)
    with world.database.write() as session:
        td.check_out(
            session, ACTOR, booking.id, odometer_km=100, fuel_percent=50, accompanying_staff_id=None
        )
    with world.database.write() as session:  # sold meanwhile by a path that bypassed the drive
        session.execute(
            update(Vehicle).where(Vehicle.id == world.auto_id).values(status=VehicleStatus.SOLD)
        )
    with world.database.write() as session:
        assert td.return_car(session, ACTOR, booking.id, odometer_km=110) is VehicleStatus.SOLD
    with world.database.read() as session:
        assert session.get(Vehicle, world.auto_id).status is VehicleStatus.SOLD  # type: ignore[union-attr]
        assert session.get(TestDrive, booking.id).status is TestDriveStatus.RETURNED  # type: ignore[union-attr]


def test_no_show_only_after_the_slot_started(world: World) -> None:
    booking = world.book(local(TOMORROW, 10))
    with pytest.raises(ValidationError), world.database.write() as session:
        td.mark_no_show(session, ACTOR, booking.id, now=NOW)
    with world.database.write() as session:
        td.mark_no_show(session, ACTOR, booking.id, now=local(TOMORROW, 10, 20))
    with world.database.read() as session:
        assert td.get(session, booking.id).status is TestDriveStatus.NO_SHOW


def test_tomorrows_reminders_list_full_numbers_and_export_csv(world: World) -> None:
    world.book(local(TOMORROW, 16))
    world.book(local(TOMORROW, 9, 30), vehicle_id=world.manual_id)
    world.book(local(date(2026, 11, 26), 10))
    with world.database.write() as session:
        rows = td.reminders(session, ACTOR, TOMORROW, ZONE)
    assert [r.slot_start.astimezone(ZONE).hour for r in rows] == [9, 16]
    assert rows[0].phone == "13812345678"
    text = td.reminders_csv(rows, ZONE)
    assert text.startswith("\ufeff时间,预约码,客户,手机号")
    assert "2026-11-25 09:30" in text and "13812345678" in text and "丰田 卡罗拉" in text


def test_kiosk_booking_creates_the_customer_with_consent_and_shows_only_what_they_typed(
    world: World,
) -> None:
    with world.database.write() as session:
        booking = td.book_from_kiosk(
            session,
            stock_no="bj01-s2026-00002",
            phone="139 0000 1111",
            surname="李",
            slot_start=local(TOMORROW, 13),
            rules=RULES,
            consent=True,
            now=NOW,
        )
    assert booking.customer_name == "李" and booking.phone_masked == "139****1111"
    with world.database.read() as session:
        # A new number becomes a customer by the desk's rules: consent kept, audit entry made.
        created = session.scalars(select(Customer).where(Customer.phone == "13900001111")).all()
        assert len(created) == 1
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_id == str(created[0].id))
        ).all()
        assert "customer_created" in actions
    with world.database.write() as session:
        existing = td.book_from_kiosk(
            session,
            stock_no="BJ01-S2026-00001",
            phone="13812345678",
            surname="张",
            slot_start=local(TOMORROW, 13),
            rules=RULES,
            consent=True,
            now=NOW,
        )
    # The stored name (王小明) is never shown back on the kiosk.
    assert existing.customer_name == "张"
    with pytest.raises(ValidationError) as caught, world.database.write() as session:
        td.book_from_kiosk(
            session,
            stock_no="BJ01-S2026-00001",
            phone="13812345678",
            surname="张",
            slot_start=local(TOMORROW, 14),
            rules=RULES,
            consent=False,
            now=NOW,
        )
    assert caught.value.code == "test_drive.consent_required"


def test_slot_rules_come_from_the_settings_and_survive_a_typo() -> None:
    values = {"test_drive_slot_minutes": 45, "store_open": "08：30", "store_close": "6pm"}
    rules = td.SlotRules.from_settings(values.__getitem__)
    assert rules.minutes == 45 and rules.opens == time(8, 30) and rules.closes == time(18)


def test_a_return_typed_offline_replays_once_and_a_second_return_is_a_problem(
    world: World, tmp_path: Path
) -> None:
    from db.sync.outbox import Outbox
    from showroom.sync import operations
    from showroom.sync.service import SyncService

    booking = world.book(local(TOMORROW, 10))
    check(world, booking)
    _sign_without_render(world, booking)
    with world.database.write() as session:
        td.check_out(
            session,
            ACTOR,
            booking.id,
            odometer_km=32000,
            fuel_percent=80,
            accompanying_staff_id=world.consultant_id,
        )
    sync = SyncService(world.database, Outbox(tmp_path / "outbox.sqlite3"))
    sync.online = False
    payload = operations.return_payload(
        ACTOR, booking.id, 32010, 70, "划痕", (b"\x89PNG photo",), "满意", IntentGrade.B
    )
    first = sync.submit("test_drive.return", payload)
    again = sync.submit("test_drive.return", payload)  # the desk pressed twice, offline
    assert first.queued and again.queued
    sync.online = True
    report = sync.replay()
    assert (report.applied, report.problems) == (1, 1)
    (problem,) = sync.problems()
    assert problem.id == again.op_id and problem.message  # the service's own words
    with world.database.read() as session:
        drive = session.get_one(TestDrive, booking.id)
        assert drive.status is TestDriveStatus.RETURNED and drive.in_odometer_km == 32010
        assert len(drive.damage_photo_shas) == 1
