"""Fault tests against the real PostgreSQL, which is never stopped (other runs share it).

The app reaches the server through a TCP proxy that the test cuts and restores;
the replay is killed with SIGKILL in a child process and restarted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from db.engine import Database
from db.enums import Role, Title, VisitPurpose
from db.models import AppliedOperation, Customer, Visit
from db.sync.outbox import Outbox
from showroom.services.reception import NewCustomer
from showroom.sync import operations
from showroom.sync.service import SyncService
from showroom.users import Actor
from tests.factories import make_staff, make_store
from tests.tcp_proxy import TcpProxy

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg(postgresql_database: Database) -> Database:
    """Fault tests cut the network to the shared server: PostgreSQL only."""
    return postgresql_database


def _payload(actor: Actor, store_id: uuid.UUID, phone: str) -> dict[str, object]:
    return {
        "actor": operations.actor_payload(actor),
        "store_id": str(store_id),
        "new_customer": operations.new_customer_payload(
            NewCustomer(name="测", title=Title.MR, phone=phone, consent_service=True)
        ),
        "purpose": VisitPurpose.BUY.value,
    }


def _setup(database: Database) -> tuple[uuid.UUID, Actor]:
    store_id = make_store(database)
    desk = make_staff(database, store_id, "desk", Role.RECEPTION, display_name="钱前台")
    return store_id, Actor("钱前台", desk, store_id)


def _count(database: Database, model: type) -> int:
    with database.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _wait(predicate, seconds: float = 20) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_cut_network_queues_work_and_restore_applies_each_once(
    pg: Database, tmp_path: Path
) -> None:
    store_id, actor = _setup(pg)
    proxy = TcpProxy()
    url = make_url(str(pg.engine.url.render_as_string(hide_password=False))).set(
        host="127.0.0.1", port=proxy.port
    )
    app_db = Database.from_url(url)
    states: list[bool] = []
    service = SyncService(app_db, Outbox(tmp_path / "outbox.sqlite3"))
    service.subscribe(lambda s: states.append(bool(s.online)))
    service.start()
    try:
        assert _wait(lambda: service.online is True)
        first = service.submit("visit.check_in", _payload(actor, store_id, "13900000000"))
        assert not first.queued

        proxy.cut()
        assert _wait(lambda: service.online is False)  # noticed by the heartbeat
        queued = [
            service.submit("visit.check_in", _payload(actor, store_id, f"1390000001{n}"))
            for n in range(5)
        ]
        assert all(s.queued for s in queued)
        assert service.state().pending == 5

        proxy.restore()
        assert _wait(lambda: service.online is True)
        assert _wait(lambda: service.state().pending == 0 and not service.replaying)
    finally:
        service.stop()
        app_db.dispose()
        proxy.close()
    assert _count(pg, Visit) == 6
    assert _count(pg, Customer) == 6
    assert _count(pg, AppliedOperation) == 6
    assert False in states and states[-1] is True


_CHILD = """
import sys, time
from pathlib import Path
from db.engine import Database
from db.sync.outbox import Outbox
from showroom.sync import operations
from showroom.sync.service import SyncService

real = operations.REGISTRY["visit.check_in"].handler
def slow(session, data):
    time.sleep(0.02)
    return real(session, data)
operations.register("visit.check_in", "到店登记", slow)
service = SyncService(Database.from_url(sys.argv[1]), Outbox(Path(sys.argv[2])))
print("replaying", flush=True)
service.replay()
"""


def test_killing_the_app_during_replay_loses_nothing_and_doubles_nothing(
    pg: Database, tmp_path: Path
) -> None:
    store_id, actor = _setup(pg)
    box = Outbox(tmp_path / "outbox.sqlite3")
    for n in range(200):
        box.add("visit.check_in", _payload(actor, store_id, f"139000{n:05d}"))
    url = pg.engine.url.render_as_string(hide_password=False)
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, url, str(box.path)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert _wait(lambda: _count(pg, AppliedOperation) >= 5, 60)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    applied_before = _count(pg, AppliedOperation)
    assert 5 <= applied_before < 200  # killed midway

    # Restart: the same outbox replays; what was applied is recognised, not repeated.
    report = SyncService(pg, Outbox(box.path)).replay()
    assert report.problems == 0 and report.remaining == 0
    assert report.applied + applied_before == 200
    assert _count(pg, Visit) == 200
    assert _count(pg, Customer) == 200
    assert _count(pg, AppliedOperation) == 200
    assert all(o.status == "done" for o in Outbox(box.path).all())


_EDITOR = """
import sys, uuid
from decimal import Decimal
from sqlalchemy.orm.exc import StaleDataError
from db.engine import Database
from db.models import Customer
db = Database.from_url(sys.argv[1])
with db.read() as s:
    c = s.get(Customer, uuid.UUID(sys.argv[2]))
    s.expunge(c)
print("ready", flush=True)
input()  # both processes have read version 1
try:
    with db.write() as s:
        c = s.merge(c, load=False)
        c.name = sys.argv[3]
    print("saved", flush=True)
except StaleDataError:
    print("conflict", flush=True)
"""


def test_two_processes_editing_one_record_the_second_meets_a_conflict(pg: Database) -> None:
    store_id, _ = _setup(pg)
    with pg.write() as session:
        customer = Customer(store_id=store_id, name="原名", title=Title.MR, phone="13900000099")
        session.add(customer)
        session.flush()
        customer_id = customer.id
    url = pg.engine.url.render_as_string(hide_password=False)
    editors = [
        subprocess.Popen(
            [sys.executable, "-c", _EDITOR, url, str(customer_id), name],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for name in ("甲", "乙")
    ]
    for editor in editors:
        assert editor.stdout is not None
        assert editor.stdout.readline().strip() == "ready"  # both hold version 1
    outputs = []
    for editor in editors:
        out, _ = editor.communicate("\n", timeout=30)
        outputs.append(out.strip())
    assert outputs == ["saved", "conflict"]
    with pg.read() as session:
        kept = session.get_one(Customer, customer_id)
    assert (kept.name, kept.row_version) == ("甲", 2)
