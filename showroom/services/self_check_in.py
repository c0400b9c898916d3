"""Self check-in at the kiosk (扫码签到), and the desk's side of it.

The kiosk stands in the open: anyone can type anyone's number. So:

- **A number alone discloses nothing and checks nobody in.** Whether the number
  belongs to a customer, whose, and who their consultant is stays in the database:
  the kiosk answers 签到成功 to every well-formed number. The check-in is a
  ``KioskArrival`` for the desk (its board lists it and chimes); staff greet the
  person, and only then is a visit logged (``receive``) or the entry dismissed
  (``dismiss``). A neighbour's number typed for fun creates no false visit.
- **A booking code or its QR is the customer's own secret** (random, see
  ``showroom.numbering``): it checks the booking in at once and the kiosk may greet
  the customer by surname and name their consultant. Every code that cannot check
  in here and now (unknown, cancelled, expired, not today, another store's) gets
  one and the same answer, so a guess learns nothing about which codes exist.
- **A kiosk typing many unrelated numbers or wrong codes is slowed and flagged.**
  In ``WINDOW`` the first ``FREE_TRIES`` unrelated tries go straight through; each
  one after that must wait ``STEP_SECONDS`` more than the one before (at most
  ``MAX_WAIT_SECONDS``) and is flagged on the desk's board. The rule lives here, so
  restarting the kiosk app gains nothing; the kiosk only shows the countdown.

A number typed at the kiosk is kept only as its last four digits (for staff to say
"尾号 5678"); a known customer is linked by id. Nothing here is logged with a number.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    BookingCode,
    Customer,
    KioskArrival,
    Staff,
    Store,
    Title,
    Visit,
    VisitPurpose,
)
from showroom.clock import utcnow
from showroom.errors import ConflictError, NotFoundError, ShowroomError, ValidationError
from showroom.identifiers import normalize_mobile
from showroom.privacy import mask_phone
from showroom.services import audit, reception
from showroom.surnames import surname_of
from showroom.users import StaffUser

WINDOW = timedelta(minutes=10)
FREE_TRIES = 3
STEP_SECONDS = 10
MAX_WAIT_SECONDS = 60
# How long an arrival nobody received stays on the board.
PENDING_FOR = timedelta(hours=2)

PHONE, CODE, REFUSED = "phone", "code", "refused"
RECEIVED, DISMISSED = "received", "dismissed"

REFUSED_CODE_MESSAGE = "这个预约码现在无法签到。请核对后重试，或到前台由工作人员为您办理。"


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KioskCheckIn:
    """All the kiosk learns from a check-in by number: that it was taken. Nothing else."""

    arrival_id: uuid.UUID


@dataclass(frozen=True)
class KioskGreeting:
    """What the kiosk may show after a booking code: this customer's surname and consultant.

    ``surname`` is empty when the customer gave none (``title`` alone, or neither).
    """

    surname: str
    title: Title
    consultant_name: str | None
    already_checked_in: bool = False


@dataclass(frozen=True)
class ArrivalRow:
    """One self check-in on the desk's board (staff may see who it is)."""

    id: uuid.UUID
    kiosk: str
    arrived_at: datetime
    via: str  # "phone" or "code"
    phone_tail: str
    customer_id: uuid.UUID | None
    customer_name: str | None  # None: the number is not a customer's
    phone_masked: str | None
    consultant_name: str | None  # the visit's (code) or the customer's owner (phone)
    visit_id: uuid.UUID | None
    flagged: bool


@dataclass(frozen=True)
class KioskAlert:
    """A kiosk that took many unrelated numbers or wrong codes lately."""

    kiosk: str
    unrelated: int
    refused_codes: int
    since: datetime


# --- the pacing rule -----------------------------------------------------------------------


def wait_seconds(unrelated: int) -> int:
    """Seconds a kiosk must leave after its last try once it has had ``unrelated`` tries
    in ``WINDOW`` (0 for the first ``FREE_TRIES``)."""
    over = unrelated - FREE_TRIES
    return 0 if over < 0 else min(STEP_SECONDS * (over + 1), MAX_WAIT_SECONDS)


def _recent(session: Session, kiosk: str, now: datetime) -> list[KioskArrival]:
    return list(
        session.scalars(
            select(KioskArrival)
            .where(KioskArrival.kiosk == kiosk, KioskArrival.arrived_at > now - WINDOW)
            .order_by(KioskArrival.arrived_at)
        )
    )


def _key(arrival: KioskArrival) -> object:
    """Tries that are "the same person": one customer, one unknown number (by its tail)."""
    if arrival.via == REFUSED:
        return ("refused", arrival.id)
    if arrival.customer_id is not None:
        return ("customer", arrival.customer_id)
    return ("tail", arrival.phone_tail)


