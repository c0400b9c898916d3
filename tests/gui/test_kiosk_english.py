"""The kiosk in English reads as English: prices, mileage, body types, colours, greetings."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QPushButton

from db.enums import Title
from ui.i18n import install_translators
from ui.kiosk import wording
from ui.widgets.vehicle_labels import vword


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


def test_prices_and_mileage_in_chinese(qtbot: Any) -> None:
    assert wording.price(Decimal("156500")) == "15.65万"
    assert wording.mileage(32150) == "3.2万公里"
    assert wording.mileage(850) == "850公里"
    assert wording.hello("欧阳", Title.MS) == "欧阳女士，您好！"
    assert wording.hello("", Title.MR) == "先生，您好！"
    assert wording.welcome("", Title.NONE) == "欢迎光临！"


def test_prices_mileage_and_names_in_english(english: None) -> None:
    assert wording.price(Decimal("156500")) == "¥156,500"
    assert wording.price(Decimal("88000.40")) == "¥88,000"
    assert wording.mileage(32150) == "32,150 km"
    assert wording.hello("欧阳", Title.MS) == "Hello, Ms Ouyang! "
    assert wording.welcome("吕", Title.MR) == "Welcome, Mr Lü! "
    assert wording.hello("", Title.MS) == "Hello, Madam! "
    assert (vword("轿车"), vword("蓝色"), vword("四驱"), vword("国VI")) == (
        "Sedan",
        "Blue",
        "Four-wheel drive",
        "China 6",
    )
    assert vword("定制珠光紫") == "定制珠光紫"  # a word nobody translated is shown as typed


def test_the_browse_page_in_english_has_english_prices_and_chips(
    english: None, qtbot: Any, gui_context: Any, runner: Any
) -> None:
    from tests.factories import make_store
    from tests.gui.test_kiosk import add_car
    from ui.kiosk.window import KioskWindow

    store_id = make_store(gui_context.database)
    add_car(gui_context.database, store_id, price="156500")
    kiosk = KioskWindow(gui_context, runner)
    qtbot.addWidget(kiosk)
    kiosk.resize(1920, 1080)
    kiosk.show()
    try:
        kiosk.open_page("browse")
        text = kiosk.browse.model.index(0, 0).data()
        assert "¥156,500" in text and "32,150 km" in text and "万" not in text
        chips = [b.text() for b in kiosk.browse.findChildren(QPushButton, "kioskChip")]
        assert "All body types" in chips
        for chip in kiosk.browse.findChildren(QPushButton, "kioskChip"):
            # Shown in full: the chip is as wide as its text needs.
            assert chip.width() >= chip.fontMetrics().horizontalAdvance(chip.text()), chip.text()
    finally:
        kiosk.idle.stop()
