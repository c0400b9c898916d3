"""保修索赔: engine and gearbox claims against a sold car, judged against the warranty.

Every sale promises (附件二 售后服务协议, second clause) that within
``warranty_days`` of delivery or ``warranty_km`` of driving, whichever comes
first, a fault of the engine or the gearbox itself is repaired free. A claim:

1. is opened against the signed sale (not one unwound by a return) with the
   part, the symptom as the customer tells it, the odometer and photos; where it
   stands against the terms (days since delivery, km since the sale) is fixed then
   and printed on the claim form;
2. gets a diagnosis and a decision: covered (only within the terms) or not, and
   always why; the store's cost and what the customer pays, to the fen;
3. once decided, prints a numbered claim form (amounts in figures and capitals),
   archived as printed.

Claims are listed per car and per customer. The database checks the part, the
decision vocabulary, that a decided claim says why and when, that a covered one
is within the terms, and that costs are never negative (migration 0019).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import locks
from db.base import as_utc
from db.models import (
    Contract,
    ContractKind,
    ContractStatus,
    Customer,
    DocumentKind,
    Role,
    Staff,
    Vehicle,
    WarrantyClaim,
)
from showroom import fields, numbering
from showroom.clock import utcnow
from showroom.documents import archive
from showroom.documents.letterhead import letterhead
from showroom.documents.model import Document, QrCode
from showroom.documents.templates import load_template
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.money import format_yuan, parse_amount, to_chinese_capitals
from showroom.photos import shrink
from showroom.privacy import mask_name, mask_phone
from showroom.services import audit
from showroom.services.returns import delivered_on
from showroom.services.vehicles import vehicle_label
from showroom.users import StaffUser

TEMPLATE = "warranty_claim"
PART_LABELS = {"engine": "发动机", "gearbox": "变速箱"}
DECISION_LABELS = {"pending": "待诊断", "covered": "保修（免费维修）", "not_covered": "不予保修"}
MAX_PHOTOS = 8
PHOTO_SIZE = (1600, 1600)


@dataclass(frozen=True)
class WarrantyTerms:
    """The store's warranty (settings ``warranty_days`` / ``warranty_km``)."""

    days: int = 30
    km: int = 3000


@dataclass(frozen=True)
class ClaimInput:
    contract_id: uuid.UUID
    part: str
    symptom: str
    mileage_km: int | str
    photos: Sequence[bytes] = ()


@dataclass(frozen=True)
class OpenedClaim:
    id: uuid.UUID
    claim_no: str
    within_terms: bool
    days_since_delivery: int
    km_since_sale: int


@dataclass(frozen=True)
class ClaimRow:
    id: uuid.UUID
    claim_no: str
    contract_no: str
    reported_at: datetime
    stock_no: str
    vehicle_label: str
    customer_name: str  # masked
    part: str
    symptom: str
    within_terms: bool
    decision: str
    cost: Decimal
    customer_cost: Decimal
    photo_count: int

    @property
    def part_label(self) -> str:
        return PART_LABELS.get(self.part, self.part)

    @property
    def decision_label(self) -> str:
        return DECISION_LABELS.get(self.decision, self.decision)


def _text(value: str, key: str, code: str, missing: str) -> str:
    """Required free text, refused (never cut) past its limit (``showroom.fields``)."""
    text = fields.text(value, key)
    if not text:
        raise ValidationError(code, missing)
    return text


def _km(value: int | str) -> int:
    text = str(value).strip().replace(",", "").replace("，", "")
    if not text:
        raise ValidationError("warranty.mileage_missing", "请填写报修时的表显里程。")
    try:
        km = int(text)
    except ValueError:
        raise ValidationError(
            "warranty.mileage_invalid", f"里程“{text}”不是整数公里数。", text=text
        ) from None
    if not 0 <= km <= 2_000_000:
        raise ValidationError(
            "warranty.mileage_invalid", f"里程 {km} 公里不合理。", km=km, text=text
        )
    return km


def _sold_by(session: Session, contract_id: uuid.UUID) -> Contract:
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise NotFoundError("contract.not_found", "没有找到这份合同。")
    if contract.kind is not ContractKind.SALE or contract.status is not ContractStatus.SIGNED:
        raise ConflictError(
            "warranty.not_sold",
            f"{contract.contract_no} 不是已签订的买卖合同，不能据此索赔。",
            contract_no=contract.contract_no,
        )
    if contract.returned_at is not None:
        raise ConflictError(
            "warranty.returned",
            f"合同 {contract.contract_no} 的车辆已退回，保修随之终止。",
            contract_no=contract.contract_no,
        )
    return contract


