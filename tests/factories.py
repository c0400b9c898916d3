"""Small builders for test data: generated people only, never real ones."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from db.engine import Database
from db.models import Document, DocumentKind, Role, Staff, Store, TestDriveStatus
from showroom.documents.archive import store_media
from showroom.security import hash_secret

# Cheap KDF cost in tests: the hashing itself is tested separately.
FAST = {"n": 2**4, "r": 1, "p": 1}
# A complete store profile (generated, not a real company): every paper can print.
PROFILE = {
    "address": "北京市朝阳区测试路 1 号",
    "phone": "010-8555 0100",
    "credit_code": "91350100M000100Y43",  # the check-digit example of GB 32100-2015
    "bank_name": "测试银行朝阳支行",
    "bank_account": "6222021234567890123",
}


def make_store(
    database: Database,
    code: str = "BJ01",
    name: str = "测试展厅",
    *,
    complete: bool = True,
) -> uuid.UUID:
    with database.write() as session:
        details = PROFILE if complete else {"address": PROFILE["address"]}
        store = Store(code=code, name=name, **details)
        session.add(store)
        session.flush()
        return store.id


def make_staff(
    database: Database,
    store_id: uuid.UUID,
    username: str,
    role: Role | Iterable[Role],
    password: str = "secret123",
    pin: str | None = None,
    display_name: str | None = None,
    *,
    weekly_pattern: str = "1111111",
) -> uuid.UUID:
    """One person holding ``role`` (or several roles), on duty every day unless told."""
    with database.write() as session:
        staff = Staff(
            store_id=store_id,
            username=username,
            display_name=display_name or username,
            roles=role,
            weekly_pattern=weekly_pattern,
            password_hash=hash_secret(password, **FAST),
            pin_hash=hash_secret(pin, **FAST) if pin else None,
        )
        session.add(staff)
        session.flush()
        return staff.id


def went_out(
    session: Session,
    store_id: uuid.UUID,
    booking_code: str,
    slot_start: datetime,
    status: TestDriveStatus,
) -> dict[str, Any]:
    """What a test drive in ``status`` carries: a car out or back had its licence checked,
    its agreement signed and archived, and its readings taken (the database refuses one
    without them, migration 0018). Empty for a drive that never left."""
    if status not in (TestDriveStatus.CHECKED_OUT, TestDriveStatus.RETURNED):
        return {}
    sha = store_media(session, f"%PDF-1.4 agreement {booking_code}".encode(), "application/pdf")
    agreement = Document(
        store_id=store_id,
        kind=DocumentKind.TEST_DRIVE_AGREEMENT,
        number=booking_code,
        verification_code="TEST-0000",
        pdf_sha=sha,
    )
    session.add(agreement)
    session.flush()
    values: dict[str, Any] = {
        "licence_number": "110101199003074514",  # generated, check digit valid, nobody's
        "licence_class": "C1",
        "licence_valid_until": date(2030, 1, 1),
        "licence_name": "测试客户",
        "agreement_document_id": agreement.id,
        "out_at": slot_start,
        "out_odometer_km": 1000,
        "out_fuel_percent": 80,
    }
    if status is TestDriveStatus.RETURNED:
        values |= {"in_at": slot_start + timedelta(minutes=25), "in_odometer_km": 1012}
    return values
