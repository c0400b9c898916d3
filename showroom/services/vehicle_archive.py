"""The vehicle archive (车辆档案): everything about one car, and the staff's changes to it.

Reading returns plain frozen data. ``vehicle_archive`` is the staff view (cost
price, private price lines, 证件 photos, evidence included); ``showroom.services.kiosk``
builds the customer view from the same reader with those left out (``public``).
Files are prepared first (``prepare_photo``, ``prepare_document``, ``prepare_report``:
Pillow and PDFium work a caller runs in a worker thread, never on the UI thread), then
stored by a quick write. Every change is allowed by ``showroom.services.vehicles.require``
(price and cost: manager or a granted role; facts, photos, history: stock staff), audit
logged with before and after, and checked against the row version the user saw.

Photos are always kept in category order (外观, 内饰, 发动机舱, 底盘, 细节, 瑕疵, 证件);
within a category staff choose the order. 证件 photos are never public and never a cover.
The public price lines must add up to the asking price, to the fen.
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.base import utcnow
from db.models import (
    Acquisition,
    HistoryKind,
    HistoryRecord,
    MaintenanceRecord,
    Media,
    PhotoCategory,
    PriceItem,
    Transmission,
    Vehicle,
    VehiclePhoto,
    VehicleStatus,
)
from db.models.enums import Energy
from showroom import photos as photo_files
from showroom.documents.archive import store_media
from showroom.errors import ConflictError, NotFoundError, ValidationError
from showroom.identifiers import normalize_plate
from showroom.services import audit
from showroom.services.inspections import InspectionSummary, latest_inspection_for_vehicle
from showroom.services.vehicles import FACTS, MAX_MILEAGE_KM, PRICES, require, vehicle_label

MAX_PHOTOS = 40
PREPARE_THREADS = 4  # photo files decoded at once (bounded by the PC's cores)
MAX_PRICE_LINES = 20
MAX_REPORT_PAGES = 30
MAX_DOCUMENT_BYTES = 30 * 1024 * 1024
REPORT_PAGE_WIDTH = 1240  # px: a page readable on the kiosk's 1080p screen
STORE_ZONE = ZoneInfo("Asia/Shanghai")
PDF_MIME = "application/pdf"
# Order of the archive's sections; 证件 last and never shown to customers.
CATEGORY_ORDER = tuple(PhotoCategory)
PRIVATE_CATEGORIES = frozenset({PhotoCategory.DOCUMENTS})
MAX_PRICE = Decimal("100000000")  # a used car at ¥100 million is a typing error
PHOTO_MAX_SIZE = (1600, 1200)
THUMBNAIL_SIZE = (240, 180)
MAX_PHOTO_BYTES = 30 * 1024 * 1024

# Promises every car of this dealer carries (after-sales agreement), shown on the archive.
PROMISES = ("7天无理由退车", "30天核心部件质保", "终身免费检测")

# Reserved, on a test drive and sold follow records (an active deposit, a check-out, a
# signed contract) and change only with them, so a car never looks free while a deposit
# holds it. By hand, staff move a car only between preparation and sale.
ALLOWED_STATUS_CHANGES: dict[VehicleStatus, frozenset[VehicleStatus]] = {
    VehicleStatus.PREPARING: frozenset({VehicleStatus.ON_SALE}),
    VehicleStatus.ON_SALE: frozenset({VehicleStatus.PREPARING}),
}
FLOW_STATUSES = frozenset({VehicleStatus.RESERVED, VehicleStatus.TEST_DRIVE, VehicleStatus.SOLD})


STATUS_NAMES = {
    VehicleStatus.PREPARING: "整备中",
    VehicleStatus.ON_SALE: "在售",
    VehicleStatus.RESERVED: "已预订",
    VehicleStatus.TEST_DRIVE: "试驾中",
    VehicleStatus.SOLD: "已售",
}


@dataclass(frozen=True)
class PhotoInfo:
    id: uuid.UUID
    position: int
    category: PhotoCategory
    caption: str
    is_cover: bool
    image_sha: str
    thumbnail_sha: str


@dataclass(frozen=True)
class PriceLine:
    label: str
    amount: Decimal
    public: bool


@dataclass(frozen=True)
class Maintenance:
    performed_on: date
    mileage_km: int | None
    shop: str
    description: str
    id: uuid.UUID | None = None
    document_sha: str | None = None  # staff only (an invoice may name the owner)
    has_document: bool = False  # what a customer is told


@dataclass(frozen=True)
class History:
    kind: HistoryKind
    occurred_on: date | None
    structural: bool
    description: str
    id: uuid.UUID | None = None
    evidence_sha: str | None = None  # staff only
    has_evidence: bool = False


@dataclass(frozen=True)
class VehicleArchive:
    """One car's archive. Staff data (``cost_price``, private price lines, VIN...) included."""

    id: uuid.UUID
    row_version: int
    stock_no: str
    vin: str | None
    plate: str | None
    brand: str
    model: str
    trim: str
    year: int
    first_registration: date | None
    mileage_km: int
    displacement_l: Decimal | None
    ev_range_km: int | None
    energy: Energy
    transmission: Transmission
    emission_standard: str
    body_type: str
    colour: str
    seats: int | None
    power_hp: int | None
    drive: str
    transfers: int
    new_price: Decimal | None
    list_price: Decimal
    cost_price: Decimal | None
    status: VehicleStatus
    configuration: tuple[str, ...]
    description: str
    report_sha: str | None
    photos: tuple[PhotoInfo, ...]
    price_lines: tuple[PriceLine, ...]
    maintenance: tuple[Maintenance, ...]
    history: tuple[History, ...]
    inspection: InspectionSummary | None  # the latest finalised one
    promises: tuple[str, ...] = PROMISES
    annual_inspection_due: date | None = None
    insurance_due: date | None = None
    acquisition: Acquisition | None = None  # staff only
    report_name: str = ""
    report_pages: tuple[str, ...] = ()  # JPEG shas of the report's pages

    @property
    def title(self) -> str:
        return vehicle_label(self)

    @property
    def cover(self) -> PhotoInfo | None:
        return next((p for p in self.photos if p.is_cover), self.photos[0] if self.photos else None)

    @property
    def price_pending(self) -> bool:
        """Taken into stock by someone who may not set prices: 待定价 until the manager does."""
        return self.list_price <= 0

    @property
    def public_total(self) -> Decimal:
        return sum((line.amount for line in self.price_lines if line.public), Decimal("0.00"))

    @property
    def internal_total(self) -> Decimal:
        """The car's cost: purchase plus every internal line (reconditioning, fees...)."""
        lines = sum((line.amount for line in self.price_lines if not line.public), Decimal(0))
        return (self.cost_price or Decimal(0)) + lines

    def public(self) -> VehicleArchive:
        """The same archive with what a customer must not see removed: cost, internal price
        lines, VIN, plate, where the car came from, 证件 photos and the evidence files (a
        customer is told evidence exists, not shown someone else's invoice)."""
        return replace(
            self,
            cost_price=None,
            vin=None,
            plate=None,
            acquisition=None,
            price_lines=tuple(line for line in self.price_lines if line.public),
            photos=tuple(p for p in self.photos if p.category not in PRIVATE_CATEGORIES),
            maintenance=tuple(replace(m, document_sha=None) for m in self.maintenance),
            history=tuple(replace(h, evidence_sha=None) for h in self.history),
        )


