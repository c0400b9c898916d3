"""Inventory filtering over 100,000 cars on SQLite and PostgreSQL (loopback).

Usage: python -m benchmarks.inventory [--cars 100000] [--pg URL|none] [--rebuild] [--repeat 5]
       [--no-sqlite]

The stock is made with ``showroom.demo`` (realistic brands, prices, statuses);
the SQLite file is cached under ``benchmarks/.cache`` so later runs only time the
queries. PostgreSQL gets a throw-away database (dropped afterwards).

Timed: one "filter change" is what the inventory screen asks when the user types
or picks a filter: the first page (200 rows, sorted) and the number of matches,
each in its own read session as the UI's two tasks do. The cases are a customer's
typing ("丰", "丰田", "丰田 凯"), a plate and a stock number, and each filter of
the filter bar alone and combined, with sorting. Prints the median and the worst
case per backend and the page/count split. Target: median under 50 ms on SQLite,
under 100 ms on PostgreSQL. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from db import schema
from db.engine import Database
from db.models import Transmission, Vehicle, VehicleStatus
from showroom import demo
from showroom.services.vehicles import (
    VehicleFilter,
    count_vehicles,
    filter_options,
    list_vehicles,
)

CACHE = Path(__file__).resolve().parent / ".cache"
PAGE = 200


def _cases(database: Database) -> list[tuple[str, VehicleFilter, str, bool]]:
    with database.read() as session:
        stock_no, plate, brand, model = session.execute(
            select(Vehicle.stock_no, Vehicle.plate, Vehicle.brand, Vehicle.model)
            .where(Vehicle.plate.is_not(None))
            .order_by(Vehicle.stock_no)
            .offset(4321)
            .limit(1)
        ).one()
        options = filter_options(session)
    body = options.body_types[0] if options.body_types else "SUV"
    colour = options.colours[0] if options.colours else "白色"
    wan = Decimal(10_000)
    return [
        ("all, by stock no", VehicleFilter(), "stock_no", False),
        ("typing 1 char", VehicleFilter(text=brand[:1]), "stock_no", False),
        ("typing brand", VehicleFilter(text=brand), "stock_no", False),
        ("typing brand + model", VehicleFilter(text=f"{brand} {model[:1]}"), "stock_no", False),
        ("plate", VehicleFilter(text=plate[-4:]), "stock_no", False),
        ("stock no", VehicleFilter(text=stock_no[-6:]), "stock_no", False),
        ("brand", VehicleFilter(brand=brand), "stock_no", False),
        ("brand + model", VehicleFilter(brand=brand, model=model), "price", False),
        ("price 10-20万", VehicleFilter(min_price=10 * wan, max_price=20 * wan), "price", False),
        ("year >= 2021", VehicleFilter(min_year=2021), "year", True),
        ("mileage <= 3万km", VehicleFilter(max_mileage_km=30_000), "mileage", False),
        ("body type", VehicleFilter(body_type=body), "stock_no", False),
        ("energy 纯电", VehicleFilter(energy_group="ev"), "price", False),
        ("manual", VehicleFilter(transmission=Transmission.MANUAL), "stock_no", False),
        ("colour", VehicleFilter(colour=colour), "stock_no", False),
        ("status on sale", VehicleFilter(status=VehicleStatus.ON_SALE), "price", True),
        (
            "combined",
            VehicleFilter(
                brand=brand,
                status=VehicleStatus.ON_SALE,
                min_price=5 * wan,
                max_price=30 * wan,
                max_mileage_km=100_000,
            ),
            "mileage",
            False,
        ),
        ("sort by price desc", VehicleFilter(), "price", True),
        ("kiosk (customer-visible)", VehicleFilter(customer_visible_only=True), "year", True),
    ]


def _timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def measure(database: Database, repeat: int) -> None:
    cases = _cases(database)
    totals: list[float] = []
    pages: list[float] = []
    counts: list[float] = []
    worst: tuple[float, str] = (0.0, "")

    def page(flt: VehicleFilter, sort: str, desc: bool) -> None:
        with database.read() as session:
            list_vehicles(session, flt, limit=PAGE, sort=sort, descending=desc)

    def count(flt: VehicleFilter) -> None:
        with database.read() as session:
            count_vehicles(session, flt)

    for name, flt, sort, desc in cases:
        page(flt, sort, desc)  # warm the cache: the screen has run queries before
        case_totals = []
        for _ in range(repeat):
            p = _timed(lambda flt=flt, sort=sort, desc=desc: page(flt, sort, desc))
            c = _timed(lambda flt=flt: count(flt))
            pages.append(p)
            counts.append(c)
            case_totals.append(p + c)
        median = statistics.median(case_totals)
        totals.extend(case_totals)
        worst = max(worst, (median, name))
        print(f"    {name:<26} {median:7.1f} ms")
    print(
        f"  median filter change {statistics.median(totals):.1f} ms "
        f"(first page {statistics.median(pages):.1f} ms, "
        f"count {statistics.median(counts):.1f} ms); "
        f"slowest case {worst[1]} {worst[0]:.1f} ms"
    )


def _fill(database: Database, cars: int) -> None:
    schema.upgrade(database)
    started = time.perf_counter()
    demo.generate(database, cars=cars)
    print(f"  generated {cars} cars in {time.perf_counter() - started:.0f} s")


def sqlite(cars: int, rebuild: bool, repeat: int) -> None:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"inventory-{cars}.db"
    if rebuild and path.exists():
        path.unlink()
    fresh = not path.exists()
    database = Database.from_url(f"sqlite:///{path}")
    if fresh:
        _fill(database, cars)
    else:
        schema.upgrade(database)  # indexes of newer migrations
    print(f"SQLite ({cars} cars, {path.name}):")
    measure(database, repeat)
    database.dispose()


def postgres(url: str, cars: int, repeat: int) -> None:
    name = f"showroom_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        target = make_url(url).set(database=name).render_as_string(hide_password=False)
        database = Database.from_url(target)
        _fill(database, cars)
        # What autovacuum does on a live server soon after a bulk load: statistics and the
        # visibility map (which lets counts read the covering index alone).
        vacuum = create_engine(target, isolation_level="AUTOCOMMIT")
        with vacuum.connect() as conn:
            conn.execute(text("VACUUM ANALYZE vehicles"))
        vacuum.dispose()
        print(f"PostgreSQL ({cars} cars, loopback):")
        measure(database, repeat)
        database.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cars", type=int, default=100_000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    print("inventory filter change: first page + count (targets: SQLite < 50 ms, PG < 100 ms)")
    if not args.no_sqlite:
        sqlite(args.cars, args.rebuild, args.repeat)
    if args.pg != "none":
        postgres(args.pg, args.cars, args.repeat)


if __name__ == "__main__":
    main()
