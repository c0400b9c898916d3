"""The large on-screen numeric pad staff use to leave the kiosk.

No keyboard on the kiosk, so the PIN is typed here: digits 0-9, 删除, 清空 and
确定, keys large enough for a finger, digits shown only as dots (customers stand
next to the screen). The pad only collects digits; checking them, and deciding
when to lock, belongs to its owner.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

MIN_LENGTH = 4
MAX_LENGTH = 8  # the auth service accepts 4 to 8 digits
KEY_SIZE = QSize(112, 76)  # well above the 64 px a fingertip needs


class PinDots(QWidget):
    """Shows how many digits were typed, never which."""

    DOT = 26
    GAP = 22

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskPinDots")
        self._count = 0
        self.setMinimumHeight(self.DOT + 24)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def count(self) -> int:
        return self._count

    def set_count(self, count: int) -> None:
        self._count = count
        self.setAccessibleName(self.tr("已输入 %n 位", "", count))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        # Empty rings for the minimum length hint how many digits are expected.
        slots = max(MIN_LENGTH, self._count)
        width = slots * self.DOT + (slots - 1) * self.GAP
        x = (self.width() - width) / 2
        y = (self.height() - self.DOT) / 2
        ink = self.palette().windowText().color()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for index in range(slots):
            rect = QRectF(x + index * (self.DOT + self.GAP), y, self.DOT, self.DOT)
            if index < self._count:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(ink)
            else:
                faint = QColor(ink)
                faint.setAlphaF(0.45)
                painter.setPen(QPen(faint, 3))
                painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(rect.adjusted(2, 2, -2, -2))
        painter.end()


class PinPad(QWidget):
    """Collects a 4-8 digit PIN and hands it over on 确定.

    Signals: ``submitted(str)`` with the digits; ``cancelled()`` when 取消 is pressed;
    ``unlocked()`` when a lock's countdown ends.
    """

    submitted = Signal(str)
    cancelled = Signal()
    unlocked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskPinPad")
        self._digits = ""
        self._busy = False
        self._lock_left: Callable[[], int] | None = None
        self._countdown = QTimer(self)
        # Ticks often so the number on screen changes when the owner's clock says so.
        self._countdown.setInterval(200)
        self._countdown.timeout.connect(self._tick)

        self._dots = PinDots(self)
        self._message = QLabel(self)
        self._message.setObjectName("kioskPinMessage")
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        # Reserve the line so the keys do not jump when a message appears.
        self._message.setMinimumHeight(44)

        grid = QGridLayout()
        grid.setSpacing(12)
        self._keys: list[QPushButton] = []
        for index, digit in enumerate("123456789"):
            grid.addWidget(
                self._key(digit, f"pinKey{digit}", self._digit_pressed), index // 3, index % 3
            )
        grid.addWidget(self._key(self.tr("清空"), "pinClear", self.clear_digits), 3, 0)
        grid.addWidget(self._key("0", "pinKey0", self._digit_pressed), 3, 1)
        grid.addWidget(self._key(self.tr("删除"), "pinDelete", self._backspace), 3, 2)
        # 取消 sits on the pad itself so the whole page fits a 1280x800 screen.
        self._cancel = self._key(self.tr("取消"), "pinCancel", self.cancelled)
        grid.addWidget(self._cancel, 4, 0)
        self._ok = self._key(self.tr("确定"), "pinOk", self._submit)
        grid.addWidget(self._ok, 4, 1, 1, 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self._dots)
        layout.addWidget(self._message)
        layout.addLayout(grid)
        self.reset()

    def _key(
        self, text: str, name: str, slot: Callable[[], object] | SignalInstance
    ) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setProperty("pinKey", True)
        button.setMinimumSize(KEY_SIZE)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no focus ring on a touch screen
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        self._keys.append(button)
        return button

    # --- state the owner reads and sets ---------------------------------------------------

    def digits(self) -> str:
        return self._digits

    def message(self) -> str:
        return self._message.text()

    def is_locked(self) -> bool:
        return self.lock_seconds_left() > 0

    def is_busy(self) -> bool:
        return self._busy

    def clear_digits(self) -> None:
        self._digits = ""
        self._dots.set_count(0)
        self._update_keys()

    def reset(self) -> None:
        """Forget digits, message and busy state; a running lock stays (see PinThrottle)."""
        self._busy = False
        self.clear_digits()
        if not self.is_locked():
            self.show_message(self.tr("请输入员工 PIN 码"))

    def show_message(self, text: str, *, error: bool = False) -> None:
        self._message.setText(text)
        self._message.setProperty("error", error)
        # Re-polish so the [error="true"] rule in kiosk.qss applies.
        self._message.style().unpolish(self._message)
        self._message.style().polish(self._message)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        if busy:
            self.show_message(self.tr("正在验证…"))
        self._update_keys()

    def lock(self, seconds_left: Callable[[], int]) -> None:
        """Disable the keys while ``seconds_left()`` is above 0, counting down on screen.

        The owner's clock decides (one source of truth), so the pad cannot open a moment
        before the owner would accept a PIN again.
        """
        self._lock_left = seconds_left
        self.clear_digits()
        if self.is_locked():
            self._countdown.start()
            self._show_lock()
        self._update_keys()

    def lock_seconds_left(self) -> int:
        return self._lock_left() if self._lock_left is not None else 0

    # --- key handlers -----------------------------------------------------------------------

    def _digit_pressed(self) -> None:
        button = self.sender()
        if not isinstance(button, QPushButton) or len(self._digits) >= MAX_LENGTH:
            return
        if self._message.property("error"):
            self.show_message(self.tr("请输入员工 PIN 码"))  # the next try starts clean
        self._digits += button.text()
        self._dots.set_count(len(self._digits))
        self._update_keys()

    def _backspace(self) -> None:
        self._digits = self._digits[:-1]
        self._dots.set_count(len(self._digits))
        self._update_keys()

    def _submit(self) -> None:
        if len(self._digits) < MIN_LENGTH or self._busy or self.is_locked():
            return
        self.submitted.emit(self._digits)

    def _tick(self) -> None:
        if self.is_locked():
            self._show_lock()
            return
        self._countdown.stop()
        self._lock_left = None
        self.show_message(self.tr("请输入员工 PIN 码"))
        self._update_keys()
        self.unlocked.emit()

    def _show_lock(self) -> None:
        self.show_message(
            self.tr("输错次数过多，请 %n 秒后再试", "", self.lock_seconds_left()), error=True
        )

    def _update_keys(self) -> None:
        enabled = not self._busy and not self.is_locked()
        for key in self._keys:
            key.setEnabled(enabled)
        # Leaving is always possible, even while locked or checking.
        self._cancel.setEnabled(True)
        self._ok.setEnabled(enabled and len(self._digits) >= MIN_LENGTH)
