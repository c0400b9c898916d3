"""Kiosk self check-in: keypad or scanner, a greeting and nothing about anyone else."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from db.models import (
    Customer,
    Energy,
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


@pytest.fixture
def kiosk(
    qtbot: Any, gui_context: AppContext, runner: TaskRunner, accounts: dict[str, Account]
) -> Iterator[KioskWindow]:
    with gui_context.database.write() as s:
        store_id = s.scalars(select(Store.id)).one()
        s.add(Customer(store_id=store_id, name="张伟", title=Title.MR, phone="13812345678"))
        s.add(Customer(store_id=store_id, name="张敏", title=Title.MS, phone="13812345679"))
    window = KioskWindow(gui_context, runner)
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
    return " ".join(label.text() for label in page.findChildren(QLabel) if label.isVisible())


def test_returning_customer_checks_in_on_the_keypad(
    kiosk: KioskWindow, gui_context: AppContext
) -> None:
    page = _page(kiosk)
    _type(page, "1381234567")
    assert page.display.text() == "138 1234 567"
    assert "张" not in _texts(page)  # nothing is suggested while typing
    page.submit_button.click()
    assert "11 位" in page.error.text() and page.digits == "1381234567"  # kept
    _type(page, "8")
    page.submit_button.click()
    assert page.views.currentIndex() == 1
    assert page.thanks.text() == "张先生，欢迎光临！签到成功"
    assert "孙顾问" in page.thanks_detail.text()
    shown = _texts(page)
    assert "张伟" not in shown and "5678" not in shown and "张敏" not in shown
    with gui_context.database.read() as s:
        (visit,) = s.scalars(select(Visit))
        assert s.get_one(Customer, visit.customer_id).phone == "13812345678"


def test_unknown_number_sends_to_the_desk_and_keeps_the_digits(kiosk: KioskWindow) -> None:
    page = _page(kiosk)
    _type(page, "13900000000")
    page.submit_button.click()
    assert "请到前台" in page.error.text()
    assert page.digits == "13900000000" and page.views.currentIndex() == 0


def test_scanned_booking_code_checks_in(qtbot: Any, kiosk: KioskWindow, gui_context) -> None:  # type: ignore[no-untyped-def]
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
        start = datetime.now(UTC) + timedelta(minutes=10)
        s.add(
            TestDrive(
                store_id=store_id,
                booking_code="ABC123",
                vehicle_id=car.id,
                customer_id=customer.id,
                consultant_id=consultant,
                slot_start=start,
                slot_end=start + timedelta(hours=1),
            )
        )
    page = _page(kiosk)
    qtbot.keyClicks(page, "]Q%!!")  # scanner garbage
    qtbot.keyClick(page, Qt.Key.Key_Return)
    assert "再扫一次" in page.error.text()
    qtbot.keyClicks(page, "abc123")
    qtbot.keyClick(page, Qt.Key.Key_Return)
    assert page.thanks.text() == "张女士，欢迎光临！签到成功"
    with gui_context.database.read() as s:
        (visit,) = s.scalars(select(Visit))
        assert visit.purpose is VisitPurpose.TEST_DRIVE and visit.test_drive_id is not None


def test_idle_reset_wipes_the_page(kiosk: KioskWindow) -> None:
    page = _page(kiosk)
    _type(page, "13812345678")
    page.submit_button.click()
    assert page.views.currentIndex() == 1
    kiosk.reset_to_home()
    assert kiosk.current_key() == "home"
    assert (page.digits, page.display.text(), page.thanks.text(), page.error.text()) == (
        "",
        "",
        "",
        "",
    )
    assert page.views.currentIndex() == 0 and page.greeting is None


def test_checking_in_twice_says_so(kiosk: KioskWindow, gui_context: AppContext) -> None:
    page = _page(kiosk)
    for _ in range(2):
        _type(page, "13812345678")
        page.submit_button.click()
        done = page.thanks.text()
        page._finish()
        kiosk.home.tile_buttons[3].click()
    assert done == "张先生，您已签到"
    with gui_context.database.read() as s:
        assert len(list(s.scalars(select(Visit)))) == 1
