"""The inspection checklist and its arithmetic: section weights, deductions, score and grade.

Pure (no database, no Qt) so the grade boundaries are tested on their own.
Sections follow GB/T 30323-2013 (车身, 发动机舱, 驾驶舱, 启动, 路试, 底盘); the default
weights add up to 100 and a store may change them (``inspection_checklists``).
A defect deducts a share of its section's weight by severity; a section never
goes below zero. Grades: 一级 >= 90, 二级 60-89, 三级 20-59, 四级 < 20, and 五级
for an accident car whatever the points (flood and fire damage count as such).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from db.enums import ConditionGrade, InspectionSection, ItemResult

SECTIONS: tuple[InspectionSection, ...] = tuple(InspectionSection)
SECTION_LABELS: dict[InspectionSection, str] = {
    InspectionSection.BODY: "车身",
    InspectionSection.ENGINE_BAY: "发动机舱",
    InspectionSection.CABIN: "驾驶舱",
    InspectionSection.START: "启动",
    InspectionSection.ROAD_TEST: "路试",
    InspectionSection.CHASSIS: "底盘",
}
DEFAULT_WEIGHTS: dict[InspectionSection, Decimal] = {
    InspectionSection.BODY: Decimal(20),
    InspectionSection.ENGINE_BAY: Decimal(20),
    InspectionSection.CABIN: Decimal(10),
    InspectionSection.START: Decimal(20),
    InspectionSection.ROAD_TEST: Decimal(15),
    InspectionSection.CHASSIS: Decimal(15),
}
SEVERITY_LABELS = {1: "轻微", 2: "一般", 3: "严重"}
# Share of the section's weight one defect deducts, by severity.
SEVERITY_SHARE = {1: Decimal("0.05"), 2: Decimal("0.15"), 3: Decimal("0.40")}
GRADE_LABELS: dict[ConditionGrade, str] = {
    ConditionGrade.ONE: "一级",
    ConditionGrade.TWO: "二级",
    ConditionGrade.THREE: "三级",
    ConditionGrade.FOUR: "四级",
    ConditionGrade.FIVE: "五级（事故车）",
}
RESULT_LABELS = {ItemResult.OK: "正常", ItemResult.DEFECT: "缺陷", ItemResult.NOT_CHECKED: "未检"}
_TENTH = Decimal("0.1")


@dataclass(frozen=True)
class ChecklistItem:
    section: InspectionSection
    code: str
    label: str
    required: bool = True


def _items(section: InspectionSection, prefix: str, labels: Iterable[str]) -> list[ChecklistItem]:
    return [ChecklistItem(section, f"{prefix}{n:02d}", label) for n, label in enumerate(labels, 1)]


DEFAULT_ITEMS: tuple[ChecklistItem, ...] = tuple(
    _items(
        InspectionSection.BODY,
        "B",
        (
            "发动机舱盖表面",
            "左前翼子板",
            "左前车门",
            "左后车门",
            "左后翼子板",
            "行李箱盖",
            "右后翼子板",
            "右后车门",
            "右前车门",
            "右前翼子板",
            "前后保险杠",
            "前挡风玻璃",
            "轮胎（花纹深度、老化）",
        ),
    )
    + _items(
        InspectionSection.ENGINE_BAY,
        "E",
        (
            "机油有无冷却液混入",
            "缸盖外有无机油渗漏",
            "前翼子板内缘、水箱框架有无修复痕迹",
            "蓄电池电极桩柱有无腐蚀",
            "发动机皮带有无老化",
            "油管、水管有无老化裂痕",
            "线束有无老化破损",
        ),
    )
    + _items(
        InspectionSection.CABIN,
        "C",
        (
            "车内有无水泡痕迹",
            "车内后视镜、座椅",
            "车门、车窗开闭",
            "安全带",
            "方向盘自由行程",
            "车顶及周边内饰",
        ),
    )
    + _items(
        InspectionSection.START,
        "S",
        (
            "车辆启动是否顺畅",
            "仪表板指示灯",
            "各类灯光",
            "空调系统",
            "发动机怠速运转",
            "电动门窗、后视镜调节",
        ),
    )
    + _items(
        InspectionSection.ROAD_TEST,
        "R",
        (
            "发动机加速、动力",
            "行驶是否跑偏",
            "制动系统",
            "变速器换挡",
            "行驶中有无异响",
        ),
    )
    + _items(
        InspectionSection.CHASSIS,
        "U",
        (
            "发动机油底壳有无渗漏",
            "变速器有无渗漏",
            "转向节臂球销有无松动",
            "减震器有无渗漏",
            "排气管、消音器",
            "纵梁有无变形、焊接痕迹",
        ),
    )
)


@dataclass(frozen=True)
class ItemMark:
    """One item as recorded: its section, result and, for a defect, the severity (1-3)."""

    section: InspectionSection
    result: ItemResult
    severity: int | None = None


@dataclass(frozen=True)
class SectionScore:
    section: InspectionSection
    weight: Decimal
    deducted: Decimal
    score: Decimal
    defects: int

    @property
    def label(self) -> str:
        return SECTION_LABELS[self.section]


@dataclass(frozen=True)
class Scorecard:
    sections: tuple[SectionScore, ...]
    score: Decimal
    grade: ConditionGrade

    @property
    def grade_label(self) -> str:
        return GRADE_LABELS[self.grade]


def normalise_weights(raw: Mapping[str, object] | None) -> dict[InspectionSection, Decimal]:
    """Weights from a store's settings; a section left out keeps its default. Must total 100."""
    weights = dict(DEFAULT_WEIGHTS)
    for key, value in (raw or {}).items():
        weights[InspectionSection(key)] = Decimal(str(value))
    if any(w < 0 for w in weights.values()) or sum(weights.values()) != 100:
        raise ValueError("section weights must not be negative and must total 100")
    return weights


