"""Reception (客户接待): find or create the customer by mobile number, check them in, hand over.

The front desk must log a visit in seconds, so the look-up is a prefix *range*
query on the phone column (``phone >= '138' AND phone < '139'``), which both
SQLite and PostgreSQL answer from the unique phone index whatever the
collation, and which never scans 200,000 customers. Four or more digits also
match the end of the number (尾号, the way customers say it: "0186"), through
the indexed ``phone_tail`` column. Leads (线索) not yet customers are found the
same way; checking one in creates the customer from the lead.

Rules kept here (and, where money or identity is at stake, in the database):

- one live customer per normalised mobile number: ``create``/``check_in`` refuse
  a duplicate with ``ConflictError("customer.duplicate", customer_id=...)`` so the
  desk can offer the existing record; the partial unique index
  ``uq_customers_phone_live`` refuses it too when two PCs race;
- no new customer without the PIPL service consent; the consent text version,
  time and who recorded it are stored, a refused marketing consent is stored too;
- hand-over (首问负责制): a customer whose owner took them on less than
  ``protection_days`` ago goes to that owner (warned as 撞单 so the desk does not
  hand them to someone else); otherwise to the next free consultant on duty by
  rotation (who was given a visitor longest ago). On duty comes from the roster
  (``showroom.services.roster``); free means nobody in front of them and nobody
  waiting for them. The desk may override, which is audited;
- the fair queue: with no consultant free, a visitor waits unassigned; whenever
  a consultant becomes free (a visitor leaves or is handed on, a check-in) the
  longest-waiting unassigned visitor is offered first (``offer_waiting``). A
  consultant is never given a second waiting visitor by rotation, only by hand
  or because the customer is theirs;
- booking codes (test drives, inspection-day registrations) check in the
  customer and link the visit; unknown, cancelled and expired codes are refused
  with a plain sentence; scanning the same code twice returns the first visit.

Self check-in at the kiosk lives in ``showroom.services.self_check_in``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from db import locks
from db.models import (
    Consent,
    ConsentPurpose,
    Customer,
    CustomerKind,
    CustomerRole,
    CustomerTag,
    CustomerTagLink,
    Deposit,
    DepositStatus,
    FollowUp,
    GradeChange,
    InspectionEvent,
    IntentGrade,
    Interaction,
    InteractionChannel,
    Lead,
    LeadStatus,
    PaymentPreference,
    Registration,
    RegistrationStatus,
    Role,
    SourceChannel,
    Staff,
    Store,
    TestDrive,
    TestDriveStatus,
    Title,
    Visit,
    VisitOutcome,
    VisitPurpose,
    VisitStatus,
)
from showroom import fields, numbering
from showroom.clock import local_day, utcnow
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.identifiers import normalize_mobile, phone_digits
from showroom.privacy import mask_id_number, mask_phone
from showroom.roles import may_reveal_personal_data
from showroom.services import (
    audit,
    cadence,
    churn,
    customers,
    lost_reasons,
    referrals,
    roster,
)
from showroom.users import StaffUser

STORE_ZONE = ZoneInfo("Asia/Shanghai")
CONSENT_TEXT_VERSION = "2026-01"
CONSENT_SERVICE_TEXT = (
    "为办理本次到店接待、试驾和检测预约，本店将收集并使用您的姓名和手机号码，"
    "仅用于联系您处理上述事务，保存至业务结束后三年。"
)
CONSENT_MARKETING_TEXT = "同意本店通过电话或短信向您介绍优惠活动和检测日信息（可随时退订）。"
LOOKUP_LIMIT = 8
MIN_LOOKUP_DIGITS = 3
MIN_TAIL_DIGITS = 4  # 尾号: fewer digits would match a tenth of all customers
MOBILE_LENGTH = 11
MAX_NAME_LENGTH = fields.MAX_LEGAL_NAME
OPEN_LEAD_STATUSES = (LeadStatus.NEW, LeadStatus.CONTACTED)
MAX_PARTY_SIZE = 20
BUSY_STATUSES = (VisitStatus.WITH_CONSULTANT, VisitStatus.TEST_DRIVING)
OPEN_REGISTRATION_STATUSES = (RegistrationStatus.SEATED, RegistrationStatus.WAITLISTED)
# A test-drive booking may be checked in from this long before its slot to its end.
EARLY_ARRIVAL = timedelta(hours=3)

_CODE_RE = re.compile(
    f"[{numbering.CODE_ALPHABET}]{{{numbering.CODE_LENGTH}}}"
    f"|[{numbering.LEGACY_ALPHABET}]{{{numbering.LEGACY_LENGTH}}}"
)


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The store-local day as an aware UTC interval [start, end)."""
    start = datetime(day.year, day.month, day.day, tzinfo=STORE_ZONE)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def display_name(name: str, title: Title) -> str:
    suffix = {Title.MR: "先生", Title.MS: "女士"}.get(title, "")
    return f"{name}{suffix}" if suffix and len(name) == 1 else f"{name} {suffix}".strip()


# --- typed input --------------------------------------------------------------------------------


def booking_code_in(text: str) -> str | None:
    """The booking code in what a scanner or a person typed, or None.

    A QR may carry a link or a prefix (``…/b/7KQ2MX``, ``BK:7KQ2MX``): the last
    token is the code. Anything else is not a code.
    """
    token = re.split(r"[/:=?#&]", text.strip())[-1]
    code = numbering.normalize_booking_code(token)
    return code if _CODE_RE.fullmatch(code) else None


def _prefix_upper_bound(digits: str) -> str | None:
    """The smallest digit string greater than every string starting with ``digits``."""
    stripped = digits.rstrip("9")
    if not stripped:
        return None
    return stripped[:-1] + str(int(stripped[-1]) + 1)


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerMatch:
    """A customer (or a lead not yet a customer) as the desk sees them while typing.

    The phone is masked. ``matched_by`` says how the typed digits matched:
    ``exact`` (the whole number), ``tail`` (the end: 尾号) or ``prefix``. For a lead
    (``is_lead``) ``id`` is the lead's id and the ``lead_*`` fields say where it came from.
    """

    id: uuid.UUID
    name: str
    title: Title
    display_name: str
    phone_masked: str
    phone_exact: bool  # the typed number is this customer's whole number
    owner_id: uuid.UUID | None
    owner_name: str | None
    intent_grade: IntentGrade | None
    last_visit_at: datetime | None
    open_test_drives: int
    open_registrations: int
    active_deposits: int
    here_now: bool  # checked in today and not left
    matched_by: str = "prefix"
    is_lead: bool = False
    lead_channel: SourceChannel | None = None
    lead_platform: str = ""
    lead_vehicle: str = ""


@dataclass(frozen=True)
class LookupResult:
    """What the desk's look-up found: at most ``limit`` matches, and whether there are more."""

    matches: tuple[CustomerMatch, ...]
    more: bool = False

    @property
    def unique(self) -> CustomerMatch | None:
        """The one match when there is exactly one (Enter may check them in)."""
        return self.matches[0] if len(self.matches) == 1 and not self.more else None


