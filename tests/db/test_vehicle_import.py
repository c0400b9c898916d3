"""Importing inventory from che168 exports and the store's own sheet, on both databases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import AuditEntry, Energy, Transmission, Vehicle, VehicleStatus
from showroom.errors import NotFoundError, ValidationError
from showroom.services import vehicle_import as vi
from showroom.users import SYSTEM
from tests.factories import make_store

HEADER = (
    "车名,里程数,年份,城市,售价,原价,变速箱,排放标准,排量/续航,发布时间,年检到期,保险到期,"
    "过户次数,马力,气缸类型,车辆级别,燃油标号,驱动方式,品牌\n"
)
PETROL = (
    "奔驰GLC 2020款 GLC 260 L 4MATIC 豪华型,10,2020-07,厦门,28.80,45.89,自动,国VI,2L,"
    "2023-11-21,2024-7,2024-07,1,197,L4,中型SUV,95,前置四驱,奔驰\n"
)
# Electric: range instead of engine size, drive slipped into the fuel-grade column,
# a quoted line break in the drive column, not yet registered, 原价 is a price-cut note.
EV = (
    "小蚂蚁 2018款 4座智享版,7.55,未上牌,厦门,3.20,已降1000元,自动,纯电动,151km,"
    '2023-12-01,已过期,-,1,41,,微型车,后置后驱,"\n            ",奇瑞新能源\n'
)
DIESEL = (
    "风骏5 2013款 2.8T欧洲版 两驱领航型,17.85,2015-03,泉州,2.99,10.94,手动,国IV,2.8L,"
    "2023-12-03,2024-03,2024-03,0,92,L4,皮卡,0,前置后驱,长城\n"
)
NO_PRICE = (
    "宝马3系 2019款 325Li M运动套装,3.5,2019-08,泉州,,已降3000元,自动,国VI,2L,"
    "2023-12-03,2024-08,2024-08,0,184,L4,中型车,95,前置后驱,宝马\n"
)
BAD_DATE = (
    "大众帕萨特 2018款 330TSI 精英版,6,2018-13,厦门,12.80,22.99,自动,国V,2L,"
    "2023-12-03,2024-08,2024-08,0,186,L4,中型车,95,前置前驱,大众\n"
)


def write(tmp_path: Path, *rows: str, name: str = "che168.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def run(database: Database, path: Path, **kwargs: object) -> vi.ImportResult:
    with database.write() as session:
        return vi.import_file(session, path, store_code="BJ01", actor=SYSTEM, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def store(database: Database) -> Database:
    make_store(database)
    return database


def cars(database: Database) -> list[Vehicle]:
    with database.read() as session:
        rows = session.execute(select(Vehicle).order_by(Vehicle.stock_no)).scalars().all()
        session.expunge_all()
        return list(rows)


def test_che168_units_dates_and_energy_are_converted(store: Database, tmp_path: Path) -> None:
    result = run(store, write(tmp_path, PETROL, EV, DIESEL))
    assert (result.created, result.rejected) == (3, 0)
    by_brand = {car.brand: car for car in cars(store)}
    glc = by_brand["奔驰"]
    assert (glc.model, glc.trim, glc.year) == ("GLC", "GLC 260 L 4MATIC 豪华型", 2020)
    assert glc.mileage_km == 100_000  # 10 万公里
    assert glc.list_price == Decimal("288000.00")  # 28.80 万元
    assert glc.new_price == Decimal("458900.00")
    assert glc.first_registration == date(2020, 7, 1)
    assert glc.annual_inspection_due == date(2024, 7, 1)  # 2024-7 without the zero
    assert glc.displacement_l == Decimal("2.0") and glc.ev_range_km is None
    assert (glc.energy, glc.transmission, glc.body_type) == (
        Energy.PETROL,
        Transmission.AUTOMATIC,
        "SUV",
    )
    assert glc.status is VehicleStatus.ON_SALE and glc.source == "che168"
    ev = by_brand["奇瑞新能源"]
    assert ev.energy is Energy.EV and ev.ev_range_km == 151 and ev.displacement_l is None
    assert ev.first_registration is None  # 未上牌
    assert ev.new_price is None  # 已降1000元 is a note, not the new-car price
    assert ev.annual_inspection_due is None and ev.insurance_due is None
    assert ev.drive == "后置后驱" and ev.mileage_km == 75_500
    diesel = by_brand["长城"]
    assert diesel.energy is Energy.DIESEL and diesel.transmission is Transmission.MANUAL
    assert diesel.body_type == "皮卡"


def test_every_bad_row_is_reported_with_its_line(store: Database, tmp_path: Path) -> None:
    report = tmp_path / "report.csv"
    # The EV row spans two physical lines, so the rows after it start one line later.
    path = write(tmp_path, PETROL, EV, NO_PRICE, BAD_DATE, PETROL)
    result = run(store, path, report_path=report)
    assert (result.total, result.created, result.rejected) == (5, 2, 3)
    rejected = {o.line: o.reason for o in result.outcomes if o.outcome == vi.REJECTED}
    assert rejected == {
        5: "售价为空",
        6: "上牌时间“2018-13”不是有效日期（应如 2024-06）",
        7: "与第 2 行是同一辆车（重复行）",
    }
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "行号,结果,库存编号,车辆,原因"
    assert len(lines) == 6
    assert "5,拒绝,,宝马3系 2019款 325Li M运动套装,售价为空" in lines
    assert len(cars(store)) == 2


def test_reimport_updates_instead_of_duplicating(store: Database, tmp_path: Path) -> None:
    first = run(store, write(tmp_path, PETROL, EV))
    stock_numbers = {o.stock_no for o in first.outcomes}
    cheaper = PETROL.replace(",28.80,", ",26.80,")
    second = run(store, write(tmp_path, cheaper, EV, name="again.csv"))
    assert (second.created, second.updated, second.unchanged) == (0, 1, 1)
    assert {o.stock_no for o in second.outcomes} == stock_numbers
    stored = cars(store)
    assert len(stored) == 2
    glc = next(car for car in stored if car.brand == "奔驰")
    assert glc.list_price == Decimal("268000.00")
    assert glc.row_version == 2


def test_reimport_keeps_the_status_the_store_set(store: Database, tmp_path: Path) -> None:
    run(store, write(tmp_path, PETROL))
    with store.write() as session:
        session.execute(Vehicle.__table__.update().values(status=VehicleStatus.SOLD))
    # Another field of a sold car may follow the listing; the car stays sold.
    again = run(store, write(tmp_path, PETROL.replace(",197,", ",200,")))
    assert again.updated == 1
    car = cars(store)[0]
    assert (car.status, car.power_hp) == (VehicleStatus.SOLD, 200)


@pytest.mark.parametrize(
    ("status", "word"), [(VehicleStatus.RESERVED, "已预订"), (VehicleStatus.SOLD, "已售")]
)
def test_reimport_skips_a_new_price_of_a_reserved_or_sold_car_with_a_reason(
    store: Database, tmp_path: Path, status: VehicleStatus, word: str
) -> None:
    first = run(store, write(tmp_path, PETROL, EV))
    glc = next(o.stock_no for o in first.outcomes if o.title.startswith("奔驰"))
    with store.write() as session:
        session.execute(
            Vehicle.__table__.update().where(Vehicle.stock_no == glc).values(status=status)
        )
    cheaper_ev = EV.replace(",3.20,", ",2.90,")
    again = run(store, write(tmp_path, PETROL.replace(",28.80,", ",27.80,"), cheaper_ev))
    assert (again.updated, again.rejected) == (1, 1)
    [skipped] = [o for o in again.outcomes if o.outcome == vi.REJECTED]
    assert skipped.stock_no == glc and skipped.line == 2
    assert f"{word}，未更新" in skipped.reason
    by_brand = {car.brand: car for car in cars(store)}
    assert by_brand["奔驰"].list_price == Decimal("288000.00")  # what the receipt says
    assert by_brand["奇瑞新能源"].list_price == Decimal("29000.00")  # the free car follows


def test_the_update_itself_keeps_a_reserved_cars_price(
    store: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the car be reserved between the import's read and its write."""
    run(store, write(tmp_path, PETROL, EV))
    with store.write() as session:
        session.execute(
            Vehicle.__table__.update()
            .where(Vehicle.brand == "奔驰")
            .values(status=VehicleStatus.RESERVED)
        )
    monkeypatch.setattr(vi, "_HELD", {})  # the read saw the car still free
    glc = PETROL.replace(",28.80,", ",27.80,").replace(",197,", ",200,")
    run(store, write(tmp_path, glc, EV.replace(",3.20,", ",2.90,")))  # several rows at once
    monkeypatch.undo()
    by_brand = {car.brand: car for car in cars(store)}
    reserved = by_brand["奔驰"]
    assert (reserved.status, reserved.list_price, reserved.power_hp) == (
        VehicleStatus.RESERVED,
        Decimal("288000.00"),
        197,
    )
    assert by_brand["奇瑞新能源"].list_price == Decimal("29000.00")


