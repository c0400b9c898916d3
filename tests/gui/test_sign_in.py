"""Signing in and out of the staff window, as a person at the keyboard would."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from db.models import AuditEntry, Role
from showroom.context import AppContext
from showroom.roles import screens_for
from ui.main_window import MainWindow
from ui.screens import SCREENS
from ui.tasks import TaskRunner

ROLE_OF = {
    "manager": Role.MANAGER,
    "reception": Role.RECEPTION,
    "sales1": Role.SALES,
    "appraiser1": Role.APPRAISER,
}


@pytest.fixture
def window(qtbot, gui_context: AppContext, runner: TaskRunner, accounts) -> MainWindow:  # type: ignore[no-untyped-def]
    win = MainWindow(runner)
    qtbot.addWidget(win)
    win.attach(gui_context)
    win.show_sign_in()
    win.show()
    return win


def type_and_submit(qtbot, window: MainWindow, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page = window.sign_in_page
    assert page is not None
    page.username.clear()
    qtbot.keyClicks(page.username, username)
    page.password.clear()
    qtbot.keyClicks(page.password, password)
    qtbot.keyClick(page.password, Qt.Key.Key_Return)


@pytest.mark.parametrize("username", ["manager", "reception", "sales1", "appraiser1"])
def test_signing_in_shows_exactly_the_roles_screens(qtbot, window, accounts, username) -> None:  # type: ignore[no-untyped-def]
    account = accounts[username]
    type_and_submit(qtbot, window, username, account.password)
    assert window.shell is not None
    assert window.current_page is window.shell
    expected = list(screens_for(ROLE_OF[username]))
    assert window.shell.nav_keys() == expected
    assert window.shell.nav_labels() == [SCREENS[k].label for k in expected]
    # The header and the status bar say who is signed in.
    assert window.shell.user_label.text() == account.display_name
    assert account.display_name in window.user_label.text()
    # Only a manager reaches the settings from the header.
    assert window.shell.settings_button.isVisibleTo(window) == (ROLE_OF[username] is Role.MANAGER)


def test_every_nav_entry_opens_its_screen(qtbot, window, accounts) -> None:  # type: ignore[no-untyped-def]
    type_and_submit(qtbot, window, "manager", accounts["manager"].password)
    shell = window.shell
    assert shell is not None
    keys = shell.nav_keys()
    assert keys == [key for key in screens_for(Role.MANAGER) if key in SCREENS]
    for key in keys:
        screen = shell.open_screen(key)
        assert shell.stack.currentWidget() is screen
        assert shell.title_label.text() == SCREENS[key].label


def test_wrong_password_keeps_what_was_typed_and_says_so(qtbot, window, accounts) -> None:  # type: ignore[no-untyped-def]
    type_and_submit(qtbot, window, "reception", "not-the-password")
    page = window.sign_in_page
    assert window.shell is None
    assert window.current_page is page
    assert page.error_text.startswith("用户名或密码不正确")
    assert "再错 4 次" in page.error_text
    assert page.username.text() == "reception"
    assert page.password.text() == "not-the-password"
    assert window.focusWidget() is page.password
    assert page.password.selectedText() == "not-the-password"  # a retype replaces it


def test_empty_fields_are_explained_without_asking_the_database(
    qtbot,
    window,
    gui_context: AppContext,  # type: ignore[no-untyped-def]
) -> None:
    page = window.sign_in_page
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    assert page.error_text == "请输入用户名。"
    with gui_context.database.read() as s:
        assert s.scalars(select(AuditEntry)).first() is None


def test_lockout_refuses_even_the_right_password(qtbot, window, accounts, gui_context) -> None:  # type: ignore[no-untyped-def]
    gui_context.settings.update({"lockout_attempts": 3, "lockout_minutes": 10})
    for _ in range(3):
        type_and_submit(qtbot, window, "sales1", "wrong-pass")
    page = window.sign_in_page
    assert "锁定" in page.error_text and "10 分钟" in page.error_text
    type_and_submit(qtbot, window, "sales1", accounts["sales1"].password)
    assert window.shell is None
    assert "账号已锁定" in page.error_text
    with gui_context.database.read() as s:
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
    assert actions == ["sign_in_failed", "sign_in_failed", "account_locked", "sign_in_locked"]


def test_sign_out_returns_to_sign_in_and_clears_the_password(qtbot, window, accounts) -> None:  # type: ignore[no-untyped-def]
    type_and_submit(qtbot, window, "manager", accounts["manager"].password)
    shell = window.shell
    assert shell is not None
    with qtbot.waitSignal(window.signedOut, timeout=1000):
        qtbot.mouseClick(shell.sign_out_button, Qt.MouseButton.LeftButton)
    page = window.sign_in_page
    assert window.current_page is page
    assert window.shell is None
    assert page.password.text() == ""
    assert page.username.text() == "manager"
    assert page.error_text == ""
    assert window.user_label.text() == "未登录"


def test_a_read_only_database_shows_the_red_banner_and_still_signs_in(
    qtbot,
    gui_context: AppContext,
    runner: TaskRunner,
    accounts,  # type: ignore[no-untyped-def]
) -> None:
    reason = "数据库结构版本（0099）比本程序新（0001）。请升级本程序；在此之前不能保存任何数据。"
    gui_context.database.writes_refused = reason
    win = MainWindow(runner)
    qtbot.addWidget(win)
    win.attach(gui_context)
    win.show_sign_in()
    win.show()
    assert win.banner.isVisible()
    assert reason in win.banner_label.text()
    type_and_submit(qtbot, win, "manager", accounts["manager"].password)
    assert win.shell is not None
    # Nothing was written: the sign-in ran in a session that was rolled back.
    gui_context.database.writes_refused = None
    with gui_context.database.read() as s:
        assert s.scalars(select(AuditEntry)).first() is None
