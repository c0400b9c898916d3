"""Stores and the first-run set-up (first store and manager account)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Customer, Role, Staff, Store, Vehicle
from showroom.errors import ValidationError
from showroom.services import audit, auth


@dataclass(frozen=True)
class StoreInfo:
    id: uuid.UUID
    code: str
    name: str
    address: str
    phone: str
    letterhead: str


@dataclass(frozen=True)
class FirstRunState:
    has_store: bool
    has_staff: bool
    has_data: bool  # any vehicle or customer

    @property
    def needs_setup(self) -> bool:
        return not self.has_staff


def first_run_state(session: Session) -> FirstRunState:
    def exists(model: type) -> bool:
        return session.scalar(select(func.count()).select_from(model)) > 0  # type: ignore[operator]

    return FirstRunState(exists(Store), exists(Staff), exists(Vehicle) or exists(Customer))


def list_stores(session: Session) -> list[StoreInfo]:
    rows = session.scalars(select(Store).where(Store.deleted_at.is_(None)).order_by(Store.code))
    return [StoreInfo(s.id, s.code, s.name, s.address, s.phone, s.letterhead) for s in rows]


def set_up_first_store(
    session: Session,
    *,
    store_code: str,
    store_name: str,
    manager_username: str,
    manager_name: str,
    manager_password: str,
    manager_pin: str | None,
) -> uuid.UUID:
    """Create the first store and its manager; refused once any staff exists."""
    if first_run_state(session).has_staff:
        raise ValidationError("setup.done", "已经设置过门店和店长账号。")
    code = store_code.strip().upper()
    if not code.isalnum() or not 2 <= len(code) <= 8:
        raise ValidationError("store.code_invalid", "门店编号为 2 到 8 位字母或数字，例如 BJ01。")
    if not store_name.strip():
        raise ValidationError("store.name_missing", "请填写门店名称。")
    store = Store(code=code, name=store_name.strip())
    session.add(store)
    session.flush()
    audit.record(session, audit.SYSTEM, "store_created", "store", store.id, {"code": code})
    return auth.create_staff(
        session,
        audit.SYSTEM,
        store_id=store.id,
        username=manager_username,
        display_name=manager_name,
        role=Role.MANAGER,
        password=manager_password,
        pin=manager_pin,
    )
