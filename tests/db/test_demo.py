"""Demo data (``showroom demo``): what a generated store holds, on SQLite and PostgreSQL.

The generation runs with a fixed seed and a fixed ``now`` (a Tuesday afternoon in Beijing), so
every assertion sees the same data; one test runs just after midnight to check that "today"
stays today. The demo accounts get a cheap KDF cost here, as in ``tests.factories``.
"""

from __future__ import annotations

import io
import itertools
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import func, select

from db import schema
from db.engine import Database
from db.models import (
    AuditEntry,
    ConditionGrade,
    Contract,
    ContractStatus,
    Customer,
    Deposit,
    DepositStatus,
    FollowUp,
    FollowUpStatus,
    Inspection,
    InspectionItem,
    InspectionSection,
    InspectionStatus,
    Media,
    PhotoCategory,
    PriceItem,
    Registration,
    RegistrationStatus,
    Role,
    Staff,
    Store,
    TestDrive,
    TestDriveStatus,
    Vehicle,
    VehiclePhoto,
    VehicleStatus,
    Visit,
    VisitOutcome,
    VisitStatus,
)
from db.models import Document as DocumentRow
from showroom import demo
from showroom.errors import ShowroomError
from showroom.identifiers import (
    normalize_id_number,
    normalize_mobile,
    normalize_plate,
    normalize_vin,
)
from showroom.security import hash_secret
from showroom.services import audit, auth
from tests.factories import FAST

CARS = 60
SEED = 7
BEIJING = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 14, 30, tzinfo=BEIJING).astimezone(UTC)  # a Tuesday afternoon


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "hash_secret", lambda secret: hash_secret(secret, **FAST))


def _generate(database: Database, now: datetime = NOW, seed: int = SEED) -> demo.DemoSummary:
    return demo.generate(database, cars=CARS, seed=seed, now=now)


def _today_bounds(now: datetime) -> tuple[datetime, datetime]:
    day = now.astimezone(BEIJING).date()
    start = datetime(day.year, day.month, day.day, tzinfo=BEIJING)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def test_summary_counts_match_what_is_stored(database: Database) -> None:
    summary = _generate(database)
    with database.read() as session:

        def count(model: type) -> int:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)

        assert count(Store) == summary.stores == 1
        assert count(Vehicle) == summary.cars == CARS
        assert count(Customer) == summary.customers >= 40
        assert count(Visit) == summary.visits
        assert count(TestDrive) == summary.test_drives
        assert count(Registration) == summary.registrations
        assert count(Inspection) == summary.inspections
        assert count(Deposit) == summary.deposits
        assert count(Contract) == summary.contracts
        assert count(FollowUp) == summary.follow_ups
        assert count(Staff) == len(summary.staff)
    roles = Counter(cred.role for cred in summary.staff)
    assert roles == {Role.MANAGER: 1, Role.RECEPTION: 1, Role.SALES: 4, Role.APPRAISER: 2}
    held = Counter(role for cred in summary.staff for role in cred.roles)
    assert held[Role.APPRAISER] == 3  # one consultant also appraises
    assert summary.seconds > 0


def test_identifiers_pass_validation_and_phones_are_unique(database: Database) -> None:
    _generate(database)
    with database.read() as session:
        cars = session.execute(select(Vehicle.vin, Vehicle.plate, Vehicle.energy)).all()
        for vin, plate, energy in cars:
            assert normalize_vin(vin) == vin
            assert normalize_plate(plate) == plate
            # New-energy cars carry the 8-character green plate.
            assert (len(plate) == 8) == (energy in ("ev", "phev"))
        registrations = session.execute(select(Registration.plate, Registration.vin)).all()
        assert registrations
        for plate, vin in registrations:
            assert normalize_plate(plate) == plate
            assert vin is None or normalize_vin(vin) == vin
        phones = list(session.scalars(select(Customer.phone)))
        phones += [p for p in session.scalars(select(Staff.phone)) if p]
        assert all(normalize_mobile(phone) == phone for phone in phones)
        assert len(set(phones)) == len(phones)
        today = NOW.astimezone(BEIJING).date()
        licences = session.execute(
            select(TestDrive.licence_number, TestDrive.licence_valid_until).where(
                TestDrive.licence_number.is_not(None)
            )
        ).all()
        assert licences
        for number, valid_until in licences:
            assert normalize_id_number(number, today=today) == number
            assert valid_until > today
        buyers = session.scalars(select(Contract.buyer_id_number)).all()
        assert buyers
        for number in buyers:
            assert normalize_id_number(number, today=today) == number


