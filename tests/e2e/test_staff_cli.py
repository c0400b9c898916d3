"""`showroom staff …` and `showroom store …` on both databases, as a first admin uses them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from db.engine import Database
from showroom.services import auth

ROOT = Path(__file__).resolve().parents[2]


def showroom(
    home: Path, *args: str, check: bool = True, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOWROOM_")}
    env["SHOWROOM_HOME"] = str(home)
    result = subprocess.run(
        [sys.executable, "-m", "showroom", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def test_a_headless_store_is_set_up_from_the_command_line(
    tmp_path: Path, database_url: str
) -> None:
    def run(*args: str, check: bool = True):  # type: ignore[no-untyped-def]
        return showroom(tmp_path, "--database", database_url, *args, check=check)

    none = run("staff", "add", "boss", "--name", "王建国", "--role", "manager", check=False)
    assert none.returncode == 2 and "showroom store add" in none.stderr
    assert "Traceback" not in none.stderr
    added = run("store", "add", "bj01", "--name", "朝阳店", "--phone", "010-8555 0100")
    assert "BJ01" in added.stdout
    boss = run("staff", "add", "boss", "--name", "王建国", "--role", "manager").stdout
    temporary = re.search(r"临时密码：(\S+)", boss)
    assert temporary is not None and "只显示这一次" in boss
    run("staff", "add", "li", "--name", "李明", "--role", "sales", "--role", "appraiser")
    listed = json.loads(run("staff", "list", "--json").stdout)
    assert [(p["username"], p["roles"], p["must_change_password"]) for p in listed] == [
        ("boss", ["manager"], True),
        ("li", ["sales", "appraiser"], True),
    ]
    assert all(p["on_duty_today"] and p["store"] == "BJ01" for p in listed)

    pin = re.search(r"新 PIN：(\d{6})", run("staff", "set-pin", "li").stdout)
    assert pin is not None
    taken = showroom(
        tmp_path,
        "--database",
        database_url,
        "staff",
        "set-pin",
        "boss",
        "--pin-stdin",
        check=False,
        stdin=pin.group(1) + "\n",
    )
    assert taken.returncode == 2 and "已有其他员工在用" in taken.stderr
    last = run("staff", "disable", "boss", check=False)
    assert last.returncode == 2 and "最后一位店长" in last.stderr
    bad = run("store", "set", "--credit-code", "91350100M000100Y44", check=False)
    assert bad.returncode == 2 and "校验位" in bad.stderr and "Traceback" not in bad.stderr
    run(
        "store",
        "set",
        "--address",
        "北京市朝阳区测试路 1 号",
        "--credit-code",
        "91350100M000100Y43",
        "--bank-name",
        "测试银行",
        "--bank-account",
        "6222 0212 3456 7890",
    )
    profile = json.loads(run("store", "show", "--json").stdout)
    assert profile[0]["missing"] == [] and profile[0]["credit_code"] == "91350100M000100Y43"
    reset = re.search(r"临时密码：(\S+)", run("staff", "reset-password", "li").stdout)
    assert reset is not None
    run("staff", "disable", "li", "--reason", "离职")
    assert [p["active"] for p in json.loads(run("staff", "list", "--json").stdout)] == [
        True,
        False,
    ]

    database = Database.from_url(database_url)
    try:
        with database.write() as session:
            user = auth.sign_in(session, "boss", temporary.group(1))
        assert user.must_change_password and user.store_code == "BJ01"
    finally:
        database.dispose()
