"""Start-up: the window appears at once; faults become a page with ways out, never a trace."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from db.models import Role
from showroom.context import embedded_url
from showroom.paths import AppPaths
from showroom.services.auth import StaffUser
from showroom.settings import Settings
from tests.factories import make_staff, make_store
from ui.app import ShowroomApp

UNREACHABLE = "postgresql+psycopg://showroom:s3cret@127.0.0.1:1/showroom"


def _start(app: ShowroomApp, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Start and wait for the first paint, after which the database is opened."""
    app.start()
    qtbot.waitUntil(lambda: app.started_after_paint, timeout=5000)


@pytest.fixture
def make_app(qtbot, paths: AppPaths):  # type: ignore[no-untyped-def]
    made: list[ShowroomApp] = []

    def make(url: str = "", **kwargs: object) -> ShowroomApp:
        settings = Settings(paths.settings_file, stored={"database_url": url} if url else None)
        app = ShowroomApp(paths, settings, inline=True, **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(app.window)
        made.append(app)
        return app

    yield make
    for app in made:
        app.shutdown()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (UNREACHABLE, "无法连接数据库"),
        ("this is not a database address", "数据库地址无效"),
    ],
)
def test_a_bad_database_shows_the_fault_page_with_ways_out(make_app, qtbot, url, expected) -> None:  # type: ignore[no-untyped-def]
    app = make_app(url)
    _start(app, qtbot)
    page = app.window.startup_page
    assert app.window.current_page is page
    assert page.showing_fault
    assert expected in page.fault_detail.text()
    assert "s3cret" not in page.fault_detail.text()
    assert "Traceback" not in page.fault_detail.text()
    for button, text in (
        (page.retry_button, "重试"),
        (page.settings_button, "设置…"),
        (page.embedded_button, "使用本机内置数据库"),
    ):
        assert button.isVisibleTo(app.window) and button.text() == text
    assert app.context is None
    assert app.window.online_indicator.text.text() == "离线"


def test_the_embedded_option_opens_this_pcs_database_and_offers_first_run(
    make_app,
    qtbot,
    paths: AppPaths,  # type: ignore[no-untyped-def]
) -> None:
    app = make_app(UNREACHABLE)
    _start(app, qtbot)
    app.window.startup_page.embedded_button.click()
    assert app.context is not None and app.context.embedded
    assert paths.embedded_database.exists()
    assert app.window.current_page is app.window.sign_in_page
    assert app.window.database_label.text() == "本机内置数据库"
    # An empty database offers demo data or the first store.
    dialog = app.first_run_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.demo_button.text() == "载入演示数据"
    assert dialog.setup_button.text() == "创建门店和店长账号"
    # The saved setting is untouched: only this session uses the embedded database.
    assert app.settings["database_url"] == UNREACHABLE


def test_retry_after_the_address_was_fixed_in_settings(make_app, qtbot, paths: AppPaths) -> None:  # type: ignore[no-untyped-def]
    app = make_app(UNREACHABLE)
    _start(app, qtbot)
    app.window.startup_page.settings_button.click()
    dialog = app.settings_dialog
    assert dialog is not None
    dialog.editors["database_url"].setText(embedded_url(paths.data_dir / "fixed.db"))
    dialog.save()
    # Saving a new address at the fault page reconnects at once.
    assert app.context is not None
    assert app.window.current_page is app.window.sign_in_page
    assert (paths.data_dir / "fixed.db").exists()


def test_first_run_creates_the_store_and_manager_then_opens_the_staff_checklist(
    make_app, qtbot
) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    _start(app, qtbot)
    dialog = app.first_run_dialog
    assert dialog is not None
    dialog.setup_button.click()
    dialog.store_code.setText("SH02")
    dialog.store_name.setText("上海浦东展厅")
    dialog.manager_name.setText("王建国")
    dialog.manager_username.setText("wangjg")
    dialog.manager_password.setText("secret-123")
    dialog.manager_password2.setText("secret-124")
    dialog.create_button.click()
    assert dialog.store_error.text() == "两次输入的密码不一致。"
    dialog.manager_password.setText("wangjg-2026")
    dialog.manager_password2.setText("wangjg-2026")
    dialog.create_button.click()
    assert "用户名" in dialog.store_error.text()  # the password rules apply from the start
    dialog.manager_password.setText("secret-123")
    dialog.manager_password2.setText("secret-123")
    dialog.create_button.click()
    assert not dialog.isVisible()
    # The manager is in, on the staff screen, with what a new store still has to do.
    shell = app.window.shell
    assert shell is not None and shell.user.store_name == "上海浦东展厅"
    assert shell.current_key() == "staff"
    staff = shell.screens["staff"]
    assert staff.checklist.isVisibleTo(staff)
    assert [m.text() for m in staff.checklist.marks.values()] == ["○"] * 5
    # Next time the sign-in page offers the new username.
    app.window.sign_out()
    assert app.window.sign_in_page.username.text() == "wangjg"


def test_first_run_mistakes_are_explained_and_nothing_is_lost(make_app, qtbot) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    _start(app, qtbot)
    dialog = app.first_run_dialog
    dialog.setup_button.click()
    dialog.store_code.setText("!")
    dialog.manager_name.setText("王建国")
    dialog.manager_username.setText("wangjg")
    dialog.manager_password.setText("secret-123")
    dialog.manager_password2.setText("secret-123")
    dialog.create_button.click()
    assert "门店编号为 2 到 8 位字母或数字" in dialog.store_error.text()
    assert dialog.manager_username.text() == "wangjg"
    assert dialog.isVisible()


