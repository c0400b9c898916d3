"""Test drives (试驾): booking a car and a slot, the licence check, the signed agreement,
check-out and return, reminders and no-shows.

A car is never booked twice for overlapping times: ``book`` checks and says so
in plain words, and the database refuses it too (exclusion constraint on
PostgreSQL, trigger on SQLite; migration 0004), so two PCs booking at the same
instant cannot both win. What the customer signs is frozen: the agreement is
built once from the dealer's template, its text hashed into each signature,
and archived with the PDF; editing the template later changes nothing signed.
"""

from __future__ import annotations

import csv
import io
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from db import locks
from db.base import as_utc
from db.models import (
    Consent,
    ConsentPurpose,
    Customer,
    Deposit,
    DepositStatus,
    DocumentKind,
    FollowUp,
    GradeChange,
    IntentGrade,
    Role,
    Signature,
    SourceChannel,
    Staff,
    TestDrive,
    TestDriveStatus,
    Title,
    Transmission,
    Vehicle,
    VehicleStatus,
    Visit,
)
from showroom import numbering
from showroom.clock import utcnow
from showroom.documents import archive
from showroom.documents.letterhead import letterhead
from showroom.documents.model import Document, QrCode, SignatureImage
from showroom.documents.templates import load_template
from showroom.errors import ConflictError, NotFoundError, ValidationError
from showroom.identifiers import (
    VehicleKind,
    licence_allows,
    normalize_id_number,
    normalize_mobile,
    parse_licence_classes,
)
from showroom.privacy import mask_id_number, mask_name, mask_phone
from showroom.services import audit, cadence, reception, roster, vehicles
from showroom.services.vehicles import CUSTOMER_VISIBLE_STATUSES, vehicle_label
from showroom.users import WEB, StaffUser

log = logging.getLogger("showroom.test_drives")
STORE_ZONE = ZoneInfo("Asia/Shanghai")
ACTIVE = (TestDriveStatus.BOOKED, TestDriveStatus.CHECKED_OUT)
STATUS_LABELS = {
    TestDriveStatus.BOOKED: "已预约",
    TestDriveStatus.CHECKED_OUT: "试驾中",
    TestDriveStatus.RETURNED: "已还车",
    TestDriveStatus.CANCELLED: "已取消",
    TestDriveStatus.NO_SHOW: "未到店",
}
MIN_SIGNATURE_POINTS = 12
MIN_SIGNATURE_EXTENT = 0.12  # of the pad's width or height, in the normalised strokes
CONSENT_TEXT_VERSION = "kiosk-td-1"

Strokes = list[list[list[float]]]


# --- slots --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotRules:
    """Slot length and store hours (settings ``test_drive_slot_minutes``, ``store_open/close``)."""

    minutes: int = 30
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    zone: tzinfo = STORE_ZONE

    @classmethod
    def from_settings(cls, get: Callable[[str], object], zone: str = "Asia/Shanghai") -> SlotRules:
        return cls(
            minutes=int(str(get("test_drive_slot_minutes"))),
            opens=_parse_clock(str(get("store_open")), time(9, 0)),
            closes=_parse_clock(str(get("store_close")), time(18, 0)),
            zone=ZoneInfo(zone),
        )


def _parse_clock(text: str, fallback: time) -> time:
    """``"09:00"`` -> 09:00; a value the dealer mistyped in the settings falls back, logged."""
    hours, _, minutes = text.strip().replace("：", ":").partition(":")
    try:
        return time(int(hours), int(minutes or 0))
    except ValueError:
        log.warning("store hours setting %r is not HH:MM; using %s", text, fallback)
        return fallback


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    free: bool

    def label(self, zone: tzinfo) -> str:
        return f"{self.start.astimezone(zone):%H:%M}–{self.end.astimezone(zone):%H:%M}"


def _overlapping(
    session: Session,
    vehicle_id: uuid.UUID,
    start: datetime,
    end: datetime,
    exclude: uuid.UUID | None = None,
) -> TestDrive | None:
    stmt = select(TestDrive).where(
        TestDrive.vehicle_id == vehicle_id,
        TestDrive.status.in_(ACTIVE),
        TestDrive.slot_start < end,
        start < TestDrive.slot_end,
    )
    if exclude is not None:
        stmt = stmt.where(TestDrive.id != exclude)
    return session.scalars(stmt.limit(1)).first()


def day_slots(
    session: Session,
    vehicle_id: uuid.UUID,
    day: date,
    rules: SlotRules,
    now: datetime | None = None,
) -> list[Slot]:
    """Every slot of ``day`` (store time) within store hours; not ``free`` when taken or past."""
    now = as_utc(now or utcnow())
    start = datetime.combine(day, rules.opens, rules.zone)
    close = datetime.combine(day, rules.closes, rules.zone)
    taken = session.execute(
        select(TestDrive.slot_start, TestDrive.slot_end).where(
            TestDrive.vehicle_id == vehicle_id,
            TestDrive.status.in_(ACTIVE),
            TestDrive.slot_start < close.astimezone(UTC),
            start.astimezone(UTC) < TestDrive.slot_end,
        )
    ).all()
    slots = []
    step = timedelta(minutes=rules.minutes)
    while start + step <= close:
        s, e = start.astimezone(UTC), (start + step).astimezone(UTC)
        busy = any(ts < e and s < te for ts, te in taken)
        slots.append(Slot(s, e, not busy and s > now))
        start += step
    return slots


