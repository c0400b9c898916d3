"""收车: from a finished inspection to a car in stock, once, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import (
    Acquisition,
    AuditEntry,
    Energy,
    Inspection,
    InspectionStatus,
    PaymentMethod,
    Transmission,
    Vehicle,
    VehiclePurchase,
    VehicleStatus,
)
from showroom import numbering
from showroom.clock import utcnow
from showroom.documents import archive
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.services import audit
from showroom.services import purchases as pu
from tests.db.test_deals import FAKE_PDF, NOW, ZONE, World, _race, id_number, scribble

VIN = "LFV2A21K0G3012345"


class Yard(World):
    """The deal tests' store with a finished, valued inspection of a customer's car."""

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        with database.write() as session:
            inspection = Inspection(
                store_id=self.store_id,
                report_no="BJ01-J2026-00007",
                status=InspectionStatus.FINAL,
                plate="京B54321",
                vin=VIN,
                brand="大众",
                model="速腾",
                odometer_km=58_000,
                started_at=NOW - timedelta(hours=2),
                finalised_at=NOW - timedelta(hours=1),
                score=Decimal("86.0"),
                valuation_low=Decimal("72000"),
                valuation_high=Decimal("78000"),
            )
            session.add(inspection)
            session.flush()
            self.inspection_id = inspection.id
            # The deal tests' car was stored with stock no. 00001 by hand: move the counter on.
            numbering.next_stock_no(session, "BJ01", 2026)

    def offer(self, price: str = "75000", **kw: object) -> pu.DraftedPurchase:
        data = pu.PurchaseInput(
            self.inspection_id,
            self.customer_ids[1],
            price,
            str(kw.pop("seller_id", id_number("11010519850512345"))),
            PaymentMethod.TRANSFER,
            Energy.PETROL,
            Transmission.AUTOMATIC,
            payment_ref=str(kw.pop("ref", "6222-7788")),
            documents=kw.pop("documents", pu.HANDOVER[:3]),  # type: ignore[arg-type]
            accident=bool(kw.pop("accident", False)),
            year=2016,
            colour="黑色",
        )
        with self.database.write() as session:
            return pu.draft(
                session,
                kw.pop("user", self.manager),  # type: ignore[arg-type]
                data,
                store_code="BJ01",
                now=NOW,
                zone=ZONE,
            )

    def signed_paper(self, purchase_id: uuid.UUID) -> object:
        with self.database.read() as session:
            paper = pu.prepare_agreement(
                session, purchase_id, templates_dir=None, zone=ZONE, now=NOW
            )
        return pu.attach_signatures(paper, scribble(3), scribble(4), NOW, ZONE)

    def sign(self, purchase_id: uuid.UUID, database: Database | None = None) -> pu.SignedPurchase:
        paper = self.signed_paper(purchase_id)
        with (database or self.database).write() as session:
            return pu.sign(
                session,
                self.manager,
                purchase_id,
                paper,  # type: ignore[arg-type]
                scribble(3),
                scribble(4),
                FAKE_PDF,
                signed_at=NOW,
            )


@pytest.fixture
def yard(database: Database) -> Yard:
    return Yard(database)


def test_signing_the_offer_puts_the_car_in_stock_with_its_purchase_cost(yard: Yard) -> None:
    drafted = yard.offer()
    assert drafted.purchase_no == "BJ01-P2026-000001"
    done = yard.sign(drafted.id)
    with yard.database.read() as session:
        car = session.get_one(Vehicle, done.vehicle_id)
        purchase = session.get_one(VehiclePurchase, drafted.id)
        inspection = session.get_one(Inspection, yard.inspection_id)
        actions = session.scalars(select(AuditEntry.action)).all()
        stored = archive.find_original(session, archive.parse_kind("purchase"), done.purchase_no)
        assert audit.verify(session).ok
    assert (car.vin, car.plate, car.brand, car.model, car.mileage_km) == (
        VIN,
        "京B54321",
        "大众",
        "速腾",
        58_000,
    )
    assert (car.cost_price, car.status, car.acquisition) == (
        Decimal("75000.00"),
        VehicleStatus.PREPARING,
        Acquisition.CUSTOMER,
    )
    assert car.year == 2016 and car.colour == "黑色" and done.purchase_no in car.description
    assert (purchase.status, purchase.vehicle_id) == ("signed", car.id)
    assert inspection.vehicle_id == car.id
    assert stored is not None and stored.id == done.document_id
    assert {"purchase_drafted", "purchase_signed", "vehicle_intake"} <= set(actions)


def test_the_agreement_prints_the_price_in_capitals_the_seller_and_the_statements(
    yard: Yard,
) -> None:
    drafted = yard.offer(price="75,800", accident=True)
    text = yard.signed_paper(drafted.id).signed_text()  # type: ignore[attr-defined]
    assert "¥75,800.00" in text and "人民币柒万伍仟捌佰元整" in text
    assert id_number("11010519850512345") in text and "重大事故" in text
    assert "机动车登记证书" in text and "BJ01-J2026-00007" in text


@pytest.mark.parametrize(
    ("kw", "error", "code"),
    [
        ({"seller_id": ""}, ValidationError, "purchase.seller_id_missing"),
        ({"seller_id": "110105198505123450"}, ValidationError, "id_number.check_digit"),
        ({"price": "0"}, ValidationError, "amount.too_small"),
        ({"ref": ""}, ValidationError, "purchase.reference_missing"),
        ({"documents": ("机动车行驶证",)}, ValidationError, "purchase.papers_missing"),
    ],
)
def test_bad_offers_are_refused(
    yard: Yard, kw: dict[str, object], error: type[Exception], code: str
) -> None:
    kw = dict(kw)  # the parameters are shared by both databases' runs
    price = str(kw.pop("price", "75000"))
    with pytest.raises(error) as refused:
        yard.offer(price, **kw)
    assert refused.value.code.startswith(code.split(".")[0])  # type: ignore[attr-defined]
    with yard.database.read() as session:
        assert session.scalar(select(func.count()).select_from(VehiclePurchase)) == 0


def test_only_who_may_set_prices_buys(yard: Yard) -> None:
    with pytest.raises(PermissionDenied):
        yard.offer(user=yard.sales)


def test_a_draft_inspection_or_one_without_valuation_leads_to_no_offer(yard: Yard) -> None:
    with yard.database.write() as session:
        inspection = session.get_one(Inspection, yard.inspection_id)
        inspection.valuation_low = inspection.valuation_high = None
    with pytest.raises(ConflictError) as refused:
        yard.offer()
    assert refused.value.code == "purchase.no_valuation"
    with pytest.raises(NotFoundError):
        data = pu.PurchaseInput(
            uuid.uuid4(),
            yard.customer_ids[1],
            "1",
            id_number(),
            PaymentMethod.CASH,
            Energy.PETROL,
            Transmission.MANUAL,
        )
        with yard.database.write() as session:
            pu.draft(session, yard.manager, data, store_code="BJ01", now=NOW, zone=ZONE)


def test_a_second_offer_on_a_bought_car_is_refused_and_a_signed_one_is_not_signed_twice(
    yard: Yard,
) -> None:
    first, second = yard.offer(), yard.offer("76000")
    yard.sign(first.id)
    with pytest.raises(ConflictError) as again:
        yard.sign(first.id)
    assert again.value.code == "purchase.not_draft"
    with pytest.raises(ConflictError) as other:
        yard.sign(second.id)
    assert other.value.code == "purchase.already_bought"
    with pytest.raises(ConflictError):
        yard.offer()
    with yard.database.read() as session:
        assert (
            session.scalar(select(func.count()).select_from(Vehicle).where(Vehicle.vin == VIN)) == 1
        )


def test_two_desks_signing_offers_on_one_inspection_at_once_make_one_car(
    yard: Yard, database_url: str
) -> None:
    offers = [yard.offer(str(75000 + n)) for n in range(4)]

    def attempt(database: Database, i: int) -> object:
        return yard.sign(offers[i].id, database)

    results = _race(database_url, len(offers), attempt)
    wins = [r for r in results if isinstance(r, pu.SignedPurchase)]
    refusals = [r for r in results if isinstance(r, ConflictError)]
    assert len(wins) == 1 and len(refusals) == 3, results
    assert all(r.code == "purchase.already_bought" for r in refusals)
    with yard.database.read() as session:
        cars = session.scalars(select(Vehicle.id).where(Vehicle.vin == VIN)).all()
        states = sorted(session.scalars(select(VehiclePurchase.status)))
        stock_numbers = session.scalars(select(Vehicle.stock_no)).all()
    assert cars == [wins[0].vehicle_id] and states == ["draft"] * 3 + ["signed"]
    assert len(stock_numbers) == 2  # the deal tests' car and this one, no gap used


def test_the_database_keeps_one_signed_purchase_per_report(yard: Yard) -> None:
    first, second = yard.offer(), yard.offer("76000")
    done = yard.sign(first.id)
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), yard.database.write() as session:
        row = session.get_one(VehiclePurchase, second.id)
        row.status, row.signed_at = "signed", utcnow()
        row.vehicle_id = yard.car_id  # another car, same report
        session.flush()
    assert done.stock_no.startswith("BJ01-S2026-")


def test_the_desk_starts_an_offer_from_the_report_number_and_lists_purchases(yard: Yard) -> None:
    with yard.database.read() as session:
        start = pu.offer_start(session, " bj01-j2026-00007 ", now=NOW)
    assert (start.vehicle, start.plate, start.year) == ("大众 速腾", "京B54321", 2016)
    assert (start.valuation_low, start.valuation_high) == (Decimal("72000"), Decimal("78000"))
    drafted = yard.offer()
    done = yard.sign(drafted.id)
    with yard.database.read() as session:
        (row,) = pu.list_purchases(session, yard.store_id)
        with pytest.raises(ConflictError):
            pu.offer_start(session, "BJ01-J2026-00007", now=NOW)
        trade = pu.find_trade_in(session, drafted.purchase_no.lower(), yard.customer_ids[1])
    assert (row.status_label, row.stock_no, row.price) == (
        "已签订",
        done.stock_no,
        Decimal("75000"),
    )
    assert trade.amount == Decimal("75000.00") and "速腾" in trade.vehicle


def test_the_sellers_export_lists_the_purchase_and_erasure_keeps_it_as_a_legal_record(
    yard: Yard,
) -> None:
    from showroom.services import privacy_requests as pr

    done = yard.sign(yard.offer().id)
    with yard.database.write() as session:
        export = pr.export_customer(session, yard.manager, yard.customer_ids[1], zone=ZONE, now=NOW)
    (row,) = export.data["收车"]
    assert row["收车协议号"] == done.purchase_no and row["卖方身份证号"].startswith("110105")
    assert export.data["退车"] == [] and export.data["投诉"] == []
    with yard.database.write() as session:
        erased = pr.erase_customer(
            session, yard.manager, yard.customer_ids[1], reason="书面申请", now=NOW
        )
    assert erased.kept["vehicle_purchases"] == 1


def test_the_stored_signature_names_who_the_paper_names(yard: Yard) -> None:
    """Signed at another account's desk, the store's signature is kept under the name the
    agreement prints in its box (the drafter), as a contract keeps its consultant's."""
    from db.models import Role, Signature
    from showroom.users import StaffUser
    from tests.factories import make_staff

    deputy_id = make_staff(
        yard.database, yard.store_id, "deputy", Role.MANAGER, display_name="李副店长"
    )
    deputy = StaffUser(
        deputy_id, "deputy", "李副店长", Role.MANAGER, yard.store_id, "BJ01", "测试展厅"
    )
    drafted = yard.offer()
    paper = yard.signed_paper(drafted.id)
    with yard.database.write() as session:
        pu.sign(
            session,
            deputy,
            drafted.id,
            paper,  # type: ignore[arg-type]
            scribble(3),
            scribble(4),
            FAKE_PDF,
            signed_at=NOW,
        )
    with yard.database.read() as session:
        names = dict(
            session.execute(
                select(Signature.signer_role, Signature.signer_name).where(
                    Signature.subject_id == drafted.id
                )
            ).all()
        )
    printed = paper.signatures[1].name  # type: ignore[attr-defined]
    assert printed == yard.manager.display_name != deputy.display_name
    assert names["consultant"] == printed
