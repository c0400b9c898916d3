"""排班: who is on duty on a given day of the store.

Each person has a weekly pattern (Monday..Sunday on/off, ``Staff.weekly_pattern``)
and day overrides (``RosterDay``): leave, sick, off-site, a day off swapped in,
or an extra shift on a day the pattern has off. "On duty today" is computed for
the store's local calendar day from an injected ``now``, so rotation at 00:05
and at 23:55 asks about the right day.

Everything that hands out people asks here: reception rotation and the fair
queue, the consultant pickers (test drive, board), the inspection bays, the
board's "on duty and free". Only active, not deleted people are ever on duty.
Changing the roster is for managers; reading it for everyone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Role, RosterDay, RosterStatus, Staff, StaffRole, Store
from showroom.clock import utcnow
from showroom.errors import NotFoundError, PermissionDenied, ValidationError
from showroom.services import audit
from showroom.services.stores import mark_setup_step
from showroom.users import StaffUser, ordered_roles

DEFAULT_ZONE = "Asia/Shanghai"
WEEKDAYS = 7
MAX_NOTE = 100
# How far ahead a manager may plan leave, and how far back correct it.
PLAN_AHEAD = timedelta(days=400)
CORRECT_BACK = timedelta(days=62)
OFF_STATUSES = frozenset(
    {RosterStatus.DAY_OFF, RosterStatus.LEAVE, RosterStatus.SICK, RosterStatus.OFF_SITE}
)

Admin = StaffUser | audit.Actor


def store_zone(session: Session, store_id: uuid.UUID) -> ZoneInfo:
    """The store's time zone (a bad or empty name falls back to China's)."""
    name = session.scalar(select(Store.timezone).where(Store.id == store_id)) or DEFAULT_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def store_day(session: Session, store_id: uuid.UUID, now: datetime | None = None) -> date:
    """The store's local calendar day at ``now``."""
    moment = now or utcnow()
    return moment.astimezone(store_zone(session, store_id)).date()


def pattern_works(pattern: str, day: date) -> bool:
    return len(pattern) == WEEKDAYS and pattern[day.weekday()] == "1"


def is_on_duty(pattern: str, override: RosterStatus | None, day: date) -> bool:
    if override is RosterStatus.ON_DUTY:
        return True
    if override in OFF_STATUSES:
        return False
    return pattern_works(pattern, day)


@dataclass(frozen=True)
class OnDuty:
    """A person on duty today, as pickers and the board list them."""

    id: uuid.UUID
    name: str
    roles: tuple[Role, ...]


def _overrides(
    session: Session, staff_ids: Iterable[uuid.UUID], first: date, last: date
) -> dict[tuple[uuid.UUID, date], RosterDay]:
    ids = list(staff_ids)
    if not ids:
        return {}
    rows = session.scalars(
        select(RosterDay).where(
            RosterDay.staff_id.in_(ids), RosterDay.day >= first, RosterDay.day <= last
        )
    )
    return {(r.staff_id, r.day): r for r in rows}


def on_duty(
    session: Session,
    store_id: uuid.UUID,
    *,
    role: Role | None = None,
    day: date | None = None,
    now: datetime | None = None,
) -> list[OnDuty]:
    """Active people of the store on duty on ``day`` (default: the store's today), by name.

    ``role`` keeps only holders of that role.
    """
    day = day or store_day(session, store_id, now)
    # Plain columns, not Staff objects: the desk asks this on every check-in.
    stmt = select(Staff.id, Staff.display_name, Staff.weekly_pattern).where(
        Staff.store_id == store_id, Staff.active.is_(True), Staff.deleted_at.is_(None)
    )
    if role is not None:
        stmt = stmt.where(Staff.holds(role))
    people = session.execute(stmt.order_by(Staff.display_name, Staff.id)).all()
    ids = [p.id for p in people]
    held: dict[uuid.UUID, set[Role]] = {i: set() for i in ids}
    if ids:
        for staff_id, held_role in session.execute(
            select(StaffRole.staff_id, StaffRole.role).where(StaffRole.staff_id.in_(ids))
        ):
            held[staff_id].add(held_role)
    overrides = _overrides(session, ids, day, day)
    result = []
    for person in people:
        override = overrides.get((person.id, day))
        if is_on_duty(person.weekly_pattern, override.status if override else None, day):
            result.append(OnDuty(person.id, person.display_name, ordered_roles(held[person.id])))
    return result


