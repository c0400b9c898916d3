"""No list cuts off a column's title or text at 1280x800 or 1920x1080.

Every list screen is opened on a demo store (cars, customers, visits, deals) as
the manager; in each table every column that keeps its own width (not the one
that stretches) must be as wide as its header and its shown cells need. The
screens are saved as PNG for a person to look at (``SHOWROOM_SHOTS``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication, QTableView, QWidget

from tests.gui.columns import cut_off_columns
from ui.i18n import install_translators
from ui.screens.audit import AuditScreen
from ui.screens.board import BoardScreen
from ui.screens.customers import CustomersScreen
from ui.screens.dashboard import DashboardScreen
from ui.screens.deals import DealsScreen
from ui.screens.follow_ups import FollowUpsScreen
from ui.screens.inventory import InventoryScreen
from ui.screens.leads import LeadsScreen
from ui.screens.staff import StaffScreen
from ui.screens.test_drives import TestDrivesScreen

SCREENS = {
    "board": BoardScreen,
    "inventory": InventoryScreen,
    "deals": DealsScreen,
    "customers": CustomersScreen,
    "follow_ups": FollowUpsScreen,
    "leads": LeadsScreen,
    "test_drives": TestDrivesScreen,
    "audit": AuditScreen,
    "staff": StaffScreen,
    "dashboard": DashboardScreen,  # the consultants' table with amounts and targets
}
SHOTS = Path(os.environ.get("SHOWROOM_SHOTS", "")) if os.environ.get("SHOWROOM_SHOTS") else None


@pytest.fixture(params=["zh_CN", "en"])
def language(request: pytest.FixtureRequest, qtbot) -> Iterator[str]:  # type: ignore[no-untyped-def]
    app = QApplication.instance()
    locale = QLocale()
    translators = install_translators(app, request.param) if request.param == "en" else []
    yield request.param
    for translator in translators:
        app.removeTranslator(translator)
    QLocale.setDefault(locale)


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(SCREENS))
def test_no_list_cuts_off_a_column(  # type: ignore[no-untyped-def]
    qtbot, demo_desk, language: str, name: str, size: tuple[int, int]
) -> None:
    screen: QWidget = SCREENS[name](*demo_desk)
    qtbot.addWidget(screen)
    screen.resize(*size)
    screen.show()
    qtbot.wait(50)  # the fitter runs once the rows are in
    tables = [t for t in screen.findChildren(QTableView) if t.isVisibleTo(screen)]
    assert tables, name
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        screen.grab().save(str(SHOTS / f"{name}-{language}-{size[0]}x{size[1]}.png"))
    problems = {t.objectName() or type(t.model()).__name__: cut_off_columns(t) for t in tables}
    assert not any(problems.values()), problems
