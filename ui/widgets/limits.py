"""A field's length limit, visible while typing: ``12/20`` beside it, red when over.

The limit comes from ``showroom.fields.FIELDS``, the table the service checks, so
the form and the rule agree. Nothing is cut: a field may hold more than its limit
(a paste, say); the counter turns red (its tooltip says by how much) and the service refuses
to save with a sentence. ``QLineEdit.setMaxLength`` is not used because it drops
the end of a paste without a word.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from showroom.fields import FIELDS
from ui.style import repolish

Editable = QLineEdit | QPlainTextEdit


def _text(edit: Editable) -> str:
    return edit.text() if isinstance(edit, QLineEdit) else edit.toPlainText()


class LimitCounter(QLabel):
    """Shows ``length/limit`` of one field; ``over`` tells whether the text is too long."""

    def __init__(self, edit: Editable, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = edit
        self.limit = FIELDS[key].limit
        self.setObjectName("HintText")
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setToolTip(self.tr("最多 {n} 个字").format(n=self.limit))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("0000/0000") + 4)
        edit.textChanged.connect(self.update_count)
        self.update_count()

    @property
    def over(self) -> bool:
        return len(_text(self.edit)) > self.limit

    def update_count(self, *_args: object) -> None:
        length = len(_text(self.edit))
        self.setText(f"{length}/{self.limit}")
        if length > self.limit:
            # Red and short (forms are narrow); the tooltip and the save message say more.
            self.setToolTip(
                self.tr("超出 {extra} 字，最多 {n} 个字").format(
                    extra=length - self.limit, n=self.limit
                )
            )
            self.setObjectName("ErrorText")
        else:
            self.setToolTip(self.tr("最多 {n} 个字").format(n=self.limit))
            self.setObjectName("HintText")
        repolish(self)


def with_counter(edit: Editable, key: str, parent: QWidget) -> tuple[QBoxLayout, LimitCounter]:
    """``edit`` and its counter in one row, for a form."""
    counter = LimitCounter(edit, key, parent)
    row = QHBoxLayout()
    row.setSpacing(8)
    row.addWidget(edit, 1)
    row.addWidget(counter)
    return row, counter


def stacked_with_counter(
    edit: QPlainTextEdit, key: str, parent: QWidget
) -> tuple[QBoxLayout, LimitCounter]:
    """A multi-line field with its counter under it, on the right."""
    counter = LimitCounter(edit, key, parent)
    box = QVBoxLayout()
    box.setSpacing(2)
    box.addWidget(edit)
    box.addWidget(counter, 0, Qt.AlignmentFlag.AlignRight)
    return box, counter


def fit_text_width(edit: QLineEdit, maximum: int = 560) -> None:
    """Wide enough to show its starting text whole (a sentence, not a code), up to ``maximum``."""
    needed = edit.fontMetrics().horizontalAdvance(edit.text()) + 28  # frame and padding
    edit.setMinimumWidth(min(needed, maximum))