def test_every_kind_of_floor_record_is_present(database: Database) -> None:
    _generate(database)
    start, end = _today_bounds(NOW)
    with database.read() as session:
        today = session.scalars(
            select(Visit).where(Visit.arrived_at >= start, Visit.arrived_at < end)
        ).all()
        assert {v.status for v in today} == set(VisitStatus)
        assert 10 <= len(today) <= 15
        for visit in today:
            assert visit.arrived_at <= NOW
            assert (visit.consultant_id is None) == (visit.status is VisitStatus.WAITING)
            assert (visit.left_at is not None) == (visit.status is VisitStatus.LEFT)
            assert (visit.outcome is not None) == (visit.status is VisitStatus.LEFT)
        history = session.scalar(
            select(func.count()).select_from(Visit).where(Visit.arrived_at < start)
        )
        assert history and history > 60
        visit_nos = list(session.scalars(select(Visit.visit_no)))
        assert all(no.startswith("BJ01-V") for no in visit_nos)

        drives = session.scalars(select(TestDrive)).all()
        statuses = Counter(d.status for d in drives)
        assert statuses[TestDriveStatus.CHECKED_OUT] == 1
        assert statuses[TestDriveStatus.NO_SHOW] == 1
        assert statuses[TestDriveStatus.RETURNED] >= 3
        assert statuses[TestDriveStatus.BOOKED] >= 4

        registrations = session.scalars(select(Registration)).all()
        by_status = Counter(r.status for r in registrations)
        assert by_status[RegistrationStatus.SEATED] == 14  # the coming inspection day
        assert by_status[RegistrationStatus.WAITLISTED] == 3
        assert by_status[RegistrationStatus.INSPECTED] >= 1

        inspections = session.scalars(select(Inspection)).all()
        assert {i.status for i in inspections} == {InspectionStatus.FINAL, InspectionStatus.DRAFT}
        assert any(i.vehicle_id for i in inspections)
        assert any(i.registration_id for i in inspections)

        contracts = Counter(c.status for c in session.scalars(select(Contract)))
        assert contracts[ContractStatus.SIGNED] >= 1
        assert contracts[ContractStatus.DRAFT] == 1
        assert contracts[ContractStatus.VOID] == 1

        deposits = Counter(d.status for d in session.scalars(select(Deposit)))
        assert deposits[DepositStatus.ACTIVE] >= 1
        assert deposits[DepositStatus.REFUNDED] == 1

        # The list a consultant opens: overdue calls are days late, not months.
        oldest = session.scalar(
            select(func.min(FollowUp.due_on)).where(FollowUp.status == FollowUpStatus.OPEN)
        )
        assert oldest is not None and (NOW.date() - oldest).days <= demo.STALE_FOLLOW_UP_DAYS + 1
        reasons = set(session.scalars(select(FollowUp.reason)))
        assert {"contract_3d", "contract_1m", "contract_3m", "contract_6m", "contract_12m"} <= (
            reasons
        )

        # Leads before the first visit: some overdue, some answered, some became customers.
        from showroom.services import leads

        store_id = session.scalars(select(Visit.store_id)).first()
        assert store_id is not None
        summary = leads.summary(session, store_id, NOW)
        assert summary.overdue >= 1 and summary.open > summary.overdue
        rows = leads.list_leads(session, leads.LeadQuery(store_id, status="all", now=NOW))
        assert {r.status.value for r in rows} == {"new", "contacted", "visited", "closed"}
        assert all(r.customer_id for r in rows if r.status.value == "visited")
        assert all(r.first_contact_at for r in rows if r.status.value == "contacted")
        # Called but not yet in: each has its next call from the cadence, some due by now;
        # a lead closed as lost names a reason from the store's list.
        from db.models import Lead
        from showroom.services import lost_reasons

        called = session.scalars(select(Lead).where(Lead.status == "contacted")).all()
        assert called and all(lead.next_contact_on and lead.intent_grade for lead in called)
        assert any(lead.next_contact_on <= NOW.date() for lead in called)
        lost = session.scalars(select(Lead.lost_reason).where(Lead.status == "closed")).all()
        assert lost and set(lost) <= set(lost_reasons.DEFAULTS)
        # Customers who left without interest have a lost reason for the dashboard's chart.
        left_lost = session.scalars(
            select(Visit.lost_reason).where(Visit.outcome == VisitOutcome.NO_INTEREST)
        ).all()
        assert left_lost and all(r in lost_reasons.DEFAULTS for r in left_lost)


