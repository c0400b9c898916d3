"""The car sheet (车辆信息单) for the windscreen: preview, print, PDF.

The preview paints the very pages the printer and the PDF get (``render.paint`` on a
preview printer), with "预览" in place of the number. Printing or saving takes a number
from the database, paints the sheet again with it and archives the PDF (SHA-256,
verification code) before it goes to paper or disk, like every paper of the app.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtPrintSupport import QPrinter, QPrintPreviewWidget
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from showroom.context import AppContext
from showroom.documents import vehicle_papers as vp
from showroom.documents.model import Document
from showroom.users import SYSTEM, Actor
from showroom.vehicle_links import PUBLIC, CarLinks
from ui.documents.fonts import derive_print_fonts, register_print_fonts
from ui.documents.printing import (
    a4_printer,
    issue_and_archive,
    paint_on_printer,
    print_direct,
    write_file,
)
from ui.errors import report_failure
from ui.tasks import TaskRunner
from ui.widgets.car_link import car_link_text, set_warning

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

STORE_ZONE = ZoneInfo("Asia/Shanghai")


class CarSheetDialog(QDialog):
    """Shows the one-page car sheet of ``vehicle_id`` and prints it or saves a PDF.

    Set ``actor`` to the signed-in user's actor so the archive says who printed it.
    Emits no extra signals; ``document`` is the sheet shown, ``saved_path`` the last PDF.
    """

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        vehicle_id: uuid.UUID,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.runner = runner
        self.vehicle_id = vehicle_id
        self.actor: Actor = SYSTEM
        self.document: Document | None = None
        self.saved_path: str | None = None
        # Asks whether showroom web answers (in the worker that builds the sheet).
        self._links = CarLinks.for_data_dir(context.settings, context.paths.data_dir)
        self.setWindowTitle(self.tr("车辆信息单"))
        self.resize(820, 980)

        self.printer: QPrinter = a4_printer()
        self.preview = QPrintPreviewWidget(self.printer, self)
        self.preview.setZoomMode(QPrintPreviewWidget.ZoomMode.FitInView)
        self.preview.paintRequested.connect(self._paint)
        self.status = QLabel(self.tr("正在生成信息单…"), self)
        self.status.setObjectName("HintText")
        self.status.setWordWrap(True)
        self.error = QLabel("", self)
        self.error.setObjectName("ErrorText")
        self.error.setWordWrap(True)
        self.error.hide()
        self.print_button = QPushButton(self.tr("打印…"), self)
        self.print_button.setProperty("role", "primary")
        self.pdf_button = QPushButton(self.tr("保存 PDF…"), self)
        close = QPushButton(self.tr("关闭"), self)
        for button in (self.print_button, self.pdf_button):
            button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

        self.print_button.clicked.connect(self._print)
        self.pdf_button.clicked.connect(self._ask_pdf)
        close.clicked.connect(self.reject)
        self._load()

    def _options(self) -> dict[str, object]:
        return {
            "settings": self.context.settings,
            "links": self._links,
            "templates_dir": self.context.paths.data_dir / "templates",
            "zone": STORE_ZONE,
        }

    def _load(self) -> None:
        vehicle_id, options, cache = self.vehicle_id, self._options(), self.context.paths.cache_dir

        def work(session: Session) -> tuple[Document, list[object]]:
            fonts = derive_print_fonts(cache)  # slow the first time: off the UI thread
            return vp.car_sheet(session, vehicle_id, **options), fonts  # type: ignore[arg-type]

        self.runner.read(work, self._loaded, self._failed)

    def _loaded(self, result: tuple[Document, list[object]]) -> None:
        document, fonts = result
        register_print_fonts(fonts)  # type: ignore[arg-type]
        self.document = document
        kind = document.extra.get("qr_kind", PUBLIC)
        self.status.setText(car_link_text(kind, document.extra.get("qr_url", "")))
        set_warning(self.status, kind != PUBLIC)
        for button in (self.print_button, self.pdf_button):
            button.setEnabled(True)
        self.preview.updatePreview()

    def _failed(self, exc: BaseException) -> None:
        self.error.setText(report_failure(exc))
        self.error.show()

    def _paint(self, printer: QPrinter) -> None:
        if self.document is not None:
            paint_on_printer(self.document, printer)

    def _issue(self, then: Callable[[Document, bytes], None]) -> None:
        """Take the number, paint and archive the sheet, then ``then(document, pdf)``."""
        vehicle_id, options, actor = self.vehicle_id, self._options(), self.actor
        self.error.hide()
        issue_and_archive(
            self.runner,
            lambda s: vp.issue_car_sheet(s, vehicle_id, **options),  # type: ignore[arg-type]
            lambda s, document, pdf: vp.archive_paper(s, actor, document, pdf, vehicle_id),
            then,
            self._failed,
            self.context.paths.cache_dir,
        )

    def _print(self) -> None:
        def send(document: Document, _pdf: bytes) -> None:
            self.document = document
            self.preview.updatePreview()
            if print_direct(document, self):
                self.status.setText(self.tr("已打印信息单 {number}").format(number=document.number))

        self._issue(send)

    def _ask_pdf(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("保存车辆信息单 PDF"),
            self.tr("车辆信息单.pdf"),
            self.tr("PDF 文件 (*.pdf)"),
        )
        if path:
            self.save_pdf(path)

    def save_pdf(self, path: str) -> None:
        """Issue, archive and write the sheet to ``path``."""

        def write(document: Document, pdf: bytes) -> None:
            self.document = document
            self.preview.updatePreview()
            write_file(self.runner, path, pdf, lambda: written(document), failed)

        def written(document: Document) -> None:
            self.saved_path = path
            self.status.setText(
                self.tr("信息单 {number} 已保存到 {path}").format(number=document.number, path=path)
            )

        def failed(message: str) -> None:
            self.error.setText(message)
            self.error.show()

        self._issue(write)
