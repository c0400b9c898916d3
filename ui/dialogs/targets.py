"""经营目标: the manager sets a target and a warning level for each dashboard figure.

Counts are per month (the dashboard pro-rates them to the days shown); rates are whole
percent. 0 in a box means "not set". Below, each consultant of the store gets a
monthly target (and warning level) for deals and for deal amount in yuan. The dialog
only holds the numbers; the dashboard saves them through ``dashboard.targets_save``
and, on a refusal, shows the message here with the numbers kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from db.models.org import CONSULTANT_TARGET_MAX
from showroom.services.targets import CONSULTANT_METRICS, MAX_COUNT, METRICS, RATE, Target

METRIC_NAMES = {
    "visits": QT_TRANSLATE_NOOP("TargetsDialog", "到店客流（批次/月）"),
    "test_drives": QT_TRANSLATE_NOOP("TargetsDialog", "试驾（次/月）"),
    "deposits": QT_TRANSLATE_NOOP("TargetsDialog", "意向金（笔/月）"),
    "deals": QT_TRANSLATE_NOOP("TargetsDialog", "成交（台/月）"),
    "conversion": QT_TRANSLATE_NOOP("TargetsDialog", "成交率（%）"),
    "revisit": QT_TRANSLATE_NOOP("TargetsDialog", "回访率（%）"),
    "repurchase": QT_TRANSLATE_NOOP("TargetsDialog", "复购率（%）"),
    "new_customers": QT_TRANSLATE_NOOP("TargetsDialog", "新客户（人/月）"),
    "drive_to_deal": QT_TRANSLATE_NOOP("TargetsDialog", "试驾成交率（%）"),
    "lead_in_time": QT_TRANSLATE_NOOP("TargetsDialog", "线索及时响应率（%）"),
}

Row = tuple[str, int | None, int | None]
ConsultantRow = tuple[uuid.UUID, str, int | None, int | None]


class TargetsDialog(QDialog):
    """One row per metric: target and warning level. Emits the standard accepted/rejected."""

    def __init__(
        self,
        current: dict[str, Target],
        parent: QWidget | None = None,
        consultants: Sequence[tuple[uuid.UUID, str]] = (),
        personal: dict[uuid.UUID, dict[str, Target]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("经营目标"))
        self.setMinimumWidth(640)
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
        self.personal_rows: dict[tuple[uuid.UUID, str], tuple[QSpinBox, QSpinBox]] = {}
        if consultants:
            layout.addWidget(self._consultant_section(consultants, personal or {}))
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

    def _consultant_section(
        self,
        consultants: Sequence[tuple[uuid.UUID, str]],
        personal: dict[uuid.UUID, dict[str, Target]],
    ) -> QWidget:
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 8, 0, 0)
        title = QLabel(self.tr("销售顾问个人目标（每月）"), box)
        title.setObjectName("SectionTitle")
        column.addWidget(title)
        scroll = QScrollArea(box)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        inner = QWidget(scroll)
        grid = QGridLayout(inner)
        grid.setContentsMargins(0, 0, 0, 0)
        heads = (
            self.tr("销售顾问"),
            self.tr("成交目标（台）"),
            self.tr("预警线"),
            self.tr("金额目标（元）"),
            self.tr("预警线"),
        )
        for n, text in enumerate(heads):
            grid.addWidget(QLabel(text, inner), 0, n)
        for row, (staff_id, name) in enumerate(consultants, start=1):
            grid.addWidget(QLabel(name, inner), row, 0)
            for n, metric in enumerate(CONSULTANT_METRICS):
                target, warning = QSpinBox(inner), QSpinBox(inner)
                for spin in (target, warning):
                    spin.setRange(0, CONSULTANT_TARGET_MAX[metric])
                    spin.setSpecialValueText(self.tr("不设"))
                    spin.setGroupSeparatorShown(True)
                    spin.setMinimumWidth(110)
                now = personal.get(staff_id, {}).get(metric)
                target.setValue(int(now.target) if now else 0)
                warning.setValue(int(now.warning) if now and now.warning is not None else 0)
                grid.addWidget(target, row, 1 + 2 * n)
                grid.addWidget(warning, row, 2 + 2 * n)
                self.personal_rows[(staff_id, metric)] = (target, warning)
        scroll.setWidget(inner)
        scroll.setMinimumHeight(min(300, 40 + 36 * len(consultants)))
        column.addWidget(scroll)
        return box

    def consultant_values(self) -> list[ConsultantRow]:
        """(staff id, deals or amount, target or None, warning or None) per consultant."""
        return [
            (staff_id, metric, target.value() or None, warning.value() or None)
            for (staff_id, metric), (target, warning) in self.personal_rows.items()
        ]

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
