"""购车客户提醒: messages to buyers, each drafted for staff to send and mark done.

Computed, not stored: from each signed sale contract of the store (a car returned
under the 7-day rule is no longer the buyer's) and the car's file, a buyer is due a
message 3 days and 1, 3, 6 and 12 months after the sale, when maintenance is due (the
store's interval in months or kilometres after the last service or the sale,
whichever comes first: ``showroom.services.mileage`` estimates from the car's
readings when the kilometres will be reached), before the annual inspection and
the insurance lapse (the dates on the car's file, rolled forward a year at a time)
and on their birthday (from the ID number on file). A reminder shows from
``LEAD_DAYS`` before its date until ``GRACE_DAYS`` after;
sending or skipping it writes a ``ReminderLog`` row and it leaves the list. A
maintenance reminder sent or skipped counts for its service: the next one is the
following interval (its date moves as readings come in, so it is not matched by date
alone); a service recorded afterwards starts the count again.

Birthday greetings are marketing: they are listed only for buyers whose latest
marketing consent is yes (PIPL). Everything else is service to a customer.

The draft is the SMS/WeChat text with the store's signature (【店名】 first, the
store's phone last), ready to copy. The list shows masked numbers; the CSV export of
the day's messages carries the full numbers to send them, and is audit-logged as a
reveal of personal data.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db import locks
from db.models import (
    Consent,
    ConsentPurpose,
    Contract,
    ContractKind,
    ContractStatus,
    Customer,
    MaintenanceRecord,
    ReminderLog,
    Role,
    Store,
    Title,
    Vehicle,
)
from showroom.clock import local_day, utcnow
from showroom.errors import NotFoundError, PermissionDenied, ValidationError
from showroom.privacy import mask_phone
from showroom.services import audit, mileage
from showroom.services.contracts import add_months
from showroom.users import StaffUser

STORE_ZONE = ZoneInfo("Asia/Shanghai")
AFTER = {"after_3d": (0, 3), "after_1m": (1, 0), "after_3m": (3, 0), "after_6m": (6, 0)}
AFTER["after_12m"] = (12, 0)
MAINTENANCE, INSPECTION, INSURANCE, BIRTHDAY = "maintenance", "inspection", "insurance", "birthday"
KINDS = (*AFTER, MAINTENANCE, INSPECTION, INSURANCE, BIRTHDAY)
MARKETING = frozenset({BIRTHDAY})
LEAD_DAYS = {INSPECTION: 30, INSURANCE: 30, MAINTENANCE: 7}
GRACE_DAYS = 7
CHANNELS = ("sms", "wechat", "phone", "other")
MAX_MESSAGE = 500

_BODY = {
    "after_3d": "{name}您好，感谢您在本店购车！{car}已陪伴您 3 天，用车和手续都顺利吗？"
    "有任何问题请随时联系我们。",
    "after_1m": "{name}您好，您的{car}已陪伴您 1 个月，欢迎回店免费检测，祝您用车愉快。",
    "after_3m": "{name}您好，您的{car}已陪伴您 3 个月，欢迎回店免费检测，祝您用车愉快。",
    "after_6m": "{name}您好，您的{car}已陪伴您半年，欢迎回店免费检测，祝您用车愉快。",
    "after_12m": "{name}您好，您的{car}已陪伴您一年，感谢信任！欢迎回店免费检测。",
    MAINTENANCE: "{name}您好，您的{car}预计 {date} 前后需要保养，欢迎提前预约。",
    "maintenance_km": "{name}您好，您的{car}距{since}预计已行驶约 {km} 公里，"
    "建议 {date} 前后保养，欢迎提前预约。",
    "maintenance_months": "{name}您好，您的{car}距{since}已满 {months} 个月，"
    "建议 {date} 前后保养，欢迎提前预约。",
    INSPECTION: "{name}您好，您的{car}年检将于 {date} 到期，请及时办理，需要帮助请联系我们。",
    INSURANCE: "{name}您好，您的{car}保险将于 {date} 到期，请及时续保，以免脱保。",
    BIRTHDAY: "{name}，祝您生日快乐，万事如意！",
}


@dataclass(frozen=True)
class ReminderTask:
    """One message to send; the phone is masked (the CSV carries it in full)."""

    customer_id: uuid.UUID
    customer_name: str
    phone_masked: str
    kind: str
    due_on: date
    vehicle: str
    contract_no: str
    message: str
    marketing: bool
    # Maintenance only: which interval came first (mileage.KM_BASIS / MONTHS_BASIS), the
    # estimated kilometres or the months since the last service (or the sale), and why
    # in words (按里程：预计已行驶约 5,100 公里 / 距上次保养已 6 个月).
    basis: str = ""
    km_since: int | None = None
    months_since: int | None = None
    since_sale: bool = False
    reason: str = ""


def _yearly(anchor: date, start: date) -> date:
    """The first anniversary of ``anchor`` on or after ``start``."""
    years = max(0, start.year - anchor.year)
    day = add_months(anchor, 12 * years)
    while day < start:
        years += 1
        day = add_months(anchor, 12 * years)
    return day


def birthday_from_id(number: str | None) -> date | None:
    """The birth date in an 18-digit resident ID number (digits 7-14), when valid."""
    if not number or len(number) != 18 or not number[6:14].isdigit():
        return None
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def _call_name(name: str, title: Title) -> str:
    suffix = {Title.MR: "先生", Title.MS: "女士"}.get(title, "")
    return f"{name[:1]}{suffix}" if suffix else name


def draft(
    kind: str,
    *,
    name: str,
    car: str,
    due_on: date,
    store: str,
    phone: str,
    service: mileage.MaintenanceDue | None = None,
) -> str:
    """The SMS/WeChat text with the store's signature; a maintenance draft says whether
    the kilometres or the months made it due."""
    key, extra = kind, {}
    if kind == MAINTENANCE and service is not None:
        key = f"maintenance_{service.basis}"
        extra = {
            "since": "购车" if service.base_is_sale else "上次保养",
            "km": f"{service.km_since_base:,}",
            "months": service.months_since_base,
        }
    body = _BODY[key].format(name=name, car=car, date=f"{due_on:%Y-%m-%d}", **extra)
    tail = f"（{store}，电话 {phone}）" if phone else f"（{store}）"
    return f"【{store}】{body}{tail}"


def maintenance_reason(service: mileage.MaintenanceDue) -> str:
    """Why the service is due, in the words of the brief: by kilometres or by months."""
    if service.basis == mileage.KM_BASIS:
        return f"按里程：预计已行驶约 {service.km_since_base:,} 公里"
    since = "购车" if service.base_is_sale else "上次保养"
    return f"距{since}已 {service.months_since_base} 个月"


def _require(user: StaffUser) -> None:
    if not user.has_any(Role.SALES, Role.MANAGER):
        raise PermissionDenied("reminder.denied", "只有销售顾问和店长可以处理购车客户提醒。")


def _occurrences(
    kind: str, signed: date, today: date, *, inspection: date | None, insurance: date | None,
    born: date | None,
) -> list[date]:  # fmt: skip
    """The dates of ``kind`` that may be on today's list (before the lead/grace filter);
    maintenance is ``mileage.maintenance_due``'s."""
    start = today - timedelta(days=GRACE_DAYS)
    if kind in AFTER:
        months, days = AFTER[kind]
        return [add_months(signed, months) + timedelta(days=days)]
    anchor = {INSPECTION: inspection, INSURANCE: insurance, BIRTHDAY: born}[kind]
    if anchor is None:
        return []
    return [_yearly(anchor, max(start, signed))]


