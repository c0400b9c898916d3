"""战败原因: the manager edits the store's list of why deals are lost, one per line.

The dialog only holds the text; the screen saves it through ``lost_reason.save`` and,
on a refusal (a line too long, a repeat), shows the message here with the text kept.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


class LostReasonsDialog(QDialog):
    """One reason per line, in the order staff see them. Emits the standard accepted/rejected."""

    def __init__(self, reasons: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("战败原因"))
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        hint = QLabel(
            self.tr("每行一项，按显示顺序排列。删去的原因不再供选择，已记录的不受影响。"),
            self,
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.edit = QPlainTextEdit(self)
        self.edit.setPlainText("\n".join(reasons))
        self.edit.setMinimumHeight(220)
        layout.addWidget(self.edit)
        self.error_label = QLabel("", self)
        self.error_label.setObjectName("ErrorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("保存"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def labels(self) -> list[str]:
        return self.edit.toPlainText().splitlines()

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
