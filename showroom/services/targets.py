"""经营目标: the manager's target and warning level per dashboard metric, and the verdict.

Counts (到店, 试驾, 意向金, 成交, 新客户) are set per month and pro-rated to the
days shown (a week shows 7/30 of the month's target); rates (成交率, 回访率,
复购率, 试驾成交率, 线索及时响应率) are whole percent. A figure at or above its target
is good (green); below the warning level it is bad (red); between the
two it needs watching (amber). With no warning level, anything below the
target is bad. Over several stores, count targets add up and rate
targets are averaged over the stores that set one.

个人目标: the manager also sets each consultant of their store a monthly target for
deals and for deal amount (whole yuan), pro-rated the same way and judged with the
same colours against that consultant's figures (``consultant_targets``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ConsultantTarget, DashboardTarget, Role, Staff
from db.models.org import CONSULTANT_TARGET_MAX
from showroom.errors import PermissionDenied, ValidationError
from showroom.services import audit
from showroom.services.reports import Dashboard
from showroom.users import StaffUser

COUNT, RATE = "count", "rate"
METRICS: dict[str, str] = {
    "visits": COUNT,
    "test_drives": COUNT,
    "deposits": COUNT,
    "deals": COUNT,
    "conversion": RATE,
    "revisit": RATE,
    "repurchase": RATE,
    "new_customers": COUNT,
    "drive_to_deal": RATE,
    "lead_in_time": RATE,
}
# Per consultant, per month: signed sales, and their amount in whole yuan.
CONSULTANT_METRICS = ("deals", "amount")
MAX_COUNT = 1_000_000
DAYS_PER_MONTH = 30
GOOD, WATCH, BAD = "good", "watch", "bad"


@dataclass(frozen=True)
class Target:
    """A metric's target and warning level (counts per month; rates in percent)."""

    metric: str
    target: float
    warning: float | None = None


@dataclass(frozen=True)
class Verdict:
    """A figure against its target, scaled to the range shown."""

    metric: str
    actual: float | None  # a count, or a rate in percent; None: nothing to measure
    target: float
    warning: float | None
    status: str | None  # good / watch / bad; None when there is no figure

    @property
    def met(self) -> bool:
        return self.status == GOOD


def list_targets(session: Session, store_ids: Sequence[uuid.UUID] | None) -> dict[str, Target]:
    """The targets for the stores shown (``None``: every store)."""
    stmt = select(DashboardTarget)
    if store_ids is not None:
        stmt = stmt.where(DashboardTarget.store_id.in_(list(store_ids)))
    grouped: dict[str, list[DashboardTarget]] = {}
    for row in session.scalars(stmt):
        grouped.setdefault(row.metric, []).append(row)
    found: dict[str, Target] = {}
    for metric, rows in grouped.items():
        if metric not in METRICS:
            continue  # a metric a newer app knows
        warnings = [r.warning for r in rows if r.warning is not None]
        if METRICS[metric] == COUNT:
            target = float(sum(r.target for r in rows))
            warning = float(sum(warnings)) if len(warnings) == len(rows) else None
        else:
            target = sum(r.target for r in rows) / len(rows)
            warning = sum(warnings) / len(warnings) if warnings else None
        found[metric] = Target(metric, target, warning)
    return found


def _check(metric: str, target: int | None, warning: int | None) -> None:
    if metric not in METRICS:
        raise ValidationError("target.metric", "未知的指标。")
    limit = 100 if METRICS[metric] == RATE else MAX_COUNT
    for value in (target, warning):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValidationError("target.number", "目标和预警线请填整数。")
    if target is None:
        if warning is not None:
            raise ValidationError("target.warning_without_target", "请先设目标，再设预警线。")
        return
    if not 1 <= target <= limit:
        raise ValidationError(
            "target.range", f"目标应在 1 到 {limit:,} 之间。", metric=metric, limit=f"{limit:,}"
        )
    if warning is not None and not 0 <= warning < target:
        raise ValidationError(
            "target.warning_range", "预警线应低于目标（不设预警线请留空）。", metric=metric
        )


