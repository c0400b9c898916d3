"""The comparison basket and view: adding, the full basket, differences, removing, printing."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from sqlalchemy import select

from db.models import Document as DocumentRow
from db.models import DocumentKind
from showroom.context import AppContext
from tests.factories import make_store
from tests.factories_vehicles import make_vehicle
from ui.widgets.comparison import ComparisonBasket, ComparisonView


def test_basket_refuses_a_fifth_car_and_a_repeat(qtbot) -> None:  # type: ignore[no-untyped-def]
    basket = ComparisonBasket()
    ids = [uuid.uuid4() for _ in range(5)]
    with qtbot.waitSignal(basket.changed):
        assert basket.add(ids[0]) is None
    assert basket.add(ids[0]) == "这辆车已在对比中"
    for vid in ids[1:4]:
        assert basket.add(vid) is None
    assert basket.add(ids[4]) == "最多同时对比 4 辆车，请先移除一辆"
    assert basket.ids() == ids[:4] and basket.len() == 4
    basket.remove(ids[1])
    assert basket.ids() == [ids[0], ids[2], ids[3]]
    basket.clear()
    assert basket.len() == 0


def cars(gui_context: AppContext) -> list[uuid.UUID]:
    store = make_store(gui_context.database)
    return [
        make_vehicle(gui_context.database, store),
        make_vehicle(
            gui_context.database, store, model="迈腾", list_price=Decimal("149800"), year=2020
        ),
        make_vehicle(gui_context.database, store, model="速腾", mileage_km=8000),
    ]


def texts(view: ComparisonView, column: int) -> list[str]:
    model = view.table.model()
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_view_shows_sections_differences_and_best(qtbot, gui_context, runner) -> None:  # type: ignore[no-untyped-def]
    ids = cars(gui_context)
    basket = ComparisonBasket()
    view = ComparisonView(gui_context, runner, basket)
    qtbot.addWidget(view)
    assert view.empty_label.isVisibleTo(view) and not view.table.isVisibleTo(view)
    basket.add(ids[0])
    assert "再选择至少 1 辆" in view.empty_label.text()
    basket.add(ids[1])
    basket.add(ids[2])
    assert view.table.isVisibleTo(view)
    labels = texts(view, 0)
    assert labels[0] == "基本信息" and "价格" in labels and "配置" in labels
    price_row = labels.index("售价")
    assert texts(view, 2)[price_row] == "14.98万元 ★"
    assert texts(view, 1)[price_row] == "15.98万元"
    model = view.table.model()
    # The differing row is shaded in the difference colour; the best price is green and bold.
    background, foreground = Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole
    for column in (1, 2, 3):
        assert model.index(price_row, column).data(background).color() == QColor("#fff4d6")
    assert model.index(price_row, 2).data(foreground).color() == QColor("#2e7d32")
    assert model.index(price_row, 2).data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(price_row, 1).data(foreground) is None
    same_row = labels.index("能源类型")  # all three cars are petrol: no shading
    assert model.index(same_row, 1).data(background) is None
    # And the shade reaches the screen (the style sheet would otherwise paint over it).
    view.resize(1200, 900)
    view.show()
    table = view.table
    table.scrollTo(model.index(price_row, 1))
    rect = table.visualRect(model.index(price_row, 1))
    image = table.viewport().grab().toImage()
    assert image.pixelColor(rect.left() + 2, rect.center().y()) == QColor("#fff4d6")
    assert texts(view, 3)[labels.index("表显里程")] == "0.80万公里 ★"
    assert "能源类型" in labels
    assert model.headerData(1, Qt.Orientation.Horizontal).startswith("大众 帕萨特\nBJ01-S2026-")

    view.only_differences.setChecked(True)
    labels = texts(view, 0)
    assert "售价" in labels and "能源类型" not in labels and "倒车影像" not in labels

    qtbot.mouseClick(view.remove_buttons[0], Qt.MouseButton.LeftButton)
    assert basket.ids() == ids[1:]
    assert model.columnCount() == 3


def test_pdf_goes_through_the_archive(qtbot, gui_context, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ids = cars(gui_context)
    basket = ComparisonBasket()
    for vid in ids:
        basket.add(vid)
    view = ComparisonView(gui_context, runner, basket)
    qtbot.addWidget(view)
    out = tmp_path / "cmp.pdf"
    view.save_pdf(str(out))
    assert out.read_bytes().startswith(b"%PDF")
    with gui_context.database.read() as session:
        row = session.execute(select(DocumentRow)).scalar_one()
        assert row.kind is DocumentKind.COMPARISON
        assert row.number.startswith("BJ01-CP") and row.number.endswith("-00001")
    assert "已保存" in view.count_label.text()


def test_kiosk_view_has_no_print_and_big_targets(qtbot, gui_context, runner) -> None:  # type: ignore[no-untyped-def]
    ids = cars(gui_context)
    basket = ComparisonBasket()
    for vid in ids[:2]:
        basket.add(vid)
    view = ComparisonView(gui_context, runner, basket, kiosk=True)
    qtbot.addWidget(view)
    view.resize(1920, 1080)
    view.show()
    qtbot.waitExposed(view)
    assert not view.print_button.isVisible() and not view.pdf_button.isVisible()
    for button in (*view.remove_buttons, view.clear_button):
        assert button.height() >= 48
