"""The vehicle archive (车辆档案): everything about one car, and the staff's changes to it.

Reading returns plain frozen data. ``vehicle_archive`` is the staff view (cost
price and private price lines included); ``showroom.services.kiosk`` builds the
customer view from the same reader with those left out. Photos are imported as
``PreparedPhoto`` (image and Pillow thumbnail made by ``prepare_photo``, which a
caller runs in a worker thread, never on the UI thread). Every change is audit
logged and checked against the row version the user saw (optimistic lock).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.base import utcnow
from db.models import (
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
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.identifiers import normalize_plate
from showroom.services import audit
from showroom.services.inspections import InspectionSummary, latest_inspection_for_vehicle
from showroom.services.vehicles import MAX_MILEAGE_KM, vehicle_label

MAX_PHOTOS = 40
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


@dataclass(frozen=True)
class History:
    kind: HistoryKind
    occurred_on: date | None
    structural: bool
    description: str


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

    @property
    def title(self) -> str:
        return vehicle_label(self)

    @property
    def cover(self) -> PhotoInfo | None:
        return next((p for p in self.photos if p.is_cover), self.photos[0] if self.photos else None)

    def public(self) -> VehicleArchive:
        """The same archive with what a customer must not see removed."""
        return replace(
            self,
            cost_price=None,
            vin=None,
            plate=None,
            price_lines=tuple(line for line in self.price_lines if line.public),
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
        .order_by(MaintenanceRecord.performed_on.desc())
    )
    history = session.scalars(
        select(HistoryRecord)
        .where(HistoryRecord.vehicle_id == vehicle_id)
        .order_by(HistoryRecord.occurred_on)
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
            Maintenance(m.performed_on, m.mileage_km, m.shop, m.description) for m in maintenance
        ),
        history=tuple(History(h.kind, h.occurred_on, h.structural, h.description) for h in history),
        inspection=latest_inspection_for_vehicle(session, vehicle_id),
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


def _staff_only(actor: audit.Actor) -> None:
    # The kiosk reads archives but must never change a car.
    if actor == audit.KIOSK:
        raise PermissionDenied("vehicle.kiosk_write", "自助机不能修改车辆资料")


def _check_version(vehicle: Vehicle, expected: int | None) -> None:
    if expected is not None and vehicle.row_version != expected:
        raise ConflictError(
            "vehicle.changed",
            "这辆车的资料刚被其他人修改过，请刷新后再改",
        )


def change_status(
    session: Session,
    actor: audit.Actor,
    vehicle_id: uuid.UUID,
    status: VehicleStatus,
    *,
    expected_version: int | None = None,
) -> int:
    """Move the car to ``status``; returns the new row version."""
    _staff_only(actor)
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
        )
    vehicle.status = status
    if status == VehicleStatus.ON_SALE and vehicle.listed_at is None:
        vehicle.listed_at = utcnow()
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
    """Fields staff may edit on the archive; ``None`` leaves a field unchanged."""

    list_price: Decimal | None = None
    mileage_km: int | None = None
    colour: str | None = None
    body_type: str | None = None
    emission_standard: str | None = None
    transfers: int | None = None
    description: str | None = None
    configuration: tuple[str, ...] | None = None
    plate: str | None = None


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


# A reserved or sold car's price, VIN and plate are on a receipt or contract: not edited.
HELD_STATUSES = frozenset({VehicleStatus.RESERVED, VehicleStatus.SOLD})
# Column widths (db/models/vehicles.py): longer text is refused here, not by the database.
TEXT_LIMITS = {
    "colour": ("车身颜色", 20),
    "body_type": ("车身类型", 20),
    "emission_standard": ("排放标准", 20),
}


def _validated(edit: VehicleEdit) -> VehicleEdit:
    """The edit with text trimmed and the plate normalised; ValidationError for bad input."""
    if edit.mileage_km is not None and not 0 <= edit.mileage_km <= MAX_MILEAGE_KM:
        raise ValidationError(
            "vehicle.mileage_invalid",
            f"表显里程应在 0 到 {MAX_MILEAGE_KM:,} 公里之间，请检查是否多输了位数",
        )
    if edit.transfers is not None and not 0 <= edit.transfers <= 50:
        raise ValidationError("vehicle.transfers_invalid", "过户次数应在 0 到 50 之间")
    if edit.list_price is not None:
        if edit.list_price <= 0:
            raise ValidationError("vehicle.price_invalid", "价格必须大于零")
        if edit.list_price >= MAX_PRICE or edit.list_price != edit.list_price.quantize(
            Decimal("0.01")
        ):
            raise ValidationError("vehicle.price_invalid", "价格超出范围，请检查是否多输了位数")
    changes: dict[str, Any] = {}
    for name, (label, limit) in TEXT_LIMITS.items():
        value = getattr(edit, name)
        if value is not None:
            changes[name] = value.strip()
            if len(changes[name]) > limit:
                raise ValidationError(
                    f"vehicle.{name}_too_long", f"{label}最多 {limit} 个字", limit=limit
                )
    if edit.plate is not None:
        # Stored without the dot so the desk's lookup finds "京A·12345" as 京A12345.
        changes["plate"] = normalize_plate(edit.plate) if edit.plate.strip() else ""
    return replace(edit, **changes)


def update_vehicle(
    session: Session,
    actor: audit.Actor,
    vehicle_id: uuid.UUID,
    edit: VehicleEdit,
    *,
    expected_version: int | None = None,
) -> int:
    """Apply ``edit``; audit lists the changed fields (the price change with old and new)."""
    _staff_only(actor)
    vehicle = _vehicle(session, vehicle_id, lock=True)
    _check_version(vehicle, expected_version)
    if edit.plate is not None and edit.plate.strip().upper() == (vehicle.plate or ""):
        edit = replace(edit, plate=None)  # unchanged (the form sends every field back)
    edit = _validated(edit)
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
            )
    changed: dict[str, Any] = {}
    for name in (
        "list_price",
        "mileage_km",
        "colour",
        "body_type",
        "emission_standard",
        "transfers",
        "description",
        "plate",
    ):
        value = getattr(edit, name)
        if value is None:
            continue
        if isinstance(value, str):
            value = value.strip() or (None if name == "plate" else "")
        if value == getattr(vehicle, name):
            continue
        changed[name] = {"from": getattr(vehicle, name), "to": value}
        setattr(vehicle, name, value)
    if edit.configuration is not None:
        items = [item.strip() for item in edit.configuration if item.strip()]
        if items != list(vehicle.configuration or []):
            changed["configuration"] = {"count": len(items)}
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


# --- photos -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo ready to store: a JPEG no larger than PHOTO_MAX_SIZE and its thumbnail."""

    name: str
    image: bytes
    thumbnail: bytes


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
        raise ValidationError(exc.code, f"{name}：{reason}", name=name) from None
    return PreparedPhoto(name, done.image, done.thumbnail)