def _vehicle(session: Session, vehicle_id: uuid.UUID, *, lock: bool = False) -> Vehicle:
    stmt = select(Vehicle).where(Vehicle.id == vehicle_id, Vehicle.deleted_at.is_(None))
    if lock:
        stmt = stmt.with_for_update()
    vehicle = session.scalars(stmt).one_or_none()
    if vehicle is None:
        raise NotFoundError("vehicle.not_found", "这辆车已不在库存中")
    return vehicle


def vehicle_archive(session: Session, vehicle_id: uuid.UUID) -> VehicleArchive:
    v = _vehicle(session, vehicle_id)
    photos = session.scalars(
        select(VehiclePhoto)
        .where(VehiclePhoto.vehicle_id == vehicle_id)
        .order_by(VehiclePhoto.position)
    )
    prices = session.scalars(
        select(PriceItem).where(PriceItem.vehicle_id == vehicle_id).order_by(PriceItem.position)
    )
    maintenance = session.scalars(
        select(MaintenanceRecord)
        .where(MaintenanceRecord.vehicle_id == vehicle_id)
        .order_by(MaintenanceRecord.performed_on.desc(), MaintenanceRecord.created_at)
    )
    history = session.scalars(
        select(HistoryRecord)
        .where(HistoryRecord.vehicle_id == vehicle_id)
        .order_by(HistoryRecord.occurred_on, HistoryRecord.created_at)
    )
    return VehicleArchive(
        id=v.id,
        row_version=v.row_version,
        stock_no=v.stock_no,
        vin=v.vin,
        plate=v.plate,
        brand=v.brand,
        model=v.model,
        trim=v.trim,
        year=v.year,
        first_registration=v.first_registration,
        mileage_km=v.mileage_km,
        displacement_l=v.displacement_l,
        ev_range_km=v.ev_range_km,
        energy=v.energy,
        transmission=v.transmission,
        emission_standard=v.emission_standard,
        body_type=v.body_type,
        colour=v.colour,
        seats=v.seats,
        power_hp=v.power_hp,
        drive=v.drive,
        transfers=v.transfers,
        new_price=v.new_price,
        list_price=v.list_price,
        cost_price=v.cost_price,
        status=v.status,
        configuration=tuple(v.configuration or ()),
        description=v.description,
        report_sha=v.third_party_report_sha,
        photos=tuple(
            PhotoInfo(
                p.id, p.position, p.category, p.caption, p.is_cover, p.image_sha, p.thumbnail_sha
            )
            for p in photos
        ),
        price_lines=tuple(PriceLine(p.label, p.amount, p.public) for p in prices),
        maintenance=tuple(
            Maintenance(
                m.performed_on,
                m.mileage_km,
                m.shop,
                m.description,
                m.id,
                m.document_sha,
                m.document_sha is not None,
            )
            for m in maintenance
        ),
        history=tuple(
            History(
                h.kind,
                h.occurred_on,
                h.structural,
                h.description,
                h.id,
                h.evidence_sha,
                h.evidence_sha is not None,
            )
            for h in history
        ),
        inspection=latest_inspection_for_vehicle(session, vehicle_id),
        annual_inspection_due=v.annual_inspection_due,
        insurance_due=v.insurance_due,
        acquisition=v.acquisition,
        report_name=v.third_party_report_name,
        report_pages=tuple(v.third_party_report_pages or ()),
    )


def media_bytes(session: Session, sha: str) -> bytes:
    """The stored bytes of a photo, thumbnail or PDF."""
    data = session.scalar(select(Media.data).where(Media.sha256 == sha))
    if data is None:
        raise NotFoundError("media.not_found", "文件已丢失，请联系管理员重新上传")
    return bytes(data)


def report_pdf(session: Session, vehicle_id: uuid.UUID) -> bytes:
    """The third-party inspection report the car's archive links to."""
    sha = session.scalar(
        select(Vehicle.third_party_report_sha).where(
            Vehicle.id == vehicle_id, Vehicle.deleted_at.is_(None)
        )
    )
    if not sha:
        raise NotFoundError("vehicle.no_report", "这辆车还没有第三方检测报告")
    return media_bytes(session, sha)


# --- changes ----------------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return now.astimezone(UTC)


def _today(now: datetime | None) -> date:
    return _now(now).astimezone(STORE_ZONE).date()


def _check_version(vehicle: Vehicle, expected: int | None) -> None:
    if expected is not None and vehicle.row_version != expected:
        raise ConflictError(
            "vehicle.changed",
            "这辆车的资料刚被其他人修改过，请刷新后再改",
        )


def _touch(vehicle: Vehicle, now: datetime | None) -> None:
    """Mark the car changed (new row version) when only its lines or files changed, so a
    form opened before meets a conflict instead of overwriting."""
    vehicle.updated_at = _now(now)


def _shown(value: Any) -> Any:
    """An audit value: JSON-plain, money as text."""
    if isinstance(value, Decimal | date):
        return str(value)
    if isinstance(value, tuple | list):
        return [_shown(v) for v in value]
    return value.value if hasattr(value, "value") else value


