"""Inspection days (透明检测日): events, registration with seats and a wait-list, the day's queue.

Seats are never over-given. ``register`` and ``cancel`` lock the event row
(``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite ``Database.write`` already
holds the write lock), count the seats taken and give the lowest free seat
number or the next wait-list place. The database refuses what the service
might still get wrong: seat numbers are unique per event and a trigger
refuses a seat number above the event's seats (migration 0008). One car is
registered once per event (unique live plate per event).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db import locks
from db.models import (
    Consent,
    ConsentPurpose,
    Customer,
    DocumentKind,
    EventStatus,
    Inspection,
    InspectionEvent,
    Registration,
    RegistrationStatus,
    Role,
    Staff,
    Store,
    Title,
)
from showroom import numbering
from showroom.clock import utcnow
from showroom.documents.model import Document, Field, QrCode, Section
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.identifiers import normalize_mobile, normalize_plate, normalize_vin
from showroom.privacy import mask_phone
from showroom.services import audit, reception, roster
from showroom.users import effective_roles

STORE_ZONE = ZoneInfo("Asia/Shanghai")
QR_PREFIX = "SHOWROOM:ID:"
HOLDS_SEAT = (
    RegistrationStatus.SEATED,
    RegistrationStatus.CHECKED_IN,
    RegistrationStatus.INSPECTED,
)
LIVE = (*HOLDS_SEAT, RegistrationStatus.WAITLISTED)
STATUS_LABELS = {
    RegistrationStatus.SEATED: "已报名",
    RegistrationStatus.WAITLISTED: "候补",
    RegistrationStatus.CHECKED_IN: "已签到",
    RegistrationStatus.INSPECTED: "检测中/已检",
    RegistrationStatus.CANCELLED: "已取消",
    RegistrationStatus.NO_SHOW: "未到场",
}
MAX_REPEAT_MONTHS = 12
# Why the desk must phone a customer (registrations.call_reason).
CALL_PROMOTED = "promoted"
CALL_RESCHEDULED = "rescheduled"
CALL_EVENT_CANCELLED = "event_cancelled"
CALL_LABELS = {
    CALL_PROMOTED: "候补转正·待电话通知",
    CALL_RESCHEDULED: "时间变更·待电话通知",
    CALL_EVENT_CANCELLED: "检测日取消·待电话通知",
}
CONSENT_TEXT_VERSION = "inspection-day-1"


def _now(now: datetime | None) -> datetime:
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return now.astimezone(UTC)


# --- events -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventForm:
    title: str
    day: date
    opens: time
    closes: time
    bays: int = 2
    seats: int = 20
    offer: str = "免费全车检测一次，出具检测报告"
    repeat_months: int = 0  # 0: once; n: also the same weekday-of-month for n more months


@dataclass(frozen=True)
class EventRow:
    id: uuid.UUID
    title: str
    day: date
    starts_at: datetime
    ends_at: datetime
    bays: int
    seats: int
    offer: str
    seated: int
    waitlisted: int
    checked_in: int
    status: EventStatus

    @property
    def seats_left(self) -> int:
        return max(0, self.seats - self.seated)

    def hours(self, zone: ZoneInfo = STORE_ZONE) -> str:
        return f"{self.starts_at.astimezone(zone):%H:%M}–{self.ends_at.astimezone(zone):%H:%M}"


def _same_weekday_next_months(day: date, months: int) -> list[date]:
    """The n-th weekday of the month of ``day`` in the following months (e.g. 2nd Saturday)."""
    nth = (day.day - 1) // 7
    days = [day]
    year, month = day.year, day.month
    for _ in range(months):
        month += 1
        if month > 12:
            year, month = year + 1, 1
        first = date(year, month, 1)
        offset = (day.weekday() - first.weekday()) % 7
        candidate = first + timedelta(days=offset + 7 * nth)
        if candidate.month != month:  # a 5th weekday that month lacks: take the last one
            candidate -= timedelta(days=7)
        days.append(candidate)
    return days


def create_events(
    session: Session,
    actor: audit.Actor,
    store_id: uuid.UUID,
    form: EventForm,
    *,
    now: datetime | None = None,
) -> list[uuid.UUID]:
    """Create an inspection day, or a monthly series of them (same weekday of the month)."""
    now = _now(now)
    title = form.title.strip()
    if not title:
        raise ValidationError("inspection_event.title_required", "请填写检测日名称。")
    if not 1 <= form.seats <= 500:
        raise ValidationError("inspection_event.seats_range", "名额应在 1 到 500 之间。")
    if not 1 <= form.bays <= 20:
        raise ValidationError("inspection_event.bays_range", "检测工位应在 1 到 20 之间。")
    if form.closes <= form.opens:
        raise ValidationError("inspection_event.hours", "结束时间应晚于开始时间。")
    if not 0 <= form.repeat_months <= MAX_REPEAT_MONTHS:
        raise ValidationError(
            "inspection_event.repeat_range",
            f"按月重复最多 {MAX_REPEAT_MONTHS} 个月。",
            months=MAX_REPEAT_MONTHS,
        )
    if datetime.combine(form.day, form.closes, STORE_ZONE) <= now:
        raise ValidationError("inspection_event.past", "检测日不能设在已经过去的时间。")
    series = uuid.uuid4() if form.repeat_months else None
    ids = []
    for day in _same_weekday_next_months(form.day, form.repeat_months):
        event = InspectionEvent(
            store_id=store_id,
            title=title,
            event_date=day,
            starts_at=datetime.combine(day, form.opens, STORE_ZONE).astimezone(UTC),
            ends_at=datetime.combine(day, form.closes, STORE_ZONE).astimezone(UTC),
            bays=form.bays,
            seats=form.seats,
            offer=form.offer.strip(),
            status=EventStatus.OPEN,
            series_id=series,
        )
        session.add(event)
        session.flush()
        audit.record(
            session,
            actor,
            "inspection_event_created",
            "inspection_event",
            event.id,
            {"date": day.isoformat(), "seats": form.seats, "bays": form.bays},
        )
        ids.append(event.id)
    return ids


def list_events(
    session: Session,
    store_id: uuid.UUID | None,
    *,
    from_day: date | None = None,
    limit: int = 24,
    include_cancelled: bool = False,
) -> list[EventRow]:
    """Events from ``from_day`` (default today) on, with seats taken and the wait-list.

    Staff see cancelled days too (``include_cancelled``): their customers still need a call.
    """
    from_day = from_day or reception.local_day(_now(None))
    stmt = (
        select(InspectionEvent)
        .where(InspectionEvent.event_date >= from_day)
        .order_by(InspectionEvent.event_date, InspectionEvent.starts_at)
        .limit(limit)
    )
    if not include_cancelled:
        stmt = stmt.where(InspectionEvent.status != EventStatus.CANCELLED)
    if store_id is not None:
        stmt = stmt.where(InspectionEvent.store_id == store_id)
    events = list(session.scalars(stmt))
    counts: dict[tuple[uuid.UUID, RegistrationStatus], int] = {}
    if events:
        for event_id, status, n in session.execute(
            select(Registration.event_id, Registration.status, func.count())
            .where(Registration.event_id.in_([e.id for e in events]))
            .group_by(Registration.event_id, Registration.status)
        ):
            counts[(event_id, status)] = n
    return [_event_row(e, counts) for e in events]


def _event_row(
    event: InspectionEvent, counts: dict[tuple[uuid.UUID, RegistrationStatus], int]
) -> EventRow:
    def n(*statuses: RegistrationStatus) -> int:
        return sum(counts.get((event.id, s), 0) for s in statuses)

    return EventRow(
        event.id,
        event.title,
        event.event_date,
        event.starts_at,
        event.ends_at,
        event.bays,
        event.seats,
        event.offer,
        n(*HOLDS_SEAT),
        n(RegistrationStatus.WAITLISTED),
        n(RegistrationStatus.CHECKED_IN, RegistrationStatus.INSPECTED),
        event.status,
    )


def get_event(session: Session, event_id: uuid.UUID) -> EventRow:
    event = session.get(InspectionEvent, event_id)
    if event is None:
        raise NotFoundError("inspection_event.not_found", "没有找到这场检测日。")
    counts = {
        (event_id, status): n
        for status, n in session.execute(
            select(Registration.status, func.count())
            .where(Registration.event_id == event_id)
            .group_by(Registration.status)
        )
    }
    return _event_row(event, counts)


def _locked_event(session: Session, event_id: uuid.UUID) -> InspectionEvent:
    # The row lock serialises every seat decision for this event across PCs (PostgreSQL);
    # SQLite's BEGIN IMMEDIATE already did the same for the whole file.
    event = session.scalars(
        select(InspectionEvent).where(InspectionEvent.id == event_id).with_for_update()
    ).first()
    if event is None:
        raise NotFoundError("inspection_event.not_found", "没有找到这场检测日。")
    return event


@dataclass(frozen=True)
class EventEdit:
    """A day's new details; every field is required (the form sends them all back)."""

    title: str
    day: date
    opens: time
    closes: time
    bays: int
    seats: int
    offer: str


