"""A Saturday at the front desk: three desks and a kiosk checking in at once on PostgreSQL.

Usage: python -m benchmarks.load [--seconds 60] [--desks 3] [--kiosks 1]
       [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--no-cache]

Each PC is a process of its own with its own ``Database``, as in the store: the
desks run the app's sync service (feed watcher listening, read cache kept fresh
unless ``--no-cache``) and check visitors in through ``SyncService.submit`` (the
path of 到店签到 and of F2 new customer): about two in five are new customers,
the others customers on file found by their number. The kiosk checks customers
in by their own number (``self_check_in.check_in_by_phone``) through ``Database.run``,
as the kiosk window does; each call names a kiosk of its own, so that the per-kiosk
throttle on unrelated numbers (a privacy guard, not a capacity limit) does not cap
the load. They go as fast as they can, for ``--seconds``.

Prints check-ins per second, latency p50/p95/max per PC and overall, deadlocks
(PostgreSQL chose a victim: retried; target 0 by the lock order), busy refusals
(retries used up; target 0), PCs that went offline (target 0) and operations
queued in an outbox (target 0), then checks the day: one visit number per visit,
no gaps, and an unbroken audit chain. Asserts nothing; a fresh database is made
for the run and dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ON_FILE = 5_000
CONSULTANTS = ("孙顾问", "周顾问", "吴顾问", "郑顾问")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _phone_on_file(n: int) -> str:
    return f"135{n:08d}"


def prepare(url: str, desks: int) -> dict[str, Any]:
    """A store, its staff and ``ON_FILE`` customers; what the PCs need to know."""
    from db import schema
    from db.engine import Database
    from db.models import Customer, Role, Staff, Store, Title
    from showroom.security import hash_secret

    database = Database.from_url(url)
    schema.upgrade(database)
    cheap = hash_secret("secret123", n=2**4, r=1, p=1)
    with database.write() as session:
        store = Store(code="BJ01", name="测试展厅", address="北京市朝阳区测试路 1 号")
        session.add(store)
        session.flush()
        staff = [
            Staff(
                store_id=store.id,
                username=f"desk{n}",
                display_name=f"前台{n}",
                roles={Role.RECEPTION},
                password_hash=cheap,
            )
            for n in range(desks)
        ] + [
            Staff(
                store_id=store.id,
                username=f"sales{n}",
                display_name=name,
                roles={Role.SALES},
                password_hash=cheap,
            )
            for n, name in enumerate(CONSULTANTS)
        ]
        session.add_all(staff)
        session.add_all(
            Customer(store_id=store.id, name=f"老{n}", title=Title.MS, phone=_phone_on_file(n))
            for n in range(ON_FILE)
        )
        session.flush()
        info = {
            "store_id": str(store.id),
            "desks": [{"id": str(s.id), "name": s.display_name} for s in staff[:desks]],
        }
    database.dispose()
    return info


def _runner(database: Any) -> Any:
    """``Database.run`` (retries transient failures); a plain transaction on older code."""
    if hasattr(database, "run"):
        return database.run

    def once(work: Any) -> Any:
        with database.write() as session:
            return work(session)

    return once


def _sqlstate(exc: BaseException) -> str | None:
    return getattr(getattr(exc, "orig", None), "sqlstate", None)


def _retried(database: Any, surfaced_deadlocks: int) -> dict[str, int]:
    """Deadlocks PostgreSQL reported, whether retried (``Database.retries``) or not."""
    retried = dict(getattr(database, "retries", {}))
    if surfaced_deadlocks:
        retried["deadlock"] = retried.get("deadlock", 0) + surfaced_deadlocks
    return retried


def guarded(target: str, *args: Any) -> None:
    """Run a PC; a crash is reported to the parent instead of leaving it waiting."""
    import traceback

    out = args[-1]
    try:
        globals()[target](*args)
    except BaseException:  # noqa: BLE001 - any crash must reach the parent
        out.put(("crashed", traceback.format_exc()))


def desk_process(
    url: str, info: dict[str, Any], index: int, seconds: float, go: Any, out: Any
) -> None:
    """One front desk: the app's sync service, check-ins as fast as staff could type."""
    from db.engine import Database
    from db.models import Title
    from db.sync.outbox import Outbox
    from db.sync.replica import FILE, ReadReplica
    from showroom.errors import ShowroomError
    from showroom.services import reception
    from showroom.services.reception import NewCustomer
    from showroom.sync import operations
    from showroom.sync.service import SyncService
    from showroom.users import Actor

    rng = random.Random(index)
    folder = Path(tempfile.mkdtemp(prefix=f"desk{index}-"))
    database = Database.from_url(url)
    service = SyncService(database, Outbox(folder / "outbox.sqlite3"))
    if info["cache"]:
        service.replica = ReadReplica(folder / FILE)
    went_offline = 0

    def on_state(state: Any) -> None:
        nonlocal went_offline
        if state.online is False:
            went_offline += 1

    service.subscribe(on_state)
    service.start()
    desk = info["desks"][index]
    actor = Actor(desk["name"], uuid.UUID(desk["id"]), uuid.UUID(info["store_id"]))
    store_id = info["store_id"]
    latencies: list[float] = []
    queued = busy = errors = 0
    out.put(("ready", index))
    go.wait()
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        n += 1
        payload: dict[str, Any] = {"actor": operations.actor_payload(actor), "store_id": store_id}
        started = time.perf_counter()
        try:
            if rng.random() < 0.4:
                phone = f"13{6 + index}{n:08d}"
                form = NewCustomer(name="新", title=Title.MR, phone=phone, consent_service=True)
                payload["new_customer"] = operations.new_customer_payload(form)
            else:
                phone = _phone_on_file(rng.randrange(ON_FILE))
                with database.read() as session:  # the look-up as the desk types
                    match = reception.find_by_phone(session, phone)
                assert match is not None
                payload["customer_id"] = str(match.id)
            done = service.submit("visit.check_in", payload)
            if done.queued:  # the desk thinks the server is gone: not a check-in on it
                queued += 1
                continue
        except ShowroomError as exc:
            if exc.code == "db.busy":
                busy += 1
            else:
                errors += 1
            continue
        latencies.append(time.perf_counter() - started)
    service.stop()
    database.dispose()
    out.put(
        (
            "done",
            json.dumps(
                {
                    "pc": f"desk {index + 1}",
                    "latencies": latencies,
                    "retries": _retried(database, 0),
                    "queued": queued,
                    "busy": busy,
                    "errors": errors,
                    "offline": went_offline,
                }
            ),
        )
    )


