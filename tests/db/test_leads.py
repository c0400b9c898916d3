"""Leads before the first visit: deadline, overdue, the call, the walk-in, the import."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import (
    AuditEntry,
    Customer,
    Interaction,
    InteractionChannel,
    Lead,
    LeadStatus,
    Role,
    SourceChannel,
    Staff,
    Title,
    Visit,
)
from showroom.errors import ConflictError, PermissionDenied, ValidationError
from showroom.services import interactions, lead_import, leads, reception
from showroom.services.leads import LeadQuery, NewLead
from showroom.services.reception import NewCustomer
from showroom.users import StaffUser
from tests.factories import make_staff, make_store

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 in the store
TODAY = date(2026, 11, 30)


@dataclass
class Shop:
    store_id: uuid.UUID
    desk: StaffUser
    sales: StaffUser
    manager: StaffUser
    appraiser: StaffUser


def _user(database: Database, staff_id: uuid.UUID) -> StaffUser:
    with database.read() as s:
        staff = s.get_one(Staff, staff_id)
        return StaffUser(
            staff.id, staff.username, staff.display_name, staff.roles, staff.store_id, "BJ01", "店"
        )


@pytest.fixture
def shop(database: Database) -> Shop:
    store_id = make_store(database)
    made = {
        key: _user(database, make_staff(database, store_id, key, role, display_name=name))
        for key, role, name in (
            ("desk", Role.RECEPTION, "钱前台"),
            ("s1", Role.SALES, "孙顾问"),
            ("boss", Role.MANAGER, "赵店长"),
            ("ap", Role.APPRAISER, "李评估"),
        )
    }
    with database.write() as s:
        s.get_one(Staff, made["s1"].id).on_duty = True
    return Shop(store_id, made["desk"], made["s1"], made["boss"], made["ap"])


def _lead(database: Database, user: StaffUser, **kw: object) -> leads.LeadCreated:
    form = NewLead(
        **{  # type: ignore[arg-type]
            "phone": "139 1234 0186",
            "name": "薛女士",
            "source_channel": SourceChannel.LISTING_PLATFORM,
            "platform": "懂车帝",
            "vehicle_text": "2021款 丰田 凯美瑞",
            "message": "还在吗？能便宜点吗",
            **kw,
        }
    )
    with database.write() as s:
        return leads.create_lead(s, user, form, response_hours=24, now=NOW)


def _rows(database: Database, shop: Shop, status: str, at: datetime) -> list[leads.LeadRow]:
    with database.read() as s:
        return leads.list_leads(s, LeadQuery(shop.store_id, status=status, now=at))


def test_a_lead_gets_its_deadline_and_the_caller_as_owner(database: Database, shop: Shop) -> None:
    created = _lead(database, shop.sales)
    with database.read() as s:
        lead = s.get_one(Lead, created.lead_id)
    assert (lead.name, lead.title) == ("薛", Title.MS)  # "薛女士" as the platform gave it
    assert lead.due_at == NOW + timedelta(hours=24)
    assert lead.owner_id == shop.sales.id and lead.status is LeadStatus.NEW
    with pytest.raises(PermissionDenied), database.write() as s:
        leads.create_lead(s, shop.appraiser, NewLead(phone="13912340186"), now=NOW)


def test_a_second_lead_for_an_open_number_names_the_first(database: Database, shop: Shop) -> None:
    first = _lead(database, shop.desk)
    with pytest.raises(ConflictError) as caught:
        _lead(database, shop.desk, platform="瓜子")
    assert caught.value.code == "lead.duplicate"
    assert caught.value.params["lead_id"] == first.lead_id
    assert "薛女士" in caught.value.message
    # Replayed from the outbox (nobody to ask), the enquiry joins the open lead.
    with database.write() as s:
        again = leads.create_lead(
            s,
            shop.desk,
            NewLead(phone="13912340186", vehicle_text="2020款 本田 雅阁"),
            now=NOW,
            if_open="add",
        )
        assert again.merged and again.lead_id == first.lead_id
        assert s.scalar(select(func.count()).select_from(Lead)) == 1
        note = s.scalars(select(Interaction)).one()
    assert note.summary == "再次咨询：2020款 本田 雅阁"


def test_unanswered_leads_become_overdue_and_a_call_answers_them(
    database: Database, shop: Shop
) -> None:
    created = _lead(database, shop.desk)
    later = NOW + timedelta(hours=25)
    assert [r.overdue for r in _rows(database, shop, "open", NOW + timedelta(hours=23))] == [False]
    (row,) = _rows(database, shop, "overdue", later)
    assert row.overdue and row.phone_masked == "139****0186"
    with database.read() as s:
        assert leads.summary(s, shop.store_id, later) == leads.LeadSummary(open=1, overdue=1)

    call = interactions.NewInteraction(
        channel=InteractionChannel.PHONE,
        summary="回电：车还在，周六可以看车",
        response="周六上午来",
        next_step="周六到店",
        next_on=TODAY + timedelta(days=2),
        at=later - timedelta(minutes=5),
    )
    with database.write() as s:
        logged = interactions.log_interaction(
            s, shop.sales, call, lead_id=created.lead_id, now=later, today=TODAY
        )
    assert logged.customer_id is None and logged.follow_up_id is None  # not a customer yet
    assert _rows(database, shop, "overdue", later) == []
    (row,) = _rows(database, shop, "open", later)
    assert row.status is LeadStatus.CONTACTED and row.last_contact_at is not None


def test_the_desk_finds_a_lead_by_tail_and_the_visit_continues_it(
    database: Database, shop: Shop
) -> None:
    created = _lead(database, shop.sales)
    with database.write() as s:
        interactions.log_interaction(
            s,
            shop.sales,
            interactions.NewInteraction(InteractionChannel.PHONE, "约了今天上午看车"),
            lead_id=created.lead_id,
            now=NOW,
            today=TODAY,
        )
    with database.read() as s:
        found = reception.find(s, "0186")
    match = found.unique
    assert match is not None and match.is_lead and match.id == created.lead_id
    assert (match.display_name, match.phone_masked, match.matched_by) == (
        "薛女士",
        "139****0186",
        "tail",
    )
    assert match.owner_name == "孙顾问" and match.lead_platform == "懂车帝"

    form = NewCustomer(
        name="薛",
        title=Title.MS,
        phone="",  # the desk saw the number masked: the customer takes the lead's
        source_channel=SourceChannel.LISTING_PLATFORM,
        consent_service=True,
        lead_id=created.lead_id,
    )
    with database.write() as s:
        result = reception.check_in(
            s, shop.desk.actor, shop.store_id, new_customer=form, now=NOW + timedelta(hours=1)
        )
    assert result.routing.consultant_name == "孙顾问"  # the lead's consultant receives them
    with database.read() as s:
        customer = s.get_one(Customer, result.customer_id)
        lead = s.get_one(Lead, created.lead_id)
        record = reception.customer_record(s, customer.id)
        again = reception.find(s, "0186")
        assert s.scalar(select(func.count()).select_from(Customer)) == 1
    assert customer.phone == "13912340186" and customer.owner_id == shop.sales.id
    assert lead.customer_id == customer.id and lead.status is LeadStatus.VISITED
    assert [e.kind for e in record.timeline] == ["visit", "interaction", "lead"]
    assert record.timeline[1].subject == "约了今天上午看车"
    assert [(m.is_lead, m.id) for m in again.matches] == [(False, customer.id)]


def test_a_lead_from_a_customers_number_is_theirs_and_closed_by_their_visit(
    database: Database, shop: Shop
) -> None:
    with database.write() as s:
        existing = Customer(store_id=shop.store_id, name="薛", title=Title.MS, phone="13912340186")
        s.add(existing)
        s.flush()
        existing_id = existing.id
    created = _lead(database, shop.desk)
    assert created.customer_id == existing_id and created.customer_name == "薛女士"
    with database.write() as s:
        reception.check_in(s, shop.desk.actor, shop.store_id, customer_id=existing_id, now=NOW)
    with database.read() as s:
        assert s.get_one(Lead, created.lead_id).status is LeadStatus.VISITED
        assert s.scalar(select(func.count()).select_from(Visit)) == 1


def test_closing_a_lead_needs_a_reason(database: Database, shop: Shop) -> None:
    created = _lead(database, shop.desk)
    with pytest.raises(ValidationError), database.write() as s:
        leads.close(s, shop.sales, created.lead_id, "  ")
    with database.write() as s:
        leads.close(s, shop.sales, created.lead_id, "已在别家买车")
    with pytest.raises(ConflictError), database.write() as s:
        leads.close(s, shop.sales, created.lead_id, "再关一次")
    (row,) = _rows(database, shop, "closed", NOW)
    assert row.status is LeadStatus.CLOSED


def test_only_the_desk_or_the_manager_reassigns_a_lead(database: Database, shop: Shop) -> None:
    created = _lead(database, shop.desk)  # taken at the desk: nobody's yet
    with database.write() as s:
        assert leads.assign(s, shop.sales, created.lead_id, shop.sales.id) == "孙顾问"
    with pytest.raises(PermissionDenied), database.write() as s:
        leads.assign(s, shop.sales, created.lead_id, None)
    with database.write() as s:
        leads.assign(s, shop.manager, created.lead_id, None)


def test_revealing_a_leads_number_is_audited_without_it(database: Database, shop: Shop) -> None:
    created = _lead(database, shop.desk)
    with database.write() as s:
        assert leads.reveal_phone(s, shop.sales, created.lead_id) == "13912340186"
    with database.read() as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "personal_data_revealed")
        ).one()
    assert entry.entity == "lead" and "13912340186" not in repr(entry.detail)


# --- import ------------------------------------------------------------------------------------

EXPORT = """线索编号,提交时间,客户姓名,联系电话,意向车源,留言
A1001,2026-11-29 21:14,薛女士,13912340186,2021款 丰田 凯美瑞,还在吗
A1002,2026-11-29 22:01,王先生,139-0000-2222,2019款 本田 雅阁,
A1003,2026-11-29 22:30,小李,1380000,2020款 大众 帕萨特,
A1004,2026-11-29 23:05,薛女士,13912340186,2022款 丰田 凯美瑞,能看看这台吗
A1005,昨天晚上,赵先生,13700003333,,
A1006,2026-11-30 08:00,,,2020款 奥迪 A4L,
A1007,2026-11-30 08:30,孙女士,13600004444,{long},
"""


def _export(tmp_path: Path, text: str = EXPORT) -> Path:
    path = tmp_path / "懂车帝线索.csv"
    path.write_text(text.replace("{long}", "车" * 101), encoding="gb18030")
    return path


def test_every_row_of_a_platform_export_is_accounted_for(
    database: Database, shop: Shop, tmp_path: Path
) -> None:
    path = _export(tmp_path)
    with database.write() as s:
        dry = lead_import.import_leads(s, shop.desk, path, platform="懂车帝", now=NOW, dry_run=True)
    with database.read() as s:
        assert s.scalar(select(func.count()).select_from(Lead)) == 0  # a dry run writes nothing
    with database.write() as s:
        result = lead_import.import_leads(s, shop.desk, path, platform="懂车帝", now=NOW)
    assert [(o.line, o.outcome) for o in dry.outcomes] == [
        (o.line, o.outcome) for o in result.outcomes
    ]
    outcomes = {o.line: o for o in result.outcomes}
    assert [(line, o.outcome) for line, o in sorted(outcomes.items())] == [
        (2, "created"),
        (3, "created"),
        (4, "rejected"),
        (5, "merged"),  # the same number later in the file: logged on the first lead
        (6, "rejected"),
        (7, "rejected"),
        (8, "rejected"),
    ]
    assert "1380000" not in outcomes[4].reason
    assert outcomes[4].reason == "手机号不是有效的 11 位手机号（填的是 7 位）"
    assert "昨天晚上" in outcomes[6].reason
    assert outcomes[7].reason == "没有手机号"
    assert "咨询车辆最多 100 个字（现在 101 个）" in outcomes[8].reason
    assert result.summary() == "共 7 行：已新增 2，已合并 1，无变化 0，拒绝 4"
    with database.read() as s:
        lead = s.scalars(select(Lead).where(Lead.external_ref == "A1001")).one()
    # The platform's local 21:14 is 13:14 UTC; the deadline counts from then.
    assert lead.received_at == datetime(2026, 11, 29, 13, 14, tzinfo=UTC)
    assert lead.due_at == lead.received_at + timedelta(hours=24)

    report = lead_import.write_report(result, tmp_path / "report.csv")
    text = report.read_text(encoding="utf-8-sig")
    assert "13912340186" not in text and "139****0186" in text
    assert text.count("\n") == 8  # the header and one line per row

    with database.write() as s:
        again = lead_import.import_leads(s, shop.desk, path, platform="懂车帝", now=NOW)
    assert again.count("unchanged") == 2 and again.count("created") == 0


def test_a_file_without_a_phone_column_is_refused_whole(
    database: Database, shop: Shop, tmp_path: Path
) -> None:
    path = _export(tmp_path, "姓名,车型\n王,雅阁\n")
    with pytest.raises(ValidationError) as caught, database.write() as s:
        lead_import.import_leads(s, shop.desk, path, now=NOW)
    assert caught.value.code == "lead_import.no_phone"
