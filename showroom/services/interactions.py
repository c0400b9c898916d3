"""沟通记录: every contact with a customer or a lead, not only when a follow-up is due.

A contact is logged with its channel (call, WeChat, SMS, in store, online chat),
what was discussed, what the customer answered and the next step with its date.
A next step with a date on a customer becomes a follow-up task for the customer's
consultant, so it shows in their 回访 list on that day. The first contact logged
on a lead answers it (``first_contact_at``; the lead is no longer overdue), and every
contact on a lead without a customer record plans its next call by the store's
cadence (``cadence.plan_lead``), from the grade chosen at the call; a next step with
a date is that next call.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import locks
from db.models import (
    Customer,
    FollowUp,
    IntentGrade,
    Interaction,
    InteractionChannel,
    Lead,
    LeadStatus,
    Role,
)
from showroom import fields
from showroom.errors import NotFoundError, PermissionDenied, ValidationError
from showroom.services import cadence
from showroom.users import StaffUser

FOLLOW_UP_REASON = "interaction"  # follow-ups planned as an interaction's next step
CLOCK_SKEW = timedelta(minutes=5)
MAY_LOG = frozenset({Role.RECEPTION, Role.SALES, Role.MANAGER})


@dataclass(frozen=True)
class NewInteraction:
    """A contact as typed. ``at``: when it happened (None: now)."""

    channel: InteractionChannel
    summary: str
    response: str = ""
    next_step: str = ""
    next_on: date | None = None
    at: datetime | None = None
    intent_grade: IntentGrade | None = None  # a lead's grade chosen at the call (回访节奏)


@dataclass(frozen=True)
class LoggedInteraction:
    id: uuid.UUID
    customer_id: uuid.UUID | None
    lead_id: uuid.UUID | None
    follow_up_id: uuid.UUID | None
    lead_next_on: date | None = None  # a lead's next call, by the cadence or agreed
    topics: frozenset[str] = field(
        default_factory=lambda: frozenset({"interactions", "customers", "leads", "follow_ups"})
    )


def log_interaction(
    session: Session,
    user: StaffUser,
    form: NewInteraction,
    *,
    customer_id: uuid.UUID | None = None,
    lead_id: uuid.UUID | None = None,
    now: datetime,
    today: date,
) -> LoggedInteraction:
    """Record one contact with a customer or a lead (exactly one of the two ids).

    ``today`` is the store's local date (a next step may be today or later).
    """
    if not user.has_any(*MAY_LOG):
        raise PermissionDenied("interaction.denied", "你的岗位不能记录客户沟通。")
    if (customer_id is None) == (lead_id is None):
        raise ValidationError("interaction.subject", "请选择一位客户或一条线索。")
    channel = InteractionChannel(form.channel)
    summary = fields.text(form.summary, "interaction.summary", required=True)
    response = fields.text(form.response, "interaction.response")
    next_step = fields.text(form.next_step, "interaction.next_step")
    at = form.at or now
    if at > now + CLOCK_SKEW:
        raise ValidationError("interaction.future", "沟通时间不能晚于现在。")
    if form.next_on is not None:
        if form.next_on < today:
            raise ValidationError("interaction.next_past", "下一步的日期不能早于今天。")
        if not next_step:
            raise ValidationError(
                "interaction.next_step_missing", "填写了下一步日期，请写明下一步要做什么。"
            )

    # The customer row first, then the lead (db.locks): a lead's customer is read unlocked
    # to know whom to lock; a merge meanwhile is followed to the record kept.
    if lead_id is not None:
        customer_id = session.scalar(select(Lead.customer_id).where(Lead.id == lead_id))
    customer: Customer | None = None
    if customer_id is not None:
        customer = locks.lock_customer(session, customer_id, locks.SHARE)
        if customer is None:
            raise NotFoundError("customer.not_found", "客户不存在或已被合并。")
        customer_id = customer.id
    lead: Lead | None = None
    if lead_id is not None:
        lead = session.get(Lead, lead_id, with_for_update=True)
        if lead is None or lead.store_id != user.store_id:
            raise NotFoundError("lead.not_found", "这条线索不存在。")

    interaction = Interaction(
        customer_id=customer_id,
        lead_id=lead_id,
        staff_id=user.id,
        channel=channel,
        at=at,
        summary=summary,
        response=response,
        next_step=next_step,
        next_on=form.next_on,
    )
    session.add(interaction)
    if lead is not None:
        if lead.first_contact_at is None or at < lead.first_contact_at:
            lead.first_contact_at = at
        if lead.status is LeadStatus.NEW:
            lead.status = LeadStatus.CONTACTED
    if form.intent_grade is not None and lead is None:
        raise ValidationError(
            "interaction.grade_not_lead", "意向等级请在客户档案中调整；这里只为线索选择。"
        )
    lead_next_on = None
    if lead is not None:
        lead_next_on = cadence.plan_lead(
            session, lead, today=today, grade=form.intent_grade, agreed_on=form.next_on
        ).due_on
    follow_up_id = None
    if customer is not None and form.next_on is not None:
        follow_up = FollowUp(
            customer_id=customer.id,
            consultant_id=customer.owner_id or (user.id if user.has_role(Role.SALES) else None),
            due_on=form.next_on,
            reason=FOLLOW_UP_REASON,
        )
        session.add(follow_up)
        session.flush()
        follow_up_id = follow_up.id
    session.flush()
    return LoggedInteraction(interaction.id, customer_id, lead_id, follow_up_id, lead_next_on)


__all__ = ["FOLLOW_UP_REASON", "LoggedInteraction", "NewInteraction", "log_interaction"]
