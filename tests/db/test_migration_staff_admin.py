"""Migration 0012 on both backends: one role becomes a set, on_duty becomes a roster."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import text

from db import schema
from db.engine import Database


def _id(database: Database, value: uuid.UUID) -> object:
    return value.hex if database.kind == "sqlite" else value


def test_existing_staff_keep_their_role_and_duty_through_the_upgrade(database: Database) -> None:
    schema.downgrade(database, "0011_sync")
    now = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    stamp = now.replace(tzinfo=None) if database.kind == "sqlite" else now
    store = uuid.uuid4()
    # A customer owned by the manager: the rebuilt staff table must keep that reference.
    with database.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO stores (id, code, name, address, phone, timezone, letterhead, "
                "created_at, updated_at, row_version) "
                "VALUES (:i, 'BJ01', '测试展厅', '', '', 'Asia/Shanghai', '', :n, :n, 1)"
            ),
            {"i": _id(database, store), "n": stamp},
        )
        people = {}
        for username, role, on_duty, active in (
            ("boss", "manager", True, True),
            ("away", "sales", False, True),
            ("left", "appraiser", True, False),
        ):
            people[username] = uuid.uuid4()
            conn.execute(
                text(
                    "INSERT INTO staff (id, store_id, username, display_name, role, password_hash,"
                    " failed_attempts, active, on_duty, created_at, updated_at, row_version) "
                    "VALUES (:i, :s, :u, :u, :r, 'x', 0, :a, :d, :n, :n, 1)"
                ),
                {
                    "i": _id(database, people[username]),
                    "s": _id(database, store),
                    "u": username,
                    "r": role,
                    "a": active,
                    "d": on_duty,
                    "n": stamp,
                },
            )
        conn.execute(
            text(
                "INSERT INTO customers (id, store_id, name, title, phone, source_channel, owner_id,"
                " created_at, updated_at, row_version, budget_min, budget_max, intended_use,"
                " preferred_models, decision_cycle, notes) VALUES (:i, :s, '王', 'none',"
                " '13800000000', 'walk_in', :o, :n, :n, 1, NULL, NULL, '', '', '', '')"
            ),
            {
                "i": _id(database, uuid.uuid4()),
                "s": _id(database, store),
                "o": _id(database, people["boss"]),
                "n": stamp,
            },
        )
    schema.upgrade(database)
    assert schema.schema_state(database).status == "current"
    with database.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT s.username, r.role, s.weekly_pattern, s.disabled_at IS NOT NULL "
                "FROM staff s JOIN staff_roles r ON r.staff_id = s.id ORDER BY s.username"
            )
        ).all()
        owners = conn.execute(text("SELECT count(*) FROM customers WHERE owner_id IS NOT NULL"))
        assert owners.scalar() == 1
    assert [tuple(r) for r in rows] == [
        ("away", "sales", "0000000", False),
        ("boss", "manager", "1111111", False),
        ("left", "appraiser", "1111111", True),
    ]
    # And back: one role per person again, on duty from the pattern.
    schema.downgrade(database, "0011_sync")
    with database.engine.connect() as conn:
        back = conn.execute(text("SELECT username, role, on_duty FROM staff ORDER BY 1")).all()
    assert [(u, r, bool(d)) for u, r, d in back] == [
        ("away", "sales", False),
        ("boss", "manager", True),
        ("left", "appraiser", True),
    ]
    schema.upgrade(database)
