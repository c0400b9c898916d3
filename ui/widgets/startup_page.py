"""The page shown while the database opens, and instead of the app when it cannot.

A start-up fault (wrong address, server down, file locked) is not a crash: the
page says what happened in one sentence and offers what the user can do about
it: try again, fix the address in the settings, or work on this PC's embedded
database for now.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.icons import icon, pixmap
from ui.widgets.pages import CenteredPage, label


class StartupPage(CenteredPage):
    """Connecting / fault states of the start-up.

    Signals: ``retryRequested()``, ``settingsRequested()``, ``embeddedRequested()``
    (use the embedded SQLite database for this session).
    """

    retryRequested = Signal()  # noqa: N815 - Qt's signal naming
    settingsRequested = Signal()  # noqa: N815 - Qt's signal naming
    embeddedRequested = Signal()  # noqa: N815 - Qt's signal naming

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, card_width=560)
        self._states = QStackedWidget(self.card)
        self.card_layout.addWidget(self._states)
        self._states.addWidget(self._build_connecting())
        self._states.addWidget(self._build_fault())

    # --- connecting --------------------------------------------------------------------

    def _build_connecting(self) -> QWidget:
        page = QWidget(self._states)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        logo = QLabel(page)
        logo.setPixmap(pixmap("showroom", size=64))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(logo)
        title = label(self.tr("二手车展厅管理系统"), "PageTitle", page)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        self.connecting_label = label(self.tr("正在连接数据库…"), "PageSubtitle", page)
        self.connecting_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.connecting_label)
        self.target_label = label("", "HintText", page, wrap=True)
        self.target_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.target_label)
        busy = QProgressBar(page)
        busy.setRange(0, 0)
        busy.setTextVisible(False)
        busy.setFixedHeight(6)
        busy.setStyleSheet("QProgressBar { min-height: 4px; border: none; background: #e8eef5; }")
        layout.addWidget(busy)
        return page

    def show_connecting(self, target: str, message: str | None = None) -> None:
        """``target`` is the database address without its password."""
        self.connecting_label.setText(message or self.tr("正在连接数据库…"))
        self.target_label.setText(target)
        self._states.setCurrentIndex(0)

    # --- fault -------------------------------------------------------------------------

    def _build_fault(self) -> QWidget:
        page = QWidget(self._states)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        head = QHBoxLayout()
        head.setSpacing(12)
        warn = QLabel(page)
        warn.setPixmap(pixmap("warning", "#c62828", 36))
        head.addWidget(warn, 0, Qt.AlignmentFlag.AlignTop)
        self.fault_title = label(self.tr("无法打开数据库"), "FaultTitle", page)
        head.addWidget(self.fault_title, 1)
        layout.addLayout(head)
        self.fault_detail = label("", "FaultDetail", page, wrap=True)
        self.fault_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.fault_detail)
        self.fault_technical = label("", "HintText", page, wrap=True)
        self.fault_technical.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.fault_technical)
        self.fault_hint = label(
            self.tr(
                "您可以检查网络后重试，在设置中改正数据库地址，"
                "或暂时使用这台电脑上的内置数据库（数据只保存在本机，不与其他电脑共享）。"
            ),
            "HintText",
            page,
            wrap=True,
        )
        layout.addWidget(self.fault_hint)
        layout.addSpacing(8)

        self.retry_button = QPushButton(icon("refresh", "#ffffff"), self.tr("重试"), page)
        self.retry_button.setProperty("role", "primary")
        self.retry_button.clicked.connect(self.retryRequested)
        self.settings_button = QPushButton(icon("settings"), self.tr("设置…"), page)
        self.settings_button.clicked.connect(self.settingsRequested)
        self.embedded_button = QPushButton(icon("database"), self.tr("使用本机内置数据库"), page)
        self.embedded_button.clicked.connect(self.embeddedRequested)
        buttons = QHBoxLayout()
        buttons.setSpacing(10)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.settings_button)
        buttons.addStretch(1)
        buttons.addWidget(self.embedded_button)
        layout.addLayout(buttons)
        return page

    def show_fault(self, message: str, technical: str = "", *, offer_embedded: bool = True) -> None:
        """Show ``message`` (one plain sentence), optional technical detail, and the ways out."""
        self.fault_detail.setText(message)
        self.fault_technical.setText(
            self.tr("技术信息：{detail}").format(detail=technical) if technical else ""
        )
        self.fault_technical.setVisible(bool(technical))
        self.embedded_button.setVisible(offer_embedded)
        self._states.setCurrentIndex(1)
        self.retry_button.setFocus()

    @property
    def showing_fault(self) -> bool:
        return self._states.currentIndex() == 1
