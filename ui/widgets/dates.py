"""Short dates and weekdays in the language of the UI.

The patterns are translated strings (Qt date patterns), and so is the locale
that spells month and day names: Chinese shows 03月05日 周四 exactly as before,
English shows Mar 5 Thu. Taking the locale from the translation rather than
from ``QLocale()`` keeps the Chinese text the same on a machine set to English.
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QLocale, QTime


def _locale() -> QLocale:
    # The English translation of this string is "en_US".
    return QLocale(QCoreApplication.translate("Dates", "zh_CN"))


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def month_day(day: date) -> str:
    """03月05日 / Mar 5."""
    return _locale().toString(_qdate(day), QCoreApplication.translate("Dates", "MM月dd日"))


def weekday(day: date) -> str:
    """周四 / Thu."""
    return _locale().dayName(day.isoweekday(), QLocale.FormatType.ShortFormat)


def month_day_time(moment: datetime) -> str:
    """03月05日 14:30 / Mar 5 14:30, in the zone ``moment`` carries."""
    value = QDateTime(_qdate(moment.date()), QTime(moment.hour, moment.minute))
    return _locale().toString(value, QCoreApplication.translate("Dates", "MM月dd日 HH:mm"))
