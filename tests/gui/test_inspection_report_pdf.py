"""The inspection report (检测报告) as the customer keeps it: grade, sections, defects, photos."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import AuditEntry, DocumentKind, ItemResult
from showroom.documents import archive
from showroom.services import inspections as insp
from tests.db.test_inspections import NOW, World, photo_bytes
from tests.gui.test_test_drive_agreement_pdf import (  # noqa: F401 - fixtures
    pdf_images,
    pdf_text,
    print_font_files,
    print_fonts,
)
from ui.documents.render import render_pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def finalised_with_defect(world: World) -> None:
    world.mark_all()
    view = world.view()
    door = view.items[2]
    with world.database.write() as session:
        insp.set_item(
            session,
            world.inspection_id,
            door.id,
            result=ItemResult.DEFECT,
            severity=2,
            note="左前车门下沿补漆",
        )
        insp.add_photo(
            session,
            world.inspection_id,
            door.id,
            insp.prepare_photo(photo_bytes((1200, 900))),
            "左前车门补漆处",
        )
        insp.finalise(session, world.actor, world.inspection_id, now=NOW)


def test_report_shows_grade_sections_defects_photo_and_is_archived(
    print_fonts: None,  # noqa: F811
    sqlite_database: Database,
    tmp_path: Path,
) -> None:
    world = World(sqlite_database)
    finalised_with_defect(world)
    with world.database.read() as session:
        document = insp.report_for_printing(session, world.inspection_id)
    pdf = render_pdf(document)
    text = pdf_text(pdf, tmp_path)
    for expected in (
        "二手车技术状况检测报告",
        "一级",
        "97.0",
        "车身",
        "发动机舱",
        "底盘",
        "左前车门下沿补漆",
        "周评估",
        document.verification_code,
        "京A12345",
    ):
        assert expected in text, expected
    assert text.index("车身") < text.index("发动机舱") < text.index("驾驶舱") < text.index("底盘")
    assert any(w >= 300 for w, _h in pdf_images(pdf, tmp_path))  # the defect photo, not just QR
    with world.database.write() as session:
        insp.archive_report(session, world.actor, world.inspection_id, document, pdf)
    # The customer's copy is a numbered copy of the archived original.
    with world.database.read() as session:
        copy = insp.report_for_printing(session, world.inspection_id)
        original = archive.find_original(session, DocumentKind.INSPECTION_REPORT, document.number)
        actions = list(session.scalars(select(AuditEntry.action)))
    assert copy.copy_no == 1 and copy.verification_code == document.verification_code
    assert original is not None and "document_printed" in actions


def test_a_draft_has_no_report(sqlite_database: Database) -> None:
    world = World(sqlite_database)
    with world.database.read() as session, pytest.raises(insp.ValidationError) as caught:
        insp.report_document(session, world.inspection_id)
    assert caught.value.code == "inspection.not_final"