def _check_slot(start: datetime, rules: SlotRules, now: datetime) -> datetime:
    local = start.astimezone(rules.zone)
    end = start + timedelta(minutes=rules.minutes)
    if start <= now:
        raise ValidationError("test_drive.slot_past", "所选时段已经过去，请选择以后的时段。")
    opens = datetime.combine(local.date(), rules.opens, rules.zone)
    closes = datetime.combine(local.date(), rules.closes, rules.zone)
    if start < opens or end > closes:
        raise ValidationError(
            "test_drive.slot_outside_hours",
            f"所选时段不在营业时间内（{rules.opens:%H:%M}–{rules.closes:%H:%M}）。",
            opens=f"{rules.opens:%H:%M}",
            closes=f"{rules.closes:%H:%M}",
            opens_text=f"{rules.opens:%H:%M}",
            closes_text=f"{rules.closes:%H:%M}",
        )
    return end


# --- booking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Booking:
    id: uuid.UUID
    booking_code: str
    vehicle_label: str
    stock_no: str
    slot_start: datetime
    slot_end: datetime
    customer_name: str
    phone_masked: str

    @property
    def qr_payload(self) -> str:
        return f"SHOWROOM:TD:{self.booking_code}"


def _vehicle_for_booking(session: Session, vehicle_id: uuid.UUID) -> Vehicle:
    vehicle = session.get(Vehicle, vehicle_id)
    if vehicle is None or vehicle.deleted_at is not None:
        raise NotFoundError("vehicle.not_found", "没有找到这辆车。")
    if vehicle.status not in CUSTOMER_VISIBLE_STATUSES:
        why = "已售" if vehicle.status is VehicleStatus.SOLD else "整备中"
        raise ValidationError(
            "test_drive.vehicle_unavailable",
            f"{vehicle.brand} {vehicle.model} 目前不可试驾（{why}）。",
            brand=vehicle.brand,
            model=vehicle.model,
            why=why,
        )
    return vehicle


def book(
    session: Session,
    actor: audit.Actor,
    *,
    vehicle_id: uuid.UUID,
    customer_id: uuid.UUID,
    slot_start: datetime,
    rules: SlotRules,
    consultant_id: uuid.UUID | None = None,
    via: str = "desk",
    now: datetime | None = None,
) -> Booking:
    """Book ``vehicle_id`` for one slot. Refuses past, out-of-hours and taken slots."""
    now = as_utc(now or utcnow())
    slot_start = as_utc(slot_start)
    slot_end = _check_slot(slot_start, rules, now)
    customer = locks.lock_customer(session, customer_id)  # first lock (db.locks)
    if customer is None:
        raise NotFoundError("customer.not_found", "客户不存在或已被合并。")
    vehicle = _vehicle_for_booking(session, vehicle_id)
    if _overlapping(session, vehicle_id, slot_start, slot_end) is not None:
        raise _slot_taken(slot_start, rules)
    drive = TestDrive(
        store_id=vehicle.store_id,
        booking_code=numbering.issue_booking_code(session, vehicle.store_id, "test_drive"),
        vehicle_id=vehicle_id,
        customer_id=customer.id,  # the record kept, had a merge just finished
        consultant_id=consultant_id or customer.owner_id,
        slot_start=slot_start,
        slot_end=slot_end,
        status=TestDriveStatus.BOOKED,
        booked_via=via,
    )
    session.add(drive)
    try:
        session.flush()
    except IntegrityError as exc:
        # Another PC booked an overlapping slot between our check and our insert.
        raise _slot_taken(slot_start, rules) from exc
    audit.record(
        session,
        actor,
        "test_drive_booked",
        "test_drive",
        drive.id,
        {"booking_code": drive.booking_code, "vehicle": vehicle.stock_no, "via": via},
    )
    return Booking(
        drive.id,
        drive.booking_code,
        vehicle_label(vehicle),
        vehicle.stock_no,
        slot_start,
        slot_end,
        customer.name,
        mask_phone(customer.phone),
    )


def _slot_taken(start: datetime, rules: SlotRules) -> ConflictError:
    return ConflictError(
        "test_drive.slot_taken",
        f"这辆车在 {start.astimezone(rules.zone):%m月%d日 %H:%M} 的时段已被预约，"
        "请换一个时段或换一辆车。",
        start=f"{start.astimezone(rules.zone):%Y-%m-%d %H:%M}",
    )


@dataclass(frozen=True)
class CustomerMatch:
    id: uuid.UUID
    name: str
    phone_masked: str


def find_customer_by_phone(session: Session, phone: str) -> CustomerMatch | None:
    mobile = normalize_mobile(phone)
    customer = session.scalars(
        select(Customer).where(Customer.phone == mobile, Customer.deleted_at.is_(None)).limit(1)
    ).first()
    return (
        CustomerMatch(customer.id, customer.name, mask_phone(customer.phone)) if customer else None
    )


