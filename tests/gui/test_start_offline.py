"""A desk whose shared database is down: the sign-in page says so and lets known staff in.

The PC keeps, after each online sign-in, what an offline sign-in needs
(``showroom.sync.offline_sign_in``); offline, the page checks against that and the
audit entry waits in the outbox.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from db.models import Staff
from db.sync.outbox import Outbox
from db.sync.replica import ReadReplica
from showroom.context import AppContext
from showroom.sync.service import SyncService
from tests.gui.shots import shots_dir
from tests.gui.test_sign_in import type_and_submit
from ui.main_window import MainWindow
from ui.tasks import TaskRunner

SHOTS = shots_dir("i18")


@pytest.fixture
def offline_desk(qtbot, gui_context: AppContext, runner: TaskRunner, accounts, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The app on a shared database that stopped answering, with a filled read cache."""
    sync = SyncService(gui_context.database, Outbox(tmp_path / "outbox.sqlite3"))
    sync.replica = ReadReplica(tmp_path / "read_cache.sqlite3")
    sync.replica.fill(gui_context.database)
    gui_context.sync = sync
    runner.sync = sync
    window = MainWindow(runner)
    qtbot.addWidget(window)
    window.attach(gui_context)
    window.show_sign_in()
    window.show()
    yield window, sync
    sync.replica.dispose()
    gui_context.sync = None


def _remember(window: MainWindow, qtbot, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    """An ordinary online sign-in on this PC earlier (what it keeps for later)."""
    type_and_submit(qtbot, window, username, password)
    assert window.shell is not None
    window.sign_out()


def test_a_known_desk_signs_in_offline_and_the_audit_entry_waits(
    qtbot, offline_desk, accounts
) -> None:  # type: ignore[no-untyped-def]
    window, sync = offline_desk
    _remember(window, qtbot, "reception", accounts["reception"].password)
    assert sync.outbox.get_state("offline_sign_in:reception") is not None
    page = window.sign_in_page
    assert page is not None

    sync.online = False  # the server stops answering
    window.set_sync(sync.state())
    assert page.offline_note.isVisibleTo(window)
    assert "离线登录" in page.offline_note.text()
    assert "缓存数据" in window.online_indicator.text.text()
    QApplication.processEvents()  # the layouts catch up with the new texts
    window.grab().save(str(SHOTS / "sign_in_offline.png"))

    type_and_submit(qtbot, window, "reception", "wrong-password")
    assert window.shell is None
    assert "再错 4 次" in page.error_text

    type_and_submit(qtbot, window, "reception", accounts["reception"].password)
    assert window.shell is not None
    assert "钱前台" in window.user_label.text()
    kinds = [op.kind for op in sync.outbox.pending()]
    assert kinds == ["auth.sign_in_offline_failed", "auth.sign_in_offline"]
    QApplication.processEvents()
    window.grab().save(str(SHOTS / "shell_offline.png"))


def test_someone_who_never_signed_in_here_is_told_to_wait(qtbot, offline_desk) -> None:  # type: ignore[no-untyped-def]
    window, sync = offline_desk
    sync.online = False
    window.set_sync(sync.state())
    type_and_submit(qtbot, window, "manager", "manager123")
    assert window.shell is None
    page = window.sign_in_page
    assert page is not None
    assert "只有最近 14 天内在本机成功登录过的员工可以离线登录" in page.error_text
    assert page.password.hasFocus() or page.password.text() == "manager123"  # kept


def test_a_deactivated_account_cannot_sign_in_offline(
    qtbot, offline_desk, accounts, gui_context: AppContext
) -> None:  # type: ignore[no-untyped-def]
    window, sync = offline_desk
    _remember(window, qtbot, "sales1", accounts["sales1"].password)
    with gui_context.database.write() as session:  # the manager switched the account off
        staff = session.query(Staff).filter_by(username="sales1").one()
        staff.active = False
    sync.replica.refresh(gui_context.database)
    sync.online = False
    type_and_submit(qtbot, window, "sales1", accounts["sales1"].password)
    assert window.shell is None
    assert window.sign_in_page is not None
    assert "用户名或密码不正确" in window.sign_in_page.error_text  # as for a wrong password


def test_back_online_the_note_goes(qtbot, offline_desk) -> None:  # type: ignore[no-untyped-def]
    window, sync = offline_desk
    sync.online = False
    window.set_sync(sync.state())
    sync.online = True
    window.set_sync(sync.state())
    assert window.sign_in_page is not None
    assert not window.sign_in_page.offline_note.isVisibleTo(window)


def test_the_app_starts_on_its_read_cache_when_the_server_is_down(
    qtbot, postgresql_url: str, paths, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Start-up with the server unreachable and a cache on disk: no fault page, the
    sign-in form with the offline note, and the status bar saying where data comes from."""
    from sqlalchemy.engine import make_url

    from db.engine import Database
    from db.models import Role
    from showroom.settings import Settings
    from tests.factories import make_staff, make_store
    from tests.tcp_proxy import TcpProxy
    from ui.app import ShowroomApp

    shared = Database.from_url(postgresql_url)
    store_id = make_store(shared)
    make_staff(shared, store_id, "desk", Role.RECEPTION)
    cache = ReadReplica(paths.data_dir / "read_cache.sqlite3")
    cache.fill(shared)  # filled on an earlier, online day
    cache.dispose()
    shared.dispose()
    proxy = TcpProxy()
    proxy.cut()
    url = make_url(postgresql_url).set(host="127.0.0.1", port=proxy.port)
    settings = Settings(
        paths.settings_file,
        stored={"database_url": url.render_as_string(hide_password=False)},
    )
    app = ShowroomApp(paths, settings, inline=True, live_sync=True)
    qtbot.addWidget(app.window)
    try:
        app.start()
        qtbot.waitUntil(lambda: app.context is not None, timeout=20000)
        assert app.context is not None and app.context.started_offline
        assert app.window.current_page is app.window.sign_in_page
        page = app.window.sign_in_page
        assert page is not None
        qtbot.waitUntil(lambda: page.offline_note.isVisibleTo(app.window), timeout=5000)
        assert "缓存数据" in page.offline_note.text()
        assert app.window.online_indicator.text.text().startswith("离线 · 显示")
        QApplication.processEvents()
        app.window.grab().save(str(SHOTS / "start_offline_app.png"))
    finally:
        app.shutdown()
        proxy.close()
