"""保修索赔 against a sold car, judged against the warranty, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from db.engine import Database
from db.models import Media, WarrantyClaim
from showroom.documents import archive
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.services import warranty as wt
from showroom.users import StaffUser
from tests.db.test_deals import FAKE_PDF, NOW, ZONE
from tests.db.test_returns import Sold

TERMS = wt.WarrantyTerms(days=30, km=3000)


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 40, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


class Claims(Sold):
    def claim(
        self,
        *,
        days: float = 5,
        mileage: int | str = 32_500,
        part: str = "gearbox",
        photos: tuple[bytes, ...] = (),
        user: StaffUser | None = None,
    ) -> wt.OpenedClaim:
        data = wt.ClaimInput(self.contract_id, part, "换挡顿挫，2 挡升 3 挡有冲击", mileage, photos)
        with self.database.write() as session:
            return wt.open_claim(
                session,
                user or self.sales,
                data,
                terms=TERMS,
                store_code="BJ01",
                now=NOW + timedelta(days=days),
                zone=ZONE,
            )

    def decide(self, claim_id: uuid.UUID, covered: bool, **kw: object) -> None:
        user = kw.pop("user", self.manager)
        with self.database.write() as session:
            wt.decide(
                session,
                user,  # type: ignore[arg-type]
                claim_id,
                diagnosis=str(kw.pop("diagnosis", "阀体电磁阀故障")),
                covered=covered,
                reason=str(kw.pop("reason", "变速箱自身质量问题，在保修期内")),
                cost=kw.pop("cost", "2800"),  # type: ignore[arg-type]
                customer_cost=kw.pop("customer_cost", "0"),  # type: ignore[arg-type]
                now=NOW + timedelta(days=6),
            )


@pytest.fixture
def claims(database: Database) -> Claims:
    return Claims(database)


def test_a_claim_within_the_terms_is_numbered_and_listed_per_car_and_customer(
    claims: Claims,
) -> None:
    opened = claims.claim(photos=(jpeg(),))
    assert opened.claim_no == "BJ01-W2026-000001"
    assert (opened.within_terms, opened.days_since_delivery, opened.km_since_sale) == (
        True,
        5,
        500,
    )
    with claims.database.read() as session:
        by_car = wt.for_vehicle(session, claims.car_id)
        by_customer = wt.for_customer(session, claims.customer_ids[0])
        other = wt.for_customer(session, claims.customer_ids[1])
        stored = session.get_one(WarrantyClaim, opened.id)
        assert session.get(Media, stored.photos[0]) is not None
    assert [r.claim_no for r in by_car] == [r.claim_no for r in by_customer] == [opened.claim_no]
    assert other == []
    assert (by_car[0].part_label, by_car[0].decision_label, by_car[0].photo_count) == (
        "变速箱",
        "待诊断",
        1,
    )


@pytest.mark.parametrize(("days", "mileage"), [(31, 32_500), (5, 35_001)])
def test_past_the_days_or_the_kilometres_a_claim_is_outside_and_cannot_be_covered(
    claims: Claims, days: int, mileage: int
) -> None:
    opened = claims.claim(days=days, mileage=mileage)
    assert opened.within_terms is False
    with pytest.raises(ConflictError) as refused:
        claims.decide(opened.id, covered=True)
    assert refused.value.code == "warranty.outside_terms"
    claims.decide(
        opened.id, covered=False, reason="超出保修期限", cost="0", customer_cost="1200.50"
    )
    with claims.database.read() as session:
        (row,) = wt.for_store(session, claims.store_id)
    assert (row.decision, row.customer_cost) == ("not_covered", Decimal("1200.50"))


def test_bad_claims_are_refused(claims: Claims) -> None:
    for kw, code in (
        ({"part": "tyres"}, "warranty.part"),
        ({"mileage": 31_000}, "warranty.mileage_below_sale"),
        ({"mileage": ""}, "warranty.mileage_missing"),
        ({"photos": (b"not a photo",)}, "photo.corrupt"),
    ):
        with pytest.raises(ValidationError) as refused:
            claims.claim(**kw)  # type: ignore[arg-type]
        assert refused.value.code == code, kw
    with claims.database.read() as session:
        assert wt.for_store(session, claims.store_id) == []


def test_only_appraiser_or_manager_decides_once_and_covered_costs_the_customer_nothing(
    claims: Claims,
) -> None:
    opened = claims.claim()
    with pytest.raises(PermissionDenied):
        claims.decide(opened.id, covered=True, user=claims.sales)
    with pytest.raises(ValidationError) as paid:
        claims.decide(opened.id, covered=True, customer_cost="100")
    assert paid.value.code == "warranty.covered_paid"
    with pytest.raises(ValidationError):
        claims.decide(opened.id, covered=True, reason=" ")
    claims.decide(opened.id, covered=True)
    with pytest.raises(ConflictError) as again:
        claims.decide(opened.id, covered=False)
    assert again.value.code == "warranty.decided"


def test_a_returned_car_has_no_warranty(claims: Claims) -> None:
    claims.give_back()
    with pytest.raises(ConflictError) as refused:
        claims.claim()
    assert refused.value.code == "warranty.returned"


def test_the_desk_finds_the_sale_by_plate_stock_or_contract_number(claims: Claims) -> None:
    with claims.database.read() as session:
        for text in ("京a12345", "BJ01-S2026-00001", "bj01-2026-000001"):
            assert wt.find_sale(session, text.upper()) == claims.contract_id
    opened = claims.claim()
    with claims.database.read() as session:
        for text in ("138 0000 0001", "京A12345", ""):
            assert [r.id for r in wt.search(session, claims.store_id, text)] == [opened.id]
        with pytest.raises(NotFoundError):
            wt.search(session, claims.store_id, "13900000000")


def test_the_database_refuses_a_covered_claim_outside_the_terms_or_an_undecided_reason(
    claims: Claims,
) -> None:
    opened = claims.claim(days=40)
    for values in (
        {"decision": "covered", "decision_reason": "x", "decided_at": NOW},
        {"decision": "not_covered"},
        {"cost": Decimal("-1")},
    ):
        with pytest.raises(IntegrityError), claims.database.write() as session:
            session.execute(
                update(WarrantyClaim).where(WarrantyClaim.id == opened.id).values(**values)
            )


def test_the_claim_form_is_printed_once_decided_and_archived(claims: Claims) -> None:
    opened = claims.claim(days=35)

    def form() -> object:
        with claims.database.read() as session:
            return wt.prepare_form(session, opened.id, terms=TERMS, templates_dir=None, zone=ZONE)

    paper = form()
    with pytest.raises(ConflictError), claims.database.write() as session:
        wt.archive_form(session, claims.manager.actor, opened.id, paper, FAKE_PDF)  # type: ignore[arg-type]
    claims.decide(opened.id, covered=False, reason="超出保修期限", customer_cost="1200")
    paper = form()
    text = paper.signed_text()  # type: ignore[attr-defined]
    assert paper.number == "BJ01-W2026-000001" and "不予保修" in text  # type: ignore[attr-defined]
    assert "¥1,200.00" in text and "人民币壹仟贰佰元整" in text and "已超出保修期限" in text
    with claims.database.write() as session:
        stored = wt.archive_form(session, claims.manager.actor, opened.id, paper, FAKE_PDF)  # type: ignore[arg-type]
    with claims.database.read() as session:
        kind = archive.parse_kind("warranty")
        assert archive.find_original(session, kind, opened.claim_no).id == stored.id  # type: ignore[union-attr]
        assert session.scalar(select(WarrantyClaim.decision)) == "not_covered"
