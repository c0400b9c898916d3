"""Inspections (检测 / 收车评估) on the GB/T 30323-2013 checklist, for event cars and stock.

Every change the appraiser makes is written at once (``set_item``,
``set_structural``, ``set_valuation``, ``add_photo``): the screen debounces and
calls these, so closing or crashing the app loses at most the last keystrokes
of a note. ``finalise`` checks the required items, computes score and grade
(``showroom.inspection_grading``), freezes the weights used and locks the
record; a later correction is a new revision with the same report number.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import (
    ConditionGrade,
    Contract,
    ContractStatus,
    DocumentKind,
    Inspection,
    InspectionChecklist,
    InspectionItem,
    InspectionPhoto,
    InspectionSection,
    InspectionStatus,
    ItemResult,
    Media,
    Registration,
    Staff,
    Store,
    Vehicle,
    VehicleStatus,
)
from showroom import inspection_grading as grading
from showroom import numbering
from showroom import photos as photo_files
from showroom.clock import utcnow
from showroom.documents import archive
from showroom.documents.model import (
    Document,
    Field,
    Figure,
    QrCode,
    Section,
    SignatureImage,
    Table,
)
from showroom.errors import ConflictError, NotFoundError, ValidationError
from showroom.services import audit

STORE_ZONE = ZoneInfo("Asia/Shanghai")
PHOTO_MAX_SIDE = 1600  # px; a 48-megapixel phone photo becomes a few hundred kB
THUMB_SIDE = 320
MAX_PHOTOS_PER_INSPECTION = 80


# --- the store's checklist ----------------------------------------------------------------


@dataclass(frozen=True)
class Checklist:
    weights: dict[InspectionSection, Decimal]
    items: tuple[grading.ChecklistItem, ...]


def checklist(session: Session, store_id: uuid.UUID) -> Checklist:
    """The store's own checklist, or the default one."""
    row = session.scalars(
        select(InspectionChecklist).where(InspectionChecklist.store_id == store_id)
    ).first()
    if row is None:
        return Checklist(dict(grading.DEFAULT_WEIGHTS), grading.DEFAULT_ITEMS)
    items = tuple(
        grading.ChecklistItem(
            InspectionSection(i["section"]), i["code"], i["label"], bool(i.get("required", True))
        )
        for i in row.items
    )
    return Checklist(grading.normalise_weights(row.weights), items)


def save_checklist(
    session: Session,
    actor: audit.Actor,
    store_id: uuid.UUID,
    weights: dict[str, Any],
    items: list[grading.ChecklistItem],
) -> None:
    """Store a store's weights (total 100) and items (each section at least one item)."""
    try:
        checked = grading.normalise_weights(weights)
    except (ValueError, ArithmeticError):
        raise ValidationError(
            "inspection.weights_invalid", "各部分分值不能为负，且合计必须为 100 分。"
        ) from None
    codes = [i.code for i in items]
    if len(set(codes)) != len(codes) or any(not i.label.strip() for i in items):
        raise ValidationError("inspection.items_invalid", "检测项目编号不能重复，名称不能为空。")
    if {i.section for i in items} != set(grading.SECTIONS):
        raise ValidationError("inspection.items_invalid", "每个检测部分至少要有一个检测项目。")
    row = session.scalars(
        select(InspectionChecklist).where(InspectionChecklist.store_id == store_id)
    ).first()
    if row is None:
        row = InspectionChecklist(store_id=store_id, weights={}, items=[])
        session.add(row)
    row.weights = {s.value: str(w) for s, w in checked.items()}
    row.items = [
        {"section": i.section.value, "code": i.code, "label": i.label, "required": i.required}
        for i in items
    ]
    session.flush()
    audit.record(session, actor, "inspection_checklist_saved", "store", store_id, {})


# --- starting -----------------------------------------------------------------------------