def test_one_absurd_number_rejects_its_row_alone(store: Database, tmp_path: Path) -> None:
    """On PostgreSQL these overflowed the integer columns and aborted the whole file."""
    huge_km = PETROL.replace(",10,2020-07,", ",99999999,2020-07,")
    huge_hp = DIESEL.replace(",92,L4,", ",99999999999,L4,")
    result = run(store, write(tmp_path, huge_km, EV, huge_hp))
    assert (result.created, result.rejected) == (1, 2)
    rejected = {o.line: o.reason for o in result.outcomes if o.outcome == vi.REJECTED}
    assert set(rejected) == {2, 5}
    assert "里程数“99999999”超出合理范围" in rejected[2]
    assert "马力“99999999999”超出合理范围" in rejected[5]
    assert [car.brand for car in cars(store)] == ["奇瑞新能源"]


def test_dry_run_writes_nothing_but_reports(store: Database, tmp_path: Path) -> None:
    report = tmp_path / "dry.csv"
    result = run(store, write(tmp_path, PETROL, NO_PRICE), dry_run=True, report_path=report)
    assert (result.created, result.rejected) == (1, 1)
    assert result.summary() == "共 2 行：将新增 1，将更新 0，无变化 0，拒绝 1"
    assert cars(store) == []
    assert report.exists()
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_import_is_audited(store: Database, tmp_path: Path) -> None:
    run(store, write(tmp_path, PETROL, NO_PRICE))
    with store.read() as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.action == "vehicles_imported")
        ).scalar_one()
        assert entry.detail["created"] == 1 and entry.detail["rejected"] == 1


