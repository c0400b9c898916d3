#!/usr/bin/env python3
"""One-step set-up for a fresh clone: ``python3 dev.py run`` or ``python3 dev.py test``.

Creates ``.venv`` next to this file, installs the project with its dev extra
(again only when ``pyproject.toml`` changed), then starts the app or runs the
whole test suite. Standard library only, so it works with a bare Python 3.11+.
Anything after the command is passed on (``python3 dev.py run --kiosk``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".showroom-installed"


def venv_python() -> Path:
    scripts = "Scripts" if os.name == "nt" else "bin"
    exe = "python.exe" if os.name == "nt" else "python"
    return VENV / scripts / exe


def ensure_environment() -> Path:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs before any check of ours
        sys.exit(f"需要 Python 3.11 或更高版本（当前 {sys.version.split()[0]}）。")
    python = venv_python()
    if not python.exists():
        print("正在创建虚拟环境 .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        print("正在安装依赖（首次需要几分钟）…", flush=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "-q",
                "-e",
                f"{ROOT}[dev]",
            ],
            check=True,
        )
        STAMP.write_text(wanted)
    return python


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    python = ensure_environment()
    env = dict(os.environ)
    if command == "run":
        return subprocess.call([str(python), "-m", "showroom", *rest], cwd=ROOT, env=env)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return subprocess.call(
        [str(python), "-m", "pytest", *parallel_arguments(rest), *rest], cwd=ROOT, env=env
    )


def parallel_arguments(rest: list[str]) -> list[str]:
    """pytest-xdist workers, one more than the cores (many tests wait on PostgreSQL or a
    subprocess), unless the caller chose otherwise. ``worksteal``: an idle worker takes
    tests queued for a busy one, so a few long tests (the frozen build, the browser)
    do not leave the others idle at the end."""
    for arg in rest:
        if arg.startswith(("-n", "--numprocesses", "--dist")) or arg in {"no:xdist", "-pno:xdist"}:
            return []
    return ["-n", str((os.cpu_count() or 1) + 1), "--dist", "worksteal"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
