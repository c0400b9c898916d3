"""Keeping a customer's file current from the list and the record: edit, contact, timeline."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from db.models import (
    AuditEntry,
    Customer,
    FollowUp,
    FollowUpStatus,
    GradeChange,
    IntentGrade,
    Interaction,
    Role,
    Staff,
    Store,
    Title,
)
from showroom.context import AppContext
from showroom.services import auth
from showroom.users import StaffUser
from tests.gui.conftest import Account
from ui.dialogs.customer_edit import CustomerEditDialog
from ui.dialogs.customer_record import CustomerRecordDialog
from ui.dialogs.interaction import InteractionDialog
from ui.screens.customers import CustomersScreen
from ui.tasks import TaskRunner

NOW = datetime(2026, 11, 30, 15, 55, tzinfo=UTC)  # 23:55 in the store
CUSTOMER = uuid.UUID(int=7)


@pytest.fixture
def sales(gui_context: AppContext, accounts: dict[str, Account]) -> StaffUser:
    with gui_context.database.write() as s:
        store_id = s.scalars(select(Store.id)).one()
        owner = s.scalars(select(Staff.id).where(Staff.username == "sales1")).one()
        s.add(
            Customer(
                id=CUSTOMER,
                store_id=store_id,
                name="薛",
                title=Title.MS,
                phone="13812340186",
                owner_id=owner,
                owner_since=NOW - timedelta(days=1),
                intent_grade=IntentGrade.B,
            )
        )
    with gui_context.database.write() as s:
        return auth.sign_in(s, "sales1", accounts["sales1"].password)


def _edit_dialog(qtbot, gui_context, runner, user) -> CustomerEditDialog:  # type: ignore[no-untyped-def]
    dialog = CustomerEditDialog(gui_context, runner, user, CUSTOMER, clock=lambda: NOW)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_the_list_opens_the_record_with_enter(
    qtbot, gui_context: AppContext, runner: TaskRunner, sales: StaffUser
) -> None:  # type: ignore[no-untyped-def]
    screen = CustomersScreen(gui_context, runner, sales)
    qtbot.addWidget(screen)
    screen.show()
    screen.table.selectRow(0)
    assert screen.record_button.isEnabled() and screen.edit_button.isEnabled()
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    dialog = screen.record_dialog
    assert isinstance(dialog, CustomerRecordDialog)
    assert dialog.heading.text() == "薛女士"
    assert "138****0186" in dialog.phone_label.text()
    assert dialog.edit_button.isVisible() and dialog.contact_button.isVisible()


def test_editing_the_file_saves_needs_grade_and_keeps_the_number_masked(
    qtbot, gui_context: AppContext, runner: TaskRunner, sales: StaffUser
) -> None:  # type: ignore[no-untyped-def]
    dialog = _edit_dialog(qtbot, gui_context, runner, sales)
    assert dialog.phone_label.text() == "138****0186"
    assert dialog.new_phone_edit.text() == ""  # the number is never filled in
    dialog.name_edit.setText("薛晓燕")
    dialog.budget_min.setText("12.5")
    dialog.budget_max.setText("18")
    dialog.models_edit.setText("凯美瑞 2021 款")
    dialog.cycle_combo.setCurrentText("一个月内")
    dialog.payment_combo.setCurrentIndex(dialog.payment_combo.findData("loan"))
    dialog.grade_combo.setCurrentIndex(dialog.grade_combo.findData(IntentGrade.A))
    assert dialog.reason_edit.isEnabled()
    dialog.reason_edit.setText("试驾后很满意")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    with gui_context.database.read() as s:
        customer = s.get_one(Customer, CUSTOMER)
        change = s.scalars(select(GradeChange)).one()
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "customer_updated")).one()
    assert customer.name == "薛晓燕" and customer.intent_grade is IntentGrade.A
    assert (customer.budget_min, customer.budget_max) == (125_000, 180_000)
    assert customer.decision_cycle == "一个月内" and customer.payment_preference.value == "loan"
    assert change.reason == "试驾后很满意"
    assert customer.phone == "13812340186"
    assert "薛晓燕" not in str(entry.detail)


def test_a_name_that_cannot_go_on_a_contract_is_refused_and_nothing_typed_is_lost(
    qtbot, gui_context: AppContext, runner: TaskRunner, sales: StaffUser
) -> None:  # type: ignore[no-untyped-def]
    dialog = _edit_dialog(qtbot, gui_context, runner, sales)
    dialog.name_edit.setText("薛😀")
    dialog.notes_edit.setPlainText("周末才有空")
    dialog.save_button.click()
    assert dialog.isVisible()
    assert "😀" in dialog.error_label.text() and "汉字" in dialog.error_label.text()
    assert dialog.name_edit.text() == "薛😀" and dialog.notes_edit.toPlainText() == "周末才有空"
    dialog.name_edit.setText("薛" * 21)  # over the limit: the counter says so before saving
    counter = dialog.counters[0]
    assert counter.text() == "21/20" and counter.objectName() == "ErrorText"
    dialog.save_button.click()
    assert "超出字数上限" in dialog.error_label.text()
    assert dialog.name_edit.text() == "薛" * 21  # never cut
    with gui_context.database.read() as s:
        assert s.get_one(Customer, CUSTOMER).name == "薛"


def test_another_pcs_save_meanwhile_is_listed_and_mine_saved_on_request(
    qtbot, gui_context: AppContext, runner: TaskRunner, sales: StaffUser
) -> None:  # type: ignore[no-untyped-def]
    dialog = _edit_dialog(qtbot, gui_context, runner, sales)
    with gui_context.database.write() as s:
        s.get_one(Customer, CUSTOMER).notes = "另一台电脑写的"
    dialog.notes_edit.setPlainText("我写的")
    dialog.save_button.click()
    assert "另一台电脑写的" in dialog.error_label.text() and "我写的" in dialog.error_label.text()
    assert dialog.overwrite_button.isVisible()
    with qtbot.waitSignal(dialog.saved):
        dialog.overwrite_button.click()
    with gui_context.database.read() as s:
        assert s.get_one(Customer, CUSTOMER).notes == "我写的"


def test_a_contact_logged_from_the_record_shows_on_its_timeline(
    qtbot, gui_context: AppContext, runner: TaskRunner, sales: StaffUser
) -> None:  # type: ignore[no-untyped-def]
    record = CustomerRecordDialog(gui_context, runner, sales, CUSTOMER)
    qtbot.addWidget(record)
    record.show()
    record.open_contact()
    contact = record.contact_dialog
    assert isinstance(contact, InteractionDialog)
    contact._clock = lambda: NOW
    contact.channel_combo.setCurrentIndex(contact.channel_combo.findData("wechat"))
    contact.summary_edit.setPlainText("发了凯美瑞的实拍视频")
    contact.response_edit.setPlainText("周末带家人来看")
    contact.next_step_edit.setText("周六上午到店看车")
    contact.next_check.setChecked(True)
    contact.activateWindow()
    qtbot.waitUntil(contact.isActiveWindow, timeout=2000)
    with qtbot.waitSignal(contact.saved):
        qtbot.keyClick(contact.summary_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert "沟通记录已保存" in record.message.text()
    timeline = record.tabs.widget(1)
    assert record.tabs.tabText(1) == "时间线（1）"
    assert timeline.item(0, 1).text() == "沟通"
    assert "微信：发了凯美瑞的实拍视频" in timeline.item(0, 3).text()
    assert "下一步：周六上午到店看车" in timeline.item(0, 3).text()
    with gui_context.database.read() as s:
        follow_up = s.scalars(select(FollowUp)).one()
        assert s.scalars(select(Interaction)).one().staff_id == sales.id
    assert follow_up.consultant_id == sales.id  # the owner's 回访 list shows it that day


def test_the_desk_may_edit_but_not_change_the_grade(
    qtbot, gui_context: AppContext, runner: TaskRunner, sales: StaffUser, accounts
) -> None:  # type: ignore[no-untyped-def]
    with gui_context.database.write() as s:
        desk = auth.sign_in(s, "reception", accounts["reception"].password)
    assert desk.roles == {Role.RECEPTION}
    dialog = _edit_dialog(qtbot, gui_context, runner, desk)
    assert not dialog.grade_combo.isEnabled()
    dialog.name_edit.setText("薛晓燕")  # the licence check asks the desk to correct it
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    with gui_context.database.read() as s:
        assert s.get_one(Customer, CUSTOMER).name == "薛晓燕"


def test_the_record_shows_the_churn_signals(
    qtbot, gui_context: AppContext, runner: TaskRunner, sales: StaffUser
) -> None:  # type: ignore[no-untyped-def]
    with gui_context.database.write() as s:
        for n in range(2):
            s.add(
                FollowUp(
                    customer_id=CUSTOMER,
                    due_on=NOW.date(),
                    reason="visit",
                    status=FollowUpStatus.DONE,
                    done_at=NOW - timedelta(hours=n),
                    answered=False,
                    result="未接通",
                )
            )
    record = CustomerRecordDialog(gui_context, runner, sales, CUSTOMER)
    qtbot.addWidget(record)
    record.show()
    assert record.signals_label.isVisible()
    assert record.signals_label.text() == "⚠ 流失预警：连续两次未回应"


def test_a_referrer_is_recorded_from_the_record_and_the_manager_marks_the_reward_paid(
    qtbot, gui_context: AppContext, runner: TaskRunner, sales: StaffUser, accounts
) -> None:  # type: ignore[no-untyped-def]
    with gui_context.database.write() as s:
        store_id = s.scalars(select(Store.id)).one()
        s.add(Customer(store_id=store_id, name="老客户", title=Title.MR, phone="13912345678"))
    record = CustomerRecordDialog(gui_context, runner, sales, CUSTOMER)
    qtbot.addWidget(record)
    record.show()
    record.tabs.setCurrentIndex(record.tabs.count() - 1)
    assert record.tabs.tabText(record.tabs.count() - 1) == "推荐（0）"
    record.referrer_button.click()
    dialog = record.referral_dialog
    dialog.phone_edit.setText("13900000000")  # nobody's
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("amount"))
    dialog.amount_edit.setText("500")
    dialog.save()
    assert dialog.isVisible() and dialog.error_label.text() == "没有找到这个手机号的客户。"
    dialog.phone_edit.setText("139 1234 5678")
    dialog.amount_edit.setText("5.001")
    dialog.save()
    assert dialog.error_label.text() == "奖励金额最多两位小数（精确到分）。"
    dialog.amount_edit.setText("500")
    dialog.save()
    assert not dialog.isVisible()
    assert record.tabs.tabText(record.tabs.count() - 1) == "推荐（1）"
    assert record.referral_table.item(0, 0).text() == "推荐人：老客户"
    assert record.referral_table.item(0, 2).text() == "待兑现"
    assert not record.referrer_button.isVisibleTo(record)  # one referrer per customer
    assert not record.pay_button.isVisibleTo(record)  # a consultant does not pay out

    with gui_context.database.write() as s:
        manager = auth.sign_in(s, "manager", accounts["manager"].password)
    as_manager = CustomerRecordDialog(gui_context, runner, manager, CUSTOMER)
    qtbot.addWidget(as_manager)
    as_manager.show()
    as_manager.referral_table.selectRow(0)
    assert as_manager.pay_button.isEnabled()
    as_manager.pay_button.click()
    assert as_manager.referral_table.item(0, 2).text().startswith("已兑现")
