"""Inventory filters and the vehicle archive services, on SQLite and PostgreSQL."""

from __future__ import annotations

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
    Energy,
    HistoryKind,
    HistoryRecord,
    Inspection,
    MaintenanceRecord,
    Media,
    PriceItem,
    Transmission,
    Vehicle,
    VehiclePhoto,
    VehicleStatus,
)
from db.models.enums import ConditionGrade, InspectionStatus, PhotoCategory
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.services import kiosk, vehicle_archive
from showroom.services.audit import KIOSK, Actor
from showroom.services.kiosk import CarQuery
from showroom.services.vehicle_archive import PreparedPhoto, VehicleEdit
from showroom.services.vehicles import (
    VehicleFilter,
    count_vehicles,
    filter_options,
    find_car,
    list_vehicles,
)
from tests.factories import make_store

STAFF = Actor("孙顾问")


def _car(session: Any, store_id: uuid.UUID, n: int, **values: Any) -> Vehicle:
    defaults: dict[str, Any] = dict(
        store_id=store_id,
        stock_no=f"BJ01-S2026-{n:05d}",
        vin=f"LVHRW1856K{n:07d}",
        plate=f"京A{n:05d}",
        brand="丰田",
        model="凯美瑞",
        trim="2021款 2.0G 豪华版",
        year=2021,
        mileage_km=30_000,
        energy=Energy.PETROL,
        transmission=Transmission.AUTOMATIC,
        body_type="轿车",
        colour="白色",
        list_price=Decimal("150000"),
        cost_price=Decimal("120000"),
        status=VehicleStatus.ON_SALE,
    )
    defaults.update(values)
    car = Vehicle(**defaults)
    session.add(car)
    return car


@pytest.fixture
def store_id(database: Database) -> uuid.UUID:
    return make_store(database)