@dataclass(frozen=True)
class Routing:
    """Who will greet the customer, and why."""

    consultant_id: uuid.UUID | None
    consultant_name: str | None
    reason: str  # "owner", "rotation", "override", "booking", "queue", "none"
    conflict: bool = False  # 撞单: another consultant's protected customer
    owner_name: str | None = None
    protected_until: datetime | None = None
    owner_busy: bool = False
    queue_position: int = 0  # "queue": how many wait before this visitor, plus one


@dataclass(frozen=True)
class NewCustomer:
    """The new-customer form as typed.

    ``lead_id``: the lead this person is (found at the desk by phone); the customer is
    made from it, takes its number (``phone`` may then be left empty: the desk saw it
    masked) and its owner, and the lead's calls become the start of the timeline.
    """

    name: str
    title: Title
    phone: str
    source_channel: SourceChannel = SourceChannel.WALK_IN
    consent_service: bool = False
    consent_marketing: bool = False
    lead_id: uuid.UUID | None = None


@dataclass(frozen=True)
class CheckInResult:
    visit_id: uuid.UUID
    visit_no: str
    customer_id: uuid.UUID
    customer_name: str
    routing: Routing
    created_customer: bool = False
    already_checked_in: bool = False
    booking_code: str | None = None
    topics: frozenset[str] = field(default_factory=lambda: frozenset({"visits", "customers"}))


@dataclass(frozen=True)
class ConsultantRow:
    """A consultant as the desk sees them: ``busy`` with a visitor in front of them,
    ``waiting`` visitors given to them and not yet greeted."""

    id: uuid.UUID
    name: str
    on_duty: bool
    busy: bool
    waiting: int = 0

    @property
    def free(self) -> bool:
        return self.on_duty and not self.busy and self.waiting == 0


@dataclass(frozen=True)
class BoardRow:
    """One visitor on today's board (今日到店)."""

    id: uuid.UUID
    visit_no: str
    customer_id: uuid.UUID
    customer_name: str
    phone_masked: str
    purpose: VisitPurpose
    party_size: int
    status: VisitStatus
    consultant_id: uuid.UUID | None
    consultant_name: str | None
    arrived_at: datetime
    greeted_at: datetime | None
    left_at: datetime | None
    outcome: VisitOutcome | None
    intent_grade: IntentGrade | None
    booking: str  # "试驾" / "检测日" / ""


# --- look-up ------------------------------------------------------------------------------------


def lookup(session: Session, text: str, *, limit: int = LOOKUP_LIMIT) -> list[CustomerMatch]:
    """Customers (then leads) whose number starts, or with 4+ digits ends, with what was typed."""
    return list(find(session, text, limit=limit).matches)


def find(session: Session, text: str, *, limit: int = LOOKUP_LIMIT) -> LookupResult:
    """The desk's look-up: the whole number first, then 尾号 matches, then prefix matches,
    customers before leads; ``more`` when there were more than ``limit``."""
    digits = phone_digits(text)
    if digits is None or len(digits) < MIN_LOOKUP_DIGITS:
        return LookupResult(())
    wanted = limit + 1  # one more than shown tells whether the match is unique
    tail = MIN_TAIL_DIGITS <= len(digits) < MOBILE_LENGTH
    ranked: dict[uuid.UUID, str] = {}
    for customer_id, phone in _phone_matches(session, Customer, digits, wanted, tail):
        how = "exact" if phone == digits else ("prefix" if phone.startswith(digits) else "tail")
        ranked.setdefault(customer_id, how)
    order = {"exact": 0, "tail": 1, "prefix": 2}
    ids = sorted(ranked, key=lambda i: order[ranked[i]])
    matches = _matches(session, ids, digits)
    matches = sorted(
        (replace(m, matched_by=ranked[m.id]) for m in matches),
        key=lambda m: (order[m.matched_by], ids.index(m.id)),
    )
    if len(matches) < wanted:
        matches += _lead_matches(session, digits, wanted - len(matches), tail)
    return LookupResult(tuple(matches[:limit]), more=len(matches) > limit)


def _phone_matches(
    session: Session, model: type, digits: str, wanted: int, tail: bool
) -> list[tuple[uuid.UUID, str]]:
    """(id, phone) of rows whose number starts with ``digits`` or, if ``tail``, ends with them.

    Both are index range scans: the prefix on the phone index, the end on ``phone_tail``.
    """
    if model is Customer:
        live = [Customer.deleted_at.is_(None)]
    else:
        live = [Lead.status.in_(OPEN_LEAD_STATUSES), Lead.customer_id.is_(None)]
    stmt = select(model.id, model.phone).where(*live, model.phone >= digits)
    upper = _prefix_upper_bound(digits)
    if upper is not None:
        stmt = stmt.where(model.phone < upper)
    found = [(r[0], r[1]) for r in session.execute(stmt.order_by(model.phone).limit(wanted))]
    if tail:
        found += [
            (r[0], r[1])
            for r in session.execute(
                select(model.id, model.phone)
                .where(
                    *live,
                    model.phone_tail == digits[-MIN_TAIL_DIGITS:],
                    model.phone.endswith(digits, autoescape=True),
                )
                .order_by(model.phone)
                .limit(wanted)
            )
        ]
    return found


def _lead_matches(session: Session, digits: str, wanted: int, tail: bool) -> list[CustomerMatch]:
    found = dict(_phone_matches(session, Lead, digits, wanted, tail))
    if not found:
        return []
    owner = aliased(Staff)
    rows = session.execute(
        select(Lead, owner.display_name)
        .outerjoin(owner, owner.id == Lead.owner_id)
        .where(Lead.id.in_(list(found)))
        .order_by(Lead.received_at.desc())
    ).all()
    return [
        CustomerMatch(
            id=lead.id,
            name=lead.name,
            title=lead.title,
            display_name=display_name(lead.name, lead.title) if lead.name else "",
            phone_masked=mask_phone(lead.phone),
            phone_exact=lead.phone == digits,
            owner_id=lead.owner_id,
            owner_name=owner_name,
            intent_grade=None,
            last_visit_at=None,
            open_test_drives=0,
            open_registrations=0,
            active_deposits=0,
            here_now=False,
            matched_by="exact"
            if lead.phone == digits
            else ("prefix" if lead.phone.startswith(digits) else "tail"),
            is_lead=True,
            lead_channel=lead.source_channel,
            lead_platform=lead.platform,
            lead_vehicle=lead.vehicle_text,
        )
        for lead, owner_name in rows
    ][:wanted]


def find_by_phone(session: Session, phone: str) -> CustomerMatch | None:
    """The live customer with exactly this (normalised) number, or None."""
    number = normalize_mobile(phone)
    found = session.scalar(
        select(Customer.id).where(Customer.phone == number, Customer.deleted_at.is_(None))
    )
    return _matches(session, [found], number)[0] if found else None


def get_match(session: Session, customer_id: uuid.UUID) -> CustomerMatch:
    found = _matches(session, [customer_id], "")
    if not found:
        raise NotFoundError("customer.not_found", "客户不存在或已被合并。")
    return found[0]


