"""回访: the consultants' follow-up list, logging a result, and cooling hot customers.

Follow-ups are created by contracts (3 days, 1, 3, 6 and 12 months after signing)
and by visits; the list is what is due today or overdue. Logging one closes it,
records the contact as an ``Interaction`` and, when the consultant gives a date,
schedules the next one in the same step, so nobody has to remember to.

A hot customer (intent grade A: expected to buy within 7 days) who has not been
heard from for 15 days is not hot any more. "Heard from" means any of: an
interaction (call, WeChat, in store), a visit, or a follow-up logged as done.
Such customers are listed with a suggestion to downgrade them to B; the
downgrade writes a ``GradeChange`` so the history keeps why.

The list also carries the leads contacted before any visit whose next call the
cadence planned (``Lead.next_contact_on``, ``cadence.plan_lead``): the same columns,
``lead_id`` set and no customer. Their call is logged as a contact on the lead
(``interactions.log_interaction``), which plans the next one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from db import locks
from db.models import (
    Customer,
    FollowUp,
    FollowUpStatus,
    GradeChange,
    IntentGrade,
    Interaction,
    InteractionChannel,
    Lead,
    LeadStatus,
    Role,
    Staff,
    Title,
    Visit,
)
from showroom import fields
from showroom.clock import utcnow
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.privacy import mask_phone
from showroom.services import cadence, churn, lost_reasons
from showroom.users import StaffUser

HOT_SILENCE_DAYS = 15
MAX_RESULT_LENGTH = fields.FIELDS["follow_up.result"].limit  # 1000, shown in the dialog too
MANUAL_REASON = "follow_up"  # scheduled by hand from a previous follow-up
NO_SHOW_REASON = "no_show"  # a booked test drive the customer did not come to
NO_ANSWER = "未接通 / 客户未回复"
AFTER_SALE_PREFIX = "contract_"
MAX_COMMENT_LENGTH = 500


@dataclass(frozen=True)
class FollowUpRow:
    """One due follow-up as the list shows it; the phone is masked. A lead's next call
    has ``lead_id`` (its ``id`` too) and no customer."""

    id: uuid.UUID
    customer_id: uuid.UUID | None
    customer_name: str
    phone_masked: str
    intent_grade: IntentGrade | None
    consultant_id: uuid.UUID | None
    consultant_name: str
    due_on: date
    reason: str
    days_overdue: int  # 0 when due today
    cadence_grade: str | None = None  # the grade whose cadence planned it (回访节奏)
    signals: tuple[str, ...] = ()  # churn signals of the customer (churn.SIGNALS)
    lead_id: uuid.UUID | None = None  # a lead's next call (no customer record yet)
    lead_title: Title = Title.NONE

    @property
    def is_lead(self) -> bool:
        return self.lead_id is not None


@dataclass(frozen=True)
class FollowUpList:
    rows: tuple[FollowUpRow, ...]
    due_today: int
    overdue: int

    @property
    def total(self) -> int:
        return self.due_today + self.overdue


@dataclass(frozen=True)
class CompletedFollowUp:
    follow_up_id: uuid.UUID
    next_follow_up_id: uuid.UUID | None
    next_due: date | None


@dataclass(frozen=True)
class StaleHotCustomer:
    """A grade-A customer silent for ``HOT_SILENCE_DAYS`` days or more."""

    customer_id: uuid.UUID
    name: str
    phone_masked: str
    owner_name: str
    last_contact_at: datetime | None  # None: never heard from since becoming a customer
    silent_days: int


@dataclass(frozen=True)
class GradeChanged:
    customer_id: uuid.UUID
    old_grade: IntentGrade | None
    new_grade: IntentGrade


def scope(user: StaffUser, consultant_id: uuid.UUID | None) -> uuid.UUID | None:
    """Sales staff see only their own follow-ups; the manager anyone's (or all)."""
    if user.has_role(Role.MANAGER):
        return consultant_id
    if user.has_role(Role.SALES):
        return user.id
    raise PermissionDenied("follow_up.denied", "只有销售顾问和店长可以处理回访。")