@pytest.fixture
def stock(database: Database, store_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """Six cars that differ in one filter each."""
    with database.write() as s:
        cars = {
            "camry": _car(s, store_id, 1),
            "accord": _car(s, store_id, 2, brand="本田", model="雅阁", colour="黑色"),
            "byd_ev": _car(
                s,
                store_id,
                3,
                brand="比亚迪",
                model="汉EV",
                energy=Energy.EV,
                list_price=Decimal("200000"),
                listed_at=datetime(2026, 11, 1, tzinfo=UTC),
            ),
            "phev": _car(s, store_id, 4, brand="比亚迪", model="宋PLUS", energy=Energy.PHEV),
            "manual_suv": _car(
                s,
                store_id,
                5,
                brand="哈弗",
                model="H6",
                transmission=Transmission.MANUAL,
                body_type="SUV",
                mileage_km=120_000,
                year=2015,
                list_price=Decimal("45000"),
            ),
            "sold": _car(s, store_id, 6, status=VehicleStatus.SOLD, plate=None),
        }
        s.flush()
        return {name: car.id for name, car in cars.items()}


def _ids(database: Database, flt: VehicleFilter, **kw: Any) -> list[uuid.UUID]:
    with database.read() as s:
        rows = list_vehicles(s, flt, **kw)
        assert count_vehicles(s, flt) == len(rows)  # count and list agree
        return [row.id for row in rows]


def test_each_filter_narrows_to_the_matching_cars(
    database: Database, stock: dict[str, uuid.UUID]
) -> None:
    def only(flt: VehicleFilter) -> set[uuid.UUID]:
        return set(_ids(database, flt))

    assert only(VehicleFilter(brand="比亚迪", model="汉EV")) == {stock["byd_ev"]}
    assert only(VehicleFilter(energy_group="ev")) == {stock["byd_ev"]}
    assert only(VehicleFilter(energy_group="hybrid")) == {stock["phev"]}
    assert len(only(VehicleFilter(energy_group="fuel"))) == 4
    assert only(VehicleFilter(transmission=Transmission.MANUAL)) == {stock["manual_suv"]}
    assert only(VehicleFilter(body_type="SUV")) == {stock["manual_suv"]}
    assert only(VehicleFilter(colour="黑色")) == {stock["accord"]}
    assert only(VehicleFilter(min_mileage_km=100_000)) == {stock["manual_suv"]}
    assert only(VehicleFilter(max_year=2016)) == {stock["manual_suv"]}
    assert only(VehicleFilter(min_price=Decimal("200000"))) == {stock["byd_ev"]}
    assert only(VehicleFilter(status=VehicleStatus.SOLD)) == {stock["sold"]}
    assert stock["sold"] not in only(VehicleFilter(customer_visible_only=True))


def test_search_looks_in_brand_model_vin_plate_and_stock_no_case_blind(
    database: Database, stock: dict[str, uuid.UUID]
) -> None:
    assert set(_ids(database, VehicleFilter(text="汉ev"))) == {stock["byd_ev"]}
    assert _ids(database, VehicleFilter(text="lvhrw1856k0000002")) == [stock["accord"]]
    assert _ids(database, VehicleFilter(text="京a00005")) == [stock["manual_suv"]]
    assert _ids(database, VehicleFilter(text="S2026-00004")) == [stock["phev"]]
    # Every word must match, in any field: brand and plate together.
    assert _ids(database, VehicleFilter(text="比亚迪 A00003")) == [stock["byd_ev"]]
    # Wildcards are plain characters, not patterns.
    assert _ids(database, VehicleFilter(text="%")) == []
    assert _ids(database, VehicleFilter(text="_")) == []


def test_search_text_follows_an_edit(database: Database, stock: dict[str, uuid.UUID]) -> None:
    with database.write() as s:
        s.get_one(Vehicle, stock["camry"]).plate = "沪B12345"
    assert _ids(database, VehicleFilter(text="沪b123")) == [stock["camry"]]


def test_sorting_and_pages_never_overlap(database: Database, store_id: uuid.UUID) -> None:
    with database.write() as s:
        for n in range(25):
            # Equal prices in threes: the id breaks ties so pages are stable.
            _car(s, store_id, 100 + n, list_price=Decimal(100_000 + (n // 3) * 1000))
    flt = VehicleFilter()
    seen = [
        row.id
        for offset in (0, 10, 20)
        for row in _list(database, flt, offset=offset, limit=10, sort="price")
    ]
    assert len(seen) == len(set(seen)) == 25
    with database.read() as s:
        prices = [r.price for r in list_vehicles(s, flt, sort="price", descending=True)]
    assert prices == sorted(prices, reverse=True)
    assert prices[0] == Decimal("108000")


def _list(database: Database, flt: VehicleFilter, **kw: Any) -> list[Any]:
    with database.read() as s:
        return list_vehicles(s, flt, **kw)


def test_newest_listed_first_and_never_listed_last(
    database: Database, stock: dict[str, uuid.UUID]
) -> None:
    # Only the EV has a listing date; the others were never put on sale via the app.
    rows = _list(database, VehicleFilter(), sort="listed", descending=True)
    assert rows[0].id == stock["byd_ev"]
    rows = _list(database, VehicleFilter(), sort="listed", descending=False)
    assert rows[0].id == stock["byd_ev"]


def test_filter_options_list_what_is_in_stock(
    database: Database, stock: dict[str, uuid.UUID]
) -> None:
    with database.read() as s:
        options = filter_options(s)
        visible = filter_options(s, customer_visible_only=True)
    assert options.brands == tuple(sorted(options.brands))
    assert set(options.brands) == {"丰田", "本田", "比亚迪", "哈弗"}
    assert options.models["比亚迪"] == tuple(sorted(("汉EV", "宋PLUS")))
    assert set(options.body_types) == {"轿车", "SUV"}
    assert set(options.colours) == {"白色", "黑色"}
    assert "SUV" in visible.body_types


def test_kiosk_query_filters_by_energy_and_body_and_sorts(
    database: Database, stock: dict[str, uuid.UUID]
) -> None:
    with database.read() as s:
        evs = kiosk.list_cars(s, CarQuery(energy_group="ev"))
        cheap_first = kiosk.list_cars(s, CarQuery(sort="price", descending=False))
        suvs = kiosk.list_cars(s, CarQuery(body_type="SUV"))
    assert [car.id for car in evs] == [stock["byd_ev"]]
    assert cheap_first[0].id == stock["manual_suv"]
    assert [car.id for car in suvs] == [stock["manual_suv"]]
    assert stock["sold"] not in {car.id for car in cheap_first}


# --- archive ------------------------------------------------------------------------------------


def _png(colour: str = "red", size: tuple[int, int] = (1200, 900)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def full_car(database: Database, store_id: uuid.UUID) -> uuid.UUID:
    with database.write() as s:
        car = _car(s, store_id, 7, configuration=["倒车影像", "定速巡航"], transfers=1)
        s.flush()
        report = b"%PDF-1.4 report"
        s.add(Media(sha256="r" * 64, mime="application/pdf", size=len(report), data=report))
        car.third_party_report_sha = "r" * 64
        s.add_all(
            [
                PriceItem(vehicle_id=car.id, position=0, label="车辆价格", amount=Decimal(145000)),
                PriceItem(vehicle_id=car.id, position=1, label="整备费", amount=Decimal(5000)),
                PriceItem(
                    vehicle_id=car.id,
                    position=2,
                    label="收车毛利",
                    amount=Decimal(30000),
                    public=False,
                ),
                MaintenanceRecord(
                    vehicle_id=car.id,
                    performed_on=date(2024, 5, 1),
                    mileage_km=20_000,
                    shop="4S店",
                    description="常规保养",
                ),
                HistoryRecord(
                    vehicle_id=car.id,
                    kind=HistoryKind.COLLISION,
                    occurred_on=date(2023, 3, 1),
                    description="左前翼子板钣金",
                ),
                Inspection(
                    store_id=store_id,
                    report_no="JC-0001",
                    vehicle_id=car.id,
                    status=InspectionStatus.FINAL,
                    started_at=datetime(2026, 11, 1, tzinfo=UTC),
                    finalised_at=datetime(2026, 11, 1, 2, tzinfo=UTC),
                    score=Decimal("92.5"),
                    grade=ConditionGrade.ONE,
                ),
            ]
        )
        return car.id


def test_the_archive_holds_everything_and_the_public_one_hides_staff_data(
    database: Database, full_car: uuid.UUID
) -> None:
    with database.read() as s:
        car = vehicle_archive.vehicle_archive(s, full_car)
        public = kiosk.public_archive(s, full_car)
        report = vehicle_archive.report_pdf(s, full_car)
    assert car.title == "丰田 凯美瑞 2021款 2.0G 豪华版"
    assert car.cost_price == Decimal("120000")
    assert [line.label for line in car.price_lines] == ["车辆价格", "整备费", "收车毛利"]
    assert car.configuration == ("倒车影像", "定速巡航")
    assert car.maintenance[0].shop == "4S店"
    assert car.history[0].kind == HistoryKind.COLLISION
    assert car.inspection is not None and car.inspection.grade == ConditionGrade.ONE
    assert car.promises == ("7天无理由退车", "30天核心部件质保", "终身免费检测")
    assert report.startswith(b"%PDF")
    assert public.cost_price is None and public.vin is None and public.plate is None
    assert [line.label for line in public.price_lines] == ["车辆价格", "整备费"]


def test_the_kiosk_cannot_open_a_sold_car_or_its_photos(
    database: Database, full_car: uuid.UUID
) -> None:
    with database.write() as s:
        vehicle_archive.add_photos(
            s, STAFF, full_car, [PreparedPhoto("a.jpg", _png("red"), _png("red", (24, 18)))]
        )
    with database.read() as s:
        photo = vehicle_archive.vehicle_archive(s, full_car).photos[0]
        assert kiosk.public_photo(s, full_car, photo.thumbnail_sha)
        with pytest.raises(NotFoundError):
            kiosk.public_photo(s, full_car, "r" * 64)  # the report is not a photo
    with database.write() as s:
        s.get_one(Vehicle, full_car).status = VehicleStatus.SOLD  # as signing a contract does
    with database.read() as s:
        with pytest.raises(NotFoundError, match="已售出"):
            kiosk.public_archive(s, full_car)
        with pytest.raises(NotFoundError):
            kiosk.public_photo(s, full_car, photo.image_sha)


def _audit(database: Database, action: str) -> list[AuditEntry]:
    with database.read() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_status_changes_are_checked_versioned_and_audited(
    database: Database, full_car: uuid.UUID
) -> None:
    with database.read() as s:
        version = vehicle_archive.vehicle_archive(s, full_car).row_version
    with database.write() as s:
        new_version = vehicle_archive.change_status(
            s, STAFF, full_car, VehicleStatus.PREPARING, expected_version=version
        )
    assert new_version == version + 1
    [entry] = _audit(database, "vehicle_status_changed")
    assert entry.detail["from"] == "on_sale" and entry.detail["to"] == "preparing"
    assert entry.actor == "孙顾问"
    # Someone saw the old version: refused, not overwritten.
    with pytest.raises(ConflictError), database.write() as s:
        vehicle_archive.change_status(
            s, STAFF, full_car, VehicleStatus.ON_SALE, expected_version=version
        )
    with pytest.raises(PermissionDenied), database.write() as s:
        vehicle_archive.change_status(s, KIOSK, full_car, VehicleStatus.ON_SALE)
    with database.read() as s:
        assert s.get_one(Vehicle, full_car).status == VehicleStatus.PREPARING


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (VehicleStatus.ON_SALE, VehicleStatus.RESERVED),
        (VehicleStatus.ON_SALE, VehicleStatus.SOLD),
        (VehicleStatus.RESERVED, VehicleStatus.ON_SALE),
        (VehicleStatus.SOLD, VehicleStatus.ON_SALE),
        (VehicleStatus.TEST_DRIVE, VehicleStatus.ON_SALE),
    ],
)
def test_reserved_test_drive_and_sold_change_only_with_their_records(
    database: Database, full_car: uuid.UUID, before: VehicleStatus, after: VehicleStatus
) -> None:
    with database.write() as s:
        s.get_one(Vehicle, full_car).status = before
    with pytest.raises(ValidationError, match="定金与合同") as refused, database.write() as s:
        vehicle_archive.change_status(s, STAFF, full_car, after)
    assert refused.value.code == "vehicle.status_by_flow"
    with database.read() as s:
        assert s.get_one(Vehicle, full_car).status == before
    assert not _audit(database, "vehicle_status_changed")


def test_edits_are_validated_and_audited_field_by_field(
    database: Database, full_car: uuid.UUID
) -> None:
    with database.write() as s:
        vehicle_archive.update_vehicle(
            s,
            STAFF,
            full_car,
            VehicleEdit(mileage_km=31_000, colour="珍珠白", transfers=1),
        )
    [entry] = _audit(database, "vehicle_updated")
    assert set(entry.detail["fields"]) == {"mileage_km", "colour"}  # transfers did not change
    assert entry.detail["fields"]["colour"] == {"from": "白色", "to": "珍珠白"}
    with database.read() as s:
        car = s.get_one(Vehicle, full_car)
        assert (car.mileage_km, car.colour) == (31_000, "珍珠白")
    with pytest.raises(ValidationError), database.write() as s:
        vehicle_archive.update_vehicle(s, STAFF, full_car, VehicleEdit(transfers=-1))


@pytest.mark.parametrize(
    ("edit", "code", "words"),
    [
        (VehicleEdit(plate="京A123456789"), "plate.length", "车牌号"),
        (VehicleEdit(colour="珍珠白" * 8), "vehicle.colour_too_long", "车身颜色最多 20"),
        (VehicleEdit(body_type="S" * 21), "vehicle.body_type_too_long", "车身类型"),
        (VehicleEdit(mileage_km=10**12), "vehicle.mileage_invalid", "表显里程"),
        (VehicleEdit(list_price=Decimal("1e12")), "vehicle.price_invalid", "价格"),
    ],
)
def test_bad_edits_get_a_chinese_message_not_a_database_error(
    database: Database, full_car: uuid.UUID, edit: VehicleEdit, code: str, words: str
) -> None:
    with pytest.raises(ValidationError) as caught, database.write() as s:
        vehicle_archive.update_vehicle(s, STAFF, full_car, edit)
    assert caught.value.code == code and words in caught.value.message
    with database.read() as s:
        car = s.get_one(Vehicle, full_car)
        assert (car.plate, car.colour, car.mileage_km) == ("京A00007", "白色", 30_000)


def test_a_plate_typed_with_a_dot_is_normalised_and_found_at_the_desk(
    database: Database, full_car: uuid.UUID
) -> None:
    with database.write() as s:
        vehicle_archive.update_vehicle(s, STAFF, full_car, VehicleEdit(plate=" 京b·12345 "))
    with database.read() as s:
        assert s.get_one(Vehicle, full_car).plate == "京B12345"
        assert find_car(s, "京B·12345").id == full_car
        assert find_car(s, "京b12345").stock_no == "BJ01-S2026-00007"
    with database.write() as s:  # clearing the plate (not yet registered) stores none
        vehicle_archive.update_vehicle(s, STAFF, full_car, VehicleEdit(plate=""))
    with database.read() as s:
        assert s.get_one(Vehicle, full_car).plate is None


@pytest.mark.parametrize("status", [VehicleStatus.RESERVED, VehicleStatus.SOLD])
def test_price_and_plate_of_a_reserved_or_sold_car_are_refused(
    database: Database, full_car: uuid.UUID, status: VehicleStatus
) -> None:
    with database.write() as s:
        s.get_one(Vehicle, full_car).status = status
    for edit, field in (
        (VehicleEdit(list_price=Decimal("99000")), "售价"),
        (VehicleEdit(plate="京B12345"), "车牌号"),
        (VehicleEdit(plate=""), "车牌号"),
    ):
        with pytest.raises(ConflictError) as caught, database.write() as s:
            vehicle_archive.update_vehicle(s, STAFF, full_car, edit)
        assert caught.value.code == "vehicle.held_fields"
        assert field in caught.value.message and "不能修改" in caught.value.message
    with database.write() as s:  # the same price and plate, and other fields, are fine
        vehicle_archive.update_vehicle(
            s,
            STAFF,
            full_car,
            VehicleEdit(list_price=Decimal("150000"), plate="京A·00007", colour="黑色"),
        )
    with database.read() as s:
        car = s.get_one(Vehicle, full_car)
        assert (car.list_price, car.plate, car.colour) == (Decimal("150000"), "京A00007", "黑色")


@pytest.mark.parametrize("typed", ["", "abc", "0", "-5", "1.234", "1e12", "NaN"])
def test_bad_prices_are_refused_with_a_sentence(typed: str) -> None:
    with pytest.raises(ValidationError) as caught:
        vehicle_archive.parse_price(typed)
    assert "价格" in caught.value.message


def test_typed_prices_are_read_as_yuan() -> None:
    assert vehicle_archive.parse_price("¥128,000.50") == Decimal("128000.50")
    assert vehicle_archive.parse_price(" 99800 元") == Decimal("99800")


def test_photo_files_are_shrunk_and_bad_files_reported(tmp_path: Path) -> None:
    good = tmp_path / "前脸.png"
    good.write_bytes(_png("blue", (3200, 2400)))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 not really a jpeg")
    missing = tmp_path / "missing.jpg"
    prepared, problems = vehicle_archive.prepare_photos([good, broken, missing])
    assert [p.name for p in prepared] == ["前脸.png"]
    with Image.open(io.BytesIO(prepared[0].image)) as image:
        assert image.format == "JPEG" and image.size == (1600, 1200)
    with Image.open(io.BytesIO(prepared[0].thumbnail)) as thumb:
        assert thumb.size == (240, 180)
    assert [p.name for p in problems] == ["broken.jpg", "missing.jpg"]
    assert "损坏" in problems[0].reason and "不存在" in problems[1].reason


def test_photos_are_added_ordered_covered_and_removed(
    database: Database, full_car: uuid.UUID
) -> None:
    photos = [
        PreparedPhoto(f"{colour}.jpg", _png(colour), _png(colour, (24, 18)))
        for colour in ("red", "green", "blue")
    ]
    with database.write() as s:
        assert vehicle_archive.add_photos(s, STAFF, full_car, photos) == 3

    def archive() -> Any:
        with database.read() as s:
            return vehicle_archive.vehicle_archive(s, full_car)

    first = archive()
    assert [p.caption for p in first.photos] == ["red", "green", "blue"]
    assert [p.is_cover for p in first.photos] == [True, False, False]
    blue = first.photos[2].id
    with database.write() as s:
        vehicle_archive.move_photo(s, STAFF, full_car, blue, -1)
        vehicle_archive.move_photo(s, STAFF, full_car, blue, -1)
        vehicle_archive.move_photo(s, STAFF, full_car, blue, -1)  # already first: no-op
    assert [p.caption for p in archive().photos] == ["blue", "red", "green"]
    with database.write() as s:
        vehicle_archive.set_cover(s, STAFF, full_car, blue)
    assert archive().cover is not None and archive().cover.id == blue
    with database.write() as s:
        vehicle_archive.remove_photo(s, STAFF, full_car, blue)
    after = archive()
    assert [p.caption for p in after.photos] == ["red", "green"]
    assert after.cover is not None and after.cover.caption == "red"  # cover moved on
    for action in (
        "vehicle_photos_added",
        "vehicle_photos_reordered",
        "vehicle_cover_set",
        "vehicle_photo_removed",
    ):
        assert _audit(database, action), action
    with database.read() as s:
        positions = s.scalars(
            select(VehiclePhoto.position).where(VehiclePhoto.vehicle_id == full_car)
        ).all()
    assert sorted(positions) == [0, 1]


def test_too_many_photos_are_refused(database: Database, full_car: uuid.UUID) -> None:
    one = PreparedPhoto("x.jpg", _png("red"), _png("red", (24, 18)))
    with pytest.raises(ValidationError, match="最多 40 张"), database.write() as s:
        vehicle_archive.add_photos(s, STAFF, full_car, [one] * 41)


def test_a_photo_keeps_its_category(database: Database, full_car: uuid.UUID) -> None:
    one = PreparedPhoto("engine.jpg", _png("gray"), _png("gray", (24, 18)))
    with database.write() as s:
        vehicle_archive.add_photos(s, STAFF, full_car, [one], PhotoCategory.ENGINE)
    with database.read() as s:
        [photo] = vehicle_archive.vehicle_archive(s, full_car).photos
    assert photo.category == PhotoCategory.ENGINE
