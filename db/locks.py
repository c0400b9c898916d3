"""The one order in which every transaction takes its locks, so that none can deadlock.

Two transactions deadlock when each holds a lock the other waits for, which
needs two locks taken in opposite orders. The shared database therefore has
one global order, and every write takes its locks in it, never going back:

1. **customer rows** (``customers``), first of all. A service that writes under
   a customer (a visit, a deposit, a contract, a test drive, a registration, a
   follow-up, a consent...) locks that customer with ``lock_customer`` before it
   locks anything else:

   - ``SHARE`` (``FOR SHARE``) when it only adds or changes rows that belong to
     the customer; any number of desks may hold it at once;
   - ``UPDATE`` (``FOR NO KEY UPDATE``) when it also changes the customer row
     itself (owner, intent grade): taken in that mode from the start, because
     upgrading a shared lock later deadlocks against a second desk doing the same;
   - ``EXCLUSIVE`` (``FOR UPDATE``) by merge, unmerge, erasure and the retention
     purge, which move or rewrite everything under the customer. Two customers
     are locked in the order of their ids (``lock_customers``).

   A merge therefore waits for every desk writing under either customer, and every
   such desk that comes later waits for the merge, then follows ``merged_into_id``
   to the survivor: its rows land on the surviving customer, never on the retired
   one. A new customer's row is new: nobody else can wait for it.

   The one exception: handing the waiting queue out (``reception.offer_waiting``)
   sets the owner of customers it only learns of under the rotation lock. It locks
   them with ``lock_customers_if_free`` (``SKIP LOCKED``): a lock taken without
   waiting cannot close a deadlock cycle; a visitor whose customer is held elsewhere
   waits for the next hand-out.
2. **business rows**: first the store's **rotation** (``lock_rotation``: its store row,
   ``FOR NO KEY UPDATE``) where a consultant is picked by rotation or the waiting
   queue is handed out, so that two desks checking visitors in at once never both
   give the same free consultant; then the visit, the car (``deposits.lock_vehicle``), the drive,
   the inspection day's seats, the deposit, the contract (``FOR UPDATE`` where a
   rule reads before it writes; ordinary UPDATEs). Flush an update of a row in
   this step, before step 3: an UPDATE takes its row lock at flush time, not when
   the attribute is set.
3. **number counters** (``db.numbers.next_value``, an UPSERT that row-locks its
   counter until commit): as late as possible, so a store's visit counter is
   held only for the end of the transaction.
4. **audit head** (``audit_head`` row): taken *at commit*. Services only stage
   their audit entries (``showroom.services.audit.record``); the commit hook
   registered here appends all of them under one head lock, so the head is held
   from that append to the commit, never while the transaction still takes
   another lock.
5. **change-feed lock** (a transaction-level advisory lock, ``db.sync.feed``):
   the very last statement before ``COMMIT``; it numbers the feed rows in commit
   order.

Steps 4 and 5 run in ``Database.write`` just before it commits (``run_commit_hooks``
then the feed), in that order, for every write. Code must not lock anything
after calling a function that appends to the audit chain at once
(``audit.append_now``): only do that as the transaction's last step.

On SQLite the whole file is one lock, taken at ``BEGIN IMMEDIATE``: no
deadlocks there, the row locks below are no-ops (the re-reads with
``populate_existing`` still matter); "database is locked" is retried like a
deadlock (``db.faults``).

The database keeps the last line: a trigger (migration ``integrity``) refuses any
row added or moved under a customer who was merged away or erased, so a path that
forgot the customer lock fails loudly instead of hiding a deposit on a retired
record.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models.customers import Customer

# Steps of the order that run as commit hooks (the customer, business and counter
# steps happen in the service code as it goes).
AUDIT_HEAD = 4
CHANGE_FEED = 5

CommitHook = Callable[[Session], None]
_HOOKS = "showroom_commit_hooks"


def at_commit(session: Session, step: int, name: str, hook: CommitHook) -> None:
    """Run ``hook(session)`` just before this transaction commits, in lock-order ``step``.

    Registering the same ``name`` twice keeps one hook: a service may stage many
    audit entries; they are appended once, under one lock.
    """
    hooks: dict[str, tuple[int, CommitHook]] = session.info.setdefault(_HOOKS, {})
    hooks.setdefault(name, (step, hook))


def run_commit_hooks(session: Session) -> None:
    """Run the registered hooks in lock order (``Database.write`` calls this)."""
    hooks: dict[str, tuple[int, CommitHook]] = session.info.pop(_HOOKS, {})
    for _step, hook in sorted(hooks.values(), key=lambda item: item[0]):
        hook(session)


# --- step 1: customer rows ---------------------------------------------------------------
class CustomerLock(Enum):
    """How strongly a transaction holds a customer row (see the module docstring)."""

    SHARE = "share"  # FOR SHARE
    UPDATE = "update"  # FOR NO KEY UPDATE
    EXCLUSIVE = "exclusive"  # FOR UPDATE


SHARE = CustomerLock.SHARE
UPDATE = CustomerLock.UPDATE
EXCLUSIVE = CustomerLock.EXCLUSIVE

_FOR: dict[CustomerLock, dict[str, bool]] = {
    CustomerLock.SHARE: {"read": True},
    CustomerLock.UPDATE: {"key_share": True},
    CustomerLock.EXCLUSIVE: {},
}
# A merge chain longer than this is a data error, not something to follow forever.
_MAX_HOPS = 8

Row = TypeVar("Row")


def _locked(session: Session, customer_id: uuid.UUID, mode: CustomerLock) -> Customer | None:
    return session.scalars(
        select(Customer)
        .where(Customer.id == customer_id)
        .with_for_update(**_FOR[mode])
        .execution_options(populate_existing=True)
    ).first()


def lock_customer(
    session: Session,
    customer_id: uuid.UUID,
    mode: CustomerLock = CustomerLock.SHARE,
    *,
    follow_merges: bool = True,
) -> Customer | None:
    """Lock the customer row and return the live customer it now stands for.

    A customer merged away is followed to the survivor (locked in the same mode),
    so a desk that waited for a merge writes under the record that was kept. None
    when there is no such customer, it was erased, or it was merged and
    ``follow_merges`` is off.
    """
    current: uuid.UUID | None = customer_id
    for _ in range(_MAX_HOPS):
        if current is None:
            return None
        customer = _locked(session, current, mode)
        if customer is None:
            return None
        if customer.deleted_at is None:
            return customer
        if not follow_merges:
            return None
        current = customer.merged_into_id
    return None


def lock_customers(
    session: Session, customer_ids: list[uuid.UUID], mode: CustomerLock = CustomerLock.EXCLUSIVE
) -> dict[uuid.UUID, Customer | None]:
    """Lock several customer rows as they are (no merge following), in id order.

    Two merges over the same pair in opposite directions then queue instead of
    deadlocking. Missing ids map to None.
    """
    return {cid: _locked(session, cid, mode) for cid in sorted(set(customer_ids), key=str)}


def lock_customers_if_free(
    session: Session, customer_ids: list[uuid.UUID]
) -> dict[uuid.UUID, Customer]:
    """Lock (``UPDATE`` mode) those of the customers nobody else holds; skip the rest.

    For a write that must change customer rows after it has taken business locks
    (the waiting queue's hand-out): ``SKIP LOCKED`` never waits, so taking these out
    of the order cannot deadlock. Erased or merged customers are left out too. On
    SQLite (one writer at a time) every live customer is returned.
    """
    if not customer_ids:
        return {}
    rows = session.scalars(
        select(Customer)
        .where(Customer.id.in_(set(customer_ids)), Customer.deleted_at.is_(None))
        .with_for_update(key_share=True, skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return {row.id: row for row in rows}


def lock_customer_of(
    session: Session,
    model: type[Row],
    row_id: uuid.UUID,
    mode: CustomerLock = CustomerLock.SHARE,
) -> tuple[Row | None, Customer | None]:
    """Lock the customer a row (visit, deposit, drive...) belongs to, then re-read the row.

    For services whose input is the row, not the customer: the row's owner is
    read, locked (following a merge), and the row read again, so it carries the
    version and the customer a merge that finished meanwhile gave it. Returns
    ``(row, live customer)``; the row is None when it does not exist, the
    customer None when it was erased.
    """
    table: Any = model
    customer: Customer | None = None
    for _ in range(_MAX_HOPS):
        owner = session.scalar(select(table.customer_id).where(table.id == row_id))
        if owner is None:
            return None, None
        customer = lock_customer(session, owner, mode)
        row = session.scalars(
            select(model).where(table.id == row_id).execution_options(populate_existing=True)
        ).first()
        if row is None:
            return None, None
        moved_to = getattr(row, "customer_id", None)
        if customer is None or moved_to in (owner, customer.id):
            return row, customer
        # An unmerge moved the row to a customer we have not locked: lock that one too.
    return row, customer


def lock_rotation(session: Session, store_id: uuid.UUID) -> None:
    """One desk at a time picks consultants for this store, until its commit (step 2).

    Rotation reads who is free, then writes a visit naming the one chosen; without
    this lock a second desk reads the same "free" before the first commits. ``FOR NO
    KEY UPDATE`` leaves the rows that only refer to the store (their key-share locks)
    unblocked. A no-op on SQLite, where a write already holds the whole file.
    """
    from db.models.org import Store

    session.execute(select(Store.id).where(Store.id == store_id).with_for_update(key_share=True))
