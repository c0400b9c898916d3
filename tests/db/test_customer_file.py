"""The customer file staff keep current: edit, grade history, tags, contacts, timeline."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import (
    AuditEntry,
    Contract,
    ContractKind,
    ContractStatus,
    Customer,
    CustomerKind,
    CustomerRole,
    Deposit,
    Energy,
    FollowUp,
    GradeChange,
    IntentGrade,
    InteractionChannel,
    PaymentMethod,
    PaymentPreference,
    Role,
    Staff,
    TestDrive,
    TestDriveStatus,
    Title,
    Transmission,
    Vehicle,
    Visit,
    VisitPurpose,
)
from showroom.errors import ConflictError, PermissionDenied, ValidationError
from showroom.services import customers, interactions, reception
from showroom.services.customers import CustomerEdit
from showroom.sync.conflicts import EditConflict
from showroom.users import StaffUser
from tests.factories import make_staff, make_store, went_out

NOW = datetime(2026, 11, 30, 16, 5, tzinfo=UTC)  # 00:05 the next day in the store
TODAY = date(2026, 12, 1)  # the store's date at NOW


@dataclass
class Shop:
    store_id: uuid.UUID
    desk: StaffUser
    sales: StaffUser
    other_sales: StaffUser
    manager: StaffUser
    customer_id: uuid.UUID


def _user(database: Database, staff_id: uuid.UUID) -> StaffUser:
    with database.read() as s:
        staff = s.get_one(Staff, staff_id)
        return StaffUser(
            staff.id,
            staff.username,
            staff.display_name,
            staff.roles,
            staff.store_id,
            "BJ01",
            "测试展厅",
        )


@pytest.fixture
def shop(database: Database) -> Shop:
    store_id = make_store(database)
    users = {
        key: _user(database, make_staff(database, store_id, key, role, display_name=name))
        for key, role, name in (
            ("desk", Role.RECEPTION, "钱前台"),
            ("s1", Role.SALES, "孙顾问"),
            ("s2", Role.SALES, "周顾问"),
            ("boss", Role.MANAGER, "赵店长"),
        )
    }
    with database.write() as s:
        customer = Customer(
            store_id=store_id,
            name="薛",
            title=Title.MS,
            phone="13812340186",
            owner_id=users["s1"].id,
            owner_since=NOW - timedelta(days=2),
            intent_grade=IntentGrade.B,
            created_at=NOW - timedelta(days=10),
        )
        s.add(customer)
        s.add(Customer(store_id=store_id, name="王", title=Title.MR, phone="13900002222"))
        s.flush()
        customer_id = customer.id
    return Shop(store_id, users["desk"], users["s1"], users["s2"], users["boss"], customer_id)


def _edit(database: Database, shop: Shop, **changes: object) -> CustomerEdit:
    with database.read() as s:
        p = customers.load_profile(s, shop.customer_id)
    base = CustomerEdit(
        name=p.name,
        title=p.title,
        kind=p.kind,
        company_name=p.company_name,
        role=p.role,
        budget_min=p.budget_min,
        budget_max=p.budget_max,
        intended_use=p.intended_use,
        preferred_brands=p.preferred_brands,
        preferred_models=p.preferred_models,
        decision_cycle=p.decision_cycle,
        payment_preference=p.payment_preference,
        notes=p.notes,
        tag_ids=p.tag_ids,
        intent_grade=p.intent_grade,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _version(database: Database, shop: Shop) -> int:
    with database.read() as s:
        return customers.load_profile(s, shop.customer_id).row_version


def _save(database: Database, shop: Shop, user: StaffUser, edit: CustomerEdit, version=None):  # type: ignore[no-untyped-def]
    loaded = _version(database, shop) if version is None else version
    with database.write() as s:
        return customers.update_customer(s, user, shop.customer_id, loaded, edit, now=NOW)


def test_the_whole_file_is_saved_and_the_audit_names_fields_not_values(
    database: Database, shop: Shop
) -> None:
    edit = _edit(
        database,
        shop,
        name="薛晓燕",
        kind=CustomerKind.COMPANY,
        company_name="北京晓燕商贸有限公司",
        role=CustomerRole.TRADE_IN,
        budget_min=Decimal("150000"),
        budget_max=Decimal("220000"),
        intended_use="上下班代步，周末带孩子",
        preferred_brands="丰田、本田",
        preferred_models="凯美瑞 2021 款",
        decision_cycle="一个月内",
        payment_preference=PaymentPreference.LOAN,
        notes="旧车是 2015 款卡罗拉，想置换",
        new_phone2="010-6512 3456",
    )
    saved = _save(database, shop, shop.sales, edit)
    assert "name" in saved.changed and "phone2" in saved.changed
    with database.read() as s:
        profile = customers.load_profile(s, shop.customer_id)
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "customer_updated")).one()
    assert profile.name == "薛晓燕" and profile.kind is CustomerKind.COMPANY
    assert profile.company_name == "北京晓燕商贸有限公司"
    assert profile.budget_min == Decimal("150000.00")
    assert profile.payment_preference is PaymentPreference.LOAN
    assert profile.phone_masked == "138****0186"
    assert profile.phone2_masked is not None and "3456" in profile.phone2_masked
    assert "6512" not in profile.phone2_masked  # masked fields stay masked
    assert "薛晓燕" not in repr(entry.detail) and "6512" not in repr(entry.detail)
    assert set(entry.detail["fields"]) >= {"name", "company_name", "phone2", "notes"}


def test_a_company_needs_its_name(database: Database, shop: Shop) -> None:
    with pytest.raises(ValidationError) as caught:
        _save(database, shop, shop.sales, _edit(database, shop, kind=CustomerKind.COMPANY))
    assert caught.value.message == "请填写单位名称。"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"name": "薛😀"}, "name.bad_character"),
        ({"name": "薛" * 21}, "text.too_long"),
        ({"notes": "很" * 2001}, "text.too_long"),
        (
            {"budget_min": Decimal("300000"), "budget_max": Decimal("200000")},
            "customer.budget_order",
        ),
        ({"new_phone2": "12345"}, "phone2.invalid"),
        ({"new_phone2": "138 1234 0186"}, "phone2.same"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(
    database: Database, shop: Shop, change: dict[str, object], code: str
) -> None:
    before = _version(database, shop)
    with pytest.raises(ValidationError) as caught:
        _save(database, shop, shop.sales, _edit(database, shop, **change))
    assert caught.value.code == code
    with database.read() as s:
        assert customers.load_profile(s, shop.customer_id).name == "薛"
    assert _version(database, shop) == before


def test_another_pcs_save_meanwhile_is_shown_field_by_field_numbers_masked(
    database: Database, shop: Shop
) -> None:
    loaded = _version(database, shop)
    _save(database, shop, shop.sales, _edit(database, shop, notes="第一台电脑"))
    mine = _edit(database, shop, notes="第二台电脑", new_phone="13700001111")
    with pytest.raises(EditConflict) as caught:
        _save(database, shop, shop.sales, mine, version=loaded)
    error = caught.value
    assert error.params["fields"]["notes"] == {"theirs": "第一台电脑", "yours": "第二台电脑"}
    assert error.params["fields"]["phone"]["yours"] == "137****1111"
    assert "13700001111" not in error.message
    # Saving again on the version now stored (the user chose to keep theirs) works.
    _save(database, shop, shop.sales, mine, version=error.params["theirs_version"])


def test_a_new_number_that_is_another_customers_is_the_duplicate_question(
    database: Database, shop: Shop
) -> None:
    with pytest.raises(ConflictError) as caught:
        _save(database, shop, shop.sales, _edit(database, shop, new_phone="139 0000 2222"))
    assert caught.value.code == "customer.duplicate"
    assert "王先生" in caught.value.message and "139****2222" in caught.value.message
    with database.read() as s:
        assert s.get_one(Customer, shop.customer_id).phone == "13812340186"


def test_a_grade_change_needs_a_reason_and_is_kept_in_the_history(
    database: Database, shop: Shop
) -> None:
    with pytest.raises(ValidationError) as caught:
        _save(database, shop, shop.sales, _edit(database, shop, intent_grade=IntentGrade.A))
    assert caught.value.message == "请填写调整原因。"
    for user, code in ((shop.desk, "grade.denied"), (shop.other_sales, "grade.not_yours")):
        with pytest.raises(PermissionDenied) as denied:
            _save(
                database,
                shop,
                user,
                _edit(database, shop, intent_grade=IntentGrade.A, grade_reason="试驾后很满意"),
            )
        assert denied.value.code == code
    _save(
        database,
        shop,
        shop.sales,
        _edit(database, shop, intent_grade=IntentGrade.A, grade_reason="试驾后很满意"),
    )
    with database.read() as s:
        change = s.scalars(select(GradeChange)).one()
        record = reception.customer_record(s, shop.customer_id)
    assert (change.old_grade, change.new_grade, change.reason) == (
        IntentGrade.B,
        IntentGrade.A,
        "试驾后很满意",
    )
    assert record.intent_grade is IntentGrade.A
    assert record.timeline[0].kind == "grade" and record.timeline[0].detail == "试驾后很满意"


def test_the_store_defines_tags_and_staff_put_them_on_customers(
    database: Database, shop: Shop
) -> None:
    with pytest.raises(PermissionDenied), database.write() as s:
        customers.save_tag(s, shop.sales, "企业客户")
    with database.write() as s:
        company = customers.save_tag(s, shop.manager, "企业客户")
        urgent = customers.save_tag(s, shop.manager, "急需用车")
    with pytest.raises(ConflictError), database.write() as s:
        customers.save_tag(s, shop.manager, " 企业客户 ")
    _save(database, shop, shop.desk, _edit(database, shop, tag_ids=(company, urgent)))
    with database.write() as s:
        customers.save_tag(s, shop.manager, "急需用车", tag_id=urgent, active=False)
    with database.read() as s:
        assert reception.customer_record(s, shop.customer_id).tags == ("企业客户", "急需用车")
        assert [(t.name, t.customers) for t in customers.list_tags(s, shop.store_id)] == [
            ("企业客户", 1)
        ]
    # A tag switched off stays where it is but cannot be given again.
    _save(database, shop, shop.desk, _edit(database, shop, tag_ids=(company,)))
    with pytest.raises(ValidationError):
        _save(database, shop, shop.desk, _edit(database, shop, tag_ids=(company, urgent)))


def test_a_contact_with_a_dated_next_step_becomes_the_owners_follow_up(
    database: Database, shop: Shop
) -> None:
    form = interactions.NewInteraction(
        channel=InteractionChannel.WECHAT,
        summary="发了凯美瑞的实拍视频",
        response="周末带家人来看",
        next_step="周六上午到店看车",
        next_on=TODAY + timedelta(days=4),
    )
    with database.write() as s:
        logged = interactions.log_interaction(
            s, shop.desk, form, customer_id=shop.customer_id, now=NOW, today=TODAY
        )
    with database.read() as s:
        follow_up = s.get_one(FollowUp, logged.follow_up_id)
        record = reception.customer_record(s, shop.customer_id)
    assert follow_up.consultant_id == shop.sales.id  # the owner, not the desk that logged it
    assert follow_up.due_on == TODAY + timedelta(days=4)
    entry = record.timeline[0]
    assert (entry.kind, entry.code, entry.subject, entry.detail, entry.next_step) == (
        "interaction",
        "wechat",
        "发了凯美瑞的实拍视频",
        "周末带家人来看",
        "周六上午到店看车",
    )


@pytest.mark.parametrize(
    ("form", "code"),
    [
        (interactions.NewInteraction(InteractionChannel.PHONE, " "), "text.missing"),
        (
            interactions.NewInteraction(
                InteractionChannel.PHONE, "回电", next_on=TODAY - timedelta(days=1), next_step="x"
            ),
            "interaction.next_past",
        ),
        (
            interactions.NewInteraction(InteractionChannel.PHONE, "回电", next_on=TODAY),
            "interaction.next_step_missing",
        ),
        (
            interactions.NewInteraction(
                InteractionChannel.PHONE, "回电", at=NOW + timedelta(hours=1)
            ),
            "interaction.future",
        ),
    ],
)
def test_a_contact_is_refused_with_a_reason(
    database: Database, shop: Shop, form: interactions.NewInteraction, code: str
) -> None:
    with pytest.raises(ValidationError) as caught, database.write() as s:
        interactions.log_interaction(
            s, shop.sales, form, customer_id=shop.customer_id, now=NOW, today=TODAY
        )
    assert caught.value.code == code


def test_the_timeline_holds_visits_drives_deposits_and_contracts_newest_first(
    database: Database, shop: Shop
) -> None:
    with database.write() as s:
        car = Vehicle(
            store_id=shop.store_id,
            stock_no="BJ01-0001",
            brand="丰田",
            model="凯美瑞",
            year=2021,
            mileage_km=30_000,
            energy=Energy.PETROL,
            transmission=Transmission.AUTOMATIC,
            list_price=Decimal("168000"),
        )
        s.add(car)
        s.flush()
        s.add(
            Visit(
                store_id=shop.store_id,
                visit_no="BJ01-20261125-001",
                customer_id=shop.customer_id,
                purpose=VisitPurpose.BUY,
                source_channel=reception.SourceChannel.WALK_IN,
                consultant_id=shop.sales.id,
                arrived_at=NOW - timedelta(days=5),
            )
        )
        s.add(
            TestDrive(
                store_id=shop.store_id,
                booking_code="7KQ2MX",
                vehicle_id=car.id,
                customer_id=shop.customer_id,
                consultant_id=shop.sales.id,
                slot_start=NOW - timedelta(days=5, hours=-1),
                slot_end=NOW - timedelta(days=5, hours=-2),
                status=TestDriveStatus.RETURNED,
                feedback="方向盘偏轻",
                **went_out(
                    s,
                    shop.store_id,
                    "7KQ2MX",
                    NOW - timedelta(days=5, hours=-1),
                    TestDriveStatus.RETURNED,
                ),
            )
        )
        s.add(
            Deposit(
                store_id=shop.store_id,
                receipt_no="BJ01-D-0001",
                vehicle_id=car.id,
                customer_id=shop.customer_id,
                amount=Decimal("5000"),
                method=PaymentMethod.WECHAT,
                taken_by_id=shop.sales.id,
                taken_at=NOW - timedelta(days=3),
                expires_at=NOW + timedelta(days=4),
            )
        )
        s.add(
            Contract(
                store_id=shop.store_id,
                contract_no="BJ01-2026-000001",
                kind=ContractKind.SALE,
                status=ContractStatus.SIGNED,
                vehicle_id=car.id,
                customer_id=shop.customer_id,
                consultant_id=shop.sales.id,
                price=Decimal("165000"),
                signed_at=NOW - timedelta(days=1),
            )
        )
    with database.read() as s:
        entries = reception.customer_record(s, shop.customer_id).timeline
    assert [e.kind for e in entries] == ["contract", "deposit", "test_drive", "visit"]
    contract, deposit, drive, _visit = entries
    assert contract.reference == "BJ01-2026-000001" and contract.amount == Decimal("165000.00")
    assert deposit.subject == "2021款 丰田 凯美瑞" and deposit.amount == Decimal("5000.00")
    assert drive.detail == "方向盘偏轻" and drive.staff_name == "孙顾问"
