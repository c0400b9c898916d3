"""Log a follow-up's result and, optionally, when to call next (回访登记).

The dialog only collects the text and the date; the screen runs the service and,
if it refuses (empty result, a past date), shows the message here without
closing, so nothing typed is lost.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.limits import stacked_with_counter

DEFAULT_NEXT_DAYS = 7


class FollowUpDialog(QDialog):
    """Result text and an optional next date. Emits the standard accepted/rejected."""

    def __init__(self, customer_text: str, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("登记回访结果"))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        heading = QLabel(customer_text, self)
        heading.setObjectName("CardTitle")
        layout.addWidget(heading)
        form = QFormLayout()
        self.result_edit = QPlainTextEdit(self)
        self.result_edit.setPlaceholderText(self.tr("例如：客户反馈车辆使用正常，对服务满意"))
        self.result_edit.setMinimumHeight(110)
        result_box, self.result_counter = stacked_with_counter(
            self.result_edit, "follow_up.result", self
        )
        form.addRow(self.tr("回访结果"), result_box)
        self.no_answer_check = QCheckBox(self.tr("未接通 / 客户未回复"), self)
        self.no_answer_check.setToolTip(
            self.tr("不算作一次联系；连续两次未回应会出现流失预警。结果可不填。")
        )
        form.addRow("", self.no_answer_check)
        self.next_check = QCheckBox(self.tr("安排下次回访"), self)
        form.addRow("", self.next_check)
        self.next_edit = QDateEdit(self)
        self.next_edit.setCalendarPopup(True)
        self.next_edit.setDisplayFormat("yyyy-MM-dd")
        tomorrow = today + timedelta(days=1)
        self.next_edit.setMinimumDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
        suggested = today + timedelta(days=DEFAULT_NEXT_DAYS)
        self.next_edit.setDate(QDate(suggested.year, suggested.month, suggested.day))
        self.next_edit.setEnabled(False)
        self.next_check.toggled.connect(self.next_edit.setEnabled)
        form.addRow(self.tr("下次回访日期"), self.next_edit)
        layout.addLayout(form)
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

    def result_text(self) -> str:
        return self.result_edit.toPlainText()

    def answered(self) -> bool:
        return not self.no_answer_check.isChecked()

    def next_due(self) -> date | None:
        if not self.next_check.isChecked():
            return None
        day = self.next_edit.date()
        return date(day.year(), day.month(), day.day())

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
