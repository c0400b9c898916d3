"""One write path: the duplicate-phone question and the customer file's operations on sync.

The desk's new-customer check-in applied through the sync service (the shared
database's path) must ask "use the existing customer?" exactly as the embedded
database does; only a replay from the outbox, with nobody there to ask, merges.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.enums import Role, Title, VisitPurpose
from db.models import (
    Consent,
    Customer,
    Interaction,
    InteractionChannel,
    Lead,
    Staff,
    Visit,
)
from db.sync.outbox import Outbox
from showroom.errors import ConflictError, DatabaseUnavailable
from showroom.services import customers, interactions, leads
from showroom.services.reception import NewCustomer
from showroom.sync import customer_ops, operations
from showroom.sync.service import SyncService
from showroom.users import StaffUser
from tests.factories import make_staff, make_store

NOW = datetime(2026, 11, 30, 15, 55, tzinfo=UTC)  # 23:55 in the store
TODAY = date(2026, 11, 30)


@pytest.fixture
def desk(database: Database) -> StaffUser:
    store_id = make_store(database)
    make_staff(database, store_id, "s1", Role.SALES, display_name="孙顾问")
    staff_id = make_staff(database, store_id, "desk", Role.RECEPTION, display_name="钱前台")
    with database.write() as s:
        s.add(Customer(store_id=store_id, name="张伟", title=Title.MR, phone="13812345678"))
    with database.read() as s:
        staff = s.get_one(Staff, staff_id)
        return StaffUser(staff.id, "desk", "钱前台", Role.RECEPTION, store_id, "BJ01", "店")


def _service(database: Database, tmp_path: Path, *, online: bool) -> SyncService:
    service = SyncService(database, Outbox(tmp_path / "outbox.sqlite3"))
    service.online = online
    return service


def _new_customer_check_in(desk: StaffUser, name: str = "张", marketing: bool = True) -> dict:  # type: ignore[type-arg]
    form = NewCustomer(
        name=name,
        title=Title.MS,
        phone="138 1234 5678",
        consent_service=True,
        consent_marketing=marketing,
    )
    return {
        "actor": operations.actor_payload(desk.actor),
        "store_id": str(desk.store_id),
        "new_customer": operations.new_customer_payload(form),
        "purpose": VisitPurpose.TEST_DRIVE.value,
        "party_size": 2,
        "now": NOW.isoformat(),
    }


def _count(database: Database, model: type) -> int:
    with database.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_online_the_duplicate_number_is_asked_on_the_sync_path_too(
    database: Database, desk: StaffUser, tmp_path: Path
) -> None:
    service = _service(database, tmp_path, online=True)
    with pytest.raises(ConflictError) as caught:
        service.submit("visit.check_in", _new_customer_check_in(desk))
    assert caught.value.code == "customer.duplicate"
    assert "张伟 先生" in caught.value.message and "138****5678" in caught.value.message
    assert isinstance(caught.value.params["customer_id"], uuid.UUID)
    # Nothing was checked in behind the desk's back, and nothing waits in the outbox.
    assert _count(database, Visit) == 0 and _count(database, Customer) == 1
    assert service.state().pending == 0


def test_the_embedded_path_applies_the_same_operation(database: Database, desk: StaffUser) -> None:
    with pytest.raises(ConflictError) as caught, database.write() as s:
        operations.apply(
            s,
            uuid.uuid4(),
            "visit.check_in",
            _new_customer_check_in(desk),
            created_at=NOW,
            origin="test",
        )
    assert caught.value.code == "customer.duplicate"


def test_replayed_the_duplicate_is_merged_and_what_was_typed_is_kept(
    database: Database, desk: StaffUser, tmp_path: Path
) -> None:
    service = _service(database, tmp_path, online=False)
    queued = service.submit("visit.check_in", _new_customer_check_in(desk, "张小", False))
    assert queued.queued
    service.online = True
    assert service.replay().applied == 1
    with database.read() as s:
        (customer,) = s.scalars(select(Customer))
        visit = s.scalars(select(Visit)).one()
        note = s.scalars(select(Interaction)).one()
        consents = {(c.purpose.value, c.granted) for c in s.scalars(select(Consent))}
    assert visit.customer_id == customer.id and visit.party_size == 2
    assert visit.purpose is VisitPurpose.TEST_DRIVE
    assert "张小 女士" in note.summary and "已合并" in note.summary
    assert consents == {("service", True), ("marketing", False)}
    assert customer.name == "张伟"  # the record is not overwritten by a guess


def test_an_edit_offline_needs_the_connection_and_is_not_queued(
    database: Database, desk: StaffUser, tmp_path: Path
) -> None:
    service = _service(database, tmp_path, online=False)
    with database.read() as s:
        customer_id = s.scalars(select(Customer.id)).one()
    edit = customers.CustomerEdit(name="张伟", title=Title.MR, notes="离线时改的")
    payload = customer_ops.customer_update_payload(desk, customer_id, 1, edit, NOW)
    with pytest.raises(DatabaseUnavailable) as caught:
        service.submit("customer.update", payload)
    assert caught.value.code == "db.offline"
    assert service.state().pending == 0
    service.online = True
    saved = service.submit("customer.update", payload)
    assert not saved.queued and saved.value.changed == ("notes",)


def test_a_call_logged_offline_waits_and_is_applied_once(
    database: Database, desk: StaffUser, tmp_path: Path
) -> None:
    with database.read() as s:
        customer_id = s.scalars(select(Customer.id)).one()
    form = interactions.NewInteraction(
        InteractionChannel.PHONE, "确认周六到店", next_step="周六看车", next_on=TODAY
    )
    payload = customer_ops.interaction_payload(
        desk, form, customer_id=customer_id, now=NOW, today=TODAY
    )
    service = _service(database, tmp_path, online=False)
    assert service.submit("interaction.log", payload).queued
    service.online = True
    assert service.replay().applied == 1
    assert service.replay().applied == 0
    assert _count(database, Interaction) == 1


def test_a_lead_taken_offline_joins_the_open_lead_on_replay(
    database: Database, desk: StaffUser, tmp_path: Path
) -> None:
    form = leads.NewLead(phone="13912340186", name="薛女士", platform="懂车帝")
    payload = customer_ops.lead_payload(desk, form, response_hours=24, now=NOW)
    online = _service(database, tmp_path, online=True)
    online.submit("lead.create", payload)
    with pytest.raises(ConflictError):  # at the screen: the open lead is named
        online.submit("lead.create", payload)
    (tmp_path / "other").mkdir()
    offline = _service(database, tmp_path / "other", online=False)  # another PC
    offline.submit("lead.create", {**payload, "form": {**payload["form"], "vehicle_text": "雅阁"}})
    offline.online = True
    assert offline.replay().applied == 1
    assert _count(database, Lead) == 1
    assert "原线索" in offline.outbox.all()[0].outcome
    with database.read() as s:
        assert s.scalars(select(Interaction.summary)).one() == "再次咨询：雅阁"


def test_every_kind_the_screens_submit_is_registered() -> None:
    kinds = set(operations.REGISTRY)
    assert {
        "customer.update",
        "customer.tag_save",
        "interaction.log",
        "lead.create",
        "lead.assign",
        "lead.close",
    } <= kinds
    assert not operations.REGISTRY["customer.update"].can_wait
    assert operations.REGISTRY["interaction.log"].can_wait
