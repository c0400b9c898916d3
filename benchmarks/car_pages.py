"""``showroom web`` over 100,000 cars on PostgreSQL: car page and stock list response times.

Usage: python -m benchmarks.car_pages [--cars 100000] [--pg URL] [--pages 300] [--lists 20]

A throw-away PostgreSQL database is filled by ``showroom.demo`` (then VACUUM ANALYZE, as
autovacuum would soon do), and the real server runs on loopback: waitress, the Flask app,
the read-only connection (``default_transaction_read_only``). Requests go one after another
over a kept-alive HTTP connection, as one phone would; each figure is the whole response
(HTML read to the end). Timed:

- car pages: ``--pages`` random public cars (photos, price lines, history, inspection,
  loan figures, store): target p95 under 50 ms;
- stock list: the first page, each kiosk filter (brand, price band, energy, body, sort),
  and a deep page, ``--lists`` rounds each: target p95 under 100 ms.

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import random
import statistics
import threading
import time
import uuid
from urllib.parse import quote, urlencode

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from db import schema
from db.engine import Database
from db.models import Vehicle
from showroom import demo
from showroom.services.vehicles import CUSTOMER_VISIBLE_STATUSES
from showroom.settings import Settings
from showroom.web.app import WebConfig, create_app
from showroom.web.server import read_only_database


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _report(name: str, times: list[float], target: float) -> None:
    print(
        f"  {name:<28} n={len(times):<4} median {statistics.median(times):6.1f} ms  "
        f"p95 {_percentile(times, 0.95):6.1f} ms  max {max(times):6.1f} ms  "
        f"(target p95 < {target:.0f} ms)"
    )


def _get(conn: http.client.HTTPConnection, path: str) -> float:
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200 or not body:
        raise RuntimeError(f"{path}: HTTP {response.status}")
    return elapsed


def measure(url: str, pages: int, lists: int) -> None:
    from waitress import create_server

    reader = read_only_database(url)
    writer = Database.from_url(url)
    settings = Settings(None, {"store_code": "BJ01"})
    app = create_app(WebConfig(reader, writer, settings))
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    try:
        with writer.read() as session:
            stock = list(
                session.scalars(
                    select(Vehicle.stock_no).where(
                        Vehicle.deleted_at.is_(None), Vehicle.status.in_(CUSTOMER_VISIBLE_STATUSES)
                    )
                )
            )
            brand = session.scalar(
                select(Vehicle.brand)
                .group_by(Vehicle.brand)
                .order_by(text("count(*) desc"))
                .limit(1)
            )
        conn = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=30)
        rng = random.Random(25)
        _get(conn, "/")  # warm: filter choices and store details are then cached (60 s)
        for number in rng.sample(stock, 20):
            _get(conn, f"/cars/{quote(number)}")
        car_times = [_get(conn, f"/cars/{quote(n)}") for n in rng.sample(stock, pages)]
        cases = {
            "first page": {},
            "brand": {"brand": brand},
            "price 10-15万": {"price": "3"},
            "energy 纯电": {"energy": "ev"},
            "body SUV": {"body": "SUV"},
            "sort price": {"sort": "price"},
            "sort mileage": {"sort": "mileage"},
            "combined": {"brand": brand, "price": "3", "sort": "price"},
            "page 50": {"page": "50"},
        }
        list_times: list[float] = []
        print(f"PostgreSQL, {len(stock)} public cars:")
        for name, query in cases.items():
            path = "/?" + urlencode(query) if query else "/"
            times = [_get(conn, path) for _ in range(lists)]
            list_times += times
            print(f"    list {name:<22} median {statistics.median(times):6.1f} ms")
        _report("car page", car_times, 50)
        _report("stock list (all cases)", list_times, 100)
        conn.close()
        time.sleep(0.2)  # let waitress finish the last request before it is closed
    finally:
        server.close()
        reader.dispose()
        writer.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cars", type=int, default=100_000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--lists", type=int, default=20)
    parser.add_argument(
        "--keep",
        metavar="NAME",
        help="use (or make and keep) this database instead of a throw-away one",
    )
    args = parser.parse_args()
    name = args.keep or f"showroom_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        fresh = exists.scalar() is None
        if fresh:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        target = make_url(args.pg).set(database=name).render_as_string(hide_password=False)
        if fresh:
            database = Database.from_url(target)
            schema.upgrade(database)
            started = time.perf_counter()
            demo.generate(database, cars=args.cars)
            database.dispose()
            print(f"generated {args.cars} cars in {time.perf_counter() - started:.0f} s")
            vacuum = create_engine(target, isolation_level="AUTOCOMMIT")
            with vacuum.connect() as conn:
                conn.execute(text("VACUUM ANALYZE"))
            vacuum.dispose()
        measure(target, args.pages, args.lists)
    finally:
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