def start(
    session: Session,
    actor: audit.Actor,
    store_id: uuid.UUID,
    *,
    registration_id: uuid.UUID | None = None,
    vehicle_id: uuid.UUID | None = None,
    plate: str | None = None,
    vin: str | None = None,
    brand: str = "",
    model: str = "",
    odometer_km: int | None = None,
    now: datetime | None = None,
) -> uuid.UUID:
    """Open a draft inspection with the store's checklist; returns its id."""
    now = (now or utcnow()).astimezone(UTC)
    store = session.get_one(Store, store_id)
    lst = checklist(session, store_id)
    inspection = Inspection(
        store_id=store_id,
        report_no=numbering.next_report_no(session, store.code, now.astimezone(STORE_ZONE).year),
        revision=1,
        registration_id=registration_id,
        vehicle_id=vehicle_id,
        appraiser_id=actor.staff_id,
        status=InspectionStatus.DRAFT,
        plate=plate,
        vin=vin,
        brand=brand,
        model=model,
        odometer_km=odometer_km,
        started_at=now,
        section_weights={s.value: str(w) for s, w in lst.weights.items()},
    )
    session.add(inspection)
    session.flush()
    for position, item in enumerate(lst.items):
        session.add(
            InspectionItem(
                inspection_id=inspection.id,
                section=item.section,
                position=position,
                code=item.code,
                label=item.label,
                required=item.required,
            )
        )
    session.flush()
    audit.record(
        session,
        actor,
        "inspection_started",
        "inspection",
        inspection.id,
        {"report_no": inspection.report_no, "vehicle": str(vehicle_id) if vehicle_id else None},
    )
    return inspection.id


def start_for_vehicle(
    session: Session, actor: audit.Actor, vehicle_id: uuid.UUID, *, now: datetime | None = None
) -> uuid.UUID:
    """收车评估 / stock inspection: the same checklist attached to a car in stock."""
    vehicle = session.get(Vehicle, vehicle_id)
    if vehicle is None or vehicle.deleted_at is not None:
        raise NotFoundError("vehicle.not_found", "没有找到这辆车。")
    return start(
        session,
        actor,
        vehicle.store_id,
        vehicle_id=vehicle.id,
        plate=vehicle.plate,
        vin=vehicle.vin,
        brand=vehicle.brand,
        model=vehicle.model,
        odometer_km=vehicle.mileage_km,
        now=now,
    )


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhotoRow:
    id: uuid.UUID
    item_id: uuid.UUID | None
    image_sha: str
    thumbnail_sha: str
    caption: str


@dataclass(frozen=True)
class ItemRow:
    id: uuid.UUID
    section: InspectionSection
    code: str
    label: str
    result: ItemResult
    severity: int | None
    note: str
    required: bool
    row_version: int
    photos: int


@dataclass(frozen=True)
class InspectionView:
    id: uuid.UUID
    report_no: str
    revision: int
    status: InspectionStatus
    store_id: uuid.UUID
    vehicle_id: uuid.UUID | None
    registration_id: uuid.UUID | None
    plate: str | None
    vin: str | None
    car: str
    odometer_km: int | None
    appraiser: str
    started_at: datetime
    finalised_at: datetime | None
    accident: bool
    flood: bool
    fire: bool
    structural_evidence: str
    valuation_low: Decimal | None
    valuation_high: Decimal | None
    valuation_note: str
    items: tuple[ItemRow, ...]
    photos: tuple[PhotoRow, ...]
    scorecard: grading.Scorecard
    comparables: tuple[dict[str, Any], ...]
    concerns: str
    has_later_revision: bool

    @property
    def final(self) -> bool:
        return self.status is InspectionStatus.FINAL

    def missing_required(self) -> list[ItemRow]:
        return [i for i in self.items if i.required and i.result is ItemResult.NOT_CHECKED]


def _weights(inspection: Inspection) -> dict[InspectionSection, Decimal]:
    return grading.normalise_weights(inspection.section_weights)


