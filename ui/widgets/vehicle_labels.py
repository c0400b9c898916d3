"""Translated names of a car's coded facts (energy, gearbox, history, photo sections,
grades), and of the usual free-text words (body types, colours, drives: ``vword``)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from db.enums import (
    Acquisition,
    ConditionGrade,
    Energy,
    HistoryKind,
    PhotoCategory,
    Transmission,
)

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
    PhotoCategory.DETAIL: QT_TRANSLATE_NOOP("VehicleLabels", "细节"),
    PhotoCategory.DEFECT: QT_TRANSLATE_NOOP("VehicleLabels", "瑕疵"),
    PhotoCategory.DOCUMENTS: QT_TRANSLATE_NOOP("VehicleLabels", "证件"),
}
ACQUISITIONS = {
    Acquisition.CUSTOMER: QT_TRANSLATE_NOOP("VehicleLabels", "个人收购"),
    Acquisition.TRADE_IN: QT_TRANSLATE_NOOP("VehicleLabels", "置换"),
    Acquisition.AUCTION: QT_TRANSLATE_NOOP("VehicleLabels", "拍卖"),
    Acquisition.DEALER: QT_TRANSLATE_NOOP("VehicleLabels", "同行调车"),
    Acquisition.OTHER: QT_TRANSLATE_NOOP("VehicleLabels", "其他"),
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


# Words the dealer types as free text (body type, colour, drive, emission standard, photo
# captions) that have a usual English name; anything else is shown as typed, in full.
_WORDS = frozenset(
    (
        QT_TRANSLATE_NOOP("VehicleWords", "轿车"),
        QT_TRANSLATE_NOOP("VehicleWords", "两厢轿车"),
        QT_TRANSLATE_NOOP("VehicleWords", "三厢轿车"),
        QT_TRANSLATE_NOOP("VehicleWords", "SUV"),
        QT_TRANSLATE_NOOP("VehicleWords", "MPV"),
        QT_TRANSLATE_NOOP("VehicleWords", "微型车"),
        QT_TRANSLATE_NOOP("VehicleWords", "小型车"),
        QT_TRANSLATE_NOOP("VehicleWords", "紧凑型车"),
        QT_TRANSLATE_NOOP("VehicleWords", "中型车"),
        QT_TRANSLATE_NOOP("VehicleWords", "中大型车"),
        QT_TRANSLATE_NOOP("VehicleWords", "跑车"),
        QT_TRANSLATE_NOOP("VehicleWords", "旅行车"),
        QT_TRANSLATE_NOOP("VehicleWords", "皮卡"),
        QT_TRANSLATE_NOOP("VehicleWords", "敞篷车"),
        QT_TRANSLATE_NOOP("VehicleWords", "面包车"),
        QT_TRANSLATE_NOOP("VehicleWords", "越野车"),
        QT_TRANSLATE_NOOP("VehicleWords", "硬派越野"),
        QT_TRANSLATE_NOOP("VehicleWords", "白色"),
        QT_TRANSLATE_NOOP("VehicleWords", "黑色"),
        QT_TRANSLATE_NOOP("VehicleWords", "灰色"),
        QT_TRANSLATE_NOOP("VehicleWords", "银色"),
        QT_TRANSLATE_NOOP("VehicleWords", "蓝色"),
        QT_TRANSLATE_NOOP("VehicleWords", "红色"),
        QT_TRANSLATE_NOOP("VehicleWords", "棕色"),
        QT_TRANSLATE_NOOP("VehicleWords", "绿色"),
        QT_TRANSLATE_NOOP("VehicleWords", "黄色"),
        QT_TRANSLATE_NOOP("VehicleWords", "橙色"),
        QT_TRANSLATE_NOOP("VehicleWords", "紫色"),
        QT_TRANSLATE_NOOP("VehicleWords", "金色"),
        QT_TRANSLATE_NOOP("VehicleWords", "香槟色"),
        QT_TRANSLATE_NOOP("VehicleWords", "米色"),
        QT_TRANSLATE_NOOP("VehicleWords", "咖啡色"),
        QT_TRANSLATE_NOOP("VehicleWords", "深蓝色"),
        QT_TRANSLATE_NOOP("VehicleWords", "深灰色"),
        QT_TRANSLATE_NOOP("VehicleWords", "珍珠白"),
        QT_TRANSLATE_NOOP("VehicleWords", "双色"),
        QT_TRANSLATE_NOOP("VehicleWords", "前驱"),
        QT_TRANSLATE_NOOP("VehicleWords", "后驱"),
        QT_TRANSLATE_NOOP("VehicleWords", "四驱"),
        QT_TRANSLATE_NOOP("VehicleWords", "全时四驱"),
        QT_TRANSLATE_NOOP("VehicleWords", "适时四驱"),
        QT_TRANSLATE_NOOP("VehicleWords", "纯电动"),
        QT_TRANSLATE_NOOP("VehicleWords", "国VI"),
        QT_TRANSLATE_NOOP("VehicleWords", "国V"),
        QT_TRANSLATE_NOOP("VehicleWords", "国IV"),
        QT_TRANSLATE_NOOP("VehicleWords", "国III"),
        QT_TRANSLATE_NOOP("VehicleWords", "国六"),
        QT_TRANSLATE_NOOP("VehicleWords", "国五"),
        QT_TRANSLATE_NOOP("VehicleWords", "国四"),
        QT_TRANSLATE_NOOP("VehicleWords", "国三"),
        QT_TRANSLATE_NOOP("VehicleWords", "左侧"),
        QT_TRANSLATE_NOOP("VehicleWords", "右侧"),
        QT_TRANSLATE_NOOP("VehicleWords", "车头"),
        QT_TRANSLATE_NOOP("VehicleWords", "车尾"),
        QT_TRANSLATE_NOOP("VehicleWords", "中控台"),
        QT_TRANSLATE_NOOP("VehicleWords", "前排座椅"),
        QT_TRANSLATE_NOOP("VehicleWords", "后排座椅"),
        QT_TRANSLATE_NOOP("VehicleWords", "发动机舱"),
        QT_TRANSLATE_NOOP("VehicleWords", "底盘"),
        QT_TRANSLATE_NOOP("VehicleWords", "前脸"),
        QT_TRANSLATE_NOOP("VehicleWords", "仪表（表显里程）"),
        QT_TRANSLATE_NOOP("VehicleWords", "悬挂与制动"),
        QT_TRANSLATE_NOOP("VehicleWords", "轮毂轮胎"),
        QT_TRANSLATE_NOOP("VehicleWords", "尾灯"),
        QT_TRANSLATE_NOOP("VehicleWords", "换挡及中央扶手"),
        QT_TRANSLATE_NOOP("VehicleWords", "后备箱"),
        QT_TRANSLATE_NOOP("VehicleWords", "发动机舱细节"),
        QT_TRANSLATE_NOOP("VehicleWords", "底盘细节"),
        QT_TRANSLATE_NOOP("VehicleWords", "钥匙"),
        QT_TRANSLATE_NOOP("VehicleWords", "铭牌"),
    )
)


def vword(text: str | None) -> str:
    """``text`` in the UI's language when it is a known word (轿车 -> Sedan), else as typed."""
    if not text:
        return ""
    word = text.strip()
    if word in _WORDS:
        return QCoreApplication.translate("VehicleWords", word)
    return text