def prepare_photos(paths: list[Path]) -> tuple[list[PreparedPhoto], list[PhotoProblem]]:
    """Prepare each file; a bad file is reported with its reason and the others still go in."""
    good: list[PreparedPhoto] = []
    bad: list[PhotoProblem] = []
    for path in paths:
        try:
            good.append(prepare_photo(path))
        except ValidationError as exc:
            bad.append(PhotoProblem(path.name, exc.message))
    return good, bad


def _photos(session: Session, vehicle_id: uuid.UUID) -> list[VehiclePhoto]:
    return list(
        session.scalars(
            select(VehiclePhoto)
            .where(VehiclePhoto.vehicle_id == vehicle_id)
            .order_by(VehiclePhoto.position)
        )
    )


def add_photos(
    session: Session,
    actor: audit.Actor,
    vehicle_id: uuid.UUID,
    photos: list[PreparedPhoto],
    category: PhotoCategory = PhotoCategory.EXTERIOR,
) -> int:
    """Append prepared photos after the existing ones; returns how many were added."""
    _staff_only(actor)
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
    has_cover = any(p.is_cover for p in existing)
    for number, photo in enumerate(photos):
        image_sha = store_media(session, photo.image, "image/jpeg")
        thumbnail_sha = store_media(session, photo.thumbnail, "image/jpeg")
        session.add(
            VehiclePhoto(
                vehicle_id=vehicle_id,
                position=position + number,
                category=category,
                image_sha=image_sha,
                thumbnail_sha=thumbnail_sha,
                caption=Path(photo.name).stem[:100],
                is_cover=not has_cover and number == 0,
            )
        )
    session.flush()
    if photos:
        audit.record(
            session,
            actor,
            "vehicle_photos_added",
            "vehicle",
            vehicle.id,
            {"code": vehicle.stock_no, "count": len(photos)},
        )
    return len(photos)