def test_reserved_sold_and_test_drive_cars_are_backed_by_their_records(
    database: Database,
) -> None:
    _generate(database)
    with database.read() as session:
        cars = {v.id: v for v in session.scalars(select(Vehicle))}
        active = Counter(
            session.scalars(select(Deposit.vehicle_id).where(Deposit.status == "active"))
        )
        reserved = {i for i, v in cars.items() if v.status is VehicleStatus.RESERVED}
        assert reserved
        assert set(active) == reserved
        assert set(active.values()) == {1}

        signed = session.scalars(select(Contract).where(Contract.status == "signed")).all()
        sold = {i for i, v in cars.items() if v.status is VehicleStatus.SOLD}
        assert sold
        assert {c.vehicle_id for c in signed} == sold
        assert len(signed) == len(sold)
        for contract in signed:
            listed = cars[contract.vehicle_id].list_price
            assert listed * Decimal("0.97") - 50 <= contract.price <= listed  # a little off
            assert contract.signed_at is not None and contract.signed_at <= NOW
            assert contract.terms["price"] == f"{contract.price:.2f}"
            follow_ups = session.scalars(
                select(FollowUp).where(FollowUp.contract_id == contract.id)
            ).all()
            assert len(follow_ups) == 5
        applied = session.scalars(select(Deposit).where(Deposit.status == "applied")).all()
        signed_ids = {c.id for c in signed}
        assert all(d.applied_contract_id in signed_ids for d in applied)

        out = session.scalars(select(TestDrive).where(TestDrive.status == "checked_out")).one()
        assert cars[out.vehicle_id].status is VehicleStatus.TEST_DRIVE
        slots: dict[uuid.UUID, list[tuple[datetime, datetime]]] = defaultdict(list)
        for drive in session.scalars(select(TestDrive).where(TestDrive.status != "cancelled")):
            slots[drive.vehicle_id].append((drive.slot_start, drive.slot_end))
            if drive.status is TestDriveStatus.BOOKED:
                local = drive.slot_start.astimezone(BEIJING)
                assert drive.slot_start > NOW
                assert 9 <= local.hour < 18 and local.minute in (0, 30)
            if drive.status is TestDriveStatus.RETURNED:
                assert drive.in_odometer_km >= drive.out_odometer_km
                assert drive.in_at is not None and drive.in_at <= NOW
            if drive.status in (TestDriveStatus.CHECKED_OUT, TestDriveStatus.RETURNED):
                # No car went out unsigned: each drive's agreement is archived under its code.
                agreement = session.get_one(DocumentRow, drive.agreement_document_id)
                assert agreement.number == drive.booking_code
                assert agreement.subject_id == drive.id
        for booked in slots.values():
            booked.sort()
            assert all(a[1] <= b[0] for a, b in itertools.pairwise(booked))


def test_prices_fall_with_age_and_public_price_lines_add_up(database: Database) -> None:
    _generate(database)
    with database.read() as session:
        rows = session.execute(select(Vehicle.year, Vehicle.new_price, Vehicle.list_price)).all()
        for _, new_price, price in rows:
            assert isinstance(price, Decimal) and price == price.quantize(Decimal("0.01"))
            assert Decimal("5000") <= price < new_price
        young = [p / n for year, n, p in rows if year >= NOW.year - 3]
        old = [p / n for year, n, p in rows if year <= NOW.year - 8]
        assert young and old
        assert sum(old) / len(old) < sum(young) / len(young) * Decimal("0.6")

        lines: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
        for vehicle_id, amount in session.execute(
            select(PriceItem.vehicle_id, PriceItem.amount).where(PriceItem.public.is_(True))
        ):
            lines[vehicle_id] += amount
        assert len(lines) == demo.FULL_ARCHIVES
        prices = {
            row.id: row.list_price
            for row in session.execute(select(Vehicle.id, Vehicle.list_price))
        }
        assert all(total == prices[vehicle_id] for vehicle_id, total in lines.items())


