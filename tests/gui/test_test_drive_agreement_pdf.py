"""The printed agreement as a customer holds it: text, signatures, number and code on every page.

Rendering needs Qt fonts, so these run with the shared QApplication (``qtbot``);
poppler's ``pdftotext`` / ``pdfimages`` read the PDF like any viewer would.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import update

from db.engine import Database
from db.models import Customer, DocumentKind
from showroom.documents import archive
from showroom.documents.demo import fake_handwriting
from showroom.documents.model import Document, Field, Letterhead, Section
from showroom.documents.templates import load_logo
from showroom.services import test_drives as td
from tests.db.test_documents import ACTOR, SIGNED_AT, ZONE
from tests.db.test_test_drives import TOMORROW, World, check, local
from ui.documents import fonts
from ui.documents.render import render_pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


@pytest.fixture(scope="session")
def print_font_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Derive the clean-text print fonts once per run (about two seconds each)."""
    return fonts.derive_print_fonts(tmp_path_factory.mktemp("cache"))


@pytest.fixture
def print_fonts(qtbot, print_font_files: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(fonts, "derive_print_fonts", lambda _cache: print_font_files)
    assert fonts.register_print_fonts(print_font_files)


def pdf_text(pdf: bytes, tmp_path: Path, page: int | None = None) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(
        ["pdftotext", "-layout", *pages, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_images(pdf: bytes, tmp_path: Path) -> list[tuple[int, int]]:
    path = tmp_path / "img.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    sizes = []
    for line in out.splitlines()[2:]:
        cells = line.split()
        if len(cells) > 4 and cells[2] == "image":
            sizes.append((int(cells[3]), int(cells[4])))
    return sizes


def signed(database: Database, customer_name: str) -> tuple[Document, td.SignedAgreement]:
    world = World(database)
    with database.write() as session:
        session.execute(
            update(Customer).where(Customer.id == world.customer_id).values(name=customer_name)
        )
    booking = world.book(local(TOMORROW, 10))
    check(world, booking, name=customer_name)
    with database.read() as session:
        document = td.prepare_agreement(
            session, booking.id, templates_dir=None, zone=ZONE, now=SIGNED_AT
        )
    customer, consultant = fake_handwriting(11), fake_handwriting(12)
    document = td.attach_signatures(document, customer, consultant, SIGNED_AT, ZONE)
    pdf = render_pdf(document)
    with database.write() as session:
        result = td.sign_agreement(
            session, ACTOR, booking.id, document, customer, consultant, pdf, SIGNED_AT
        )
    return document, result


def test_agreement_pdf_has_customer_car_vin_date_code_and_escaped_names(
    print_fonts: None, sqlite_database: Database, tmp_path: Path
) -> None:
    document, result = signed(sqlite_database, "<b>x</b>")
    with sqlite_database.read() as session:
        pdf = archive.archived_pdf(session, result.document_id)
    text = pdf_text(pdf, tmp_path)
    assert pdf.startswith(b"%PDF")
    assert "<b>x</b>" in text  # printed literally, not as bold markup
    assert "车辆试驾协议书" in text and "大众 朗逸" in text  # real Chinese text, not radicals
    assert "LSVAU2180N2123456" in text
    assert "2026年11月25日" in text
    assert result.verification_code in text and document.number in text
    assert "第1页/共1页" in text.replace(" ", "")
    assert "副本" not in text


def test_agreement_pdf_carries_both_signature_images(
    print_fonts: None, sqlite_database: Database, tmp_path: Path
) -> None:
    document, result = signed(sqlite_database, "王小明")
    with sqlite_database.read() as session:
        pdf = archive.archived_pdf(session, result.document_id)
    sizes = pdf_images(pdf, tmp_path)
    assert sizes.count((600, 200)) == 2  # the two drawn signatures, at full resolution
    unsigned = render_pdf(
        Document.from_content(
            {
                **document.to_content(),
                "signatures": [[s.role_label, s.name, "", ""] for s in document.signatures],
            }
        )
    )
    assert (600, 200) not in pdf_images(unsigned, tmp_path)
    assert "____年____月____日" in pdf_text(unsigned, tmp_path)


def test_reprint_matches_the_archive_and_says_copy(
    print_fonts: None, sqlite_database: Database, tmp_path: Path
) -> None:
    document, result = signed(sqlite_database, "王小明")
    with sqlite_database.read() as session:
        reprint = archive.prepare_reprint(
            session, DocumentKind.TEST_DRIVE_AGREEMENT, document.number
        )
        original_content = archive.archived_content(session, result.document_id)
    assert reprint.document.to_content() == original_content
    pdf = render_pdf(reprint.document)
    text = pdf_text(pdf, tmp_path)
    assert "副本 COPY 1" in text
    assert result.verification_code in text
    original_text = pdf_text(render_pdf(Document.from_content(original_content)), tmp_path)
    for line in ("王小明", "LSVAU2180N2123456", "60 公里/小时", "交通违法行为"):
        assert line in text and line in original_text
    assert pdf_images(pdf, tmp_path).count((600, 200)) == 2


def test_every_page_of_a_long_paper_has_number_code_and_page_count(
    print_fonts: None, tmp_path: Path
) -> None:
    document = long_document(pages_of_text=4)
    pdf = render_pdf(document)
    pages = int(
        next(
            line.split()[-1]
            for line in subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
            .stdout.decode()
            .splitlines()
            if line.startswith("Pages:")
        )
    )
    assert pages >= 3  # four here; other fonts may flow a little differently
    for page in range(1, pages + 1):
        text = pdf_text(pdf, tmp_path, page)
        assert "BJ01-2026-000123" in text and document.verification_code in text
        assert f"第{page}页/共{pages}页" in text.replace(" ", "")


def long_document(pages_of_text: int) -> Document:
    """A contract-sized paper with enough clauses for ``pages_of_text`` A4 pages."""
    clause = (
        "买方已查验车辆并确认车况与车况确认书一致；卖方保证车辆无抵押、无查封、无未处理的交通违法记录，"
        "并协助买方在约定期限内办理过户手续。任何一方违约的，应赔偿守约方因此遭受的直接损失。"
    )
    sections = tuple(
        Section(f"第{n}条 约定事项", tuple(clause for _ in range(3)))
        for n in range(1, 5 * pages_of_text + 1)
    )
    return Document(
        kind="contract",
        number="BJ01-2026-000123",
        title="二手车买卖合同",
        letterhead=Letterhead("示范二手车展厅", "北京市朝阳区测试路 1 号", "", load_logo(None)),
        fields=(Field("买方", "王小明"), Field("车架号（VIN）", "LSVAU2180N2123456")),
        sections=sections,
    )


def _pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    line = next(x for x in info.stdout.decode().splitlines() if x.startswith("Pages:"))
    return int(line.split()[-1])


def test_a_reprint_of_a_paper_filled_to_the_last_line_keeps_its_page_count(
    print_fonts: None, tmp_path: Path
) -> None:
    base = long_document(pages_of_text=1)

    def paper(count: int) -> Document:
        return replace(base, sections=(Section("附则", ("本条完。",) * count),))

    # The most one-line paragraphs that still fit on one page: no room for one more line.
    fits, spills = 1, 200
    assert _pages(render_pdf(paper(fits))) == 1 < _pages(render_pdf(paper(spills)))
    while spills - fits > 1:
        middle = (fits + spills) // 2
        fits, spills = (
            (middle, spills) if _pages(render_pdf(paper(middle))) == 1 else (fits, middle)
        )
    original = paper(fits)
    copy = replace(original, copy_no=1)
    pdf = render_pdf(copy)
    assert _pages(pdf) == _pages(render_pdf(original)) == 1
    assert "与存档原件内容一致" in pdf_text(pdf, tmp_path)


def test_the_archive_lists_an_agreement_under_a_masked_name(
    print_fonts: None, sqlite_database: Database
) -> None:
    _document, result = signed(sqlite_database, "王小明")
    with sqlite_database.read() as session:
        (row,) = [r for r in archive.list_documents(session, None) if r.id == result.document_id]
    assert row.subject.startswith("王") and "王小明" not in row.subject
