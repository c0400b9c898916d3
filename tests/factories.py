"""Small builders for test data: generated people only, never real ones."""

from __future__ import annotations

import uuid

from db.engine import Database
from db.models import Role, Staff, Store
from showroom.security import hash_secret

# Cheap KDF cost in tests: the hashing itself is tested separately.
FAST = {"n": 2**4, "r": 1, "p": 1}


def make_store(database: Database, code: str = "BJ01", name: str = "测试展厅") -> uuid.UUID:
    with database.write() as session:
        store = Store(code=code, name=name, address="北京市朝阳区测试路 1 号")
        session.add(store)
        session.flush()
        return store.id


def make_staff(
    database: Database,
    store_id: uuid.UUID,
    username: str,
    role: Role,
    password: str = "secret123",
    pin: str | None = None,
    display_name: str | None = None,
) -> uuid.UUID:
    with database.write() as session:
        staff = Staff(
            store_id=store_id,
            username=username,
            display_name=display_name or username,
            role=role,
            password_hash=hash_secret(password, **FAST),
            pin_hash=hash_secret(pin, **FAST) if pin else None,
        )
        session.add(staff)
        session.flush()
        return staff.id
