"""Booking a test drive on the kiosk with a finger: keypad, slot, surname, code and QR."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from sqlalchemy import select

from db.models import Customer, Energy, TestDrive, Transmission, Vehicle, VehicleStatus
from showroom.clock import store_today
from showroom.context import AppContext
from tests.factories import make_store
from ui.kiosk.test_drive import CONTACT, DONE, SLOT, KioskTestDrivePage
from ui.tasks import TaskRunner

TODAY = store_today()


@pytest.fixture
def page(qtbot, gui_context: AppContext, runner: TaskRunner) -> KioskTestDrivePage:  # type: ignore[no-untyped-def]
    store_id = make_store(gui_context.database)
    with gui_context.database.write() as s:
        s.add(
            Vehicle(
                store_id=store_id,
                stock_no="BJ01-S2026-00042",
                brand="大众",
                model="朗逸",
                year=2021,
                mileage_km=32000,
                energy=Energy.PETROL,
                transmission=Transmission.AUTOMATIC,
                list_price=Decimal("86000"),
                status=VehicleStatus.ON_SALE,
            )
        )
        # Someone else already on file with this number: the kiosk must never show their name.
        s.add(Customer(store_id=store_id, name="王小明", phone="13812345678"))
    widget = KioskTestDrivePage(gui_context.settings, runner, today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    return widget


def tap(qtbot, page: KioskTestDrivePage, text: str) -> None:  # type: ignore[no-untyped-def]
    buttons = [b for b in page.steps.currentWidget().findChildren(QPushButton) if b.text() == text]
    assert buttons, text
    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)


def test_a_customer_books_alone_and_gets_a_code(
    qtbot, page: KioskTestDrivePage, gui_context: AppContext
) -> None:  # type: ignore[no-untyped-def]
    for key in "42":
        tap(qtbot, page, key)
    qtbot.mouseClick(page.car_next, Qt.MouseButton.LeftButton)
    assert page.steps.currentIndex() == SLOT
    assert "大众 朗逸" in page.car_title.text()
    page.choose_day(1)  # tomorrow: always within opening hours
    slots = [b for b in page.findChildren(QPushButton) if b.property("start") is not None]
    assert slots and slots[0].text() == "09:00–09:30"
    qtbot.mouseClick(slots[0], Qt.MouseButton.LeftButton)
    assert page.steps.currentIndex() == CONTACT
    for key in "13812345678":
        tap(qtbot, page, key)
    tap(qtbot, page, "张")
    tap(qtbot, page, "女士")
    page.submit()
    assert "同意" in page.error.text()  # consent first; nothing typed is lost
    assert page.phone_label.text() == "13812345678"
    page.consent.setChecked(True)
    qtbot.mouseClick(page.confirm, Qt.MouseButton.LeftButton)
    assert page.steps.currentIndex() == DONE
    code = page.booking.booking_code if page.booking is not None else ""
    assert page.done_code.text().replace(" ", "") == code and len(code) == 8
    assert "张女士" in page.done_details.text() and "王小明" not in page.done_details.text()
    assert not page.done_qr.pixmap().isNull()
    page.grab().save(str(gui_context.paths.cache_dir / "kiosk.png"))
    with gui_context.database.read() as s:
        drive = s.scalars(select(TestDrive)).one()
        assert drive.booked_via == "kiosk" and drive.booking_code == page.booking.booking_code
    page.reset()
    assert page.done_code.text() == "" and page.steps.currentIndex() == 0


def test_an_unknown_stock_number_is_explained(qtbot, page: KioskTestDrivePage) -> None:  # type: ignore[no-untyped-def]
    for key in "999":
        tap(qtbot, page, key)
    qtbot.mouseClick(page.car_next, Qt.MouseButton.LeftButton)
    assert page.steps.currentIndex() == 0
    assert "没有找到" in page.error.text()
    assert page.stock_label.text() == "999"