def test_postponing_first_run_leaves_a_way_back_on_the_sign_in_page(make_app, qtbot) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    _start(app, qtbot)
    app.first_run_dialog.reject()
    page = app.window.sign_in_page
    assert page.setup_button.isVisibleTo(app.window)
    page.setup_button.click()
    assert app.first_run_dialog is not None and app.first_run_dialog.isVisible()


def test_an_existing_database_goes_straight_to_sign_in(make_app, qtbot, paths: AppPaths) -> None:  # type: ignore[no-untyped-def]
    from showroom.context import open_context

    ctx = open_context(paths, Settings(paths.settings_file))
    make_staff(ctx.database, make_store(ctx.database, name="北京望京展厅"), "boss", Role.MANAGER)
    ctx.close()
    app = make_app()
    _start(app, qtbot)
    assert app.first_run_dialog is None
    assert app.window.current_page is app.window.sign_in_page
    assert app.window.sign_in_page.store_label.text() == "北京望京展厅"


class _FakeKiosk(QWidget):
    staffUnlocked = Signal(object)  # noqa: N815 - Qt's signal naming

    def __init__(self, context: object, runner: QObject, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context

    def attach(self, context: object) -> None:
        """The app hands the kiosk its context once the database has opened."""
        self.context = context


def test_kiosk_mode_hands_over_to_staff_and_comes_back_on_sign_out(
    make_app,
    paths: AppPaths,
    monkeypatch: pytest.MonkeyPatch,
    qtbot,  # type: ignore[no-untyped-def]
) -> None:
    module = types.ModuleType("ui.kiosk.window")
    module.KioskWindow = _FakeKiosk  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ui.kiosk.window", module)
    from showroom.context import open_context

    ctx = open_context(paths, Settings(paths.settings_file))
    store_id = make_store(ctx.database)
    staff_id = make_staff(ctx.database, store_id, "boss", Role.MANAGER)
    ctx.close()
    app = make_app(kiosk=True)
    _start(app, qtbot)
    kiosk = app.kiosk_window
    assert isinstance(kiosk, _FakeKiosk)
    qtbot.addWidget(kiosk)
    assert kiosk.isVisible() and not app.window.isVisible()
    user = StaffUser(staff_id, "boss", "赵店长", Role.MANAGER, store_id, "BJ01", "测试展厅")
    kiosk.staffUnlocked.emit(user)
    assert app.window.isVisible() and app.window.shell is not None
    assert not kiosk.isVisible()
    app.window.shell.sign_out_button.click()
    assert kiosk.isVisible() and not app.window.isVisible()
    # Closing the staff window (e.g. Alt+F4) also goes back to the kiosk, never quits.
    kiosk.staffUnlocked.emit(user)
    assert app.window.isVisible()
    app.window.close()
    assert kiosk.isVisible() and not app.window.isVisible()
    assert app.window.shell is None


def test_exit_after_startup_quits_once_the_sign_in_page_is_painted(make_app, qtbot) -> None:  # type: ignore[no-untyped-def]
    app = make_app(exit_after_startup=True)
    quits: list[bool] = []
    # Record the quit instead of ending the event loops pytest-qt waits in.
    app._quit = lambda: quits.append(True)  # type: ignore[method-assign]
    with qtbot.waitSignal(app.firstScreenShown, timeout=5000):
        app.start()
    qtbot.waitUntil(lambda: bool(quits), timeout=5000)
    assert app.context is not None  # the database answered before the quit
    assert app.window.current_page is app.window.sign_in_page
    assert app.first_run_dialog is None  # no dialog may hold up a timed start
    assert app.exit_code == 0


def test_settings_file_path_is_under_the_isolated_home(paths: AppPaths) -> None:
    assert Path(str(paths.settings_file)).parent == paths.config_dir


def test_demo_data_from_the_first_run_dialog_lists_the_demo_accounts(
    make_app,
    qtbot,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    import ui.dialogs.first_run as first_run
    from showroom.services.vehicles import count_vehicles

    monkeypatch.setattr(first_run, "DEMO_CARS", 12)  # the flow, not the volume, is tested here
    app = make_app()
    _start(app, qtbot)
    dialog = app.first_run_dialog
    stages: list[str] = []
    original = dialog._on_progress

    def record(stage: str, done: int, total: int) -> None:
        stages.append(stage)
        original(stage, done, total)

    monkeypatch.setattr(dialog, "_on_progress", record)
    dialog.demo_button.click()
    assert stages, "progress reports reach the dialog"
    assert dialog.pages.currentWidget() is dialog.accounts_page
    table = dialog.accounts_table
    roles = {table.item(row, 0).text() for row in range(table.rowCount())}
    assert {"店长", "前台", "销售顾问", "评估师"} <= roles
    usernames = [table.item(row, 2).text() for row in range(table.rowCount())]
    with app.context.database.read() as session:
        assert count_vehicles(session) == 12
    dialog.start_button.click()
    page = app.window.sign_in_page
    assert page.username.text() in usernames
    assert table.item(usernames.index(page.username.text()), 0).text() == "店长"
    assert not page.setup_button.isVisibleTo(app.window)