def list_due(
    session: Session,
    user: StaffUser,
    today: date,
    *,
    consultant_id: uuid.UUID | None = None,
    limit: int = 500,
    now: datetime | None = None,
) -> FollowUpList:
    """Open follow-ups due today or earlier, most overdue first.

    Sales staff always get their own list; the manager gets the store's, or one
    consultant's when ``consultant_id`` is given. Each row carries its customer's churn
    signals as of ``now`` (noon of ``today`` in the store when not given).
    """
    owner = scope(user, consultant_id)
    consultant = aliased(Staff)
    where = [
        FollowUp.status == FollowUpStatus.OPEN,
        FollowUp.due_on <= today,
        Customer.store_id == user.store_id,
        Customer.deleted_at.is_(None),
    ]
    if owner is not None:
        where.append(FollowUp.consultant_id == owner)
    counts = session.execute(
        select(
            func.count(FollowUp.id).filter(FollowUp.due_on == today),
            func.count(FollowUp.id).filter(FollowUp.due_on < today),
        )
        .join(Customer, Customer.id == FollowUp.customer_id)
        .where(*where)
    ).one()
    rows = session.execute(
        select(
            FollowUp.id,
            FollowUp.customer_id,
            Customer.name,
            Customer.phone,
            Customer.intent_grade,
            FollowUp.consultant_id,
            consultant.display_name,
            FollowUp.due_on,
            FollowUp.reason,
            FollowUp.cadence_grade,
        )
        .join(Customer, Customer.id == FollowUp.customer_id)
        .outerjoin(consultant, consultant.id == FollowUp.consultant_id)
        .where(*where)
        .order_by(FollowUp.due_on, Customer.name, FollowUp.id)
        .limit(limit)
    ).all()
    flagged = churn.signals(session, {row.customer_id for row in rows}, now or _noon(today))
    lead_rows, lead_today, lead_overdue = _due_leads(session, user, today, owner, limit)
    found = [
        FollowUpRow(
            id=row.id,
            customer_id=row.customer_id,
            customer_name=row.name,
            phone_masked=mask_phone(row.phone),
            intent_grade=row.intent_grade,
            consultant_id=row.consultant_id,
            consultant_name=row.display_name or "",
            due_on=row.due_on,
            reason=row.reason,
            days_overdue=(today - row.due_on).days,
            cadence_grade=row.cadence_grade,
            signals=flagged.get(row.customer_id, ()),
        )
        for row in rows
    ]
    found.extend(lead_rows)
    found.sort(key=lambda r: (r.due_on, r.customer_name, str(r.id)))
    return FollowUpList(
        rows=tuple(found[:limit]),
        due_today=int(counts[0] or 0) + lead_today,
        overdue=int(counts[1] or 0) + lead_overdue,
    )


def _due_leads(
    session: Session, user: StaffUser, today: date, owner: uuid.UUID | None, limit: int
) -> tuple[list[FollowUpRow], int, int]:
    """Leads without a customer record whose next call is due, and how many are due
    today and overdue."""
    consultant = aliased(Staff)
    where = [
        Lead.store_id == user.store_id,
        Lead.next_contact_on.is_not(None),
        Lead.next_contact_on <= today,
        Lead.status == LeadStatus.CONTACTED,
        Lead.customer_id.is_(None),
    ]
    if owner is not None:
        where.append(Lead.owner_id == owner)
    due_today, overdue = session.execute(
        select(
            func.count(Lead.id).filter(Lead.next_contact_on == today),
            func.count(Lead.id).filter(Lead.next_contact_on < today),
        ).where(*where)
    ).one()
    rows = [
        FollowUpRow(
            id=lead.id,
            customer_id=None,
            customer_name=lead.name,
            phone_masked=mask_phone(lead.phone),
            intent_grade=IntentGrade(lead.intent_grade) if lead.intent_grade else None,
            consultant_id=lead.owner_id,
            consultant_name=name or "",
            due_on=lead.next_contact_on,  # type: ignore[arg-type]
            reason=lead.next_contact_reason or cadence.LEAD,
            days_overdue=(today - lead.next_contact_on).days,  # type: ignore[operator]
            cadence_grade=lead.intent_grade if lead.next_contact_reason != cadence.AGREED else None,
            lead_id=lead.id,
            lead_title=lead.title,
        )
        for lead, name in session.execute(
            select(Lead, consultant.display_name)
            .outerjoin(consultant, consultant.id == Lead.owner_id)
            .where(*where)
            .order_by(Lead.next_contact_on, Lead.name, Lead.id)
            .limit(limit)
        )
    ]
    return rows, int(due_today or 0), int(overdue or 0)


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=cadence.STORE_ZONE).astimezone(UTC)


