"""Merging duplicate customers (manager only), and undoing a merge from the audit trail.

Duplicates come from before the one-number rule, from a customer who changed
numbers, or from records typed in twice. A merge moves everything that points
at the duplicate (visits, test drives, registrations, deposits, contracts,
consents, interactions, grade history, follow-ups, leads, tags) to the record kept, and
retires the duplicate: it keeps its row with ``merged_into_id`` and
``deleted_at`` so its history and number remain explainable.

The audit entry ``customers_merged`` lists the id of every moved row and every
field copied onto the kept record. ``unmerge`` reads that entry and puts each
row back: the undo procedure in docs/merge-undo.md.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from db import locks
from db.models import (
    AuditEntry,
    Complaint,
    Consent,
    Contract,
    Customer,
    CustomerTagLink,
    Deposit,
    FollowUp,
    FollowUpStatus,
    GradeChange,
    Interaction,
    KioskArrival,
    Lead,
    Referral,
    Registration,
    ReminderLog,
    Role,
    TestDrive,
    VehiclePurchase,
    VehicleReturn,
    Visit,
    WarrantyClaim,
)
from showroom.clock import utcnow
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.services import audit
from showroom.users import StaffUser

# Every table with a customer_id, by the key used in the audit detail.
MOVED_TABLES: dict[str, Any] = {
    "visits": Visit,
    "test_drives": TestDrive,
    "registrations": Registration,
    "deposits": Deposit,
    "contracts": Contract,
    "consents": Consent,
    "interactions": Interaction,
    "grade_changes": GradeChange,
    "follow_ups": FollowUp,
    "leads": Lead,
    # A tag both records carry stays on the retired one (one link per tag and customer).
    "customer_tag_links": CustomerTagLink,
    "kiosk_arrivals": KioskArrival,
    # A reminder both records had logged for the same day stays on the retired one.
    "reminder_log": ReminderLog,
    "vehicle_returns": VehicleReturn,
    "complaints": Complaint,
    "warranty_claims": WarrantyClaim,
    "vehicle_purchases": VehiclePurchase,
}
# Fields of the kept record filled from the duplicate when the kept one has none.
FILLED_FIELDS = (
    "id_number",
    "owner_id",
    "owner_since",
    "intent_grade",
    "budget_min",
    "budget_max",
    "intended_use",
    "preferred_models",
    "decision_cycle",
    "company_name",
    "preferred_brands",
    "payment_preference",
)


@dataclass(frozen=True)
class MergeResult:
    kept_id: uuid.UUID
    merged_id: uuid.UUID
    audit_seq: int
    moved: dict[str, int]  # table -> rows moved


def _require_manager(user: StaffUser) -> None:
    if not user.has_role(Role.MANAGER):
        raise PermissionDenied("merge.manager_only", "只有店长可以合并或撤销合并客户。")


def _lock_pair(
    session: Session, first: uuid.UUID, second: uuid.UUID
) -> dict[uuid.UUID, Customer | None]:
    """Both customers FOR UPDATE, in id order (db.locks): every desk writing under either
    has committed before the merge reads what to move, and every later one waits for it."""
    return locks.lock_customers(session, [first, second], locks.EXCLUSIVE)


def _live(locked: dict[uuid.UUID, Customer | None], customer_id: uuid.UUID) -> Customer:
    customer = locked.get(customer_id)
    if customer is None or customer.deleted_at is not None:
        raise NotFoundError("customer.not_found", "客户不存在或已被合并。")
    return customer


def _plain(value: object) -> object:
    if isinstance(value, uuid.UUID | datetime):
        return value.isoformat() if isinstance(value, datetime) else str(value)
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)  # Decimal, enums


def _one_cadence_follow_up(
    session: Session, keep_id: uuid.UUID, drop_id: uuid.UUID, now: datetime
) -> list[str]:
    """A customer has one open cadence follow-up (回访节奏, migration 0019): when both
    records have one, the kept record's plan stays and the duplicate's is closed as
    skipped (it moves with the rest, and goes back closed on an undo)."""
    open_cadence = (FollowUp.status == FollowUpStatus.OPEN) & FollowUp.cadence_grade.is_not(None)
    if session.scalar(select(FollowUp.id).where(FollowUp.customer_id == keep_id, open_cadence)):
        skipped = list(
            session.scalars(select(FollowUp).where(FollowUp.customer_id == drop_id, open_cadence))
        )
        for follow_up in skipped:
            follow_up.status = FollowUpStatus.SKIPPED
            follow_up.done_at = now
            follow_up.result = "客户合并，保留主记录的回访计划"
        session.flush()
        return [str(f.id) for f in skipped]
    return []


# Referrals have two customer columns: moved by column (the audit keys name them).
REFERRAL_COLUMNS = {"referrals_as_referrer": "referrer_id", "referrals_as_referred": "referred_id"}


def _move_referrals(
    session: Session, keep_id: uuid.UUID, drop_id: uuid.UUID
) -> dict[str, list[str]]:
    """The duplicate's referrals go to the kept record; a second referrer (both records
    were referred) stays on the retired one, as a customer has one referrer."""
    moved: dict[str, list[str]] = {}
    for key, column in REFERRAL_COLUMNS.items():
        col = getattr(Referral, column)
        ids = list(session.scalars(select(Referral.id).where(col == drop_id)))
        if column == "referred_id" and session.scalar(
            select(Referral.id).where(Referral.referred_id == keep_id)
        ):
            ids = []
        if ids:
            session.execute(
                update(Referral)
                .where(Referral.id.in_(ids))
                .values({column: keep_id, "row_version": Referral.row_version + 1})
                .execution_options(synchronize_session=False)
            )
        moved[key] = [str(i) for i in ids]
    return moved


def merge_customers(
    session: Session,
    user: StaffUser,
    keep_id: uuid.UUID,
    drop_id: uuid.UUID,
    *,
    now: datetime | None = None,
) -> MergeResult:
    """Move everything of ``drop_id`` to ``keep_id`` and retire ``drop_id``."""
    _require_manager(user)
    if keep_id == drop_id:
        raise ValidationError("merge.same", "请选择两位不同的客户。")
    now = now or utcnow()
    locked = _lock_pair(session, keep_id, drop_id)
    keep = _live(locked, keep_id)
    drop = _live(locked, drop_id)
    between = session.scalar(
        select(Referral.id).where(
            or_(
                (Referral.referrer_id == keep.id) & (Referral.referred_id == drop.id),
                (Referral.referrer_id == drop.id) & (Referral.referred_id == keep.id),
            )
        )
    )
    if between is not None:
        raise ConflictError(
            "merge.referral_between",
            "这两位客户之间有推荐记录（一人推荐了另一人），不是同一个人，不能合并。",
        )
    cadence_skipped = _one_cadence_follow_up(session, keep.id, drop.id, now)
    moved_ids: dict[str, list[str]] = _move_referrals(session, keep.id, drop.id)
    for key, table in MOVED_TABLES.items():
        stmt = select(table.id).where(table.customer_id == drop.id)
        if table is CustomerTagLink:
            kept_tags = select(CustomerTagLink.tag_id).where(CustomerTagLink.customer_id == keep.id)
            stmt = stmt.where(CustomerTagLink.tag_id.not_in(kept_tags))
        if table is ReminderLog:
            kept = aliased(ReminderLog)
            stmt = stmt.where(
                ~exists().where(
                    kept.customer_id == keep.id,
                    kept.kind == ReminderLog.kind,
                    kept.due_on == ReminderLog.due_on,
                )
            )
        ids = list(session.scalars(stmt))
        if ids:
            session.execute(
                update(table)
                .where(table.id.in_(ids))
                .values(customer_id=keep.id, row_version=table.row_version + 1)
                .execution_options(synchronize_session=False)
            )
        moved_ids[key] = [str(i) for i in ids]
    # Only the names of the fields filled: the audit log is never erased, so it must not
    # hold an ID number (PIPL); the duplicate's own row keeps the values for an undo.
    filled: list[str] = []
    for name in FILLED_FIELDS:
        if getattr(keep, name) in (None, "") and getattr(drop, name) not in (None, ""):
            filled.append(name)
            setattr(keep, name, getattr(drop, name))
    drop.merged_into_id = keep.id
    drop.deleted_at = now
    session.flush()
    audit.record(
        session,
        user.actor,
        "customers_merged",
        "customer",
        keep.id,
        {
            "kept": str(keep.id),
            "merged": str(drop.id),
            "moved": moved_ids,
            "filled": filled,
            "cadence_skipped": cadence_skipped,
        },
    )
    # The undo names this entry: append it now, as the transaction's last step (db.locks).
    seq = audit.append_now(session)[-1]
    return MergeResult(keep.id, drop.id, seq, {k: len(v) for k, v in moved_ids.items()})


def unmerge(session: Session, user: StaffUser, audit_seq: int) -> MergeResult:
    """Undo the merge recorded in audit entry ``audit_seq`` (see docs/merge-undo.md).

    Rows created for the kept customer after the merge stay with them; only the
    rows listed in the entry go back. The undo is itself audited.
    """
    _require_manager(user)
    entry = session.scalar(select(AuditEntry).where(AuditEntry.seq == audit_seq))
    if entry is None or entry.action != "customers_merged":
        raise NotFoundError(
            "merge.entry_not_found", f"审计记录 {audit_seq} 不是一次客户合并。", audit_seq=audit_seq
        )
    detail = entry.detail
    already = session.scalar(
        select(AuditEntry.seq).where(
            AuditEntry.action == "customers_unmerged", AuditEntry.entity_id == str(audit_seq)
        )
    )
    if already is not None:
        raise ConflictError("merge.already_undone", "这次合并已经撤销过了。")
    keep_id = uuid.UUID(detail["kept"])
    drop_id = uuid.UUID(detail["merged"])
    locked = _lock_pair(session, keep_id, drop_id)
    keep = _live(locked, keep_id)
    drop = locked.get(drop_id)
    if drop is None or drop.merged_into_id != keep.id:
        raise ConflictError("merge.changed", "被合并的客户记录已被改动，不能自动撤销。")
    clash = session.scalar(
        select(Customer.id).where(Customer.phone == drop.phone, Customer.deleted_at.is_(None))
    )
    if clash is not None:
        raise ConflictError(
            "merge.phone_taken", "被合并客户的手机号已被其他客户使用，不能自动撤销。"
        )
    drop.deleted_at = None
    drop.merged_into_id = None
    session.flush()
    moved: dict[str, int] = {}
    for key, column in REFERRAL_COLUMNS.items():
        ids = [uuid.UUID(i) for i in detail["moved"].get(key, [])]
        if ids:
            session.execute(
                update(Referral)
                .where(Referral.id.in_(ids), getattr(Referral, column) == keep.id)
                .values({column: drop.id, "row_version": Referral.row_version + 1})
                .execution_options(synchronize_session=False)
            )
        moved[key] = len(ids)
    for key, table in MOVED_TABLES.items():
        ids = [uuid.UUID(i) for i in detail["moved"].get(key, [])]
        if ids:
            session.execute(
                update(table)
                .where(table.id.in_(ids), table.customer_id == keep.id)
                .values(customer_id=drop.id, row_version=table.row_version + 1)
                .execution_options(synchronize_session=False)
            )
        moved[key] = len(ids)
    for name in detail.get("filled", []):  # older entries hold {name: value}: same keys
        # Only what still holds the merged-in value goes back to empty: an edit made
        # since the merge (a new grade, a corrected ID number) is staff's work, kept.
        if name in FILLED_FIELDS and _plain(getattr(keep, name)) == _plain(getattr(drop, name)):
            setattr(keep, name, None if name not in _TEXT_FIELDS else "")
    session.flush()
    audit.record(
        session,
        user.actor,
        "customers_unmerged",
        "audit",
        audit_seq,
        {"kept": str(keep.id), "restored": str(drop.id)},
    )
    seq = audit.append_now(session)[-1]
    return MergeResult(keep.id, drop.id, seq, moved)


_TEXT_FIELDS = {
    "intended_use",
    "preferred_models",
    "decision_cycle",
    "company_name",
    "preferred_brands",
}