def test_every_car_has_a_cover_photo_and_full_archives_have_many(database: Database) -> None:
    _generate(database)
    with database.read() as session:
        photos: dict[uuid.UUID, list[VehiclePhoto]] = defaultdict(list)
        for photo in session.scalars(select(VehiclePhoto)):
            photos[photo.vehicle_id].append(photo)
        assert len(photos) == CARS
        counts = sorted(len(p) for p in photos.values())
        assert counts.count(1) == CARS - demo.FULL_ARCHIVES
        assert all(12 <= c <= 20 for c in counts[-demo.FULL_ARCHIVES :])
        for car_photos in photos.values():
            covers = [p for p in car_photos if p.is_cover]
            assert len(covers) == 1 and covers[0].position == 0
        media = session.execute(select(Media.sha256, Media.mime)).all()
        # Photos and report pages are JPEGs; the third-party reports and
        # the generated drives' agreement stand-in are PDFs.
        assert {mime for _, mime in media} == {"image/jpeg", "application/pdf"}
        assert len(media) < 300  # drawings are shared, not stored per car
        reports = session.execute(
            select(Vehicle.third_party_report_sha, Vehicle.third_party_report_pages).where(
                Vehicle.third_party_report_sha.is_not(None)
            )
        ).all()
        assert len(reports) == demo.THIRD_PARTY_REPORTS
        for sha, pages in reports:
            assert session.get_one(Media, sha).data.startswith(b"%PDF")
            assert len(pages) == 2 and all(session.get(Media, page) for page in pages)
        assert session.scalar(select(func.count()).where(Vehicle.acquisition.is_(None))) == 0
        # 证件 photos (the nameplate shows the VIN) are never a cover.
        assert not any(
            p.is_cover and p.category is PhotoCategory.DOCUMENTS
            for car_photos in photos.values()
            for p in car_photos
        )
        cover = next(p for p in photos.values() if len(p) == 1)[0]
        image = session.get_one(Media, cover.image_sha)
        thumbnail = session.get_one(Media, cover.thumbnail_sha)
        assert Image.open(io.BytesIO(image.data)).size == (800, 600)
        assert Image.open(io.BytesIO(thumbnail.data)).size == (240, 180)


def test_inspection_grades_follow_the_scores(database: Database) -> None:
    _generate(database)
    with database.read() as session:
        inspections = session.scalars(select(Inspection)).all()
        # The loop below checks finalised ones: without any, it would check nothing.
        assert any(i.status is InspectionStatus.FINAL for i in inspections)
        for inspection in inspections:
            items = session.scalars(
                select(InspectionItem)
                .where(InspectionItem.inspection_id == inspection.id)
                .order_by(InspectionItem.position)
            ).all()
            sections = list(dict.fromkeys(item.section for item in items))
            assert sections == list(InspectionSection)
            if inspection.status is InspectionStatus.DRAFT:
                assert inspection.score is None and inspection.grade is None
                continue
            deductions = sum((i.deduction or Decimal(0) for i in items), Decimal(0))
            assert inspection.score == max(Decimal(0), 100 - deductions)
            score = inspection.score
            if inspection.accident or inspection.flood or inspection.fire:
                expected = ConditionGrade.FIVE
            elif score >= 90:
                expected = ConditionGrade.ONE
            elif score >= 60:
                expected = ConditionGrade.TWO
            elif score >= 20:
                expected = ConditionGrade.THREE
            else:
                expected = ConditionGrade.FOUR
            assert inspection.grade is expected
            assert inspection.report_no.startswith("BJ01-J")