def on_duty_ids(
    session: Session,
    store_id: uuid.UUID,
    *,
    role: Role | None = None,
    now: datetime | None = None,
) -> set[uuid.UUID]:
    return {p.id for p in on_duty(session, store_id, role=role, now=now)}


def staff_on_duty(session: Session, staff_id: uuid.UUID, *, now: datetime | None = None) -> bool:
    """Whether this one person is on duty today (their store's day)."""
    person = session.get(Staff, staff_id)
    if person is None or not person.active or person.deleted_at is not None:
        return False
    day = store_day(session, person.store_id, now)
    override = session.scalar(
        select(RosterDay.status).where(RosterDay.staff_id == staff_id, RosterDay.day == day)
    )
    return is_on_duty(person.weekly_pattern, override, day)


# --- the week on screen ----------------------------------------------------------------------


@dataclass(frozen=True)
class DayCell:
    day: date
    on_duty: bool
    pattern_on: bool  # what the weekly pattern says for this weekday
    status: RosterStatus | None  # an override, if any
    note: str


@dataclass(frozen=True)
class RosterRow:
    staff_id: uuid.UUID
    display_name: str
    roles: tuple[Role, ...]
    weekly_pattern: str
    days: tuple[DayCell, ...]


@dataclass(frozen=True)
class RosterWeek:
    """Seven days from ``start`` (a Monday) for the store's active staff, managers first."""

    store_id: uuid.UUID
    start: date
    today: date
    rows: tuple[RosterRow, ...]

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(self.start + timedelta(days=n) for n in range(WEEKDAYS))

    def on_duty_count(self, day: date, role: Role) -> int:
        index = (day - self.start).days
        return sum(1 for r in self.rows if role in r.roles and r.days[index].on_duty)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week(
    session: Session,
    store_id: uuid.UUID,
    start: date | None = None,
    *,
    now: datetime | None = None,
) -> RosterWeek:
    """The roster of the week holding ``start`` (default: this week in the store's zone)."""
    today = store_day(session, store_id, now)
    first = monday_of(start or today)
    last = first + timedelta(days=WEEKDAYS - 1)
    people = session.scalars(
        select(Staff).where(
            Staff.store_id == store_id, Staff.active.is_(True), Staff.deleted_at.is_(None)
        )
    ).all()
    overrides = _overrides(session, (p.id for p in people), first, last)
    rows = []
    for person in people:
        cells = []
        for n in range(WEEKDAYS):
            day = first + timedelta(days=n)
            override = overrides.get((person.id, day))
            status = override.status if override else None
            cells.append(
                DayCell(
                    day,
                    is_on_duty(person.weekly_pattern, status, day),
                    pattern_works(person.weekly_pattern, day),
                    status,
                    override.note if override else "",
                )
            )
        rows.append(
            RosterRow(
                person.id,
                person.display_name,
                ordered_roles(person.roles),
                person.weekly_pattern,
                tuple(cells),
            )
        )
    rank = {role: n for n, role in enumerate(_ROW_ORDER)}
    rows.sort(
        key=lambda r: (min((rank.get(role, 9) for role in r.roles), default=9), r.display_name)
    )
    return RosterWeek(store_id, first, today, tuple(rows))


_ROW_ORDER = (Role.GROUP_MANAGER, Role.MANAGER, Role.RECEPTION, Role.SALES, Role.APPRAISER)


# --- changing it (managers) --------------------------------------------------------------------


