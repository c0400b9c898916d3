"""Least privilege on PostgreSQL: the app's login does what the app does, and nothing else.

Roles are cluster-wide, so each test run names its own (``t<hex>_owner`` ...) and
drops them again; the tables go back to the test server's superuser afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from db import privileges
from db.engine import Database
from db.models import Energy, PaymentMethod, Role, Transmission, Vehicle, VehicleStatus
from showroom.context import check_connection
from showroom.services import audit, merge, reception
from showroom.services import deposits as dp
from showroom.services.reception import NewCustomer
from showroom.users import StaffUser
from tests.factories import make_staff, make_store

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


@dataclass
class Logins:
    roles: privileges.Roles
    admin: str
    owner: str
    app: str
    read: str


def _url(base: str, role: str, password: str) -> str:
    return make_url(base).set(username=role, password=password).render_as_string(False)


@pytest.fixture
def logins(postgresql_url: str) -> Iterator[Logins]:
    roles = privileges.Roles.named(f"t{uuid.uuid4().hex[:8]}")
    admin = create_engine(postgresql_url)
    try:
        with admin.begin() as conn:
            created = privileges.ensure(conn, roles)
        assert set(created) == set(roles.all)  # all new: each got a generated password
        yield Logins(
            roles,
            postgresql_url,
            *(_url(postgresql_url, r, created[r]) for r in roles.all),
        )
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'REASSIGN OWNED BY "{roles.owner}" TO CURRENT_USER'))
            for role in roles.all:  # one at a time: a shared default ACL trips DROP OWNED
                conn.execute(text(f'DROP OWNED BY "{role}"'))
            for role in roles.all:
                conn.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()


def _run(url: str, sql: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def test_a_fresh_setup_passes_its_own_check(logins: Logins) -> None:
    engine = create_engine(logins.admin)
    try:
        with engine.connect() as conn:
            assert privileges.check(conn, logins.roles) == []
            owners = {o for _k, _n, o in privileges._objects(conn)}
        with engine.begin() as conn:  # running it again changes nothing and creates nothing
            assert privileges.ensure(conn, logins.roles) == {}
    finally:
        engine.dispose()
    assert owners == {logins.roles.owner}


def test_the_app_login_runs_the_floor(logins: Logins) -> None:
    database = Database.from_url(logins.app)
    try:
        store = make_store(database)
        boss = make_staff(database, store, "boss", Role.MANAGER, display_name="赵店长")
        manager = StaffUser(boss, "boss", "赵店长", Role.MANAGER, store, "BJ01", "测试展厅")
        with database.write() as s:
            car = Vehicle(
                store_id=store,
                stock_no="BJ01-S2026-00001",
                brand="大众",
                model="朗逸",
                year=2021,
                mileage_km=32000,
                energy=Energy.PETROL,
                transmission=Transmission.AUTOMATIC,
                list_price=Decimal("86000"),
                status=VehicleStatus.ON_SALE,
            )
            s.add(car)
            s.flush()
            car_id = car.id
        with database.write() as s:
            first = reception.check_in(
                s, manager.actor, store, new_customer=_form("13800000001"), now=NOW
            )
            second = reception.check_in(
                s, manager.actor, store, new_customer=_form("13900000001"), now=NOW
            )
        with database.write() as s:
            data = dp.DepositInput(car_id, second.customer_id, "5000", PaymentMethod.CASH)
            dp.take(s, manager.actor, data, store_code="BJ01", now=NOW)
        with database.write() as s:
            merge.merge_customers(s, manager, first.customer_id, second.customer_id, now=NOW)
        with database.read() as s:
            result = audit.verify(s)
        assert result.ok and result.entries >= 5
    finally:
        database.dispose()


def _form(phone: str) -> NewCustomer:
    return NewCustomer(name="张伟", title=reception.Title.MR, phone=phone, consent_service=True)


@pytest.mark.parametrize(
    ("sql", "word"),
    [
        ("UPDATE audit_entries SET actor = 'x'", "permission denied"),
        ("DELETE FROM audit_entries", "permission denied"),
        ("TRUNCATE audit_entries", "permission denied"),
        ("TRUNCATE customers CASCADE", "permission denied"),
        ("DELETE FROM number_sequences", "permission denied"),
        ("ALTER TABLE audit_entries DISABLE TRIGGER USER", "must be owner"),
        ("DROP TRIGGER audit_entries_append_only ON audit_entries", "must be owner"),
        ("CREATE TABLE sneaky (id int)", "permission denied"),
        ("ALTER TABLE customers ADD COLUMN x int", "must be owner"),
        ("SET session_replication_role = replica", "permission denied"),
    ],
    ids=[
        "update-audit",
        "delete-audit",
        "truncate-audit",
        "truncate-customers",
        "delete-counters",
        "disable-trigger",
        "drop-trigger",
        "create-table",
        "alter-table",
        "replication-role",
    ],
)
def test_the_app_login_cannot_rewrite_history_or_the_schema(
    logins: Logins, sql: str, word: str
) -> None:
    with pytest.raises(DBAPIError, match=word):
        _run(logins.app, sql)


def test_the_read_login_sees_the_car_page_and_nothing_else(logins: Logins) -> None:
    database = Database.from_url(logins.admin)
    try:
        store = make_store(database)
        with database.write() as s:
            for n, status in enumerate((VehicleStatus.ON_SALE, VehicleStatus.SOLD), start=1):
                s.add(
                    Vehicle(
                        store_id=store,
                        stock_no=f"BJ01-S2026-0000{n}",
                        brand="大众",
                        model="朗逸",
                        year=2021,
                        mileage_km=32000,
                        energy=Energy.PETROL,
                        transmission=Transmission.AUTOMATIC,
                        list_price=Decimal("86000"),
                        cost_price=Decimal("70000"),
                        status=status,
                    )
                )
    finally:
        database.dispose()
    engine = create_engine(logins.read)
    try:
        with engine.connect() as conn:
            listed = conn.execute(text("SELECT stock_no FROM car_page_vehicles")).scalars().all()
            columns = conn.execute(text("SELECT * FROM car_page_vehicles")).keys()
    finally:
        engine.dispose()
    assert listed == ["BJ01-S2026-00001"]  # the sold car is not on the page
    assert "cost_price" not in columns and "vin" not in columns
    for table in ("customers", "vehicles", "media", "staff", "audit_entries"):
        with pytest.raises(DBAPIError, match="permission denied"):
            _run(logins.read, f"SELECT 1 FROM {table} LIMIT 1")
    with pytest.raises(DBAPIError, match="permission denied"):
        _run(logins.read, "INSERT INTO stores (id) VALUES (gen_random_uuid())")


def test_check_names_a_grant_made_by_hand_and_the_owner_narrows_it_again(
    logins: Logins,
) -> None:
    _run(logins.admin, f'GRANT UPDATE, TRUNCATE ON audit_entries TO "{logins.roles.app}"')
    engine = create_engine(logins.admin)
    try:
        with engine.connect() as conn:
            problems = privileges.check(conn, logins.roles)
        assert any("audit_entries" in p and "UPDATE" in p for p in problems)
        assert any("audit_entries" in p and "TRUNCATE" in p for p in problems)
        # What ``showroom db upgrade`` does when run as the owner login.
        owner = create_engine(logins.owner)
        with owner.begin() as conn:
            assert privileges.owner_prefix(conn) == logins.roles.owner[: -len("_owner")]
            privileges.apply_grants(conn, logins.roles)
        owner.dispose()
        with engine.connect() as conn:
            assert privileges.check(conn, logins.roles) == []
    finally:
        engine.dispose()


def test_db_check_warns_about_a_login_that_owns_the_tables(logins: Logins) -> None:
    app = check_connection(logins.app)
    assert app.ok and app.warnings == ()
    owner = check_connection(logins.owner)
    assert owner.ok and any("所有者" in w for w in owner.warnings)
    assert "注意" in owner.message
    superuser = check_connection(logins.admin)
    assert superuser.ok and any("超级用户" in w for w in superuser.warnings)
