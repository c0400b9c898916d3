"""The inventory list loads page by page and filters in SQL."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import insert

from db.models import Energy, Role, Transmission, Vehicle, VehicleStatus
from showroom.context import AppContext
from showroom.services.auth import StaffUser
from showroom.services.vehicles import VehicleFilter
from tests.factories import make_store
from ui.screens.inventory import InventoryModel, InventoryScreen, format_price
from ui.tasks import TaskRunner

CARS = 450


@pytest.fixture
def store_id(gui_context: AppContext) -> uuid.UUID:
    sid = make_store(gui_context.database)
    statuses = [VehicleStatus.ON_SALE, VehicleStatus.ON_SALE, VehicleStatus.SOLD]
    rows = [
        dict(
            id=uuid.uuid4(),
            store_id=sid,
            stock_no=f"BJ01-S2026-{n:05d}",
            brand="丰田" if n % 2 else "本田",
            model="凯美瑞" if n % 2 else "雅阁",
            trim="2.0G",
            year=2015 + n % 10,
            mileage_km=10_000 + n,
            energy=Energy.PETROL,
            transmission=Transmission.AUTOMATIC,
            list_price=Decimal(100_000 + n * 100),
            status=statuses[n % 3],
            plate=f"京A{n:05d}",
        )
        for n in range(CARS)
    ]
    with gui_context.database.write() as s:
        s.execute(insert(Vehicle), rows)
    return sid


def test_rows_arrive_a_page_at_a_time(qtbot, runner: TaskRunner, store_id) -> None:  # type: ignore[no-untyped-def]
    model = InventoryModel(runner)
    model.reload()
    assert model.total == CARS
    assert model.rowCount() == InventoryModel.PAGE_SIZE
    assert model.canFetchMore(model.index(-1, -1))
    model.fetchMore(model.index(-1, -1))
    assert model.rowCount() == 2 * InventoryModel.PAGE_SIZE
    model.fetchMore(model.index(-1, -1))
    assert model.rowCount() == CARS
    assert not model.canFetchMore(model.index(-1, -1))


def test_cells_show_chinese_labels_and_formatted_figures(qtbot, runner, store_id) -> None:  # type: ignore[no-untyped-def]
    model = InventoryModel(runner)
    model.reload()
    cells = [model.index(1, c).data() for c in range(model.columnCount())]
    assert cells == [
        "BJ01-S2026-00001",
        "丰田",
        "凯美瑞 2.0G",
        "2016",
        "10,001",
        "¥100,100",
        "在售",
        "京A00001",
    ]
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(8)] == [
        "库存号",
        "品牌",
        "车型",
        "年份",
        "里程（公里）",
        "售价（元）",
        "状态",
        "车牌",
    ]


def test_filters_and_sorting_run_in_sql(qtbot, runner, store_id) -> None:  # type: ignore[no-untyped-def]
    model = InventoryModel(runner)
    model.set_query(VehicleFilter(status=VehicleStatus.SOLD))
    assert model.total == CARS // 3
    assert {model.row_at(n).status for n in range(model.rowCount())} == {VehicleStatus.SOLD}
    model.set_query(VehicleFilter(text="京A0044"))
    assert model.total == 10
    model.set_query(VehicleFilter())
    model.sort(5, Qt.SortOrder.DescendingOrder)  # price
    assert model.index(0, 0).data() == f"BJ01-S2026-{CARS - 1:05d}"


def test_search_box_waits_for_a_pause_then_filters(qtbot, gui_context, runner, store_id) -> None:  # type: ignore[no-untyped-def]
    user = StaffUser(uuid.uuid4(), "r", "钱前台", Role.RECEPTION, store_id, "BJ01", "测试展厅")
    screen = InventoryScreen(gui_context, runner, user)
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitUntil(lambda: screen.model.total == CARS)
    assert screen.count_label.text() == f"共 {CARS} 辆"
    # The newest intake comes first, not last year's sold cars.
    assert screen.model.index(0, 0).data() == f"BJ01-S2026-{CARS - 1:05d}"
    qtbot.keyClicks(screen.search, "S2026-001")  # stock numbers 00100 to 00199
    assert screen.model.total == CARS  # not yet: each keystroke does not query
    qtbot.waitUntil(lambda: screen.model.total == 100, timeout=2000)
    assert screen.count_label.text() == "共 100 辆"
    screen.status_filter.setCurrentIndex(screen.status_filter.findData("sold"))
    assert screen.model.total == len([n for n in range(100, 200) if n % 3 == 2])


def test_a_published_vehicle_change_reloads_the_visible_list(
    qtbot, gui_context, runner, store_id
) -> None:  # type: ignore[no-untyped-def]
    user = StaffUser(uuid.uuid4(), "r", "钱前台", Role.RECEPTION, store_id, "BJ01", "测试展厅")
    screen = InventoryScreen(gui_context, runner, user)
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitUntil(lambda: screen.model.total == CARS)
    with gui_context.database.write() as s:
        s.get_one(Vehicle, screen.model.row_at(0).id).status = VehicleStatus.RESERVED
    gui_context.bus.publish({"vehicle:changed"})
    assert screen.model.index(0, 6).data() == "已预订"


def test_prices_show_yuan_with_thousands() -> None:
    assert format_price(Decimal("168000.00")) == "¥168,000"
    assert format_price(Decimal("99999.50")) == "¥99,999.50"
