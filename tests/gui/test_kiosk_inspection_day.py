"""Signing up for the inspection day on the kiosk: day, plate, number, slip with code and QR."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from sqlalchemy import select

from db.models import Customer, Registration
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.services import audit
from showroom.services import inspection_day as idays
from tests.factories import make_store
from ui.kiosk.inspection_day import CONTACT, DONE, PLATE, KioskInspectionDayPage
from ui.tasks import TaskRunner


@pytest.fixture
def page(qtbot, gui_context: AppContext, runner: TaskRunner) -> KioskInspectionDayPage:  # type: ignore[no-untyped-def]
    store_id = make_store(gui_context.database)
    now = utcnow()
    with gui_context.database.write() as s:
        idays.create_events(
            s,
            audit.SYSTEM,
            store_id,
            idays.EventForm(
                "十二月透明检测日",
                (now + timedelta(days=10)).date(),
                time(9),
                time(17),
                seats=1,
            ),
            now=now,
        )
        # Someone on file with this number: the kiosk must never show their name.
        s.add(Customer(store_id=store_id, name="王小明", phone="13812345678"))
    widget = KioskInspectionDayPage(gui_context.settings, runner)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    widget.activate()
    return widget


def tap(qtbot, page: KioskInspectionDayPage, text: str) -> None:  # type: ignore[no-untyped-def]
    buttons = [
        b
        for b in page.steps.currentWidget().findChildren(QPushButton)
        if b.text() == text or b.text().startswith(text)
    ]
    assert buttons, text
    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)


def sign_up(qtbot, page: KioskInspectionDayPage, plate: str, phone: str) -> None:  # type: ignore[no-untyped-def]
    events = page.findChildren(QPushButton, "kioskEvent")
    assert events
    qtbot.mouseClick(events[0], Qt.MouseButton.LeftButton)
    assert page.steps.currentIndex() == PLATE
    for key in plate:
        tap(qtbot, page, key)
    assert page.plate_label.text() == plate
    tap(qtbot, page, "下一步")
    assert page.steps.currentIndex() == CONTACT
    for key in phone:
        tap(qtbot, page, key)
    tap(qtbot, page, "李")
    tap(qtbot, page, "女士")
    page.consent.setChecked(True)
    tap(qtbot, page, "确认报名")


def texts(page: KioskInspectionDayPage) -> str:
    return " ".join(label.text() for label in page.findChildren(QLabel) if label.isVisible())


def test_a_customer_signs_up_and_the_next_one_is_wait_listed(
    qtbot, page: KioskInspectionDayPage, gui_context: AppContext
) -> None:  # type: ignore[no-untyped-def]
    assert "剩余名额 1 / 1" in page.findChildren(QPushButton, "kioskEvent")[0].text()
    sign_up(qtbot, page, "京A12345", "13812345678")
    assert page.steps.currentIndex() == DONE, page.error.text()
    result = page.result
    assert result is not None and result.seated
    shown = texts(page)
    assert result.booking_code in shown.replace(" ", "") and "报名成功" in shown
    assert "王小明" not in shown and "李女士" in shown
    assert page.done_qr.pixmap() is not None and not page.done_qr.pixmap().isNull()

    tap(qtbot, page, "完成")
    page.activate()
    assert "名额已满" in page.findChildren(QPushButton, "kioskEvent")[0].text()
    sign_up(qtbot, page, "京B66K88", "13912340009")
    assert "候补第 1 位" in texts(page) and "139****0009" in texts(page)
    with gui_context.database.read() as s:
        channels = s.scalars(select(Registration.channel)).all()
    assert channels == ["kiosk", "kiosk"]


def test_the_same_car_twice_gets_a_clear_message(qtbot, page: KioskInspectionDayPage) -> None:  # type: ignore[no-untyped-def]
    sign_up(qtbot, page, "京A12345", "13812345678")
    first_code = page.result.booking_code if page.result is not None else "?"
    tap(qtbot, page, "完成")
    page.activate()
    sign_up(qtbot, page, "京A12345", "13912340009")
    assert page.steps.currentIndex() == CONTACT
    assert "已经报名了这一场检测日" in page.error.text()
    # The first sign-up's code would check its owner in: it is never shown to someone else.
    assert first_code not in page.error.text().replace(" ", "")


def test_a_plate_must_start_with_the_province(qtbot, page: KioskInspectionDayPage) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(page.findChildren(QPushButton, "kioskEvent")[0], Qt.MouseButton.LeftButton)
    tap(qtbot, page, "A")
    assert "省份" in page.error.text()
    tap(qtbot, page, "下一步")
    assert page.steps.currentIndex() == PLATE and "不完整" in page.error.text()


@pytest.fixture
def english(qtbot):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QCoreApplication, QLocale

    from ui.i18n import install_translators

    app = QCoreApplication.instance()
    locale = QLocale()
    translators = install_translators(app, "en")
    assert translators
    yield
    for translator in translators:
        app.removeTranslator(translator)
    QLocale.setDefault(locale)


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
WEEKDAYS_EN = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def test_the_english_kiosk_spells_the_day_in_english(english, page: KioskInspectionDayPage) -> None:  # type: ignore[no-untyped-def]
    day = (utcnow() + timedelta(days=10)).date()
    text = page.findChildren(QPushButton, "kioskEvent")[0].text()
    # The day before the hours; the event's own title stays as the store typed it.
    assert text.split("  ")[0] == f"{MONTHS[day.month - 1]} {day.day} {WEEKDAYS_EN[day.weekday()]}"


def test_the_chinese_kiosk_keeps_its_dates(page: KioskInspectionDayPage) -> None:
    day = (utcnow() + timedelta(days=10)).date()
    text = page.findChildren(QPushButton, "kioskEvent")[0].text()
    assert text.split("  ")[0] == f"{day:%m月%d日} 周{'一二三四五六日'[day.weekday()]}"