def deduction(weight: Decimal, severity: int) -> Decimal:
    if severity not in SEVERITY_SHARE:
        raise ValueError(f"severity must be 1, 2 or 3, not {severity!r}")
    return (weight * SEVERITY_SHARE[severity]).quantize(_TENTH, ROUND_HALF_UP)


def grade_for(score: Decimal, *, accident: bool = False) -> ConditionGrade:
    """一级 >= 90, 二级 60 to under 90, 三级 20 to under 60, 四级 < 20; 五级 for an accident car."""
    if accident:
        return ConditionGrade.FIVE
    if score >= 90:
        return ConditionGrade.ONE
    if score >= 60:
        return ConditionGrade.TWO
    if score >= 20:
        return ConditionGrade.THREE
    return ConditionGrade.FOUR


def score(
    marks: Iterable[ItemMark],
    weights: Mapping[InspectionSection, Decimal] | None = None,
    *,
    accident: bool = False,
    flood: bool = False,
    fire: bool = False,
) -> Scorecard:
    weights = dict(weights or DEFAULT_WEIGHTS)
    deducted = dict.fromkeys(SECTIONS, Decimal(0))
    defects = dict.fromkeys(SECTIONS, 0)
    for mark in marks:
        if mark.result is ItemResult.DEFECT:
            # Older records (imports, demo data) may carry a severity outside 1-3: clamp it.
            severity = min(max(mark.severity or 1, 1), 3)
            deducted[mark.section] += deduction(weights[mark.section], severity)
            defects[mark.section] += 1
    sections = tuple(
        SectionScore(
            s,
            weights[s],
            min(deducted[s], weights[s]),
            max(Decimal(0), weights[s] - deducted[s]),
            defects[s],
        )
        for s in SECTIONS
    )
    total = sum((s.score for s in sections), Decimal(0)).quantize(_TENTH, ROUND_HALF_UP)
    return Scorecard(sections, total, grade_for(total, accident=accident or flood or fire))
