"""Words the services hand over as codes read as English on English screens."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QLocale

from db.enums import TestDriveStatus, Title
from showroom.services.reception import Routing
from ui.i18n import install_translators
from ui.widgets.labels import drive_status_label
from ui.widgets.names import person_name, shown_name
from ui.widgets.reception_labels import grade_label, routing_text


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


def test_routing_lines_in_english(english: None) -> None:
    until = datetime(2026, 3, 20, 4, 0, tzinfo=UTC)
    owner = Routing(None, "Li Na", "owner", protected_until=until, owner_busy=True)
    text, tone = routing_text(owner)
    assert text.startswith("Ownership alert: this customer is followed up by Li Na")
    assert "20 Mar" in text and "with another customer" in text and tone == "warning"
    assert routing_text(Routing(None, "Li Na", "rotation"))[0] == (
        "Li Na will greet the customer (rotation)."
    )
    assert grade_label(None) == "Not graded"


def test_routing_lines_in_chinese(qtbot: Any) -> None:
    until = datetime(2026, 3, 20, 4, 0, tzinfo=UTC)
    text, _tone = routing_text(Routing(None, "李娜", "owner", protected_until=until))
    assert text == "撞单提醒：该客户由 李娜 跟进（保护期至 03月20日），请交给 李娜 接待。"


def test_test_drive_states_in_english(english: None) -> None:
    assert [drive_status_label(s) for s in TestDriveStatus] == [
        "Booked",
        "On test drive",
        "Returned",
        "Cancelled",
        "No-show",
    ]
    assert QCoreApplication.translate("DashboardScreen", "{h}时").format(h=14) == "14:00"


def test_names_with_a_form_of_address_in_english(english: None) -> None:
    assert person_name("欧阳", Title.MS) == "Ms Ouyang"
    assert person_name("王小明", Title.MR) == "Mr 王小明"
    assert person_name("", Title.MS) == "Madam"
    assert person_name("Alex", Title.NONE) == "Alex"
    assert shown_name("王先生") == "Mr Wang"
    assert shown_name("王小明 女士") == "Ms 王小明"
    assert shown_name("李娜") == "李娜"


def test_names_with_a_form_of_address_in_chinese(qtbot: Any) -> None:
    assert person_name("王", Title.MS) == "王女士"
    assert person_name("王小明", Title.MR) == "王小明 先生"
    assert shown_name("王先生") == "王先生"