def list_consultants(session: Session, user: StaffUser) -> list[tuple[uuid.UUID, str]]:
    """The store's sales consultants, for the manager's filter."""
    return [
        (row.id, row.display_name)
        for row in session.execute(
            select(Staff.id, Staff.display_name)
            .where(
                Staff.store_id == user.store_id,
                Staff.holds(Role.SALES),
                Staff.deleted_at.is_(None),
            )
            .order_by(Staff.display_name)
        )
    ]


def complete(
    session: Session,
    user: StaffUser,
    follow_up_id: uuid.UUID,
    result: str,
    next_due: date | None,
    *,
    now: datetime | None = None,
    today: date | None = None,
    answered: bool = True,
    lost_reason: str | None = None,
    satisfaction: int | None = None,
    satisfaction_comment: str = "",
) -> CompletedFollowUp:
    """Log the result of a follow-up and, if ``next_due`` is given, schedule the next.

    ``answered`` False: the customer did not pick up or reply. That is no contact (it
    does not keep a hot customer hot) and two in a row is a churn signal.

    ``lost_reason`` (战败原因, from the store's list): the deal is lost. Nothing more
    is planned and the customer goes to grade D, with the reason in the grade history.
    ``satisfaction`` (1-5) and its comment belong to after-sale calls only.
    """
    now = now or utcnow()
    today = today or now.date()
    text = result.strip() or ("" if answered else NO_ANSWER)
    comment = satisfaction_comment.strip()
    if satisfaction is not None and (
        isinstance(satisfaction, bool)
        or not isinstance(satisfaction, int)
        or not 1 <= satisfaction <= 5
    ):
        raise ValidationError("follow_up.satisfaction_range", "满意度请选 1 到 5 分。")
    if len(comment) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            "follow_up.comment_too_long",
            f"满意度评价最多 {MAX_COMMENT_LENGTH} 个字。",
            limit=MAX_COMMENT_LENGTH,
        )
    if comment and satisfaction is None:
        raise ValidationError("follow_up.comment_without_score", "请先选择满意度评分。")
    lost = lost_reason is not None and bool(lost_reason.strip())
    if lost and next_due is not None:
        raise ValidationError("follow_up.lost_with_next", "已选择战败原因的客户不再安排下次回访。")
    if not text:
        raise ValidationError("follow_up.result_missing", "请填写回访结果。")
    if len(text) > MAX_RESULT_LENGTH:
        raise ValidationError(
            "follow_up.result_too_long",
            f"回访结果最多 {MAX_RESULT_LENGTH} 个字。",
            limit=MAX_RESULT_LENGTH,
        )
    if next_due is not None and next_due <= today:
        raise ValidationError("follow_up.next_due_past", "下次回访日期必须晚于今天。")
    # The customer first (db.locks); in UPDATE mode when a lost deal changes the grade.
    locks.lock_customer_of(session, FollowUp, follow_up_id, locks.UPDATE if lost else locks.SHARE)
    follow_up = session.get(FollowUp, follow_up_id, with_for_update=True, populate_existing=True)
    if follow_up is None:
        raise NotFoundError("follow_up.not_found", "这条回访不存在。")
    customer = session.get(Customer, follow_up.customer_id)
    if customer is None or customer.store_id != user.store_id:
        raise NotFoundError("follow_up.not_found", "这条回访不存在。")
    owner = scope(user, None)
    if owner is not None and follow_up.consultant_id != owner:
        raise PermissionDenied("follow_up.not_yours", "这条回访不是你负责的客户。")
    if follow_up.status is not FollowUpStatus.OPEN:
        raise ConflictError("follow_up.closed", "这条回访已经处理过了，请刷新列表。")
    after_sale = is_after_sale(follow_up.reason)
    if satisfaction is not None and not after_sale:
        raise ValidationError(
            "follow_up.satisfaction_not_after_sale", "满意度只在成交后的售后回访中记录。"
        )
    if lost and after_sale:
        raise ValidationError("follow_up.lost_after_sale", "已成交客户的售后回访不记录战败原因。")
    follow_up.status = FollowUpStatus.DONE
    follow_up.result = text
    follow_up.done_at = now
    follow_up.answered = answered
    follow_up.satisfaction = satisfaction
    follow_up.satisfaction_comment = comment or None
    if lost:
        follow_up.lost_reason = lost_reasons.check(session, customer.store_id, lost_reason)
        _lost(session, user, customer, follow_up.lost_reason or "")
        session.flush()
        return CompletedFollowUp(follow_up.id, None, None)
    if answered:  # a call nobody took is kept on the follow-up, not as a contact
        session.add(
            Interaction(
                customer_id=follow_up.customer_id,
                staff_id=user.id,
                channel=InteractionChannel.PHONE,
                at=now,
                summary=text,
            )
        )
    next_id = None
    reason, cadence_grade = MANUAL_REASON, None
    if follow_up.cadence_grade is not None:
        # The cadence's own reminder: the next one stays the cadence's (one open per
        # customer); with no date given, the grade's repeat picks it.
        session.flush()  # this one leaves the open-cadence index first
        cadence_grade = (
            customer.intent_grade.value if customer.intent_grade else follow_up.cadence_grade
        )
        if next_due is None:
            repeat = cadence.repeat_due(session, customer, today)
            if repeat is not None:
                next_due, cadence_grade = repeat
                reason = cadence.REPEAT
    if next_due is not None:
        nxt = FollowUp(
            customer_id=follow_up.customer_id,
            consultant_id=follow_up.consultant_id or user.id,
            due_on=next_due,
            reason=reason,
            contract_id=follow_up.contract_id,
            cadence_grade=cadence_grade,
        )
        session.add(nxt)
        session.flush()
        next_id = nxt.id
    session.flush()
    return CompletedFollowUp(follow_up.id, next_id, next_due)


