"""The kiosk as the app starts it: built before the database opens, every tile and button
tapped, a fresh kiosk for every customer, and nobody else's name, number or consultant on it.

``ShowroomApp(kiosk=True)`` paints the kiosk first and opens the database after that
paint (ui/app.py); these tests start it exactly so, tap before and after the database
is there, then walk the whole widget tree (labels, buttons, models, tooltips, hidden
widgets too) after each customer's flow.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QCheckBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from db import schema
from db.engine import Database
from db.models import (
    BookingCode,
    Customer,
    Energy,
    Role,
    TestDrive,
    Title,
    Transmission,
    Vehicle,
    VehicleStatus,
)
from showroom.context import embedded_url
from showroom.paths import AppPaths
from showroom.services import audit
from showroom.services import inspection_day as idays
from showroom.settings import Settings
from tests.factories import make_staff, make_store
from ui.app import ShowroomApp
from ui.kiosk.window import KioskWindow

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # the kiosk's check-in clock (11:00 in store)
PAGES = ("home", "browse", "test_drive", "inspection_day", "check_in", "staff", "loan")

# Everyone on file. Each flow below is one customer; the others must never appear.
PEOPLE = {
    "zhang": ("张伟", Title.MR, "13812345678"),
    "ouyang": ("欧阳敏", Title.MS, "13812345679"),
    "wang": ("王小明", Title.MR, "13987654321"),
}
CONSULTANTS = ("孙顾问", "周顾问")


@pytest.fixture
def shop(paths: AppPaths) -> Iterator[dict[str, Any]]:
    """The embedded database the app will open, with cars, people, a booking and an event."""
    database = Database.from_url(embedded_url(paths.embedded_database))
    schema.upgrade(database)
    store_id = make_store(database, "BJ01", "示范二手车展厅")
    sun = make_staff(database, store_id, "sales1", Role.SALES, display_name="孙顾问")
    zhou = make_staff(database, store_id, "sales2", Role.SALES, display_name="周顾问")
    make_staff(database, store_id, "desk", Role.RECEPTION, "recept123", "1357", "钱前台")
    ids: dict[str, uuid.UUID] = {}
    with database.write() as s:
        for key, (name, title, phone) in PEOPLE.items():
            customer = Customer(
                store_id=store_id,
                name=name,
                title=title,
                phone=phone,
                owner_id=sun if key == "zhang" else zhou,
                owner_since=NOW,
            )
            s.add(customer)
            s.flush()
            ids[key] = customer.id
        for n, (brand, model, body, colour, price) in enumerate(
            (
                ("丰田", "卡罗拉", "轿车", "白色", "88000"),
                ("本田", "CR-V", "SUV", "蓝色", "156500"),
                ("比亚迪", "汉EV", "轿车", "黑色", "209800"),
            ),
            start=41,
        ):
            car = Vehicle(
                store_id=store_id,
                stock_no=f"BJ01-S2026-{n:05d}",
                brand=brand,
                model=model,
                trim="2021款 豪华版",
                year=2021,
                first_registration=date(2021, 6, 1),
                mileage_km=32150,
                energy=Energy.PETROL,
                transmission=Transmission.AUTOMATIC,
                body_type=body,
                colour=colour,
                drive="前驱",
                list_price=Decimal(price),
                cost_price=Decimal("50000"),
                status=VehicleStatus.ON_SALE,
            )
            s.add(car)
            s.flush()
            ids[f"car{n}"] = car.id
        s.add(
            TestDrive(
                store_id=store_id,
                booking_code="K7QM2XPD",
                vehicle_id=ids["car41"],
                customer_id=ids["ouyang"],
                consultant_id=zhou,
                slot_start=NOW + timedelta(minutes=15),
                slot_end=NOW + timedelta(minutes=45),
            )
        )
        s.add(BookingCode(code="K7QM2XPD", store_id=store_id, kind="test_drive"))
        idays.create_events(
            s,
            audit.SYSTEM,
            store_id,
            idays.EventForm("十二月透明检测日", date(2099, 12, 5), time(9), time(17), seats=5),
            now=NOW,
        )
    database.dispose()
    yield ids


@pytest.fixture
def make_app(qtbot: Any, paths: AppPaths, shop: dict[str, Any]) -> Iterator[Any]:
    made: list[ShowroomApp] = []

    def make() -> ShowroomApp:
        settings = Settings(paths.settings_file)
        app = ShowroomApp(paths, settings, kiosk=True, inline=True)
        made.append(app)
        return app

    yield make
    for app in made:
        if app.kiosk_window is not None:
            app.kiosk_window.idle.stop()  # type: ignore[attr-defined]
        app.shutdown()


def _kiosk(app: ShowroomApp) -> KioskWindow:
    kiosk = app.kiosk_window
    assert isinstance(kiosk, KioskWindow)
    return kiosk


def _connect(app: ShowroomApp, qtbot: Any) -> KioskWindow:
    qtbot.waitUntil(lambda: app.context is not None, timeout=10_000)
    kiosk = _kiosk(app)
    kiosk._now = lambda: NOW  # the check-in page reads this clock (made after this line)
    kiosk.resize(1920, 1080)
    return kiosk


def _settle() -> None:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()


def _buttons(root: QWidget, kiosk: KioskWindow) -> list[QAbstractButton]:
    return [b for b in root.findChildren(QAbstractButton) if b.isVisibleTo(kiosk) and b.isEnabled()]


def _tap_every_button(kiosk: KioskWindow, key: str) -> int:
    """Open ``key`` and tap each of its buttons once, reopening the page between taps."""
    kiosk.open_page(key)
    count = len(_buttons(kiosk.page(key), kiosk))
    for index in range(count):
        kiosk.open_page(key)
        buttons = _buttons(kiosk.page(key), kiosk)
        if index < len(buttons):
            buttons[index].click()
        _settle()
    return count


def all_texts(root: QWidget) -> list[str]:
    """Every string in the tree, shown or not: labels, buttons, fields, tooltips, models."""
    texts = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        texts += [widget.toolTip(), widget.accessibleName()]
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts += [widget.text(), widget.placeholderText()]
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(model.rowCount()):
                for column in range(model.columnCount()):
                    value = model.index(row, column).data()
                    texts.append("" if value is None else str(value))
    return [t for t in texts if t]


def assert_nothing_of(
    kiosk: KioskWindow, people: list[str], *, extra: tuple[str, ...] = ()
) -> None:
    """No name, surname-with-title, number (in any shown form) or consultant of ``people``."""
    _settle()
    joined = "\n".join(all_texts(kiosk))
    for key in people:
        name, title, phone = PEOPLE[key]
        suffix = "先生" if title is Title.MR else "女士"
        surname = "欧阳" if name.startswith("欧阳") else name[0]
        for secret in (
            name,
            surname + suffix,
            phone,
            f"{phone[:3]} {phone[3:7]} {phone[7:]}",
            f"{phone[:3]}****{phone[7:]}",
        ):
            assert secret not in joined, (key, secret)
    for secret in extra:
        assert secret not in joined, secret


def snapshot(page: QWidget) -> list[tuple[object, ...]]:
    """What a person could see or find on a page: every widget's text and state."""
    _settle()
    shot = []
    for widget in page.findChildren(QWidget):
        text = widget.text() if isinstance(widget, QLabel | QAbstractButton | QLineEdit) else ""
        checked = widget.isChecked() if isinstance(widget, QAbstractButton) else None
        shot.append(
            (type(widget).__name__, widget.objectName(), text, checked, widget.isVisibleTo(page))
        )
    return sorted(shot, key=repr)