def test_store_sheet_preset_with_vin_conflicts(store: Database, tmp_path: Path) -> None:
    header = ",".join(vi.SHOWROOM_HEADERS) + "\n"
    vin = "LSVAU218XN2183294"
    good = (
        "A1,大众,帕萨特,330TSI,2021,2021-05,35000,2.0,,汽油,自动,国VI,轿车,黑,5,186,前驱,0,,"
        f"159800,{vin},\n"
    )
    same_vin = good.replace("A1,", "A2,")
    bad_energy = good.replace("A1,", "A3,").replace("汽油", "核能").replace(vin, "")
    path = tmp_path / "sheet.csv"
    path.write_text(header + good + same_vin + bad_energy, encoding="utf-8")
    result = run(store, path)
    reasons = [o.reason for o in result.outcomes]
    assert result.created == 1
    assert reasons[1] == "车架号与第 2 行相同"
    assert reasons[2].startswith("能源“核能”无法识别")
    car = cars(store)[0]
    assert (car.vin, car.list_price, car.status) == (
        vin,
        Decimal("159800.00"),
        VehicleStatus.PREPARING,
    )


def test_store_sheet_does_not_change_plate_or_vin_of_a_sold_car(
    store: Database, tmp_path: Path
) -> None:
    header = ",".join(vi.SHOWROOM_HEADERS) + "\n"
    row = (
        "A1,大众,帕萨特,330TSI,2021,2021-05,35000,2.0,,汽油,自动,国VI,轿车,黑,5,186,前驱,0,,"
        "159800,LSVAU218XN2183294,京A12345\n"
    )
    path = tmp_path / "sheet.csv"
    path.write_text(header + row, encoding="utf-8")
    run(store, path)
    with store.write() as session:
        session.execute(Vehicle.__table__.update().values(status=VehicleStatus.SOLD))
    for changed in (
        row.replace("京A12345", "京A·54321"),
        row.replace("LSVAU218XN2183294", "LSVAU2187N2123456"),
    ):
        path.write_text(header + changed, encoding="utf-8")
        result = run(store, path)
        assert result.rejected == 1 and "已售，未更新" in result.outcomes[0].reason
    car = cars(store)[0]
    assert (car.plate, car.vin) == ("京A12345", "LSVAU218XN2183294")


def test_whole_file_problems_are_refused_clearly(store: Database, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="找不到文件"):
        run(store, tmp_path / "missing.csv")
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="无法识别文件的列"):
        run(store, odd)
    with pytest.raises(ValidationError, match="缺少“showroom”模板需要的列"):
        run(store, write(tmp_path, PETROL), preset="showroom")


def test_gb18030_files_are_read(store: Database, tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + PETROL).encode("gb18030"))
    assert run(store, path).created == 1


def test_preview_shows_accepted_and_rejected_rows(tmp_path: Path) -> None:
    preset, total, rows = vi.read_preview(write(tmp_path, PETROL, NO_PRICE), limit=1)
    assert (preset, total, len(rows)) == ("che168", 2, 1)
    assert rows[0].accepted and rows[0].price == Decimal("288000.00")