def find_sale(session: Session, text: str) -> uuid.UUID:
    """The signed sale a desk means by a contract number, a stock number or a plate."""
    needle = text.strip().upper()
    if not needle:
        raise ValidationError("warranty.sale_missing", "请输入合同编号、库存编号或车牌号。")
    stmt = (
        select(Contract.id)
        .join(Vehicle, Vehicle.id == Contract.vehicle_id)
        .where(
            Contract.kind == ContractKind.SALE,
            Contract.status == ContractStatus.SIGNED,
            Contract.returned_at.is_(None),
            (Contract.contract_no == needle)
            | (Vehicle.stock_no == needle)
            | (Vehicle.plate == needle),
        )
        .order_by(Contract.signed_at.desc())
    )
    found = session.scalars(stmt).first()
    if found is None:
        raise NotFoundError(
            "warranty.sale_unknown",
            f"没有找到“{text.strip()}”对应的已售车辆或买卖合同。",
            text=text.strip(),
        )
    return found


def open_claim(
    session: Session,
    user: StaffUser,
    data: ClaimInput,
    *,
    terms: WarrantyTerms,
    store_code: str,
    now: datetime | None = None,
    zone: tzinfo = UTC,
) -> OpenedClaim:
    """Number and save a claim with where it stands against the warranty."""
    at = as_utc(now or utcnow())
    if data.part not in PART_LABELS:
        raise ValidationError("warranty.part", "保修只包括发动机和变速箱，请选择报修部件。")
    symptom = _text(
        data.symptom, "warranty.symptom", "warranty.symptom_missing", "请记录客户描述的故障现象。"
    )
    mileage = _km(data.mileage_km)
    if len(data.photos) > MAX_PHOTOS:
        raise ValidationError(
            "warranty.photos_many", f"照片最多 {MAX_PHOTOS} 张。", limit=MAX_PHOTOS
        )
    # Shrunk here (no database), stored once the claim is known to stand: the customer's
    # lock is the transaction's first (db.locks), and a refused claim writes no photos.
    images = [
        shrink(photo, max_size=PHOTO_SIZE, thumb_size=(320, 320)).image for photo in data.photos
    ]
    locks.lock_customer_of(session, Contract, data.contract_id)  # first lock (db.locks)
    contract = _sold_by(session, data.contract_id)
    vehicle = session.get(Vehicle, contract.vehicle_id)
    assert vehicle is not None
    sold_km = vehicle.mileage_km
    if mileage < sold_km:
        raise ValidationError(
            "warranty.mileage_below_sale",
            f"报修里程 {mileage:,} 公里低于交车里程 {sold_km:,} 公里，请核对表显里程。",
            mileage=f"{mileage:,}",
            sale=f"{sold_km:,}",
        )
    shas = [archive.store_media(session, image, "image/jpeg") for image in images]
    days = (at.astimezone(zone).date() - delivered_on(contract, zone)).days
    within = days <= terms.days and mileage - sold_km <= terms.km
    claim = WarrantyClaim(
        store_id=contract.store_id,
        claim_no=numbering.next_claim_no(session, store_code, at.astimezone(zone).year),
        contract_id=contract.id,
        vehicle_id=vehicle.id,
        customer_id=contract.customer_id,
        part=data.part,
        symptom=symptom,
        reported_at=at,
        sale_mileage_km=sold_km,
        mileage_km=mileage,
        days_since_delivery=days,
        within_terms=within,
        photos=shas,
        opened_by_id=user.id,
    )
    session.add(claim)
    session.flush()
    audit.record(
        session,
        user.actor,
        "warranty_claim_opened",
        "warranty_claim",
        claim.id,
        {
            "claim_no": claim.claim_no,
            "contract_no": contract.contract_no,
            "part": data.part,
            "within_terms": within,
        },
    )
    return OpenedClaim(claim.id, claim.claim_no, within, days, mileage - sold_km)


