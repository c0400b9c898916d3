"""战败原因 at check-out and when a follow-up closes, the store's editable list, and the
satisfaction score on after-sale calls."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from db.engine import Database
from db.models import (
    AuditEntry,
    Customer,
    FollowUp,
    FollowUpStatus,
    GradeChange,
    IntentGrade,
    LostReason,
    Visit,
    VisitOutcome,
)
from showroom.errors import PermissionDenied, ValidationError
from showroom.services import follow_ups, lost_reasons, reception
from showroom.sync import operations
from showroom.users import StaffUser
from tests.db.test_cadence import NOW, TODAY, _check_out, _customer, _visit, people

__all__ = ["people"]


def _follow_up(
    database: Database, user: StaffUser, customer_id: uuid.UUID, reason: str
) -> uuid.UUID:
    with database.write() as s:
        f = FollowUp(customer_id=customer_id, consultant_id=user.id, due_on=TODAY, reason=reason)
        s.add(f)
        s.flush()
        return f.id


def test_the_store_starts_with_the_default_list_and_the_manager_edits_it(
    database: Database, people: dict[str, StaffUser]
) -> None:
    manager, sun = people["manager"], people["sun"]
    with database.read() as s:
        assert lost_reasons.list_reasons(s, sun.store_id) == lost_reasons.DEFAULTS
    with database.write() as s:
        saved = lost_reasons.save_reasons(
            s, manager, ["  价格太高 ", "", "车况不满意", "竞品店更便宜"]
        )
    assert saved == ("价格太高", "车况不满意", "竞品店更便宜")
    with database.write() as s:  # reorder and retire one; the row stays for history
        lost_reasons.save_reasons(s, manager, ["竞品店更便宜", "价格太高"])
    with database.read() as s:
        assert lost_reasons.list_reasons(s, sun.store_id) == ("竞品店更便宜", "价格太高")
        retired = s.scalars(select(LostReason).where(LostReason.label == "车况不满意")).one()
        assert retired.active is False
        assert (
            len(s.scalars(select(AuditEntry).where(AuditEntry.action == "lost_reasons_set")).all())
            == 2
        )
    with pytest.raises(PermissionDenied), database.write() as s:
        lost_reasons.save_reasons(s, sun, ["价格太高"])


@pytest.mark.parametrize(
    ("labels", "code"),
    [
        ([" ", ""], "lost_reason.empty"),
        (["价格太高", "价格太高"], "lost_reason.duplicate"),
        (["很" * 41], "lost_reason.too_long"),
    ],
)
def test_a_bad_list_is_refused_with_a_message(
    database: Database, people: dict[str, StaffUser], labels: list[str], code: str
) -> None:
    with pytest.raises(ValidationError) as caught, database.write() as s:
        lost_reasons.save_reasons(s, people["manager"], labels)
    assert caught.value.code == code


def test_the_database_refuses_a_blank_or_repeated_entry(
    database: Database, people: dict[str, StaffUser]
) -> None:
    store = people["sun"].store_id
    with pytest.raises(IntegrityError), database.write() as s:
        s.add(LostReason(store_id=store, label="  "))
        s.flush()
    with pytest.raises(IntegrityError), database.write() as s:
        s.add_all([LostReason(store_id=store, label="贵"), LostReason(store_id=store, label="贵")])
        s.flush()


def test_a_customer_leaving_without_interest_keeps_the_reason_on_the_visit(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    cid = _customer(database, sun, IntentGrade.B)
    visit_id = _visit(database, sun, cid)
    with pytest.raises(ValidationError) as caught, database.write() as s:
        reception.check_out(
            s, sun, visit_id, VisitOutcome.FOLLOW_UP, IntentGrade.B, now=NOW, lost_reason="价格太高"
        )
    assert caught.value.code == "visit.lost_reason_outcome"
    with pytest.raises(ValidationError) as caught, database.write() as s:
        reception.check_out(
            s, sun, visit_id, VisitOutcome.NO_INTEREST, IntentGrade.D, now=NOW, lost_reason="太远"
        )
    assert caught.value.code == "lost_reason.unknown"
    with database.write() as s:
        reception.check_out(
            s,
            sun,
            visit_id,
            VisitOutcome.NO_INTEREST,
            IntentGrade.D,
            now=NOW,
            lost_reason="价格太高",
        )
    with database.read() as s:
        assert s.get_one(Visit, visit_id).lost_reason == "价格太高"


def test_closing_a_follow_up_as_lost_plans_nothing_more_and_sets_grade_d(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    cid = _customer(database, sun, None)
    _check_out(database, sun, cid, IntentGrade.A)
    with database.read() as s:
        fid = s.scalars(select(FollowUp.id).where(FollowUp.customer_id == cid)).one()
    with pytest.raises(ValidationError) as caught, database.write() as s:
        follow_ups.complete(
            s, sun, fid, "已在别处买车", TODAY.replace(day=30), now=NOW, today=TODAY,
            lost_reason="已在别处购买",
        )  # fmt: skip
    assert caught.value.code == "follow_up.lost_with_next"
    payload = {
        "user": operations.user_payload(sun),
        "follow_up_id": str(fid),
        "result": "已在别处买车",
        "next_due": None,
        "now": NOW.isoformat(),
        "today": TODAY.isoformat(),
        "lost_reason": "已在别处购买",
    }
    with database.write() as s:
        done = operations.apply(
            s, uuid.uuid4(), "follow_up.complete", payload, created_at=NOW, origin="pc1"
        )
    assert done.value.next_follow_up_id is None  # no cadence repeat for a lost deal
    with database.read() as s:
        closed = s.get_one(FollowUp, fid)
        assert (closed.status, closed.lost_reason) == (FollowUpStatus.DONE, "已在别处购买")
        assert s.get_one(Customer, cid).intent_grade is IntentGrade.D
        change = s.scalars(select(GradeChange).where(GradeChange.reason.like("战败%"))).one()
        assert (change.old_grade, change.reason) == (IntentGrade.A, "战败：已在别处购买")
        assert (
            s.scalars(
                select(FollowUp).where(
                    FollowUp.customer_id == cid, FollowUp.status == FollowUpStatus.OPEN
                )
            ).all()
            == []
        )


def test_satisfaction_is_scored_on_after_sale_calls_only(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    cid = _customer(database, sun, IntentGrade.A)
    after_sale = _follow_up(database, sun, cid, "contract_3d")
    visit_call = _follow_up(database, sun, cid, "visit")
    for score, comment, fid, code in (
        (6, "", after_sale, "follow_up.satisfaction_range"),
        (0, "", after_sale, "follow_up.satisfaction_range"),
        (None, "很好", after_sale, "follow_up.comment_without_score"),
        (5, "x" * 501, after_sale, "follow_up.comment_too_long"),
        (4, "", visit_call, "follow_up.satisfaction_not_after_sale"),
    ):
        with pytest.raises(ValidationError) as caught, database.write() as s:
            follow_ups.complete(
                s, sun, fid, "回访", None, now=NOW, today=TODAY,
                satisfaction=score, satisfaction_comment=comment,
            )  # fmt: skip
        assert caught.value.code == code
    with pytest.raises(ValidationError) as caught, database.write() as s:
        follow_ups.complete(s, sun, after_sale, "回访", None, now=NOW, lost_reason="价格太高")
    assert caught.value.code == "follow_up.lost_after_sale"
    with database.write() as s:
        follow_ups.complete(
            s, sun, after_sale, "车况良好", None, now=NOW, today=TODAY,
            satisfaction=4, satisfaction_comment="  交车很快，手续清楚 ",
        )  # fmt: skip
    with database.read() as s:
        row = s.get_one(FollowUp, after_sale)
        assert (row.satisfaction, row.satisfaction_comment) == (4, "交车很快，手续清楚")


def test_the_database_refuses_a_score_outside_1_to_5(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    fid = _follow_up(database, sun, _customer(database, sun, None), "contract_1m")
    with pytest.raises(IntegrityError), database.write() as s:
        s.get_one(FollowUp, fid).satisfaction = 9
        s.flush()
    with pytest.raises(IntegrityError), database.write() as s:
        s.add(FollowUp(customer_id=s.get_one(FollowUp, fid).customer_id, due_on=TODAY,
                       reason="contract_3m", satisfaction=0))  # fmt: skip
        s.flush()


def test_the_list_is_saved_through_its_operation_and_needs_the_connection(
    database: Database, people: dict[str, StaffUser]
) -> None:
    assert operations.REGISTRY["lost_reason.save"].can_wait is False
    payload = {"user": operations.user_payload(people["manager"]), "labels": ["价格太高", "其他"]}
    with database.write() as s:
        done = operations.apply(
            s, uuid.uuid4(), "lost_reason.save", payload, created_at=NOW, origin="pc1"
        )
    assert done.value == ("价格太高", "其他")