# --- flows, one customer each ------------------------------------------------------------


def _tap_text(root: QWidget, text: str) -> None:
    for button in root.findChildren(QPushButton):
        if button.text() == text and button.isVisible() and button.isEnabled():
            button.click()
            return
    raise AssertionError(f"no button {text!r}")


def phone_check_in(kiosk: KioskWindow, phone: str) -> None:
    kiosk.open_page("check_in")
    page = kiosk.page("check_in")
    for digit in phone:
        page.keys[digit].click()  # type: ignore[attr-defined]
    page.submit_button.click()  # type: ignore[attr-defined]
    assert page.thanks.text() == "签到成功"  # type: ignore[attr-defined]


def code_check_in(kiosk: KioskWindow, qtbot: Any, code: str) -> str:
    kiosk.open_page("check_in")
    page = kiosk.page("check_in")
    qtbot.keyClicks(page, code)
    qtbot.keyClick(page, Qt.Key.Key_Return)
    return page.thanks.text()  # type: ignore[attr-defined]


def book_test_drive(kiosk: KioskWindow, phone: str, surname: str, letter: str) -> str:
    kiosk.open_page("test_drive")
    page = kiosk.page("test_drive")
    for digit in "42":
        _tap_text(page.steps.currentWidget(), digit)  # type: ignore[attr-defined]
    page.car_next.click()  # type: ignore[attr-defined]
    page.choose_day(1)  # type: ignore[attr-defined]
    slots = [b for b in page.findChildren(QPushButton) if b.property("start") is not None]
    slots[0].click()
    contact = page.contact  # type: ignore[attr-defined]
    for digit in phone:
        _tap_text(contact, digit)
    contact.picker.letter_keys[letter].click()
    _tap_text(contact.picker, surname)
    _tap_text(contact, "先生")
    contact.consent.setChecked(True)
    contact.confirm.click()
    assert page.booking is not None, page.error.text()  # type: ignore[attr-defined]
    return page.done_details.text()  # type: ignore[attr-defined]