def _person_for_manager(session: Session, admin: Admin, staff_id: uuid.UUID) -> Staff:
    person = session.get(Staff, staff_id)
    if person is None or person.deleted_at is not None:
        raise NotFoundError("staff.not_found", "没有这个员工。")
    if isinstance(admin, StaffUser):
        if not admin.is_manager:
            raise PermissionDenied("roster.manager_only", "只有店长可以修改排班。")
        if person.store_id != admin.store_id and not admin.is_group_manager:
            raise NotFoundError("staff.not_found", "没有这个员工。")
    return person


def _actor(admin: Admin) -> audit.Actor:
    return admin.actor if isinstance(admin, StaffUser) else admin


def parse_pattern(days: str | Sequence[bool]) -> str:
    """A weekly pattern from ``"1111100"`` or seven booleans (Monday first)."""
    text = days if isinstance(days, str) else "".join("1" if d else "0" for d in days)
    text = text.strip()
    if len(text) != WEEKDAYS or set(text) - {"0", "1"}:
        raise ValidationError(
            "roster.pattern_invalid",
            "每周排班为 7 位，周一到周日，1 表示上班、0 表示休息，例如 1111100。",
        )
    return text


def set_weekly_pattern(
    session: Session,
    admin: Admin,
    staff_id: uuid.UUID,
    days: str | Sequence[bool],
    *,
    now: datetime | None = None,
) -> str:
    """Set a person's usual week; returns the stored pattern."""
    person = _person_for_manager(session, admin, staff_id)
    pattern = parse_pattern(days)
    if pattern != person.weekly_pattern:
        old, person.weekly_pattern = person.weekly_pattern, pattern
        audit.record(
            session,
            _actor(admin),
            "roster_week_set",
            "staff",
            person.id,
            {"from": old, "to": pattern},
        )
    mark_setup_step(session, person.store_id, "roster", now=now)
    return pattern


def set_day(
    session: Session,
    admin: Admin,
    staff_id: uuid.UUID,
    day: date,
    status: RosterStatus | None,
    *,
    note: str = "",
    now: datetime | None = None,
) -> None:
    """Mark one day (leave, sick, off-site, day off, extra shift); ``None`` goes back to the
    weekly pattern. A day too far back or ahead is refused (a typo in the year)."""
    person = _person_for_manager(session, admin, staff_id)
    today = store_day(session, person.store_id, now)
    if day < today - CORRECT_BACK or day > today + PLAN_AHEAD:
        raise ValidationError(
            "roster.day_out_of_range",
            f"只能修改 {(today - CORRECT_BACK):%Y-%m-%d} 到 {(today + PLAN_AHEAD):%Y-%m-%d} "
            "之间的排班。",
            first=f"{today - CORRECT_BACK:%Y-%m-%d}",
            last=f"{today + PLAN_AHEAD:%Y-%m-%d}",
        )
    note = " ".join(note.split())
    if len(note) > MAX_NOTE:
        raise ValidationError("roster.note_long", f"备注最多 {MAX_NOTE} 个字。", maximum=MAX_NOTE)
    status = RosterStatus(status) if status is not None else None
    works = pattern_works(person.weekly_pattern, day)
    # An override that says what the pattern says anyway is no override: keep none.
    if status is RosterStatus.ON_DUTY and works and not note:
        status = None
    if status is RosterStatus.DAY_OFF and not works and not note:
        status = None
    row = session.scalar(
        select(RosterDay).where(RosterDay.staff_id == person.id, RosterDay.day == day)
    )
    before = row.status.value if row is not None else None
    old_note = row.note if row is not None else ""
    if status is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(
            RosterDay(
                staff_id=person.id,
                day=day,
                status=status,
                note=note,
                set_by_id=admin.id if isinstance(admin, StaffUser) else None,
            )
        )
    else:
        row.status, row.note = status, note
        row.set_by_id = admin.id if isinstance(admin, StaffUser) else None
    after = status.value if status is not None else None
    if before != after or (status is not None and note != old_note):
        audit.record(
            session,
            _actor(admin),
            "roster_day_set",
            "staff",
            person.id,
            {"day": day.isoformat(), "from": before, "to": after},
        )
    mark_setup_step(session, person.store_id, "roster", now=now)
