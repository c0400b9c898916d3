"""The manager's PIPL actions on the customer record: withdraw, export, erase."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import Customer, FollowUp, FollowUpStatus, Staff, Title
from showroom.context import AppContext
from showroom.services import reception
from showroom.services.reception import NewCustomer
from showroom.users import StaffUser
from tests.gui.shots import shots_dir
from ui.dialogs.customer_record import CustomerRecordDialog

SHOTS = shots_dir("i17")


def _user(context: AppContext, username: str) -> StaffUser:
    with context.database.read() as s:
        staff = s.scalars(select(Staff).where(Staff.username == username)).one()
        return StaffUser(
            staff.id,
            staff.username,
            staff.display_name,
            staff.roles,
            staff.store_id,
            "BJ01",
            "展厅",
        )


@pytest.fixture
def customer(gui_context: AppContext, accounts: dict[str, object]) -> uuid.UUID:
    manager = _user(gui_context, "manager")
    form = NewCustomer(
        name="王芳", title=Title.MS, phone="13912345678", consent_service=True,
        consent_marketing=True,
    )  # fmt: skip
    with gui_context.database.write() as s:
        customer_id = reception.create_customer(s, manager.actor, manager.store_id, form)
        s.add(FollowUp(customer_id=customer_id, due_on=__import__("datetime").date(2030, 1, 2),
                       reason="visit"))  # fmt: skip
    return customer_id


def _dialog(qtbot, gui_context, runner, username: str, customer_id: uuid.UUID):  # type: ignore[no-untyped-def]
    dialog = CustomerRecordDialog(gui_context, runner, _user(gui_context, username), customer_id)
    qtbot.addWidget(dialog)
    if SHOTS.parent.exists():
        from ui.style import app_font, style_sheet

        dialog.setFont(app_font())  # as the app shows it, for the screenshots
        dialog.setStyleSheet(style_sheet())
    dialog.show()
    return dialog


def _shot(dialog: CustomerRecordDialog, name: str) -> None:
    if SHOTS.parent.exists():
        SHOTS.mkdir(parents=True, exist_ok=True)
        dialog.grab().save(str(SHOTS / name))


def test_only_the_manager_sees_the_privacy_actions(qtbot, gui_context, runner, customer) -> None:  # type: ignore[no-untyped-def]
    sales = _dialog(qtbot, gui_context, runner, "sales1", customer)
    assert not sales.erase_button.isVisibleTo(sales)
    manager = _dialog(qtbot, gui_context, runner, "manager", customer)
    for button in (manager.withdraw_button, manager.export_button, manager.erase_button):
        assert button.isVisibleTo(manager) and button.isEnabled()
    _shot(manager, "customer_record_manager.png")


def test_withdrawing_marketing_shows_at_once_and_stops_the_calls(  # type: ignore[no-untyped-def]
    qtbot, gui_context, runner, customer
) -> None:
    dialog = _dialog(qtbot, gui_context, runner, "manager", customer)
    dialog.withdraw_marketing()
    assert "已撤回营销同意，停止了 1 条营销回访" in dialog.message.text()
    assert not dialog.withdraw_button.isEnabled()  # nothing left to withdraw
    assert dialog.record is not None and dialog.record.marketing_consent is False
    with gui_context.database.read() as s:
        assert s.scalars(select(FollowUp.status)).one() is FollowUpStatus.SKIPPED
    _shot(dialog, "customer_record_withdrawn.png")


def test_export_writes_a_readable_pdf_and_the_same_as_json(  # type: ignore[no-untyped-def]
    qtbot, gui_context, runner, customer, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, gui_context, runner, "manager", customer)
    dialog.export_to(tmp_path / "王芳")
    pdf, data = tmp_path / "王芳.pdf", tmp_path / "王芳.json"
    assert pdf.read_bytes().startswith(b"%PDF")
    exported = json.loads(data.read_text(encoding="utf-8"))
    assert exported["客户资料"]["手机号"] == "13912345678"
    assert "王芳.pdf" in dialog.message.text()
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "个人信息副本" in text and "13912345678" in text and "王芳" in text
    if shutil.which("pdftoppm") and SHOTS.parent.exists():
        SHOTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(SHOTS / "export")],
            check=True,
        )


def test_erasing_clears_the_dialog_and_the_record(qtbot, gui_context, runner, customer) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, gui_context, runner, "manager", customer)
    dialog.erase("")  # no reason given: refused, with the reason why, nothing erased
    assert "删除依据" in dialog.message.text()
    dialog.erase("2026-11 书面申请")
    assert dialog.heading.text() == "已删除的客户"
    assert "个人信息已删除" in dialog.message.text() and dialog.tabs.count() == 0
    assert not dialog.export_button.isVisibleTo(dialog)
    with gui_context.database.read() as s:
        stored = s.get_one(Customer, customer)
        assert stored.phone == "" and stored.anonymised_at is not None
    _shot(dialog, "customer_record_erased.png")
