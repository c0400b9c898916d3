"""Reception services on both backends: look-up, dedupe, consent, routing, bookings, merge."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import (
    AuditEntry,
    Consent,
    ConsentPurpose,
    Customer,
    Deposit,
    Energy,
    FollowUp,
    GradeChange,
    InspectionEvent,
    IntentGrade,
    PaymentMethod,
    Registration,
    RegistrationStatus,
    Role,
    SourceChannel,
    Staff,
    TestDrive,
    TestDriveStatus,
    Title,
    Transmission,
    Vehicle,
    Visit,
    VisitOutcome,
    VisitPurpose,
    VisitStatus,
)
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.services import audit, merge, reception
from showroom.services.reception import NewCustomer
from showroom.users import StaffUser
from tests.factories import make_staff, make_store, went_out

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # 11:00 in the store


@dataclass
class Shop:
    store_id: uuid.UUID
    sales: list[uuid.UUID]
    desk: StaffUser
    manager: StaffUser


def _user(database: Database, staff_id: uuid.UUID, store_id: uuid.UUID) -> StaffUser:
    with database.read() as s:
        staff = s.get_one(Staff, staff_id)
        return StaffUser(
            staff.id, staff.username, staff.display_name, staff.roles, store_id, "BJ01", "测试展厅"
        )


@pytest.fixture
def shop(database: Database) -> Shop:
    store_id = make_store(database)
    sales = [
        make_staff(database, store_id, f"s{n}", Role.SALES, display_name=name)
        for n, name in enumerate(("孙顾问", "周顾问", "吴顾问"))
    ]
    desk = make_staff(database, store_id, "desk", Role.RECEPTION, display_name="钱前台")
    boss = make_staff(database, store_id, "boss", Role.MANAGER, display_name="赵店长")
    return Shop(store_id, sales, _user(database, desk, store_id), _user(database, boss, store_id))


def _customer(
    database: Database,
    shop: Shop,
    phone: str,
    name: str = "张伟",
    *,
    owner: uuid.UUID | None = None,
    owner_since: datetime | None = None,
) -> uuid.UUID:
    with database.write() as s:
        c = Customer(
            store_id=shop.store_id,
            name=name,
            title=Title.MR,
            phone=phone,
            owner_id=owner,
            owner_since=owner_since,
        )
        s.add(c)
        s.flush()
        return c.id


def _form(phone: str = "139 0000 1111", **kw: object) -> NewCustomer:
    base: dict[str, object] = {
        "name": "李",
        "title": Title.MS,
        "phone": phone,
        "source_channel": SourceChannel.SHORT_VIDEO,
        "consent_service": True,
        "consent_marketing": False,
    }
    base.update(kw)
    return NewCustomer(**base)  # type: ignore[arg-type]


# --- typed input -------------------------------------------------------------------------------


def test_phone_digits_and_codes_are_read_leniently() -> None:
    assert reception.phone_digits("+86 138-1234") == "1381234"
    assert reception.phone_digits("１３８１２３４５６７８") == "13812345678"
    assert reception.phone_digits("张伟") is None
    assert reception.booking_code_in(" 7kq2mx ") == "7KQ2MX"
    assert reception.booking_code_in("https://x.cn/b/7KQ2MX") == "7KQ2MX"
    assert reception.booking_code_in("k7qm-2xpd") == "K7QM2XPD"  # the eight-character codes
    assert reception.booking_code_in("]C1%%garbage!!") is None
    assert reception._prefix_upper_bound("1389") == "139"
    assert reception._prefix_upper_bound("139") == "14"
    assert reception._prefix_upper_bound("999") is None


# --- look-up and dedupe ------------------------------------------------------------------------


def test_lookup_finds_by_prefix_exact_first_and_masks(database: Database, shop: Shop) -> None:
    a = _customer(database, shop, "13812345678", "张伟")
    _customer(database, shop, "13812340000", "王芳")
    _customer(database, shop, "13912345678", "李娜")
    with database.read() as s:
        assert reception.lookup(s, "13") == []  # too short to be useful
        found = reception.lookup(s, "138 1234")
        assert [m.name for m in found] == ["王芳", "张伟"]
        assert all("****" in m.phone_masked for m in found)
        exact = reception.lookup(s, "13812345678")
        assert [(m.id, m.phone_exact) for m in exact] == [(a, True)]
        assert exact[0].display_name == "张伟 先生"
        assert reception.lookup(s, "13799999999") == []


def test_lookup_shows_open_drives_registrations_deposits(database: Database, shop: Shop) -> None:
    customer = _customer(database, shop, "13812345678", owner=shop.sales[0], owner_since=NOW)
    _drive(database, shop, customer, NOW + timedelta(hours=1))
    _deposit(database, shop, customer)
    with database.read() as s:
        match = reception.lookup(s, "13812345678")[0]
    assert (match.open_test_drives, match.active_deposits, match.owner_name) == (1, 1, "孙顾问")


def test_create_refuses_a_duplicate_number_and_names_the_existing(
    database: Database, shop: Shop
) -> None:
    existing = _customer(database, shop, "13900001111", "王芳")
    with database.write() as s, pytest.raises(ConflictError) as caught:
        reception.create_customer(s, shop.desk.actor, shop.store_id, _form("+86 139-0000-1111"))
    assert caught.value.code == "customer.duplicate"
    assert caught.value.params["customer_id"] == existing
    assert "王芳" in caught.value.message and "139****1111" in caught.value.message
    with database.read() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 1


def test_a_merged_customers_number_is_free_again_but_a_live_one_is_not(
    database: Database, shop: Shop
) -> None:
    with database.write() as s:
        s.add(
            Customer(
                store_id=shop.store_id,
                name="旧",
                phone="13900001111",
                deleted_at=NOW,
            )
        )
    with database.write() as s:
        new_id = reception.create_customer(s, shop.desk.actor, shop.store_id, _form())
    assert new_id


def test_new_customer_needs_consent_and_a_valid_number(database: Database, shop: Shop) -> None:
    with database.write() as s, pytest.raises(ValidationError) as caught:
        reception.create_customer(s, shop.desk.actor, shop.store_id, _form(consent_service=False))
    assert caught.value.code == "consent.missing"
    with database.write() as s, pytest.raises(ValidationError) as caught:
        reception.create_customer(s, shop.desk.actor, shop.store_id, _form("1234"))
    assert caught.value.code == "phone.invalid"
    with database.write() as s, pytest.raises(ValidationError) as caught:
        reception.create_customer(s, shop.desk.actor, shop.store_id, _form(name="  "))
    assert caught.value.code == "customer.name_missing"


def test_consents_record_text_version_time_and_refused_marketing(
    database: Database, shop: Shop
) -> None:
    with database.write() as s:
        cid = reception.create_customer(s, shop.desk.actor, shop.store_id, _form(), now=NOW)
    with database.read() as s:
        consents = {
            c.purpose: (c.granted, c.text_version, c.recorded_at, c.recorded_by_id)
            for c in s.scalars(select(Consent).where(Consent.customer_id == cid))
        }
        phone = s.get_one(Customer, cid).phone
    assert consents == {
        ConsentPurpose.SERVICE: (True, reception.CONSENT_TEXT_VERSION, NOW, shop.desk.id),
        ConsentPurpose.MARKETING: (False, reception.CONSENT_TEXT_VERSION, NOW, shop.desk.id),
    }
    assert phone == "13900001111"


# --- routing -----------------------------------------------------------------------------------


def _check_in(database: Database, shop: Shop, customer: uuid.UUID, **kw: object):  # type: ignore[no-untyped-def]
    with database.write() as s:
        return reception.check_in(
            s, shop.desk.actor, shop.store_id, customer_id=customer, now=kw.pop("now", NOW), **kw
        )


def test_rotation_gives_the_longest_idle_consultant_and_skips_busy_ones(
    database: Database, shop: Shop
) -> None:
    first = _check_in(database, shop, _customer(database, shop, "13800000001"))
    second = _check_in(
        database, shop, _customer(database, shop, "13800000002"), now=NOW + timedelta(minutes=1)
    )
    assert first.routing.reason == second.routing.reason == "rotation"
    assert first.routing.consultant_id != second.routing.consultant_id
    # The first consultant starts serving: the next free one who waited longest is the third.
    with database.write() as s:
        reception.set_status(s, shop.manager, first.visit_id, VisitStatus.WITH_CONSULTANT)
    third = _check_in(
        database, shop, _customer(database, shop, "13800000003"), now=NOW + timedelta(minutes=2)
    )
    assert third.routing.consultant_id not in {
        first.routing.consultant_id,
        second.routing.consultant_id,
    }
    # Off duty consultants are never chosen; with everyone on duty busy, the visitor queues.
    with database.write() as s:
        for sid in shop.sales:
            s.get_one(Staff, sid).weekly_pattern = (
                "1111111" if sid == first.routing.consultant_id else "0000000"
            )
    fourth = _check_in(
        database, shop, _customer(database, shop, "13800000004"), now=NOW + timedelta(minutes=3)
    )
    assert fourth.routing.reason == "queue" and fourth.routing.consultant_id is None
    assert fourth.routing.queue_position == 1
    with database.read() as s:
        owner = s.get_one(Customer, first.customer_id).owner_id
    assert owner == first.routing.consultant_id  # the first to receive them owns them


def test_protected_customer_goes_to_owner_with_a_warning(database: Database, shop: Shop) -> None:
    owner = shop.sales[2]
    cid = _customer(
        database, shop, "13800000001", owner=owner, owner_since=NOW - timedelta(days=29)
    )
    result = _check_in(database, shop, cid, protection_days=30)
    assert result.routing.reason == "owner"
    assert result.routing.consultant_id == owner and result.routing.conflict
    assert result.routing.protected_until == NOW + timedelta(days=1)
    with database.read() as s:
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert entry.detail["conflict_owner"] == "吴顾问"
        assert s.get_one(Customer, cid).owner_since == NOW  # protection renewed


def test_after_the_protection_period_rotation_takes_over(database: Database, shop: Shop) -> None:
    cid = _customer(
        database, shop, "13800000001", owner=shop.sales[2], owner_since=NOW - timedelta(days=31)
    )
    result = _check_in(database, shop, cid, protection_days=30)
    assert result.routing.reason == "rotation" and not result.routing.conflict
    # Nobody was given a visitor yet today: ties go by name, so the order is stable.
    assert result.routing.consultant_name == min(("孙顾问", "周顾问", "吴顾问"))
    with database.read() as s:
        customer = s.get_one(Customer, cid)
        assert (customer.owner_id, customer.owner_since) == (result.routing.consultant_id, NOW)


def test_manual_override_is_allowed_and_keeps_the_protected_owner(
    database: Database, shop: Shop
) -> None:
    cid = _customer(database, shop, "13800000001", owner=shop.sales[2], owner_since=NOW)
    result = _check_in(database, shop, cid, consultant_id=shop.sales[1])
    assert (result.routing.reason, result.routing.conflict) == ("override", True)
    with database.read() as s:
        assert s.get_one(Customer, cid).owner_id == shop.sales[2]
        assert s.get_one(Visit, result.visit_id).consultant_id == shop.sales[1]


def test_checking_in_twice_the_same_day_returns_the_open_visit(
    database: Database, shop: Shop
) -> None:
    cid = _customer(database, shop, "13800000001")
    first = _check_in(database, shop, cid)
    again = _check_in(database, shop, cid, now=NOW + timedelta(minutes=5))
    assert again.already_checked_in and again.visit_id == first.visit_id
    assert first.visit_no == "BJ01-V20261124-0001"


def test_new_customer_check_in_creates_customer_and_visit(database: Database, shop: Shop) -> None:
    with database.write() as s:
        result = reception.check_in(
            s,
            shop.desk.actor,
            shop.store_id,
            new_customer=_form(),
            purpose=VisitPurpose.SELL,
            party_size=3,
            now=NOW,
        )
    assert result.created_customer and result.customer_name == "李女士"
    with database.read() as s:
        visit = s.get_one(Visit, result.visit_id)
        assert (visit.purpose, visit.party_size, visit.source_channel) == (
            VisitPurpose.SELL,
            3,
            SourceChannel.SHORT_VIDEO,
        )


def test_party_size_is_checked(database: Database, shop: Shop) -> None:
    cid = _customer(database, shop, "13800000001")
    with pytest.raises(ValidationError) as caught:
        _check_in(database, shop, cid, party_size=0)
    assert caught.value.code == "visit.party_size"


# --- bookings ----------------------------------------------------------------------------------


def _vehicle(s, shop: Shop) -> uuid.UUID:  # type: ignore[no-untyped-def]
    v = Vehicle(
        store_id=shop.store_id,
        stock_no=f"S{uuid.uuid4().hex[:8]}",
        brand="丰田",
        model="卡罗拉",
        year=2020,
        mileage_km=30000,
        energy=Energy.PETROL,
        transmission=Transmission.AUTOMATIC,
        list_price=Decimal("88000"),
    )
    s.add(v)
    s.flush()
    return v.id


def _drive(
    database: Database,
    shop: Shop,
    customer: uuid.UUID,
    start: datetime,
    code: str = "7KQ2MX",
    status: TestDriveStatus = TestDriveStatus.BOOKED,
) -> uuid.UUID:
    with database.write() as s:
        d = TestDrive(
            store_id=shop.store_id,
            booking_code=code,
            vehicle_id=_vehicle(s, shop),
            customer_id=customer,
            consultant_id=shop.sales[1],
            slot_start=start,
            slot_end=start + timedelta(minutes=45),
            status=status,
            **went_out(s, shop.store_id, code, start, status),
        )
        s.add(d)
        s.flush()
        return d.id


def _deposit(database: Database, shop: Shop, customer: uuid.UUID) -> None:
    with database.write() as s:
        s.add(
            Deposit(
                store_id=shop.store_id,
                receipt_no=f"R{uuid.uuid4().hex[:8]}",
                vehicle_id=_vehicle(s, shop),
                customer_id=customer,
                amount=Decimal("5000"),
                method=PaymentMethod.WECHAT,
                taken_at=NOW,
                expires_at=NOW + timedelta(days=7),
            )
        )


def _registration(database: Database, shop: Shop, customer: uuid.UUID, day: date) -> uuid.UUID:
    with database.write() as s:
        start = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)
        event = InspectionEvent(
            store_id=shop.store_id,
            title="透明检测日",
            event_date=day,
            starts_at=start,
            ends_at=start + timedelta(hours=8),
        )
        s.add(event)
        s.flush()
        r = Registration(
            event_id=event.id,
            customer_id=customer,
            booking_code="ABC123",
            status=RegistrationStatus.SEATED,
            seat_no=1,
            plate="京A12345",
        )
        s.add(r)
        s.flush()
        return r.id


def _by_code(database: Database, shop: Shop, text: str, now: datetime = NOW):  # type: ignore[no-untyped-def]
    with database.write() as s:
        return reception.check_in_by_code(s, shop.desk.actor, shop.store_id, text, now=now)


def test_scanned_test_drive_code_checks_in_and_links_the_visit(
    database: Database, shop: Shop
) -> None:
    cid = _customer(database, shop, "13800000001")
    drive = _drive(database, shop, cid, NOW + timedelta(minutes=30))
    result = _by_code(database, shop, "7kq2mx")
    assert result.routing.reason == "booking" and result.routing.consultant_id == shop.sales[1]
    again = _by_code(database, shop, "7KQ2MX")  # the scanner fired twice
    assert again.already_checked_in and again.visit_id == result.visit_id
    with database.read() as s:
        visit = s.get_one(Visit, result.visit_id)
        assert (visit.test_drive_id, visit.purpose) == (drive, VisitPurpose.TEST_DRIVE)
        assert s.scalar(select(func.count()).select_from(Visit)) == 1


def test_registration_code_checks_in_on_the_event_day(database: Database, shop: Shop) -> None:
    cid = _customer(database, shop, "13800000001")
    reg = _registration(database, shop, cid, date(2026, 11, 24))
    result = _by_code(database, shop, "ABC123")
    with database.read() as s:
        registration = s.get_one(Registration, reg)
        assert registration.status is RegistrationStatus.CHECKED_IN
        assert registration.checked_in_at == NOW
        assert s.get_one(Visit, result.visit_id).registration_id == reg


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("garbage", "booking.unreadable"),
        ("unknown", "booking.unknown"),
        ("expired", "booking.expired"),
        ("cancelled", "booking.cancelled"),
        ("future", "booking.too_early"),
    ],
)
def test_bad_codes_are_refused_plainly(
    database: Database, shop: Shop, case: str, code: str
) -> None:
    cid = _customer(database, shop, "13800000001")
    if case == "expired":
        _drive(database, shop, cid, NOW - timedelta(days=1))
    if case == "cancelled":
        _drive(database, shop, cid, NOW, status=TestDriveStatus.CANCELLED)
    if case == "future":
        _drive(database, shop, cid, NOW + timedelta(days=2))
    text = "%%$#@!" if case == "garbage" else ("ZZZZZZ" if case == "unknown" else "7KQ2MX")
    with pytest.raises((ValidationError, NotFoundError)) as caught:
        _by_code(database, shop, text)
    assert caught.value.code == code  # type: ignore[attr-defined]
    with database.read() as s:
        assert s.scalar(select(func.count()).select_from(Visit)) == 0


# --- board -------------------------------------------------------------------------------------


def test_board_transitions_and_check_out(database: Database, shop: Shop) -> None:
    cid = _customer(database, shop, "13800000001")
    result = _check_in(database, shop, cid)
    with database.read() as s:
        rows = reception.board(s, shop.store_id, day=date(2026, 11, 24))
    assert [(r.status, r.customer_name, r.phone_masked) for r in rows] == [
        (VisitStatus.WAITING, "张伟 先生", "138****0001")
    ]
    with database.write() as s:
        reception.set_status(s, shop.manager, result.visit_id, VisitStatus.WITH_CONSULTANT, now=NOW)
        reception.set_status(s, shop.manager, result.visit_id, VisitStatus.TEST_DRIVING)
        reception.set_status(s, shop.manager, result.visit_id, VisitStatus.WITH_CONSULTANT)
    with database.write() as s:
        reception.check_out(
            s, shop.manager, result.visit_id, VisitOutcome.FOLLOW_UP, IntentGrade.B, now=NOW
        )
    with database.read() as s:
        visit = s.get_one(Visit, result.visit_id)
        assert (visit.status, visit.outcome, visit.intent_grade, visit.greeted_at) == (
            VisitStatus.LEFT,
            VisitOutcome.FOLLOW_UP,
            IntentGrade.B,
            NOW,
        )
        assert s.get_one(Customer, cid).intent_grade is IntentGrade.B
        assert s.scalar(select(func.count()).select_from(GradeChange)) == 1
        # Grade B: the cadence's two weeks, not always the next day (回访节奏).
        assert s.scalar(select(FollowUp.due_on)) == date(2026, 12, 8)
    with database.write() as s, pytest.raises(ConflictError):
        reception.set_status(s, shop.manager, result.visit_id, VisitStatus.WITH_CONSULTANT)


def test_reassign_is_audited(database: Database, shop: Shop) -> None:
    result = _check_in(database, shop, _customer(database, shop, "13800000001"))
    with database.write() as s:
        name = reception.assign(s, shop.desk, result.visit_id, shop.sales[2])
    assert name == "吴顾问"
    with database.read() as s:
        assert s.scalar(select(AuditEntry.action).order_by(AuditEntry.seq.desc())) == (
            "visit_reassigned"
        )


# --- merge -------------------------------------------------------------------------------------


def test_merge_moves_everything_and_undo_puts_it_back(database: Database, shop: Shop) -> None:
    keep = _customer(database, shop, "13800000001", "张伟")
    drop = _customer(database, shop, "13800000002", "张伟", owner=shop.sales[0], owner_since=NOW)
    _check_in(database, shop, drop)
    _drive(database, shop, drop, NOW + timedelta(hours=1))
    _deposit(database, shop, drop)
    with database.write() as s, pytest.raises(PermissionDenied):
        merge.merge_customers(s, shop.desk, keep, drop)
    with database.write() as s:
        result = merge.merge_customers(s, shop.manager, keep, drop, now=NOW)
    assert (result.moved["visits"], result.moved["test_drives"], result.moved["deposits"]) == (
        1,
        1,
        1,
    )
    with database.read() as s:
        for table in (Visit, TestDrive, Deposit):
            assert set(s.scalars(select(table.customer_id))) == {keep}
        dropped = s.get_one(Customer, drop)
        assert (dropped.merged_into_id, dropped.deleted_at) == (keep, NOW)
        assert s.get_one(Customer, keep).owner_id == shop.sales[0]
        assert reception.lookup(s, "13800000002") == []
        assert audit.verify(s).ok
    with database.write() as s:
        merge.unmerge(s, shop.manager, result.audit_seq)
    with database.read() as s:
        for table in (Visit, TestDrive, Deposit):
            assert set(s.scalars(select(table.customer_id))) == {drop}
        assert s.get_one(Customer, drop).deleted_at is None
        assert s.get_one(Customer, keep).owner_id is None
    with database.write() as s, pytest.raises(ConflictError):
        merge.unmerge(s, shop.manager, result.audit_seq)


def test_customer_record_masks_and_reveal_of_id_is_audited(database: Database, shop: Shop) -> None:
    cid = _customer(database, shop, "13800000001")
    with database.write() as s:
        s.get_one(Customer, cid).id_number = "11010519491231002X"
    with database.read() as s:
        record = reception.customer_record(s, cid)
    assert record.phone_masked == "138****0001"
    assert record.id_number_masked is not None and "*" in record.id_number_masked
    with database.write() as s:
        assert reception.reveal_id_number(s, shop.desk, cid) == "11010519491231002X"
    with database.read() as s:
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert (entry.action, entry.detail) == ("personal_data_revealed", {"field": "id_number"})


def test_undoing_a_merge_keeps_edits_made_since(database: Database, shop: Shop) -> None:
    keep = _customer(database, shop, "13800000001", "张伟")
    drop = _customer(database, shop, "13800000002", "张伟", owner=shop.sales[0], owner_since=NOW)
    with database.write() as s:
        s.get_one(Customer, drop).intended_use = "家用"
        s.get_one(Customer, drop).preferred_models = "朗逸"
    with database.write() as s:
        result = merge.merge_customers(s, shop.manager, keep, drop, now=NOW)
    with database.write() as s:
        s.get_one(Customer, keep).intended_use = "通勤和家用"  # staff edit after the merge
    with database.write() as s:
        merge.unmerge(s, shop.manager, result.audit_seq)
    with database.read() as s:
        kept = s.get_one(Customer, keep)
        assert kept.intended_use == "通勤和家用"  # the edit survives the undo
        assert kept.preferred_models == ""  # the untouched merged-in value goes back
        assert kept.owner_id is None
