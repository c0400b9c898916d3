"""Start-up time: process start to first screen painted, staff app and kiosk vs a bare window.

Usage: python -m benchmarks.startup [--cars 100000] [--runs 21]

Also prints the median time to ready (database open, sign-in possible; target 1.0 s).

The database with N demo cars is generated once and kept in the cache folder
(``benchmarks/.cache``; delete it to regenerate). Each figure is the median
over ``--runs`` fresh processes (``showroom --exit-after-startup``) of the wall
time from just before the process is spawned to its first paint, which the
app reports when ``SHOWROOM_REPORT_FIRST_PAINT`` is set. The whole process
time (start to exit) is shown beside it. The three are run in turn, round after
round, so a busy moment of the machine hits all alike. Prints figures; asserts
nothing.

Our packages are compiled to bytecode first, as an installed app runs: pip and
PyInstaller ship ``.pyc`` files, and an editable install writes them on its
first start. Without that, a machine with ``PYTHONDONTWRITEBYTECODE`` set would
compile every module of the app on every run (some 50 ms here).
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

BARE_WINDOW = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv)
label = QLabel("bare PySide6 window")
label.resize(1280, 800)
class Painted(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            import time
            print(f"first-paint {time.time():.6f}", flush=True)
            QTimer.singleShot(0, app.quit)
        return False
watcher = Painted()
label.installEventFilter(watcher)
label.show()
sys.exit(app.exec())
"""


def timed(cmd: list[str], env: dict[str, str], runs: int) -> tuple[list[float], list[float]]:
    """(seconds to first paint, seconds to ready) for each run.

    Ready is the app's ``ready`` mark (database open: sign-in and browsing work); the
    bare window has none, so its process exit stands in.
    """
    paints, readies = [], []
    for _ in range(runs):
        started = time.time()
        out = subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True, text=True)
        ended = time.time()
        marks = dict(line.split()[:2] for line in out.stdout.splitlines() if " " in line)
        if "first-paint" not in marks:
            raise SystemExit(f"no first-paint mark from {cmd}:\n{out.stdout}\n{out.stderr}")
        paints.append(float(marks["first-paint"]) - started)
        readies.append(float(marks["ready"]) - started if "ready" in marks else ended - started)
    return paints, readies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cars", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()

    home = HERE / ".cache" / f"startup-{args.cars}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOWROOM_")}
    env["SHOWROOM_HOME"] = str(home)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["SHOWROOM_REPORT_FIRST_PAINT"] = "1"
    if not (home / "data" / "showroom.db").exists():
        print(f"generating {args.cars} demo cars (once) ...", flush=True)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "showroom", "demo", "--cars", str(args.cars)],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"  demo data: {time.perf_counter() - started:.1f} s")

    for package in ("showroom", "ui", "db", "resources"):
        compileall.compile_dir(ROOT / package, quiet=1)
    app = [sys.executable, "-m", "showroom", "--exit-after-startup"]
    commands = {
        "bare PySide6 window": [sys.executable, "-c", BARE_WINDOW],
        f"staff app (sign-in), {args.cars} cars": app,
        f"kiosk (home), {args.cars} cars": [*app, "--kiosk"],
    }
    # Warm the OS file cache so the first measured run is not an outlier.
    for cmd in commands.values():
        timed(cmd, env, 1)
    figures: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            paints, totals = timed(cmd, env, 1)
            figures[name][0].extend(paints)
            figures[name][1].extend(totals)
    bare_paints = figures["bare PySide6 window"][0]
    bare = statistics.median(bare_paints)
    print(
        f"platform={env['QT_QPA_PLATFORM']} runs={args.runs}; median ms to first paint "
        "(to ready: database open, sign-in possible; bare window: to exit); x bare: ratio of "
        "the medians, and the median of each round's own ratio"
    )
    for name, (paints, totals) in figures.items():
        med = statistics.median(paints)
        # Each round runs the three back to back: its own ratio cancels a slow moment.
        per_round = statistics.median(p / b for p, b in zip(paints, bare_paints, strict=True))
        print(
            f"  {name:<40} {med * 1000:7.0f} ms  ({statistics.median(totals) * 1000:5.0f} ms)"
            f"  {med / bare:4.2f}x bare  (per round {per_round:4.2f}x)"
        )


if __name__ == "__main__":
    main()
