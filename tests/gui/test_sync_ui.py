"""What staff see of sync: 待同步 at the desk, the status bar, the sync panel, offline errors."""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from sqlalchemy import select

from db.engine import Database
from db.models import Visit
from db.sync.outbox import Outbox
from showroom.context import AppContext
from showroom.errors import DatabaseUnavailable
from showroom.sync.service import SyncService, SyncState
from tests.gui.columns import cut_off_columns
from tests.gui.shots import shots_dir
from tests.gui.test_reception import desk  # noqa: F401 - the fixture
from ui.dialogs.sync_problems import SyncProblemsDialog
from ui.screens.reception import CheckInScreen
from ui.tasks import TaskRunner
from ui.widgets.status import OnlineIndicator


def test_an_offline_check_in_is_kept_as_pending_and_replayed(
    qtbot,
    gui_context: AppContext,
    runner: TaskRunner,
    desk,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:  # type: ignore[no-untyped-def]
    sync = SyncService(gui_context.database, Outbox(tmp_path / "outbox.sqlite3"))
    runner.sync = sync
    screen = CheckInScreen(gui_context, runner, desk)
    qtbot.addWidget(screen)
    screen.show()
    qtbot.keyClicks(screen.entry, "13812345678")
    qtbot.keyClick(screen.entry, Qt.Key.Key_Return)
    assert screen.customer_title.text().startswith("张伟")
    sync.online = False  # the server went away after the look-up
    screen.submit()  # 到店签到
    assert "待同步" in screen.message.text()
    assert screen.entry.text() == ""  # ready for the next person
    with gui_context.database.read() as session:
        assert list(session.scalars(select(Visit))) == []
    assert sync.state().pending == 1
    # A look-up that cannot reach the server points at F2, which records the arrival offline.
    screen._fail(DatabaseUnavailable("db.offline", "需要连接数据库"))
    assert "F2" in screen.message.text() and "合并" in screen.message.text()

    sync.online = True
    assert sync.replay().applied == 1
    with gui_context.database.read() as session:
        (visit,) = session.scalars(select(Visit))
    assert visit.customer_id == uuid.UUID(int=1)


def test_the_status_bar_says_offline_pending_and_problems(qtbot) -> None:  # type: ignore[no-untyped-def]
    indicator = OnlineIndicator()
    qtbot.addWidget(indicator)
    indicator.set_sync(SyncState(online=False, pending=2, problems=1, replaying=False))
    assert indicator.text.text() == "离线 · 2 条待同步 · 1 个同步问题"
    indicator.set_sync(SyncState(online=True, pending=2, problems=0, replaying=True))
    assert indicator.text.text() == "同步中 · 2 条待同步"
    indicator.set_sync(SyncState(online=True, pending=0, problems=0, replaying=False))
    assert indicator.text.text() == "在线"
    with qtbot.waitSignal(indicator.clicked):
        qtbot.mouseClick(indicator, Qt.MouseButton.LeftButton)


def test_the_sync_panel_lists_problems_until_staff_discard_them(
    qtbot, runner: TaskRunner, tmp_path: Path, sqlite_database: Database
) -> None:  # type: ignore[no-untyped-def]
    box = Outbox(tmp_path / "outbox.sqlite3")
    refused = box.add("test_drive.return", {"odometer_km": 5})
    box.mark_problem(refused.id, "这次试驾已经还车，不能重复还车。")
    box.add("visit.check_in", {})
    sync = SyncService(sqlite_database, box)
    sync.online = False
    dialog = SyncProblemsDialog(sync, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    rows = [
        [dialog.table.item(r, c).text() for c in (0, 1, 3)] for r in range(dialog.table.rowCount())
    ]
    assert rows == [
        ["待同步", "到店登记", "网络恢复后自动同步"],
        ["同步问题", "试驾还车", "这次试驾已经还车，不能重复还车。"],
    ]
    assert "1 条待同步，1 个同步问题" in dialog.summary.text()
    assert cut_off_columns(dialog.table) == []
    assert dialog.sync_button.isEnabled()  # 立即同步 tries the server itself, even "offline"
    Path("/tmp/i8").mkdir(exist_ok=True)
    dialog.grab().save("/tmp/i8/sync_panel.png")
    sync.discard(refused.id, "已在另一台电脑处理")
    dialog.refresh()
    assert dialog.table.rowCount() == 1


def test_an_unreachable_server_says_it_needs_the_connection(qtbot) -> None:  # type: ignore[no-untyped-def]
    database = Database.from_url(
        "postgresql+psycopg://u@127.0.0.1:1/x", connect_args={"connect_timeout": 1}
    )
    runner = TaskRunner(database, inline=True)
    failures: list[BaseException] = []
    runner.write(lambda session: session.execute(select(1)), lambda _r: None, failures.append)
    database.dispose()
    runner.deleteLater()
    (failure,) = failures
    assert isinstance(failure, DatabaseUnavailable)
    assert failure.message.startswith("需要连接数据库")


def test_another_pcs_change_refreshes_an_open_screen(
    qtbot,
    gui_context: AppContext,
    runner: TaskRunner,
    desk,  # noqa: F811
) -> None:  # type: ignore[no-untyped-def]
    from typing import ClassVar

    from tests.factories import make_store
    from ui.screens.base import Screen

    class Watching(Screen):
        topics: ClassVar[frozenset[str]] = frozenset({"stores"})
        refreshed = 0

        def refresh(self) -> None:
            self.refreshed += 1

    screen = Watching(gui_context, runner, desk)
    qtbot.addWidget(screen)
    screen.show()
    heard: list[object] = []
    gui_context.bus.subscribe(heard.append)
    sync = gui_context.start_sync()
    try:
        qtbot.waitUntil(lambda: sync.online is True, timeout=5000)
        other_pc = Database.from_url(gui_context.database.engine.url)
        make_store(other_pc, code="SH01")
        other_pc.dispose()
        qtbot.waitUntil(lambda: bool(heard), timeout=10000)  # the watcher published

        def delivered() -> bool:
            # The relay's queued signal; after some earlier tests in this process the
            # test's wait loop alone does not flush posted events, so flush them here.
            QCoreApplication.sendPostedEvents()
            return screen.refreshed >= 1

        qtbot.waitUntil(delivered, timeout=10000)
    finally:
        gui_context.close()


def test_a_live_change_keeps_the_lists_scroll_position_and_selection(
    qtbot, gui_context: AppContext, runner: TaskRunner, accounts
) -> None:  # type: ignore[no-untyped-def]
    from db.enums import Title
    from db.models import Customer, Store
    from showroom.services import auth
    from ui.screens.customers import CustomersScreen

    with gui_context.database.write() as s:
        store_id = s.scalars(select(Store.id)).one()
        for n in range(120):
            s.add(Customer(store_id=store_id, name=f"客户{n:03d}", phone=f"1390000{n:04d}"))
    with gui_context.database.write() as s:
        user = auth.sign_in(s, "manager", accounts["manager"].password)
    screen = CustomersScreen(gui_context, runner, user)
    qtbot.addWidget(screen)
    screen.resize(900, 500)
    screen.show()
    bar = screen.table.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    scrolled = bar.value()
    screen.table.selectRow(60)
    chosen = screen.model.row_at(60).id
    with gui_context.database.write() as s:  # another PC renames someone
        s.scalars(select(Customer).where(Customer.name == "客户060")).one().title = Title.MS
    gui_context.bus.publish({"customers"})  # as the feed watcher does
    assert scrolled > 0 and bar.value() == scrolled
    rows = screen.table.selectionModel().selectedRows()
    assert [screen.model.row_at(r.row()).id for r in rows] == [chosen]
    assert screen.model.index(60, 1).data() is not None


def test_offline_the_status_bar_says_the_lists_come_from_the_cache(qtbot) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    indicator = OnlineIndicator()
    qtbot.addWidget(indicator)
    cached = datetime(2026, 11, 29, 6, 5, tzinfo=UTC)  # 14:05 in the store (UTC+8)
    indicator.set_sync(
        SyncState(online=False, pending=1, problems=0, replaying=False, cached_at=cached)
    )
    assert indicator.text.text() == "离线 · 显示 14:05 的缓存数据 · 1 条待同步"
    assert "本机缓存" in indicator.toolTip() and "14:05" in indicator.toolTip()
    indicator.set_sync(
        SyncState(online=True, pending=0, problems=0, replaying=False, cached_at=cached)
    )
    assert indicator.text.text() == "在线"  # online: the lists are live again


def test_offline_the_inventory_screen_lists_the_cached_cars(
    qtbot, gui_context: AppContext, runner: TaskRunner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import delete

    from db.models import Role, Vehicle
    from db.sync.replica import ReadReplica
    from showroom.services.auth import StaffUser
    from tests.factories import make_store
    from tests.factories_vehicles import make_vehicle
    from ui.screens.inventory import InventoryScreen

    store_id = make_store(gui_context.database)
    make_vehicle(gui_context.database, store_id, stock_no="BJ01-S2026-07001", brand="比亚迪")
    sync = SyncService(gui_context.database, Outbox(tmp_path / "outbox.sqlite3"))
    sync.replica = ReadReplica(tmp_path / "read_cache.sqlite3")
    sync.replica.fill(gui_context.database)
    runner.sync = sync
    # Gone from the shared database after the copy: only the cache still has the car.
    with gui_context.database.write() as session:
        session.execute(delete(Vehicle))
    sync.online = False
    user = StaffUser(uuid.uuid4(), "r", "钱前台", Role.RECEPTION, store_id, "BJ01", "测试展厅")
    screen = InventoryScreen(gui_context, runner, user)
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitUntil(lambda: screen.model.total == 1)
    assert screen.count_label.text() == "共 1 辆"
    index = screen.model.index(0, 0)
    assert "BJ01-S2026-07001" in str(screen.model.data(index))
    sync.replica.dispose()


def test_a_write_that_keeps_deadlocking_says_busy_not_offline(
    qtbot, sqlite_database: Database
) -> None:  # type: ignore[no-untyped-def]
    from psycopg import errors as pg
    from sqlalchemy import exc as sa

    from db.engine import RetryPolicy

    sqlite_database.retry = RetryPolicy(attempts=2, first_delay_s=0.001, max_delay_s=0.001)
    runner = TaskRunner(sqlite_database, inline=True)
    failures: list[BaseException] = []

    def work(_session):  # type: ignore[no-untyped-def]
        raise sa.OperationalError("UPDATE", {}, pg.DeadlockDetected("deadlock detected"))

    runner.write(work, lambda _r: None, failures.append)
    runner.deleteLater()
    (failure,) = failures
    assert isinstance(failure, DatabaseUnavailable)
    assert failure.code == "db.busy"
    assert failure.message.startswith("数据库正忙") and "已填写的内容都还在" in failure.message


def test_sync_now_while_the_server_is_still_down_says_so_and_keeps_everything(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    database = Database.from_url(
        "postgresql+psycopg://u@127.0.0.1:1/x", connect_args={"connect_timeout": 1}
    )
    box = Outbox(tmp_path / "outbox.sqlite3")
    box.add("visit.check_in", {})
    sync = SyncService(database, box)
    sync.online = False
    runner = TaskRunner(database, inline=True)
    dialog = SyncProblemsDialog(sync, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.sync_button.isEnabled()
    dialog.sync_button.click()
    assert dialog.summary.text().startswith("仍然无法连接共享数据库")
    assert dialog.table.rowCount() == 1  # still listed, still waiting
    assert sync.state().pending == 1
    dialog.grab().save(str(shots_dir("i18") / "sync_panel_still_offline.png"))
    database.dispose()
    runner.deleteLater()