def decide(
    session: Session,
    user: StaffUser,
    claim_id: uuid.UUID,
    *,
    diagnosis: str,
    covered: bool,
    reason: str,
    cost: str | Decimal = "0",
    customer_cost: str | Decimal = "0",
    now: datetime | None = None,
) -> None:
    """The diagnosis and the decision (appraiser or manager), once."""
    if not user.has_any(Role.MANAGER, Role.APPRAISER):
        raise PermissionDenied("warranty.decide_denied", "保修结论须由评估师或店长作出。")
    diagnosis_text = _text(
        diagnosis, "warranty.diagnosis", "warranty.diagnosis_missing", "请填写检查诊断的结果。"
    )
    reason_text = _text(
        reason, "warranty.reason", "warranty.reason_missing", "请写明保修或不予保修的理由。"
    )
    store_cost = parse_amount(str(cost).strip() or "0", minimum=Decimal("0.00"))
    paid = parse_amount(str(customer_cost).strip() or "0", minimum=Decimal("0.00"))
    locks.lock_customer_of(session, WarrantyClaim, claim_id)
    claim = session.scalars(
        select(WarrantyClaim)
        .where(WarrantyClaim.id == claim_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if claim is None:
        raise NotFoundError("warranty.not_found", "没有找到这张索赔单。")
    if claim.decision != "pending":
        raise ConflictError(
            "warranty.decided",
            f"索赔单 {claim.claim_no} 已有结论（可能是另一台电脑刚刚填写）。",
            claim_no=claim.claim_no,
        )
    if covered and not claim.within_terms:
        raise ConflictError(
            "warranty.outside_terms",
            f"索赔单 {claim.claim_no} 报修时已超出保修期限或里程，不能按保修处理。",
            claim_no=claim.claim_no,
        )
    if covered and paid:
        raise ValidationError(
            "warranty.covered_paid", "保修范围内的维修客户不承担费用，请把客户承担费用改为 0。"
        )
    claim.diagnosis = diagnosis_text
    claim.decision = "covered" if covered else "not_covered"
    claim.decision_reason = reason_text
    claim.cost = store_cost
    claim.customer_cost = paid
    claim.decided_at = as_utc(now or utcnow())
    claim.decided_by_id = user.id
    session.flush()
    audit.record(
        session,
        user.actor,
        "warranty_claim_decided",
        "warranty_claim",
        claim.id,
        {
            "claim_no": claim.claim_no,
            "decision": claim.decision,
            "cost": str(store_cost),
            "customer_cost": str(paid),
        },
    )


def _claims(session: Session, *conditions: object) -> list[ClaimRow]:
    stmt = (
        select(WarrantyClaim, Contract.contract_no, Vehicle, Customer.name)
        .join(Contract, Contract.id == WarrantyClaim.contract_id)
        .join(Vehicle, Vehicle.id == WarrantyClaim.vehicle_id)
        .join(Customer, Customer.id == WarrantyClaim.customer_id)
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(WarrantyClaim.reported_at.desc())
        .limit(500)
    )
    return [
        ClaimRow(
            c.id,
            c.claim_no,
            number,
            as_utc(c.reported_at),
            v.stock_no,
            vehicle_label(v),
            mask_name(name),
            c.part,
            c.symptom,
            c.within_terms,
            c.decision,
            c.cost,
            c.customer_cost,
            len(c.photos or []),
        )
        for c, number, v, name in session.execute(stmt)
    ]


def for_store(session: Session, store_id: uuid.UUID) -> list[ClaimRow]:
    return _claims(session, WarrantyClaim.store_id == store_id)


def for_vehicle(session: Session, vehicle_id: uuid.UUID) -> list[ClaimRow]:
    return _claims(session, WarrantyClaim.vehicle_id == vehicle_id)


def for_customer(session: Session, customer_id: uuid.UUID) -> list[ClaimRow]:
    return _claims(session, WarrantyClaim.customer_id == customer_id)


def search(session: Session, store_id: uuid.UUID, text: str) -> list[ClaimRow]:
    """The claims of one customer (a mobile number) or one car (stock no. or plate);
    every claim of the store when ``text`` is empty."""
    typed = text.strip()
    if not typed:
        return for_store(session, store_id)
    digits = typed.replace(" ", "").replace("-", "")
    if digits.isdigit() and len(digits) >= 11:
        from showroom.services.test_drives import find_customer_by_phone

        match = find_customer_by_phone(session, typed)
        if match is None:
            raise NotFoundError("warranty.customer_unknown", "没有这个手机号的客户。")
        return for_customer(session, match.id)
    from showroom.services.vehicles import find_car

    return for_vehicle(session, find_car(session, typed).id)


# --- the paper ---------------------------------------------------------------------------


def prepare_form(
    session: Session,
    claim_id: uuid.UUID,
    *,
    terms: WarrantyTerms,
    templates_dir: Path | None,
    zone: tzinfo,
    staff_name: str = "",
) -> Document:
    """The claim form as data, as it stands (printed again after the decision)."""
    claim = session.get(WarrantyClaim, claim_id)
    if claim is None:
        raise NotFoundError("warranty.not_found", "没有找到这张索赔单。")
    contract = session.get(Contract, claim.contract_id)
    vehicle = session.get(Vehicle, claim.vehicle_id)
    customer = session.get(Customer, claim.customer_id)
    decider = session.get(Staff, claim.decided_by_id) if claim.decided_by_id else None
    assert contract is not None and vehicle is not None and customer is not None
    head = letterhead(session, claim.store_id, templates_dir)
    reported = as_utc(claim.reported_at).astimezone(zone)
    driven = claim.mileage_km - claim.sale_mileage_km
    values = {
        "claim_no": claim.claim_no,
        "contract_no": contract.contract_no,
        "customer_name": customer.name,
        "customer_phone": mask_phone(customer.phone),
        "vehicle_name": vehicle_label(vehicle),
        "plate": vehicle.plate or "（未上牌）",
        "vin": vehicle.vin or "（无）",
        "reported_at": f"{reported:%Y年%m月%d日 %H:%M}",
        "part": PART_LABELS[claim.part],
        "sale_mileage": f"{claim.sale_mileage_km:,}",
        "mileage": f"{claim.mileage_km:,}",
        "terms": f"自交车之日起 {terms.days} 日内或 {terms.km:,} 公里以内（以先到者为准）",
        "within": (
            f"是：交车后第 {claim.days_since_delivery} 天，行驶 {driven:,} 公里"
            if claim.within_terms
            else f"否：交车后第 {claim.days_since_delivery} 天，行驶 {driven:,} 公里，"
            "已超出保修期限或里程"
        ),
        "decision": DECISION_LABELS[claim.decision],
        "photo_count": str(len(claim.photos or [])),
        "cost": format_yuan(claim.cost),
        "customer_cost": format_yuan(claim.customer_cost),
        "customer_cost_capitals": "人民币" + to_chinese_capitals(claim.customer_cost),
        "symptom": claim.symptom,
        "diagnosis": claim.diagnosis or "（待检查诊断）",
        "decision_reason": claim.decision_reason or "（待出结论）",
        "warranty_days": str(terms.days),
        "warranty_km": f"{terms.km:,}",
        "staff_name": (decider.display_name if decider else staff_name) or "",
    }
    template = load_template(templates_dir, TEMPLATE)
    return template.document(
        values,
        kind=DocumentKind.CONTRACT.value,
        number=claim.claim_no,
        letterhead=head,
        issued=f"{reported:%Y-%m-%d %H:%M}",
        qr_codes=(
            QrCode(
                f"SHOWROOM:WC:{claim.claim_no}",
                f"保修索赔单 {claim.claim_no}\n凭编号和验证码可向门店核验存档原件。",
            ),
        ),
        extra={"subject": f"{mask_name(customer.name)} · {vehicle.stock_no}"},
    )


def archive_form(
    session: Session, actor: audit.Actor, claim_id: uuid.UUID, document: Document, pdf: bytes
) -> archive.ArchivedDocument:
    """The form is printed once decided; that first print is the archived original."""
    claim = session.get(WarrantyClaim, claim_id)
    if claim is None or document.number != claim.claim_no:
        raise ValidationError("warranty.paper_mismatch", "索赔单与记录不对应，请重新打开。")
    if claim.decision == "pending":
        raise ConflictError(
            "warranty.undecided",
            f"索赔单 {claim.claim_no} 还没有结论，出结论后再打印存档。",
            claim_no=claim.claim_no,
        )
    return archive.archive_original(
        session,
        actor,
        DocumentKind.CONTRACT,
        document,
        pdf,
        store_id=claim.store_id,
        subject_id=claim.id,
    )