# Who books without staff: the audit actor and where a new customer came from.
_SELF_SERVICE = {
    "kiosk": (audit.KIOSK, SourceChannel.WALK_IN),
    "web": (WEB, SourceChannel.ONLINE_BOOKING),
}


def book_from_kiosk(
    session: Session,
    *,
    stock_no: str,
    phone: str,
    surname: str,
    slot_start: datetime,
    rules: SlotRules,
    consent: bool,
    title: Title = Title.NONE,
    now: datetime | None = None,
    channel: str = "kiosk",
) -> Booking:
    """The customer books alone, found or added by mobile number; nothing of others is shown.

    ``channel`` is ``"kiosk"`` or ``"web"`` (the car page on the customer's phone): the same
    rules, recorded as coming from there (audit actor, consent, ``booked_via``).
    """
    actor, source = _SELF_SERVICE[channel]
    if not consent:
        raise ValidationError(
            "test_drive.consent_required", "请先勾选同意门店使用您的手机号办理本次预约。"
        )
    surname = surname.strip()
    # 先生/女士 alone is enough for someone who prefers to give no surname.
    if len(surname) > 20 or (not surname and Title(title) is Title.NONE):
        raise ValidationError("test_drive.surname_required", "请填写您的姓氏。")
    mobile = normalize_mobile(phone)
    vehicle = session.scalars(
        select(Vehicle).where(
            Vehicle.stock_no == stock_no.strip().upper(), Vehicle.deleted_at.is_(None)
        )
    ).first()
    if vehicle is None or vehicle.status not in CUSTOMER_VISIBLE_STATUSES:
        raise NotFoundError(
            "test_drive.stock_no_unknown", "没有找到这个库存编号的在售车辆，请核对车窗上的编号。"
        )
    now = as_utc(now or utcnow())
    existing = reception.find_by_phone(session, mobile)
    if existing is None:
        # The desk's rules for a new customer: one per number (even when two kiosks race),
        # the consent as given, and an audit entry.
        customer_id = reception.create_customer(
            session,
            actor,
            vehicle.store_id,
            reception.NewCustomer(
                name=surname,
                title=title,
                phone=mobile,
                source_channel=source,
                consent_service=True,
            ),
            channel=channel,
            now=now,
        )
    else:
        locked = locks.lock_customer(session, existing.id)  # before writing under them
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
                channel=channel,
            )
        )
    booking = book(
        session,
        actor,
        vehicle_id=vehicle.id,
        customer_id=customer_id,
        slot_start=slot_start,
        rules=rules,
        via=channel,
        now=now,
    )
    # The kiosk shows the customer only what they typed themselves, never a stored name.
    return Booking(
        booking.id,
        booking.booking_code,
        booking.vehicle_label,
        booking.stock_no,
        booking.slot_start,
        booking.slot_end,
        surname,
        mask_phone(mobile),
    )


# --- lists --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TestDriveRow:
    __test__ = False

    id: uuid.UUID
    booking_code: str
    status: TestDriveStatus
    slot_start: datetime
    slot_end: datetime
    vehicle_id: uuid.UUID
    vehicle_label: str
    stock_no: str
    vin: str | None
    plate: str | None
    mileage_km: int
    customer_id: uuid.UUID
    customer_name: str
    phone_masked: str
    consultant_name: str | None
    licence_checked: bool
    agreement_signed: bool
    out_odometer_km: int | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _rows(session: Session, *conditions: object) -> list[TestDriveRow]:
    stmt = (
        select(TestDrive, Vehicle, Customer, Staff.display_name)
        .join(Vehicle, Vehicle.id == TestDrive.vehicle_id)
        .join(Customer, Customer.id == TestDrive.customer_id)
        .outerjoin(Staff, Staff.id == TestDrive.consultant_id)
        .where(*conditions)
        .order_by(TestDrive.slot_start, Vehicle.stock_no)
    )
    return [
        TestDriveRow(
            td.id,
            td.booking_code,
            td.status,
            td.slot_start,
            td.slot_end,
            v.id,
            vehicle_label(v),
            v.stock_no,
            v.vin,
            v.plate,
            v.mileage_km,
            c.id,
            c.name,
            mask_phone(c.phone),
            consultant,
            td.licence_number is not None,
            td.agreement_document_id is not None,
            td.out_odometer_km,
        )
        for td, v, c, consultant in session.execute(stmt)
    ]


def list_day(
    session: Session, day: date, zone: tzinfo, store_id: uuid.UUID | None = None
) -> list[TestDriveRow]:
    start = datetime.combine(day, time(0), zone).astimezone(UTC)
    conditions = [TestDrive.slot_start >= start, TestDrive.slot_start < start + timedelta(days=1)]
    if store_id is not None:
        conditions.append(TestDrive.store_id == store_id)
    return _rows(session, *conditions)


def get(session: Session, test_drive_id: uuid.UUID) -> TestDriveRow:
    rows = _rows(session, TestDrive.id == test_drive_id)
    if not rows:
        raise NotFoundError("test_drive.not_found", "没有找到这个试驾预约。")
    return rows[0]


