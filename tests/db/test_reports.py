"""Dashboard figures on hand-built data whose answers are known (SQLite and PostgreSQL).

The range is 2026-11-23..24 in Beijing time; visits are placed on both sides of
local and UTC midnight so that a day or hour taken in UTC would give other counts.
"""

from __future__ import annotations

import itertools
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import (
    Contract,
    ContractKind,
    ContractStatus,
    Customer,
    Deposit,
    Energy,
    FollowUp,
    FollowUpStatus,
    InspectionEvent,
    PaymentMethod,
    Registration,
    RegistrationStatus,
    Role,
    SourceChannel,
    TestDrive,
    TestDriveStatus,
    Transmission,
    Vehicle,
    VehicleStatus,
    Visit,
    VisitPurpose,
)
from showroom.errors import ValidationError
from showroom.services.reports import CHARTS, Dashboard, chart_rows, compute_dashboard, write_csv
from tests.factories import make_staff, make_store, went_out

START, END, TODAY = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 24)
_seq = itertools.count(1)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class Builder:
    def __init__(self, session: Session, store_id: uuid.UUID) -> None:
        self.s = session
        self.store_id = store_id

    def customer(self, name: str) -> uuid.UUID:
        c = Customer(store_id=self.store_id, name=name, phone=f"139{next(_seq):08d}")
        self.s.add(c)
        self.s.flush()
        return c.id

    def visit(
        self, customer: uuid.UUID, at: str, purpose: VisitPurpose, consultant: uuid.UUID | None
    ) -> None:
        self.s.add(
            Visit(
                store_id=self.store_id,
                visit_no=f"V{next(_seq)}",
                customer_id=customer,
                purpose=purpose,
                source_channel=SourceChannel.WALK_IN,
                arrived_at=utc(at),
                consultant_id=consultant,
            )
        )

    def car(
        self,
        price: int,
        listed: str | None,
        status: VehicleStatus = VehicleStatus.ON_SALE,
        **extra: Any,
    ) -> uuid.UUID:
        v = Vehicle(
            store_id=self.store_id,
            stock_no=f"S{next(_seq)}",
            brand="大众",
            model="朗逸",
            year=2020,
            mileage_km=30000,
            energy=Energy.PETROL,
            transmission=Transmission.AUTOMATIC,
            list_price=Decimal(price),
            status=status,
            listed_at=utc(listed) if listed else None,
            **extra,
        )
        self.s.add(v)
        self.s.flush()
        return v.id

    def drive(
        self, customer: uuid.UUID, consultant: uuid.UUID, at: str, status: TestDriveStatus
    ) -> None:
        car = self.car(90000, "2026-11-01T00:00:00")
        code = f"B{next(_seq)}"
        self.s.add(
            TestDrive(
                store_id=self.store_id,
                booking_code=code,
                vehicle_id=car,
                customer_id=customer,
                consultant_id=consultant,
                slot_start=utc(at),
                slot_end=utc(at) + timedelta(minutes=30),
                status=status,
                **went_out(self.s, self.store_id, code, utc(at), status),
            )
        )

    def contract(
        self,
        customer: uuid.UUID,
        consultant: uuid.UUID,
        signed: str | None,
        car: uuid.UUID,
        price: int,
        kind: ContractKind = ContractKind.SALE,
        status: ContractStatus = ContractStatus.SIGNED,
    ) -> None:
        self.s.add(
            Contract(
                store_id=self.store_id,
                contract_no=f"C{next(_seq)}",
                kind=kind,
                status=status,
                vehicle_id=car,
                customer_id=customer,
                consultant_id=consultant,
                price=Decimal(price),
                signed_at=utc(signed) if signed else None,
            )
        )

    def follow_up(
        self, customer: uuid.UUID, due: date, status: FollowUpStatus, reason: str
    ) -> None:
        self.s.add(FollowUp(customer_id=customer, due_on=due, status=status, reason=reason))


