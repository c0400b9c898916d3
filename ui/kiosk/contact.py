"""The kiosk's contact step and the finger-sized parts it is built from.

A customer at the kiosk has no keyboard: the mobile number comes from a big
digit keypad, the surname from a grid of common surnames, the form of address
from two buttons. The test-drive booking and the inspection-day sign-up both
ask for exactly this, with their own consent sentence and confirm button.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.models import Title

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