def sign_up_inspection(kiosk: KioskWindow, phone: str) -> str:
    kiosk.open_page("inspection_day")
    page = kiosk.page("inspection_day")
    page.findChildren(QPushButton, "kioskEvent")[0].click()
    for key in "京A12345":
        _tap_text(page.steps.currentWidget(), key)  # type: ignore[attr-defined]
    _tap_text(page.steps.currentWidget(), "下一步")  # type: ignore[attr-defined]
    contact = page.contact  # type: ignore[attr-defined]
    for digit in phone:
        _tap_text(contact, digit)
    _tap_text(contact, "女士")  # no surname: 女士 alone is enough
    contact.consent.setChecked(True)
    contact.confirm.click()
    assert page.result is not None, page.error.text()  # type: ignore[attr-defined]
    return page.done_details.text()  # type: ignore[attr-defined]


def browse_and_compare(kiosk: KioskWindow, shop: dict[str, Any]) -> None:
    kiosk.open_page("browse")
    chips = {b.text(): b for b in kiosk.browse.findChildren(QPushButton, "kioskChip")}
    chips["丰田"].click()
    kiosk.show_car(shop["car41"])
    kiosk.archive.add_to_comparison()
    kiosk.show_car(shop["car42"])
    kiosk.archive.add_to_comparison()
    kiosk.open_page("compare")
    assert kiosk.page("compare").view.result is not None  # type: ignore[attr-defined]
    kiosk.open_loan(Decimal("156500"))


# --- the tests -----------------------------------------------------------------------------


def test_every_tile_and_button_works_before_and_after_the_database_opens(
    make_app: Any, qtbot: Any, shop: dict[str, Any]
) -> None:
    app = make_app()
    app.start()
    kiosk = _kiosk(app)
    assert app.context is None  # the kiosk is up; the database opens after its first paint
    for button in list(kiosk.home.tile_buttons):
        button.click()  # each page is built now, before the database
        kiosk.go_home()
    kiosk.open_page("compare")  # 车型对比 too: it used to fail without the database
    kiosk.go_home()
    kiosk = _connect(app, qtbot)
    tapped = {key: _tap_every_button(kiosk, key) for key in PAGES}
    assert all(tapped.values()), tapped
    browse_and_compare(kiosk, shop)
    for key in ("archive", "compare", "loan"):
        tapped[key] = _tap_every_button(kiosk, key)
    assert tapped["compare"] >= 3  # 只看不同, 清空对比, 继续挑选车辆...
    kiosk.go_home()
    assert kiosk.current_key() == "home"


