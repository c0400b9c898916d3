"""Every rule that protects money, seats and people is refused by the database itself.

Each case stores a valid world through the models, then breaks one rule in plain
SQL, as an auditor (or a faulty import) would, and expects the database to
refuse; a twin statement that keeps the rule must pass, so no case can pass by
refusing everything. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from db.engine import Database
from db.models import (
    Contract,
    ContractKind,
    ContractStatus,
    Customer,
    Deposit,
    DepositStatus,
    DocumentKind,
    Inspection,
    InspectionEvent,
    NumberSequence,
    PaymentMethod,
    Registration,
    RegistrationStatus,
    SourceChannel,
    Store,
    TestDrive,
    TestDriveStatus,
    Visit,
    VisitPurpose,
)
from db.models import Document as DocumentRow
from showroom.documents.archive import store_media
from tests.factories_vehicles import make_vehicle

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


@dataclass
class World:
    store: uuid.UUID
    customer: uuid.UUID
    other: uuid.UUID
    retired: uuid.UUID
    vehicle: uuid.UUID
    deposit: uuid.UUID
    contract: uuid.UUID
    event: uuid.UUID
    seated: uuid.UUID
    waiting: uuid.UUID
    drive: uuid.UUID
    inspection: uuid.UUID
    document: uuid.UUID


@pytest.fixture
def world(database: Database) -> World:
    with database.write() as s:
        store = Store(code="BJ01", name="测试展厅")
        s.add(store)
        s.flush()
        customer = Customer(store_id=store.id, name="张伟", phone="13800138000")
        other = Customer(store_id=store.id, name="李娜", phone="13900139000")
        retired = Customer(store_id=store.id, name="王芳", phone="13700137000")
        s.add_all([customer, other, retired])
        s.flush()
        retired.merged_into_id, retired.deleted_at = other.id, NOW
        s.flush()
        ids = (store.id, customer.id, other.id, retired.id)
    vehicle = make_vehicle(database, ids[0])
    with database.write() as s:
        store_id, customer_id = ids[0], ids[1]
        deposit = Deposit(
            store_id=store_id,
            receipt_no="BJ01-R2026-000001",
            vehicle_id=vehicle,
            customer_id=customer_id,
            amount=Decimal("5000.00"),
            method=PaymentMethod.CASH,
            taken_at=NOW,
            expires_at=NOW + timedelta(days=7),
        )
        contract = Contract(
            store_id=store_id,
            contract_no="BJ01-2026-000001",
            kind=ContractKind.SALE,
            vehicle_id=vehicle,
            customer_id=customer_id,
            price=Decimal("150000.00"),
        )
        event = InspectionEvent(
            store_id=store_id,
            title="12月透明检测日",
            event_date=date(2026, 12, 5),
            starts_at=NOW + timedelta(days=11),
            ends_at=NOW + timedelta(days=11, hours=7),
            seats=2,
        )
        s.add_all([deposit, contract, event])
        s.flush()
        seated = Registration(
            event_id=event.id,
            customer_id=customer_id,
            booking_code="SEAT01",
            status=RegistrationStatus.SEATED,
            seat_no=2,
            plate="京A12345",
        )
        waiting = Registration(
            event_id=event.id,
            customer_id=customer_id,
            booking_code="WAIT01",
            status=RegistrationStatus.WAITLISTED,
            waitlist_position=1,
            plate="京B12345",
        )
        drive = TestDrive(
            store_id=store_id,
            booking_code="DRIVE1",
            vehicle_id=vehicle,
            customer_id=customer_id,
            slot_start=NOW + timedelta(days=1),
            slot_end=NOW + timedelta(days=1, minutes=30),
        )
        inspection = Inspection(
            store_id=store_id,
            report_no="BJ01-J2026-000001",
            vehicle_id=vehicle,
            started_at=NOW,
            valuation_low=Decimal("140000.00"),
            valuation_high=Decimal("150000.00"),
        )
        pdf = store_media(s, b"%PDF-1.4 agreement", "application/pdf")
        document = DocumentRow(
            store_id=store_id,
            kind=DocumentKind.TEST_DRIVE_AGREEMENT,
            number="DRIVE1",
            verification_code="0000-0000",
            pdf_sha=pdf,
        )
        s.add_all([seated, waiting, drive, inspection, document])
        s.add(NumberSequence(scope="BJ01", kind="receipt", period="2026", last_value=1))
        s.flush()
        return World(
            *ids,
            vehicle,
            deposit.id,
            contract.id,
            event.id,
            seated.id,
            waiting.id,
            drive.id,
            inspection.id,
            document.id,
        )


def _plain(database: Database, value: object) -> object:
    """A key as each database stores it (SQLite: 32 hex digits), for hand-written SQL."""
    if isinstance(value, uuid.UUID):
        return value.hex if database.kind == "sqlite" else str(value)
    if isinstance(value, datetime) and database.kind == "sqlite":
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _run(database: Database, sql: str, **params: object) -> None:
    with database.engine.begin() as conn:
        conn.execute(text(sql), {k: _plain(database, v) for k, v in params.items()})


def _refused(database: Database, sql: str, **params: object) -> None:
    # IntegrityError: a constraint or rule refused it (not a typo in the statement).
    with pytest.raises(IntegrityError):
        _run(database, sql, **params)


# (what the rule protects, statement that breaks it, statement that keeps it)
RULES: dict[str, tuple[str, str]] = {
    "phone_letters": (
        "UPDATE customers SET phone = 'abc' WHERE id = :customer",
        "UPDATE customers SET phone = '13811112222' WHERE id = :customer",
    ),
    "phone_spaced_twin": (
        "UPDATE customers SET phone = '138 0013 8000' WHERE id = :other",
        "UPDATE customers SET phone = '13800138001' WHERE id = :other",
    ),
    "phone_e164_twin": (
        "UPDATE customers SET phone = '+8613800138000' WHERE id = :other",
        "UPDATE customers SET phone = '13800138002' WHERE id = :other",
    ),
    "phone_same_number_twice": (
        "UPDATE customers SET phone = '13800138000' WHERE id = :other",
        "UPDATE customers SET phone = '13700137000' WHERE id = :other",  # the retired one's
    ),
    "budget_min_above_max": (
        "UPDATE customers SET budget_min = 20000000, budget_max = 10000000 WHERE id = :customer",
        "UPDATE customers SET budget_min = 10000000, budget_max = 20000000 WHERE id = :customer",
    ),
    "budget_negative": (
        "UPDATE customers SET budget_min = -100 WHERE id = :customer",
        "UPDATE customers SET budget_min = 0 WHERE id = :customer",
    ),
    "anonymised_keeps_a_phone": (
        "UPDATE customers SET anonymised_at = created_at, deleted_at = created_at "
        "WHERE id = :customer",
        "UPDATE customers SET anonymised_at = created_at, deleted_at = created_at, phone = '' "
        "WHERE id = :customer",
    ),
    "deposit_active_without_expiry": (
        "UPDATE deposits SET expires_at = NULL WHERE id = :deposit",
        "UPDATE deposits SET expires_at = NULL, status = 'refunded', closed_at = taken_at "
        "WHERE id = :deposit",
    ),
    "deposit_expiring_when_taken": (
        "UPDATE deposits SET expires_at = taken_at WHERE id = :deposit",
        "UPDATE deposits SET taken_at = taken_at, expires_at = expires_at WHERE id = :deposit",
    ),
    "deposit_applied_without_contract": (
        "UPDATE deposits SET status = 'applied', closed_at = taken_at WHERE id = :deposit",
        "UPDATE deposits SET status = 'applied', closed_at = taken_at, "
        "applied_contract_id = :contract WHERE id = :deposit",
    ),
    "deposit_closed_without_time": (
        "UPDATE deposits SET status = 'refunded' WHERE id = :deposit",
        "UPDATE deposits SET status = 'refunded', closed_at = taken_at WHERE id = :deposit",
    ),
    "contract_signed_without_price": (
        "UPDATE contracts SET status = 'signed', signed_at = created_at, price = NULL "
        "WHERE id = :contract",
        "UPDATE contracts SET status = 'signed', signed_at = created_at WHERE id = :contract",
    ),
    "contract_signed_without_time": (
        "UPDATE contracts SET status = 'signed' WHERE id = :contract",
        "UPDATE contracts SET status = 'signed', signed_at = created_at WHERE id = :contract",
    ),
    "contract_void_without_time": (
        "UPDATE contracts SET status = 'void' WHERE id = :contract",
        "UPDATE contracts SET status = 'void', voided_at = created_at WHERE id = :contract",
    ),
    "negative_cost_price": (
        "UPDATE vehicles SET cost_price = -100 WHERE id = :vehicle",
        "UPDATE vehicles SET cost_price = 0 WHERE id = :vehicle",
    ),
    "negative_new_price": (
        "UPDATE vehicles SET new_price = -100 WHERE id = :vehicle",
        "UPDATE vehicles SET new_price = NULL WHERE id = :vehicle",
    ),
    "valuation_low_above_high": (
        "UPDATE inspections SET valuation_low = valuation_high + 100 WHERE id = :inspection",
        "UPDATE inspections SET valuation_low = valuation_high WHERE id = :inspection",
    ),
    "event_without_seats": (
        "UPDATE inspection_events SET seats = 0 WHERE id = :event",
        "UPDATE inspection_events SET seats = 3 WHERE id = :event",
    ),
    "seats_lowered_below_a_given_seat": (
        "UPDATE inspection_events SET seats = 1 WHERE id = :event",
        "UPDATE inspection_events SET seats = 2, title = '改名' WHERE id = :event",
    ),
    "seat_number_above_the_seats": (
        "UPDATE registrations SET seat_no = 3 WHERE id = :seated",
        "UPDATE registrations SET seat_no = 1 WHERE id = :seated",
    ),
    "seated_without_seat_number": (
        "UPDATE registrations SET status = 'seated', waitlist_position = NULL WHERE id = :waiting",
        "UPDATE registrations SET status = 'seated', waitlist_position = NULL, seat_no = 1 "
        "WHERE id = :waiting",
    ),
    "waitlisted_holding_a_seat": (
        "UPDATE registrations SET seat_no = 1 WHERE id = :waiting",
        "UPDATE registrations SET waitlist_position = 2 WHERE id = :waiting",
    ),
    "waitlisted_without_position": (
        "UPDATE registrations SET waitlist_position = NULL WHERE id = :waiting",
        "UPDATE registrations SET waitlist_position = NULL, status = 'cancelled' "
        "WHERE id = :waiting",
    ),
    "drive_out_without_licence_check": (
        "UPDATE test_drives SET status = 'checked_out', out_at = slot_start, "
        "out_odometer_km = 1000, agreement_document_id = :document WHERE id = :drive",
        "UPDATE test_drives SET status = 'checked_out', out_at = slot_start, "
        "out_odometer_km = 1000, agreement_document_id = :document, "
        "licence_number = '110101199003074514', licence_valid_until = slot_start "
        "WHERE id = :drive",
    ),
    "drive_out_without_agreement": (
        "UPDATE test_drives SET status = 'checked_out', out_at = slot_start, "
        "out_odometer_km = 1000, licence_number = '110101199003074514', "
        "licence_valid_until = slot_start WHERE id = :drive",
        "UPDATE test_drives SET licence_number = '110101199003074514', "
        "licence_valid_until = slot_start WHERE id = :drive",
    ),
    "drive_out_without_time": (
        "UPDATE test_drives SET status = 'checked_out', out_odometer_km = 1000, "
        "licence_number = '110101199003074514', licence_valid_until = slot_start, "
        "agreement_document_id = :document WHERE id = :drive",
        "UPDATE test_drives SET status = 'cancelled' WHERE id = :drive",
    ),
    "counter_moved_backwards": (
        "UPDATE number_sequences SET last_value = last_value - 1",
        "UPDATE number_sequences SET last_value = last_value + 1",
    ),
    "counter_deleted": (
        "DELETE FROM number_sequences",
        "UPDATE number_sequences SET last_value = last_value",
    ),
    "audit_head_rewound": (
        "UPDATE audit_head SET last_seq = last_seq - 1",
        "UPDATE audit_head SET last_seq = last_seq",
    ),
    "audit_head_rehashed": (
        "UPDATE audit_head SET last_hash = 'f' || substr(last_hash, 2)",
        "UPDATE audit_head SET last_seq = last_seq + 1, last_hash = 'f' || substr(last_hash, 2)",
    ),
    "audit_head_deleted": (
        "DELETE FROM audit_head",
        "UPDATE audit_head SET id = 1",
    ),
    "row_moved_to_a_merged_customer": (
        "UPDATE deposits SET customer_id = :retired WHERE id = :deposit",
        "UPDATE deposits SET customer_id = :other WHERE id = :deposit",
    ),
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_the_database_refuses_what_breaks_the_rule(
    database: Database, world: World, rule: str
) -> None:
    breaking, keeping = RULES[rule]
    params = {k: v for k, v in vars(world).items() if f":{k}" in breaking + keeping}
    _refused(database, breaking, **params)
    _run(database, keeping, **params)  # the same table still takes what keeps the rule


def test_no_visit_is_added_under_a_merged_customer(database: Database, world: World) -> None:
    visit = (
        "INSERT INTO visits (id, store_id, visit_no, customer_id, purpose, source_channel, "
        "party_size, status, arrived_at, notes, created_at, updated_at, row_version) VALUES "
        "(:id, :store, :no, :who, 'buy', 'walk_in', 1, 'waiting', :at, '', :at, :at, 1)"
    )
    _refused(
        database, visit, id=uuid.uuid4(), store=world.store, no="V1", who=world.retired, at=NOW
    )
    _run(database, visit, id=uuid.uuid4(), store=world.store, no="V2", who=world.other, at=NOW)


def test_orm_writes_meet_the_same_refusals(database: Database, world: World) -> None:
    # The rules hold for the app's own writes too, not only for hand-typed SQL.
    with pytest.raises(IntegrityError), database.write() as s:
        s.add(
            Visit(
                store_id=world.store,
                visit_no="V9",
                customer_id=world.retired,
                purpose=VisitPurpose.BUY,
                source_channel=SourceChannel.WALK_IN,
                arrived_at=NOW,
            )
        )
    with pytest.raises(IntegrityError), database.write() as s:
        deposit = s.get_one(Deposit, world.deposit)
        deposit.status = DepositStatus.APPLIED
        deposit.closed_at = NOW
    with pytest.raises(IntegrityError), database.write() as s:
        contract = s.get_one(Contract, world.contract)
        contract.status = ContractStatus.SIGNED
    with pytest.raises(IntegrityError), database.write() as s:
        drive = s.get_one(TestDrive, world.drive)
        drive.status = TestDriveStatus.CHECKED_OUT
        drive.out_at = NOW


def test_postgresql_refuses_to_truncate_the_audit_log_and_the_counters(
    postgresql_database: Database,
) -> None:
    for table in ("audit_entries", "audit_head", "number_sequences"):
        with pytest.raises(DBAPIError, match="may not be truncated"):
            _run(postgresql_database, f"TRUNCATE {table} CASCADE")
    with postgresql_database.read() as s:
        assert s.scalar(text("SELECT count(*) FROM audit_head")) == 1


def test_no_lead_or_kiosk_arrival_is_linked_to_a_merged_customer(
    database: Database, world: World
) -> None:
    # Tables added with leads and kiosk self check-in hang off a customer too.
    lead = (
        "INSERT INTO leads (id, store_id, phone, name, title, source_channel, platform, "
        "external_ref, vehicle_text, message, received_at, due_at, status, closed_reason, "
        "customer_id, created_at, updated_at, row_version) VALUES (:id, :store, '13912345678', "
        "'', 'none', 'phone', '', '', '', '', :at, :at, 'new', '', :who, :at, :at, 1)"
    )
    _refused(database, lead, id=uuid.uuid4(), store=world.store, who=world.retired, at=NOW)
    _run(database, lead, id=uuid.uuid4(), store=world.store, who=world.other, at=NOW)
    arrival = (
        "INSERT INTO kiosk_arrivals (id, store_id, kiosk, arrived_at, via, phone_tail, "
        "customer_id, flagged, outcome, created_at, updated_at, row_version) VALUES "
        "(:id, :store, 'k1', :at, 'phone', '0001', :who, false, '', :at, :at, 1)"
    )
    _refused(database, arrival, id=uuid.uuid4(), store=world.store, who=world.retired, at=NOW)
    _run(database, arrival, id=uuid.uuid4(), store=world.store, who=world.other, at=NOW)