def find_by_code(session: Session, code: str) -> TestDriveRow:
    rows = _rows(session, TestDrive.booking_code == numbering.normalize_booking_code(code))
    if not rows:
        raise NotFoundError(
            "test_drive.not_found",
            f"没有找到预约码为 {code.strip()} 的试驾。",
            booking=code.strip(),
        )
    return rows[0]


@dataclass(frozen=True)
class Reminder:
    booking_code: str
    slot_start: datetime
    customer_name: str
    phone: str  # full: the consultant calls it
    vehicle_label: str
    stock_no: str
    consultant_name: str | None


def reminders(
    session: Session,
    actor: audit.Actor,
    day: date,
    zone: tzinfo,
    consultant_id: uuid.UUID | None = None,
) -> list[Reminder]:
    """Bookings of ``day`` to call the day before, with full numbers (the reveal is audited)."""
    start = datetime.combine(day, time(0), zone).astimezone(UTC)
    stmt = (
        select(TestDrive, Vehicle, Customer, Staff.display_name)
        .join(Vehicle, Vehicle.id == TestDrive.vehicle_id)
        .join(Customer, Customer.id == TestDrive.customer_id)
        .outerjoin(Staff, Staff.id == TestDrive.consultant_id)
        .where(
            TestDrive.status == TestDriveStatus.BOOKED,
            TestDrive.slot_start >= start,
            TestDrive.slot_start < start + timedelta(days=1),
        )
        .order_by(TestDrive.slot_start)
    )
    if consultant_id is not None:
        stmt = stmt.where(TestDrive.consultant_id == consultant_id)
    rows = [
        Reminder(
            td.booking_code, td.slot_start, c.name, c.phone, vehicle_label(v), v.stock_no, name
        )
        for td, v, c, name in session.execute(stmt)
    ]
    audit.record(
        session,
        actor,
        "personal_data_revealed",
        "test_drive_reminders",
        day.isoformat(),
        {"field": "phone", "count": len(rows)},
    )
    return rows


def reminders_csv(rows: list[Reminder], zone: tzinfo) -> str:
    """CSV with a BOM so that Excel opens the Chinese columns correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["时间", "预约码", "客户", "手机号", "车辆", "库存编号", "销售顾问"])
    for r in rows:
        writer.writerow(
            [
                f"{r.slot_start.astimezone(zone):%Y-%m-%d %H:%M}",
                r.booking_code,
                r.customer_name,
                r.phone,
                r.vehicle_label,
                r.stock_no,
                r.consultant_name or "",
            ]
        )
    return out.getvalue()


# --- state changes ------------------------------------------------------------------------


def _drive(session: Session, test_drive_id: uuid.UUID) -> TestDrive:
    drive = session.get(TestDrive, test_drive_id)
    if drive is None:
        raise NotFoundError("test_drive.not_found", "没有找到这个试驾预约。")
    return drive


def _locked_drive(
    session: Session, test_drive_id: uuid.UUID, mode: locks.CustomerLock = locks.SHARE
) -> TestDrive:
    """The drive for a change, after its customer's lock (db.locks), re-read as stored."""
    drive, _customer = locks.lock_customer_of(session, TestDrive, test_drive_id, mode)
    if drive is None:
        raise NotFoundError("test_drive.not_found", "没有找到这个试驾预约。")
    return drive


def _require(drive: TestDrive, *states: TestDriveStatus) -> None:
    if drive.status not in states:
        raise ConflictError(
            "test_drive.wrong_state",
            f"这个试驾当前状态为“{STATUS_LABELS[drive.status]}”，不能进行此操作。",
            status=drive.status.value,
            status_label=STATUS_LABELS[drive.status],
        )


def mark_no_show(
    session: Session, actor: audit.Actor, test_drive_id: uuid.UUID, now: datetime | None = None
) -> None:
    drive = _locked_drive(session, test_drive_id)
    _require(drive, TestDriveStatus.BOOKED)
    at = as_utc(now or utcnow())
    if at < drive.slot_start:
        raise ValidationError("test_drive.no_show_early", "预约时间还没到，不能标记为未到店。")
    drive.status = TestDriveStatus.NO_SHOW
    # A missed appointment is a churn signal: the consultant calls today to rebook.
    customer = session.get(Customer, drive.customer_id)
    if customer is not None and customer.deleted_at is None:
        session.add(
            FollowUp(
                customer_id=customer.id,
                consultant_id=drive.consultant_id or customer.owner_id,
                due_on=cadence.local_day(at),
                reason="no_show",
            )
        )
    audit.record(
        session,
        actor,
        "test_drive_no_show",
        "test_drive",
        drive.id,
        {"booking_code": drive.booking_code},
    )


def cancel(session: Session, actor: audit.Actor, test_drive_id: uuid.UUID) -> None:
    drive = _locked_drive(session, test_drive_id)
    _require(drive, TestDriveStatus.BOOKED)
    drive.status = TestDriveStatus.CANCELLED
    audit.record(
        session,
        actor,
        "test_drive_cancelled",
        "test_drive",
        drive.id,
        {"booking_code": drive.booking_code},
    )


# --- licence ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LicenceInput:
    number: str
    classes: str
    valid_until: date | None
    name: str
    photo_png: bytes = b""


