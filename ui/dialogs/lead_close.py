"""关闭线索: why a lead is closed. Lost (战败) with a reason from the store's list, or not a
real lead at all (空号, 重复 …) with a note. The screen runs ``lead.close``; a refusal
is shown here with what was chosen and typed kept."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.limits import with_counter

_UNCHOSEN = "__unchosen__"


class LeadCloseDialog(QDialog):
    """A lost reason (or none: an invalid lead) and a note. Emits accepted/rejected."""

    def __init__(
        self, heading: str, lost_reasons: tuple[str, ...], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("关闭线索"))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        title = QLabel(heading, self)
        title.setObjectName("CardTitle")
        title.setWordWrap(True)
        layout.addWidget(title)
        form = QFormLayout()
        self.reason_combo = QComboBox(self)
        # Nothing chosen at first: a lost reason counts on the dashboard, so it is never
        # recorded because it happened to be first in the list.
        self.reason_combo.addItem(self.tr("请选择…"), _UNCHOSEN)
        for reason in lost_reasons:
            self.reason_combo.addItem(self.tr("战败：{reason}").format(reason=reason), reason)
        self.reason_combo.addItem(self.tr("无效线索（空号、重复等，请写明）"), None)
        form.addRow(self.tr("关闭原因"), self.reason_combo)
        self.note_edit = QLineEdit(self)
        self.note_edit.setPlaceholderText(self.tr("补充说明（无效线索必填）"))
        # The limit shown while typing; a paste past it is refused on save, never cut.
        note_row, self.note_counter = with_counter(self.note_edit, "lead.closed_reason", self)
        form.addRow(self.tr("说明"), note_row)
        layout.addLayout(form)
        hint = QLabel(self.tr("关闭后线索不再出现在回访列表中。"), self)
        hint.setObjectName("HintText")
        layout.addWidget(hint)
        self.error_label = QLabel("", self)
        self.error_label.setObjectName("ErrorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("关闭线索"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        if self.reason_combo.currentData() == _UNCHOSEN:
            self.show_error(self.tr("请选择关闭原因：战败原因，或无效线索。"))
            self.reason_combo.setFocus()
            return
        super().accept()

    def lost_reason(self) -> str | None:
        value = self.reason_combo.currentData()
        return str(value) if value else None

    def note(self) -> str:
        return self.note_edit.text()

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