def test_demo_accounts_sign_in_and_a_second_run_is_refused(database: Database) -> None:
    summary = _generate(database)
    manager = next(c for c in summary.staff if c.role is Role.MANAGER)
    assert (manager.username, manager.password, manager.pin) == ("manager", "demo1234", "2468")
    with database.write() as session:
        user = auth.sign_in(session, "manager", "demo1234")
        assert user.roles == {Role.MANAGER} and user.store_code == "BJ01"
        assert auth.sign_in(session, "sales4", "demo1234").roles == {Role.SALES, Role.APPRAISER}
        assert auth.verify_staff_pin(session, "1357").username == "reception"
    with database.read() as session:
        assert audit.verify(session).ok
        actions = Counter(session.scalars(select(AuditEntry.action)))
        assert actions["demo_generated"] == 1
        assert actions["deposit_taken"] == summary.deposits
        assert actions["contract_signed"] >= 1
        assert actions["test_drive_booked"] == summary.test_drives
        assert actions["registration_created"] == summary.registrations

    with pytest.raises(ShowroomError) as info:
        _generate(database)
    assert info.value.code == "demo.not_empty"
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(Vehicle)) == CARS


def test_a_database_with_real_customers_is_left_untouched(database: Database) -> None:
    with database.write() as session:
        store = Store(code="BJ01", name="真实门店")
        session.add(store)
        session.flush()
        session.add(Customer(store_id=store.id, name="王芳", phone="13800138000"))
    with pytest.raises(ShowroomError) as info:
        _generate(database)
    assert info.value.code == "demo.not_empty"
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(Staff)) == 0


def test_the_same_seed_gives_the_same_data(database: Database, tmp_path: Path) -> None:
    _generate(database)
    other = Database.from_url(f"sqlite:///{tmp_path / 'second.db'}")
    try:
        schema.upgrade(other)
        _generate(other)

        def snapshot(db: Database) -> list[tuple[object, ...]]:
            with db.read() as session:
                cars = session.execute(
                    select(Vehicle.id, Vehicle.vin, Vehicle.plate, Vehicle.list_price).order_by(
                        Vehicle.stock_no
                    )
                ).all()
                phones = session.execute(select(Customer.phone).order_by(Customer.id)).all()
                return [tuple(row) for row in [*cars, *phones]]

        assert snapshot(database) == snapshot(other)
    finally:
        other.dispose()


def test_early_morning_generation_keeps_today_on_the_local_date(
    sqlite_database: Database,
) -> None:
    just_after_midnight = datetime(2026, 3, 11, 0, 20, tzinfo=BEIJING).astimezone(UTC)
    _generate(sqlite_database, now=just_after_midnight)
    start, end = _today_bounds(just_after_midnight)
    with sqlite_database.read() as session:
        today = session.scalars(select(Visit).where(Visit.arrived_at >= start)).all()
        assert {v.status for v in today} == set(VisitStatus)
        for visit in today:
            assert visit.arrived_at < end and visit.arrived_at <= just_after_midnight
            assert visit.left_at is None or visit.left_at <= just_after_midnight
        out = session.scalars(select(TestDrive).where(TestDrive.status == "checked_out")).one()
        assert out.out_at is not None and start <= out.out_at <= just_after_midnight
        taken = session.scalars(select(Deposit.taken_at)).all()
        assert all(at <= just_after_midnight for at in taken)


def test_an_empty_inventory_still_gives_a_usable_store(sqlite_database: Database) -> None:
    summary = demo.generate(sqlite_database, cars=0, seed=SEED, now=NOW)
    assert summary.cars == summary.test_drives == summary.deposits == summary.contracts == 0
    assert summary.customers == demo.MIN_CUSTOMERS
    assert summary.visits > 0 and summary.registrations > 0


def test_some_customers_withdrew_their_marketing_consent_on_the_record(
    database: Database,
) -> None:
    from db.models import Consent, ConsentPurpose
    from showroom.services.privacy_requests import may_contact_for_marketing

    _generate(database)
    with database.read() as session:
        marketing = session.scalars(
            select(Consent)
            .where(Consent.purpose == ConsentPurpose.MARKETING)
            .order_by(Consent.recorded_at)
        ).all()
        latest = {c.customer_id: c for c in marketing}
        withdrawn = [c for c in marketing if not c.granted and c.recorded_by_id is not None]
        withdrawn = [c for c in withdrawn if any(g.granted and g.customer_id == c.customer_id
                                                 for g in marketing)]  # fmt: skip
        assert withdrawn and all(latest[c.customer_id] is c for c in withdrawn)
        assert not any(may_contact_for_marketing(session, c.customer_id) for c in withdrawn)
        logged = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "marketing_consent_withdrawn")
        )
        assert logged == len(withdrawn)