def test_no_customer_sees_anything_of_another(
    make_app: Any, qtbot: Any, shop: dict[str, Any]
) -> None:
    app = make_app()
    app.start()
    kiosk = _connect(app, qtbot)
    everyone = list(PEOPLE)

    # 1. 张伟 checks in with his number: the kiosk says 签到成功, no name, no consultant.
    phone_check_in(kiosk, PEOPLE["zhang"][2])
    assert_nothing_of(kiosk, everyone, extra=CONSULTANTS)
    kiosk.go_home()
    assert_nothing_of(kiosk, everyone, extra=CONSULTANTS)

    # 2. 欧阳女士 scans her own booking: greeted by surname, with her consultant...
    assert code_check_in(kiosk, qtbot, "K7QM2XPD") == "欧阳女士，欢迎光临！签到成功"
    assert_nothing_of(kiosk, ["zhang", "wang"], extra=("孙顾问", "欧阳敏"))
    kiosk.go_home()  # ...and the next person finds nothing of her.
    assert_nothing_of(kiosk, everyone, extra=CONSULTANTS)

    # 3. A customer 薛 books with a number already on file as 王小明: the slip says 薛先生.
    slip = book_test_drive(kiosk, PEOPLE["wang"][2], "薛", "X")
    assert "薛先生" in slip
    # Only what this customer typed (the number, still in the finished form) is there.
    assert_nothing_of(kiosk, ["zhang", "ouyang"], extra=(*CONSULTANTS, "王小明", "王先生"))
    code = kiosk.test_drive.booking.booking_code  # type: ignore[union-attr]
    kiosk.go_home()
    assert_nothing_of(kiosk, everyone, extra=(*CONSULTANTS, code, "薛先生"))

    # 4. A customer signs a car up for the inspection day, giving only 女士.
    slip = sign_up_inspection(kiosk, "13700000001")
    assert slip.startswith("女士，您好！")
    kiosk.go_home()
    assert_nothing_of(kiosk, everyone, extra=("京A12345", "13700000001", "137 0000 0001"))

    # 5. Browsing, comparing and the loan calculator leave nothing either.
    browse_and_compare(kiosk, shop)
    kiosk.go_home()
    assert_nothing_of(kiosk, everyone, extra=CONSULTANTS)


def test_every_page_is_as_new_for_the_next_customer(
    make_app: Any, qtbot: Any, shop: dict[str, Any], runner: Any = None
) -> None:
    app = make_app()
    app.start()
    kiosk = _connect(app, qtbot)
    # One customer fills every flow, half-way or all the way, and taps 返回首页.
    kiosk.open_page("check_in")
    for digit in "1391234":
        kiosk.page("check_in").keys[digit].click()  # type: ignore[attr-defined]
    kiosk.go_home()
    book_test_drive(kiosk, "13900001111", "廖", "L")
    kiosk.go_home()
    kiosk.open_page("test_drive")  # a half-typed booking: car, slot, number, surname
    page = kiosk.test_drive
    for digit in "43":
        _tap_text(page.steps.currentWidget(), digit)
    page.car_next.click()
    page.choose_day(2)
    next(b for b in page.findChildren(QPushButton) if b.property("start") is not None).click()
    for digit in "1390000":
        _tap_text(page.contact, digit)
    page.contact.picker.letter_keys["Y"].click()
    _tap_text(page.contact.picker, "尹")
    kiosk.go_home()
    sign_up_inspection(kiosk, "13700000002")
    kiosk.go_home()
    kiosk.open_page("inspection_day")
    kiosk.page("inspection_day").findChildren(QPushButton, "kioskEvent")[0].click()
    for key in "粤B":
        _tap_text(kiosk.page("inspection_day").steps.currentWidget(), key)  # type: ignore[attr-defined]
    kiosk.go_home()
    browse_and_compare(kiosk, shop)
    kiosk.open_page("staff")
    for digit in "12":
        kiosk.staff_page.pad.findChild(QPushButton, f"pinKey{digit}").click()
    kiosk.go_home()

    # A kiosk nobody has used, on the same database, shows each page exactly the same.
    fresh = KioskWindow(app.context, app.runner)  # type: ignore[arg-type]
    qtbot.addWidget(fresh)
    fresh.resize(1920, 1080)
    fresh.show()
    try:
        for key in (*PAGES, "compare"):
            kiosk.open_page(key)
            fresh.open_page(key)
            assert snapshot(kiosk.page(key)) == snapshot(fresh.page(key)), key
        assert len(kiosk.basket) == 0
        boxes = [b for b in kiosk.findChildren(QCheckBox) if b.isChecked()]
        assert boxes == []  # no consent left ticked for the next person
    finally:
        fresh.idle.stop()
