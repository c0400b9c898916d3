"""Qt dates from the app's clock (``showroom.clock``), never from ``QDate.currentDate``."""

from __future__ import annotations

from PySide6.QtCore import QDate

from showroom.clock import store_today


def today_qdate() -> QDate:
    today = store_today()
    return QDate(today.year, today.month, today.day)
