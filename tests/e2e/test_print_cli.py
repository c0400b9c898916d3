"""``showroom print`` and ``showroom documents list`` as a script uses them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_cli import ROOT, showroom

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

# What ``showroom demo`` runs at its end once wired (see ui/documents/demo.py).
ARCHIVE_DEMO_PAPERS = (
    "import argparse; from showroom.cli import _context; "
    "from ui.documents.demo import archive_demo_documents; "
    "ctx = _context(argparse.Namespace(database=None)); "
    "print(archive_demo_documents(ctx)); ctx.close()"
)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("home")
    showroom(home, "demo", "--cars", "30", "--seed", "3")
    env = {"SHOWROOM_HOME": str(home), "QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [sys.executable, "-c", ARCHIVE_DEMO_PAPERS],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
        capture_output=True,
    )
    return home


def listed(home: Path) -> list[dict[str, object]]:
    return json.loads(showroom(home, "documents", "list", "--json").stdout)


def test_demo_leaves_an_archived_agreement(home: Path) -> None:
    rows = listed(home)
    assert [r["kind"] for r in rows] == ["test_drive_agreement"]
    row = rows[0]
    assert set(row) >= {"kind", "number", "subject", "created", "sha256"}
    assert len(str(row["sha256"])) == 64 and row["copy_no"] == 0


def test_print_writes_a_copy_pdf_and_archives_it(home: Path, tmp_path: Path) -> None:
    original = listed(home)[-1]
    out = tmp_path / "agreement.pdf"
    result = showroom(
        home, "print", "agreement", str(original["number"]).lower(), "--pdf", str(out)
    )
    assert "副本" in result.stdout
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "车辆试驾协议书" in text and "副本 COPY" in text
    assert str(original["number"]) in text and str(original["verification_code"]) in text
    copies = [r for r in listed(home) if r["number"] == original["number"]]
    assert sorted(r["copy_no"] for r in copies)[-1] >= 1


def test_print_of_an_unknown_number_is_a_clear_refusal(home: Path, tmp_path: Path) -> None:
    result = showroom(
        home, "print", "agreement", "ZZZZZZ", "--pdf", str(tmp_path / "x.pdf"), check=False
    )
    assert result.returncode == 2
    assert "没有找到" in result.stderr and "Traceback" not in result.stderr
    bad_kind = showroom(home, "print", "menu", "1", "--pdf", str(tmp_path / "y.pdf"), check=False)
    assert bad_kind.returncode == 2 and "未知的文件类型" in bad_kind.stderr
