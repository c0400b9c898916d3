"""Translated names of a car's coded facts (energy, gearbox, history kinds, grades)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from db.enums import ConditionGrade, Energy, HistoryKind, PhotoCategory, Transmission

_CONTEXT = "VehicleLabels"

ENERGIES = {
    Energy.PETROL: QT_TRANSLATE_NOOP("VehicleLabels", "汽油"),
    Energy.DIESEL: QT_TRANSLATE_NOOP("VehicleLabels", "柴油"),
    Energy.HYBRID: QT_TRANSLATE_NOOP("VehicleLabels", "油电混动"),
    Energy.PHEV: QT_TRANSLATE_NOOP("VehicleLabels", "插电混动"),
    Energy.EV: QT_TRANSLATE_NOOP("VehicleLabels", "纯电动"),
}
ENERGY_GROUPS = {
    "fuel": QT_TRANSLATE_NOOP("VehicleLabels", "燃油"),
    "hybrid": QT_TRANSLATE_NOOP("VehicleLabels", "混动"),
    "ev": QT_TRANSLATE_NOOP("VehicleLabels", "纯电"),
}
TRANSMISSIONS = {
    Transmission.MANUAL: QT_TRANSLATE_NOOP("VehicleLabels", "手动挡"),
    Transmission.AUTOMATIC: QT_TRANSLATE_NOOP("VehicleLabels", "自动挡"),
}
HISTORY_KINDS = {
    HistoryKind.COLLISION: QT_TRANSLATE_NOOP("VehicleLabels", "事故"),
    HistoryKind.FLOOD: QT_TRANSLATE_NOOP("VehicleLabels", "泡水"),
    HistoryKind.FIRE: QT_TRANSLATE_NOOP("VehicleLabels", "火烧"),
    HistoryKind.OTHER: QT_TRANSLATE_NOOP("VehicleLabels", "其他"),
}
GRADES = {
    ConditionGrade.ONE: QT_TRANSLATE_NOOP("VehicleLabels", "一级"),
    ConditionGrade.TWO: QT_TRANSLATE_NOOP("VehicleLabels", "二级"),
    ConditionGrade.THREE: QT_TRANSLATE_NOOP("VehicleLabels", "三级"),
    ConditionGrade.FOUR: QT_TRANSLATE_NOOP("VehicleLabels", "四级"),
    ConditionGrade.FIVE: QT_TRANSLATE_NOOP("VehicleLabels", "五级（事故车）"),
}
PHOTO_CATEGORIES = {
    PhotoCategory.EXTERIOR: QT_TRANSLATE_NOOP("VehicleLabels", "外观"),
    PhotoCategory.INTERIOR: QT_TRANSLATE_NOOP("VehicleLabels", "内饰"),
    PhotoCategory.ENGINE: QT_TRANSLATE_NOOP("VehicleLabels", "发动机舱"),
    PhotoCategory.CHASSIS: QT_TRANSLATE_NOOP("VehicleLabels", "底盘"),
    PhotoCategory.OTHER: QT_TRANSLATE_NOOP("VehicleLabels", "其他"),
}
PROMISES = {
    "7天无理由退车": QT_TRANSLATE_NOOP("VehicleLabels", "7天无理由退车"),
    "30天核心部件质保": QT_TRANSLATE_NOOP("VehicleLabels", "30天核心部件质保"),
    "终身免费检测": QT_TRANSLATE_NOOP("VehicleLabels", "终身免费检测"),
}


def vlabel(table: dict, code: object) -> str:  # type: ignore[type-arg]
    """The translated label for ``code``; the code itself when the table does not know it."""
    if code is None:
        return ""
    source = table.get(code)
    return str(code) if source is None else QCoreApplication.translate(_CONTEXT, source)
