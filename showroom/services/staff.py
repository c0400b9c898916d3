"""The staff list the manager sees: who works here, in which role, and who is locked out.

Unlocking lives in ``showroom.services.auth.unlock`` next to the lockout rule;
this module only answers "who, and in what state".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Role, Staff
from showroom.errors import PermissionDenied
from showroom.users import StaffUser

# Managers first, then the floor in the order a visitor meets them.
_ROLE_ORDER = {Role.MANAGER: 0, Role.RECEPTION: 1, Role.SALES: 2, Role.APPRAISER: 3}


@dataclass(frozen=True)
class StaffRow:
    """One staff member as listed; ``locked`` is evaluated at the time of the query."""

    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    active: bool
    locked: bool
    locked_until: datetime | None
    failed_attempts: int
    last_sign_in_at: datetime | None
    has_pin: bool


def list_staff(
    session: Session, manager: StaffUser, *, now: datetime | None = None
) -> list[StaffRow]:
    """Staff of the manager's store (deleted accounts left out), managers first."""
    if manager.role is not Role.MANAGER:
        raise PermissionDenied("staff.manager_only", "只有店长可以查看员工列表。")
    now = now or datetime.now(UTC)
    rows = session.scalars(
        select(Staff).where(Staff.store_id == manager.store_id, Staff.deleted_at.is_(None))
    ).all()
    result = [
        StaffRow(
            id=s.id,
            username=s.username,
            display_name=s.display_name,
            role=s.role,
            active=s.active,
            locked=s.locked_until is not None and s.locked_until > now,
            locked_until=s.locked_until,
            failed_attempts=s.failed_attempts,
            last_sign_in_at=s.last_sign_in_at,
            has_pin=s.pin_hash is not None,
        )
        for s in rows
    ]
    result.sort(key=lambda r: (_ROLE_ORDER.get(r.role, 9), r.username.lower()))
    return result
