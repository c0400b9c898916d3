"""The desk check-in with the keyboard only; key presses after the phone number are counted."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from db.models import (
    Consent,
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
    VisitStatus,
)
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.services import auth
from showroom.users import StaffUser
from tests.gui.conftest import Account
from ui.screens.reception import CheckInScreen


class KeyCounter:
    """Sends keys like a receptionist and counts every press."""

    def __init__(self, qtbot) -> None:  # type: ignore[no-untyped-def]
        self.qtbot = qtbot
        self.presses = 0

    def focus(self):  # type: ignore[no-untyped-def]
        return QApplication.focusWidget()

    def key(self, key: Qt.Key) -> None:
        self.presses += 1
        self.qtbot.keyClick(self.focus(), key)

    def text(self, text: str) -> None:
        self.presses += len(text)
        self.qtbot.keyClicks(self.focus(), text)

    def pinyin(self, pinyin: str, chinese: str) -> None:
        """Type Chinese through a pinyin IME: the letters, then Space for the first candidate."""
        self.presses += len(pinyin) + 1
        event = QInputMethodEvent()
        event.setCommitString(chinese)
        QApplication.sendEvent(self.focus(), event)


@pytest.fixture
def desk(qtbot, gui_context: AppContext, accounts: dict[str, Account]) -> StaffUser:  # type: ignore[no-untyped-def]
    with gui_context.database.write() as s:
        store_id = s.scalars(select(Store.id)).one()
        owner = s.scalars(select(Staff.id).where(Staff.username == "sales1")).one()
        s.add(
            Customer(
                id=uuid.UUID(int=1),
                store_id=store_id,
                name="张伟",
                title=Title.MR,
                phone="13812345678",
                owner_id=owner,
                owner_since=utcnow() - timedelta(days=3),
            )
        )
        s.add(Customer(store_id=store_id, name="王芳", title=Title.MS, phone="13812340000"))
    with gui_context.database.write() as s:
        return auth.sign_in(s, "reception", accounts["reception"].password)


def _screen(qtbot, gui_context, runner, user) -> CheckInScreen:  # type: ignore[no-untyped-def]
    screen = CheckInScreen(gui_context, runner, user)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    screen.activateWindow()
    qtbot.waitUntil(lambda: screen.entry.hasFocus(), timeout=2000)
    return screen


def _visits(gui_context: AppContext) -> list[Visit]:
    with gui_context.database.read() as s:
        return list(s.scalars(select(Visit)))


def test_returning_customer_checks_in_with_two_key_presses_after_the_number(
    qtbot, gui_context, runner, desk
) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, desk)
    keys = KeyCounter(qtbot)
    keys.text("13812345678")
    keys.presses = 0  # count from here: after the number
    keys.key(Qt.Key.Key_Return)  # the customer is selected, the check-in panel takes focus
    assert screen.customer_title.text() == "张伟 先生　138****5678"
    assert "孙顾问" in screen.customer_facts.text()
    assert "撞单" in screen.routing_label.text()  # owned and protected: goes to the owner
    keys.key(Qt.Key.Key_Return)  # check in
    assert keys.presses == 2 <= 3
    (visit,) = _visits(gui_context)
    assert (visit.customer_id, visit.purpose, visit.status) == (
        uuid.UUID(int=1),
        VisitPurpose.BUY,
        VisitStatus.WAITING,
    )
    assert "已签到：张伟 先生" in screen.message.text() and "孙顾问" in screen.message.text()
    # Checked in, with a routing note: a caution in amber, never the red of a failure.
    assert screen.message.objectName() == "WarningText"
    assert screen.entry.text() == "" and screen.entry.hasFocus()  # ready for the next person


def test_returning_customer_with_another_purpose_takes_three_presses(
    qtbot, gui_context, runner, desk
) -> None:  # type: ignore[no-untyped-def]
    _screen(qtbot, gui_context, runner, desk)
    keys = KeyCounter(qtbot)
    keys.text("13812345678")
    keys.presses = 0
    keys.key(Qt.Key.Key_Return)
    keys.key(Qt.Key.Key_Down)  # 买车 -> 卖车
    keys.key(Qt.Key.Key_Return)
    assert keys.presses == 3
    (visit,) = _visits(gui_context)
    assert visit.purpose is VisitPurpose.SELL


def test_partial_number_shows_matches_as_you_type(qtbot, gui_context, runner, desk) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, desk)
    qtbot.keyClicks(screen.entry, "1381234")
    qtbot.waitUntil(lambda: screen.match_list.count() == 2, timeout=2000)
    texts = [screen.match_list.item(n).text() for n in range(2)]
    assert texts[0].startswith("王芳 女士") and "138****0000" in texts[0]
    assert all("1381234" not in text for text in texts)  # masked even while searching
    qtbot.keyClick(screen.entry, Qt.Key.Key_Down)
    assert screen.customer_title.text().startswith("张伟 先生")
    qtbot.keyClick(screen.entry, Qt.Key.Key_Return)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert [v.customer_id for v in _visits(gui_context)] == [uuid.UUID(int=1)]


def test_new_customer_with_the_keyboard_only(qtbot, gui_context, runner, desk) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, desk)
    keys = KeyCounter(qtbot)
    keys.text("13900001111")
    keys.presses = 0
    keys.key(Qt.Key.Key_Return)  # unknown number: the new-customer form opens with it
    dialog = screen.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.phone_edit.text() == "13900001111"
    qtbot.waitUntil(lambda: dialog.name_edit.hasFocus(), timeout=2000)
    keys.pinyin("li", "李")
    keys.key(Qt.Key.Key_Tab)  # 先生/女士
    keys.key(Qt.Key.Key_Down)  # 女士
    keys.key(Qt.Key.Key_Tab)  # consent
    keys.key(Qt.Key.Key_Space)  # customer agreed
    keys.key(Qt.Key.Key_Return)  # save and check in
    assert keys.presses == 9  # Enter, l i Space (李), Tab, Down, Tab, Space, Enter
    with gui_context.database.read() as s:
        customer = s.scalars(select(Customer).where(Customer.phone == "13900001111")).one()
        assert (customer.name, customer.title) == ("李", Title.MS)
        assert {c.purpose.value: c.granted for c in s.scalars(select(Consent))} == {
            "service": True,
            "marketing": False,
        }
    (visit,) = _visits(gui_context)
    assert visit.customer_id == customer.id
    assert screen.dialog is None and "已签到：李女士" in screen.message.text()


def test_new_customer_without_consent_is_refused_and_keeps_the_form(
    qtbot, gui_context, runner, desk
) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, desk)
    qtbot.keyClicks(screen.entry, "13900001111")
    qtbot.keyClick(screen.entry, Qt.Key.Key_Return)
    dialog = screen.dialog
    dialog.name_edit.setText("李")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and "同意" in dialog.error_label.text()
    assert dialog.name_edit.text() == "李" and dialog.phone_edit.text() == "13900001111"
    assert _visits(gui_context) == []


def test_duplicate_number_in_the_form_offers_the_existing_customer(
    qtbot, gui_context, runner, desk
) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, desk)
    screen.open_new_customer()
    dialog = screen.dialog
    dialog.name_edit.setText("张")
    dialog.phone_edit.setText("138 1234 5678")
    dialog.consent_check.setChecked(True)
    dialog.ok_button.click()
    assert "张伟 先生" in dialog.error_label.text() and "138****5678" in dialog.error_label.text()
    assert dialog.existing_button.isVisible()
    dialog.existing_button.click()
    assert screen.customer_title.text().startswith("张伟 先生")
    assert screen.purpose_combo.hasFocus()
    with gui_context.database.read() as s:
        assert len(list(s.scalars(select(Customer)))) == 2


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12345678901", "手机号码格式不正确"),
        ("1381", "手机号码不完整"),
        ("]Q%%!!", "没有识别出"),
        ("ZZZZZZ", "预约码 ZZZZZZ 不存在"),
    ],
)
def test_bad_input_says_why_and_keeps_what_was_typed(
    qtbot, gui_context, runner, desk, typed: str, expected: str
) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, desk)
    qtbot.keyClicks(screen.entry, typed)
    qtbot.keyClick(screen.entry, Qt.Key.Key_Return)
    assert expected in screen.message.text()
    assert screen.message.isVisible() and screen.entry.text() == typed
    assert _visits(gui_context) == []


def test_scanned_booking_code_checks_in_and_links_the_drive(
    qtbot, gui_context, runner, desk
) -> None:  # type: ignore[no-untyped-def]
    with gui_context.database.write() as s:
        store_id = s.scalars(select(Store.id)).one()
        car = Vehicle(
            store_id=store_id,
            stock_no="S1",
            brand="丰田",
            model="卡罗拉",
            year=2020,
            mileage_km=1,
            energy=Energy.PETROL,
            transmission=Transmission.AUTOMATIC,
            list_price=1,
        )
        s.add(car)
        s.flush()
        start = utcnow() + timedelta(minutes=20)
        drive = TestDrive(
            store_id=store_id,
            booking_code="7KQ2MX",
            vehicle_id=car.id,
            customer_id=uuid.UUID(int=1),
            slot_start=start,
            slot_end=start + timedelta(minutes=45),
        )
        s.add(drive)
        s.flush()
        drive_id = drive.id
    screen = _screen(qtbot, gui_context, runner, desk)
    qtbot.keyClicks(screen.entry, "7kq2mx")  # the scanner types the code...
    qtbot.keyClick(screen.entry, Qt.Key.Key_Return)  # ...and Enter
    (visit,) = _visits(gui_context)
    assert (visit.test_drive_id, visit.purpose) == (drive_id, VisitPurpose.TEST_DRIVE)
    assert "已签到：张伟 先生" in screen.message.text()