def _pace(recent: list[KioskArrival], now: datetime) -> int:
    """The number of unrelated tries so far; refuses with the seconds left when too soon."""
    unrelated = len({_key(a) for a in recent})
    wait = wait_seconds(unrelated)
    if wait and recent:
        left = (recent[-1].arrived_at + timedelta(seconds=wait) - now).total_seconds()
        if left > 0:
            seconds = math.ceil(left)
            raise ValidationError(
                "kiosk.slow_down", f"请稍候 {seconds} 秒后再签到。", seconds=seconds
            )
    return unrelated


def _kiosk_name(kiosk: str) -> str:
    return (kiosk.strip() or "自助机")[:40]


# --- the kiosk's two ways in ---------------------------------------------------------------


def kiosk_store(session: Session, store_code: str) -> uuid.UUID:
    """The store this kiosk stands in: by its code, or the only store there is."""
    found = session.scalar(
        select(Store.id).where(Store.code == store_code, Store.deleted_at.is_(None))
    )
    if found is None:
        stores = list(session.scalars(select(Store.id).where(Store.deleted_at.is_(None)).limit(2)))
        if len(stores) != 1:
            raise NotFoundError("kiosk.no_store", "自助机尚未设置门店，请联系工作人员。")
        found = stores[0]
    return found


def check_in_by_phone(
    session: Session,
    store_id: uuid.UUID,
    phone: str,
    *,
    kiosk: str,
    now: datetime | None = None,
) -> KioskCheckIn:
    """A number typed at the kiosk: an arrival for the desk, the same answer for any number."""
    now = now or utcnow()
    kiosk = _kiosk_name(kiosk)
    number = normalize_mobile(phone)  # a malformed number is only a typing error
    customer_id = session.scalar(
        select(Customer.id).where(Customer.phone == number, Customer.deleted_at.is_(None))
    )
    recent = _recent(session, kiosk, now)
    probe = KioskArrival(via=PHONE, customer_id=customer_id, phone_tail=number[-4:])
    again = next(
        (
            a
            for a in reversed(recent)
            if a.via == PHONE and _key(a) == _key(probe) and a.handled_at is None
        ),
        None,
    )
    if again is not None:
        return KioskCheckIn(again.id)  # the same person pressing twice: one entry
    unrelated = _pace(recent, now)
    arrival = KioskArrival(
        store_id=store_id,
        kiosk=kiosk,
        arrived_at=now,
        via=PHONE,
        phone_tail=number[-4:],
        customer_id=customer_id,
        flagged=unrelated >= FREE_TRIES,
    )
    session.add(arrival)
    session.flush()
    audit.record(
        session,
        audit.KIOSK,
        "kiosk_arrival",
        "kiosk_arrival",
        arrival.id,
        {"via": PHONE, "kiosk": kiosk, "flagged": arrival.flagged},
    )
    return KioskCheckIn(arrival.id)


def check_in_by_code(
    session: Session,
    store_id: uuid.UUID,
    text: str,
    *,
    kiosk: str,
    protection_days: int = 30,
    now: datetime | None = None,
) -> KioskGreeting:
    """A booking code or QR: checks the booking in and greets its customer.

    Any code that cannot check in here and now raises ``kiosk.code_refused`` with one
    message whatever the reason, and counts towards the kiosk's pacing.
    """
    now = now or utcnow()
    kiosk = _kiosk_name(kiosk)
    code = reception.booking_code_in(text)
    if code is None:
        raise ValidationError("booking.unreadable", "没有识别出二维码，请再扫一次。")
    recent = _recent(session, kiosk, now)
    unrelated = _pace(recent, now)
    registered = session.get(BookingCode, code)
    result: reception.CheckInResult | None = None
    if registered is not None and registered.store_id == store_id:
        try:
            with session.begin_nested():
                result = reception.check_in_by_code(
                    session,
                    audit.KIOSK,
                    store_id,
                    code,
                    protection_days=protection_days,
                    channel="kiosk",
                    now=now,
                )
        except ShowroomError:
            result = None
    if result is None:
        refused = KioskArrival(
            store_id=store_id,
            kiosk=kiosk,
            arrived_at=now,
            via=REFUSED,
            flagged=unrelated >= FREE_TRIES,
            handled_at=now,
            outcome=REFUSED,
        )
        session.add(refused)
        session.flush()
        # Kept although refused: the pacing and the desk's alert count it.
        raise NotFoundError("kiosk.code_refused", REFUSED_CODE_MESSAGE, keep_changes=True)
    customer = session.get_one(Customer, result.customer_id)
    if not result.already_checked_in:
        arrival = KioskArrival(
            store_id=store_id,
            kiosk=kiosk,
            arrived_at=now,
            via=CODE,
            customer_id=customer.id,
            phone_tail=customer.phone[-4:],
            visit_id=result.visit_id,
            flagged=unrelated >= FREE_TRIES,
        )
        session.add(arrival)
        session.flush()
    return KioskGreeting(
        surname=surname_of(customer.name),
        title=customer.title,
        consultant_name=result.routing.consultant_name,
        already_checked_in=result.already_checked_in,
    )


