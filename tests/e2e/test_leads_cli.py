"""``showroom leads import`` as an administrator scripts a platform's daily export."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import AuditEntry, Lead
from showroom import cli
from tests.e2e.test_staff_cli import showroom

EXPORT = (
    "线索编号,姓名,手机号,提交时间,意向车源,留言\n"
    "DCD-1,周先生,13912345678,2026-11-30 14:05,大众 朗逸 2019款,周末能看车吗\n"
    "DCD-2,吴女士,139 1234 5679,2026-11-30 15:20,丰田 卡罗拉,\n"
    "DCD-3,郑,12345,2026-11-30 16:00,本田 雅阁,号码不对\n"
)


def test_a_platform_export_is_imported_under_a_named_account(
    tmp_path: Path, database_url: str
) -> None:
    home = tmp_path / "home"
    showroom(home, "--database", database_url, "store", "add", "BJ01", "--name", "测试车行")
    added = showroom(
        home,
        "--database",
        database_url,
        "staff",
        "add",
        "lin",
        "--name",
        "林经理",
        "--role",
        "manager",
    )
    assert added.returncode == 0
    export = tmp_path / "懂车帝.csv"
    export.write_text(EXPORT, encoding="utf-8")
    report = tmp_path / "报告.csv"

    def run(*extra: str, check: bool = True):  # type: ignore[no-untyped-def]
        return showroom(
            home, "--database", database_url, "leads", "import", str(export), *extra, check=check
        )

    dry = run("--as", "lin", "--platform", "懂车帝", "--dry-run", "--report", str(report))
    assert "将新增 2" in dry.stdout and "拒绝 1" in dry.stdout and "试运行" in dry.stdout
    assert "第 4 行" in dry.stderr
    database = Database.from_url(database_url)
    with database.read() as s:
        assert s.scalar(select(func.count()).select_from(Lead)) == 0
    done = run("--as", "lin", "--platform", "懂车帝", "--report", str(report))
    assert "已新增 2" in done.stdout and report.exists()
    assert "13912345678" not in report.read_text(encoding="utf-8-sig")  # numbers stay masked
    again = run("--as", "lin", "--platform", "懂车帝")
    assert "已新增 0" in again.stdout and "无变化 2" in again.stdout
    with database.read() as s:
        assert s.scalar(select(func.count()).select_from(Lead)) == 2
        assert "leads_imported" in set(s.scalars(select(AuditEntry.action)))
    database.dispose()
    unknown = run("--as", "nobody", check=False)
    assert unknown.returncode == 2 and "nobody" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_an_unknown_account_is_one_sentence_even_before_the_file(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(
        ["--database", database_url, "leads", "import", str(tmp_path / "无.csv"), "--as", "x"]
    )
    assert code == 2
    assert "没有用户名" in capsys.readouterr().err