@dataclass(frozen=True)
class LicenceResult:
    number_masked: str
    classes: str
    valid_until: date


def check_licence(
    session: Session,
    actor: audit.Actor,
    test_drive_id: uuid.UUID,
    licence: LicenceInput,
    today: date | None = None,
) -> LicenceResult:
    """Check the driving licence against the car and the customer; store it when it passes."""
    drive = _locked_drive(session, test_drive_id)
    _require(drive, TestDriveStatus.BOOKED)
    vehicle = session.get(Vehicle, drive.vehicle_id)
    customer = session.get(Customer, drive.customer_id)
    assert vehicle is not None and customer is not None
    today = today or utcnow().date()
    try:
        number = normalize_id_number(licence.number, today=today)
    except ValidationError as exc:
        raise ValidationError(
            f"licence.{exc.code}", f"驾驶证号有误：{exc.message}", **exc.params
        ) from exc
    classes = "".join(c.value for c in parse_licence_classes(licence.classes))
    automatic = vehicle.transmission is Transmission.AUTOMATIC
    if not licence_allows(classes, VehicleKind.PASSENGER_SMALL, automatic):
        if automatic:
            raise ValidationError(
                "licence.class_not_allowed",
                f"准驾车型 {classes} 不能驾驶这辆自动挡小型汽车。",
                classes=classes,
            )
        if "C2" in classes:
            raise ValidationError(
                "licence.class_not_allowed",
                f"准驾车型 {classes} 不能驾驶这辆手动挡小型汽车"
                "（C2 只准驾驶自动挡，这辆车是手动挡）。",
                classes=classes,
            )
        raise ValidationError(
            "licence.class_not_allowed",
            f"准驾车型 {classes} 不能驾驶这辆手动挡小型汽车。",
            classes=classes,
        )
    if licence.valid_until is None:
        raise ValidationError("licence.valid_until_missing", "请填写驾驶证有效期截止日期。")
    if licence.valid_until < today:
        raise ValidationError(
            "licence.expired",
            f"驾驶证已于 {licence.valid_until:%Y年%m月%d日} 过期，不能试驾。",
            valid_until=licence.valid_until.isoformat(),
        )
    name = "".join(licence.name.split())
    if name != "".join(customer.name.split()):
        raise ValidationError(
            "licence.name_mismatch",
            f"驾驶证上的姓名“{name}”与客户档案中的姓名“{customer.name}”不一致。"
            "请核对证件，必要时先更正客户姓名。",
            name=name,
            record_name=customer.name,
        )
    drive.licence_number = number
    drive.licence_class = classes
    drive.licence_valid_until = licence.valid_until
    drive.licence_name = name
    if licence.photo_png:
        drive.licence_photo_sha = archive.store_media(session, licence.photo_png, "image/png")
    audit.record(
        session,
        actor,
        "test_drive_licence_checked",
        "test_drive",
        drive.id,
        {"booking_code": drive.booking_code, "classes": classes},
    )
    return LicenceResult(mask_id_number(number), classes, licence.valid_until)


# --- agreement ----------------------------------------------------------------------------