def _matches(session: Session, ids: list[uuid.UUID], digits: str) -> list[CustomerMatch]:
    if not ids:
        return []
    owner = aliased(Staff)
    rows = session.execute(
        select(Customer, owner.display_name)
        .outerjoin(owner, owner.id == Customer.owner_id)
        .where(Customer.id.in_(ids), Customer.deleted_at.is_(None))
    ).all()

    def counts(stmt: object) -> dict[uuid.UUID, int]:
        return {row[0]: int(row[1]) for row in session.execute(stmt)}  # type: ignore[call-overload]

    last_visit = {
        row[0]: row[1]
        for row in session.execute(
            select(Visit.customer_id, func.max(Visit.arrived_at))
            .where(Visit.customer_id.in_(ids))
            .group_by(Visit.customer_id)
        )
    }
    drives = counts(
        select(TestDrive.customer_id, func.count())
        .where(
            TestDrive.customer_id.in_(ids),
            TestDrive.status.in_((TestDriveStatus.BOOKED, TestDriveStatus.CHECKED_OUT)),
        )
        .group_by(TestDrive.customer_id)
    )
    registrations = counts(
        select(Registration.customer_id, func.count())
        .where(
            Registration.customer_id.in_(ids),
            Registration.status.in_(OPEN_REGISTRATION_STATUSES),
        )
        .group_by(Registration.customer_id)
    )
    deposits = counts(
        select(Deposit.customer_id, func.count())
        .where(Deposit.customer_id.in_(ids), Deposit.status == DepositStatus.ACTIVE)
        .group_by(Deposit.customer_id)
    )
    start, end = day_bounds(local_day(utcnow()))
    here = set(
        session.scalars(
            select(Visit.customer_id).where(
                Visit.customer_id.in_(ids),
                Visit.arrived_at >= start,
                Visit.arrived_at < end,
                Visit.status != VisitStatus.LEFT,
            )
        )
    )
    matches = [
        CustomerMatch(
            id=c.id,
            name=c.name,
            title=c.title,
            display_name=display_name(c.name, c.title),
            phone_masked=mask_phone(c.phone),
            phone_exact=c.phone == digits,
            owner_id=c.owner_id,
            owner_name=owner_name,
            intent_grade=c.intent_grade,
            last_visit_at=last_visit.get(c.id),
            open_test_drives=drives.get(c.id, 0),
            open_registrations=registrations.get(c.id, 0),
            active_deposits=deposits.get(c.id, 0),
            here_now=c.id in here,
        )
        for c, owner_name in rows
    ]
    order = {customer_id: n for n, customer_id in enumerate(ids)}
    return sorted(matches, key=lambda m: (not m.phone_exact, order.get(m.id, 0)))


# --- consultants and routing --------------------------------------------------------------------


def _today(now: datetime) -> tuple[datetime, datetime]:
    return day_bounds(local_day(now))


def _busy_consultants(session: Session, store_id: uuid.UUID, now: datetime) -> set[uuid.UUID]:
    """Consultants with a visitor in front of them (greeted, or out on a test drive)."""
    start, end = _today(now)
    return set(
        session.scalars(
            select(Visit.consultant_id).where(
                Visit.store_id == store_id,
                Visit.arrived_at >= start,
                Visit.arrived_at < end,
                Visit.status.in_(BUSY_STATUSES),
                Visit.consultant_id.is_not(None),
            )
        )
    )


def _waiting_for(session: Session, store_id: uuid.UUID, now: datetime) -> dict[uuid.UUID, int]:
    """How many waiting visitors each consultant has been given and not yet greeted."""
    start, end = _today(now)
    return {
        row[0]: int(row[1])
        for row in session.execute(
            select(Visit.consultant_id, func.count())
            .where(
                Visit.store_id == store_id,
                Visit.arrived_at >= start,
                Visit.arrived_at < end,
                Visit.status == VisitStatus.WAITING,
                Visit.consultant_id.is_not(None),
            )
            .group_by(Visit.consultant_id)
        )
    }


def list_consultants(
    session: Session, store_id: uuid.UUID, *, now: datetime | None = None
) -> list[ConsultantRow]:
    """Sales consultants of the store on duty today (roster), by name: the desk's and the
    board's choice by hand. Nobody off duty, on leave or disabled is ever offered."""
    now = _now(now)
    busy = _busy_consultants(session, store_id, now)
    waiting = _waiting_for(session, store_id, now)
    return [
        ConsultantRow(p.id, p.name, True, p.id in busy, waiting.get(p.id, 0))
        for p in roster.on_duty(session, store_id, role=Role.SALES, now=now)
    ]


def _rotation(
    session: Session,
    store_id: uuid.UUID,
    now: datetime,
    consultants: list[ConsultantRow] | None = None,
) -> list[ConsultantRow]:
    """Free consultants (on duty, nobody in front of them, nobody waiting for them), the one
    handed a visitor longest ago today first (轮岗; ties by name so the order is stable)."""
    start, end = _today(now)
    if consultants is None:
        consultants = list_consultants(session, store_id, now=now)
    free = [c for c in consultants if c.free]
    if not free:
        return []
    last_given = {
        row[0]: row[1]
        for row in session.execute(
            select(Visit.consultant_id, func.max(Visit.arrived_at))
            .where(
                Visit.store_id == store_id,
                Visit.arrived_at >= start,
                Visit.arrived_at < end,
                Visit.consultant_id.in_([c.id for c in free]),
            )
            .group_by(Visit.consultant_id)
        )
    }
    never = datetime.min.replace(tzinfo=UTC)
    return sorted(free, key=lambda c: (last_given.get(c.id) or never, c.name, str(c.id)))


def next_by_rotation(
    session: Session, store_id: uuid.UUID, *, now: datetime | None = None
) -> tuple[uuid.UUID, str] | None:
    """The free consultant who was handed a visitor longest ago today (轮岗)."""
    free = _rotation(session, store_id, _now(now))
    return (free[0].id, free[0].name) if free else None


def _queued(store_id: uuid.UUID, now: datetime) -> list[Any]:
    start, end = _today(now)
    return [
        Visit.store_id == store_id,
        Visit.arrived_at >= start,
        Visit.arrived_at < end,
        Visit.status == VisitStatus.WAITING,
        Visit.consultant_id.is_(None),
    ]


def _queue_length(session: Session, store_id: uuid.UUID, now: datetime) -> int:
    """How many visitors wait with no consultant today."""
    stmt = select(func.count()).select_from(Visit).where(*_queued(store_id, now))
    return int(session.scalar(stmt) or 0)


# Visitors read beyond the free consultants, in case some customers are held elsewhere.
_QUEUE_SLACK = 5


def _queue(session: Session, store_id: uuid.UUID, now: datetime, limit: int) -> list[Visit]:
    """The ``limit`` longest-waiting visitors with no consultant (the fair queue), locked."""
    stmt = (
        select(Visit)
        .where(*_queued(store_id, now))
        .order_by(Visit.arrived_at, Visit.visit_no)
        .limit(limit)
        .with_for_update()
    )
    return list(session.scalars(stmt))


def _sales_on_duty(session: Session, staff_id: uuid.UUID, now: datetime) -> Staff | None:
    """The person if they are an active consultant on duty today, else None."""
    person = session.get(Staff, staff_id)
    if (
        person is None
        or not person.active
        or person.deleted_at is not None
        or Role.SALES not in person.roles
        or not roster.staff_on_duty(session, person.id, now=now)
    ):
        return None
    return person


