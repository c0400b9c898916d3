"""Staff sign-in with lockout, PIN checks for the kiosk, and staff accounts.

A wrong password and an unknown user get the same message, so the screen does
not reveal which usernames exist. Every attempt is audit logged. A person
signed in with a temporary password (``must_change_password``) chooses their
own with ``change_password`` before the app opens; the password rules are in
``showroom.passwords``. Managing other people's accounts (add, edit, disable,
reset) is ``showroom.services.staff``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Role, Staff, Store
from showroom import passwords
from showroom.clock import utcnow
from showroom.errors import NotFoundError, PermissionDenied, ValidationError
from showroom.identifiers import normalize_mobile
from showroom.passwords import MIN_PASSWORD_LENGTH, PIN_LENGTHS
from showroom.security import hash_secret, needs_rehash, verify_secret
from showroom.services import audit
from showroom.users import StaffUser, normalise_roles

__all__ = ["MIN_PASSWORD_LENGTH", "PIN_LENGTHS", "StaffUser"]


def _user(staff: Staff, store: Store) -> StaffUser:
    return StaffUser(
        staff.id,
        staff.username,
        staff.display_name,
        staff.roles,
        store.id,
        store.code,
        store.name,
        must_change_password=staff.must_change_password,
    )


def user_of(session: Session, staff_id: uuid.UUID) -> StaffUser:
    """The ``StaffUser`` of an account (e.g. the manager just created at first run)."""
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFoundError("staff.not_found", "没有这个员工。")
    return _user(staff, session.get_one(Store, staff.store_id))


def _now() -> datetime:
    return utcnow()


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
    # PINs are unique among active staff (``pin_in_use``), so the first match is the person.
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


def pin_in_use(session: Session, pin: str, *, except_id: uuid.UUID | None = None) -> bool:
    """Whether another active person's PIN is ``pin`` (a PIN alone names who unlocks)."""
    rows = session.execute(
        select(Staff.id, Staff.pin_hash).where(
            Staff.pin_hash.is_not(None), Staff.active.is_(True), Staff.deleted_at.is_(None)
        )
    ).all()
    return any(r.id != except_id and verify_secret(pin, r.pin_hash) for r in rows)


def check_new_pin(session: Session, pin: str, *, staff_id: uuid.UUID | None = None) -> None:
    """The PIN rules of ``passwords.check_pin`` plus: nobody else active uses it."""
    passwords.check_pin(pin)
    if pin_in_use(session, pin, except_id=staff_id):
        raise ValidationError(
            "staff.pin_taken", "这个 PIN 已有其他员工在用，请换一个（自助机凭 PIN 识别员工）。"
        )


def username_taken(session: Session, username: str, *, except_id: uuid.UUID | None = None) -> bool:
    stmt = select(Staff.id).where(func.lower(Staff.username) == username.lower())
    if except_id is not None:
        stmt = stmt.where(Staff.id != except_id)
    return session.scalar(stmt.limit(1)) is not None


def create_staff(
    session: Session,
    actor: audit.Actor,
    *,
    store_id: uuid.UUID,
    username: str,
    display_name: str,
    roles: Role | Iterable[Role],
    password: str,
    pin: str | None = None,
    phone: str | None = None,
    must_change_password: bool = False,
) -> uuid.UUID:
    """A new account; the password and PIN rules apply (``showroom.passwords``)."""
    username = passwords.check_username(username)
    display_name = passwords.check_display_name(display_name)
    held = normalise_roles(roles)
    if not held:
        raise ValidationError("staff.roles_missing", "请至少选择一个岗位。")
    passwords.check_password(password, username)
    if pin:
        check_new_pin(session, pin)
    number = normalize_mobile(phone) if phone and phone.strip() else None
    if username_taken(session, username):
        raise ValidationError(
            "staff.username_taken", f"用户名“{username}”已被使用。", username=username
        )
    staff = Staff(
        store_id=store_id,
        username=username,
        display_name=display_name,
        roles=held,
        password_hash=hash_secret(password),
        pin_hash=hash_secret(pin) if pin else None,
        phone=number,
        must_change_password=must_change_password,
    )
    session.add(staff)
    session.flush()
    audit.record(
        session,
        actor,
        "staff_created",
        "staff",
        staff.id,
        {"username": username, "roles": sorted(r.value for r in held)},
    )
    return staff.id


def change_password(
    session: Session,
    staff_id: uuid.UUID,
    current: str,
    new: str,
    *,
    now: datetime | None = None,
) -> StaffUser:
    """A person sets their own password (after a temporary one, or any time).

    The current password is asked again, so a PC left signed in cannot be taken over.
    """
    now = now or _now()
    staff = session.get(Staff, staff_id, with_for_update=True)
    if staff is None or not staff.active or staff.deleted_at is not None:
        raise PermissionDenied("auth.failed", "用户名或密码不正确。")
    actor = audit.Actor(staff.display_name, staff.id, staff.store_id)
    if not verify_secret(current, staff.password_hash):
        audit.record(session, actor, "password_change_refused", "staff", staff.id)
        raise PermissionDenied("auth.current_wrong", "当前密码不正确。", keep_changes=True)
    passwords.check_password(new, staff.username)
    if new == current:
        raise ValidationError("staff.password_same", "新密码不能和当前密码（或临时密码）相同。")
    staff.password_hash = hash_secret(new)
    staff.must_change_password = False
    staff.failed_attempts = 0
    audit.record(session, actor, "password_changed", "staff", staff.id)
    return _user(staff, session.get_one(Store, staff.store_id))


def unlock(session: Session, manager: StaffUser, staff_id: uuid.UUID) -> None:
    if not manager.is_manager:
        raise PermissionDenied("auth.manager_only", "只有店长可以解锁账号。")
    staff = session.get(Staff, staff_id)
    if staff is None or (staff.store_id != manager.store_id and not manager.is_group_manager):
        raise NotFoundError("staff.not_found", "没有这个员工。")
    staff.locked_until = None
    staff.failed_attempts = 0
    audit.record(session, manager.actor, "account_unlocked", "staff", staff_id)


def has_staff(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Staff)))