@pytest.fixture
def scenario(database: Database) -> dict[str, uuid.UUID]:
    store = make_store(database)
    other_store = make_store(database, "SH01", "上海展厅")
    s1 = make_staff(database, store, "s1", Role.SALES, display_name="孙顾问")
    s2 = make_staff(database, store, "s2", Role.SALES, display_name="周顾问")
    with database.write() as session:
        b = Builder(session, store)
        c1, c2, c3, c4, c5 = (b.customer(n) for n in ("甲", "乙", "丙", "丁", "戊"))
        # 2026-11-23T17:30Z is 11-24 01:30 in Beijing.
        b.visit(c1, "2026-11-23T17:30:00", VisitPurpose.BUY, s1)
        b.visit(c2, "2026-11-22T16:30:00", VisitPurpose.BUY, s1)  # 11-23 00:30 local
        b.visit(c3, "2026-11-22T15:59:00", VisitPurpose.BUY, s1)  # 11-22 23:59 local: out
        b.visit(c3, "2026-11-24T15:59:00", VisitPurpose.SELL, s2)  # 11-24 23:59 local
        b.visit(c3, "2026-11-24T16:00:00", VisitPurpose.BUY, s2)  # 11-25 00:00 local: out
        b.visit(c1, "2026-11-23T02:00:00", VisitPurpose.BUY, s1)  # 10:00
        b.visit(c4, "2026-11-23T03:00:00", VisitPurpose.TEST_DRIVE, s2)  # 11:00

        b.drive(c1, s1, "2026-11-23T03:00:00", TestDriveStatus.RETURNED)
        b.drive(c4, s2, "2026-11-23T04:00:00", TestDriveStatus.CANCELLED)
        b.drive(c2, s1, "2026-11-23T05:00:00", TestDriveStatus.CHECKED_OUT)

        deposit_car = b.car(70000, "2026-11-01T00:00:00", VehicleStatus.RESERVED)
        session.add(
            Deposit(
                store_id=store,
                receipt_no="R1",
                vehicle_id=deposit_car,
                customer_id=c1,
                amount=Decimal(5000),
                method=PaymentMethod.WECHAT,
                taken_by_id=s1,
                taken_at=utc("2026-11-23T05:00:00"),
                expires_at=utc("2026-11-30T05:00:00"),
            )
        )

        # Sold in range: listed 40 days before signing (31-60), 5000 below list.
        sold1 = b.car(100000, "2026-10-15T04:00:00", VehicleStatus.SOLD)
        b.contract(c1, s1, "2026-11-24T04:00:00", sold1, 95000)
        b.contract(c1, s1, "2026-11-24T04:00:00", sold1, 95000, kind=ContractKind.CONDITION)
        # c1 bought before, within a year: a repurchase.
        b.contract(
            c1,
            s1,
            "2026-03-01T04:00:00",
            b.car(60000, "2026-01-01T00:00:00", VehicleStatus.SOLD),
            58000,
        )
        # c5: listed 5 days before, sold at list price; earlier purchase over a year ago.
        sold2 = b.car(80000, "2026-11-18T04:00:00", VehicleStatus.SOLD)
        b.contract(c5, s2, "2026-11-23T06:00:00", sold2, 80000)
        b.contract(
            c5,
            s2,
            "2024-10-01T06:00:00",
            b.car(50000, "2024-09-01T00:00:00", VehicleStatus.SOLD),
            50000,
        )
        # A draft sale is no deal.
        b.contract(c2, s1, None, b.car(40000, None), 40000, status=ContractStatus.DRAFT)

        # Stock age on 11-24 (local days).
        b.car(100000, "2026-11-24T01:00:00")  # today: 0
        b.car(50000, "2026-10-24T16:30:00")  # 10-25 00:30 local: 30 days
        b.car(60000, "2026-10-24T15:30:00")  # 10-24 23:30 local: 31 days
        b.car(30000, "2026-08-01T00:00:00")  # 90+
        b.car(30000, "2026-11-20T00:00:00", deleted_at=utc("2026-11-21T00:00:00"))

        # Follow-ups due in range: 1 done of 3.
        b.follow_up(c1, date(2026, 11, 23), FollowUpStatus.DONE, "contract_3d")
        b.follow_up(c2, date(2026, 11, 24), FollowUpStatus.OPEN, "contract_3d")
        b.follow_up(c3, date(2026, 11, 23), FollowUpStatus.SKIPPED, "visit")
        b.follow_up(c3, date(2026, 11, 25), FollowUpStatus.OPEN, "visit")  # not yet due
        b.follow_up(c3, date(2026, 11, 22), FollowUpStatus.DONE, "visit")  # before range

        event = InspectionEvent(
            store_id=store,
            title="十一月透明检测日",
            event_date=date(2026, 11, 23),
            starts_at=utc("2026-11-23T01:00:00"),
            ends_at=utc("2026-11-23T09:00:00"),
        )
        session.add(event)
        session.flush()
        for n, (status, plate, vin) in enumerate(
            (
                (RegistrationStatus.SEATED, "京A00001", None),
                (RegistrationStatus.CHECKED_IN, "京A00002", None),
                (RegistrationStatus.INSPECTED, "京A00003", "LSVAA1234CN000001"),
                (RegistrationStatus.INSPECTED, "京A12345", None),
                (RegistrationStatus.CANCELLED, "京A00005", None),
                (RegistrationStatus.WAITLISTED, "京A00006", None),
            ),
            start=1,
        ):
            session.add(
                Registration(
                    event_id=event.id,
                    customer_id=c4,
                    booking_code=f"E{n}",
                    status=status,
                    plate=plate,
                    vin=vin,
                    # The wait-list and the cancelled hold no seat (migration 0018).
                    seat_no=None if status in (WAITLISTED, CANCELLED) else n,
                    waitlist_position=1 if status is WAITLISTED else None,
                )
            )
        # Bought in after the event (same VIN); the same plate bought before it does not count.
        bought = b.car(45000, None, VehicleStatus.PREPARING, vin="LSVAA1234CN000001")
        session.flush()
        session.get(Vehicle, bought).created_at = utc("2026-11-24T02:00:00")  # type: ignore[union-attr]
        old = b.car(45000, None, VehicleStatus.PREPARING, plate="京A12345")
        session.get(Vehicle, old).created_at = utc("2026-11-01T02:00:00")  # type: ignore[union-attr]

        other = Builder(session, other_store)
        other.visit(other.customer("己"), "2026-11-23T05:00:00", VisitPurpose.BUY, None)
    return {"store": store, "other": other_store, "s1": s1, "s2": s2}