def kiosk_process(
    url: str, info: dict[str, Any], index: int, seconds: float, go: Any, out: Any
) -> None:
    """The kiosk: customers check themselves in with their own number."""
    from db.engine import Database
    from showroom.errors import ShowroomError
    from showroom.services import self_check_in

    rng = random.Random(100 + index)
    database = Database.from_url(url)
    store_id = uuid.UUID(info["store_id"])
    latencies: list[float] = []
    busy = errors = surfaced_deadlocks = 0
    write = _runner(database)
    out.put(("ready", index))
    go.wait()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        phone = _phone_on_file(rng.randrange(ON_FILE))
        started = time.perf_counter()
        try:
            kiosk = f"bench-kiosk-{index}-{rng.randrange(10**9)}"
            write(
                lambda session, p=phone, k=kiosk: self_check_in.check_in_by_phone(
                    session, store_id, p, kiosk=k
                )
            )
        except ShowroomError:
            errors += 1
            continue
        except Exception as exc:  # a transient failure is counted; anything else stops it
            if _sqlstate(exc) not in ("40P01", "40001", "55P03"):
                raise
            busy += 1
            if _sqlstate(exc) == "40P01":
                surfaced_deadlocks += 1
            continue
        latencies.append(time.perf_counter() - started)
    database.dispose()
    out.put(
        (
            "done",
            json.dumps(
                {
                    "pc": f"kiosk {index + 1}",
                    "latencies": latencies,
                    "retries": _retried(database, surfaced_deadlocks),
                    "queued": 0,
                    "busy": busy,
                    "errors": errors,
                    "offline": 0,
                }
            ),
        )
    )


def _lock_of(statement: str) -> str:
    """Which of the shared locks a waiting statement waits for."""
    if "number_sequences" in statement:
        return "visit counter"
    if "audit_head" in statement:
        return "audit head"
    if "pg_advisory_xact_lock" in statement:
        return "feed lock"
    if "customers" in statement:
        return "customer row"
    return statement


