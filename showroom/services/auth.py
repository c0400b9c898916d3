"""Staff sign-in with lockout, PIN checks for the kiosk, and staff accounts.

A wrong password and an unknown user get the same message, so the screen does
not reveal which usernames exist. Every attempt is audit logged.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Role, Staff, Store
from showroom.errors import PermissionDenied, ValidationError
from showroom.security import hash_secret, needs_rehash, verify_secret
from showroom.services import audit
from showroom.users import StaffUser

MIN_PASSWORD_LENGTH = 6
PIN_LENGTHS = range(4, 9)


def _user(staff: Staff, store: Store) -> StaffUser:
    return StaffUser(
        staff.id, staff.username, staff.display_name, staff.role, store.id, store.code, store.name
    )


def _now() -> datetime:
    return datetime.now(UTC)


def sign_in(
    session: Session,
    username: str,
    password: str,
    *,
    max_attempts: int = 5,
    lockout_minutes: int = 15,
    now: datetime | None = None,
) -> StaffUser:
    """Check a username and password; lock the account after repeated failures."""
    now = now or _now()
    username = username.strip()
    if not username or not password:
        raise ValidationError("auth.missing", "请输入用户名和密码。")
    staff = session.scalars(
        select(Staff)
        .where(func.lower(Staff.username) == username.lower(), Staff.deleted_at.is_(None))
        .with_for_update()
    ).first()
    if staff is None or not staff.active:
        audit.record(session, audit.SYSTEM, "sign_in_failed", "staff", "", {"username": username})
        raise PermissionDenied("auth.failed", "用户名或密码不正确。", keep_changes=True)
    actor = audit.Actor(staff.display_name, staff.id, staff.store_id)
    if staff.locked_until is not None and staff.locked_until > now:
        minutes = max(1, int((staff.locked_until - now).total_seconds() // 60) + 1)
        audit.record(session, actor, "sign_in_locked", "staff", staff.id)
        raise PermissionDenied(
            "auth.locked",
            f"输错次数过多，账号已锁定，请 {minutes} 分钟后再试，或请店长解锁。",
            minutes=minutes,
            keep_changes=True,
        )
    if not verify_secret(password, staff.password_hash):
        staff.failed_attempts += 1
        left = max_attempts - staff.failed_attempts
        if left <= 0:
            staff.locked_until = now + timedelta(minutes=lockout_minutes)
            staff.failed_attempts = 0
            audit.record(
                session, actor, "account_locked", "staff", staff.id, {"minutes": lockout_minutes}
            )
            raise PermissionDenied(
                "auth.locked",
                f"输错次数过多，账号已锁定 {lockout_minutes} 分钟。",
                minutes=lockout_minutes,
                keep_changes=True,
            )
        audit.record(session, actor, "sign_in_failed", "staff", staff.id, {"attempts_left": left})
        raise PermissionDenied(
            "auth.failed_attempts_left",
            f"用户名或密码不正确。再错 {left} 次账号将被锁定。",
            attempts_left=left,
            keep_changes=True,
        )
    staff.failed_attempts = 0
    staff.locked_until = None
    staff.last_sign_in_at = now
    if needs_rehash(staff.password_hash):
        staff.password_hash = hash_secret(password)
    audit.record(session, actor, "sign_in", "staff", staff.id)
    store = session.get_one(Store, staff.store_id)
    return _user(staff, store)


def verify_staff_pin(session: Session, pin: str) -> StaffUser:
    """Leave the kiosk: any active staff member's PIN opens the staff screens.

    Each failed try is logged; the kiosk itself slows repeated guesses.
    """
    pin = pin.strip()
    if not pin.isdigit() or len(pin) not in PIN_LENGTHS:
        raise ValidationError("auth.pin_format", "PIN 为 4 到 8 位数字。")
    candidates = session.scalars(
        select(Staff).where(
            Staff.pin_hash.is_not(None), Staff.active.is_(True), Staff.deleted_at.is_(None)
        )
    ).all()
    for staff in candidates:
        if verify_secret(pin, staff.pin_hash):
            actor = audit.Actor(staff.display_name, staff.id, staff.store_id)
            audit.record(session, actor, "kiosk_unlock", "staff", staff.id)
            return _user(staff, session.get_one(Store, staff.store_id))
    audit.record(session, audit.KIOSK, "kiosk_unlock_failed", "staff", "")
    raise PermissionDenied("auth.pin_wrong", "PIN 不正确。", keep_changes=True)


def create_staff(
    session: Session,
    actor: audit.Actor,
    *,
    store_id: uuid.UUID,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    pin: str | None = None,
) -> uuid.UUID:
    username = username.strip()
    if not username or not display_name.strip():
        raise ValidationError("staff.missing", "请填写用户名和姓名。")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            "staff.password_short",
            f"密码至少 {MIN_PASSWORD_LENGTH} 位。",
            minimum=MIN_PASSWORD_LENGTH,
        )
    if pin is not None and (not pin.isdigit() or len(pin) not in PIN_LENGTHS):
        raise ValidationError("auth.pin_format", "PIN 为 4 到 8 位数字。")
    exists = session.scalar(
        select(func.count())
        .select_from(Staff)
        .where(func.lower(Staff.username) == username.lower())
    )
    if exists:
        raise ValidationError(
            "staff.username_taken", f"用户名“{username}”已被使用。", username=username
        )
    staff = Staff(
        store_id=store_id,
        username=username,
        display_name=display_name.strip(),
        role=role,
        password_hash=hash_secret(password),
        pin_hash=hash_secret(pin) if pin else None,
    )
    session.add(staff)
    session.flush()
    audit.record(
        session,
        actor,
        "staff_created",
        "staff",
        staff.id,
        {"username": username, "role": role.value},
    )
    return staff.id


def unlock(session: Session, manager: StaffUser, staff_id: uuid.UUID) -> None:
    if manager.role is not Role.MANAGER:
        raise PermissionDenied("auth.manager_only", "只有店长可以解锁账号。")
    staff = session.get_one(Staff, staff_id)
    staff.locked_until = None
    staff.failed_attempts = 0
    audit.record(session, manager.actor, "account_unlocked", "staff", staff_id)


def has_staff(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Staff)))
