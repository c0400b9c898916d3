"""Comparison (车型对比): 2-4 cars side by side, grouped by section, differences and best marked.

Customer-safe by construction: only public facts are read (never the cost price or
non-public price lines, never who bought or reserved a car). Each row carries the raw
values and a ``kind`` saying how to show them; ``cell_text`` gives the Chinese text the
printed comparison uses, the UI formats the same values in the user's language.

"Best" is marked only where a row has an obvious better direction (lowest price, lowest
mileage, newest year and registration, fewest transfers, fewest history records, best
inspection grade, longest range...) and only when the cars differ in it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import (
    ConditionGrade,
    Energy,
    HistoryKind,
    HistoryRecord,
    Inspection,
    InspectionStatus,
    MaintenanceRecord,
    Transmission,
    Vehicle,
    VehicleStatus,
)
from showroom.errors import NotFoundError, ValidationError
from showroom.money import in_wan

MIN_CARS = 2
MAX_CARS = 4

# Section keys in display order, with their Chinese titles.
SECTIONS: dict[str, str] = {
    "basic": "基本信息",
    "price": "价格",
    "condition": "车况",
    "powertrain": "动力与规格",
    "features": "配置",
}

ENERGY_ZH = {
    Energy.PETROL: "汽油",
    Energy.DIESEL: "柴油",
    Energy.HYBRID: "油电混动",
    Energy.PHEV: "插电混动",
    Energy.EV: "纯电动",
}
TRANSMISSION_ZH = {Transmission.MANUAL: "手动挡", Transmission.AUTOMATIC: "自动挡"}
STATUS_ZH = {
    VehicleStatus.PREPARING: "整备中",
    VehicleStatus.ON_SALE: "在售",
    VehicleStatus.RESERVED: "已预订",
    VehicleStatus.TEST_DRIVE: "试驾中",
    VehicleStatus.SOLD: "已售",
}
GRADE_ZH = {
    ConditionGrade.ONE: "一级",
    ConditionGrade.TWO: "二级",
    ConditionGrade.THREE: "三级",
    ConditionGrade.FOUR: "四级",
    ConditionGrade.FIVE: "五级（事故车）",
}
HISTORY_ZH = {
    HistoryKind.COLLISION: "事故",
    HistoryKind.FLOOD: "泡水",
    HistoryKind.FIRE: "火烧",
    HistoryKind.OTHER: "其他",
}


@dataclass(frozen=True)
class CarColumn:
    """The head of one column: what the customer recognises the car by."""

    id: uuid.UUID
    stock_no: str
    title: str  # 品牌 车型
    trim: str
    year: int
    price: Decimal
    status: VehicleStatus


@dataclass(frozen=True)
class History:
    """Accident / flood / fire records of one car (counts by kind)."""

    counts: tuple[tuple[HistoryKind, int], ...]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)


@dataclass(frozen=True)
class CompareRow:
    section: str  # key of SECTIONS
    key: str  # stable id of the row ("price", "mileage", "feature:全景天窗")
    label: str  # Chinese row title
    kind: str  # how to show the values: see ``cell_text``
    values: tuple[Any, ...]  # one per car, None when unknown
    differs: bool
    best: frozenset[int]  # column indexes of the best value (empty: no better direction)


@dataclass(frozen=True)
class Comparison:
    cars: tuple[CarColumn, ...]
    rows: tuple[CompareRow, ...]

    def sections(self, only_differences: bool = False) -> list[tuple[str, list[CompareRow]]]:
        """(section key, rows) in display order, leaving out empty sections."""
        grouped: list[tuple[str, list[CompareRow]]] = []
        for key in SECTIONS:
            rows = [
                r for r in self.rows if r.section == key and (r.differs or not only_differences)
            ]
            if rows:
                grouped.append((key, rows))
        return grouped


# --- building ------------------------------------------------------------------------------


def _lowest(values: Sequence[Any]) -> frozenset[int]:
    known = [v for v in values if v is not None]
    if len(known) < 2 or len(set(known)) == 1:
        return frozenset()
    target = min(known)
    return frozenset(i for i, v in enumerate(values) if v == target)


def _highest(values: Sequence[Any]) -> frozenset[int]:
    known = [v for v in values if v is not None]
    if len(known) < 2 or len(set(known)) == 1:
        return frozenset()
    target = max(known)
    return frozenset(i for i, v in enumerate(values) if v == target)


def _none(values: Sequence[Any]) -> frozenset[int]:
    return frozenset()


def _grade_rank(grade: ConditionGrade | None) -> int | None:
    return None if grade is None else int(grade.value)


def _best_grade(values: Sequence[Any]) -> frozenset[int]:
    return _lowest([_grade_rank(v) for v in values])  # 一级 is the best


def _fewest_history(values: Sequence[Any]) -> frozenset[int]:
    return _lowest([v.total if v is not None else None for v in values])


def _has_feature(values: Sequence[Any]) -> frozenset[int]:
    if all(values) or not any(values):
        return frozenset()
    return frozenset(i for i, v in enumerate(values) if v)


def _row(
    section: str,
    key: str,
    label: str,
    kind: str,
    values: Sequence[Any],
    best: Callable[[Sequence[Any]], frozenset[int]] = _none,
) -> CompareRow:
    values = tuple(values)
    return CompareRow(section, key, label, kind, values, len(set(values)) > 1, best(values))


def compare(session: Session, vehicle_ids: Sequence[uuid.UUID]) -> Comparison:
    """The comparison of ``vehicle_ids`` in the order given (2 to 4 distinct cars)."""
    ids = list(dict.fromkeys(vehicle_ids))
    if len(ids) < MIN_CARS:
        raise ValidationError("comparison.too_few", "请至少选择 2 辆车进行对比", minimum=MIN_CARS)
    if len(ids) > MAX_CARS:
        raise ValidationError("comparison.too_many", "最多同时对比 4 辆车", maximum=MAX_CARS)
    found = {
        v.id: v
        for v in session.execute(
            select(Vehicle).where(Vehicle.id.in_(ids), Vehicle.deleted_at.is_(None))
        ).scalars()
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFoundError(
            "comparison.vehicle_missing", "对比中的车辆已不存在，请移除后重试", count=len(missing)
        )
    cars = [found[i] for i in ids]

    history: dict[uuid.UUID, dict[HistoryKind, int]] = {i: {} for i in ids}
    for vid, kind, count in session.execute(
        select(HistoryRecord.vehicle_id, HistoryRecord.kind, func.count())
        .where(HistoryRecord.vehicle_id.in_(ids))
        .group_by(HistoryRecord.vehicle_id, HistoryRecord.kind)
    ):
        history[vid][kind] = count
    maintenance = dict.fromkeys(ids, 0)
    for vid, count in session.execute(
        select(MaintenanceRecord.vehicle_id, func.count())
        .where(MaintenanceRecord.vehicle_id.in_(ids))
        .group_by(MaintenanceRecord.vehicle_id)
    ):
        maintenance[vid] = count
    grades: dict[uuid.UUID, ConditionGrade | None] = dict.fromkeys(ids)
    for vid, grade in session.execute(
        select(Inspection.vehicle_id, Inspection.grade)
        .where(
            Inspection.vehicle_id.in_(ids),
            Inspection.status == InspectionStatus.FINAL,
            Inspection.grade.is_not(None),
        )
        .order_by(Inspection.finalised_at)
    ):
        grades[vid] = grade  # the latest final inspection wins

    def col(get: Callable[[Vehicle], Any]) -> list[Any]:
        return [get(v) for v in cars]

    rows = [
        _row("basic", "model", "品牌车型", "text", col(lambda v: f"{v.brand} {v.model}")),
        _row("basic", "trim", "配置版本", "text", col(lambda v: v.trim or None)),
        _row("basic", "year", "年款", "year", col(lambda v: v.year), _highest),
        _row(
            "basic",
            "first_registration",
            "初次登记",
            "month",
            col(lambda v: v.first_registration),
            _highest,
        ),
        _row("basic", "mileage", "表显里程", "km", col(lambda v: v.mileage_km), _lowest),
        _row("basic", "body_type", "车身", "text", col(lambda v: v.body_type or None)),
        _row("basic", "colour", "颜色", "text", col(lambda v: v.colour or None)),
        _row("basic", "seats", "座位数", "seats", col(lambda v: v.seats)),
        _row("price", "price", "售价", "money", col(lambda v: v.list_price), _lowest),
        _row("price", "new_price", "新车指导价", "money", col(lambda v: v.new_price)),
        _row(
            "price",
            "saving",
            "比新车省",
            "money",
            col(lambda v: v.new_price - v.list_price if v.new_price else None),
            _highest,
        ),
        _row(
            "condition", "transfers", "过户次数", "transfers", col(lambda v: v.transfers), _lowest
        ),
        _row(
            "condition",
            "history",
            "事故/泡水/火烧记录",
            "history",
            [
                History(
                    tuple(
                        sorted(history[v.id].items(), key=lambda kv: list(HistoryKind).index(kv[0]))
                    )
                )
                for v in cars
            ],
            _fewest_history,
        ),
        _row(
            "condition", "grade", "本店检测等级", "grade", [grades[v.id] for v in cars], _best_grade
        ),
        _row(
            "condition",
            "maintenance",
            "保养维修记录",
            "records",
            [maintenance[v.id] for v in cars],
            _highest,
        ),
        _row(
            "condition",
            "annual_inspection_due",
            "年检到期",
            "month",
            col(lambda v: v.annual_inspection_due),
            _highest,
        ),
        _row(
            "condition",
            "insurance_due",
            "交强险到期",
            "month",
            col(lambda v: v.insurance_due),
            _highest,
        ),
        _row("powertrain", "energy", "能源类型", "energy", col(lambda v: v.energy)),
        _row("powertrain", "transmission", "变速箱", "transmission", col(lambda v: v.transmission)),
        _row("powertrain", "displacement", "排量", "litre", col(lambda v: v.displacement_l)),
        _row("powertrain", "ev_range", "纯电续航", "range", col(lambda v: v.ev_range_km), _highest),
        _row("powertrain", "power", "最大马力", "hp", col(lambda v: v.power_hp), _highest),
        _row("powertrain", "drive", "驱动方式", "text", col(lambda v: v.drive or None)),
        _row(
            "powertrain",
            "emission",
            "排放标准",
            "text",
            col(lambda v: v.emission_standard or None),
        ),
    ]
    # Features: one row per item any of the cars has, in the order first seen.
    features = list(dict.fromkeys(item for v in cars for item in (v.configuration or [])))
    for feature in features:
        rows.append(
            _row(
                "features",
                f"feature:{feature}",
                feature,
                "feature",
                [feature in (v.configuration or []) for v in cars],
                _has_feature,
            )
        )
    columns = tuple(
        CarColumn(v.id, v.stock_no, f"{v.brand} {v.model}", v.trim, v.year, v.list_price, v.status)
        for v in cars
    )
    return Comparison(columns, tuple(rows))


# --- Chinese text (the printed comparison) -------------------------------------------------


def cell_text(kind: str, value: Any) -> str:
    """A value as the printed comparison shows it, in Chinese; "—" when unknown."""
    if value is None:
        return "—"
    if kind == "money":
        return f"{in_wan(value)}万元"
    if kind == "km":
        return f"{Decimal(value) / 10_000:.2f}万公里"
    if kind == "year":
        return f"{value}款"
    if kind == "month":
        return f"{value:%Y年%m月}" if isinstance(value, date) else str(value)
    if kind == "seats":
        return f"{value}座"
    if kind == "transfers":
        return "0次（一手车）" if value == 0 else f"{value}次"
    if kind == "records":
        return "无" if value == 0 else f"{value}条"
    if kind == "history":
        if value.total == 0:
            return "无"
        return "、".join(f"{HISTORY_ZH[k]}{n}次" for k, n in value.counts)
    if kind == "grade":
        return GRADE_ZH[value]
    if kind == "energy":
        return ENERGY_ZH[value]
    if kind == "transmission":
        return TRANSMISSION_ZH[value]
    if kind == "litre":
        return f"{value}L"
    if kind == "range":
        return f"{value}公里"
    if kind == "hp":
        return f"{value}马力"
    if kind == "feature":
        return "●" if value else "—"
    return str(value)
