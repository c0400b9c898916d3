"""The kiosk's self-service steps and the finger-sized parts they are built from.

A customer at the kiosk has no keyboard: the mobile number comes from a big
digit keypad, the surname from every Chinese surname found by pinyin initial
(``SurnamePicker``), the form of address from two buttons; 先生/女士 alone will do
for someone who prefers to give no surname. The test-drive booking and the
inspection-day sign-up both ask for exactly this (``ContactStep``, with their own
consent sentence and confirm button), end on the same slip with code and QR
(``DoneStep``) and move between their steps the same way (``StepsPage``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
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
from ui.kiosk.pages import KioskPage, orient
from ui.kiosk.surname_picker import CHECKED_STYLE, SurnamePicker

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
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no focus frame after a tap
            button.setProperty("key", key)
            button.clicked.connect(self._clicked)
            grid.addWidget(button, index // 3, index % 3)

    def _clicked(self) -> None:
        self.pressed.emit(str(self.sender().property("key")))


class ClickLabel(QLabel):
    """A label a finger can tap. Signals: ``clicked()``."""

    clicked = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        self.clicked.emit()
        super().mouseReleaseEvent(event)


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
    """Mobile number, surname (or only 先生/女士), and consent.

    Signals: ``confirmed()`` (the big button). The page checks what is missing and
    shows the message; ``reset`` wipes it all. The number and the confirm button
    sit beside the surname picker on a landscape screen and above it on a portrait
    one (``resizeEvent``).
    """

    confirmed = Signal()

    def __init__(self, consent_text: str, confirm_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(CHECKED_STYLE)  # 先生/女士 show which one was tapped
        self.phone = ""
        self.surname = ""
        self.title = Title.NONE

        phone_side = QVBoxLayout()
        phone_side.addWidget(big_label(self.tr("您的手机号"), self))
        self.phone_label = big_label("", self, "kioskEntry")
        self.phone_label.setStyleSheet("font-size:36px;")
        phone_side.addWidget(self.phone_label)
        keypad = Keypad(self)
        keypad.pressed.connect(self._phone_key)
        phone_side.addWidget(keypad)
        phone_side.addStretch(1)
        # Consent and the big button come last, below both halves, on either screen.
        finish = QHBoxLayout()
        finish.setSpacing(24)
        finish.addLayout(self._consent_row(consent_text), 1)
        self.confirm = QPushButton(confirm_text, self)
        self.confirm.setMinimumSize(320, 72)
        self.confirm.clicked.connect(self.confirmed)
        finish.addWidget(self.confirm)

        name_side = QVBoxLayout()
        self.name_title = big_label(self.tr("您的姓氏"), self)
        name_side.addWidget(self.name_title)
        self.picker = SurnamePicker(self)
        self.picker.chosen.connect(self._surname_chosen)
        name_side.addWidget(self.picker)
        titles = QHBoxLayout()
        self.title_group = QButtonGroup(self)
        for title, text in ((Title.MR, self.tr("先生")), (Title.MS, self.tr("女士"))):
            button = QPushButton(text, self)
            button.setCheckable(True)
            button.setMinimumHeight(60)
            button.setProperty("title", title.value)
            self.title_group.addButton(button)
            titles.addWidget(button)
        self.title_group.buttonClicked.connect(self._title_clicked)
        name_side.addLayout(titles)
        name_side.addWidget(
            big_label(self.tr("不想留姓氏？只选“先生”或“女士”即可。"), self, "kioskHint")
        )
        name_side.addStretch(1)

        self._layout = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._layout.setSpacing(32)
        self._layout.addLayout(phone_side, 2)
        self._layout.addLayout(name_side, 5)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(self._layout, 1)
        outer.addLayout(finish)
        self.reset()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        orient(self._layout, event.size())
        super().resizeEvent(event)

    def _consent_row(self, text: str) -> QHBoxLayout:
        """The box and its sentence, wrapped; a tap on the sentence ticks the box too."""
        self.consent = QCheckBox(self)
        self.consent.setMinimumSize(48, 48)
        self.consent_label = ClickLabel(text, self)
        self.consent_label.setWordWrap(True)
        self.consent_label.clicked.connect(self.consent.toggle)
        row = QHBoxLayout()
        row.addWidget(self.consent, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.consent_label, 1)
        return row

    def _phone_key(self, key: str) -> None:
        self.phone = edit(self.phone, key, PHONE_DIGITS)
        self.phone_label.setText(self.phone or self.tr("请输入手机号"))

    def _surname_chosen(self, surname: str) -> None:
        self.surname = surname
        self.name_title.setText(self.tr("您的姓氏：{surname}").format(surname=surname))

    def _title_clicked(self, button: QPushButton) -> None:
        self.title = Title(str(button.property("title")))

    def missing(self) -> str:
        """What is still needed, as the sentence to show; "" when complete enough to send."""
        if len(self.phone) != PHONE_DIGITS:
            return self.tr("请输入完整的 11 位手机号。")
        if not self.surname and self.title is Title.NONE:
            return self.tr("请点选您的姓氏，或只选“先生”“女士”。")
        return ""

    def reset(self) -> None:
        self.phone = self.surname = ""
        self.title = Title.NONE
        self.phone_label.setText(self.tr("请输入手机号"))
        self.name_title.setText(self.tr("您的姓氏"))
        self.picker.reset()
        self.title_group.setExclusive(False)
        for button in self.title_group.buttons():
            button.setChecked(False)
        self.title_group.setExclusive(True)
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
        # Eight characters read aloud in two groups of four (K7QM 2XPD); typed either way.
        self.code.setText(f"{code[:4]} {code[4:]}" if len(code) == 8 else code)
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
        code = getattr(exc, "code", None)
        # The refusals a customer meets here, in the kiosk's language and without any
        # stored detail (a duplicate plate does not repeat another booking's code).
        known = {
            "phone.invalid": self.tr("手机号格式不正确，请检查后重新输入。"),
            "test_drive.stock_no_unknown": self.tr(
                "没有找到这个编号的在售车辆，请核对车窗展示单上的库存编号。"
            ),
            "test_drive.slot_taken": self.tr("这个时段刚刚被预约，请换一个时段。"),
            "test_drive.slot_past": self.tr("这个时段已经过去，请换一个时段。"),
            "test_drive.vehicle_unavailable": self.tr("这辆车目前不能试驾，请看看其他车辆。"),
            "test_drive.consent_required": self.tr("请先勾选同意，我们才能为您办理预约。"),
            "registration.consent_required": self.tr("请先勾选同意，我们才能为您办理报名。"),
            "test_drive.surname_required": self.tr("请点选您的姓氏，或只选“先生”“女士”。"),
            "registration.duplicate": self.tr(
                "这辆车已经报名了这一场检测日，同一辆车每场只能报名一次。"
            ),
            "registration.event_closed": self.tr("这场检测日已停止报名，请选择其他日期。"),
            "registration.event_past": self.tr("这场检测日已经结束，请选择其他日期。"),
            "db.connecting": self.tr("正在连接，请稍候再试。"),
        }
        if code is not None and code.startswith("plate."):
            self._say(self.tr("车牌号格式不正确，请检查后重新输入。"))
        elif code in known:
            self._say(known[code])
        else:
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