def load(session: Session, inspection_id: uuid.UUID) -> InspectionView:
    inspection = session.get(Inspection, inspection_id)
    if inspection is None:
        raise NotFoundError("inspection.not_found", "没有找到这份检测记录。")
    session.refresh(inspection)
    items = list(
        session.scalars(
            select(InspectionItem)
            .where(InspectionItem.inspection_id == inspection_id)
            .order_by(InspectionItem.position)
        )
    )
    photos = list(
        session.scalars(
            select(InspectionPhoto)
            .where(InspectionPhoto.inspection_id == inspection_id)
            .order_by(InspectionPhoto.created_at)
        )
    )
    per_item: dict[uuid.UUID | None, int] = {}
    for p in photos:
        per_item[p.item_id] = per_item.get(p.item_id, 0) + 1
    appraiser = session.get(Staff, inspection.appraiser_id) if inspection.appraiser_id else None
    registration = (
        session.get(Registration, inspection.registration_id)
        if inspection.registration_id
        else None
    )
    later = session.scalar(
        select(func.count()).select_from(Inspection).where(Inspection.previous_id == inspection.id)
    )
    card = grading.score(
        [grading.ItemMark(i.section, i.result, i.severity) for i in items],
        _weights(inspection),
        accident=inspection.accident,
        flood=inspection.flood,
        fire=inspection.fire,
    )
    if inspection.status is InspectionStatus.FINAL and inspection.score is not None:
        # What was finalised is what the record says, even if the rules changed since.
        card = replace(card, score=inspection.score, grade=inspection.grade or card.grade)
    return InspectionView(
        inspection.id,
        inspection.report_no,
        inspection.revision,
        inspection.status,
        inspection.store_id,
        inspection.vehicle_id,
        inspection.registration_id,
        inspection.plate,
        inspection.vin,
        " ".join(p for p in (inspection.brand, inspection.model) if p),
        inspection.odometer_km,
        appraiser.display_name if appraiser else "",
        inspection.started_at,
        inspection.finalised_at,
        inspection.accident,
        inspection.flood,
        inspection.fire,
        inspection.structural_evidence,
        inspection.valuation_low,
        inspection.valuation_high,
        inspection.valuation_note,
        tuple(
            ItemRow(
                i.id,
                i.section,
                i.code,
                i.label,
                i.result,
                i.severity,
                i.note,
                i.required,
                i.row_version,
                per_item.get(i.id, 0),
            )
            for i in items
        ),
        tuple(PhotoRow(p.id, p.item_id, p.image_sha, p.thumbnail_sha, p.caption) for p in photos),
        card,
        tuple(inspection.comparables or ()),
        registration.concerns if registration else "",
        bool(later),
    )


def _draft(session: Session, inspection_id: uuid.UUID) -> Inspection:
    inspection = session.get(Inspection, inspection_id)
    if inspection is None:
        raise NotFoundError("inspection.not_found", "没有找到这份检测记录。")
    if inspection.status is InspectionStatus.FINAL:
        raise ConflictError(
            "inspection.final",
            f"检测报告 {inspection.report_no} 已定稿锁定，如需更正请点“更正（新版本）”。",
            report_no=inspection.report_no,
        )
    return inspection


# --- recording (autosaved one change at a time) -------------------------------------------


def set_item(
    session: Session,
    inspection_id: uuid.UUID,
    item_id: uuid.UUID,
    *,
    result: ItemResult,
    severity: int | None = None,
    note: str | None = None,
) -> None:
    _draft(session, inspection_id)
    item = session.get(InspectionItem, item_id)
    if item is None or item.inspection_id != inspection_id:
        raise NotFoundError("inspection.item_not_found", "没有找到这个检测项目。")
    result = ItemResult(result)
    if result is ItemResult.DEFECT:
        severity = severity or item.severity or 1
        if severity not in grading.SEVERITY_SHARE:
            raise ValidationError("inspection.severity", "缺陷程度应为轻微、一般或严重。")
    else:
        severity = None
    inspection = session.get_one(Inspection, inspection_id)
    item.result = result
    item.severity = severity
    item.deduction = (
        grading.deduction(_weights(inspection)[item.section], severity) if severity else None
    )
    if note is not None:
        item.note = note.strip()[:2000]
    session.flush()


