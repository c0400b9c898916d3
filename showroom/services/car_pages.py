"""The car pages on the customer's phone (``showroom web``, ``showroom publish``): what is public.

The kiosk's boundary, applied to the open internet: a page receives only what this module
returns, and that never holds a cost price, a private price line, a plate, a customer or a
staff member. The VIN appears only as the dealer chose (``web_vin``: hidden, partial or
full). Photos of a private category never leave (``PRIVATE_PHOTO_CATEGORIES``, one place),
not even by a guessed file hash.

A car is public while on sale, reserved or out on a test drive, and for ``sold_days`` after
its sale contract was signed (shown as 已售, no booking); after that, and for cars in
preparation or deleted, the page is gone (``NotFoundError``; code ``car_page.sold`` for a
car that was sold, so the server can answer 410 instead of 404).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.base import as_utc
from db.models import (
    Contract,
    ContractKind,
    ContractStatus,
    HistoryRecord,
    Inspection,
    InspectionItem,
    InspectionStatus,
    ItemResult,
    MaintenanceRecord,
    PhotoCategory,
    PriceItem,
    Store,
    Vehicle,
    VehiclePhoto,
    VehicleStatus,
)
from showroom import inspection_grading as grading
from showroom.errors import NotFoundError
from showroom.services import inspections
from showroom.services.kiosk import CarQuery
from showroom.services.vehicle_archive import (
    History,
    Maintenance,
    PhotoInfo,
    media_bytes,
    vehicle_archive,
)
from showroom.services.vehicles import (
    CUSTOMER_VISIBLE_STATUSES,
    VehicleRow,
    count_vehicles,
    list_vehicles,
    vehicle_label,
)

# Photo categories a customer never sees (i21 adds 证件, the registration papers: list it
# here; the list, the car page, the photo route and publish all read this one set).
_PRIVATE_PHOTO_VALUES = frozenset({"documents"})
PRIVATE_PHOTO_CATEGORIES = frozenset(c for c in PhotoCategory if c.value in _PRIVATE_PHOTO_VALUES)
# Shown in this order (exterior first, like a buyer walks round the car), then by position.
_CATEGORY_ORDER = {category: number for number, category in enumerate(PhotoCategory)}
PHOTO_CATEGORY_ZH = {
    "exterior": "外观",
    "interior": "内饰",
    "engine": "发动机舱",
    "chassis": "底盘",
    "details": "细节",
    "flaws": "瑕疵",
    "other": "其他",
}

VIN_CHOICES = ("hidden", "partial", "full")
DEFAULT_SOLD_DAYS = 7
WEB_VIA = "web"  # TestDrive.booked_via, Registration.channel, Consent.channel of a phone request


@dataclass(frozen=True)
class PageOptions:
    """The dealer's choices for public pages (settings ``web_sold_days`` and ``web_vin``)."""

    sold_days: int = DEFAULT_SOLD_DAYS
    vin: str = "hidden"

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | Any) -> PageOptions:
        vin = str(settings["web_vin"])
        return cls(int(settings["web_sold_days"]), vin if vin in VIN_CHOICES else "hidden")


@dataclass(frozen=True)
class PublicStore:
    code: str
    name: str
    address: str
    phone: str  # the store's own number, the one a customer may call


@dataclass(frozen=True)
class PublicInspection:
    """The store's own inspection as a customer may read it: no appraiser, no valuation."""

    report_no: str
    grade_label: str
    score: Decimal
    finalised_at: datetime
    sections: tuple[tuple[str, Decimal, Decimal, int], ...]  # label, weight, score, defects
    defects: tuple[tuple[str, str, str, str], ...]  # section, item, severity, note
    structural: str  # the accident / flood / fire statement


