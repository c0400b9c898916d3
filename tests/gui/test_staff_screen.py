"""The manager's staff screen: add a person, roster, store profile, first sign-in, routing.

The story the issue asks for: a manager adds a consultant, puts them on duty,
the desk checks a walk-in in, and the walk-in is routed to that consultant.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from db.models import AuditEntry, Customer, Role, Staff, Store, Title, Visit
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.services import auth, roster
from showroom.users import StaffUser
from ui.main_window import MainWindow
from ui.screens.staff import COL_ACTIVE, COL_ROLE, COL_TODAY, TAB_PROFILE, TAB_ROSTER, StaffScreen
from ui.widgets.password_page import PasswordChangePage


def _sign_in(gui_context: AppContext, username: str, password: str) -> StaffUser:
    with gui_context.database.write() as s:
        return auth.sign_in(s, username, password)


@pytest.fixture
def manager(gui_context: AppContext, accounts) -> StaffUser:  # type: ignore[no-untyped-def]
    return _sign_in(gui_context, "manager", accounts["manager"].password)


@pytest.fixture
def screen(qtbot, gui_context, runner, manager) -> StaffScreen:  # type: ignore[no-untyped-def]
    widget = StaffScreen(gui_context, runner, manager)
    qtbot.addWidget(widget)
    widget.resize(1280, 760)
    widget.show()
    return widget


def _row(screen: StaffScreen, username: str) -> int:
    for n in range(screen.model.rowCount()):
        if screen.model.row_at(n).username == username:
            return n
    raise AssertionError(username)


def _staff_id(gui_context: AppContext, username: str):  # type: ignore[no-untyped-def]
    with gui_context.database.read() as s:
        return s.scalars(select(Staff.id).where(Staff.username == username)).one()


def _add_consultant(screen: StaffScreen, name: str, username: str) -> str:
    dialog = screen.add_staff()
    dialog.name.setText(name)
    dialog.username.setText(username)
    dialog.check_role(Role.SALES)
    dialog.submit()
    assert dialog.result() == dialog.DialogCode.Accepted, dialog.error.text()
    secret = screen.secret_dialog.secret_label.text()
    screen.secret_dialog.done_button.click()
    return secret


def _mark_today(screen: StaffScreen, staff_id, mark: object) -> None:  # type: ignore[no-untyped-def]
    panel = screen.roster
    week = panel.model.week
    assert week is not None
    assert panel.select_cell(staff_id, week.today)
    panel.mark_buttons[mark].click()


def test_a_consultant_added_and_put_on_duty_gets_the_next_walk_in(
    qtbot, gui_context, runner, accounts, screen
) -> None:  # type: ignore[no-untyped-def]
    secret = _add_consultant(screen, "周新", "zhouxin")
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", secret)
    row = _row(screen, "zhouxin")
    assert screen.model.index(row, COL_ROLE).data() == "销售顾问"
    assert screen.model.index(row, COL_ACTIVE).data() == "待改密码"
    new_id = _staff_id(gui_context, "zhouxin")
    sales1 = _staff_id(gui_context, "sales1")

    # The roster: 孙顾问 is out today, the new consultant is put on duty.
    screen.tabs.setCurrentIndex(TAB_ROSTER)
    _mark_today(screen, new_id, "off")
    assert screen.model.index(_row(screen, "zhouxin"), COL_TODAY).data() == "调休"
    _mark_today(screen, sales1, roster.RosterStatus.OFF_SITE)
    _mark_today(screen, new_id, "on")
    assert "销售顾问 1 人" in screen.roster.today_label.text()
    with gui_context.database.read() as s:
        on_duty = roster.on_duty(s, screen.store_id, role=Role.SALES)
    assert [p.name for p in on_duty] == ["周新"]

    # The desk checks a walk-in in with the keyboard: routed to the new consultant.
    from ui.screens.reception import CheckInScreen

    with gui_context.database.write() as s:
        store_id = s.scalars(select(Store.id)).one()
        s.add(Customer(store_id=store_id, name="王芳", title=Title.MS, phone="13812340000"))
    desk_user = _sign_in(gui_context, "reception", accounts["reception"].password)
    desk = CheckInScreen(gui_context, runner, desk_user)
    qtbot.addWidget(desk)
    desk.resize(1280, 800)
    desk.show()
    desk.activateWindow()
    qtbot.waitUntil(lambda: desk.entry.hasFocus(), timeout=2000)
    qtbot.keyClicks(desk.entry, "13812340000")
    qtbot.keyClick(desk.entry, Qt.Key.Key_Return)
    assert "周新" in desk.routing_label.text()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    with gui_context.database.read() as s:
        (visit,) = s.scalars(select(Visit)).all()
    assert visit.consultant_id == new_id
    assert "周新" in desk.message.text()


def test_the_new_person_sets_their_own_password_at_first_sign_in(
    qtbot, gui_context, runner, accounts, screen
) -> None:  # type: ignore[no-untyped-def]
    secret = _add_consultant(screen, "周新", "zhouxin")
    window = MainWindow(runner)
    qtbot.addWidget(window)
    window.attach(gui_context)
    window.show_sign_in()
    window.show()
    page = window.sign_in_page
    assert page is not None
    qtbot.keyClicks(page.username, "zhouxin")
    qtbot.keyClicks(page.password, secret)
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    change = window.current_page
    assert isinstance(change, PasswordChangePage) and window.shell is None
    assert not change.current_field.isVisibleTo(change)  # the temporary one was just typed
    # The rules are said plainly and what was typed stays.
    qtbot.keyClicks(change.new_field, "zhouxin2026")
    qtbot.keyClicks(change.repeat_field, "zhouxin2026")
    qtbot.keyClick(change.repeat_field, Qt.Key.Key_Return)
    assert "用户名" in change.error_text and window.shell is None
    change.new_field.clear()
    change.repeat_field.clear()
    qtbot.keyClicks(change.new_field, "river-stone-42")
    qtbot.keyClicks(change.repeat_field, "river-stone-42")
    qtbot.keyClick(change.repeat_field, Qt.Key.Key_Return)
    assert window.shell is not None and window.current_page is window.shell
    assert "deals" in window.shell.nav_keys()
    with gui_context.database.write() as s:
        assert not auth.sign_in(s, "zhouxin", "river-stone-42").must_change_password


def test_reset_pin_disable_and_enable_from_the_list(
    qtbot, gui_context, runner, monkeypatch, screen
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    assert screen.select_username("sales1")
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)
    )
    screen.reset_button.click()
    temporary = screen.secret_dialog.secret_label.text()
    screen.secret_dialog.accept()
    with gui_context.database.write() as s:
        assert auth.sign_in(s, "sales1", temporary).must_change_password
    assert screen.select_username("sales1")
    pin_dialog = screen.pin_selected()
    assert pin_dialog is not None and pin_dialog.random.isChecked()
    pin_dialog.submit()
    pin = screen.secret_dialog.secret_label.text()
    assert re.fullmatch(r"\d{6}", pin)
    with gui_context.database.write() as s:
        assert auth.verify_staff_pin(s, pin).username == "sales1"
    assert screen.select_username("sales1")
    disable = screen.toggle_selected()
    assert disable is not None
    disable.reason.setText("离职")
    disable.submit()
    row = _row(screen, "sales1")
    assert screen.model.index(row, COL_ACTIVE).data() == "已停用"
    assert row == screen.model.rowCount() - 1  # disabled people go to the end
    assert screen.select_username("sales1")
    assert screen.disable_button.text() == "启用" and not screen.reset_button.isEnabled()
    # The manager cannot disable themselves: the button is off on their own row.
    assert screen.select_username("manager")
    assert not screen.disable_button.isEnabled()
    with gui_context.database.read() as s:
        actions = list(s.scalars(select(AuditEntry.action)))
    assert {"password_reset", "pin_reset", "staff_disabled"} <= set(actions)


def test_the_profile_tab_names_a_wrong_field_and_keeps_the_typing(
    qtbot, gui_context, screen
) -> None:  # type: ignore[no-untyped-def]
    screen.tabs.setCurrentIndex(TAB_PROFILE)
    panel = screen.profile
    assert panel.fields["name"].text() == "测试展厅"
    panel.fields["credit_code"].setText("91350100M000100Y44")
    panel.fields["phone"].setText("010-6666 8888")
    panel.save_button.click()
    assert "校验位" in panel.message.text()
    assert panel.fields["credit_code"].text() == "91350100M000100Y44"
    panel.fields["credit_code"].setText("91350100M000100Y43")
    panel.save_button.click()
    assert panel.message.text() == "门店资料已保存。"
    assert "资料齐全" in panel.missing_label.text()
    with gui_context.database.read() as s:
        assert s.scalars(select(Store.phone)).one() == "010-6666 8888"


def test_the_checklist_shows_after_first_run_and_hides_when_asked(
    qtbot, gui_context, screen
) -> None:  # type: ignore[no-untyped-def]
    assert screen.checklist.isVisibleTo(screen)
    marks = {k: m.text() for k, m in screen.checklist.marks.items()}
    assert marks["staff"] == "✓" and marks["roster"] == "○" and marks["profile"] == "✓"
    screen.checklist.buttons["database"].click()
    assert screen.checklist.marks["database"].text() == "✓"
    screen.checklist.action.emit("dismissed")
    assert not screen.checklist.isVisibleTo(screen)


def test_a_consultant_who_also_appraises_sees_both_roles_screens(
    qtbot, gui_context, runner, accounts
) -> None:  # type: ignore[no-untyped-def]
    with gui_context.database.write() as s:
        person = s.scalars(select(Staff).where(Staff.username == "sales1")).one()
        person.roles = {Role.SALES, Role.APPRAISER}
        person.updated_at = utcnow()
    user = _sign_in(gui_context, "sales1", accounts["sales1"].password)
    from ui.widgets.shell import Shell

    shell = Shell(gui_context, runner, user)
    qtbot.addWidget(shell)
    assert "inspection_day" in shell.nav_keys() and "deals" in shell.nav_keys()
    assert shell.role_label.text() == "销售顾问、评估师"


def test_a_test_page_is_previewed_and_ticks_the_checklist(
    qtbot, gui_context, monkeypatch, screen
) -> None:  # type: ignore[no-untyped-def]
    from ui.documents import printing

    shown: list[object] = []
    monkeypatch.setattr(printing, "preview", lambda document, parent=None: shown.append(document))
    screen.checklist.buttons["test_page"].click()
    (document,) = shown
    assert document.title == "打印测试页"  # type: ignore[attr-defined]
    assert "91350100M000100Y43" in document.signed_text()  # type: ignore[attr-defined]
    assert screen.checklist.marks["test_page"].text() == "✓"


def test_a_picture_becomes_the_logo_printed_on_papers(qtbot, gui_context, tmp_path, screen) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QColor, QImage

    from showroom.documents.letterhead import letterhead

    picture = QImage(1200, 600, QImage.Format.Format_RGB32)
    picture.fill(QColor("#c81e1e"))
    path = tmp_path / "logo.jpg"
    assert picture.save(str(path), "JPG")
    screen.tabs.setCurrentIndex(TAB_PROFILE)
    screen.profile.load_logo_file(path)
    assert screen.profile.message.text() == "门店标志已更新。"
    assert not screen.profile.logo_preview.pixmap().isNull()
    with gui_context.database.read() as s:
        png = letterhead(s, screen.store_id, None).logo_png
    stored = QImage.fromData(png)
    assert png.startswith(b"\x89PNG") and (stored.width(), stored.height()) == (400, 200)


def test_a_group_manager_switches_stores_a_store_manager_cannot(
    qtbot, gui_context, runner, accounts, screen
) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import make_staff, make_store

    other = make_store(gui_context.database, code="SH01", name="上海店")
    make_staff(gui_context.database, other, "shanghai1", Role.SALES, display_name="沈顾问")
    assert not screen.store_combo.isVisibleTo(screen)
    with gui_context.database.read() as s:
        store_id = s.scalars(select(Store.id).where(Store.code == "BJ01")).one()
    group_id = make_staff(gui_context.database, store_id, "group", Role.GROUP_MANAGER)
    with gui_context.database.read() as s:
        group = auth.user_of(s, group_id)
    widget = StaffScreen(gui_context, runner, group)
    qtbot.addWidget(widget)
    widget.show()
    assert widget.store_combo.isVisibleTo(widget) and widget.store_combo.count() == 2
    widget.store_combo.setCurrentIndex(1)
    assert [widget.model.row_at(n).username for n in range(widget.model.rowCount())] == [
        "shanghai1"
    ]
    dialog = widget.add_staff()
    assert Role.GROUP_MANAGER in dialog.role_boxes and dialog.store.isVisibleTo(dialog)
