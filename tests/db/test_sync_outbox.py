"""Offline outbox: queued operations replay in order, once, and conflicts stay listed."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.enums import Role, Title, VisitPurpose
from db.models import AppliedOperation, Customer, Visit
from db.sync.outbox import Outbox
from showroom.clock import utcnow
from showroom.services.reception import NewCustomer
from showroom.sync import operations
from showroom.sync.service import SyncService
from showroom.users import Actor
from tests.factories import make_staff, make_store


@pytest.fixture
def store(database: Database) -> tuple[uuid.UUID, Actor]:
    store_id = make_store(database)
    make_staff(database, store_id, "s1", Role.SALES, display_name="孙顾问")
    desk = make_staff(database, store_id, "desk", Role.RECEPTION, display_name="钱前台")
    return store_id, Actor("钱前台", desk, store_id)


def _form(phone: str, name: str = "李") -> dict[str, object]:
    return operations.new_customer_payload(
        NewCustomer(name=name, title=Title.MS, phone=phone, consent_service=True)
    )


def _check_in(store: tuple[uuid.UUID, Actor], phone: str, name: str = "李") -> dict[str, object]:
    store_id, actor = store
    return {
        "actor": operations.actor_payload(actor),
        "store_id": str(store_id),
        "new_customer": _form(phone, name),
        "purpose": VisitPurpose.BUY.value,
    }


def _offline(database: Database, tmp_path: Path) -> SyncService:
    service = SyncService(database, Outbox(tmp_path / "outbox.sqlite3"))
    service.online = False  # as the watcher reports when the server is gone
    return service


def _count(database: Database, model: type) -> int:
    with database.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_offline_check_ins_queue_then_replay_once_in_order(
    database: Database, store: tuple[uuid.UUID, Actor], tmp_path: Path
) -> None:
    service = _offline(database, tmp_path)
    queued = [
        service.submit("visit.check_in", _check_in(store, f"1390000000{n}")) for n in range(3)
    ]
    assert all(s.queued for s in queued)
    assert service.state().pending == 3
    assert _count(database, Visit) == 0

    service.online = True
    report = service.replay()
    assert (report.applied, report.problems, report.remaining) == (3, 0, 0)
    with database.read() as session:
        numbers = list(session.scalars(select(Visit.visit_no).order_by(Visit.arrived_at)))
    assert len(numbers) == 3 and numbers == sorted(numbers)  # made in order, numbered in order
    assert service.state().pending == 0

    # A replay that runs again (crash before the outbox noted "done") changes nothing.
    for s in queued:
        with database.write() as session:
            again = operations.apply(
                session, s.op_id, "visit.check_in", {}, created_at=s_time(), origin="x"
            )
        assert again.already
    assert _count(database, Visit) == 3
    assert _count(database, AppliedOperation) == 3


def s_time():  # type: ignore[no-untyped-def]

    return utcnow()


def test_a_customer_made_offline_whose_phone_now_exists_is_merged(
    database: Database, store: tuple[uuid.UUID, Actor], tmp_path: Path
) -> None:
    service = _offline(database, tmp_path)
    service.submit("visit.check_in", _check_in(store, "13900000001", "离线"))
    # Meanwhile another PC registered the same number.
    with database.write() as session:
        existing = Customer(store_id=store[0], name="在线", title=Title.MR, phone="13900000001")
        session.add(existing)
        session.flush()
        existing_id = existing.id
    service.online = True
    assert service.replay().applied == 1
    with database.read() as session:
        customers = list(session.scalars(select(Customer)))
        visit = session.scalars(select(Visit)).one()
    assert [c.id for c in customers] == [existing_id]
    assert visit.customer_id == existing_id
    assert "合并" in service.outbox.all()[0].outcome


def test_a_refused_operation_becomes_a_problem_until_staff_act(
    database: Database, store: tuple[uuid.UUID, Actor], tmp_path: Path
) -> None:
    service = _offline(database, tmp_path)
    bad = service.submit(
        "test_drive.return",
        {
            "actor": operations.actor_payload(store[1]),
            "test_drive_id": str(uuid.uuid4()),
            "odometer_km": 100,
        },
    )
    good = service.submit("visit.check_in", _check_in(store, "13900000002"))
    service.online = True
    report = service.replay()
    assert (report.applied, report.problems) == (1, 1)  # one refusal does not block the rest
    problems = service.problems()
    assert [p.id for p in problems] == [bad.op_id]
    assert problems[0].message  # the service's own words, shown in the sync panel
    assert service.state().problems == 1
    assert good.queued
    service.retry(bad.op_id)
    assert service.replay().problems == 1  # still refused: still listed
    service.discard(bad.op_id, "车辆已在另一台电脑还车")
    assert service.state().problems == 0
    assert [o.status for o in service.outbox.all()] == ["discarded", "done"]


def test_the_outbox_survives_a_restart(tmp_path: Path) -> None:
    first = Outbox(tmp_path / "o.sqlite3")
    op = first.add("visit.check_in", {"name": "张"})
    del first
    again = Outbox(tmp_path / "o.sqlite3")
    assert [(o.id, o.payload) for o in again.pending()] == [(op.id, {"name": "张"})]


_TYPE_THEN_CRASH = """
import os, signal, sys
from pathlib import Path
from db.sync.outbox import Outbox
box = Outbox(Path(sys.argv[1]))
for n in range(3):
    box.add("visit.check_in", {"n": n})
