"""Print preview, printer and reprint, all through ``render.paint``.

The preview dialog and the printer get the very pages the PDF archive holds,
because they call the same paint routine with a ``QPrinter`` as the device.
A reprint paints the archived content as the next copy (副本), archives that
PDF too, then opens the preview for paper.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QWidget

from db.models import DocumentKind
from showroom.documents import archive
from showroom.documents.model import Document
from showroom.services.audit import Actor
from ui.documents.fonts import derive_print_fonts, register_print_fonts
from ui.documents.render import a4_layout, paint, render_pdf
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def a4_printer() -> QPrinter:
    """A high-resolution A4 printer with our own margins (for previews and paper)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(a4_layout())
    printer.setFullPage(True)  # our own margins, measured from the paper's edge
    return printer


def paint_on_printer(document: Document, printer: QPrinter) -> None:
    painter = QPainter(printer)
    try:
        paint(document, painter, printer)
    finally:
        painter.end()


def preview(document: Document, parent: QWidget | None = None) -> None:
    """The print preview; its print button sends the same pages to the chosen printer."""
    printer = a4_printer()
    printer.setDocName(f"{document.title} {document.number}")
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(
        QCoreApplication.translate("Printing", "打印预览 - {title}").format(title=document.title)
    )
    dialog.paintRequested.connect(lambda target: paint_on_printer(document, target))
    dialog.resize(900, 1000)
    dialog.exec()


def print_direct(document: Document, parent: QWidget | None = None) -> bool:
    printer = a4_printer()
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    paint_on_printer(document, printer)
    return True


def reprint(
    runner: TaskRunner,
    actor: Actor,
    kind: DocumentKind,
    number: str,
    on_ready: Callable[[Document], None],
    on_failure: Callable[[BaseException], None],
    cache_dir: Path | None = None,
) -> None:
    """Paint the next copy of an archived paper, archive it, then hand it to ``on_ready``."""

    def load(session: Session) -> tuple[archive.Reprint, list[Path]]:
        fonts = derive_print_fonts(cache_dir) if cache_dir is not None else []
        return archive.prepare_reprint(session, kind, number), fonts

    def loaded(result: tuple[archive.Reprint, list[Path]]) -> None:
        job, fonts = result
        register_print_fonts(fonts)
        pdf = render_pdf(job.document)

        def store(session: Session) -> Document:
            archive.archive(
                session,
                actor,
                job.document,
                pdf,
                store_id=job.store_id,
                subject=job.subject,
                subject_id=job.subject_id,
            )
            return job.document

        runner.write(store, on_ready, on_failure)

    runner.read(load, loaded, on_failure)


def print_original_or_copy(
    runner: TaskRunner,
    actor: Actor,
    kind: DocumentKind,
    number: str,
    prepare: Callable[[Session], Document],
    store: Callable[[Session, Document, bytes], object],
    on_original: Callable[[Document], None],
    on_copy: Callable[[Document], None],
    on_failure: Callable[[BaseException], None],
    cache_dir: Path | None = None,
) -> None:
    """The first print of paper ``number`` is its original; every later one a marked copy.

    No original archived yet: ``prepare`` the paper, paint its PDF in a worker,
    archive it (``store``), then ``on_original``. Otherwise ``reprint`` paints and
    archives the next copy and hands it to ``on_copy``. The print fonts must be
    registered (``register_print_fonts``) before the first call: the worker paints.
    """

    def load(session: Session) -> Document | None:
        if archive.find_original(session, kind, number):
            return None
        return prepare(session)

    def loaded(document: Document | None) -> None:
        if document is None:
            reprint(runner, actor, kind, number, on_copy, on_failure, cache_dir)
            return
        runner.call(lambda: render_pdf(document), lambda pdf: rendered(document, pdf), on_failure)

    def rendered(document: Document, pdf: bytes) -> None:
        runner.write(
            lambda s: store(s, document, pdf), lambda _stored: on_original(document), on_failure
        )

    runner.read(load, loaded, on_failure)


def issue_and_archive(
    runner: TaskRunner,
    issue: Callable[[Session], Document],
    store: Callable[[Session, Document, bytes], object],
    then: Callable[[Document, bytes], None],
    on_failure: Callable[[BaseException], None],
    cache_dir: Path | None = None,
) -> None:
    """Take a number (``issue``), paint the PDF in a worker, archive it (``store``), then ``then``.

    The print fonts are derived with the issue and registered on the UI thread
    before the worker paints, so the PDF's text stays searchable.
    """

    def issued(session: Session) -> tuple[Document, list[Path]]:
        fonts = derive_print_fonts(cache_dir) if cache_dir is not None else []
        return issue(session), fonts

    def built(result: tuple[Document, list[Path]]) -> None:
        document, fonts = result
        register_print_fonts(fonts)
        runner.call(lambda: render_pdf(document), lambda pdf: rendered(document, pdf), on_failure)

    def rendered(document: Document, pdf: bytes) -> None:
        runner.write(
            lambda s: store(s, document, pdf), lambda _stored: then(document, pdf), on_failure
        )

    runner.write(issued, built, on_failure)


def write_file(
    runner: TaskRunner,
    path: str | Path,
    data: bytes,
    on_written: Callable[[], None],
    on_failure: Callable[[str], None],
) -> None:
    """Write ``data`` to ``path`` in a worker; a refusal (disk full, no rights) is a sentence."""

    def write() -> None:
        Path(path).write_bytes(data)

    def failed(exc: BaseException) -> None:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        on_failure(
            QCoreApplication.translate("Printing", "无法保存到 {path}：{reason}").format(
                path=path, reason=reason
            )
        )

    runner.call(write, lambda _none: on_written(), failed)
