"""Self check-in at the kiosk on both backends: nothing disclosed, no false visit, slow guesses."""

from __future__ import annotations

import importlib
from dataclasses import fields
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from db import schema
from db.engine import Database
from db.models import (
    AuditEntry,
    BookingCode,
    Customer,
    KioskArrival,
    Registration,
    Role,
    TestDriveStatus,
    Title,
    Visit,
    VisitPurpose,
)
from showroom.errors import ConflictError, NotFoundError, ValidationError
from showroom.services import self_check_in as sci
from tests.db.test_reception import NOW, Shop, _customer, _drive, _registration, _user
from tests.factories import make_staff, make_store

KIOSK = "大厅自助机"


def _shop(database: Database) -> Shop:
    store_id = make_store(database)
    sales = [
        make_staff(database, store_id, f"s{n}", Role.SALES, display_name=name)
        for n, name in enumerate(("孙顾问", "周顾问", "吴顾问"))
    ]
    desk = make_staff(database, store_id, "desk", Role.RECEPTION, display_name="钱前台")
    boss = make_staff(database, store_id, "boss", Role.MANAGER, display_name="赵店长")
    return Shop(store_id, sales, _user(database, desk, store_id), _user(database, boss, store_id))


@pytest.fixture
def shop(database: Database) -> Shop:
    return _shop(database)


def _phone(database: Database, shop: Shop, phone: str, *, at: datetime = NOW, kiosk: str = KIOSK):  # type: ignore[no-untyped-def]
    with database.write() as s:
        return sci.check_in_by_phone(s, shop.store_id, phone, kiosk=kiosk, now=at)


def _code(database: Database, shop: Shop, text: str, *, at: datetime = NOW, store=None):  # type: ignore[no-untyped-def]
    with database.write() as s:
        return sci.check_in_by_code(
            s, store or shop.store_id, text, kiosk=KIOSK, protection_days=30, now=at
        )


def _register(database: Database, shop: Shop, code: str, kind: str = "test_drive") -> None:
    with database.write() as s:
        s.add(BookingCode(code=code, store_id=shop.store_id, kind=kind))


def _count(database: Database, model: type) -> int:
    with database.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


# --- a number alone ------------------------------------------------------------------------


def test_a_number_alone_tells_the_kiosk_nothing_and_logs_no_visit(
    database: Database, shop: Shop
) -> None:
    _customer(database, shop, "13800000001", "张伟", owner=shop.sales[2], owner_since=NOW)
    known = _phone(database, shop, "13800000001")
    stranger = _phone(database, shop, "13900000009", at=NOW + timedelta(seconds=5))
    # The same kind of answer with nothing in it but a key: no name, no consultant, no flag.
    assert [f.name for f in fields(known)] == ["arrival_id"]
    assert type(known) is type(stranger)
    assert _count(database, Visit) == 0  # nobody is checked in before staff greet them
    with database.read() as s:
        arrivals = s.scalars(select(KioskArrival).order_by(KioskArrival.arrived_at)).all()
        assert [(a.via, a.phone_tail, a.customer_id is not None) for a in arrivals] == [
            ("phone", "0001", True),
            ("phone", "0009", False),
        ]
        details = " ".join(str(e.detail) for e in s.scalars(select(AuditEntry)))
    assert "13800000001" not in details and "0001" not in details


def test_the_desk_sees_who_came_and_receives_or_dismisses_them(
    database: Database, shop: Shop
) -> None:
    cid = _customer(database, shop, "13800000001", "欧阳娜娜", owner=shop.sales[2], owner_since=NOW)
    known = _phone(database, shop, "13800000001")
    stranger = _phone(database, shop, "13900000009", at=NOW + timedelta(seconds=5))
    later = NOW + timedelta(minutes=3)
    with database.read() as s:
        rows = sci.pending(s, shop.store_id, now=later)
    assert [(r.via, r.phone_tail, r.customer_name, r.consultant_name) for r in rows] == [
        ("phone", "0001", "欧阳娜娜 先生", "吴顾问"),
        ("phone", "0009", None, None),
    ]
    with database.write() as s:
        result = sci.receive(s, shop.desk, known.arrival_id, now=later)
        assert sci.receive(s, shop.desk, stranger.arrival_id, now=later) is None
    assert result is not None and result.customer_id == cid
    with database.read() as s:
        visit = s.get_one(Visit, result.visit_id)
        assert visit.arrived_at == NOW  # when they checked in, not when they were greeted
        assert visit.purpose is VisitPurpose.BUY
        assert sci.pending(s, shop.store_id, now=later) == []
    with database.write() as s, pytest.raises(ConflictError):
        sci.dismiss(s, shop.desk, known.arrival_id, now=later)  # already received


def test_pressing_twice_is_one_arrival(database: Database, shop: Shop) -> None:
    first = _phone(database, shop, "13900000009")
    again = _phone(database, shop, "139 0000 0009", at=NOW + timedelta(seconds=2))
    assert again.arrival_id == first.arrival_id
    assert _count(database, KioskArrival) == 1


def test_a_malformed_number_is_only_a_typing_error(database: Database, shop: Shop) -> None:
    with pytest.raises(ValidationError) as caught:
        _phone(database, shop, "12345")
    assert caught.value.code == "phone.invalid"
    assert _count(database, KioskArrival) == 0


# --- pacing -------------------------------------------------------------------------------


def test_the_wait_grows_with_unrelated_tries_up_to_a_minute() -> None:
    assert [sci.wait_seconds(n) for n in range(8)] == [0, 0, 0, 10, 20, 30, 40, 50]
    assert sci.wait_seconds(50) == sci.MAX_WAIT_SECONDS