def is_after_sale(reason: str) -> bool:
    """A call planned by a contract (3 days, 1/3/6/12 months after the sale)."""
    return reason.startswith(AFTER_SALE_PREFIX)


def _lost(session: Session, user: StaffUser, customer: Customer, reason: str) -> None:
    """The deal is lost: grade D (history says why); the cadence plans nothing more."""
    if customer.intent_grade is not IntentGrade.D:
        session.add(
            GradeChange(
                customer_id=customer.id,
                old_grade=customer.intent_grade,
                new_grade=IntentGrade.D,
                changed_by_id=user.id,
                reason=f"战败：{reason}",
            )
        )
        customer.intent_grade = IntentGrade.D


def schedule_after_visit(
    session: Session, user: StaffUser, visit_id: uuid.UUID, due_on: date, *, today: date
) -> uuid.UUID:
    """Plan a follow-up for a visit (reason ``visit``), owned by the visit's consultant."""
    if due_on < today:
        raise ValidationError("follow_up.due_past", "回访日期不能早于今天。")
    visit, _customer = locks.lock_customer_of(session, Visit, visit_id)
    if visit is None or visit.store_id != user.store_id:
        raise NotFoundError("visit.not_found", "到店记录不存在。")
    follow_up = FollowUp(
        customer_id=visit.customer_id,
        consultant_id=visit.consultant_id or user.id,
        due_on=due_on,
        reason="visit",
        visit_id=visit.id,
    )
    session.add(follow_up)
    session.flush()
    return follow_up.id


