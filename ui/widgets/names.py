"""A customer's name with the form of address, in the screen's language.

The services compose names for Chinese screens: 王先生 for a surname, 王小明 先生 for a
full name (``showroom.services.reception.display_name``). An English screen says
Mr Wang (the surname's pinyin when it is known), Mr 王小明 for a full name and Sir or
Madam alone; a name without a form of address is shown as typed.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from db.enums import Title
from showroom.fields import split_title
from showroom.services.reception import display_name
from showroom.surnames import latin


def english() -> bool:
    """Whether the screens speak English (as ``ui.kiosk.wording.english``)."""
    return QCoreApplication.translate("KioskWording", "zh") == "en"


def person_name(name: str, title: Title | str | None) -> str:
    """``name`` with the form of address ``title`` in the current language."""
    try:
        form = Title(title) if title is not None else Title.NONE
    except ValueError:
        form = Title.NONE
    if not english() or form is Title.NONE:
        return display_name(name, form)
    name = name.strip()
    if not name:
        return {Title.MR: "Sir", Title.MS: "Madam"}[form]
    honorific = {Title.MR: "Mr", Title.MS: "Ms"}[form]
    return f"{honorific} {latin(name) or name}"


def shown_name(text: str) -> str:
    """A name as a service composed it (王先生, 王小明 先生) in the current language."""
    if not text or not english():
        return text
    name, code = split_title(text)
    if code is None:
        return text
    return person_name(name, code)
