"""``showroom vehicles import`` as an administrator runs it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.db.test_vehicle_import import HEADER, NO_PRICE, PETROL
from tests.e2e.test_cli import showroom


def test_import_dry_run_then_import_then_reimport(tmp_path: Path) -> None:
    home = tmp_path / "home"
    showroom(home, "demo", "--cars", "0")
    source = tmp_path / "listing.csv"
    source.write_text(HEADER + PETROL + NO_PRICE, encoding="utf-8")
    report = tmp_path / "report.csv"

    dry = showroom(home, "vehicles", "import", str(source), "--dry-run", "--report", str(report))
    assert "共 2 行：将新增 1，将更新 0，无变化 0，拒绝 1（试运行，未写入）" in dry.stdout
    assert "第 3 行：售价为空" in dry.stderr
    assert report.exists()
    assert json.loads(showroom(home, "vehicles", "list", "--json").stdout) == []

    done = showroom(home, "vehicles", "import", str(source), "--preset", "che168")
    assert "共 2 行：已新增 1，已更新 0，无变化 0，拒绝 1" in done.stdout
    report_line = next(line for line in done.stdout.splitlines() if line.startswith("报告："))
    assert Path(report_line.removeprefix("报告：")).exists()
    again = showroom(home, "vehicles", "import", str(source))
    assert "已新增 0，已更新 0，无变化 1" in again.stdout
    cars = json.loads(showroom(home, "vehicles", "list", "--json").stdout)
    assert [(c["brand"], c["price"], c["mileage_km"]) for c in cars] == [
        ("奔驰", "288000.00", 100000)
    ]


def test_unknown_preset_is_refused_without_traceback(tmp_path: Path) -> None:
    home = tmp_path / "home"
    showroom(home, "demo", "--cars", "0")
    source = tmp_path / "listing.csv"
    source.write_text(HEADER + PETROL, encoding="utf-8")
    result = showroom(home, "vehicles", "import", str(source), "--preset", "autohome", check=False)
    assert result.returncode == 2
    assert "没有名为“autohome”的导入模板" in result.stderr
    assert "Traceback" not in result.stderr
