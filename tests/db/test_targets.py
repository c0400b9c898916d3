"""经营目标: the manager's targets and warning levels, and the dashboard's verdict on them."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from db.engine import Database
from db.models import AuditEntry, DashboardTarget
from showroom.errors import PermissionDenied, ValidationError
from showroom.services import targets
from showroom.services.reports import RateFigure, compute_dashboard
from showroom.sync import operations
from showroom.users import StaffUser
from tests.db.test_cadence import NOW, people
from tests.factories import make_store

__all__ = ["people"]

START, END = date(2026, 11, 1), date(2026, 11, 30)


def _dashboard(database: Database, start: date = START, end: date = END, **figures):  # type: ignore[no-untyped-def]
    with database.read() as s:
        empty = compute_dashboard(s, None, start, end, today=end)
    return replace(empty, **figures)


def test_the_manager_sets_targets_and_the_cards_turn_green_amber_or_red(
    database: Database, people: dict[str, StaffUser]
) -> None:
    manager = people["manager"]
    with database.write() as s:
        saved = targets.save_targets(
            s,
            manager,
            [("visits", 300, 200), ("deals", 30, None), ("conversion", 20, 15)],
        )
    assert saved["visits"] == targets.Target("visits", 300.0, 200.0)
    month = _dashboard(
        database, visits=250, deals=31, conversion=RateFigure(10, 100), intent_customers=100
    )
    verdicts = targets.evaluate(month, saved)
    assert {k: v.status for k, v in verdicts.items()} == {
        "visits": targets.WATCH,  # between the warning (200) and the target (300)
        "deals": targets.GOOD,
        "conversion": targets.BAD,  # 10 % < warning 15 %
    }
    assert verdicts["conversion"].actual == 10.0
    week = _dashboard(database, date(2026, 11, 1), date(2026, 11, 7), visits=71)
    assert targets.evaluate(week, saved)["visits"].target == 70.0  # 300 x 7/30
    assert targets.evaluate(week, saved)["visits"].status == targets.GOOD


def test_no_figure_means_no_verdict_and_clearing_a_target_removes_it(
    database: Database, people: dict[str, StaffUser]
) -> None:
    manager = people["manager"]
    with database.write() as s:
        targets.save_targets(s, manager, [("revisit", 90, None), ("visits", 100, None)])
    with database.write() as s:
        saved = targets.save_targets(s, manager, [("visits", None, None)])
    assert set(saved) == {"revisit"}
    verdict = targets.evaluate(_dashboard(database), saved)["revisit"]
    assert (verdict.actual, verdict.status) == (None, None)  # nothing was due
    with database.read() as s:
        entries = s.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "dashboard_targets_set")
        ).all()
    assert entries[-1] == {"visits": [None, None]}


@pytest.mark.parametrize(
    ("item", "code"),
    [
        (("conversion", 120, None), "target.range"),
        (("visits", 0, None), "target.range"),
        (("visits", 100, 100), "target.warning_range"),
        (("visits", None, 50), "target.warning_without_target"),
        (("smiles", 5, None), "target.metric"),
    ],
)
def test_a_bad_target_is_refused_with_a_message(
    database: Database,
    people: dict[str, StaffUser],
    item: tuple[str, int | None, int | None],
    code: str,
) -> None:
    with pytest.raises(ValidationError) as caught, database.write() as s:
        targets.save_targets(s, people["manager"], [("deals", 10, None), item])
    assert caught.value.code == code
    with database.read() as s:  # all or none
        assert s.scalars(select(DashboardTarget)).all() == []


def test_only_the_manager_sets_targets_and_the_database_checks_them(
    database: Database, people: dict[str, StaffUser]
) -> None:
    with pytest.raises(PermissionDenied), database.write() as s:
        targets.save_targets(s, people["sun"], [("deals", 10, None)])
    store = people["sun"].store_id
    for values in (
        {"metric": "revisit", "target": 101},
        {"metric": "deals", "target": 10, "warning": 10},
        {"metric": "deals", "target": 0},
    ):
        with pytest.raises(IntegrityError), database.write() as s:
            s.add(DashboardTarget(store_id=store, **values))
            s.flush()


def test_several_stores_add_count_targets_and_average_rate_targets(
    database: Database, people: dict[str, StaffUser]
) -> None:
    first = people["manager"]
    other = replace(first, id=first.id, store_id=make_store(database, "SH01", "上海店"))
    with database.write() as s:
        targets.save_targets(s, first, [("deals", 30, 20), ("conversion", 20, None)])
    with database.write() as s:
        targets.save_targets(s, other, [("deals", 10, None), ("conversion", 30, None)])
    with database.read() as s:
        both = targets.list_targets(s, None)
        one = targets.list_targets(s, [first.store_id])
    assert both["deals"] == targets.Target("deals", 40.0, None)  # one store set no warning
    assert both["conversion"].target == 25.0
    assert one["deals"] == targets.Target("deals", 30.0, 20.0)


def test_targets_are_saved_through_their_operation_and_need_the_connection(
    database: Database, people: dict[str, StaffUser]
) -> None:
    assert operations.REGISTRY["dashboard.targets_save"].can_wait is False
    payload = {
        "user": operations.user_payload(people["manager"]),
        "targets": [{"metric": "deals", "target": 12, "warning": 8}],
    }
    with database.write() as s:
        done = operations.apply(
            s, uuid.uuid4(), "dashboard.targets_save", payload, created_at=NOW, origin="pc"
        )
    assert done.value["deals"] == targets.Target("deals", 12.0, 8.0)
