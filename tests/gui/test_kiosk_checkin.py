"""Kiosk self check-in: a number discloses nothing, a code greets, guessing waits, staff hear it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from db.models import (
    BookingCode,
    Customer,
    Energy,
    KioskArrival,
    Staff,
    Store,
    TestDrive,
    Title,
    Transmission,
    Vehicle,
    Visit,
    VisitPurpose,
)
from showroom.context import AppContext
from tests.gui.conftest import Account
from ui.kiosk.checkin import KioskCheckInPage
from ui.kiosk.window import CHECK_IN, KioskWindow
from ui.tasks import TaskRunner

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # 11:00 in the store


@pytest.fixture
def kiosk(
    qtbot: Any, gui_context: AppContext, runner: TaskRunner, accounts: dict[str, Account]
) -> Iterator[KioskWindow]:
    with gui_context.database.write() as s:
        store_id = s.scalars(select(Store.id)).one()
        owner = s.scalars(select(Staff.id).where(Staff.username == "sales1")).one()
        s.add(
            Customer(
                store_id=store_id,
                name="张伟",
                title=Title.MR,
                phone="13812345678",
                owner_id=owner,
                owner_since=NOW,
            )
        )
        s.add(Customer(store_id=store_id, name="欧阳敏", title=Title.MS, phone="13812345679"))
    window = KioskWindow(gui_context, runner, now=lambda: NOW)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    yield window
    window.idle.stop()


def _page(kiosk: KioskWindow) -> KioskCheckInPage:
    kiosk.home.tile_buttons[3].click()  # 扫码签到
    page = kiosk.page(CHECK_IN)
    assert isinstance(page, KioskCheckInPage) and kiosk.current_key() == CHECK_IN
    return page


def _type(page: KioskCheckInPage, digits: str) -> None:
    for digit in digits:
        page.keys[digit].click()


def _texts(page: KioskCheckInPage) -> str:
    return " ".join(label.text() for label in page.findChildren(QLabel))


def _book(gui_context: AppContext, code: str, start: datetime) -> None:
    with gui_context.database.write() as s:
        store_id = s.scalars(select(Store.id)).one()
        customer = s.scalars(select(Customer).where(Customer.phone == "13812345679")).one()
        consultant = s.scalars(select(Staff.id).where(Staff.username == "sales1")).one()
        car = Vehicle(
            store_id=store_id,
            stock_no="S1",
            brand="本田",
            model="雅阁",
            year=2021,
            mileage_km=1,
            energy=Energy.PETROL,
            transmission=Transmission.AUTOMATIC,
            list_price=1,
        )
        s.add(car)
        s.flush()
        s.add(
            TestDrive(
                store_id=store_id,
                booking_code=code,
                vehicle_id=car.id,
                customer_id=customer.id,
                consultant_id=consultant,
                slot_start=start,
                slot_end=start + timedelta(hours=1),
            )
        )
        s.add(BookingCode(code=code, store_id=store_id, kind="test_drive"))


def test_a_known_and_an_unknown_number_get_the_same_words_and_nothing_else(
    kiosk: KioskWindow, gui_context: AppContext
) -> None:
    page = _page(kiosk)
    _type(page, "1381234567")
    assert page.display.text() == "138 1234 567"
    page.submit_button.click()
    assert "11 位" in page.error.text() and page.digits == "1381234567"  # kept
    _type(page, "8")
    page.submit_button.click()
    known = (page.views.currentIndex(), page.thanks.text(), page.thanks_detail.text())
    shown = _texts(page)
    page._finish()
    page = _page(kiosk)
    _type(page, "13900000000")
    page.submit_button.click()
    stranger = (page.views.currentIndex(), page.thanks.text(), page.thanks_detail.text())
    assert (
        known == stranger == (1, "签到成功", "工作人员马上来接待您，\n请在休息区稍坐，茶水自取。")
    )
    for secret in ("张", "孙顾问", "5678", "138"):
        assert secret not in shown
    with gui_context.database.read() as s:
        assert s.scalars(select(Visit)).all() == []  # staff greet first, then log the visit
        tails = sorted(s.scalars(select(KioskArrival.phone_tail)))
    assert tails == ["0000", "5678"]


def test_a_scanned_booking_code_greets_by_surname_with_the_consultant(
    qtbot: Any, kiosk: KioskWindow, gui_context: AppContext
) -> None:
    _book(gui_context, "K7QM2XPD", NOW + timedelta(minutes=10))
    page = _page(kiosk)
    qtbot.keyClicks(page, "]Q%!!")  # scanner garbage
    qtbot.keyClick(page, Qt.Key.Key_Return)
    assert "再扫一次" in page.error.text()
    qtbot.keyClicks(page, "SHOWROOM:TD:k7qm2xpd")
    qtbot.keyClick(page, Qt.Key.Key_Return)
    assert page.thanks.text() == "欧阳女士，欢迎光临！签到成功"  # a compound surname, whole
    assert "孙顾问" in page.thanks_detail.text()
    assert "欧阳敏" not in _texts(page)  # the surname, never the full name
    with gui_context.database.read() as s:
        (visit,) = s.scalars(select(Visit))
        assert visit.purpose is VisitPurpose.TEST_DRIVE and visit.test_drive_id is not None


@pytest.mark.parametrize("known", [True, False])
def test_a_code_that_cannot_check_in_gets_one_answer(
    qtbot: Any, kiosk: KioskWindow, gui_context: AppContext, known: bool
) -> None:
    if known:
        _book(gui_context, "K7QM2XPD", NOW + timedelta(days=2))  # not today
    page = _page(kiosk)
    qtbot.keyClicks(page, "K7QM2XPD")
    qtbot.keyClick(page, Qt.Key.Key_Return)
    assert page.error.text() == (
        "这个预约码现在无法签到。请核对后重试，或到前台由工作人员为您办理。"
    )
    assert page.views.currentIndex() == 0


def test_many_unrelated_numbers_make_the_kiosk_wait(
    kiosk: KioskWindow, gui_context: AppContext
) -> None:
    page = _page(kiosk)
    for n in range(3):
        _type(page, f"1390000000{n}")
        page.submit_button.click()
        assert page.thanks.text() == "签到成功"
        page._finish()
        page = _page(kiosk)
    _type(page, "13900000003")
    page.submit_button.click()  # the fourth stranger at the same moment
    assert "秒后再试" in page.error.text()
    assert not page.submit_button.isEnabled()
    assert page.digits == "13900000003"  # what was typed stays


def test_reset_wipes_the_page_and_the_greeting(
    qtbot: Any, kiosk: KioskWindow, gui_context: AppContext
) -> None:
    _book(gui_context, "K7QM2XPD", NOW + timedelta(minutes=10))
    page = _page(kiosk)
    qtbot.keyClicks(page, "K7QM2XPD")
    qtbot.keyClick(page, Qt.Key.Key_Return)
    assert page.views.currentIndex() == 1
    kiosk.go_home()  # 返回首页
    assert kiosk.current_key() == "home"
    assert (page.digits, page.display.text(), page.thanks.text(), page.error.text()) == (
        "",
        "",
        "",
        "",
    )
    assert page.views.currentIndex() == 0 and page.greeting is None
    assert "欧阳" not in _texts(page) and "孙顾问" not in _texts(page)
