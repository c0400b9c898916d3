"""扫码签到: a customer checks themselves in at the kiosk, by mobile number or booking QR.

A large on-screen keypad takes the number; the QR scanner under the screen
types the booking code and Enter into this page. The rules are the service's
(``showroom.services.self_check_in``): a number alone gets 签到成功 and nothing
else, whoever it belongs to (the desk's board chimes and staff come over); only
a booking code or QR, the customer's own, brings a greeting by surname and the
consultant's name. A kiosk typing many unrelated numbers is told to wait; the
countdown is shown here. ``reset`` (返回首页, idle timeout, 完成) wipes everything.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from showroom.changes import ChangeBus
from showroom.context import AppContext
from showroom.errors import ShowroomError
from showroom.services import self_check_in
from showroom.services.self_check_in import KioskCheckIn, KioskGreeting
from showroom.settings import Settings
from ui.kiosk.icons import pixmap
from ui.kiosk.pages import KioskPage, orient
from ui.kiosk.wording import welcome
from ui.tasks import TaskRunner

log = logging.getLogger("showroom.kiosk")

MAX_DIGITS = 11
KEY_SIZE = QSize(168, 112)
THANK_YOU_MS = 20_000
_STYLE = """
QPushButton#kioskKey {
    background: #FFFFFF; color: #0B2545; border: 2px solid #C9D3E0; border-radius: 18px;
    font-size: 44px; font-weight: bold;
}
QPushButton#kioskKey:pressed { background: #DCE6F5; }
QPushButton#kioskKeyAction {
    background: #F1F4F8; color: #374151; border: 2px solid #C9D3E0; border-radius: 18px;
    font-size: 30px;
}
QLabel#kioskPhoneDisplay {
    background: #FFFFFF; color: #0B2545; border: 3px solid #1F5FBF; border-radius: 18px;
    font-size: 56px; font-weight: bold; padding: 12px 24px;
}
QLabel#kioskCheckInError { color: #B91C1C; font-size: 28px; }
QLabel#kioskThanks { color: #0B2545; font-size: 52px; font-weight: bold; }
QLabel#kioskThanksDetail { color: #1F2937; font-size: 34px; }
QLabel#kioskScanHint { color: #374151; font-size: 28px; }
"""


def _formatted(digits: str) -> str:
    """``13812345678`` -> ``138 1234 5678``, easier to check at a glance."""
    return " ".join(part for part in (digits[:3], digits[3:7], digits[7:]) if part)


class KioskCheckInPage(KioskPage):
    """Keypad and scanner check-in, then a thank-you view.

    Signals: ``navigate(str)`` (see ``KioskPage``).
    """

    def __init__(
        self,
        settings: Settings,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        bus: ChangeBus | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("kioskCheckInPage")
        self.setStyleSheet(_STYLE)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._settings = settings
        self._bus = bus
        self._now = now
        self._runner = runner
        self.digits = ""
        self._scan_buffer = ""
        self._busy = False
        self.greeting: KioskGreeting | None = None
        # Which kiosk took the check-in (the desk's board says so); the machine's name.
        self.kiosk_name = socket.gethostname()[:40] or "kiosk"
        self._wait_left = 0
        self._wait_timer = QTimer(self)
        self._wait_timer.setInterval(1000)
        self._wait_timer.timeout.connect(self._tick_wait)

        self.views = QStackedWidget(self)
        self.views.addWidget(self._build_entry())
        self.views.addWidget(self._build_thanks())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(64, 24, 64, 32)
        layout.addWidget(self.views)

        self._back_home = QTimer(self)
        self._back_home.setSingleShot(True)
        self._back_home.setInterval(THANK_YOU_MS)
        self._back_home.timeout.connect(self._finish)

    # --- building ----------------------------------------------------------------------

    def _build_entry(self) -> QWidget:
        page = QWidget(self)
        title = QLabel(self.tr("到店签到"), page)
        title.setObjectName("kioskPageTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        prompt = QLabel(self.tr("输入手机号签到"), page)
        prompt.setObjectName("kioskNotice")
        prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.display = QLabel("", page)
        self.display.setObjectName("kioskPhoneDisplay")
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.display.setMinimumSize(560, 104)
        self.error = QLabel("", page)
        self.error.setObjectName("kioskCheckInError")
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error.setWordWrap(True)
        self.error.setMinimumHeight(80)

        grid = QGridLayout()
        grid.setSpacing(18)
        self.keys: dict[str, QPushButton] = {}
        labels = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back"]
        for n, key in enumerate(labels):
            text = {"clear": self.tr("清空"), "back": self.tr("删除")}.get(key, key)
            button = QPushButton(text, page)
            button.setObjectName("kioskKeyAction" if key in ("clear", "back") else "kioskKey")
            button.setFixedSize(KEY_SIZE)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(self._key_slot(key))
            grid.addWidget(button, n // 3, n % 3)
            self.keys[key] = button
        self.submit_button = QPushButton(self.tr("确认签到"), page)
        self.submit_button.setObjectName("kioskPrimaryButton")
        self.submit_button.setMinimumSize(540, 104)
        self.submit_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.submit_button.clicked.connect(self.submit)

        left = QVBoxLayout()
        left.setSpacing(18)
        left.addWidget(prompt)
        left.addWidget(self.display, 0, Qt.AlignmentFlag.AlignHCenter)
        left.addLayout(grid)
        left.addWidget(self.submit_button, 0, Qt.AlignmentFlag.AlignHCenter)

        scan_icon = QLabel(page)
        scan_icon.setPixmap(pixmap("qr", QSize(200, 200), self.devicePixelRatioF()))
        scan_icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scan_title = QLabel(self.tr("已预约试驾或检测日？"), page)
        scan_title.setObjectName("kioskNotice")
        scan_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scan_hint = QLabel(
            self.tr("把短信或小程序里的预约二维码\n对准屏幕下方的扫码口，\n听到“嘀”一声即可签到。"),
            page,
        )
        scan_hint.setObjectName("kioskScanHint")
        scan_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scan_hint.setWordWrap(True)
        right = QVBoxLayout()
        right.addStretch(1)
        right.addWidget(scan_icon)
        right.addWidget(scan_title)
        right.addWidget(scan_hint)
        right.addStretch(2)

        # Keypad and scanner side by side, or one above the other on a portrait screen.
        columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        columns.setSpacing(96)
        columns.addStretch(1)
        columns.addLayout(left)
        columns.addLayout(right)
        columns.addStretch(1)
        self._columns = columns

        layout = QVBoxLayout(page)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addLayout(columns, 1)
        layout.addWidget(self.error)
        first_time = QLabel(self.tr("签到后工作人员会来接待您；第一次来店也可以直接签到。"), page)
        first_time.setObjectName("kioskScanHint")
        first_time.setAlignment(Qt.AlignmentFlag.AlignCenter)
        first_time.setWordWrap(True)
        layout.addWidget(first_time)
        return page

    def _build_thanks(self) -> QWidget:
        page = QWidget(self)
        self.thanks = QLabel("", page)
        self.thanks.setObjectName("kioskThanks")
        self.thanks.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thanks.setWordWrap(True)
        self.thanks_detail = QLabel("", page)
        self.thanks_detail.setObjectName("kioskThanksDetail")
        self.thanks_detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thanks_detail.setWordWrap(True)
        done = QPushButton(self.tr("完成"), page)
        done.setObjectName("kioskPrimaryButton")
        done.setMinimumSize(320, 104)
        done.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        done.clicked.connect(self._finish)
        layout = QVBoxLayout(page)
        layout.setSpacing(36)
        layout.addStretch(2)
        layout.addWidget(self.thanks)
        layout.addWidget(self.thanks_detail)
        layout.addWidget(done, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)
        return page

    # --- input -------------------------------------------------------------------------

    def _key_slot(self, key: str):  # type: ignore[no-untyped-def]
        def pressed() -> None:
            self.press(key)

        return pressed

    def press(self, key: str) -> None:
        self.error.setText("")
        if key == "clear":
            self.digits = ""
        elif key == "back":
            self.digits = self.digits[:-1]
        elif key.isdigit() and len(self.digits) < MAX_DIGITS:
            self.digits += key
        self.display.setText(_formatted(self.digits))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        orient(self._columns, event.size())
        self._columns.setSpacing(96 if self._columns.direction() == self._WIDE else 24)
        super().resizeEvent(event)

    _WIDE = QBoxLayout.Direction.LeftToRight

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        # The QR scanner is a keyboard: it types the code and Enter. Nothing else types here.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            scanned, self._scan_buffer = self._scan_buffer, ""
            if scanned:
                self.submit_code(scanned)
        elif event.text() and event.text().isprintable():
            self._scan_buffer = (self._scan_buffer + event.text())[-200:]
        event.accept()

    # --- check-in ----------------------------------------------------------------------

    def submit(self) -> None:
        if self._busy or self._wait_left:
            return
        if len(self.digits) != MAX_DIGITS:
            self.error.setText(self.tr("请输入完整的 11 位手机号。"))
            return
        phone, store_code, kiosk = self.digits, self._settings["store_code"], self.kiosk_name
        now = self._now() if self._now is not None else None

        def work(session: Session) -> KioskCheckIn:
            store_id = self_check_in.kiosk_store(session, store_code)
            return self_check_in.check_in_by_phone(session, store_id, phone, kiosk=kiosk, now=now)

        self._run(work)

    def submit_code(self, text: str) -> None:
        if self._busy or self._wait_left:
            return
        store_code, days = self._settings["store_code"], self._settings["protection_days"]
        kiosk = self.kiosk_name
        now = self._now() if self._now is not None else None

        def work(session: Session) -> KioskGreeting:
            store_id = self_check_in.kiosk_store(session, store_code)
            return self_check_in.check_in_by_code(
                session, store_id, text, kiosk=kiosk, protection_days=days, now=now
            )

        self._run(work)

    def _run(self, work: Callable[[Session], Any]) -> None:
        self._busy = True
        try:
            self._runner.write(work, self._on_checked_in, self._on_failed)
        except RuntimeError as exc:  # the database has not opened yet
            self._on_failed(exc)

    def _on_checked_in(self, outcome: KioskCheckIn | KioskGreeting) -> None:
        self._busy = False
        if self._bus is not None:
            self._bus.publish({"visits", "kiosk_arrivals"})
        if isinstance(outcome, KioskGreeting):
            self.greeting = outcome
            if outcome.already_checked_in:
                self.thanks.setText(self.tr("您已签到，无需重复签到"))
            else:
                self.thanks.setText(welcome(outcome.surname, outcome.title) + self.tr("签到成功"))
            if outcome.consultant_name:
                detail = self.tr(
                    "销售顾问 {name} 马上来接待您，\n请在休息区稍坐，茶水自取。"
                ).format(name=outcome.consultant_name)
            else:
                detail = self.tr("工作人员马上来接待您，\n请在休息区稍坐，茶水自取。")
        else:
            # A number alone: the same words whoever's number it is.
            self.thanks.setText(self.tr("签到成功"))
            detail = self.tr("工作人员马上来接待您，\n请在休息区稍坐，茶水自取。")
        self.thanks_detail.setText(detail)
        self.digits = ""
        self.display.setText("")
        self.views.setCurrentIndex(1)
        self._back_home.start()

    def _on_failed(self, exc: BaseException) -> None:
        self._busy = False
        if isinstance(exc, ShowroomError):
            log.info("kiosk check-in refused: %s", exc.code)
            if exc.code == "kiosk.slow_down":
                self._start_wait(int(exc.params.get("seconds", 10)))
                return
            text = {
                "phone.invalid": self.tr("手机号格式不正确，请检查后重新输入。"),
                "booking.unreadable": self.tr("没有识别出二维码，请再扫一次。"),
                "kiosk.code_refused": self.tr(
                    "这个预约码现在无法签到。请核对后重试，或到前台由工作人员为您办理。"
                ),
            }.get(exc.code, self.tr("暂时无法签到，请到前台，工作人员将为您办理。"))
        else:
            log.error("kiosk check-in failed", exc_info=exc)
            text = self.tr("暂时无法签到，请到前台，工作人员将为您办理。")
        self.error.setText(text)

    # --- pacing ------------------------------------------------------------------------

    def _start_wait(self, seconds: int) -> None:
        self._wait_left = max(1, seconds)
        self.submit_button.setEnabled(False)
        self._show_wait()
        self._wait_timer.start()

    def _tick_wait(self) -> None:
        self._wait_left = max(0, self._wait_left - 1)
        if self._wait_left:
            self._show_wait()
            return
        self._wait_timer.stop()
        self.submit_button.setEnabled(True)
        self.error.setText("")

    def _show_wait(self) -> None:
        self.error.setText(self.tr("签到的人较多，请 %n 秒后再试。", "", self._wait_left))

    def _finish(self) -> None:
        self.reset()
        self.navigate.emit("home")

    # --- KioskPage ---------------------------------------------------------------------

    def activate(self) -> None:
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def attach(self, context: AppContext) -> None:
        self._bus = context.bus

    def reset(self) -> None:
        # A countdown the service asked for stays (it is about this kiosk, not the customer).
        self._back_home.stop()
        self.digits = ""
        self._scan_buffer = ""
        self._busy = False
        self.greeting = None
        self.display.setText("")
        self.error.setText("")
        self.thanks.setText("")
        self.thanks_detail.setText("")
        self.views.setCurrentIndex(0)
        if self._wait_left:
            self._show_wait()
