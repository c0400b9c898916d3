"""The follow-up list: log a result with the next date, keep typed text on a refusal, downgrade."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from db.models import Customer, FollowUp, FollowUpStatus, GradeChange, IntentGrade, Staff
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.services import auth, cadence
from showroom.services.overview import store_zone
from showroom.users import StaffUser
from ui.screens.follow_ups import COL_LATE, COL_REASON, COL_SIGNALS, FollowUpsScreen


def _sign_in(gui_context: AppContext, accounts, username: str) -> StaffUser:  # type: ignore[no-untyped-def]
    with gui_context.database.write() as s:
        return auth.sign_in(s, username, accounts[username].password)


def _seed(gui_context: AppContext) -> None:
    # The screen counts days in the store's zone, not this machine's.
    today = utcnow().astimezone(store_zone(None)).date()
    long_ago = utcnow() - timedelta(days=40)
    with gui_context.database.write() as s:
        sales = s.scalars(select(Staff).where(Staff.username == "sales1")).one()
        buyer = Customer(
            store_id=sales.store_id,
            name="王先生",
            phone="13900000001",
            owner_id=sales.id,
            intent_grade=IntentGrade.C,
        )
        quiet = Customer(
            store_id=sales.store_id,
            name="冷却的客户",
            phone="13900000002",
            owner_id=sales.id,
            intent_grade=IntentGrade.A,
            created_at=long_ago,
        )
        s.add_all([buyer, quiet])
        s.flush()
        s.add(
            FollowUp(
                customer_id=buyer.id,
                consultant_id=sales.id,
                due_on=today - timedelta(days=2),
                reason="contract_3d",
            )
        )


def _screen(qtbot, gui_context, runner, user) -> FollowUpsScreen:  # type: ignore[no-untyped-def]
    screen = FollowUpsScreen(gui_context, runner, user)
    qtbot.addWidget(screen)
    screen.resize(1200, 700)
    screen.show()
    return screen


def test_a_consultant_logs_a_result_and_schedules_the_next(
    qtbot, gui_context, runner, accounts
) -> None:  # type: ignore[no-untyped-def]
    _seed(gui_context)
    screen = _screen(qtbot, gui_context, runner, _sign_in(gui_context, accounts, "sales1"))
    assert screen.consultant_combo.isHidden()  # a consultant sees only their own
    assert screen.count_label.text() == "今天到期 0 条 · 逾期 1 条"
    assert screen.model.index(0, COL_LATE).data() == "逾期 2 天"
    assert screen.model.index(0, COL_REASON).data() == "成交后 3 天"
    assert not screen.log_button.isEnabled()
    screen.select_row(0)
    screen.log_button.click()
    dialog = screen._dialog
    assert dialog is not None and dialog.isVisible()

    # An empty result is refused; the dialog comes back with the message.
    dialog.next_check.setChecked(True)
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.error_label.text() == "请填写回访结果。"
    dialog.result_edit.setPlainText("客户反馈车况良好")
    next_due = dialog.next_due()
    dialog.accept()
    assert not dialog.isVisible()
    assert screen.message_label.text() == f"已登记回访结果，下次回访：{next_due.isoformat()}"
    assert screen.model.rowCount() == 0
    assert screen.empty_label.isVisible()
    with gui_context.database.read() as s:
        rows = s.scalars(select(FollowUp).order_by(FollowUp.due_on)).all()
        assert [(f.status, f.result) for f in rows] == [
            (FollowUpStatus.DONE, "客户反馈车况良好"),
            (FollowUpStatus.OPEN, ""),
        ]
        assert rows[1].due_on == next_due


def test_a_quiet_hot_customer_is_flagged_and_downgraded(
    qtbot, gui_context, runner, accounts
) -> None:  # type: ignore[no-untyped-def]
    _seed(gui_context)
    screen = _screen(qtbot, gui_context, runner, _sign_in(gui_context, accounts, "manager"))
    assert screen.consultant_combo.isVisible()
    assert screen.consultant_combo.itemText(1) == "孙顾问"
    assert screen.stale_box.isVisible()
    assert screen.stale_title.text() == "⚠ 1 位 A 级客户已超过 15 天没有回应，建议降为 B 级"
    screen.downgrade(screen.stale[0].customer_id)
    assert screen.message_label.text() == "已将 冷却的客户 降为 B 级。"
    assert screen.stale_box.isHidden()
    with gui_context.database.read() as s:
        quiet = s.scalars(select(Customer).where(Customer.name == "冷却的客户")).one()
        assert quiet.intent_grade is IntentGrade.B
        assert s.scalars(select(GradeChange.reason)).one() == "15 天未回应，降级"


def test_the_manager_sets_the_cadence_and_the_list_says_which_grade_planned_it(
    qtbot, gui_context, runner, accounts
) -> None:  # type: ignore[no-untyped-def]
    _seed(gui_context)
    with gui_context.database.write() as s:
        buyer = s.scalars(select(FollowUp)).one()
        buyer.reason, buyer.cadence_grade = "test_drive", "C"
    manager = _sign_in(gui_context, accounts, "manager")
    screen = _screen(qtbot, gui_context, runner, manager)
    assert screen.model.index(0, COL_REASON).data() == "试驾后回访（C 级节奏）"
    assert screen.cadence_button.isVisible()
    screen.cadence_button.click()
    dialog = screen._cadence_dialog
    assert dialog is not None and dialog.isVisible()
    active_a, first_a, repeat_a = dialog.rows[IntentGrade.A]
    assert (active_a.isChecked(), first_a.value(), repeat_a.value()) == (True, 2, 7)
    active_d, first_d, _repeat_d = dialog.rows[IntentGrade.D]
    assert not active_d.isChecked() and not first_d.isEnabled()
    _active_b, first_b, repeat_b = dialog.rows[IntentGrade.B]
    first_b.setValue(5)
    repeat_b.setValue(0)  # 不重复
    assert repeat_b.text() == "不重复"
    dialog.accept()
    assert screen.message_label.text().startswith("回访节奏已保存")
    with gui_context.database.read() as s:
        rules = cadence.rules(s, manager.store_id)
    assert (rules[IntentGrade.B].first_days, rules[IntentGrade.B].repeat_days) == (5, None)
    assert rules[IntentGrade.A].first_days == 2


def test_a_consultant_has_no_cadence_button(qtbot, gui_context, runner, accounts) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, _sign_in(gui_context, accounts, "sales1"))
    assert screen.cadence_button.isHidden()


def test_no_answer_is_logged_without_text_and_two_raise_the_churn_signal(
    qtbot, gui_context, runner, accounts
) -> None:  # type: ignore[no-untyped-def]
    _seed(gui_context)
    today = utcnow().astimezone(store_zone(None)).date()
    with gui_context.database.write() as s:
        first = s.scalars(select(FollowUp)).one()
        s.add(
            FollowUp(
                customer_id=first.customer_id,
                consultant_id=first.consultant_id,
                due_on=today - timedelta(days=1),
                reason="visit",
            )
        )
    screen = _screen(qtbot, gui_context, runner, _sign_in(gui_context, accounts, "sales1"))
    for _ in range(2):
        screen.select_row(0)
        screen.log_button.click()
        dialog = screen._dialog
        dialog.no_answer_check.setChecked(True)
        dialog.accept()
        assert not dialog.isVisible()
    with gui_context.database.read() as s:
        done = s.scalars(select(FollowUp).where(FollowUp.status == FollowUpStatus.DONE)).all()
        assert [f.answered for f in done] == [False, False]
    with gui_context.database.write() as s:
        s.add(
            FollowUp(
                customer_id=first.customer_id,
                consultant_id=first.consultant_id,
                due_on=today,
                reason="visit",
            )
        )
    screen.refresh()
    assert screen.model.index(0, COL_SIGNALS).data() == "⚠ 连续两次未回应"


def test_dormant_customers_are_listed_in_their_own_tab(
    qtbot, gui_context, runner, accounts
) -> None:  # type: ignore[no-untyped-def]
    with gui_context.database.write() as s:
        sales = s.scalars(select(Staff).where(Staff.username == "sales1")).one()
        s.add(
            Customer(
                store_id=sales.store_id,
                name="沉睡的客户",
                phone="13900000009",
                owner_id=sales.id,
                intent_grade=IntentGrade.C,
                created_at=utcnow() - timedelta(days=400),
            )
        )
    screen = _screen(qtbot, gui_context, runner, _sign_in(gui_context, accounts, "sales1"))
    screen.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: screen.dormant_model.rowCount() == 1)
    assert screen.dormant_model.index(0, 0).data() == "沉睡的客户"
    assert screen.dormant_model.index(0, 4).data() == "从未联系"
    assert screen.tabs.tabText(1) == "沉睡客户（1）"
    # A list that cannot load says so instead of looking empty.
    screen.dormant_model._on_failed(OSError("database is gone"))
    assert screen.message_label.objectName() == "ErrorText"
    assert screen.message_label.text() != ""


def test_an_after_sale_call_takes_a_score_and_a_lost_deal_its_reason(
    qtbot, gui_context, runner, accounts
) -> None:  # type: ignore[no-untyped-def]
    _seed(gui_context)  # a contract_3d call for 王先生, two days late
    today = utcnow().astimezone(store_zone(None)).date()
    with gui_context.database.write() as s:
        buyer = s.scalars(select(FollowUp)).one()
        s.add(
            FollowUp(
                customer_id=buyer.customer_id,
                consultant_id=buyer.consultant_id,
                due_on=today,
                reason="visit",
            )
        )
    screen = _screen(qtbot, gui_context, runner, _sign_in(gui_context, accounts, "sales1"))
    screen.select_row(0)  # the after-sale call
    screen.log_button.click()
    dialog = screen._dialog
    assert dialog.satisfaction_combo.isVisibleTo(dialog) and not dialog.lost_combo.isVisibleTo(
        dialog
    )
    dialog.result_edit.setPlainText("车况良好")
    dialog.satisfaction_combo.setCurrentIndex(dialog.satisfaction_combo.findData(5))
    dialog.comment_edit.setText("服务很好")
    dialog.accept()
    assert not dialog.isVisible()
    screen.select_row(0)  # the visit call: may close the deal as lost
    screen.log_button.click()
    dialog = screen._dialog
    assert dialog.lost_combo.isVisibleTo(dialog) and not dialog.satisfaction_combo.isVisibleTo(
        dialog
    )
    dialog.next_check.setChecked(True)
    dialog.lost_combo.setCurrentIndex(dialog.lost_combo.findData("已在别处购买"))
    assert not dialog.next_check.isEnabled() and not dialog.next_check.isChecked()
    dialog.result_edit.setPlainText("上周在别家买了")
    dialog.accept()
    assert not dialog.isVisible()
    with gui_context.database.read() as s:
        rows = {f.reason: f for f in s.scalars(select(FollowUp))}
        assert (rows["contract_3d"].satisfaction, rows["contract_3d"].satisfaction_comment) == (
            5,
            "服务很好",
        )
        assert rows["visit"].lost_reason == "已在别处购买"
        assert s.get_one(Customer, buyer.customer_id).intent_grade is IntentGrade.D


def test_the_manager_edits_the_lost_reasons_and_a_refusal_keeps_the_text(
    qtbot, gui_context, runner, accounts
) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, _sign_in(gui_context, accounts, "manager"))
    screen.reasons_button.click()
    dialog = screen._reasons_dialog
    assert dialog.labels()[0] == "价格太高"
    dialog.edit.setPlainText("价格太高\n价格太高")
    dialog.accept()
    assert dialog.isVisible() and dialog.error_label.text() == "“价格太高”重复了。"
    assert dialog.edit.toPlainText() == "价格太高\n价格太高"
    dialog.edit.setPlainText("价格太高\n首付不够")
    dialog.accept()
    assert not dialog.isVisible()
    assert screen.lost_reasons == ("价格太高", "首付不够")
    assert screen.message_label.text() == "战败原因列表已保存（2 项）。"


def test_buyer_reminders_are_copied_marked_sent_and_exported(
    qtbot, gui_context, runner, accounts, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from PySide6.QtGui import QGuiApplication

    from db.models import (
        Contract,
        ContractKind,
        ContractStatus,
        Energy,
        ReminderLog,
        Transmission,
        Vehicle,
        VehicleStatus,
    )
    from ui.screens.follow_ups import R_KIND, R_MESSAGE, TAB_REMINDERS

    with gui_context.database.write() as s:
        sales = s.scalars(select(Staff).where(Staff.username == "sales1")).one()
        buyer = Customer(store_id=sales.store_id, name="王五", phone="13900000007")
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
        )
        s.add_all([buyer, car])
        s.flush()
        s.add(
            Contract(
                store_id=sales.store_id,
                contract_no="HT-GUI-1",
                kind=ContractKind.SALE,
                status=ContractStatus.SIGNED,
                vehicle_id=car.id,
                customer_id=buyer.id,
                price=Decimal("118000"),
                signed_at=utcnow() - timedelta(days=3),
            )
        )
    screen = _screen(qtbot, gui_context, runner, _sign_in(gui_context, accounts, "sales1"))
    screen.tabs.setCurrentIndex(TAB_REMINDERS)
    assert screen.reminder_model.rowCount() == 1
    assert screen.reminder_model.index(0, R_KIND).data() == "购车 3 天"
    assert "本田雅阁" in screen.reminder_model.index(0, R_MESSAGE).data()
    screen.reminder_table.selectRow(0)
    screen.copy_button.click()
    assert QGuiApplication.clipboard().text().startswith("【")
    target = tmp_path / "today.csv"
    screen.export_to(target)
    assert "13900000007" in target.read_text(encoding="utf-8")
    screen.sent_button.click()
    assert screen.reminder_model.rowCount() == 0
    assert screen.tabs.tabText(TAB_REMINDERS) == "购车客户提醒（0）"
    with gui_context.database.read() as s:
        assert s.scalars(select(ReminderLog.status)).one() == "sent"


def test_in_english_one_day_overdue_is_singular(qtbot, gui_context, runner, accounts) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from PySide6.QtCore import QCoreApplication, QLocale

    from ui.i18n import install_translators

    _seed(gui_context)
    app, locale = QCoreApplication.instance(), QLocale()
    translators = install_translators(app, "en")
    try:
        screen = _screen(qtbot, gui_context, runner, _sign_in(gui_context, accounts, "sales1"))
        assert screen.model.index(0, COL_LATE).data() == "2 days overdue"
        model = screen.model
        row = model.row_at(0)
        model.set_rows([replace(row, days_overdue=1)])
        assert model.index(0, COL_LATE).data() == "1 day overdue"
    finally:
        for translator in translators:
            app.removeTranslator(translator)
        QLocale.setDefault(locale)
