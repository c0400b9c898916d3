"""Papers about cars for customers: the car sheet (车辆信息单) and the comparison (车型对比).

Both are built as ``Document`` data from the dealer's templates and painted by the same
engine as the test-drive agreement. Both are customer papers: no cost price, no hidden
price lines, nothing about other customers. Numbers come from the database
(``BJ01-CS2026-00001``, ``BJ01-CP2026-00001``) and are taken only when a paper is
printed or saved (``issue_number``); the preview carries ``PREVIEW_NUMBER``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    DocumentKind,
    HistoryRecord,
    Inspection,
    InspectionStatus,
    PriceItem,
    Store,
    Vehicle,
    VehicleStatus,
)
from db.numbers import next_value
from showroom.clock import utcnow
from showroom.documents import archive
from showroom.documents.letterhead import letterhead
from showroom.documents.model import Document, Field, QrCode, Section, Table, TableRow
from showroom.documents.templates import load_template
from showroom.errors import ConflictError, NotFoundError
from showroom.money import format_yuan, in_wan
from showroom.services import comparison as cmp
from showroom.services.vehicles import vehicle_label
from showroom.users import Actor
from showroom.vehicle_links import STORE_NETWORK, CarLink, car_link

PREVIEW_NUMBER = "预览"
_PREFIX = {DocumentKind.CAR_SHEET: "CS", DocumentKind.COMPARISON: "CP"}


def issue_number(session: Session, kind: DocumentKind, store_id: uuid.UUID, year: int) -> str:
    """The next number of a car sheet or comparison of this store and year."""
    store = session.get(Store, store_id)
    if store is None:
        raise NotFoundError("store.not_found", "门店不存在。")
    n = next_value(session, store.code, kind.value, str(year))
    return f"{store.code}-{_PREFIX[kind]}{year}-{n:05d}"


def vehicle_by_stock_no(session: Session, stock_no: str) -> uuid.UUID:
    """The car with stock number ``stock_no`` (as typed, any case)."""
    vehicle_id = session.scalar(
        select(Vehicle.id).where(
            Vehicle.stock_no == stock_no.strip().upper(), Vehicle.deleted_at.is_(None)
        )
    )
    if vehicle_id is None:
        raise NotFoundError(
            "vehicle.stock_no_unknown", f"没有库存编号为 {stock_no} 的车辆。", stock_no=stock_no
        )
    return vehicle_id


def _store_of(session: Session, vehicle_id: uuid.UUID) -> uuid.UUID:
    store_id = session.scalar(select(Vehicle.store_id).where(Vehicle.id == vehicle_id))
    if store_id is None:
        raise NotFoundError("vehicle.not_found", "车辆不存在或已删除。")
    return store_id


def issue_comparison(
    session: Session,
    vehicle_ids: Sequence[uuid.UUID],
    *,
    templates_dir: Path | None,
    zone: tzinfo,
    only_differences: bool = False,
    letterhead_overrides: dict[str, str] | None = None,
    now: datetime | None = None,
) -> Document:
    """The comparison paper with its number taken (write session): ready to paint."""
    store_id = _store_of(session, vehicle_ids[0])
    paper = comparison_paper(
        session,
        vehicle_ids,
        store_id=store_id,
        templates_dir=templates_dir,
        zone=zone,
        only_differences=only_differences,
        letterhead_overrides=letterhead_overrides,
        now=now,
    )
    year = _local(now, zone).year
    return replace(paper, number=issue_number(session, DocumentKind.COMPARISON, store_id, year))


def issue_car_sheet(
    session: Session,
    vehicle_id: uuid.UUID,
    *,
    settings: Any,
    templates_dir: Path | None,
    zone: tzinfo,
    letterhead_overrides: dict[str, str] | None = None,
    now: datetime | None = None,
    links: Callable[[str, str], CarLink] | None = None,
) -> Document:
    """The car sheet with its number taken (write session): ready to paint."""
    sheet = car_sheet(
        session,
        vehicle_id,
        settings=settings,
        templates_dir=templates_dir,
        zone=zone,
        letterhead_overrides=letterhead_overrides,
        now=now,
        links=links,
    )
    year = _local(now, zone).year
    store_id = _store_of(session, vehicle_id)
    return replace(sheet, number=issue_number(session, DocumentKind.CAR_SHEET, store_id, year))


def archive_paper(
    session: Session, actor: Actor, document: Document, pdf: bytes, vehicle_id: uuid.UUID
) -> archive.ArchivedDocument:
    """Archive a painted car paper under the store of ``vehicle_id``."""
    return archive.archive(
        session,
        actor,
        document,
        pdf,
        store_id=_store_of(session, vehicle_id),
        subject=document.extra.get("subject", ""),
        subject_id=vehicle_id if document.kind == DocumentKind.CAR_SHEET.value else None,
    )


def _local(now: datetime | None, zone: tzinfo) -> datetime:
    return (now or utcnow()).astimezone(zone)


def _wan(amount: object) -> str:
    return f"{in_wan(amount)}万元"  # type: ignore[arg-type]


def _vehicle(session: Session, vehicle_id: uuid.UUID) -> Vehicle:
    vehicle = session.get(Vehicle, vehicle_id)
    if vehicle is None or vehicle.deleted_at is not None:
        raise NotFoundError("vehicle.not_found", "车辆不存在或已删除。")
    return vehicle


def car_sheet(
    session: Session,
    vehicle_id: uuid.UUID,
    *,
    settings: Any,  # ``Settings`` or a mapping with ``vehicle_public_url``
    templates_dir: Path | None,
    zone: tzinfo,
    number: str = PREVIEW_NUMBER,
    letterhead_overrides: dict[str, str] | None = None,
    now: datetime | None = None,
    links: Callable[[str, str], CarLink] | None = None,
) -> Document:
    """The one-page 车辆信息单 of a car: big price, key data, promises, QR to its web page.

    ``links`` finds where the phone QR leads (``showroom.vehicle_links.CarLinks``); without
    one only the public address is used. When it leads nowhere the sheet carries no phone
    QR; ``extra["qr_kind"]`` and ``extra["qr_url"]`` let the dialog and the CLI say so.
    """
    vehicle = _vehicle(session, vehicle_id)
    if vehicle.status is VehicleStatus.SOLD:
        raise ConflictError("car_sheet.sold", "这辆车已售出，不再打印车辆信息单。")
    issued = _local(now, zone)
    template = load_template(templates_dir, DocumentKind.CAR_SHEET.value)
    histories = session.execute(
        select(HistoryRecord).where(HistoryRecord.vehicle_id == vehicle.id)
    ).scalars()
    history = [
        f"{cmp.HISTORY_ZH[h.kind]}"
        + (f"（{h.occurred_on:%Y年%m月}）" if h.occurred_on else "")
        + (f"：{h.description}" if h.description else "")
        for h in histories
    ]
    grade = session.scalar(
        select(Inspection.grade)
        .where(
            Inspection.vehicle_id == vehicle.id,
            Inspection.status == InspectionStatus.FINAL,
            Inspection.grade.is_not(None),
        )
        .order_by(Inspection.finalised_at.desc())
        .limit(1)
    )
    engine = []
    if vehicle.displacement_l:
        engine.append(f"{vehicle.displacement_l}L")
    if vehicle.ev_range_km:
        engine.append(f"纯电续航 {vehicle.ev_range_km} 公里")
    values = {
        "vehicle_name": vehicle_label(vehicle),
        "year": f"{vehicle.year}款",
        "first_registration": f"{vehicle.first_registration:%Y年%m月}"
        if vehicle.first_registration
        else "未上牌",
        "mileage": cmp.cell_text("km", vehicle.mileage_km),
        "transfers": cmp.cell_text("transfers", vehicle.transfers),
        "engine": " / ".join(engine) or "—",
        "transmission": cmp.TRANSMISSION_ZH[vehicle.transmission],
        "energy": cmp.ENERGY_ZH[vehicle.energy],
        "emission": vehicle.emission_standard or "—",
        "colour": vehicle.colour or "—",
        "annual_inspection_due": cmp.cell_text("month", vehicle.annual_inspection_due),
        "grade": cmp.GRADE_ZH[grade] if grade else "—",
        "new_price": _wan(vehicle.new_price) if vehicle.new_price else "—",
        "stock_no": vehicle.stock_no,
        "history": "；".join(history) if history else "经检查无事故、泡水、火烧记录。",
        "configuration": _highlights(vehicle.configuration or []),
    }
    fields, sections, _ = template.fill(values)
    # The price composition the dealer chose to publish (public lines only).
    items = session.execute(
        select(PriceItem)
        .where(PriceItem.vehicle_id == vehicle.id, PriceItem.public.is_(True))
        .order_by(PriceItem.position)
    ).scalars()
    composition = [f"{item.label}：{format_yuan(item.amount)}" for item in items]
    if composition:
        sections = (*sections, Section("价格构成", ("；".join(composition) + "。",)))
    # The store profile's car-page address wins over the PC setting (showroom.vehicle_links).
    store_url = session.get_one(Store, vehicle.store_id).public_url
    if links is None:
        link = car_link(settings, vehicle.stock_no, store_url=store_url)
    else:
        link = links(vehicle.stock_no, store_url)
    # Top right: the desk's scanner opens this car; below: the customer's phone.
    qr_codes = [QrCode(f"SHOWROOM:CAR:{vehicle.stock_no}", f"库存编号 {vehicle.stock_no}")]
    if link.url is not None:
        prompt = "连上门店 Wi-Fi 后手机扫一扫" if link.kind == STORE_NETWORK else "手机扫一扫"
        qr_codes.append(
            QrCode(link.url, f"{prompt}\n查看本车完整档案和全部照片\n{link.url}", size_mm=40)
        )
    return Document(
        kind=DocumentKind.CAR_SHEET.value,
        number=number,
        title=template.title,
        letterhead=letterhead(session, vehicle.store_id, templates_dir, letterhead_overrides),
        headline=f"售价 {in_wan(vehicle.list_price)} 万元",
        fields=fields,
        sections=sections,
        qr_codes=tuple(qr_codes),
        issued=issued.strftime("%Y-%m-%d %H:%M"),
        template_version=template.version,
        footer_note=template.footer_note,
        extra={
            "subject": values["vehicle_name"],
            "vehicle_id": str(vehicle.id),
            "qr_url": link.url or "",
            "qr_kind": link.kind,
        },
    )


# A windscreen sheet is one page: the longest configuration lists are cut short.
MAX_HIGHLIGHTS = 12


def _highlights(items: list[str]) -> str:
    if not items:
        return "—"
    shown = "、".join(items[:MAX_HIGHLIGHTS])
    return shown if len(items) <= MAX_HIGHLIGHTS else f"{shown}等共 {len(items)} 项"


def comparison_paper(
    session: Session,
    vehicle_ids: Sequence[uuid.UUID],
    *,
    store_id: uuid.UUID,
    templates_dir: Path | None,
    zone: tzinfo,
    number: str = PREVIEW_NUMBER,
    only_differences: bool = False,
    letterhead_overrides: dict[str, str] | None = None,
    now: datetime | None = None,
) -> Document:
    """The comparison as a paper: one column per car, sections as heading rows."""
    result = cmp.compare(session, vehicle_ids)
    template = load_template(templates_dir, DocumentKind.COMPARISON.value)
    issued = _local(now, zone)
    columns = ("项目", *(f"{c.title}\n{c.stock_no}" for c in result.cars))
    rows: list[TableRow] = []
    for key, section_rows in result.sections(only_differences):
        rows.append(TableRow((cmp.SECTIONS[key],), heading=True))
        for row in section_rows:
            rows.append(
                TableRow(
                    (row.label, *(cmp.cell_text(row.kind, v) for v in row.values)),
                    tuple(i + 1 for i in sorted(row.best)),
                    shaded=row.differs,
                )
            )
    subject = " / ".join(c.title for c in result.cars)
    return Document(
        kind=DocumentKind.COMPARISON.value,
        number=number,
        title=template.title,
        letterhead=letterhead(session, store_id, templates_dir, letterhead_overrides),
        fields=(
            Field("对比车辆", f"{len(result.cars)} 辆", False),
            Field("打印时间", issued.strftime("%Y-%m-%d %H:%M"), False),
        ),
        tables=(
            Table(
                columns,
                tuple(rows),
                "只列出各车不同的项目。" if only_differences else "",
            ),
        ),
        issued=issued.strftime("%Y-%m-%d %H:%M"),
        template_version=template.version,
        footer_note=template.footer_note,
        extra={"subject": subject[:200]},
    )
