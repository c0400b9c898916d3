"""The third-party inspection report on the kiosk: its pages, large, scrolled by finger.

The kiosk never opens the PDF itself (no external viewer a customer could escape into,
no PDF parser on the public screen): it shows the page images made when staff attached
the report, fetched through ``showroom.services.kiosk.public_report_page`` which serves
only pages of a car a customer may see. The file's SHA-256 is shown, so a customer can
check the copy they are sent is the same document.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from showroom.services import kiosk as kiosk_service
from ui.tasks import TaskRunner
from ui.widgets.photos import PhotoLoader

PAGE_WIDTH = 1100  # px on the kiosk's 1920-wide screen: readable without zooming


class KioskReportView(QWidget):
    """The report's pages one under the other. Signals: ``closed()`` when 返回 is tapped."""

    closed = Signal()

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskReportView")
        self.vehicle_id: uuid.UUID | None = None
        self.pages: list[str] = []
        self.loader = PhotoLoader(runner, self._fetcher, self)
        self.loader.loaded.connect(self._arrived)
        self.loader.failed.connect(self._broken)
        self.title = QLabel(self.tr("第三方检测报告"), self)
        self.title.setObjectName("kioskSection")
        self.fingerprint = QLabel("", self)
        self.fingerprint.setObjectName("kioskText")
        self.fingerprint.setWordWrap(True)
        self.back_button = QPushButton(self.tr("返回车辆档案"), self)
        self.back_button.setObjectName("kioskSecondaryButton")
        self.back_button.setMinimumSize(240, 80)
        self.back_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.back_button.clicked.connect(self.closed.emit)
        head = QHBoxLayout()
        texts = QVBoxLayout()
        texts.addWidget(self.title)
        texts.addWidget(self.fingerprint)
        head.addLayout(texts, 1)
        head.addWidget(self.back_button)
        self.sheet = QWidget(self)
        self.sheet_layout = QVBoxLayout(self.sheet)
        self.sheet_layout.setSpacing(18)
        self.sheet_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.scroll = QScrollArea(self)
        self.scroll.setWidget(self.sheet)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        QScroller.grabGesture(
            self.scroll.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.scroll, 1)
        self.page_labels: list[QLabel] = []

    def _fetcher(self, sha: str) -> Any:
        vehicle_id = self.vehicle_id

        def fetch(session: Any) -> bytes:
            assert vehicle_id is not None
            return kiosk_service.public_report_page(session, vehicle_id, sha)

        return fetch

    def show_report(self, vehicle_id: uuid.UUID, pages: Sequence[str], sha: str) -> None:
        self.vehicle_id = vehicle_id
        self.pages = list(pages)
        self.fingerprint.setText(
            self.tr("共 {n} 页 · 文件指纹（SHA-256）{sha}").format(n=len(pages), sha=sha)
        )
        for label in self.page_labels:
            label.hide()
            label.deleteLater()
        self.page_labels = []
        for number, page in enumerate(self.pages, 1):
            label = QLabel(self.tr("第 {n} 页加载中…").format(n=number), self.sheet)
            label.setObjectName("kioskText")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setMinimumSize(PAGE_WIDTH, 300)
            label.setStyleSheet("background: #FFFFFF; border: 1px solid #D1D5DB;")
            self.sheet_layout.addWidget(label)
            self.page_labels.append(label)
            image = self.loader.image(page)
            if image is not None:
                self._show_page(number - 1, image)
        self.scroll.verticalScrollBar().setValue(0)

    def _show_page(self, index: int, image: QImage) -> None:
        pixmap = QPixmap.fromImage(image).scaledToWidth(
            PAGE_WIDTH, Qt.TransformationMode.SmoothTransformation
        )
        label = self.page_labels[index]
        label.setPixmap(pixmap)
        label.setFixedSize(pixmap.size())

    def _arrived(self, sha: str, image: QImage) -> None:
        for index, page in enumerate(self.pages):
            if page == sha and index < len(self.page_labels):
                self._show_page(index, image)

    def _broken(self, sha: str) -> None:
        for index, page in enumerate(self.pages):
            if page == sha and index < len(self.page_labels):
                self.page_labels[index].setText(
                    self.tr("第 {n} 页暂时无法显示，请咨询工作人员").format(n=index + 1)
                )

    def clear(self) -> None:
        self.show_report(self.vehicle_id or uuid.UUID(int=0), [], "")
        self.vehicle_id = None
