"""In English, a refusal from a service reads as English, not as the service's Chinese."""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QLocale

from showroom import identifiers, loan
from showroom.context import AppContext
from showroom.errors import ShowroomError
from showroom.services import reception, vehicle_intake, vehicles
from showroom.sync.conflicts import edit_conflict
from showroom.users import SYSTEM
from tests.gui.conftest import Account
from ui.errors import _LABELS, _TEMPLATES, error_text
from ui.i18n import install_translators

HAN = re.compile(r"[\u3400-\u9fff]")
# English that must quote Chinese: the column headers a spreadsheet has to carry.
QUOTES_CHINESE = {"lead_import.no_phone"}
NOW = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)


@pytest.fixture
def english(qtbot: Any) -> Iterator[None]:
    app = QCoreApplication.instance()
    locale = QLocale()
    translators = install_translators(app, "en")
    assert translators
    try:
        yield
    finally:
        for translator in translators:
            app.removeTranslator(translator)
        QLocale.setDefault(locale)


def refusal(action: Callable[[], object]) -> ShowroomError:
    with pytest.raises(ShowroomError) as caught:
        action()
    return caught.value


def test_refusals_of_the_services_read_as_english(english: None) -> None:
    shown = {
        "phone": error_text(refusal(lambda: identifiers.normalize_mobile("1381234"))),
        "vin": error_text(refusal(lambda: identifiers.normalize_vin("LSVAB12"))),
        "rate": error_text(refusal(lambda: loan.parse_rate("48"))),
        "price": error_text(refusal(lambda: vehicle_intake.parse_money("十万", "售价"))),
        "km": error_text(refusal(lambda: vehicle_intake.parse_km("abc"))),
        "edit": error_text(
            edit_conflict(SimpleNamespace(name="王", row_version=3), {"name": "王"})
        ),
    }
    for text in shown.values():
        assert not HAN.search(text), text
    assert shown["vin"] == "A VIN has 17 characters; this one has 7."
    assert shown["rate"] == "The annual rate cannot exceed 36%; please check for an extra digit."
    # A field name the service passes in Chinese is translated as well.
    assert shown["price"].startswith("The sale price is not a valid amount")


def test_refusals_that_read_the_database_read_as_english(
    english: None, gui_context: AppContext, accounts: dict[str, Account]
) -> None:
    with gui_context.database.write() as session:
        unknown_car = refusal(lambda: vehicles.find_vehicle(session, "X0009"))
        unknown_code = refusal(
            lambda: reception.check_in_by_code(
                session, SYSTEM, gui_context_store(session), "7KQ2MXAB", now=NOW
            )
        )
    assert error_text(unknown_car) == "No car with stock number or plate X0009 was found."
    assert error_text(unknown_code) == (
        "Booking code 7KQ2MXAB does not exist; please check it and try again."
    )


def gui_context_store(session: Any) -> Any:
    from sqlalchemy import select

    from db.models import Store

    return session.scalars(select(Store.id)).first()


def test_chinese_keeps_the_services_own_words(qtbot: Any) -> None:
    exc = refusal(lambda: loan.parse_rate("48"))
    assert error_text(exc) == exc.message == "年利率不能超过 36%，请检查是否多输了一位"


def test_every_template_and_field_name_has_an_english_translation(english: None) -> None:
    untranslated = []
    for code, found in _TEMPLATES.items():
        for source in (found,) if isinstance(found, str) else found:
            english_text = QCoreApplication.translate("Errors", source)
            fields = {f for _l, f, _s, _c in string.Formatter().parse(source) if f}
            used = {f for _l, f, _s, _c in string.Formatter().parse(english_text) if f}
            chinese = HAN.search(english_text) and code not in QUOTES_CHINESE
            if english_text == source or chinese or not used <= fields:
                untranslated.append((code, source, english_text))
    for label in _LABELS:
        if HAN.search(QCoreApplication.translate("Errors", label)):
            untranslated.append(("label", label, ""))
    assert not untranslated, untranslated[:10]


def test_a_code_with_several_wordings_shows_the_matching_one(english: None) -> None:
    exc = ShowroomError(
        "booking.unknown", "报名码 ZX12AB34 不存在，请核对后重试。", booking="ZX12AB34"
    )
    assert error_text(exc).startswith("Registration code ZX12AB34")
