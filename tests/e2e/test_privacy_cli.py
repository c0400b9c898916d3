"""``showroom privacy purge``: the retention rule as a scheduled task runs it."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_cli import showroom


def test_purge_previews_runs_and_refuses_a_nonsense_period(tmp_path: Path) -> None:
    showroom(tmp_path, "demo", "--cars", "12")
    preview = showroom(tmp_path, "privacy", "purge", "--dry-run", "--years", "1")
    assert "未做任何修改" in preview.stdout and "保留期限 1 年" in preview.stdout
    done = showroom(tmp_path, "privacy", "purge")  # the setting's 3 years
    assert "保留期限 3 年" in done.stdout and "依法保留" in done.stdout
    bad = showroom(tmp_path, "privacy", "purge", "--years", "0", check=False)
    assert bad.returncode == 2 and "保留年数" in bad.stderr and "Traceback" not in bad.stderr