def set_structural(
    session: Session,
    inspection_id: uuid.UUID,
    *,
    accident: bool,
    flood: bool,
    fire: bool,
    evidence: str,
) -> None:
    inspection = _draft(session, inspection_id)
    inspection.accident, inspection.flood, inspection.fire = accident, flood, fire
    inspection.structural_evidence = evidence.strip()[:4000]
    session.flush()


def set_valuation(
    session: Session,
    inspection_id: uuid.UUID,
    *,
    low: Decimal | None,
    high: Decimal | None,
    note: str,
) -> None:
    inspection = _draft(session, inspection_id)
    if low is not None and high is not None and low > high:
        raise ValidationError("inspection.valuation_order", "估价区间的下限不能高于上限。")
    if any(v is not None and v < 0 for v in (low, high)):
        raise ValidationError("inspection.valuation_negative", "估价不能为负数。")
    inspection.valuation_low, inspection.valuation_high = low, high
    inspection.valuation_note = note.strip()[:2000]
    session.flush()


# --- photos -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedPhoto:
    jpeg: bytes
    thumbnail: bytes
    width: int
    height: int


def prepare_photo(data: bytes) -> PreparedPhoto:
    """Check and downscale a photo (Pillow; call it off the UI thread). Refuses what is not one."""
    done = photo_files.shrink(
        data, max_size=(PHOTO_MAX_SIDE, PHOTO_MAX_SIDE), thumb_size=(THUMB_SIDE, THUMB_SIDE)
    )
    return PreparedPhoto(done.image, done.thumbnail, done.width, done.height)


def add_photo(
    session: Session,
    inspection_id: uuid.UUID,
    item_id: uuid.UUID | None,
    photo: PreparedPhoto,
    caption: str = "",
) -> uuid.UUID:
    _draft(session, inspection_id)
    if item_id is not None:
        item = session.get(InspectionItem, item_id)
        if item is None or item.inspection_id != inspection_id:
            raise NotFoundError("inspection.item_not_found", "没有找到这个检测项目。")
    count = session.scalar(
        select(func.count())
        .select_from(InspectionPhoto)
        .where(InspectionPhoto.inspection_id == inspection_id)
    )
    if (count or 0) >= MAX_PHOTOS_PER_INSPECTION:
        raise ValidationError(
            "photo.too_many",
            f"每份检测最多 {MAX_PHOTOS_PER_INSPECTION} 张照片。",
            limit=MAX_PHOTOS_PER_INSPECTION,
        )
    row = InspectionPhoto(
        inspection_id=inspection_id,
        item_id=item_id,
        image_sha=archive.store_media(session, photo.jpeg, "image/jpeg"),
        thumbnail_sha=archive.store_media(session, photo.thumbnail, "image/jpeg"),
        caption=caption.strip()[:100],
    )
    session.add(row)
    session.flush()
    return row.id


def remove_photo(session: Session, inspection_id: uuid.UUID, photo_id: uuid.UUID) -> None:
    _draft(session, inspection_id)
    row = session.get(InspectionPhoto, photo_id)
    if row is None or row.inspection_id != inspection_id:
        raise NotFoundError("photo.not_found", "没有找到这张照片。")
    session.delete(row)
    session.flush()


def media(session: Session, sha: str) -> bytes:
    row = session.get(Media, sha)
    if row is None:
        raise NotFoundError("photo.not_found", "没有找到这张照片。")
    return row.data


# --- valuation ----------------------------------------------------------------------------


