"""Inspection records: autosave, photos, finalise and lock, corrections, stock summaries."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import select

from db.engine import Database
from db.models import (
    AuditEntry,
    ConditionGrade,
    Energy,
    InspectionStatus,
    ItemResult,
    Role,
    Transmission,
    Vehicle,
    VehicleStatus,
)
from showroom import inspection_grading as grading
from showroom.errors import ConflictError, ValidationError
from showroom.services import audit
from showroom.services import inspections as insp
from tests.factories import make_staff, make_store

NOW = datetime(2026, 12, 12, 2, 0, tzinfo=UTC)


class World:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.store_id = make_store(database)
        self.appraiser_id = make_staff(
            database, self.store_id, "app1", Role.APPRAISER, display_name="周评估"
        )
        self.actor = audit.Actor("周评估", self.appraiser_id, self.store_id)
        with database.write() as session:
            vehicle = Vehicle(
                store_id=self.store_id,
                stock_no="BJ01-S2026-00001",
                vin="LSVAU2180N2183293",
                plate="京A12345",
                brand="大众",
                model="朗逸",
                year=2020,
                mileage_km=45000,
                energy=Energy.PETROL,
                transmission=Transmission.AUTOMATIC,
                list_price=Decimal("75800"),
                status=VehicleStatus.ON_SALE,
            )
            session.add(vehicle)
            session.flush()
            self.vehicle_id = vehicle.id
            self.inspection_id = insp.start_for_vehicle(session, self.actor, vehicle.id, now=NOW)

    def view(self) -> insp.InspectionView:
        with self.database.read() as session:
            return insp.load(session, self.inspection_id)

    def mark_all(self, result: ItemResult = ItemResult.OK) -> None:
        with self.database.write() as session:
            for item in insp.load(session, self.inspection_id).items:
                insp.set_item(session, self.inspection_id, item.id, result=result)


@pytest.fixture
def world(database: Database) -> World:
    return World(database)


def photo_bytes(size: tuple[int, int] = (800, 600), fmt: str = "JPEG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (180, 40, 40)).save(out, fmt)
    return out.getvalue()


def test_each_change_is_saved_and_survives_a_fresh_session(world: World) -> None:
    """Autosave: what the appraiser did is there when the app is opened again."""
    view = world.view()
    assert [grading.SECTION_LABELS[s] for s in dict.fromkeys(i.section for i in view.items)] == [
        "车身",
        "发动机舱",
        "驾驶舱",
        "启动",
        "路试",
        "底盘",
    ]
    dent = view.items[1]
    with world.database.write() as session:
        insp.set_item(
            session,
            world.inspection_id,
            dent.id,
            result=ItemResult.DEFECT,
            severity=2,
            note="左前翼子板凹陷约 5 cm",
        )
        insp.set_item(session, world.inspection_id, view.items[0].id, result=ItemResult.OK)
        insp.set_valuation(
            session,
            world.inspection_id,
            low=Decimal("68000"),
            high=Decimal("72000"),
            note="参考同款成交价",
        )
    # A new engine: as if the app had crashed and been started again.
    url = world.database.engine.url
    fresh = Database.from_url(url)
    try:
        with fresh.read() as session:
            again = insp.load(session, world.inspection_id)
    finally:
        fresh.dispose()
    item = {i.id: i for i in again.items}[dent.id]
    assert (item.result, item.severity, item.note) == (
        ItemResult.DEFECT,
        2,
        "左前翼子板凹陷约 5 cm",
    )
    assert again.items[0].result is ItemResult.OK
    assert (again.valuation_low, again.valuation_high) == (Decimal("68000"), Decimal("72000"))
    assert again.scorecard.score == Decimal(97)  # 20 x 15 % = 3 off the body


def test_finalise_refuses_while_required_items_are_not_checked(world: World) -> None:
    with world.database.write() as session, pytest.raises(ValidationError) as caught:
        insp.finalise(session, world.actor, world.inspection_id)
    assert caught.value.code == "inspection.required_missing"
    assert "车身·发动机舱盖表面" in caught.value.message
    assert world.view().status is InspectionStatus.DRAFT


def test_finalise_scores_grades_and_locks_then_a_correction_is_a_new_revision(
    world: World,
) -> None:
    world.mark_all()
    with world.database.write() as session:
        card = insp.finalise(session, world.actor, world.inspection_id, now=NOW)
    assert (card.score, card.grade) == (Decimal(100), ConditionGrade.ONE)
    with world.database.write() as session, pytest.raises(ConflictError) as locked:
        insp.set_item(
            session, world.inspection_id, world.view().items[0].id, result=ItemResult.DEFECT
        )
    assert locked.value.code == "inspection.final"
    with world.database.write() as session, pytest.raises(ValidationError):
        insp.correct(session, world.actor, world.inspection_id, " ")
    with world.database.write() as session:
        second = insp.correct(session, world.actor, world.inspection_id, "漏记底盘渗漏")
    with world.database.read() as session:
        first, new = insp.load(session, world.inspection_id), insp.load(session, second)
    assert (new.revision, new.report_no, new.status) == (2, first.report_no, InspectionStatus.DRAFT)
    assert [i.result for i in new.items] == [i.result for i in first.items]
    assert first.final and first.has_later_revision
    with world.database.read() as session:
        actions = list(session.scalars(select(AuditEntry.action)))
    assert "inspection_finalised" in actions and "inspection_corrected" in actions


def test_accident_flood_or_fire_needs_evidence_and_makes_grade_five(world: World) -> None:
    world.mark_all()
    with world.database.write() as session:
        insp.set_structural(
            session, world.inspection_id, accident=False, flood=True, fire=False, evidence=""
        )
    with world.database.write() as session, pytest.raises(ValidationError) as caught:
        insp.finalise(session, world.actor, world.inspection_id)
    assert caught.value.code == "inspection.evidence_required"
    with world.database.write() as session:
        insp.set_structural(
            session,
            world.inspection_id,
            accident=False,
            flood=True,
            fire=False,
            evidence="座椅滑轨锈蚀，地毯下有泥沙",
        )
        card = insp.finalise(session, world.actor, world.inspection_id, now=NOW)
    assert card.grade is ConditionGrade.FIVE


def test_latest_inspection_for_vehicle_summarises_the_newest_final_revision(
    world: World,
) -> None:
    with world.database.read() as session:
        assert insp.latest_inspection_for_vehicle(session, world.vehicle_id) is None
    world.mark_all()
    with world.database.write() as session:
        insp.finalise(session, world.actor, world.inspection_id, now=NOW)
    with world.database.read() as session:
        summary = insp.latest_inspection_for_vehicle(session, world.vehicle_id)
    assert summary is not None
    assert (summary.grade_label, summary.score, summary.appraiser) == ("一级", 100, "周评估")
    assert summary.report_no.startswith("BJ01-J2026-")


def test_huge_photos_are_downscaled_and_corrupt_ones_refused(world: World) -> None:
    prepared = insp.prepare_photo(photo_bytes((6000, 4000)))
    assert max(prepared.width, prepared.height) == insp.PHOTO_MAX_SIDE
    assert Image.open(io.BytesIO(prepared.thumbnail)).size[0] <= insp.THUMB_SIDE
    item = world.view().items[3]
    with world.database.write() as session:
        insp.add_photo(session, world.inspection_id, item.id, prepared, "左后门划痕")
    assert {i.id: i for i in world.view().items}[item.id].photos == 1
    for bad in (b"not a photo", photo_bytes()[:200], b""):
        with pytest.raises(ValidationError) as caught:
            insp.prepare_photo(bad)
        assert caught.value.code in {"photo.corrupt", "photo.empty"}
        assert "照片" in caught.value.message


def test_valuation_range_must_be_in_order(world: World) -> None:
    with world.database.write() as session, pytest.raises(ValidationError) as caught:
        insp.set_valuation(session, world.inspection_id, low=Decimal(9), high=Decimal(8), note="")
    assert caught.value.code == "inspection.valuation_order"


def test_comparable_sales_come_from_the_dealers_own_cars(world: World) -> None:
    with world.database.read() as session:
        rows = insp.comparable_sales(session, "大众", "朗逸")
    assert [(r["stock_no"], r["price"], r["kind"]) for r in rows] == [
        ("BJ01-S2026-00001", "75800.00", "在售标价")
    ]


def test_a_store_checklist_replaces_the_default_for_new_inspections(world: World) -> None:
    items = [
        grading.ChecklistItem(s, f"X{n}", f"自定义{n}", required=n != 0)
        for n, s in enumerate(grading.SECTIONS)
    ]
    with world.database.write() as session:
        with pytest.raises(ValidationError):
            insp.save_checklist(session, world.actor, world.store_id, {"body": 50}, items)
        insp.save_checklist(
            session, world.actor, world.store_id, {"body": 25, "chassis": 10}, items
        )
        new_id = insp.start(session, world.actor, world.store_id, plate="京B12345")
        view = insp.load(session, new_id)
    assert [i.label for i in view.items] == [f"自定义{n}" for n in range(6)]
    assert len(view.missing_required()) == 5
    assert view.scorecard.sections[0].weight == 25


def test_a_report_without_valuation_says_so_instead_of_dashes(world: World) -> None:
    world.mark_all()
    with world.database.write() as session:
        insp.finalise(session, world.actor, world.inspection_id, now=NOW)
    with world.database.read() as session:
        text = insp.report_document(session, world.inspection_id).signed_text()
    assert "本次检测未作估价" in text
    assert "— 至 —" not in text and "估价方法" not in text
    with world.database.write() as session:
        second = insp.correct(session, world.actor, world.inspection_id, "补充估价")
        insp.set_valuation(session, second, low=Decimal(68000), high=Decimal(72000), note="")
        insp.finalise(session, world.actor, second, now=NOW)
    with world.database.read() as session:
        text = insp.report_document(session, second).signed_text()
    assert "估价区间：¥68,000 至 ¥72,000。" in text