WAITLISTED, CANCELLED = RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED


def _dashboard(database: Database, store_ids: list[uuid.UUID] | None) -> Dashboard:
    with database.read() as session:
        return compute_dashboard(session, store_ids, START, END, today=TODAY)


def test_traffic_is_counted_by_beijing_day_and_hour(database: Database, scenario) -> None:  # type: ignore[no-untyped-def]
    d = _dashboard(database, [scenario["store"]])
    assert [(x.day, x.visits) for x in d.traffic_by_day] == [
        (date(2026, 11, 23), 3),
        (date(2026, 11, 24), 2),
    ]
    hours = {h: n for h, n in enumerate(d.traffic_by_hour) if n}
    assert hours == {0: 1, 1: 1, 10: 1, 11: 1, 23: 1}
    assert d.visits == 5
    # Every store: the other store's visit is added.
    assert _dashboard(database, None).visits == 6


def test_funnel_and_conversion(database: Database, scenario) -> None:  # type: ignore[no-untyped-def]
    d = _dashboard(database, [scenario["store"]])
    assert [(s.key, s.customers) for s in d.funnel] == [
        ("visit", 4),
        ("test_drive", 2),
        ("deposit", 1),
        ("contract", 2),
    ]
    assert (d.intent_customers, d.test_drives, d.deposits, d.deals) == (3, 2, 1, 2)
    assert (d.conversion.numerator, d.conversion.denominator) == (2, 3)
    assert d.conversion.rate == pytest.approx(2 / 3)


def test_consultants_side_by_side(database: Database, scenario) -> None:  # type: ignore[no-untyped-def]
    d = _dashboard(database, [scenario["store"]])
    rows = {
        c.name: (c.visits, c.intent_customers, c.test_drives, c.deposits, c.deals)
        for c in d.consultants
    }
    assert rows == {"孙顾问": (3, 2, 2, 1, 1), "周顾问": (2, 1, 0, 0, 1)}
    by_name = {c.name: c for c in d.consultants}
    assert by_name["孙顾问"].conversion == pytest.approx(0.5)
    assert by_name["周顾问"].conversion == pytest.approx(1.0)


