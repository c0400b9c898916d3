"""回访节奏: how soon and how often a customer is followed up, by intent grade.

The store sets, per grade, the days to the first follow-up and the days between
the next ones; a grade the store never touched uses ``DEFAULTS`` (A/hot: within
48 hours, then weekly; B/warm: every two weeks; C/cold: monthly; D: none).
Customers tagged ``VIP`` are followed up by hand: the cadence plans nothing for
them and leaves what their consultant planned alone.

The cadence is applied (``plan``) at the moments the customer's temperature is
known afresh: a visit ends (``reception.check_out``), a test drive comes back
(``test_drives.return_car``), a lead comes in for a known customer
(``leads.create_lead``) and the grade is changed by hand (``customers.update_customer``,
``follow_ups.downgrade``). Each time the customer's open cadence follow-up is
replaced by one dated from today, so the list carries one reminder per customer
(a partial unique index, migration 0019, keeps that true when two desks race), and
its reason says what started it. Logging a cadence follow-up with no date given
plans the next one ``repeat_days`` later (``next_after``).

``plan`` expects the caller to hold the customer row in ``locks.UPDATE`` (the grade
is read from it and its follow-ups rewritten).

A lead contacted before any visit has no customer record, so no follow-up row: its
next call is kept on the lead itself (``plan_lead``: ``next_contact_on`` and why),
from the grade the consultant chose at the call (``LEAD_GRADE`` when none was ever
chosen) and the same rules: the first call plans ``first_days`` ahead, each call
after it ``repeat_days``, a changed grade ``first_days`` of the new one; a next step
with a date agreed on the call wins over the rule. The lead's cadence ends when it is
linked to a customer (who has their own) or closed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import (
    Customer,
    CustomerTag,
    CustomerTagLink,
    FollowUp,
    FollowUpCadence,
    FollowUpStatus,
    IntentGrade,
    Lead,
    LeadStatus,
    Role,
)
from showroom.clock import local_day
from showroom.errors import PermissionDenied, ValidationError
from showroom.services import audit
from showroom.users import StaffUser

STORE_ZONE = ZoneInfo("Asia/Shanghai")
MAX_DAYS = 365
VIP_TAG = "VIP"  # a customer tag (any case): followed up by hand, never by the cadence
# The grade of a lead whose consultant chose none at the call: it asked about a car
# but has not come to see it yet (warm: every two weeks by default).
LEAD_GRADE = IntentGrade.B
# Why a lead's next call is due (Lead.next_contact_reason): the agreed next step.
AGREED = "interaction"

# What planned a cadence follow-up (FollowUp.reason); "cadence" is the repeat.
VISIT, TEST_DRIVE, LEAD, GRADE_CHANGE, REPEAT = "visit", "test_drive", "lead", "grade", "cadence"
TRIGGERS = (VISIT, TEST_DRIVE, LEAD, GRADE_CHANGE, REPEAT)
_TRIGGER_TEXT = {
    VISIT: "到店",
    TEST_DRIVE: "试驾还车",
    LEAD: "新线索",
    GRADE_CHANGE: "意向等级调整",
    REPEAT: "定期回访",
}


@dataclass(frozen=True)
class CadenceRule:
    """One grade's cadence; ``first_days`` None: no automatic follow-up."""

    grade: IntentGrade
    first_days: int | None
    repeat_days: int | None
    is_default: bool = True

    @property
    def active(self) -> bool:
        return self.first_days is not None


DEFAULTS: dict[IntentGrade, CadenceRule] = {
    IntentGrade.A: CadenceRule(IntentGrade.A, 2, 7),  # within 48 h, then weekly
    IntentGrade.B: CadenceRule(IntentGrade.B, 14, 14),
    IntentGrade.C: CadenceRule(IntentGrade.C, 30, 30),
    IntentGrade.D: CadenceRule(IntentGrade.D, None, None),
}


