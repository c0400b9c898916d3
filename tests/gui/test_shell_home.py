"""今日概览 shows today's figures as cards, chosen by role."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import Energy, Role, Store, Transmission, Vehicle, VehicleStatus
from showroom.context import AppContext
from showroom.services.auth import StaffUser
from ui.screens.home import CARDS_BY_ROLE, HomeScreen


def _user(gui_context: AppContext, role: Role) -> StaffUser:
    with gui_context.database.read() as s:
        store = s.scalars(select(Store)).one()
    return StaffUser(uuid.uuid4(), "u", "赵店长", role, store.id, store.code, store.name)


def _add_car(gui_context: AppContext, n: int, status: VehicleStatus) -> None:
    with gui_context.database.write() as s:
        store_id = s.scalars(select(Store.id)).one()
        s.add(
            Vehicle(
                store_id=store_id,
                stock_no=f"S{n}",
                brand="丰田",
                model="卡罗拉",
                year=2020,
                mileage_km=1,
                energy=Energy.PETROL,
                transmission=Transmission.MANUAL,
                list_price=Decimal(90000),
                status=status,
            )
        )


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_its_cards(qtbot, gui_context, runner, accounts, role) -> None:  # type: ignore[no-untyped-def]
    screen = HomeScreen(gui_context, runner, _user(gui_context, role))
    qtbot.addWidget(screen)
    assert tuple(screen.cards) == CARDS_BY_ROLE[role]
    assert "赵店长" in screen.greeting.text()


def test_figures_follow_published_changes(qtbot, gui_context, runner, accounts) -> None:  # type: ignore[no-untyped-def]
    _add_car(gui_context, 1, VehicleStatus.ON_SALE)
    screen = HomeScreen(gui_context, runner, _user(gui_context, Role.MANAGER))
    qtbot.addWidget(screen)
    screen.show()
    cars = screen.cards["cars"]
    assert cars.value_label.text() == "1"
    assert cars.detail_label.text() == "已预订 0 辆"
    assert screen.cards["deposits"].detail_label.text() == "合计 ¥0.00"
    assert screen.cards["inspection_day"].detail_label.text() == "暂无安排"
    _add_car(gui_context, 2, VehicleStatus.ON_SALE)
    _add_car(gui_context, 3, VehicleStatus.RESERVED)
    gui_context.bus.publish({"vehicles"})
    assert cars.value_label.text() == "2"
    assert cars.detail_label.text() == "已预订 1 辆"


def test_a_hidden_home_screen_waits_until_shown(qtbot, gui_context, runner, accounts) -> None:  # type: ignore[no-untyped-def]
    screen = HomeScreen(gui_context, runner, _user(gui_context, Role.MANAGER))
    qtbot.addWidget(screen)
    assert screen.cards["cars"].value_label.text() == "0"
    _add_car(gui_context, 1, VehicleStatus.ON_SALE)
    gui_context.bus.publish({"vehicles"})
    assert screen.cards["cars"].value_label.text() == "0"  # not visible: no query yet
    screen.show()
    assert screen.cards["cars"].value_label.text() == "1"
