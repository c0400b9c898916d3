"""Fault tests against the real PostgreSQL, which is never stopped (other runs share it).

The app reaches the server through a TCP proxy that the test cuts and restores;
the replay is killed with SIGKILL in a child process and restarted; two desks
are made to deadlock on purpose.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from db.engine import Database
from db.enums import Role, Title, VisitPurpose
from db.models import AppliedOperation, AuditEntry, Customer, NumberSequence, Visit
from db.sync.outbox import Outbox
from showroom.errors import DatabaseUnavailable, PermissionDenied
from showroom.paths import AppPaths
from showroom.services.reception import NewCustomer
from showroom.settings import Settings
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


@pytest.fixture
def crossing_desks(pg: Database) -> Iterator[threading.Barrier]:
    """An operation kind whose first attempt on two desks locks two rows in opposite orders."""
    with pg.write() as session:
        for kind in ("a", "b"):
            session.add(NumberSequence(scope="T", kind=kind, period="p", last_value=0))
    both_hold_one = threading.Barrier(2, timeout=10)
    tries: dict[str, int] = {}
    bump = text(
        "UPDATE number_sequences SET last_value = last_value + 1 WHERE scope = 'T' AND kind = :k"
    )

    def cross(session, data):  # type: ignore[no-untyped-def]
        tries[data["first"]] = tries.get(data["first"], 0) + 1
        session.execute(bump, {"k": data["first"]})
        if tries[data["first"]] == 1:
            both_hold_one.wait()
        session.execute(bump, {"k": data["second"]})
        return None, "ok"

    operations.register("test.cross", "测试", cross)
    yield both_hold_one
    del operations.REGISTRY["test.cross"]


def test_a_deadlock_on_one_desk_does_not_take_it_offline(
    pg: Database, crossing_desks: threading.Barrier, tmp_path: Path
) -> None:
    url = pg.engine.url.render_as_string(hide_password=False)
    desks = [
        SyncService(Database.from_url(url), Outbox(tmp_path / f"outbox{n}.sqlite3"))
        for n in range(2)
    ]
    results: list[object] = []

    def submit(service: SyncService, first: str, second: str) -> None:
        try:
            results.append(service.submit("test.cross", {"first": first, "second": second}))
        except BaseException as exc:  # noqa: BLE001 - reported below
            results.append(exc)

    threads = [
        threading.Thread(target=submit, args=(desks[0], "a", "b")),
        threading.Thread(target=submit, args=(desks[1], "b", "a")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    retried = desks[0].database.retries + desks[1].database.retries
    for desk in desks:
        desk.database.dispose()
    assert retried == {"deadlock": 1}  # PostgreSQL did pick a victim...
    assert [getattr(r, "queued", r) for r in results] == [False, False]  # ...which re-ran
    assert [desk.online for desk in desks] == [None, None]  # nobody was told "offline"
    assert [desk.state().pending for desk in desks] == [0, 0]
    assert _count(pg, AppliedOperation) == 2


def test_a_desk_marked_offline_while_the_server_is_fine_comes_back_by_itself(
    pg: Database, tmp_path: Path
) -> None:
    """A write's connection broke but the server answers: the next heartbeat brings the
    desk back online and its queue replays, without a restart or 立即同步."""
    store_id, actor = _setup(pg)
    app_db = Database.from_url(pg.engine.url.render_as_string(hide_password=False))
    service = SyncService(app_db, Outbox(tmp_path / "outbox.sqlite3"))
    service.start()
    try:
        assert _wait(lambda: service.online is True)
        service._set_online(False)  # what a write that lost its connection does
        queued = service.submit("visit.check_in", _payload(actor, store_id, "13900000077"))
        assert queued.queued
        assert _wait(lambda: service.online is True, 10)  # within a heartbeat or two
        assert _wait(lambda: service.state().pending == 0 and not service.replaying, 10)
    finally:
        service.stop()
        app_db.dispose()
    assert _count(pg, Visit) == 1


def test_a_restart_during_an_outage_works_from_the_cache_and_replays_on_return(
    pg: Database, paths: AppPaths, settings: Settings
) -> None:
    """The issue's power cut during an outage: the desk starts from its read cache, signs
    in, finds today's visitor and the cars, checks in a customer it has never seen (who is
    on the shared database), and the check-in lands on that customer when the server is
    back."""
    from showroom.context import open_context
    from showroom.services import reception, vehicles
    from showroom.sync import offline_sign_in
    from tests.factories_vehicles import make_vehicle
    from ui.tasks import TaskRunner

    store_id, actor = _setup(pg)
    car = make_vehicle(pg, store_id)
    with pg.write() as session:  # today's visitor: in the cache
        reception.check_in(
            session,
            actor,
            store_id,
            new_customer=NewCustomer(
                name="今", title=Title.MR, phone="13900000055", consent_service=True
            ),
        )
        on_file = Customer(store_id=store_id, name="老客", title=Title.MS, phone="13900000088")
        session.add(on_file)  # on the shared database, not in this PC's cache
        session.flush()
        on_file_id = on_file.id
    proxy = TcpProxy()
    url = str(
        make_url(pg.engine.url.render_as_string(hide_password=False))
        .set(host="127.0.0.1", port=proxy.port)
        .render_as_string(hide_password=False)
    )
    try:
        # An ordinary day first: the cache fills, the desk signs in once on this PC.
        context = open_context(paths, settings, url)
        sync = context.start_sync()
        assert _wait(lambda: sync.state().cached_at is not None)
        desk = operations.user_from_payload(
            {
                "id": str(actor.staff_id),
                "username": "desk",
                "display_name": "钱前台",
                "role": Role.RECEPTION.value,
                "store_id": str(store_id),
                "store_code": "BJ01",
                "store_name": "测试展厅",
            }
        )
        offline_sign_in.remember(sync, desk, "secret123", n=2**4, r=1, p=1)
        context.close()

        proxy.cut()  # the server goes away, then the power: the app starts again
        with pytest.raises(DatabaseUnavailable):  # an admin command wants the server itself
            open_context(paths, settings, url)
        context = open_context(paths, settings, url, from_cache=True)
        assert context.started_offline
        sync = context.start_sync()
        assert sync.online is False  # said at once, not after a timeout
        with pytest.raises(PermissionDenied):
            offline_sign_in.sign_in(sync, "desk", "wrong-password")
        user = offline_sign_in.sign_in(sync, "desk", "secret123")
        assert user.id == actor.staff_id

        runner = TaskRunner(context.database, inline=True)
        runner.sync = sync
        found: list[object] = []
        failed: list[BaseException] = []
        runner.read(lambda s: reception.lookup(s, "13900000055"), found.append, failed.append)
        runner.read(lambda s: vehicles.list_vehicles(s), found.append, failed.append)
        assert failed == []
        matches, cars = found
        assert [m.name for m in matches] == ["今"]  # type: ignore[attr-defined]
        assert [c.id for c in cars] == [car]  # type: ignore[attr-defined]
        queued = sync.submit(
            "visit.check_in", _payload(user.actor, store_id, "13900000088")
        )  # not in the cache: typed as new
        assert queued.queued

        proxy.restore()
        assert _wait(lambda: sync.online is True, 15)
        assert _wait(lambda: sync.state().pending == 0 and not sync.replaying, 15)
        context.close()
    finally:
        proxy.close()
    with pg.read() as session:
        visit = session.scalars(select(Visit).where(Visit.customer_id == on_file_id)).one()
        assert visit.created_by_id == actor.staff_id
        phones = session.scalars(select(Customer.phone).where(Customer.phone == "13900000088"))
        assert len(list(phones)) == 1  # merged into the customer on file, not a second record
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
    assert "sign_in_offline" in actions and "sign_in_failed" in actions