def stale_hot_customers(
    session: Session,
    user: StaffUser,
    now: datetime,
    *,
    consultant_id: uuid.UUID | None = None,
    silence_days: int = HOT_SILENCE_DAYS,
    limit: int = 200,
) -> list[StaleHotCustomer]:
    """Grade-A customers of the store with no contact for ``silence_days`` days."""
    owner_filter = scope(user, consultant_id)
    cutoff = now - timedelta(days=silence_days)
    last_contact = churn.last_contact()  # an unanswered call is not contact
    owner = aliased(Staff)
    stmt = (
        select(
            Customer.id,
            Customer.name,
            Customer.phone,
            owner.display_name,
            Customer.created_at,
            last_contact.c.last_at,
        )
        .outerjoin(last_contact, last_contact.c.customer_id == Customer.id)
        .outerjoin(owner, owner.id == Customer.owner_id)
        .where(
            Customer.store_id == user.store_id,
            Customer.deleted_at.is_(None),
            Customer.intent_grade == IntentGrade.A,
            Customer.created_at < cutoff,  # a customer made today has not gone quiet
            (last_contact.c.last_at.is_(None)) | (last_contact.c.last_at < cutoff),
        )
        .order_by(func.coalesce(last_contact.c.last_at, Customer.created_at), Customer.name)
        .limit(limit)
    )
    if owner_filter is not None:
        stmt = stmt.where(Customer.owner_id == owner_filter)
    result = []
    for row in session.execute(stmt):
        since = row.last_at or row.created_at
        result.append(
            StaleHotCustomer(
                customer_id=row.id,
                name=row.name,
                phone_masked=mask_phone(row.phone),
                owner_name=row.display_name or "",
                last_contact_at=row.last_at,
                silent_days=max(0, (now - since).days),
            )
        )
    return result


def downgrade(
    session: Session,
    user: StaffUser,
    customer_id: uuid.UUID,
    new_grade: IntentGrade = IntentGrade.B,
    reason: str = f"{HOT_SILENCE_DAYS} 天未回应，降级",
    *,
    now: datetime | None = None,
) -> GradeChanged:
    """Lower a customer's intent grade and keep the change in the grade history."""
    if not user.has_any(Role.SALES, Role.MANAGER):
        raise PermissionDenied("grade.denied", "只有销售顾问和店长可以调整意向等级。")
    customer = locks.lock_customer(session, customer_id, locks.UPDATE, follow_merges=False)
    if customer is None or customer.store_id != user.store_id:
        raise NotFoundError("customer.not_found", "客户不存在或已被合并。")
    if not user.has_role(Role.MANAGER) and customer.owner_id != user.id:
        raise PermissionDenied("grade.not_yours", "只能调整自己负责的客户的意向等级。")
    old = customer.intent_grade
    order = list(IntentGrade)
    if old is not None and order.index(new_grade) <= order.index(old):
        raise ConflictError(
            "grade.not_lower",
            f"客户当前为 {old.value} 级，无需降为 {new_grade.value} 级。",
            old=old.value,
            new=new_grade.value,
        )
    customer.intent_grade = new_grade
    session.add(
        GradeChange(
            customer_id=customer.id,
            old_grade=old,
            new_grade=new_grade,
            changed_by_id=user.id,
            reason=fields.text(reason, "grade.reason", required=True),  # refused, never cut
        )
    )
    session.flush()
    cadence.plan(session, customer, cadence.GRADE_CHANGE, now=now or utcnow())
    return GradeChanged(customer.id, old, new_grade)
