"""The base of the deal and test-drive dialogs: a form, a red error line, OK/Cancel.

Each dialog collects input, calls one service through the runner and closes
only when it succeeded; a refusal is shown in red above the buttons and
everything typed stays.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from showroom.context import AppContext
from showroom.services import test_drives as td
from showroom.users import StaffUser
from ui.errors import report_failure
from ui.tasks import TaskRunner

STORE_ZONE = ZoneInfo("Asia/Shanghai")


def templates_dir(context: AppContext) -> Path:
    return context.paths.data_dir / "templates"


class ServiceDialog(QDialog):
    """A form with an error line and OK/Cancel; ``done_with(result)`` closes it.

    Signals: ``succeeded(object)`` with the service's result.
    """

    succeeded = Signal(object)

    def __init__(
        self,
        title: str,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.context = context
        self.runner = runner
        self.user = user
        self.result_value: Any = None
        self.customer: td.CustomerMatch | None = None  # see add_customer_lookup
        self.layout_ = QVBoxLayout(self)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.layout_.addLayout(self.form)
        self.error = QLabel(self)
        self.error.setObjectName("ErrorText")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("确定"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))

    def add_customer_lookup(self, label: str, prompt: str, missing: str) -> None:
        """A phone row that finds the customer in a worker; the match lands in ``customer``."""
        self._customer_missing = missing
        self.phone = QLineEdit(self)
        self.phone.setPlaceholderText(self.tr("客户手机号"))
        self.phone.editingFinished.connect(self._find_customer)
        self.customer_label = QLabel(prompt, self)
        self.form.addRow(label, self.phone)
        self.form.addRow("", self.customer_label)

    def _find_customer(self) -> None:
        text = self.phone.text()
        if text.strip():
            self.runner.read(
                lambda s: td.find_customer_by_phone(s, text), self._customer_found, self.show_error
            )

    def _customer_found(self, match: td.CustomerMatch | None) -> None:
        self.customer = match
        if match is None:
            self.customer_label.setText(self._customer_missing)
        else:
            self.error.hide()
            self.customer_label.setText(f"{match.name} · {match.phone_masked}")

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.buttons)

    def show_error(self, exc: BaseException) -> None:
        self.error.setText(report_failure(exc))
        self.error.show()
        self.ok_button.setEnabled(True)

    def show_message(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def submit(self) -> None:
        raise NotImplementedError

    def run_write(self, work: Any) -> None:
        self.error.hide()
        self.ok_button.setEnabled(False)
        self.runner.write(work, self._done, self.show_error)

    def _done(self, result: object) -> None:
        self.result_value = result
        self.succeeded.emit(result)
        self.accept()