class LockSampler:
    """Counts, every 0.1 s, the PCs' connections that wait for a lock (pg_stat_activity).

    Tells a run limited by locks (desks queueing for the counter or the audit head)
    from one limited by CPU (all PCs and the server share this machine's cores).
    """

    def __init__(self, url: str) -> None:
        import threading

        self.url = url
        self.samples: list[int] = []
        self.waits: Counter[str] = Counter()  # what the waiting statements wait for
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url)
        query = text(
            "SELECT query FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        with engine.connect() as conn:
            while not self._stop.wait(0.1):
                waiting = [" ".join(q.split())[:40] for (q,) in conn.execute(query)]
                self.samples.append(len(waiting))
                self.waits.update(_lock_of(q) for q in waiting)
                conn.rollback()
        engine.dispose()

    @property
    def mean(self) -> float:
        return statistics.fmean(self.samples)

    @property
    def share(self) -> float:
        return sum(1 for n in self.samples if n) / len(self.samples)


def check_the_day(url: str) -> tuple[int, bool, bool]:
    """Visits, whether their numbers run 1..n without a gap or a double, and the audit chain."""
    from sqlalchemy import select

    from db.engine import Database
    from db.models import Visit
    from showroom.services import audit

    database = Database.from_url(url)
    with database.read() as session:
        numbers = sorted(
            int(no.rsplit("-", 1)[1]) for no in session.scalars(select(Visit.visit_no))
        )
        chain_ok = audit.verify(session).ok
    database.dispose()
    return len(numbers), numbers == list(range(1, len(numbers) + 1)), chain_ok


def run(url: str, args: argparse.Namespace) -> None:
    info = prepare(url, args.desks)
    info["cache"] = not args.no_cache
    ctx = mp.get_context("spawn")
    go = ctx.Event()
    out = ctx.Queue()
    pcs = [
        ctx.Process(target=guarded, args=("desk_process", url, info, n, args.seconds, go, out))
        for n in range(args.desks)
    ] + [
        ctx.Process(target=guarded, args=("kiosk_process", url, info, n, args.seconds, go, out))
        for n in range(args.kiosks)
    ]
    for pc in pcs:
        pc.start()
    for _ in pcs:
        kind, detail = out.get(timeout=600)
        if kind != "ready":
            raise SystemExit(f"a PC failed to start:\n{detail}")
    time.sleep(2.0)  # the desks' feed watchers and caches settle
    sampler = LockSampler(url)
    go.set()
    started = time.monotonic()
    sampler.start()
    results = []
    for _ in pcs:
        kind, payload = out.get(timeout=args.seconds + 600)
        if kind != "done":
            raise SystemExit(f"a PC crashed:\n{payload}")
        results.append(json.loads(payload))
    took = time.monotonic() - started
    sampler.stop()
    for pc in pcs:
        pc.join(30)
    everything: list[float] = []
    print(f"{len(pcs)} PCs for {args.seconds:.0f} s (cache kept: {not args.no_cache})")
    for r in sorted(results, key=lambda r: r["pc"]):
        lat = r["latencies"]
        everything += lat
        if lat:
            print(
                f"  {r['pc']:>8}: {len(lat):5d} check-ins, p50 {statistics.median(lat) * 1000:6.1f}"
                f" ms, p95 {pct(lat, 95) * 1000:6.1f} ms, max {max(lat) * 1000:7.1f} ms; "
                f"retried {r['retries'] or 'nothing'}"
            )
    deadlocks = sum(r["retries"].get("deadlock", 0) for r in results)
    other_retries = sum(v for r in results for k, v in r["retries"].items() if k != "deadlock")
    offline = sum(1 for r in results if r["offline"])
    print(
        f"  all PCs : {len(everything)} check-ins in {args.seconds:.0f} s = "
        f"{len(everything) / args.seconds:.1f} per second; p50 "
        f"{statistics.median(everything) * 1000:.1f} ms, p95 {pct(everything, 95) * 1000:.1f} ms"
    )
    print(
        f"  deadlocks: {deadlocks} (target 0); other transient retries: {other_retries}; "
        f"refused as busy: {sum(r['busy'] for r in results)}; other refusals: "
        f"{sum(r['errors'] for r in results)}"
    )
    print(
        f"  PCs that went offline: {offline} (target 0); "
        f"operations queued in an outbox: {sum(r['queued'] for r in results)} (target 0)"
    )
    if sampler.samples:
        print(
            f"  waiting for a lock (sampled every 0.1 s): on average {sampler.mean:.2f} PCs; "
            f"at least one PC in {sampler.share * 100:.0f}% of samples"
        )
        if sampler.waits:
            print(
                "  what they waited for: "
                + ", ".join(f"{what} {n}" for what, n in sampler.waits.most_common(5))
            )
    visits, numbered, chain_ok = check_the_day(url)
    print(
        f"  the day: {visits} visits; numbers 1..{visits} without gaps or doubles: {numbered}; "
        f"audit chain verifies: {chain_ok} (wall time {took:.0f} s)"
    )


def main() -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--desks", type=int, default=3)
    parser.add_argument("--kiosks", type=int, default=1)
    parser.add_argument("--no-cache", action="store_true", help="desks keep no read cache")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    name = f"showroom_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        run(make_url(args.pg_url).set(database=name).render_as_string(False), args)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
