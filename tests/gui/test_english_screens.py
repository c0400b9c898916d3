"""Every staff screen in English has no Chinese except the store's own data.

Each screen is opened as the manager on a demo store with the English translation
loaded. Every visible text (labels, buttons, tabs, list headers and shown rows,
drop-down items, placeholders) is split into runs of Han characters; a run that is
not a whole run of a value stored in the database (a customer's or a colleague's name, a
car's brand and model, a plate, the store's name and address) is a Chinese word
the UI forgot to translate.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTableView,
    QTabWidget,
    QWidget,
)
from sqlalchemy import String, Text, select

from db.base import Base
from ui.i18n import install_translators

SCREENS = {
    "board": "BoardScreen",
    "reception": "CheckInScreen",
    "inventory": "InventoryScreen",
    "deals": "DealsScreen",
    "customers": "CustomersScreen",
    "follow_ups": "FollowUpsScreen",
    "leads": "LeadsScreen",
    "test_drives": "TestDrivesScreen",
    "audit": "AuditScreen",
    "staff": "StaffScreen",
    "home": "HomeScreen",
    "dashboard": "DashboardScreen",
    "inspection_day": "InspectionDayScreen",
    "complaints": "ComplaintsScreen",
    "warranty": "WarrantyScreen",
}
HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
# A masked name (王**): the surname of stored data, shown as the privacy rules want.
MASKED = re.compile(r"[\u4e00-\u9fff]+\*+")
WORD_BREAK = re.compile(r"[\s·•,，、;；:：()（）/]+")


@pytest.fixture
def english(qtbot: Any) -> Iterator[None]:
    app = QCoreApplication.instance()
    locale = QLocale()
    translators = install_translators(app, "en")
    assert translators
    yield
    for translator in translators:
        app.removeTranslator(translator)
    QLocale.setDefault(locale)


def stored_words(database: Any) -> tuple[set[str], set[str]]:
    """The store's data as (Han runs of two or more characters, whole words).

    A single character is data only inside the very word it was stored in (京 in
    京A12345, 款 in 2021款): alone it may be a UI word (the 级 of "B 级").
    """
    runs: set[str] = set()
    words: set[str] = set()
    with database.read() as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            if not columns:
                continue
            for row in session.execute(select(*columns)):
                for value in row:
                    if isinstance(value, str):
                        runs.update(r for r in HAN_RUN.findall(value) if len(r) > 1)
                        words.update(WORD_BREAK.split(value))
    return runs, words


def shown_texts(screen: QWidget) -> list[str]:
    texts: list[str] = [screen.windowTitle()]
    for label in screen.findChildren(QLabel):
        if label.isVisibleTo(screen):
            texts.append(label.text())
    for button in screen.findChildren(QAbstractButton):
        if button.isVisibleTo(screen):
            texts.append(button.text())
    for box in screen.findChildren(QGroupBox):
        if box.isVisibleTo(screen):
            texts.append(box.title())
    for combo in screen.findChildren(QComboBox):
        if combo.isVisibleTo(screen):
            texts.extend(combo.itemText(i) for i in range(combo.count()))
    for edit in screen.findChildren(QLineEdit):
        if edit.isVisibleTo(screen):
            texts.append(edit.placeholderText())
    for tabs in screen.findChildren(QTabWidget):
        texts.extend(tabs.tabText(i) for i in range(tabs.count()))
    for table in screen.findChildren(QTableView):
        model = table.model()
        if model is None or not table.isVisibleTo(screen):
            continue
        for column in range(model.columnCount()):
            texts.append(str(model.headerData(column, Qt.Orientation.Horizontal) or ""))
            for row in range(min(model.rowCount(), 40)):
                value = model.index(row, column).data()
                if isinstance(value, str):
                    texts.append(value)
    return texts


@pytest.mark.parametrize("name", list(SCREENS))
def test_a_screen_in_english_shows_chinese_only_in_the_stores_data(
    qtbot: Any, english: None, demo_desk: Any, name: str
) -> None:
    context, runner, manager = demo_desk
    screen_class = getattr(importlib.import_module(f"ui.screens.{name}"), SCREENS[name])
    screen = screen_class(context, runner, manager)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    qtbot.wait(20)
    runs, words = stored_words(context.database)
    leaks = sorted(
        {
            f"{run} in {text!r}"
            for text in shown_texts(screen)
            for word in WORD_BREAK.split(MASKED.sub("", text))
            for run in HAN_RUN.findall(word)
            if not ((len(run) > 1 and run in runs) or word in words)
        }
    )
    assert leaks == []