def comparable_sales(
    session: Session, brand: str, model: str, *, limit: int = 5
) -> list[dict[str, Any]]:
    """Cars of the same brand and model this dealer sold (contract price) or lists now."""
    if not brand:
        return []
    stmt = (
        select(Vehicle, Contract.price, Contract.signed_at)
        .outerjoin(
            Contract,
            (Contract.vehicle_id == Vehicle.id) & (Contract.status == ContractStatus.SIGNED),
        )
        .where(Vehicle.brand == brand, Vehicle.deleted_at.is_(None))
        .order_by(Vehicle.year.desc(), Vehicle.mileage_km)
    )
    if model:
        stmt = stmt.where(Vehicle.model == model)
    rows = []
    for vehicle, price, signed_at in session.execute(stmt.limit(limit)):
        sold = vehicle.status is VehicleStatus.SOLD
        kind = "在售标价" if not sold else ("成交价" if price is not None else "已售标价")
        rows.append(
            {
                "stock_no": vehicle.stock_no,
                "car": f"{vehicle.brand} {vehicle.model} {vehicle.year}款",
                "mileage_km": vehicle.mileage_km,
                "price": str(price if price is not None else vehicle.list_price),
                "kind": kind,
                "date": signed_at.astimezone(STORE_ZONE).date().isoformat() if signed_at else "",
            }
        )
    return rows


# --- finalising and corrections -----------------------------------------------------------


def finalise(
    session: Session,
    actor: audit.Actor,
    inspection_id: uuid.UUID,
    *,
    now: datetime | None = None,
) -> grading.Scorecard:
    """Check, score, grade and lock. Refuses while required items are not checked."""
    now = (now or utcnow()).astimezone(UTC)
    inspection = _draft(session, inspection_id)
    view = load(session, inspection_id)
    missing = view.missing_required()
    if missing:
        names = "、".join(f"{grading.SECTION_LABELS[i.section]}·{i.label}" for i in missing[:4])
        more = f" 等 {len(missing)} 项" if len(missing) > 4 else ""
        raise ValidationError(
            "inspection.required_missing",
            f"还有必检项目没有检查：{names}{more}。请逐项选择“正常”或“缺陷”后再定稿。",
            count=len(missing),
            names=names,
            more=more,
            # (section key, the store's own item name) for the UI to word in its language
            items=[[i.section.value, i.label] for i in missing[:4]],
        )
    if (view.accident or view.flood or view.fire) and not view.structural_evidence:
        raise ValidationError(
            "inspection.evidence_required",
            "判定为事故、泡水或火烧车时，必须填写判定依据（部位和痕迹），并建议附照片。",
        )
    inspection.status = InspectionStatus.FINAL
    inspection.finalised_at = now
    inspection.score = view.scorecard.score
    inspection.grade = view.scorecard.grade
    inspection.comparables = comparable_sales(session, inspection.brand, inspection.model)
    session.flush()
    if inspection.registration_id is not None:
        reg = session.get(Registration, inspection.registration_id)
        if reg is not None:
            reg.needs_call = False
    audit.record(
        session,
        actor,
        "inspection_finalised",
        "inspection",
        inspection.id,
        {
            "report_no": inspection.report_no,
            "revision": inspection.revision,
            "score": str(inspection.score),
            "grade": inspection.grade.value,
        },
    )
    return view.scorecard


