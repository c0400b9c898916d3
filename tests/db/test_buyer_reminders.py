"""购车客户提醒: messages after the sale, maintenance, inspection, insurance and birthday,
drafted with the store's signature, marked done once, exported as CSV; marketing only
with consent."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import (
    AuditEntry,
    Consent,
    ConsentPurpose,
    Contract,
    ContractKind,
    ContractStatus,
    Customer,
    Energy,
    MaintenanceRecord,
    ReminderLog,
    Store,
    Title,
    Transmission,
    Vehicle,
    VehicleStatus,
)
from showroom.errors import PermissionDenied
from showroom.services import buyer_reminders as br
from showroom.services import merge, privacy_requests
from showroom.sync import operations
from showroom.users import StaffUser
from tests.db.test_cadence import NOW, people

__all__ = ["people"]

SIGNED = datetime(2026, 1, 10, 6, 0, tzinfo=br.STORE_ZONE)  # 14:00 local on 10 January


def _sale(
    database: Database,
    user: StaffUser,
    *,
    id_number: str | None = None,
    inspection: date | None = None,
    insurance: date | None = None,
    consent: bool | None = None,
    phone: str = "13911112222",
) -> uuid.UUID:
    with database.write() as s:
        store = s.get_one(Store, user.store_id)
        store.phone = "010-88886666"
        customer = Customer(
            store_id=user.store_id,
            name="张伟",
            title=Title.MR,
            phone=phone,
            id_number=id_number,
        )
        car = Vehicle(
            store_id=user.store_id,
            stock_no=f"BJ01-S2026-{uuid.uuid4().int % 100000:05d}",
            brand="丰田",
            model="卡罗拉",
            year=2021,
            mileage_km=30000,
            energy=Energy.PETROL,
            transmission=Transmission.AUTOMATIC,
            list_price=Decimal("90000"),
            status=VehicleStatus.SOLD,
            annual_inspection_due=inspection,
            insurance_due=insurance,
        )
        s.add_all([customer, car])
        s.flush()
        s.add(
            Contract(
                store_id=user.store_id,
                contract_no=f"HT{uuid.uuid4().hex[:8]}",
                kind=ContractKind.SALE,
                status=ContractStatus.SIGNED,
                vehicle_id=car.id,
                customer_id=customer.id,
                price=Decimal("88000"),
                signed_at=SIGNED,
            )
        )
        if consent is not None:
            s.add(
                Consent(
                    customer_id=customer.id,
                    purpose=ConsentPurpose.MARKETING,
                    granted=consent,
                    text_version="v1",
                    recorded_at=SIGNED,
                )
            )
        return customer.id


def _kinds(database: Database, user: StaffUser, today: date) -> list[tuple[str, date]]:
    with database.read() as s:
        return [(t.kind, t.due_on) for t in br.due(s, user, today)]


def test_after_sale_messages_come_on_their_days_and_stay_a_week_until_done(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    _sale(database, sun)
    assert _kinds(database, sun, date(2026, 1, 12)) == []
    assert _kinds(database, sun, date(2026, 1, 13)) == [("after_3d", date(2026, 1, 13))]
    assert _kinds(database, sun, date(2026, 1, 20)) == [("after_3d", date(2026, 1, 13))]
    assert _kinds(database, sun, date(2026, 1, 21)) == []  # a week late: gone
    assert _kinds(database, sun, date(2026, 2, 10)) == [("after_1m", date(2026, 2, 10))]
    assert ("after_12m", date(2027, 1, 10)) in _kinds(database, sun, date(2027, 1, 10))


def test_the_draft_carries_the_store_signature_and_the_car(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    _sale(database, sun)
    with database.read() as s:
        task = br.due(s, sun, date(2026, 1, 13))[0]
    assert task.message.startswith(
        "【测试展厅】张先生您好，感谢您在本店购车！丰田卡罗拉已陪伴您 3 天"
    )
    assert task.message.endswith("（测试展厅，电话 010-88886666）")
    assert task.phone_masked == "139****2222"


def test_inspection_and_insurance_from_the_cars_file_come_a_month_ahead_yearly(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    _sale(database, sun, inspection=date(2025, 3, 31), insurance=date(2026, 6, 15))
    assert ("inspection", date(2026, 3, 31)) in _kinds(database, sun, date(2026, 3, 1))
    assert ("inspection", date(2026, 3, 31)) not in _kinds(database, sun, date(2026, 2, 28))
    assert ("insurance", date(2026, 6, 15)) in _kinds(database, sun, date(2026, 5, 20))
    assert ("insurance", date(2027, 6, 15)) in _kinds(database, sun, date(2027, 6, 1))


def test_maintenance_after_the_last_service_or_the_sale_by_months_or_km(
    database: Database, people: dict[str, StaffUser]
) -> None:
    """The interval runs from the sale, then from the last service; with no reading but the
    sale's the car is assumed to run the national average (5,000 km in 153 days), and a
    service book entry with its mileage gives the car's own pace (tests/db/
    test_maintenance_mileage.py has the rest)."""
    sun = people["sun"]
    cid = _sale(database, sun)
    assert ("maintenance", date(2026, 6, 12)) in _kinds(database, sun, date(2026, 6, 10))
    with database.write() as s:
        vehicle_id = s.scalars(select(Contract.vehicle_id).where(Contract.customer_id == cid)).one()
        s.add(
            MaintenanceRecord(
                vehicle_id=vehicle_id,
                performed_on=date(2026, 5, 1),
                mileage_km=31000,  # 1,000 km in 111 days: the months come first
                shop="本店",
                description="小保养",
            )
        )
    assert ("maintenance", date(2026, 11, 1)) in _kinds(database, sun, date(2026, 10, 28))
    assert all(k != "maintenance" for k, _ in _kinds(database, sun, date(2026, 6, 10)))


def test_birthday_greetings_only_with_marketing_consent(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    body = "11010519900307123"
    from showroom.identifiers import id_check_digit

    number = body + id_check_digit(body)
    _sale(database, sun, id_number=number, consent=None, phone="13911110001")
    _sale(database, sun, id_number=number, consent=False, phone="13911110002")
    yes = _sale(database, sun, id_number=number, consent=True, phone="13911110003")
    with database.read() as s:
        tasks = [t for t in br.due(s, sun, date(2026, 3, 7)) if t.kind == "birthday"]
    assert [(t.customer_id, t.due_on, t.marketing) for t in tasks] == [
        (yes, date(2026, 3, 7), True)
    ]
    assert "祝您生日快乐" in tasks[0].message


def test_marking_done_takes_it_off_once_and_a_replay_changes_nothing(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    cid = _sale(database, sun)
    payload = {
        "user": operations.user_payload(sun),
        "customer_id": str(cid),
        "kind": "after_3d",
        "due_on": "2026-01-13",
        "status": "sent",
        "channel": "wechat",
        "message": "【测试展厅】张先生您好",
        "now": NOW.isoformat(),
    }
    with database.write() as s:
        first = operations.apply(
            s, uuid.uuid4(), "reminder.mark", payload, created_at=NOW, origin="a"
        )
    with database.write() as s:  # another PC, the same message
        again = operations.apply(
            s, uuid.uuid4(), "reminder.mark", payload, created_at=NOW, origin="b"
        )
    assert (first.value, again.value) == (True, False)
    assert _kinds(database, sun, date(2026, 1, 14)) == []
    with database.read() as s:
        row = s.scalars(select(ReminderLog)).one()
        assert (row.channel, row.done_by_id) == ("wechat", sun.id)


def test_the_csv_of_todays_messages_has_full_numbers_and_is_audited(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    _sale(database, sun)
    with database.write() as s:
        text = br.messages_csv(s, sun, date(2026, 1, 13))
    assert text.startswith("\ufeff日期,类型,客户,手机号,车辆,合同号,短信内容")
    assert "2026-01-13,购车 3 天,张伟,13911112222,丰田卡罗拉" in text
    with database.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "buyer_reminders")).one()
        assert entry.detail == {"field": "phone", "count": 1}


def test_reception_cannot_work_the_reminders(
    database: Database, people: dict[str, StaffUser]
) -> None:
    from dataclasses import replace

    from db.models import Role

    desk = replace(people["sun"], roles=frozenset({Role.RECEPTION}))
    with pytest.raises(PermissionDenied), database.read() as s:
        br.due(s, desk, date(2026, 1, 13))


def test_erasure_clears_the_messages_sent_and_a_merge_moves_them(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun, manager = people["sun"], people["manager"]
    keep = _sale(database, sun, phone="13911110008")
    drop = _sale(database, sun, phone="13911110009")
    for cid in (keep, drop):
        with database.write() as s:
            br.mark(s, sun, cid, "after_3d", date(2026, 1, 13), message="张先生您好", now=NOW)
    with database.write() as s:
        br.mark(s, sun, drop, "after_1m", date(2026, 2, 10), message="张先生您好", now=NOW)
    with database.write() as s:
        merge.merge_customers(s, manager, keep, drop, now=NOW)
    with database.read() as s:
        kept = s.scalars(select(ReminderLog.kind).where(ReminderLog.customer_id == keep)).all()
    assert sorted(kept) == ["after_1m", "after_3d"]  # the duplicate day stayed behind
    with database.write() as s:
        privacy_requests.erase_customer(s, manager, keep, reason="申请 2026-001", now=NOW)
    with database.read() as s:
        assert set(
            s.scalars(select(ReminderLog.message).where(ReminderLog.customer_id == keep))
        ) == {""}
