"""The kiosk's self-service steps and the finger-sized parts they are built from.

A customer at the kiosk has no keyboard: the mobile number comes from a big
digit keypad, the surname from a grid of common surnames, the form of address
from two buttons. The test-drive booking and the inspection-day sign-up both
ask for exactly this (``ContactStep``, with their own consent sentence and
confirm button), end on the same slip with code and QR (``DoneStep``) and
move between their steps the same way (``StepsPage``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from db.models import Title
from showroom.documents.qr import qr_png
from ui.errors import report_failure
from ui.kiosk.pages import KioskPage

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
PHONE_DIGITS = 11


class Keypad(QWidget):
    """Big digit keys. Signals: ``pressed(str)`` with a digit, "back" or "clear"."""

    pressed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setSpacing(10)
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back"]
        labels = {"clear": self.tr("清空"), "back": self.tr("删除")}
        for index, key in enumerate(keys):
            button = QPushButton(labels.get(key, key), self)
            button.setObjectName("kioskKey")
            button.setMinimumSize(96, 72)
            button.setProperty("key", key)
            button.clicked.connect(self._clicked)
            grid.addWidget(button, index // 3, index % 3)

    def _clicked(self) -> None:
        self.pressed.emit(str(self.sender().property("key")))


def big_label(text: str, parent: QWidget, name: str = "kioskTitle") -> QLabel:
    """A wrapped label styled by object name (kioskTitle, kioskHint, kioskError, kioskEntry)."""
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


def edit(text: str, key: str, limit: int) -> str:
    """``text`` after one keypad press: a digit appends (up to ``limit``), back, clear."""
    if key == "clear":
        return ""
    if key == "back":
        return text[:-1]
    return (text + key)[:limit]


class ContactStep(QWidget):
    """Mobile number, surname, Mr/Ms and consent. Signals: ``confirmed()`` (the big button).

    The page checks what is missing and shows the message; ``reset`` wipes it all.
    """

    confirmed = Signal()

    def __init__(self, consent_text: str, confirm_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.phone = ""
        self.surname = ""
        self.title = Title.NONE
        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        left.addWidget(big_label(self.tr("您的手机号和姓氏"), self))
        self.phone_label = big_label("", self, "kioskEntry")
        self.phone_label.setStyleSheet("font-size:36px;")
        left.addWidget(self.phone_label)
        surnames = QGridLayout()
        surnames.setSpacing(6)
        self.surname_group = QButtonGroup(self)
        for index, surname in enumerate(SURNAMES):
            button = QPushButton(surname, self)
            button.setCheckable(True)
            button.setMinimumSize(56, 52)
            self.surname_group.addButton(button, index)
            surnames.addWidget(button, index // 10, index % 10)
        self.surname_group.idClicked.connect(self._surname_clicked)
        left.addLayout(surnames)
        titles = QHBoxLayout()
        self.title_group = QButtonGroup(self)
        for title, text in ((Title.MR, self.tr("先生")), (Title.MS, self.tr("女士"))):
            button = QPushButton(text, self)
            button.setCheckable(True)
            button.setMinimumHeight(56)
            button.setProperty("title", title.value)
            self.title_group.addButton(button)
            titles.addWidget(button)
        self.title_group.buttonClicked.connect(self._title_clicked)
        left.addLayout(titles)
        self.consent = QCheckBox(consent_text, self)
        self.consent.setMinimumHeight(48)
        left.addWidget(self.consent)
        self.confirm = QPushButton(confirm_text, self)
        self.confirm.setMinimumHeight(72)
        self.confirm.clicked.connect(self.confirmed)
        left.addWidget(self.confirm)
        layout.addLayout(left, 1)
        keypad = Keypad(self)
        keypad.pressed.connect(self._phone_key)
        layout.addWidget(keypad)
        self.reset()

    def _phone_key(self, key: str) -> None:
        self.phone = edit(self.phone, key, PHONE_DIGITS)
        self.phone_label.setText(self.phone or self.tr("请输入手机号"))

    def _surname_clicked(self, index: int) -> None:
        self.surname = SURNAMES[index]

    def _title_clicked(self, button: QPushButton) -> None:
        self.title = Title(str(button.property("title")))

    def reset(self) -> None:
        self.phone = self.surname = ""
        self.title = Title.NONE
        self.phone_label.setText(self.tr("请输入手机号"))
        for group in (self.surname_group, self.title_group):
            group.setExclusive(False)
            for button in group.buttons():
                button.setChecked(False)
            group.setExclusive(True)
        self.consent.setChecked(False)
        self.confirm.setEnabled(True)


class DoneStep(QWidget):
    """The slip: a title, the big code, a sentence, the QR to photograph and 完成.

    Signals: ``finished()`` when 完成 is tapped.
    """

    finished = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        text = QVBoxLayout()
        self.title = big_label(title, self)
        text.addWidget(self.title)
        self.code = big_label("", self)
        self.code.setStyleSheet("font-size:56px; font-weight:bold; letter-spacing:6px;")
        self.details = big_label("", self, "kioskHint")
        text.addWidget(self.code)
        text.addWidget(self.details)
        finish = QPushButton(self.tr("完成"), self)
        finish.setMinimumHeight(72)
        finish.clicked.connect(self.finished)
        text.addWidget(finish)
        text.addStretch(1)
        layout.addLayout(text, 1)
        self.qr = QLabel(self)
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.qr)

    def show_result(self, code: str, details: str, qr_payload: str) -> None:
        self.code.setText(code)
        self.details.setText(details)
        pixmap = QPixmap()
        pixmap.loadFromData(qr_png(qr_payload, box_size=10))
        self.qr.setPixmap(pixmap)

    def clear(self) -> None:
        self.code.clear()
        self.details.clear()
        self.qr.clear()


class StepsPage(KioskPage):
    """A kiosk page of numbered steps with a red message line and 返回 below.

    The first step's 返回 goes home (after ``reset``); the last step hides it.
    Subclasses call ``set_steps`` once and implement ``reset``.
    """

    confirm: QPushButton  # the step that writes; enabled again after a refusal

    def set_steps(self, pages: list[QWidget], error_px: int, margins: tuple[int, int]) -> None:
        self.steps = QStackedWidget(self)
        for page in pages:
            self.steps.addWidget(page)
        self.error = big_label("", self, "kioskError")
        self.error.setStyleSheet(f"color:#c5221f; font-size:{error_px}px;")
        bottom = QHBoxLayout()
        self.back_button = QPushButton(self.tr("返回"), self)
        self.back_button.setMinimumHeight(64)
        self.back_button.clicked.connect(self.back)
        bottom.addWidget(self.back_button)
        bottom.addStretch(1)
        layout = QVBoxLayout(self)
        across, down = margins
        layout.setContentsMargins(across, down, across, down)
        layout.addWidget(self.steps, 1)
        layout.addWidget(self.error)
        layout.addLayout(bottom)

    def contact_step(self, consent_text: str, confirm_text: str) -> ContactStep:
        """The contact step; its confirm button calls ``submit``."""
        self.contact = ContactStep(consent_text, confirm_text, self)
        self.contact.confirmed.connect(self.submit)
        # The names the page and its tests use for the step's parts.
        self.phone_label = self.contact.phone_label
        self.consent = self.contact.consent
        self.confirm = self.contact.confirm
        return self.contact

    def done_step(self, title: str) -> DoneStep:
        """The slip; 完成 resets the page and goes home."""
        self.done = DoneStep(title, self)
        self.done.finished.connect(self._finish)
        # The names the page and its tests use for the slip's parts.
        self.done_code, self.done_details, self.done_qr = (
            self.done.code,
            self.done.details,
            self.done.qr,
        )
        return self.done

    def submit(self) -> None:
        raise NotImplementedError

    def last_step(self) -> int:
        return self.steps.count() - 1

    def _failed(self, exc: BaseException) -> None:
        self.confirm.setEnabled(True)
        self._say(report_failure(exc))

    def _say(self, text: str) -> None:
        self.error.setText(text)

    def _show(self, step: int) -> None:
        self.error.clear()
        self.steps.setCurrentIndex(step)
        self.back_button.setVisible(step != self.last_step())

    def _finish(self) -> None:
        self.reset()
        self.navigate.emit("home")

    def back(self) -> None:
        step = self.steps.currentIndex()
        if step == 0:
            self._finish()
        else:
            self._show(step - 1)