def due(
    session: Session, user: StaffUser, today: date, *, kinds: tuple[str, ...] = KINDS
) -> list[ReminderTask]:
    """The store's buyer reminders on today's list, soonest first."""
    _require(user)
    store = session.get(Store, user.store_id)
    if store is None:
        raise NotFoundError("store.not_found", "门店不存在。")
    rows = session.execute(
        select(Contract, Customer, Vehicle)
        .join(Customer, Customer.id == Contract.customer_id)
        .join(Vehicle, Vehicle.id == Contract.vehicle_id)
        .where(
            Contract.store_id == user.store_id,
            Contract.kind == ContractKind.SALE,
            Contract.status == ContractStatus.SIGNED,
            Contract.signed_at.is_not(None),
            Contract.returned_at.is_(None),  # a car returned is no longer the buyer's
            Customer.deleted_at.is_(None),
        )
        .order_by(Contract.signed_at, Contract.id)
    ).all()
    if not rows:
        return []
    customer_ids = {c.id for _k, c, _v in rows}
    vehicle_ids = {v.id for _k, _c, v in rows}
    serviced = dict(
        session.execute(
            select(MaintenanceRecord.vehicle_id, func.max(MaintenanceRecord.performed_on))
            .where(MaintenanceRecord.vehicle_id.in_(vehicle_ids))
            .group_by(MaintenanceRecord.vehicle_id)
        ).all()
    )
    logged = {
        (cid, kind, day)
        for cid, kind, day in session.execute(
            select(ReminderLog.customer_id, ReminderLog.kind, ReminderLog.due_on).where(
                ReminderLog.customer_id.in_(customer_ids),
                ReminderLog.due_on >= today - timedelta(days=GRACE_DAYS),
            )
        )
    }
    consenting = _marketing_consent(session, customer_ids) if BIRTHDAY in kinds else set()
    first_sale: dict[uuid.UUID, tuple[date, int]] = {}
    for contract, _customer, vehicle in rows:
        first_sale.setdefault(vehicle.id, (local_day(contract.signed_at), vehicle.mileage_km))  # type: ignore[arg-type]
    points = mileage.readings_by_vehicle(session, first_sale) if MAINTENANCE in kinds else {}
    every = mileage.interval(session, user.store_id)
    maintenance_done: dict[uuid.UUID, list[date]] = {}
    if MAINTENANCE in kinds:
        for cid, done_at in session.execute(
            select(ReminderLog.customer_id, ReminderLog.done_at).where(
                ReminderLog.customer_id.in_(customer_ids), ReminderLog.kind == MAINTENANCE
            )
        ):
            maintenance_done.setdefault(cid, []).append(local_day(done_at))
    tasks: list[ReminderTask] = []
    seen: set[tuple[uuid.UUID, str, date]] = set()
    sold: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for contract, customer, vehicle in rows:
        if (customer.id, vehicle.id) in sold:
            continue  # a car sold to the same buyer twice counts from the first sale
        sold.add((customer.id, vehicle.id))
        signed = local_day(contract.signed_at)  # type: ignore[arg-type]
        car = f"{vehicle.brand}{vehicle.model}"
        name = _call_name(customer.name, customer.title)
        for kind in kinds:
            if kind in MARKETING and customer.id not in consenting:
                continue  # marketing only with consent
            service = None
            if kind == MAINTENANCE:
                base = max(serviced.get(vehicle.id) or signed, signed)
                handled = sum(1 for d in maintenance_done.get(customer.id, ()) if d > base)
                service = mileage.maintenance_due(
                    points.get(vehicle.id) or [mileage.Reading(signed, vehicle.mileage_km, "sale")],
                    base,
                    base == signed,
                    every,
                    today=today,
                    start=today - timedelta(days=GRACE_DAYS),
                    cycle=handled + 1,
                )
            days = (
                [service.due_on]
                if service is not None
                else _occurrences(
                    kind,
                    signed,
                    today,
                    inspection=vehicle.annual_inspection_due,
                    insurance=vehicle.insurance_due,
                    born=birthday_from_id(customer.id_number),
                )
            )
            for day in days:
                key = (customer.id, kind, day)
                shown_from = day - timedelta(days=LEAD_DAYS.get(kind, 0))
                if key in logged or key in seen or not shown_from <= today:
                    continue
                if day < today - timedelta(days=GRACE_DAYS) or day < signed:
                    continue
                seen.add(key)
                tasks.append(
                    ReminderTask(
                        customer_id=customer.id,
                        customer_name=customer.name,
                        phone_masked=mask_phone(customer.phone),
                        kind=kind,
                        due_on=day,
                        vehicle=car,
                        contract_no=contract.contract_no,
                        message=draft(
                            kind,
                            name=name,
                            car=car,
                            due_on=day,
                            store=store.name,
                            phone=store.phone,
                            service=service,
                        ),
                        marketing=kind in MARKETING,
                        basis=service.basis if service else "",
                        km_since=service.km_since_base if service else None,
                        months_since=service.months_since_base if service else None,
                        since_sale=service.base_is_sale if service else False,
                        reason=maintenance_reason(service) if service else "",
                    )
                )
    tasks.sort(key=lambda t: (t.due_on, t.customer_name, KINDS.index(t.kind)))
    return tasks


