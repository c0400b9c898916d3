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
    kinds = [r["kind"] for r in rows]
    assert kinds.count("contract") == 3 and kinds.count("deposit_receipt") == 1
    # Every generated drive that went out has its agreement archived (a stand-in paper);
    # one was painted and signed through the desk's service, the newest of them.
    assert kinds.count("test_drive_agreement") >= 2
    assert set(kinds) == {"contract", "deposit_receipt", "test_drive_agreement"}
    row = next(r for r in rows if r["kind"] == "test_drive_agreement")
    assert set(row) >= {"kind", "number", "subject", "created", "sha256"}
    assert len(str(row["sha256"])) == 64 and row["copy_no"] == 0


def test_print_writes_a_copy_pdf_and_archives_it(home: Path, tmp_path: Path) -> None:
    original = next(r for r in listed(home) if r["kind"] == "test_drive_agreement")
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


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_receipt_and_contract_papers_print_with_amounts_in_capitals(
    home: Path, tmp_path: Path
) -> None:
    rows = listed(home)
    receipt = next(r for r in rows if r["kind"] == "deposit_receipt")
    contract_no = min(str(r["number"]) for r in rows if r["kind"] == "contract")
    out = tmp_path / "receipt.pdf"
    showroom(home, "print", "receipt", str(receipt["number"]), "--pdf", str(out))
    text = _pdf_text(out)
    assert "意向金收据" in text and str(receipt["number"]) in text
    assert "¥5,000.00" in text and "人民币伍仟元整" in text and "副本 COPY" in text
    for kind, title, number in (
        ("contract", "二手车买卖合同", contract_no),
        ("condition", "车况确认书", contract_no + "-1"),
        ("after-sales", "售后服务协议", contract_no + "-2"),
    ):
        out = tmp_path / f"{kind}.pdf"
        showroom(home, "print", kind, contract_no, "--pdf", str(out))
        text = _pdf_text(out)
        assert title in text and number in text and "第1页/共" in text.replace(" ", "")
    contract_text = _pdf_text(tmp_path / "contract.pdf")
    assert "人民币" in contract_text and "元整" in contract_text and "过户" in contract_text
