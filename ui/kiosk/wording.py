"""How the kiosk says prices, distances and names, in Chinese and in English.

Chinese customers read used-car prices in 万 (15.65万) and mileage in 万公里; an
English reader needs the plain figure (¥156,500, 32,150 km): "× 10,000" is not
English. Greetings are composed from a surname and 先生/女士 (欧阳先生) or, in
English, the surname's pinyin (Mr Ouyang). Which language is on comes from the
installed translation (like ``ui.widgets.dates``), not from the machine's locale,
so a kiosk set up in Chinese stays Chinese on an English Windows.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from PySide6.QtCore import QCoreApplication

from db.enums import Title
from showroom.money import in_wan
from showroom.surnames import latin


def english() -> bool:
    """Whether the kiosk speaks English (the English translation says "en" here)."""
    return QCoreApplication.translate("KioskWording", "zh") == "en"


def price(amount: Decimal) -> str:
    """15.65万 in Chinese, ¥156,500 in English (whole yuan: used cars are priced so)."""
    if english():
        whole = amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return f"¥{whole:,}"
    return f"{in_wan(amount)}万"


def mileage(km: int) -> str:
    """3.2万公里 (under 1,000 km: 850公里, which would read as a new car in 万) / 32,150 km."""
    if english():
        return f"{km:,} km"
    if km < 1000:
        return f"{km}公里"
    wan = (Decimal(km) / 10_000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{wan}万公里"


def addressed(surname: str, title: Title) -> str:
    """How the customer is addressed: 欧阳先生 / Mr Ouyang; 女士 / Madam; "" if neither."""
    surname = surname.strip()
    if english():
        honorific = {Title.MR: "Mr", Title.MS: "Ms"}.get(title, "")
        if surname and honorific:
            return f"{honorific} {latin(surname) or surname}"
        if honorific:
            return {Title.MR: "Sir", Title.MS: "Madam"}[title]
        return ""
    suffix = {Title.MR: "先生", Title.MS: "女士"}.get(title, "")
    if surname and suffix:
        return surname + suffix
    return suffix


def hello(surname: str, title: Title) -> str:
    """The salutation that opens a slip: 欧阳先生，您好！ / Hello, Mr Ouyang! / 您好！"""
    who = addressed(surname, title)
    if who:
        return QCoreApplication.translate("KioskWording", "{who}，您好！").format(who=who)
    return QCoreApplication.translate("KioskWording", "您好！")


def welcome(surname: str, title: Title) -> str:
    """After a booking code: 欧阳先生，欢迎光临！ / Welcome, Mr Ouyang!"""
    who = addressed(surname, title)
    if who:
        return QCoreApplication.translate("KioskWording", "{who}，欢迎光临！").format(who=who)
    return QCoreApplication.translate("KioskWording", "欢迎光临！")
