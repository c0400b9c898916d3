"""The ``showroom`` command as an administrator or a script uses it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from db.schema import head_revision
from showroom import __version__
from showroom.identifiers import normalize_vin

ROOT = Path(__file__).resolve().parents[2]


def showroom(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOWROOM_")}
    env["SHOWROOM_HOME"] = str(home)
    env["QT_QPA_PLATFORM"] = "offscreen"
    result = subprocess.run(
        [sys.executable, "-m", "showroom", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("home")
    showroom(home, "demo", "--cars", "40", "--seed", "7")
    return home


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    assert showroom(tmp_path, "--version").stdout.strip() == f"showroom {__version__}"


def test_db_upgrade_then_current_reports_head(tmp_path: Path) -> None:
    upgraded = showroom(tmp_path, "db", "upgrade")
    assert f"-> {head_revision()}" in upgraded.stdout
    current = showroom(tmp_path, "db", "current")
    assert "status=current" in current.stdout


def test_demo_prints_the_demo_accounts(tmp_path: Path) -> None:
    out = showroom(tmp_path, "demo", "--cars", "30").stdout
    assert "manager" in out and "demo1234" in out
    again = showroom(tmp_path, "demo", "--cars", "30", check=False)
    assert again.returncode == 2
    assert again.stderr.strip()  # a clear refusal, not a traceback
    assert "Traceback" not in again.stderr


def test_vehicles_list_json_has_the_documented_fields(demo_home: Path) -> None:
    cars = json.loads(showroom(demo_home, "vehicles", "list", "--json").stdout)
    assert len(cars) == 40
    for car in cars:
        assert {
            "id",
            "stock_no",
            "vin",
            "plate",
            "brand",
            "model",
            "year",
            "mileage_km",
            "price",
            "status",
        } <= set(car)
        assert normalize_vin(car["vin"]) == car["vin"]
        assert "cost_price" not in car


def test_vehicles_list_filters_by_status(demo_home: Path) -> None:
    sold = json.loads(showroom(demo_home, "vehicles", "list", "--json", "--status", "sold").stdout)
    assert sold and all(car["status"] == "sold" for car in sold)
    bad = showroom(demo_home, "vehicles", "list", "--status", "gone", check=False)
    assert bad.returncode == 2 and "未知状态" in bad.stderr


def test_audit_verify_passes_then_names_a_tampered_entry(tmp_path: Path) -> None:
    showroom(tmp_path, "demo", "--cars", "20")
    ok = showroom(tmp_path, "audit", "verify")
    assert "哈希链无误" in ok.stdout
    db_file = tmp_path / "data" / "showroom.db"
    conn = sqlite3.connect(db_file)
    conn.execute("DROP TRIGGER audit_entries_no_update")
    conn.execute("UPDATE audit_entries SET actor = 'mallory' WHERE seq = 2")
    conn.commit()
    conn.close()
    broken = showroom(tmp_path, "audit", "verify", check=False)
    assert broken.returncode == 1
    assert "条目 2" in broken.stderr


def test_a_bad_database_url_gives_a_message_not_a_traceback(tmp_path: Path) -> None:
    result = showroom(
        tmp_path,
        "--database",
        "postgresql+psycopg://x@127.0.0.1:1/none",
        "vehicles",
        "list",
        check=False,
    )
    assert result.returncode == 2
    assert "无法连接数据库" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_log_never_holds_a_full_phone_number(demo_home: Path) -> None:
    showroom(demo_home, "vehicles", "list")
    logs = "".join(p.read_text(encoding="utf-8") for p in (demo_home / "logs").glob("*.log*"))
    import re

    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", logs)