@dataclass(frozen=True)
class PublicCar:
    """One car's page. Deliberately has no cost price, plate, private lines or people."""

    id: uuid.UUID
    stock_no: str
    title: str
    brand: str
    model: str
    trim: str
    year: int
    first_registration: date | None
    mileage_km: int
    displacement_l: Decimal | None
    ev_range_km: int | None
    energy: Any
    transmission: Any
    emission_standard: str
    body_type: str
    colour: str
    seats: int | None
    power_hp: int | None
    drive: str
    transfers: int
    new_price: Decimal | None
    price: Decimal
    status: VehicleStatus
    sold_on: datetime | None  # set only for a sold car still shown
    vin_shown: str | None
    configuration: tuple[str, ...]
    description: str
    photos: tuple[PhotoInfo, ...]
    price_lines: tuple[tuple[str, Decimal], ...]
    maintenance: tuple[Maintenance, ...]
    history: tuple[History, ...]
    inspection: PublicInspection | None
    has_report: bool
    promises: tuple[str, ...]
    store: PublicStore

    @property
    def sold(self) -> bool:
        return self.status is VehicleStatus.SOLD

    @property
    def bookable(self) -> bool:
        return self.status in CUSTOMER_VISIBLE_STATUSES


@dataclass(frozen=True)
class ListedCar:
    stock_no: str
    title: str
    trim: str
    year: int
    first_registration: date | None
    mileage_km: int
    price: Decimal
    status: VehicleStatus
    energy: Any
    cover_sha: str | None


@dataclass(frozen=True)
class BookableCar:
    id: uuid.UUID
    stock_no: str
    label: str


@dataclass(frozen=True)
class StockPage:
    offset: int
    limit: int
    total: int
    cars: tuple[ListedCar, ...]


# --- rules ------------------------------------------------------------------------------------


def is_public_photo(category: PhotoCategory) -> bool:
    return category not in PRIVATE_PHOTO_CATEGORIES


def public_photos(photos: Iterable[PhotoInfo]) -> tuple[PhotoInfo, ...]:
    """The photos a customer may see, in category order (cover first within its category)."""
    shown = [p for p in photos if is_public_photo(p.category)]
    return tuple(
        sorted(
            shown, key=lambda p: (_CATEGORY_ORDER.get(p.category, 99), not p.is_cover, p.position)
        )
    )


def shown_vin(vin: str | None, policy: str) -> str | None:
    """The VIN as the dealer chose to publish it: none, the first eight characters, or all.

    The first eight (maker and model description) let a buyer check the model; the serial
    part that identifies this one car stays private unless the dealer publishes it all.
    """
    if not vin or policy == "hidden":
        return None
    if policy == "full":
        return vin
    return vin[:8] + "*" * (len(vin) - 8)


def sold_at(session: Session, vehicle_id: uuid.UUID) -> datetime | None:
    """When the car's sale contract was signed (the moment it stopped being for sale)."""
    return session.scalar(
        select(func.max(Contract.signed_at)).where(
            Contract.vehicle_id == vehicle_id,
            Contract.kind == ContractKind.SALE,
            Contract.status == ContractStatus.SIGNED,
        )
    )


def _shown_until(sold: datetime, options: PageOptions) -> datetime:
    return sold + timedelta(days=options.sold_days)


@dataclass(frozen=True)
class _Shown:
    id: uuid.UUID
    store_id: uuid.UUID
    report_sha: str | None
    sold_at: datetime | None  # set only for a sold car still shown


def _visible_vehicle(
    session: Session, stock_no: str, now: datetime, options: PageOptions
) -> _Shown:
    """The car behind ``stock_no`` if its page may be shown (a few columns, no ORM object)."""
    row = session.execute(
        select(
            Vehicle.id,
            Vehicle.status,
            Vehicle.updated_at,
            Vehicle.store_id,
            Vehicle.third_party_report_sha,
        ).where(Vehicle.stock_no == stock_no.strip().upper(), Vehicle.deleted_at.is_(None))
    ).first()
    if row is None or row.status is VehicleStatus.PREPARING:
        raise NotFoundError("car_page.not_found", "没有找到这辆车，请看看其他在售车辆。")
    if row.status is not VehicleStatus.SOLD:
        return _Shown(row.id, row.store_id, row.third_party_report_sha, None)
    # A sale without a contract (imported as sold) counts from its last change.
    when = sold_at(session, row.id) or row.updated_at
    if as_utc(now) >= _shown_until(when, options):
        raise NotFoundError("car_page.sold", "这辆车已经售出，请看看其他在售车辆。")
    return _Shown(row.id, row.store_id, row.third_party_report_sha, when)


