"""Building the application and running its start-up.

``create_application`` makes the one ``QApplication`` (name, icon, style,
fonts, translations). ``ShowroomApp`` runs the start-up: it shows the window
at once with "正在连接数据库…", opens the database in the background, and then
shows the first screen (sign-in, or the kiosk), the first-run dialog on an
empty database, or a fault page with retry / settings / embedded database.
``run`` is what ``showroom`` (no subcommand) executes.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

# No ``Qt`` namespace here nor in anything the first screen needs: importing it
# builds all of its ~100 enums (about 30 ms), which is paid after the first paint.
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QMessageLogContext,
    QObject,
    QTimer,
    QtMsgType,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from showroom import __version__
from showroom.context import (
    AppContext,
    database_url,
    describe_url,
    embedded_url,
    open_context,
    warm_up_orm,
)
from showroom.paths import APP_NAME, AppPaths
from showroom.settings import Settings
from ui.errors import BugReporter, fault_parts, install_exception_hooks, report_failure
from ui.i18n import install_translators, resolve_language
from ui.style import STYLE_ARGUMENTS, apply_style
from ui.tasks import TaskRunner
from ui.widgets.icons import app_icon

if TYPE_CHECKING:
    from showroom.services.stores import FirstRunState
    from showroom.users import StaffUser
    from ui.dialogs.first_run import FirstRunDialog
    from ui.dialogs.settings import SettingsDialog
    from ui.main_window import MainWindow
    from ui.widgets.status import ConnectionMonitor, SyncRelay

log = logging.getLogger("showroom.ui")

# Longest wait for the first paint before the database is opened regardless.
FIRST_PAINT_GRACE_MS = 1500


_QT_LOG = logging.getLogger("showroom.qt")
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    # Qt's own warnings belong in the log file with ours, not on a console nobody reads.
    _QT_LOG.log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)


def create_application(argv: Sequence[str], language: str) -> QApplication:
    """The one QApplication, styled and translated; call before any widget exists.

    The window icon is left to ``set_app_icon`` (after the first paint, in ``run``).
    """
    qInstallMessageHandler(_qt_message)
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(APP_NAME)
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName("showroom")
    program = list(argv[:1]) or ["showroom"]  # Qt reads options only after a program name
    app = QApplication([*program, *STYLE_ARGUMENTS, *argv[1:]])
    apply_style(app)
    install_translators(app, resolve_language(language))
    return app


def set_app_icon(app: QApplication) -> None:
    """The icon of every window and of the task bar (SVG rendered at seven sizes)."""
    app.setWindowIcon(app_icon())


def bring_to_front(window: QWidget) -> None:
    """Raise and focus ``window`` where the platform has a window stack at all."""
    if QGuiApplication.platformName() not in {"offscreen", "minimal"}:
        window.raise_()
        window.activateWindow()


def _ignore(_: object) -> None:
    """Nothing to do with a warm-up's result."""


class PaintWatcher(QObject):
    """Tells when a widget has been painted for the first time.

    Signals: ``painted()``, once.
    """

    painted = Signal()

    def __init__(self, target: QWidget) -> None:
        super().__init__(target)
        self._target = target
        self._done = False
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if not self._done and watched is self._target and event.type() == QEvent.Type.Paint:
            self._done = True
            self._target.removeEventFilter(self)
            # After this paint event has been handled, not in the middle of it.
            QTimer.singleShot(0, self.painted.emit)
        return False


