"""Code reads "now" from the one clock, so the suite can run the app at any hour."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from db import clock

ROOT = Path(__file__).resolve().parents[2]
WALL_CLOCK = re.compile(r"datetime\.now\(|date\.today\(\)|QDate\.currentDate\(|QDateTime\.current")
# The clock itself, the suite's setting of it, and migrations (they run outside the app).
EXEMPT = {"db/clock.py", "tests/conftest.py", "tests/unit/test_clock.py"}


def _sources() -> list[Path]:
    found = []
    for package in ("showroom", "ui", "db", "tests", "benchmarks"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative not in EXEMPT and "/migrations/" not in relative:
                found.append(path)
    return found


@pytest.mark.parametrize("path", _sources(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_nothing_reads_the_wall_clock_directly(path: Path) -> None:
    lines = [
        f"{number}: {line.strip()}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if WALL_CLOCK.search(line)
    ]
    assert not lines, "use showroom.clock.utcnow() / store_today() / ui.clock.today_qdate()"


def test_clock_at_stops_the_app_clock(clock_at) -> None:  # type: ignore[no-untyped-def]
    moment = datetime(2026, 12, 2, 16, 5, tzinfo=UTC)  # 00:05 the next day in Shanghai
    clock_at(moment)
    assert clock.utcnow() == moment
    assert clock.utcnow() == moment  # stopped, not running on


def test_the_suite_runs_the_app_at_mid_morning_in_the_store() -> None:
    local = clock.utcnow().astimezone(ZoneInfo("Asia/Shanghai"))
    assert 10 <= local.hour < 12
