"""The desk hears kiosk self check-ins: a chime and a line on the board, then 接待 or 未见到此人."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QPushButton
from sqlalchemy import select

from db.models import Customer, KioskArrival, Staff, Store, Title, Visit
from showroom.context import AppContext
from showroom.services import auth
from showroom.services import self_check_in as sci
from showroom.users import StaffUser
from tests.gui.conftest import Account
from ui.screens.board import BoardScreen

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


@pytest.fixture
def desk(gui_context: AppContext, accounts: dict[str, Account]) -> StaffUser:
    with gui_context.database.write() as s:
        store_id = s.scalars(select(Store.id)).one()
        owner = s.scalars(select(Staff.id).where(Staff.username == "sales1")).one()
        s.add(
            Customer(
                store_id=store_id,
                name="薛明",
                title=Title.MR,
                phone="13812345678",
                owner_id=owner,
                owner_since=NOW,
            )
        )
        return auth.sign_in(s, "reception", accounts["reception"].password)


def _kiosk_phone(gui_context: AppContext, phone: str, at: datetime) -> None:
    with gui_context.database.write() as s:
        store_id = s.scalars(select(Store.id)).one()
        sci.check_in_by_phone(s, store_id, phone, kiosk="大厅自助机", now=at)
    gui_context.bus.publish({"kiosk_arrivals"})


def _lines(screen: BoardScreen) -> list[str]:
    panel = screen.arrivals_panel
    return [line.findChild(QLabel).text() for line in panel.lines]


def test_a_kiosk_check_in_chimes_and_is_listed_for_the_desk(
    qtbot: Any, gui_context: AppContext, runner: Any, desk: StaffUser
) -> None:
    screen = BoardScreen(gui_context, runner, desk, clock=lambda: NOW + timedelta(minutes=1))
    qtbot.addWidget(screen)
    screen.show()
    chimes: list[int] = []
    screen.arrivals._play = lambda: chimes.append(1)
    assert screen.arrivals_panel.isHidden()  # nothing waiting, nothing shown

    _kiosk_phone(gui_context, "13812345678", NOW)
    _kiosk_phone(gui_context, "13900000009", NOW + timedelta(seconds=20))
    assert len(chimes) == 2
    assert screen.arrivals_panel.isVisible()
    lines = _lines(screen)
    assert "大厅自助机" in lines[0] and "薛明 先生" in lines[0] and "孙顾问" in lines[0]
    assert "尾号 0009" in lines[1] and "未登记的号码" in lines[1]

    receive = screen.arrivals_panel.lines[0].findChildren(QPushButton)[0]
    assert receive.text() == "接待"
    receive.click()
    with gui_context.database.read() as s:
        (visit,) = s.scalars(select(Visit)).all()
        assert visit.arrived_at == NOW
    dismiss = screen.arrivals_panel.lines[0].findChildren(QPushButton)[1]
    assert dismiss.text() == "未见到此人"
    dismiss.click()
    assert screen.arrivals_panel.isHidden()
    with gui_context.database.read() as s:
        outcomes = sorted(s.scalars(select(KioskArrival.outcome)))
    assert outcomes == ["dismissed", "received"]
    assert len(chimes) == 2  # handling them does not ring again


def test_a_kiosk_typing_many_numbers_is_flagged_on_the_board(
    qtbot: Any, gui_context: AppContext, runner: Any, desk: StaffUser
) -> None:
    at = NOW
    for n in range(4):
        _kiosk_phone(gui_context, f"1390000000{n}", at)
        at += timedelta(seconds=30)
    screen = BoardScreen(gui_context, runner, desk, clock=lambda: at)
    qtbot.addWidget(screen)
    screen.show()
    assert "大厅自助机" in screen.arrivals_panel.alert.text()
    assert "4 个不同号码" in screen.arrivals_panel.alert.text()
    assert any(line.startswith("⚠") and "可疑" in line for line in _lines(screen))
