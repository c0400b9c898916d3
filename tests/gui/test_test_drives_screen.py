"""The 试驾 screen end to end: licence, signing with the mouse, check-out and return."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from sqlalchemy import select

from db.models import (
    Customer,
    Document,
    Energy,
    Media,
    TestDrive,
    Transmission,
    Vehicle,
    VehicleStatus,
)
from showroom.clock import store_today
from showroom.context import AppContext
from showroom.documents.model import Document as Paper
from showroom.identifiers import id_check_digit
from showroom.services import auth
from showroom.services import test_drives as td
from showroom.services.overview import store_zone
from showroom.users import StaffUser
from tests.gui.conftest import Account
from tests.gui.test_test_drive_agreement_pdf import print_font_files, print_fonts  # noqa: F401
from ui.clock import today_qdate
from ui.dialogs.test_drive import (
    STORE_ZONE,
    AgreementDialog,
    CheckOutDialog,
    LicenceDialog,
    ReturnDialog,
)
from ui.documents import printing
from ui.screens.test_drives import TestDrivesScreen
from ui.tasks import TaskRunner
from ui.widgets.signature_pad import SignaturePad

TOMORROW = store_today() + timedelta(days=1)


@pytest.fixture
def sales(gui_context: AppContext, accounts: dict[str, Account]) -> StaffUser:
    with gui_context.database.write() as s:
        return auth.sign_in(s, "sales1", accounts["sales1"].password)


@pytest.fixture
def booking(gui_context: AppContext, sales: StaffUser) -> td.Booking:
    with gui_context.database.write() as s:
        car = Vehicle(
            store_id=sales.store_id,
            stock_no="BJ01-S2026-00042",
            vin="LSVAU2180N2123456",
            brand="大众",
            model="朗逸",
            year=2021,
            mileage_km=32000,
            energy=Energy.PETROL,
            transmission=Transmission.AUTOMATIC,
            list_price=Decimal("86000"),
            status=VehicleStatus.ON_SALE,
        )
        customer = Customer(store_id=sales.store_id, name="王小明", phone="13812345678")
        s.add_all([car, customer])
        s.flush()
        return td.book(
            s,
            sales.actor,
            vehicle_id=car.id,
            customer_id=customer.id,
            slot_start=datetime.combine(TOMORROW, time(10), STORE_ZONE),
            rules=td.SlotRules(),
            consultant_id=sales.id,
        )


@pytest.fixture
def screen(
    qtbot, gui_context: AppContext, runner: TaskRunner, sales: StaffUser, booking: td.Booking
):  # type: ignore[no-untyped-def]
    widget = TestDrivesScreen(gui_context, runner, sales)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    widget.day.setDate(QDate(TOMORROW.year, TOMORROW.month, TOMORROW.day))
    widget.select_code(booking.booking_code)
    return widget


def sign(qtbot, pad: SignaturePad, left: int) -> None:  # type: ignore[no-untyped-def]
    pad.resize(420, 140)
    points = [QPoint(left + 14 * i, 30 + (70 if i % 2 else 0)) for i in range(16)]
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=points[0])
    for point in points[1:]:
        qtbot.mouseMove(pad, point)
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=points[-1])


def licence_number() -> str:
    return "11010519900307123" + id_check_digit("11010519900307123")


def test_the_day_list_shows_the_booking_with_a_masked_phone(
    screen: TestDrivesScreen, booking: td.Booking
) -> None:
    assert screen.model.rowCount() == 1
    cells = [screen.model.index(0, c).data() for c in range(screen.model.columnCount())]
    assert cells[0] == "10:00–10:30" and cells[1] == booking.booking_code
    assert cells[5] == "138****5678"
    assert "待核证" in cells[7]
    assert screen.licence_button.isEnabled() and not screen.agreement_button.isEnabled()
    assert not screen.out_button.isEnabled()


def test_a_drive_from_licence_to_return(
    qtbot,
    screen: TestDrivesScreen,
    gui_context: AppContext,
    print_fonts: None,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from PySide6.QtWidgets import QFileDialog

    row = screen.selected()
    assert row is not None
    # An expired licence is refused; what was typed stays for correcting.
    dialog = LicenceDialog(gui_context, screen.runner, screen.user, row, screen)
    qtbot.addWidget(dialog)
    dialog.number.setText(licence_number())
    dialog.valid_until.setDate(today_qdate().addDays(-3))
    dialog.submit()
    assert dialog.error.isVisibleTo(dialog) and "过期" in dialog.error.text()
    assert dialog.number.text() == licence_number()
    dialog.valid_until.setDate(today_qdate().addYears(2))
    # The licence photo is read in a worker and goes with the licence.
    licence_png = tmp_path / "licence.png"
    licence_png.write_bytes(b"licence-photo-bytes")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(licence_png), ""))
    )
    dialog._choose_photo()
    assert dialog.photo_button.text() == "licence.png" and dialog.ok_button.isEnabled()
    dialog.succeeded.connect(screen._changed)
    dialog.submit()
    assert dialog.result() == dialog.DialogCode.Accepted
    with gui_context.database.read() as s:
        sha = s.scalars(select(TestDrive)).one().licence_photo_sha
        assert sha is not None and s.get_one(Media, sha).data == b"licence-photo-bytes"
    screen.select_code(row.booking_code)
    assert screen.agreement_button.isEnabled()

    # The agreement is shown, refused unsigned, then signed with the mouse on both pads.
    previews: list[Paper] = []
    monkeypatch.setattr(
        printing, "preview", lambda document, parent=None: previews.append(document)
    )
    screen.sign_agreement()
    agreement = screen.findChild(AgreementDialog)
    assert agreement is not None
    assert (
        "王小明" in agreement.text.toPlainText()
        and "LSVAU2180N2123456" in agreement.text.toPlainText()
    )
    agreement.submit()
    assert "客户尚未签名" in agreement.error.text()
    sign(qtbot, agreement.customer_pad, 20)
    sign(qtbot, agreement.consultant_pad, 40)
    agreement.submit()
    assert agreement.result() == agreement.DialogCode.Accepted
    assert len(previews) == 1 and all(s.signed for s in previews[0].signatures)
    with gui_context.database.read() as s:
        archived = s.scalars(select(Document)).one()
        assert archived.number == row.booking_code and archived.copy_no == 0
    assert "已签署" in screen.message.text()

    # Check-out marks the car as on a test drive; a backwards odometer on return is refused.
    screen.select_code(row.booking_code)
    assert screen.out_button.isEnabled()
    out = CheckOutDialog(gui_context, screen.runner, screen.user, screen.selected(), screen)  # type: ignore[arg-type]
    qtbot.addWidget(out)
    out.odometer.setValue(32010)
    out.succeeded.connect(screen._changed)
    out.submit()
    with gui_context.database.read() as s:
        assert s.scalars(select(Vehicle)).one().status is VehicleStatus.TEST_DRIVE
    screen.select_code(row.booking_code)
    back = ReturnDialog(gui_context, screen.runner, screen.user, screen.selected(), screen)  # type: ignore[arg-type]
    qtbot.addWidget(back)
    back.odometer.setValue(32000)
    back.feedback.setPlainText("动力够用")
    back.submit()
    assert "小于出车里程" in back.error.text()
    assert back.feedback.toPlainText() == "动力够用"
    damage_jpg = tmp_path / "scratch.jpg"
    damage_jpg.write_bytes(b"damage-photo-bytes")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(damage_jpg)], ""))
    )
    back._add_photo()
    assert back.photos.count() == 1 and back.photos.item(0).text() == "scratch.jpg"
    back.odometer.setValue(32019)
    back.submit()
    assert back.result() == back.DialogCode.Accepted
    with gui_context.database.read() as s:
        assert s.scalars(select(Vehicle)).one().status is VehicleStatus.ON_SALE
        [sha] = s.scalars(select(TestDrive)).one().damage_photo_shas or []
        assert s.get_one(Media, sha).data == b"damage-photo-bytes"


def test_tomorrows_reminder_list_is_saved_with_the_full_numbers(
    qtbot,
    gui_context: AppContext,
    runner: TaskRunner,
    sales: StaffUser,
    booking: td.Booking,
    tmp_path,
    monkeypatch,
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QFileDialog

    widget = TestDrivesScreen(gui_context, runner, sales)
    qtbot.addWidget(widget)
    # The list is for the day after the one shown; count days as the store does, from the
    # booking itself, so the test holds across midnight and across time zones.
    eve = booking.slot_start.astimezone(store_zone(None)).date() - timedelta(days=1)
    widget.day.setDate(QDate(eve.year, eve.month, eve.day))
    target = tmp_path / "calls.csv"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "CSV"))
    )
    widget.export_reminders()
    text = target.read_text(encoding="utf-8")
    assert "13812345678" in text and booking.booking_code in text
