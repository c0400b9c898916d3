"""Inspection-day seats: N simultaneous registrations for S seats, each on its own connection.

Usage: python -m benchmarks.inspection_seats [--registrations 40] [--seats 20]
       [--backend sqlite|postgresql|both] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Every registration runs in its own thread with its own ``Database`` (engine and
connection); a barrier releases them together. Prints how many were seated and
wait-listed, whether the seat numbers and wait-list places are exactly 1..n,
and the wall time. The PostgreSQL database is created for the run and dropped.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import uuid
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

from showroom.clock import utcnow

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.exc import DBAPIError  # noqa: E402

from db import schema  # noqa: E402
from db.engine import Database  # noqa: E402
from db.models import Store  # noqa: E402
from showroom.errors import ShowroomError  # noqa: E402
from showroom.services import audit  # noqa: E402
from showroom.services import inspection_day as idays  # noqa: E402

ACTOR = audit.Actor("benchmark")


def run(url: str, registrations: int, seats: int) -> str:
    setup = Database.from_url(url)
    schema.upgrade(setup)
    now = utcnow()
    with setup.write() as session:
        store = Store(code="BM01", name="基准门店")
        session.add(store)
        session.flush()
        store_id = store.id
        (event_id,) = idays.create_events(
            session,
            ACTOR,
            store_id,
            idays.EventForm(
                "基准检测日",
                (now + timedelta(days=7)).date(),
                clock_time(9),
                clock_time(17),
                2,
                seats,
            ),
            now=now,
        )
    barrier = threading.Barrier(registrations)
    outcomes: list[object] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        db = Database.from_url(url)
        try:
            barrier.wait()
            with db.write() as session:
                result: object = idays.register_by_phone(
                    session,
                    ACTOR,
                    store_id,
                    event_id=event_id,
                    phone=f"139{n:08d}",
                    name=f"基准{n}",
                    consent=True,
                    car=idays.CarForm(plate=f"沪B{n:05d}"),
                    now=now,
                )
        except (ShowroomError, DBAPIError) as exc:  # a lost registration is what we count
            result = exc
        finally:
            db.dispose()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(registrations)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    elapsed = time.perf_counter() - started
    with setup.read() as session:
        rows = idays.registrations(session, event_id)
    setup.dispose()
    seated = sorted(r.seat_no for r in rows if r.seat_no is not None)
    waiting = sorted(r.waitlist_position for r in rows if r.waitlist_position is not None)
    errors = [o for o in outcomes if not isinstance(o, idays.RegistrationResult)]
    exact = seated == list(range(1, min(seats, registrations) + 1)) and waiting == list(
        range(1, max(0, registrations - seats) + 1)
    )
    return (
        f"{make_url(url).get_backend_name()}: {registrations} simultaneous registrations for "
        f"{seats} seats -> {len(seated)} seated, {len(waiting)} wait-listed, "
        f"{len(errors)} errors, {len(rows)} stored; seats and places exact: "
        f"{'yes' if exact else 'NO'}; {elapsed:.2f} s wall, "
        f"{elapsed / registrations * 1000:.0f} ms per registration"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=40)
    parser.add_argument("--seats", type=int, default=20)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            print(run(f"sqlite:///{tmp}/seats.db", args.registrations, args.seats))
    if args.backend in ("postgresql", "both"):
        base = make_url(args.pg_url)
        name = f"seats_{uuid.uuid4().hex[:8]}"
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            print(
                run(base.set(database=name).render_as_string(False), args.registrations, args.seats)
            )
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
