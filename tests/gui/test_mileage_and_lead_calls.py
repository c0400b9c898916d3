"""A lead's call on the follow-up list, the reading dialog on the customer record, the
store's maintenance interval: what the consultant and the manager see and what is stored."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from db.models import (
    Contract,
    ContractKind,
    ContractStatus,
    Customer,
    Energy,
    IntentGrade,
    Lead,
    LeadStatus,
    MileageReading,
    SourceChannel,
    Staff,
    Title,
    Transmission,
    Vehicle,
    VehicleStatus,
)
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.services import auth, mileage
from showroom.services.overview import store_zone
from showroom.users import StaffUser
from ui.screens.follow_ups import COL_CUSTOMER, COL_LATE, COL_REASON, FollowUpsScreen


def _sign_in(gui_context: AppContext, accounts, username: str) -> StaffUser:  # type: ignore[no-untyped-def]
    with gui_context.database.write() as s:
        return auth.sign_in(s, username, accounts[username].password)


def _today() -> date:
    return utcnow().astimezone(store_zone(None)).date()


def seed_lead(gui_context: AppContext, username: str = "sales1") -> uuid.UUID:
    with gui_context.database.write() as s:
        sales = s.scalars(select(Staff).where(Staff.username == username)).one()
        lead = Lead(
            store_id=sales.store_id,
            phone="13812340001",
            name="钱",
            title=Title.MS,
            source_channel=SourceChannel.LISTING_PLATFORM,
            platform="懂车帝",
            vehicle_text="大众朗逸 2021",
            owner_id=sales.id,
            received_at=utcnow() - timedelta(days=20),
            due_at=utcnow() - timedelta(days=19),
            first_contact_at=utcnow() - timedelta(days=19),
            status=LeadStatus.CONTACTED,
            intent_grade="B",
            next_contact_on=_today() - timedelta(days=1),
            next_contact_reason="cadence",
        )
        s.add(lead)
        s.flush()
        return lead.id


def seed_sale(gui_context: AppContext, days_ago: int = 40) -> uuid.UUID:
    """A buyer of a car sold ``days_ago`` at 40,000 km; returns the customer."""
    with gui_context.database.write() as s:
        sales = s.scalars(select(Staff).where(Staff.username == "sales1")).one()
        buyer = Customer(
            store_id=sales.store_id, name="王五", phone="13900000007", owner_id=sales.id
        )
        car = Vehicle(
            store_id=sales.store_id,
            stock_no="BJ01-S2026-00077",
            brand="本田",
            model="雅阁",
            year=2020,
            mileage_km=40000,
            energy=Energy.PETROL,
            transmission=Transmission.AUTOMATIC,
            list_price=Decimal("120000"),
            status=VehicleStatus.SOLD,
            plate="京A12345",
        )
        s.add_all([buyer, car])
        s.flush()
        s.add(
            Contract(
                store_id=sales.store_id,
                contract_no="HT-GUI-9",
                kind=ContractKind.SALE,
                status=ContractStatus.SIGNED,
                vehicle_id=car.id,
                customer_id=buyer.id,
                price=Decimal("118000"),
                signed_at=utcnow() - timedelta(days=days_ago),
            )
        )
        return buyer.id


def _screen(qtbot, gui_context, runner, user) -> FollowUpsScreen:  # type: ignore[no-untyped-def]
    screen = FollowUpsScreen(gui_context, runner, user)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    return screen


def test_a_leads_call_is_on_the_list_and_logging_it_plans_the_next(
    qtbot, gui_context, runner, accounts
) -> None:  # type: ignore[no-untyped-def]
    lead_id = seed_lead(gui_context)
    screen = _screen(qtbot, gui_context, runner, _sign_in(gui_context, accounts, "sales1"))
    assert screen.count_label.text() == "今天到期 0 条 · 逾期 1 条"
    assert screen.model.index(0, COL_CUSTOMER).data() == "钱女士（线索）"
    assert screen.model.index(0, COL_REASON).data() == "线索按等级定期回访（B 级节奏）"
    assert screen.model.index(0, COL_LATE).data() == "逾期 1 天"
    screen.select_row(0)
    screen.log_button.click()
    dialog = screen.contact_dialog
    assert dialog.isVisible() and dialog.grade_combo.isVisibleTo(dialog)
    assert dialog.grade_combo.currentData() == IntentGrade.B
    dialog.save_button.click()  # nothing said: refused, the dialog stays
    assert dialog.isVisible() and dialog.error_label.text()
    dialog.summary_edit.setPlainText("客户想周末看车，预算 10 万")
    dialog.grade_combo.setCurrentIndex(dialog.grade_combo.findData(IntentGrade.A))
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    due = _today() + timedelta(days=2)
    assert screen.message_label.text() == f"已记录线索沟通，下次回访：{due.isoformat()}"
    screen.refresh()
    assert screen.model.rowCount() == 0
    with gui_context.database.read() as s:
        lead = s.get_one(Lead, lead_id)
    assert (lead.intent_grade, lead.next_contact_on, lead.next_contact_reason) == (
        "A",
        due,
        "grade",
    )


def test_the_customer_record_shows_the_readings_and_takes_a_new_one(
    qtbot, gui_context, runner, accounts
) -> None:  # type: ignore[no-untyped-def]
    from ui.dialogs.customer_record import CustomerRecordDialog

    customer_id = seed_sale(gui_context)
    user = _sign_in(gui_context, accounts, "sales1")
    record = CustomerRecordDialog(gui_context, runner, user, customer_id)
    qtbot.addWidget(record)
    record.show()
    assert record.tabs.tabText(record.mileage_tab) == "里程与保养（1）"
    assert record.service_label.text().startswith("本田雅阁：下次保养 ")
    assert "按全国平均每年约 1.2 万公里估算" in record.service_label.text()
    record.tabs.setCurrentIndex(record.mileage_tab)
    record.mileage_button.click()
    dialog = record.mileage_dialog
    # The last reading is shown, not put in the box: Save alone records nothing.
    assert dialog.km_spin.text() == "请填写" and "40,000" in dialog.last_label.text()
    dialog.note_edit.setText("客户电话告知")
    dialog.submit()
    assert dialog.isVisible() and "请填写表显里程" in dialog.error_label.text()
    dialog.km_spin.setValue(3_000_000)  # not clamped: the service says it is absurd
    assert dialog.km_spin.value() == 3_000_000
    dialog.submit()
    assert dialog.isVisible() and dialog.error_label.text() != ""
    assert "2,000,000" in dialog.error_label.text()
    dialog.km_spin.setValue(39000)  # below the odometer when sold
    dialog.submit()
    assert dialog.isVisible()
    assert "39,000 公里低于" in dialog.error_label.text()
    assert dialog.note_edit.text() == "客户电话告知"  # nothing typed is lost
    dialog.km_spin.setValue(43200)  # 3,200 km in 40 days: 80 a day
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    assert record.mileage_table.rowCount() == 2
    assert record.mileage_table.item(0, 2).text() == "43,200 公里"
    assert record.mileage_table.item(0, 3).text() == "电话"
    assert "按里程，预计已行驶约" in record.service_label.text()
    assert "约 80 公里/天" in record.service_label.text()
    with gui_context.database.read() as s:
        reading = s.scalars(select(MileageReading)).one()
    assert (reading.mileage_km, reading.source, reading.note) == (43200, "call", "客户电话告知")


def test_the_maintenance_reminder_says_what_made_it_due(
    qtbot, gui_context, runner, accounts
) -> None:  # type: ignore[no-untyped-def]
    from ui.screens.follow_ups import R_KIND, TAB_REMINDERS

    seed_sale(gui_context, days_ago=150)  # 12,000 km a year: 5,000 km after 153 days
    screen = _screen(qtbot, gui_context, runner, _sign_in(gui_context, accounts, "sales1"))
    screen.tabs.setCurrentIndex(TAB_REMINDERS)
    kinds = [screen.reminder_model.index(n, R_KIND).data() for n in range(2)]
    assert "保养提醒 · 按里程约 5,000 公里" in kinds


def test_the_manager_sets_the_interval_and_an_absurd_one_is_refused(
    qtbot, gui_context, runner, accounts
) -> None:  # type: ignore[no-untyped-def]
    manager = _sign_in(gui_context, accounts, "manager")
    screen = _screen(qtbot, gui_context, runner, manager)
    assert screen.interval_button.isVisible()
    screen.interval_button.click()
    dialog = screen._interval_dialog
    assert dialog.values() == (6, 5000)
    dialog.months_spin.setValue(30)
    dialog.accept()
    assert dialog.isVisible() and "1 到 24 个月" in dialog.error_label.text()
    assert dialog.months_spin.value() == 30  # kept to correct
    dialog.months_spin.setValue(12)
    dialog.km_spin.setValue(10000)
    dialog.accept()
    assert screen.message_label.text() == "保养间隔已保存：12 个月或 10,000 公里，先到为准。"
    with gui_context.database.read() as s:
        assert mileage.interval(s, manager.store_id) == mileage.Interval(12, 10000, False)
    sales_screen = _screen(qtbot, gui_context, runner, _sign_in(gui_context, accounts, "sales1"))
    assert not sales_screen.interval_button.isVisible()