def _marketing_consent(session: Session, customer_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Customers whose latest marketing consent is a yes."""
    latest = (
        select(
            Consent.customer_id,
            Consent.granted,
            func.row_number()
            .over(
                partition_by=Consent.customer_id,
                order_by=(Consent.recorded_at.desc(), Consent.id.desc()),
            )
            .label("n"),
        )
        .where(
            Consent.customer_id.in_(customer_ids),
            Consent.purpose == ConsentPurpose.MARKETING,
        )
        .subquery()
    )
    return set(
        session.scalars(
            select(latest.c.customer_id).where(latest.c.n == 1, latest.c.granted.is_(True))
        )
    )


def mark(
    session: Session,
    user: StaffUser,
    customer_id: uuid.UUID,
    kind: str,
    due_on: date,
    *,
    status: str = "sent",
    channel: str = "sms",
    message: str = "",
    now: datetime | None = None,
) -> bool:
    """Record a reminder as sent (or skipped); False when it was already recorded
    (another PC, or the outbox replaying), which is no error."""
    _require(user)
    if kind not in KINDS:
        raise ValidationError("reminder.kind", "未知的提醒类型。")
    if status not in ("sent", "skipped"):
        raise ValidationError("reminder.status", "请选择已发送或跳过。")
    if channel not in CHANNELS:
        raise ValidationError("reminder.channel", "请选择发送方式。")
    text = message.strip()
    if len(text) > MAX_MESSAGE:
        raise ValidationError(
            "reminder.message_too_long", f"短信内容最多 {MAX_MESSAGE} 个字。", limit=MAX_MESSAGE
        )
    customer = locks.lock_customer(session, customer_id, locks.SHARE)
    if customer is None or customer.store_id != user.store_id:
        raise NotFoundError("customer.not_found", "客户不存在或已被合并。")
    exists = session.scalar(
        select(ReminderLog.id).where(
            ReminderLog.customer_id == customer.id,
            ReminderLog.kind == kind,
            ReminderLog.due_on == due_on,
        )
    )
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                ReminderLog(
                    customer_id=customer.id,
                    kind=kind,
                    due_on=due_on,
                    status=status,
                    channel=channel,
                    message=text,
                    done_at=now or utcnow(),
                    done_by_id=user.id,
                )
            )
            session.flush()
    except IntegrityError:
        return False  # the same reminder, recorded by another PC a moment ago
    return True


def messages_csv(session: Session, user: StaffUser, today: date) -> str:
    """Today's list with full numbers, to send from a phone or an SMS platform.

    CSV with a BOM so that Excel opens the Chinese columns correctly; the export is
    audit-logged as a reveal of personal data.
    """
    tasks = due(session, user, today)
    phones = dict(
        session.execute(
            select(Customer.id, Customer.phone).where(
                Customer.id.in_({t.customer_id for t in tasks})
            )
        ).all()
    )
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["日期", "类型", "客户", "手机号", "车辆", "合同号", "短信内容"])
    for t in tasks:
        writer.writerow(
            [
                t.due_on.isoformat(),
                KIND_TEXT.get(t.kind, t.kind),
                t.customer_name,
                phones.get(t.customer_id, ""),
                t.vehicle,
                t.contract_no,
                t.message,
            ]
        )
    audit.record(
        session,
        user.actor,
        "personal_data_revealed",
        "buyer_reminders",
        today.isoformat(),
        {"field": "phone", "count": len(tasks)},
    )
    return out.getvalue()


KIND_TEXT = {
    "after_3d": "购车 3 天",
    "after_1m": "购车 1 个月",
    "after_3m": "购车 3 个月",
    "after_6m": "购车 6 个月",
    "after_12m": "购车 12 个月",
    MAINTENANCE: "保养提醒",
    INSPECTION: "年检到期",
    INSURANCE: "保险到期",
    BIRTHDAY: "生日祝福",
}
