"""The kiosk browse page's sort chips are all on screen at 1280x800, 1920x1080 and upright.

The price bands too, on the landscape screens.

The chips sit in a strip that scrolls sideways by finger when it does not fit; nothing
shows a visitor that there is more, so a chip cut at the strip's edge is a sort they
never find. Each chip must lie wholly inside the visible part of its strip and of the
window, show its whole text and stay a touch target (at least 48 px high), in Chinese
and in English.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QPoint, QRect
from PySide6.QtWidgets import QPushButton

from ui.i18n import install_translators

SHOTS = os.environ.get("SHOWROOM_SHOTS")  # a folder to save the screens in, when set


@pytest.fixture(params=["zh", "en"])
def language(request: pytest.FixtureRequest, qtbot: Any) -> Iterator[str]:
    app = QCoreApplication.instance()
    locale = QLocale()
    translators = install_translators(app, request.param)
    try:
        yield request.param
    finally:
        for translator in translators:
            app.removeTranslator(translator)
        QLocale.setDefault(locale)


@pytest.mark.parametrize(
    "size", [(1280, 800), (1920, 1080), (1080, 1920)], ids=["1280x800", "1920x1080", "portrait"]
)
def test_every_sort_chip_is_on_screen_whole(
    language: str, size: tuple[int, int], qtbot: Any, gui_context: Any, runner: Any
) -> None:
    from tests.factories import make_store
    from tests.gui.test_kiosk import add_car
    from ui.kiosk.window import KioskWindow

    store_id = make_store(gui_context.database)
    add_car(gui_context.database, store_id, price="156500")
    kiosk = KioskWindow(gui_context, runner)
    qtbot.addWidget(kiosk)
    kiosk.resize(*size)
    kiosk.show()
    try:
        kiosk.open_page("browse")
        qtbot.waitUntil(lambda: kiosk.browse.model.rowCount() > 0)
        page = kiosk.browse
        if SHOTS:
            name = f"kiosk-browse-{language}-{size[0]}x{size[1]}.png"
            kiosk.grab().save(str(Path(SHOTS) / name))
        chips = [page._sort_group.button(n) for n in range(len(page._sorts))]
        assert len(chips) == 3
        if size[0] > size[1]:
            # On a landscape screen the price bands (a fixed list) fit whole as well; the
            # brands and body types grow with the stock and may scroll.
            bands = [page._price_group.button(n) for n in range(len(page._bands))]
            assert len(bands) == 7
            chips += bands
        window = QRect(QPoint(0, 0), kiosk.size())
        for chip in chips:
            assert isinstance(chip, QPushButton)
            assert chip.isVisible(), chip.text()
            viewport = chip.parentWidget().parentWidget()  # the strip's visible part
            shown = QRect(chip.mapTo(viewport, QPoint(0, 0)), chip.size())
            assert viewport.rect().contains(shown), (chip.text(), shown, viewport.rect())
            on_window = QRect(chip.mapTo(kiosk, QPoint(0, 0)), chip.size())
            assert window.contains(on_window), (chip.text(), on_window)
            assert chip.width() >= chip.fontMetrics().horizontalAdvance(chip.text()), chip.text()
            assert chip.height() >= 48, chip.text()
    finally:
        kiosk.idle.stop()
