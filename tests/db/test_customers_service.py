"""Customer lists show masked phones; revealing a full number is a logged action."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import AuditEntry, Customer, Role
from showroom.errors import NotFoundError, PermissionDenied
from showroom.services import customers
from showroom.services.auth import StaffUser
from tests.factories import make_staff, make_store

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


@pytest.fixture
def store(database: Database) -> uuid.UUID:
    store_id = make_store(database)
    with database.write() as s:
        for n, (name, phone) in enumerate(
            (
                ("张伟", "13812345678"),
                ("李娜", "13912340000"),
                ("王芳", "15000001234"),
                ("Zhang_Li", "18600005678"),
            )
        ):
            s.add(
                Customer(
                    store_id=store_id, name=name, phone=phone, created_at=T0 + timedelta(minutes=n)
                )
            )
        merged = Customer(
            store_id=store_id, name="张伟（重复）", phone="13812340001", deleted_at=T0
        )
        s.add(merged)
    return store_id


def _user(database: Database, store_id: uuid.UUID, role: Role) -> StaffUser:
    staff_id = make_staff(database, store_id, f"u_{role.value}", role)
    return StaffUser(staff_id, f"u_{role.value}", "测试员工", role, store_id, "BJ01", "测试展厅")


def _customer_id(database: Database, name: str) -> uuid.UUID:
    with database.read() as s:
        return s.scalars(select(Customer.id).where(Customer.name == name)).one()


def test_list_shows_masked_phones_newest_first(database: Database, store) -> None:  # type: ignore[no-untyped-def]
    with database.read() as s:
        rows = customers.list_customers(s)
        total = customers.count_customers(s)
    assert total == 4  # the merged duplicate is hidden
    assert [r.name for r in rows] == ["Zhang_Li", "王芳", "李娜", "张伟"]
    assert rows[-1].phone_masked == "138****5678"
    assert all("****" in r.phone_masked for r in rows)


@pytest.mark.parametrize(
    ("search", "names"),
    [
        ("5678", ["Zhang_Li", "张伟"]),
        ("138 1234", ["张伟"]),
        ("１３９", ["李娜"]),
        ("张", ["张伟"]),
        ("zhang_", ["Zhang_Li"]),
        ("%", []),
        ("", ["Zhang_Li", "王芳", "李娜", "张伟"]),
    ],
)
def test_search_by_phone_digits_or_name(database: Database, store, search, names) -> None:  # type: ignore[no-untyped-def]
    with database.read() as s:
        rows = customers.list_customers(s, search)
        assert customers.count_customers(s, search) == len(names)
    assert [r.name for r in rows] == names


def test_paging_returns_consecutive_slices(database: Database, store) -> None:  # type: ignore[no-untyped-def]
    with database.read() as s:
        first = customers.list_customers(s, offset=0, limit=3)
        rest = customers.list_customers(s, offset=3, limit=3)
    assert len(first) == 3 and len(rest) == 1
    assert {r.id for r in first}.isdisjoint({r.id for r in rest})


def test_reveal_returns_the_number_and_audits_without_it(database: Database, store) -> None:  # type: ignore[no-untyped-def]
    user = _user(database, store, Role.RECEPTION)
    cid = _customer_id(database, "张伟")
    with database.write() as s:
        assert customers.reveal_phone(s, user, cid) == "13812345678"
    with database.read() as s:
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry is not None
    assert (entry.action, entry.entity, entry.entity_id) == (
        "personal_data_revealed",
        "customer",
        str(cid),
    )
    assert entry.detail == {"field": "phone"}
    assert entry.staff_id == user.id
    assert "13812345678" not in repr(entry.detail)


def test_an_appraiser_may_not_reveal_and_nothing_is_logged(database: Database, store) -> None:  # type: ignore[no-untyped-def]
    user = _user(database, store, Role.APPRAISER)
    cid = _customer_id(database, "张伟")
    with pytest.raises(PermissionDenied) as info, database.write() as s:
        customers.reveal_phone(s, user, cid)
    assert info.value.code == "privacy.reveal_denied"
    with database.read() as s:
        actions = list(s.scalars(select(AuditEntry.action)))
    assert "personal_data_revealed" not in actions


def test_revealing_a_merged_customer_is_refused(database: Database, store) -> None:  # type: ignore[no-untyped-def]
    user = _user(database, store, Role.MANAGER)
    cid = _customer_id(database, "张伟（重复）")
    with pytest.raises(NotFoundError), database.write() as s:
        customers.reveal_phone(s, user, cid)
