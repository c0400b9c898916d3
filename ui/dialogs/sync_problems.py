"""待同步与同步问题: what this PC keeps in its outbox, and what the database refused.

Opened from the status bar. Pending operations wait for the connection and go
by themselves when it is back; 立即同步 tries the server at once. A
problem (the service refused it on replay, e.g. the drive was already returned
on another PC) stays listed until someone retries it (after fixing the cause)
or discards it with a reason. Nothing disappears on its own.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db.sync.outbox import Operation
from showroom.sync.service import SyncService
from ui.errors import report_failure
from ui.tasks import TaskRunner
from ui.widgets.reception_labels import local_time

KIND_LABELS = {
    "customer.create": QT_TRANSLATE_NOOP("SyncProblems", "新建客户"),
    "visit.check_in": QT_TRANSLATE_NOOP("SyncProblems", "到店登记"),
    "test_drive.return": QT_TRANSLATE_NOOP("SyncProblems", "试驾还车"),
    "follow_up.complete": QT_TRANSLATE_NOOP("SyncProblems", "回访记录"),
    "inspection.set_item": QT_TRANSLATE_NOOP("SyncProblems", "检测项目"),
    "inspection.add_photo": QT_TRANSLATE_NOOP("SyncProblems", "检测照片"),
    "inspection.set_structural": QT_TRANSLATE_NOOP("SyncProblems", "结构性检查"),
    "inspection.set_valuation": QT_TRANSLATE_NOOP("SyncProblems", "检测估价"),
    "auth.sign_in_offline": QT_TRANSLATE_NOOP("SyncProblems", "离线登录"),
    "auth.sign_in_offline_failed": QT_TRANSLATE_NOOP("SyncProblems", "离线登录失败"),
}
STATUS_LABELS = {
    "pending": QT_TRANSLATE_NOOP("SyncProblems", "待同步"),
    "problem": QT_TRANSLATE_NOOP("SyncProblems", "同步问题"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("SyncProblems", text)


class SyncProblemsDialog(QDialog):
    """The outbox and its problems. Emits no signals of its own."""

    def __init__(
        self, service: SyncService, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.runner = runner
        self.setWindowTitle(self.tr("待同步与同步问题"))
        self.resize(820, 420)
        self._rows: list[Operation] = []
        layout = QVBoxLayout(self)
        self.summary = QLabel("", self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels(
            [self.tr("状态"), self.tr("操作"), self.tr("记录时间"), self.tr("说明")]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.sync_button = QPushButton(self.tr("立即同步"), self)
        self.retry_button = QPushButton(self.tr("重试"), self)
        self.discard_button = QPushButton(self.tr("放弃此条…"), self)
        self.sync_button.clicked.connect(self.sync_now)
        self.retry_button.clicked.connect(self.retry)
        self.discard_button.clicked.connect(self.discard)
        for button in (self.sync_button, self.retry_button, self.discard_button):
            row.addWidget(button)
        row.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        row.addWidget(buttons)
        layout.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        self.runner.call(
            lambda: self.service.outbox.pending() + self.service.problems(),
            self._show,
            self._fail,
        )

    def _show(self, rows: list[Operation]) -> None:
        self._rows = rows
        self.table.setRowCount(len(rows))
        for r, op in enumerate(rows):
            detail = op.message if op.status == "problem" else self.tr("网络恢复后自动同步")
            cells = [
                _tr(STATUS_LABELS.get(op.status, op.status)),
                _tr(KIND_LABELS[op.kind]) if op.kind in KIND_LABELS else op.kind,
                local_time(op.created_at, "%m-%d %H:%M"),
                detail,
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if op.status == "problem":
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        pending = sum(1 for op in rows if op.status == "pending")
        problems = len(rows) - pending
        if not rows:
            self.summary.setText(self.tr("没有待同步的记录，也没有同步问题。"))
        else:
            self.summary.setText(
                self.tr(
                    "{p} 条待同步，{q} 个同步问题。"
                    "同步问题需要有人处理：核对后重试，或写明原因后放弃。"
                ).format(p=pending, q=problems)
            )
        self._update_buttons()

    def _selected(self) -> Operation | None:
        rows = self.table.selectionModel().selectedRows()
        return self._rows[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        op = self._selected()
        self.retry_button.setEnabled(op is not None and op.status == "problem")
        self.discard_button.setEnabled(op is not None and op.status == "problem")
        # Always offered while anything waits: it tries the server itself, so a status
        # that still says 离线 never stands between staff and a sync that would work.
        self.sync_button.setEnabled(bool(self._rows))

    def sync_now(self) -> None:
        self.sync_button.setEnabled(False)
        self.runner.call(self.service.sync_now, self._synced, self._fail)

    def _synced(self, report: object) -> None:
        if getattr(report, "stopped_offline", False):
            self.summary.setText(
                self.tr("仍然无法连接共享数据库，记录继续保存在本机，恢复连接后自动同步。")
            )
            self.runner.call(
                lambda: self.service.outbox.pending() + self.service.problems(),
                self._show_keeping_summary,
                self._fail,
            )
            return
        self.refresh()

    def _show_keeping_summary(self, rows: list[Operation]) -> None:
        summary = self.summary.text()
        self._show(rows)
        self.summary.setText(summary)

    def retry(self) -> None:
        op = self._selected()
        if op is not None:
            self.runner.call(
                lambda: self.service.retry(op.id), lambda _r: self.sync_now(), self._fail
            )

    def discard(self) -> None:
        op = self._selected()
        if op is None:
            return
        reason, ok = QInputDialog.getText(
            self, self.tr("放弃此条"), self.tr("为什么放弃这条记录？（会保留在记录中）")
        )
        if not ok or not reason.strip():
            return
        self.runner.call(
            lambda: self.service.discard(op.id, reason.strip()),
            lambda _r: self.refresh(),
            self._fail,
        )

    def _fail(self, exc: BaseException) -> None:
        self.summary.setText(report_failure(exc))