@dataclass(frozen=True)
class EventChange:
    """What an edit or a cancellation did, and whom the desk must now phone."""

    event: EventRow
    to_call: tuple[RegistrationRow, ...]
    promoted: tuple[RegistrationRow, ...]  # wait-listed customers given a new seat
    renumbered: int  # seated customers whose seat number moved down (fewer seats)


def _live(session: Session, event_id: uuid.UUID) -> list[Registration]:
    return list(
        session.scalars(
            select(Registration)
            .where(Registration.event_id == event_id, Registration.status.in_(LIVE))
            .order_by(Registration.seat_no, Registration.waitlist_position)
        )
    )


def _require_manager(session: Session, actor: audit.Actor) -> None:
    """Changing or cancelling a day is the manager's (as creating one is on screen)."""
    if actor == audit.KIOSK:
        raise PermissionDenied("inspection_event.manager_only", "只有店长可以修改或取消检测日。")
    if actor.staff_id is None:
        return  # the command line / system
    staff = session.get(Staff, actor.staff_id)
    if staff is None or not staff.active or Role.MANAGER not in effective_roles(staff.roles):
        raise PermissionDenied("inspection_event.manager_only", "只有店长可以修改或取消检测日。")


def _editable(event: InspectionEvent, now: datetime) -> None:
    if event.status is EventStatus.CANCELLED:
        raise ValidationError("inspection_event.cancelled", "这场检测日已取消，不能再修改。")
    if event.ends_at <= now:
        raise ValidationError("inspection_event.over", "这场检测日已经结束，不能再修改。")


