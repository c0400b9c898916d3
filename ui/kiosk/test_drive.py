"""预约试驾 on the kiosk: a customer books alone, with a finger and no keyboard.

Four steps: the car (the stock no. printed on the windscreen sheet, typed on a
keypad), a day and a free slot, the mobile number and surname (a keypad and
every surname by pinyin initial, since there is no keyboard; 先生/女士 alone is
enough), then the booking code and its QR to photograph. Only what the customer
typed is ever shown back: never a stored name, never another customer's booking.
返回首页 and the idle timeout wipe it all (``reset``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from showroom.services import test_drives as td
from showroom.settings import Settings
from ui.kiosk.contact import Keypad, StepsPage, big_label, edit
from ui.kiosk.surname_picker import CHECKED_STYLE
from ui.kiosk.wording import hello
from ui.tasks import TaskRunner
from ui.widgets.dates import month_day_time

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

CAR, SLOT, CONTACT, DONE = range(4)


class KioskTestDrivePage(StepsPage):
    """The four booking steps. Signals: ``navigate(str)`` (see ``KioskPage``)."""

    def __init__(
        self,
        settings: Settings,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        today: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("kioskTestDrive")
        # Arm's-length reading and finger-sized targets, whatever the window's stylesheet says.
        self.setStyleSheet(
            "QLabel#kioskTitle { font-size: 34px; font-weight: bold; }"
            "QLabel#kioskHint { font-size: 24px; color: #5f6368; }"
            "QPushButton { font-size: 26px; padding: 8px 18px; }"
            "QCheckBox { font-size: 22px; }"
            "QCheckBox::indicator { width: 32px; height: 32px; }"
            + CHECKED_STYLE  # the day, slot, surname and title tapped look chosen
        )
        self.settings = settings
        self.runner = runner
        self._today = today
        self.car: td.KioskCar | None = None
        self.slot_start: datetime | None = None
        self.booking: td.Booking | None = None
        self._stock = ""

        self.set_steps(
            [self._build_car(), self._build_slot(), self._build_contact(), self._build_done()],
            error_px=20,
            margins=(48, 32),
        )
        self.reset()

    def rules(self) -> td.SlotRules:
        return td.SlotRules.from_settings(self.settings.__getitem__)

    # --- step 1: the car ------------------------------------------------------------------

    def _build_car(self) -> QWidget:
        page = QWidget(self)
        layout = QHBoxLayout(page)
        left = QVBoxLayout()
        left.addWidget(big_label(self.tr("请输入车窗展示单上的库存编号"), page))
        left.addWidget(
            big_label(self.tr("输入编号最后几位数字即可，例如 00042 输入 42"), page, "kioskHint")
        )
        self.stock_label = big_label("", page, "kioskEntry")
        self.stock_label.setStyleSheet("font-size:40px;")
        left.addWidget(self.stock_label)
        self.car_next = QPushButton(self.tr("下一步"), page)
        self.car_next.setMinimumHeight(72)
        self.car_next.clicked.connect(self.find_car)
        left.addWidget(self.car_next)
        left.addStretch(1)
        layout.addLayout(left, 1)
        keypad = Keypad(page)
        keypad.pressed.connect(self._stock_key)
        layout.addWidget(keypad)
        return page

    def preselect(self, stock_no: str) -> None:
        """Start a booking for the car whose archive the customer came from."""
        self.reset()
        self._stock = stock_no
        self.stock_label.setText(stock_no)
        self.find_car()

    def _stock_key(self, key: str) -> None:
        self._stock = edit(self._stock, key, 5)
        self.stock_label.setText(self._stock or "—")

    def find_car(self) -> None:
        if not self._stock:
            self._say(self.tr("请先输入库存编号。"))
            return
        typed = self._stock
        self.runner.read(lambda s: td.kiosk_find_car(s, typed), self._car_found, self._failed)

    def _car_found(self, car: td.KioskCar) -> None:
        self.car = car
        self.car_title.setText(car.label)
        self._show(SLOT)
        self.choose_day(0)

    # --- step 2: day and slot ---------------------------------------------------------------

    def _build_slot(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.car_title = big_label("", page)
        layout.addWidget(self.car_title)
        days = QHBoxLayout()
        self.day_group = QButtonGroup(page)
        for offset, text in enumerate((self.tr("今天"), self.tr("明天"), self.tr("后天"))):
            button = QPushButton(text, page)
            button.setCheckable(True)
            button.setMinimumHeight(64)
            self.day_group.addButton(button, offset)
            days.addWidget(button)
        self.day_group.idClicked.connect(self.choose_day)
        layout.addLayout(days)
        self.slot_grid = QGridLayout()
        self.slot_grid.setSpacing(10)
        layout.addLayout(self.slot_grid)
        layout.addStretch(1)
        return page

    def choose_day(self, offset: int) -> None:
        button = self.day_group.button(offset)
        if button is not None:
            button.setChecked(True)
        if self.car is None:
            return
        car_id, day, rules = self.car.id, self._today() + timedelta(days=offset), self.rules()
        self.runner.read(lambda s: td.day_slots(s, car_id, day, rules), self._slots, self._failed)

    def _clear_slots(self) -> None:
        while self.slot_grid.count():
            item = self.slot_grid.takeAt(0)
            old = item.widget()
            if old is not None:
                old.setParent(None)  # gone at once, not at the next event loop turn
                old.deleteLater()

    def _slots(self, slots: list[td.Slot]) -> None:
        self._clear_slots()
        free = [slot for slot in slots if slot.free]
        if not free:
            self._say(self.tr("这一天已经约满或已过营业时间，请换一天。"))
            return
        self.error.clear()
        for index, slot in enumerate(free):
            button = QPushButton(slot.label(self.rules().zone), self)
            button.setMinimumSize(150, 64)
            button.setProperty("start", slot.start)
            button.clicked.connect(self._slot_clicked)
            self.slot_grid.addWidget(button, index // 5, index % 5)
            button.show()

    def _slot_clicked(self) -> None:
        self.slot_start = self.sender().property("start")
        self._show(CONTACT)

    # --- step 3: contact --------------------------------------------------------------------

    def _build_contact(self) -> QWidget:
        return self.contact_step(
            self.tr("我同意门店使用我的手机号办理本次试驾预约并与我联系"),
            self.tr("确认预约"),
        )

    def submit(self) -> None:
        if self.car is None or self.slot_start is None:
            self._show(CAR)
            return
        missing = self.contact.missing()
        if missing:
            self._say(missing)
            return
        stock, phone, surname, title = (
            self.car.stock_no,
            self.contact.phone,
            self.contact.surname,
            self.contact.title,
        )
        start, rules, consent = self.slot_start, self.rules(), self.consent.isChecked()

        def work(session: Session) -> td.Booking:
            return td.book_from_kiosk(
                session,
                stock_no=stock,
                phone=phone,
                surname=surname,
                title=title,
                slot_start=start,
                rules=rules,
                consent=consent,
            )

        self.confirm.setEnabled(False)
        self.runner.write(work, self._booked, self._failed)

    # --- step 4: done -----------------------------------------------------------------------

    def _build_done(self) -> QWidget:
        return self.done_step(self.tr("预约成功"))

    def _booked(self, booking: td.Booking) -> None:
        self.booking = booking
        self.confirm.setEnabled(True)
        zone = self.rules().zone
        # Only what this customer typed is shown back, never a stored name.
        self.done.show_result(
            booking.booking_code,
            hello(self.contact.surname, self.contact.title)
            + self.tr("已为您预约 {car}\n{when}\n到店时请出示预约码或扫描二维码。").format(
                car=booking.vehicle_label,
                when=f"{month_day_time(booking.slot_start.astimezone(zone))}–"
                f"{booking.slot_end.astimezone(zone):%H:%M}",
            ),
            booking.qr_payload,
        )
        self._show(DONE)

    def activate(self) -> None:
        if self.steps.currentIndex() == DONE:
            self.reset()

    def reset(self) -> None:
        """A fresh booking: no car, no day, no slot, no number, no surname, no slip."""
        self.car = None
        self.slot_start = None
        self.booking = None
        self._stock = ""
        self.stock_label.setText("—")
        self.car_title.clear()
        self._clear_slots()
        self.day_group.setExclusive(False)
        for button in self.day_group.buttons():
            button.setChecked(False)
        self.day_group.setExclusive(True)
        self.done.clear()
        self.contact.reset()
        self._show(CAR)
