"""The first screens paint before the database layer loads.

The sign-in form and the kiosk's attract screen are shown while the database
opens in a worker; if either pulled in SQLAlchemy, Alembic, the models or
matplotlib, every start would wait for them (benchmarks/startup.py measures
the time). A fresh interpreter builds both screens and lists what is loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication([])
from showroom.settings import Settings
from ui.kiosk.window import KioskWindow
from ui.main_window import MainWindow
from ui.tasks import TaskRunner
settings = Settings(Path(sys.argv[1]))
kiosk = KioskWindow(settings, TaskRunner(None))
kiosk.show()
window = MainWindow(TaskRunner(None))
window.prepare_sign_in("测试展厅")
window.show_sign_in()
window.show()
app.processEvents()
heavy = ("sqlalchemy", "alembic", "db", "matplotlib", "psycopg")
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(heavy))))
"""


def test_sign_in_and_kiosk_home_paint_without_the_database_layer(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "settings.json")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == [], f"loaded before the first paint: {loaded}"
