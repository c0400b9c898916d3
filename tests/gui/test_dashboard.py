"""The manager's dashboard draws every chart with Chinese titles and exports PNG and CSV."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QDate
from sqlalchemy import select

from db.models import (
    Contract,
    ContractKind,
    ContractStatus,
    Customer,
    Energy,
    SourceChannel,
    Staff,
    Transmission,
    Vehicle,
    VehicleStatus,
    Visit,
    VisitPurpose,
)
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.services import auth, targets
from showroom.services.reports import CHARTS
from showroom.users import StaffUser
from ui.screens.dashboard import PRESETS, DashboardScreen

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _manager(gui_context: AppContext, accounts) -> StaffUser:  # type: ignore[no-untyped-def]
    with gui_context.database.write() as s:
        return auth.sign_in(s, "manager", accounts["manager"].password)


def _some_business(gui_context: AppContext) -> None:
    now = utcnow()
    with gui_context.database.write() as s:
        sales = s.scalars(select(Staff).where(Staff.username == "sales1")).one()
        store_id = sales.store_id
        customers = []
        for n in range(3):
            c = Customer(store_id=store_id, name=f"测试客户{n}", phone=f"1390000000{n}")
            s.add(c)
            customers.append(c)
        s.flush()
        for n, c in enumerate(customers):
            s.add(
                Visit(
                    store_id=store_id,
                    visit_no=f"V{n}",
                    customer_id=c.id,
                    purpose=VisitPurpose.BUY,
                    source_channel=SourceChannel.WALK_IN,
                    arrived_at=now - timedelta(hours=2 + n),
                    consultant_id=sales.id,
                )
            )
        car = Vehicle(
            store_id=store_id,
            stock_no="S1",
            brand="丰田",
            model="卡罗拉",
            year=2021,
            mileage_km=20000,
            energy=Energy.PETROL,
            transmission=Transmission.AUTOMATIC,
            list_price=Decimal(100000),
            status=VehicleStatus.SOLD,
            listed_at=now - timedelta(days=40),
        )
        s.add(car)
        s.flush()
        s.add(
            Contract(
                store_id=store_id,
                contract_no="C1",
                kind=ContractKind.SALE,
                status=ContractStatus.SIGNED,
                vehicle_id=car.id,
                customer_id=customers[0].id,
                consultant_id=sales.id,
                price=Decimal(97000),
                signed_at=now - timedelta(hours=1),
            )
        )


def _screen(qtbot, gui_context, runner, accounts) -> DashboardScreen:  # type: ignore[no-untyped-def]
    screen = DashboardScreen(gui_context, runner, _manager(gui_context, accounts))
    qtbot.addWidget(screen)
    screen.resize(1600, 1000)
    screen.preset_combo.setCurrentIndex(PRESETS.index("last30"))
    return screen


def test_every_chart_is_drawn_with_a_chinese_title(qtbot, gui_context, runner, accounts) -> None:  # type: ignore[no-untyped-def]
    _some_business(gui_context)
    screen = _screen(qtbot, gui_context, runner, accounts)
    assert screen.busy_bar.isHidden()
    assert screen.kpis["visits"].value_label.text() == "3"
    assert screen.kpis["conversion"].value_label.text() == "33.3%"
    assert screen.kpis["conversion"].detail_label.text() == "成交 1 / 意向客户 3"
    assert set(screen.charts) == set(CHARTS)
    for key, chart in screen.charts.items():
        axes = chart.figure.axes
        assert axes, key
        assert CHINESE.search(axes[0].get_title()), (key, axes[0].get_title())
        assert chart.png_button.isEnabled() and chart.csv_button.isEnabled()
    assert len(screen.charts["traffic_day"].figure.axes[0].patches) == 30  # one bar a day
    assert len(screen.charts["traffic_hour"].figure.axes[0].patches) == 24
    funnel = screen.charts["funnel"].figure.axes[0]
    assert [p.get_width() for p in funnel.patches] == [3, 0, 0, 1]
    consultants = screen.charts["consultants"].figure.axes[0]
    assert [t.get_text() for t in consultants.get_xticklabels()] == ["孙顾问"]
    assert len(consultants.patches) == 4  # visits, drives, deposits, deals for one person
    assert len(screen.charts["stock_age"].figure.axes[0].patches) == 4
    # No inspection day in the range: said in words, not an empty frame.
    texts = [t.get_text() for t in screen.charts["inspection_days"].figure.axes[0].texts]
    assert texts == ["所选时间内没有透明检测日"]
    # 成交率, 回访率, 复购率, 试驾成交率, 线索及时响应率
    assert len(screen.charts["rates"].figure.axes[0].patches) == 5
    # A few visits still count in whole visits: no 0.5 on the axis.
    for key in ("traffic_day", "traffic_hour", "consultants", "stock_age"):
        axis = screen.charts[key].figure.axes[0]
        axis.figure.canvas.draw()
        assert all(float(t).is_integer() for t in axis.get_yticks()), (key, axis.get_yticks())


def test_a_chart_exports_as_png_and_its_data_as_csv(
    qtbot, gui_context, runner, accounts, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _some_business(gui_context)
    screen = _screen(qtbot, gui_context, runner, accounts)
    png, csv = tmp_path / "funnel.png", tmp_path / "funnel.csv"
    screen.export_png("funnel", str(png))
    screen.export_csv("funnel", str(csv))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert csv.read_text(encoding="utf-8-sig").splitlines() == [
        "环节,客户数",
        "到店,3",
        "试驾,0",
        "意向金,0",
        "成交,1",
    ]
    assert screen.status_label.text() == f"已导出：{csv}"
    screen.export_csv("funnel", str(tmp_path / "missing" / "x.csv"))
    assert screen.error_label.text().startswith("无法保存文件：")


def test_a_reversed_custom_range_says_so(qtbot, gui_context, runner, accounts) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, accounts)
    screen.preset_combo.setCurrentIndex(PRESETS.index("custom"))
    assert screen.start_edit.isEnabled()
    screen.start_edit.setDate(QDate(2026, 5, 10))
    screen.end_edit.setDate(QDate(2026, 5, 1))
    assert screen.error_label.text() == "结束日期不能早于开始日期。"
    screen.end_edit.setDate(QDate(2026, 5, 31))
    assert screen.error_label.isHidden()
    assert screen.status_label.text() == "2026-05-10 至 2026-05-31"


def test_the_manager_sets_targets_and_the_cards_turn_green_or_red(
    qtbot, gui_context, runner, accounts
) -> None:  # type: ignore[no-untyped-def]
    _some_business(gui_context)  # last 30 days: 3 visits, conversion 1/3
    screen = _screen(qtbot, gui_context, runner, accounts)
    screen.show()  # the dialog's event loop paints the charts: give them their size
    assert screen.targets_button.isVisible()
    screen.targets_button.click()
    dialog = screen.targets_dialog
    visits_target, visits_warning = dialog.rows["visits"]
    visits_target.setValue(300)
    visits_warning.setValue(300)  # not below the target: refused, numbers kept
    dialog.accept()
    assert (
        dialog.isVisible() and dialog.error_label.text() == "预警线应低于目标（不设预警线请留空）。"
    )
    visits_warning.setValue(200)
    dialog.rows["conversion"][0].setValue(20)
    dialog.accept()
    assert not dialog.isVisible()
    assert screen.kpis["visits"]._value_tone == "danger"  # 3 against 300 a month
    assert screen.kpis["conversion"]._value_tone == "success"  # 33 % against 20 %
    assert screen.kpis["conversion"].detail_label.text().endswith("目标 20%")
    assert screen.kpis["visits"].detail_label.text().endswith("目标 300 批 · 预警 200")
    # Over 7 days a month's target is 70 visitors (300 × 7 / 30), said whole, not 70.0.
    screen.preset_combo.setCurrentIndex(PRESETS.index("custom"))
    screen.start_edit.setDate(screen.end_edit.date().addDays(-6))
    qtbot.waitUntil(lambda: "目标 70 批" in screen.kpis["visits"].detail_label.text())
    assert screen.kpis["visits"].detail_label.text().endswith("目标 70 批 · 预警 47")
    assert screen.kpis["revisit"]._value_tone == ""  # no target, no colour
    rates = screen.charts["rates"].figure.axes[0]
    assert len(rates.lines) == 1  # the conversion target's dashed line
    assert len(screen.charts["traffic_day"].figure.axes[0].lines) == 1  # the daily target


def test_the_new_figures_show_on_cards_charts_and_the_consultants_table(
    qtbot, gui_context, runner, accounts
) -> None:  # type: ignore[no-untyped-def]
    _some_business(gui_context)
    with gui_context.database.write() as s:
        sales = s.scalars(select(Staff).where(Staff.username == "sales1")).one()
        for c in s.scalars(select(Customer).where(Customer.name.like("测试客户%"))):
            c.source_channel = SourceChannel.SHORT_VIDEO
        first = s.scalars(select(Visit).where(Visit.visit_no == "V2")).one()
        first.lost_reason = "价格太高"
        sales_id = sales.id
    manager = _manager(gui_context, accounts)
    with gui_context.database.write() as s:
        targets.save_targets(s, manager, [], [(sales_id, "deals", 30, 15)])
    screen = _screen(qtbot, gui_context, runner, accounts)
    assert screen.kpis["new_customers"].value_label.text() == "3"
    assert screen.kpis["deal_amount"].value_label.text() == "¥97,000"
    channels = screen.charts["channels"].figure.axes[0]
    assert [t.get_text() for t in channels.get_yticklabels()] == ["短视频"]
    assert any("3 / 1  33.3%" in t.get_text() for t in channels.texts)
    lost = screen.charts["lost_reasons"].figure.axes[0]
    assert [t.get_text() for t in lost.get_yticklabels()] == ["价格太高"]
    platforms = screen.charts["platforms"].figure.axes[0]
    assert [t.get_text() for t in platforms.texts] == ["所选时间内没有来自线索平台的客户"]
    table = screen.consultant_table
    assert table.rowCount() == 1
    row = [table.item(0, n).text() for n in range(table.columnCount())]
    assert row[0] == "孙顾问" and row[6] == "1" and row[7] == "¥97,000"
    # 30 deals a month over 30 days is 30: one deal is below the warning level, red.
    assert row[10] == "目标 30"
    assert table.item(0, 6).foreground().color().name() == "#c62828"


def test_the_targets_dialog_stores_consultant_targets(qtbot, gui_context, runner, accounts) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, accounts)
    screen.open_targets()
    qtbot.waitUntil(lambda: screen.targets_dialog is not None and screen.targets_dialog.isVisible())
    dialog = screen.targets_dialog
    assert dialog is not None
    with gui_context.database.read() as s:
        sales_id = s.scalars(select(Staff.id).where(Staff.username == "sales1")).one()
    target, warning = dialog.personal_rows[(sales_id, "amount")]
    target.setValue(2_000_000)
    warning.setValue(1_000_000)
    dialog.rows["new_customers"][0].setValue(80)
    dialog.accept()

    def saved() -> bool:
        with gui_context.database.read() as s:
            personal = targets.list_consultant_targets(s, None)
            store = targets.list_targets(s, None)
        return sales_id in personal and "new_customers" in store

    qtbot.waitUntil(saved, timeout=5000)
    with gui_context.database.read() as s:
        amount = targets.list_consultant_targets(s, None)[sales_id]["amount"]
    assert (amount.target, amount.warning) == (2_000_000.0, 1_000_000.0)
