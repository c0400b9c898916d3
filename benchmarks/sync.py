"""Sync between PCs: notification latency, outbox replay, catch-up.

Usage: python -m benchmarks.sync [--backend sqlite|postgresql|both] [--rounds 100]
       [--replay 1000] [--replay-rounds 1] [--catch-up 10000]
       [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

- latency: PC A (one ``Database``) commits a change; PC B (another ``Database``
  with its own feed watcher: LISTEN/NOTIFY on PostgreSQL, the 500 ms poll on
  SQLite) publishes its topic; time from A's commit to B's publish, p50/p95;
- replay: 1,000 check-ins queued in the outbox while offline (two thirds new
  customers, one in twenty of them with a number another PC registered meanwhile,
  so merged; one third customers already on file), replayed with three consultants
  on duty, over 2,000 customers on file; total time, SQL statements per check-in and
  transactions (each with its applied_operations record);
- offline detection (PostgreSQL): the way to the server is cut (a TCP proxy closes
  its connections, as a pulled cable or a dead server would) and restored; time
  until the app reports offline, and back online. The proxy forwards to the host
  and port of ``--pg-url``;
- catch-up: 10,000 changed rows committed by another PC while this one was
  away; time for this PC to pull the topics after the last seq it saw.

Each backend gets a fresh database (PostgreSQL: created for the run, dropped).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from db import schema  # noqa: E402
from db.engine import Database  # noqa: E402
from db.models import Customer, Role, Staff, Store, Title  # noqa: E402
from db.sync import feed  # noqa: E402
from db.sync.outbox import Outbox  # noqa: E402
from db.sync.watch import FeedWatcher  # noqa: E402
from showroom.security import hash_secret  # noqa: E402
from showroom.services.reception import NewCustomer  # noqa: E402
from showroom.sync import operations  # noqa: E402
from showroom.sync.service import SyncService  # noqa: E402
from showroom.users import Actor  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def setup(database: Database, code: str = "BJ01") -> tuple[uuid.UUID, Actor]:
    """A store with a front desk and three consultants on duty."""
    with database.write() as session:
        store = Store(code=code, name="测试展厅", address="北京市朝阳区测试路 1 号")
        session.add(store)
        session.flush()
        staff = Staff(
            store_id=store.id,
            username=f"desk-{code}",
            display_name="钱前台",
            roles={Role.RECEPTION},
            password_hash=hash_secret("secret123", n=2**4, r=1, p=1),
        )
        session.add(staff)
        for n, name in enumerate(("孙顾问", "周顾问", "吴顾问")):
            session.add(
                Staff(
                    store_id=store.id,
                    username=f"sales{n}-{code}",
                    display_name=name,
                    roles={Role.SALES},
                    password_hash=hash_secret("secret123", n=2**4, r=1, p=1),
                )
            )
        session.flush()
        return store.id, Actor("钱前台", staff.id, store.id)


def latency(url: str, store_id: uuid.UUID, rounds: int) -> list[float]:
    pc_a, pc_b = Database.from_url(url), Database.from_url(url)
    heard = threading.Event()
    arrived: list[float] = []

    def on_topics(topics: frozenset[str]) -> None:
        if f"store:{store_id}" in topics:
            arrived.append(time.perf_counter())
            heard.set()

    watcher = FeedWatcher(pc_b, on_topics)
    watcher.start()
    while watcher.last_seq is None:
        time.sleep(0.01)
    time.sleep(0.3)
    delays: list[float] = []
    try:
        for n in range(rounds):
            heard.clear()
            with pc_a.write() as session:
                store = session.get_one(Store, store_id)
                store.address = f"测试路 {n} 号"
            committed = time.perf_counter()
            if not heard.wait(10):
                print("  a notification did not arrive within 10 s", file=sys.stderr)
                continue
            delays.append(arrived[-1] - committed)
            # Random pause: commits must not fall into step with the SQLite poll.
            time.sleep(random.uniform(0.0, 0.3))
    finally:
        watcher.stop()
        pc_a.dispose()
        pc_b.dispose()
    return delays


ON_FILE = 2_000


def replay(url: str, count: int, folder: Path, round_no: int = 0) -> tuple[float, float, int]:
    """Seconds for the replay, SQL statements per check-in, transactions used.

    Each round is a store of its own: its day starts empty, as a PC's queue would meet it.
    """
    database = Database.from_url(url)
    store_id, actor = setup(database, f"R{round_no:02d}")
    with database.write() as session:
        on_file = [
            Customer(store_id=store_id, name=f"老{n}", title=Title.MS, phone=f"15{round_no}{n:08d}")
            for n in range(ON_FILE)
        ]
        session.add_all(on_file)
        session.flush()
        known = [c.id for c in on_file]
    service = SyncService(database, Outbox(folder / f"outbox-{uuid.uuid4().hex}.sqlite3"))
    service.online = False
    taken_meanwhile: list[str] = []
    for n in range(count):
        payload: dict[str, object] = {
            "actor": operations.actor_payload(actor),
            "store_id": str(store_id),
        }
        if n % 3 == 2:
            payload["customer_id"] = str(known[n % ON_FILE])
        else:
            phone = f"17{round_no}{n:08d}"
            if n % 20 == 0:
                taken_meanwhile.append(phone)
            form = NewCustomer(name=f"客{n}", title=Title.MR, phone=phone, consent_service=True)
            payload["new_customer"] = operations.new_customer_payload(form)
        service.submit("visit.check_in", payload)
    with database.write() as session:  # another PC registered some of those numbers meanwhile
        session.add_all(
            Customer(store_id=store_id, name="别处", title=Title.MR, phone=phone)
            for phone in taken_meanwhile
        )
    statements = 0
    commits = 0

    def count_statement(*_args: object) -> None:
        nonlocal statements
        statements += 1

    def count_commit(*_args: object) -> None:
        nonlocal commits
        commits += 1

    event.listen(database.engine, "before_cursor_execute", count_statement)
    event.listen(database.engine, "commit", count_commit)
    service.online = True
    started, cpu = time.perf_counter(), time.process_time()
    report = service.replay()
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    database.dispose()
    if report.applied != count:
        print(f"  replay applied {report.applied} of {count}: {report}", file=sys.stderr)
    print(f"  (this process used {cpu:.1f} s of CPU for it; the rest is waiting)")
    return took, statements / count, commits


def catch_up(url: str, store_id: uuid.UUID, changes: int) -> tuple[float, int]:
    this_pc, other_pc = Database.from_url(url), Database.from_url(url)
    with this_pc.read() as session:
        seen = feed.latest_seq(session)
    batch = 500
    for start in range(0, changes, batch):
        with other_pc.write() as session:
            for n in range(start, min(changes, start + batch)):
                session.add(
                    Customer(store_id=store_id, name=f"追{n}", title=Title.MS, phone=f"136{n:08d}")
                )
    got: list[frozenset[str]] = []
    watcher = FeedWatcher(this_pc, got.append, last_seq=seen)
    started = time.perf_counter()
    result = watcher.pull()
    took = time.perf_counter() - started
    this_pc.dispose()
    other_pc.dispose()
    return took, result.count if result else 0


def detection(url: str, rounds: int = 5) -> tuple[list[float], list[float]]:
    from sqlalchemy.engine import make_url as parse

    from tests.tcp_proxy import TcpProxy

    server = parse(url)
    # The proxy stands between this app and the server of --pg-url, wherever that is.
    proxy = TcpProxy((server.host or "127.0.0.1", server.port or 5432))
    database = Database.from_url(server.set(host="127.0.0.1", port=proxy.port))
    states: list[tuple[float, bool]] = []
    watcher = FeedWatcher(
        database, lambda _t: None, on_online=lambda on: states.append((time.perf_counter(), on))
    )
    watcher.start()
    offline: list[float] = []
    online: list[float] = []

    def wait_for(value: bool, since: float) -> float | None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            hits = [t for t, on in states if on is value and t >= since]
            if hits:
                return hits[0] - since
            time.sleep(0.01)
        return None

    try:
        wait_for(True, 0.0)
        for _ in range(rounds):
            time.sleep(0.5)
            cut = time.perf_counter()
            proxy.cut()
            took = wait_for(False, cut)
            if took is not None:
                offline.append(took)
            back = time.perf_counter()
            proxy.restore()
            took = wait_for(True, back)
            if took is not None:
                online.append(took)
    finally:
        watcher.stop()
        database.dispose()
        proxy.close()
    return offline, online


def run(url: str, args: argparse.Namespace, label: str) -> None:
    database = Database.from_url(url)
    schema.upgrade(database)
    store_id, _actor = setup(database)
    database.dispose()
    delays = latency(url, store_id, args.rounds)
    if delays:
        print(
            f"{label:>10}: PC-to-PC notification ({len(delays)} changes): "
            f"p50 {statistics.median(delays) * 1000:.1f} ms, p95 {pct(delays, 95) * 1000:.1f} ms, "
            f"max {max(delays) * 1000:.1f} ms (target p95 < 1000 ms, aim < 200 ms)"
        )
    for round_no in range(args.replay_rounds):
        with tempfile.TemporaryDirectory() as folder:
            took, per_op, commits = replay(url, args.replay, Path(folder), round_no % 10)
        print(
            f"{label:>10}: replay of {args.replay:,} queued check-ins: {took:.2f} s "
            f"({took / args.replay * 1000:.1f} ms each, {per_op:.1f} SQL statements each, "
            f"{commits} transactions; target < 10 s)"
        )
    if label == "postgresql":
        offline, online = detection(url)
        if offline and online:
            print(
                f"{label:>10}: connection cut -> shown offline: max {max(offline):.2f} s; "
                f"restored -> online again: max {max(online):.2f} s ({len(offline)} cuts)"
            )
    took, count = catch_up(url, store_id, args.catch_up)
    print(
        f"{label:>10}: catch-up of {count:,} changes after the last seq seen: {took * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--replay", type=int, default=1000)
    parser.add_argument("--replay-rounds", type=int, default=1)
    parser.add_argument("--catch-up", type=int, default=10_000)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    print("sync benchmark")
    for backend in backends:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                run(f"sqlite:///{Path(folder) / 'bench.db'}", args, "sqlite")
            continue
        name = f"showroom_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            run(
                make_url(args.pg_url).set(database=name).render_as_string(False), args, "postgresql"
            )
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