class ShowroomApp(QObject):
    """The start-up and the top-level modes (staff window, kiosk) of one app run.

    Signals: ``firstScreenShown()`` once the first screen (sign-in, kiosk home or the
    fault page) has been painted; ``connected(object)`` with the ``AppContext``.
    """

    firstScreenShown = Signal()  # noqa: N815 - Qt's signal naming
    connected = Signal(object)

    def __init__(
        self,
        paths: AppPaths,
        settings: Settings,
        *,
        kiosk: bool = False,
        exit_after_startup: bool = False,
        inline: bool = False,
        live_sync: bool = False,
        on_first_paint: Callable[[], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        # Process-wide set-up that can wait for the first screen (``run`` opens the log file).
        self._on_first_paint = on_first_paint
        # Feed watcher, outbox and replay (showroom.sync); off in tests that build the shell.
        self.live_sync = live_sync
        self.sync_relay: SyncRelay | None = None
        self.paths = paths
        self.settings = settings
        self.kiosk = kiosk
        self.exit_after_startup = exit_after_startup
        self.exit_code = 0
        self.context: AppContext | None = None
        self.runner = TaskRunner(None, inline=inline, parent=self)
        self._window: MainWindow | None = None  # see ``window``
        self.kiosk_window: QWidget | None = None
        self.monitor: ConnectionMonitor | None = None
        self.first_run_dialog: FirstRunDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self._url_override: str | None = None
        self._connecting = False
        self._first_screen_done = False
        self._watcher: PaintWatcher | None = None
        self._quit_when_connected = False
        self.started_after_paint = False
        self.firstScreenShown.connect(self._on_first_screen_shown)

    @property
    def window(self) -> MainWindow:
        """The staff window: sign-in, the signed-in shell and the start-up fault page.

        Made on first use. The kiosk's attract screen paints without it; it is built
        right after that paint, or earlier if a fault or a staff PIN needs it.
        """
        if self._window is None:
            from ui.main_window import MainWindow

            window = MainWindow(self.runner)
            window.close_signs_out = self.kiosk
            window.retryRequested.connect(self.retry)
            window.embeddedRequested.connect(self.use_embedded)
            window.settingsRequested.connect(self.open_settings)
            window.setupRequested.connect(self.offer_first_run)
            window.signedOut.connect(self._on_signed_out)
            self._window = window
        return self._window

    # --- start-up ----------------------------------------------------------------------

    def start(self) -> None:
        """Show the window now and open the database in the background."""
        if self.settings.problems:
            self.window.statusBar().showMessage(
                self.tr("设置文件中有无效的值，已改用默认值（详情见日志）。"), 15_000
            )
        # The first screen is usable at once (the kiosk home, or the sign-in form that
        # staff can start typing into). The database opens in a worker right after
        # that first paint: started earlier, the worker's imports would compete with
        # the painting thread for the interpreter and delay what the user sees.
        if self.kiosk and self._open_kiosk():
            self._watch_first_paint(self.kiosk_window)  # type: ignore[arg-type]
        else:
            self.window.prepare_sign_in(self.settings["store_name"])
            self.window.show_sign_in()
            self._watch_first_paint(self.window.sign_in_page)  # type: ignore[arg-type]
            self._show_window(self.window)
        # A window that never paints (minimised at start) must not keep the database shut.
        QTimer.singleShot(FIRST_PAINT_GRACE_MS, self._after_first_paint)

    def _after_first_paint(self) -> None:
        """Start-up work that waits for the first screen: once, whichever comes first."""
        if self.started_after_paint:
            return
        self.started_after_paint = True
        if self._on_first_paint is not None:
            self._on_first_paint()
        self.connect_database()
        from showroom.documents.templates import ensure_templates
        from ui.documents.fonts import warn_if_no_cjk_font

        warn_if_no_cjk_font(self.window.statusBar())  # papers would print boxes without one
        ensure_templates(self.paths.data_dir / "templates")  # the dealer edits these copies

    def _show_window(self, window: QWidget) -> None:
        if self.kiosk:
            window.showFullScreen()
        else:
            window.show()

    def current_url(self) -> str:
        return self._url_override or database_url(self.settings, self.paths)

    def connect_database(self) -> None:
        if self._connecting:
            return
        self._connecting = True
        url = self.current_url()
        if self.window.current_page is not self.window.sign_in_page or self.context is not None:
            self.window.show_connecting(describe_url(url))
        paths, settings = self.paths, self.settings
        self.runner.call(
            lambda: open_context(paths, settings, url, from_cache=True),
            self._on_connected,
            self._on_connect_failed,
        )

    def retry(self) -> None:
        self.connect_database()

    def use_embedded(self) -> None:
        """Work on this PC's SQLite database for this session (the setting is not changed)."""
        self._url_override = embedded_url(self.paths.embedded_database)
        log.info("using the embedded database for this session")
        self.connect_database()

    def _on_connect_failed(self, exc: BaseException) -> None:
        self._connecting = False
        if self._quit_when_connected:
            QTimer.singleShot(0, self._quit)
        report_failure(exc)
        message, technical = fault_parts(exc)
        log.warning("start-up fault: %s %s", message, technical)
        embedded = embedded_url(self.paths.embedded_database)
        self.window.show_fault(message, technical, offer_embedded=self.current_url() != embedded)
        if self.kiosk_window is not None and self.kiosk_window.isVisible():
            # Staff must see and fix this; the kiosk comes back once connected.
            self.kiosk_window.hide()
            self._show_window(self.window)
        if self.exit_after_startup:
            print(message, file=sys.stderr)
            self.exit_code = 2
        self._watch_first_paint(self.window.startup_page)

    def _on_connected(self, context: AppContext) -> None:
        self._connecting = False
        if os.environ.get("SHOWROOM_REPORT_FIRST_PAINT"):
            # For benchmarks/startup.py: the database is open, sign-in and browsing work.
            print(f"ready {time.time():.6f}", flush=True)
        if self._quit_when_connected:
            QTimer.singleShot(0, self._quit)
        if self.context is not None and self.context is not context:
            self.context.close()
        self.context = context
        self.runner.database = context.database
        log.info(
            "database open: %s (%s)",
            describe_url(str(context.database.engine.url)),
            context.schema_state.status if context.schema_state else "?",
        )
        if context.started_offline:
            log.warning("started offline: working from the read cache until the server answers")
        # Sync first: a PC started offline reads from its cache from the very first query.
        if self.live_sync and not self.exit_after_startup:
            self._start_sync(context)
        else:
            self._start_monitor()
        self.window.attach(context)
        self.connected.emit(context)
        if self.kiosk and self._open_kiosk():
            kiosk = self.kiosk_window
            assert kiosk is not None
            kiosk.attach(context)  # type: ignore[attr-defined]  # built before the database
            if not kiosk.isVisible() and self.window.user is None:
                kiosk.showFullScreen()  # back from a start-up fault
                self.window.hide()
            self._watch_first_paint(kiosk)
        else:
            self.window.show_sign_in()
            self._watch_first_paint(self.window.sign_in_page)  # type: ignore[arg-type]
        if not self.exit_after_startup:
            # The start-up read nothing through the ORM; configure the mappers while the
            # user types the password or looks at the kiosk, not on their first tap.
            self.runner.call(warm_up_orm, _ignore)  # a failure is logged
        if not self.exit_after_startup and not context.database.writes_refused:
            from showroom.services import stores

            self.runner.read(
                stores.first_run_state, self._on_first_run_state, self._on_first_run_check_failed
            )

    def _start_sync(self, context: AppContext) -> None:
        """Live changes from other PCs, the online state from the feed's heartbeat, the outbox."""
        if self.monitor is not None:
            self.monitor.stop()
        from ui.widgets.status import SyncRelay

        sync = context.start_sync()
        self.runner.sync = sync
        if self.sync_relay is not None:
            self.sync_relay.deleteLater()
        else:
            self.window.online_indicator.clicked.connect(self.open_sync_panel)
        self.sync_relay = SyncRelay(sync, self)
        self.sync_relay.stateChanged.connect(self.window.set_sync)
        self.runner.call(sync.state, self.window.set_sync)

    def open_sync_panel(self) -> None:
        if self.context is None or self.context.sync is None:
            return
        from PySide6.QtCore import Qt

        from ui.dialogs.sync_problems import SyncProblemsDialog

        dialog = SyncProblemsDialog(self.context.sync, self.runner, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _start_monitor(self) -> None:
        if self.monitor is None:
            from ui.widgets.status import ConnectionMonitor

            self.monitor = ConnectionMonitor(self.runner, self)
            self.monitor.onlineChanged.connect(self.window.set_online)
        self.monitor.start()

    def _watch_first_paint(self, widget: QWidget) -> None:
        if self._first_screen_done or self._watcher is not None:
            return
        self._watcher = PaintWatcher(widget)
        self._watcher.painted.connect(self.firstScreenShown)
        widget.update()

    def _on_first_screen_shown(self) -> None:
        self._first_screen_done = True
        if os.environ.get("SHOWROOM_REPORT_FIRST_PAINT"):
            # For benchmarks/startup.py: wall-clock time of the first paint.
            print(f"first-paint {time.time():.6f}", flush=True)
        self._after_first_paint()
        if self.exit_after_startup:
            if self._connecting:
                # Painted before the database answered: exit with its verdict, not before.
                self._quit_when_connected = True
            else:
                QTimer.singleShot(0, self._quit)

    def _quit(self) -> None:
        QCoreApplication.exit(self.exit_code)

    # --- first run ---------------------------------------------------------------------

    def _on_first_run_state(self, state: FirstRunState) -> None:
        if state.needs_setup:
            self.offer_first_run()

    def _on_first_run_check_failed(self, exc: BaseException) -> None:
        report_failure(exc)

    def offer_first_run(self) -> None:
        if self.context is None or self.first_run_dialog is not None:
            return
        from PySide6.QtCore import Qt

        from ui.dialogs.first_run import FirstRunDialog

        parent = self.kiosk_window if self.kiosk and self.kiosk_window else self.window
        dialog = FirstRunDialog(self.context, self.runner, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished_setup.connect(self._on_setup_finished)
        dialog.managerCreated.connect(self._on_manager_created)
        dialog.rejected.connect(self._on_setup_postponed)
        dialog.finished.connect(self._forget_first_run_dialog)
        self.first_run_dialog = dialog
        dialog.open()

    def _forget_first_run_dialog(self, _result: int = 0) -> None:
        self.first_run_dialog = None

    def _on_setup_finished(self, username: str) -> None:
        if self.window.sign_in_page is not None:
            self.window.sign_in_page.show_setup_offer(False)
        self.window.show_sign_in(username or None)

    def _on_manager_created(self, user: StaffUser) -> None:
        """The first manager goes straight to the staff screen and its set-up checklist."""
        if self.window.sign_in_page is not None:
            self.window.sign_in_page.show_setup_offer(False)
            self.window.sign_in_page.prefill(user.username)
        self.window.open_session(user)
        if self.window.shell is not None and "staff" in self.window.shell.keys:
            self.window.shell.open_screen("staff")

    def _on_setup_postponed(self) -> None:
        if self.window.sign_in_page is not None:
            self.window.sign_in_page.show_setup_offer(True)

    # --- settings ----------------------------------------------------------------------

    def open_settings(self) -> None:
        if self.settings_dialog is not None:
            self.settings_dialog.raise_()
            return
        from PySide6.QtCore import Qt

        from ui.dialogs.settings import SettingsDialog

        dialog = SettingsDialog(self.settings, self.runner, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._on_settings_saved)
        dialog.finished.connect(self._forget_settings_dialog)
        self.settings_dialog = dialog
        dialog.open()

    def _forget_settings_dialog(self, _result: int = 0) -> None:
        self.settings_dialog = None

    def _on_settings_saved(self, changed: frozenset[str]) -> None:
        if self.context is None:
            # Still at the start-up fault: a new address is worth trying at once.
            if "database_url" in changed:
                self._url_override = None
                self.connect_database()
            return
        from ui.dialogs.settings import APPLY_ON_RESTART

        later = changed & APPLY_ON_RESTART
        if later:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.information(
                self.window,
                self.tr("设置已保存"),
                self.tr("新的数据库地址或界面语言将在重新启动程序后生效。"),
            )

    # --- kiosk -------------------------------------------------------------------------

    def _open_kiosk(self) -> bool:
        """Show the customer kiosk full screen; False when this build has none."""
        if self.kiosk_window is not None:
            return True
        try:
            from ui.kiosk.window import KioskWindow
        except ImportError as exc:
            log.error("kiosk mode unavailable: %s", exc)
            self.window.statusBar().showMessage(self.tr("自助机模式不可用，已打开员工登录。"))
            return False
        kiosk = KioskWindow(self.context or self.settings, self.runner)
        kiosk.staffUnlocked.connect(self._on_staff_unlocked)
        self.kiosk_window = kiosk
        kiosk.showFullScreen()
        if self._window is not None:
            self._window.hide()
        return True

    def _on_staff_unlocked(self, user: StaffUser) -> None:
        self.window.open_session(user)
        self.window.showFullScreen()
        bring_to_front(self.window)
        if self.kiosk_window is not None:
            self.kiosk_window.hide()

    def _on_signed_out(self) -> None:
        # In kiosk mode the staff screens are a detour: signing out returns to the kiosk.
        if self.kiosk and self.kiosk_window is not None:
            self.kiosk_window.showFullScreen()
            bring_to_front(self.kiosk_window)
            self.window.hide()

    # --- shutdown ----------------------------------------------------------------------

    def shutdown(self) -> None:
        """Finish queued saves, then close windows and the database."""
        self.window.close_signs_out = False
        if self.monitor is not None:
            self.monitor.stop()
        if not self.runner.wait(30_000):
            log.error("background tasks still running at exit")
        for window in (self.kiosk_window, self._window):
            if window is not None:
                window.close()
                window.deleteLater()
        if self.context is not None:
            self.context.close()
            self.context = None


def run(args: argparse.Namespace) -> int:
    """``showroom [--database URL] [--kiosk] [--lang L] [--exit-after-startup]``."""
    from showroom.logsetup import configure_logging, hold_early_records

    paths = AppPaths.default().ensure()
    # The log file (rotation, redaction) is opened once the first screen is up;
    # until then records wait in memory and are written then, in order.
    hold_early_records()
    log_open = False

    def open_log() -> None:
        nonlocal log_open
        if not log_open:
            configure_logging(paths.log_file)
            log_open = True

    try:
        settings = Settings.load(
            paths.settings_file, cli={"database_url": args.database, "language": args.lang}
        )
        for problem in settings.problems:
            log.warning("settings: %s", problem)
        from ui import platform_check

        if (missing := platform_check.missing_library()) is not None:
            print(platform_check.message(missing, settings["language"]), file=sys.stderr)
            return 1
        if (display := platform_check.unreachable_display()) is not None:
            print(platform_check.display_message(display, settings["language"]), file=sys.stderr)
            return 1
        app = create_application(sys.argv[:1], settings["language"])
        reporter = BugReporter(paths.log_file, app)
        install_exception_hooks(reporter)
        log.info("Showroom %s starting (kiosk=%s)", __version__, bool(args.kiosk))

        def after_first_paint() -> None:
            open_log()
            set_app_icon(app)  # windows without an icon of their own pick it up

        controller = ShowroomApp(
            paths,
            settings,
            kiosk=bool(args.kiosk),
            exit_after_startup=bool(args.exit_after_startup),
            live_sync=True,
            on_first_paint=after_first_paint,
        )
        controller.start()
        code: Any = app.exec()
    finally:
        open_log()  # also when the app quit or failed before its first paint
    controller.shutdown()
    log.info("Showroom exiting (%s)", code)
    return int(code or 0)
