"""The figure cards of the home screen: an icon, a label, a big number, a line of detail."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.style import repolish
from ui.widgets.icons import pixmap


class FigureCard(QFrame):
    """One figure of the day. Emits no signals."""

    def __init__(self, title: str, icon_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.setMinimumHeight(132)
        self._value_tone = ""
        self._detail_tone = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(6)

        top = QHBoxLayout()
        top.setSpacing(10)
        icon = QLabel(self)
        icon.setObjectName("CardIcon")
        icon.setFixedSize(36, 36)
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        icon.setPixmap(pixmap(icon_name, size=20))
        self.title_label = QLabel(title, self)
        self.title_label.setObjectName("CardTitle")
        top.addWidget(icon)
        top.addWidget(self.title_label, 1)
        layout.addLayout(top)

        self.value_label = QLabel("—", self)
        self.value_label.setObjectName("CardValue")
        self.value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.value_label)

        self.detail_label = QLabel("", self)
        self.detail_label.setObjectName("CardDetail")
        self.detail_label.setWordWrap(True)
        layout.addWidget(self.detail_label)
        layout.addStretch(1)

    def set_value(self, value: str, tone: str = "") -> None:
        self.value_label.setText(value)
        # The tone is remembered here rather than read back with property(): an unset
        # property comes back as None, and PySide6 6.12 on Python 3.11 miscounts None.
        if self._value_tone != tone:
            self._value_tone = tone
            self.value_label.setProperty("tone", tone)
            repolish(self.value_label)

    def set_detail(self, detail: str, tone: str = "") -> None:
        self.detail_label.setText(detail)
        if self._detail_tone != tone:
            self._detail_tone = tone
            self.detail_label.setProperty("tone", tone)
            repolish(self.detail_label)
