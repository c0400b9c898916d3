"""The manager's screens: staff with unlock, and the audit log with its chain check."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text

from db.models import AuditEntry, Staff
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.services import audit, auth
from showroom.services.auth import StaffUser
from ui.screens.audit import AuditScreen
from ui.screens.staff import COL_SIGN_IN, StaffScreen


def _manager(gui_context: AppContext, accounts) -> StaffUser:  # type: ignore[no-untyped-def]
    with gui_context.database.write() as s:
        return auth.sign_in(s, "manager", accounts["manager"].password)


def _sign_in_state(screen: StaffScreen, username: str) -> str:
    for n in range(screen.model.rowCount()):
        if screen.model.row_at(n).username == username:
            return screen.model.index(n, COL_SIGN_IN).data()
    raise AssertionError(username)


def test_a_locked_account_can_be_unlocked_by_the_manager(
    qtbot, gui_context, runner, accounts
) -> None:  # type: ignore[no-untyped-def]
    with gui_context.database.write() as s:
        staff = s.scalars(select(Staff).where(Staff.username == "sales1")).one()
        staff.locked_until = utcnow() + timedelta(minutes=10)
        staff.failed_attempts = 0
    screen = StaffScreen(gui_context, runner, _manager(gui_context, accounts))
    qtbot.addWidget(screen)
    screen.show()
    assert screen.model.rowCount() == 4
    assert _sign_in_state(screen, "sales1").startswith("已锁定")
    assert _sign_in_state(screen, "reception") == "正常"
    assert screen.select_username("reception")
    assert not screen.unlock_button.isEnabled()  # nothing to unlock
    assert screen.select_username("sales1")
    assert screen.unlock_button.isEnabled()
    screen.unlock_button.click()
    # The published change reloaded the list.
    assert _sign_in_state(screen, "sales1") == "正常"
    assert screen.message_label.text() == "已解锁 孙顾问 的账号。"
    with gui_context.database.read() as s:
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
    assert actions[-1] == "account_unlocked"


def test_audit_screen_lists_newest_first_and_verifies_the_chain(
    qtbot, gui_context, runner, accounts
) -> None:  # type: ignore[no-untyped-def]
    screen = AuditScreen(gui_context, runner, _manager(gui_context, accounts))
    qtbot.addWidget(screen)
    screen.show()
    assert screen.model.rowCount() == 1
    assert screen.model.index(0, 3).data() == "登录"
    assert screen.model.index(0, 2).data() == "赵店长"
    screen.verify_button.click()
    shown = screen.result_label.text()
    assert shown.startswith("审计日志完整：共 1 条，哈希链无误")
    # The head to copy onto the day's sheet, checkable later with ``audit verify --anchor``.
    with gui_context.database.read() as s:
        assert f"当前链头锚点 {audit.current_anchor(s).text}" in shown
    # Any published change refreshes the list (almost every write is audited).
    with gui_context.database.write() as s:
        auth.sign_in(s, "reception", accounts["reception"].password)
    gui_context.bus.publish({"visits"})
    assert screen.model.rowCount() == 2
    assert screen.model.index(0, 2).data() == "钱前台"


def test_a_tampered_audit_log_is_reported(qtbot, gui_context, runner, accounts) -> None:  # type: ignore[no-untyped-def]
    screen = AuditScreen(gui_context, runner, _manager(gui_context, accounts))
    qtbot.addWidget(screen)
    with gui_context.database.engine.begin() as conn:
        # SQLite's triggers refuse UPDATE; a forger with file access drops them first.
        for (name,) in conn.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'")):
            conn.execute(text(f'DROP TRIGGER "{name}"'))
        conn.execute(text("UPDATE audit_entries SET actor = '别人' WHERE seq = 1"))
    screen.verify_button.click()
    assert screen.result_label.text().startswith("审计日志异常：条目 1 的内容被修改")
    assert screen.result_label.objectName() == "ErrorText"
