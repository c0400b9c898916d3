"""Check-in: look-up-as-you-type latency with 200,000 customers, and Enter-to-board time.

Usage: python benchmarks/checkin.py [--customers 200000] [--backend sqlite|postgresql|both]
       [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

For each backend a fresh database is migrated and filled with generated
customers by Core bulk inserts (a few seconds). Then:

- look-up: for 60 customers, every prefix of their number from 3 to 11 digits is
  looked up as the desk does while typing (``reception.lookup``, each in its own
  read session, as each UI task opens one); median and 95th percentile;
- Enter to board: ``reception.check_in`` in a write transaction, then
  ``reception.board`` until the new visit is in it; median over 30 check-ins.

The PostgreSQL database is created for the run and dropped at the end. Prints
figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from showroom.clock import utcnow

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from db import schema  # noqa: E402
from db.engine import Database  # noqa: E402
from db.models import Customer, Role, SourceChannel, Staff, Store, Title  # noqa: E402
from showroom.services import audit, reception  # noqa: E402

BATCH = 10_000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def fill(database: Database, count: int, rng: random.Random) -> tuple[uuid.UUID, list[str]]:
    """One store, four consultants, ``count`` customers; returns the store and all numbers."""
    store_id = uuid.uuid4()
    now = utcnow()
    with database.write() as session:
        session.add(Store(id=store_id, code="BM01", name="基准测试店"))
        session.flush()
        for n in range(4):
            session.add(
                Staff(
                    store_id=store_id,
                    username=f"bench{n}",
                    display_name=f"顾问{n + 1}",
                    roles={Role.SALES},
                    password_hash="x",
                )
            )
    phones: set[str] = set()
    while len(phones) < count:
        phones.add(f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}")
    numbers = sorted(phones)
    rng.shuffle(numbers)
    table = Customer.__table__
    titles = (Title.MR, Title.MS)
    for start in range(0, count, BATCH):
        rows = [
            {
                "id": uuid.uuid4(),
                "created_at": now,
                "updated_at": now,
                "row_version": 1,
                "store_id": store_id,
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                "title": rng.choice(titles),
                "phone": phone,
                "source_channel": SourceChannel.WALK_IN,
                "intended_use": "",
                "preferred_models": "",
                "decision_cycle": "",
                "notes": "",
            }
            for phone in numbers[start : start + BATCH]
        ]
        with database.write() as session:
            session.execute(insert(table), rows)
    if database.kind == "postgresql":
        with database.engine.begin() as conn:
            conn.execute(text("ANALYZE customers"))
    else:
        with database.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return store_id, numbers


def ms(seconds: float) -> float:
    return seconds * 1000


def measure(database: Database, count: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    started = time.perf_counter()
    store_id, numbers = fill(database, count, rng)
    filled = time.perf_counter() - started
    lookups: list[float] = []
    for phone in rng.sample(numbers, 60):
        for length in range(reception.MIN_LOOKUP_DIGITS, 12):
            t0 = time.perf_counter()
            with database.read() as session:
                found = reception.lookup(session, phone[:length])
            lookups.append(time.perf_counter() - t0)
            assert found, phone[:length]
    enter_to_board: list[float] = []
    for phone in rng.sample(numbers, 30):
        with database.read() as session:
            match = reception.find_by_phone(session, phone)
        assert match is not None
        t0 = time.perf_counter()
        with database.write() as session:
            result = reception.check_in(
                session, audit.Actor("基准"), store_id, customer_id=match.id
            )
        while True:
            with database.read() as session:
                rows = reception.board(session, store_id)
            if any(row.id == result.visit_id for row in rows):
                break
        enter_to_board.append(time.perf_counter() - t0)
    lookups.sort()
    return {
        "fill_s": filled,
        "lookup_median_ms": ms(statistics.median(lookups)),
        "lookup_p95_ms": ms(lookups[int(len(lookups) * 0.95)]),
        "lookup_max_ms": ms(lookups[-1]),
        "lookups": len(lookups),
        "enter_to_board_median_ms": ms(statistics.median(enter_to_board)),
        "enter_to_board_max_ms": ms(max(enter_to_board)),
    }


def run_sqlite(count: int, seed: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        database = Database.from_url(f"sqlite:///{Path(folder) / 'bench.db'}")
        schema.upgrade(database)
        try:
            return measure(database, count, seed)
        finally:
            database.dispose()


def run_postgresql(admin_url: str, count: int, seed: int) -> dict[str, float]:
    name = f"showroom_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name)
    database = Database.from_url(url)
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
    print(f"check-in benchmark, {args.customers:,} customers")
    for backend in backends:
        if backend == "sqlite":
            figures = run_sqlite(args.customers, args.seed)
        else:
            figures = run_postgresql(args.pg_url, args.customers, args.seed)
        print(
            f"{backend:>10}: filled in {figures['fill_s']:.1f} s; "
            f"look-up as you type ({figures['lookups']:.0f} look-ups, 3-11 digits): "
            f"median {figures['lookup_median_ms']:.2f} ms, "
            f"p95 {figures['lookup_p95_ms']:.2f} ms, max {figures['lookup_max_ms']:.2f} ms "
            f"(target median < 20 ms); "
            f"Enter to board: median {figures['enter_to_board_median_ms']:.1f} ms, "
            f"max {figures['enter_to_board_max_ms']:.1f} ms"
        )


if __name__ == "__main__":
    main()
