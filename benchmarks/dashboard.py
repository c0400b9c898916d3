"""The manager's dashboard over one year of a ten-store group, on SQLite and PostgreSQL.

Usage: python benchmarks/dashboard.py [--visits 500000] [--pg URL|none] [--rebuild]

The data (10 stores, 80 consultants, about 500,000 visits with proportional test
drives, deposits, priced contracts, follow-ups and inspection days; customers from
every source channel, a third of them first enquired as a lead on a listing
platform with a response time, lost-deal reasons at check-out and on follow-ups
closed as lost) is generated here and
written with Core bulk inserts; the SQLite file is cached under
``benchmarks/.cache`` so later runs only time the dashboard. PostgreSQL gets a
throw-away database on the server at ``--pg`` (dropped afterwards).

Timed: ``reports.compute_dashboard`` (with the stores' and consultants' targets and
their verdicts, as the screen reads them) for the whole year and every store (the
heaviest view), for one store's last 30 days, and for today. Target: under 2 s.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from db import schema
from db.engine import Database
from db.models import (
    Contract,
    ContractKind,
    ContractStatus,
    Customer,
    DashboardTarget,
    Deposit,
    DepositStatus,
    Document,
    DocumentKind,
    Energy,
    FollowUp,
    FollowUpStatus,
    InspectionEvent,
    Lead,
    LeadStatus,
    Media,
    PaymentMethod,
    Registration,
    RegistrationStatus,
    Role,
    SourceChannel,
    Staff,
    Store,
    TestDrive,
    TestDriveStatus,
    Transmission,
    Vehicle,
    VehicleStatus,
    Visit,
    VisitOutcome,
    VisitPurpose,
)
from db.models.org import ConsultantTarget
from showroom.services import reports, targets
from showroom.services.overview import store_zone

CACHE = Path(__file__).resolve().parent / ".cache"
STORES = 10
CONSULTANTS_PER_STORE = 8
TODAY = date(2026, 11, 24)
YEAR_START = TODAY - timedelta(days=364)
NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # 16:00 in Beijing
CHUNK = 20_000
ZONE = store_zone(None)
CHANNELS = tuple(SourceChannel)
CHANNEL_WEIGHTS = (40, 15, 10, 12, 15, 6, 2)
PLATFORMS = ("懂车帝", "瓜子二手车", "58同城", "抖音", "汽车之家", "易车")
LOST = ("价格太高", "车况不满意", "已在别处购买", "暂不购车", "贷款未通过", "联系不上", "其他")


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for n in range(0, len(rows), CHUNK):
        yield rows[n : n + CHUNK]


def _local(day: date, hour: float) -> datetime:
    return (datetime(day.year, day.month, day.day, tzinfo=ZONE) + timedelta(hours=hour)).astimezone(
        UTC
    )


def generate(database: Database, visits_total: int, seed: int = 7) -> dict[str, int]:
    """Write a year of a ten-store group; returns row counts."""
    rng = random.Random(seed)
    made = datetime(2025, 1, 1, tzinfo=UTC)
    base = {"created_at": made, "updated_at": made, "row_version": 1}
    rows: dict[Any, list[dict[str, Any]]] = {}

    def add(entity: Any, /, **values: Any) -> uuid.UUID:
        values.setdefault("id", uuid.UUID(int=rng.getrandbits(128), version=4))
        rows.setdefault(entity, []).append({**base, **values})
        return values["id"]

    stores = [
        add(Store, code=f"S{n:02d}", name=f"第{n + 1}店", timezone="Asia/Shanghai")
        for n in range(STORES)
    ]
    for store in stores:  # every store set its targets (经营目标)
        for metric, target, warning in (
            ("visits", 4500, 3500),
            ("deals", 120, 90),
            ("conversion", 25, 18),
            ("revisit", 90, 75),
            ("new_customers", 2700, 2200),
            ("drive_to_deal", 20, 12),
            ("lead_in_time", 90, 80),
        ):
            add(DashboardTarget, store_id=store, metric=metric, target=target, warning=warning)
    consultants = {
        store: [
            add(
                Staff,
                store_id=store,
                username=f"c{s}_{n}",
                display_name=f"顾问{s}{n}",
                roles={Role.SALES},
                password_hash="x",
            )
            for n in range(CONSULTANTS_PER_STORE)
        ]
        for s, store in enumerate(stores)
    }
    for people in consultants.values():  # 个人目标: deals and amount per month
        for person in people:
            for metric, target, warning in (("deals", 15, 10), ("amount", 1_500_000, 1_000_000)):
                add(
                    ConsultantTarget,
                    store_id=next(st for st, ps in consultants.items() if person in ps),
                    staff_id=person,
                    metric=metric,
                    target=target,
                    warning=warning,
                )
    # Stock: per store about 3,000 cars over the year, two thirds sold.
    cars: dict[uuid.UUID, list[tuple[uuid.UUID, datetime, int]]] = {s: [] for s in stores}
    car_no = 0
    for store in stores:
        for _ in range(visits_total // (STORES * 16)):
            car_no += 1
            listed = _local(YEAR_START - timedelta(days=rng.randint(0, 120)), 10) + timedelta(
                days=rng.randint(0, 480)
            )
            listed = min(listed, _local(TODAY, 9))
            price = rng.randint(30, 400) * 1000
            car_id = add(
                Vehicle,
                store_id=store,
                stock_no=f"K{car_no:07d}",
                brand="大众",
                model="朗逸",
                year=rng.randint(2015, 2024),
                mileage_km=rng.randint(1000, 150000),
                energy=Energy.PETROL,
                transmission=Transmission.AUTOMATIC,
                list_price=Decimal(price),
                status=VehicleStatus.ON_SALE,
                listed_at=listed,
                configuration=[],
            )
            cars[store].append((car_id, listed, price))
    # Customers and visits.
    customers: dict[uuid.UUID, list[uuid.UUID]] = {s: [] for s in stores}
    channel_of: dict[uuid.UUID, SourceChannel] = {}
    lead_no = 0
    phone = 0
    visit_no = 0
    drive_no = deposit_no = contract_no = 0
    days = (TODAY - YEAR_START).days + 1
    per_store = visits_total // STORES
    sold: set[uuid.UUID] = set()
    # The database refuses a drive out without a checked licence, a signed agreement and
    # the readings (migration 0018): one archived agreement per store stands for them.
    agreement_pdf = b"%PDF-1.4 benchmark agreement"
    agreement_sha = hashlib.sha256(agreement_pdf).hexdigest()
    rows.setdefault(Media, []).append(
        {"sha256": agreement_sha, "mime": "application/pdf", "size": len(agreement_pdf),
         "data": agreement_pdf, "created_at": made}
    )  # fmt: skip
    agreements = {
        store: add(
            Document,
            store_id=store,
            kind=DocumentKind.TEST_DRIVE_AGREEMENT,
            number=f"AG{n:02d}",
            copy_no=0,
            verification_code="BENCH-0000",
            pdf_sha=agreement_sha,
        )
        for n, store in enumerate(stores)
    }
    for s, store in enumerate(stores):
        people = consultants[store]
        stock = cars[store]
        for _ in range(per_store):
            first_visit = False
            if customers[store] and rng.random() < 0.35:
                customer = rng.choice(customers[store])  # a returning customer
            else:
                first_visit = True
                phone += 1
                channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
                customer = add(
                    Customer,
                    store_id=store,
                    name=f"客户{phone}",
                    phone=f"13{phone:09d}",
                    intent_grade=rng.choice("ABCD"),
                    source_channel=channel,
                )
                customers[store].append(customer)
                channel_of[customer] = channel
            day = YEAR_START + timedelta(days=rng.randrange(days))
            arrived = _local(day, rng.triangular(9, 19, 14))
            consultant = rng.choice(people) if rng.random() < 0.95 else None
            if first_visit and rng.random() < 0.33:
                # The first enquiry on a platform, answered (or not) some minutes later.
                lead_no += 1
                received = arrived - timedelta(days=rng.randint(1, 5), minutes=rng.randint(0, 600))
                answered = rng.random() < 0.9
                add(
                    Lead,
                    store_id=store,
                    phone=f"13{phone:09d}",
                    source_channel=SourceChannel.LISTING_PLATFORM,
                    platform=rng.choice(PLATFORMS),
                    external_ref=f"L{lead_no:08d}",
                    received_at=received,
                    due_at=received + timedelta(hours=2),
                    first_contact_at=(
                        received + timedelta(minutes=rng.lognormvariate(3.3, 1.0))
                        if answered
                        else None
                    ),
                    status=LeadStatus.VISITED,
                    customer_id=customer,
                    owner_id=consultant,
                )
            visit_no += 1
            purpose = rng.choices(
                (VisitPurpose.BUY, VisitPurpose.TRADE_IN, VisitPurpose.SELL, VisitPurpose.OTHER),
                weights=(70, 10, 12, 8),
            )[0]
            lost = rng.random() < 0.12
            visit = add(
                Visit,
                store_id=store,
                visit_no=f"V{visit_no:09d}",
                customer_id=customer,
                purpose=purpose,
                source_channel=channel_of[customer],
                arrived_at=arrived,
                consultant_id=consultant,
                party_size=1,
                outcome=VisitOutcome.NO_INTEREST if lost else None,
                lost_reason=rng.choice(LOST) if lost else None,
            )
            if not lost and rng.random() < 0.04:  # a follow-up call that lost the deal
                due = arrived.astimezone(ZONE).date() + timedelta(days=2)
                add(
                    FollowUp,
                    customer_id=customer,
                    consultant_id=consultant,
                    due_on=due,
                    reason="visit",
                    visit_id=visit,
                    status=FollowUpStatus.DONE,
                    result="客户已决定不买",
                    done_at=_local(due, 16),
                    answered=True,
                    lost_reason=rng.choice(LOST),
                )
            if consultant is None or rng.random() > 0.18:
                continue
            car_id, listed, price = rng.choice(stock)
            drive_no += 1
            status = rng.choices(
                (TestDriveStatus.RETURNED, TestDriveStatus.CANCELLED), weights=(9, 1)
            )[0]
            went = status is TestDriveStatus.RETURNED
            add(
                TestDrive,
                store_id=store,
                booking_code=f"D{drive_no:09d}",
                vehicle_id=car_id,
                customer_id=customer,
                consultant_id=consultant,
                slot_start=arrived + timedelta(minutes=30),
                slot_end=arrived + timedelta(minutes=60),
                status=status,
                licence_number="110101199003074514" if went else None,
                licence_valid_until=date(2030, 1, 1) if went else None,
                agreement_document_id=agreements[store] if went else None,
                out_at=arrived + timedelta(minutes=30) if went else None,
                out_odometer_km=1000 if went else None,
                in_at=arrived + timedelta(minutes=55) if went else None,
                in_odometer_km=1012 if went else None,
            )
            if rng.random() > 0.3 or car_id in sold:
                continue
            deposit_no += 1
            add(
                Deposit,
                store_id=store,
                receipt_no=f"R{deposit_no:09d}",
                vehicle_id=car_id,
                customer_id=customer,
                amount=Decimal(5000),
                method=PaymentMethod.WECHAT,
                status=DepositStatus.REFUNDED,  # unless a contract takes it, below
                taken_by_id=consultant,
                taken_at=arrived + timedelta(hours=1),
                closed_at=arrived + timedelta(days=1),
                applied_contract_id=None,
            )
            deposit = rows[Deposit][-1]
            if rng.random() > 0.7:
                continue
            sold.add(car_id)
            contract_no += 1
            signed = arrived + timedelta(days=rng.randint(0, 3))
            contract = add(
                Contract,
                store_id=store,
                contract_no=f"H{contract_no:09d}",
                kind=ContractKind.SALE,
                status=ContractStatus.SIGNED,
                vehicle_id=car_id,
                customer_id=customer,
                consultant_id=consultant,
                price=Decimal(price - rng.choice((0, 0, 1000, 2000, 5000))),
                signed_at=signed,
                terms={},
            )
            # The deposit is credited to the price (the database wants its contract).
            deposit.update(
                status=DepositStatus.APPLIED, applied_contract_id=contract, closed_at=signed
            )
            for reason, offset in (
                ("contract_3d", 3),
                ("contract_1m", 30),
                ("contract_3m", 91),
                ("contract_6m", 182),
                ("contract_12m", 365),
            ):
                due = signed.astimezone(ZONE).date() + timedelta(days=offset)
                done = due < TODAY and rng.random() < 0.8
                add(
                    FollowUp,
                    customer_id=customer,
                    consultant_id=consultant,
                    due_on=due,
                    reason=reason,
                    contract_id=contract,
                    status=FollowUpStatus.DONE if done else FollowUpStatus.OPEN,
                    result="客户满意" if done else "",
                    done_at=_local(due, 15) if done else None,
                )
        # A monthly inspection day with 25 registrations.
        for month in range(12):
            event_day = YEAR_START + timedelta(days=15 + month * 30)
            event = add(
                InspectionEvent,
                store_id=store,
                title=f"{event_day.month}月透明检测日",
                event_date=event_day,
                starts_at=_local(event_day, 9),
                ends_at=_local(event_day, 17),
                seats=25,  # the database refuses a seat number above the event's seats
            )
            for seat in range(1, 26):
                add(
                    Registration,
                    event_id=event,
                    customer_id=rng.choice(customers[store]),
                    booking_code=f"E{s}{month:02d}{seat:02d}",
                    status=rng.choice(
                        (
                            RegistrationStatus.INSPECTED,
                            RegistrationStatus.CHECKED_IN,
                            RegistrationStatus.NO_SHOW,
                        )
                    ),
                    seat_no=seat,
                    plate=f"京B{s}{month:02d}{seat:02d}",
                )
    for row in rows[Vehicle]:
        if row["id"] in sold:
            row["status"] = VehicleStatus.SOLD
    order = (Store, Staff, Customer, Vehicle, Media, Document, TestDrive, Visit, Contract)
    order += (Deposit, FollowUp, Lead)
    order += (InspectionEvent, Registration, DashboardTarget, ConsultantTarget)
    with database.engine.begin() as conn:
        for model in order:
            # One executemany needs the same keys in every row: absent ones are NULL.
            keys = {key for row in rows.get(model, []) for key in row}
            for row in rows.get(model, []):
                for key in keys - row.keys():
                    row[key] = None
            for chunk in _chunks(rows.get(model, [])):
                conn.execute(insert(model.__table__), chunk)
    return {model.__tablename__: len(rows.get(model, [])) for model in order}


def time_dashboard(database: Database, repeat: int = 3) -> None:
    with database.read() as session:
        one_store = [session.scalars(select(Store.id).order_by(Store.code)).first()]
    views = (
        ("whole year, all 10 stores", None, YEAR_START, TODAY),
        ("last 30 days, one store", one_store, TODAY - timedelta(days=29), TODAY),
        ("today, all stores", None, TODAY, TODAY),
    )
    for label, store_ids, start, end in views:
        times: list[float] = []
        cpu: list[float] = []
        for _ in range(repeat):
            started, cpu_started = time.perf_counter(), time.process_time()
            with database.read() as session:
                result = reports.compute_dashboard(
                    session, store_ids, start, end, today=TODAY, now=NOW
                )
                # As the screen does it: the targets and their verdicts in the same read.
                targets.evaluate(result, targets.list_targets(session, store_ids))
                targets.evaluate_consultants(
                    result, targets.list_consultant_targets(session, store_ids)
                )
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
        # CPU: this process's own (SQLite works in it); wall includes waiting for others.
        print(
            f"    {label:<28} first {times[0]:5.2f} s, best {min(times):5.2f} s"
            f" (cpu here {min(cpu):4.2f} s)  ({result.visits:,} visits, {result.deals:,} deals,"
            f" {result.lead_response.received:,} leads,"
            f" {sum(r.total for r in result.lost_reasons):,} lost)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--visits", type=int, default=500_000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the cached SQLite file")
    args = parser.parse_args()
    print(f"dashboard over one year of {STORES} stores, {args.visits:,} visits (target: < 2 s)")

    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"dashboard2_{args.visits}.db"  # 2: with leads and lost reasons
    if args.rebuild and path.exists():
        path.unlink()
    fresh = not path.exists()
    database = Database.from_url(f"sqlite:///{path}")
    schema.upgrade(database)
    if fresh:
        started = time.perf_counter()
        counts = generate(database, args.visits)
        print(f"  generated in {time.perf_counter() - started:.1f} s: {counts}")
    print("  sqlite")
    time_dashboard(database)
    database.dispose()

    if args.pg == "none":
        return
    name = f"showroom_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(args.pg).set(database=name).render_as_string(hide_password=False)
        database = Database.from_url(url)
        schema.upgrade(database)
        started = time.perf_counter()
        generate(database, args.visits)
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        print(f"  postgresql (generated in {time.perf_counter() - started:.1f} s)")
        time_dashboard(database)
        database.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
