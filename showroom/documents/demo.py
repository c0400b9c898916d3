"""Demo papers: after ``showroom demo``, one archived document of every kind that exists.

Painting needs Qt, which this layer never imports; so this module prepares the
papers as data (with generated, obviously fake handwriting) and takes a
``render(Document) -> bytes`` function from the caller (``ui.documents.demo``).
Besides the test-drive agreement it makes one deposit (with its receipt) and one signed
sale (three papers), through the same services the desk uses.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from datetime import timedelta, tzinfo
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import (
    Customer,
    Deposit,
    DocumentKind,
    Inspection,
    InspectionStatus,
    PaymentMethod,
    Role,
    Staff,
    Store,
    TestDrive,
    TestDriveStatus,
    Vehicle,
    VehicleStatus,
)
from db.models import Document as DocumentRow
from showroom.clock import utcnow
from showroom.demo import DEMO_AGREEMENT_VERSION
from showroom.documents.model import Document
from showroom.services import audit
from showroom.services import test_drives as td

Render = Callable[[Document], bytes]
PAD_ASPECT = 3.0  # signature pads are three times wider than tall


def fake_handwriting(seed: int, size: tuple[int, int] = (600, 200)) -> td.DrawnSignature:
    """A few smooth loops that read as a scribbled signature (demo data, nobody's real hand)."""
    rng = random.Random(seed)
    strokes: list[list[list[float]]] = []
    x = 0.08
    for _ in range(rng.randint(2, 3)):
        points = []
        width = rng.uniform(0.18, 0.3)
        phase = rng.uniform(0, math.pi)
        turns = rng.uniform(2.0, 3.2)
        for i in range(60):
            t = i / 59
            angle = phase + t * turns * 2 * math.pi
            # A slanted, looping cursive stroke: forward drift plus circles.
            px = x + width * t + 0.035 * math.cos(angle)
            py = 0.5 - 0.22 * math.sin(angle) * (1 - 0.3 * t) + 0.08 * (t - 0.5)
            points.append([round(px, 4), round(py, 4)])
        strokes.append(points)
        x += width + rng.uniform(0.02, 0.06)
    return td.DrawnSignature(strokes, strokes_png(strokes, size))


def strokes_png(strokes: list[list[list[float]]], size: tuple[int, int]) -> bytes:
    """Ink on a transparent background, drawn at 2x and scaled down for smooth edges."""
    w, h = size
    big = Image.new("RGBA", (w * 2, h * 2), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    for stroke in strokes:
        line = [(p[0] * w * 2, p[1] * h * 2) for p in stroke]
        if len(line) > 1:
            draw.line(line, fill=(16, 32, 96, 255), width=7, joint="curve")
    image = big.resize((w, h), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _demo_agreement(
    database: Database,
    render: Render,
    templates_dir: Path | None,
    zone: tzinfo,
    letterhead_overrides: dict[str, str] | None,
) -> int:
    with database.read() as session:
        drive = _pick_drive(session)
        if drive is None:
            return 0
        drive_id, signed_at = drive.id, drive.out_at or drive.slot_start
        document = td.prepare_agreement(
            session,
            drive_id,
            templates_dir=templates_dir,
            zone=zone,
            accompanying_staff_id=drive.accompanying_staff_id,
            route=drive.route,
            letterhead_overrides=letterhead_overrides,
            now=signed_at - timedelta(minutes=5),
            backfill=True,
        )
        consultant = session.get(Staff, drive.consultant_id) if drive.consultant_id else None
        actor = (
            audit.Actor(consultant.display_name, consultant.id, consultant.store_id)
            if consultant
            else audit.SYSTEM
        )
    customer, staff = fake_handwriting(1), fake_handwriting(2)
    document = td.attach_signatures(
        document, customer, staff, signed_at - timedelta(minutes=3), zone
    )
    pdf = render(document)
    with database.write() as session:
        # The generated stand-in (``showroom.demo``) gives way to the painted paper.
        stand_in = _stand_in(session, drive_id)
        if stand_in is not None:
            stand_in.number = f"{stand_in.number}~"
            session.flush()
        td.sign_agreement(
            session,
            actor,
            drive_id,
            document,
            customer,
            staff,
            pdf,
            signed_at - timedelta(minutes=3),
            backfill=True,
        )
        if stand_in is not None:
            session.flush()
            session.delete(stand_in)
    return 1


def _stand_in(session: Session, drive_id: object) -> DocumentRow | None:
    drive = session.get(TestDrive, drive_id)
    if drive is None or drive.agreement_document_id is None:
        return None
    row = session.get(DocumentRow, drive.agreement_document_id)
    return row if row is not None and row.template_version == DEMO_AGREEMENT_VERSION else None


def _pick_drive(session: Session) -> TestDrive | None:
    """The car out on a test drive now, else the latest returned one: both had to be signed."""
    for status in (TestDriveStatus.CHECKED_OUT, TestDriveStatus.RETURNED):
        drive = session.scalars(
            select(TestDrive)
            .outerjoin(DocumentRow, DocumentRow.id == TestDrive.agreement_document_id)
            .where(
                TestDrive.status == status,
                or_(
                    TestDrive.agreement_document_id.is_(None),
                    DocumentRow.template_version == DEMO_AGREEMENT_VERSION,
                ),
                TestDrive.licence_number.is_not(None),
            )
            .order_by(TestDrive.slot_start.desc())
            .limit(1)
        ).first()
        if drive is not None:
            return drive
    return None


def archive_demo_documents(
    database: Database,
    render: Render,
    *,
    templates_dir: Path | None,
    zone: tzinfo,
    letterhead_overrides: dict[str, str] | None = None,
) -> dict[str, int]:
    """Archive one demo paper per kind that has none yet; return how many of each were made."""
    made: dict[str, int] = {}
    with database.read() as session:
        existing = set(
            session.scalars(
                select(DocumentRow.kind)
                .where(DocumentRow.template_version != DEMO_AGREEMENT_VERSION)
                .distinct()
            )
        )
    if DocumentKind.TEST_DRIVE_AGREEMENT not in existing:
        made[DocumentKind.TEST_DRIVE_AGREEMENT.value] = _demo_agreement(
            database, render, templates_dir, zone, letterhead_overrides
        )
    if DocumentKind.DEPOSIT_RECEIPT not in existing:
        made.update(_demo_deals(database, render, templates_dir, zone, letterhead_overrides))
    return made


def _demo_deals(
    database: Database,
    render: Render,
    templates_dir: Path | None,
    zone: tzinfo,
    letterhead_overrides: dict[str, str] | None,
) -> dict[str, int]:
    """One deposit reserving a car and one signed sale, made through the desk's services."""

    from showroom.identifiers import id_check_digit
    from showroom.services import contracts as ct
    from showroom.services import deposits as dp

    with database.read() as session:
        store = session.scalars(select(Store).limit(1)).first()
        sales = session.scalars(
            select(Staff).where(Staff.holds(Role.SALES), Staff.active.is_(True)).limit(1)
        ).first()
        # Cars with a final inspection first: the condition confirmation then has its facts.
        inspected = select(Inspection.vehicle_id).where(
            Inspection.status == InspectionStatus.FINAL, Inspection.vehicle_id.is_not(None)
        )
        cars = session.scalars(
            select(Vehicle.id)
            .where(
                Vehicle.status == VehicleStatus.ON_SALE,
                Vehicle.deleted_at.is_(None),
                Vehicle.list_price >= 20000,
            )
            .order_by(Vehicle.id.in_(inspected).desc(), Vehicle.stock_no)
            .limit(2)
        ).all()
        used = select(Deposit.customer_id)
        buyers = session.scalars(
            select(Customer.id)
            .where(Customer.deleted_at.is_(None), Customer.id.not_in(used))
            .order_by(Customer.created_at)
            .limit(2)
        ).all()
    if store is None or sales is None or len(cars) < 2 or len(buyers) < 2:
        return {}
    actor = audit.Actor(sales.display_name, sales.id, sales.store_id)
    now = utcnow()
    with database.write() as session:
        taken = dp.take(
            session,
            actor,
            dp.DepositInput(cars[1], buyers[0], "5000", PaymentMethod.WECHAT, "4200009876543210"),
            store_code=store.code,
            now=now,
            zone=zone,
        )
    with database.read() as session:
        receipt = dp.prepare_receipt(
            session,
            taken.id,
            templates_dir=templates_dir,
            zone=zone,
            letterhead_overrides=letterhead_overrides,
        )
    pdf = render(receipt)
    with database.write() as session:
        dp.archive_receipt(session, actor, taken.id, receipt, pdf)
    # A walk-in buyer who paid in full on the day: a sale without a deposit.
    body = "11010519880612" + f"{sum(buyers[1].bytes) % 1000:03d}"
    with database.write() as session:
        drafted = ct.draft(
            session,
            actor,
            ct.ContractInput(
                cars[0],
                buyers[1],
                str(_price(session, cars[0])),
                body + id_check_digit(body),
                buyer_address="北京市朝阳区示范路 8 号（演示地址）",
                other_terms="随车赠送全车脚垫一套、首次保养一次。",
            ),
            store_code=store.code,
            now=now,
            zone=zone,
        )
    with database.read() as session:
        papers = ct.prepare_papers(
            session,
            drafted.id,
            templates_dir=templates_dir,
            zone=zone,
            letterhead_overrides=letterhead_overrides,
            now=now,
        )
    customer, staff = fake_handwriting(3), fake_handwriting(4)
    signed = ct.attach_signatures(papers, customer, staff, now, zone)
    pdfs = [render(p) for p in signed]
    with database.write() as session:
        ct.sign(session, actor, drafted.id, signed, customer, staff, pdfs, signed_at=now, zone=zone)
    return {DocumentKind.DEPOSIT_RECEIPT.value: 1, DocumentKind.CONTRACT.value: len(pdfs)}


def _price(session: Session, vehicle_id: object) -> object:
    vehicle = session.get(Vehicle, vehicle_id)
    assert vehicle is not None
    return vehicle.list_price
