"""七日退车: unwinding a signed sale within the after-sales agreement's window.

Every sale promises (附件二 售后服务协议, first clause) that within ``return_days``
of delivery and ``return_km`` of driving the buyer may give the car back. A return
is the store manager's decision, recorded in one transaction:

- the contract stays signed (its number and papers are history) and gets
  ``returned_at``: lists show it as 已退车, and it no longer holds the car (the
  partial unique index "one signed sale per car" leaves it out);
- the car is back on sale, its odometer at the return reading, with everything
  recorded about it so far (photos, inspections, history) untouched;
- the open follow-ups of the contract stop (skipped, saying why);
- the deposit that was credited stays applied to the contract: its money is part
  of the price, and the refund (price less the deductions the terms allow) pays
  it back with the rest, so nothing is refunded twice;
- a return number from the store's counter (no gaps), a numbered return
  agreement with the amounts in figures and capitals, archived as printed;
- an audit entry.

The database holds the last line: one return per contract (unique key), refund =
price − deductions and never negative (CHECKs).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db import locks
from db.base import as_utc
from db.models import (
    Contract,
    ContractKind,
    ContractStatus,
    Customer,
    Deposit,
    DocumentKind,
    FollowUp,
    FollowUpStatus,
    PaymentMethod,
    Role,
    Staff,
    Vehicle,
    VehicleReturn,
    VehicleStatus,
)
from showroom import fields, numbering
from showroom.clock import utcnow
from showroom.documents import archive
from showroom.documents.letterhead import letterhead
from showroom.documents.model import Document, QrCode
from showroom.documents.templates import load_template
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.money import format_yuan, parse_amount, to_chinese_capitals
from showroom.privacy import mask_name, mask_phone
from showroom.services import audit, deposits
from showroom.services.vehicles import vehicle_label
from showroom.users import StaffUser

TEMPLATE = "return_agreement"
FOLLOW_UP_STOPPED = "已退车，回访终止"
MAX_DEDUCTIONS = 10
TRACEABLE = frozenset(set(PaymentMethod) - {PaymentMethod.CASH})


@dataclass(frozen=True)
class ReturnTerms:
    """The window the store promises (settings ``return_days`` / ``return_km``)."""

    days: int = 7
    km: int = 300


@dataclass(frozen=True)
class Deduction:
    label: str  # 已发生的过户费、检验费、新增损伤修复……
    amount: str | Decimal


@dataclass(frozen=True)
class ReturnInput:
    contract_id: uuid.UUID
    reason: str
    condition: str
    mileage_km: int | str
    method: PaymentMethod
    deductions: Sequence[Deduction] = ()
    payment_ref: str = ""


@dataclass(frozen=True)
class ReturnQuote:
    """What the return dialog starts from: the sale, its window and where it stands today."""

    contract_id: uuid.UUID
    contract_no: str
    vehicle_label: str
    stock_no: str
    customer_name: str  # masked
    price: Decimal
    deposit_amount: Decimal
    delivered_on: date
    last_day: date
    sale_mileage_km: int
    max_mileage_km: int
    within_window: bool


@dataclass(frozen=True)
class RecordedReturn:
    id: uuid.UUID
    return_no: str
    contract_no: str
    refund: Decimal
    deductions_total: Decimal
    follow_ups_stopped: int


def _require_manager(user: StaffUser) -> None:
    if not user.has_role(Role.MANAGER):
        raise PermissionDenied("return.manager_only", "退车须由店长办理。")


def _sale(session: Session, contract_id: uuid.UUID, *, lock: bool = False) -> Contract:
    stmt = select(Contract).where(Contract.id == contract_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    contract = session.scalars(stmt).first()
    if contract is None:
        raise NotFoundError("contract.not_found", "没有找到这份合同。")
    if contract.kind is not ContractKind.SALE:
        raise ConflictError(
            "return.not_a_sale",
            f"{contract.contract_no} 不是买卖合同，不能据此退车。",
            contract_no=contract.contract_no,
        )
    if contract.returned_at is not None:
        raise ConflictError(
            "return.already_returned",
            f"合同 {contract.contract_no} 的车辆已经退回（可能是另一台电脑刚刚办理），请刷新。",
            contract_no=contract.contract_no,
        )
    if contract.status is not ContractStatus.SIGNED:
        raise ConflictError(
            "return.not_signed",
            f"合同 {contract.contract_no} 尚未签订，不需要退车；草稿可以作废。",
            contract_no=contract.contract_no,
        )
    return contract


def delivered_on(contract: Contract, zone: tzinfo) -> date:
    """The day the window starts: the delivery date on the contract, else the signing day."""
    text = (contract.terms or {}).get("delivery_date")
    if isinstance(text, str) and text:
        return date.fromisoformat(text)
    assert contract.signed_at is not None
    return as_utc(contract.signed_at).astimezone(zone).date()


def _paid(contract: Contract) -> Decimal:
    terms = contract.terms or {}
    return Decimal(str(terms.get("deposit_amount", terms.get("deposit_credit", "0"))))


def quote(
    session: Session,
    contract_id: uuid.UUID,
    *,
    terms: ReturnTerms,
    now: datetime,
    zone: tzinfo,
) -> ReturnQuote:
    contract = _sale(session, contract_id)
    vehicle = session.get(Vehicle, contract.vehicle_id)
    customer = session.get(Customer, contract.customer_id)
    assert vehicle is not None and customer is not None
    start = delivered_on(contract, zone)
    last = date.fromordinal(start.toordinal() + terms.days)
    today = as_utc(now).astimezone(zone).date()
    return ReturnQuote(
        contract.id,
        contract.contract_no,
        vehicle_label(vehicle),
        vehicle.stock_no,
        mask_name(customer.name),
        contract.price or Decimal("0.00"),
        _paid(contract),
        start,
        last,
        vehicle.mileage_km,
        vehicle.mileage_km + terms.km,
        today <= last,
    )


def _mileage(value: int | str) -> int:
    text = str(value).strip().replace(",", "").replace("，", "")
    if not text:
        raise ValidationError("return.mileage_missing", "请填写退车时的表显里程。")
    try:
        km = int(text)
    except ValueError:
        raise ValidationError(
            "return.mileage_invalid", f"退车里程“{text}”不是整数公里数。", text=text
        ) from None
    if km < 0 or km > 2_000_000:
        raise ValidationError(
            "return.mileage_invalid", f"退车里程 {km} 公里不合理。", km=km, text=text
        )
    return km


def _deductions(items: Sequence[Deduction], price: Decimal) -> tuple[list[dict[str, str]], Decimal]:
    rows: list[dict[str, str]] = []
    total = Decimal("0.00")
    for number, item in enumerate(items, start=1):
        label = fields.text(item.label, "return.deduction_label")
        amount_text = str(item.amount).strip()
        if not label and not amount_text:
            continue  # an empty line the manager left
        if not label:
            raise ValidationError(
                "return.deduction_label", f"第 {number} 项扣除费用没有写明名目。", line=number
            )
        if not amount_text:
            raise ValidationError(
                "return.deduction_amount",
                f"扣除费用“{label}”没有填写金额。",
                item=label,
                line=number,
            )
        amount = parse_amount(amount_text, minimum=Decimal("0.01"))
        total += amount
        rows.append({"label": label, "amount": str(amount)})
    if len(rows) > MAX_DEDUCTIONS:
        raise ValidationError(
            "return.deductions_many",
            f"扣除费用最多 {MAX_DEDUCTIONS} 项，请合并同类费用。",
            limit=MAX_DEDUCTIONS,
        )
    if total > price:
        raise ValidationError(
            "return.deductions_over_price",
            f"扣除费用合计 {format_yuan(total)} 超过了成交价 {format_yuan(price)}。",
            total=format_yuan(total),
            price=format_yuan(price),
        )
    return rows, total


def record_return(
    session: Session,
    user: StaffUser,
    data: ReturnInput,
    *,
    terms: ReturnTerms,
    store_code: str,
    now: datetime | None = None,
    zone: tzinfo = UTC,
) -> RecordedReturn:
    """Unwind the sale in one transaction (see the module docstring); manager only."""
    _require_manager(user)
    at = as_utc(now or utcnow())
    today = at.astimezone(zone).date()
    reason = fields.text(data.reason, "return.reason")
    if not reason:
        raise ValidationError("return.reason_missing", "请填写退车原因。")
    condition = fields.text(data.condition, "return.condition")
    if not condition:
        raise ValidationError(
            "return.condition_missing", "请记录退车时的车况（外观、内饰、证件、钥匙、物品）。"
        )
    mileage = _mileage(data.mileage_km)
    reference = fields.text(data.payment_ref, "payment.reference")
    if data.method in TRACEABLE and not reference:
        raise ValidationError(
            "return.reference_missing",
            f"{deposits.METHOD_LABELS[data.method]}退款请填写交易单号或流水号，便于对账。",
            method_label=deposits.METHOD_LABELS[data.method],
        )
    locks.lock_customer_of(session, Contract, data.contract_id)  # first lock (db.locks)
    contract = _sale(session, data.contract_id, lock=True)
    start = delivered_on(contract, zone)
    days = (today - start).days
    if days > terms.days:
        raise ConflictError(
            "return.window_closed",
            f"合同 {contract.contract_no} 于 {start:%Y-%m-%d} 交车，已过 {days} 天，"
            f"超过 {terms.days} 天的退车期限，不能按七日退车办理。",
            contract_no=contract.contract_no,
            delivered=f"{start:%Y-%m-%d}",
            days=days,
            limit=terms.days,
        )
    vehicle = deposits.lock_vehicle(session, contract.vehicle_id)
    if vehicle.status is not VehicleStatus.SOLD:  # pragma: no cover - a signed sale sold it
        raise ConflictError(
            "return.vehicle_not_sold",
            f"车辆 {vehicle.stock_no} 不是已售状态。",
            stock_no=vehicle.stock_no,
        )
    sold_km = vehicle.mileage_km
    if mileage < sold_km:
        raise ValidationError(
            "return.mileage_below_sale",
            f"退车里程 {mileage:,} 公里低于合同交车里程 {sold_km:,} 公里，请核对表显里程。",
            mileage=f"{mileage:,}",
            sale=f"{sold_km:,}",
        )
    if mileage - sold_km > terms.km:
        raise ConflictError(
            "return.mileage_over",
            f"交车后已行驶 {mileage - sold_km:,} 公里，超过退车条件的 {terms.km} 公里，"
            "不能按七日退车办理。",
            driven=f"{mileage - sold_km:,}",
            limit=terms.km,
        )
    price = contract.price or Decimal("0.00")
    items, total = _deductions(data.deductions, price)
    refund = price - total
    deposit_id = session.scalar(
        select(Deposit.id).where(Deposit.applied_contract_id == contract.id)
    )
    stopped = session.execute(
        update(FollowUp)
        .where(FollowUp.contract_id == contract.id, FollowUp.status == FollowUpStatus.OPEN)
        .values(
            status=FollowUpStatus.SKIPPED,
            done_at=at,
            result=FOLLOW_UP_STOPPED,
            row_version=FollowUp.row_version + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    vehicle.status = VehicleStatus.ON_SALE
    vehicle.mileage_km = mileage
    contract.returned_at = at
    session.flush()  # the row updates before the counter (db.locks, step 2 then 3)
    record = VehicleReturn(
        store_id=contract.store_id,
        return_no=numbering.next_return_no(session, store_code, today.year),
        contract_id=contract.id,
        vehicle_id=vehicle.id,
        customer_id=contract.customer_id,
        deposit_id=deposit_id,
        reason=reason,
        condition=condition,
        sale_mileage_km=sold_km,
        mileage_km=mileage,
        price=price,
        deductions=items,
        deductions_total=total,
        refund=refund,
        method=data.method,
        payment_ref=reference,
        returned_at=at,
        approved_by_id=user.id,
    )
    try:
        with session.begin_nested():  # one return per contract, even when two desks race
            session.add(record)
            session.flush()
    except IntegrityError:
        raise ConflictError(
            "return.already_returned",
            f"合同 {contract.contract_no} 的车辆刚被另一台电脑办理了退车，本次未保存。",
            contract_no=contract.contract_no,
        ) from None
    audit.record(
        session,
        user.actor,
        "vehicle_returned",
        "contract",
        contract.id,
        {
            "return_no": record.return_no,
            "contract_no": contract.contract_no,
            "vehicle": vehicle.stock_no,
            "mileage_km": mileage,
            "price": str(price),
            "deductions": str(total),
            "refund": str(refund),
            "method": data.method.value,
            "follow_ups_stopped": stopped,
        },
    )
    return RecordedReturn(record.id, record.return_no, contract.contract_no, refund, total, stopped)


# --- the paper -------------------------------------------------------------------------------


def _return(session: Session, return_id: uuid.UUID) -> VehicleReturn:
    record = session.get(VehicleReturn, return_id)
    if record is None:
        raise NotFoundError("return.not_found", "没有找到这条退车记录。")
    return record


def prepare_agreement(
    session: Session,
    return_id: uuid.UUID,
    *,
    terms: ReturnTerms,
    templates_dir: Path | None,
    zone: tzinfo,
    letterhead_overrides: dict[str, str] | None = None,
) -> Document:
    """The numbered return agreement as data: amounts in figures and capitals."""
    record = _return(session, return_id)
    contract = session.get(Contract, record.contract_id)
    vehicle = session.get(Vehicle, record.vehicle_id)
    customer = session.get(Customer, record.customer_id)
    manager = session.get(Staff, record.approved_by_id) if record.approved_by_id else None
    assert contract is not None and vehicle is not None and customer is not None
    head = letterhead(session, record.store_id, templates_dir, letterhead_overrides)
    returned = as_utc(record.returned_at).astimezone(zone)
    deposit = session.get(Deposit, record.deposit_id) if record.deposit_id else None
    deductions = [
        f"{n}. {item['label']}：{format_yuan(Decimal(item['amount']))}"
        for n, item in enumerate(record.deductions or [], start=1)
    ]
    values = {
        "return_no": record.return_no,
        "contract_no": contract.contract_no,
        "store_name": head.store_name,
        "buyer_name": customer.name,
        "buyer_phone": mask_phone(customer.phone),
        "vehicle_name": vehicle_label(vehicle),
        "stock_no": vehicle.stock_no,
        "plate": vehicle.plate or "（未上牌）",
        "vin": vehicle.vin or "（无）",
        "delivery_date": f"{delivered_on(contract, zone):%Y年%m月%d日}",
        "returned_on": f"{returned:%Y年%m月%d日 %H:%M}",
        "sale_mileage": f"{record.sale_mileage_km:,}",
        "return_mileage": f"{record.mileage_km:,}",
        "driven": f"{record.mileage_km - record.sale_mileage_km:,}",
        "price": format_yuan(record.price),
        "price_capitals": "人民币" + to_chinese_capitals(record.price),
        "deductions_total": format_yuan(record.deductions_total),
        "deductions_capitals": "人民币" + to_chinese_capitals(record.deductions_total),
        "refund": format_yuan(record.refund),
        "refund_capitals": "人民币" + to_chinese_capitals(record.refund),
        "method": deposits.METHOD_LABELS[record.method],
        "payment_ref": record.payment_ref or "—",
        "manager_name": manager.display_name if manager else "",
        "reason": record.reason,
        "condition": record.condition,
        "deductions": "\n".join(deductions) if deductions else "无扣除费用，全额退还已付车款。",
        "return_days": str(terms.days),
        "return_km": str(terms.km),
        "deposit_clause": (
            f"乙方所交意向金 {format_yuan(deposit.amount)}（收据号 {deposit.receipt_no}）"
            "已在签约时抵作车款，包含在本次退款之中，不另行退还。"
            if deposit is not None
            else "乙方签约时未交付意向金。"
        )
        + _trade_in_clause(contract),
    }
    template = load_template(templates_dir, TEMPLATE)
    return template.document(
        values,
        kind=DocumentKind.CONTRACT.value,
        number=record.return_no,
        letterhead=head,
        issued=f"{returned:%Y-%m-%d %H:%M}",
        qr_codes=(
            QrCode(
                f"SHOWROOM:RT:{record.return_no}",
                f"退车协议 {record.return_no}\n凭编号和验证码可向门店核验存档原件。",
            ),
        ),
        extra={
            "subject": f"{mask_name(customer.name)} · {vehicle.stock_no}",
            "contract_no": contract.contract_no,
        },
    )


def _trade_in_clause(contract: Contract) -> str:
    """A car traded in stays bought (its own purchase agreement): its credited value is
    part of the price and goes back with the refund, in money."""
    trade_in = (contract.terms or {}).get("trade_in")
    if not isinstance(trade_in, dict):
        return ""
    amount = Decimal(str(trade_in.get("amount", "0")))
    return (
        f"乙方置换车辆依收车协议 {trade_in.get('purchase_no', '—')} 作价 {format_yuan(amount)}"
        "抵作车款，该作价包含在本次退款之中；置换车辆按收车协议归甲方所有，不予退回。"
    )


def archive_agreement(
    session: Session,
    actor: audit.Actor,
    return_id: uuid.UUID,
    document: Document,
    pdf: bytes,
) -> archive.ArchivedDocument:
    """Archive the agreement as printed the first time; later prints are copies."""
    record = _return(session, return_id)
    if document.number != record.return_no:
        raise ValidationError("return.paper_mismatch", "协议与这条退车记录不对应，请重新打开。")
    return archive.archive_original(
        session,
        actor,
        DocumentKind.CONTRACT,
        document,
        pdf,
        store_id=record.store_id,
        subject_id=record.id,
    )


# --- lists -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnRow:
    id: uuid.UUID
    return_no: str
    contract_no: str
    returned_at: datetime
    refund: Decimal


def for_contract(session: Session, contract_id: uuid.UUID) -> ReturnRow | None:
    row = session.execute(
        select(VehicleReturn, Contract.contract_no)
        .join(Contract, Contract.id == VehicleReturn.contract_id)
        .where(VehicleReturn.contract_id == contract_id)
    ).first()
    if row is None:
        return None
    record, number = row
    return ReturnRow(record.id, record.return_no, number, as_utc(record.returned_at), record.refund)
