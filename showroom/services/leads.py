"""线索: enquiries before the first visit, answered within the store's response deadline.

A lead is someone who phoned, or left their number on a listing platform, about a
car. It is recorded at once (number, name if known, where it came from, the car
asked about, who answers it) with a deadline: received time plus the
``lead_response_hours`` setting (24 h by default, the dealer's rule). Logging the
first contact (``interactions.log_interaction``) answers it; a new lead past its
deadline is overdue and the lead list says so.

No customer record is made for a lead: that happens at the desk when the person
walks in and gives their PIPL consent. The desk finds the lead by phone (whole
number or 尾号), and the customer made from it takes its number and its
consultant; every lead with that number is linked to the customer
(``attach_to_customer``) and its contacts join the customer's timeline, so there
is never a second record. A lead whose number already belongs to a customer is
linked at once. One open lead per number (a partial unique index says so too): a
second enquiry is logged on the first (``if_open="add"``, used by the import and by
replay) or refused with the existing lead named (the desk's dialog).

Between the first call and the first visit the lead follows the store's cadence
(回访节奏, ``cadence.plan_lead``): each call logged on it plans the next one by the
grade chosen at the call, and the lead shows on its consultant's follow-up list
(``follow_ups.list_due``) on that day. Linked to a customer or closed, its cadence
ends (the customer has their own: never two entries for one person). A lead closed
as lost names a reason from the store's list (战败原因, ``lost_reasons``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from db import locks
from db.models import (
    Customer,
    Interaction,
    InteractionChannel,
    Lead,
    LeadStatus,
    Role,
    SourceChannel,
    Staff,
    Title,
    Vehicle,
)
from showroom import fields
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.identifiers import normalize_mobile, phone_digits
from showroom.privacy import mask_phone
from showroom.roles import MAY_REVEAL_PERSONAL_DATA
from showroom.services import audit, cadence, lost_reasons
from showroom.users import StaffUser

DEFAULT_RESPONSE_HOURS = 24
OPEN_STATUSES = (LeadStatus.NEW, LeadStatus.CONTACTED)
# A received time this far ahead of the clock is a typing mistake, not a clock skew.
CLOCK_SKEW = timedelta(minutes=5)
LEAD_ROLES = frozenset({Role.RECEPTION, Role.SALES, Role.MANAGER})
# Which interaction channel a repeated enquiry came by, from the lead's source.
_REPEAT_CHANNEL = {
    SourceChannel.PHONE: InteractionChannel.PHONE,
    SourceChannel.LISTING_PLATFORM: InteractionChannel.ONLINE_CHAT,
    SourceChannel.SHORT_VIDEO: InteractionChannel.ONLINE_CHAT,
    SourceChannel.ONLINE_BOOKING: InteractionChannel.ONLINE_CHAT,
}


@dataclass(frozen=True)
class NewLead:
    """A lead as typed (or as read from a platform's export)."""

    phone: str
    name: str = ""
    title: Title = Title.NONE
    source_channel: SourceChannel = SourceChannel.PHONE
    platform: str = ""
    external_ref: str = ""
    vehicle_text: str = ""
    message: str = ""
    owner_id: uuid.UUID | None = None
    received_at: datetime | None = None  # None: now
    vehicle_id: uuid.UUID | None = None


@dataclass(frozen=True)
class LeadCreated:
    lead_id: uuid.UUID
    due_at: datetime
    customer_id: uuid.UUID | None = None  # the number is already this customer's
    customer_name: str | None = None
    merged: bool = False  # an open lead had this number: the enquiry was logged on it
    topics: frozenset[str] = frozenset({"leads", "interactions"})


@dataclass(frozen=True)
class LeadQuery:
    """The lead list's filters. ``status``: open, overdue, visited, closed or all;
    ``owner``: all, mine or unassigned (``user_id`` says who "mine" is)."""

    store_id: uuid.UUID
    status: str = "open"
    owner: str = "all"
    user_id: uuid.UUID | None = None
    search: str = ""
    now: datetime | None = None  # overdue is judged at this time


@dataclass(frozen=True)
class LeadRow:
    """One lead as the list shows it; the phone is masked."""

    id: uuid.UUID
    received_at: datetime
    name: str
    title: Title
    phone_masked: str
    source_channel: SourceChannel
    platform: str
    vehicle_text: str
    message: str
    owner_id: uuid.UUID | None
    owner_name: str | None
    due_at: datetime
    status: LeadStatus
    first_contact_at: datetime | None
    last_contact_at: datetime | None
    customer_id: uuid.UUID | None
    overdue: bool
    row_version: int
    intent_grade: str | None = None  # chosen at the last call (回访节奏)
    next_contact_on: date | None = None  # the cadence's next call, while contacted
    lost_reason: str | None = None


@dataclass(frozen=True)
class LeadSummary:
    open: int
    overdue: int


# --- reading --------------------------------------------------------------------------------


def _filtered(stmt: Select, query: LeadQuery) -> Select:  # type: ignore[type-arg]
    stmt = stmt.where(Lead.store_id == query.store_id)
    now = query.now
    if query.status == "open":
        stmt = stmt.where(Lead.status.in_(OPEN_STATUSES))
    elif query.status == "overdue":
        if now is None:
            raise ValueError("overdue needs the time")
        stmt = stmt.where(Lead.status == LeadStatus.NEW, Lead.due_at < now)
    elif query.status in (LeadStatus.VISITED.value, LeadStatus.CLOSED.value):
        stmt = stmt.where(Lead.status == LeadStatus(query.status))
    if query.owner == "mine" and query.user_id is not None:
        stmt = stmt.where(Lead.owner_id == query.user_id)
    elif query.owner == "unassigned":
        stmt = stmt.where(Lead.owner_id.is_(None))
    text = query.search.strip()
    digits = phone_digits(text) if text else None
    if digits:
        if len(digits) >= 4:
            stmt = stmt.where(or_(Lead.phone.startswith(digits), Lead.phone.endswith(digits)))
        else:
            stmt = stmt.where(Lead.phone.startswith(digits))
    elif text:
        like = text.lower()
        stmt = stmt.where(
            or_(
                func.lower(Lead.name).contains(like, autoescape=True),
                func.lower(Lead.vehicle_text).contains(like, autoescape=True),
                func.lower(Lead.platform).contains(like, autoescape=True),
            )
        )
    return stmt


def count_leads(session: Session, query: LeadQuery) -> int:
    return int(session.scalar(_filtered(select(func.count(Lead.id)), query)) or 0)


def list_leads(
    session: Session, query: LeadQuery, *, offset: int = 0, limit: int | None = 200
) -> list[LeadRow]:
    """Open leads by deadline (most urgent first); visited, closed and all newest first."""
    owner = aliased(Staff)
    last_contact = (
        select(Interaction.lead_id, func.max(Interaction.at).label("last_at"))
        .where(Interaction.lead_id.is_not(None))
        .group_by(Interaction.lead_id)
        .subquery()
    )
    stmt = _filtered(
        select(Lead, owner.display_name, last_contact.c.last_at)
        .outerjoin(owner, owner.id == Lead.owner_id)
        .outerjoin(last_contact, last_contact.c.lead_id == Lead.id),
        query,
    )
    if query.status in ("open", "overdue"):
        # Not yet answered first (the most overdue on top), then those already contacted.
        unanswered = case((Lead.status == LeadStatus.NEW, 0), else_=1)
        stmt = stmt.order_by(unanswered, Lead.due_at, Lead.id)
    else:
        stmt = stmt.order_by(Lead.received_at.desc(), Lead.id)
    stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    now = query.now
    return [
        LeadRow(
            id=lead.id,
            received_at=lead.received_at,
            name=lead.name,
            title=lead.title,
            phone_masked=mask_phone(lead.phone),
            source_channel=lead.source_channel,
            platform=lead.platform,
            vehicle_text=lead.vehicle_text,
            message=lead.message,
            owner_id=lead.owner_id,
            owner_name=owner_name,
            due_at=lead.due_at,
            status=lead.status,
            first_contact_at=lead.first_contact_at,
            last_contact_at=last_at,
            customer_id=lead.customer_id,
            overdue=is_overdue(lead.status, lead.due_at, now),
            row_version=lead.row_version,
            intent_grade=lead.intent_grade,
            next_contact_on=lead.next_contact_on,
            lost_reason=lead.lost_reason,
        )
        for lead, owner_name, last_at in session.execute(stmt)
    ]


def is_overdue(status: LeadStatus, due_at: datetime, now: datetime | None) -> bool:
    """Not answered by its deadline: still new (no contact logged) and past ``due_at``."""
    return now is not None and status is LeadStatus.NEW and due_at < now


def summary(
    session: Session, store_id: uuid.UUID, now: datetime, owner_id: uuid.UUID | None = None
) -> LeadSummary:
    """How many leads are open and how many of them are overdue (for a badge or a board)."""
    stmt = select(
        func.count(Lead.id),
        func.count(Lead.id).filter(Lead.status == LeadStatus.NEW, Lead.due_at < now),
    ).where(Lead.store_id == store_id, Lead.status.in_(OPEN_STATUSES))
    if owner_id is not None:
        stmt = stmt.where(Lead.owner_id == owner_id)
    total, overdue = session.execute(stmt).one()
    return LeadSummary(int(total or 0), int(overdue or 0))


def get_lead(session: Session, lead_id: uuid.UUID, now: datetime | None = None) -> LeadRow:
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFoundError("lead.not_found", "这条线索不存在。")
    query = LeadQuery(lead.store_id, status="all", now=now)
    rows = [r for r in list_leads(session, query, limit=None) if r.id == lead_id]
    return rows[0]


def lead_phone(session: Session, lead_id: uuid.UUID) -> str:
    """The lead's number, for making the customer from it (never shown by this call)."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFoundError("lead.not_found", "这条线索不存在。")
    return lead.phone


def reveal_phone(session: Session, user: StaffUser, lead_id: uuid.UUID) -> str:
    """The full number to call the lead back; the look is audited (not the number)."""
    if not user.has_any(*MAY_REVEAL_PERSONAL_DATA):
        raise PermissionDenied(
            "privacy.reveal_denied",
            "你的岗位不能查看客户的完整号码。",
            role=",".join(r.value for r in user.ordered_roles),
        )
    phone = lead_phone(session, lead_id)
    audit.record(session, user.actor, "personal_data_revealed", "lead", lead_id, {"field": "phone"})
    return phone


# --- writing --------------------------------------------------------------------------------


def may_assign_any(user: StaffUser) -> bool:
    """The desk and the manager hand leads to anyone; a consultant only claims free ones."""
    return user.has_any(Role.MANAGER, Role.RECEPTION)


def _require_role(user: StaffUser) -> None:
    if not user.has_any(*LEAD_ROLES):
        raise PermissionDenied(
            "lead.denied",
            "你的岗位不能处理线索。",
            role=",".join(r.value for r in user.ordered_roles),
        )


def _consultant(session: Session, store_id: uuid.UUID, staff_id: uuid.UUID) -> Staff:
    staff = session.get(Staff, staff_id)
    if (
        staff is None
        or Role.SALES not in staff.roles
        or not staff.active
        or staff.deleted_at is not None
        or staff.store_id != store_id
    ):
        raise ValidationError("reception.bad_consultant", "所选人员不是本店在职的销售顾问。")
    return staff


def _open_lead(session: Session, phone: str) -> Lead | None:
    return session.scalars(
        select(Lead).where(Lead.phone == phone, Lead.status.in_(OPEN_STATUSES))
    ).first()


def _duplicate(lead: Lead) -> ConflictError:
    who = reception_name(lead.name, lead.title) or mask_phone(lead.phone)
    where = lead.platform or ""
    return ConflictError(
        "lead.duplicate",
        f"该号码已有未处理的线索（{who}{'，' + where if where else ''}），"
        "请在原线索上记录这次沟通。",
        lead_id=lead.id,
        name=who,
        where="，" + where if where else "",
    )


def reception_name(name: str, title: Title) -> str:
    from showroom.services.reception import display_name

    return display_name(name, title) if name else ""


@dataclass(frozen=True)
class CheckedLead:
    """A lead form that passed every rule, in the form it will be stored."""

    phone: str
    name: str
    title: Title
    source_channel: SourceChannel
    platform: str
    external_ref: str
    vehicle_id: uuid.UUID | None
    vehicle_text: str
    message: str
    owner_id: uuid.UUID | None
    received_at: datetime
    due_at: datetime
    customer_id: uuid.UUID | None
    customer_name: str | None


def check_lead(
    session: Session,
    user: StaffUser,
    form: NewLead,
    *,
    response_hours: int = DEFAULT_RESPONSE_HOURS,
    now: datetime,
) -> CheckedLead:
    """Every rule of ``create_lead``, writing nothing (the import's dry run uses it too)."""
    _require_role(user)
    phone = normalize_mobile(form.phone)
    name, split = fields.split_title(fields.text(form.name, "lead.name"))
    if form.title is not Title.NONE:
        title = Title(form.title)
    else:
        title = Title(split) if split else Title.NONE
    received = form.received_at or now
    if received > now + CLOCK_SKEW:
        raise ValidationError("lead.received_future", "收到线索的时间不能晚于现在。")
    if not 1 <= response_hours <= 24 * 14:
        raise ValidationError("lead.response_hours", "响应时限应在 1 到 336 小时之间。")
    if form.vehicle_id is not None and session.get(Vehicle, form.vehicle_id) is None:
        raise NotFoundError("vehicle.not_found", "所选车辆不存在。")
    owner_id = form.owner_id
    if owner_id is not None:
        _consultant(session, user.store_id, owner_id)
    elif user.has_role(Role.SALES):
        owner_id = user.id  # the consultant who took the call answers it
    customer = session.scalars(
        select(Customer).where(Customer.phone == phone, Customer.deleted_at.is_(None))
    ).first()
    if customer is not None and owner_id is None:
        owner_id = customer.owner_id
    return CheckedLead(
        phone=phone,
        name=name,
        title=title,
        source_channel=SourceChannel(form.source_channel),
        platform=fields.text(form.platform, "lead.platform"),
        external_ref=fields.text(form.external_ref, "lead.external_ref"),
        vehicle_id=form.vehicle_id,
        vehicle_text=fields.text(form.vehicle_text, "lead.vehicle_text"),
        message=fields.text(form.message, "lead.message"),
        owner_id=owner_id,
        received_at=received,
        due_at=received + timedelta(hours=response_hours),
        customer_id=customer.id if customer is not None else None,
        customer_name=reception_name(customer.name, customer.title) if customer else None,
    )


def has_open_lead(session: Session, phone: str) -> bool:
    return _open_lead(session, phone) is not None


def create_lead(
    session: Session,
    user: StaffUser,
    form: NewLead,
    *,
    response_hours: int = DEFAULT_RESPONSE_HOURS,
    now: datetime,
    if_open: str = "refuse",
) -> LeadCreated:
    """Record a lead with its response deadline; see the module docstring for duplicates."""
    c = check_lead(session, user, form, response_hours=response_hours, now=now)
    # A known customer's enquiry re-plans their cadence: their row first (db.locks).
    customer = (
        locks.lock_customer(session, c.customer_id, locks.UPDATE, follow_merges=False)
        if c.customer_id is not None
        else None
    )
    existing = _open_lead(session, c.phone)
    if existing is not None:
        if if_open != "add":
            raise _duplicate(existing)
        return _add_enquiry(session, existing, c)
    lead = Lead(
        store_id=user.store_id,
        phone=c.phone,
        name=c.name,
        title=c.title,
        source_channel=c.source_channel,
        platform=c.platform,
        external_ref=c.external_ref,
        vehicle_id=c.vehicle_id,
        vehicle_text=c.vehicle_text,
        message=c.message,
        owner_id=c.owner_id,
        received_at=c.received_at,
        due_at=c.due_at,
        customer_id=c.customer_id,
        created_by_id=user.id,
    )
    try:
        with session.begin_nested():  # another PC may have saved the same number just now
            session.add(lead)
            session.flush()
    except IntegrityError:
        existing = _open_lead(session, c.phone)
        if existing is None:
            raise
        if if_open != "add":
            raise _duplicate(existing) from None
        return _add_enquiry(session, existing, c)
    audit.record(
        session,
        user.actor,
        "lead_created",
        "lead",
        lead.id,
        {"channel": c.source_channel.value, "platform": c.platform},
    )
    if customer is not None:
        cadence.plan(session, customer, cadence.LEAD, now=now, consultant_id=lead.owner_id)
    return LeadCreated(lead.id, lead.due_at, c.customer_id, c.customer_name)


def _add_enquiry(session: Session, lead: Lead, c: CheckedLead) -> LeadCreated:
    """A second enquiry from an open lead's number: logged on it, never a second lead."""
    parts = [p for p in (c.vehicle_text, c.message) if p]
    summary = "再次咨询" + ("：" + "；".join(parts) if parts else "")
    session.add(
        Interaction(
            lead_id=lead.id,
            customer_id=lead.customer_id,
            staff_id=None,
            channel=_REPEAT_CHANNEL.get(c.source_channel, InteractionChannel.OTHER),
            at=c.received_at,
            # Both parts were checked against their own limits; together they fit this one.
            summary=fields.text(summary, "interaction.summary"),
        )
    )
    if not lead.vehicle_text and c.vehicle_text:
        lead.vehicle_text = c.vehicle_text
    session.flush()
    return LeadCreated(lead.id, lead.due_at, lead.customer_id, merged=True)


def _locked(session: Session, user: StaffUser, lead_id: uuid.UUID) -> Lead:
    lead = session.get(Lead, lead_id, with_for_update=True)
    if lead is None or lead.store_id != user.store_id:
        raise NotFoundError("lead.not_found", "这条线索不存在。")
    return lead


def assign(
    session: Session, user: StaffUser, lead_id: uuid.UUID, owner_id: uuid.UUID | None
) -> str | None:
    """Give a lead to a consultant (manager or desk), or take an unassigned one (sales)."""
    _require_role(user)
    lead = _locked(session, user, lead_id)
    if not may_assign_any(user) and not (lead.owner_id is None and owner_id == user.id):
        raise PermissionDenied(
            "lead.assign_denied", "销售顾问只能认领尚未分配的线索；改派请找店长或前台。"
        )
    name = None
    if owner_id is not None:
        name = _consultant(session, user.store_id, owner_id).display_name
    previous = lead.owner_id
    lead.owner_id = owner_id
    session.flush()
    audit.record(
        session,
        user.actor,
        "lead_assigned",
        "lead",
        lead.id,
        {"from": str(previous) if previous else None, "to": str(owner_id) if owner_id else None},
    )
    return name


def close(
    session: Session,
    user: StaffUser,
    lead_id: uuid.UUID,
    reason: str,
    *,
    lost_reason: str | None = None,
) -> None:
    """关闭线索: not reachable, bought elsewhere, a wrong number …; the reason is kept.

    ``lost_reason`` (战败原因, from the store's list): the lead is lost; the note may
    then be empty. Either way the lead's cadence ends and it leaves the follow-up list.
    """
    _require_role(user)
    lost = lost_reasons.check(session, user.store_id, lost_reason)
    text = fields.text(reason, "lead.closed_reason", required=lost is None)
    lead = _locked(session, user, lead_id)
    if lead.status not in OPEN_STATUSES:
        raise ConflictError("lead.not_open", "这条线索已经到店或已关闭，请刷新列表。")
    lead.status = LeadStatus.CLOSED
    lead.closed_reason = text or f"战败：{lost}"
    lead.lost_reason = lost
    cadence.end_lead(lead)
    session.flush()
    detail: dict[str, object] = {"reason": lead.closed_reason}
    if lost is not None:
        detail["lost_reason"] = lost
    audit.record(session, user.actor, "lead_closed", "lead", lead.id, detail)


# --- leads becoming customers ----------------------------------------------------------------


def attach_to_customer(session: Session, customer: Customer) -> list[uuid.UUID]:
    """Link every unlinked lead with the customer's number to them (the customer was just
    made at the desk); their contacts join the customer's timeline, and the consultant of
    an open lead becomes the owner of a customer who has none."""
    found = list(
        session.scalars(
            select(Lead)
            .where(Lead.phone == customer.phone, Lead.customer_id.is_(None))
            .order_by(Lead.received_at)
        )
    )
    for lead in found:
        lead.customer_id = customer.id
        cadence.end_lead(lead)  # the customer's own cadence takes over
        if customer.owner_id is None and lead.owner_id is not None and lead.status in OPEN_STATUSES:
            customer.owner_id = lead.owner_id
            customer.owner_since = lead.first_contact_at or lead.received_at
    ids = [lead.id for lead in found]
    if ids:
        session.execute(
            update(Interaction)
            .where(Interaction.lead_id.in_(ids), Interaction.customer_id.is_(None))
            .values(customer_id=customer.id, row_version=Interaction.row_version + 1)
            .execution_options(synchronize_session=False)
        )
    session.flush()
    return ids


def mark_visited(session: Session, customer: Customer, now: datetime) -> int:
    """The customer walked in: their open leads are answered in the best way (已到店).

    One query on the usual check-in, which has no lead: the customer's open leads and
    any lead with their number not linked yet (made on another PC meanwhile).
    """
    found = list(
        session.scalars(
            select(Lead).where(
                or_(
                    (Lead.customer_id == customer.id) & Lead.status.in_(OPEN_STATUSES),
                    (Lead.phone == customer.phone) & Lead.customer_id.is_(None),
                )
            )
        )
    )
    if not found:
        return 0
    if any(lead.customer_id is None for lead in found):
        attach_to_customer(session, customer)
    visited = 0
    for lead in found:
        if lead.status in OPEN_STATUSES:
            lead.status = LeadStatus.VISITED
            cadence.end_lead(lead)
            visited += 1
            if lead.first_contact_at is None:
                lead.first_contact_at = now
    session.flush()
    return visited


__all__ = [
    "DEFAULT_RESPONSE_HOURS",
    "CheckedLead",
    "LeadCreated",
    "LeadQuery",
    "LeadRow",
    "LeadSummary",
    "NewLead",
    "assign",
    "attach_to_customer",
    "check_lead",
    "close",
    "count_leads",
    "create_lead",
    "get_lead",
    "has_open_lead",
    "is_overdue",
    "lead_phone",
    "list_leads",
    "mark_visited",
    "reveal_phone",
    "summary",
]
