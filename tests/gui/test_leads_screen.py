"""The lead list: what is overdue, calling back, a second enquiry, closing, importing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from db.models import AuditEntry, Interaction, Lead, LeadStatus, SourceChannel
from showroom.context import AppContext
from showroom.services import auth, leads
from showroom.users import StaffUser
from tests.gui.conftest import Account
from ui.dialogs.interaction import InteractionDialog
from ui.dialogs.lead import LeadDialog
from ui.screens.leads import COL_DUE, COL_NAME, COL_PHONE, COL_STATUS, OVERDUE, LeadsScreen
from ui.tasks import TaskRunner

RECEIVED = datetime(2026, 11, 29, 13, 0, tzinfo=UTC)  # 21:00 in the store
LATER = RECEIVED + timedelta(hours=26, minutes=30)  # the next evening: overdue by 2 h 30


@pytest.fixture
def sales(gui_context: AppContext, accounts: dict[str, Account]) -> StaffUser:
    with gui_context.database.write() as s:
        user = auth.sign_in(s, "sales1", accounts["sales1"].password)
    with gui_context.database.write() as s:
        for phone, name, hours in (("13912340186", "薛女士", 0), ("13700003333", "", 20)):
            leads.create_lead(
                s,
                user,
                leads.NewLead(
                    phone=phone,
                    name=name,
                    source_channel=SourceChannel.LISTING_PLATFORM,
                    platform="懂车帝",
                    vehicle_text="2021款 丰田 凯美瑞",
                    received_at=RECEIVED + timedelta(hours=hours),
                ),
                now=RECEIVED + timedelta(hours=hours),
            )
    return user


def _screen(qtbot, gui_context, runner, user) -> LeadsScreen:  # type: ignore[no-untyped-def]
    screen = LeadsScreen(gui_context, runner, user, clock=lambda: LATER)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    return screen


def _cell(screen: LeadsScreen, row: int, column: int) -> str:
    return screen.model.index(row, column).data()


def test_overdue_leads_come_first_in_red_with_the_time_overdue(
    qtbot, gui_context, runner: TaskRunner, sales
) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, sales)
    assert screen.model.rowCount() == 2
    assert _cell(screen, 0, COL_NAME) == "薛女士" and _cell(screen, 0, COL_PHONE) == "139****0186"
    assert _cell(screen, 0, COL_DUE) == "已超时 2 小时 30 分"
    assert screen.model.index(0, COL_DUE).data(Qt.ItemDataRole.ForegroundRole) == OVERDUE
    assert _cell(screen, 1, COL_NAME) == "（未留姓名）"
    assert _cell(screen, 1, COL_DUE) == "剩 17 小时 30 分"
    assert "待处理 2 条，其中超时 1 条" in screen.summary_label.text()
    screen.status_combo.setCurrentIndex(screen.status_combo.findData("overdue"))
    assert screen.model.rowCount() == 1


def test_calling_back_logs_the_contact_and_answers_the_lead(
    qtbot, gui_context, runner: TaskRunner, sales
) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, sales)
    screen.table.selectRow(0)
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    dialog = screen.contact_dialog
    assert isinstance(dialog, InteractionDialog) and dialog.lead_id is not None
    assert "薛女士 139****0186" in dialog.findChild(type(screen.summary_label)).text()
    dialog.reveal_phone()  # the number to dial, seen on request and audited
    assert "13912340186" in dialog.phone_label.text()
    dialog.summary_edit.setPlainText("回电：车还在，可以周六来看")
    dialog.response_edit.setPlainText("周六上午来")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert "线索已响应" in screen.message.text()
    assert _cell(screen, 0, COL_NAME) == "（未留姓名）"  # still waiting: now first
    assert _cell(screen, 1, COL_STATUS) == "已联系"
    with gui_context.database.read() as s:
        lead = s.scalars(select(Lead).where(Lead.phone == "13912340186")).one()
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "personal_data_revealed")
        ).one()
        assert s.scalars(select(Interaction.response)).one() == "周六上午来"
    assert lead.status is LeadStatus.CONTACTED and lead.first_contact_at == LATER
    assert entry.entity == "lead"


def test_a_second_enquiry_from_an_open_number_goes_on_the_first_lead(
    qtbot, gui_context, runner: TaskRunner, sales
) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, sales)
    screen.open_new()
    dialog = screen.lead_dialog
    assert isinstance(dialog, LeadDialog)
    dialog.phone_edit.setText("139 1234 0186")
    dialog.vehicle_edit.setText("2020款 本田 雅阁")
    dialog.save_button.click()
    assert "已有未处理的线索（薛女士，懂车帝）" in dialog.error_label.text()
    assert dialog.existing_button.isVisible()
    dialog.existing_button.click()
    contact = screen.contact_dialog
    assert contact.summary_edit.toPlainText() == "再次咨询：2020款 本田 雅阁"  # nothing lost
    with gui_context.database.read() as s:
        assert len(list(s.scalars(select(Lead)))) == 2


def test_a_new_phone_lead_belongs_to_the_consultant_who_took_it(
    qtbot, gui_context, runner: TaskRunner, sales
) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, sales)
    screen.open_new()
    dialog = screen.lead_dialog
    assert dialog.owner_combo.currentData() == sales.id
    dialog.phone_edit.setText("13600004444")
    dialog.name_edit.setText("孙先生")
    dialog.message_edit.setPlainText("问 7 座 SUV" + "很" * 500)  # over the limit
    dialog.save_button.click()
    assert dialog.isVisible() and "超出字数上限" in dialog.error_label.text()
    dialog.message_edit.setPlainText("问 7 座 SUV")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert "请在 12-01 23:30 前联系" in screen.message.text()  # 24 h from 23:30 tonight
    with gui_context.database.read() as s:
        lead = s.scalars(select(Lead).where(Lead.phone == "13600004444")).one()
    assert (lead.name, lead.owner_id, lead.source_channel) == ("孙", sales.id, SourceChannel.PHONE)


def test_closing_a_lead_asks_why_lost_from_the_stores_list_or_invalid_with_a_note(
    qtbot, gui_context, runner: TaskRunner, sales
) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, sales)
    screen.table.selectRow(0)
    closing = screen.selected()
    screen.close_selected()
    dialog = screen.close_dialog
    combo = dialog.reason_combo
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert texts[:2] == ["请选择…", "战败：价格太高"] and texts[-1].startswith("无效线索")
    dialog.note_edit.setText("客户没说")
    dialog.accept()  # nothing chosen: no reason is recorded for them
    assert dialog.isVisible() and "请选择关闭原因" in dialog.error_label.text()
    assert dialog.note_edit.text() == "客户没说"
    combo.setCurrentIndex(combo.count() - 1)  # not a real lead: a note is needed
    pasted = "空号" * 101  # past the 200-character limit: refused whole, never cut
    dialog.note_edit.setText(pasted)
    assert dialog.note_edit.text() == pasted and dialog.note_counter.over
    dialog.accept()
    assert dialog.isVisible() and "最多 200 个字" in dialog.error_label.text()
    assert dialog.note_edit.text() == pasted
    dialog.note_edit.setText("  ")
    dialog.accept()
    assert dialog.isVisible() and "请填写关闭原因" in dialog.error_label.text()
    combo.setCurrentIndex(texts.index("战败：已在别处购买"))
    dialog.accept()
    assert screen.message.text() == "线索已关闭。"
    assert screen.model.rowCount() == 1
    with gui_context.database.read() as s:
        lead = s.get_one(Lead, closing.id)
    assert (lead.lost_reason, lead.closed_reason) == ("已在别处购买", "战败：已在别处购买")


def test_importing_a_platform_export_lists_every_row(
    qtbot, gui_context, runner: TaskRunner, accounts, sales, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from ui.dialogs.lead_import import LeadImportDialog

    with gui_context.database.write() as s:
        desk = auth.sign_in(s, "reception", accounts["reception"].password)
    export = tmp_path / "线索.csv"
    export.write_text(
        "线索编号,提交时间,客户姓名,联系电话,意向车源\n"
        "B1,2026-11-30 20:00,王先生,13900002222,2019款 本田 雅阁\n"
        "B2,2026-11-30 20:30,小李,1380000,\n"
        "B3,2026-11-30 21:00,薛女士,13912340186,2022款 丰田 凯美瑞\n",
        encoding="utf-8",
    )
    dialog = LeadImportDialog(gui_context, runner, desk, clock=lambda: LATER)
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(export))
    dialog.check()
    assert "将新增 1，将合并 1" in dialog.summary.text() and "尚未写入" in dialog.summary.text()
    with qtbot.waitSignal(dialog.imported):
        dialog.run_import()
    model = dialog.model
    rows = [(model.index(n, 0).data(), model.index(n, 1).data()) for n in range(model.rowCount())]
    assert rows == [("2", "新增"), ("3", "拒绝"), ("4", "合并")]
    assert "报告已保存" in dialog.summary.text()