def save_targets(
    session: Session,
    user: StaffUser,
    items: list[tuple[str, int | None, int | None]],
    consultants: Sequence[tuple[uuid.UUID, str, int | None, int | None]] = (),
) -> dict[str, Target]:
    """The manager sets their store's targets; a metric with no target is cleared.

    ``consultants``: (staff id, ``deals`` or ``amount``, target, warning) for the
    consultants of the manager's store, cleared the same way. All or none: every row
    is checked before anything is written; audit-logged.
    """
    if not user.has_role(Role.MANAGER):
        raise PermissionDenied("target.denied", "只有店长可以设置经营目标。")
    for metric, target, warning in items:
        _check(metric, target, warning)
    _check_consultants(session, user, consultants)
    existing = {
        row.metric: row
        for row in session.scalars(
            select(DashboardTarget)
            .where(DashboardTarget.store_id == user.store_id)
            .with_for_update()
        )
    }
    changed: dict[str, list[int | None]] = {}
    for metric, target, warning in items:
        row = existing.get(metric)
        if target is None:
            if row is not None:
                session.delete(row)
                changed[metric] = [None, None]
            continue
        if row is None:
            row = DashboardTarget(store_id=user.store_id, metric=metric)
            session.add(row)
        elif (row.target, row.warning) == (target, warning):
            continue
        row.target, row.warning, row.updated_by_id = target, warning, user.id
        changed[metric] = [target, warning]
    session.flush()
    if changed:
        audit.record(session, user.actor, "dashboard_targets_set", "store", user.store_id, changed)
    _save_consultants(session, user, consultants)
    return list_targets(session, [user.store_id])


