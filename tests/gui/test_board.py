"""The visitor board: states move with the buttons, waiting too long is highlighted, it polls."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from db.models import Customer, IntentGrade, Store, Title, Visit, VisitOutcome, VisitStatus
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.services import auth, reception
from showroom.users import StaffUser
from tests.gui.conftest import Account
from ui.screens.board import (
    ALARM_BACKGROUND,
    COL_CONSULTANT,
    COL_MINUTES,
    COL_RESULT,
    COL_STATUS,
    BoardScreen,
)


@pytest.fixture
def manager(gui_context: AppContext, accounts: dict[str, Account]) -> StaffUser:
    with gui_context.database.write() as s:
        return auth.sign_in(s, "manager", accounts["manager"].password)


def _arrive(gui_context: AppContext, user: StaffUser, phone: str, minutes_ago: int) -> uuid.UUID:
    with gui_context.database.write() as s:
        store_id = s.scalars(select(Store.id)).one()
        customer = Customer(store_id=store_id, name="周", title=Title.MR, phone=phone)
        s.add(customer)
        s.flush()
        result = reception.check_in(
            s,
            user.actor,
            store_id,
            customer_id=customer.id,
            now=utcnow() - timedelta(minutes=minutes_ago),
        )
        return result.visit_id


def _screen(qtbot, gui_context, runner, user) -> BoardScreen:  # type: ignore[no-untyped-def]
    screen = BoardScreen(gui_context, runner, user)
    qtbot.addWidget(screen)
    screen.resize(1280, 700)
    screen.show()
    return screen


def _cell(screen: BoardScreen, row: int, column: int, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
    return screen.model.index(row, column).data(role)


def test_board_moves_a_visitor_through_every_state(qtbot, gui_context, runner, manager) -> None:  # type: ignore[no-untyped-def]
    visit_id = _arrive(gui_context, manager, "13800000001", 1)
    screen = _screen(qtbot, gui_context, runner, manager)
    assert screen.model.rowCount() == 1
    assert _cell(screen, 0, COL_STATUS) == "等待接待"
    assert _cell(screen, 0, COL_CONSULTANT) == "孙顾问"
    assert screen.summary.text() == "等待 1 · 接待中 0 · 试驾中 0 · 已离店 0"
    screen.table.selectRow(0)
    assert screen.greet_button.isEnabled() and not screen.back_button.isEnabled()
    screen.greet_button.click()
    assert _cell(screen, 0, COL_STATUS) == "顾问接待中"
    screen.table.selectRow(0)
    screen.drive_button.click()
    assert _cell(screen, 0, COL_STATUS) == "试驾中"
    screen.table.selectRow(0)
    screen.back_button.click()
    assert _cell(screen, 0, COL_STATUS) == "顾问接待中"
    screen.table.selectRow(0)
    screen.open_check_out()
    dialog = screen.check_out_dialog
    dialog.outcome_combo.setCurrentIndex(dialog.outcome_combo.findData(VisitOutcome.DEPOSIT))
    dialog.grade_combo.setCurrentIndex(dialog.grade_combo.findData(IntentGrade.A))
    dialog.ok_button.click()
    assert screen.check_out_dialog is None
    assert _cell(screen, 0, COL_STATUS) == "已离店"
    assert _cell(screen, 0, COL_RESULT) == "交意向金 · A 级"
    assert screen.summary.text() == "等待 0 · 接待中 0 · 试驾中 0 · 已离店 1"
    with gui_context.database.read() as s:
        visit = s.get_one(Visit, visit_id)
        assert (visit.status, visit.outcome, visit.intent_grade) == (
            VisitStatus.LEFT,
            VisitOutcome.DEPOSIT,
            IntentGrade.A,
        )
    screen.table.selectRow(0)
    assert not screen.check_out_button.isEnabled() and not screen.greet_button.isEnabled()


def test_waiting_longer_than_the_alarm_is_highlighted(qtbot, gui_context, runner, manager) -> None:  # type: ignore[no-untyped-def]
    _arrive(gui_context, manager, "13800000001", 12)
    _arrive(gui_context, manager, "13800000002", 1)
    screen = _screen(qtbot, gui_context, runner, manager)
    assert gui_context.settings["waiting_alarm_minutes"] == 5
    assert _cell(screen, 0, COL_MINUTES) == "⚠ 12 分钟"
    assert _cell(screen, 1, COL_MINUTES) == "1 分钟"
    background = _cell(screen, 0, COL_STATUS, Qt.ItemDataRole.BackgroundRole)
    assert background is not None and background.color() == ALARM_BACKGROUND
    assert _cell(screen, 1, COL_STATUS, Qt.ItemDataRole.BackgroundRole) is None
    assert screen.summary.text().endswith("1 位等待超时")


def test_board_picks_up_changes_from_another_pc_by_polling(
    qtbot, gui_context, runner, manager
) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, manager)
    assert screen.model.rowCount() == 0
    _arrive(gui_context, manager, "13800000001", 0)  # written without the bus: another PC
    screen._poll.setInterval(50)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=3000)


def test_board_refreshes_when_this_pc_publishes_visits(qtbot, gui_context, runner, manager) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, manager)
    _arrive(gui_context, manager, "13800000001", 0)
    gui_context.bus.publish({"visits"})
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=2000)


def test_a_no_interest_check_out_records_the_lost_deal_reason(
    qtbot, gui_context, runner, manager
) -> None:  # type: ignore[no-untyped-def]
    visit_id = _arrive(gui_context, manager, "13800000001", 1)
    screen = _screen(qtbot, gui_context, runner, manager)
    screen.table.selectRow(0)
    screen.open_check_out()
    dialog = screen.check_out_dialog
    assert not dialog.lost_combo.isEnabled()  # only for 无意向
    dialog.outcome_combo.setCurrentIndex(dialog.outcome_combo.findData(VisitOutcome.NO_INTEREST))
    assert dialog.lost_combo.isEnabled()
    dialog.lost_combo.setCurrentIndex(dialog.lost_combo.findData("价格太高"))
    dialog.grade_combo.setCurrentIndex(dialog.grade_combo.findData(IntentGrade.D))
    dialog.ok_button.click()
    assert screen.check_out_dialog is None
    with gui_context.database.read() as s:
        assert s.get_one(Visit, visit_id).lost_reason == "价格太高"
