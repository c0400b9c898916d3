"""Comparison of 2-4 cars: sections, differences, best values; and its printed paper."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from db.engine import Database
from db.models import HistoryKind, HistoryRecord, VehicleStatus
from showroom.documents import vehicle_papers as vp
from showroom.errors import ConflictError, NotFoundError, ValidationError
from showroom.services import comparison as cmp
from tests.factories import make_store
from tests.factories_vehicles import make_vehicle

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def cars(database: Database) -> tuple[Database, uuid.UUID, list[uuid.UUID]]:
    store = make_store(database)
    a = make_vehicle(database, store)
    b = make_vehicle(
        database,
        store,
        model="迈腾",
        list_price=Decimal("149800.00"),
        mileage_km=52_000,
        year=2020,
        first_registration=date(2020, 3, 1),
        transfers=1,
        configuration=["倒车影像", "全景天窗"],
    )
    c = make_vehicle(
        database,
        store,
        model="速腾",
        list_price=Decimal("149800.00"),
        mileage_km=12_000,
        year=2022,
        first_registration=None,
    )
    with database.write() as session:
        session.add(
            HistoryRecord(vehicle_id=b, kind=HistoryKind.COLLISION, description="后保险杠剐蹭")
        )
    return database, store, [a, b, c]


def row(result: cmp.Comparison, key: str) -> cmp.CompareRow:
    return next(r for r in result.rows if r.key == key)


def test_rows_are_grouped_and_best_values_marked(cars) -> None:  # type: ignore[no-untyped-def]
    database, _, ids = cars
    with database.read() as session:
        result = cmp.compare(session, ids)
    assert [c.id for c in result.cars] == ids  # the order the customer chose
    assert [key for key, _ in result.sections()] == [
        "basic",
        "price",
        "condition",
        "powertrain",
        "features",
    ]
    price = row(result, "price")
    assert price.differs and price.best == frozenset({1, 2})  # a tie: both cheapest
    assert row(result, "mileage").best == frozenset({2})
    assert row(result, "year").best == frozenset({2})
    # Unregistered (None) is not "newest": only known dates compete.
    assert row(result, "first_registration").best == frozenset({0})
    assert row(result, "transfers").best == frozenset({0, 2})
    history = row(result, "history")
    assert [h.total for h in history.values] == [0, 1, 0]
    assert history.best == frozenset({0, 2})
    assert cmp.cell_text("history", history.values[1]) == "事故1次"
    # Same for all: not a difference and nothing is "best".
    energy = row(result, "energy")
    assert not energy.differs and energy.best == frozenset()
    sunroof = row(result, "feature:全景天窗")
    assert sunroof.values == (False, True, False) and sunroof.best == frozenset({1})
    assert not row(result, "feature:倒车影像").differs


def test_only_differences_leaves_out_equal_rows(cars) -> None:  # type: ignore[no-untyped-def]
    database, _, ids = cars
    with database.read() as session:
        result = cmp.compare(session, ids)
    shown = [r.key for _, rows in result.sections(only_differences=True) for r in rows]
    assert "price" in shown and "mileage" in shown
    assert "energy" not in shown and "feature:倒车影像" not in shown


def test_cost_price_never_appears(cars) -> None:  # type: ignore[no-untyped-def]
    database, store, ids = cars
    with database.read() as session:
        result = cmp.compare(session, ids)
        paper = vp.comparison_paper(session, ids, store_id=store, templates_dir=None, zone=ZONE)
    everything = repr(result) + repr(paper.to_content())
    assert "141234" not in everything and "14.12" not in everything


@pytest.mark.parametrize("count", [1, 5])
def test_two_to_four_cars(cars, count: int) -> None:  # type: ignore[no-untyped-def]
    database, store, ids = cars
    more = [*ids, make_vehicle(database, store), make_vehicle(database, store)]
    with database.read() as session, pytest.raises(ValidationError) as refused:
        cmp.compare(session, more[:count])
    assert refused.value.code == ("comparison.too_few" if count == 1 else "comparison.too_many")


def test_a_deleted_car_is_reported(cars) -> None:  # type: ignore[no-untyped-def]
    database, _, ids = cars
    with database.read() as session, pytest.raises(NotFoundError, match="已不存在"):
        cmp.compare(session, [ids[0], uuid.uuid4()])


def test_comparison_paper_marks_best_and_differences(cars) -> None:  # type: ignore[no-untyped-def]
    database, store, ids = cars
    with database.write() as session:
        number = vp.issue_number(session, vp.DocumentKind.COMPARISON, store, 2026)
    with database.read() as session:
        paper = vp.comparison_paper(
            session, ids, store_id=store, templates_dir=None, zone=ZONE, number=number
        )
    assert number == "BJ01-CP2026-00001"
    table = paper.tables[0]
    assert table.columns[1].startswith("大众 帕萨特\nBJ01-S2026-")
    price = next(r for r in table.rows if r.cells[0] == "售价")
    assert price.cells[1:] == ("15.98万元", "14.98万元", "14.98万元")
    assert price.emphasis == (2, 3) and price.shaded
    assert [r.cells[0] for r in table.rows if r.heading] == [
        "基本信息",
        "价格",
        "车况",
        "动力与规格",
        "配置",
    ]
    # The archived form round-trips with its table.
    assert type(paper).from_content(paper.to_content()).tables == paper.tables


def test_car_sheet_has_price_promises_and_public_qr(cars) -> None:  # type: ignore[no-untyped-def]
    database, _, ids = cars
    settings = {"vehicle_public_url": "https://cars.example.com/{stock_no}?from=qr"}
    with database.read() as session:
        sheet = vp.car_sheet(session, ids[1], settings=settings, templates_dir=None, zone=ZONE)
    assert sheet.headline == "售价 14.98 万元"
    text = sheet.signed_text()
    for promise in ("7天可退", "30天质保", "终身免费检测"):
        assert promise in text
    assert "事故：后保险杠剐蹭" in text
    assert "141234" not in repr(sheet.to_content())
    stock_no = dict((f.label, f.value) for f in sheet.fields)["库存编号"]
    assert sheet.qr_codes[1].payload == f"https://cars.example.com/{stock_no}?from=qr"
    assert sheet.qr_codes[1].size_mm == 40


def test_no_car_sheet_for_a_sold_car(cars) -> None:  # type: ignore[no-untyped-def]
    database, _, ids = cars
    from db.models import Vehicle

    with database.write() as session:
        session.get(Vehicle, ids[0]).status = VehicleStatus.SOLD  # type: ignore[union-attr]
    with database.read() as session, pytest.raises(ConflictError, match="已售出"):
        vp.car_sheet(session, ids[0], settings={}, templates_dir=None, zone=ZONE)
