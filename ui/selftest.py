"""``showroom self-test``: an offscreen smoke check of an installed or frozen build.

It exercises what a broken package usually breaks: Qt and its platform plugin,
fonts, the SVG icon plugin, translations, the database driver and migrations
(a fresh SQLite file in a temporary folder), sign-in, and painting the main
window and the kiosk. Each check prints one line; the exit code is 0 when all
pass and 1 otherwise. Nothing here touches the user's real data or settings,
and no traceback reaches the console: failures are one line each.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger("showroom.selftest")

MANAGER = ("selftest", "selftest-password", "2468")


class _Checks:
    """Runs named checks, prints one line each, remembers which failed."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def run(self, name: str, check: Callable[[], Any]) -> Any:
        try:
            detail = check()
        except Exception as exc:
            log.exception("self-test check failed: %s", name)
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            self.failed.append(name)
            print(f"self-test: FAIL {name}: {type(exc).__name__}: {reason}", flush=True)
            return None
        suffix = f" ({detail})" if isinstance(detail, str) and detail else ""
        print(f"self-test: OK   {name}{suffix}", flush=True)
        return detail if detail is not None else True


def _needs_offscreen() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return False
    if sys.platform.startswith(("win", "darwin")):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _process_until(predicate: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def run(args: argparse.Namespace) -> int:
    """Run every check; print one line each; 0 when all passed."""
    if _needs_offscreen():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    checks = _Checks()
    try:
        with tempfile.TemporaryDirectory(prefix="showroom-selftest-") as tmp:
            _run_checks(checks, Path(tmp), args)
    except Exception as exc:
        log.exception("self-test aborted")
        print(f"self-test: FAIL aborted: {type(exc).__name__}: {exc}", flush=True)
        return 1
    if checks.failed:
        print(
            f"self-test: {len(checks.failed)} check(s) failed: {', '.join(checks.failed)}",
            flush=True,
        )
        return 1
    print("self-test: all checks passed", flush=True)
    return 0


def _run_checks(checks: _Checks, home: Path, args: argparse.Namespace) -> None:
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtGui import QFontDatabase, QGuiApplication
    from PySide6.QtWidgets import QApplication

    import resources
    from showroom.context import AppContext, open_context
    from showroom.logsetup import configure_logging
    from showroom.paths import AppPaths
    from showroom.services import auth, stores
    from showroom.settings import Settings
    from ui.app import create_application
    from ui.main_window import MainWindow
    from ui.style import FONT_FAMILIES
    from ui.tasks import TaskRunner
    from ui.widgets.icons import app_icon

    paths = AppPaths.under(home).ensure()
    configure_logging(paths.log_file)
    app = QApplication.instance() or create_application(
        sys.argv[:1], getattr(args, "lang", None) or "zh_CN"
    )
    checks.run("qt", lambda: f"Qt platform {QGuiApplication.platformName()}")

    def fonts() -> str:
        found = [f for f in FONT_FAMILIES if f in set(QFontDatabase.families())]
        if not found:
            raise RuntimeError("no CJK font among " + ", ".join(FONT_FAMILIES))
        return found[0]

    checks.run("chinese font", fonts)

    def icons() -> str:
        if app_icon().isNull() or app_icon().pixmap(64, 64).isNull():
            raise RuntimeError("the SVG app icon did not render (Qt SVG plugin missing?)")
        return "svg"

    checks.run("icons", icons)

    def translations() -> str:
        from PySide6.QtCore import QTranslator

        translator = QTranslator()
        qm = resources.path("translations", "showroom_en.qm")
        if not translator.load(str(qm)):
            raise RuntimeError(f"cannot load {qm}")
        return "en"

    checks.run("translations", translations)

    settings = Settings.load(paths.settings_file, environ={})
    context: AppContext | None = checks.run("database", lambda: open_context(paths, settings))
    if not isinstance(context, AppContext):
        return
    try:

        def schema() -> str:
            state = context.schema_state
            if state is None or state.status != "current":
                raise RuntimeError(f"schema is {state.status if state else 'unknown'}")
            return state.current or ""

        checks.run("migrations", schema)

        def set_up() -> str:
            with context.database.write() as session:
                stores.set_up_first_store(
                    session,
                    store_code="ST01",
                    store_name="自检展厅",
                    manager_username=MANAGER[0],
                    manager_name="自检店长",
                    manager_password=MANAGER[1],
                    manager_pin=MANAGER[2],
                )
            return "store and manager"

        checks.run("first store", set_up)

        def sign_in() -> auth.StaffUser:
            with context.database.write() as session:
                return auth.sign_in(session, MANAGER[0], MANAGER[1])

        user = checks.run("sign-in", sign_in)
        runner = TaskRunner(context.database, inline=True)
        window = MainWindow(runner)

        class _Painted(QObject):
            """Notes the first paint event of the watched page. Emits no signals."""

            seen = False

            def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
                if event.type() == QEvent.Type.Paint:
                    self.seen = True
                return False

        painted = _Painted()

        def main_window() -> str:
            window.attach(context)
            if isinstance(user, auth.StaffUser):
                window.open_session(user)
            window.resize(1366, 768)
            target = window.pages.currentWidget()
            target.installEventFilter(painted)
            window.show()
            if not _process_until(lambda: painted.seen):
                raise RuntimeError("the main window was never painted")
            image = window.grab()
            if image.isNull() or image.width() < 100:
                raise RuntimeError("grabbing the main window gave an empty picture")
            return f"{image.width()}x{image.height()}"

        checks.run("main window", main_window)

        def screens() -> str:
            shell = window.shell
            if shell is None:
                raise RuntimeError("no signed-in shell")
            for key in shell.nav_keys():
                shell.open_screen(key)
                _process_until(lambda: False, 0.05)
            return ", ".join(shell.nav_keys())

        checks.run("screens", screens)

        def kiosk() -> str:
            try:
                from ui.kiosk.window import KioskWindow
            except ImportError:
                return "not in this build"
            view = KioskWindow(context, runner)
            view.resize(1366, 768)
            view.show()
            _process_until(lambda: False, 0.2)
            image = view.grab()
            view.close()
            view.deleteLater()
            if image.isNull():
                raise RuntimeError("grabbing the kiosk gave an empty picture")
            return f"{image.width()}x{image.height()}"

        checks.run("kiosk", kiosk)
        window.close()
        window.deleteLater()
        runner.deleteLater()
        _process_until(lambda: False, 0.05)
    finally:
        context.close()
        _close_file_logs()
    del app


def _close_file_logs() -> None:
    # The temporary folder is deleted next; Windows refuses while the log is open.
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_showroom", False):
            root.removeHandler(handler)
            handler.close()
