"""``showroom self-test`` from source, and the PDF check it relies on.

The same command runs inside the frozen build (tests/e2e/test_frozen_build.py);
here it runs from the checkout so every CI run proves the checks themselves work.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ui import selftest
from ui.style import FONT_FAMILIES

ROOT = Path(__file__).resolve().parents[2]

EXPECTED_CHECKS = (
    "build",
    "qt",
    "chinese font",
    "icons",
    "translations",
    "postgresql driver",
    "pdf with chinese text and qr code",
    "printing",
    "database",
    "migrations",
    "first store",
    "sign-in",
    "main window",
    "screens",
    "kiosk",
)


def test_self_test_passes_every_check_and_leaves_no_files(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOWROOM_")}
    env["SHOWROOM_HOME"] = str(home)
    env["QT_QPA_PLATFORM"] = "offscreen"
    result = subprocess.run(
        [sys.executable, "-m", "showroom", "self-test"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for name in EXPECTED_CHECKS:
        assert any(line.startswith(f"self-test: OK   {name}") for line in lines), name
    assert lines[-1] == "self-test: all checks passed"
    assert "from source" in lines[0]
    pdf_line = next(line for line in lines if "pdf with chinese text" in line)
    assert "embedded" in pdf_line and "ToUnicode" in pdf_line
    assert any("kiosk (home " in line for line in lines)
    assert "Traceback" not in result.stderr
    assert not home.exists(), "the self-test must not touch the user's data"


def test_a_failing_check_prints_one_line_and_is_counted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    checks = selftest._Checks()

    def broken() -> str:
        raise RuntimeError("the SVG plugin is missing\nsecond line stays in the log")

    assert checks.run("icons", broken) is None
    assert checks.run("qt", lambda: "offscreen") == "offscreen"
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "self-test: FAIL icons: RuntimeError: the SVG plugin is missing",
        "self-test: OK   qt (offscreen)",
    ]
    assert checks.failed == ["icons"]


def test_run_reports_failures_with_exit_code_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def one_failure(checks: selftest._Checks, home: Path, args: argparse.Namespace) -> None:
        checks.run("migrations", lambda: (_ for _ in ()).throw(RuntimeError("no revisions")))

    monkeypatch.setattr(selftest, "_run_checks", one_failure)
    assert selftest.run(argparse.Namespace(lang=None)) == 1
    out = capsys.readouterr().out
    assert "self-test: FAIL migrations: RuntimeError: no revisions" in out
    assert "self-test: 1 check(s) failed: migrations" in out


@pytest.fixture
def sample_pdf(tmp_path: Path, qapp: object) -> Path:
    target = tmp_path / "sample.pdf"
    size = selftest.render_sample_pdf(
        target, selftest.PDF_SAMPLE, selftest.QR_PAYLOAD, FONT_FAMILIES
    )
    assert re.fullmatch(r"\d+x\d+", size), size
    return target


def test_the_sample_pdf_reads_back_its_chinese_text_and_holds_the_qr(sample_pdf: Path) -> None:
    facts = selftest.read_pdf(sample_pdf.read_bytes())
    assert all(font.embedded and font.to_unicode for font in facts.fonts.values())
    assert "试驾协议" in selftest.comparable(facts.text)
    assert "车辆档案" in selftest.comparable(facts.text)
    assert len(facts.images) == 1
    width, height = facts.images[0]
    assert width == height and width >= 21  # one pixel per module at the very least
    assert "embedded" in selftest.check_pdf(sample_pdf, selftest.PDF_SAMPLE)


def test_a_pdf_without_the_text_fails_with_what_it_read(sample_pdf: Path) -> None:
    with pytest.raises(RuntimeError, match="expected '合同已归档'"):
        selftest.check_pdf(sample_pdf, "合同已归档")


def test_a_pdf_whose_font_is_not_embedded_fails(sample_pdf: Path, tmp_path: Path) -> None:
    broken = tmp_path / "not-embedded.pdf"
    broken.write_bytes(sample_pdf.read_bytes().replace(b"/FontFile2", b"/NoFontFil"))
    with pytest.raises(RuntimeError, match=r"fonts not embedded: NotoSansCJK"):
        selftest.check_pdf(broken, selftest.PDF_SAMPLE)


def test_a_pdf_without_an_image_fails_for_the_missing_qr(sample_pdf: Path, tmp_path: Path) -> None:
    broken = tmp_path / "no-image.pdf"
    broken.write_bytes(sample_pdf.read_bytes().replace(b"/Subtype /Image", b"/Subtype /Other"))
    with pytest.raises(RuntimeError, match="QR code is missing"):
        selftest.check_pdf(broken, selftest.PDF_SAMPLE)


def test_to_unicode_maps_chars_ranges_and_arrays() -> None:
    cmap = """
    2 beginbfchar
    <0003> <8F66>
    <0004> <D83DDE97>
    endbfchar
    2 beginbfrange
    <0010> <0012> <0030>
    <0020> <0021> [<8BD5> <9A7E>]
    endbfrange
    """
    assert selftest.parse_to_unicode(cmap) == {
        0x03: "车",
        0x04: "🚗",
        0x10: "0",
        0x11: "1",
        0x12: "2",
        0x20: "试",
        0x21: "驾",
    }


def test_radicals_qt_writes_for_shared_glyphs_compare_as_their_ideographs() -> None:
    # Kangxi 自 (U+2F83) and the simplified cart radical (U+2ECB), as Qt maps them.
    assert selftest.comparable("\u2f83检 \u2ecb辆\t档案") == "自检车辆档案"
