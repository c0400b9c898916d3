"""What the database's own rules cost: triggers on writes, anchors on verify, the upgrade.

Usage: python -m benchmarks.integrity [--backend sqlite|postgresql|both] [--rows 20000]
       [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

For each backend, on a throw-away database:

- the upgrade to 0018 over ``--rows`` customers with one visit, deposit-free (the
  pre-check of every rule plus, on PostgreSQL, validating each new CHECK);
- inserting ``--rows`` visits in one transaction, with migration 0018's triggers
  and with them dropped (the "no row under a retired customer" trigger fires per row);
- ``audit verify`` of ``--rows`` entries, without anchors and against one anchor per
  20 entries (what a busy PC's file holds).

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from db import schema  # noqa: E402
from db.engine import Database  # noqa: E402
from db.models import AuditEntry, AuditHead, Customer, Store, Visit  # noqa: E402
from showroom.audit_anchors import Anchor  # noqa: E402
from showroom.services import audit  # noqa: E402

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
# The revision just before the integrity migration, read from it so a re-chain cannot stale it.
PREVIOUS = importlib.import_module("db.migrations.versions.0018_integrity").down_revision


def _people(database: Database, rows: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
    with database.write() as s:
        store = Store(code="BJ01", name="测试展厅")
        s.add(store)
        s.flush()
        ids = [uuid.uuid4() for _ in range(rows)]
        s.execute(
            insert(Customer.__table__),
            [
                {
                    "id": cid,
                    "store_id": store.id,
                    "name": "测试",
                    "title": "none",
                    "phone": f"13{n:09d}",
                    "source_channel": "walk_in",
                    "intended_use": "",
                    "preferred_models": "",
                    "decision_cycle": "",
                    "notes": "",
                    "created_at": NOW,
                    "updated_at": NOW,
                    "row_version": 1,
                }
                for n, cid in enumerate(ids)
            ],
        )
        return store.id, ids


def _visits(database: Database, store: uuid.UUID, people: list[uuid.UUID], tag: str) -> float:
    rows = [
        {
            "id": uuid.uuid4(),
            "store_id": store,
            "visit_no": f"{tag}{n}",
            "customer_id": cid,
            "purpose": "buy",
            "source_channel": "walk_in",
            "party_size": 1,
            "status": "left",
            "arrived_at": NOW - timedelta(minutes=n),
            "notes": "",
            "created_at": NOW,
            "updated_at": NOW,
            "row_version": 1,
        }
        for n, cid in enumerate(people)
    ]
    started = time.perf_counter()
    with database.write() as s:
        s.execute(insert(Visit.__table__), rows)
    return time.perf_counter() - started


def _drop_visit_triggers(database: Database) -> None:
    with database.engine.begin() as conn:
        if database.kind == "postgresql":
            conn.execute(text("ALTER TABLE visits DISABLE TRIGGER USER"))
        else:
            for verb in ("insert", "update"):
                conn.execute(text(f"DROP TRIGGER trg_visits_live_customer_{verb}"))


def _audit(database: Database, rows: int) -> None:
    with database.write() as s:
        for n in range(rows):
            audit.record(s, audit.SYSTEM, "bench", "visit", n, {"n": n})


def run(url: str, rows: int) -> None:
    database = Database.from_url(url)
    print(f"\n== {database.kind} ({rows:,} rows) ==")
    schema.upgrade(database, PREVIOUS)
    store, people = _people(database, rows)
    _visits(database, store, people, "A")
    started = time.perf_counter()
    schema.upgrade(database)
    print(f"upgrade {PREVIOUS} -> 0018 over {rows:,} customers and visits: "
          f"{time.perf_counter() - started:.2f} s")  # fmt: skip

    with_rules = _visits(database, store, people, "B")
    _drop_visit_triggers(database)
    without = _visits(database, store, people, "C")
    print(f"insert {rows:,} visits in one transaction: {with_rules:.2f} s with the rules, "
          f"{without:.2f} s without ({(with_rules / without - 1) * 100:+.0f}%)")  # fmt: skip

    _audit(database, rows)
    with database.read() as s:
        entries = {e.seq: e.hash for e in s.query(AuditEntry.seq, AuditEntry.hash)}
        head = s.get_one(AuditHead, 1)
    anchors = [Anchor(seq, entries[seq], NOW, "write") for seq in range(20, head.last_seq + 1, 20)]
    for label, kept in (("no anchors", []), (f"{len(anchors):,} anchors", anchors)):
        started = time.perf_counter()
        with database.read() as s:
            result = audit.verify(s, kept)
        outcome = "ok" if result.ok else result.reason
        print(f"audit verify of {result.entries:,} entries, {label}: "
              f"{time.perf_counter() - started:.2f} s ({outcome})")  # fmt: skip
    database.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{folder}/bench.db", args.rows)
    if args.backend in ("postgresql", "both"):
        name = f"showroom_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            run(make_url(args.pg_url).set(database=name).render_as_string(False), args.rows)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