def test_revisit_and_repurchase_rates(database: Database, scenario) -> None:  # type: ignore[no-untyped-def]
    d = _dashboard(database, [scenario["store"]])
    assert (d.revisit.numerator, d.revisit.denominator) == (1, 3)
    assert [(r.reason, r.done, r.due) for r in d.revisit_by_reason] == [
        ("contract_3d", 1, 2),
        ("visit", 0, 1),
    ]
    assert (d.repurchase.numerator, d.repurchase.denominator) == (1, 2)


def test_stock_age_buckets_and_discount_at_sale(database: Database, scenario) -> None:  # type: ignore[no-untyped-def]
    d = _dashboard(database, [scenario["store"]])
    got = [(b.label, b.cars, b.average_list_price) for b in d.stock_age]
    # The test-drive and reserved cars were listed 11-01 (23 days): bucket 0-30 too.
    assert got == [
        ("0-30", 6, Decimal("81666.67")),  # (100000 + 50000 + 3 x 90000 + 70000) / 6
        ("31-60", 1, Decimal("60000.00")),
        ("61-90", 0, None),
        ("90+", 1, Decimal("30000.00")),
    ]
    sold = [(b.label, b.sold, b.average_discount) for b in d.stock_age]
    assert sold == [
        ("0-30", 1, Decimal("0.00")),
        ("31-60", 1, Decimal("5000.00")),
        ("61-90", 0, None),
        ("90+", 0, None),
    ]


def test_inspection_day_outcomes(database: Database, scenario) -> None:  # type: ignore[no-untyped-def]
    d = _dashboard(database, [scenario["store"]])
    assert [(e.registered, e.showed, e.inspected, e.bought_in) for e in d.inspection_days] == [
        (5, 3, 2, 1)
    ]
    assert d.inspection_days[0].title == "十一月透明检测日"
    # The other store's filter sees none of it.
    assert _dashboard(database, [scenario["other"]]).inspection_days == ()


def test_an_empty_range_gives_zero_not_errors(database: Database) -> None:
    make_store(database)
    with database.read() as session:
        d = compute_dashboard(session, None, START, END, today=TODAY)
    assert d.visits == 0 and d.conversion.rate is None and d.revisit.rate is None
    assert [b.cars for b in d.stock_age] == [0, 0, 0, 0]
    assert len(d.traffic_by_day) == 2 and sum(d.traffic_by_hour) == 0


def test_a_reversed_range_is_refused(database: Database) -> None:
    with database.read() as session, pytest.raises(ValidationError) as info:
        compute_dashboard(session, None, END, START, today=TODAY)
    assert info.value.message == "结束日期不能早于开始日期。"


def test_every_chart_exports_as_csv_with_chinese_headers(
    database: Database, scenario, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    d = _dashboard(database, [scenario["store"]])
    for chart in CHARTS:
        header, rows = chart_rows(d, chart)
        assert header and all(len(r) == len(header) for r in rows)
        assert all(re.search(r"[\u4e00-\u9fff]", h) for h in header), (chart, header)
    header, rows = chart_rows(d, "consultants")
    path = tmp_path / "c.csv"
    write_csv(str(path), header, rows)
    text = path.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0] == (
        "销售顾问,到店,意向客户,试驾,意向金,意向金金额（元）,成交,成交金额（元）,成交率,试驾成交率"
    )
    assert "孙顾问,3,2,2,1,5000.00,1,95000.00,50.0%,50.0%" in text.splitlines()


def test_a_long_range_reads_the_covering_index_and_counts_the_same(
    database: Database, scenario
) -> None:  # type: ignore[no-untyped-def]
    # Over 62 days SQLite is told to read ix_visits_customer_cover whole (migration 0003).
    with database.read() as session:
        d = compute_dashboard(
            session, [scenario["store"]], START - timedelta(days=300), END, today=TODAY
        )
    assert d.visits == 6  # the 11-22 23:59 local visit is now inside the range
    assert (d.funnel[0].key, d.funnel[0].customers) == ("visit", 4)
    assert d.intent_customers == 4  # c3 came to buy on 11-22 as well
    assert {c.name: (c.visits, c.intent_customers) for c in d.consultants} == {
        "孙顾问": (4, 3),
        "周顾问": (2, 1),
    }
