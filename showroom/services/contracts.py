"""合同: draft, sign on screen, void, amend; the three papers of a sale as data.

A sale is one contract number (``BJ01-2026-000123``, from the database counter
in the same transaction as the insert, so numbers have no gaps) and three
papers archived under it: the sale contract itself, annex 1 the vehicle
condition confirmation (``…-1``) and annex 2 the after-sales agreement
(``…-2``). A draft that is abandoned is voided, never deleted: its number
stays visible as void. Signing is one transaction: the car becomes sold, the
deposit is applied, the follow-ups are scheduled, the signatures and the
three PDFs are archived and the contract is locked. A later change is an
amendment (补充协议) with its own number that refers to the original.

Two desks signing the same car: both lock the car's row; the second sees it
sold and is refused, and the partial unique index
``uq_contracts_vehicle_signed`` (one signed sale per car) is the last line.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from db import locks
from db.base import as_utc
from db.models import (
    Contract,
    ContractKind,
    ContractStatus,
    Customer,
    Deposit,
    DepositStatus,
    DocumentKind,
    FollowUp,
    HistoryRecord,
    Inspection,
    InspectionItem,
    InspectionStatus,
    ItemResult,
    Role,
    Staff,
    Store,
    Vehicle,
    VehicleReturn,
    VehicleStatus,
)
from showroom import numbering
from showroom.clock import utcnow
from showroom.documents import archive
from showroom.documents.letterhead import letterhead
from showroom.documents.model import Document, QrCode, SignatureImage
from showroom.documents.templates import load_template
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.identifiers import normalize_id_number
from showroom.money import format_yuan, parse_amount, to_chinese_capitals
from showroom.privacy import mask_name, mask_phone
from showroom.services import audit, deposits, vehicles
from showroom.services.test_drives import DrawnSignature, store_signatures, validate_signature
from showroom.services.vehicles import vehicle_label
from showroom.users import StaffUser

MAX_PRICE = Decimal("100000000")  # ¥100,000,000: above that it is a typing error
ANNEXES = (
    ("condition_confirmation", "-1"),  # 附件一 车况确认书
    ("after_sales_agreement", "-2"),  # 附件二 售后服务协议
)
# Follow-ups after signing: (reason, months, days).
FOLLOW_UP_PLAN = (
    ("contract_3d", 0, 3),
    ("contract_1m", 1, 0),
    ("contract_3m", 3, 0),
    ("contract_6m", 6, 0),
    ("contract_12m", 12, 0),
)
GRADE_LABELS = {"1": "一级", "2": "二级", "3": "三级", "4": "四级", "5": "五级（事故车）"}
HISTORY_LABELS = {"collision": "碰撞事故", "flood": "泡水", "fire": "火烧", "other": "其他"}
STATUS_LABELS = {
    ContractStatus.DRAFT: "草稿（未签）",
    ContractStatus.SIGNED: "已签订",
    ContractStatus.VOID: "已作废",
}
RETURNED_LABEL = "已退车"
KIND_LABELS = {
    ContractKind.SALE: "二手车买卖合同",
    ContractKind.AMENDMENT: "补充协议",
    ContractKind.CONDITION: "车况确认书",
    ContractKind.AFTER_SALES: "售后服务协议",
}
FEE_PAYERS = ("乙方（买受人）", "甲方（出卖人）", "双方各半")


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, the month's last day when it is shorter (31 Jan -> 28 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- input ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentStep:
    label: str  # 签约当日 / 交车前 / 贷款放款后
    amount: str | Decimal
    due_on: date


@dataclass(frozen=True)
class ContractInput:
    vehicle_id: uuid.UUID
    customer_id: uuid.UUID
    price: str | Decimal
    buyer_id_number: str
    payments: Sequence[PaymentStep] = ()
    buyer_address: str = ""
    delivery_date: date | None = None
    delivery_place: str = "甲方门店"
    keys: int = 2
    transfer_fee_payer: str = FEE_PAYERS[0]
    other_terms: str = ""
    consultant_id: uuid.UUID | None = None
    deposit_id: uuid.UUID | None = None
    # 置换: the buyer's own car, bought by a signed purchase agreement (收车), credited.
    trade_in_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Prefill:
    """What the contract dialog starts from: the car, the customer and their deposit."""

    vehicle_id: uuid.UUID
    customer_id: uuid.UUID
    vehicle_label: str
    stock_no: str
    customer_name: str
    phone_masked: str
    price: Decimal
    deposit_id: uuid.UUID | None
    deposit_amount: Decimal
    deposit_receipt: str
    id_number_known: bool  # the customer record has an ID number (not shown in full)
    consultant_id: uuid.UUID | None


def prefill_from_deposit(session: Session, deposit_id: uuid.UUID) -> Prefill:
    deposit = session.get(Deposit, deposit_id)
    if deposit is None:
        raise NotFoundError("deposit.not_found", "没有找到这笔意向金。")
    if deposit.status is not DepositStatus.ACTIVE:
        raise ConflictError(
            "contract.deposit_closed",
            f"意向金 {deposit.receipt_no} 已{deposits.STATUS_LABELS[deposit.status]}，"
            "不能再据此起草合同。",
            receipt_no=deposit.receipt_no,
            status_label=deposits.STATUS_LABELS[deposit.status],
        )
    vehicle = session.get(Vehicle, deposit.vehicle_id)
    customer = session.get(Customer, deposit.customer_id)
    assert vehicle is not None and customer is not None
    return Prefill(
        vehicle.id,
        customer.id,
        vehicle_label(vehicle),
        vehicle.stock_no,
        customer.name,
        mask_phone(customer.phone),
        vehicle.list_price,
        deposit.id,
        deposit.amount,
        deposit.receipt_no,
        bool(customer.id_number),
        deposit.taken_by_id,
    )


def prefill_for_car(session: Session, car_text: str, phone: str) -> Prefill:
    """A sale without a deposit (or with this customer's): car by stock no./plate, buyer by
    phone."""
    from showroom.services.test_drives import find_customer_by_phone

    car = vehicles.find_car(session, car_text)
    if not phone.strip():
        raise ValidationError("contract.phone_missing", "请输入买受人的手机号。")
    match = find_customer_by_phone(session, phone)
    if match is None:
        raise NotFoundError("contract.customer_unknown", "没有这个手机号的客户，请先在前台登记。")
    active = deposits.active_for_vehicle(session, car.id)
    if active is not None and active.customer_id == match.id:
        return prefill_from_deposit(session, active.id)
    if active is not None:
        raise ConflictError(
            "contract.vehicle_reserved_by_other",
            f"这辆车已由客户 {active.customer_name} 交付意向金预订"
            f"（销售顾问：{active.consultant_name or '未知'}），不能与其他客户签约。",
            customer_name=active.customer_name,
            consultant_name=active.consultant_name or "",  # the UI says "unknown"
        )
    customer = session.get(Customer, match.id)
    assert customer is not None
    return Prefill(
        car.id,
        match.id,
        car.label,
        car.stock_no,
        match.name,
        match.phone_masked,
        car.price,
        None,
        Decimal("0.00"),
        "",
        bool(customer.id_number),
        None,
    )


def _validated_payments(
    steps: Sequence[PaymentStep], balance: Decimal, default_due: date
) -> list[dict[str, str]]:
    """The schedule must add up to the balance; an empty one means "balance on signing"."""
    if not steps:
        steps = [PaymentStep("签约当日付清余款", balance, default_due)]
    rows = []
    total = Decimal("0.00")
    for number, step in enumerate(steps, start=1):
        label = step.label.strip() or f"第 {number} 期"
        amount = parse_amount(step.amount, minimum=Decimal("0.00"))
        total += amount
        rows.append({"label": label[:40], "amount": str(amount), "due_on": step.due_on.isoformat()})
    if total != balance:
        raise ValidationError(
            "contract.schedule_mismatch",
            f"付款计划合计 {format_yuan(total)}，与应付余款 {format_yuan(balance)} 不一致。",
            total=format_yuan(total),
            balance=format_yuan(balance),
        )
    return rows


def _buyer_id(text: str, today: date) -> str:
    if not text.strip():
        raise ValidationError(
            "contract.buyer_id_missing", "请填写买受人的身份证号码，合同和过户都需要。"
        )
    return normalize_id_number(text, today=today)


# --- drafting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftedContract:
    id: uuid.UUID
    contract_no: str


def _deposit_for(
    session: Session, vehicle: Vehicle, customer_id: uuid.UUID, deposit_id: uuid.UUID | None
) -> Deposit | None:
    """The active deposit on the car: it must be this customer's, else the car is not free."""
    active = session.scalars(
        select(Deposit)
        .where(Deposit.vehicle_id == vehicle.id, Deposit.status == DepositStatus.ACTIVE)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if active is not None and active.customer_id != customer_id:
        holder = session.get(Customer, active.customer_id)
        taker = session.get(Staff, active.taken_by_id) if active.taken_by_id else None
        raise ConflictError(
            "contract.vehicle_reserved_by_other",
            f"这辆车已由客户 {mask_name(holder.name if holder else '')} 交付意向金预订"
            f"（销售顾问：{taker.display_name if taker else '未知'}），不能与其他客户签约。",
            customer_name=mask_name(holder.name if holder else ""),
            consultant_name=taker.display_name if taker else "",  # the UI says "unknown"
        )
    if deposit_id is not None and (active is None or active.id != deposit_id):
        raise ConflictError(
            "contract.deposit_closed", "所选意向金已不再有效（可能已退还或过期），请刷新后重试。"
        )
    return active


def _check_sellable(vehicle: Vehicle, signing: bool = False) -> None:
    if vehicle.status is VehicleStatus.SOLD:
        if signing:
            raise ConflictError(
                "contract.vehicle_sold",
                f"车辆 {vehicle.stock_no} 已经售出（另一台电脑刚刚签约），不能再签订买卖合同。",
                stock_no=vehicle.stock_no,
            )
        raise ConflictError(
            "contract.vehicle_sold",
            f"车辆 {vehicle.stock_no} 已经售出，不能再签订买卖合同。",
            stock_no=vehicle.stock_no,
        )
    if vehicle.status is VehicleStatus.TEST_DRIVE:
        raise ConflictError(
            "contract.vehicle_out",
            f"车辆 {vehicle.stock_no} 正在试驾中，请还车后再签约。",
            stock_no=vehicle.stock_no,
        )
    if vehicle.status is VehicleStatus.PREPARING:
        raise ConflictError(
            "contract.vehicle_preparing",
            f"车辆 {vehicle.stock_no} 还在整备中，尚未上架销售。",
            stock_no=vehicle.stock_no,
        )


def draft(
    session: Session,
    actor: audit.Actor,
    data: ContractInput,
    *,
    store_code: str,
    now: datetime | None = None,
    zone: tzinfo = UTC,
) -> DraftedContract:
    """Number and save a draft sale contract (not yet binding; voided if abandoned)."""
    at = as_utc(now or utcnow())
    today = at.astimezone(zone).date()
    id_number = _buyer_id(data.buyer_id_number, today)
    if isinstance(data.price, str) and not data.price.strip():
        raise ValidationError("contract.price_missing", "请填写成交价。")
    price = parse_amount(data.price, minimum=Decimal("0.01"), maximum=MAX_PRICE)
    customer = locks.lock_customer(session, data.customer_id)  # first lock (db.locks)
    if customer is None:
        raise NotFoundError("contract.customer_unknown", "没有找到这位客户，请重新查找。")
    vehicle = deposits.lock_vehicle(session, data.vehicle_id)
    deposits.expire_lapsed(session, audit.SYSTEM, at, vehicle_id=vehicle.id)
    _check_sellable(vehicle)
    deposit = _deposit_for(session, vehicle, customer.id, data.deposit_id)
    paid = deposit.amount if deposit else Decimal("0.00")
    if price < paid:
        raise ValidationError(
            "contract.price_below_deposit",
            f"成交价 {format_yuan(price)} 低于已收意向金 {format_yuan(paid)}，请核对。",
            price=format_yuan(price),
            deposit=format_yuan(paid),
        )
    trade_in = _trade_in(session, data.trade_in_id, customer.id) if data.trade_in_id else None
    credit = Decimal(trade_in["amount"]) if trade_in else Decimal("0.00")
    if price < paid + credit:
        raise ValidationError(
            "contract.trade_in_over_price",
            f"意向金 {format_yuan(paid)} 与置换车辆作价 {format_yuan(credit)} 合计超过成交价 "
            f"{format_yuan(price)}，请核对。",
            price=format_yuan(price),
            deposit=format_yuan(paid),
            credit=format_yuan(credit),
        )
    delivery = data.delivery_date or today
    if delivery < today:
        raise ValidationError("contract.delivery_past", "交车日期不能早于今天。")
    if not 1 <= data.keys <= 9:
        raise ValidationError("contract.keys", "车钥匙数量应在 1 到 9 把之间。")
    if data.transfer_fee_payer not in FEE_PAYERS:
        raise ValidationError("contract.fee_payer", "请选择过户费用由哪一方承担。")
    payments = _validated_payments(data.payments, price - paid - credit, today)
    consultant_id = data.consultant_id or actor.staff_id
    contract = Contract(
        store_id=actor.store_id or vehicle.store_id,  # the selling store, whose number it bears
        contract_no=numbering.next_contract_no(session, store_code, today.year),
        kind=ContractKind.SALE,
        status=ContractStatus.DRAFT,
        vehicle_id=vehicle.id,
        customer_id=customer.id,
        consultant_id=consultant_id,
        price=price,
        buyer_id_number=id_number,
        terms={
            "deposit_id": str(deposit.id) if deposit else None,
            "deposit_amount": str(paid),
            "deposit_receipt": deposit.receipt_no if deposit else "",
            "payments": payments,
            "buyer_address": data.buyer_address.strip()[:200],
            "delivery_date": delivery.isoformat(),
            "delivery_place": (data.delivery_place.strip() or "甲方门店")[:100],
            "keys": data.keys,
            "transfer_fee_payer": data.transfer_fee_payer,
            "other_terms": data.other_terms.strip()[:2000],
            **({"trade_in": trade_in} if trade_in else {}),
        },
    )
    session.add(contract)
    session.flush()
    audit.record(
        session,
        actor,
        "contract_drafted",
        "contract",
        contract.id,
        {"contract_no": contract.contract_no, "price": str(price), "vehicle": vehicle.stock_no},
    )
    return DraftedContract(contract.id, contract.contract_no)


def amend(
    session: Session,
    actor: audit.Actor,
    original_id: uuid.UUID,
    *,
    changes: str,
    price: str | Decimal,
    store_code: str,
    now: datetime | None = None,
    zone: tzinfo = UTC,
) -> DraftedContract:
    """A supplementary agreement to a signed contract, with its own number."""
    locks.lock_customer_of(session, Contract, original_id)
    original = _contract(session, original_id)
    if original.status is not ContractStatus.SIGNED:
        raise ConflictError(
            "contract.amend_unsigned", "只有已签订的合同才需要补充协议；草稿可以直接作废重拟。"
        )
    text = changes.strip()
    if not text:
        raise ValidationError("contract.changes_missing", "请写明变更的内容。")
    new_price = parse_amount(price, minimum=Decimal("0.01"), maximum=MAX_PRICE)
    paid = _paid(dict(original.terms or {})) + _credit(dict(original.terms or {}))
    if new_price < paid:
        raise ValidationError(
            "contract.price_below_deposit",
            f"成交价 {format_yuan(new_price)} 低于已收意向金 {format_yuan(paid)}，请核对。",
            new_price=format_yuan(new_price),
            paid=format_yuan(paid),
        )
    at = as_utc(now or utcnow())
    amendment = Contract(
        store_id=original.store_id,
        contract_no=numbering.next_contract_no(session, store_code, at.astimezone(zone).year),
        kind=ContractKind.AMENDMENT,
        status=ContractStatus.DRAFT,
        vehicle_id=original.vehicle_id,
        customer_id=original.customer_id,
        consultant_id=actor.staff_id or original.consultant_id,
        price=new_price,
        buyer_id_number=original.buyer_id_number,
        amends_id=original.id,
        terms={"changes": text[:2000], "deposit_amount": str(paid)},
    )
    session.add(amendment)
    session.flush()
    audit.record(
        session,
        actor,
        "contract_drafted",
        "contract",
        amendment.id,
        {
            "contract_no": amendment.contract_no,
            "amends": original.contract_no,
            "price": str(new_price),
        },
    )
    return DraftedContract(amendment.id, amendment.contract_no)


def _contract(session: Session, contract_id: uuid.UUID, lock: bool = False) -> Contract:
    stmt = select(Contract).where(Contract.id == contract_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    contract = session.scalars(stmt).first()
    if contract is None:
        raise NotFoundError("contract.not_found", "没有找到这份合同。")
    return contract


def void(
    session: Session,
    user: StaffUser,
    contract_id: uuid.UUID,
    reason: str,
    now: datetime | None = None,
) -> None:
    """Void a draft; its number stays, shown as void. A signed contract is changed by amendment."""
    locks.lock_customer_of(session, Contract, contract_id)
    contract = _contract(session, contract_id, lock=True)
    if contract.status is ContractStatus.VOID:
        raise ConflictError(
            "contract.already_void",
            f"合同 {contract.contract_no} 已经作废。",
            contract_no=contract.contract_no,
        )
    if contract.status is ContractStatus.SIGNED:
        raise ConflictError(
            "contract.signed_locked",
            f"合同 {contract.contract_no} 已签订并锁定，不能作废；如需变更请签订补充协议。",
            contract_no=contract.contract_no,
        )
    if not user.has_any(Role.MANAGER, Role.SALES):
        raise PermissionDenied("contract.void_denied", "只有销售顾问或店长可以作废合同。")
    text = reason.strip()
    if not text:
        raise ValidationError("contract.void_reason", "请填写作废原因。")
    contract.status = ContractStatus.VOID
    contract.voided_at = as_utc(now or utcnow())
    contract.void_reason = text[:500]
    session.flush()
    audit.record(
        session,
        user.actor,
        "contract_voided",
        "contract",
        contract.id,
        {"contract_no": contract.contract_no, "reason": text[:200]},
    )


# --- the papers ----------------------------------------------------------------------------


def _day(value: date | None) -> str:
    return f"{value:%Y年%m月%d日}" if value else "—"


def _paid(terms: dict[str, Any]) -> Decimal:
    """The deposit credited on the paper (older drafts call it ``deposit_credit``)."""
    return Decimal(str(terms.get("deposit_amount", terms.get("deposit_credit", "0"))))


def _credit(terms: dict[str, Any]) -> Decimal:
    """The trade-in car's price credited on the paper (置换), zero without one."""
    trade_in = terms.get("trade_in") or {}
    return Decimal(str(trade_in.get("amount", "0")))


def _trade_in(
    session: Session, purchase_id: uuid.UUID, buyer_id: uuid.UUID, *, lock: bool = False
) -> dict[str, str]:
    """The buyer's own car bought by a signed purchase agreement, not credited elsewhere."""
    from db.models import VehiclePurchase

    stmt = select(VehiclePurchase).where(VehiclePurchase.id == purchase_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    purchase = session.scalars(stmt).first()
    if purchase is None or purchase.status != "signed" or purchase.vehicle_id is None:
        raise ConflictError(
            "contract.trade_in_unsigned", "置换车辆须先签订收车协议、收购入库后才能抵作车款。"
        )
    if purchase.customer_id != buyer_id:
        raise ConflictError(
            "contract.trade_in_other_customer",
            f"收车协议 {purchase.purchase_no} 的卖方不是本合同的买受人，不能置换抵扣。",
            purchase_no=purchase.purchase_no,
        )
    if purchase.credited_contract_id is not None:
        credited = session.get(Contract, purchase.credited_contract_id)
        if credited is not None and credited.status is ContractStatus.SIGNED:
            raise ConflictError(
                "contract.trade_in_used",
                f"收车协议 {purchase.purchase_no} 的车款已抵扣在合同 {credited.contract_no} 中。",
                purchase_no=purchase.purchase_no,
                contract_no=credited.contract_no,
            )
    car = session.get(Vehicle, purchase.vehicle_id)
    assert car is not None
    return {
        "purchase_id": str(purchase.id),
        "purchase_no": purchase.purchase_no,
        "amount": str(purchase.price),
        "vehicle": f"{vehicle_label(car)}（车牌 {car.plate or '未上牌'}）",
    }


def _schedule_text(payments: list[dict[str, str]]) -> str:
    lines = []
    for number, step in enumerate(payments, start=1):
        amount = Decimal(step["amount"])
        lines.append(
            f"（{number}）{step['label']}：{_day(date.fromisoformat(step['due_on']))}前支付 "
            f"{format_yuan(amount)}（大写：人民币{to_chinese_capitals(amount)}）"
        )
    return "乙方按以下计划向甲方支付余款：\n" + "\n".join(lines)


def _credits_clause(terms: dict[str, Any], paid: Decimal, receipt: str) -> str:
    """What is credited before the balance: the deposit and the trade-in car (置换)."""
    trade_in = terms.get("trade_in")
    deposit = (
        f"乙方已交付意向金 {format_yuan(paid)}（收据号 {receipt}），自本合同签订之时起全额抵作车款"
        if paid
        else "乙方未交付意向金"
    )
    if not trade_in:
        return deposit + ("。扣除意向金后，" if paid else "。")
    amount = Decimal(trade_in["amount"])
    return (
        deposit
        + f"；乙方以其自有车辆 {trade_in['vehicle']} 置换，依收车协议 {trade_in['purchase_no']} "
        f"作价 {format_yuan(amount)}（大写：人民币{to_chinese_capitals(amount)}），"
        "自本合同签订之时起抵作车款。扣除" + ("意向金和" if paid else "") + "置换车辆作价后，"
    )


def _latest_inspection(session: Session, vehicle_id: uuid.UUID) -> Inspection | None:
    return session.scalars(
        select(Inspection)
        .where(Inspection.vehicle_id == vehicle_id, Inspection.status == InspectionStatus.FINAL)
        .order_by(Inspection.finalised_at.desc(), Inspection.revision.desc())
        .limit(1)
    ).first()


def condition_values(session: Session, vehicle: Vehicle, zone: tzinfo) -> dict[str, str]:
    """The condition confirmation's facts: latest final inspection and the history records."""
    inspection = _latest_inspection(session, vehicle.id)
    values: dict[str, str] = {}
    if inspection is None:
        values.update(
            report_no="（无）",
            inspected_on="—",
            score="—",
            grade="—",
            inspection_summary="本车尚无本店出具的检测报告。买方已实地查看车辆，"
            "以交车时的实际车况为准。",
            defects="（无检测记录）",
        )
    else:
        grade = inspection.grade.value if inspection.grade else ""
        values.update(
            report_no=inspection.report_no,
            inspected_on=_day(
                as_utc(inspection.finalised_at or inspection.started_at).astimezone(zone).date()
            ),
            score=f"{inspection.score} 分" if inspection.score is not None else "—",
            grade=GRADE_LABELS.get(grade, "—"),
            inspection_summary=(
                f"本车经甲方评估师按 GB/T 30323-2013 规定的项目检测，"
                f"总分 {inspection.score if inspection.score is not None else '—'} 分，"
                f"技术状况等级为{GRADE_LABELS.get(grade, '未评定')}。"
                + ("检测认定为事故车。" if inspection.accident else "")
                + ("检测发现泡水痕迹。" if inspection.flood else "")
                + ("检测发现火烧痕迹。" if inspection.fire else "")
            ),
        )
        items = session.scalars(
            select(InspectionItem)
            .where(
                InspectionItem.inspection_id == inspection.id,
                InspectionItem.result == ItemResult.DEFECT,
            )
            .order_by(InspectionItem.section, InspectionItem.position)
        ).all()
        values["defects"] = (
            "\n".join(
                f"{n}. {item.label}" + (f"：{item.note}" if item.note else "")
                for n, item in enumerate(items, start=1)
            )
            or "检测未发现缺陷项目。"
        )
    records = session.scalars(
        select(HistoryRecord)
        .where(HistoryRecord.vehicle_id == vehicle.id)
        .order_by(HistoryRecord.occurred_on)
    ).all()
    values["history"] = (
        "\n".join(
            f"{n}. {_day(r.occurred_on)} {HISTORY_LABELS.get(r.kind.value, r.kind.value)}"
            + ("（涉及结构件）" if r.structural else "")
            + f"：{r.description}"
            for n, r in enumerate(records, start=1)
        )
        if records
        else "甲方确认：据甲方所知及检测结果，本车无重大事故、泡水、火烧记录。"
    )
    return values


def prepare_papers(
    session: Session,
    contract_id: uuid.UUID,
    *,
    templates_dir: Path | None,
    zone: tzinfo,
    letterhead_overrides: dict[str, str] | None = None,
    now: datetime | None = None,
) -> list[Document]:
    """The papers exactly as they will be shown, signed and printed (signature boxes empty)."""
    contract = _contract(session, contract_id)
    vehicle = session.get(Vehicle, contract.vehicle_id)
    customer = session.get(Customer, contract.customer_id)
    consultant = session.get(Staff, contract.consultant_id) if contract.consultant_id else None
    store = session.get(Store, contract.store_id)
    assert vehicle is not None and customer is not None
    head = letterhead(session, contract.store_id, templates_dir, letterhead_overrides)
    terms: dict[str, Any] = dict(contract.terms or {})
    issued = as_utc(contract.signed_at or now or utcnow()).astimezone(zone)
    price = contract.price or Decimal("0.00")
    paid = _paid(terms)
    credit = _credit(terms)
    receipt = terms.get("deposit_receipt") or (
        session.scalar(
            select(Deposit.receipt_no).where(
                Deposit.vehicle_id == contract.vehicle_id,
                Deposit.customer_id == contract.customer_id,
                Deposit.status.in_([DepositStatus.ACTIVE, DepositStatus.APPLIED]),
            )
        )
        if paid
        else ""
    )
    payments = list(terms.get("payments") or []) or [
        {
            "label": "签约当日付清余款",
            "amount": str(price - paid - credit),
            "due_on": issued.date().isoformat(),
        }
    ]
    values = {
        "contract_no": contract.contract_no,
        "issued_date": f"{issued:%Y年%m月%d日}",
        "store_name": head.store_name,
        "store_address": head.address or (store.address if store else "") or "—",
        "buyer_name": customer.name,
        # The one paper that must identify the buyer in full (过户 needs it); annexes do not
        # print it, and the screen shows only what the consultant typed.
        "buyer_id_number": contract.buyer_id_number or "",
        "buyer_phone": mask_phone(customer.phone),
        "buyer_address": terms.get("buyer_address") or "—",
        "consultant_name": consultant.display_name if consultant else "",
        "vehicle_name": vehicle_label(vehicle),
        "colour": vehicle.colour or "—",
        "stock_no": vehicle.stock_no,
        "plate": vehicle.plate or "（未上牌）",
        "vin": vehicle.vin or "（无）",
        "engine_no": vehicle.engine_no or "（见行驶证）",
        "first_registration": _day(vehicle.first_registration),
        "mileage": f"{vehicle.mileage_km:,}",
        "transfers": str(vehicle.transfers),
        "annual_due": _day(vehicle.annual_inspection_due),
        "insurance_due": _day(vehicle.insurance_due),
        "price": format_yuan(price),
        "price_capitals": "人民币" + to_chinese_capitals(price),
        "deposit": format_yuan(paid),
        "deposit_receipt": receipt or "—",
        "deposit_clause": _credits_clause(terms, paid, receipt or "—"),
        "balance": format_yuan(price - paid - credit),
        "balance_capitals": "人民币" + to_chinese_capitals(price - paid - credit),
        "payment_schedule": _schedule_text(payments),
        "delivery_date": _day(
            date.fromisoformat(terms["delivery_date"]) if terms.get("delivery_date") else None
        ),
        "delivery_place": terms.get("delivery_place") or "甲方门店",
        "keys": str(terms.get("keys", 2)),
        "transfer_fee_payer": terms.get("transfer_fee_payer") or FEE_PAYERS[0],
        "other_terms": terms.get("other_terms") or "无。",
        "changes": terms.get("changes", ""),
    }
    subject = f"{mask_name(customer.name)} · {vehicle.stock_no}"
    if contract.kind is ContractKind.AMENDMENT:
        original = session.get(Contract, contract.amends_id) if contract.amends_id else None
        values["original_no"] = original.contract_no if original else "—"
        papers = [("contract_amendment", contract.contract_no, values["original_no"])]
    else:
        papers = [("sale_contract", contract.contract_no, "")]
        values.update(condition_values(session, vehicle, zone))
        for template_name, suffix in ANNEXES:
            papers.append((template_name, contract.contract_no + suffix, ""))
    documents = []
    for template_name, number, _ in papers:
        template = load_template(templates_dir, template_name)
        documents.append(
            template.document(
                {**values, "annex_no": number},
                kind=DocumentKind.CONTRACT.value,
                number=number,
                letterhead=head,
                issued=f"{issued:%Y-%m-%d %H:%M}",
                qr_codes=(
                    QrCode(
                        f"SHOWROOM:CT:{number}",
                        f"合同编号 {number}\n凭编号和验证码可向门店核验存档原件。",
                    ),
                ),
                extra={"subject": subject, "contract_no": contract.contract_no},
            )
        )
    return documents


def attach_signatures(
    documents: Sequence[Document],
    customer: DrawnSignature,
    consultant: DrawnSignature,
    signed_at: datetime,
    zone: tzinfo,
) -> list[Document]:
    """Every paper with the buyer's and the consultant's drawn signature in its boxes."""
    validate_signature(customer, "买受人")
    validate_signature(consultant, "销售顾问")
    when = as_utc(signed_at).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    pngs = (customer.png, consultant.png)
    signed = []
    for document in documents:
        boxes = tuple(
            SignatureImage(box.role_label, box.name, pngs[i] if i < 2 else b"", when)
            for i, box in enumerate(document.signatures)
        )
        signed.append(Document(**{**document.__dict__, "signatures": boxes}))
    return signed


# --- signing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedContract:
    contract_id: uuid.UUID
    contract_no: str
    document_ids: tuple[uuid.UUID, ...]
    verification_codes: tuple[str, ...]
    follow_up_days: tuple[date, ...] = field(default=())


def _expected_numbers(contract: Contract) -> list[str]:
    if contract.kind is ContractKind.AMENDMENT:
        return [contract.contract_no]
    return [contract.contract_no] + [contract.contract_no + s for _, s in ANNEXES]


def sign(
    session: Session,
    actor: audit.Actor,
    contract_id: uuid.UUID,
    documents: Sequence[Document],
    customer_signature: DrawnSignature,
    consultant_signature: DrawnSignature,
    pdfs: Sequence[bytes],
    *,
    signed_at: datetime | None = None,
    zone: tzinfo = UTC,
) -> SignedContract:
    """Sign in one transaction: car sold, deposit applied, follow-ups, papers archived, locked."""
    at = as_utc(signed_at or utcnow())
    # The buyer first (db.locks): a merge finished meanwhile has moved this contract to
    # the record kept, and the follow-ups below go there too.
    locks.lock_customer_of(session, Contract, contract_id)
    contract = _contract(session, contract_id, lock=True)
    if contract.status is ContractStatus.SIGNED:
        raise ConflictError(
            "contract.already_signed",
            f"合同 {contract.contract_no} 已经签订（可能是另一台电脑刚刚完成），请刷新。",
            contract_no=contract.contract_no,
        )
    if contract.status is ContractStatus.VOID:
        raise ConflictError(
            "contract.already_void",
            f"合同 {contract.contract_no} 已作废，不能签订。",
            contract_no=contract.contract_no,
        )
    numbers = [d.number for d in documents]
    if numbers != _expected_numbers(contract) or len(pdfs) != len(documents):
        raise ValidationError(
            "contract.papers_mismatch", "签署的文件与这份合同不对应，请关闭后重新打开。"
        )
    validate_signature(customer_signature, "买受人")
    validate_signature(consultant_signature, "销售顾问")
    for document in documents:
        if any(not box.signed for box in document.signatures[:2]):
            raise ValidationError("signature.empty", "还有文件没有签名，请重新签署。")
    vehicle = deposits.lock_vehicle(session, contract.vehicle_id)
    follow_days: list[date] = []
    if contract.kind is ContractKind.SALE:
        # A deposit past its date holds neither the car nor a place on this contract.
        deposits.expire_lapsed(session, audit.SYSTEM, at, vehicle_id=vehicle.id)
        _check_sellable(vehicle, signing=True)
        terms = dict(contract.terms or {})
        deposit_id = uuid.UUID(terms["deposit_id"]) if terms.get("deposit_id") else None
        deposit = _deposit_for(session, vehicle, contract.customer_id, deposit_id)
        if deposit is None and deposit_id is not None:  # pragma: no cover - _deposit_for raised
            raise ConflictError("contract.deposit_closed", "意向金已不再有效。")
        if deposit is not None and deposit_id is None and deposit.amount != _paid(terms):
            # The customer paid a deposit after the draft: the paper would not credit it.
            raise ConflictError(
                "contract.deposit_added",
                "起草合同后客户又交了意向金，合同上没有抵扣，请作废此稿后重新起草。",
            )
        if deposit is not None:
            deposits.apply_to_contract(
                session, actor, deposit, contract.id, contract.contract_no, at
            )
        if terms.get("trade_in"):
            _credit_trade_in(session, actor, contract, terms)
        vehicle.status = VehicleStatus.SOLD
        local = at.astimezone(zone).date()
        for reason, months, days in FOLLOW_UP_PLAN:
            due = add_months(local, months) + timedelta(days=days)
            follow_days.append(due)
            session.add(
                FollowUp(
                    customer_id=contract.customer_id,
                    consultant_id=contract.consultant_id or actor.staff_id,
                    due_on=due,
                    reason=reason,
                    contract_id=contract.id,
                )
            )
    else:
        original = session.get(Contract, contract.amends_id) if contract.amends_id else None
        if original is None or original.status is not ContractStatus.SIGNED:
            raise ConflictError("contract.amend_unsigned", "原合同不是已签订状态，不能签补充协议。")
    contract.status = ContractStatus.SIGNED
    contract.signed_at = at
    try:
        with session.begin_nested():  # one signed sale per car, even when two desks race
            session.flush()
    except (IntegrityError, StaleDataError):
        raise ConflictError(
            "contract.vehicle_sold",
            f"车辆 {vehicle.stock_no} 刚被另一台电脑签约售出，本合同未签订。",
            stock_no=vehicle.stock_no,
        ) from None
    customer = session.get(Customer, contract.customer_id)
    consultant = session.get(Staff, contract.consultant_id) if contract.consultant_id else None
    text_sha = documents[0].signed_text_sha256()
    consultant_name = consultant.display_name if consultant else actor.name
    store_signatures(
        session,
        contract.id,
        (
            ("customer", customer.name if customer else "", customer_signature),
            ("consultant", consultant_name, consultant_signature),
        ),
        text_sha,
        at,
    )
    stored = [
        archive.archive(
            session,
            actor,
            document,
            pdf,
            store_id=contract.store_id,
            subject=document.extra.get("subject", ""),
            subject_id=contract.id,
        )
        for document, pdf in zip(documents, pdfs, strict=True)
    ]
    audit.record(
        session,
        actor,
        "contract_signed",
        "contract",
        contract.id,
        {
            "contract_no": contract.contract_no,
            "price": str(contract.price),
            "vehicle": vehicle.stock_no,
            "signed_text_sha256": text_sha,
        },
    )
    session.flush()
    return SignedContract(
        contract.id,
        contract.contract_no,
        tuple(s.id for s in stored),
        tuple(s.verification_code for s in stored),
        tuple(follow_days),
    )


def _credit_trade_in(
    session: Session, actor: audit.Actor, contract: Contract, terms: dict[str, Any]
) -> None:
    """Link the purchase agreement to this contract; the amount must still be the one printed."""
    from db.models import Acquisition, VehiclePurchase

    printed = terms["trade_in"]
    current = _trade_in(session, uuid.UUID(printed["purchase_id"]), contract.customer_id, lock=True)
    if current["amount"] != printed["amount"]:  # pragma: no cover - a signed purchase is fixed
        raise ConflictError(
            "contract.trade_in_changed", "置换车辆作价已变化，请作废此稿后重新起草。"
        )
    purchase = session.get(VehiclePurchase, uuid.UUID(printed["purchase_id"]))
    assert purchase is not None and purchase.vehicle_id is not None
    purchase.credited_contract_id = contract.id
    car = session.get(Vehicle, purchase.vehicle_id)
    if car is not None:
        car.acquisition = Acquisition.TRADE_IN
    audit.record(
        session,
        actor,
        "trade_in_credited",
        "contract",
        contract.id,
        {
            "contract_no": contract.contract_no,
            "purchase_no": purchase.purchase_no,
            "amount": printed["amount"],
        },
    )


# --- lists ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractRow:
    id: uuid.UUID
    contract_no: str
    kind: ContractKind
    status: ContractStatus
    created_at: datetime
    signed_at: datetime | None
    voided_at: datetime | None
    void_reason: str
    price: Decimal | None
    customer_name: str  # masked
    stock_no: str
    vehicle_label: str
    consultant_name: str
    amends_no: str
    returned_at: datetime | None = None  # the car came back under the 7-day return
    return_no: str = ""  # its return agreement (退车协议)

    @property
    def status_label(self) -> str:
        return RETURNED_LABEL if self.returned_at else STATUS_LABELS[self.status]

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def paper_numbers(self) -> list[str]:
        if self.kind is ContractKind.AMENDMENT:
            return [self.contract_no]
        numbers = [self.contract_no] + [self.contract_no + s for _, s in ANNEXES]
        return numbers + ([self.return_no] if self.return_no else [])


def list_contracts(session: Session, store_id: uuid.UUID, limit: int = 500) -> list[ContractRow]:
    """Newest number first, void ones included (a gap in the numbers would need explaining)."""
    consultant = aliased(Staff)
    original = aliased(Contract)
    stmt = (
        select(
            Contract,
            Customer.name,
            Vehicle,
            consultant.display_name,
            original.contract_no,
            VehicleReturn.return_no,
        )
        .join(Customer, Customer.id == Contract.customer_id)
        .join(Vehicle, Vehicle.id == Contract.vehicle_id)
        .outerjoin(consultant, consultant.id == Contract.consultant_id)
        .outerjoin(original, original.id == Contract.amends_id)
        .outerjoin(VehicleReturn, VehicleReturn.contract_id == Contract.id)
        .where(Contract.store_id == store_id)
        .order_by(Contract.contract_no.desc())
        .limit(limit)
    )
    return [
        ContractRow(
            c.id,
            c.contract_no,
            c.kind,
            c.status,
            as_utc(c.created_at),
            as_utc(c.signed_at) if c.signed_at else None,
            as_utc(c.voided_at) if c.voided_at else None,
            c.void_reason,
            c.price,
            mask_name(name),
            v.stock_no,
            vehicle_label(v),
            staff or "",
            amends or "",
            as_utc(c.returned_at) if c.returned_at else None,
            returned or "",
        )
        for c, name, v, staff, amends, returned in session.execute(stmt)
    ]
