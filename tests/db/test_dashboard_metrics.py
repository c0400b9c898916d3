"""The dashboard's channel, platform, lost-reason, drive-to-deal, lead-response,
new-customer and per-consultant figures, on hand-made data (SQLite and PostgreSQL).

The range is 2026-11-23..24 in Beijing; ``now`` is 11-24 08:00Z (16:00 local).
Three customers from 短视频 came to buy and one signed: 33%.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from db.engine import Database
from db.models import (
    Customer,
    Deposit,
    FollowUp,
    FollowUpStatus,
    Lead,
    LeadStatus,
    PaymentMethod,
    Role,
    SourceChannel,
    TestDriveStatus,
    Visit,
    VisitPurpose,
)
from showroom.errors import PermissionDenied, ValidationError
from showroom.services import auth, targets
from showroom.services.reports import chart_rows, compute_dashboard
from tests.db.test_reports import Builder, utc
from tests.factories import make_staff, make_store

START, END, TODAY = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 24)
NOW = utc("2026-11-24T08:00:00")


def _lead(
    session, store, phone: str, platform: str, received: str, contact_min: int | None, **kw
) -> None:  # type: ignore[no-untyped-def]
    at = utc(received)
    session.add(
        Lead(
            store_id=store,
            phone=phone,
            source_channel=SourceChannel.LISTING_PLATFORM,
            platform=platform,
            received_at=at,
            due_at=at + timedelta(hours=2),
            first_contact_at=at + timedelta(minutes=contact_min) if contact_min else None,
            status=LeadStatus.VISITED if contact_min else LeadStatus.NEW,
            **kw,
        )
    )


@pytest.fixture
def scenario(database: Database) -> dict[str, uuid.UUID]:
    store = make_store(database)
    s1 = make_staff(database, store, "s1", Role.SALES, display_name="孙顾问")
    s2 = make_staff(database, store, "s2", Role.SALES, display_name="周顾问")
    make_staff(database, store, "boss", Role.MANAGER, display_name="王店长")
    with database.write() as session:
        b = Builder(session, store)
        d1, d2, d3 = (b.customer(n) for n in ("抖一", "抖二", "抖三"))
        w1, r1 = b.customer("走进"), b.customer("推荐")
        channels = {d1: "short_video", d2: "short_video", d3: "short_video"}
        channels |= {w1: "walk_in", r1: "referral"}
        session.flush()
        for customer, channel in channels.items():
            session.get_one(Customer, customer).source_channel = SourceChannel(channel)
        for customer in (d1, d2, d3):
            b.visit(customer, "2026-11-23T02:00:00", VisitPurpose.BUY, s1)
        b.visit(w1, "2026-11-01T02:00:00", VisitPurpose.BUY, s1)  # came before: not new
        b.visit(w1, "2026-11-24T02:00:00", VisitPurpose.BUY, s1)
        b.visit(r1, "2026-11-24T03:00:00", VisitPurpose.SELL, s2)  # a seller: not intent
        session.flush()
        # Lost-deal reasons: two at check-out in the range, one on a follow-up in the
        # range, one on a follow-up closed before it.
        visits = {v.customer_id: v for v in session.query(Visit).filter(Visit.customer_id == d3)}
        visits[d3].lost_reason = "车况不满意"
        w1_visit = (
            session.query(Visit)
            .filter(Visit.customer_id == w1, Visit.arrived_at >= utc("2026-11-24T00:00:00"))
            .one()
        )
        w1_visit.lost_reason = "价格太高"
        for reason, done in (("价格太高", "2026-11-24T05:00:00"), ("其他", "2026-11-20T05:00")):
            session.add(
                FollowUp(
                    customer_id=d2,
                    due_on=date(2026, 11, 20),
                    reason="visit",
                    status=FollowUpStatus.DONE,
                    done_at=utc(done),
                    lost_reason=reason,
                )
            )
        # Platforms: d1 on 抖音 and 懂车帝, d2 on 抖音, d3 on 懂车帝; one lead unlinked.
        _lead(session, store, "13700000001", "抖音", "2026-11-23T02:00:00", 10, customer_id=d1)
        _lead(session, store, "13700000002", "抖音", "2026-11-23T03:00:00", 150, customer_id=d2)
        _lead(session, store, "13700000003", "懂车帝", "2026-11-23T06:00:00", 20, customer_id=d3)
        _lead(session, store, "13700000004", "抖音", "2026-11-24T01:00:00", None)  # overdue
        _lead(session, store, "13700000005", "懂车帝", "2026-11-24T07:30:00", None, customer_id=d1)
        _lead(session, store, "13700000006", "瓜子", "2026-11-20T07:30:00", 5)  # before
        # Drives: d1 (s1) then signs; w1 (s1) signed before driving; d2 (s2) no sale.
        b.drive(d1, s1, "2026-11-23T03:00:00", TestDriveStatus.RETURNED)
        b.drive(w1, s1, "2026-11-24T05:00:00", TestDriveStatus.RETURNED)
        b.drive(d2, s2, "2026-11-23T04:00:00", TestDriveStatus.RETURNED)
        b.drive(r1, s2, "2026-11-23T04:00:00", TestDriveStatus.CANCELLED)
        b.contract(d1, s1, "2026-11-24T04:00:00", b.car(100000, "2026-11-01T00:00:00"), 100000)
        b.contract(w1, s1, "2026-11-24T01:00:00", b.car(60000, "2026-11-01T00:00:00"), 60000)
        for customer, staff, amount, n in ((d1, s1, 5000, 1), (d2, s2, 3000, 2)):
            session.add(
                Deposit(
                    store_id=store,
                    receipt_no=f"RX{n}",
                    vehicle_id=b.car(90000, "2026-11-01T00:00:00"),
                    customer_id=customer,
                    amount=Decimal(amount),
                    method=PaymentMethod.WECHAT,
                    taken_by_id=staff,
                    taken_at=utc("2026-11-23T05:00:00"),
                    expires_at=utc("2026-11-30T05:00:00"),
                )
            )
    return {"store": store, "s1": s1, "s2": s2}


def _dashboard(database: Database, start: date = START):  # type: ignore[no-untyped-def]
    with database.read() as session:
        return compute_dashboard(session, None, start, END, today=TODAY, now=NOW)


def test_conversion_by_source_channel_and_by_platform(database, scenario) -> None:  # type: ignore[no-untyped-def]
    d = _dashboard(database)
    channels = {c.key: (c.customers, c.deals) for c in d.channels}
    assert channels == {"walk_in": (1, 1), "short_video": (3, 1)}  # the seller is no buyer
    short = next(c for c in d.channels if c.key == "short_video")
    assert short.conversion == pytest.approx(1 / 3)
    # The channels add up to the headline figures.
    assert sum(c.customers for c in d.channels) == d.intent_customers == 4
    assert sum(c.deals for c in d.channels) == d.deals == 2
    platforms = {p.key: (p.customers, p.deals) for p in d.platforms}
    assert platforms == {"抖音": (2, 1), "懂车帝": (2, 1)}  # d1 enquired on both
    header, rows = chart_rows(d, "channels")
    assert header[0] == "来源渠道" and ["短视频", 3, 1, "33.3%"] in rows


def test_lost_reasons_count_checkout_and_follow_ups_in_the_range(database, scenario) -> None:  # type: ignore[no-untyped-def]
    d = _dashboard(database)
    assert [(r.reason, r.at_checkout, r.at_follow_up) for r in d.lost_reasons] == [
        ("价格太高", 1, 1),
        ("车况不满意", 1, 0),
    ]


def test_test_drive_to_deal_counts_sales_after_the_drive(database, scenario) -> None:  # type: ignore[no-untyped-def]
    d = _dashboard(database)
    # d1 drove then signed; w1 signed before driving; d2 did not sign; r1 never went out.
    assert (d.drive_to_deal.numerator, d.drive_to_deal.denominator) == (1, 3)
    assert d.funnel[1].key == "test_drive" and d.funnel[1].customers == 3
    people = {c.name: c for c in d.consultants}
    assert (people["孙顾问"].drive_deals, people["孙顾问"].drive_customers) == (1, 2)
    assert (people["周顾问"].drive_deals, people["周顾问"].drive_customers) == (0, 1)


def test_lead_response_median_in_time_and_unanswered(database, scenario) -> None:  # type: ignore[no-untyped-def]
    lead = _dashboard(database).lead_response
    assert (lead.received, lead.answered, lead.unanswered) == (5, 3, 2)
    assert lead.median_minutes == pytest.approx(20.0)
    # In time: 10 and 20 minutes; late: 150; overdue unanswered: 1; not yet due: left out.
    assert (lead.in_time.numerator, lead.in_time.denominator) == (2, 4)


def test_new_customers_are_those_whose_first_visit_is_in_the_range(database, scenario) -> None:  # type: ignore[no-untyped-def]
    d = _dashboard(database)
    assert d.new_customers == 4  # w1 came on 11-01
    assert d.funnel[0].customers == 5
    # Over a long range (SQLite reads the whole customer index) w1's first visit is in.
    long = _dashboard(database, date(2026, 8, 1))
    assert long.new_customers == 5 and long.intent_customers == 4
    assert {c.key: (c.customers, c.deals) for c in long.channels} == {
        "walk_in": (1, 1),
        "short_video": (3, 1),
    }


def test_consultants_have_deal_and_deposit_amounts(database, scenario) -> None:  # type: ignore[no-untyped-def]
    d = _dashboard(database)
    people = {c.name: c for c in d.consultants}
    assert people["孙顾问"].deals == 2 and people["孙顾问"].deal_amount == Decimal("160000.00")
    assert people["孙顾问"].deposit_amount == Decimal("5000.00")
    assert people["周顾问"].deal_amount == Decimal("0.00")
    assert people["周顾问"].deposit_amount == Decimal("3000.00")
    assert (d.deal_amount, d.deposit_amount) == (Decimal("160000.00"), Decimal("8000.00"))


def test_new_metrics_take_targets(database, scenario) -> None:  # type: ignore[no-untyped-def]
    with database.write() as session:
        boss = auth.sign_in(session, "boss", "secret123")
        targets.save_targets(
            session,
            boss,
            [("new_customers", 60, 30), ("drive_to_deal", 40, 20), ("lead_in_time", 90, 60)],
        )
    with database.read() as session:
        d = compute_dashboard(session, None, START, END, today=TODAY, now=NOW)
        verdicts = targets.evaluate(d, targets.list_targets(session, None))
    # Two days of 60 a month: target 4, warning 2; 4 new customers meet it.
    assert (verdicts["new_customers"].target, verdicts["new_customers"].status) == (4.0, "good")
    assert verdicts["drive_to_deal"].status == "watch"  # 33.3% between 20 and 40
    assert verdicts["lead_in_time"].status == "bad"  # 50% below 60


def test_the_manager_sets_consultant_targets_shown_against_their_figures(
    database, scenario
) -> None:  # type: ignore[no-untyped-def]
    s1, s2 = scenario["s1"], scenario["s2"]
    with database.write() as session:
        boss = auth.sign_in(session, "boss", "secret123")
        targets.save_targets(
            session,
            boss,
            [],
            [
                (s1, "deals", 30, 15),
                (s1, "amount", 3_000_000, 1_500_000),
                (s2, "deals", 15, None),
            ],
        )
        # The dialog lists the store's consultants (not the manager).
        assert sorted(targets.store_consultants(session, scenario["store"])) == sorted(
            [(s1, "孙顾问"), (s2, "周顾问")]
        )
    with database.read() as session:
        d = compute_dashboard(session, None, START, END, today=TODAY, now=NOW)
        stored = targets.list_consultant_targets(session, None)
        verdicts = targets.evaluate_consultants(d, stored)
    assert stored[s1]["amount"].target == 3_000_000 and stored[s2]["deals"].warning is None
    # Two days: deals 2.0 (warning 1.0) met by 2; amount 200,000 (warning 100,000): 160,000.
    assert (verdicts[s1]["deals"].target, verdicts[s1]["deals"].status) == (2.0, "good")
    assert (verdicts[s1]["amount"].target, verdicts[s1]["amount"].status) == (200000.0, "watch")
    assert verdicts[s2]["deals"].status == "bad"  # 0 of 1.0, no warning level
    # Clearing a target removes it.
    with database.write() as session:
        boss = auth.sign_in(session, "boss", "secret123")
        targets.save_targets(session, boss, [], [(s2, "deals", None, None)])
    with database.read() as session:
        assert s2 not in targets.list_consultant_targets(session, None)


def test_consultant_targets_are_checked_and_only_for_the_managers_store(database, scenario) -> None:  # type: ignore[no-untyped-def]
    other = make_store(database, "SH01", "上海展厅")
    stranger = make_staff(database, other, "x1", Role.SALES, display_name="外店顾问")
    with database.write() as session:
        boss = auth.sign_in(session, "boss", "secret123")
        for row, code in (
            ((scenario["s1"], "amount", 0, None), "target.range"),
            ((scenario["s1"], "deals", 10, 10), "target.warning_range"),
            ((scenario["s1"], "cars", 10, None), "target.metric"),
            ((stranger, "deals", 10, None), "target.consultant_store"),
        ):
            with pytest.raises(ValidationError) as refused:
                targets.save_targets(session, boss, [], [row])
            assert refused.value.code == code
        seller = auth.sign_in(session, "s1", "secret123")
        with pytest.raises(PermissionDenied):
            targets.save_targets(session, seller, [], [(scenario["s1"], "deals", 5, None)])
    with database.read() as session:
        assert targets.list_consultant_targets(session, None) == {}


def test_targets_operation_carries_consultant_targets(database, scenario) -> None:  # type: ignore[no-untyped-def]
    from showroom.sync import operations

    with database.write() as session:
        boss = auth.sign_in(session, "boss", "secret123")
    payload = {
        "user": operations.user_payload(boss),
        "targets": [],
        "consultants": [
            {"staff_id": str(scenario["s1"]), "metric": "deals", "target": 12, "warning": 8}
        ],
    }
    with database.write() as session:
        operations.apply(
            session, uuid.uuid4(), "dashboard.targets_save", payload, created_at=NOW, origin="pc"
        )
    with database.read() as session:
        saved = targets.list_consultant_targets(session, None)
    assert saved[scenario["s1"]]["deals"].target == 12.0


def test_a_long_range_read_on_several_connections_gives_the_one_connection_figures(
    database: Database,
) -> None:
    """A year's parts run at once on their own connections; the figures are the same."""
    from sqlalchemy.orm import Session

    from showroom import demo
    from showroom.services import reports

    demo.generate(database, cars=40, seed=3, now=NOW)
    year = (TODAY - timedelta(days=364), TODAY)
    with database.read() as session:
        assert isinstance(session.get_bind(), Engine)  # the parallel path
        parallel = compute_dashboard(session, None, *year, today=TODAY, now=NOW)
    with database.engine.connect() as conn, Session(bind=conn) as session:
        serial = compute_dashboard(session, None, *year, today=TODAY, now=NOW)  # one by one
    assert parallel.visits > 100 and parallel.deals > 0  # the comparison means something
    assert parallel == serial
    assert reports.PART_CONNECTIONS > 1 and (year[1] - year[0]).days > reports.LONG_RANGE_DAYS
