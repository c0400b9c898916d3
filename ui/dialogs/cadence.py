"""回访节奏: the manager sets, per intent grade, when the first follow-up falls and how often
the next ones come.

The dialog only holds the numbers; the screen saves them through the operation
``follow_up.cadence_save`` and, on a refusal, shows the message here with what was
typed still in place.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from db.enums import IntentGrade
from showroom.services.cadence import MAX_DAYS, VIP_TAG, CadenceRule

GRADE_HINTS = {
    IntentGrade.A: QT_TRANSLATE_NOOP("CadenceDialog", "A 级（热，7 天内可成交）"),
    IntentGrade.B: QT_TRANSLATE_NOOP("CadenceDialog", "B 级（温）"),
    IntentGrade.C: QT_TRANSLATE_NOOP("CadenceDialog", "C 级（冷）"),
    IntentGrade.D: QT_TRANSLATE_NOOP("CadenceDialog", "D 级（无意向）"),
}

Row = tuple[IntentGrade, int | None, int | None]


class CadenceDialog(QDialog):
    """One row per grade: automatic or not, first after N days, then every N days.

    Emits the standard accepted/rejected."""

    def __init__(self, rules: dict[IntentGrade, CadenceRule], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("回访节奏"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "客户离店、试驾还车、来了新线索或调整意向等级时，按等级自动安排下一次回访。"
                "已安排的回访日期不变。标签为“{tag}”的客户由顾问手动安排。"
            ).format(tag=VIP_TAG),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("意向等级"), self), 0, 0)
        grid.addWidget(QLabel(self.tr("自动回访"), self), 0, 1)
        grid.addWidget(QLabel(self.tr("首次回访（天后）"), self), 0, 2)
        grid.addWidget(QLabel(self.tr("之后每隔（天）"), self), 0, 3)
        self.rows: dict[IntentGrade, tuple[QCheckBox, QSpinBox, QSpinBox]] = {}
        for n, grade in enumerate(IntentGrade, start=1):
            rule = rules[grade]
            name = QLabel(QCoreApplication.translate("CadenceDialog", GRADE_HINTS[grade]), self)
            active = QCheckBox(self)
            active.setChecked(rule.first_days is not None)
            first = QSpinBox(self)
            first.setRange(1, MAX_DAYS)
            first.setValue(rule.first_days or 7)
            repeat = QSpinBox(self)
            repeat.setRange(0, MAX_DAYS)
            repeat.setSpecialValueText(self.tr("不重复"))
            repeat.setValue(rule.repeat_days or 0)
            for spin in (first, repeat):
                spin.setEnabled(active.isChecked())
                active.toggled.connect(spin.setEnabled)
            grid.addWidget(name, n, 0)
            grid.addWidget(active, n, 1)
            grid.addWidget(first, n, 2)
            grid.addWidget(repeat, n, 3)
            self.rows[grade] = (active, first, repeat)
        layout.addLayout(grid)
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

    def values(self) -> list[Row]:
        """(grade, first days or None for none, repeat days or None) per grade."""
        result: list[Row] = []
        for grade, (active, first, repeat) in self.rows.items():
            if not active.isChecked():
                result.append((grade, None, None))
            else:
                result.append((grade, first.value(), repeat.value() or None))
        return result

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
