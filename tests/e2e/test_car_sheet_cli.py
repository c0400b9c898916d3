"""``showroom print car-sheet STOCKNO --pdf OUT``: a new, archived car sheet from the shell."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from showroom.paths import AppPaths
from showroom.settings import Settings
from tests.e2e.test_cli import showroom

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def test_car_sheet_by_stock_number_then_reprint(tmp_path: Path) -> None:
    home = tmp_path / "home"
    showroom(home, "demo", "--cars", "12", "--seed", "5")
    cars = json.loads(showroom(home, "vehicles", "list", "--json", "--status", "on_sale").stdout)
    car = cars[0]

    def printed(name: str, stock_no: str) -> tuple[str, str]:
        pdf = tmp_path / name
        result = showroom(home, "print", "car-sheet", stock_no, "--pdf", str(pdf))
        assert "车辆信息单" in result.stdout and car["stock_no"] in result.stdout
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        # A long address wraps under the QR; pdftotext drops the hyphen where it breaks.
        return text.replace("-\n", "").replace("\n", ""), result.stderr

    # The demo store's profile has its car-page address: the QR leads there (cars under cars/).
    text, warning = printed("sheet.pdf", car["stock_no"].lower())
    assert "未设置" not in warning
    assert "车辆信息单" in text and "7天可退" in text and "终身免费检测" in text
    assert f"https://cars.demo.invalid/bj01/cars/{car['stock_no']}".replace(
        "-", ""
    ) in text.replace("-", "")
    out = tmp_path / "sheet.pdf"

    # No address in the profile nor on the PC, no showroom web: no dead QR, the shell says so.
    showroom(home, "store", "set", "--public-url", "")
    text, warning = printed("blank.pdf", car["stock_no"])
    assert "未设置车辆公开网址" in warning and "showroom web" in warning
    assert "手机扫一扫" not in text and "http" not in text

    # The PC's setting is the fallback for a profile without an address.
    settings = Settings(AppPaths.under(home).settings_file)
    settings.update({"vehicle_public_url": "https://dealer.example.cn/cars/{stock_no}"})
    settings.save()
    text, warning = printed("fallback.pdf", car["stock_no"])
    assert "未设置" not in warning
    assert f"https://dealer.example.cn/cars/{car['stock_no']}" in text
    pages = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "Pages:           1" in pages  # one sheet for the windscreen

    docs = json.loads(showroom(home, "documents", "list", "--json", "--kind", "car_sheet").stdout)
    assert len(docs) == 3 and {d["copy_no"] for d in docs} == {0}
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
