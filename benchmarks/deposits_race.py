"""Deposits and contract numbers under contention: N desks at the same moment.

Usage: python -m benchmarks.deposits_race [--desks 20] [--rounds 3]
       [--backend sqlite|postgresql|both] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Each desk is a thread with its own ``Database`` (its own engine and
connection, as a separate PC has). All wait on a barrier, then:

- deposit race: every desk takes a deposit on the same car for a different
  customer; prints how many succeeded, how many were refused and with which
  message, and the receipt numbers stored;
- contract numbering: every desk drafts a contract on its own car, and every
  fifth desk's transaction fails after taking its number; prints the numbers
  stored, duplicates and gaps.

The PostgreSQL database is created for the run and dropped at the end. Prints
figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from db import schema  # noqa: E402
from db.engine import Database  # noqa: E402
from db.models import (  # noqa: E402
    Contract,
    Customer,
    Deposit,
    Energy,
    PaymentMethod,
    Role,
    Staff,
    Store,
    Transmission,
    Vehicle,
    VehicleStatus,
)
from showroom.errors import ConflictError, ShowroomError  # noqa: E402
from showroom.identifiers import id_check_digit  # noqa: E402
from showroom.services import audit  # noqa: E402
from showroom.services import contracts as ct  # noqa: E402
from showroom.services import deposits as dp  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BUYER_ID = "11010519900307123" + id_check_digit("11010519900307123")


def _car(store_id: uuid.UUID, stock_no: str) -> Vehicle:
    return Vehicle(
        store_id=store_id,
        stock_no=stock_no,
        brand="大众",
        model="朗逸",
        year=2021,
        mileage_km=30000,
        energy=Energy.PETROL,
        transmission=Transmission.AUTOMATIC,
        list_price=Decimal("86000"),
        status=VehicleStatus.ON_SALE,
    )


def _seed(
    database: Database, desks: int, tag: str
) -> tuple[uuid.UUID, list[uuid.UUID], list, list[audit.Actor]]:
    with database.write() as session:
        store = Store(code="BJ01", name="压测展厅") if tag == "0" else None
        if store is not None:
            session.add(store)
            session.flush()
            for n in range(desks):  # one consultant per desk, so a refusal can name them
                session.add(
                    Staff(
                        store_id=store.id,
                        username=f"desk{n:02d}",
                        display_name=f"顾问{n:02d}",
                        roles={Role.SALES},
                        password_hash="-",  # never signs in
                    )
                )
            session.flush()
        store_id = session.scalars(select(Store.id)).one()
        actors = [
            audit.Actor(staff.display_name, staff.id, store_id)
            for staff in session.scalars(select(Staff).order_by(Staff.username))
        ]
        race_car = _car(store_id, f"BJ01-S2026-R{tag}")
        cars = [_car(store_id, f"BJ01-S2026-C{tag}{n:03d}") for n in range(desks)]
        customers = [
            Customer(store_id=store_id, name=f"客户{tag}{n:02d}", phone=f"139{tag}{n:07d}"[:11])
            for n in range(desks)
        ]
        session.add_all([race_car, *cars, *customers])
        session.flush()
        return race_car.id, [c.id for c in customers], [c.id for c in cars], actors


def _race(url: str, desks: int, work: Callable[[Database, int], Any]) -> tuple[list[Any], float]:
    barrier = threading.Barrier(desks)
    results: list[Any] = [None] * desks
    started = [0.0]

    def run(i: int) -> None:
        database = Database.from_url(url)
        try:
            with database.read() as session:  # connect before the barrier
                session.execute(text("SELECT 1"))
            barrier.wait()
            if i == 0:
                started[0] = time.perf_counter()
            results[i] = work(database, i)
        except Exception as exc:  # noqa: BLE001 - outcomes are what we count
            results[i] = exc
        finally:
            database.dispose()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(desks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - started[0]


def run_backend(url: str, desks: int, rounds: int, label: str) -> None:
    database = Database.from_url(url)
    schema.upgrade(database)
    print(f"== {label}: {desks} desks at once, {rounds} rounds")
    seconds: list[float] = []
    for r in range(rounds):
        race_car, customers, cars, actors = _seed(database, desks, str(r))

        def deposit(
            db: Database,
            i: int,
            car: uuid.UUID = race_car,
            who: list = customers,
            actors: list = actors,
        ) -> Any:
            data = dp.DepositInput(car, who[i], "5000", PaymentMethod.CASH)
            with db.write() as session:
                return dp.take(session, actors[i], data, store_code="BJ01", zone=ZONE)

        results, elapsed = _race(url, desks, deposit)
        seconds.append(elapsed)
        wins = [x for x in results if isinstance(x, dp.TakenDeposit)]
        refusals = collections.Counter(x.code for x in results if isinstance(x, ConflictError))
        other = [repr(x) for x in results if not isinstance(x, dp.TakenDeposit | ConflictError)]
        with database.read() as session:
            stored = session.scalars(
                select(Deposit.receipt_no).where(Deposit.vehicle_id == race_car)
            ).all()
        sample = next((x.message for x in results if isinstance(x, ConflictError)), "")
        print(
            f"deposit race round {r + 1}: {len(wins)} success, {sum(refusals.values())} refused "
            f"{dict(refusals)}, other errors {len(other)}; stored receipts {list(stored)}; "
            f"{elapsed * 1000:.0f} ms"
        )
        if r == 0:
            print(f"  refusal shown: {sample}")
        for o in other[:3]:
            print(f"  unexpected: {o}")

        def draft(
            db: Database, i: int, cars: list = cars, who: list = customers, actors: list = actors
        ) -> Any:
            data = ct.ContractInput(cars[i], who[i], "85000", BUYER_ID)
            with db.write() as session:
                drafted = ct.draft(session, actors[i], data, store_code="BJ01", zone=ZONE)
                if i % 5 == 0:
                    raise ShowroomError("bench.rollback", "rolled back on purpose")
                return drafted

        results, elapsed = _race(url, desks, draft)
        made = sorted(x.contract_no for x in results if isinstance(x, ct.DraftedContract))
        with database.read() as session:
            all_numbers = sorted(session.scalars(select(Contract.contract_no)).all())
        serials = [int(n.rsplit("-", 1)[1]) for n in all_numbers]
        duplicates = len(serials) - len(set(serials))
        gaps = sorted(set(range(1, max(serials) + 1)) - set(serials)) if serials else []
        print(
            f"contract numbering round {r + 1}: {len(made)} drafted, "
            f"{sum(isinstance(x, ShowroomError) for x in results)} rolled back; "
            f"numbers so far {all_numbers[0] if all_numbers else '-'} .. "
            f"{all_numbers[-1] if all_numbers else '-'} ({len(all_numbers)}), "
            f"duplicates {duplicates}, gaps {gaps}; {elapsed * 1000:.0f} ms"
        )
    print(f"deposit race median {statistics.median(seconds) * 1000:.0f} ms for {desks} desks")
    database.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--desks", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default=PG_URL)
    args = parser.parse_args(argv)
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            run_backend(f"sqlite:///{folder}/race.db", args.desks, args.rounds, "SQLite")
    if args.backend in ("postgresql", "both"):
        name = f"showroom_race_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(args.pg_url).set(database=name).render_as_string(hide_password=False)
            run_backend(url, args.desks, args.rounds, "PostgreSQL")
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
