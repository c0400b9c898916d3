"""Translations: Simplified Chinese in the source, English from ``showroom_en.qm``.

Strings in ``ui/`` are written in Chinese inside ``self.tr()`` or
``QCoreApplication.translate()``. ``pyside6-lupdate`` collects them into
``resources/translations/showroom_en.ts``; ``pyside6-lrelease`` compiles the
``.qm`` that is loaded here when the language is English. For Chinese, Qt's own
``qtbase_zh_CN.qm`` is loaded so that standard buttons and context menus
(复制, 粘贴, 确定, 取消) match the rest of the screen.

Refresh after changing strings::

    pyside6-lupdate ui/*.py ui/widgets/*.py ui/dialogs/*.py ui/screens/*.py \\
        ui/kiosk/*.py ui/documents/*.py \\
        -ts resources/translations/showroom_en.ts
    pyside6-lrelease resources/translations/showroom_en.ts \\
        -qm resources/translations/showroom_en.qm
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

import resources

log = logging.getLogger("showroom.ui.i18n")

LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"


def resolve_language(requested: str | None) -> str:
    """A supported language code; anything unknown falls back to Chinese."""
    if requested in LANGUAGES:
        return requested  # type: ignore[return-value]
    return DEFAULT_LANGUAGE


def install_translators(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Install the translators for ``language``; keep the returned list alive with the app."""
    language = resolve_language(language)
    installed: list[QTranslator] = []
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if language == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        ours = QTranslator(app)
        qm = resources.path("translations", "showroom_en.qm")
        if ours.load(str(qm)):
            app.installTranslator(ours)
            installed.append(ours)
        else:
            log.warning("English translation not found at %s; showing Chinese", qm)
    else:
        QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        qt_zh = QTranslator(app)
        if qt_zh.load("qtbase_zh_CN", qt_dir):
            app.installTranslator(qt_zh)
            installed.append(qt_zh)
    return installed
