"""意向金: a deposit that reserves a car for one customer, and what becomes of it.

States (``DepositStatus``) and what each does to the car::

    active ──apply (contract signed)──> applied      car: reserved -> sold (contracts.sign)
      │  ├──refund (manager)──────────> refunded     car: reserved -> on sale
      │  ├──forfeit (per terms)───────> forfeited    car: reserved -> on sale
      │  └──expire (past its date)────> expired      car: reserved -> on sale
    expired ──refund / forfeit──> refunded / forfeited (the money still has to be settled)

Taking a deposit locks the car's row (``FOR UPDATE`` on PostgreSQL, the write
lock on SQLite) and re-reads its status, so of two desks taking a deposit on
one car at the same moment the second waits, then sees the first one's
deposit and is told who holds the car. The partial unique index
``uq_deposits_vehicle_active`` is the last line should anything bypass this.
Every transition is audit-logged; the receipt number comes from the database
counter in the same transaction as the insert, so a failed deposit uses none.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from db import locks
from db.base import as_utc
from db.models import (
    Customer,
    Deposit,
    DepositStatus,
    DocumentKind,
    FollowUp,
    PaymentMethod,
    Role,
    Staff,
    Store,
    Vehicle,
    VehicleStatus,
)
from showroom import numbering
from showroom.clock import utcnow
from showroom.documents import archive
from showroom.documents.letterhead import letterhead
from showroom.documents.model import Document, QrCode
from showroom.documents.templates import load_template
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.money import format_yuan, parse_amount, to_chinese_capitals
from showroom.privacy import mask_name, mask_phone
from showroom.services import audit, vehicles
from showroom.services.vehicles import vehicle_label
from showroom.users import StaffUser

# A deposit above this is a typing error, not a deposit (a car's price is paid under the contract).
MAX_DEPOSIT = Decimal("1000000")
DEFAULT_VALID_DAYS = 7
EXPIRY_REASON = "deposit_expiry"  # follow-up reason: remind the consultant before it lapses

METHOD_LABELS: dict[PaymentMethod, str] = {
    PaymentMethod.CASH: "现金",
    PaymentMethod.WECHAT: "微信支付",
    PaymentMethod.ALIPAY: "支付宝",
    PaymentMethod.BANK_CARD: "银行卡",
    PaymentMethod.TRANSFER: "转账",
}

STATUS_LABELS: dict[DepositStatus, str] = {
    DepositStatus.ACTIVE: "有效（车辆已预订）",
    DepositStatus.APPLIED: "已抵车款",
    DepositStatus.REFUNDED: "已退还",
    DepositStatus.FORFEITED: "已没收",
    DepositStatus.EXPIRED: "已过期",
}

# Methods whose payment leaves a trace someone can look up later.
_REFERENCE_REQUIRED = frozenset(
    {PaymentMethod.WECHAT, PaymentMethod.ALIPAY, PaymentMethod.BANK_CARD, PaymentMethod.TRANSFER}
)


def lock_vehicle(session: Session, vehicle_id: uuid.UUID) -> Vehicle:
    """The car's row, locked for this transaction (PostgreSQL) and re-read from the database."""
    vehicle = session.scalars(
        select(Vehicle)
        .where(Vehicle.id == vehicle_id, Vehicle.deleted_at.is_(None))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if vehicle is None:
        raise NotFoundError("vehicle.not_found", "没有找到这辆车，可能已被删除。")
    return vehicle


# --- look-ups for the desk ------------------------------------------------------------------

# The desk finds a car by stock no. or plate (one lookup for deposits, contracts, test drives).
CarChoice = vehicles.CarChoice
find_car = vehicles.find_car


# --- taking a deposit -----------------------------------------------------------------------


@dataclass(frozen=True)
class DepositInput:
    vehicle_id: uuid.UUID
    customer_id: uuid.UUID
    amount: str | Decimal
    method: PaymentMethod
    payment_ref: str = ""
    consultant_id: uuid.UUID | None = None  # who sold it; the signed-in user when None
    valid_days: int = DEFAULT_VALID_DAYS


@dataclass(frozen=True)
class TakenDeposit:
    id: uuid.UUID
    receipt_no: str
    amount: Decimal
    expires_at: datetime


def _holder_refusal(session: Session, vehicle: Vehicle) -> ConflictError:
    """Who holds the car: masked customer name, consultant and receipt."""
    row = session.execute(
        select(Deposit.receipt_no, Customer.name, Staff.display_name)
        .join(Customer, Customer.id == Deposit.customer_id)
        .outerjoin(Staff, Staff.id == Deposit.taken_by_id)
        .where(Deposit.vehicle_id == vehicle.id, Deposit.status == DepositStatus.ACTIVE)
    ).first()
    if row is None:
        return ConflictError(
            "deposit.vehicle_reserved",
            "这辆车已被预订，不能再收取意向金。",
            stock_no=vehicle.stock_no,
        )
    customer = mask_name(row.name)
    consultant = row.display_name or ""  # the UI says "unknown"
    return ConflictError(
        "deposit.vehicle_reserved",
        f"这辆车已由客户 {customer} 交付意向金预订（销售顾问：{consultant or '未知'}，"
        f"收据号 {row.receipt_no}），不能再收取意向金。",
        customer=customer,
        consultant=consultant,
        receipt_no=row.receipt_no,
    )


def _check_available(session: Session, vehicle: Vehicle) -> None:
    if vehicle.status is VehicleStatus.SOLD:
        raise ConflictError(
            "deposit.vehicle_sold",
            f"车辆 {vehicle.stock_no} 已售出，不能收取意向金。",
            stock_no=vehicle.stock_no,
        )
    if vehicle.status is VehicleStatus.RESERVED:
        raise _holder_refusal(session, vehicle)
    if vehicle.status is VehicleStatus.TEST_DRIVE:
        raise ConflictError(
            "deposit.vehicle_out",
            f"车辆 {vehicle.stock_no} 正在试驾中，请还车后再收取意向金。",
            stock_no=vehicle.stock_no,
        )
    if vehicle.status is VehicleStatus.PREPARING:
        raise ConflictError(
            "deposit.vehicle_preparing",
            f"车辆 {vehicle.stock_no} 还在整备中，尚未上架销售。",
            stock_no=vehicle.stock_no,
        )
    active = session.scalar(
        select(func.count())
        .select_from(Deposit)
        .where(Deposit.vehicle_id == vehicle.id, Deposit.status == DepositStatus.ACTIVE)
    )
    if active:
        raise _holder_refusal(session, vehicle)


def validate_amount(amount: str | Decimal, price: Decimal | None = None) -> Decimal:
    """A deposit amount: more than zero, at most the car's price and at most ¥1,000,000."""
    if isinstance(amount, str) and not amount.strip():
        raise ValidationError("deposit.amount_missing", "请输入意向金金额。")
    value = parse_amount(amount, minimum=Decimal("-1e12"))
    if value <= 0:
        raise ValidationError("deposit.amount_not_positive", "意向金金额必须大于零。")
    if value > MAX_DEPOSIT:
        raise ValidationError(
            "deposit.amount_too_large",
            f"意向金金额 {format_yuan(value)} 超过上限 {format_yuan(MAX_DEPOSIT)}，"
            "请检查是否多输了零。",
            maximum=format_yuan(MAX_DEPOSIT),
            amount=format_yuan(value),
        )
    if price is not None and value > price:
        raise ValidationError(
            "deposit.amount_over_price",
            f"意向金 {format_yuan(value)} 不能超过车辆标价 {format_yuan(price)}。",
            price=format_yuan(price),
            amount=format_yuan(value),
        )
    return value


def take(
    session: Session,
    actor: audit.Actor,
    data: DepositInput,
    *,
    store_code: str,
    now: datetime | None = None,
    zone: tzinfo | None = None,
) -> TakenDeposit:
    """Take a deposit and reserve the car, or refuse and say who holds it."""
    validate_amount(data.amount)  # the form first; the car's price is checked under the lock
    if not isinstance(data.method, PaymentMethod):
        raise ValidationError("deposit.method_missing", "请选择付款方式。")
    reference = data.payment_ref.strip()
    if data.method in _REFERENCE_REQUIRED and not reference:
        raise ValidationError(
            "deposit.reference_missing",
            f"{METHOD_LABELS[data.method]}付款请填写交易单号或流水号，便于对账。",
            method_label=METHOD_LABELS[data.method],
        )
    if len(reference) > 60:
        raise ValidationError("deposit.reference_too_long", "交易单号最多 60 个字符。")
    if not 1 <= data.valid_days <= 90:
        raise ValidationError("deposit.valid_days", "意向金有效期应在 1 到 90 天之间。")
    # Customer, then car, then the receipt counter, the audit head last (db.locks). A merge
    # of this customer finishes first, or waits: the deposit lands on the record kept.
    customer = locks.lock_customer(session, data.customer_id)
    if customer is None:
        raise NotFoundError("deposit.customer_unknown", "没有找到这位客户，请重新查找。")
    vehicle = lock_vehicle(session, data.vehicle_id)
    at = as_utc(now or utcnow())
    expire_lapsed(session, audit.SYSTEM, at, vehicle_id=vehicle.id)  # a lapsed one frees the car
    amount = validate_amount(data.amount, vehicle.list_price)
    _check_available(session, vehicle)
    expires = at + timedelta(days=data.valid_days)
    consultant_id = data.consultant_id or actor.staff_id
    deposit = Deposit(
        # The desk that takes the money: its till, its receipt numbers, its day summary.
        store_id=actor.store_id or vehicle.store_id,
        receipt_no=numbering.next_receipt_no(session, store_code, at.astimezone(zone or UTC).year),
        vehicle_id=vehicle.id,
        customer_id=customer.id,
        amount=amount,
        method=data.method,
        payment_ref=reference,
        status=DepositStatus.ACTIVE,
        taken_by_id=consultant_id,
        taken_at=at,
        expires_at=expires,
    )
    session.add(deposit)
    vehicle.status = VehicleStatus.RESERVED
    try:
        with session.begin_nested():  # the partial unique index: the last line against a race
            session.flush()
    except (IntegrityError, StaleDataError):
        raise ConflictError(
            "deposit.vehicle_reserved",
            "这辆车刚被另一台电脑收取了意向金，请刷新后查看。",
        ) from None
    # The reminder: the consultant calls the customer the day before the reservation lapses.
    session.add(
        FollowUp(
            customer_id=customer.id,
            consultant_id=consultant_id,
            due_on=_reminder_day(session, deposit),
            reason=EXPIRY_REASON,
        )
    )
    audit.record(
        session,
        actor,
        "deposit_taken",
        "deposit",
        deposit.id,
        {
            "receipt_no": deposit.receipt_no,
            "amount": str(amount),
            "method": data.method.value,
            "vehicle": vehicle.stock_no,
        },
    )
    session.flush()
    return TakenDeposit(deposit.id, deposit.receipt_no, amount, expires)


# --- closing a deposit ---------------------------------------------------------------------


def _deposit(session: Session, deposit_id: uuid.UUID, *, lock: bool = True) -> Deposit:
    """The deposit, locked and re-read. A refund or forfeit first locks the customer
    (``_customer_first``); ``expire_lapsed``, which meets other customers' deposits
    under a car it already holds, locks only the deposit row: a merge moving it
    waits for that row, or has finished before it is read."""
    stmt = select(Deposit).where(Deposit.id == deposit_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    deposit = session.scalars(stmt).first()
    if deposit is None:
        raise NotFoundError("deposit.not_found", "没有找到这笔意向金。")
    return deposit


def _customer_first(session: Session, deposit_id: uuid.UUID) -> None:
    """Lock the deposit's customer before the deposit (db.locks)."""
    locks.lock_customer_of(session, Deposit, deposit_id)


def _require(deposit: Deposit, allowed: Iterable[DepositStatus], doing: str) -> None:
    if deposit.status not in allowed:
        raise ConflictError(
            "deposit.wrong_state",
            f"这笔意向金当前状态为“{STATUS_LABELS[deposit.status]}”，不能{doing}。",
            status=deposit.status.value,
            status_label=STATUS_LABELS[deposit.status],
            doing=doing,
        )


def _release_car(session: Session, deposit: Deposit) -> None:
    """The car goes back on sale, unless something else (a sale) happened to it meanwhile."""
    vehicle = lock_vehicle(session, deposit.vehicle_id)
    if vehicle.status is VehicleStatus.RESERVED:
        vehicle.status = VehicleStatus.ON_SALE


def _close(
    session: Session,
    actor: audit.Actor,
    deposit: Deposit,
    status: DepositStatus,
    reason: str,
    action: str,
    now: datetime | None,
) -> None:
    was_active = deposit.status is DepositStatus.ACTIVE
    deposit.status = status
    deposit.closed_at = as_utc(now or utcnow())
    deposit.closed_by_id = actor.staff_id
    deposit.close_reason = reason[:200]
    if was_active:
        _release_car(session, deposit)
    _cancel_reminder(session, deposit)
    session.flush()
    audit.record(
        session,
        actor,
        action,
        "deposit",
        deposit.id,
        {"receipt_no": deposit.receipt_no, "amount": str(deposit.amount), "reason": reason[:200]},
    )


def _reminder_day(session: Session, deposit: Deposit) -> date:
    """The day before the reservation lapses, in the store's zone (the reminder's due day)."""
    store = session.get(Store, deposit.store_id)
    try:
        zone: tzinfo = ZoneInfo(store.timezone) if store and store.timezone else UTC
    except (ValueError, ZoneInfoNotFoundError):
        zone = UTC
    expires = as_utc(deposit.expires_at or deposit.taken_at)
    return (expires - timedelta(days=1)).astimezone(zone).date()


def _cancel_reminder(session: Session, deposit: Deposit) -> None:
    """Close this deposit's reminder (same customer and due day; follow-ups carry no deposit)."""
    from db.models import FollowUpStatus

    for follow_up in session.scalars(
        select(FollowUp).where(
            FollowUp.customer_id == deposit.customer_id,
            FollowUp.reason == EXPIRY_REASON,
            FollowUp.status == FollowUpStatus.OPEN,
            FollowUp.due_on == _reminder_day(session, deposit),
        )
    ):
        follow_up.status = FollowUpStatus.SKIPPED
        follow_up.result = f"意向金 {deposit.receipt_no} 已结清，无需提醒"


def _reason(text: str, what: str) -> str:
    reason = text.strip()
    if not reason:
        raise ValidationError("deposit.reason_missing", f"请填写{what}的原因。", what=what)
    return reason


def refund(
    session: Session,
    user: StaffUser,
    deposit_id: uuid.UUID,
    reason: str,
    now: datetime | None = None,
) -> None:
    """退还: the manager only; before signing, per the terms the deposit is refundable."""
    if not user.has_role(Role.MANAGER):
        raise PermissionDenied("deposit.refund_manager_only", "只有店长可以退还意向金。")
    _customer_first(session, deposit_id)
    deposit = _deposit(session, deposit_id)
    _require(deposit, (DepositStatus.ACTIVE, DepositStatus.EXPIRED), "退还")
    _close(
        session,
        user.actor,
        deposit,
        DepositStatus.REFUNDED,
        _reason(reason, "退还"),
        "deposit_refunded",
        now,
    )


def forfeit(
    session: Session,
    user: StaffUser,
    deposit_id: uuid.UUID,
    reason: str,
    now: datetime | None = None,
) -> None:
    """没收 per the terms: after it lapsed, or at any time by the manager (customer withdrew)."""
    _customer_first(session, deposit_id)
    deposit = _deposit(session, deposit_id)
    _require(deposit, (DepositStatus.ACTIVE, DepositStatus.EXPIRED), "没收")
    at = as_utc(now or utcnow())
    lapsed = deposit.status is DepositStatus.EXPIRED or (
        deposit.expires_at is not None and as_utc(deposit.expires_at) <= at
    )
    if not lapsed and not user.has_role(Role.MANAGER):
        raise PermissionDenied(
            "deposit.forfeit_not_lapsed",
            "意向金尚未到期，按约定只能由店长决定没收。",
        )
    _close(
        session,
        user.actor,
        deposit,
        DepositStatus.FORFEITED,
        _reason(reason, "没收"),
        "deposit_forfeited",
        at,
    )


def apply_to_contract(
    session: Session,
    actor: audit.Actor,
    deposit: Deposit,
    contract_id: uuid.UUID,
    contract_no: str,
    now: datetime,
) -> None:
    """抵扣: called by ``contracts.sign`` in its transaction; the car becomes sold there."""
    _require(deposit, (DepositStatus.ACTIVE,), "抵扣车款")
    deposit.status = DepositStatus.APPLIED
    deposit.closed_at = now
    deposit.closed_by_id = actor.staff_id
    deposit.close_reason = f"签订合同 {contract_no} 时抵作车款"
    deposit.applied_contract_id = contract_id
    _cancel_reminder(session, deposit)
    audit.record(
        session,
        actor,
        "deposit_applied",
        "deposit",
        deposit.id,
        {
            "receipt_no": deposit.receipt_no,
            "amount": str(deposit.amount),
            "contract_no": contract_no,
        },
    )


def expire_lapsed(
    session: Session,
    actor: audit.Actor,
    now: datetime | None = None,
    *,
    store_id: uuid.UUID | None = None,
    vehicle_id: uuid.UUID | None = None,
) -> list[str]:
    """Mark active deposits past their date as expired and put their cars back on sale.

    Returns the receipt numbers; idempotent. The deposits list runs it for its own store
    (``store_id``); taking a deposit, drafting and signing a contract run it for the car they
    have just locked (``vehicle_id``), so a lapsed deposit never holds a car until someone
    happens to open the list.
    """
    at = as_utc(now or utcnow())
    conditions = [
        Deposit.status == DepositStatus.ACTIVE,
        Deposit.expires_at.is_not(None),
        Deposit.expires_at <= at,
    ]
    if store_id is not None:
        conditions.append(Deposit.store_id == store_id)
    if vehicle_id is not None:
        conditions.append(Deposit.vehicle_id == vehicle_id)
    ids = session.scalars(select(Deposit.id).where(*conditions)).all()
    expired = []
    for deposit_id in ids:
        deposit = _deposit(session, deposit_id)
        if deposit.status is not DepositStatus.ACTIVE:
            continue  # another PC expired or closed it meanwhile
        _close(
            session,
            actor,
            deposit,
            DepositStatus.EXPIRED,
            "超过约定期限未签约，预订自动解除",
            "deposit_expired",
            at,
        )
        expired.append(deposit.receipt_no)
    return expired


# --- lists and the day's totals --------------------------------------------------------------


@dataclass(frozen=True)
class DepositRow:
    id: uuid.UUID
    receipt_no: str
    status: DepositStatus
    taken_at: datetime
    expires_at: datetime | None
    amount: Decimal
    method: PaymentMethod
    payment_ref: str
    customer_id: uuid.UUID
    customer_name: str  # masked
    phone_masked: str
    vehicle_id: uuid.UUID
    stock_no: str
    plate: str
    vehicle_label: str
    price: Decimal
    consultant_name: str
    close_reason: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def method_label(self) -> str:
        return METHOD_LABELS[self.method]

    def expires_within(self, now: datetime, days: int) -> bool:
        return (
            self.status is DepositStatus.ACTIVE
            and self.expires_at is not None
            and as_utc(self.expires_at) <= now + timedelta(days=days)
        )


def _rows(session: Session, *conditions: object, limit: int = 500) -> list[DepositRow]:
    taker = aliased(Staff)
    stmt = (
        select(Deposit, Customer.name, Customer.phone, Vehicle, taker.display_name)
        .join(Customer, Customer.id == Deposit.customer_id)
        .join(Vehicle, Vehicle.id == Deposit.vehicle_id)
        .outerjoin(taker, taker.id == Deposit.taken_by_id)
        .where(*conditions)
        .order_by(Deposit.taken_at.desc())
        .limit(limit)
    )
    return [
        DepositRow(
            d.id,
            d.receipt_no,
            d.status,
            as_utc(d.taken_at),
            as_utc(d.expires_at) if d.expires_at else None,
            d.amount,
            d.method,
            d.payment_ref,
            d.customer_id,
            mask_name(name),
            mask_phone(phone),
            v.id,
            v.stock_no,
            v.plate or "",
            vehicle_label(v),
            v.list_price,
            consultant or "",
            d.close_reason,
        )
        for d, name, phone, v, consultant in session.execute(stmt)
    ]


def list_deposits(
    session: Session, store_id: uuid.UUID, *, active_only: bool = False
) -> list[DepositRow]:
    conditions: list[object] = [Deposit.store_id == store_id]
    if active_only:
        conditions.append(Deposit.status == DepositStatus.ACTIVE)
    return _rows(session, *conditions)


def get(session: Session, deposit_id: uuid.UUID) -> DepositRow:
    rows = _rows(session, Deposit.id == deposit_id)
    if not rows:
        raise NotFoundError("deposit.not_found", "没有找到这笔意向金。")
    return rows[0]


def active_for_vehicle(session: Session, vehicle_id: uuid.UUID) -> DepositRow | None:
    rows = _rows(session, Deposit.vehicle_id == vehicle_id, Deposit.status == DepositStatus.ACTIVE)
    return rows[0] if rows else None


def expiring(
    session: Session, store_id: uuid.UUID, now: datetime, within_days: int = 2
) -> list[DepositRow]:
    """Active deposits that lapse within ``within_days``: call these customers."""
    limit = as_utc(now) + timedelta(days=within_days)
    return sorted(
        _rows(
            session,
            Deposit.store_id == store_id,
            Deposit.status == DepositStatus.ACTIVE,
            Deposit.expires_at <= limit,
        ),
        key=lambda r: r.expires_at or limit,
    )


@dataclass(frozen=True)
class MethodTotal:
    method: PaymentMethod
    taken_count: int
    taken: Decimal
    refunded_count: int
    refunded: Decimal

    @property
    def label(self) -> str:
        return METHOD_LABELS[self.method]

    @property
    def net(self) -> Decimal:
        return self.taken - self.refunded


@dataclass(frozen=True)
class DaySummary:
    day: date
    methods: tuple[MethodTotal, ...]  # every method, in the order of the enum

    @property
    def taken(self) -> Decimal:
        return sum((m.taken for m in self.methods), Decimal("0.00"))

    @property
    def refunded(self) -> Decimal:
        return sum((m.refunded for m in self.methods), Decimal("0.00"))

    @property
    def net(self) -> Decimal:
        return self.taken - self.refunded

    @property
    def taken_count(self) -> int:
        return sum(m.taken_count for m in self.methods)


def day_summary(session: Session, store_id: uuid.UUID, day: date, zone: tzinfo) -> DaySummary:
    """Money in (deposits taken) and out (refunds) that day, by payment method, for the till."""
    start = datetime.combine(day, time.min, zone).astimezone(UTC)
    end = start + timedelta(days=1)

    def sums(
        column: object, status: DepositStatus | None
    ) -> dict[PaymentMethod, tuple[int, Decimal]]:
        stmt = (
            select(Deposit.method, func.count(), func.coalesce(func.sum(Deposit.amount), 0))
            .where(Deposit.store_id == store_id, column >= start, column < end)  # type: ignore[operator]
            .group_by(Deposit.method)
        )
        if status is not None:
            stmt = stmt.where(Deposit.status == status)
        out = {}
        for method, count, total in session.execute(stmt):
            # SUM keeps the Money type, so the total comes back in yuan already.
            out[PaymentMethod(method)] = (int(count), Decimal(total).quantize(Decimal("0.01")))
        return out

    taken = sums(Deposit.taken_at, None)
    refunded = sums(Deposit.closed_at, DepositStatus.REFUNDED)
    zero = (0, Decimal("0.00"))
    return DaySummary(
        day,
        tuple(MethodTotal(m, *taken.get(m, zero), *refunded.get(m, zero)) for m in PaymentMethod),
    )


# --- the receipt ---------------------------------------------------------------------------


def prepare_receipt(
    session: Session,
    deposit_id: uuid.UUID,
    *,
    templates_dir: Path | None,
    zone: tzinfo,
    letterhead_overrides: dict[str, str] | None = None,
) -> Document:
    """The receipt as data: amount in figures and capitals, the car, the terms."""
    deposit = _deposit(session, deposit_id, lock=False)
    customer = session.get(Customer, deposit.customer_id)
    vehicle = session.get(Vehicle, deposit.vehicle_id)
    taker = session.get(Staff, deposit.taken_by_id) if deposit.taken_by_id else None
    assert customer is not None and vehicle is not None
    head = letterhead(session, deposit.store_id, templates_dir, letterhead_overrides)
    template = load_template(templates_dir, DocumentKind.DEPOSIT_RECEIPT.value)
    taken = as_utc(deposit.taken_at).astimezone(zone)
    expires = as_utc(deposit.expires_at).astimezone(zone) if deposit.expires_at else None
    values = {
        "receipt_no": deposit.receipt_no,
        "taken_at": f"{taken:%Y年%m月%d日 %H:%M}",
        "store_name": head.store_name,
        "customer_name": customer.name,
        "customer_phone": mask_phone(customer.phone),
        "vehicle_name": vehicle_label(vehicle),
        "stock_no": vehicle.stock_no,
        "plate": vehicle.plate or "（未上牌）",
        "vin": vehicle.vin or "（无）",
        "list_price": format_yuan(vehicle.list_price),
        "amount": format_yuan(deposit.amount),
        "amount_capitals": "人民币" + to_chinese_capitals(deposit.amount),
        "method": METHOD_LABELS[deposit.method],
        "payment_ref": deposit.payment_ref or "—",
        "expires": f"{expires:%Y年%m月%d日 %H:%M}" if expires else "—",
        "consultant_name": taker.display_name if taker else "",
    }
    return template.document(
        values,
        kind=DocumentKind.DEPOSIT_RECEIPT.value,
        number=deposit.receipt_no,
        letterhead=head,
        issued=f"{taken:%Y-%m-%d %H:%M}",
        qr_codes=(
            QrCode(
                f"SHOWROOM:RC:{deposit.receipt_no}",
                f"收据号 {deposit.receipt_no}\n凭收据号和验证码可向门店核验存档原件。",
            ),
        ),
        extra={"subject": f"{mask_name(customer.name)} · {vehicle.stock_no}"},
    )


def archive_receipt(
    session: Session,
    actor: audit.Actor,
    deposit_id: uuid.UUID,
    document: Document,
    pdf: bytes,
) -> archive.ArchivedDocument:
    """Archive the receipt as printed the first time; later prints are copies."""
    deposit = _deposit(session, deposit_id, lock=False)
    if document.number != deposit.receipt_no:
        raise ValidationError("deposit.receipt_mismatch", "收据与这笔意向金不对应，请重新打开。")
    return archive.archive_original(
        session,
        actor,
        DocumentKind.DEPOSIT_RECEIPT,
        document,
        pdf,
        store_id=deposit.store_id,
        subject_id=deposit.id,
    )