# --- reading ------------------------------------------------------------------------------------


def public_store(
    session: Session, store_id: uuid.UUID, overrides: Mapping[str, str] | None = None
) -> PublicStore:
    """The store's name, address and phone for the page footer, from its profile (as every
    paper prints them). ``overrides`` name the store only when it has no name yet."""
    store = session.get(Store, store_id)
    over = {k: v for k, v in (overrides or {}).items() if v}
    return PublicStore(
        store.code if store else "",
        (store.name if store and store.name else "") or over.get("store_name", ""),
        store.address if store else "",
        store.phone if store else "",
    )


def store_public_url(session: Session, code: str) -> str:
    """The car-page address in the profile of store ``code`` ("" when it has none)."""
    return (
        session.scalar(
            select(Store.public_url).where(Store.code == code, Store.deleted_at.is_(None))
        )
        or ""
    )


def store_by_code(
    session: Session, code: str, overrides: Mapping[str, str] | None = None
) -> PublicStore:
    store_id = session.scalar(
        select(Store.id).where(Store.code == code, Store.deleted_at.is_(None))
    )
    if store_id is None:
        store_id = session.scalar(select(Store.id).where(Store.deleted_at.is_(None)).limit(1))
    if store_id is None:
        return PublicStore(code, str((overrides or {}).get("store_name", "")), "", "")
    return public_store(session, store_id, overrides)


def public_inspection(
    session: Session, summary: inspections.InspectionSummary | None
) -> PublicInspection | None:
    """The finalised inspection ``summary`` (the archive's) as the page shows it.

    Reads only the inspection and its items (two queries, the first usually answered by
    the session): the staff view (``inspections.load``) also reads photos, revisions and
    the appraiser, none of which a customer sees.
    """
    if summary is None:
        return None
    inspection = session.get(Inspection, summary.inspection_id)
    if inspection is None:
        return None
    items = session.execute(
        select(
            InspectionItem.section,
            InspectionItem.label,
            InspectionItem.result,
            InspectionItem.severity,
            InspectionItem.note,
        )
        .where(InspectionItem.inspection_id == inspection.id)
        .order_by(InspectionItem.position)
    ).all()
    card = grading.score(
        [grading.ItemMark(i.section, i.result, i.severity) for i in items],
        grading.normalise_weights(inspection.section_weights),
        accident=inspection.accident,
        flood=inspection.flood,
        fire=inspection.fire,
    )
    flags = [
        n
        for n, on in (
            ("事故", inspection.accident),
            ("泡水", inspection.flood),
            ("火烧", inspection.fire),
        )
        if on
    ]
    structural = (
        f"判定为{'、'.join(flags)}车：{inspection.structural_evidence or '详见门店检测报告'}"
        if flags
        else "经检查结构件、水泡痕迹和火烧痕迹，未发现事故、泡水或火烧迹象。"
    )
    number = (
        summary.report_no if summary.revision == 1 else f"{summary.report_no}-R{summary.revision}"
    )
    return PublicInspection(
        number,
        summary.grade_label,  # what was finalised, even if the rules changed since
        summary.score,
        summary.finalised_at,
        tuple((s.label, s.weight, s.score, s.defects) for s in card.sections),
        tuple(
            (
                grading.SECTION_LABELS[i.section],
                i.label,
                grading.SEVERITY_LABELS[min(max(i.severity or 1, 1), 3)],
                i.note,
            )
            for i in items
            if i.result is ItemResult.DEFECT
        ),
        structural,
    )


