"""The car file staff build: photos by category, price lines, history with evidence, the
third-party report, and what of it a customer sees; on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from db.engine import Database
from db.models import (
    AuditEntry,
    HistoryKind,
    PhotoCategory,
    PriceItem,
    Role,
    Vehicle,
    VehicleStatus,
)
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.services import kiosk, vehicle_archive
from showroom.services.audit import Actor
from showroom.services.vehicle_archive import (
    HistoryForm,
    MaintenanceForm,
    PreparedFile,
    PreparedPhoto,
    PriceLine,
    PriceSheet,
    VehicleEdit,
)
from tests.factories import make_staff, make_store
from tests.factories_vehicles import make_vehicle

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def _jpeg(colour: str, size: tuple[int, int] = (400, 300)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def _photo(name: str, colour: str, category: PhotoCategory | None = None) -> PreparedPhoto:
    return PreparedPhoto(name, _jpeg(colour), _jpeg(colour, (24, 18)), category)


def _pdf(pages: int = 2) -> bytes:
    images = [Image.new("RGB", (595, 842), c) for c in ("white", "lightgray", "white")[:pages]]
    images += [Image.new("RGB", (595, 842), "white") for _ in range(pages - len(images))]
    buffer = io.BytesIO()
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:])
    return buffer.getvalue()


@pytest.fixture
def store_id(database: Database) -> uuid.UUID:
    return make_store(database)


@pytest.fixture
def manager(database: Database, store_id: uuid.UUID) -> Actor:
    return Actor("赵店长", make_staff(database, store_id, "zhao", Role.MANAGER), store_id)


@pytest.fixture
def appraiser(database: Database, store_id: uuid.UUID) -> Actor:
    return Actor("李评估", make_staff(database, store_id, "li", Role.APPRAISER), store_id)


@pytest.fixture
def car(database: Database, store_id: uuid.UUID) -> uuid.UUID:
    return make_vehicle(
        database, store_id, vin="LVGBE40K1PG000001", plate="京N00001", list_price=Decimal(150000)
    )


def _archive(database: Database, car: uuid.UUID) -> vehicle_archive.VehicleArchive:
    with database.read() as s:
        return vehicle_archive.vehicle_archive(s, car)


def _audit(database: Database, action: str) -> list[AuditEntry]:
    with database.read() as s:
        return list(
            s.scalars(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
            )
        )


# --- photos ------------------------------------------------------------------------------------


def test_photos_are_filed_by_their_names_and_kept_in_category_order(
    database: Database, car: uuid.UUID, appraiser: Actor
) -> None:
    photos = [
        _photo("行驶证.jpg", "gray", PhotoCategory.DOCUMENTS),
        _photo("IMG_01.jpg", "red"),  # says nothing: the importer's choice
        _photo("内饰_中控.jpg", "blue", PhotoCategory.INTERIOR),
        _photo("划痕.jpg", "black", PhotoCategory.DEFECT),
        _photo("IMG_02.jpg", "green"),
    ]
    with database.write() as s:
        vehicle_archive.add_photos(s, appraiser, car, photos, PhotoCategory.EXTERIOR, now=NOW)
    shown = _archive(database, car).photos
    assert [(p.caption, p.category) for p in shown] == [
        ("IMG_01", PhotoCategory.EXTERIOR),
        ("IMG_02", PhotoCategory.EXTERIOR),
        ("内饰_中控", PhotoCategory.INTERIOR),
        ("划痕", PhotoCategory.DEFECT),
        ("行驶证", PhotoCategory.DOCUMENTS),
    ]
    assert [p.position for p in shown] == [0, 1, 2, 3, 4]
    assert [p.is_cover for p in shown] == [True, False, False, False, False]
    [entry] = _audit(database, "vehicle_photos_added")
    assert entry.detail["categories"] == {
        "documents": 1,
        "exterior": 2,
        "interior": 1,
        "defect": 1,
    }


def test_bulk_refiling_moves_photos_to_their_new_category_and_never_makes_a_document_cover(
    database: Database, car: uuid.UUID, appraiser: Actor
) -> None:
    with database.write() as s:
        vehicle_archive.add_photos(
            s, appraiser, car, [_photo(f"{c}.jpg", c) for c in ("red", "green", "blue")]
        )
    red, _green, blue = _archive(database, car).photos
    with database.write() as s:
        changed = vehicle_archive.set_photo_category(
            s, appraiser, car, [red.id, blue.id], PhotoCategory.DOCUMENTS, now=NOW
        )
    assert changed == 2
    after = _archive(database, car).photos
    assert [(p.caption, p.category) for p in after] == [
        ("green", PhotoCategory.EXTERIOR),
        ("red", PhotoCategory.DOCUMENTS),
        ("blue", PhotoCategory.DOCUMENTS),
    ]
    assert [p.caption for p in after if p.is_cover] == ["green"]  # the cover moved on
    with pytest.raises(ValidationError) as caught, database.write() as s:
        vehicle_archive.set_cover(s, appraiser, car, red.id)
    assert caught.value.code == "photo.private_cover"
    [entry] = _audit(database, "vehicle_photos_refiled")
    assert entry.detail["from"] == {str(red.id): "exterior", str(blue.id): "exterior"}
    assert entry.detail["to"] == "documents"


def test_dragging_a_photo_reorders_it_within_its_category_only(
    database: Database, car: uuid.UUID, appraiser: Actor
) -> None:
    photos = [
        _photo("a.jpg", "red", PhotoCategory.EXTERIOR),
        _photo("b.jpg", "green", PhotoCategory.EXTERIOR),
        _photo("c.jpg", "blue", PhotoCategory.INTERIOR),
    ]
    with database.write() as s:
        vehicle_archive.add_photos(s, appraiser, car, photos)
    a, b, c = (p.id for p in _archive(database, car).photos)
    with database.write() as s:  # c dragged to the front: it stays first of the interior
        vehicle_archive.reorder_photos(s, appraiser, car, [c, b, a], now=NOW)
    assert [p.caption for p in _archive(database, car).photos] == ["b", "a", "c"]
    [entry] = _audit(database, "vehicle_photos_reordered")
    assert entry.detail["from"] == [str(a), str(b), str(c)]
    assert entry.detail["to"] == [str(b), str(a), str(c)]
    with pytest.raises(ConflictError), database.write() as s:
        vehicle_archive.reorder_photos(s, appraiser, car, [a, b])  # one missing: stale screen


def test_the_kiosk_never_sees_document_photos(
    database: Database, car: uuid.UUID, appraiser: Actor
) -> None:
    with database.write() as s:
        vehicle_archive.add_photos(
            s,
            appraiser,
            car,
            [
                _photo("登记证.jpg", "gray", PhotoCategory.DOCUMENTS),
                _photo("左前.jpg", "red", PhotoCategory.EXTERIOR),
            ],
        )
    staff = _archive(database, car)
    document = next(p for p in staff.photos if p.category is PhotoCategory.DOCUMENTS)
    with database.read() as s:
        public = kiosk.public_archive(s, car)
        [card] = kiosk.list_cars(s)
        with pytest.raises(NotFoundError):
            kiosk.public_photo(s, car, document.image_sha)
        with pytest.raises(NotFoundError):
            kiosk.public_photo(s, car, document.thumbnail_sha)
    assert [p.caption for p in public.photos] == ["左前"]
    assert card.cover_sha == next(p.thumbnail_sha for p in staff.photos if p.caption == "左前")


def test_photos_need_the_facts_permission(
    database: Database, store_id: uuid.UUID, car: uuid.UUID
) -> None:
    sales = Actor("孙顾问", make_staff(database, store_id, "sun", Role.SALES), store_id)
    with pytest.raises(PermissionDenied), database.write() as s:
        vehicle_archive.add_photos(s, sales, car, [_photo("a.jpg", "red")])


# --- prices ------------------------------------------------------------------------------------


def _sheet(price: str = "150000", *lines: tuple[str, str, bool]) -> PriceSheet:
    return PriceSheet(
        Decimal(price),
        Decimal("128000"),
        tuple(PriceLine(label, Decimal(amount), public) for label, amount, public in lines),
    )


GOOD_LINES = (
    ("车辆价格", "146500", True),
    ("整备服务费", "2000", True),
    ("过户费（预估）", "1500", True),
    ("整备成本", "3200", False),
    ("维修费", "800", False),
)


def test_price_lines_must_add_up_to_the_asking_price_and_are_audited(
    database: Database, car: uuid.UUID, manager: Actor
) -> None:
    with pytest.raises(ValidationError) as caught, database.write() as s:
        vehicle_archive.set_prices(
            s,
            manager,
            car,
            _sheet("150000", ("车辆价格", "146500", True), ("服务费", "2000", True)),
        )
    assert caught.value.code == "price_lines.sum_mismatch"
    assert "148,500" in caught.value.message and "1,500" in caught.value.message
    with database.write() as s:
        vehicle_archive.set_prices(s, manager, car, _sheet("150000", *GOOD_LINES), now=NOW)
    saved = _archive(database, car)
    assert saved.public_total == Decimal("150000")
    assert saved.internal_total == Decimal("132000")  # purchase 128,000 + 3,200 + 800
    with database.read() as s:
        public = kiosk.public_archive(s, car)
    assert [line.label for line in public.price_lines] == [
        "车辆价格",
        "整备服务费",
        "过户费（预估）",
    ]
    assert public.cost_price is None
    [entry] = _audit(database, "vehicle_prices_set")
    assert entry.detail["fields"]["cost_price"] == {"from": "141234.00", "to": "128000"}
    assert entry.detail["fields"]["lines"]["from"] == []
    assert entry.detail["fields"]["lines"]["to"][0] == ["车辆价格", "146500", True]


def test_the_asking_price_alone_cannot_leave_the_lines_behind(
    database: Database, car: uuid.UUID, manager: Actor
) -> None:
    with database.write() as s:
        vehicle_archive.set_prices(s, manager, car, _sheet("150000", *GOOD_LINES))
    with pytest.raises(ValidationError) as caught, database.write() as s:
        vehicle_archive.update_vehicle(s, manager, car, VehicleEdit(list_price=Decimal(148000)))
    assert caught.value.code == "vehicle.price_lines_mismatch"


def test_prices_need_the_price_permission(
    database: Database, car: uuid.UUID, appraiser: Actor
) -> None:
    with pytest.raises(PermissionDenied) as caught, database.write() as s:
        vehicle_archive.set_prices(s, appraiser, car, _sheet("150000"))
    assert caught.value.code == "vehicle.prices_denied"


def test_a_reserved_cars_public_price_stays_but_its_costs_may_change(
    database: Database, car: uuid.UUID, manager: Actor
) -> None:
    with database.write() as s:
        vehicle_archive.set_prices(s, manager, car, _sheet("150000", *GOOD_LINES))
        s.get_one(Vehicle, car).status = VehicleStatus.RESERVED
    moved = (("车辆价格", "145500", True), *GOOD_LINES[1:])
    with pytest.raises(ConflictError), database.write() as s:
        vehicle_archive.set_prices(s, manager, car, _sheet("149000", *moved))
    more_cost = (*GOOD_LINES, ("运输费", "600", False))
    with database.write() as s:
        vehicle_archive.set_prices(s, manager, car, _sheet("150000", *more_cost))
    assert _archive(database, car).internal_total == Decimal("132600")


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ((("", "150000", True),), "price_lines.label_missing"),
        ((("车辆价格", "0", True),), "price_lines.amount_invalid"),
        ((("车" * 61, "150000", True),), "price_lines.label_too_long"),
        (tuple(("成本", "1", False) for _ in range(21)), "price_lines.too_many"),
    ],
)
def test_bad_price_lines_are_refused(
    database: Database, car: uuid.UUID, manager: Actor, lines: Any, code: str
) -> None:
    with pytest.raises(ValidationError) as caught, database.write() as s:
        vehicle_archive.set_prices(s, manager, car, _sheet("150000", *lines))
    assert caught.value.code == code
    with database.read() as s:
        assert s.scalars(select(PriceItem)).all() == []


# --- history and maintenance ---------------------------------------------------------------


def test_an_accident_statement_keeps_its_evidence_for_staff_only(
    database: Database, car: uuid.UUID, appraiser: Actor
) -> None:
    evidence = PreparedFile("出险记录.pdf", _pdf(1), "application/pdf")
    form = HistoryForm(HistoryKind.COLLISION, date(2024, 3, 1), False, "右后门钣金喷漆", evidence)
    with database.write() as s:
        entry_id = vehicle_archive.add_history(s, appraiser, car, form, now=NOW)
    [entry] = _archive(database, car).history
    assert entry.id == entry_id and entry.has_evidence
    assert entry.evidence_sha == hashlib.sha256(evidence.data).hexdigest()
    with database.read() as s:
        mime, data = vehicle_archive.staff_file(s, car, entry.evidence_sha)
        [public] = kiosk.public_archive(s, car).history
    assert (mime, data) == ("application/pdf", evidence.data)
    assert public.evidence_sha is None and public.has_evidence  # told, not shown
    with database.write() as s:
        vehicle_archive.update_history(
            s,
            appraiser,
            car,
            entry_id,
            HistoryForm(HistoryKind.COLLISION, date(2024, 3, 1), True, "右后门钣金喷漆"),
            now=NOW,
        )
    [changed] = _audit(database, "vehicle_history_changed")
    assert changed.detail["from"]["structural"] is False
    assert changed.detail["to"]["structural"] is True
    assert changed.detail["to"]["file"] == entry.evidence_sha  # kept when no new file
    with database.write() as s:
        vehicle_archive.remove_history(s, appraiser, car, entry_id, now=NOW)
    assert _archive(database, car).history == ()
    assert _audit(database, "vehicle_history_removed")[0].detail["from"]["kind"] == "collision"


def test_history_is_locked_once_a_deposit_holds_the_car(
    database: Database, car: uuid.UUID, appraiser: Actor
) -> None:
    with database.write() as s:
        s.get_one(Vehicle, car).status = VehicleStatus.RESERVED
    with pytest.raises(ConflictError) as caught, database.write() as s:
        vehicle_archive.add_history(
            s, appraiser, car, HistoryForm(HistoryKind.FLOOD, None, False, "泡水至座椅"), now=NOW
        )
    assert caught.value.code == "vehicle.held_history"


@pytest.mark.parametrize(
    ("form", "code"),
    [
        (MaintenanceForm(date(2026, 12, 2), None, "4S店", "保养"), "vehicle.date_future"),
        (
            MaintenanceForm(date(2025, 1, 1), 90_000, "4S店", "保养"),
            "maintenance.mileage_above_odometer",
        ),
        (MaintenanceForm(date(2025, 1, 1), None, "4S店", " "), "maintenance.description_missing"),
        (MaintenanceForm(date(2025, 1, 1), None, "店" * 101, "保养"), "maintenance.shop_too_long"),
    ],
)
def test_bad_maintenance_entries_are_refused(
    database: Database, car: uuid.UUID, appraiser: Actor, form: MaintenanceForm, code: str
) -> None:
    with pytest.raises(ValidationError) as caught, database.write() as s:
        vehicle_archive.add_maintenance(s, appraiser, car, form, now=NOW)
    assert caught.value.code == code


def test_a_maintenance_entry_at_five_to_midnight_may_be_dated_today(
    database: Database, car: uuid.UUID, appraiser: Actor
) -> None:
    late = datetime(2026, 12, 1, 15, 55, tzinfo=UTC)  # 23:55 on 1 December in Beijing
    photo = PreparedFile("保养单.jpg", _jpeg("white"), "image/jpeg")
    with database.write() as s:
        vehicle_archive.add_maintenance(
            s,
            appraiser,
            car,
            MaintenanceForm(date(2026, 12, 1), 34_000, "丰田4S店", "更换机油机滤", photo),
            now=late,
        )
    [record] = _archive(database, car).maintenance
    assert (record.performed_on, record.mileage_km, record.has_document) == (
        date(2026, 12, 1),
        34_000,
        True,
    )
    assert _audit(database, "vehicle_maintenance_added")[0].detail["to"]["shop"] == "丰田4S店"


# --- the third-party report ----------------------------------------------------------------


def test_a_report_is_kept_by_its_sha256_with_pages_the_kiosk_may_show(
    database: Database, car: uuid.UUID, appraiser: Actor, tmp_path: Path
) -> None:
    pdf = _pdf(2)
    path = tmp_path / "查博士检测报告.pdf"
    path.write_bytes(pdf)
    report = vehicle_archive.prepare_report(path)
    assert len(report.pages) == 2
    with Image.open(io.BytesIO(report.pages[0])) as page:
        assert page.format == "JPEG" and page.width == vehicle_archive.REPORT_PAGE_WIDTH
    with database.write() as s:
        sha = vehicle_archive.attach_report(s, appraiser, car, report, now=NOW)
    assert sha == hashlib.sha256(pdf).hexdigest()
    staff = _archive(database, car)
    assert (staff.report_sha, staff.report_name) == (sha, "查博士检测报告.pdf")
    with database.read() as s:
        assert kiosk.public_report(s, car) == pdf
        assert kiosk.public_report_page(s, car, staff.report_pages[1]) == report.pages[1]
        with pytest.raises(NotFoundError):
            kiosk.public_report_page(s, car, sha)  # the PDF is not a page image
    [entry] = _audit(database, "vehicle_report_attached")
    assert (entry.detail["to"], entry.detail["pages"]) == (sha, 2)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"not a pdf at all", "report.not_pdf"),
        (b"%PDF-1.7\n garbage", "report.corrupt"),
        (None, "report.too_long"),
    ],
)
def test_a_bad_report_file_gets_a_sentence(tmp_path: Path, data: bytes | None, code: str) -> None:
    path = tmp_path / "报告.pdf"
    path.write_bytes(data if data is not None else _pdf(vehicle_archive.MAX_REPORT_PAGES + 1))
    with pytest.raises(ValidationError) as caught:
        vehicle_archive.prepare_report(path)
    assert caught.value.code == code and "报告.pdf" in caught.value.message
