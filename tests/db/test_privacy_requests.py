"""PIPL requests and the retention rule, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import (
    AuditEntry,
    Consent,
    ConsentPurpose,
    Contract,
    ContractKind,
    ContractStatus,
    Customer,
    CustomerTag,
    CustomerTagLink,
    Deposit,
    DepositStatus,
    DocumentKind,
    Energy,
    FollowUp,
    FollowUpStatus,
    InspectionEvent,
    Interaction,
    InteractionChannel,
    KioskArrival,
    Lead,
    Media,
    PaymentMethod,
    Registration,
    RegistrationStatus,
    Role,
    SourceChannel,
    TestDrive,
    TestDriveStatus,
    Title,
    Transmission,
    Vehicle,
    VehicleStatus,
    Visit,
    VisitPurpose,
    VisitStatus,
)
from db.models import Document as DocumentRow
from showroom.documents.archive import store_media
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.services import audit, merge, reception
from showroom.services import privacy_requests as pr
from showroom.services.reception import NewCustomer
from showroom.users import SYSTEM, StaffUser
from tests.factories import make_staff, make_store, went_out

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # 11:00 in the store


@dataclass
class Shop:
    store_id: uuid.UUID
    manager: StaffUser
    sales: StaffUser


@pytest.fixture
def shop(database: Database) -> Shop:
    store = make_store(database)
    boss = make_staff(database, store, "boss", Role.MANAGER, display_name="赵店长")
    sales = make_staff(database, store, "s1", Role.SALES, display_name="孙顾问")
    return Shop(
        store,
        StaffUser(boss, "boss", "赵店长", Role.MANAGER, store, "BJ01", "测试展厅"),
        StaffUser(sales, "s1", "孙顾问", Role.SALES, store, "BJ01", "测试展厅"),
    )


def _customer(
    database: Database, shop: Shop, phone: str, *, marketing: bool = True, at: datetime = NOW
) -> uuid.UUID:
    form = NewCustomer(
        name="张伟",
        title=Title.MR,
        phone=phone,
        source_channel=SourceChannel.WALK_IN,
        consent_service=True,
        consent_marketing=marketing,
    )
    with database.write() as s:
        customer_id = reception.create_customer(s, shop.manager.actor, shop.store_id, form, now=at)
        customer = s.get_one(Customer, customer_id)
        customer.created_at = at
        customer.id_number = "110101199003074514"  # generated, check digit valid, nobody's
        customer.notes = "喜欢白色车，周末来"
        return customer_id


def _visit(database: Database, shop: Shop, customer_id: uuid.UUID, at: datetime) -> uuid.UUID:
    with database.write() as s:
        visit = Visit(
            store_id=shop.store_id,
            visit_no=f"V{uuid.uuid4().hex[:8]}",
            customer_id=customer_id,
            purpose=VisitPurpose.BUY,
            source_channel=SourceChannel.WALK_IN,
            status=VisitStatus.LEFT,
            arrived_at=at,
            left_at=at + timedelta(hours=1),
            notes="带家人来看车，想要七座",
        )
        s.add(visit)
        s.flush()
        s.add(
            FollowUp(customer_id=customer_id, due_on=at.date(), reason="visit", visit_id=visit.id)
        )
        s.add(
            Interaction(
                customer_id=customer_id,
                channel=InteractionChannel.PHONE,
                at=at,
                summary="电话沟通，客户说住在朝阳区",
            )
        )
        return visit.id


def _car(
    database: Database, shop: Shop, status: VehicleStatus = VehicleStatus.ON_SALE
) -> uuid.UUID:
    with database.write() as s:
        car = Vehicle(
            store_id=shop.store_id,
            stock_no=f"BJ01-S{uuid.uuid4().hex[:8]}",
            brand="大众",
            model="朗逸",
            year=2021,
            mileage_km=32000,
            energy=Energy.PETROL,
            transmission=Transmission.AUTOMATIC,
            list_price=Decimal("86000"),
            status=status,
        )
        s.add(car)
        s.flush()
        return car.id


def _actions(database: Database, action: str) -> list[AuditEntry]:
    with database.read() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# --- withdrawing marketing consent ----------------------------------------------------------


def test_withdrawing_marketing_stops_sales_calls_at_once(database: Database, shop: Shop) -> None:
    customer_id = _customer(database, shop, "13800000001")
    _visit(database, shop, customer_id, NOW - timedelta(days=2))
    with database.write() as s:
        # Not marketing: an after-sales call of a contract, and a deposit's expiry reminder.
        car = Vehicle(
            store_id=shop.store_id,
            stock_no="BJ01-S2026-00009",
            brand="丰田",
            model="卡罗拉",
            year=2020,
            mileage_km=40000,
            energy=Energy.PETROL,
            transmission=Transmission.AUTOMATIC,
            list_price=Decimal("70000"),
            status=VehicleStatus.SOLD,
        )
        s.add(car)
        s.flush()
        contract = Contract(
            store_id=shop.store_id,
            contract_no="BJ01-2026-000001",
            kind=ContractKind.SALE,
            status=ContractStatus.SIGNED,
            vehicle_id=car.id,
            customer_id=customer_id,
            price=Decimal("70000"),
            signed_at=NOW - timedelta(days=30),
        )
        s.add(contract)
        s.flush()
        s.add(
            FollowUp(
                customer_id=customer_id,
                due_on=date(2026, 12, 24),
                reason="contract_1m",
                contract_id=contract.id,
            )
        )
        s.add(FollowUp(customer_id=customer_id, due_on=date(2026, 11, 30), reason="deposit_expiry"))
    with database.read() as s:
        assert pr.may_contact_for_marketing(s, customer_id)
    with database.write() as s:
        done = pr.withdraw_marketing(s, shop.manager, customer_id, now=NOW + timedelta(hours=1))
    assert done.follow_ups_stopped == 1
    with database.read() as s:
        assert not pr.may_contact_for_marketing(s, customer_id)
        assert reception.customer_record(s, customer_id).marketing_consent is False
        consents = s.scalars(
            select(Consent.granted)
            .where(Consent.customer_id == customer_id, Consent.purpose == ConsentPurpose.MARKETING)
            .order_by(Consent.recorded_at)
        ).all()
        assert consents == [True, False]  # both kept: what was agreed, and when it stopped
        statuses = {
            f.reason: f.status
            for f in s.scalars(select(FollowUp).where(FollowUp.customer_id == customer_id))
        }
    assert statuses == {
        "visit": FollowUpStatus.SKIPPED,
        "contract_1m": FollowUpStatus.OPEN,
        "deposit_expiry": FollowUpStatus.OPEN,
    }
    [entry] = _actions(database, "marketing_consent_withdrawn")
    assert entry.detail == {"channel": "desk", "follow_ups_stopped": 1}
    with pytest.raises(ConflictError) as again, database.write() as s:
        pr.withdraw_marketing(s, shop.manager, customer_id, now=NOW)
    assert again.value.code == "privacy.no_marketing_consent"


def test_privacy_requests_are_the_managers(database: Database, shop: Shop) -> None:
    customer_id = _customer(database, shop, "13800000002")
    for call in (
        lambda s: pr.withdraw_marketing(s, shop.sales, customer_id, now=NOW),
        lambda s: pr.export_customer(s, shop.sales, customer_id, zone=ZONE, now=NOW),
        lambda s: pr.erase_customer(s, shop.sales, customer_id, reason="申请", now=NOW),
    ):
        with pytest.raises(PermissionDenied), database.write() as s:
            call(s)
    assert _actions(database, "customer_erased") == []


# --- export -------------------------------------------------------------------------------------


def test_export_gives_the_customer_everything_and_the_log_nothing_personal(
    database: Database, shop: Shop
) -> None:
    customer_id = _customer(database, shop, "13800000003")
    _visit(database, shop, customer_id, NOW - timedelta(days=3))
    with database.write() as s:
        result = pr.export_customer(
            s, shop.manager, customer_id, zone=ZONE, store_name="测试展厅", now=NOW
        )
    data = json.loads(json.dumps(result.data, ensure_ascii=False))  # JSON-plain throughout
    assert data["客户资料"]["手机号"] == "13800000003"
    assert data["客户资料"]["身份证号"] == "110101199003074514"
    assert [v["备注"] for v in data["到店记录"]] == ["带家人来看车，想要七座"]
    assert [c["是否同意"] for c in data["同意记录"]] == ["同意", "同意"]
    assert data["沟通记录"][0]["内容"].startswith("电话沟通")
    paper = result.paper
    assert paper.title == "个人信息副本" and paper.letterhead.store_name == "测试展厅"
    assert any(t.heading.startswith("到店记录（1）") for t in paper.tables)
    assert ("手机号", "13800000003") in [(f.label, f.value) for f in paper.fields]
    [entry] = _actions(database, "personal_data_exported")
    assert (
        "13800000003" not in json.dumps(entry.detail) and entry.detail["sections"]["到店记录"] == 1
    )
    with database.read() as s:
        assert s.scalar(select(func.count()).select_from(DocumentRow)) == 0  # not archived


# --- erasure ------------------------------------------------------------------------------------


def test_erasing_a_customer_without_legal_records_leaves_no_trace_of_the_person(
    database: Database, shop: Shop
) -> None:
    customer_id = _customer(database, shop, "13800000004")
    _visit(database, shop, customer_id, NOW - timedelta(days=3))
    with database.write() as s:
        result = pr.erase_customer(
            s, shop.manager, customer_id, reason="客户 13800000004 书面申请 2026-11-20", now=NOW
        )
    assert result.kept == {
        "contracts": 0,
        "deposits": 0,
        "test_drive_agreements": 0,
        "vehicle_returns": 0,
        "vehicle_purchases": 0,
    }
    with database.read() as s:
        customer = s.get_one(Customer, customer_id)
        assert (customer.name, customer.phone, customer.id_number, customer.notes) == (
            pr.ERASED_NAME,
            "",
            None,
            "",
        )
        assert customer.anonymised_at == NOW and customer.deleted_at == NOW
        assert reception.find_by_phone(s, "13800000004") is None
        visit = s.scalars(select(Visit).where(Visit.customer_id == customer_id)).one()
        assert visit.notes == ""  # the visit is still counted on the dashboard, anonymously
        assert s.scalar(select(func.count()).select_from(Interaction)) == 0
        with pytest.raises(NotFoundError):
            reception.customer_record(s, customer_id)
    [entry] = _actions(database, "customer_erased")
    assert "13800000004" not in json.dumps(entry.detail, ensure_ascii=False)
    assert "138****0004" in entry.detail["reason"]  # a number typed into the reason is masked
    # The number is free for a new customer (the same person coming back, or someone else).
    _customer(database, shop, "13800000004")


def test_contracts_receipts_and_signed_agreements_are_kept_the_rest_goes(
    database: Database, shop: Shop
) -> None:
    customer_id = _customer(database, shop, "13800000005")
    sold, out_car = _car(database, shop, VehicleStatus.SOLD), _car(database, shop)
    with database.write() as s:
        s.add(
            Contract(
                store_id=shop.store_id,
                contract_no="BJ01-2026-000002",
                kind=ContractKind.SALE,
                status=ContractStatus.SIGNED,
                vehicle_id=sold,
                customer_id=customer_id,
                price=Decimal("86000"),
                buyer_id_number="110101199003074514",
                signed_at=NOW - timedelta(days=10),
                terms={"buyer_address": "北京市朝阳区示范路 8 号"},
            )
        )
        s.add(
            Deposit(
                store_id=shop.store_id,
                receipt_no="BJ01-R2026-000001",
                vehicle_id=sold,
                customer_id=customer_id,
                amount=Decimal("5000"),
                method=PaymentMethod.CASH,
                status=DepositStatus.REFUNDED,
                taken_at=NOW - timedelta(days=20),
                expires_at=NOW - timedelta(days=13),
                closed_at=NOW - timedelta(days=15),
            )
        )
        start = NOW - timedelta(days=5)
        s.add(
            TestDrive(
                store_id=shop.store_id,
                booking_code="DRV001",
                vehicle_id=out_car,
                customer_id=customer_id,
                slot_start=start,
                slot_end=start + timedelta(minutes=30),
                status=TestDriveStatus.RETURNED,
                **went_out(s, shop.store_id, "DRV001", start, TestDriveStatus.RETURNED),
            )
        )
        event = InspectionEvent(
            store_id=shop.store_id,
            title="十一月透明检测日",
            event_date=date(2026, 11, 14),
            starts_at=NOW - timedelta(days=10),
            ends_at=NOW - timedelta(days=10) + timedelta(hours=7),
        )
        s.add(event)
        s.flush()
        registration = Registration(
            event_id=event.id,
            customer_id=customer_id,
            booking_code="REG001",
            status=RegistrationStatus.INSPECTED,
            seat_no=1,
            plate="京A12345",
            vin="LSVAU2180N2123456",
            concerns="异响",
        )
        s.add(registration)
        s.flush()
        slip_pdf = store_media(s, b"%PDF-1.4 slip REG001", "application/pdf")
        s.add(
            DocumentRow(
                store_id=shop.store_id,
                kind=DocumentKind.REGISTRATION_SLIP,
                number="REG001",
                subject_id=registration.id,
                verification_code="0000-0001",
                pdf_sha=slip_pdf,
            )
        )
    with database.write() as s:
        result = pr.erase_customer(s, shop.manager, customer_id, reason="书面申请", now=NOW)
    assert result.kept == {
        "contracts": 1,
        "deposits": 1,
        "test_drive_agreements": 1,
        "vehicle_returns": 0,
        "vehicle_purchases": 0,
    }
    assert result.anonymised["papers_deleted"] == 1
    with database.read() as s:
        contract = s.scalars(select(Contract).where(Contract.customer_id == customer_id)).one()
        assert contract.buyer_id_number == "110101199003074514"  # as signed, kept by law
        assert contract.terms["buyer_address"].startswith("北京市")
        assert s.scalars(select(Deposit).where(Deposit.customer_id == customer_id)).one()
        drive = s.scalars(select(TestDrive).where(TestDrive.customer_id == customer_id)).one()
        assert drive.licence_number is not None and drive.agreement_document_id is not None
        registration = s.scalars(select(Registration)).one()
        assert registration.plate.startswith("删") and registration.vin is None
        assert s.scalars(select(DocumentRow.kind)).all() == [DocumentKind.TEST_DRIVE_AGREEMENT]
        assert (
            s.scalar(select(func.count()).select_from(Media).where(Media.sha256 == slip_pdf)) == 0
        )


def test_erasure_waits_until_open_business_is_settled(database: Database, shop: Shop) -> None:
    customer_id = _customer(database, shop, "13800000006")
    car = _car(database, shop, VehicleStatus.RESERVED)
    with database.write() as s:
        s.add(
            Deposit(
                store_id=shop.store_id,
                receipt_no="BJ01-R2026-000002",
                vehicle_id=car,
                customer_id=customer_id,
                amount=Decimal("5000"),
                method=PaymentMethod.CASH,
                taken_at=NOW,
                expires_at=NOW + timedelta(days=7),
            )
        )
    with pytest.raises(ConflictError) as refused, database.write() as s:
        pr.erase_customer(s, shop.manager, customer_id, reason="申请", now=NOW)
    assert refused.value.code == "privacy.open_business" and "意向金" in refused.value.message
    with pytest.raises(ValidationError), database.write() as s:
        pr.erase_customer(s, shop.manager, customer_id, reason="  ", now=NOW)
    with database.read() as s:
        assert s.get_one(Customer, customer_id).phone == "13800000006"


def test_erasure_reaches_duplicates_merged_into_the_customer(
    database: Database, shop: Shop
) -> None:
    kept = _customer(database, shop, "13800000007")
    duplicate = _customer(database, shop, "13900000007")
    with database.write() as s:
        merge.merge_customers(s, shop.manager, kept, duplicate, now=NOW)
    with database.write() as s:
        result = pr.erase_customer(s, shop.manager, kept, reason="申请", now=NOW)
    assert result.anonymised["merged_duplicates"] == 1
    with database.read() as s:
        old = s.get_one(Customer, duplicate)
        assert (old.phone, old.id_number, old.name) == ("", None, pr.ERASED_NAME)
        # The merge's audit entry names the fields it filled, never an ID number.
        [merged] = _actions(database, "customers_merged")
        assert "110101199003074514" not in json.dumps(merged.detail)
        assert audit.verify(s).ok


# --- retention ------------------------------------------------------------------------------


def test_the_retention_rule_purges_only_never_buyers_gone_quiet(
    database: Database, shop: Shop
) -> None:
    long_ago = NOW - timedelta(days=4 * 365)
    quiet = _customer(database, shop, "13800000010", at=long_ago)
    _visit(database, shop, quiet, long_ago + timedelta(days=1))
    recent = _customer(database, shop, "13800000011", at=long_ago)
    _visit(database, shop, recent, NOW - timedelta(days=30))
    buyer = _customer(database, shop, "13800000012", at=long_ago)
    _visit(database, shop, buyer, long_ago + timedelta(days=1))
    sold = _car(database, shop, VehicleStatus.SOLD)
    with database.write() as s:
        s.add(
            Contract(
                store_id=shop.store_id,
                contract_no="BJ01-2022-000001",
                kind=ContractKind.SALE,
                status=ContractStatus.SIGNED,
                vehicle_id=sold,
                customer_id=buyer,
                price=Decimal("86000"),
                signed_at=long_ago + timedelta(days=2),
                created_at=long_ago + timedelta(days=2),
            )
        )
    with database.read() as s:
        preview = pr.purge_expired(s, SYSTEM, years=3, now=NOW, dry_run=True)
    assert preview.customers == (quiet,) and preview.visits == 1
    with database.read() as s:
        assert s.scalar(select(func.count()).select_from(Visit)) == 3  # the preview changed nothing
    with database.write() as s:
        result = pr.purge_expired(s, SYSTEM, years=3, now=NOW)
    assert result.customers == (quiet,) and result.visits == 1 and result.follow_ups == 1
    with database.read() as s:
        assert (
            s.scalar(select(func.count()).select_from(Visit).where(Visit.customer_id == quiet)) == 0
        )
        assert s.get_one(Customer, quiet).anonymised_at == NOW
        assert s.get_one(Customer, recent).phone == "13800000011"
        assert s.get_one(Customer, buyer).phone == "13800000012"
        assert s.scalar(select(func.count()).select_from(Visit)) == 2
    [entry] = _actions(database, "retention_purged")
    assert entry.detail["customers"] == [str(quiet)] and entry.detail["years"] == 3
    with database.write() as s:  # nothing left to do: no entry, no change
        assert pr.purge_expired(s, SYSTEM, years=3, now=NOW).customers == ()
    assert len(_actions(database, "retention_purged")) == 1
    with pytest.raises(ValidationError), database.read() as s:
        pr.expired_customers(s, years=0, now=NOW)


def test_erasure_takes_the_customers_leads_contacts_tags_and_kiosk_arrivals(
    database: Database, shop: Shop
) -> None:
    customer_id = _customer(database, shop, "13800000020")
    with database.write() as s:
        lead = Lead(
            store_id=shop.store_id,
            phone="13800000020",
            name="张伟",
            source_channel=SourceChannel.PHONE,
            received_at=NOW - timedelta(days=2),
            due_at=NOW - timedelta(days=1),
            customer_id=customer_id,
        )
        s.add(lead)
        s.flush()
        s.add(
            Interaction(lead_id=lead.id, channel=InteractionChannel.PHONE, at=NOW, summary="问价")
        )
        tag = CustomerTag(store_id=shop.store_id, name="老客户介绍")
        s.add(tag)
        s.flush()
        s.add(CustomerTagLink(customer_id=customer_id, tag_id=tag.id))
        s.add(
            KioskArrival(
                store_id=shop.store_id,
                kiosk="k1",
                arrived_at=NOW,
                via="phone",
                phone_tail="0020",
                customer_id=customer_id,
            )
        )
        customer = s.get_one(Customer, customer_id)
        customer.phone2 = "13900000020"
        customer.company_name = "某某贸易有限公司"
    with database.write() as s:
        result = pr.erase_customer(s, shop.manager, customer_id, reason="书面申请", now=NOW)
    assert result.anonymised["leads"] == 1 and result.anonymised["kiosk_arrivals"] == 1
    with database.read() as s:
        customer = s.get_one(Customer, customer_id)
        assert (customer.phone2, customer.company_name) == (None, "")
        for model in (Lead, Interaction, CustomerTagLink, KioskArrival):
            assert s.scalar(select(func.count()).select_from(model)) == 0, model


def test_the_retention_rule_removes_leads_that_never_walked_in(
    database: Database, shop: Shop
) -> None:
    long_ago = NOW - timedelta(days=4 * 365)
    with database.write() as s:
        for phone, received in (("13800000030", long_ago), ("13800000031", NOW)):
            lead = Lead(
                store_id=shop.store_id,
                phone=phone,
                source_channel=SourceChannel.PHONE,
                received_at=received,
                due_at=received + timedelta(hours=24),
            )
            s.add(lead)
            s.flush()
            s.add(
                Interaction(
                    lead_id=lead.id, channel=InteractionChannel.PHONE, at=received, summary="问价"
                )
            )
    with database.read() as s:
        assert pr.purge_expired(s, SYSTEM, years=3, now=NOW, dry_run=True).leads == 1
    with database.write() as s:
        result = pr.purge_expired(s, SYSTEM, years=3, now=NOW)
    assert result.leads == 1
    with database.read() as s:
        assert list(s.scalars(select(Lead.phone))) == ["13800000031"]
        assert s.scalar(select(func.count()).select_from(Interaction)) == 1
    [entry] = _actions(database, "retention_purged")
    assert entry.detail["leads"] == 1
