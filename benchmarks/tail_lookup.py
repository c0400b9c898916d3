"""尾号 at the desk: tail-number look-up latency over 200,000 customers (and 2,000 open leads).

Usage: python benchmarks/tail_lookup.py [--customers 200000] [--backend sqlite|postgresql|both]
       [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Fills a fresh database like ``checkin.py`` (same generator), adds open leads, then
times ``reception.find`` (what the desk runs while typing) for 100 random
customers' last 4, 5 and 6 digits, each in its own read session as each UI task
opens one. Also prints how many customers a 4-digit tail matches on average, and
the plan the database chose for the tail query (it must name ``ix_customers_phone_tail``).
Prints figures; asserts nothing.
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

from sqlalchemy import create_engine, event, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from benchmarks.checkin import fill, ms  # noqa: E402
from db import schema  # noqa: E402
from db.engine import Database  # noqa: E402
from db.models import Lead, LeadStatus, SourceChannel, Title  # noqa: E402
from showroom.services import reception  # noqa: E402

LEADS = 2_000


def add_leads(database: Database, store_id: uuid.UUID, taken: set[str], rng: random.Random) -> None:
    now = utcnow()
    rows = []
    while len(rows) < LEADS:
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        if phone in taken:
            continue
        taken.add(phone)
        rows.append(
            {
                "id": uuid.uuid4(),
                "created_at": now,
                "updated_at": now,
                "row_version": 1,
                "store_id": store_id,
                "phone": phone,
                "name": "",
                "title": Title.NONE,
                "source_channel": SourceChannel.LISTING_PLATFORM,
                "platform": "懂车帝",
                "external_ref": "",
                "vehicle_text": "",
                "message": "",
                "received_at": now,
                "due_at": now + timedelta(hours=24),
                "status": LeadStatus.NEW,
                "closed_reason": "",
            }
        )
    with database.write() as session:
        session.execute(insert(Lead.__table__), rows)
    with database.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


def plan(database: Database) -> str:
    """The database's plan for the tail query the look-up sends."""
    seen: list[tuple[str, object]] = []

    def record(_c, _cur, statement, parameters, _ctx, _many):  # type: ignore[no-untyped-def]
        if "phone_tail" in statement and "FROM customers" in statement:
            seen.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        with database.read() as session:
            reception.find(session, "0186")
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    statement, parameters = seen[0]
    with database.engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        prefix = "EXPLAIN QUERY PLAN " if database.kind == "sqlite" else "EXPLAIN "
        cursor.execute(prefix + statement, parameters)
        return " / ".join(str(row[-1]).strip() for row in cursor.fetchall())


def measure(database: Database, count: int, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    started = time.perf_counter()
    store_id, numbers = fill(database, count, rng)
    add_leads(database, store_id, set(numbers), rng)
    filled = time.perf_counter() - started
    figures: dict[str, object] = {"fill_s": filled}
    sample = rng.sample(numbers, 100)
    for digits in (4, 5, 6):
        times, matches, unique = [], [], 0
        for phone in sample:
            t0 = time.perf_counter()
            with database.read() as session:
                found = reception.find(session, phone[-digits:])
            times.append(time.perf_counter() - t0)
            assert any(m.phone_masked.endswith(phone[-4:]) for m in found.matches)
            matches.append(len(found.matches) + (1 if found.more else 0))
            unique += found.unique is not None
        times.sort()
        figures[f"tail{digits}"] = (
            ms(statistics.median(times)),
            ms(times[94]),
            ms(times[-1]),
            statistics.mean(matches),
            unique,
        )
    figures["plan"] = plan(database)
    return figures


def run_sqlite(count: int, seed: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        database = Database.from_url(f"sqlite:///{Path(folder) / 'bench.db'}")
        schema.upgrade(database)
        try:
            return measure(database, count, seed)
        finally:
            database.dispose()


def run_postgresql(admin_url: str, count: int, seed: int) -> dict[str, object]:
    name = f"showroom_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database = Database.from_url(make_url(admin_url).set(database=name))
    try:
        schema.upgrade(database)
        return measure(database, count, seed)
    finally:
        database.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    print(f"tail-number look-up, {args.customers:,} customers + {LEADS:,} open leads")
    for backend in backends:
        if backend == "sqlite":
            figures = run_sqlite(args.customers, args.seed)
        else:
            figures = run_postgresql(args.pg_url, args.customers, args.seed)
        print(f"{backend:>10}: filled in {figures['fill_s']:.1f} s")
        for digits in (4, 5, 6):
            median, p95, worst, mean_matches, unique = figures[f"tail{digits}"]  # type: ignore[misc]
            print(
                f"{'':>12}last {digits} digits: median {median:.2f} ms, p95 {p95:.2f} ms, "
                f"max {worst:.2f} ms; {mean_matches:.1f} matches on average "
                f"(prefix and tail, shown up to {reception.LOOKUP_LIMIT}); "
                f"unique (Enter checks in) {unique}/100"
            )
        print(f"{'':>12}plan: {figures['plan']}")


if __name__ == "__main__":
    main()
