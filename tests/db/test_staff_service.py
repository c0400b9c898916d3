"""The manager's staff list: roles, activity and lockout state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from db.engine import Database
from db.models import Role, Staff
from showroom.errors import PermissionDenied
from showroom.services import auth
from showroom.services.staff import list_staff
from tests.factories import make_staff, make_store

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def test_lists_this_stores_staff_managers_first_with_lock_state(database: Database) -> None:
    store_id = make_store(database)
    other = make_store(database, code="SH01")
    boss_id = make_staff(database, store_id, "boss", Role.MANAGER, pin="2468")
    locked_id = make_staff(database, store_id, "alice", Role.SALES)
    make_staff(database, store_id, "bob", Role.RECEPTION)
    make_staff(database, other, "elsewhere", Role.SALES)
    with database.write() as s:
        s.get_one(Staff, locked_id).locked_until = NOW + timedelta(minutes=5)
    manager = auth.StaffUser(boss_id, "boss", "boss", Role.MANAGER, store_id, "BJ01", "测试展厅")
    with database.read() as s:
        rows = list_staff(s, manager, now=NOW)
    assert [(r.username, r.role) for r in rows] == [
        ("boss", Role.MANAGER),
        ("bob", Role.RECEPTION),
        ("alice", Role.SALES),
    ]
    assert [r.locked for r in rows] == [False, False, True]
    assert rows[0].has_pin and not rows[1].has_pin
    # Once the lock has run out, the account shows as unlocked without anyone touching it.
    with database.read() as s:
        later = list_staff(s, manager, now=NOW + timedelta(minutes=6))
    assert not any(r.locked for r in later)


def test_only_a_manager_may_list_staff(database: Database) -> None:
    store_id = make_store(database)
    sid = make_staff(database, store_id, "alice", Role.SALES)
    user = auth.StaffUser(sid, "alice", "alice", Role.SALES, store_id, "BJ01", "测试展厅")
    with pytest.raises(PermissionDenied), database.read() as s:
        list_staff(s, user)
