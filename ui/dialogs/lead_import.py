"""导入平台线索: a listing platform's CSV export, checked first, then imported.

检查 runs the import's rules without writing and lists every row with its
outcome (新增 / 合并 / 无变化 / 拒绝 and why); 导入 writes it and saves a report
CSV (numbers masked) in the data folder. Both run off the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.services import lead_import
from showroom.users import StaffUser
from ui.errors import report_failure
from ui.tasks import TaskRunner
from ui.widgets.tables import Index, RowListModel, make_table, set_column_widths

Clock = Callable[[], datetime]
REJECTED_COLOUR = QColor("#c62828")
_OUTCOMES = {
    lead_import.CREATED: "新增",
    lead_import.MERGED: "合并",
    lead_import.UNCHANGED: "无变化",
    lead_import.REJECTED: "拒绝",
}


class OutcomeModel(RowListModel):
    """Every row of the file: 行号, 结果, 客户 (masked), 说明."""

    def headers(self) -> Sequence[str]:
        return (self.tr("行号"), self.tr("结果"), self.tr("客户"), self.tr("说明"))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row: lead_import.LeadRowOutcome | None = self.row_at(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (str(row.line), self.tr(_OUTCOMES[row.outcome]), row.who, row.reason)[column]
        rejected = row.outcome == lead_import.REJECTED
        if role == Qt.ItemDataRole.ForegroundRole and rejected and column in (1, 3):
            return QBrush(REJECTED_COLOUR)
        return None


class LeadImportDialog(QDialog):
    """Signals: ``imported(object)`` with the ``LeadImportResult`` of a real import."""

    imported = Signal(object)

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        *,
        clock: Clock | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("导入平台线索"))
        self.resize(900, 600)
        self.context, self.runner, self.user = context, runner, user
        self._clock = clock or (lambda: utcnow())

        self.path_edit = QLineEdit(self)
        self.path_edit.setPlaceholderText(self.tr("平台后台导出的线索 CSV 文件"))
        browse = QPushButton(self.tr("选择文件…"), self)
        browse.clicked.connect(self.browse)
        self.platform_combo = QComboBox(self)
        self.platform_combo.setEditable(True)
        self.platform_combo.addItems(["懂车帝", "瓜子二手车", "二手车之家", "58同城", "抖音"])
        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("文件"), self), 0, 0)
        grid.addWidget(self.path_edit, 0, 1)
        grid.addWidget(browse, 0, 2)
        grid.addWidget(QLabel(self.tr("平台"), self), 1, 0)
        grid.addWidget(self.platform_combo, 1, 1)
        grid.setColumnStretch(1, 1)
        hint = QLabel(
            self.tr(
                "按表头识别：手机号/电话、姓名、提交时间、线索编号、意向车源、留言、负责顾问。"
                "同一号码已有未处理线索的，本次咨询记在原线索上；导入过的线索编号不会重复导入。"
            ),
            self,
        )
        hint.setObjectName("HintText")
        hint.setWordWrap(True)

        self.model = OutcomeModel(self)
        self.table = make_table(self)
        self.table.setModel(self.model)
        set_column_widths(self.table, {0: 60, 1: 80, 2: 180}, stretch=3)
        self.summary = QLabel("", self)
        self.summary.setWordWrap(True)
        self.check_button = QPushButton(self.tr("检查（不写入）"), self)
        self.check_button.clicked.connect(self.check)
        self.import_button = QPushButton(self.tr("导入"), self)
        self.import_button.setProperty("role", "primary")
        self.import_button.clicked.connect(self.run_import)
        close = QPushButton(self.tr("关闭"), self)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addLayout(grid)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("选择线索文件"), "", self.tr("CSV 文件 (*.csv)")
        )
        if path:
            self.path_edit.setText(path)

    def _path(self) -> Path | None:
        text = self.path_edit.text().strip()
        if not text:
            self._say(self.tr("请先选择要导入的文件。"), error=True)
            return None
        return Path(text)

    def check(self) -> None:
        self._run(dry_run=True)

    def run_import(self) -> None:
        self._run(dry_run=False)

    def _run(self, *, dry_run: bool) -> None:
        path = self._path()
        if path is None:
            return
        user, platform, now = self.user, self.platform_combo.currentText(), self._clock()
        hours = self.context.settings["lead_response_hours"]
        data_dir = self.context.paths.data_dir

        def work(session: Session) -> lead_import.LeadImportResult:
            result = lead_import.import_leads(
                session,
                user,
                path,
                platform=platform,
                response_hours=hours,
                now=now,
                dry_run=dry_run,
            )
            if not dry_run:
                lead_import.write_report(
                    result, lead_import.default_report_path(data_dir, path, now)
                )
            return result

        self.check_button.setEnabled(False)
        self.import_button.setEnabled(False)
        self._say(self.tr("正在检查…") if dry_run else self.tr("正在导入…"), error=False)
        self.runner.write(work, self._done, self._failed)

    def _done(self, result: lead_import.LeadImportResult) -> None:
        self.check_button.setEnabled(True)
        self.import_button.setEnabled(True)
        self.model.set_rows(result.outcomes)
        counts = {
            "total": result.total,
            "created": result.count(lead_import.CREATED),
            "merged": result.count(lead_import.MERGED),
            "unchanged": result.count(lead_import.UNCHANGED),
            "rejected": result.count(lead_import.REJECTED),
        }
        if result.dry_run:
            text = self.tr(
                "检查结果：共 {total} 行，将新增 {created}，将合并 {merged}，"
                "无变化 {unchanged}，拒绝 {rejected}（尚未写入）"
            ).format(**counts)
        else:
            text = self.tr(
                "已导入：共 {total} 行，新增 {created}，合并 {merged}，"
                "无变化 {unchanged}，拒绝 {rejected}"
            ).format(**counts)
        if result.report_path is not None:
            text += self.tr("。报告已保存：{path}").format(path=result.report_path)
            self.imported.emit(result)
        self._say(text, error=result.count(lead_import.REJECTED) > 0)

    def _failed(self, exc: BaseException) -> None:
        self.check_button.setEnabled(True)
        self.import_button.setEnabled(True)
        self._say(report_failure(exc), error=True)

    def _say(self, text: str, *, error: bool) -> None:
        from ui.style import repolish

        self.summary.setObjectName("ErrorText" if error else "SuccessText")
        repolish(self.summary)
        self.summary.setText(text)
