"""The local read cache: filling it from the shared PostgreSQL, its size, keeping it fresh.

Usage: python -m benchmarks.read_cache [--cars 100000] [--changes 100]
       [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

A throw-away PostgreSQL database (dropped afterwards) gets a demo store with
``--cars`` cars (``showroom.demo``: photos, price items, history, staff, events,
visits). Timed: the first fill of the replica file (schema migration included),
its size on disk, an incremental refresh after another PC changed ``--changes``
cars' prices, and the first inventory page + count read from the file (what the
desk sees offline). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from db import schema
from db.engine import Database
from db.models import Vehicle
from db.sync.replica import TABLES, ReadReplica, _table
from showroom import demo
from showroom.services.vehicles import count_vehicles, list_vehicles


def _counts(database: Database) -> dict[str, int]:
    with database.engine.connect() as conn:
        return {
            name: int(conn.scalar(select(func.count()).select_from(_table(name))) or 0)
            for name in TABLES
        }


def run(url: str, cars: int, changes: int) -> None:
    name = f"showroom_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        target = make_url(url).set(database=name).render_as_string(hide_password=False)
        source = Database.from_url(target)
        schema.upgrade(source)
        started = time.perf_counter()
        demo.generate(source, cars=cars)
        print(f"demo store with {cars} cars generated in {time.perf_counter() - started:.0f} s")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "read_cache.sqlite3"
            replica = ReadReplica(path)
            started = time.perf_counter()
            copied = replica.fill(source)
            fill_s = time.perf_counter() - started
            replica.dispose()  # checkpoint the WAL so the size is the file's
            size = path.stat().st_size + sum(
                p.stat().st_size for p in path.parent.glob(path.name + "-*")
            )
            print(f"fill: {copied} rows in {fill_s:.1f} s; file {size / 1_048_576:.1f} MiB")
            counts = _counts(replica.database)
            print("  rows: " + ", ".join(f"{k} {v}" for k, v in counts.items() if v))

            with source.write() as session:  # another PC reprices some cars
                ids = list(session.scalars(select(Vehicle.id).limit(changes)))
                for vid in ids:
                    car = session.get_one(Vehicle, vid)
                    car.list_price = car.list_price - Decimal(100)
            started = time.perf_counter()
            pulled = replica.refresh(source)
            print(
                f"refresh after {changes} changed cars: {pulled} rows in "
                f"{(time.perf_counter() - started) * 1000:.0f} ms"
            )
            started = time.perf_counter()
            with replica.database.read() as session:
                page = list_vehicles(session, limit=200)
                total = count_vehicles(session)
            print(
                f"offline inventory from the cache: first page ({len(page)}) + count ({total}) "
                f"in {(time.perf_counter() - started) * 1000:.0f} ms"
            )
            replica.dispose()
        source.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cars", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    run(args.pg, args.cars, args.changes)


if __name__ == "__main__":
    main()
