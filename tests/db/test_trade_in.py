"""置换: the buyer's own car credited against the price, to the fen, on both databases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import (
    Acquisition,
    AuditEntry,
    Contract,
    Energy,
    PaymentMethod,
    Transmission,
    Vehicle,
    VehiclePurchase,
    VehicleStatus,
)
from showroom.errors import ConflictError, ValidationError
from showroom.services import contracts as ct
from showroom.services import deposits as dp
from tests.db.test_deals import NOW, ZONE, World, id_number
from tests.db.test_purchases import Yard

TRADE_IN_PRICE = "75123.45"


class Swap(Yard):
    """Customer 1 sold us their car (signed purchase) and now buys the World car."""

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        drafted = self.offer(TRADE_IN_PRICE)
        self.purchase_id = drafted.id
        self.purchase_no = drafted.purchase_no
        self.bought = self.sign(drafted.id)

    def sale(
        self,
        price: str = "85000",
        *,
        customer: int = 1,
        deposit: dp.TakenDeposit | None = None,
        payments: tuple[ct.PaymentStep, ...] = (),
        car: object = None,
    ) -> ct.DraftedContract:
        data = ct.ContractInput(
            car or self.car_id,  # type: ignore[arg-type]
            self.customer_ids[customer],
            price,
            id_number("11010519850512345"),
            payments=payments,
            deposit_id=deposit.id if deposit else None,
            trade_in_id=self.purchase_id,
        )
        with self.database.write() as session:
            return ct.draft(session, self.sales.actor, data, store_code="BJ01", now=NOW, zone=ZONE)


@pytest.fixture
def swap(database: Database) -> Swap:
    return Swap(database)


def test_deposit_trade_in_and_balance_add_up_to_the_price_to_the_fen(swap: Swap) -> None:
    deposit = swap.take(1, "5000")
    drafted = swap.sale(deposit=deposit)
    with swap.database.read() as session:
        papers = ct.prepare_papers(session, drafted.id, templates_dir=None, zone=ZONE, now=NOW)
        terms = session.get_one(Contract, drafted.id).terms
    text = papers[0].signed_text()
    balance = Decimal("85000") - Decimal("5000") - Decimal(TRADE_IN_PRICE)
    assert balance == Decimal("4876.55")
    assert Decimal(terms["payments"][0]["amount"]) == balance  # type: ignore[index]
    assert Decimal(terms["deposit_amount"]) + Decimal(
        terms["trade_in"]["amount"]
    ) + balance == Decimal(  # type: ignore[index]
        "85000"
    )
    for expected in (
        "¥85,000.00",
        "¥5,000.00",
        "¥75,123.45",
        "人民币柒万伍仟壹佰贰拾叁元肆角伍分",
        "¥4,876.55",
        "人民币肆仟捌佰柒拾陆元伍角伍分",
        swap.purchase_no,
        "扣除意向金和置换车辆作价后",
    ):
        assert expected in text, expected
    signed = swap_sign_sale(swap, drafted.id)
    with swap.database.read() as session:
        purchase = session.get_one(VehiclePurchase, swap.purchase_id)
        traded = session.get_one(Vehicle, swap.bought.vehicle_id)
        sold = session.get_one(Vehicle, swap.car_id)
        actions = session.scalars(select(AuditEntry.action)).all()
    assert purchase.credited_contract_id == signed.contract_id
    assert traded.acquisition is Acquisition.TRADE_IN and sold.status is VehicleStatus.SOLD
    assert "trade_in_credited" in actions


def swap_sign_sale(swap: Swap, contract_id: object) -> ct.SignedContract:
    """The deal tests' contract signing (``Yard.sign`` signs purchases)."""
    return World.sign(swap, contract_id)  # type: ignore[arg-type]


def test_without_deposit_the_trade_in_alone_is_credited(swap: Swap) -> None:
    drafted = swap.sale("80000")
    with swap.database.read() as session:
        text = ct.prepare_papers(session, drafted.id, templates_dir=None, zone=ZONE, now=NOW)[
            0
        ].signed_text()
    assert "乙方未交付意向金；乙方以其自有车辆" in text and "扣除置换车辆作价后" in text
    assert "¥4,876.55" in text


def test_a_schedule_must_add_up_to_the_balance_after_the_trade_in(swap: Swap) -> None:
    with pytest.raises(ValidationError) as refused:
        swap.sale(payments=(ct.PaymentStep("签约当日", "85000", date(2026, 11, 24)),))
    assert refused.value.code == "contract.schedule_mismatch"
    swap.sale(
        payments=(
            ct.PaymentStep("签约当日", "4000", date(2026, 11, 24)),
            ct.PaymentStep("交车前", "5876.55", date(2026, 11, 30)),
        )
    )


def test_the_trade_in_must_be_the_buyers_signed_and_unused_and_not_above_the_price(
    swap: Swap,
) -> None:
    with pytest.raises(ConflictError) as other:
        swap.sale(customer=0)
    assert other.value.code == "contract.trade_in_other_customer"
    with pytest.raises(ValidationError) as over:
        swap.sale("70000")
    assert over.value.code == "contract.trade_in_over_price"
    first = swap.sale()
    swap_sign_sale(swap, first.id)
    with swap.database.write() as session:
        second_car = Vehicle(
            store_id=swap.store_id,
            stock_no="BJ01-S2026-09999",
            brand="丰田",
            model="卡罗拉",
            year=2020,
            mileage_km=40000,
            energy=Energy.PETROL,
            transmission=Transmission.AUTOMATIC,
            list_price=Decimal("90000"),
            status=VehicleStatus.ON_SALE,
        )
        session.add(second_car)
        session.flush()
        car_id = second_car.id
    with pytest.raises(ConflictError) as used:
        swap.sale(car=car_id)
    assert used.value.code == "contract.trade_in_used"


def test_returning_a_car_bought_with_a_trade_in_refunds_its_credit_and_says_so(
    swap: Swap,
) -> None:
    from datetime import timedelta

    from showroom.services import returns as rt

    drafted = swap.sale()
    signed = swap_sign_sale(swap, drafted.id)
    data = rt.ReturnInput(
        signed.contract_id,
        reason="不满意",
        condition="与交车时一致",
        mileage_km=32_100,
        method=PaymentMethod.CASH,
    )
    with swap.database.write() as session:
        done = rt.record_return(
            session,
            swap.manager,
            data,
            terms=rt.ReturnTerms(),
            store_code="BJ01",
            now=NOW + timedelta(days=2),
            zone=ZONE,
        )
    with swap.database.read() as session:
        text = rt.prepare_agreement(
            session, done.id, terms=rt.ReturnTerms(), templates_dir=None, zone=ZONE
        ).signed_text()
        traded = session.get_one(Vehicle, swap.bought.vehicle_id)
    assert done.refund == Decimal("85000.00")
    assert swap.purchase_no in text and "¥75,123.45" in text and "不予退回" in text
    assert traded.status is VehicleStatus.PREPARING  # the traded car stays the store's
