"""The customer kiosk: what a customer sees, what they must never see, and the staff exit."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QAction, QShortcut
from PySide6.QtWidgets import QAbstractButton, QLabel, QPushButton, QWidget
from sqlalchemy.exc import OperationalError

from db.engine import Database
from db.models import (
    Customer,
    Energy,
    Role,
    Staff,
    Transmission,
    Vehicle,
    VehicleStatus,
)
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.privacy import redact
from showroom.services import audit
from showroom.services import kiosk as kiosk_service
from showroom.services.auth import StaffUser
from showroom.services.kiosk import CarQuery, KioskCar
from tests.factories import make_store
from ui.kiosk import KioskWindow
from ui.kiosk.browse import TEXT_ROLES, BrowsePage, CarListModel
from ui.kiosk.pages import KioskPage
from ui.kiosk.pin_pad import PinPad
from ui.tasks import TaskRunner

MOBILE = re.compile(r"(?<!\d)1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)")
COST = Decimal("98765.43")


# --- helpers -------------------------------------------------------------------------------


def add_car(
    database: Database,
    store_id: uuid.UUID,
    *,
    status: VehicleStatus = VehicleStatus.ON_SALE,
    brand: str = "大众",
    model: str = "帕萨特",
    trim: str = "2021款 330TSI 豪华版",
    price: str = "125800",
    mileage_km: int = 32150,
    year: int = 2021,
    deleted: bool = False,
    vin: str | None = None,
    plate: str | None = None,
) -> uuid.UUID:
    with database.write() as session:
        car = Vehicle(
            store_id=store_id,
            stock_no=f"KS{uuid.uuid4().hex[:10]}",
            vin=vin,
            plate=plate,
            brand=brand,
            model=model,
            trim=trim,
            year=year,
            first_registration=date(year, 6, 1),
            mileage_km=mileage_km,
            energy=Energy.PETROL,
            transmission=Transmission.AUTOMATIC,
            list_price=Decimal(price),
            cost_price=COST,
            status=status,
            deleted_at=utcnow() if deleted else None,
        )
        session.add(car)
        session.flush()
        return car.id


def model_texts(model: CarListModel) -> list[str]:
    texts = []
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        texts.extend(str(index.data(role)) for role in TEXT_ROLES if index.data(role))
    return texts


def visible_texts(root: QWidget) -> list[str]:
    """Every string a customer could read: labels, buttons, the window title."""
    texts = [root.windowTitle()]
    texts += [label.text() for label in root.findChildren(QLabel) if label.isVisibleTo(root)]
    texts += [b.text() for b in root.findChildren(QAbstractButton) if b.isVisibleTo(root)]
    return texts


def press(pad: PinPad, digits: str) -> None:
    for digit in digits:
        pad.findChild(QPushButton, f"pinKey{digit}").click()


def enter_pin(kiosk: KioskWindow, pin: str) -> None:
    kiosk.open_page("staff")
    pad = kiosk.staff_page.pad
    press(pad, pin)
    pad.findChild(QPushButton, "pinOk").click()


@pytest.fixture
def store_id(gui_context: AppContext) -> uuid.UUID:
    return make_store(gui_context.database, "KS01", "自助展厅测试店")


@pytest.fixture
def make_kiosk(
    qtbot: Any, gui_context: AppContext, runner: TaskRunner
) -> Iterator[Callable[..., KioskWindow]]:
    made: list[KioskWindow] = []

    def make(**kwargs: Any) -> KioskWindow:
        window = KioskWindow(gui_context, runner, **kwargs)
        qtbot.addWidget(window)
        window.resize(1920, 1080)
        window.show()
        made.append(window)
        return window

    yield make
    for window in made:
        window.idle.stop()  # never leave an application-wide event filter behind


@pytest.fixture
def kiosk(make_kiosk: Callable[..., KioskWindow]) -> KioskWindow:
    return make_kiosk()


# --- home ----------------------------------------------------------------------------------


def test_home_shows_the_store_name_and_four_large_tiles(
    kiosk: KioskWindow, gui_context: AppContext
) -> None:
    assert kiosk.current_key() == "home"
    assert gui_context.settings["store_name"] in visible_texts(kiosk.home)
    titles = [button.tile.title for button in kiosk.home.tile_buttons]
    assert titles == ["浏览在售车辆", "预约试驾", "透明检测日报名", "扫码签到"]
    for button in kiosk.home.tile_buttons:
        assert button.isVisible()
        assert button.width() >= 64 and button.height() >= 64


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800), (1080, 1920)])
def test_every_button_on_every_page_is_a_comfortable_touch_target(
    kiosk: KioskWindow, qtbot: Any, size: tuple[int, int]
) -> None:
    kiosk.resize(*size)
    for key in ("home", "browse", "test_drive", "inspection_day", "check_in", "staff"):
        kiosk.open_page(key)
        qtbot.wait(1)  # let the layouts settle at the new size
        buttons = [b for b in kiosk.findChildren(QAbstractButton) if b.isVisible()]
        assert buttons, key
        for button in buttons:
            assert button.width() >= 48 and button.height() >= 48, (key, button.text())


def test_a_tap_on_a_tiles_text_or_icon_opens_its_page(kiosk: KioskWindow, qtbot: Any) -> None:
    tile = next(b for b in kiosk.home.tile_buttons if b.tile.key == "browse")
    qtbot.mouseClick(tile._title, Qt.MouseButton.LeftButton)
    assert kiosk.current_key() == "browse"
    kiosk.go_home()
    qtbot.mouseClick(tile._icon, Qt.MouseButton.LeftButton)
    assert kiosk.current_key() == "browse"


def test_the_back_button_shows_its_arrow_once_a_page_is_open(kiosk: KioskWindow) -> None:
    assert kiosk._back.isHidden()  # at home there is nowhere to go back to
    kiosk.open_page("browse")
    assert kiosk._back.isVisible()
    assert not kiosk._back.icon().isNull()


def test_kiosk_buttons_and_tiles_never_take_keyboard_focus(kiosk: KioskWindow) -> None:
    # No focus frame after a tap; set by name (ui/qtprops.py), so check the result here.
    for button in [*kiosk.home.tile_buttons, kiosk._back, kiosk._staff_button]:
        assert button.focusPolicy() == Qt.FocusPolicy.NoFocus
    for button in kiosk.home.tile_buttons:
        assert button._title.alignment() & Qt.AlignmentFlag.AlignVCenter


def test_the_inspection_day_tile_opens_its_sign_up_page(kiosk: KioskWindow) -> None:
    # Every tile has its own kiosk flow now; none sends the customer to the desk.
    from ui.kiosk.inspection_day import KioskInspectionDayPage

    button = next(b for b in kiosk.home.tile_buttons if b.tile.key == "inspection_day")
    button.click()
    assert kiosk.current_key() == "inspection_day"
    assert isinstance(kiosk.page("inspection_day"), KioskInspectionDayPage)
    assert not any("请到前台" in text for text in visible_texts(kiosk.page("inspection_day")))


def test_a_real_page_can_be_plugged_into_a_tile(kiosk: KioskWindow) -> None:
    class Booking(KioskPage):
        activated = 0

        def activate(self) -> None:
            self.activated += 1

    booking = Booking()
    kiosk.set_page("test_drive", booking)
    kiosk.home.tile_buttons[1].click()
    assert kiosk.current_key() == "test_drive"
    assert booking.activated == 1


# --- browse --------------------------------------------------------------------------------


def test_browse_lists_only_cars_a_customer_may_see(
    kiosk: KioskWindow, gui_context: AppContext, store_id: uuid.UUID
) -> None:
    db = gui_context.database
    add_car(db, store_id, status=VehicleStatus.ON_SALE, model="在售车")
    add_car(db, store_id, status=VehicleStatus.RESERVED, model="预订车")
    add_car(db, store_id, status=VehicleStatus.TEST_DRIVE, model="试驾车")
    add_car(db, store_id, status=VehicleStatus.PREPARING, model="整备车")
    add_car(db, store_id, status=VehicleStatus.SOLD, model="已售车")
    add_car(db, store_id, status=VehicleStatus.ON_SALE, model="已删车", deleted=True)

    kiosk.home.tile_buttons[0].click()

    model = kiosk.browse.model
    assert kiosk.current_key() == "browse"
    assert model.rowCount() == 3
    shown = " ".join(model_texts(model))
    for visible in ("在售车", "预订车", "试驾车"):
        assert visible in shown
    for hidden in ("整备车", "已售车", "已删车"):
        assert hidden not in shown
    assert "共 3 辆" in visible_texts(kiosk.browse)


def test_browse_shows_price_in_wan_mileage_and_status(
    kiosk: KioskWindow, gui_context: AppContext, store_id: uuid.UUID
) -> None:
    add_car(
        gui_context.database,
        store_id,
        status=VehicleStatus.RESERVED,
        price="125800",
        mileage_km=32150,
        year=2020,
    )
    kiosk.open_page("browse")
    text = kiosk.browse.model.index(0, 0).data()
    assert "大众 帕萨特 2021款 330TSI 豪华版" in text
    assert "12.58万" in text
    assert "3.2万公里" in text
    assert "2020年上牌" in text
    assert "已预订" in text


def test_browse_never_carries_cost_price_or_identifying_numbers(
    kiosk: KioskWindow, gui_context: AppContext, store_id: uuid.UUID
) -> None:
    add_car(gui_context.database, store_id, vin="LSVAB2BM1MN123456", plate="京A12345")
    kiosk.open_page("browse")
    assert (
        kiosk.browse.model.rowCount() == 1
    )  # the car is shown, so its absence checks mean something
    texts = model_texts(kiosk.browse.model) + visible_texts(kiosk)
    joined = " | ".join(texts)
    for secret in ("98765", "9.88万", "9.87万", "LSVAB2BM1MN123456", "京A12345", "KS"):
        assert secret not in joined
    # The row type itself has nowhere to put them.
    names = {field.name for field in fields(KioskCar)}
    assert not names & {"cost_price", "vin", "plate", "stock_no", "engine_no"}


def test_brand_and_price_chips_filter_the_list(
    kiosk: KioskWindow, gui_context: AppContext, store_id: uuid.UUID
) -> None:
    db = gui_context.database
    add_car(db, store_id, brand="丰田", model="凯美瑞", price="159800")
    add_car(db, store_id, brand="丰田", model="卡罗拉", price="78000")
    add_car(db, store_id, brand="本田", model="雅阁", price="152000")
    add_car(db, store_id, brand="奥迪", model="A6L", price="300000", status=VehicleStatus.SOLD)
    kiosk.open_page("browse")
    page = kiosk.browse
    chips = {b.text(): b for b in page.findChildren(QPushButton, "kioskChip")}
    assert "奥迪" not in chips  # only brands a customer can actually find

    chips["丰田"].click()
    assert {page.model.car(r).model for r in range(page.model.rowCount())} == {"凯美瑞", "卡罗拉"}

    chips["15–20万"].click()
    assert [page.model.car(r).model for r in range(page.model.rowCount())] == ["凯美瑞"]

    chips["全部品牌"].click()
    assert {page.model.car(r).model for r in range(page.model.rowCount())} == {"凯美瑞", "雅阁"}


def test_browse_loads_a_page_at_a_time(
    kiosk: KioskWindow, gui_context: AppContext, store_id: uuid.UUID
) -> None:
    with gui_context.database.write() as session:
        session.add_all(
            Vehicle(
                store_id=store_id,
                stock_no=f"BULK{n:04d}",
                brand="五菱",
                model=f"宏光{n}",
                year=2020,
                mileage_km=1000 + n,
                energy=Energy.EV,
                transmission=Transmission.AUTOMATIC,
                list_price=Decimal(30000 + n),
                status=VehicleStatus.ON_SALE,
            )
            for n in range(110)
        )
    kiosk.open_page("browse")
    model = kiosk.browse.model
    assert model.total == 110
    assert model.rowCount() < 110  # not the whole stock at once
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 110
    assert len({model.car(r).id for r in range(110)}) == 110  # pages never overlap


def test_a_database_failure_shows_a_friendly_message_and_logs_the_details(
    kiosk: KioskWindow, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def down(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("SELECT ...", {}, Exception("server at 10.0.0.5 refused"))

    monkeypatch.setattr(kiosk_service, "car_page", down)
    with caplog.at_level(logging.ERROR, logger="showroom.kiosk"):
        kiosk.open_page("browse")

    texts = visible_texts(kiosk)
    assert "暂时无法加载车辆信息，请稍后再试或咨询工作人员" in texts
    assert not any("10.0.0.5" in text or "SELECT" in text for text in texts)
    assert "10.0.0.5" in caplog.text
    assert kiosk.browse.findChild(QPushButton, "kioskPrimaryButton").isVisible()  # 重新加载


class DeferredRunner(QObject):
    """Holds tasks until the test runs them, in any order (a slow database)."""

    def __init__(self, database: Database) -> None:
        super().__init__()
        self.database = database
        self.pending: list[tuple[Any, Any, Any]] = []

    def read(self, work: Any, on_success: Any, on_failure: Any = None) -> None:
        self.pending.append((work, on_success, on_failure))

    def run(self, index: int) -> None:
        work, on_success, _ = self.pending.pop(index)
        with self.database.read() as session:
            on_success(work(session))


def test_results_for_an_earlier_filter_are_dropped(
    qtbot: Any, gui_context: AppContext, store_id: uuid.UUID
) -> None:
    add_car(gui_context.database, store_id, brand="丰田", model="凯美瑞")
    add_car(gui_context.database, store_id, brand="本田", model="雅阁")
    runner = DeferredRunner(gui_context.database)
    model = CarListModel(runner)  # type: ignore[arg-type]
    model.start(CarQuery(brand="丰田"))
    model.start(CarQuery(brand="本田"))
    runner.run(1)  # the newer answer first...
    runner.run(0)  # ...then the stale one arrives late
    assert [model.car(r).model for r in range(model.rowCount())] == ["雅阁"]


def test_browse_is_scrolled_by_dragging(kiosk: KioskWindow) -> None:
    from PySide6.QtWidgets import QScroller

    assert QScroller.hasScroller(kiosk.browse.view.viewport())


# --- staff exit ----------------------------------------------------------------------------


def test_wrong_pin_says_so_clears_the_pad_and_stays_in_the_kiosk(
    kiosk: KioskWindow, qtbot: Any, accounts: dict[str, Any], gui_context: AppContext
) -> None:
    with qtbot.assertNotEmitted(kiosk.staffUnlocked):
        enter_pin(kiosk, "9999")
    pad = kiosk.staff_page.pad
    assert "PIN 不正确" in pad.message()
    assert pad.digits() == ""
    assert kiosk.current_key() == "staff"
    # The failed try is in the audit trail (not rolled back with the refusal).
    with gui_context.database.read() as session:
        actions = [row.action for row in audit.recent(session)]
    assert "kiosk_unlock_failed" in actions


def test_right_pin_hands_over_the_staff_member(
    kiosk: KioskWindow, qtbot: Any, accounts: dict[str, Any]
) -> None:
    with qtbot.waitSignal(kiosk.staffUnlocked, timeout=2000) as blocker:
        enter_pin(kiosk, accounts["reception"].pin)
    user = blocker.args[0]
    assert isinstance(user, StaffUser)
    assert user.username == "reception"
    assert user.roles == {Role.RECEPTION}
    # Nothing is left behind for the next time the kiosk is shown.
    assert kiosk.current_key() == "home"
    assert kiosk.staff_page.pad.digits() == ""


def test_three_wrong_pins_lock_the_pad_for_a_while(
    make_kiosk: Callable[..., KioskWindow], qtbot: Any, accounts: dict[str, Any]
) -> None:
    kiosk = make_kiosk(pin_lock_seconds=1)
    pad = kiosk.staff_page.pad
    for _ in range(2):
        enter_pin(kiosk, "9999")
        assert not pad.is_locked()
    enter_pin(kiosk, "9999")
    assert pad.is_locked()
    assert "秒后再试" in pad.message()
    assert not pad.findChild(QPushButton, "pinKey1").isEnabled()
    assert pad.findChild(QPushButton, "pinCancel").isEnabled()  # leaving is always possible

    # Walking away does not reset the lock.
    kiosk.reset_to_home()
    kiosk.open_page("staff")
    assert pad.is_locked()

    with qtbot.waitSignal(pad.unlocked, timeout=3000):
        pass
    assert not pad.is_locked()
    assert pad.findChild(QPushButton, "pinKey1").isEnabled()
    with qtbot.waitSignal(kiosk.staffUnlocked, timeout=2000):
        enter_pin(kiosk, accounts["manager"].pin)


def test_locked_pad_shows_thirty_seconds_by_default(
    kiosk: KioskWindow, accounts: dict[str, Any]
) -> None:
    for _ in range(3):
        enter_pin(kiosk, "0000")
    assert kiosk.staff_page.pad.lock_seconds_left() == 30
    assert "30" in kiosk.staff_page.pad.message()


def test_pad_masks_digits_and_accepts_four_to_eight(kiosk: KioskWindow) -> None:
    kiosk.open_page("staff")
    pad = kiosk.staff_page.pad
    ok = pad.findChild(QPushButton, "pinOk")
    press(pad, "123")
    assert not ok.isEnabled()
    press(pad, "4")
    assert ok.isEnabled()
    press(pad, "567890")
    assert pad.digits() == "12345678"
    # Eight digits are in, and none of them is on screen: only dots.
    assert not any(text.isdigit() and len(text) > 1 for text in visible_texts(kiosk))
    pad.findChild(QPushButton, "pinDelete").click()
    assert pad.digits() == "1234567"
    pad.findChild(QPushButton, "pinClear").click()
    assert pad.digits() == ""
    for key in pad.findChildren(QPushButton):
        assert key.width() >= 64 and key.height() >= 64


def test_cancel_on_the_pad_returns_home_and_forgets_the_digits(kiosk: KioskWindow) -> None:
    kiosk.open_page("staff")
    pad = kiosk.staff_page.pad
    press(pad, "12")
    pad.findChild(QPushButton, "pinCancel").click()
    assert kiosk.current_key() == "home"
    assert pad.digits() == ""


# --- idle reset ----------------------------------------------------------------------------


def test_idle_timeout_wipes_everything_and_returns_to_the_attract_screen(
    make_kiosk: Callable[..., KioskWindow],
    qtbot: Any,
    gui_context: AppContext,
    store_id: uuid.UUID,
) -> None:
    add_car(gui_context.database, store_id, brand="丰田", price="159800")
    kiosk = make_kiosk(idle_ms=150)
    kiosk.open_page("browse")
    chips = {b.text(): b for b in kiosk.browse.findChildren(QPushButton, "kioskChip")}
    chips["丰田"].click()
    chips["15–20万"].click()
    assert kiosk.browse.current_query() != CarQuery()
    kiosk.open_page("staff")
    press(kiosk.staff_page.pad, "13")

    qtbot.waitUntil(lambda: kiosk.current_key() == "home", timeout=3000)

    assert kiosk.staff_page.pad.digits() == ""
    assert kiosk.browse.current_query() == CarQuery()
    assert kiosk.browse.model.rowCount() == 0


def test_the_default_idle_time_comes_from_the_settings(
    kiosk: KioskWindow, gui_context: AppContext
) -> None:
    assert kiosk.idle.timeout_ms == gui_context.settings["kiosk_idle_seconds"] * 1000
    assert kiosk.idle.is_active()


def test_a_touch_restarts_the_idle_countdown(
    make_kiosk: Callable[..., KioskWindow], qtbot: Any
) -> None:
    kiosk = make_kiosk(idle_ms=400)
    kiosk.open_page("staff")
    qtbot.waitExposed(kiosk)
    qtbot.wait(250)
    # As a touch screen delivers it: to the kiosk's window, which hands it to the key.
    key = kiosk.staff_page.pad.findChild(QPushButton, "pinKey5")
    at = key.mapTo(kiosk, key.rect().center())
    qtbot.mouseClick(kiosk.windowHandle(), Qt.MouseButton.LeftButton, pos=at)
    assert kiosk.staff_page.pad.digits() == "5"
    assert kiosk.idle._timer.remainingTime() > 300
    assert kiosk.current_key() == "staff"


def test_idle_watching_stops_when_the_kiosk_is_hidden(kiosk: KioskWindow) -> None:
    kiosk.hide()  # e.g. the shell shows the staff window after an unlock
    assert not kiosk.idle.is_active()
    kiosk.show()
    assert kiosk.idle.is_active()


# --- no way out but the PIN ------------------------------------------------------------------


def test_escape_and_shortcut_keys_do_not_leave_the_kiosk(kiosk: KioskWindow, qtbot: Any) -> None:
    kiosk.open_page("browse")
    qtbot.keyClick(kiosk, Qt.Key.Key_Escape)
    qtbot.keyClick(kiosk, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(kiosk, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert kiosk.isVisible()
    assert kiosk.current_key() == "browse"


def test_the_kiosk_has_no_menus_shortcuts_or_context_menus(kiosk: KioskWindow) -> None:
    assert kiosk.findChildren(QShortcut) == []
    assert kiosk.findChildren(QAction) == []
    for widget in [kiosk, *kiosk.findChildren(QWidget)]:
        assert widget.actions() == []
        assert widget.contextMenuPolicy() in (
            Qt.ContextMenuPolicy.PreventContextMenu,
            Qt.ContextMenuPolicy.NoContextMenu,
        ), widget


def test_no_phone_number_or_person_appears_anywhere(
    kiosk: KioskWindow, gui_context: AppContext, store_id: uuid.UUID, accounts: dict[str, Any]
) -> None:
    db = gui_context.database
    with db.write() as session:
        session.add(Customer(store_id=store_id, name="王先生", phone="13812345678"))
        for staff in session.query(Staff):
            staff.phone = "13987654321"
    add_car(db, store_id, trim="2021款 豪华版")
    texts: list[str] = []
    for key in ("home", "browse", "test_drive", "inspection_day", "check_in", "staff"):
        kiosk.open_page(key)
        texts += visible_texts(kiosk)
    texts += model_texts(kiosk.browse.model)
    # Real content reached the screens, so the absence checks below are not vacuous.
    assert any("2021款 豪华版" in text for text in texts)
    for text in texts:
        assert not MOBILE.search(text), text
        assert redact(text) == text, text
    joined = " ".join(texts)
    for person in ("王先生", "赵店长", "钱前台", "孙顾问"):
        assert person not in joined


def test_browse_page_reset_forgets_filters(runner: TaskRunner, qtbot: Any) -> None:
    page = BrowsePage(runner)
    qtbot.addWidget(page)
    chips = {chip.text(): chip for chip in page.findChildren(QPushButton, "kioskChip")}
    for text in ("30万以上", "纯电", "价格最低"):
        chips[text].click()
    assert page.current_query() == CarQuery(
        min_price=Decimal(300_000), energy_group="ev", sort="price", descending=False
    )
    page.reset()
    assert page.current_query() == CarQuery()
