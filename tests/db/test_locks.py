"""One lock order and retried transactions: two busy desks never deadlock, nor go offline.

``db.locks`` fixes the order (customer, business rows, counters, audit head, feed);
``Database.run`` re-runs a transaction the database refused because of another one.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime

import pytest
from psycopg import errors as pg
from sqlalchemy import event, func, select, text
from sqlalchemy import exc as sa

from db.engine import Database, RetryPolicy
from db.models import AuditEntry, Customer, NumberSequence, Role, Store, Title, Visit
from showroom.services import audit, reception
from showroom.services.reception import NewCustomer
from showroom.users import Actor
from tests.factories import make_staff, make_store

NOW = datetime(2026, 11, 28, 6, 30, tzinfo=UTC)  # a Saturday, 14:30 in the store


def _deadlock() -> sa.OperationalError:
    return sa.OperationalError("UPDATE", {}, pg.DeadlockDetected("deadlock detected"))


def _stores(database: Database) -> list[str]:
    with database.read() as session:
        return list(session.scalars(select(Store.code).order_by(Store.code)))


# --- the write runner ----------------------------------------------------------------------


def test_a_transaction_refused_for_a_deadlock_is_run_again_whole(database: Database) -> None:
    attempts: list[int] = []

    def work(session):  # type: ignore[no-untyped-def]
        attempts.append(1)
        session.add(Store(code=f"T{len(attempts)}", name="测试", address="测试路"))
        session.flush()
        if len(attempts) == 1:
            raise _deadlock()  # as PostgreSQL says it, after the first attempt's insert
        return len(attempts)

    assert database.run(work) == 2
    assert _stores(database) == ["T2"]  # the first attempt's row was rolled back
    assert database.retries == {"deadlock": 1}


def test_retries_end_and_the_databases_own_error_comes_through(database: Database) -> None:
    database.retry = RetryPolicy(attempts=3, first_delay_s=0.001, max_delay_s=0.002)
    calls: list[int] = []

    def work(_session):  # type: ignore[no-untyped-def]
        calls.append(1)
        raise _deadlock()

    with pytest.raises(sa.OperationalError):
        database.run(work)
    assert len(calls) == 3
    assert database.retries == {"deadlock": 2}


def test_a_refusal_is_not_retried(database: Database) -> None:
    calls: list[int] = []

    def work(_session):  # type: ignore[no-untyped-def]
        calls.append(1)
        raise ValueError("not the database's fault")

    with pytest.raises(ValueError, match="fault"):
        database.run(work)
    assert len(calls) == 1 and not database.retries


def test_a_real_deadlock_between_two_desks_is_retried_and_both_commit(
    postgresql_database: Database,
) -> None:
    """Two PCs lock two counters in opposite orders: PostgreSQL kills one, which re-runs."""
    url = postgresql_database.engine.url.render_as_string(hide_password=False)
    with postgresql_database.write() as session:
        for kind in ("a", "b"):
            session.add(NumberSequence(scope="T", kind=kind, period="p", last_value=0))
    desks = [Database.from_url(url), Database.from_url(url)]
    both_hold_one = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def desk(database: Database, first: str, second: str) -> None:
        tries = 0

        def work(session):  # type: ignore[no-untyped-def]
            nonlocal tries
            tries += 1
            bump = text(
                "UPDATE number_sequences SET last_value = last_value + 1 "
                "WHERE scope = 'T' AND kind = :k"
            )
            session.execute(bump, {"k": first})
            if tries == 1:
                both_hold_one.wait()  # each holds its first lock: now a cycle
            session.execute(bump, {"k": second})

        try:
            database.run(work)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=desk, args=(desks[0], "a", "b")),
        threading.Thread(target=desk, args=(desks[1], "b", "a")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for database in desks:
        database.dispose()
    assert errors == []
    assert desks[0].retries + desks[1].retries == {"deadlock": 1}
    with postgresql_database.read() as session:
        values = session.scalars(
            select(NumberSequence.last_value).where(NumberSequence.scope == "T")
        ).all()
    assert values == [2, 2]  # both transactions committed, each once


# --- the audit head, last -------------------------------------------------------------------


def test_audit_entries_are_appended_at_commit_and_a_rolled_back_savepoint_drops_its_own(
    database: Database,
) -> None:
    with database.write() as session:
        audit.record(session, audit.SYSTEM, "first", "store", "1")
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0  # staged
        try:
            with session.begin_nested():
                audit.record(session, audit.SYSTEM, "refused", "store", "2")
                raise ValueError("the savepoint's work is undone")
        except ValueError:
            pass
        with session.begin_nested():
            audit.record(session, audit.SYSTEM, "second", "store", "3")
    with database.read() as session:
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
        assert actions == ["first", "second"]
        assert audit.verify(session).ok


def test_append_now_gives_the_entry_its_number_at_once(database: Database) -> None:
    with database.write() as session:
        audit.record(session, audit.SYSTEM, "earlier", "store", "1")
    with database.write() as session:
        audit.record(session, audit.SYSTEM, "named", "store", "2")
        assert audit.append_now(session) == [2]
        audit.record(session, audit.SYSTEM, "after", "store", "3")
    with database.read() as session:
        assert audit.verify(session).entries == 3


def test_the_audit_append_also_takes_the_feed_lock_in_the_same_statement(
    postgresql_database: Database,
) -> None:
    """One round trip fewer while the shared locks are held; the lock is really taken."""
    with postgresql_database.write() as session:
        audit.record(session, audit.SYSTEM, "x", "store", "1")
        audit.append_now(session)
        held = session.scalar(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                "AND pid = pg_backend_pid() AND objid = 730100001 AND granted"
            )
        )
    assert held == 1


def _form(phone: str) -> NewCustomer:
    return NewCustomer(name="李", title=Title.MS, phone=phone, consent_service=True)


def test_every_check_in_takes_the_audit_head_after_the_counter_and_last(
    postgresql_database: Database,
) -> None:
    """The order of db.locks, as the SQL shows it: counter, then the head, then the feed."""
    database = postgresql_database
    store_id = make_store(database)
    make_staff(database, store_id, "s0", Role.SALES)
    desk = make_staff(database, store_id, "desk", Role.RECEPTION)
    actor = Actor("desk", desk, store_id)
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()))

    event.listen(database.engine, "before_cursor_execute", note)
    for form in (_form("13900000001"), None):  # a new customer, then the same one again
        seen.clear()
        with database.write() as session:
            customer_id = None
            if form is None:
                customer_id = session.scalar(select(Customer.id))
                session.execute(text("UPDATE visits SET status = 'left'"))
            reception.check_in(
                session, actor, store_id, customer_id=customer_id, new_customer=form, now=NOW
            )
        counter = next(i for i, s in enumerate(seen) if s.startswith("INSERT INTO number_seq"))
        head = next(i for i, s in enumerate(seen) if "FROM audit_head" in s)
        assert counter < head
        assert "FOR UPDATE" in seen[head]
        # After the head: its entries, the head itself, the feed; no other row is touched.
        touched = {
            name
            for statement in seen[head + 1 :]
            for name in re.findall(r"(?:INTO|UPDATE|FROM) (\w+)", statement)
        }
        allowed = {"audit_entries", "audit_head", "change_feed", "appended", "fed", "feed_locked"}
        allowed.add("unnest")  # the entries and feed rows arrive as arrays
        assert touched <= allowed, seen
        assert any("pg_advisory_xact_lock" in s for s in seen[head + 1 :])  # feed lock: last
    event.remove(database.engine, "before_cursor_execute", note)


def test_two_busy_desks_checking_in_new_and_known_customers_never_deadlock(
    postgresql_database: Database,
) -> None:
    """The issue's Saturday: one desk checks in new customers while another checks in a
    known one, again and again. Before the lock order, this deadlocked in every run."""
    database = postgresql_database
    store_id = make_store(database)
    for n in range(3):
        make_staff(database, store_id, f"s{n}", Role.SALES)
    desk = make_staff(database, store_id, "desk", Role.RECEPTION)
    actor = Actor("desk", desk, store_id)
    known = []
    with database.write() as session:
        for n in range(20):
            customer = Customer(
                store_id=store_id, name="王", title=Title.MR, phone=f"1370000{n:04d}"
            )
            session.add(customer)
            session.flush()
            known.append(customer.id)
    url = database.engine.url.render_as_string(hide_password=False)
    desks = [Database.from_url(url) for _ in range(2)]
    start = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def new_customers(pc: Database) -> None:
        start.wait()
        for n in range(20):
            form = _form(f"1390000{n:04d}")
            pc.run(
                lambda s, f=form: reception.check_in(s, actor, store_id, new_customer=f, now=NOW)
            )

    def known_customers(pc: Database) -> None:
        start.wait()
        for customer_id in known:
            pc.run(
                lambda s, c=customer_id: reception.check_in(
                    s, actor, store_id, customer_id=c, now=NOW
                )
            )

    def guarded(fn, pc):  # type: ignore[no-untyped-def]
        try:
            fn(pc)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=guarded, args=(new_customers, desks[0])),
        threading.Thread(target=guarded, args=(known_customers, desks[1])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for pc in desks:
        pc.dispose()
    assert errors == []
    assert "deadlock" not in desks[0].retries + desks[1].retries
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(Visit)) == 40
        assert audit.verify(session).ok
