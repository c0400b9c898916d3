"""投诉: owner, deadline, resolution and what is overdue, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from db.engine import Database
from db.models import AuditEntry, Complaint, Customer, Role
from showroom.errors import ConflictError, PermissionDenied, ValidationError
from showroom.services import audit
from showroom.services import complaints as cp
from showroom.services import privacy_requests as pr
from showroom.sync import operations
from showroom.sync.after_sales_ops import reassign_payload, record_payload, resolve_payload
from showroom.users import StaffUser
from tests.db.test_deals import NOW, World
from tests.factories import make_staff, make_store


class Desk(World):
    def __init__(self, database: Database) -> None:
        super().__init__(database)
        self.sales2_id = make_staff(
            database, self.store_id, "sales2", Role.SALES, display_name="周顾问"
        )
        self.sales2 = StaffUser(
            self.sales2_id, "sales2", "周顾问", Role.SALES, self.store_id, "BJ01", "测试展厅"
        )

    def complain(
        self,
        *,
        topic: str = "car",
        text: str = "交车第二天空调不制冷",
        owner: uuid.UUID | None = None,
        customer: int = 0,
        hours: int = 24,
        at: timedelta = timedelta(0),
    ) -> cp.RecordedComplaint:
        form = cp.ComplaintInput(
            self.customer_ids[customer], topic, text, owner_id=owner, vehicle_id=self.car_id
        )
        with self.database.write() as session:
            return operations.apply(
                session,
                uuid.uuid4(),
                "complaint.record",
                record_payload(self.sales, form, response_hours=hours, now=NOW + at),
                created_at=NOW + at,
                origin="test",
            ).value

    def rows(self, at: timedelta = timedelta(0), **kw: object) -> list[cp.ComplaintRow]:
        with self.database.read() as session:
            return cp.list_complaints(session, self.store_id, now=NOW + at, **kw)  # type: ignore[arg-type]

    def resolve(
        self,
        complaint_id: uuid.UUID,
        user: StaffUser,
        text: str = "已免费更换压缩机",
        score: int | None = 5,
    ) -> None:
        payload = {
            **resolve_payload(user, complaint_id, text, score),
            "now": (NOW + timedelta(hours=30)).isoformat(),
        }
        with self.database.write() as session:
            operations.apply(
                session, uuid.uuid4(), "complaint.resolve", payload, created_at=NOW, origin="test"
            )


@pytest.fixture
def desk(database: Database) -> Desk:
    return Desk(database)


def test_a_complaint_is_numbered_owned_and_due_within_the_response_time(desk: Desk) -> None:
    done = desk.complain()
    assert done.complaint_no == "BJ01-C2026-000001"
    assert done.due_at == NOW + timedelta(hours=24) and done.owner_name == "孙顾问"
    (row,) = desk.rows()
    assert (row.topic_label, row.status_label, row.overdue) == ("车辆问题", "处理中", False)
    assert row.customer_name == "张*" and row.about == "BJ01-S2026-00001"
    with desk.database.read() as session:
        assert "complaint_recorded" in session.scalars(select(AuditEntry.action)).all()
        assert audit.verify(session).ok


def test_past_its_deadline_an_open_complaint_is_overdue_and_listed_first(desk: Desk) -> None:
    first = desk.complain(hours=4)
    desk.complain(text="合同上的过户费与口头承诺不一致", topic="price", at=timedelta(hours=1))
    assert [r.overdue for r in desk.rows(timedelta(hours=3))] == [False, False]
    later = desk.rows(timedelta(hours=5))
    assert (later[0].id, later[0].overdue) == (first.id, True)
    with desk.database.read() as session:
        late = cp.overdue(session, desk.store_id, NOW + timedelta(hours=5))
    assert [r.complaint_no for r in late] == [first.complaint_no]
    desk.resolve(first.id, desk.sales)
    with desk.database.read() as session:
        assert cp.overdue(session, desk.store_id, NOW + timedelta(hours=5)) == []
    resolved = desk.rows(timedelta(hours=40))[-1]
    assert (resolved.status_label, resolved.satisfaction, resolved.overdue) == ("已处理", 5, False)


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"topic": "weather"}, "complaint.topic"),
        ({"text": "   "}, "complaint.description_missing"),
        ({"hours": 0}, "complaint.hours"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    desk: Desk, kw: dict[str, object], code: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        desk.complain(**kw)  # type: ignore[arg-type]
    assert refused.value.code == code
    assert desk.rows() == []


def test_the_owner_must_be_active_staff_of_this_store(desk: Desk) -> None:
    other_store = make_store(desk.database, code="SH01")
    stranger = make_staff(desk.database, other_store, "sh_sales", Role.SALES)
    with pytest.raises(ValidationError) as refused:
        desk.complain(owner=stranger)
    assert refused.value.code == "complaint.owner_unknown"
    assert desk.complain(owner=desk.sales2_id).owner_name == "周顾问"


def test_only_the_owner_or_the_manager_resolves_and_only_once(desk: Desk) -> None:
    done = desk.complain(owner=desk.sales2_id)
    with pytest.raises(PermissionDenied):
        desk.resolve(done.id, desk.sales)
    with pytest.raises(ValidationError) as empty:
        desk.resolve(done.id, desk.sales2, text="")
    assert empty.value.code == "complaint.resolution_missing"
    with pytest.raises(ValidationError):
        desk.resolve(done.id, desk.sales2, score=6)
    desk.resolve(done.id, desk.manager, score=None)
    with pytest.raises(ConflictError) as again:
        desk.resolve(done.id, desk.sales2)
    assert again.value.code == "complaint.closed"


def test_the_manager_hands_a_complaint_over(desk: Desk) -> None:
    done = desk.complain()
    with desk.database.write() as session, pytest.raises(PermissionDenied):
        cp.reassign(session, desk.sales2, done.id, desk.sales2_id)
    with desk.database.write() as session:
        name = operations.apply(
            session,
            uuid.uuid4(),
            "complaint.reassign",
            reassign_payload(desk.manager, done.id, desk.sales2_id),
            created_at=NOW,
            origin="test",
        ).value
    assert name == "周顾问"
    assert desk.rows()[0].owner_name == "周顾问"
    assert operations.REGISTRY["complaint.reassign"].can_wait is False


def test_the_database_refuses_a_resolution_without_text_or_a_deadline_before_receipt(
    desk: Desk,
) -> None:
    done = desk.complain()
    for values in (
        {"status": "resolved", "resolved_at": NOW},
        {"due_at": NOW - timedelta(hours=1)},
        {"satisfaction": 9},
        {"topic": "weather"},
    ):
        with pytest.raises(IntegrityError), desk.database.write() as session:
            session.execute(update(Complaint).where(Complaint.id == done.id).values(**values))


def test_no_complaint_lands_on_a_merged_or_erased_customer(desk: Desk) -> None:
    with desk.database.write() as session:
        session.execute(
            update(Customer).where(Customer.id == desk.customer_ids[1]).values(deleted_at=NOW)
        )
    with pytest.raises(DBAPIError) as refused, desk.database.write() as session:
        session.add(
            Complaint(
                store_id=desk.store_id,
                complaint_no="BJ01-C2026-999999",
                customer_id=desk.customer_ids[1],
                topic="other",
                description="x",
                owner_id=desk.sales_id,
                received_at=NOW,
                due_at=NOW + timedelta(hours=1),
            )
        )
        session.flush()
    assert "customer_retired" in str(refused.value)


def test_erasure_removes_what_was_said_but_keeps_that_there_was_a_complaint(desk: Desk) -> None:
    done = desk.complain(customer=1)
    with desk.database.write() as session:
        pr.erase_customer(session, desk.manager, desk.customer_ids[1], reason="书面申请", now=NOW)
    with desk.database.read() as session:
        complaint = session.get_one(Complaint, done.id)
    assert complaint.description == pr.ERASED_TEXT and complaint.topic == "car"