def correct(
    session: Session,
    actor: audit.Actor,
    inspection_id: uuid.UUID,
    reason: str,
    *,
    now: datetime | None = None,
) -> uuid.UUID:
    """A finalised record is never edited: its correction is a new draft revision."""
    now = (now or utcnow()).astimezone(UTC)
    reason = reason.strip()
    if not reason:
        raise ValidationError("inspection.correction_reason", "请填写更正原因。")
    old = session.get(Inspection, inspection_id)
    if old is None:
        raise NotFoundError("inspection.not_found", "没有找到这份检测记录。")
    if old.status is not InspectionStatus.FINAL:
        raise ValidationError("inspection.not_final", "草稿可以直接修改，不需要更正。")
    later = session.scalar(select(Inspection.id).where(Inspection.previous_id == old.id))
    if later is not None:
        raise ConflictError("inspection.not_latest", "这份报告已有更新的版本，请在最新版本上更正。")
    new = Inspection(
        store_id=old.store_id,
        report_no=old.report_no,
        revision=old.revision + 1,
        previous_id=old.id,
        vehicle_id=old.vehicle_id,
        registration_id=old.registration_id,
        appraiser_id=actor.staff_id or old.appraiser_id,
        status=InspectionStatus.DRAFT,
        plate=old.plate,
        vin=old.vin,
        brand=old.brand,
        model=old.model,
        odometer_km=old.odometer_km,
        started_at=now,
        accident=old.accident,
        flood=old.flood,
        fire=old.fire,
        structural_evidence=old.structural_evidence,
        valuation_low=old.valuation_low,
        valuation_high=old.valuation_high,
        valuation_note=old.valuation_note,
        section_weights=old.section_weights,
    )
    session.add(new)
    session.flush()
    id_map: dict[uuid.UUID, uuid.UUID] = {}
    for item in session.scalars(
        select(InspectionItem).where(InspectionItem.inspection_id == old.id)
    ):
        copy = InspectionItem(
            inspection_id=new.id,
            section=item.section,
            position=item.position,
            code=item.code,
            label=item.label,
            result=item.result,
            severity=item.severity,
            deduction=item.deduction,
            note=item.note,
            required=item.required,
        )
        session.add(copy)
        session.flush()
        id_map[item.id] = copy.id
    for photo in session.scalars(
        select(InspectionPhoto).where(InspectionPhoto.inspection_id == old.id)
    ):
        session.add(
            InspectionPhoto(
                inspection_id=new.id,
                item_id=id_map.get(photo.item_id) if photo.item_id else None,
                image_sha=photo.image_sha,
                thumbnail_sha=photo.thumbnail_sha,
                caption=photo.caption,
            )
        )
    session.flush()
    audit.record(
        session,
        actor,
        "inspection_corrected",
        "inspection",
        new.id,
        {"report_no": old.report_no, "from_revision": old.revision, "reason": reason[:200]},
    )
    return new.id


# --- summaries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class InspectionSummary:
    """What a vehicle archive shows of the latest finalised inspection."""

    inspection_id: uuid.UUID
    report_no: str
    revision: int
    grade: ConditionGrade
    grade_label: str
    score: Decimal
    finalised_at: datetime
    appraiser: str
    accident: bool
    flood: bool
    fire: bool


def latest_inspection_for_vehicle(
    session: Session, vehicle_id: uuid.UUID
) -> InspectionSummary | None:
    row = session.scalars(
        select(Inspection)
        .where(Inspection.vehicle_id == vehicle_id, Inspection.status == InspectionStatus.FINAL)
        .order_by(Inspection.finalised_at.desc(), Inspection.revision.desc())
        .limit(1)
    ).first()
    if row is None or row.grade is None or row.score is None or row.finalised_at is None:
        return None
    appraiser = session.get(Staff, row.appraiser_id) if row.appraiser_id else None
    return InspectionSummary(
        row.id,
        row.report_no,
        row.revision,
        row.grade,
        grading.GRADE_LABELS[row.grade],
        row.score,
        row.finalised_at,
        appraiser.display_name if appraiser else "",
        row.accident,
        row.flood,
        row.fire,
    )


@dataclass(frozen=True)
class InspectionListRow:
    id: uuid.UUID
    report_no: str
    revision: int
    status: InspectionStatus
    car: str
    plate: str | None
    appraiser: str
    started_at: datetime
    grade: ConditionGrade | None
    score: Decimal | None


def recent(session: Session, store_id: uuid.UUID, *, limit: int = 50) -> list[InspectionListRow]:
    rows = session.execute(
        select(Inspection, Staff.display_name)
        .outerjoin(Staff, Staff.id == Inspection.appraiser_id)
        .where(Inspection.store_id == store_id)
        .order_by(Inspection.started_at.desc())
        .limit(limit)
    ).all()
    return [
        InspectionListRow(
            i.id,
            i.report_no,
            i.revision,
            i.status,
            " ".join(p for p in (i.brand, i.model) if p),
            i.plate,
            name or "",
            i.started_at,
            i.grade,
            i.score,
        )
        for i, name in rows
    ]


