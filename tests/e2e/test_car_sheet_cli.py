"""``showroom print car-sheet STOCKNO --pdf OUT``: a new, archived car sheet from the shell."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_cli import showroom

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def test_car_sheet_by_stock_number_then_reprint(tmp_path: Path) -> None:
    home = tmp_path / "home"
    showroom(home, "demo", "--cars", "12", "--seed", "5")
    cars = json.loads(showroom(home, "vehicles", "list", "--json", "--status", "on_sale").stdout)
    car = cars[0]
    out = tmp_path / "sheet.pdf"
    result = showroom(home, "print", "car-sheet", car["stock_no"].lower(), "--pdf", str(out))
    assert "车辆信息单" in result.stdout and car["stock_no"] in result.stdout
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "车辆信息单" in text and "7天可退" in text and "终身免费检测" in text
    assert f"https://example.com/cars/{car['stock_no']}" in text
    pages = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "Pages:           1" in pages  # one sheet for the windscreen

    docs = json.loads(showroom(home, "documents", "list", "--json", "--kind", "car_sheet").stdout)
    assert len(docs) == 1 and docs[0]["copy_no"] == 0
    again = tmp_path / "again.pdf"
    showroom(home, "print", "car-sheet", docs[0]["number"], "--pdf", str(again))
    text = subprocess.run(
        ["pdftotext", str(again), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "副本 COPY" in text

    unknown = showroom(
        home,
        "print",
        "car-sheet",
        "XX99-S2026-99999",
        "--pdf",
        str(tmp_path / "x.pdf"),
        check=False,
    )
    assert unknown.returncode == 2
    assert "没有库存编号为" in unknown.stderr and "Traceback" not in unknown.stderr
