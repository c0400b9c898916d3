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
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.limits import stacked_with_counter

DEFAULT_NEXT_DAYS = 7


class FollowUpDialog(QDialog):
    """Result text and an optional next date. Emits the standard accepted/rejected."""

    def __init__(
        self,
        customer_text: str,
        today: date,
        parent: QWidget | None = None,
        *,
        after_sale: bool = False,
        lost_reasons: tuple[str, ...] = (),
    ) -> None:
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
        # After a sale: how satisfied the customer is. Before: whether the deal is lost.
        self.satisfaction_combo = QComboBox(self)
        self.satisfaction_combo.addItem(self.tr("（不评分）"), None)
        for score in range(5, 0, -1):
            self.satisfaction_combo.addItem(
                self.tr("{n} 分 {stars}").format(n=score, stars="★" * score), score
            )
        self.comment_edit = QLineEdit(self)
        self.comment_edit.setPlaceholderText(self.tr("客户的评价（可不填）"))
        self.lost_combo = QComboBox(self)
        self.lost_combo.addItem(self.tr("未战败，继续跟进"), None)
        for reason in lost_reasons:
            self.lost_combo.addItem(reason, reason)
        if after_sale:
            form.addRow(self.tr("满意度"), self.satisfaction_combo)
            form.addRow(self.tr("客户评价"), self.comment_edit)
            self.lost_combo.hide()
        else:
            form.addRow(self.tr("战败原因"), self.lost_combo)
            self.satisfaction_combo.hide()
            self.comment_edit.hide()
        self.lost_combo.currentIndexChanged.connect(self._on_lost)
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

    def _on_lost(self) -> None:
        lost = self.lost_reason() is not None
        self.next_check.setEnabled(not lost)  # a lost deal is not called again
        if lost:
            self.next_check.setChecked(False)

    def lost_reason(self) -> str | None:
        return self.lost_combo.currentData() if self.lost_combo.isVisibleTo(self) else None

    def satisfaction(self) -> int | None:
        if not self.satisfaction_combo.isVisibleTo(self):
            return None
        score = self.satisfaction_combo.currentData()
        return int(score) if score is not None else None

    def satisfaction_comment(self) -> str:
        return self.comment_edit.text() if self.comment_edit.isVisibleTo(self) else ""

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