def _local_text(at: datetime, zone: tzinfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return at.astimezone(zone).strftime(fmt)


def prepare_agreement(
    session: Session,
    test_drive_id: uuid.UUID,
    *,
    templates_dir: Path | None,
    zone: tzinfo,
    accompanying_staff_id: uuid.UUID | None = None,
    route: str = "",
    letterhead_overrides: dict[str, str] | None = None,
    now: datetime | None = None,
    backfill: bool = False,
) -> Document:
    """The agreement exactly as it will be shown, signed and printed (signature boxes empty).

    ``backfill`` (demo data only) builds it for a drive that is already out or back.
    """
    drive = _drive(session, test_drive_id)
    if not backfill:
        _require(drive, TestDriveStatus.BOOKED)
    if drive.licence_number is None:
        raise ValidationError("test_drive.licence_unchecked", "请先核验驾驶证，再签署试驾协议。")
    vehicle = session.get(Vehicle, drive.vehicle_id)
    customer = session.get(Customer, drive.customer_id)
    consultant = session.get(Staff, drive.consultant_id) if drive.consultant_id else None
    companion = session.get(Staff, accompanying_staff_id) if accompanying_staff_id else consultant
    if companion is None:
        # A person named on a signed paper is chosen by someone, never filled in for them.
        raise ValidationError(
            "test_drive.companion_missing", "请选择陪同试驾的销售顾问，协议上会写明陪同人员。"
        )
    consultant = consultant or companion
    assert vehicle is not None and customer is not None
    head = letterhead(session, drive.store_id, templates_dir, letterhead_overrides)
    template = load_template(templates_dir, DocumentKind.TEST_DRIVE_AGREEMENT.value)
    issued = as_utc(now or utcnow())
    values = {
        "booking_code": drive.booking_code,
        "issued_date": _local_text(issued, zone, "%Y年%m月%d日"),
        "store_name": head.store_name,
        "customer_name": customer.name,
        "customer_phone": mask_phone(customer.phone),
        "licence_number": mask_id_number(drive.licence_number),
        "licence_class": drive.licence_class or "",
        "licence_valid_until": f"{drive.licence_valid_until:%Y-%m-%d}"
        if drive.licence_valid_until
        else "",
        "vehicle_name": vehicle_label(vehicle),
        "vin": vehicle.vin or "（无）",
        "plate": vehicle.plate or "（未上牌）",
        "stock_no": vehicle.stock_no,
        "slot": _local_text(drive.slot_start, zone, "%Y年%m月%d日 %H:%M")
        + "–"
        + _local_text(drive.slot_end, zone, "%H:%M"),
        "accompanying_staff": companion.display_name if companion else "",
        "consultant_name": consultant.display_name if consultant else "",
        "route": route.strip(),
    }
    document = template.document(
        values,
        kind=DocumentKind.TEST_DRIVE_AGREEMENT.value,
        number=drive.booking_code,
        letterhead=head,
        issued=_local_text(issued, zone),
        qr_codes=(
            QrCode(
                f"SHOWROOM:TD:{drive.booking_code}",
                f"预约码 {drive.booking_code}\n到店出示此码即可找到本次试驾；"
                "凭协议编号和验证码可向门店核验存档原件。",
            ),
        ),
        extra={
            "route": route.strip() or template.defaults.get("route", ""),
            "subject": f"{mask_name(customer.name)} · {vehicle_label(vehicle)}",
        },
    )
    return document


@dataclass(frozen=True)
class DrawnSignature:
    strokes: Strokes  # normalised 0..1 points per stroke: [[x, y], ...]
    png: bytes


def store_signatures(
    session: Session,
    subject_id: uuid.UUID,
    signers: Iterable[tuple[str, str, DrawnSignature]],
    signed_text_sha256: str,
    signed_at: datetime,
) -> None:
    """Keep each (role, name, drawing) with the hash of the exact text it was drawn under."""
    for role, name, drawn in signers:
        session.add(
            Signature(
                subject_id=subject_id,
                signer_role=role,
                signer_name=name[:60],
                strokes=drawn.strokes,
                image_sha=archive.store_media(session, drawn.png, "image/png"),
                signed_text_sha256=signed_text_sha256,
                signed_at=as_utc(signed_at),
            )
        )


def validate_signature(signature: DrawnSignature, who: str) -> None:
    """Refuse an empty pad or a dot/short dash: it would not identify anyone."""
    points = [p for stroke in signature.strokes for p in stroke]
    if not points or not signature.png:
        raise ValidationError("signature.empty", f"{who}尚未签名。", who=who)
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    extent = max(max(xs) - min(xs), max(ys) - min(ys))
    if len(points) < MIN_SIGNATURE_POINTS or extent < MIN_SIGNATURE_EXTENT:
        raise ValidationError(
            "signature.too_small", f"{who}的签名过于简单，请用正楷或常用签名重新书写。", who=who
        )


@dataclass(frozen=True)
class SignedAgreement:
    document_id: uuid.UUID
    number: str
    verification_code: str
    sha256: str


def attach_signatures(
    document: Document,
    customer: DrawnSignature,
    consultant: DrawnSignature,
    signed_at: datetime,
    zone: tzinfo,
) -> Document:
    """The agreement with both drawn signatures in its boxes (customer first, as printed)."""
    validate_signature(customer, "客户")
    validate_signature(consultant, "销售顾问")
    when = _local_text(signed_at, zone)
    boxes = list(document.signatures)
    pngs = [customer.png, consultant.png]
    signed = tuple(
        SignatureImage(box.role_label, box.name, pngs[i] if i < 2 else b"", when)
        for i, box in enumerate(boxes)
    )
    return Document(**{**document.__dict__, "signatures": signed})


def sign_agreement(
    session: Session,
    actor: audit.Actor,
    test_drive_id: uuid.UUID,
    document: Document,
    customer: DrawnSignature,
    consultant: DrawnSignature,
    pdf: bytes,
    signed_at: datetime,
    backfill: bool = False,
) -> SignedAgreement:
    """Store both signatures over the exact text shown and archive the rendered agreement."""
    drive = _locked_drive(session, test_drive_id)
    if not backfill:
        _require(drive, TestDriveStatus.BOOKED)
    if drive.agreement_document_id is not None and not backfill:  # demo: replaces its stand-in
        raise ConflictError(
            "test_drive.already_signed", "这份试驾协议已经签署过了；如需再打印请用“重印”。"
        )
    if (
        document.number != drive.booking_code
        or document.kind != DocumentKind.TEST_DRIVE_AGREEMENT.value
    ):
        raise ValidationError(
            "test_drive.agreement_mismatch", "协议与这个试驾预约不对应，请重新打开协议。"
        )
    validate_signature(customer, "客户")
    validate_signature(consultant, "销售顾问")
    customer_row = session.get(Customer, drive.customer_id)
    consultant_row = session.get(Staff, drive.consultant_id) if drive.consultant_id else None
    text_sha = document.signed_text_sha256()
    consultant_name = consultant_row.display_name if consultant_row else actor.name
    store_signatures(
        session,
        drive.id,
        (
            ("customer", customer_row.name if customer_row else "", customer),
            ("consultant", consultant_name, consultant),
        ),
        text_sha,
        signed_at,
    )
    archived = archive.archive(
        session,
        actor,
        document,
        pdf,
        store_id=drive.store_id,
        subject=document.extra.get("subject", ""),
        subject_id=drive.id,
    )
    drive.agreement_document_id = archived.id
    if document.extra.get("route"):
        drive.route = document.extra["route"][:200]
    audit.record(
        session,
        actor,
        "test_drive_agreement_signed",
        "test_drive",
        drive.id,
        {"booking_code": drive.booking_code, "signed_text_sha256": text_sha},
    )
    return SignedAgreement(
        archived.id, document.number, archived.verification_code, archived.sha256
    )


# --- check-out and return -----------------------------------------------------------------


def check_out(
    session: Session,
    actor: audit.Actor,
    test_drive_id: uuid.UUID,
    *,
    odometer_km: int,
    fuel_percent: int,
    accompanying_staff_id: uuid.UUID | None,
    route: str = "",
    now: datetime | None = None,
) -> None:
    drive = _locked_drive(session, test_drive_id)
    _require(drive, TestDriveStatus.BOOKED)
    if drive.licence_number is None:
        raise ValidationError("test_drive.licence_unchecked", "驾驶证尚未核验，不能出车。")
    if drive.agreement_document_id is None:
        raise ValidationError("test_drive.agreement_unsigned", "试驾协议尚未签署，不能出车。")
    if odometer_km < 0:
        raise ValidationError("test_drive.odometer_invalid", "里程表读数不能为负数。")
    if not 0 <= fuel_percent <= 100:
        raise ValidationError("test_drive.fuel_invalid", "油量（电量）应在 0% 到 100% 之间。")
    vehicle = session.get(Vehicle, drive.vehicle_id)
    assert vehicle is not None
    if vehicle.status is VehicleStatus.TEST_DRIVE:
        raise ConflictError("test_drive.vehicle_out", "这辆车正在别的试驾中，还没有还车。")
    if vehicle.status not in (VehicleStatus.ON_SALE, VehicleStatus.RESERVED):
        # A sold car or one back in preparation is not the dealer's to lend any more.
        state = "已售出" if vehicle.status is VehicleStatus.SOLD else "整备中"
        raise ConflictError(
            "test_drive.vehicle_unavailable",
            f"这辆车{state}，不能出车。",
            status=vehicle.status.value,
            state=state,
        )
    drive.status = TestDriveStatus.CHECKED_OUT
    drive.out_at = as_utc(now or utcnow())
    drive.out_odometer_km = odometer_km
    drive.out_fuel_percent = fuel_percent
    drive.accompanying_staff_id = accompanying_staff_id
    if route.strip():
        drive.route = route.strip()[:200]
    vehicle.status = VehicleStatus.TEST_DRIVE
    try:
        with session.begin_nested():  # another desk may be checking this car out right now
            session.flush()
    except (IntegrityError, StaleDataError):
        raise ConflictError(
            "test_drive.vehicle_out", "这辆车刚被另一台电脑登记出车，请刷新后再试。"
        ) from None
    audit.record(
        session,
        actor,
        "test_drive_checked_out",
        "test_drive",
        drive.id,
        {"booking_code": drive.booking_code, "odometer_km": odometer_km},
    )


def return_car(
    session: Session,
    actor: audit.Actor,
    test_drive_id: uuid.UUID,
    *,
    odometer_km: int,
    fuel_percent: int | None = None,
    damage_notes: str = "",
    damage_photos: tuple[bytes, ...] = (),
    feedback: str = "",
    intent_grade: IntentGrade | None = None,
    now: datetime | None = None,
) -> VehicleStatus:
    """Close the drive; the car out on it goes back on sale, or reserved under an active deposit."""
    drive = _locked_drive(session, test_drive_id, locks.UPDATE)  # the grade too
    _require(drive, TestDriveStatus.CHECKED_OUT)
    if drive.out_odometer_km is not None and odometer_km < drive.out_odometer_km:
        raise ValidationError(
            "test_drive.odometer_backwards",
            f"还车里程 {odometer_km} km 小于出车里程 {drive.out_odometer_km} km，请核对里程表。",
            out_km=drive.out_odometer_km,
            odometer_km=odometer_km,
        )
    if fuel_percent is not None and not 0 <= fuel_percent <= 100:
        raise ValidationError("test_drive.fuel_invalid", "油量（电量）应在 0% 到 100% 之间。")
    vehicle = session.get(Vehicle, drive.vehicle_id)
    assert vehicle is not None
    drive.status = TestDriveStatus.RETURNED
    drive.in_at = as_utc(now or utcnow())
    drive.in_odometer_km = odometer_km
    drive.in_fuel_percent = fuel_percent
    drive.damage_notes = damage_notes.strip()
    drive.feedback = feedback.strip()
    drive.intent_grade = intent_grade
    if damage_photos:
        drive.damage_photo_shas = [
            archive.store_media(session, p, "image/jpeg" if p[:2] == b"\xff\xd8" else "image/png")
            for p in damage_photos
        ]
    if vehicle.status is VehicleStatus.TEST_DRIVE:
        # Only the car this drive took out comes back; never revive a car sold or withdrawn.
        active_deposit = session.scalar(
            select(Deposit.id).where(
                and_(Deposit.vehicle_id == vehicle.id, Deposit.status == DepositStatus.ACTIVE)
            )
        )
        vehicle.status = VehicleStatus.RESERVED if active_deposit else VehicleStatus.ON_SALE
    customer = session.get(Customer, drive.customer_id)  # locked with the drive (UPDATE)
    if customer is not None and customer.deleted_at is None:
        if intent_grade is not None and customer.intent_grade is not intent_grade:
            session.add(
                GradeChange(
                    customer_id=customer.id,
                    old_grade=customer.intent_grade,
                    new_grade=intent_grade,
                    changed_by_id=actor.staff_id,
                    reason=f"试驾 {drive.booking_code}",
                )
            )
            customer.intent_grade = intent_grade
        # A test drive is a contact: the grade's cadence plans the next call from today.
        cadence.plan(
            session,
            customer,
            cadence.TEST_DRIVE,
            now=drive.in_at,
            consultant_id=drive.consultant_id,
        )
    audit.record(
        session,
        actor,
        "test_drive_returned",
        "test_drive",
        drive.id,
        {
            "booking_code": drive.booking_code,
            "odometer_km": odometer_km,
            "damage": bool(damage_notes.strip() or damage_photos),
        },
    )
    return vehicle.status


# --- look-ups for the booking forms -------------------------------------------------------


CarChoice = vehicles.CarChoice
find_car = vehicles.find_car  # by stock no. (as on the windscreen sheet) or plate


def staff_choices(
    session: Session, store_id: uuid.UUID, *, day: date | None = None, now: datetime | None = None
) -> list[tuple[uuid.UUID, str]]:
    """Sales consultants of the store on duty on ``day`` (default today): who can own a
    booking or accompany a drive. Nobody off duty, on leave or disabled."""
    return [
        (p.id, p.name) for p in roster.on_duty(session, store_id, role=Role.SALES, day=day, now=now)
    ]


@dataclass(frozen=True)
class ConsultantChoices:
    """The consultant picker of a test drive: who may be chosen, and who is preselected.

    ``default_id`` is the drive's consultant, else the consultant of the customer's visit
    today, else the signed-in salesperson, when that person is on the list; otherwise None
    and the user chooses (never the first name of a list). ``reason``: "drive", "visit",
    "you" or "".
    """

    people: tuple[tuple[uuid.UUID, str], ...]
    default_id: uuid.UUID | None
    reason: str


def consultant_choices(
    session: Session,
    store_id: uuid.UUID,
    user: StaffUser | None = None,
    *,
    customer_id: uuid.UUID | None = None,
    test_drive_id: uuid.UUID | None = None,
    day: date | None = None,
    now: datetime | None = None,
) -> ConsultantChoices:
    people = tuple(staff_choices(session, store_id, day=day, now=now))
    listed = {staff_id for staff_id, _ in people}
    candidates: list[tuple[uuid.UUID | None, str]] = []
    if test_drive_id is not None:
        drive = session.get(TestDrive, test_drive_id)
        if drive is not None:
            candidates.append((drive.consultant_id, "drive"))
            customer_id = customer_id or drive.customer_id
    if customer_id is not None:
        start, end = reception.day_bounds(reception.local_day(now or utcnow()))
        visit_consultant = session.scalar(
            select(Visit.consultant_id)
            .where(
                Visit.customer_id == customer_id,
                Visit.arrived_at >= start,
                Visit.arrived_at < end,
                Visit.consultant_id.is_not(None),
            )
            .order_by(Visit.arrived_at.desc())
            .limit(1)
        )
        candidates.append((visit_consultant, "visit"))
    if user is not None and user.has_role(Role.SALES):
        candidates.append((user.id, "you"))
    for staff_id, reason in candidates:
        if staff_id is not None and staff_id in listed:
            return ConsultantChoices(people, staff_id, reason)
    return ConsultantChoices(people, None, "")


# --- kiosk ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KioskCar:
    """What the kiosk may show about a car: public facts only."""

    id: uuid.UUID
    stock_no: str
    label: str


def kiosk_find_car(session: Session, typed: str) -> KioskCar:
    """A car on sale by its stock no., or by the digits at its end as a customer types them."""
    text = typed.strip().upper()
    stmt = select(Vehicle).where(
        Vehicle.deleted_at.is_(None), Vehicle.status.in_(CUSTOMER_VISIBLE_STATUSES)
    )
    if text.isdigit():
        stmt = stmt.where(Vehicle.stock_no.like(f"%-{text.zfill(5)}"))
    else:
        stmt = stmt.where(Vehicle.stock_no == text)
    cars = session.scalars(stmt.limit(2)).all()
    if len(cars) != 1:
        raise NotFoundError(
            "test_drive.stock_no_unknown",
            "没有找到这个编号的在售车辆，请核对车窗展示单上的库存编号。",
        )
    car = cars[0]
    return KioskCar(car.id, car.stock_no, vehicle_label(car))
