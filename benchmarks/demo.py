"""Demo data generation speed: ``generate(cars=N)`` on a fresh SQLite file and PostgreSQL.

Usage: python benchmarks/demo.py [--cars 100000] [--pg URL]

PostgreSQL: a throw-away database is created on the server at ``--pg`` (default
the local test server) and dropped afterwards; pass ``--pg none`` to skip it.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db import schema
from db.engine import Database
from showroom import demo


def run(url: str, cars: int) -> float:
    database = Database.from_url(url)
    schema.upgrade(database)
    started = time.perf_counter()
    summary = demo.generate(database, cars=cars)
    elapsed = time.perf_counter() - started
    database.dispose()
    print(
        f"  {make_url(url).get_backend_name():<10} {summary.cars:>7} cars, "
        f"{summary.customers} customers: {elapsed:6.1f} s"
    )
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cars", type=int, default=100_000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print(f"showroom demo --cars {args.cars} (target: under 60 s)")
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'demo.db'}", args.cars)
    if args.pg != "none":
        name = f"showroom_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            run(
                make_url(args.pg).set(database=name).render_as_string(hide_password=False),
                args.cars,
            )
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