def route(
    session: Session,
    store_id: uuid.UUID,
    customer_id: uuid.UUID | None,
    *,
    protection_days: int,
    override_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> Routing:
    """Who should greet this customer now (see the module docstring)."""
    now = _now(now)
    owner: Staff | None = None
    protected_until: datetime | None = None
    if customer_id is not None:
        customer = session.get(Customer, customer_id)
        if customer is not None and customer.owner_id is not None:
            owner = session.get(Staff, customer.owner_id)
            if customer.owner_since is not None:
                protected_until = customer.owner_since + timedelta(days=protection_days)
    owner_ok = (
        owner is not None
        and protected_until is not None
        and now < protected_until
        and _sales_on_duty(session, owner.id, now) is not None
    )
    owner_name = owner.display_name if owner is not None else None
    if override_id is not None:
        chosen = _sales_on_duty(session, override_id, now)
        if chosen is None:
            raise ValidationError(
                "reception.bad_consultant", "所选人员不是今天在岗的销售顾问，请重新选择。"
            )
        return Routing(
            chosen.id,
            chosen.display_name,
            "override",
            conflict=owner_ok and owner is not None and owner.id != chosen.id,
            owner_name=owner_name,
            protected_until=protected_until if owner_ok else None,
        )
    if owner_ok and owner is not None:
        busy = owner.id in _busy_consultants(session, store_id, now)
        return Routing(
            owner.id,
            owner.display_name,
            "owner",
            conflict=True,
            owner_name=owner_name,
            protected_until=protected_until,
            owner_busy=busy,
        )
    on_duty = list_consultants(session, store_id, now=now)
    if not on_duty:
        return Routing(None, None, "none", owner_name=owner_name)
    free = _rotation(session, store_id, now, on_duty)
    # Visitors already waiting in the queue are served first: a new arrival takes the
    # free consultant left over after them, or joins the end of the queue.
    ahead = _queue_length(session, store_id, now)
    if len(free) > ahead:
        chosen_row = free[ahead]
        return Routing(chosen_row.id, chosen_row.name, "rotation", owner_name=owner_name)
    return Routing(None, None, "queue", owner_name=owner_name, queue_position=ahead - len(free) + 1)


@dataclass(frozen=True)
class Offer:
    """A waiting visitor handed to a consultant who became free (the fair queue)."""

    visit_id: uuid.UUID
    visit_no: str
    customer_name: str
    consultant_id: uuid.UUID
    consultant_name: str


def offer_waiting(
    session: Session,
    actor: audit.Actor,
    store_id: uuid.UUID,
    *,
    now: datetime | None = None,
) -> list[Offer]:
    """Give each free consultant (rotation order) the longest-waiting unassigned visitor.

    Runs whenever a consultant may have become free (a visitor leaves, is handed to
    someone else, a check-in); a free consultant and an unassigned visitor never both
    wait. Each hand-over is audited; the visitor's customer becomes the consultant's
    (首问负责制) as with rotation at the desk.
    """
    now = _now(now)
    # Held to the commit, across the routing a check-in does next (db.locks, step 2).
    locks.lock_rotation(session, store_id)
    free = _rotation(session, store_id, now)
    if not free:
        return []
    # The customers' rows change (owner), but customers come first in the lock order and
    # this runs after the rotation and, on check-out, after the visit (db.locks): so take
    # only the rows nobody holds (SKIP LOCKED never waits, so it cannot deadlock). A
    # visitor whose customer another desk is writing keeps their place for the next round.
    queue = _queue(session, store_id, now, limit=len(free) + _QUEUE_SLACK)
    lockable = locks.lock_customers_if_free(session, [v.customer_id for v in queue])
    queue = [visit for visit in queue if visit.customer_id in lockable]
    offers = []
    for visit, consultant in zip(queue, free, strict=False):
        visit.consultant_id = consultant.id
        customer = lockable[visit.customer_id]
        customer.owner_id = consultant.id
        customer.owner_since = now
        audit.record(
            session,
            actor,
            "visit_offered",
            "visit",
            visit.id,
            {"visit_no": visit.visit_no, "to": consultant.name},
        )
        offers.append(
            Offer(
                visit.id,
                visit.visit_no,
                display_name(customer.name, customer.title),
                consultant.id,
                consultant.name,
            )
        )
    session.flush()
    return offers


def preview_routing(
    session: Session,
    store_id: uuid.UUID,
    customer_id: uuid.UUID | None,
    *,
    protection_days: int,
    now: datetime | None = None,
) -> Routing:
    return route(session, store_id, customer_id, protection_days=protection_days, now=now)


# --- creating customers -------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    """A legal name (it goes on agreements and contracts): see ``showroom.fields``."""
    if not name.strip():
        raise ValidationError("customer.name_missing", "请填写客户的姓氏或姓名。")
    return fields.legal_name(name)


def _duplicate(session: Session, phone: str) -> ConflictError | None:
    existing = session.execute(
        select(Customer.id, Customer.name, Customer.title).where(
            Customer.phone == phone, Customer.deleted_at.is_(None)
        )
    ).first()
    if existing is None:
        return None
    shown = display_name(existing.name, existing.title)
    return ConflictError(
        "customer.duplicate",
        f"该手机号已登记为 {shown}（{mask_phone(phone)}），不能重复建档。可直接使用已有客户。",
        customer_id=existing.id,
        name=shown,
        phone=mask_phone(phone),
    )


def create_customer(
    session: Session,
    actor: audit.Actor,
    store_id: uuid.UUID,
    form: NewCustomer,
    *,
    channel: str = "desk",
    now: datetime | None = None,
) -> uuid.UUID:
    """Create one customer with their consents; refuse a duplicate number.

    A customer made from a lead (``form.lead_id``) takes the lead's number; every lead
    with that number becomes theirs (see ``leads.attach_to_customer``).
    """
    return _create_customer(session, actor, store_id, form, channel=channel, now=now).id


def _create_customer(
    session: Session,
    actor: audit.Actor,
    store_id: uuid.UUID,
    form: NewCustomer,
    *,
    channel: str,
    now: datetime | None,
) -> Customer:
    # The object itself, so that a check-in goes on with it instead of loading it again.
    from showroom.services import leads

    now = _now(now)
    # A customer at the kiosk may prefer to give no surname, only 先生/女士; the desk
    # asks for the name when it is needed (contracts, agreements are signed there).
    unnamed = channel == "kiosk" and not form.name.strip() and form.title is not Title.NONE
    name = "" if unnamed else _clean_name(form.name)
    if form.lead_id is not None and not form.phone.strip():
        phone = leads.lead_phone(session, form.lead_id)
    else:
        phone = normalize_mobile(form.phone)
    if not form.consent_service:
        raise ValidationError(
            "consent.missing",
            "请先向客户说明个人信息的使用目的，并勾选“客户已同意”。未同意不能建档。",
        )
    duplicate = _duplicate(session, phone)
    if duplicate is not None:
        raise duplicate
    customer = Customer(
        store_id=store_id,
        name=name,
        title=form.title,
        phone=phone,
        source_channel=form.source_channel,
        created_at=now,
    )
    try:
        with session.begin_nested():  # another PC may have saved the same number just now
            session.add(customer)
            session.flush()
    except IntegrityError:
        duplicate = _duplicate(session, phone)
        raise duplicate or ConflictError(
            "customer.duplicate", "该手机号已登记，不能重复建档。"
        ) from None
    for purpose, granted in (
        (ConsentPurpose.SERVICE, True),
        (ConsentPurpose.MARKETING, form.consent_marketing),
    ):
        session.add(
            Consent(
                customer_id=customer.id,
                purpose=purpose,
                granted=granted,
                text_version=CONSENT_TEXT_VERSION,
                recorded_at=now,
                recorded_by_id=actor.staff_id,
                channel=channel,
            )
        )
    leads.attach_to_customer(session, customer)
    audit.record(
        session,
        actor,
        "customer_created",
        "customer",
        customer.id,
        {"marketing_consent": form.consent_marketing, "channel": channel},
    )
    return customer


# Chinese names of the source channels, for notes written into the record.
_SOURCE_TEXT = {
    SourceChannel.WALK_IN: "自然到店",
    SourceChannel.ONLINE_BOOKING: "线上预约",
    SourceChannel.REFERRAL: "老客户介绍",
    SourceChannel.SHORT_VIDEO: "短视频",
    SourceChannel.LISTING_PLATFORM: "二手车平台",
    SourceChannel.PHONE: "电话咨询",
    SourceChannel.OTHER: "其他",
}


def keep_offline_form(
    session: Session,
    actor: audit.Actor,
    customer_id: uuid.UUID,
    form: NewCustomer,
    *,
    channel: str = "desk",
    now: datetime | None = None,
) -> None:
    """A new-customer form typed offline met an existing customer on replay (same number).

    Nothing typed is lost: the consents given at the desk are recorded on the existing
    customer, and the name, title and source typed are kept in a note on the record
    for staff to compare (the record itself is not overwritten by a guess).
    """
    now = _now(now)
    if form.consent_service:
        for purpose, granted in (
            (ConsentPurpose.SERVICE, True),
            (ConsentPurpose.MARKETING, form.consent_marketing),
        ):
            session.add(
                Consent(
                    customer_id=customer_id,
                    purpose=purpose,
                    granted=granted,
                    text_version=CONSENT_TEXT_VERSION,
                    recorded_at=now,
                    recorded_by_id=actor.staff_id,
                    channel=channel,
                )
            )
    typed = display_name(" ".join(form.name.split()), form.title) or "（未填）"
    session.add(
        Interaction(
            customer_id=customer_id,
            staff_id=actor.staff_id,
            channel=InteractionChannel.IN_STORE,
            at=now,
            summary=(
                f"网络断开时在前台按新客户登记，恢复连接后发现该号码已有客户，已合并到本档案。"
                f"当时填写的姓名：{typed}；来源渠道：{_SOURCE_TEXT[form.source_channel]}。"
                "如姓名不同，请核对后在“编辑资料”中更正。"
            ),
        )
    )
    session.flush()


# --- check-in -----------------------------------------------------------------------------------


def _store_code(session: Session, store_id: uuid.UUID) -> str:
    # Kept for the transaction: a replay batch checks in many visitors of one store.
    codes: dict[uuid.UUID, str] = session.info.setdefault("showroom_store_codes", {})
    if store_id not in codes:
        codes[store_id] = session.get_one(Store, store_id).code
    return codes[store_id]


def _todays_open_visit(session: Session, customer_id: uuid.UUID, now: datetime) -> Visit | None:
    start, end = day_bounds(local_day(now))
    return session.scalars(
        select(Visit)
        .where(
            Visit.customer_id == customer_id,
            Visit.arrived_at >= start,
            Visit.arrived_at < end,
            Visit.status != VisitStatus.LEFT,
        )
        .order_by(Visit.arrived_at.desc())
    ).first()


def _new_visit(
    session: Session,
    actor: audit.Actor,
    store_id: uuid.UUID,
    customer: Customer,
    routing: Routing,
    *,
    purpose: VisitPurpose,
    source_channel: SourceChannel | None,
    party_size: int,
    now: datetime,
    test_drive_id: uuid.UUID | None = None,
    registration_id: uuid.UUID | None = None,
    booking_code: str | None = None,
) -> Visit:
    if not 1 <= party_size <= MAX_PARTY_SIZE:
        raise ValidationError("visit.party_size", "到店人数应在 1 到 20 之间。")
    # 首问负责制: whoever receives an unprotected customer becomes their owner; the owner
    # receiving them again renews the protection period. Written (row-locked) now, before
    # the visit counter: rows before counters, the order of db.locks.
    if routing.consultant_id is not None and (
        routing.reason in ("rotation", "owner", "booking")
        or (routing.reason == "override" and not routing.conflict)
    ):
        if customer.owner_id != routing.consultant_id:
            customer.owner_id = routing.consultant_id
        customer.owner_since = now
        session.flush()
    store_code = _store_code(session, store_id)
    visit = Visit(
        store_id=store_id,
        # The store's visit counter, as late as possible: it is locked until commit.
        visit_no=numbering.next_visit_no(session, store_code, local_day(now)),
        customer_id=customer.id,
        purpose=purpose,
        source_channel=source_channel or customer.source_channel,
        party_size=party_size,
        status=VisitStatus.WAITING,
        consultant_id=routing.consultant_id,
        arrived_at=now,
        test_drive_id=test_drive_id,
        registration_id=registration_id,
        created_by_id=actor.staff_id,
    )
    session.add(visit)
    session.flush()
    detail: dict[str, object] = {
        "visit_no": visit.visit_no,
        "purpose": purpose.value,
        "routing": routing.reason,
    }
    if booking_code:
        detail["booking_code"] = booking_code
    if routing.conflict:
        detail["conflict_owner"] = routing.owner_name
    audit.record(session, actor, "visit_checked_in", "visit", visit.id, detail)
    return visit


def check_in(
    session: Session,
    actor: audit.Actor,
    store_id: uuid.UUID,
    *,
    customer_id: uuid.UUID | None = None,
    new_customer: NewCustomer | None = None,
    purpose: VisitPurpose = VisitPurpose.BUY,
    party_size: int = 1,
    consultant_id: uuid.UUID | None = None,
    protection_days: int = 30,
    channel: str = "desk",
    now: datetime | None = None,
) -> CheckInResult:
    """Log an arrival for an existing customer (``customer_id``) or a new one (``new_customer``).

    A customer already in the showroom today is not checked in twice: their open
    visit comes back with ``already_checked_in``.
    """
    now = _now(now)
    purpose = VisitPurpose(purpose)  # a UI may hand over the plain string value
    created = False
    customer: Customer | None
    if customer_id is None:
        if new_customer is None:
            raise ValidationError("reception.no_customer", "请先输入手机号找到客户，或新建客户。")
        customer = _create_customer(
            session, actor, store_id, new_customer, channel=channel, now=now
        )
        created = True
    else:
        # First lock of the transaction (db.locks); a customer merged meanwhile is followed to
        # the record kept, so the visit lands there. UPDATE: routing may set the owner.
        customer = locks.lock_customer(session, customer_id, locks.UPDATE)
    if customer is None or customer.deleted_at is not None:
        raise NotFoundError("customer.not_found", "客户不存在或已被合并。")
    shown = display_name(customer.name, customer.title)
    if not created:
        open_visit = _todays_open_visit(session, customer.id, now)
        if open_visit is not None:
            return _existing_result(session, open_visit, shown)
    # Those already waiting go first: a consultant who became free takes the head of the queue.
    offer_waiting(session, actor, store_id, now=now)
    routing = route(
        session,
        store_id,
        customer.id,
        protection_days=protection_days,
        override_id=consultant_id,
        now=now,
    )
    # A new customer made from a lead has the lead's consultant as owner: routing says so.
    visit = _new_visit(
        session,
        actor,
        store_id,
        customer,
        routing,
        purpose=purpose,
        source_channel=new_customer.source_channel if new_customer else None,
        party_size=party_size,
        now=now,
    )
    from showroom.services import leads

    leads.mark_visited(session, customer, now)
    return CheckInResult(visit.id, visit.visit_no, customer.id, shown, routing, created)


def _existing_result(session: Session, visit: Visit, shown: str) -> CheckInResult:
    consultant = session.get(Staff, visit.consultant_id) if visit.consultant_id else None
    routing = Routing(
        visit.consultant_id,
        consultant.display_name if consultant else None,
        "booking" if visit.test_drive_id or visit.registration_id else "none",
    )
    return CheckInResult(
        visit.id,
        visit.visit_no,
        visit.customer_id,
        shown,
        routing,
        already_checked_in=True,
    )


def check_in_by_code(
    session: Session,
    actor: audit.Actor,
    store_id: uuid.UUID,
    text: str,
    *,
    protection_days: int = 30,
    channel: str = "desk",
    now: datetime | None = None,
) -> CheckInResult:
    """Check in the customer of a test-drive booking or an inspection-day registration."""
    now = _now(now)
    code = booking_code_in(text)
    if code is None:
        raise ValidationError(
            "booking.unreadable",
            "没有识别出预约码（应为 8 位字母或数字），请重新扫描或手动输入。",
        )
    drive = session.scalar(select(TestDrive).where(TestDrive.booking_code == code))
    registration = (
        None
        if drive is not None
        else session.scalar(select(Registration).where(Registration.booking_code == code))
    )
    if drive is None and registration is None:
        raise NotFoundError(
            "booking.unknown", f"预约码 {code} 不存在，请核对后重试。", booking=code
        )
    # The booking's customer first (db.locks), then the booking re-read as a merge left it.
    if drive is not None:
        drive, customer = locks.lock_customer_of(session, TestDrive, drive.id, locks.UPDATE)
    else:
        assert registration is not None
        registration, customer = locks.lock_customer_of(
            session, Registration, registration.id, locks.UPDATE
        )
    if customer is None:
        raise NotFoundError("customer.not_found", "客户不存在或已被合并。")
    if drive is not None:
        if drive.status in (TestDriveStatus.CANCELLED, TestDriveStatus.NO_SHOW):
            raise ValidationError(
                "booking.cancelled", f"预约 {code} 已取消，请重新预约。", booking=code
            )
        if drive.status is TestDriveStatus.RETURNED or drive.slot_end < now:
            raise ValidationError(
                "booking.expired", f"预约 {code} 已过期（预约时间已过），请重新预约。", booking=code
            )
        if drive.slot_start - EARLY_ARRIVAL > now:
            day = drive.slot_start.astimezone(STORE_ZONE)
            raise ValidationError(
                "booking.too_early",
                f"预约 {code} 的试驾时间是 {day:%m月%d日 %H:%M}，请在当天到店后签到。",
                booking=code,
                day=f"{day:%Y-%m-%d %H:%M}",
            )
        purpose = VisitPurpose.TEST_DRIVE
        existing = session.scalar(select(Visit).where(Visit.test_drive_id == drive.id))
        booked_consultant = drive.consultant_id
    else:
        assert registration is not None
        event = session.get_one(InspectionEvent, registration.event_id)
        if registration.status in (RegistrationStatus.CANCELLED, RegistrationStatus.NO_SHOW):
            raise ValidationError(
                "booking.cancelled", f"报名 {code} 已取消，请重新报名。", booking=code
            )
        if registration.status is RegistrationStatus.WAITLISTED:
            raise ValidationError(
                "registration.waitlisted",
                f"报名 {code} 仍在候补，尚未获得检测名额，请等候门店通知。",
                booking=code,
            )
        if event.event_date < local_day(now) or registration.status is RegistrationStatus.INSPECTED:
            raise ValidationError(
                "booking.expired", f"报名 {code} 对应的检测日已结束。", booking=code
            )
        if event.event_date > local_day(now):
            raise ValidationError(
                "booking.too_early",
                f"报名 {code} 的检测日是 {event.event_date:%m月%d日}，请在当天到店后签到。",
                booking=code,
                event_date=f"{event.event_date:%Y-%m-%d}",
            )
        purpose = VisitPurpose.INSPECTION_DAY
        existing = session.scalar(select(Visit).where(Visit.registration_id == registration.id))
        booked_consultant = None
    shown = display_name(customer.name, customer.title)
    if existing is not None:
        return _existing_result(session, existing, shown)
    booked = _sales_on_duty(session, booked_consultant, now) if booked_consultant else None
    if booked is not None:
        routing = Routing(booked.id, booked.display_name, "booking")
    else:  # no consultant on the booking, or they are not on duty today
        offer_waiting(session, actor, store_id, now=now)
        routing = route(session, store_id, customer.id, protection_days=protection_days, now=now)
    if registration is not None:
        # A business row: written before _new_visit takes the visit counter (db.locks).
        registration.status = RegistrationStatus.CHECKED_IN
        registration.checked_in_at = now
        session.flush()
    visit = _new_visit(
        session,
        actor,
        store_id,
        customer,
        routing,
        purpose=purpose,
        source_channel=None,
        party_size=1,
        now=now,
        test_drive_id=drive.id if drive is not None else None,
        registration_id=registration.id if registration is not None else None,
        booking_code=code,
    )
    return CheckInResult(
        visit.id,
        visit.visit_no,
        customer.id,
        shown,
        routing,
        booking_code=code,
        topics=frozenset({"visits", "customers", "test_drives", "registrations"}),
    )


# --- the board ----------------------------------------------------------------------------------


def board(session: Session, store_id: uuid.UUID, *, day: date | None = None) -> list[BoardRow]:
    """Today's visitors (store-local day), in order of arrival."""
    start, end = day_bounds(day or local_day(utcnow()))
    consultant = aliased(Staff)
    rows = session.execute(
        select(Visit, Customer.name, Customer.title, Customer.phone, consultant.display_name)
        .join(Customer, Customer.id == Visit.customer_id)
        .outerjoin(consultant, consultant.id == Visit.consultant_id)
        .where(Visit.store_id == store_id, Visit.arrived_at >= start, Visit.arrived_at < end)
        .order_by(Visit.arrived_at, Visit.visit_no)
    ).all()
    return [
        BoardRow(
            id=v.id,
            visit_no=v.visit_no,
            customer_id=v.customer_id,
            customer_name=display_name(name, title),
            phone_masked=mask_phone(phone),
            purpose=v.purpose,
            party_size=v.party_size,
            status=v.status,
            consultant_id=v.consultant_id,
            consultant_name=consultant_name,
            arrived_at=v.arrived_at,
            greeted_at=v.greeted_at,
            left_at=v.left_at,
            outcome=v.outcome,
            intent_grade=v.intent_grade,
            booking="试驾" if v.test_drive_id else ("检测日" if v.registration_id else ""),
        )
        for v, name, title, phone, consultant_name in rows
    ]


_ALLOWED_MOVES = {
    VisitStatus.WAITING: {VisitStatus.WITH_CONSULTANT, VisitStatus.TEST_DRIVING},
    VisitStatus.WITH_CONSULTANT: {VisitStatus.TEST_DRIVING, VisitStatus.WAITING},
    VisitStatus.TEST_DRIVING: {VisitStatus.WITH_CONSULTANT},
    VisitStatus.LEFT: set(),
}


def _open_visit(
    session: Session, visit_id: uuid.UUID, mode: locks.CustomerLock = locks.SHARE
) -> Visit:
    """The visit, after its customer's lock (db.locks): a merge finished first, or waits."""
    visit, _customer = locks.lock_customer_of(session, Visit, visit_id, mode)
    if visit is None:
        raise NotFoundError("visit.not_found", "到店记录不存在。")
    return visit


def set_status(
    session: Session,
    user: StaffUser,
    visit_id: uuid.UUID,
    status: VisitStatus,
    *,
    now: datetime | None = None,
) -> None:
    """Move a visit along the board: waiting → with consultant → test driving (and back)."""
    now = _now(now)
    visit = _open_visit(session, visit_id)
    if status not in _ALLOWED_MOVES[visit.status]:
        if visit.status is VisitStatus.LEFT:
            raise ConflictError("visit.bad_move", "该客户的状态已被其他电脑更新，请刷新后再试。")
        raise ConflictError("visit.bad_move", "不能这样改变接待状态。")
    if status is not VisitStatus.WAITING and visit.consultant_id is None:
        if user.has_role(Role.SALES):
            visit.consultant_id = user.id
        else:
            raise ValidationError("visit.no_consultant", "请先为该客户指定接待顾问。")
    if status is VisitStatus.WITH_CONSULTANT and visit.greeted_at is None:
        visit.greeted_at = now
    visit.status = status


def assign(
    session: Session,
    user: StaffUser,
    visit_id: uuid.UUID,
    consultant_id: uuid.UUID,
    *,
    now: datetime | None = None,
) -> str:
    """Manual override: hand the visitor to another consultant on duty (audited).

    Chosen by hand, a consultant may be given a second visitor; the one who handed theirs
    over may now be free and is offered the head of the queue.
    """
    now = _now(now)
    visit = _open_visit(session, visit_id)
    # The queue is handed out below (offer_waiting): the rotation before the visit's row,
    # as db.locks orders them.
    locks.lock_rotation(session, visit.store_id)
    if visit.status is VisitStatus.LEFT:
        raise ConflictError("visit.left", "客户已离店，不能再改派顾问。")
    staff = _sales_on_duty(session, consultant_id, now)
    if staff is None:
        raise ValidationError(
            "reception.bad_consultant", "所选人员不是今天在岗的销售顾问，请重新选择。"
        )
    previous = visit.consultant_id
    visit.consultant_id = staff.id
    audit.record(
        session,
        user.actor,
        "visit_reassigned",
        "visit",
        visit.id,
        {"from": str(previous) if previous else None, "to": str(staff.id)},
    )
    session.flush()
    offer_waiting(session, user.actor, visit.store_id, now=now)
    return staff.display_name


def check_out(
    session: Session,
    user: StaffUser,
    visit_id: uuid.UUID,
    outcome: VisitOutcome,
    grade: IntentGrade,
    *,
    notes: str = "",
    now: datetime | None = None,
    lost_reason: str | None = None,
) -> list[Offer]:
    """离店: record the outcome and intent grade; grade history and a follow-up come with it.

    A customer leaving without interest may have a 战败原因 from the store's list
    (``lost_reasons``); it is refused with any other outcome.

    The follow-up's date comes from the grade's cadence (``cadence.plan``): A within 48
    hours, B in two weeks ... D none; a deal's follow-ups come with its contract.

    The consultant is free again: the longest-waiting unassigned visitor is offered to
    the free consultants (``offer_waiting``); those hand-overs are returned.
    """
    now = _now(now)
    if lost_reason and lost_reason.strip() and outcome is not VisitOutcome.NO_INTEREST:
        raise ValidationError("visit.lost_reason_outcome", "只有“无意向”离店的客户才记录战败原因。")
    visit = _open_visit(session, visit_id, locks.UPDATE)  # the grade goes on the customer
    locks.lock_rotation(session, visit.store_id)  # before the visit's row (offer_waiting)
    if visit.status is VisitStatus.LEFT:
        raise ConflictError("visit.left", "该客户已经登记离店。")
    visit.lost_reason = lost_reasons.check(session, visit.store_id, lost_reason)
    visit.status = VisitStatus.LEFT
    visit.left_at = now
    visit.greeted_at = visit.greeted_at or now
    visit.outcome = outcome
    visit.intent_grade = grade
    if notes.strip():
        visit.notes = (visit.notes + "\n" + notes.strip()).strip()
    customer = session.get_one(Customer, visit.customer_id)
    if customer.intent_grade is not grade:
        session.add(
            GradeChange(
                customer_id=customer.id,
                old_grade=customer.intent_grade,
                new_grade=grade,
                changed_by_id=user.id,
                reason=f"到店 {visit.visit_no}",
            )
        )
        customer.intent_grade = grade
    session.add(
        Interaction(
            customer_id=customer.id,
            staff_id=visit.consultant_id or user.id,
            channel=InteractionChannel.IN_STORE,
            at=now,
            summary=f"到店 {visit.visit_no}：{_OUTCOME_TEXT[outcome]}，意向 {grade.value} 级",
        )
    )
    if outcome is VisitOutcome.DEAL:  # a deal's follow-ups come with its contract
        cadence.stop(session, customer, now=now, why=f"到店 {visit.visit_no} 成交，改为售后回访")
    else:
        cadence.plan(
            session,
            customer,
            cadence.VISIT,
            now=now,
            consultant_id=visit.consultant_id,
            visit_id=visit.id,
        )
    session.flush()
    return offer_waiting(session, user.actor, visit.store_id, now=now)


_OUTCOME_TEXT = {
    VisitOutcome.DEAL: "成交",
    VisitOutcome.DEPOSIT: "交意向金",
    VisitOutcome.FOLLOW_UP: "待跟进",
    VisitOutcome.NO_INTEREST: "无意向",
}


# --- customer record ----------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitLine:
    visit_no: str
    arrived_at: datetime
    purpose: VisitPurpose
    status: VisitStatus
    consultant_name: str | None
    outcome: VisitOutcome | None
    intent_grade: IntentGrade | None


@dataclass(frozen=True)
class InteractionLine:
    at: datetime
    channel: InteractionChannel
    staff_name: str | None
    summary: str
    response: str = ""
    next_step: str = ""
    next_on: date | None = None


@dataclass(frozen=True)
class GradeLine:
    at: datetime
    old_grade: IntentGrade | None
    new_grade: IntentGrade
    by: str | None
    reason: str


@dataclass(frozen=True)
class FollowUpLine:
    due_on: date
    reason: str
    consultant_name: str | None
    status: str
    result: str


@dataclass(frozen=True)
class CustomerRecord:
    """客户档案: everything the desk and the consultant need; phone and ID masked."""

    id: uuid.UUID
    display_name: str
    phone_masked: str
    id_number_masked: str | None
    owner_name: str | None
    owner_since: datetime | None
    intent_grade: IntentGrade | None
    source_channel: SourceChannel
    created_at: datetime
    budget_min: object
    budget_max: object
    intended_use: str
    preferred_models: str
    decision_cycle: str
    notes: str
    marketing_consent: bool | None
    consent_version: str | None
    visits: tuple[VisitLine, ...]
    interactions: tuple[InteractionLine, ...]
    grades: tuple[GradeLine, ...]
    follow_ups: tuple[FollowUpLine, ...]
    # The customer file (客户信息建档) and the timeline of everything that happened.
    name: str = ""
    title: Title = Title.NONE
    phone2_masked: str | None = None
    kind: CustomerKind = CustomerKind.INDIVIDUAL
    company_name: str = ""
    role: CustomerRole = CustomerRole.BUYER
    preferred_brands: str = ""
    payment_preference: PaymentPreference | None = None
    tags: tuple[str, ...] = ()
    row_version: int = 0
    timeline: tuple[customers.TimelineEntry, ...] = ()
    signals: tuple[str, ...] = ()  # churn signals (流失预警, churn.SIGNALS)
    referrals: tuple[referrals.ReferralLine, ...] = ()  # 老带新, both directions


def customer_record(
    session: Session, customer_id: uuid.UUID, *, now: datetime | None = None
) -> CustomerRecord:
    customer = session.get(Customer, customer_id)
    if customer is None or customer.deleted_at is not None:
        raise NotFoundError("customer.not_found", "客户不存在或已被合并。")
    names = {row[0]: row[1] for row in session.execute(select(Staff.id, Staff.display_name))}
    visits = session.scalars(
        select(Visit).where(Visit.customer_id == customer_id).order_by(Visit.arrived_at.desc())
    ).all()
    interactions = session.scalars(
        select(Interaction)
        .where(Interaction.customer_id == customer_id)
        .order_by(Interaction.at.desc())
    ).all()
    grades = session.scalars(
        select(GradeChange)
        .where(GradeChange.customer_id == customer_id)
        .order_by(GradeChange.created_at.desc())
    ).all()
    follow_ups = session.scalars(
        select(FollowUp).where(FollowUp.customer_id == customer_id).order_by(FollowUp.due_on)
    ).all()
    consent = session.scalars(
        select(Consent)
        .where(Consent.customer_id == customer_id, Consent.purpose == ConsentPurpose.MARKETING)
        .order_by(Consent.recorded_at.desc())
    ).first()
    return CustomerRecord(
        id=customer.id,
        display_name=display_name(customer.name, customer.title),
        phone_masked=mask_phone(customer.phone),
        id_number_masked=mask_id_number(customer.id_number) if customer.id_number else None,
        owner_name=names.get(customer.owner_id) if customer.owner_id else None,
        owner_since=customer.owner_since,
        intent_grade=customer.intent_grade,
        source_channel=customer.source_channel,
        created_at=customer.created_at,
        budget_min=customer.budget_min,
        budget_max=customer.budget_max,
        intended_use=customer.intended_use,
        preferred_models=customer.preferred_models,
        decision_cycle=customer.decision_cycle,
        notes=customer.notes,
        marketing_consent=consent.granted if consent else None,
        consent_version=consent.text_version if consent else None,
        visits=tuple(
            VisitLine(
                v.visit_no,
                v.arrived_at,
                v.purpose,
                v.status,
                names.get(v.consultant_id) if v.consultant_id else None,
                v.outcome,
                v.intent_grade,
            )
            for v in visits
        ),
        interactions=tuple(
            InteractionLine(
                i.at,
                i.channel,
                names.get(i.staff_id) if i.staff_id else None,
                i.summary,
                i.response,
                i.next_step,
                i.next_on,
            )
            for i in interactions
        ),
        grades=tuple(
            GradeLine(
                g.created_at,
                g.old_grade,
                g.new_grade,
                names.get(g.changed_by_id) if g.changed_by_id else None,
                g.reason,
            )
            for g in grades
        ),
        follow_ups=tuple(
            FollowUpLine(
                f.due_on,
                f.reason,
                names.get(f.consultant_id) if f.consultant_id else None,
                f.status.value,
                f.result,
            )
            for f in follow_ups
        ),
        name=customer.name,
        title=customer.title,
        phone2_masked=mask_phone(customer.phone2) if customer.phone2 else None,
        kind=customer.kind,
        company_name=customer.company_name,
        role=customer.role,
        preferred_brands=customer.preferred_brands,
        payment_preference=customer.payment_preference,
        tags=tuple(
            session.scalars(
                select(CustomerTag.name)
                .join(CustomerTagLink, CustomerTagLink.tag_id == CustomerTag.id)
                .where(CustomerTagLink.customer_id == customer.id)
                .order_by(CustomerTag.name)
            )
        ),
        row_version=customer.row_version,
        timeline=customers.timeline(session, customer.id),
        signals=churn.signals(session, [customer.id], _now(now)).get(customer.id, ()),
        referrals=tuple(referrals.lines(session, customer.id)),
    )


def reveal_id_number(session: Session, user: StaffUser, customer_id: uuid.UUID) -> str:
    """The full ID number, for roles that may see it; the look is audited (not the number)."""
    if not may_reveal_personal_data(user):
        raise PermissionDenied(
            "privacy.reveal_denied",
            "你的岗位不能查看客户的完整号码。",
            roles=",".join(r.value for r in user.ordered_roles),
        )
    customer = session.get(Customer, customer_id)
    if customer is None or customer.deleted_at is not None:
        raise NotFoundError("customer.not_found", "客户不存在或已被合并。")
    if not customer.id_number:
        raise NotFoundError("customer.no_id_number", "该客户没有登记身份证号。")
    audit.record(
        session,
        user.actor,
        "personal_data_revealed",
        "customer",
        customer.id,
        {"field": "id_number"},
    )
    return customer.id_number


__all__ = [
    "CONSENT_MARKETING_TEXT",
    "CONSENT_SERVICE_TEXT",
    "CONSENT_TEXT_VERSION",
    "BoardRow",
    "CheckInResult",
    "ConsultantRow",
    "CustomerMatch",
    "CustomerRecord",
    "LookupResult",
    "NewCustomer",
    "Offer",
    "Routing",
    "assign",
    "board",
    "booking_code_in",
    "check_in",
    "check_in_by_code",
    "check_out",
    "create_customer",
    "customer_record",
    "find",
    "find_by_phone",
    "get_match",
    "keep_offline_form",
    "list_consultants",
    "lookup",
    "next_by_rotation",
    "offer_waiting",
    "phone_digits",
    "preview_routing",
    "reveal_id_number",
    "route",
    "set_status",
]
