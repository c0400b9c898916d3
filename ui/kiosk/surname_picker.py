"""Every surname on finger-sized keys: the common ones first, the rest by pinyin initial.

The kiosk has no keyboard, and a customer called 薛, 廖, 尹 or 欧阳 must be able to
book like anyone else. The picker shows the most common surnames at first; a row
of letter keys (A B C ... Z, the initials that exist in ``showroom.surnames``)
switches the grid to the surnames read with that initial, most frequent first.
The grid has a fixed set of keys that are relabelled, so switching never
rebuilds widgets and every key keeps its size.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from showroom import surnames

COLUMNS = 10
# Enough keys for the largest initial (Y) and for the common page.
KEYS = max(surnames.COMMON_COUNT, *(len(surnames.with_initial(i)) for i in surnames.initials()))
KEY_WIDTH, KEY_HEIGHT = 84, 60
# The key a customer chose must look chosen (the pages' button style has no checked look).
CHECKED_STYLE = (
    "QPushButton:checked { background: #1F5FBF; color: #FFFFFF; border: 2px solid #1F5FBF; }"
)
LETTER_SIZE = 60
COMMON = "common"


class SurnamePicker(QWidget):
    """Letter keys, then a grid of surnames. Signals: ``chosen(str)`` with the surname."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskSurnamePicker")
        self.setStyleSheet(CHECKED_STYLE)
        self.surname = ""
        self.page = COMMON

        letters = QGridLayout()
        letters.setSpacing(6)
        self.letter_group = QButtonGroup(self)
        self.letter_keys: dict[str, QPushButton] = {}
        keys = [COMMON, *surnames.initials()]
        per_row = (len(keys) + 1) // 2
        for index, key in enumerate(keys):
            text = self.tr("常用") if key == COMMON else key
            button = QPushButton(text, self)
            button.setObjectName("kioskLetterKey")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setMinimumSize(LETTER_SIZE * (2 if key == COMMON else 1), LETTER_SIZE)
            button.setProperty("letter", key)
            self.letter_group.addButton(button)
            self.letter_keys[key] = button
            column = index % per_row
            letters.addWidget(button, index // per_row, column)
        self.letter_group.buttonClicked.connect(self._letter_clicked)

        # A fixed area for the largest letter, so nothing below jumps when a letter is chosen.
        rows = -(-KEYS // COLUMNS)
        area = QWidget(self)
        area.setFixedHeight(rows * KEY_HEIGHT + (rows - 1) * 6)
        grid = QGridLayout(area)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        grid.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.surname_group = QButtonGroup(self)
        self.keys: list[QPushButton] = []
        for index in range(KEYS):
            button = QPushButton("", area)
            button.setObjectName("kioskSurnameKey")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setFixedSize(KEY_WIDTH, KEY_HEIGHT)
            self.surname_group.addButton(button, index)
            self.keys.append(button)
            grid.addWidget(button, index // COLUMNS, index % COLUMNS)
        self.surname_group.idClicked.connect(self._surname_clicked)

        self.hint = QLabel(self.tr("找不到？点姓氏拼音的首字母，例如“欧阳”点 O"), self)
        self.hint.setObjectName("kioskHint")
        self.hint.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addLayout(letters)
        layout.addWidget(self.hint)
        layout.addWidget(area)
        self.reset()

    # --- what is shown -----------------------------------------------------------------

    def shown(self) -> list[str]:
        """The surnames on the keys now, in order."""
        return [key.text() for key in self.keys if not key.isHidden()]

    def show_page(self, page: str) -> None:
        """The common surnames (``"common"``) or those with initial ``page``."""
        self.page = page
        names = surnames.common() if page == COMMON else list(surnames.with_initial(page))
        self.letter_keys[page].setChecked(True)
        self.surname_group.setExclusive(False)
        for key, name in zip(self.keys, [*names, *[None] * len(self.keys)], strict=False):
            key.setChecked(name is not None and name.text == self.surname)
            key.setText(name.text if name is not None else "")
            key.setVisible(name is not None)
        self.surname_group.setExclusive(True)

    def choose(self, surname: str) -> None:
        """Select ``surname`` as if its key had been tapped (opening its letter)."""
        known = surnames.BY_TEXT.get(surname)
        if known is None:
            raise KeyError(surname)
        self.surname = surname
        if surname not in self.shown():
            self.show_page(known.initial)
        else:
            self.show_page(self.page)
        self.chosen.emit(surname)

    def reset(self) -> None:
        self.surname = ""
        self.show_page(COMMON)

    # --- taps ----------------------------------------------------------------------------

    def _letter_clicked(self, button: QPushButton) -> None:
        self.show_page(str(button.property("letter")))

    def _surname_clicked(self, index: int) -> None:
        self.surname = self.keys[index].text()
        self.chosen.emit(self.surname)
