"""English comes from the compiled translation; every staff-app string has one."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from PySide6.QtCore import QCoreApplication, QLocale

import resources
from ui.i18n import install_translators, resolve_language


def test_the_english_translation_is_complete() -> None:
    tree = ET.parse(resources.path("translations", "showroom_en.ts"))
    messages = list(tree.iter("message"))
    assert len(messages) > 300  # the file really holds the app's strings
    unfinished = []
    for message in messages:
        translation = message.find("translation")
        assert translation is not None
        # Plural messages (%n) keep their text in <numerusform> children.
        texts = [f.text or "" for f in translation.findall("numerusform")] or [
            translation.text or ""
        ]
        if translation.get("type") == "unfinished" or not all(t.strip() for t in texts):
            unfinished.append(message.findtext("source"))
    assert unfinished == []


def test_english_is_loaded_and_removed_cleanly(qtbot) -> None:  # type: ignore[no-untyped-def]
    app = QCoreApplication.instance()
    locale = QLocale()
    translators = install_translators(app, "en")
    try:
        assert translators, "showroom_en.qm must load"
        assert QCoreApplication.translate("Screens", "今日概览") == "Today"
        assert QCoreApplication.translate("SignInPage", "登录") == "Sign in"
    finally:
        for translator in translators:
            app.removeTranslator(translator)
        QLocale.setDefault(locale)
    assert QCoreApplication.translate("Screens", "今日概览") == "今日概览"


def test_unknown_languages_fall_back_to_chinese() -> None:
    assert resolve_language("fr") == "zh_CN"
    assert resolve_language(None) == "zh_CN"
    assert resolve_language("en") == "en"


def test_staff_screen_dates_follow_the_language(qtbot) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, date, datetime

    from ui.widgets.dates import month_day, month_day_time, weekday

    day = date(2026, 3, 5)  # a Thursday
    moment = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)
    assert (month_day(day), weekday(day), month_day_time(moment)) == (
        "03月05日",
        "周四",
        "03月05日 14:30",
    )
    app = QCoreApplication.instance()
    locale = QLocale()
    translators = install_translators(app, "en")
    try:
        assert (month_day(day), weekday(day), month_day_time(moment)) == (
            "Mar 5",
            "Thu",
            "Mar 5 14:30",
        )
    finally:
        for translator in translators:
            app.removeTranslator(translator)
        QLocale.setDefault(locale)