def test_many_unrelated_numbers_are_slowed_and_flagged(database: Database, shop: Shop) -> None:
    at = NOW
    for n in range(3):  # three people in a row: no waiting
        _phone(database, shop, f"1390000000{n}", at=at)
        at += timedelta(seconds=1)
    with pytest.raises(ValidationError) as caught:
        _phone(database, shop, "13900000003", at=at)
    assert caught.value.code == "kiosk.slow_down" and caught.value.params["seconds"] == 9
    _phone(database, shop, "13900000003", at=at + timedelta(seconds=9))
    # Another kiosk is not held up by this one.
    _phone(database, shop, "13900000004", at=at, kiosk="二楼自助机")
    with database.read() as s:
        flagged = s.scalars(select(KioskArrival.phone_tail).where(KioskArrival.flagged)).all()
        alerts = sci.alerts(s, shop.store_id, now=at + timedelta(seconds=10))
    assert flagged == ["0003"]
    assert [(a.kiosk, a.unrelated) for a in alerts] == [(KIOSK, 4)]
    with database.read() as s:
        assert sci.alerts(s, shop.store_id, now=at + timedelta(minutes=11)) == []


# --- a booking code -----------------------------------------------------------------------


def test_a_booking_code_greets_by_surname_and_names_the_consultant(
    database: Database, shop: Shop
) -> None:
    cid = _customer(database, shop, "13800000001", "欧阳娜娜")
    _drive(database, shop, cid, NOW + timedelta(minutes=30), code="K7QM2XPD")
    _register(database, shop, "K7QM2XPD")
    greeting = _code(database, shop, "SHOWROOM:TD:k7qm-2xpd")
    assert (greeting.surname, greeting.title, greeting.consultant_name) == (
        "欧阳",
        Title.MR,
        "周顾问",
    )
    assert {f.name for f in fields(greeting)} == {
        "surname",
        "title",
        "consultant_name",
        "already_checked_in",
    }
    assert _code(database, shop, "K7QM2XPD").already_checked_in
    with database.read() as s:
        (visit,) = s.scalars(select(Visit)).all()
        arrival = s.scalars(select(KioskArrival)).one()
    assert visit.purpose is VisitPurpose.TEST_DRIVE
    assert (arrival.via, arrival.visit_id) == ("code", visit.id)


@pytest.mark.parametrize("case", ["unknown", "cancelled", "expired", "future", "other_store"])
def test_every_code_that_cannot_check_in_gets_the_same_answer(
    database: Database, shop: Shop, case: str
) -> None:
    cid = _customer(database, shop, "13800000001")
    start = {
        "expired": NOW - timedelta(days=1),
        "future": NOW + timedelta(days=2),
    }.get(case, NOW + timedelta(minutes=30))
    status = TestDriveStatus.CANCELLED if case == "cancelled" else TestDriveStatus.BOOKED
    if case != "unknown":
        _drive(database, shop, cid, start, code="K7QM2XPD", status=status)
        _register(database, shop, "K7QM2XPD")
    store = make_store(database, "SH02", "上海店") if case == "other_store" else None
    with pytest.raises(NotFoundError) as caught:
        _code(database, shop, "K7QM2XPD", store=store)
    assert caught.value.code == "kiosk.code_refused"
    assert caught.value.message == sci.REFUSED_CODE_MESSAGE
    assert caught.value.params == {}
    assert _count(database, Visit) == 0
    with database.read() as s:
        refused = s.scalars(select(KioskArrival)).one()
    assert refused.via == "refused" and refused.handled_at is not None  # counted, not listed


def test_guessing_codes_is_slowed_like_typing_numbers(database: Database, shop: Shop) -> None:
    at = NOW
    for guess in ("AAAAAAAA", "BBBBBBBB", "CCCCCCCC"):
        with pytest.raises(NotFoundError):
            _code(database, shop, guess, at=at)
        at += timedelta(seconds=1)
    with pytest.raises(ValidationError) as caught:
        _code(database, shop, "DDDDDDDD", at=at)
    assert caught.value.code == "kiosk.slow_down"


def test_an_inspection_day_code_checks_in_on_the_day(database: Database, shop: Shop) -> None:
    cid = _customer(database, shop, "13800000001", "薛敏")
    reg = _registration(database, shop, cid, date(2026, 11, 24))
    with database.write() as s:
        s.get_one(Registration, reg).booking_code = "HJKMNPQR"
        s.add(BookingCode(code="HJKMNPQR", store_id=shop.store_id, kind="registration"))
    greeting = _code(database, shop, "HJKMNPQR")
    assert greeting.surname == "薛"


# --- codes issued before this release --------------------------------------------------------


def test_codes_issued_before_are_registered_by_the_migration_and_still_check_in(
    database: Database,
) -> None:
    shop = _shop(database)
    store_id = shop.store_id
    cid = _customer(database, shop, "13800000001", "尹红")
    # A drive booked before this release, with a six-character code of the old alphabet:
    # made at the head (the models are today's), then the schema goes back to before the
    # code register and up again, as an upgraded store's database does.
    _drive(database, shop, cid, NOW + timedelta(minutes=20), code="7KQ2MX")
    before = importlib.import_module("db.migrations.versions.0015_kiosk_trust").down_revision
    schema.downgrade(database, before)
    schema.upgrade(database)
    with database.read() as s:
        registered = s.get_one(BookingCode, "7KQ2MX")
        assert (registered.kind, registered.store_id) == ("test_drive", store_id)
        assert s.get_one(Customer, cid).name == "尹红"
    with database.write() as s:
        greeting = sci.check_in_by_code(s, store_id, "7kq2mx", kiosk=KIOSK, now=NOW)
    assert greeting.surname == "尹"