def change_status(
    session: Session,
    actor: audit.Actor,
    vehicle_id: uuid.UUID,
    status: VehicleStatus,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> int:
    """Move the car to ``status``; returns the new row version."""
    require(session, actor, FACTS)
    vehicle = _vehicle(session, vehicle_id, lock=True)
    _check_version(vehicle, expected_version)
    old = vehicle.status
    if status == old:
        return vehicle.row_version
    if old in FLOW_STATUSES or status in FLOW_STATUSES:
        raise ValidationError(
            "vehicle.status_by_flow",
            "“已预订”“试驾中”“已售”随意向金、试驾出车还车和签约合同改变，"
            "请在“定金与合同”或“试驾”页面办理。",
            old=old.value,
            new=status.value,
        )
    if status not in ALLOWED_STATUS_CHANGES.get(old, frozenset()):
        raise ValidationError(
            "vehicle.status_change",
            f"车辆状态不能从“{STATUS_NAMES[old]}”直接改为“{STATUS_NAMES[status]}”",
            old=old.value,
            new=status.value,
            old_label=STATUS_NAMES[old],
            new_label=STATUS_NAMES[status],
        )
    if status is VehicleStatus.ON_SALE and vehicle.list_price <= 0:
        raise ValidationError(
            "vehicle.price_pending", "这辆车还没有定价，请店长先在“价格构成”中填写售价再上架。"
        )
    vehicle.status = status
    if status == VehicleStatus.ON_SALE and vehicle.listed_at is None:
        vehicle.listed_at = _now(now)
    session.flush()
    audit.record(
        session,
        actor,
        "vehicle_status_changed",
        "vehicle",
        vehicle.id,
        {"code": vehicle.stock_no, "from": old.value, "to": status.value},
    )
    return vehicle.row_version


@dataclass(frozen=True)
class VehicleEdit:
    """Fields staff may edit on the archive; ``None`` leaves a field unchanged.

    ``list_price`` needs the price permission (and must still equal the public price
    lines); everything else is a fact for the stock staff.
    """

    list_price: Decimal | None = None
    mileage_km: int | None = None
    colour: str | None = None
    body_type: str | None = None
    emission_standard: str | None = None
    transfers: int | None = None
    description: str | None = None
    configuration: tuple[str, ...] | None = None
    plate: str | None = None
    seats: int | None = None
    new_price: Decimal | None = None
    annual_inspection_due: date | None = None
    insurance_due: date | None = None
    acquisition: Acquisition | None = None


def parse_price(text: str) -> Decimal:
    """A price typed by staff in yuan ("128000", "128,000.00"); refuses nonsense."""
    cleaned = text.strip().replace(",", "").replace("，", "").replace("¥", "").replace("元", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(
            "vehicle.price_invalid", "请输入有效的价格（元），例如 128000"
        ) from None
    if not value.is_finite() or value <= 0:
        raise ValidationError("vehicle.price_invalid", "价格必须大于零")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError("vehicle.price_invalid", "价格最多精确到分")
    if value >= MAX_PRICE:
        raise ValidationError("vehicle.price_invalid", "价格超出范围，请检查是否多输了位数")
    return value


def _check_amount(value: Decimal, code: str, label: str) -> None:
    if value <= 0:
        raise ValidationError(code, f"{label}必须大于零", label=label)
    if value >= MAX_PRICE or value != value.quantize(Decimal("0.01")):
        raise ValidationError(code, f"{label}超出范围，请检查是否多输了位数", label=label)


# A reserved or sold car's price, VIN and plate are on a receipt or contract: not edited.
HELD_STATUSES = frozenset({VehicleStatus.RESERVED, VehicleStatus.SOLD})
# Column widths (db/models/vehicles.py): longer text is refused here, not by the database.
TEXT_LIMITS = {
    "colour": ("车身颜色", 20),
    "body_type": ("车身类型", 20),
    "emission_standard": ("排放标准", 20),
}
_EDIT_FIELDS = (
    "list_price",
    "mileage_km",
    "colour",
    "body_type",
    "emission_standard",
    "transfers",
    "description",
    "plate",
    "seats",
    "new_price",
    "annual_inspection_due",
    "insurance_due",
    "acquisition",
)


def _validated(edit: VehicleEdit) -> VehicleEdit:
    """The edit with text trimmed and the plate normalised; ValidationError for bad input."""
    if edit.mileage_km is not None and not 0 <= edit.mileage_km <= MAX_MILEAGE_KM:
        raise ValidationError(
            "vehicle.mileage_invalid",
            f"表显里程应在 0 到 {MAX_MILEAGE_KM:,} 公里之间，请检查是否多输了位数",
            limit=f"{MAX_MILEAGE_KM:,}",
        )
    if edit.transfers is not None and not 0 <= edit.transfers <= 50:
        raise ValidationError("vehicle.transfers_invalid", "过户次数应在 0 到 50 之间")
    if edit.seats is not None and not 1 <= edit.seats <= 60:
        raise ValidationError("vehicle.seats_invalid", "座位数应在 1 到 60 之间")
    if edit.list_price is not None:
        _check_amount(edit.list_price, "vehicle.price_invalid", "价格")
    if edit.new_price is not None:
        _check_amount(edit.new_price, "vehicle.new_price_invalid", "新车指导价")
    changes: dict[str, Any] = {}
    for name, (label, limit) in TEXT_LIMITS.items():
        value = getattr(edit, name)
        if value is not None:
            changes[name] = value.strip()
            if len(changes[name]) > limit:
                raise ValidationError(
                    f"vehicle.{name}_too_long",
                    f"{label}最多 {limit} 个字",
                    label=label,
                    limit=limit,
                )
    if edit.plate is not None:
        # Stored without the dot so the desk's lookup finds "京A·12345" as 京A12345.
        changes["plate"] = normalize_plate(edit.plate) if edit.plate.strip() else ""
    return replace(edit, **changes)


def _public_lines_total(session: Session, vehicle_id: uuid.UUID) -> tuple[int, Decimal]:
    lines = list(
        session.scalars(
            select(PriceItem.amount).where(
                PriceItem.vehicle_id == vehicle_id, PriceItem.public.is_(True)
            )
        )
    )
    return len(lines), sum(lines, Decimal("0.00"))


def update_vehicle(
    session: Session,
    actor: audit.Actor,
    vehicle_id: uuid.UUID,
    edit: VehicleEdit,
    *,
    expected_version: int | None = None,
) -> int:
    """Apply ``edit``; audit lists every changed field with its old and new value."""
    vehicle = _vehicle(session, vehicle_id, lock=True)
    _check_version(vehicle, expected_version)
    if edit.plate is not None and edit.plate.strip().upper() == (vehicle.plate or ""):
        edit = replace(edit, plate=None)  # unchanged (the form sends every field back)
    if edit.list_price is not None and edit.list_price == vehicle.list_price:
        edit = replace(edit, list_price=None)
    edit = _validated(edit)
    if edit.list_price is not None:
        require(session, actor, PRICES)
    others = [n for n in _EDIT_FIELDS if n != "list_price" and getattr(edit, n) is not None]
    if others or edit.configuration is not None:
        require(session, actor, FACTS)
    if vehicle.status in HELD_STATUSES:
        # The deposit receipt and the contract name this price and plate: they stay put.
        held = [
            label
            for name, label in (("list_price", "售价"), ("plate", "车牌号"))
            if getattr(edit, name) is not None
            and (getattr(edit, name) or None) != getattr(vehicle, name)
        ]
        if held:
            raise ConflictError(
                "vehicle.held_fields",
                f"这辆车{STATUS_NAMES[vehicle.status]}，{'、'.join(held)}不能修改"
                "（意向金收据或合同上已写明）。",
                fields=held,
                status_label=STATUS_NAMES[vehicle.status],
                held="、".join(held),
            )
    if edit.list_price is not None:
        count, total = _public_lines_total(session, vehicle_id)
        if count and total != edit.list_price:
            raise ValidationError(
                "vehicle.price_lines_mismatch",
                f"公开的价格构成合计 ¥{total:,}，与新售价 ¥{edit.list_price:,} 不一致，"
                "请在“价格构成”中一起修改。",
                total=str(total),
                price=str(edit.list_price),
                total_text=f"{total:,}",
                list_price=f"{edit.list_price:,}",
            )
    changed: dict[str, Any] = {}
    for name in _EDIT_FIELDS:
        value = getattr(edit, name)
        if value is None:
            continue
        if isinstance(value, str):
            value = value.strip() or (None if name == "plate" else "")
        if value == getattr(vehicle, name):
            continue
        changed[name] = {"from": _shown(getattr(vehicle, name)), "to": _shown(value)}
        setattr(vehicle, name, value)
    if edit.configuration is not None:
        items = [item.strip() for item in edit.configuration if item.strip()]
        if items != list(vehicle.configuration or []):
            changed["configuration"] = {"from": list(vehicle.configuration or []), "to": items}
            vehicle.configuration = items
    if not changed:
        return vehicle.row_version
    session.flush()
    audit.record(
        session,
        actor,
        "vehicle_updated",
        "vehicle",
        vehicle.id,
        {"code": vehicle.stock_no, "fields": changed},
    )
    return vehicle.row_version


# --- prices -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceSheet:
    """The price tab as saved: asking price, purchase cost and the lines, in order.

    Public lines (车辆价格, 服务费, 过户费预估...) must add up to ``list_price``; internal
    lines (整备, 维修, 各项费用) are costs added to the purchase cost.
    """

    list_price: Decimal
    cost_price: Decimal | None
    lines: tuple[PriceLine, ...]


# Offered in the editor's label box; anything else may be typed.
PUBLIC_LABELS = ("车辆价格", "整备服务费", "质保服务费", "过户费（预估）", "过户代办费")
INTERNAL_LABELS = ("整备成本", "维修费", "美容费", "运输费", "检测费", "其他成本")


def set_prices(
    session: Session,
    actor: audit.Actor,
    vehicle_id: uuid.UUID,
    sheet: PriceSheet,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> int:
    """Save the asking price, the purchase cost and the price lines together."""
    require(session, actor, PRICES)
    vehicle = _vehicle(session, vehicle_id, lock=True)
    _check_version(vehicle, expected_version)
    _check_amount(sheet.list_price, "vehicle.price_invalid", "售价")
    if sheet.cost_price is not None:
        _check_amount(sheet.cost_price, "vehicle.cost_invalid", "收车成本")
    if len(sheet.lines) > MAX_PRICE_LINES:
        raise ValidationError(
            "price_lines.too_many", f"价格构成最多 {MAX_PRICE_LINES} 行", limit=MAX_PRICE_LINES
        )
    lines: list[PriceLine] = []
    for number, line in enumerate(sheet.lines, 1):
        label = line.label.strip()
        if not label:
            raise ValidationError(
                "price_lines.label_missing", f"第 {number} 行没有填写项目名称", row=number
            )
        if len(label) > 60:
            raise ValidationError(
                "price_lines.label_too_long", f"第 {number} 行的项目名称最多 60 个字", row=number
            )
        _check_amount(line.amount, "price_lines.amount_invalid", f"第 {number} 行的金额")
        lines.append(PriceLine(label, line.amount, line.public))
    public_total = sum((line.amount for line in lines if line.public), Decimal("0.00"))
    if any(line.public for line in lines) and public_total != sheet.list_price:
        difference = sheet.list_price - public_total
        raise ValidationError(
            "price_lines.sum_mismatch",
            f"公开的价格构成合计 ¥{public_total:,}，与售价 ¥{sheet.list_price:,} "
            f"相差 ¥{difference:,}，请调整后再保存。",
            total=str(public_total),
            price=str(sheet.list_price),
            public_total=f"{public_total:,}",
            list_price=f"{sheet.list_price:,}",
            difference=f"{difference:,}",
        )
    old_lines = [
        PriceLine(p.label, p.amount, p.public)
        for p in session.scalars(
            select(PriceItem).where(PriceItem.vehicle_id == vehicle_id).order_by(PriceItem.position)
        )
    ]
    if vehicle.status in HELD_STATUSES:
        old_public = [line for line in old_lines if line.public]
        new_public = [line for line in lines if line.public]
        if sheet.list_price != vehicle.list_price or old_public != new_public:
            raise ConflictError(
                "vehicle.held_fields",
                f"这辆车{STATUS_NAMES[vehicle.status]}，售价和公开的价格构成不能修改"
                "（意向金收据或合同上已写明）；内部成本仍可修改。",
                fields=["售价"],
                status_label=STATUS_NAMES[vehicle.status],
            )
    changed: dict[str, Any] = {}
    for name, value in (("list_price", sheet.list_price), ("cost_price", sheet.cost_price)):
        if getattr(vehicle, name) != value:
            changed[name] = {"from": _shown(getattr(vehicle, name)), "to": _shown(value)}
            setattr(vehicle, name, value)
    if old_lines != lines:
        changed["lines"] = {
            "from": [[p.label, str(p.amount), p.public] for p in old_lines],
            "to": [[p.label, str(p.amount), p.public] for p in lines],
        }
        for item in session.scalars(select(PriceItem).where(PriceItem.vehicle_id == vehicle_id)):
            session.delete(item)
        session.flush()
        for position, line in enumerate(lines):
            session.add(
                PriceItem(
                    vehicle_id=vehicle_id,
                    position=position,
                    label=line.label,
                    amount=line.amount,
                    public=line.public,
                )
            )
    if not changed:
        return vehicle.row_version
    _touch(vehicle, now)
    session.flush()
    audit.record(
        session,
        actor,
        "vehicle_prices_set",
        "vehicle",
        vehicle.id,
        {"code": vehicle.stock_no, "fields": changed},
    )
    return vehicle.row_version


# --- files: evidence, maintenance documents, the third-party report ---------------------------


@dataclass(frozen=True)
class PreparedFile:
    """A document ready to store: a shrunk JPEG of a photo, or a checked PDF as it was."""

    name: str
    data: bytes
    mime: str


def _read(path: Path, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    name = path.name
    try:
        if path.stat().st_size > limit:
            raise ValidationError(
                "file.too_large",
                f"{name}：文件超过 {limit // 1024 // 1024} MB",
                name=name,
                megabytes=limit // 1024 // 1024,
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise ValidationError("file.missing", f"{name}：文件不存在", name=name) from None
    except OSError:
        raise ValidationError("file.unreadable", f"{name}：文件无法读取", name=name) from None


def prepare_document(path: Path) -> PreparedFile:
    """A photo (shrunk like car photos) or a PDF (checked) of an invoice or evidence.

    Slow for photos: call it off the UI thread.
    """
    data = _read(path)
    if data.startswith(b"%PDF"):
        _pdf_pages(data, path.name, render=False)
        return PreparedFile(path.name, data, PDF_MIME)
    try:
        done = photo_files.shrink(
            data, max_size=PHOTO_MAX_SIZE, thumb_size=THUMBNAIL_SIZE, quality=88
        )
    except ValidationError as exc:
        raise ValidationError(
            exc.code,
            f"{path.name}：不是照片或 PDF 文件，或文件已损坏",
            **{**exc.params, "name": path.name},
        ) from None
    return PreparedFile(path.name, done.image, "image/jpeg")


@dataclass(frozen=True)
class PreparedReport:
    """A third-party report: the PDF as it was (kept by its SHA-256) and its pages as JPEGs."""

    name: str
    pdf: bytes
    pages: tuple[bytes, ...]


def _pdf_pages(data: bytes, name: str, *, render: bool) -> list[bytes]:
    """Open ``data`` with PDFium; its pages as JPEGs when ``render``. Refuses what the
    kiosk could not show: a damaged, password-protected or empty PDF, or too many pages."""
    import pypdfium2 as pdfium  # loaded when a PDF is attached, not at start-up

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ValidationError(
                "report.encrypted", f"{name}：PDF 有密码保护，请导出不加密的版本", name=name
            ) from None
        raise ValidationError(
            "report.corrupt", f"{name}：不是可用的 PDF 文件（文件损坏或格式不对）", name=name
        ) from None
    try:
        count = len(document)
        if count == 0:
            raise ValidationError("report.empty", f"{name}：PDF 没有页面", name=name)
        if count > MAX_REPORT_PAGES:
            raise ValidationError(
                "report.too_long",
                f"{name}：共 {count} 页，超过 {MAX_REPORT_PAGES} 页，请只附检测报告本身",
                name=name,
                pages=count,
                limit=MAX_REPORT_PAGES,
            )
        pages: list[bytes] = []
        if render:
            for index in range(count):
                page = document[index]
                width = page.get_width() or 1
                bitmap = page.render(scale=REPORT_PAGE_WIDTH / width)
                image = bitmap.to_pil().convert("RGB")
                buffer = io.BytesIO()
                image.save(buffer, format="JPEG", quality=82, optimize=True)
                pages.append(buffer.getvalue())
                page.close()
        return pages
    finally:
        document.close()


def prepare_report(path: Path) -> PreparedReport:
    """Read and check a third-party report PDF and render its pages (slow: a worker)."""
    data = _read(path)
    if not data.startswith(b"%PDF"):
        raise ValidationError(
            "report.not_pdf", f"{path.name}：第三方检测报告需要 PDF 文件", name=path.name
        )
    return PreparedReport(path.name, data, tuple(_pdf_pages(data, path.name, render=True)))


def attach_report(
    session: Session,
    actor: audit.Actor,
    vehicle_id: uuid.UUID,
    report: PreparedReport,
    *,
    now: datetime | None = None,
) -> str:
    """Keep the report (PDF by its SHA-256, pages for the kiosk); returns the SHA-256."""
    require(session, actor, FACTS)
    vehicle = _vehicle(session, vehicle_id, lock=True)
    sha = store_media(session, report.pdf, PDF_MIME)
    pages = [store_media(session, page, "image/jpeg") for page in report.pages]
    old = vehicle.third_party_report_sha
    vehicle.third_party_report_sha = sha
    vehicle.third_party_report_name = Path(report.name).name[:120]
    vehicle.third_party_report_pages = pages
    _touch(vehicle, now)
    session.flush()
    audit.record(
        session,
        actor,
        "vehicle_report_attached",
        "vehicle",
        vehicle.id,
        {
            "code": vehicle.stock_no,
            "from": old,
            "to": sha,
            "name": report.name,
            "pages": len(pages),
        },
    )
    return sha


def remove_report(
    session: Session, actor: audit.Actor, vehicle_id: uuid.UUID, *, now: datetime | None = None
) -> None:
    require(session, actor, FACTS)
    vehicle = _vehicle(session, vehicle_id, lock=True)
    old = vehicle.third_party_report_sha
    if old is None:
        return
    vehicle.third_party_report_sha = None
    vehicle.third_party_report_name = ""
    vehicle.third_party_report_pages = []
    _touch(vehicle, now)
    session.flush()
    audit.record(
        session,
        actor,
        "vehicle_report_removed",
        "vehicle",
        vehicle.id,
        {"code": vehicle.stock_no, "from": old, "to": None},
    )


# --- history and maintenance --------------------------------------------------------------------

MAX_TEXT = 2000


@dataclass(frozen=True)
class HistoryForm:
    """An accident, flood or fire statement (or another notable event) with its evidence.

    ``evidence``: a new file, or None to keep what the entry has; ``drop_evidence`` removes it.
    """

    kind: HistoryKind
    occurred_on: date | None
    structural: bool
    description: str
    evidence: PreparedFile | None = None
    drop_evidence: bool = False


@dataclass(frozen=True)
class MaintenanceForm:
    performed_on: date
    mileage_km: int | None
    shop: str
    description: str
    document: PreparedFile | None = None
    drop_document: bool = False


def _text(value: str, code: str, label: str, *, required: bool, limit: int = MAX_TEXT) -> str:
    value = value.strip()
    if required and not value:
        raise ValidationError(code + "_missing", f"请填写{label}", label=label)
    if len(value) > limit:
        raise ValidationError(
            code + "_too_long", f"{label}最多 {limit} 个字", label=label, limit=limit
        )
    return value


def _past_date(value: date | None, label: str, now: datetime | None) -> None:
    if value is None:
        return
    if value > _today(now):
        raise ValidationError("vehicle.date_future", f"{label}不能晚于今天", label=label)
    if value.year < 1950:
        raise ValidationError("vehicle.date_range", f"{label}不对，请检查年份", label=label)


def _history_values(form: HistoryForm, now: datetime | None) -> dict[str, Any]:
    _past_date(form.occurred_on, "发生日期", now)
    return {
        "kind": HistoryKind(form.kind),
        "occurred_on": form.occurred_on,
        "structural": bool(form.structural),
        "description": _text(form.description, "history.description", "情况说明", required=True),
    }


def _held_history(vehicle: Vehicle) -> None:
    # The condition confirmation (车况确认书) signed with the deposit or contract lists these.
    if vehicle.status in HELD_STATUSES:
        raise ConflictError(
            "vehicle.held_history",
            f"这辆车{STATUS_NAMES[vehicle.status]}，事故/泡水/火烧记录已写入车况确认，不能修改。",
            status_label=STATUS_NAMES[vehicle.status],
        )


def add_history(
    session: Session,
    actor: audit.Actor,
    vehicle_id: uuid.UUID,
    form: HistoryForm,
    *,
    now: datetime | None = None,
) -> uuid.UUID:
    require(session, actor, FACTS)
    vehicle = _vehicle(session, vehicle_id, lock=True)
    _held_history(vehicle)
    values = _history_values(form, now)
    evidence = (
        store_media(session, form.evidence.data, form.evidence.mime) if form.evidence else None
    )
    record = HistoryRecord(vehicle_id=vehicle_id, evidence_sha=evidence, **values)
    session.add(record)
    _touch(vehicle, now)
    session.flush()
    audit.record(
        session,
        actor,
        "vehicle_history_added",
        "vehicle",
        vehicle.id,
        {"code": vehicle.stock_no, "entry": str(record.id), "to": _shown_values(values, evidence)},
    )
    return record.id


def _shown_values(values: dict[str, Any], file_sha: str | None) -> dict[str, Any]:
    return {k: _shown(v) for k, v in values.items()} | {"file": file_sha}


def _history_record(session: Session, vehicle_id: uuid.UUID, record_id: uuid.UUID) -> HistoryRecord:
    record = session.get(HistoryRecord, record_id)
    if record is None or record.vehicle_id != vehicle_id:
        raise NotFoundError("history.not_found", "这条记录已被删除，请刷新")
    return record


def update_history(
    session: Session,
    actor: audit.Actor,
    vehicle_id: uuid.UUID,
    record_id: uuid.UUID,
    form: HistoryForm,
    *,
    now: datetime | None = None,
) -> None:
    require(session, actor, FACTS)
    vehicle = _vehicle(session, vehicle_id, lock=True)
    _held_history(vehicle)
    record = _history_record(session, vehicle_id, record_id)
    values = _history_values(form, now)
    before = _shown_values({k: getattr(record, k) for k in values}, record.evidence_sha)
    for name, value in values.items():
        setattr(record, name, value)
    if form.evidence is not None:
        record.evidence_sha = store_media(session, form.evidence.data, form.evidence.mime)
    elif form.drop_evidence:
        record.evidence_sha = None
    after = _shown_values(values, record.evidence_sha)
    if before == after:
        return
    _touch(vehicle, now)
    session.flush()
    audit.record(
        session,
        actor,
        "vehicle_history_changed",
        "vehicle",
        vehicle.id,
        {"code": vehicle.stock_no, "entry": str(record.id), "from": before, "to": after},
    )


def remove_history(
    session: Session,
    actor: audit.Actor,
    vehicle_id: uuid.UUID,
    record_id: uuid.UUID,
    *,
    now: datetime | None = None,
) -> None:
    require(session, actor, FACTS)
    vehicle = _vehicle(session, vehicle_id, lock=True)
    _held_history(vehicle)
    record = _history_record(session, vehicle_id, record_id)
    before = _shown_values(
        {k: getattr(record, k) for k in ("kind", "occurred_on", "structural", "description")},
        record.evidence_sha,
    )
    session.delete(record)
    _touch(vehicle, now)
    session.flush()
    audit.record(
        session,
        actor,
        "vehicle_history_removed",
        "vehicle",
        vehicle.id,
        {"code": vehicle.stock_no, "entry": str(record_id), "from": before},
    )


def _maintenance_values(
    form: MaintenanceForm, vehicle: Vehicle, now: datetime | None
) -> dict[str, Any]:
    _past_date(form.performed_on, "保养日期", now)
    if form.mileage_km is not None:
        if not 0 <= form.mileage_km <= MAX_MILEAGE_KM:
            raise ValidationError(
                "maintenance.mileage_invalid",
                f"里程应在 0 到 {MAX_MILEAGE_KM:,} 公里之间",
                limit=f"{MAX_MILEAGE_KM:,}",
            )
        if form.mileage_km > vehicle.mileage_km:
            # Either a typo or a wound-back odometer (调表): both need a look, not a save.
            raise ValidationError(
                "maintenance.mileage_above_odometer",
                f"这条记录的里程 {form.mileage_km:,} 公里高于当前表显里程 "
                f"{vehicle.mileage_km:,} 公里，请核对（如属实，可能是调表车）。",
                mileage=form.mileage_km,
                odometer=vehicle.mileage_km,
                mileage_text=f"{form.mileage_km:,}",
                odometer_text=f"{vehicle.mileage_km:,}",
            )
    return {
        "performed_on": form.performed_on,
        "mileage_km": form.mileage_km,
        "shop": _text(form.shop, "maintenance.shop", "保养地点", required=False, limit=100),
        "description": _text(
            form.description, "maintenance.description", "保养内容", required=True
        ),
    }


def _maintenance_record(
    session: Session, vehicle_id: uuid.UUID, record_id: uuid.UUID
) -> MaintenanceRecord:
    record = session.get(MaintenanceRecord, record_id)
    if record is None or record.vehicle_id != vehicle_id:
        raise NotFoundError("maintenance.not_found", "这条记录已被删除，请刷新")
    return record


def add_maintenance(
    session: Session,
    actor: audit.Actor,
    vehicle_id: uuid.UUID,
    form: MaintenanceForm,
    *,
    now: datetime | None = None,
) -> uuid.UUID:
    require(session, actor, FACTS)
    vehicle = _vehicle(session, vehicle_id, lock=True)
    values = _maintenance_values(form, vehicle, now)
    document = (
        store_media(session, form.document.data, form.document.mime) if form.document else None
    )
    record = MaintenanceRecord(vehicle_id=vehicle_id, document_sha=document, **values)
    session.add(record)
    _touch(vehicle, now)
    session.flush()
    audit.record(
        session,
        actor,
        "vehicle_maintenance_added",
        "vehicle",
        vehicle.id,
        {"code": vehicle.stock_no, "entry": str(record.id), "to": _shown_values(values, document)},
    )
    return record.id


def update_maintenance(
    session: Session,
    actor: audit.Actor,
    vehicle_id: uuid.UUID,
    record_id: uuid.UUID,
    form: MaintenanceForm,
    *,
    now: datetime | None = None,
) -> None:
    require(session, actor, FACTS)
    vehicle = _vehicle(session, vehicle_id, lock=True)
    record = _maintenance_record(session, vehicle_id, record_id)
    values = _maintenance_values(form, vehicle, now)
    before = _shown_values({k: getattr(record, k) for k in values}, record.document_sha)
    for name, value in values.items():
        setattr(record, name, value)
    if form.document is not None:
        record.document_sha = store_media(session, form.document.data, form.document.mime)
    elif form.drop_document:
        record.document_sha = None
    after = _shown_values(values, record.document_sha)
    if before == after:
        return
    _touch(vehicle, now)
    session.flush()
    audit.record(
        session,
        actor,
        "vehicle_maintenance_changed",
        "vehicle",
        vehicle.id,
        {"code": vehicle.stock_no, "entry": str(record.id), "from": before, "to": after},
    )


def remove_maintenance(
    session: Session,
    actor: audit.Actor,
    vehicle_id: uuid.UUID,
    record_id: uuid.UUID,
    *,
    now: datetime | None = None,
) -> None:
    require(session, actor, FACTS)
    vehicle = _vehicle(session, vehicle_id, lock=True)
    record = _maintenance_record(session, vehicle_id, record_id)
    before = _shown_values(
        {k: getattr(record, k) for k in ("performed_on", "mileage_km", "shop", "description")},
        record.document_sha,
    )
    session.delete(record)
    _touch(vehicle, now)
    session.flush()
    audit.record(
        session,
        actor,
        "vehicle_maintenance_removed",
        "vehicle",
        vehicle.id,
        {"code": vehicle.stock_no, "entry": str(record_id), "from": before},
    )


def staff_file(session: Session, vehicle_id: uuid.UUID, sha: str) -> tuple[str, bytes]:
    """(mime, bytes) of a file of this car's archive: a report, evidence or invoice."""
    _vehicle(session, vehicle_id)
    media = session.get(Media, sha)
    if media is None:
        raise NotFoundError("media.not_found", "文件已丢失，请联系管理员重新上传")
    return media.mime, bytes(media.data)


# --- photos -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo ready to store: a JPEG no larger than PHOTO_MAX_SIZE and its thumbnail.

    ``category`` is what the file name says (``showroom.photos.category_from_name``), or
    None when it says nothing: the importer's choice then applies.
    """

    name: str
    image: bytes
    thumbnail: bytes
    category: PhotoCategory | None = None


@dataclass(frozen=True)
class PhotoProblem:
    name: str
    reason: str


def prepare_photo(path: Path) -> PreparedPhoto:
    """Read, check and shrink one image file with Pillow (slow: call it off the UI thread)."""
    name = path.name
    try:
        if path.stat().st_size > MAX_PHOTO_BYTES:
            raise ValidationError("photo.too_large", f"{name}：文件超过 30 MB", name=name)
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValidationError("photo.missing", f"{name}：文件不存在", name=name) from None
    except OSError:
        raise ValidationError("photo.unreadable", f"{name}：文件无法读取", name=name) from None
    try:
        done = photo_files.shrink(
            data, max_size=PHOTO_MAX_SIZE, thumb_size=THUMBNAIL_SIZE, quality=88
        )
    except ValidationError as exc:
        # The batch reports each bad file by its name.
        reason = "不是可识别的图片或文件已损坏" if exc.code == "photo.corrupt" else exc.message
        raise ValidationError(
            exc.code, f"{name}：{reason}", **{**exc.params, "name": name}
        ) from None
    return PreparedPhoto(
        name, done.image, done.thumbnail, photo_files.category_from_name(str(path))
    )


def prepare_photos(
    paths: Sequence[Path], progress: Any = None
) -> tuple[list[PreparedPhoto], list[PhotoProblem]]:
    """Prepare each file; a bad file is reported with its reason and the others still go in.

    Files are decoded on a few threads at once (Pillow lets go of the GIL while it decodes,
    scales and encodes); results keep the order chosen. ``progress(done, total)`` is called
    after each file, from a worker thread.
    """
    from concurrent.futures import ThreadPoolExecutor

    def one(path: Path) -> PreparedPhoto | PhotoProblem:
        try:
            return prepare_photo(path)
        except ValidationError as exc:
            return PhotoProblem(path.name, exc.message)

    done = 0
    results: list[PreparedPhoto | PhotoProblem] = []
    workers = max(1, min(PREPARE_THREADS, os.cpu_count() or 1, len(paths)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="photos") as pool:
        for result in pool.map(one, paths):
            results.append(result)
            done += 1
            if progress is not None:
                progress(done, len(paths))
    good = [r for r in results if isinstance(r, PreparedPhoto)]
    bad = [r for r in results if isinstance(r, PhotoProblem)]
    return good, bad


def _photos(session: Session, vehicle_id: uuid.UUID) -> list[VehiclePhoto]:
    return list(
        session.scalars(
            select(VehiclePhoto)
            .where(VehiclePhoto.vehicle_id == vehicle_id)
            .order_by(VehiclePhoto.position)
        )
    )


_RANK = {category: rank for rank, category in enumerate(CATEGORY_ORDER)}


def _place(session: Session, vehicle_id: uuid.UUID, order: list[uuid.UUID]) -> None:
    """Give the photos positions 0..n-1 in ``order``, kept grouped by category (a stable
    sort: within a category the given order stands). Two steps, so the unique (vehicle,
    position) never sees two photos on one place."""
    categories = dict(
        session.execute(
            select(VehiclePhoto.id, VehiclePhoto.category).where(
                VehiclePhoto.vehicle_id == vehicle_id
            )
        ).all()
    )
    ordered = sorted(order, key=lambda pid: _RANK[categories[pid]])
    session.flush()
    session.execute(
        update(VehiclePhoto)
        .where(VehiclePhoto.vehicle_id == vehicle_id)
        .values(position=-1 - VehiclePhoto.position, row_version=VehiclePhoto.row_version + 1)
        .execution_options(synchronize_session=False)
    )
    for position, photo_id in enumerate(ordered):
        session.execute(
            update(VehiclePhoto)
            .where(VehiclePhoto.id == photo_id)
            .values(position=position)
            .execution_options(synchronize_session=False)
        )
    session.expire_all()


def _fix_cover(session: Session, vehicle_id: uuid.UUID) -> None:
    """Exactly one public photo is the cover when there is one; a 证件 photo never is."""
    photos = _photos(session, vehicle_id)
    public = [p for p in photos if p.category not in PRIVATE_CATEGORIES]
    current = next((p for p in public if p.is_cover), None) or (public[0] if public else None)
    for photo in photos:
        wanted = photo is current
        if photo.is_cover != wanted:
            photo.is_cover = wanted
    session.flush()


def add_photos(
    session: Session,
    actor: audit.Actor,
    vehicle_id: uuid.UUID,
    photos: Sequence[PreparedPhoto],
    category: PhotoCategory = PhotoCategory.EXTERIOR,
    *,
    now: datetime | None = None,
) -> int:
    """Add prepared photos at the end of their category (the one their file name says, else
    ``category``); returns how many were added."""
    require(session, actor, FACTS)
    vehicle = _vehicle(session, vehicle_id, lock=True)
    existing = _photos(session, vehicle_id)
    if len(existing) + len(photos) > MAX_PHOTOS:
        raise ValidationError(
            "photo.too_many",
            f"每辆车最多 {MAX_PHOTOS} 张照片，现有 {len(existing)} 张",
            limit=MAX_PHOTOS,
            count=len(existing),
        )
    position = max((p.position for p in existing), default=-1) + 1
    added: list[uuid.UUID] = []
    filed: dict[str, int] = {}
    for number, photo in enumerate(photos):
        image_sha = store_media(session, photo.image, "image/jpeg")
        thumbnail_sha = store_media(session, photo.thumbnail, "image/jpeg")
        chosen = photo.category or category
        row = VehiclePhoto(
            vehicle_id=vehicle_id,
            position=position + number,
            category=chosen,
            image_sha=image_sha,
            thumbnail_sha=thumbnail_sha,
            caption=Path(photo.name).stem[:100],
            is_cover=False,
        )
        session.add(row)
        session.flush()
        added.append(row.id)
        filed[chosen.value] = filed.get(chosen.value, 0) + 1
    if photos:
        _place(session, vehicle_id, [p.id for p in existing] + added)
        _fix_cover(session, vehicle_id)
        _touch(_vehicle(session, vehicle_id), now)
        session.flush()
        audit.record(
            session,
            actor,
            "vehicle_photos_added",
            "vehicle",
            vehicle.id,
            {"code": vehicle.stock_no, "count": len(photos), "categories": filed},
        )
    return len(photos)


def reorder_photos(
    session: Session,
    actor: audit.Actor,
    vehicle_id: uuid.UUID,
    order: Sequence[uuid.UUID],
    *,
    now: datetime | None = None,
) -> None:
    """Put the car's photos in ``order`` (every photo id exactly once); each stays in its
    category, so a photo dragged past its category's end stops at that end."""
    require(session, actor, FACTS)
    vehicle = _vehicle(session, vehicle_id, lock=True)
    photos = _photos(session, vehicle_id)
    if sorted(map(str, order)) != sorted(str(p.id) for p in photos):
        raise ConflictError("photo.changed", "照片刚被其他人修改过，请刷新后再排序")
    before = [str(p.id) for p in photos]
    _place(session, vehicle_id, list(order))
    after = [str(p.id) for p in _photos(session, vehicle_id)]
    if before == after:
        return
    _touch(_vehicle(session, vehicle_id), now)
    session.flush()
    audit.record(
        session,
        actor,
        "vehicle_photos_reordered",
        "vehicle",
        vehicle.id,
        {"code": vehicle.stock_no, "count": len(order), "from": before, "to": after},
    )


def move_photo(
    session: Session, actor: audit.Actor, vehicle_id: uuid.UUID, photo_id: uuid.UUID, step: int
) -> None:
    """Move one photo ``step`` places (−1 earlier, +1 later) within its category."""
    order = [p.id for p in _photos(session, vehicle_id)]
    if photo_id not in order:
        raise NotFoundError("photo.not_found", "这张照片已被删除")
    index = order.index(photo_id)
    target = max(0, min(len(order) - 1, index + step))
    if target == index:
        return
    order.insert(target, order.pop(index))
    reorder_photos(session, actor, vehicle_id, order)


def set_photo_category(
    session: Session,
    actor: audit.Actor,
    vehicle_id: uuid.UUID,
    photo_ids: Sequence[uuid.UUID],
    category: PhotoCategory,
    *,
    now: datetime | None = None,
) -> int:
    """Re-file photos (in bulk) under ``category``; they go to the end of it. Returns how
    many changed. Filing the cover under 证件 passes the cover to the first public photo."""
    require(session, actor, FACTS)
    vehicle = _vehicle(session, vehicle_id, lock=True)
    photos = _photos(session, vehicle_id)
    by_id = {p.id: p for p in photos}
    missing = [pid for pid in photo_ids if pid not in by_id]
    if missing:
        raise NotFoundError("photo.not_found", "有照片已被删除，请刷新后再选")
    moved = [by_id[pid] for pid in photo_ids if by_id[pid].category is not category]
    if not moved:
        return 0
    before = {str(p.id): p.category.value for p in moved}
    for photo in moved:
        photo.category = category
    session.flush()
    moved_ids = {p.id for p in moved}
    order = [p.id for p in photos if p.id not in moved_ids] + [p.id for p in moved]
    _place(session, vehicle_id, order)
    _fix_cover(session, vehicle_id)
    _touch(_vehicle(session, vehicle_id), now)
    session.flush()
    audit.record(
        session,
        actor,
        "vehicle_photos_refiled",
        "vehicle",
        vehicle.id,
        {"code": vehicle.stock_no, "from": before, "to": category.value},
    )
    return len(moved)


def set_cover(
    session: Session,
    actor: audit.Actor,
    vehicle_id: uuid.UUID,
    photo_id: uuid.UUID,
    *,
    now: datetime | None = None,
) -> None:
    require(session, actor, FACTS)
    vehicle = _vehicle(session, vehicle_id, lock=True)
    photos = _photos(session, vehicle_id)
    chosen = next((p for p in photos if p.id == photo_id), None)
    if chosen is None:
        raise NotFoundError("photo.not_found", "这张照片已被删除")
    if chosen.category in PRIVATE_CATEGORIES:
        raise ValidationError(
            "photo.private_cover", "证件照片不对客户展示，不能作为封面，请选一张车辆照片。"
        )
    old = next((str(p.id) for p in photos if p.is_cover), None)
    for photo in photos:
        photo.is_cover = photo.id == photo_id
    _touch(vehicle, now)
    session.flush()
    audit.record(
        session,
        actor,
        "vehicle_cover_set",
        "vehicle",
        vehicle.id,
        {"code": vehicle.stock_no, "from": old, "to": str(photo_id)},
    )


def remove_photos(
    session: Session,
    actor: audit.Actor,
    vehicle_id: uuid.UUID,
    photo_ids: Sequence[uuid.UUID],
    *,
    now: datetime | None = None,
) -> int:
    """Remove photos (one or many); the cover passes on when it goes."""
    require(session, actor, FACTS)
    vehicle = _vehicle(session, vehicle_id, lock=True)
    photos = {p.id: p for p in _photos(session, vehicle_id)}
    gone = [photos[pid] for pid in photo_ids if pid in photos]
    if len(gone) != len(set(photo_ids)):
        raise NotFoundError("photo.not_found", "这张照片已被删除")
    removed = [{"id": str(p.id), "category": p.category.value, "image": p.image_sha} for p in gone]
    for photo in gone:
        session.delete(photo)
    session.flush()
    rest = [p.id for p in _photos(session, vehicle_id)]
    if rest:
        _place(session, vehicle_id, rest)
        _fix_cover(session, vehicle_id)
    _touch(_vehicle(session, vehicle_id), now)
    session.flush()
    audit.record(
        session,
        actor,
        "vehicle_photo_removed",
        "vehicle",
        vehicle.id,
        {"code": vehicle.stock_no, "from": removed},
    )
    return len(gone)


def remove_photo(
    session: Session, actor: audit.Actor, vehicle_id: uuid.UUID, photo_id: uuid.UUID
) -> None:
    remove_photos(session, actor, vehicle_id, [photo_id])
