"""七日退车: a signed sale unwound exactly, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from db.engine import Database
from db.models import (
    AuditEntry,
    Contract,
    ContractStatus,
    Deposit,
    DepositStatus,
    FollowUp,
    FollowUpStatus,
    PaymentMethod,
    Vehicle,
    VehicleReturn,
    VehicleStatus,
)
from showroom.documents import archive
from showroom.errors import ConflictError, PermissionDenied, ValidationError
from showroom.services import audit
from showroom.services import contracts as ct
from showroom.services import returns as rt
from showroom.users import StaffUser
from tests.db.test_deals import FAKE_PDF, NOW, ZONE, World

TERMS = rt.ReturnTerms(days=7, km=300)


class Sold(World):
    """The World of the deal tests with the car sold to customer 0 (deposit ¥5,000 credited)."""

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        taken = self.take()
        drafted = self.draft(deposit_id=taken.id)
        self.contract_id = self.sign(drafted.id).contract_id
        self.deposit_id = taken.id

    def give_back(
        self,
        *,
        user: StaffUser | None = None,
        days: float = 3,
        mileage: int | str = 32_150,
        deductions: tuple[rt.Deduction, ...] = (rt.Deduction("已发生的检验费", "300"),),
        method: PaymentMethod = PaymentMethod.TRANSFER,
        ref: str = "6222-0001",
    ) -> rt.RecordedReturn:
        data = rt.ReturnInput(
            self.contract_id,
            reason="家人不同意，车型空间不够",
            condition="外观内饰与交车时一致，钥匙 2 把、行驶证、登记证书齐全",
            mileage_km=mileage,
            method=method,
            deductions=deductions,
            payment_ref=ref,
        )
        with self.database.write() as session:
            return rt.record_return(
                session,
                user or self.manager,
                data,
                terms=TERMS,
                store_code="BJ01",
                now=NOW + timedelta(days=days),
                zone=ZONE,
            )


@pytest.fixture
def sold(database: Database) -> Sold:
    return Sold(database)


def test_a_return_unwinds_the_sale_exactly(sold: Sold) -> None:
    done = sold.give_back()
    assert done.return_no == "BJ01-T2026-000001"
    assert (done.refund, done.deductions_total) == (Decimal("84700.00"), Decimal("300.00"))
    assert done.follow_ups_stopped == 5
    with sold.database.read() as session:
        car = session.get_one(Vehicle, sold.car_id)
        contract = session.get_one(Contract, sold.contract_id)
        deposit = session.get_one(Deposit, sold.deposit_id)
        follow_ups = session.scalars(
            select(FollowUp).where(FollowUp.contract_id == sold.contract_id)
        ).all()
        record = session.scalars(select(VehicleReturn)).one()
        rows = ct.list_contracts(session, sold.store_id)
        actions = session.scalars(select(AuditEntry.action)).all()
        assert audit.verify(session).ok
    # The car is back on sale with the return reading; the contract stays signed, 已退车.
    assert (car.status, car.mileage_km) == (VehicleStatus.ON_SALE, 32_150)
    assert contract.status is ContractStatus.SIGNED
    assert contract.returned_at == NOW + timedelta(days=3)
    assert rows[0].status_label == "已退车"
    # The deposit stays credited to that contract; the refund pays it back with the price.
    assert deposit.status is DepositStatus.APPLIED
    assert deposit.applied_contract_id == sold.contract_id
    assert record.deposit_id == sold.deposit_id
    assert record.refund == record.price - record.deductions_total
    assert (record.sale_mileage_km, record.mileage_km) == (32_000, 32_150)
    assert {f.status for f in follow_ups} == {FollowUpStatus.SKIPPED}
    assert {f.result for f in follow_ups} == {rt.FOLLOW_UP_STOPPED}
    assert "vehicle_returned" in actions


def test_the_returned_car_can_be_reserved_and_sold_again_with_gapless_numbers(
    sold: Sold,
) -> None:
    sold.give_back()
    taken = sold.take(1)  # another customer reserves it
    drafted = sold.draft(1, deposit_id=taken.id)
    assert drafted.contract_no == "BJ01-2026-000002"
    sold.sign(drafted.id)
    with sold.database.read() as session:
        numbers = session.scalars(select(Contract.contract_no).order_by(Contract.contract_no))
        assert list(numbers) == ["BJ01-2026-000001", "BJ01-2026-000002"]
        assert session.get_one(Vehicle, sold.car_id).status is VehicleStatus.SOLD


def test_the_window_is_counted_from_delivery_and_a_late_return_is_refused(sold: Sold) -> None:
    with pytest.raises(ConflictError) as late:
        sold.give_back(days=8)
    assert late.value.code == "return.window_closed"
    assert "8 天" in late.value.message
    with sold.database.read() as session:
        assert session.get_one(Vehicle, sold.car_id).status is VehicleStatus.SOLD
        assert session.scalar(select(func.count()).select_from(VehicleReturn)) == 0
    # The last day of the window still counts, and the refused try used no number.
    assert sold.give_back(days=7).return_no == "BJ01-T2026-000001"


def test_quote_says_the_window_and_the_mileage_allowed(sold: Sold) -> None:
    with sold.database.read() as session:
        q = rt.quote(session, sold.contract_id, terms=TERMS, now=NOW, zone=ZONE)
        late = rt.quote(
            session, sold.contract_id, terms=TERMS, now=NOW + timedelta(days=8), zone=ZONE
        )
    assert (q.sale_mileage_km, q.max_mileage_km) == (32_000, 32_300)
    assert q.last_day == NOW.date() + timedelta(days=7)
    assert q.within_window and not late.within_window
    assert q.deposit_amount == Decimal("5000.00")


@pytest.mark.parametrize(
    ("mileage", "error", "code"),
    [
        (31_999, ValidationError, "return.mileage_below_sale"),
        (32_301, ConflictError, "return.mileage_over"),
        ("", ValidationError, "return.mileage_missing"),
        ("三万", ValidationError, "return.mileage_invalid"),
    ],
)
def test_mileage_is_checked_against_the_contract(
    sold: Sold, mileage: int | str, error: type[Exception], code: str
) -> None:
    with pytest.raises(error) as refused:
        sold.give_back(mileage=mileage)
    assert refused.value.code == code  # type: ignore[attr-defined]
    with sold.database.read() as session:
        assert session.get_one(Vehicle, sold.car_id).status is VehicleStatus.SOLD


def test_only_the_manager_may_take_a_car_back(sold: Sold) -> None:
    with pytest.raises(PermissionDenied) as refused:
        sold.give_back(user=sold.sales)
    assert refused.value.code == "return.manager_only"


def test_deductions_must_be_named_and_not_exceed_the_price(sold: Sold) -> None:
    with pytest.raises(ValidationError) as over:
        sold.give_back(deductions=(rt.Deduction("车辆损伤", "90000"),))
    assert over.value.code == "return.deductions_over_price"
    with pytest.raises(ValidationError) as unnamed:
        sold.give_back(deductions=(rt.Deduction("", "100"),))
    assert unnamed.value.code == "return.deduction_label"
    with pytest.raises(ValidationError) as no_ref:
        sold.give_back(ref="")
    assert no_ref.value.code == "return.reference_missing"
    full = sold.give_back(deductions=(), method=PaymentMethod.CASH, ref="")
    assert full.refund == Decimal("85000.00")


def test_a_contract_is_returned_once(sold: Sold) -> None:
    sold.give_back()
    with pytest.raises(ConflictError) as again:
        sold.give_back()
    assert again.value.code == "return.already_returned"


def test_the_database_refuses_a_second_return_and_a_refund_that_does_not_add_up(
    sold: Sold,
) -> None:
    sold.give_back()
    with sold.database.read() as session:
        record = session.scalars(select(VehicleReturn)).one()
        fields = {
            c.key: getattr(record, c.key)
            for c in VehicleReturn.__table__.columns
            if c.key not in {"id", "return_no"}
        }
    for changes in (
        {},  # the same contract again
        {"contract_id": None, "refund": record.refund + Decimal("0.01")},
    ):
        values = {**fields, **changes}
        if values["contract_id"] is None:
            values["contract_id"] = sold.draft(1).id
        with pytest.raises(IntegrityError), sold.database.write() as session:
            session.add(
                VehicleReturn(**values, id=uuid.uuid4(), return_no="X-" + uuid.uuid4().hex[:8])
            )
            session.flush()


def test_the_return_agreement_prints_figures_and_capitals_and_is_archived(sold: Sold) -> None:
    done = sold.give_back()
    with sold.database.read() as session:
        paper = rt.prepare_agreement(session, done.id, terms=TERMS, templates_dir=None, zone=ZONE)
    text = paper.signed_text()
    assert paper.number == "BJ01-T2026-000001" and paper.title == "退车协议"
    for expected in ("¥84,700.00", "捌万肆仟柒佰元整", "BJ01-2026-000001", "BJ01-R2026-000001"):
        assert expected in text
    with sold.database.write() as session:
        stored = rt.archive_agreement(session, sold.manager.actor, done.id, paper, FAKE_PDF)
        again = rt.archive_agreement(session, sold.manager.actor, done.id, paper, FAKE_PDF)
    assert again.id == stored.id
    with sold.database.read() as session:
        assert archive.find_original(session, archive.parse_kind("return"), done.return_no)


def test_too_long_a_text_is_refused_never_cut(sold: Sold) -> None:
    """A transfer reference or a deduction item past its limit is refused, nothing saved."""
    with pytest.raises(ValidationError) as long_ref:
        sold.give_back(ref="6" * 61)
    assert long_ref.value.code == "text.too_long"
    assert long_ref.value.params["limit"] == 60 and long_ref.value.params["length"] == 61
    with pytest.raises(ValidationError) as long_item:
        sold.give_back(deductions=(rt.Deduction("检" * 61, "300"),))
    assert long_item.value.params["field"] == "return.deduction_label"
    with sold.database.read() as session:
        assert session.scalars(select(VehicleReturn)).first() is None
