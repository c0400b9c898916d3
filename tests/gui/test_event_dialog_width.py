"""The new inspection day dialog shows its offer sentence whole, in Chinese and English."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QLocale

from ui.i18n import install_translators
from ui.screens.inspection_day import EventDialog


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_offer_is_not_cut_off(qtbot: Any, runner: Any, language: str) -> None:
    app = QCoreApplication.instance()
    locale = QLocale()
    translators = install_translators(app, language) if language == "en" else []
    try:
        dialog = EventDialog(runner, object())  # type: ignore[arg-type]
        qtbot.addWidget(dialog)
        dialog.show()
        text = dialog.offer.text()
        assert text and (language == "zh_CN") == ("检测" in text)
        needed = dialog.offer.fontMetrics().horizontalAdvance(text)
        assert dialog.offer.contentsRect().width() - 16 >= needed
    finally:
        for translator in translators:
            app.removeTranslator(translator)
        QLocale.setDefault(locale)
