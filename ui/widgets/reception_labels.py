"""Chinese labels for the reception vocabularies (purposes, outcomes, grades, routing).

Kept beside ``ui.widgets.labels`` rather than in it so the reception screens,
the board and the kiosk page share one wording.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from db.enums import IntentGrade, SourceChannel, VisitOutcome, VisitPurpose, VisitStatus
from showroom.services.reception import STORE_ZONE, Routing
from ui.widgets.labels import SOURCE_CHANNELS, VISIT_STATUSES, label

_CONTEXT = "Reception"

_PURPOSES = {
    VisitPurpose.BUY: QT_TRANSLATE_NOOP("Reception", "买车"),
    VisitPurpose.SELL: QT_TRANSLATE_NOOP("Reception", "卖车"),
    VisitPurpose.TRADE_IN: QT_TRANSLATE_NOOP("Reception", "置换"),
    VisitPurpose.TEST_DRIVE: QT_TRANSLATE_NOOP("Reception", "试驾"),
    VisitPurpose.INSPECTION_DAY: QT_TRANSLATE_NOOP("Reception", "检测日"),
    VisitPurpose.AFTER_SALES: QT_TRANSLATE_NOOP("Reception", "售后"),
    VisitPurpose.OTHER: QT_TRANSLATE_NOOP("Reception", "其他"),
}
_OUTCOMES = {
    VisitOutcome.DEAL: QT_TRANSLATE_NOOP("Reception", "成交"),
    VisitOutcome.DEPOSIT: QT_TRANSLATE_NOOP("Reception", "交意向金"),
    VisitOutcome.FOLLOW_UP: QT_TRANSLATE_NOOP("Reception", "待跟进"),
    VisitOutcome.NO_INTEREST: QT_TRANSLATE_NOOP("Reception", "无意向"),
}
_GRADES = {
    IntentGrade.A: QT_TRANSLATE_NOOP("Reception", "A 级（7 天内可成交）"),
    IntentGrade.B: QT_TRANSLATE_NOOP("Reception", "B 级（15 天内）"),
    IntentGrade.C: QT_TRANSLATE_NOOP("Reception", "C 级（30 天内）"),
    IntentGrade.D: QT_TRANSLATE_NOOP("Reception", "D 级（暂无计划）"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


class _Labels(dict):  # type: ignore[type-arg]
    """A code -> translated label mapping, translated when read."""

    def __getitem__(self, key: object) -> str:
        return _tr(super().__getitem__(key))

    def items(self):  # type: ignore[no-untyped-def, override]
        return [(key, _tr(value)) for key, value in super().items()]


PURPOSES = _Labels(_PURPOSES)
OUTCOMES = _Labels(_OUTCOMES)
GRADES = _Labels(_GRADES)


def purpose_label(purpose: VisitPurpose | None) -> str:
    return PURPOSES[purpose] if purpose in _PURPOSES else ""


def outcome_label(outcome: VisitOutcome | None) -> str:
    return OUTCOMES[outcome] if outcome in _OUTCOMES else ""


def grade_label(grade: IntentGrade | None) -> str:
    return GRADES[grade] if grade in _GRADES else QCoreApplication.translate("Reception", "未定级")


def short_grade_label(grade: IntentGrade | None) -> str:
    """``B 级`` / ``Grade B``; empty when the customer has no grade yet."""
    if grade is None:
        return ""
    return QCoreApplication.translate("Reception", "{grade} 级").format(grade=grade.value)


def with_note(text: str, note: str) -> str:
    """``text（note）`` in Chinese, ``text (note)`` in English."""
    if not note:
        return text
    return QCoreApplication.translate("Reception", "{text}（{note}）").format(text=text, note=note)


def source_label(channel: SourceChannel) -> str:
    return label(SOURCE_CHANNELS, channel)


def status_label(status: VisitStatus) -> str:
    return label(VISIT_STATUSES, status)


def _tr_date(fmt: str) -> str:
    """A strftime pattern in the current language (``%m月%d日`` / ``%d %b``)."""
    return _tr(fmt)


def local_time(moment: datetime | None, fmt: str = "%H:%M") -> str:
    return moment.astimezone(STORE_ZONE).strftime(fmt) if moment else "—"


def routing_text(routing: Routing) -> tuple[str, str]:
    """(sentence, tone) for who will greet the customer; tone is "" / "warning"."""
    name = routing.consultant_name or ""
    if routing.reason == "owner":
        until = local_time(
            routing.protected_until, _tr_date(QT_TRANSLATE_NOOP("Reception", "%m月%d日"))
        )
        text = QCoreApplication.translate(
            "Reception", "撞单提醒：该客户由 {name} 跟进（保护期至 {until}），请交给 {name} 接待。"
        )
        text = text.format(name=name, until=until)
        if routing.owner_busy:
            text += QCoreApplication.translate(
                "Reception", "{name} 正在接待其他客户，请先安排客户稍候。"
            ).format(name=name)
        return text, "warning"
    if routing.reason == "override":
        if routing.conflict:
            return QCoreApplication.translate(
                "Reception",
                "已改派 {name}。注意：该客户在 {owner} 的保护期内（撞单），改派将记入审计日志。",
            ).format(name=name, owner=routing.owner_name or ""), "warning"
        return QCoreApplication.translate("Reception", "指定由 {name} 接待。").format(name=name), ""
    if routing.reason == "rotation":
        return QCoreApplication.translate("Reception", "按轮岗由 {name} 接待。").format(
            name=name
        ), ""
    if routing.reason == "booking":
        return QCoreApplication.translate("Reception", "由预约的顾问 {name} 接待。").format(
            name=name
        ) if name else "", ""
    if routing.reason == "queue":
        return QCoreApplication.translate(
            "Reception",
            "顾问都在接待中：请客户在休息区稍候，排在第 {n} 位；有顾问空出时按到店先后自动分配。",
        ).format(n=routing.queue_position), "warning"
    return QCoreApplication.translate(
        "Reception", "今天没有在岗的销售顾问：请客户稍候，并请店长在“员工 → 排班”中安排。"
    ), "warning"
