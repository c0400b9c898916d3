"""Score and grade of an inspection: the GB/T 30323-2013 grade boundaries."""

from __future__ import annotations

from decimal import Decimal

import pytest

from db.enums import ConditionGrade, InspectionSection, ItemResult
from showroom import inspection_grading as g


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100", ConditionGrade.ONE),
        ("90", ConditionGrade.ONE),
        ("89.9", ConditionGrade.TWO),
        ("89", ConditionGrade.TWO),
        ("60", ConditionGrade.TWO),
        ("59.9", ConditionGrade.THREE),
        ("20", ConditionGrade.THREE),
        ("19.9", ConditionGrade.FOUR),
        ("0", ConditionGrade.FOUR),
    ],
)
def test_grade_boundaries(score: str, grade: ConditionGrade) -> None:
    assert g.grade_for(Decimal(score)) is grade


def test_an_accident_car_is_grade_five_whatever_its_points() -> None:
    assert g.grade_for(Decimal(100), accident=True) is ConditionGrade.FIVE
    card = g.score([], flood=True)
    assert card.score == 100 and card.grade is ConditionGrade.FIVE
    assert card.grade_label == "五级（事故车）"


def test_default_sections_are_in_standard_order_and_weigh_100() -> None:
    assert [g.SECTION_LABELS[s] for s in g.SECTIONS] == [
        "车身",
        "发动机舱",
        "驾驶舱",
        "启动",
        "路试",
        "底盘",
    ]
    assert sum(g.DEFAULT_WEIGHTS.values()) == 100
    assert {i.section for i in g.DEFAULT_ITEMS} == set(g.SECTIONS)
    assert len({i.code for i in g.DEFAULT_ITEMS}) == len(g.DEFAULT_ITEMS)


def test_defects_deduct_by_severity_and_a_section_never_goes_below_zero() -> None:
    body = InspectionSection.BODY
    marks = [g.ItemMark(body, ItemResult.DEFECT, 3)] * 3 + [
        g.ItemMark(InspectionSection.CABIN, ItemResult.DEFECT, 1),
        g.ItemMark(InspectionSection.START, ItemResult.OK),
        g.ItemMark(InspectionSection.START, ItemResult.NOT_CHECKED),
    ]
    card = g.score(marks)
    sections = {s.section: s for s in card.sections}
    assert sections[body].score == 0 and sections[body].defects == 3  # 3 x 8 > 20
    assert sections[InspectionSection.CABIN].score == Decimal("9.5")  # 10 - 5 %
    assert card.score == Decimal("79.5") and card.grade is ConditionGrade.TWO


def test_store_weights_must_total_100() -> None:
    weights = g.normalise_weights({"body": 30, "cabin": 0})
    assert weights[InspectionSection.BODY] == 30
    with pytest.raises(ValueError, match="total 100"):
        g.normalise_weights({"body": 25})
    assert g.deduction(Decimal(30), 2) == Decimal("4.5")
    with pytest.raises(ValueError, match="severity"):
        g.deduction(Decimal(30), 4)