def update_event(
    session: Session,
    actor: audit.Actor,
    event_id: uuid.UUID,
    edit: EventEdit,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> EventChange:
    """Change a day's time, bays, seats, title or offer.

    Seats never drop below the seats already given (i17's database constraint is the last
    line; this is the sentence). Seat numbers above a smaller total move down to free
    numbers; more seats go to the wait-list in order. A new date or time flags every
    registered customer to be phoned; so does a new seat for someone on the wait-list.
    """
    now = _now(now)
    _require_manager(session, actor)
    event = _locked_event(session, event_id)
    _editable(event, now)
    if expected_version is not None and event.row_version != expected_version:
        raise ConflictError(
            "inspection_event.changed", "这场检测日刚被其他人修改过，请刷新后再改。"
        )
    title = edit.title.strip()
    if not title:
        raise ValidationError("inspection_event.title_required", "请填写检测日名称。")
    if len(title) > 100:
        raise ValidationError("inspection_event.title_too_long", "检测日名称最多 100 个字。")
    if not 1 <= edit.seats <= 500:
        raise ValidationError("inspection_event.seats_range", "名额应在 1 到 500 之间。")
    if not 1 <= edit.bays <= 20:
        raise ValidationError("inspection_event.bays_range", "检测工位应在 1 到 20 之间。")
    if edit.closes <= edit.opens:
        raise ValidationError("inspection_event.hours", "结束时间应晚于开始时间。")
    starts = datetime.combine(edit.day, edit.opens, STORE_ZONE).astimezone(UTC)
    ends = datetime.combine(edit.day, edit.closes, STORE_ZONE).astimezone(UTC)
    moved = (starts, ends) != (event.starts_at, event.ends_at)
    if moved and ends <= now:
        raise ValidationError("inspection_event.past", "检测日不能改到已经过去的时间。")
    live = _live(session, event.id)
    seated = [r for r in live if r.seat_no is not None]
    if edit.seats < len(seated):
        raise ValidationError(
            "inspection_event.seats_below_given",
            f"已有 {len(seated)} 位客户占用名额，名额不能少于 {len(seated)}。"
            "如需减少，请先取消部分报名。",
            seats=edit.seats,
            given=len(seated),
        )
    before = {
        "title": event.title,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "bays": event.bays,
        "seats": event.seats,
        "offer": event.offer,
    }
    # Seat numbers first (the trigger checks them against the seats), then the event.
    renumbered = 0
    taken = {r.seat_no for r in seated}
    free = iter(n for n in range(1, edit.seats + 1) if n not in taken)
    for reg in sorted(seated, key=lambda r: r.seat_no or 0):
        if (reg.seat_no or 0) > edit.seats:
            reg.seat_no = next(free)
            renumbered += 1
    session.flush()
    event.title = title
    event.event_date = edit.day
    event.starts_at, event.ends_at = starts, ends
    event.bays = edit.bays
    event.seats = edit.seats
    event.offer = edit.offer.strip()
    session.flush()
    promoted: list[Registration] = []
    waiting = [r for r in live if r.status is RegistrationStatus.WAITLISTED]
    taken = {r.seat_no for r in seated}
    open_seats = [n for n in range(1, edit.seats + 1) if n not in taken]
    for reg, seat in zip(waiting, open_seats, strict=False):
        reg.status = RegistrationStatus.SEATED
        reg.seat_no = seat
        reg.waitlist_position = None
        reg.needs_call = True
        reg.call_reason = CALL_PROMOTED
        reg.promoted_at = now
        promoted.append(reg)
    to_call: list[Registration] = list(promoted)
    if moved:
        for reg in live:
            if reg.status in (RegistrationStatus.SEATED, RegistrationStatus.WAITLISTED):
                reg.needs_call = True
                reg.call_reason = CALL_RESCHEDULED
                if reg not in to_call:
                    to_call.append(reg)
    session.flush()
    after = {
        "title": event.title,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "bays": event.bays,
        "seats": event.seats,
        "offer": event.offer,
    }
    audit.record(
        session,
        actor,
        "inspection_event_changed",
        "inspection_event",
        event.id,
        {
            "from": {k: v for k, v in before.items() if after[k] != v},
            "to": {k: v for k, v in after.items() if before[k] != v},
            "promoted": len(promoted),
            "renumbered": renumbered,
            "to_call": len(to_call),
        },
    )
    to_call.sort(key=lambda r: (r.seat_no is None, r.seat_no or 0, r.waitlist_position or 0))
    return EventChange(
        get_event(session, event.id),
        tuple(_rows(session, to_call)) if to_call else (),
        tuple(_rows(session, promoted)) if promoted else (),
        renumbered,
    )


def cancel_event(
    session: Session,
    actor: audit.Actor,
    event_id: uuid.UUID,
    *,
    reason: str = "",
    now: datetime | None = None,
) -> EventChange:
    """Cancel a day: its registrations are cancelled and each customer is to be phoned."""
    now = _now(now)
    _require_manager(session, actor)
    event = _locked_event(session, event_id)
    _editable(event, now)
    live = _live(session, event.id)
    if any(r.status in (RegistrationStatus.CHECKED_IN, RegistrationStatus.INSPECTED) for r in live):
        raise ValidationError(
            "inspection_event.in_progress",
            "这场检测日已有客户签到或正在检测，不能取消；请改为结束后不再接待。",
        )
    event.status = EventStatus.CANCELLED
    for reg in live:
        reg.status = RegistrationStatus.CANCELLED
        reg.seat_no = None
        reg.waitlist_position = None
        reg.needs_call = True
        reg.call_reason = CALL_EVENT_CANCELLED
    session.flush()
    audit.record(
        session,
        actor,
        "inspection_event_cancelled",
        "inspection_event",
        event.id,
        {
            "date": event.event_date.isoformat(),
            "reason": reason.strip()[:200],
            "to_call": len(live),
        },
    )
    return EventChange(
        get_event(session, event.id), tuple(_rows(session, live)) if live else (), (), 0
    )


def to_call(session: Session, event_id: uuid.UUID) -> list[RegistrationRow]:
    """Registrations of a day the desk still has to phone, in seat then wait-list order."""
    regs = list(
        session.scalars(
            select(Registration).where(
                Registration.event_id == event_id, Registration.needs_call.is_(True)
            )
        )
    )
    regs.sort(key=lambda r: (r.seat_no is None, r.seat_no or 0, r.waitlist_position or 0))
    return _rows(session, regs) if regs else []


# --- registration -------------------------------------------------------------------------


@dataclass(frozen=True)
class CarForm:
    plate: str
    brand: str = ""
    model: str = ""
    year: int | None = None
    mileage_km: int | None = None
    vin: str = ""
    concerns: str = ""


@dataclass(frozen=True)
class RegistrationResult:
    id: uuid.UUID
    booking_code: str
    seated: bool
    seat_no: int | None
    waitlist_position: int | None
    event_title: str
    event_day: date
    hours: str
    plate: str
    car: str
    customer_shown: str  # as the customer typed it, or the desk's display name
    phone_masked: str
    offer: str

    @property
    def qr_payload(self) -> str:
        return f"{QR_PREFIX}{self.booking_code}"

    @property
    def message(self) -> str:
        if self.seated:
            return (
                f"报名成功：{self.event_day:%m月%d日} {self.hours}，名额第 {self.seat_no} 位。"
                f"请凭报名码 {self.booking_code} 到店签到。"
            )
        return (
            f"本场名额已满，已为您登记候补第 {self.waitlist_position} 位。"
            f"有人取消时我们会按顺序电话通知您（报名码 {self.booking_code}）。"
        )


def _clean_car(car: CarForm) -> CarForm:
    plate = normalize_plate(car.plate)
    vin = normalize_vin(car.vin) if car.vin.strip() else ""
    year = car.year
    if year is not None and not 1980 <= year <= utcnow().year + 1:
        raise ValidationError("registration.year_range", "年份不对，请填写车辆的出厂年份。")
    if car.mileage_km is not None and not 0 <= car.mileage_km <= 2_000_000:
        raise ValidationError("registration.mileage_range", "里程不对，请填写表显公里数。")
    return CarForm(
        plate,
        car.brand.strip()[:40],
        car.model.strip()[:60],
        year,
        car.mileage_km,
        vin,
        car.concerns.strip()[:1000],
    )


def _duplicate_car(session: Session, event_id: uuid.UUID, plate: str) -> Registration | None:
    return session.scalars(
        select(Registration).where(
            Registration.event_id == event_id,
            Registration.plate == plate,
            Registration.status != RegistrationStatus.CANCELLED,
        )
    ).first()


def _duplicate_error(existing: Registration) -> ConflictError:
    return ConflictError(
        "registration.duplicate",
        f"车牌 {existing.plate} 已报名本场检测日（报名码 {existing.booking_code}），"
        "同一辆车每场只能报名一次。",
        booking=existing.booking_code,
        plate=existing.plate,
    )


def register(
    session: Session,
    actor: audit.Actor,
    *,
    event_id: uuid.UUID,
    customer_id: uuid.UUID,
    car: CarForm,
    channel: str = "desk",
    now: datetime | None = None,
) -> RegistrationResult:
    """Seat the car, or put it on the wait-list when every seat is taken."""
    now = _now(now)
    car = _clean_car(car)
    # The customer, then the day's seats (db.locks).
    customer = locks.lock_customer(session, customer_id)
    if customer is None:
        raise NotFoundError("customer.not_found", "客户不存在或已被合并。")
    event = _locked_event(session, event_id)
    if event.status in (EventStatus.CANCELLED, EventStatus.CLOSED):
        raise ValidationError("registration.event_closed", "这场检测日已停止报名。")
    if event.ends_at <= now:
        raise ValidationError(
            "registration.event_past", "这场检测日已经结束，不能再报名，请选择以后的检测日。"
        )
    existing = _duplicate_car(session, event.id, car.plate)
    if existing is not None:
        raise _duplicate_error(existing)
    taken = set(
        session.scalars(
            select(Registration.seat_no).where(
                Registration.event_id == event.id, Registration.seat_no.is_not(None)
            )
        )
    )
    free = next((n for n in range(1, event.seats + 1) if n not in taken), None)
    position = None
    if free is None:
        last = session.scalar(
            select(func.max(Registration.waitlist_position)).where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
        )
        position = (last or 0) + 1
    registration = Registration(
        event_id=event.id,
        customer_id=customer.id,
        booking_code=numbering.issue_booking_code(session, event.store_id, "registration"),
        status=RegistrationStatus.SEATED if free else RegistrationStatus.WAITLISTED,
        seat_no=free,
        waitlist_position=position,
        plate=car.plate,
        brand=car.brand,
        model=car.model,
        year=car.year,
        mileage_km=car.mileage_km,
        vin=car.vin or None,
        concerns=car.concerns,
        channel=channel,
    )
    try:
        with session.begin_nested():
            session.add(registration)
            session.flush()
    except IntegrityError:
        # Another desk registered the same car between our check and our insert.
        again = _duplicate_car(session, event.id, car.plate)
        if again is not None:
            raise _duplicate_error(again) from None
        raise
    audit.record(
        session,
        actor,
        "inspection_registered",
        "registration",
        registration.id,
        {
            "event": str(event.id),
            "code": registration.booking_code,
            "seat": free,
            "waitlist": position,
            "channel": channel,
        },
    )
    shown = reception.display_name(customer.name, customer.title)
    return _result(event, registration, shown, mask_phone(customer.phone))


def _result(
    event: InspectionEvent, reg: Registration, shown: str, phone_masked: str
) -> RegistrationResult:
    return RegistrationResult(
        reg.id,
        reg.booking_code,
        reg.seat_no is not None,
        reg.seat_no,
        reg.waitlist_position,
        event.title,
        event.event_date,
        f"{event.starts_at.astimezone(STORE_ZONE):%H:%M}–{event.ends_at.astimezone(STORE_ZONE):%H:%M}",
        reg.plate,
        " ".join(p for p in (reg.brand, reg.model) if p),
        shown,
        phone_masked,
        event.offer,
    )


def register_by_phone(
    session: Session,
    actor: audit.Actor,
    store_id: uuid.UUID,
    *,
    event_id: uuid.UUID,
    phone: str,
    name: str,
    title: Title = Title.NONE,
    consent: bool,
    car: CarForm,
    channel: str = "desk",
    now: datetime | None = None,
) -> RegistrationResult:
    """Find the customer by mobile number or create them (the desk's rules), then register."""
    now = _now(now)
    if not consent:
        raise ValidationError(
            "registration.consent_required",
            "请先勾选同意门店使用手机号办理本次检测日报名（用于签到和名额通知）。",
        )
    mobile = normalize_mobile(phone)
    _clean_car(car)  # a wrong plate is reported before a customer is created for nothing
    found = reception.find_by_phone(session, mobile)
    if found is None:
        customer_id = reception.create_customer(
            session,
            actor,
            store_id,
            reception.NewCustomer(name=name, title=title, phone=mobile, consent_service=True),
            channel=channel,
            now=now,
        )
    else:
        locked = locks.lock_customer(session, found.id)  # before writing under them
        if locked is None:
            raise NotFoundError("customer.not_found", "客户不存在或已被合并。")
        customer_id = locked.id
        session.add(
            Consent(
                customer_id=customer_id,
                purpose=ConsentPurpose.SERVICE,
                granted=True,
                text_version=CONSENT_TEXT_VERSION,
                recorded_at=now,
                recorded_by_id=actor.staff_id,
                channel=channel,
            )
        )
    result = register(
        session,
        actor,
        event_id=event_id,
        customer_id=customer_id,
        car=car,
        channel=channel,
        now=now,
    )
    if channel in ("kiosk", "web"):
        # The kiosk and the phone show only what this customer typed, never a stored name.
        suffix = {Title.MR: "先生", Title.MS: "女士"}.get(title, "")
        shown = (name.strip() + suffix) or "您"  # 欧阳 stays 欧阳, not 欧
        return _replace_shown(result, shown, mask_phone(mobile))
    return _replace_shown(result, result.customer_shown, mask_phone(mobile))


def _replace_shown(result: RegistrationResult, shown: str, phone: str) -> RegistrationResult:
    return replace(result, customer_shown=shown, phone_masked=phone)


def cancel(
    session: Session,
    actor: audit.Actor,
    registration_id: uuid.UUID,
    *,
    now: datetime | None = None,
) -> RegistrationRow | None:
    """Cancel; a freed seat goes to the first on the wait-list, flagged to be called.

    Returns the promoted registration, if any.
    """
    now = _now(now)
    reg, _customer = locks.lock_customer_of(session, Registration, registration_id)
    if reg is None:
        raise NotFoundError("registration.not_found", "没有找到这条报名。")
    event = _locked_event(session, reg.event_id)
    session.refresh(reg)
    if reg.status not in (RegistrationStatus.SEATED, RegistrationStatus.WAITLISTED):
        raise ValidationError(
            "registration.not_cancellable",
            f"报名 {reg.booking_code} 当前状态为“{STATUS_LABELS[reg.status]}”，不能取消。",
            booking_code=reg.booking_code,
            status_label=STATUS_LABELS[reg.status],
        )
    freed = reg.seat_no
    reg.status = RegistrationStatus.CANCELLED
    reg.seat_no = None
    reg.waitlist_position = None
    reg.needs_call = False
    session.flush()  # the seat must be free before it is given again (unique seat index)
    audit.record(
        session,
        actor,
        "inspection_registration_cancelled",
        "registration",
        reg.id,
        {"code": reg.booking_code, "freed_seat": freed},
    )
    if freed is None or event.ends_at <= now:
        return None
    # Another customer's row, found under the event's lock: locked and re-read itself
    # (a merge moving it waits for this row, or has finished before it is read).
    first = session.scalars(
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(Registration.waitlist_position, Registration.created_at)
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if first is None:
        return None
    first.status = RegistrationStatus.SEATED
    first.seat_no = freed
    first.waitlist_position = None
    first.needs_call = True
    first.call_reason = CALL_PROMOTED
    first.promoted_at = now
    session.flush()
    audit.record(
        session,
        actor,
        "inspection_waitlist_promoted",
        "registration",
        first.id,
        {"code": first.booking_code, "seat": freed},
    )
    return _rows(session, [first])[0]


def mark_called(session: Session, actor: audit.Actor, registration_id: uuid.UUID) -> None:
    """The desk has phoned a promoted customer; the flag goes off."""
    reg, _customer = locks.lock_customer_of(session, Registration, registration_id)
    if reg is None:
        raise NotFoundError("registration.not_found", "没有找到这条报名。")
    reg.needs_call = False
    session.flush()
    audit.record(
        session,
        actor,
        "inspection_promotion_called",
        "registration",
        reg.id,
        {"reason": reg.call_reason or CALL_PROMOTED},
    )


# --- lists --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationRow:
    id: uuid.UUID
    event_id: uuid.UUID
    booking_code: str
    status: RegistrationStatus
    seat_no: int | None
    waitlist_position: int | None
    needs_call: bool
    customer_name: str
    phone_masked: str
    plate: str
    car: str
    mileage_km: int | None
    concerns: str
    channel: str
    checked_in_at: datetime | None
    bay: int | None
    inspection_id: uuid.UUID | None
    call_reason: str | None = None
    customer_id: uuid.UUID | None = None

    @property
    def status_label(self) -> str:
        if self.needs_call:
            return CALL_LABELS.get(self.call_reason or CALL_PROMOTED, CALL_LABELS[CALL_PROMOTED])
        return STATUS_LABELS[self.status]

    @property
    def place(self) -> str:
        if self.seat_no is not None:
            return f"名额 {self.seat_no}"
        if self.waitlist_position is not None:
            return f"候补 {self.waitlist_position}"
        return ""


def _rows(session: Session, regs: list[Registration]) -> list[RegistrationRow]:
    customers = {
        c.id: c
        for c in session.scalars(
            select(Customer).where(Customer.id.in_({r.customer_id for r in regs}))
        )
    }
    inspections = dict(
        session.execute(
            select(Inspection.registration_id, Inspection.id).where(
                Inspection.registration_id.in_([r.id for r in regs]),
                Inspection.revision == 1,
            )
        ).all()
    )
    return [
        RegistrationRow(
            r.id,
            r.event_id,
            r.booking_code,
            r.status,
            r.seat_no,
            r.waitlist_position,
            r.needs_call,
            reception.display_name(customers[r.customer_id].name, customers[r.customer_id].title),
            mask_phone(customers[r.customer_id].phone),
            r.plate,
            " ".join(p for p in (r.brand, r.model, str(r.year) if r.year else "") if p),
            r.mileage_km,
            r.concerns,
            r.channel,
            r.checked_in_at,
            r.bay,
            inspections.get(r.id),
            r.call_reason,
            r.customer_id,
        )
        for r in regs
    ]


def registrations(session: Session, event_id: uuid.UUID) -> list[RegistrationRow]:
    """Seated first by seat, then the wait-list in order, then the cancelled."""
    regs = list(session.scalars(select(Registration).where(Registration.event_id == event_id)))
    order = {s: i for i, s in enumerate(LIVE)}
    regs.sort(
        key=lambda r: (
            r.status is RegistrationStatus.CANCELLED,
            r.status is RegistrationStatus.WAITLISTED,
            r.seat_no or 0,
            r.waitlist_position or 0,
            order.get(r.status, 99),
        )
    )
    return _rows(session, regs) if regs else []


# --- the day ------------------------------------------------------------------------------


def code_in(text: str) -> str | None:
    """The registration code in a scan (``SHOWROOM:ID:7KQ2MX``) or typed text."""
    return reception.booking_code_in(text)


def check_in(
    session: Session,
    actor: audit.Actor,
    store_id: uuid.UUID,
    text: str,
    *,
    now: datetime | None = None,
) -> RegistrationRow:
    """Check a registered car in on the day and put it in the shortest bay queue."""
    now = _now(now)
    code = code_in(text)
    if code is None:
        raise ValidationError(
            "booking.unreadable",
            "没有识别出报名码（应为 8 位字母或数字），请重新扫描或手动输入。",
        )
    found = session.scalar(select(Registration.id).where(Registration.booking_code == code))
    if found is None:
        raise NotFoundError(
            "booking.unknown", f"报名码 {code} 不存在，请核对后重试。", booking=code
        )
    # UPDATE: the desk's check-in below may make a consultant this customer's owner.
    reg, _customer = locks.lock_customer_of(session, Registration, found, locks.UPDATE)
    if reg is None:
        raise NotFoundError(
            "booking.unknown", f"报名码 {code} 不存在，请核对后重试。", booking=code
        )
    if reg.status is RegistrationStatus.WAITLISTED:
        raise ValidationError(
            "registration.waitlisted",
            f"报名 {code} 仍在候补第 {reg.waitlist_position} 位，尚未获得检测名额；"
            "如现场有空余，请先取消他人报名或等候通知。",
            booking=code,
            waitlist_position=reg.waitlist_position,
        )
    event = _locked_event(session, reg.event_id)
    if reg.status is RegistrationStatus.SEATED:
        # The desk's check-in: a visit on the reception board, the consultant routing.
        reception.check_in_by_code(
            session, actor, store_id, code, channel="inspection_day", now=now
        )
    session.flush()
    if reg.bay is None and reg.status is RegistrationStatus.CHECKED_IN:
        reg.bay = _shortest_bay(session, event)
        reg.needs_call = False
        session.flush()
        audit.record(
            session,
            actor,
            "inspection_checked_in",
            "registration",
            reg.id,
            {"code": code, "bay": reg.bay},
        )
    return _rows(session, [reg])[0]


def _waiting(session: Session, event_id: uuid.UUID) -> list[Registration]:
    return list(
        session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event_id,
                Registration.status == RegistrationStatus.CHECKED_IN,
            )
            .order_by(Registration.checked_in_at, Registration.seat_no)
        )
    )


