"""Staff administration (员工管理): who works here, in which roles, and their sign-in secrets.

A manager adds, edits and disables the people of their store; a group manager
(``Role.GROUP_MANAGER``) those of every store, and may move a person between
stores or grant the group role. The command line (an ``audit.Actor`` instead of
a ``StaffUser``) may do everything: whoever holds the database's credentials
already could.

Rules kept here:

- nobody is ever deleted: a person who signed anything is disabled (停用),
  which keeps their name on every paper, in the audit log and on their customers;
- a manager cannot disable themselves or drop their own manager role, and a
  store never loses its last active manager;
- a new account and a reset get a random temporary password, shown once and
  changed at the next sign-in (``must_change_password``); a PIN reset gives a
  random PIN, also shown once; PINs are unique among active staff;
- every change is audit logged with what changed (never a secret or a phone number).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Role, RosterDay, RosterStatus, Staff, Store
from showroom import passwords
from showroom.clock import utcnow
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.identifiers import normalize_mobile
from showroom.privacy import mask_phone
from showroom.security import hash_secret
from showroom.services import audit, auth, roster
from showroom.users import StaffUser, normalise_roles, ordered_roles

Admin = StaffUser | audit.Actor
MANAGING_ROLES = frozenset({Role.MANAGER, Role.GROUP_MANAGER})

# Managers first, then the floor in the order a visitor meets them.
_ROLE_RANK = {
    Role.GROUP_MANAGER: 0,
    Role.MANAGER: 1,
    Role.RECEPTION: 2,
    Role.SALES: 3,
    Role.APPRAISER: 4,
}


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


def _actor(admin: Admin) -> audit.Actor:
    return admin.actor if isinstance(admin, StaffUser) else admin


def _require_manager(admin: Admin, code: str = "staff.manager_only") -> None:
    if isinstance(admin, StaffUser) and not admin.is_manager:
        raise PermissionDenied(code, "只有店长可以管理员工账号。")


def _visible_store(admin: Admin, store_id: uuid.UUID) -> bool:
    return not isinstance(admin, StaffUser) or admin.is_group_manager or admin.store_id == store_id


def _person(session: Session, admin: Admin, staff_id: uuid.UUID, *, lock: bool = False) -> Staff:
    _require_manager(admin)
    person = session.get(Staff, staff_id, with_for_update=lock or None)
    if person is None or person.deleted_at is not None:
        raise NotFoundError("staff.not_found", "没有这个员工。")
    if not _visible_store(admin, person.store_id):
        raise NotFoundError("staff.not_found", "没有这个员工。")
    return person


# --- the list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRow:
    """One person as listed; ``locked`` and ``on_duty_today`` hold at the time of the query."""

    id: uuid.UUID
    username: str
    display_name: str
    roles: tuple[Role, ...]
    store_id: uuid.UUID
    store_code: str
    active: bool
    disabled_at: datetime | None
    locked: bool
    locked_until: datetime | None
    failed_attempts: int
    last_sign_in_at: datetime | None
    has_pin: bool
    must_change_password: bool
    phone_masked: str
    on_duty_today: bool
    today_status: RosterStatus | None

    def holds(self, role: Role) -> bool:
        return role in self.roles


def list_staff(
    session: Session,
    manager: Admin,
    *,
    store_id: uuid.UUID | None = None,
    include_inactive: bool = True,
    now: datetime | None = None,
) -> list[StaffRow]:
    """People of one store (the manager's own unless a group manager names another),
    managers first; disabled people last. ``store_id`` None on the command line: all stores.
    """
    if isinstance(manager, StaffUser):
        if not manager.is_manager:
            raise PermissionDenied("staff.manager_only", "只有店长可以查看员工列表。")
        store_id = store_id or manager.store_id
        if not _visible_store(manager, store_id):
            raise PermissionDenied(
                "store.other_store", "只能查看本店的员工；其他门店请由集团管理员查看。"
            )
    now = _now(now)
    stmt = select(Staff, Store.code).join(Store, Store.id == Staff.store_id)
    stmt = stmt.where(Staff.deleted_at.is_(None))
    if store_id is not None:
        stmt = stmt.where(Staff.store_id == store_id)
    if not include_inactive:
        stmt = stmt.where(Staff.active.is_(True))
    people = session.execute(stmt).all()
    days = {
        person.store_id: roster.store_day(session, person.store_id, now) for person, _ in people
    }
    overrides = {
        (r.staff_id, r.day): r.status
        for r in session.scalars(
            select(RosterDay).where(
                RosterDay.staff_id.in_([p.id for p, _ in people]),
                RosterDay.day.in_(set(days.values())),
            )
        )
    }
    rows = []
    for person, code in people:
        day = days[person.store_id]
        status = overrides.get((person.id, day))
        rows.append(
            StaffRow(
                id=person.id,
                username=person.username,
                display_name=person.display_name,
                roles=ordered_roles(person.roles),
                store_id=person.store_id,
                store_code=code,
                active=person.active,
                disabled_at=person.disabled_at,
                locked=person.locked_until is not None and person.locked_until > now,
                locked_until=person.locked_until,
                failed_attempts=person.failed_attempts,
                last_sign_in_at=person.last_sign_in_at,
                has_pin=person.pin_hash is not None,
                must_change_password=person.must_change_password,
                phone_masked=mask_phone(person.phone) if person.phone else "",
                on_duty_today=person.active
                and roster.is_on_duty(person.weekly_pattern, status, day),
                today_status=status,
            )
        )
    rows.sort(
        key=lambda r: (
            not r.active,
            r.store_code,
            min((_ROLE_RANK.get(role, 9) for role in r.roles), default=9),
            r.username.lower(),
        )
    )
    return rows


@dataclass(frozen=True)
class StaffDetail:
    """What the edit form opens with (the phone in full: the manager calls their staff)."""

    id: uuid.UUID
    username: str
    display_name: str
    roles: frozenset[Role]
    phone: str
    store_id: uuid.UUID
    active: bool
    has_pin: bool
    weekly_pattern: str
    row_version: int


def get_staff(session: Session, manager: Admin, staff_id: uuid.UUID) -> StaffDetail:
    person = _person(session, manager, staff_id)
    return StaffDetail(
        person.id,
        person.username,
        person.display_name,
        person.roles,
        person.phone or "",
        person.store_id,
        person.active,
        person.pin_hash is not None,
        person.weekly_pattern,
        person.row_version,
    )


def find_by_username(session: Session, username: str) -> uuid.UUID:
    found = session.scalar(
        select(Staff.id).where(
            func.lower(Staff.username) == username.strip().lower(), Staff.deleted_at.is_(None)
        )
    )
    if found is None:
        raise NotFoundError(
            "staff.no_username",
            f"没有用户名为“{username.strip()}”的员工。",
            username=username,
            username_text=username.strip(),
        )
    return found


# --- adding and editing ---------------------------------------------------------------------


@dataclass(frozen=True)
class StaffForm:
    """The add/edit form as typed. ``store_id`` None: the manager's own store."""

    display_name: str
    username: str
    roles: frozenset[Role]
    phone: str = ""
    store_id: uuid.UUID | None = None


@dataclass(frozen=True)
class IssuedSecret:
    """A temporary password or a PIN, shown once to the manager and never stored in clear."""

    staff_id: uuid.UUID
    username: str
    display_name: str
    kind: str  # "password" | "pin"
    secret: str


def _check_roles(admin: Admin, wanted: frozenset[Role], held: frozenset[Role]) -> None:
    if not wanted:
        raise ValidationError("staff.roles_missing", "请至少选择一个岗位。")
    group_change = (Role.GROUP_MANAGER in wanted) != (Role.GROUP_MANAGER in held)
    if group_change and isinstance(admin, StaffUser) and not admin.is_group_manager:
        raise PermissionDenied(
            "staff.group_role_denied", "只有集团管理员可以授予或取消“集团管理”岗位。"
        )


def _target_store(session: Session, admin: Admin, store_id: uuid.UUID | None) -> uuid.UUID:
    if store_id is None:
        if not isinstance(admin, StaffUser):
            raise ValidationError("staff.store_missing", "请指定门店。")
        return admin.store_id
    if not _visible_store(admin, store_id):
        raise PermissionDenied(
            "store.other_store", "只能为本店添加员工；其他门店请由集团管理员操作。"
        )
    store = session.get(Store, store_id)
    if store is None or store.deleted_at is not None:
        raise NotFoundError("store.not_found", "门店不存在。")
    return store_id


def _phone(text: str) -> str | None:
    return normalize_mobile(text) if text.strip() else None


def add_staff(
    session: Session,
    manager: Admin,
    form: StaffForm,
    *,
    pin: str | None = None,
    now: datetime | None = None,
) -> IssuedSecret:
    """A new person with a temporary password (returned once; changed at first sign-in)."""
    _require_manager(manager)
    roles = normalise_roles(form.roles)
    _check_roles(manager, roles, frozenset())
    store_id = _target_store(session, manager, form.store_id)
    password = passwords.temporary_password()
    staff_id = auth.create_staff(
        session,
        _actor(manager),
        store_id=store_id,
        username=form.username,
        display_name=form.display_name,
        roles=roles,
        password=password,
        pin=pin,
        phone=form.phone,
        must_change_password=True,
    )
    from showroom.services.stores import mark_setup_step

    mark_setup_step(session, store_id, "staff", now=now)
    person = session.get_one(Staff, staff_id)
    return IssuedSecret(staff_id, person.username, person.display_name, "password", password)


def _managers_left(session: Session, store_id: uuid.UUID, without: uuid.UUID) -> int:
    """Active people of the store, other than ``without``, who could manage it."""
    return int(
        session.scalar(
            select(func.count(func.distinct(Staff.id))).where(
                Staff.store_id == store_id,
                Staff.id != without,
                Staff.active.is_(True),
                Staff.deleted_at.is_(None),
                Staff.holds(Role.MANAGER) | Staff.holds(Role.GROUP_MANAGER),
            )
        )
        or 0
    )


def _keeps_a_manager(session: Session, person: Staff, *, losing: bool) -> None:
    if (
        losing
        and person.roles & MANAGING_ROLES
        and not _managers_left(session, person.store_id, person.id)
    ):
        raise ConflictError(
            "staff.last_manager",
            "这是本店最后一位店长：请先让另一位员工担任店长，再停用或取消其店长岗位。",
        )


def update_staff(
    session: Session,
    manager: Admin,
    staff_id: uuid.UUID,
    form: StaffForm,
    *,
    loaded_version: int | None = None,
) -> StaffDetail:
    """Save the edit form (name, username, roles, phone; store for group managers).

    ``loaded_version`` refuses a save over another PC's newer one (``staff.changed``).
    """
    person = _person(session, manager, staff_id, lock=True)
    if loaded_version is not None and loaded_version != person.row_version:
        raise ConflictError("staff.changed", "该员工的资料刚被其他电脑修改过，请重新打开后再改。")
    username = passwords.check_username(form.username)
    display_name = passwords.check_display_name(form.display_name)
    roles = normalise_roles(form.roles)
    _check_roles(manager, roles, person.roles)
    phone = _phone(form.phone)
    store_id = person.store_id if form.store_id is None else form.store_id
    if store_id != person.store_id:
        if isinstance(manager, StaffUser) and not manager.is_group_manager:
            raise PermissionDenied("staff.move_denied", "只有集团管理员可以把员工调到其他门店。")
        _target_store(session, manager, store_id)
    is_self = isinstance(manager, StaffUser) and manager.id == person.id
    if is_self and person.roles & MANAGING_ROLES and not roles & MANAGING_ROLES:
        raise ValidationError(
            "staff.own_manager_role", "不能取消自己的店长岗位，请由另一位店长操作。"
        )
    _keeps_a_manager(
        session,
        person,
        losing=person.active and (not roles & MANAGING_ROLES or store_id != person.store_id),
    )
    if auth.username_taken(session, username, except_id=person.id):
        raise ValidationError(
            "staff.username_taken", f"用户名“{username}”已被使用。", username=username
        )
    changed: dict[str, object] = {}
    if username != person.username:
        changed["username"] = {"from": person.username, "to": username}
        person.username = username
    if display_name != person.display_name:
        changed["display_name"] = {"from": person.display_name, "to": display_name}
        person.display_name = display_name
    if roles != person.roles:
        changed["roles"] = {
            "from": sorted(r.value for r in person.roles),
            "to": sorted(r.value for r in roles),
        }
        person.roles = roles
    if phone != person.phone:
        changed["phone"] = True  # that it changed, never the number
        person.phone = phone
    if store_id != person.store_id:
        old_code = session.get_one(Store, person.store_id).code
        changed["store"] = {"from": old_code, "to": session.get_one(Store, store_id).code}
        person.store_id = store_id
    if changed:
        session.flush()
        audit.record(session, _actor(manager), "staff_updated", "staff", person.id, changed)
    return get_staff(session, manager, person.id)


# --- disabling --------------------------------------------------------------------------------


def disable_staff(
    session: Session,
    manager: Admin,
    staff_id: uuid.UUID,
    *,
    reason: str = "",
    now: datetime | None = None,
) -> None:
    """停用: the person can no longer sign in or unlock the kiosk; their history stays
    (papers, audit log, the customers they own). Their PIN is cleared."""
    person = _person(session, manager, staff_id, lock=True)
    if isinstance(manager, StaffUser) and manager.id == person.id:
        raise ValidationError("staff.disable_self", "不能停用自己的账号，请由另一位店长操作。")
    if not person.active:
        return
    _keeps_a_manager(session, person, losing=True)
    reason = " ".join(reason.split())
    if len(reason) > 100:
        raise ValidationError("staff.reason_long", "停用原因最多 100 个字。", maximum=100)
    person.active = False
    person.disabled_at = _now(now)
    # The PIN goes: while they are away another person may choose the same digits, and a
    # PIN must name one person when they come back.
    person.pin_hash = None
    detail: dict[str, object] = {"username": person.username}
    if reason:
        detail["reason"] = reason
    audit.record(session, _actor(manager), "staff_disabled", "staff", person.id, detail)


def enable_staff(
    session: Session, manager: Admin, staff_id: uuid.UUID, *, now: datetime | None = None
) -> None:
    """Back to work: signing in is possible again (with the old password; reset it if needed).
    The PIN was cleared when the person was disabled; the manager sets a new one."""
    person = _person(session, manager, staff_id, lock=True)
    if person.active:
        return
    person.active = True
    person.disabled_at = None
    detail: dict[str, object] = {"username": person.username}
    audit.record(session, _actor(manager), "staff_enabled", "staff", person.id, detail)


# --- secrets -----------------------------------------------------------------------------------


def reset_password(
    session: Session, manager: Admin, staff_id: uuid.UUID, *, now: datetime | None = None
) -> IssuedSecret:
    """A new random temporary password (shown once); also unlocks the account."""
    person = _person(session, manager, staff_id, lock=True)
    if not person.active:
        raise ValidationError("staff.inactive", "该员工已停用。请先启用账号，再重置密码。")
    password = passwords.temporary_password()
    person.password_hash = hash_secret(password)
    person.must_change_password = True
    person.failed_attempts = 0
    person.locked_until = None
    audit.record(session, _actor(manager), "password_reset", "staff", person.id)
    return IssuedSecret(person.id, person.username, person.display_name, "password", password)


def set_pin(
    session: Session,
    manager: Admin,
    staff_id: uuid.UUID,
    pin: str | None = None,
    *,
    now: datetime | None = None,
) -> IssuedSecret:
    """Set the kiosk PIN (``None``: a random one). The PIN is returned to show once."""
    person = _person(session, manager, staff_id, lock=True)
    if not person.active:
        raise ValidationError("staff.inactive", "该员工已停用。请先启用账号，再设置 PIN。")
    chosen = pin.strip() if pin is not None else None
    if chosen is None:
        for _ in range(20):  # a random PIN that nobody else happens to have
            chosen = passwords.random_pin()
            if not auth.pin_in_use(session, chosen, except_id=person.id):
                break
        assert chosen is not None
    auth.check_new_pin(session, chosen, staff_id=person.id)
    person.pin_hash = hash_secret(chosen)
    audit.record(
        session,
        _actor(manager),
        "pin_set" if pin is not None else "pin_reset",
        "staff",
        person.id,
    )
    return IssuedSecret(person.id, person.username, person.display_name, "pin", chosen)


def clear_pin(session: Session, manager: Admin, staff_id: uuid.UUID) -> None:
    person = _person(session, manager, staff_id, lock=True)
    if person.pin_hash is None:
        return
    person.pin_hash = None
    audit.record(session, _actor(manager), "pin_cleared", "staff", person.id)


def unlock(session: Session, manager: Admin, staff_id: uuid.UUID) -> None:
    """Lift a lockout after too many wrong passwords (the person is who they say)."""
    person = _person(session, manager, staff_id, lock=True)
    person.locked_until = None
    person.failed_attempts = 0
    audit.record(session, _actor(manager), "account_unlocked", "staff", person.id)


def holders(session: Session, store_id: uuid.UUID, roles: Iterable[Role]) -> list[uuid.UUID]:
    """Active people of the store holding any of ``roles`` (for checks and tests)."""
    wanted = list(roles)
    if not wanted:
        return []
    condition = Staff.holds(wanted[0])
    for role in wanted[1:]:
        condition = condition | Staff.holds(role)
    return list(
        session.scalars(
            select(Staff.id).where(
                Staff.store_id == store_id,
                Staff.active.is_(True),
                Staff.deleted_at.is_(None),
                condition,
            )
        )
    )
