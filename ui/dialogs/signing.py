"""The base of the dialogs a customer signs on screen (试驾协议, 合同).

The paper text on top, two signature pads (customer and consultant) with
undo/clear below. On OK the drawn signatures go into the papers, the PDFs are
painted in a worker (fonts registered when the dialog opened) and only then
is the signed set stored; the dialog closes when the service succeeded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from showroom.context import AppContext
from showroom.documents.model import Document
from showroom.services.test_drives import DrawnSignature
from showroom.users import StaffUser
from ui.dialogs.service import ServiceDialog
from ui.documents.fonts import derive_print_fonts, register_print_fonts
from ui.tasks import TaskRunner
from ui.widgets.signature_pad import SignaturePad

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class SigningDialog(ServiceDialog):
    """A ``ServiceDialog`` with the customer's and the consultant's signature pads."""

    def __init__(
        self,
        title: str,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, context, runner, user, parent)
        # The clean-text print font is derived once per installation, off the UI thread.
        cache = context.paths.cache_dir
        runner.call(lambda: derive_print_fonts(cache), register_print_fonts, self.show_error)

    def add_signature_pads(self, customer: tuple[str, str], consultant: tuple[str, str]) -> None:
        """Two pads side by side; each pair is (title above the pad, prompt inside it)."""
        pads = QGridLayout()
        self.customer_pad = SignaturePad(customer[1], self)
        self.consultant_pad = SignaturePad(consultant[1], self)
        for column, (title, pad) in enumerate(
            ((customer[0], self.customer_pad), (consultant[0], self.consultant_pad))
        ):
            pads.addWidget(QLabel(title, self), 0, column)
            pads.addWidget(pad, 1, column)
            tools = QHBoxLayout()
            undo = QPushButton(self.tr("撤销一笔"), self)
            undo.clicked.connect(pad.undo)
            clear = QPushButton(self.tr("清除"), self)
            clear.clicked.connect(pad.clear)
            tools.addWidget(undo)
            tools.addWidget(clear)
            tools.addStretch(1)
            pads.addLayout(tools, 2, column)
        self.layout_.addLayout(pads)

    def signatures(self) -> tuple[DrawnSignature, DrawnSignature]:
        """(customer, consultant) as drawn."""
        return (
            DrawnSignature(self.customer_pad.strokes(), self.customer_pad.to_png()),
            DrawnSignature(self.consultant_pad.strokes(), self.consultant_pad.to_png()),
        )

    def render_then_store(
        self,
        papers: Sequence[Document],
        store: Callable[[Session, list[bytes]], Any],
    ) -> None:
        """Paint ``papers`` to PDF in a worker, then ``store(session, pdfs)`` as the write."""
        from ui.documents.render import render_pdf

        self.error.hide()
        self.ok_button.setEnabled(False)  # no second submit while the PDFs are painted
        papers = list(papers)
        self.runner.call(
            lambda: [render_pdf(paper) for paper in papers],
            lambda pdfs: self.run_write(lambda s: store(s, pdfs)),
            self.show_error,
        )