def rules(session: Session, store_id: uuid.UUID) -> dict[IntentGrade, CadenceRule]:
    """Every grade's rule for the store: its own where set, else the default."""
    found = dict(DEFAULTS)
    for row in session.scalars(select(FollowUpCadence).where(FollowUpCadence.store_id == store_id)):
        found[row.grade] = CadenceRule(row.grade, row.first_days, row.repeat_days, False)
    return found


def _days(value: int | None, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
        raise ValidationError(
            "cadence.days_range",
            f"{what}应在 1 到 {MAX_DAYS} 天之间（不回访请选“不自动回访”）。",
            what_label=what,
            limit=MAX_DAYS,
        )
    return value


def save_rule(
    session: Session,
    user: StaffUser,
    grade: IntentGrade,
    first_days: int | None,
    repeat_days: int | None,
) -> CadenceRule:
    """The manager sets one grade's cadence for the store (audit-logged).

    Follow-ups already planned keep their dates; the new rule applies from the next
    visit, test drive, lead or grade change.
    """
    if not user.has_role(Role.MANAGER):
        raise PermissionDenied("cadence.denied", "只有店长可以设置回访节奏。")
    grade = IntentGrade(grade)
    first = _days(first_days, "首次回访间隔")
    repeat = _days(repeat_days, "回访周期")
    if first is None and repeat is not None:
        raise ValidationError("cadence.repeat_without_first", "不自动回访的等级不能设置回访周期。")
    row = session.scalars(
        select(FollowUpCadence)
        .where(FollowUpCadence.store_id == user.store_id, FollowUpCadence.grade == grade)
        .with_for_update()
    ).first()
    old = rules(session, user.store_id)[grade]
    if row is None:
        row = FollowUpCadence(store_id=user.store_id, grade=grade)
        session.add(row)
    row.first_days, row.repeat_days, row.updated_by_id = first, repeat, user.id
    session.flush()
    if (old.first_days, old.repeat_days) != (first, repeat):
        audit.record(
            session,
            user.actor,
            "follow_up_cadence_set",
            "follow_up_cadence",
            row.id,
            {
                "grade": grade.value,
                "from": [old.first_days, old.repeat_days],
                "to": [first, repeat],
            },
        )
    return CadenceRule(grade, first, repeat, False)


def save_rules(
    session: Session,
    user: StaffUser,
    items: list[tuple[IntentGrade, int | None, int | None]],
) -> dict[IntentGrade, CadenceRule]:
    """The settings dialog's save: several grades at once, all or none."""
    for grade, first_days, repeat_days in items:
        save_rule(session, user, grade, first_days, repeat_days)
    return rules(session, user.store_id)


def is_vip(session: Session, customer_id: uuid.UUID) -> bool:
    return bool(
        session.scalar(
            select(func.count(CustomerTagLink.id))
            .join(CustomerTag, CustomerTag.id == CustomerTagLink.tag_id)
            .where(
                CustomerTagLink.customer_id == customer_id,
                func.upper(CustomerTag.name) == VIP_TAG,
            )
        )
    )


def _open_cadence(session: Session, customer_id: uuid.UUID) -> list[FollowUp]:
    return list(
        session.scalars(
            select(FollowUp).where(
                FollowUp.customer_id == customer_id,
                FollowUp.status == FollowUpStatus.OPEN,
                FollowUp.cadence_grade.is_not(None),
            )
        )
    )


@dataclass(frozen=True)
class Planned:
    """What ``plan`` did: the follow-up it made (None: the rule plans none) and how many
    earlier cadence follow-ups it replaced."""

    follow_up_id: uuid.UUID | None
    due_on: date | None
    replaced: int


def plan(
    session: Session,
    customer: Customer,
    trigger: str,
    *,
    now: datetime,
    consultant_id: uuid.UUID | None = None,
    visit_id: uuid.UUID | None = None,
) -> Planned:
    """Apply the grade's cadence after ``trigger``; the caller holds the customer lock."""
    assert trigger in TRIGGERS, trigger
    if is_vip(session, customer.id):
        return Planned(None, None, 0)  # by hand
    grade = customer.intent_grade
    rule = rules(session, customer.store_id)[grade] if grade is not None else None
    replaced = _open_cadence(session, customer.id)
    for old in replaced:
        old.status = FollowUpStatus.SKIPPED
        old.done_at = now
        old.result = f"{_TRIGGER_TEXT[trigger]}后按意向等级重新安排"
    if replaced:
        session.flush()  # the old one leaves the unique index before the new one enters
    if rule is None or rule.first_days is None:
        return Planned(None, None, len(replaced))
    due = local_day(now) + timedelta(days=rule.first_days)
    follow_up = FollowUp(
        customer_id=customer.id,
        consultant_id=consultant_id or customer.owner_id,
        due_on=due,
        reason=trigger,
        visit_id=visit_id,
        cadence_grade=rule.grade.value,
    )
    session.add(follow_up)
    session.flush()
    return Planned(follow_up.id, due, len(replaced))


def stop(session: Session, customer: Customer, *, now: datetime, why: str) -> int:
    """Close the customer's open cadence follow-up (a deal was made: the contract plans
    the after-sale calls). Returns how many were closed."""
    closed = _open_cadence(session, customer.id)
    for follow_up in closed:
        follow_up.status = FollowUpStatus.SKIPPED
        follow_up.done_at = now
        follow_up.result = why
    if closed:
        session.flush()
    return len(closed)


def repeat_due(session: Session, customer: Customer, today: date) -> tuple[date, str] | None:
    """When the cadence wants the next follow-up after one logged ``today``, with the
    grade; None when the customer is VIP, has no grade, or the grade does not repeat."""
    grade = customer.intent_grade
    if grade is None or is_vip(session, customer.id):
        return None
    rule = rules(session, customer.store_id)[grade]
    if rule.repeat_days is None:
        return None
    return today + timedelta(days=rule.repeat_days), grade.value


@dataclass(frozen=True)
class LeadPlanned:
    """What ``plan_lead`` set: the grade and the next call (None: none planned)."""

    grade: IntentGrade | None
    due_on: date | None
    reason: str | None


def plan_lead(
    session: Session,
    lead: Lead,
    *,
    today: date,
    grade: IntentGrade | None = None,
    agreed_on: date | None = None,
) -> LeadPlanned:
    """The lead's next call after one logged ``today`` (the caller holds the lead row).

    Nothing is planned for a lead linked to a customer (the customer's cadence runs) or
    no longer open; grade D plans none unless a date was agreed.
    """
    if lead.customer_id is not None or lead.status is not LeadStatus.CONTACTED:
        lead.next_contact_on = lead.next_contact_reason = None
        return LeadPlanned(None, None, None)
    before = IntentGrade(lead.intent_grade) if lead.intent_grade else None
    chosen = IntentGrade(grade) if grade is not None else (before or LEAD_GRADE)
    first_call = lead.next_contact_on is None and before is None
    lead.intent_grade = chosen.value
    rule = rules(session, lead.store_id)[chosen]
    due, reason = None, None
    if agreed_on is not None:
        due, reason = agreed_on, AGREED
    elif first_call or chosen is not before:
        if rule.first_days is not None:
            due, reason = (
                today + timedelta(days=rule.first_days),
                LEAD if first_call else GRADE_CHANGE,
            )
    elif rule.repeat_days is not None:
        due, reason = today + timedelta(days=rule.repeat_days), REPEAT
    lead.next_contact_on, lead.next_contact_reason = due, reason
    session.flush()
    return LeadPlanned(chosen, due, reason)


def end_lead(lead: Lead) -> None:
    """The lead's cadence ends: linked to a customer, visited or closed."""
    lead.next_contact_on = lead.next_contact_reason = None