def public_car(
    session: Session,
    stock_no: str,
    *,
    now: datetime,
    options: PageOptions = PageOptions(),
    store_overrides: Mapping[str, str] | None = None,
    stores: Callable[[uuid.UUID], PublicStore] | None = None,
) -> PublicCar:
    """The page of the car with ``stock_no``; ``NotFoundError`` when it is not (or no longer)
    public. Built from the staff archive's reader with ``VehicleArchive.public()`` applied.
    ``stores`` may answer the store's details from a cache (the server keeps them a minute).
    """
    vehicle = _visible_vehicle(session, stock_no, now, options)
    archive = vehicle_archive(session, vehicle.id)
    vin = shown_vin(archive.vin, options.vin)
    shown = archive.public()
    return PublicCar(
        id=shown.id,
        stock_no=shown.stock_no,
        title=shown.title,
        brand=shown.brand,
        model=shown.model,
        trim=shown.trim,
        year=shown.year,
        first_registration=shown.first_registration,
        mileage_km=shown.mileage_km,
        displacement_l=shown.displacement_l,
        ev_range_km=shown.ev_range_km,
        energy=shown.energy,
        transmission=shown.transmission,
        emission_standard=shown.emission_standard,
        body_type=shown.body_type,
        colour=shown.colour,
        seats=shown.seats,
        power_hp=shown.power_hp,
        drive=shown.drive,
        transfers=shown.transfers,
        new_price=shown.new_price,
        price=shown.list_price,
        status=shown.status,
        sold_on=vehicle.sold_at,
        vin_shown=vin,
        configuration=shown.configuration,
        description=shown.description,
        photos=public_photos(shown.photos),
        price_lines=tuple((line.label, line.amount) for line in shown.price_lines if line.public),
        maintenance=shown.maintenance,
        history=shown.history,
        inspection=public_inspection(session, shown.inspection),
        has_report=bool(shown.report_sha),
        promises=shown.promises,
        store=stores(vehicle.store_id)
        if stores is not None
        else public_store(session, vehicle.store_id, store_overrides),
    )


