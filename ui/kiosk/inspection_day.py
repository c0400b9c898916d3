"""透明检测日报名 on the kiosk: a customer signs their car up alone, by finger.

Four steps: the day (upcoming days with seats left; a full day still takes
wait-list sign-ups), the plate (province keys and a letter/digit pad), the
mobile number and surname (keypad and surname grid, with consent), then the
confirmation slip on screen: the booking code and its QR to photograph, and
whether the car has a seat or a wait-list place. Nothing about anybody else is
ever shown: seats are counts, names are what this customer typed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QGridLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from showroom.services import audit
from showroom.services import inspection_day as idays
from showroom.settings import Settings
from ui.kiosk.contact import StepsPage, big_label
from ui.kiosk.surname_picker import CHECKED_STYLE
from ui.kiosk.wording import hello
from ui.tasks import TaskRunner
from ui.widgets.dates import month_day, weekday

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_KEYS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # plates have no I or O
EVENT, PLATE, CONTACT, DONE = range(4)


class KioskInspectionDayPage(StepsPage):
    """The four sign-up steps. Signals: ``navigate(str)`` (see ``KioskPage``)."""

    def __init__(
        self, settings: Settings, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("kioskInspectionDay")
        self.setStyleSheet(
            "QLabel#kioskTitle { font-size: 34px; font-weight: bold; }"
            "QLabel#kioskHint { font-size: 24px; color: #5f6368; }"
            "QPushButton { font-size: 24px; padding: 6px 12px; }"
            "QPushButton#kioskEvent { font-size: 24px; text-align: left; padding: 16px 24px; }"
            "QCheckBox { font-size: 22px; }"
            "QCheckBox::indicator { width: 32px; height: 32px; }"
            + CHECKED_STYLE  # the day, slot, surname and title tapped look chosen
        )
        self.settings = settings
        self.runner = runner
        self.events: list[idays.PublicEvent] = []
        # Not ``self.event``: that would hide QObject.event() from Qt and crash.
        self.chosen: idays.PublicEvent | None = None
        self.result: idays.RegistrationResult | None = None
        self._plate = ""

        self.set_steps(
            [self._build_events(), self._build_plate(), self._build_contact(), self._build_done()],
            error_px=22,
            margins=(48, 24),
        )
        self.reset()

    # --- step 1: the day ------------------------------------------------------------------

    def _build_events(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addWidget(big_label(self.tr("透明检测日报名"), page))
        layout.addWidget(
            big_label(
                self.tr("资深评估师现场免费检测，出具检测报告。名额有限，满额后可登记候补。"),
                page,
                "kioskHint",
            )
        )
        self.event_box = QVBoxLayout()
        self.event_box.setSpacing(14)
        layout.addLayout(self.event_box)
        self.no_events = big_label(
            self.tr("近期暂无检测日安排，请留意门店通知或咨询前台。"), page, "kioskHint"
        )
        layout.addWidget(self.no_events)
        layout.addStretch(1)
        return page

    def activate(self) -> None:
        if self.steps.currentIndex() == DONE:
            self.reset()
        if self.steps.currentIndex() == EVENT:
            code = self.settings["store_code"]

            def work(session: Session) -> list[idays.PublicEvent]:
                return idays.kiosk_events(session, idays.store_of(session, code))

            self.runner.read(work, self._events_loaded, self._failed)

    def _events_loaded(self, events: list[idays.PublicEvent]) -> None:
        self.events = events
        while self.event_box.count():
            old = self.event_box.takeAt(0).widget()
            if old is not None:
                old.setParent(None)
                old.deleteLater()
        for index, event in enumerate(events[:4]):
            seats = (
                self.tr("剩余名额 {left} / {seats}").format(
                    left=event.seats_left, seats=event.seats
                )
                if event.seats_left
                else self.tr("名额已满，可登记候补")
            )
            button = QPushButton(
                f"{month_day(event.day)} {weekday(event.day)}"
                f"  {event.hours}   {event.title}\n{seats}",
                self,
            )
            button.setObjectName("kioskEvent")
            button.setMinimumHeight(110)
            button.setProperty("index", index)
            button.clicked.connect(self._event_clicked)
            self.event_box.addWidget(button)
        self.no_events.setVisible(not events)

    def _event_clicked(self) -> None:
        self.chosen = self.events[int(self.sender().property("index"))]
        self.plate_title.setText(
            self.tr("{day} {title}：请输入您的车牌号").format(
                day=month_day(self.chosen.day), title=self.chosen.title
            )
        )
        self._show(PLATE)

    # --- step 2: the plate ----------------------------------------------------------------

    def _build_plate(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.plate_title = big_label("", page)
        layout.addWidget(self.plate_title)
        self.plate_label = big_label("", page, "kioskEntry")
        self.plate_label.setStyleSheet("font-size:44px; letter-spacing:4px;")
        layout.addWidget(self.plate_label)
        provinces = QGridLayout()
        provinces.setSpacing(6)
        for index, name in enumerate(PROVINCES):
            button = QPushButton(name, page)
            button.setMinimumSize(60, 56)
            button.setProperty("key", name)
            button.clicked.connect(self._plate_clicked)
            provinces.addWidget(button, index // 11, index % 11)  # fits a portrait screen
        layout.addLayout(provinces)
        keys = QGridLayout()
        keys.setSpacing(6)
        for index, key in enumerate(PLATE_KEYS):
            button = QPushButton(key, page)
            button.setMinimumSize(60, 56)
            button.setProperty("key", key)
            button.clicked.connect(self._plate_clicked)
            keys.addWidget(button, index // 12, index % 12)
        back = QPushButton(self.tr("删除"), page)
        back.setMinimumSize(120, 56)
        back.setProperty("key", "back")
        back.clicked.connect(self._plate_clicked)
        keys.addWidget(back, 2, 10, 1, 2)
        layout.addLayout(keys)
        self.plate_next = QPushButton(self.tr("下一步"), page)
        self.plate_next.setMinimumHeight(72)
        self.plate_next.clicked.connect(self._plate_done)
        layout.addWidget(self.plate_next)
        layout.addStretch(1)
        return page

    def _plate_clicked(self) -> None:
        key = str(self.sender().property("key"))
        if key == "back":
            self._plate = self._plate[:-1]
        elif key in PROVINCES:
            self._plate = key  # the province starts a plate
        elif self._plate:
            self._plate = (self._plate + key)[:8]
        else:
            self._say(self.tr("请先点选车牌的省份简称，例如“京”。"))
            return
        self.error.clear()
        self.plate_label.setText(self._plate or "—")

    def _plate_done(self) -> None:
        if len(self._plate) < 7:
            self._say(self.tr("车牌号不完整，请检查后再继续。"))
            return
        self._show(CONTACT)

    # --- step 3: contact ------------------------------------------------------------------

    def _build_contact(self) -> QWidget:
        return self.contact_step(
            self.tr("我同意门店使用我的手机号办理检测日报名、签到和名额通知"),
            self.tr("确认报名"),
        )

    def submit(self) -> None:
        if self.chosen is None:
            self._show(EVENT)
            return
        missing = self.contact.missing()
        if missing:
            self._say(missing)
            return
        code, event_id = self.settings["store_code"], self.chosen.id
        phone, surname, title, plate = (
            self.contact.phone,
            self.contact.surname,
            self.contact.title,
            self._plate,
        )
        consent = self.consent.isChecked()

        def work(session: Session) -> idays.RegistrationResult:
            return idays.register_by_phone(
                session,
                audit.KIOSK,
                idays.store_of(session, code),
                event_id=event_id,
                phone=phone,
                name=surname,
                title=title,
                consent=consent,
                car=idays.CarForm(plate=plate),
                channel="kiosk",
            )

        self.confirm.setEnabled(False)
        self.runner.write(work, self._registered, self._failed)

    # --- step 4: the slip -----------------------------------------------------------------

    def _build_done(self) -> QWidget:
        return self.done_step("")

    def _registered(self, result: idays.RegistrationResult) -> None:
        self.result = result
        self.confirm.setEnabled(True)
        when = f"{month_day(result.event_day)} {result.hours}"
        if result.seated:
            self.done.title.setText(self.tr("报名成功"))
            detail = hello(self.contact.surname, self.contact.title) + self.tr(
                "{plate} 已获得 {when} 的检测名额（第 {seat} 位）。\n"
                "当天到店请出示报名码或扫描二维码签到。请拍照保存本页。"
            ).format(plate=result.plate, when=when, seat=result.seat_no)
        else:
            self.done.title.setText(self.tr("已登记候补"))
            detail = hello(self.contact.surname, self.contact.title) + self.tr(
                "{when} 的名额已满，{plate} 已登记为候补第 {n} 位。\n"
                "有人取消时我们会按顺序电话通知您（{phone}）。请拍照保存本页。"
            ).format(
                when=when,
                plate=result.plate,
                n=result.waitlist_position,
                phone=result.phone_masked,
            )
        self.done.show_result(result.booking_code, detail, result.qr_payload)
        self._show(DONE)

    def reset(self) -> None:
        """A fresh sign-up: no day chosen, no plate, no number, no surname, no slip."""
        self.chosen = None
        self.result = None
        self._plate = ""
        self.plate_label.setText("—")
        self.plate_title.clear()
        self.done.clear()
        self.done.title.clear()
        self.contact.reset()
        self._show(EVENT)
