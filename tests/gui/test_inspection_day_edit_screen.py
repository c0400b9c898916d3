"""The manager changes or cancels an inspection day on screen and gets the customers to call."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from PySide6.QtCore import QTime
from PySide6.QtWidgets import QInputDialog

from db.models import AuditEntry, EventStatus, Role
from showroom.context import AppContext
from showroom.services import inspection_day as idays
from showroom.users import StaffUser
from tests.factories import make_staff, make_store
from ui.screens import inspection_day as screen_module
from ui.screens.inspection_day import CallListDialog, EditEventDialog, InspectionDayScreen
from ui.tasks import TaskRunner

# Far enough ahead to stay in the future whenever the suite runs; no clock is read here.
EVENT_DAY = date(2099, 3, 14)
CREATED = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def manager(gui_context: AppContext) -> StaffUser:
    store_id = make_store(gui_context.database)
    staff_id = make_staff(gui_context.database, store_id, "manager1", Role.MANAGER)
    return StaffUser(staff_id, "manager1", "赵店长", Role.MANAGER, store_id, "BJ01", "测试展厅")


@pytest.fixture
def event_id(gui_context: AppContext, manager: StaffUser) -> uuid.UUID:
    with gui_context.database.write() as s:
        (made,) = idays.create_events(
            s,
            manager.actor,
            manager.store_id,
            idays.EventForm("三月透明检测日", EVENT_DAY, time(9), time(17), 2, 2),
            now=CREATED,
        )
        for n in range(3):
            idays.register_by_phone(
                s,
                manager.actor,
                manager.store_id,
                event_id=made,
                phone=f"1380013{n:04d}",
                name="张伟李娜王芳"[n] + "先生",
                consent=True,
                car=idays.CarForm(plate=f"京A{n:05d}"),
                now=CREATED,
            )
    return made


def _screen(
    qtbot: Any, ctx: AppContext, runner: TaskRunner, user: StaffUser
) -> InspectionDayScreen:
    screen = InspectionDayScreen(ctx, runner, user)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    qtbot.waitUntil(lambda: screen.selected_event() is not None)
    return screen


def test_moving_a_day_lists_every_customer_to_phone_with_masked_numbers(
    qtbot: Any, gui_context: AppContext, runner: TaskRunner, manager: StaffUser, event_id: uuid.UUID
) -> None:
    screen = _screen(qtbot, gui_context, runner, manager)
    assert screen.edit_event_button.isVisible() and screen.edit_event_button.isEnabled()
    dialog = EditEventDialog(runner, manager, screen.selected_event(), screen)  # type: ignore[arg-type]
    dialog.succeeded.connect(screen._event_changed)
    qtbot.addWidget(dialog)
    dialog.seats.setValue(1)
    dialog.submit()
    assert "不能少于 2" in dialog.error.text() and dialog.seats.value() == 1  # kept as typed
    dialog.seats.setValue(3)
    dialog.opens.setTime(QTime(13, 0))
    dialog.submit()
    qtbot.waitUntil(lambda: screen.call_list is not None)
    call_list = screen.call_list
    assert isinstance(call_list, CallListDialog)
    rows = [call_list.model.row_at(r) for r in range(call_list.model.rowCount())]
    assert len(rows) == 3 and all(r is not None and "*" in r.phone_masked for r in rows)
    reasons = {call_list.model.index(r, 5).data() for r in range(3)}
    assert reasons == {"时间变更"}
    assert "获得名额" in screen.message.text()  # the wait-listed third got the new seat
    call_list.table.selectRow(0)
    call_list.reveal_button.click()
    qtbot.waitUntil(lambda: "1380013" in call_list.message.text())
    call_list.called_button.click()
    qtbot.waitUntil(lambda: call_list.model.rowCount() == 2)
    with gui_context.database.read() as s:
        event = idays.get_event(s, event_id)
        revealed = s.query(AuditEntry).filter_by(action="personal_data_revealed").count()
    assert (event.seats, event.seated, event.hours()) == (3, 3, "13:00–17:00")
    assert revealed == 1


def test_cancelling_a_day_shows_the_call_list_and_greys_the_day(
    qtbot: Any,
    gui_context: AppContext,
    runner: TaskRunner,
    manager: StaffUser,
    event_id: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screen = _screen(qtbot, gui_context, runner, manager)
    monkeypatch.setattr(screen_module.QInputDialog, "getText", lambda *_a, **_k: ("场地检修", True))
    assert QInputDialog is screen_module.QInputDialog
    screen.cancel_event_button.click()
    qtbot.waitUntil(lambda: screen.call_list is not None)
    assert screen.call_list.model.rowCount() == 3  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: "已取消" in screen.event_list.item(0).text())
    event = screen.selected_event()
    assert event is not None and event.status is EventStatus.CANCELLED
    assert not screen.register_button.isEnabled() and not screen.edit_event_button.isEnabled()
    assert screen.call_list_button.isEnabled()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 3)
    assert {screen.model.index(r, 6).data() for r in range(3)} == {"检测日取消·待电话通知"}


def test_only_the_manager_may_change_a_day(
    qtbot: Any, gui_context: AppContext, runner: TaskRunner, manager: StaffUser, event_id: uuid.UUID
) -> None:
    staff_id = make_staff(gui_context.database, manager.store_id, "reception1", Role.RECEPTION)
    desk = StaffUser(staff_id, "reception1", "钱前台", Role.RECEPTION, manager.store_id, "BJ01", "")
    screen = _screen(qtbot, gui_context, runner, desk)
    assert not screen.edit_event_button.isVisible()
    assert not screen.cancel_event_button.isVisible()
