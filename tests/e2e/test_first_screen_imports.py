"""The first screens paint before the database layer and Qt's enum namespace load.

The sign-in form and the kiosk's attract screen are shown while the database
opens in a worker. If either pulled in SQLAlchemy, Alembic, the models or
matplotlib, every start would wait for them; importing PySide's ``Qt`` namespace
builds about a hundred enums, some 30 ms (``ui/qtprops.py``), and the
``QStyle`` class alone some 15 ms. benchmarks/startup.py
measures the time. A fresh interpreter runs the real start-up (``ShowroomApp``)
and reports what is loaded at the moment of the first paint.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
from PySide6 import QtCore, QtGui, QtWidgets
from showroom.paths import AppPaths
from showroom.settings import Settings
from ui.app import ShowroomApp, create_application

HEAVY = {"sqlalchemy", "alembic", "db", "matplotlib", "psycopg"}
paths = AppPaths.default().ensure()
settings = Settings.load(paths.settings_file, cli={"language": sys.argv[2]})
app = create_application([], settings["language"])
seen = {}

def at_first_paint(self):
    # db.clock is the one standard-library module of the db package the UI reads "now" from.
    loaded = {m.split(".")[0] for m in sys.modules if m not in ("db", "db.clock")}
    seen["heavy"] = sorted(loaded & HEAVY)
    seen["qt_namespace"] = "Qt" in QtCore.__dict__
    seen["log_handlers"] = "logging.handlers" in sys.modules
    seen["heavy_types"] = [t for t in ("QStyle", "QMessageBox") if t in QtWidgets.__dict__]
    seen["heavy_types"] += [t for t in ("QIcon",) if t in QtGui.__dict__]
    seen["qtsvg"] = "PySide6.QtSvg" in sys.modules
    seen["staff_window_built"] = self._window is not None
    app.setStyleSheet("")  # the style-sheet proxy style has no name of its own
    seen["style"] = app.style().name()
    app.quit()

ShowroomApp._on_first_screen_shown = at_first_paint
controller = ShowroomApp(paths, settings, kiosk=sys.argv[1] == "kiosk")
controller.start()
app.exec()
print(json.dumps(seen))
"""


@pytest.mark.parametrize("mode", ["staff", "kiosk"])
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_first_screen_paints_without_the_database_layer_or_qt_enums(
    tmp_path: Path, mode: str, language: str
) -> None:
    env = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT), SHOWROOM_HOME=str(tmp_path)
    )
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode, language],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["heavy"] == [], f"loaded before the first paint: {seen['heavy']}"
    assert seen["qt_namespace"] is False, "the Qt enum namespace was imported before the paint"
    assert seen["log_handlers"] is False, "the log file was opened before the paint"
    # Each of these classes builds dozens of enums when first touched from Python.
    assert seen["heavy_types"] == [], seen["heavy_types"]
    assert seen["qtsvg"] is False
    assert seen["style"] == "fusion"
    # The kiosk's attract screen does not wait for the staff window behind it.
    assert seen["staff_window_built"] is (mode == "staff")


OPEN_SCRIPT = """
import json
import db.base
from showroom.context import open_context
from showroom.paths import AppPaths
from showroom.settings import Settings

import db.models  # noqa: F401  every mapped class, as the app has them

paths = AppPaths.default().ensure()
context = open_context(paths, Settings.load(paths.settings_file), from_cache=True)
mappers = db.base.Base.registry.mappers
print(json.dumps({"configured": sorted(m.class_.__name__ for m in mappers if m.configured)}))
context.close()
"""


def test_opening_the_database_leaves_the_mappers_for_later(tmp_path: Path) -> None:
    """Ready (sign-in possible) does not wait for the ORM's mapper configuration.

    Configuring every mapper costs tens of milliseconds on the first ORM query;
    the start-up reads only through tables, and ``ui.app`` configures the mappers
    in the background once the app is ready.
    """
    env = dict(os.environ, PYTHONPATH=str(ROOT), SHOWROOM_HOME=str(tmp_path))
    seen = {}
    for _ in range(2):  # the first run creates the embedded database; the second is a start
        done = subprocess.run(
            [sys.executable, "-c", OPEN_SCRIPT],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["configured"] == []
