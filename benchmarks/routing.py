"""Routing on a busy day: the roster, rotation and the fair queue as the desk uses them.

Usage: python benchmarks/routing.py [--backend sqlite|postgresql|both] [--consultants 40]
       [--visits 400] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

One store with ``--consultants`` consultants (a tenth on leave today, the rest on a
six-day week) and ``--visits`` visits already on today's board, many of them waiting
unassigned. Then, each in its own transaction as the desk runs it:

- ``roster.on_duty`` (who is on duty today, sales only);
- ``reception.list_consultants`` (the desk's and the board's list, busy and waiting counts);
- ``reception.check_in`` of a walk-in (offer the queue, route, number the visit);
- ``reception.check_out`` of a served visitor (the freed consultant takes the head of the queue).

Median and 95th percentile in milliseconds over 40 runs each. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from showroom.clock import utcnow

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from db import schema  # noqa: E402
from db.engine import Database  # noqa: E402
from db.models import (  # noqa: E402
    Customer,
    IntentGrade,
    Role,
    RosterDay,
    RosterStatus,
    SourceChannel,
    Staff,
    Store,
    Title,
    Visit,
    VisitOutcome,
    VisitPurpose,
    VisitStatus,
)
from showroom.services import audit, auth, reception, roster  # noqa: E402

RUNS = 40
NOW = utcnow().replace(microsecond=0)


def fill(database: Database, consultants: int, visits: int) -> tuple[uuid.UUID, uuid.UUID]:
    rng = random.Random(7)
    store_id = uuid.uuid4()
    with database.write() as session:
        session.add(Store(id=store_id, code="BM01", name="基准测试店", phone="010-1"))
        session.flush()
        boss = Staff(
            store_id=store_id,
            username="boss",
            display_name="店长",
            roles={Role.MANAGER},
            password_hash="x",
        )
        session.add(boss)
        ids = []
        for n in range(consultants):
            off = n % 7
            person = Staff(
                store_id=store_id,
                username=f"sales{n}",
                display_name=f"顾问{n:02d}",
                roles={Role.SALES} if n % 5 else {Role.SALES, Role.APPRAISER},
                weekly_pattern="".join("0" if d == off else "1" for d in range(7)),
                password_hash="x",
            )
            session.add(person)
            session.flush()
            ids.append(person.id)
            if n % 10 == 0:
                session.add(
                    RosterDay(
                        staff_id=person.id,
                        day=roster.store_day(session, store_id, NOW),
                        status=RosterStatus.LEAVE,
                    )
                )
        # Today's visits, spread over the part of the store's day that has passed.
        start, _end = reception.day_bounds(reception.local_day(NOW))
        step = max(1.0, (NOW - start).total_seconds() / (visits + 1))
        for n in range(visits):
            customer = Customer(
                store_id=store_id,
                name="王",
                title=Title.MS,
                phone=f"139{n:08d}",
                source_channel=SourceChannel.WALK_IN,
            )
            session.add(customer)
            session.flush()
            status = rng.choice(
                (
                    VisitStatus.LEFT,
                    VisitStatus.LEFT,
                    VisitStatus.WITH_CONSULTANT,
                    VisitStatus.WAITING,
                )
            )
            session.add(
                Visit(
                    store_id=store_id,
                    visit_no=f"BM01-V-{n:05d}",
                    customer_id=customer.id,
                    purpose=VisitPurpose.BUY,
                    source_channel=SourceChannel.WALK_IN,
                    status=status,
                    consultant_id=None if status is VisitStatus.WAITING else rng.choice(ids),
                    arrived_at=start + timedelta(seconds=step * n),
                )
            )
        session.flush()
        return store_id, boss.id


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def report(name: str, samples: list[float]) -> None:
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"  {name:<28} median {statistics.median(samples):6.1f} ms   p95 {p95:6.1f} ms")


def run(database: Database, label: str, consultants: int, visits: int) -> None:
    store_id, boss_id = fill(database, consultants, visits)
    with database.read() as s:
        boss = auth.user_of(s, boss_id)
        waiting = sum(
            1
            for r in reception.board(s, store_id)
            if r.status is VisitStatus.WAITING and r.consultant_id is None
        )
    print(f"{label}: {consultants} consultants, {visits} visits today, {waiting} queued")

    def on_duty() -> None:
        with database.read() as s:
            roster.on_duty(s, store_id, role=Role.SALES, now=NOW)

    def consultants_list() -> None:
        with database.read() as s:
            reception.list_consultants(s, store_id, now=NOW)

    counter = iter(range(10_000))

    def walk_in() -> None:
        n = next(counter)
        with database.write() as s:
            customer = Customer(
                store_id=store_id,
                name="李",
                title=Title.MR,
                phone=f"137{n:08d}",
                source_channel=SourceChannel.WALK_IN,
            )
            s.add(customer)
            s.flush()
            reception.check_in(s, audit.SYSTEM, store_id, customer_id=customer.id, now=NOW)

    def leave() -> None:
        with database.read() as s:
            served = next(
                r.id
                for r in reception.board(s, store_id)
                if r.status is VisitStatus.WITH_CONSULTANT
            )
        with database.write() as s:
            reception.check_out(s, boss, served, VisitOutcome.FOLLOW_UP, IntentGrade.C, now=NOW)

    for name, fn in (
        ("roster.on_duty", on_duty),
        ("list_consultants", consultants_list),
        ("check_in (route + queue)", walk_in),
        ("check_out (offer queue)", leave),
    ):
        report(name, [timed(fn) for _ in range(RUNS)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--consultants", type=int, default=40)
    parser.add_argument("--visits", type=int, default=400)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            database = Database.from_url(f"sqlite:///{Path(folder) / 'bench.db'}")
            schema.upgrade(database)
            run(database, "SQLite", args.consultants, args.visits)
            database.dispose()
    if args.backend in ("postgresql", "both"):
        name = f"bench_routing_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(args.pg_url).set(database=name).render_as_string(hide_password=False)
        database = Database.from_url(url)
        try:
            schema.upgrade(database)
            run(database, "PostgreSQL", args.consultants, args.visits)
        finally:
            database.dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