def reorder_photos(
    session: Session, actor: audit.Actor, vehicle_id: uuid.UUID, order: list[uuid.UUID]
) -> None:
    """Put the car's photos in ``order`` (every photo id exactly once)."""
    _staff_only(actor)
    vehicle = _vehicle(session, vehicle_id, lock=True)
    photos = {p.id: p for p in _photos(session, vehicle_id)}
    if sorted(map(str, order)) != sorted(map(str, photos)):
        raise ConflictError("photo.changed", "照片刚被其他人修改过，请刷新后再排序")
    # Two steps so the unique (vehicle, position) never sees two photos on one place.
    session.execute(
        update(VehiclePhoto)
        .where(VehiclePhoto.vehicle_id == vehicle_id)
        .values(position=-1 - VehiclePhoto.position, row_version=VehiclePhoto.row_version + 1)
        .execution_options(synchronize_session=False)
    )
    for position, photo_id in enumerate(order):
        session.execute(
            update(VehiclePhoto)
            .where(VehiclePhoto.id == photo_id)
            .values(position=position)
            .execution_options(synchronize_session=False)
        )
    session.expire_all()
    audit.record(
        session,
        actor,
        "vehicle_photos_reordered",
        "vehicle",
        vehicle.id,
        {"code": vehicle.stock_no, "count": len(order)},
    )


def move_photo(
    session: Session, actor: audit.Actor, vehicle_id: uuid.UUID, photo_id: uuid.UUID, step: int
) -> None:
    """Move one photo ``step`` places (−1 earlier, +1 later), clamped to the ends."""
    order = [p.id for p in _photos(session, vehicle_id)]
    if photo_id not in order:
        raise NotFoundError("photo.not_found", "这张照片已被删除")
    index = order.index(photo_id)
    target = max(0, min(len(order) - 1, index + step))
    if target == index:
        return
    order.insert(target, order.pop(index))
    reorder_photos(session, actor, vehicle_id, order)


def set_cover(
    session: Session, actor: audit.Actor, vehicle_id: uuid.UUID, photo_id: uuid.UUID
) -> None:
    _staff_only(actor)
    vehicle = _vehicle(session, vehicle_id, lock=True)
    photos = _photos(session, vehicle_id)
    if photo_id not in {p.id for p in photos}:
        raise NotFoundError("photo.not_found", "这张照片已被删除")
    for photo in photos:
        photo.is_cover = photo.id == photo_id
    session.flush()
    audit.record(
        session,
        actor,
        "vehicle_cover_set",
        "vehicle",
        vehicle.id,
        {"code": vehicle.stock_no},
    )


def remove_photo(
    session: Session, actor: audit.Actor, vehicle_id: uuid.UUID, photo_id: uuid.UUID
) -> None:
    _staff_only(actor)
    vehicle = _vehicle(session, vehicle_id, lock=True)
    photo = session.get(VehiclePhoto, photo_id)
    if photo is None or photo.vehicle_id != vehicle_id:
        raise NotFoundError("photo.not_found", "这张照片已被删除")
    was_cover = photo.is_cover
    session.delete(photo)
    session.flush()
    rest = _photos(session, vehicle_id)
    if was_cover and rest:
        rest[0].is_cover = True
        session.flush()
    audit.record(
        session,
        actor,
        "vehicle_photo_removed",
        "vehicle",
        vehicle.id,
        {"code": vehicle.stock_no},
    )
