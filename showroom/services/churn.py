"""流失预警: signs that a customer is slipping away, and the dormant customers.

A signal is computed when a list or a record is shown, never stored, so it
disappears the moment its cause does (the customer comes in, answers, the
deposit is settled):

- ``missed_appointment``: a booked test drive marked no-show (or an inspection-day
  seat not used) in the last 30 days, with no visit since;
- ``unanswered_twice``: the customer's last two follow-ups were logged as not
  answered;
- ``hot_silent``: grade A and not heard from for 15 days (the list offers the
  downgrade to B, ``follow_ups.downgrade``);
- ``deposit_lapsing``: an active deposit that lapses within two days.

"Heard from" means an interaction (call, WeChat, in store), a visit, or a follow-up
the customer answered; a call nobody picked up is not contact. A customer not heard
from for six months is dormant (沉睡客户) and has a list of their own.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select, union_all
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Subquery

from db.models import (
    Customer,
    Deposit,
    DepositStatus,
    FollowUp,
    FollowUpStatus,
    InspectionEvent,
    IntentGrade,
    Interaction,
    Registration,
    RegistrationStatus,
    Staff,
    TestDrive,
    TestDriveStatus,
    Visit,
)
from showroom.privacy import mask_phone
from showroom.users import StaffUser

MISSED = "missed_appointment"
UNANSWERED = "unanswered_twice"
HOT_SILENT = "hot_silent"
DEPOSIT_LAPSING = "deposit_lapsing"
SIGNALS = (MISSED, UNANSWERED, HOT_SILENT, DEPOSIT_LAPSING)
TEXT = {
    MISSED: "预约未到",
    UNANSWERED: "连续两次回访未回应",
    HOT_SILENT: "A 级客户 15 天未联系",
    DEPOSIT_LAPSING: "意向金即将到期",
}

HOT_SILENCE_DAYS = 15
MISSED_WINDOW_DAYS = 30
LAPSE_WITHIN = timedelta(days=2)
DORMANT_DAYS = 182  # six months


def last_contact(customer_ids: Collection[uuid.UUID] | None = None) -> Subquery:
    """(customer_id, last_at): when each customer was last heard from."""
    parts = [
        select(Interaction.customer_id.label("customer_id"), Interaction.at.label("at")).where(
            Interaction.customer_id.is_not(None)
        ),
        select(Visit.customer_id, Visit.arrived_at),
        select(FollowUp.customer_id, FollowUp.done_at).where(
            FollowUp.status == FollowUpStatus.DONE,
            FollowUp.done_at.is_not(None),
            FollowUp.answered.is_not(False),
        ),
    ]
    if customer_ids is not None:
        ids = list(customer_ids)
        parts = [
            parts[0].where(Interaction.customer_id.in_(ids)),
            parts[1].where(Visit.customer_id.in_(ids)),
            parts[2].where(FollowUp.customer_id.in_(ids)),
        ]
    contacts = union_all(*parts).subquery()
    return (
        select(contacts.c.customer_id, func.max(contacts.c.at).label("last_at"))
        .group_by(contacts.c.customer_id)
        .subquery()
    )


def signals(
    session: Session, customer_ids: Collection[uuid.UUID], now: datetime
) -> dict[uuid.UUID, tuple[str, ...]]:
    """The churn signals of each given customer (only those with at least one)."""
    ids = list(set(customer_ids))
    if not ids:
        return {}
    found: dict[uuid.UUID, set[str]] = {}

    def add(kind: str, rows: object) -> None:
        for (cid,) in rows:  # type: ignore[attr-defined]
            found.setdefault(cid, set()).add(kind)

    since = now - timedelta(days=MISSED_WINDOW_DAYS)
    drive_missed = (
        select(TestDrive.customer_id)
        .where(
            TestDrive.customer_id.in_(ids),
            TestDrive.status == TestDriveStatus.NO_SHOW,
            TestDrive.slot_start >= since,
            ~exists().where(
                Visit.customer_id == TestDrive.customer_id,
                Visit.arrived_at > TestDrive.slot_start,
            ),
        )
        .distinct()
    )
    add(MISSED, session.execute(drive_missed))
    seat_missed = (
        select(Registration.customer_id)
        .join(InspectionEvent, InspectionEvent.id == Registration.event_id)
        .where(
            Registration.customer_id.in_(ids),
            Registration.status == RegistrationStatus.NO_SHOW,
            InspectionEvent.starts_at >= since,
            InspectionEvent.starts_at <= now,
            ~exists().where(
                Visit.customer_id == Registration.customer_id,
                Visit.arrived_at > InspectionEvent.ends_at,
            ),
        )
        .distinct()
    )
    add(MISSED, session.execute(seat_missed))

    ranked = (
        select(
            FollowUp.customer_id,
            FollowUp.answered,
            func.row_number()
            .over(
                partition_by=FollowUp.customer_id,
                order_by=(FollowUp.done_at.desc(), FollowUp.id.desc()),
            )
            .label("n"),
        )
        .where(
            FollowUp.customer_id.in_(ids),
            FollowUp.status == FollowUpStatus.DONE,
            FollowUp.done_at.is_not(None),
        )
        .subquery()
    )
    add(
        UNANSWERED,
        session.execute(
            select(ranked.c.customer_id)
            .where(ranked.c.n <= 2, ranked.c.answered.is_(False))
            .group_by(ranked.c.customer_id)
            .having(func.count() == 2)
        ),
    )

    cutoff = now - timedelta(days=HOT_SILENCE_DAYS)
    last = last_contact(ids)
    add(
        HOT_SILENT,
        session.execute(
            select(Customer.id)
            .outerjoin(last, last.c.customer_id == Customer.id)
            .where(
                Customer.id.in_(ids),
                Customer.intent_grade == IntentGrade.A,
                Customer.created_at < cutoff,
                or_(last.c.last_at.is_(None), last.c.last_at < cutoff),
            )
        ),
    )

    add(
        DEPOSIT_LAPSING,
        session.execute(
            select(Deposit.customer_id)
            .where(
                Deposit.customer_id.in_(ids),
                Deposit.status == DepositStatus.ACTIVE,
                Deposit.expires_at <= now + LAPSE_WITHIN,
            )
            .distinct()
        ),
    )
    return {cid: tuple(k for k in SIGNALS if k in kinds) for cid, kinds in found.items()}


@dataclass(frozen=True)
class DormantRow:
    """A customer not heard from for six months; the phone is masked."""

    customer_id: uuid.UUID
    name: str
    phone_masked: str
    intent_grade: IntentGrade | None
    owner_name: str
    last_contact_at: datetime | None  # None: never, since the record was made
    silent_days: int


@dataclass(frozen=True)
class DormantList:
    rows: tuple[DormantRow, ...]
    total: int


def dormant(
    session: Session,
    user: StaffUser,
    now: datetime,
    *,
    owner_id: uuid.UUID | None = None,
    days: int = DORMANT_DAYS,
    limit: int = 200,
    offset: int = 0,
) -> DormantList:
    """The store's customers silent for ``days`` days, longest silent first.

    A consultant sees the customers they own; the manager the store's, or one
    consultant's. Erased and merged records are not customers any more.
    """
    from showroom.services.follow_ups import scope

    owner_filter = scope(user, owner_id)
    cutoff = now - timedelta(days=days)
    last = last_contact()
    owner = aliased(Staff)
    where = [
        Customer.store_id == user.store_id,
        Customer.deleted_at.is_(None),
        Customer.created_at < cutoff,
        or_(last.c.last_at.is_(None), last.c.last_at < cutoff),
    ]
    if owner_filter is not None:
        where.append(Customer.owner_id == owner_filter)
    total = session.scalar(
        select(func.count(Customer.id))
        .outerjoin(last, last.c.customer_id == Customer.id)
        .where(and_(*where))
    )
    since = func.coalesce(last.c.last_at, Customer.created_at)
    rows = session.execute(
        select(
            Customer.id,
            Customer.name,
            Customer.phone,
            Customer.intent_grade,
            owner.display_name,
            Customer.created_at,
            last.c.last_at,
        )
        .outerjoin(last, last.c.customer_id == Customer.id)
        .outerjoin(owner, owner.id == Customer.owner_id)
        .where(*where)
        .order_by(since, Customer.name, Customer.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return DormantList(
        rows=tuple(
            DormantRow(
                customer_id=row.id,
                name=row.name,
                phone_masked=mask_phone(row.phone),
                intent_grade=row.intent_grade,
                owner_name=row.display_name or "",
                last_contact_at=row.last_at,
                silent_days=max(0, (now - (row.last_at or row.created_at)).days),
            )
            for row in rows
        ),
        total=int(total or 0),
    )