def _shortest_bay(session: Session, event: InspectionEvent) -> int:
    load = dict.fromkeys(range(1, event.bays + 1), 0)
    for reg in _waiting(session, event.id):
        if reg.bay in load:
            load[reg.bay] += 1
    return min(load, key=lambda bay: (load[bay], bay))


@dataclass(frozen=True)
class BayQueue:
    bay: int
    waiting: tuple[RegistrationRow, ...]


def queue(session: Session, event_id: uuid.UUID) -> list[BayQueue]:
    """Checked-in cars waiting, per bay (a car checked in at the desk waits under bay 0)."""
    event = session.get(InspectionEvent, event_id)
    if event is None:
        raise NotFoundError("inspection_event.not_found", "没有找到这场检测日。")
    waiting = _waiting(session, event_id)
    rows = _rows(session, waiting) if waiting else []
    bays = [
        BayQueue(bay, tuple(r for r in rows if r.bay == bay)) for bay in range(1, event.bays + 1)
    ]
    loose = tuple(r for r in rows if r.bay is None or r.bay > event.bays)
    return bays + ([BayQueue(0, loose)] if loose else [])


def _require_appraiser_on_duty(session: Session, actor: audit.Actor, now: datetime) -> None:
    """An inspection is recorded by an appraiser who is at work today (roster)."""
    person = session.get(Staff, actor.staff_id) if actor.staff_id else None
    if person is None or Role.APPRAISER not in person.roles:
        raise PermissionDenied(
            "inspection.appraiser_only",
            "只有评估师可以接车检测（可在“员工”中为员工增加评估师岗位）。",
        )
    if not roster.staff_on_duty(session, person.id, now=now):
        raise PermissionDenied(
            "inspection.appraiser_off_duty",
            "你今天不在排班上，不能接车检测。请先让店长调整今天的排班。",
        )


