"""回访节奏 for leads without a customer record: the call plans the next one by the grade
chosen, the lead is on its consultant's one follow-up list, and its cadence ends when the
person walks in (the customer's takes over) or the lead is closed as lost."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from db.engine import Database
from db.enums import IntentGrade
from db.models import (
    AuditEntry,
    FollowUp,
    FollowUpStatus,
    InteractionChannel,
    Lead,
    LeadStatus,
    Role,
    SourceChannel,
    Title,
)
from showroom.errors import ConflictError, ValidationError
from showroom.services import cadence, follow_ups, interactions, leads, reception
from showroom.services.reception import NewCustomer
from showroom.sync import customer_ops, operations
from showroom.users import StaffUser
from tests.db.test_cadence import NOW, TODAY, _user, people
from tests.factories import make_staff

__all__ = ["people"]


def _lead(database: Database, user: StaffUser, phone: str = "13812340001") -> uuid.UUID:
    with database.write() as s:
        return leads.create_lead(
            s,
            user,
            leads.NewLead(phone=phone, name="钱", title=Title.MS, vehicle_text="朗逸 2021"),
            now=NOW - timedelta(hours=2),
        ).lead_id


def _call(
    database: Database,
    user: StaffUser,
    lead_id: uuid.UUID,
    *,
    on: date = TODAY,
    grade: IntentGrade | None = None,
    next_on: date | None = None,
) -> interactions.LoggedInteraction:
    now = datetime.combine(on, NOW.timetz())
    with database.write() as s:
        return interactions.log_interaction(
            s,
            user,
            interactions.NewInteraction(
                channel=InteractionChannel.PHONE,
                summary="介绍了车况",
                next_step="周六到店" if next_on else "",
                next_on=next_on,
                intent_grade=grade,
            ),
            lead_id=lead_id,
            now=now,
            today=on,
        )


def _due(database: Database, user: StaffUser, today: date) -> follow_ups.FollowUpList:
    with database.read() as s:
        return follow_ups.list_due(s, user, today, now=datetime.combine(today, NOW.timetz()))


def _lead_rows(listed: follow_ups.FollowUpList) -> list[tuple[str, date, str, str | None, int]]:
    return [
        (r.customer_name, r.due_on, r.reason, r.cadence_grade, r.days_overdue)
        for r in listed.rows
        if r.is_lead
    ]


def test_the_first_call_plans_the_next_by_the_grade_chosen_and_the_lead_comes_on_that_day(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    lead_id = _lead(database, sun)
    assert _lead_rows(_due(database, sun, TODAY + timedelta(days=30))) == []  # not called yet
    logged = _call(database, sun, lead_id, grade=IntentGrade.A)
    assert logged.lead_next_on == TODAY + timedelta(days=2)  # A: within 48 hours
    assert _lead_rows(_due(database, sun, TODAY + timedelta(days=1))) == []
    listed = _due(database, sun, TODAY + timedelta(days=2))
    assert _lead_rows(listed) == [("钱", TODAY + timedelta(days=2), "lead", "A", 0)]
    row = next(r for r in listed.rows if r.is_lead)
    assert row.customer_id is None and row.lead_id == lead_id and row.id == lead_id
    assert row.phone_masked == "138****0001" and row.consultant_name == "孙顾问"
    assert row.lead_title is Title.MS and row.intent_grade is IntentGrade.A
    assert (listed.due_today, listed.overdue) == (1, 0)
    # Not called on its day: it stays, overdue, counted with the customers' overdue calls.
    later = _due(database, sun, TODAY + timedelta(days=5))
    assert _lead_rows(later) == [("钱", TODAY + timedelta(days=2), "lead", "A", 3)]
    assert (later.due_today, later.overdue) == (0, 1)


def test_without_a_grade_chosen_the_lead_is_warm_and_each_call_plans_the_repeat(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    lead_id = _lead(database, sun)
    assert _call(database, sun, lead_id).lead_next_on == TODAY + timedelta(days=14)
    with database.read() as s:
        assert s.get_one(Lead, lead_id).intent_grade == cadence.LEAD_GRADE.value == "B"
    # The call on its day is logged: the next one is the grade's repeat (B: two weeks).
    day = TODAY + timedelta(days=14)
    assert _call(database, sun, lead_id, on=day).lead_next_on == day + timedelta(days=14)
    assert _lead_rows(_due(database, sun, day)) == []  # called today: off today's list
    assert _lead_rows(_due(database, sun, day + timedelta(days=14))) == [
        ("钱", day + timedelta(days=14), "cadence", "B", 0)
    ]
    # Warmer at the next call: the new grade's first interval, said as a grade change.
    hot = day + timedelta(days=14)
    assert _call(database, sun, lead_id, on=hot, grade=IntentGrade.A).lead_next_on == (
        hot + timedelta(days=2)
    )
    assert _lead_rows(_due(database, sun, hot + timedelta(days=2)))[0][2:4] == ("grade", "A")


def test_a_date_agreed_on_the_call_wins_and_grade_d_plans_nothing_more(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    lead_id = _lead(database, sun)
    saturday = TODAY + timedelta(days=4)
    assert _call(database, sun, lead_id, next_on=saturday).lead_next_on == saturday
    assert _lead_rows(_due(database, sun, saturday)) == [("钱", saturday, "interaction", None, 0)]
    assert _call(database, sun, lead_id, on=saturday, grade=IntentGrade.D).lead_next_on is None
    assert _lead_rows(_due(database, sun, saturday + timedelta(days=60))) == []


def test_the_stores_own_rule_sets_the_leads_date(
    database: Database, people: dict[str, StaffUser]
) -> None:
    with database.write() as s:
        cadence.save_rule(s, people["manager"], IntentGrade.C, 5, 10)
    lead_id = _lead(database, people["sun"])
    logged = _call(database, people["sun"], lead_id, grade=IntentGrade.C)
    assert logged.lead_next_on == TODAY + timedelta(days=5)


def test_each_consultant_sees_their_own_leads_and_the_manager_all(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    zhou = _user(
        database,
        make_staff(database, sun.store_id, "zhou", Role.SALES, display_name="周顾问"),
    )
    _call(database, sun, _lead(database, sun, "13812340001"), grade=IntentGrade.A)
    _call(database, zhou, _lead(database, zhou, "13812340002"), grade=IntentGrade.A)
    day = TODAY + timedelta(days=2)
    assert [r.phone_masked for r in _due(database, sun, day).rows] == ["138****0001"]
    assert [r.phone_masked for r in _due(database, zhou, day).rows] == ["138****0002"]
    with database.read() as s:
        mine = follow_ups.list_due(s, people["manager"], day, consultant_id=zhou.id)
        everyone = follow_ups.list_due(s, people["manager"], day)
    assert [r.consultant_name for r in mine.rows] == ["周顾问"]
    assert sorted(r.consultant_name for r in everyone.rows) == ["周顾问", "孙顾问"]
    assert everyone.due_today == 2


def test_the_lead_leaves_the_list_when_the_person_walks_in_and_the_customer_cadence_takes_over(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    lead_id = _lead(database, sun)
    _call(database, sun, lead_id, grade=IntentGrade.A)
    form = NewCustomer(
        name="钱",
        title=Title.MS,
        phone="",
        source_channel=SourceChannel.PHONE,
        consent_service=True,
        lead_id=lead_id,
    )
    walk_in = NOW + timedelta(days=1)
    with database.write() as s:
        result = reception.check_in(s, sun.actor, sun.store_id, new_customer=form, now=walk_in)
    with database.read() as s:
        lead = s.get_one(Lead, lead_id)
        assert lead.status is LeadStatus.VISITED and lead.customer_id == result.customer_id
        assert (lead.next_contact_on, lead.next_contact_reason) == (None, None)
    day = TODAY + timedelta(days=2)
    assert _lead_rows(_due(database, sun, day)) == []
    # The visit ends: the customer's own cadence plans one follow-up, the only entry.
    with database.write() as s:
        reception.check_out(
            s, sun, result.visit_id, reception.VisitOutcome.FOLLOW_UP, IntentGrade.A, now=walk_in
        )
    listed = _due(database, sun, day + timedelta(days=1))
    assert [(r.customer_name, r.is_lead, r.cadence_grade) for r in listed.rows] == [
        ("钱", False, "A")
    ]


def test_a_lead_for_a_known_customer_never_gets_its_own_cadence(
    database: Database, people: dict[str, StaffUser]
) -> None:
    from tests.db.test_cadence import _customer

    sun = people["sun"]
    cid = _customer(database, sun, IntentGrade.B)
    with database.read() as s:
        from db.models import Customer

        phone = s.get_one(Customer, cid).phone
    lead_id = _lead(database, sun, phone)
    assert _call(database, sun, lead_id, grade=IntentGrade.A).lead_next_on is None
    listed = _due(database, sun, TODAY + timedelta(days=60))
    assert all(not r.is_lead for r in listed.rows)
    with database.read() as s:
        opened = s.scalars(
            select(FollowUp).where(
                FollowUp.customer_id == cid, FollowUp.status == FollowUpStatus.OPEN
            )
        ).all()
    assert [f.reason for f in opened] == ["lead"]  # the customer's, planned when it came in


def test_a_lead_closed_as_lost_names_a_reason_from_the_list_and_leaves_the_list(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    lead_id = _lead(database, sun)
    _call(database, sun, lead_id, grade=IntentGrade.A)
    with database.write() as s, pytest.raises(ValidationError) as refused:
        leads.close(s, sun, lead_id, "", lost_reason="天气不好")
    assert refused.value.code == "lost_reason.unknown"
    with database.write() as s, pytest.raises(ValidationError):
        leads.close(s, sun, lead_id, "   ")  # neither a reason nor a lost reason
    payload = customer_ops.lead_close_payload(sun, lead_id, "", "已在别处购买")
    with database.write() as s:
        operations.apply(s, uuid.uuid4(), "lead.close", payload, created_at=NOW, origin="t")
    with database.read() as s:
        lead = s.get_one(Lead, lead_id)
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "lead_closed")).one()
    assert (lead.status, lead.lost_reason, lead.closed_reason) == (
        LeadStatus.CLOSED,
        "已在别处购买",
        "战败：已在别处购买",
    )
    assert lead.next_contact_on is None
    assert entry.detail["lost_reason"] == "已在别处购买"
    assert _lead_rows(_due(database, sun, TODAY + timedelta(days=2))) == []
    with database.write() as s, pytest.raises(ConflictError):
        leads.close(s, sun, lead_id, "重复")


def test_the_call_and_its_grade_travel_as_an_operation(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    lead_id = _lead(database, sun)
    form = interactions.NewInteraction(
        channel=InteractionChannel.PHONE, summary="回电", intent_grade=IntentGrade.C
    )
    payload = customer_ops.interaction_payload(sun, form, lead_id=lead_id, now=NOW, today=TODAY)
    with database.write() as s:
        done = operations.apply(
            s, uuid.uuid4(), "interaction.log", payload, created_at=NOW, origin="t", replay=True
        )
    assert done.value.lead_next_on == TODAY + timedelta(days=30)
    with database.read() as s:
        assert s.get_one(Lead, lead_id).intent_grade == "C"


def test_a_grade_is_chosen_for_leads_only(database: Database, people: dict[str, StaffUser]) -> None:
    from tests.db.test_cadence import _customer

    sun = people["sun"]
    cid = _customer(database, sun, IntentGrade.B)
    with database.write() as s, pytest.raises(ValidationError) as refused:
        interactions.log_interaction(
            s,
            sun,
            interactions.NewInteraction(
                channel=InteractionChannel.PHONE, summary="x", intent_grade=IntentGrade.A
            ),
            customer_id=cid,
            now=NOW,
            today=TODAY,
        )
    assert refused.value.code == "interaction.grade_not_lead"


def test_the_database_keeps_a_next_call_to_open_leads_without_a_customer(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    lead_id = _lead(database, sun)
    _call(database, sun, lead_id)
    for values in (
        {"status": LeadStatus.VISITED},  # visited but still planned
        {"next_contact_reason": None},  # a date without its why
        {"intent_grade": "E"},
        {"lost_reason": "价格太高"},  # lost but not closed
    ):
        with pytest.raises(IntegrityError), database.write() as s:
            s.execute(update(Lead).where(Lead.id == lead_id).values(**values))
    with database.write() as s:  # closing it and ending the cadence together is fine
        s.execute(
            update(Lead)
            .where(Lead.id == lead_id)
            .values(
                status=LeadStatus.CLOSED,
                lost_reason="价格太高",
                next_contact_on=None,
                next_contact_reason=None,
            )
        )
        assert s.scalar(text("SELECT count(*) FROM leads WHERE lost_reason IS NOT NULL")) == 1