# --- the desk ------------------------------------------------------------------------------


def pending(
    session: Session, store_id: uuid.UUID, *, now: datetime | None = None
) -> list[ArrivalRow]:
    """Self check-ins not yet received, oldest first (the board lists them, and chimes)."""
    now = now or utcnow()
    arrivals = list(
        session.scalars(
            select(KioskArrival)
            .where(
                KioskArrival.store_id == store_id,
                KioskArrival.handled_at.is_(None),
                KioskArrival.arrived_at > now - PENDING_FOR,
            )
            .order_by(KioskArrival.arrived_at)
        )
    )
    names = {row[0]: row[1] for row in session.execute(select(Staff.id, Staff.display_name))}
    result = []
    for arrival in arrivals:
        customer = (
            session.get(Customer, arrival.customer_id) if arrival.customer_id is not None else None
        )
        if customer is not None and customer.deleted_at is not None:
            customer = None
        visit = session.get(Visit, arrival.visit_id) if arrival.visit_id is not None else None
        consultant_id = (
            visit.consultant_id
            if visit is not None
            else (customer.owner_id if customer is not None else None)
        )
        result.append(
            ArrivalRow(
                id=arrival.id,
                kiosk=arrival.kiosk,
                arrived_at=arrival.arrived_at,
                via=arrival.via,
                phone_tail=arrival.phone_tail,
                customer_id=customer.id if customer is not None else None,
                customer_name=(
                    reception.display_name(customer.name, customer.title)
                    if customer is not None
                    else None
                ),
                phone_masked=mask_phone(customer.phone) if customer is not None else None,
                consultant_name=names.get(consultant_id) if consultant_id else None,
                visit_id=arrival.visit_id,
                flagged=arrival.flagged,
            )
        )
    return result


def alerts(
    session: Session, store_id: uuid.UUID, *, now: datetime | None = None
) -> list[KioskAlert]:
    """Kiosks of the store that took more unrelated tries in ``WINDOW`` than pass freely."""
    now = now or utcnow()
    recent = session.scalars(
        select(KioskArrival)
        .where(KioskArrival.store_id == store_id, KioskArrival.arrived_at > now - WINDOW)
        .order_by(KioskArrival.arrived_at)
    ).all()
    by_kiosk: dict[str, list[KioskArrival]] = {}
    for arrival in recent:
        by_kiosk.setdefault(arrival.kiosk, []).append(arrival)
    found = []
    for kiosk, arrivals in sorted(by_kiosk.items()):
        unrelated = len({_key(a) for a in arrivals})
        if unrelated > FREE_TRIES:
            refused = sum(1 for a in arrivals if a.via == REFUSED)
            found.append(KioskAlert(kiosk, unrelated, refused, arrivals[0].arrived_at))
    return found


def _open_arrival(session: Session, arrival_id: uuid.UUID) -> KioskArrival:
    arrival = session.get(KioskArrival, arrival_id)
    if arrival is None:
        raise NotFoundError("kiosk_arrival.not_found", "这条自助签到已不存在。")
    if arrival.handled_at is not None:
        raise ConflictError("kiosk_arrival.handled", "这位客户已由其他同事接待或处理。")
    return arrival


def receive(
    session: Session,
    user: StaffUser,
    arrival_id: uuid.UUID,
    *,
    protection_days: int = 30,
    now: datetime | None = None,
) -> reception.CheckInResult | None:
    """Staff greeted the person: a known customer's visit is logged (arrival time kept).

    Returns the check-in (None for a number that is no customer's: staff register
    them at the desk as any new customer, with their consent).
    """
    now = now or utcnow()
    arrival = _open_arrival(session, arrival_id)
    result = None
    if arrival.visit_id is None and arrival.customer_id is not None:
        result = reception.check_in(
            session,
            user.actor,
            arrival.store_id,
            customer_id=arrival.customer_id,
            purpose=VisitPurpose.BUY,
            protection_days=protection_days,
            channel="kiosk",
            now=arrival.arrived_at,
        )
        arrival.visit_id = result.visit_id
    arrival.handled_at = now
    arrival.handled_by_id = user.id
    arrival.outcome = RECEIVED
    audit.record(session, user.actor, "kiosk_arrival_received", "kiosk_arrival", arrival.id, {})
    return result


def dismiss(
    session: Session, user: StaffUser, arrival_id: uuid.UUID, *, now: datetime | None = None
) -> None:
    """Nobody of that number was there (or it was a test): the entry leaves the board."""
    now = now or utcnow()
    arrival = _open_arrival(session, arrival_id)
    arrival.handled_at = now
    arrival.handled_by_id = user.id
    arrival.outcome = DISMISSED
    audit.record(session, user.actor, "kiosk_arrival_dismissed", "kiosk_arrival", arrival.id, {})