def take_next(
    session: Session,
    actor: audit.Actor,
    event_id: uuid.UUID,
    bay: int,
    *,
    now: datetime | None = None,
) -> uuid.UUID | None:
    """The appraiser of ``bay`` takes the first car waiting there (else one not yet in a bay).

    Returns the new inspection's id, or None when nobody waits.
    """
    from showroom.services import inspections  # inspections imports this module's rows

    now = _now(now)
    _require_appraiser_on_duty(session, actor, now)
    event = _locked_event(session, event_id)  # two appraisers never take the same car
    waiting = _waiting(session, event.id)
    mine = [r for r in waiting if r.bay == bay] or [r for r in waiting if r.bay is None]
    if not mine:
        return None
    reg = mine[0]
    # Found under the event's lock, so the row is locked itself (db.locks): re-read as stored.
    session.refresh(reg, with_for_update=True)
    reg.bay = bay
    reg.status = RegistrationStatus.INSPECTED
    session.flush()
    inspection_id = inspections.start(
        session,
        actor,
        event.store_id,
        registration_id=reg.id,
        plate=reg.plate,
        vin=reg.vin,
        brand=reg.brand,
        model=reg.model,
        odometer_km=reg.mileage_km,
        now=now,
    )
    audit.record(
        session,
        actor,
        "inspection_taken",
        "registration",
        reg.id,
        {"code": reg.booking_code, "bay": bay, "inspection": str(inspection_id)},
    )
    return inspection_id