def store_consultants(session: Session, store_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    """The store's active sales consultants (id, name), for the targets dialog."""
    people = session.scalars(
        select(Staff)
        .where(Staff.store_id == store_id, Staff.active.is_(True), Staff.deleted_at.is_(None))
        .order_by(Staff.display_name)
    )
    return [(person.id, person.display_name) for person in people if Role.SALES in person.roles]


def list_consultant_targets(
    session: Session, store_ids: Sequence[uuid.UUID] | None
) -> dict[uuid.UUID, dict[str, Target]]:
    """Each consultant's monthly targets, for the stores shown (``None``: every store)."""
    stmt = select(ConsultantTarget)
    if store_ids is not None:
        stmt = stmt.where(ConsultantTarget.store_id.in_(list(store_ids)))
    found: dict[uuid.UUID, dict[str, Target]] = {}
    for row in session.scalars(stmt):
        if row.metric in CONSULTANT_METRICS:
            found.setdefault(row.staff_id, {})[row.metric] = Target(
                row.metric,
                float(row.target),
                float(row.warning) if row.warning is not None else None,
            )
    return found


def _check_consultants(
    session: Session,
    user: StaffUser,
    items: Sequence[tuple[uuid.UUID, str, int | None, int | None]],
) -> None:
    for _, metric, target, warning in items:
        if metric not in CONSULTANT_METRICS:
            raise ValidationError("target.metric", "未知的指标。")
        for value in (target, warning):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ValidationError("target.number", "目标和预警线请填整数。")
        if target is None:
            if warning is not None:
                raise ValidationError("target.warning_without_target", "请先设目标，再设预警线。")
            continue
        limit = CONSULTANT_TARGET_MAX[metric]
        if not 1 <= target <= limit:
            raise ValidationError(
                "target.range", f"目标应在 1 到 {limit:,} 之间。", metric=metric, limit=f"{limit:,}"
            )
        if warning is not None and not 0 <= warning < target:
            raise ValidationError(
                "target.warning_range", "预警线应低于目标（不设预警线请留空）。", metric=metric
            )
    ids = {staff_id for staff_id, _, _, _ in items}
    if ids:
        mine = set(
            session.scalars(
                select(Staff.id).where(Staff.id.in_(list(ids)), Staff.store_id == user.store_id)
            )
        )
        if ids - mine:
            raise ValidationError("target.consultant_store", "只能为本店的销售顾问设置个人目标。")


def _save_consultants(
    session: Session,
    user: StaffUser,
    items: Sequence[tuple[uuid.UUID, str, int | None, int | None]],
) -> None:
    if not items:
        return
    existing = {
        (row.staff_id, row.metric): row
        for row in session.scalars(
            select(ConsultantTarget)
            .where(ConsultantTarget.store_id == user.store_id)
            .with_for_update()
        )
    }
    changed: dict[str, list[int | None]] = {}
    for staff_id, metric, target, warning in items:
        row = existing.get((staff_id, metric))
        key = f"{staff_id}:{metric}"
        if target is None:
            if row is not None:
                session.delete(row)
                changed[key] = [None, None]
            continue
        if row is None:
            row = ConsultantTarget(store_id=user.store_id, staff_id=staff_id, metric=metric)
            session.add(row)
        elif (row.target, row.warning) == (target, warning):
            continue
        row.target, row.warning, row.updated_by_id = target, warning, user.id
        changed[key] = [target, warning]
    session.flush()
    if changed:
        audit.record(session, user.actor, "consultant_targets_set", "store", user.store_id, changed)


def evaluate_consultants(
    dashboard: Dashboard, goals: dict[uuid.UUID, dict[str, Target]]
) -> dict[uuid.UUID, dict[str, Verdict]]:
    """Each consultant's deals and deal amount against their targets for the range."""
    scale = ((dashboard.end - dashboard.start).days + 1) / DAYS_PER_MONTH
    verdicts: dict[uuid.UUID, dict[str, Verdict]] = {}
    for person in dashboard.consultants:
        if person.consultant_id is None or person.consultant_id not in goals:
            continue
        actuals = {"deals": float(person.deals), "amount": float(person.deal_amount)}
        for metric, t in goals[person.consultant_id].items():
            target = round(t.target * scale, 1)
            warning = round(t.warning * scale, 1) if t.warning is not None else None
            actual = actuals[metric]
            verdicts.setdefault(person.consultant_id, {})[metric] = Verdict(
                metric, actual, target, warning, _status(actual, target, warning)
            )
    return verdicts


def _status(actual: float, target: float, warning: float | None) -> str:
    if actual >= target:
        return GOOD
    if warning is None or actual < warning:
        return BAD
    return WATCH


def evaluate(dashboard: Dashboard, targets: dict[str, Target]) -> dict[str, Verdict]:
    """Each metric with a target against the dashboard's figure for its range."""
    days = (dashboard.end - dashboard.start).days + 1
    scale = days / DAYS_PER_MONTH
    figures: dict[str, float | None] = {
        "visits": dashboard.visits,
        "test_drives": dashboard.test_drives,
        "deposits": dashboard.deposits,
        "deals": dashboard.deals,
        "new_customers": dashboard.new_customers,
    }
    for key, rate in (
        ("conversion", dashboard.conversion.rate),
        ("revisit", dashboard.revisit.rate),
        ("repurchase", dashboard.repurchase.rate),
        ("drive_to_deal", dashboard.drive_to_deal.rate),
        ("lead_in_time", dashboard.lead_response.in_time.rate),
    ):
        figures[key] = rate * 100 if rate is not None else None
    verdicts: dict[str, Verdict] = {}
    for metric, t in targets.items():
        factor = scale if METRICS[metric] == COUNT else 1.0
        target = round(t.target * factor, 1)
        warning = round(t.warning * factor, 1) if t.warning is not None else None
        actual = figures.get(metric)
        status = _status(actual, target, warning) if actual is not None else None
        verdicts[metric] = Verdict(metric, actual, target, warning, status)
    return verdicts
