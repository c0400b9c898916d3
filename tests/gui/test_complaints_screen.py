"""投诉 at the desk: recorded with an owner and deadline, overdue on the manager's home."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from db.models import Complaint, Customer
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.services import auth
from showroom.services import complaints as cp
from showroom.users import StaffUser
from tests.gui.conftest import Account
from tests.gui.shots import shots_dir
from ui.dialogs.complaint import ComplaintDialog, ResolveComplaintDialog
from ui.screens.complaints import ComplaintsScreen
from ui.screens.home import HomeScreen
from ui.tasks import TaskRunner

SHOTS = shots_dir("i24")


def _sign_in(context: AppContext, accounts: dict[str, Account], name: str) -> StaffUser:
    with context.database.write() as s:
        return auth.sign_in(s, name, accounts[name].password)


@pytest.fixture
def sales(gui_context: AppContext, accounts: dict[str, Account]) -> StaffUser:
    user = _sign_in(gui_context, accounts, "sales1")
    with gui_context.database.write() as s:
        s.add(Customer(store_id=user.store_id, name="王小明", phone="13812345678"))
    return user


def test_a_complaint_is_recorded_listed_and_resolved(
    qtbot,
    gui_context: AppContext,
    runner: TaskRunner,
    sales: StaffUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ComplaintDialog, "open", lambda self: None)
    monkeypatch.setattr(ResolveComplaintDialog, "open", lambda self: None)
    screen = ComplaintsScreen(gui_context, runner, sales)
    qtbot.addWidget(screen)
    screen.resize(1280, 720)
    screen.record()
    dialog = screen.findChild(ComplaintDialog)
    assert dialog is not None and dialog.owner.count() >= 2  # me, then the others
    dialog.submit()
    assert "手机号" in dialog.error.text()
    dialog.phone.setText("13812345678")
    dialog._find_customer()
    dialog.topic.setCurrentIndex(2)  # 手续证件
    dialog.submit()
    assert "投诉的内容" in dialog.error.text() and dialog.phone.text() == "13812345678"
    dialog.description.setPlainText("过户资料迟迟没有寄出")
    # A car found for an earlier plate does not stay when the plate typed now is unknown.
    import uuid
    from decimal import Decimal

    from db.models import VehicleStatus
    from showroom.services.vehicles import CarChoice

    dialog._car_found(
        CarChoice(
            uuid.uuid4(),
            "BJ01-S2026-00042",
            "京A12345",
            "大众 朗逸",
            Decimal(1),
            VehicleStatus.SOLD,
            True,
        )
    )
    dialog.car_input.setText("京Z99999")
    dialog._find_car()
    assert dialog.car is None and dialog.car_label.text() == ""
    dialog.submit()
    assert "没有找到所填的车辆" in dialog.error.text()
    assert dialog.description.toPlainText() == "过户资料迟迟没有寄出"
    dialog.car_input.setText("")
    dialog._find_car()
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "complaint_dialog.png"))
    dialog.submit()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert "BJ01-C2026-000001" in screen.message.text() and "孙顾问" in screen.message.text()
    assert screen.model.rowCount() == 1
    cells = [screen.model.index(0, c).data() for c in range(9)]
    assert cells[2] == "王** 138****5678" and cells[3] == "手续证件" and cells[8] == "处理中"
    screen.grab().save(str(SHOTS / "complaints_screen.png"))

    screen.table.selectRow(0)
    assert screen.resolve_button.isEnabled()
    screen.resolve()
    resolver = screen.findChild(ResolveComplaintDialog)
    assert resolver is not None
    resolver.submit()
    assert "处理结果" in resolver.error.text()
    resolver.resolution.setPlainText("已当天寄出，并电话致歉")
    resolver.satisfaction.setCurrentIndex(1)  # 5 分
    resolver.submit()
    assert resolver.result() == resolver.DialogCode.Accepted
    assert screen.model.rowCount() == 0  # only the open ones by default
    screen.open_only.setChecked(False)
    assert screen.model.index(0, 8).data() == "已处理（满意度 5）"


def test_overdue_complaints_are_named_on_the_manager_home_screen(
    qtbot,
    gui_context: AppContext,
    runner: TaskRunner,
    accounts: dict[str, Account],
    sales: StaffUser,
) -> None:
    with gui_context.database.read() as s:
        customer = s.scalars(select(Customer.id)).one()
    with gui_context.database.write() as s:
        late = cp.record(
            s,
            sales,
            cp.ComplaintInput(customer, "car", "空调不制冷"),
            response_hours=24,
            now=utcnow() - timedelta(hours=30),
        )
    manager = _sign_in(gui_context, accounts, "manager")
    home = HomeScreen(gui_context, runner, manager)
    qtbot.addWidget(home)
    home.resize(1280, 760)
    home.show()
    text = home.complaints_label.text()
    assert home.complaints_label.isVisible()
    assert late.complaint_no in text and "孙顾问" in text and "超时 6 小时" in text
    home.grab().save(str(SHOTS / "manager_home_overdue.png"))
    # The consultant's home does not carry the manager's alarm.
    desk = HomeScreen(gui_context, runner, sales)
    qtbot.addWidget(desk)
    assert desk.complaints_label.text() == ""
    with gui_context.database.read() as s:
        assert s.scalars(select(Complaint.status)).one() == "open"