os.kill(os.getpid(), signal.SIGKILL)  # the PC loses power right after the desk saved
"""


def test_what_was_typed_offline_survives_the_app_being_killed(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    path = tmp_path / "outbox.sqlite3"
    child = subprocess.run(
        [sys.executable, "-c", _TYPE_THEN_CRASH, str(path)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        timeout=60,
    )
    assert child.returncode == -signal.SIGKILL
    assert [op.payload for op in Outbox(path).pending()] == [{"n": 0}, {"n": 1}, {"n": 2}]


def test_a_refusal_in_the_middle_of_a_batch_undoes_only_itself(
    database: Database, store: tuple[uuid.UUID, Actor], tmp_path: Path
) -> None:
    """The batch runs without savepoints first; a refusal makes it redo them one by one."""
    service = _offline(database, tmp_path)
    made = [service.submit("visit.check_in", _check_in(store, f"1390000010{n}")) for n in range(4)]
    bad = service.submit(
        "test_drive.return",
        {
            "actor": operations.actor_payload(store[1]),
            "test_drive_id": str(uuid.uuid4()),
            "odometer_km": 100,
        },
    )
    made += [service.submit("visit.check_in", _check_in(store, f"1390000020{n}")) for n in range(4)]
    service.online = True
    report = service.replay()
    assert (report.applied, report.problems, report.remaining) == (8, 1, 0)
    assert [p.id for p in service.problems()] == [bad.op_id]
    assert _count(database, Visit) == 8
    assert _count(database, Customer) == 8
    with database.read() as session:
        applied = set(session.scalars(select(AppliedOperation.id)))
    assert applied == {s.op_id for s in made}  # each applied once, the refused one not at all


def test_sync_now_tries_the_server_even_while_the_status_says_offline(
    database: Database, store: tuple[uuid.UUID, Actor], tmp_path: Path
) -> None:
    service = _offline(database, tmp_path)
    service.submit("visit.check_in", _check_in(store, "13900000031"))
    states: list[bool | None] = []
    service.subscribe(lambda state: states.append(state.online))
    report = service.sync_now()  # 立即同步: no waiting for the heartbeat to notice
    assert (report.applied, report.remaining, report.stopped_offline) == (1, 0, False)
    assert service.online is True and states[-1] is True
    assert _count(database, Visit) == 1


def test_a_replay_that_stays_busy_pauses_and_keeps_the_rest_queued(
    database: Database, store: tuple[uuid.UUID, Actor], tmp_path: Path
) -> None:
    from psycopg import errors as pg
    from sqlalchemy import exc as sa

    from db.engine import RetryPolicy

    service = _offline(database, tmp_path)
    for n in range(3):
        service.submit("visit.check_in", _check_in(store, f"1390000040{n}"))
    database.retry = RetryPolicy(attempts=2, first_delay_s=0.001, max_delay_s=0.001)
    real = operations.REGISTRY["visit.check_in"]

    def deadlocked(_session, _data):  # type: ignore[no-untyped-def]
        raise sa.OperationalError("UPDATE", {}, pg.DeadlockDetected("deadlock detected"))

    operations.register("visit.check_in", real.label, deadlocked)
    try:
        service.online = True
        report = service.replay()
    finally:
        operations.register("visit.check_in", real.label, real.handler)
    assert (report.applied, report.remaining, report.stopped_offline) == (0, 3, False)
    assert service.online is True  # busy is not offline
    assert service.state().pending == 3
    assert service.replay().applied == 3  # the next try goes through
