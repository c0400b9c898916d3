"""The document archive and the signed agreement's data, on SQLite and PostgreSQL.

Painting is tested in ``tests/gui/test_test_drive_agreement_pdf.py``; here a
stand-in PDF is enough to test what is stored, hashed and reprinted.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import Document as DocumentRow
from db.models import DocumentKind, Signature, TestDrive
from showroom.documents import archive
from showroom.documents.model import Document
from showroom.documents.templates import ensure_templates, load_template
from showroom.errors import NotFoundError, ShowroomError, ValidationError
from showroom.services import audit
from showroom.services import test_drives as td

ZONE = ZoneInfo("Asia/Shanghai")
SIGNED_AT = datetime(2026, 11, 25, 10, 2, tzinfo=ZONE)
ACTOR = audit.Actor("测试")


def zigzag(points: int = 20, extent: float = 0.6) -> td.DrawnSignature:
    stroke = [
        [0.1 + extent * i / points, 0.3 + (extent * 0.6 if i % 2 else 0.0)] for i in range(points)
    ]
    return td.DrawnSignature([stroke], b"\x89PNG signature " + str(points).encode())


def signed_agreement(
    database: Database, drive_id: uuid.UUID, pdf: bytes, templates_dir: Path | None = None
) -> tuple[Document, td.SignedAgreement]:
    with database.read() as session:
        document = td.prepare_agreement(
            session, drive_id, templates_dir=templates_dir, zone=ZONE, now=SIGNED_AT
        )
    document = td.attach_signatures(document, zigzag(), zigzag(30), SIGNED_AT, ZONE)
    with database.write() as session:
        signed = td.sign_agreement(
            session, ACTOR, drive_id, document, zigzag(), zigzag(30), pdf, SIGNED_AT
        )
    return document, signed


@pytest.fixture
def booked(database: Database) -> tuple[Database, uuid.UUID]:
    from tests.db.test_test_drives import TOMORROW, World, check, local

    world = World(database)
    booking = world.book(local(TOMORROW, 10))
    check(world, booking)
    return database, booking.id


def test_agreement_holds_customer_car_vin_and_masked_personal_data(
    booked: tuple[Database, uuid.UUID],
) -> None:
    database, drive_id = booked
    with database.read() as session:
        document = td.prepare_agreement(
            session, drive_id, templates_dir=None, zone=ZONE, now=SIGNED_AT
        )
    values = {f.label: f.value for f in document.fields}
    assert values["乙方（试驾人）"] == "王小明"
    assert values["车架号（VIN）"] == "LSVAU2180N2123456"
    assert values["联系电话"] == "138****5678"
    assert "********" in values["驾驶证号"]
    assert values["签署日期"] == "2026年11月25日"
    text = document.signed_text()
    assert "60 公里/小时" in text and "交通违法行为" in text and "陪同" in text and "保险" in text


def test_unchecked_licence_blocks_the_agreement(database: Database) -> None:
    from tests.db.test_test_drives import TOMORROW, World, local

    world = World(database)
    booking = world.book(local(TOMORROW, 10))
    with pytest.raises(ValidationError) as caught, database.read() as session:
        td.prepare_agreement(session, booking.id, templates_dir=None, zone=ZONE)
    assert caught.value.code == "test_drive.licence_unchecked"


def test_signing_stores_signatures_over_the_text_and_archives_the_pdf(
    booked: tuple[Database, uuid.UUID],
) -> None:
    database, drive_id = booked
    document, signed = signed_agreement(database, drive_id, b"%PDF-1.4 agreement")
    with database.read() as session:
        signatures = session.scalars(
            select(Signature).where(Signature.subject_id == drive_id)
        ).all()
        assert {s.signer_role for s in signatures} == {"customer", "consultant"}
        assert {s.signed_text_sha256 for s in signatures} == {document.signed_text_sha256()}
        assert all(s.strokes and s.image_sha for s in signatures)
        drive = session.get(TestDrive, drive_id)
        assert drive is not None and drive.agreement_document_id == signed.document_id
        rows = archive.list_documents(session)
        assert archive.archived_pdf(session, signed.document_id) == b"%PDF-1.4 agreement"
    assert [(r.kind, r.number, r.copy_no) for r in rows] == [
        ("test_drive_agreement", document.number, 0)
    ]
    assert rows[0].subject.startswith("王**")  # the archive list masks the name
    assert rows[0].verification_code == document.verification_code == signed.verification_code
    assert rows[0].to_json()["sha256"] == signed.sha256


def test_an_empty_or_trivial_signature_is_refused(booked: tuple[Database, uuid.UUID]) -> None:
    database, drive_id = booked
    with database.read() as session:
        document = td.prepare_agreement(session, drive_id, templates_dir=None, zone=ZONE)
    for bad, code in (
        (td.DrawnSignature([], b""), "signature.empty"),
        (zigzag(points=5), "signature.too_small"),
        (zigzag(points=40, extent=0.02), "signature.too_small"),
    ):
        with pytest.raises(ValidationError) as caught, database.write() as session:
            td.sign_agreement(
                session, ACTOR, drive_id, document, bad, zigzag(), b"%PDF-", SIGNED_AT
            )
        assert caught.value.code == code
    with database.read() as session:
        assert session.scalars(select(DocumentRow)).all() == []


def test_reprint_paints_the_archived_content_as_the_next_copy(
    booked: tuple[Database, uuid.UUID], tmp_path: Path
) -> None:
    database, drive_id = booked
    templates = tmp_path / "templates"
    ensure_templates(templates)
    document, _ = signed_agreement(database, drive_id, b"%PDF-1.4 original", templates)
    # The dealer edits the template afterwards: what was signed does not change.
    path = templates / "test_drive_agreement.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('max_speed = "60"', 'max_speed = "120"'),
        encoding="utf-8",
    )
    _, sections, _ = load_template(templates, "test_drive_agreement").fill({})
    assert "120 公里/小时" in sections[1].paragraphs[1]
    with database.read() as session:
        reprint = archive.prepare_reprint(
            session, DocumentKind.TEST_DRIVE_AGREEMENT, document.number
        )
    assert reprint.document.copy_no == 1
    assert reprint.document.to_content() == document.to_content()
    assert reprint.document.verification_code == document.verification_code
    assert "60 公里/小时" in reprint.document.signed_text()
    assert reprint.document.signatures[0].png == document.signatures[0].png
    with database.write() as session:
        copy = archive.archive(
            session,
            ACTOR,
            reprint.document,
            b"%PDF-1.4 copy 1",
            store_id=reprint.store_id,
            subject=reprint.subject,
            subject_id=reprint.subject_id,
        )
    assert copy.copy_no == 1
    with database.read() as session:
        again = archive.prepare_reprint(session, DocumentKind.TEST_DRIVE_AGREEMENT, document.number)
        stored = archive.archived_content(session, copy.id)
    assert again.document.copy_no == 2
    assert stored == document.to_content()


def test_reprint_of_an_unknown_number_says_so(database: Database) -> None:
    with pytest.raises(NotFoundError) as caught, database.read() as session:
        archive.prepare_reprint(session, DocumentKind.TEST_DRIVE_AGREEMENT, "NOPE00")
    assert "NOPE00" in caught.value.message


def test_a_signed_agreement_cannot_be_signed_twice(booked: tuple[Database, uuid.UUID]) -> None:
    database, drive_id = booked
    document, _ = signed_agreement(database, drive_id, b"%PDF-1.4 one")
    with pytest.raises(ShowroomError) as caught, database.write() as session:
        td.sign_agreement(
            session, ACTOR, drive_id, document, zigzag(), zigzag(), b"%PDF-2", SIGNED_AT
        )
    assert caught.value.code == "test_drive.already_signed"


def test_document_kind_aliases_and_unknown_kind() -> None:
    assert archive.parse_kind("agreement") is DocumentKind.TEST_DRIVE_AGREEMENT
    assert archive.parse_kind("deposit-receipt") is DocumentKind.DEPOSIT_RECEIPT
    with pytest.raises(ValidationError):
        archive.parse_kind("menu")


def test_content_round_trips_and_verification_code_tracks_it() -> None:
    template = load_template(None, "test_drive_agreement")
    fields, sections, signatures = template.fill({"customer_name": "<b>x</b>"})
    from showroom.documents.model import Letterhead

    doc = Document(
        "test_drive_agreement",
        "AAAAAA",
        template.title,
        Letterhead("店"),
        fields,
        sections,
        signatures,
        issued=str(date(2026, 1, 1)),
    )
    back = Document.from_content(doc.to_content())
    assert back == doc
    assert doc.fields[3].value == "<b>x</b>"  # kept literally; the renderer escapes it
    changed = Document.from_content({**doc.to_content(), "number": "AAAAAB"})
    assert changed.verification_code != doc.verification_code
    assert len(doc.verification_code) == 9 and doc.verification_code[4] == "-"
