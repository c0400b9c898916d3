"""收车: buying a customer's car from a finished inspection with its valuation.

The appraisal used to end in a valuation that led nowhere. Now a manager turns
it into an offer: a numbered purchase agreement (``BJ01-P2026-000001``) with the
price in figures and capitals, the seller's ID number (checked), how and when the
money is paid, the papers and keys handed over, and the seller's statements on
accident, flood and fire. The seller and the store's representative sign it on
screen; in that one transaction the car enters stock (整备中) filled from the
inspection (VIN, plate, brand, series, odometer) and the facts typed with the
offer, with the price as its purchase cost, and the signed paper is archived.

Two desks signing offers on the same inspection at once make one car: signing
locks the inspection row and refuses when the report (any revision of it)
already has a signed purchase; the partial unique index
``uq_vehicle_purchases_report_signed`` and the unique VIN of the cars are the
last line. Buying sets a purchase cost, so it needs the price permission (the
manager by default), like a car taken into stock by hand.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from db import locks
from db.base import as_utc
from db.models import (
    Acquisition,
    Customer,
    DocumentKind,
    Energy,
    Inspection,
    InspectionStatus,
    PaymentMethod,
    Staff,
    Transmission,
    Vehicle,
    VehiclePurchase,
)
from showroom import fields, numbering
from showroom.clock import utcnow
from showroom.documents import archive
from showroom.documents.letterhead import letterhead
from showroom.documents.model import Document, QrCode, SignatureImage
from showroom.documents.templates import load_template
from showroom.errors import ConflictError, NotFoundError, ValidationError
from showroom.identifiers import normalize_id_number
from showroom.money import format_yuan, parse_amount, to_chinese_capitals
from showroom.privacy import mask_name, mask_phone
from showroom.services import audit, deposits, vehicle_intake
from showroom.services.test_drives import DrawnSignature, store_signatures, validate_signature
from showroom.services.vehicles import PRICES, require
from showroom.users import StaffUser

TEMPLATE = "purchase_agreement"
MAX_PRICE = Decimal("100000000")
HANDOVER = ("机动车行驶证", "机动车登记证书", "购车发票或来历凭证", "交强险保单", "车船税完税证明")
STATEMENT_LABELS = {"accident": "重大事故", "flood": "泡水", "fire": "火烧"}
TRACEABLE = frozenset(set(PaymentMethod) - {PaymentMethod.CASH})


@dataclass(frozen=True)
class PurchaseInput:
    inspection_id: uuid.UUID
    customer_id: uuid.UUID  # the seller
    price: str | Decimal
    seller_id_number: str
    method: PaymentMethod
    energy: Energy
    transmission: Transmission
    payment_ref: str = ""
    keys: int = 2
    documents: Sequence[str] = HANDOVER[:3]
    accident: bool = False
    flood: bool = False
    fire: bool = False
    statement_note: str = ""
    year: int | None = None  # model year; read from the VIN when None
    colour: str = ""
    first_registration: date | None = None


@dataclass(frozen=True)
class DraftedPurchase:
    id: uuid.UUID
    purchase_no: str


@dataclass(frozen=True)
class SignedPurchase:
    purchase_no: str
    vehicle_id: uuid.UUID
    stock_no: str
    document_id: uuid.UUID


def _inspection(session: Session, inspection_id: uuid.UUID, *, lock: bool = False) -> Inspection:
    stmt = select(Inspection).where(Inspection.id == inspection_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    inspection = session.scalars(stmt).first()
    if inspection is None:
        raise NotFoundError("purchase.inspection_unknown", "没有找到这份检测记录。")
    if inspection.status is not InspectionStatus.FINAL:
        raise ConflictError(
            "purchase.inspection_draft",
            f"检测记录 {inspection.report_no} 尚未定稿，不能据此收车。",
            report_no=inspection.report_no,
        )
    newer = session.scalar(select(Inspection.id).where(Inspection.previous_id == inspection.id))
    if newer is not None:
        raise ConflictError(
            "purchase.inspection_superseded",
            f"检测记录 {inspection.report_no} 已有更正后的新版本，请按最新版本收车。",
            report_no=inspection.report_no,
        )
    if inspection.valuation_low is None or inspection.valuation_high is None:
        raise ConflictError(
            "purchase.no_valuation",
            f"检测记录 {inspection.report_no} 还没有估价，请评估师先填写估价区间。",
            report_no=inspection.report_no,
        )
    if not inspection.vin:
        raise ConflictError(
            "purchase.no_vin",
            f"检测记录 {inspection.report_no} 没有车架号，收车入库需要车架号。",
            report_no=inspection.report_no,
        )
    return inspection


def _already_bought(session: Session, report_no: str) -> str | None:
    return session.scalar(
        select(VehiclePurchase.purchase_no).where(
            VehiclePurchase.report_no == report_no, VehiclePurchase.status == "signed"
        )
    )


def _intake_form(inspection: Inspection, p: VehiclePurchase) -> vehicle_intake.IntakeForm:
    facts = dict(p.facts or {})
    statements = dict(p.statements or {})
    stated = [label for key, label in STATEMENT_LABELS.items() if statements.get(key)]
    first = facts.get("first_registration")
    return vehicle_intake.IntakeForm(
        vin=inspection.vin or "",
        plate=inspection.plate or "",
        brand=inspection.brand,
        model=inspection.model,
        year=int(facts["year"]) if facts.get("year") else None,
        first_registration=date.fromisoformat(str(first)) if first else None,
        mileage_km=inspection.odometer_km,
        colour=str(facts.get("colour") or ""),
        energy=Energy(str(facts["energy"])),
        transmission=Transmission(str(facts["transmission"])),
        cost_price=p.price,
        acquisition=Acquisition.CUSTOMER,
        description=(
            f"收车协议 {p.purchase_no}，检测报告 {inspection.report_no}。卖方声明："
            + ("、".join(stated) + "。" if stated else "无重大事故、泡水、火烧。")
        ),
        vin_confirmed=True,  # the appraiser checked the VIN on the car itself
    )


def draft(
    session: Session,
    user: StaffUser,
    data: PurchaseInput,
    *,
    store_code: str,
    now: datetime | None = None,
    zone: tzinfo = UTC,
) -> DraftedPurchase:
    """Number and save an offer (not binding until signed; voided if abandoned)."""
    require(session, user.actor, PRICES)
    at = as_utc(now or utcnow())
    today = at.astimezone(zone).date()
    if isinstance(data.price, str) and not data.price.strip():
        raise ValidationError("purchase.price_missing", "请填写收购价。")
    price = parse_amount(data.price, minimum=Decimal("0.01"), maximum=MAX_PRICE)
    if not data.seller_id_number.strip():
        raise ValidationError(
            "purchase.seller_id_missing", "请填写卖方的身份证号码，收车和过户都需要。"
        )
    id_number = normalize_id_number(data.seller_id_number, today=today)
    if not 1 <= data.keys <= 9:
        raise ValidationError("purchase.keys", "车钥匙数量应在 1 到 9 把之间。")
    reference = fields.text(data.payment_ref, "payment.reference")
    note = fields.text(data.statement_note, "purchase.statement_note")
    colour = fields.text(data.colour, "vehicle.colour")
    if data.method in TRACEABLE and not reference:
        raise ValidationError(
            "purchase.reference_missing",
            f"{deposits.METHOD_LABELS[data.method]}付款请填写交易单号或流水号，便于对账。",
            method_label=deposits.METHOD_LABELS[data.method],
        )
    papers = [d for d in data.documents if d in HANDOVER]
    if "机动车登记证书" not in papers or "机动车行驶证" not in papers:
        raise ValidationError(
            "purchase.papers_missing", "收车须交接机动车行驶证和机动车登记证书（绿本）。"
        )
    customer = locks.lock_customer(session, data.customer_id)  # first lock (db.locks)
    if customer is None:
        raise NotFoundError("purchase.seller_unknown", "没有找到这位卖方客户，请重新查找。")
    if customer.id_number and customer.id_number != id_number:
        raise ValidationError(
            "purchase.seller_id_mismatch",
            "所填身份证号码与客户档案中的不一致，请核对卖方本人证件。",
        )
    inspection = _inspection(session, data.inspection_id)
    bought = _already_bought(session, inspection.report_no)
    if bought:
        raise ConflictError(
            "purchase.already_bought",
            f"检测报告 {inspection.report_no} 的车辆已按收车协议 {bought} 收购入库。",
            report_no=inspection.report_no,
            purchase_no=bought,
        )
    purchase = VehiclePurchase(
        store_id=user.store_id,
        purchase_no=numbering.next_purchase_no(session, store_code, today.year),
        status="draft",
        inspection_id=inspection.id,
        report_no=inspection.report_no,
        customer_id=customer.id,
        consultant_id=user.id,
        price=price,
        seller_id_number=id_number,
        method=data.method,
        payment_ref=reference,
        keys=data.keys,
        documents=papers,
        statements={
            "accident": data.accident,
            "flood": data.flood,
            "fire": data.fire,
            "note": note,
        },
        facts={
            "energy": data.energy.value,
            "transmission": data.transmission.value,
            "year": data.year,
            "colour": colour,
            "first_registration": (
                data.first_registration.isoformat() if data.first_registration else None
            ),
        },
    )
    # The stock card must be possible now, not fail at the signing table.
    vehicle_intake.checked(replace(_intake_form(inspection, purchase), description=""), now=at)
    session.add(purchase)
    session.flush()
    audit.record(
        session,
        user.actor,
        "purchase_drafted",
        "vehicle_purchase",
        purchase.id,
        {
            "purchase_no": purchase.purchase_no,
            "report_no": inspection.report_no,
            "price": str(price),
        },
    )
    return DraftedPurchase(purchase.id, purchase.purchase_no)


def prepare_agreement(
    session: Session,
    purchase_id: uuid.UUID,
    *,
    templates_dir: Path | None,
    zone: tzinfo,
    now: datetime | None = None,
) -> Document:
    """The purchase agreement as it will be signed (signature boxes empty)."""
    p = session.get(VehiclePurchase, purchase_id)
    if p is None:
        raise NotFoundError("purchase.not_found", "没有找到这份收车协议。")
    inspection = session.get(Inspection, p.inspection_id)
    seller = session.get(Customer, p.customer_id)
    staff = session.get(Staff, p.consultant_id) if p.consultant_id else None
    assert inspection is not None and seller is not None
    head = letterhead(session, p.store_id, templates_dir)
    issued = as_utc(p.signed_at or now or utcnow()).astimezone(zone)
    statements = dict(p.statements or {})
    stated = [label for key, label in STATEMENT_LABELS.items() if statements.get(key)]
    values = {
        "purchase_no": p.purchase_no,
        "issued_date": f"{issued:%Y年%m月%d日}",
        "store_name": head.store_name,
        "seller_name": seller.name,
        "seller_id_number": p.seller_id_number,
        "seller_phone": mask_phone(seller.phone),
        "vehicle_name": f"{inspection.brand} {inspection.model}".strip(),
        "plate": inspection.plate or "（未上牌）",
        "vin": inspection.vin or "—",
        "mileage": f"{inspection.odometer_km:,}" if inspection.odometer_km is not None else "—",
        "report_no": inspection.report_no,
        "valuation": (
            f"{format_yuan(inspection.valuation_low or Decimal(0))} – "
            f"{format_yuan(inspection.valuation_high or Decimal(0))}"
        ),
        "price": format_yuan(p.price),
        "price_capitals": "人民币" + to_chinese_capitals(p.price),
        "method": deposits.METHOD_LABELS[p.method],
        "payment_ref": p.payment_ref or "—",
        "keys": str(p.keys),
        "documents": "、".join(p.documents or []) or "—",
        "statements": (
            "卖方声明本车曾有" + "、".join(stated) + "记录，已如实告知。"
            if stated
            else "卖方声明：本车无重大事故、泡水、火烧记录，里程表未经调整。"
        )
        + (f"补充说明：{statements['note']}" if statements.get("note") else ""),
        "staff_name": staff.display_name if staff else "",
    }
    template = load_template(templates_dir, TEMPLATE)
    return template.document(
        values,
        kind=DocumentKind.CONTRACT.value,
        number=p.purchase_no,
        letterhead=head,
        issued=f"{issued:%Y-%m-%d %H:%M}",
        qr_codes=(
            QrCode(
                f"SHOWROOM:PA:{p.purchase_no}",
                f"收车协议 {p.purchase_no}\n凭编号和验证码可向门店核验存档原件。",
            ),
        ),
        extra={"subject": f"{mask_name(seller.name)} · {inspection.report_no}"},
    )


def attach_signatures(
    document: Document,
    seller: DrawnSignature,
    staff: DrawnSignature,
    signed_at: datetime,
    zone: tzinfo,
) -> Document:
    validate_signature(seller, "卖方")
    validate_signature(staff, "门店代表")
    when = as_utc(signed_at).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    pngs = (seller.png, staff.png)
    boxes = tuple(
        SignatureImage(box.role_label, box.name, pngs[i] if i < 2 else b"", when)
        for i, box in enumerate(document.signatures)
    )
    return Document(**{**document.__dict__, "signatures": boxes})


def sign(
    session: Session,
    user: StaffUser,
    purchase_id: uuid.UUID,
    document: Document,
    seller_signature: DrawnSignature,
    staff_signature: DrawnSignature,
    pdf: bytes,
    *,
    signed_at: datetime | None = None,
) -> SignedPurchase:
    """Sign, take the car into stock with its purchase cost, archive the paper: one transaction."""
    at = as_utc(signed_at or utcnow())
    locks.lock_customer_of(session, VehiclePurchase, purchase_id)
    p = session.scalars(
        select(VehiclePurchase)
        .where(VehiclePurchase.id == purchase_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if p is None:
        raise NotFoundError("purchase.not_found", "没有找到这份收车协议。")
    if p.status == "signed":
        raise ConflictError(
            "purchase.not_draft",
            f"收车协议 {p.purchase_no} 已签订，请刷新。",
            purchase_no=p.purchase_no,
        )
    if p.status != "draft":
        raise ConflictError(
            "purchase.not_draft",
            f"收车协议 {p.purchase_no} 已作废，请刷新。",
            purchase_no=p.purchase_no,
        )
    if document.number != p.purchase_no:
        raise ValidationError("purchase.paper_mismatch", "签署的协议与记录不对应，请重新打开。")
    validate_signature(seller_signature, "卖方")
    validate_signature(staff_signature, "门店代表")
    if any(not box.signed for box in document.signatures[:2]):
        raise ValidationError("signature.empty", "协议还没有签名，请重新签署。")
    inspection = _inspection(session, p.inspection_id, lock=True)  # the second desk waits here
    bought = _already_bought(session, p.report_no)
    if bought:
        raise ConflictError(
            "purchase.already_bought",
            f"检测报告 {p.report_no} 的车辆刚按收车协议 {bought} 收购入库（另一台电脑），"
            "本协议未签订。",
            report_no=p.report_no,
            purchase_no=bought,
        )
    try:
        with session.begin_nested():  # one car per inspection, even when two desks race
            car = vehicle_intake.intake_vehicle(
                session, user.actor, p.store_id, _intake_form(inspection, p), now=at
            )
            p.status = "signed"
            p.signed_at = at
            p.vehicle_id = car.id
            inspection.vehicle_id = inspection.vehicle_id or car.id
            session.flush()
    except (IntegrityError, StaleDataError):
        raise ConflictError(
            "purchase.already_bought",
            f"检测报告 {p.report_no} 的车辆刚被另一台电脑收购入库，本协议未签订。",
            report_no=p.report_no,
        ) from None
    seller = session.get(Customer, p.customer_id)
    store_signatures(
        session,
        p.id,
        (
            ("customer", seller.name if seller else "", seller_signature),
            # The name the paper prints in the store's box (the drafter, as a contract
            # names its consultant), so the record and the paper agree; the signing
            # account is in the audit entry.
            ("consultant", document.signatures[1].name, staff_signature),
        ),
        document.signed_text_sha256(),
        at,
    )
    stored = archive.archive(
        session,
        user.actor,
        document,
        pdf,
        store_id=p.store_id,
        subject=document.extra.get("subject", ""),
        subject_id=p.id,
    )
    audit.record(
        session,
        user.actor,
        "purchase_signed",
        "vehicle_purchase",
        p.id,
        {
            "purchase_no": p.purchase_no,
            "report_no": p.report_no,
            "price": str(p.price),
            "stock_no": car.stock_no,
        },
    )
    return SignedPurchase(p.purchase_no, car.id, car.stock_no, stored.id)


def void(
    session: Session, user: StaffUser, purchase_id: uuid.UUID, *, now: datetime | None = None
) -> None:
    """An offer not taken: its number stays, shown as void."""
    locks.lock_customer_of(session, VehiclePurchase, purchase_id)
    p = session.get(VehiclePurchase, purchase_id)
    if p is None:
        raise NotFoundError("purchase.not_found", "没有找到这份收车协议。")
    if p.status != "draft":
        raise ConflictError(
            "purchase.not_draft", f"收车协议 {p.purchase_no} 不是草稿。", purchase_no=p.purchase_no
        )
    p.status = "void"
    p.voided_at = as_utc(now or utcnow())
    session.flush()
    audit.record(
        session,
        user.actor,
        "purchase_voided",
        "vehicle_purchase",
        p.id,
        {"purchase_no": p.purchase_no},
    )


# --- look-ups and lists for the desk -------------------------------------------------------


@dataclass(frozen=True)
class OfferStart:
    """What the 收车 dialog starts from: the inspection as the appraiser finalised it."""

    inspection_id: uuid.UUID
    report_no: str
    vehicle: str  # brand and series
    plate: str
    vin: str
    odometer_km: int | None
    score: Decimal | None
    valuation_low: Decimal
    valuation_high: Decimal
    year: int | None  # read from the VIN
    structural: str  # 事故/泡水/火烧 found by the inspection, or ""


def offer_start(session: Session, report_no: str, *, now: datetime | None = None) -> OfferStart:
    """The latest revision of a finished, valued inspection by its report number."""
    number = report_no.strip().upper()
    if not number:
        raise ValidationError("purchase.report_missing", "请输入检测报告编号。")
    latest = session.scalars(
        select(Inspection)
        .where(Inspection.report_no == number)
        .order_by(Inspection.revision.desc())
        .limit(1)
    ).first()
    if latest is None:
        raise NotFoundError(
            "purchase.inspection_unknown", f"没有检测报告 {number}。", report_no=number
        )
    inspection = _inspection(session, latest.id)
    bought = _already_bought(session, inspection.report_no)
    if bought:
        raise ConflictError(
            "purchase.already_bought",
            f"检测报告 {number} 的车辆已按收车协议 {bought} 收购入库。",
            report_no=number,
            purchase_no=bought,
        )
    reading = vehicle_intake.read_vin(inspection.vin, now=now) if inspection.vin else None
    found = [
        label
        for flag, label in (
            (inspection.accident, "事故"),
            (inspection.flood, "泡水"),
            (inspection.fire, "火烧"),
        )
        if flag
    ]
    return OfferStart(
        inspection.id,
        inspection.report_no,
        f"{inspection.brand} {inspection.model}".strip(),
        inspection.plate or "",
        inspection.vin or "",
        inspection.odometer_km,
        inspection.score,
        inspection.valuation_low or Decimal("0.00"),
        inspection.valuation_high or Decimal("0.00"),
        reading.model_year if reading else None,
        "、".join(found),
    )


@dataclass(frozen=True)
class PurchaseRow:
    id: uuid.UUID
    purchase_no: str
    status: str
    created_at: datetime
    report_no: str
    vehicle: str
    seller_name: str  # masked
    price: Decimal
    stock_no: str
    credited_to: str  # the sale contract it was credited to (置换)

    @property
    def status_label(self) -> str:
        return {"draft": "草稿（未签）", "signed": "已签订", "void": "已作废"}[self.status]


def list_purchases(session: Session, store_id: uuid.UUID, limit: int = 300) -> list[PurchaseRow]:
    from db.models import Contract

    rows = session.execute(
        select(VehiclePurchase, Inspection.brand, Inspection.model, Customer.name, Vehicle.stock_no)
        .join(Inspection, Inspection.id == VehiclePurchase.inspection_id)
        .join(Customer, Customer.id == VehiclePurchase.customer_id)
        .outerjoin(Vehicle, Vehicle.id == VehiclePurchase.vehicle_id)
        .where(VehiclePurchase.store_id == store_id)
        .order_by(VehiclePurchase.purchase_no.desc())
        .limit(limit)
    ).all()
    credited = dict(
        session.execute(
            select(Contract.id, Contract.contract_no).where(
                Contract.id.in_(
                    [r[0].credited_contract_id for r in rows if r[0].credited_contract_id]
                )
            )
        ).all()
    )
    return [
        PurchaseRow(
            p.id,
            p.purchase_no,
            p.status,
            as_utc(p.created_at),
            p.report_no,
            f"{brand} {model}".strip(),
            mask_name(name),
            p.price,
            stock_no or "",
            credited.get(p.credited_contract_id, "") if p.credited_contract_id else "",
        )
        for p, brand, model, name, stock_no in rows
    ]


@dataclass(frozen=True)
class TradeIn:
    purchase_id: uuid.UUID
    purchase_no: str
    amount: Decimal
    vehicle: str


def find_trade_in(session: Session, purchase_no: str, buyer_id: uuid.UUID) -> TradeIn:
    """The buyer's signed purchase agreement to credit on a sale contract (置换)."""
    from showroom.services.contracts import _trade_in

    number = purchase_no.strip().upper()
    purchase_id = session.scalar(
        select(VehiclePurchase.id).where(VehiclePurchase.purchase_no == number)
    )
    if purchase_id is None:
        raise NotFoundError("purchase.not_found", f"没有收车协议 {number}。", purchase_no=number)
    found = _trade_in(session, purchase_id, buyer_id)
    return TradeIn(purchase_id, found["purchase_no"], Decimal(found["amount"]), found["vehicle"])