# --- kiosk --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicEvent:
    """What a kiosk may show of an event: nothing about who registered."""

    id: uuid.UUID
    title: str
    day: date
    hours: str
    seats: int
    seats_left: int
    offer: str


def kiosk_events(
    session: Session, store_id: uuid.UUID, *, now: datetime | None = None
) -> list[PublicEvent]:
    now = _now(now)
    return [
        PublicEvent(e.id, e.title, e.day, e.hours(), e.seats, e.seats_left, e.offer)
        for e in list_events(session, store_id, from_day=reception.local_day(now), limit=6)
        if e.ends_at > now and e.status is EventStatus.OPEN
    ]


def store_of(session: Session, store_code: str) -> uuid.UUID:
    store = session.scalars(select(Store).where(Store.code == store_code)).first()
    if store is None:
        raise NotFoundError("store.not_found", f"门店 {store_code} 不存在。", store_code=store_code)
    return store.id


# --- the confirmation slip (检测日报名单) ---------------------------------------------------

SLIP_TEMPLATE_VERSION = "registration-slip-1"


def registration_slip(
    session: Session,
    registration_id: uuid.UUID,
    *,
    templates_dir: object = None,
    letterhead_overrides: dict[str, str] | None = None,
) -> Document:
    """The paper the customer takes from the desk: day, seat or wait-list place, code and QR.

    The phone is masked: the slip may be left on a counter.
    """
    from showroom.documents.letterhead import letterhead

    reg = session.get(Registration, registration_id)
    if reg is None:
        raise NotFoundError("registration.not_found", "没有找到这条报名。")
    event = session.get_one(InspectionEvent, reg.event_id)
    customer = session.get_one(Customer, reg.customer_id)
    starts, ends = event.starts_at.astimezone(STORE_ZONE), event.ends_at.astimezone(STORE_ZONE)
    hours = f"{starts:%H:%M}–{ends:%H:%M}"
    if reg.seat_no is not None:
        place = f"名额第 {reg.seat_no} 位"
    elif reg.waitlist_position is not None:
        place = f"候补第 {reg.waitlist_position} 位（有人取消时按顺序电话通知）"
    else:
        place = STATUS_LABELS[reg.status]
    head = letterhead(session, event.store_id, templates_dir, letterhead_overrides)  # type: ignore[arg-type]
    return Document(
        kind=DocumentKind.REGISTRATION_SLIP.value,
        number=reg.booking_code,
        title="透明检测日报名确认单",
        letterhead=head,
        fields=(
            Field("报名码", reg.booking_code),
            Field("名额", place),
            Field("检测日", f"{event.event_date:%Y年%m月%d日} {hours}"),
            Field("活动", event.title),
            Field("客户", reception.display_name(customer.name, customer.title)),
            Field("手机号", mask_phone(customer.phone)),
            Field("车牌号", reg.plate),
            Field("车辆", " ".join(p for p in (reg.brand, reg.model) if p) or "—"),
            Field("免费内容", event.offer or "—", wide=True),
        ),
        sections=(
            Section(
                "到店须知",
                (
                    "请在检测日当天驾驶报名车辆到店，在前台或自助机出示报名码或扫描本单二维码签到。",
                    "签到后按工位排队，评估师现场检测，约 40 分钟，完成后出具检测报告。",
                    "如不能到店，请提前致电门店取消，名额将顺延给候补客户。",
                ),
            ),
        ),
        qr_codes=(
            QrCode(f"{QR_PREFIX}{reg.booking_code}", f"报名码 {reg.booking_code}"),
            # The same code again, large, for the scanner at the desk or the kiosk.
            QrCode(
                f"{QR_PREFIX}{reg.booking_code}",
                f"签到二维码 · 报名码 {reg.booking_code}\n检测日当天到店后在前台或自助机扫描",
            ),
        ),
        issued=f"{utcnow().astimezone(STORE_ZONE):%Y-%m-%d %H:%M}",
        template_version=SLIP_TEMPLATE_VERSION,
        extra={"subject": f"{reg.plate} · {event.event_date:%m-%d}"},
    )


def archive_slip(
    session: Session, actor: audit.Actor, registration_id: uuid.UUID, document: Document, pdf: bytes
) -> None:
    """Archive the slip as printed (the first as original, later ones as numbered copies)."""
    from showroom.documents import archive

    reg = session.get_one(Registration, registration_id)
    event = session.get_one(InspectionEvent, reg.event_id)
    original = archive.find_original(session, DocumentKind.REGISTRATION_SLIP, document.number)
    if original is not None:
        copy_no = archive.prepare_reprint(
            session, DocumentKind.REGISTRATION_SLIP, document.number
        ).document.copy_no
        document = replace(document, copy_no=copy_no)
    archive.archive(
        session,
        actor,
        document,
        pdf,
        store_id=event.store_id,
        subject=document.extra.get("subject", ""),
        subject_id=reg.id,
    )