# --- the report (检测报告) -----------------------------------------------------------------

REPORT_TEMPLATE_VERSION = "inspection-report-1"
MAX_REPORT_PHOTOS = 12


def report_number(view: InspectionView) -> str:
    return view.report_no if view.revision == 1 else f"{view.report_no}-R{view.revision}"


def _money(value: Decimal | None) -> str:
    return "—" if value is None else f"¥{value:,.0f}"


def _valuation_line(low: Decimal | None, high: Decimal | None) -> str:
    """The report's valuation sentence; never "— 至 —" for a car that was not valued."""
    if low is None and high is None:
        return "估价：本次检测未作估价。"
    if low is None or high is None or low == high:
        return f"估价：{_money(low if high is None else high)}。"
    return f"估价区间：{_money(low)} 至 {_money(high)}。"


def report_document(
    session: Session,
    inspection_id: uuid.UUID,
    *,
    templates_dir: Any = None,
    letterhead_overrides: dict[str, str] | None = None,
    zone: ZoneInfo = STORE_ZONE,
) -> Document:
    """The finalised inspection as a paper: grade, score by section, defects with photos."""
    from showroom.documents.letterhead import letterhead

    view = load(session, inspection_id)
    if not view.final:
        raise ValidationError("inspection.not_final", "检测记录定稿后才能出具检测报告。")
    assert view.finalised_at is not None
    card = view.scorecard
    flags = [
        n for n, on in (("事故", view.accident), ("泡水", view.flood), ("火烧", view.fire)) if on
    ]
    defects = [i for i in view.items if i.result is ItemResult.DEFECT]
    unchecked = [i for i in view.items if i.result is ItemResult.NOT_CHECKED]
    number = report_number(view)
    fields = (
        Field("报告编号", number),
        Field("检测日期", f"{view.finalised_at.astimezone(zone):%Y年%m月%d日}"),
        Field("车辆", view.car or "—"),
        Field("车牌号", view.plate or "（未上牌）"),
        Field("车架号（VIN）", view.vin or "—"),
        Field("表显里程", f"{view.odometer_km:,} 公里" if view.odometer_km is not None else "—"),
        Field("技术状况等级", card.grade_label),
        Field("综合得分", f"{card.score} 分（满分 100）"),
        Field("评估师", view.appraiser or "—"),
        Field("版本", f"第 {view.revision} 版" + ("（更正版）" if view.revision > 1 else "")),
    )
    section_table = Table.plain(
        "一、分项得分（GB/T 30323-2013 顺序）",
        ("检测部分", "分值", "扣分", "得分", "缺陷数"),
        tuple(
            (s.label, f"{s.weight:.0f}", f"{s.deducted:.1f}", f"{s.score:.1f}", str(s.defects))
            for s in card.sections
        ),
    )
    defect_table = Table.plain(
        "二、缺陷明细",
        ("部分", "项目", "程度", "说明"),
        tuple(
            (
                grading.SECTION_LABELS[i.section],
                i.label,
                grading.SEVERITY_LABELS[min(max(i.severity or 1, 1), 3)],
                i.note or "—",
            )
            for i in defects
        )
        or (("—", "未发现缺陷", "—", "—"),),
    )
    structural = (
        f"判定为：{'、'.join(flags)}车。判定依据：{view.structural_evidence or '（未填写）'}"
        if flags
        else "经检查结构件、水泡痕迹和火烧痕迹，未发现事故、泡水或火烧迹象。"
    )
    valuation = [
        _valuation_line(view.valuation_low, view.valuation_high),
        f"估价方法：{view.valuation_note or '参照同款车型近期成交及在售价格，结合车况评分调整。'}",
    ]
    if view.valuation_low is None and view.valuation_high is None:
        valuation = [valuation[0]]  # no figure, so no method behind it either
    if view.comparables:
        valuation.append(
            "参考车辆："
            + "；".join(
                f"{c['car']}，{c['mileage_km']:,} 公里，{c['kind']} ¥{Decimal(c['price']):,.0f}"
                for c in view.comparables[:5]
            )
            + "。"
        )
    sections = [
        Section("三、结构性检查（事故 / 泡水 / 火烧）", (structural,)),
        Section("四、估价", tuple(valuation)),
    ]
    if view.concerns:
        sections.append(Section("五、客户关注的问题", (view.concerns,)))
    if unchecked:
        sections.append(
            Section(
                "未检项目",
                ("、".join(f"{grading.SECTION_LABELS[i.section]}·{i.label}" for i in unchecked),),
            )
        )
    item_labels = {i.id: i.label for i in view.items}
    defect_ids = {i.id for i in defects}
    shown = [p for p in view.photos if p.item_id in defect_ids] + [
        p for p in view.photos if p.item_id is None
    ]
    figures = tuple(
        Figure(
            p.caption or item_labels.get(p.item_id, "") if p.item_id else p.caption or "照片",
            media(session, p.image_sha),
        )
        for p in shown[:MAX_REPORT_PHOTOS]
    )
    if figures:
        sections.append(Section(f"{'六' if view.concerns else '五'}、缺陷照片"))
    head = letterhead(session, view.store_id, templates_dir, letterhead_overrides)
    return Document(
        kind=DocumentKind.INSPECTION_REPORT.value,
        number=number,
        title="二手车技术状况检测报告",
        letterhead=head,
        fields=fields,
        tables=(section_table, defect_table),
        sections=tuple(sections),
        figures=figures,
        signatures=(SignatureImage("评估师", view.appraiser),),
        qr_codes=(
            QrCode(
                f"SHOWROOM:IR:{number}",
                f"报告编号 {number}\n凭报告编号和验证码可向门店核验存档原件。",
            ),
        ),
        issued=f"{view.finalised_at.astimezone(zone):%Y-%m-%d %H:%M}",
        template_version=REPORT_TEMPLATE_VERSION,
        footer_note=(
            "本报告依据 GB/T 30323-2013《二手车鉴定评估技术规范》的检查顺序出具，"
            "反映检测当时的车辆技术状况；一级≥90 分，二级 60–89 分，三级 20–59 分，"
            "四级＜20 分，事故车为五级。"
        ),
        extra={"subject": f"{view.car} {view.plate or ''}".strip()},
    )