def _covers(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Each car's cover thumbnail among its public photos (cover, else the first), one query."""
    if not ids:
        return {}
    stmt = (
        select(VehiclePhoto.vehicle_id, VehiclePhoto.thumbnail_sha)
        .where(
            VehiclePhoto.vehicle_id.in_(ids),
            VehiclePhoto.category.not_in(PRIVATE_PHOTO_CATEGORIES),
        )
        .order_by(VehiclePhoto.vehicle_id, VehiclePhoto.is_cover.desc(), VehiclePhoto.position)
    )
    covers: dict[uuid.UUID, str] = {}
    for vehicle_id, sha in session.execute(stmt):
        covers.setdefault(vehicle_id, sha)
    return covers


def _listed(row: VehicleRow, cover: str | None) -> ListedCar:
    return ListedCar(
        row.stock_no,
        f"{row.brand} {row.model}",
        row.trim,
        row.year,
        row.first_registration,
        row.mileage_km,
        row.price,
        row.status,
        row.energy,
        cover,
    )


def stock_list(
    session: Session,
    query: CarQuery | None = None,
    *,
    offset: int = 0,
    limit: int = 20,
    total: int | None = None,
) -> StockPage:
    """One page of the cars a customer may see, with the kiosk's filters and sorts."""
    query = query or CarQuery()
    if total is None:
        total = count_vehicles(session, query.to_filter())
    rows = list_vehicles(
        session,
        query.to_filter(),
        offset=offset,
        limit=limit,
        sort=query.sort if query.sort in ("year", "price", "mileage") else "year",
        descending=query.descending,
    )
    covers = _covers(session, [row.id for row in rows])
    return StockPage(offset, limit, total, tuple(_listed(r, covers.get(r.id)) for r in rows))


def bookable_car(session: Session, stock_no: str) -> BookableCar:
    """The car a phone may book a test drive for: its exact stock number, shown for sale."""
    vehicle = session.scalars(
        select(Vehicle).where(
            Vehicle.stock_no == stock_no.strip().upper(),
            Vehicle.deleted_at.is_(None),
            Vehicle.status.in_(CUSTOMER_VISIBLE_STATUSES),
        )
    ).first()
    if vehicle is None:
        raise NotFoundError(
            "car_page.not_bookable", "这辆车已售出或暂停展示，不能预约试驾，请看看其他在售车辆。"
        )
    return BookableCar(vehicle.id, vehicle.stock_no, vehicle_label(vehicle))


def public_photo(
    session: Session, stock_no: str, sha: str, *, now: datetime, options: PageOptions
) -> bytes:
    """A photo (or its thumbnail) of a car whose page is shown, in a public category only."""
    vehicle = _visible_vehicle(session, stock_no, now, options)
    found = session.scalar(
        select(VehiclePhoto.id)
        .where(
            VehiclePhoto.vehicle_id == vehicle.id,
            (VehiclePhoto.image_sha == sha) | (VehiclePhoto.thumbnail_sha == sha),
            VehiclePhoto.category.not_in(PRIVATE_PHOTO_CATEGORIES),
        )
        .limit(1)
    )
    if found is None:
        raise NotFoundError("media.not_found", "照片暂时无法显示")
    return media_bytes(session, sha)


def public_report(session: Session, stock_no: str, *, now: datetime, options: PageOptions) -> bytes:
    """The third-party inspection report PDF the dealer attached to a shown car."""
    vehicle = _visible_vehicle(session, stock_no, now, options)
    if not vehicle.report_sha:
        raise NotFoundError("vehicle.no_report", "这辆车还没有第三方检测报告")
    return media_bytes(session, vehicle.report_sha)


# --- publishing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageKey:
    """What a static page of a car depends on, as one fingerprint (``key``)."""

    stock_no: str
    key: str
    sold: bool


def page_keys(
    session: Session, *, now: datetime, options: PageOptions = PageOptions()
) -> list[PageKey]:
    """The fingerprint of every car whose page is public now, from a few grouped queries.

    A page is rewritten only when its fingerprint changes: the car's row version, or the
    count, versions and last change of its photos, price lines, history, maintenance or
    finalised inspections. A car missing from the result has no page any more.
    """
    children: dict[uuid.UUID, list[str]] = {}
    for model in (VehiclePhoto, PriceItem, HistoryRecord, MaintenanceRecord):
        stmt = select(
            model.vehicle_id,
            func.count(),
            func.sum(model.row_version),
            func.max(model.updated_at),
        ).group_by(model.vehicle_id)
        for vehicle_id, count, versions, last in session.execute(stmt):
            children.setdefault(vehicle_id, []).append(
                f"{model.__tablename__}:{count}:{versions}:{last}"
            )
    finals = select(Inspection.vehicle_id, func.count(), func.max(Inspection.finalised_at)).where(
        Inspection.vehicle_id.is_not(None), Inspection.status == InspectionStatus.FINAL
    )
    for vehicle_id, count, last in session.execute(finals.group_by(Inspection.vehicle_id)):
        children.setdefault(vehicle_id, []).append(f"inspections:{count}:{last}")
    sold_times = dict(
        session.execute(
            select(Contract.vehicle_id, func.max(Contract.signed_at))
            .where(Contract.kind == ContractKind.SALE, Contract.status == ContractStatus.SIGNED)
            .group_by(Contract.vehicle_id)
        ).all()
    )
    now = as_utc(now)
    keys: list[PageKey] = []
    rows = session.execute(
        select(
            Vehicle.id,
            Vehicle.stock_no,
            Vehicle.status,
            Vehicle.row_version,
            Vehicle.updated_at,
            Vehicle.store_id,
        ).where(Vehicle.deleted_at.is_(None), Vehicle.status != VehicleStatus.PREPARING)
    )
    for vehicle_id, stock_no, status, version, updated, store_id in rows:
        sold = status is VehicleStatus.SOLD
        if sold and now >= _shown_until(sold_times.get(vehicle_id) or updated, options):
            continue
        parts = [str(version), str(updated), str(store_id), *sorted(children.get(vehicle_id, ()))]
        digest = hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()
        keys.append(PageKey(stock_no, digest, sold))
    return keys
