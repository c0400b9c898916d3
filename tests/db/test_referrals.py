"""老带新: recording who referred whom, the reward promised and paid, shown on both records,
kept by the database, moved by a merge and spared (but cleaned) by an erasure."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from db.engine import Database
from db.models import AuditEntry, Customer, IntentGrade, Referral
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.services import merge, privacy_requests, reception, referrals
from showroom.sync import operations
from showroom.users import StaffUser
from tests.db.test_cadence import NOW, _customer, people

__all__ = ["people"]


def _record(database: Database, user: StaffUser, a: uuid.UUID, b: uuid.UUID, **reward) -> uuid.UUID:  # type: ignore[no-untyped-def]
    with database.write() as s:
        return referrals.record(s, user, a, b, **reward)


def test_a_referral_with_a_cash_reward_shows_on_both_records_and_is_paid_once(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun, manager = people["sun"], people["manager"]
    old, new = _customer(database, sun, None), _customer(database, sun, IntentGrade.A)
    rid = _record(database, sun, old, new, reward_kind="amount", amount="500", note="同事")
    with database.read() as s:
        on_old = reception.customer_record(s, old, now=NOW).referrals
        on_new = reception.customer_record(s, new, now=NOW).referrals
    assert on_old == on_new
    line = on_old[0]
    assert (line.referrer_id, line.referred_id, line.reward_amount, line.reward_status) == (
        old,
        new,
        Decimal("500.00"),
        "promised",
    )
    with pytest.raises(PermissionDenied), database.write() as s:
        referrals.mark_paid(s, sun, rid, now=NOW)
    payload = {
        "user": operations.user_payload(manager),
        "referral_id": str(rid),
        "now": NOW.isoformat(),
    }
    assert operations.REGISTRY["referral.pay"].can_wait is False
    with database.write() as s:
        paid = operations.apply(
            s, uuid.uuid4(), "referral.pay", payload, created_at=NOW, origin="x"
        )
    assert (paid.value.reward_status, paid.value.paid_at) == ("paid", NOW)
    with pytest.raises(ConflictError) as caught, database.write() as s:
        referrals.mark_paid(s, manager, rid, now=NOW + timedelta(hours=1))
    assert caught.value.code == "referral.already_paid"
    with database.read() as s:
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.entity == "referral")).all()
        assert sorted(actions) == ["referral_recorded", "referral_reward_paid"]


@pytest.mark.parametrize(
    ("reward", "code"),
    [
        ({"reward_kind": "amount", "amount": "0"}, "referral.amount_range"),
        ({"reward_kind": "amount", "amount": "abc"}, "referral.amount_invalid"),
        ({"reward_kind": "amount", "amount": "12.345"}, "referral.amount_cents"),
        ({"reward_kind": "amount", "amount": "100001"}, "referral.amount_range"),
        ({"reward_kind": "gift", "gift": "  "}, "referral.gift_missing"),
        ({"reward_kind": "cash"}, "referral.reward_kind"),
    ],
)
def test_a_bad_reward_is_refused_with_a_message(
    database: Database, people: dict[str, StaffUser], reward: dict[str, str], code: str
) -> None:
    sun = people["sun"]
    a, b = _customer(database, sun, None), _customer(database, sun, None)
    with pytest.raises(ValidationError) as caught:
        _record(database, sun, a, b, **reward)
    assert caught.value.code == code


def test_one_referrer_per_customer_nobody_refers_themselves(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    a, b, c = (_customer(database, sun, None) for _ in range(3))
    _record(database, sun, a, c, reward_kind="gift", gift="保养券一张")
    with pytest.raises(ConflictError):
        _record(database, sun, b, c)
    with pytest.raises(ValidationError):
        _record(database, sun, a, a)
    with pytest.raises(NotFoundError):
        _record(database, sun, a, uuid.uuid4())


@pytest.mark.parametrize(
    "values",
    [
        {"reward_kind": "amount", "reward_amount": None, "reward_status": "promised"},
        {"reward_kind": "gift", "reward_gift": "", "reward_status": "promised"},
        {"reward_kind": "none", "reward_status": "promised"},
        {"reward_kind": "amount", "reward_amount": Decimal(5), "reward_status": "paid"},
        {"reward_kind": "none", "reward_status": "none", "same": True},
    ],
)
def test_the_database_keeps_the_reward_honest(
    database: Database, people: dict[str, StaffUser], values: dict[str, object]
) -> None:
    sun = people["sun"]
    a, b = _customer(database, sun, None), _customer(database, sun, None)
    values = dict(values)  # the parameter is shared by both databases' runs
    same = values.pop("same", False)
    with pytest.raises(IntegrityError), database.write() as s:
        s.add(
            Referral(
                store_id=sun.store_id,
                referrer_id=a,
                referred_id=a if same else b,
                **{"reward_gift": "", **values},
            )
        )
        s.flush()


def test_a_merge_moves_referrals_and_refuses_a_pair_who_referred_each_other(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun, manager = people["sun"], people["manager"]
    keep, drop, friend, other = (_customer(database, sun, None) for _ in range(4))
    _record(database, sun, drop, friend, reward_kind="amount", amount="300")
    _record(database, sun, other, drop)
    with database.write() as s:
        result = merge.merge_customers(s, manager, keep, drop, now=NOW)
    with database.read() as s:
        lines = referrals.lines(s, keep)
    assert {(x.referrer_id, x.referred_id) for x in lines} == {(keep, friend), (other, keep)}
    with database.write() as s:
        merge.unmerge(s, manager, result.audit_seq)
    with database.read() as s:
        assert {(x.referrer_id, x.referred_id) for x in referrals.lines(s, drop)} == {
            (drop, friend),
            (other, drop),
        }
    with pytest.raises(ConflictError) as caught, database.write() as s:
        merge.merge_customers(s, manager, other, drop, now=NOW)
    assert caught.value.code == "merge.referral_between"


def test_the_database_refuses_a_referral_to_a_retired_customer(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun = people["sun"]
    a, b = _customer(database, sun, None), _customer(database, sun, None)
    with database.write() as s:
        s.get_one(Customer, b).deleted_at = NOW
    with pytest.raises(IntegrityError), database.write() as s:
        s.add(Referral(store_id=sun.store_id, referrer_id=a, referred_id=b,
                       reward_kind="none", reward_status="none"))  # fmt: skip
        s.flush()


def test_erasure_waits_for_a_promised_reward_then_keeps_the_row_without_the_note(
    database: Database, people: dict[str, StaffUser]
) -> None:
    sun, manager = people["sun"], people["manager"]
    a, b = _customer(database, sun, None), _customer(database, sun, None)
    rid = _record(database, sun, a, b, reward_kind="amount", amount="200", note="张三的同事")
    with pytest.raises(ConflictError), database.write() as s:
        privacy_requests.erase_customer(s, manager, a, reason="客户要求删除", now=NOW)
    with database.write() as s:
        referrals.mark_paid(s, manager, rid, now=NOW)
    with database.write() as s:
        privacy_requests.erase_customer(s, manager, a, reason="客户要求删除", now=NOW)
    with database.read() as s:
        row = s.get_one(Referral, rid)
        assert (row.note, row.reward_amount, row.reward_status) == ("", Decimal("200.00"), "paid")