def report_for_printing(session: Session, inspection_id: uuid.UUID, **kwargs: Any) -> Document:
    """The paper to print now: the original the first time, then numbered copies of it."""
    view = load(session, inspection_id)
    number = report_number(view)
    if archive.find_original(session, DocumentKind.INSPECTION_REPORT, number) is not None:
        return archive.prepare_reprint(session, DocumentKind.INSPECTION_REPORT, number).document
    return report_document(session, inspection_id, **kwargs)


def archive_report(
    session: Session,
    actor: audit.Actor,
    inspection_id: uuid.UUID,
    document: Document,
    pdf: bytes,
) -> archive.ArchivedDocument:
    """Archive the rendered report (original or copy) against the inspection."""
    return archive.archive(
        session,
        actor,
        document,
        pdf,
        store_id=load(session, inspection_id).store_id,
        subject=document.extra.get("subject", ""),
        subject_id=inspection_id,
    )


def start_for_stock_no(
    session: Session, actor: audit.Actor, stock_no: str, *, now: datetime | None = None
) -> uuid.UUID:
    """收车评估 by the stock number typed or scanned at the car."""
    vehicle = session.scalars(
        select(Vehicle).where(
            Vehicle.stock_no == stock_no.strip().upper(), Vehicle.deleted_at.is_(None)
        )
    ).first()
    if vehicle is None:
        raise NotFoundError(
            "inspection.stock_no_unknown",
            f"没有找到库存编号为 {stock_no.strip()} 的车辆。",
            stock_no=stock_no.strip(),
        )
    return start_for_vehicle(session, actor, vehicle.id, now=now)
