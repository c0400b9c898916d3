"""经营目标: the manager sets a target and a warning level for each dashboard figure.

Counts are per month (the dashboard pro-rates them to the days shown); rates are whole
percent. 0 in a box means "not set". The dialog only holds the numbers; the dashboard
saves them through ``dashboard.targets_save`` and, on a refusal, shows the message
here with the numbers kept.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from showroom.services.targets import MAX_COUNT, METRICS, RATE, Target

METRIC_NAMES = {
    "visits": QT_TRANSLATE_NOOP("TargetsDialog", "到店客流（批次/月）"),
    "test_drives": QT_TRANSLATE_NOOP("TargetsDialog", "试驾（次/月）"),
    "deposits": QT_TRANSLATE_NOOP("TargetsDialog", "意向金（笔/月）"),
    "deals": QT_TRANSLATE_NOOP("TargetsDialog", "成交（台/月）"),
    "conversion": QT_TRANSLATE_NOOP("TargetsDialog", "成交率（%）"),
    "revisit": QT_TRANSLATE_NOOP("TargetsDialog", "回访率（%）"),
    "repurchase": QT_TRANSLATE_NOOP("TargetsDialog", "复购率（%）"),
}

Row = tuple[str, int | None, int | None]


class TargetsDialog(QDialog):
    """One row per metric: target and warning level. Emits the standard accepted/rejected."""

    def __init__(self, current: dict[str, Target], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("经营目标"))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        hint = QLabel(
            self.tr(
                "达到目标显示绿色，低于预警线显示红色，介于两者之间显示黄色。"
                "数量按月设定，看板按所选天数折算；填 0 表示不设。"
            ),
            self,
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("指标"), self), 0, 0)
        grid.addWidget(QLabel(self.tr("目标"), self), 0, 1)
        grid.addWidget(QLabel(self.tr("预警线"), self), 0, 2)
        self.rows: dict[str, tuple[QSpinBox, QSpinBox]] = {}
        for n, metric in enumerate(METRICS, start=1):
            limit = 100 if METRICS[metric] == RATE else MAX_COUNT
            target, warning = QSpinBox(self), QSpinBox(self)
            for box in (target, warning):
                box.setRange(0, limit)
                box.setSpecialValueText(self.tr("不设"))
            now = current.get(metric)
            target.setValue(int(now.target) if now else 0)
            warning.setValue(int(now.warning) if now and now.warning is not None else 0)
            grid.addWidget(
                QLabel(QCoreApplication.translate("TargetsDialog", METRIC_NAMES[metric]), self),
                n,
                0,
            )
            grid.addWidget(target, n, 1)
            grid.addWidget(warning, n, 2)
            self.rows[metric] = (target, warning)
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
        """(metric, target or None, warning or None) for every metric."""
        return [
            (metric, target.value() or None, warning.value() or None)
            for metric, (target, warning) in self.rows.items()
        ]

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
