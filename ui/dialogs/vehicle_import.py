"""Import inventory from a CSV file: pick, preview, import with progress, summary.

Reading the file for the preview and the import itself run off the UI thread
(``TaskRunner.call`` / ``write``); the import reports progress through a signal, so
the bar moves while 100,000 rows go in. Every row ends up imported or in the report
with its line and reason; the dialog ends with the counts and where the report is.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from showroom.context import AppContext
from showroom.money import format_yuan
from showroom.services import vehicle_import as vi
from showroom.users import SYSTEM, Actor
from ui.errors import report_failure
from ui.tasks import TaskRunner
from ui.widgets.tables import Index, RowListModel, make_table, set_column_widths

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session

PREVIEW_ROWS = 50
REJECTED_COLOUR = QColor("#c62828")


class PreviewModel(RowListModel):
    """The first rows as they would import: 行号, 结果, 车辆, 售价, 里程, 原因."""

    def headers(self) -> Sequence[str]:
        return (
            self.tr("行号"),
            self.tr("结果"),
            self.tr("车辆"),
            self.tr("售价"),
            self.tr("里程"),
            self.tr("原因"),
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row: vi.PreviewRow | None = self.row_at(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return str(row.line)
            if column == 1:
                return self.tr("可导入") if row.accepted else self.tr("拒绝")
            if column == 2:
                return row.title
            if column == 3:
                return format_yuan(row.price) if row.price is not None else ""
            if column == 4:
                return (
                    self.tr("{km} 公里").format(km=f"{row.mileage_km:,}")
                    if row.mileage_km is not None
                    else ""
                )
            return row.reason
        if role == Qt.ItemDataRole.ForegroundRole and not row.accepted and column in (1, 5):
            return QBrush(REJECTED_COLOUR)
        return None


class _Progress(QObject):
    """Carries the import's progress from the worker thread to the bar (queued)."""

    moved = Signal(int, int)


class VehicleImportDialog(QDialog):
    """Staff import of a listing export (e.g. che168) with a preview and a report.

    Set ``actor`` to the signed-in user's actor for the audit entry. Signals:
    ``imported(object)`` with the ``ImportResult`` after a real (not dry) run.
    """

    imported = Signal(object)

    def __init__(
        self, context: AppContext, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.runner = runner
        self.actor: Actor = SYSTEM
        self.result: vi.ImportResult | None = None
        self.setWindowTitle(self.tr("导入车辆"))
        self.resize(1000, 680)

        self.path_edit = QLineEdit(self)
        self.path_edit.setPlaceholderText(self.tr("选择要导入的 CSV 文件"))
        browse = QPushButton(self.tr("选择文件…"), self)
        self.preset_box = QComboBox(self)
        self.preset_box.addItem(self.tr("按表头自动识别"), None)
        self.preset_box.addItem(self.tr("车之家 che168 导出（万公里、万元）"), "che168")
        self.preset_box.addItem(self.tr("本店模板（公里、元）"), "showroom")
        self.dry_run = QCheckBox(self.tr("只检查，不写入（试运行）"), self)

        form = QGridLayout()
        form.addWidget(QLabel(self.tr("文件"), self), 0, 0)
        form.addWidget(self.path_edit, 0, 1)
        form.addWidget(browse, 0, 2)
        form.addWidget(QLabel(self.tr("列映射"), self), 1, 0)
        form.addWidget(self.preset_box, 1, 1)
        form.addWidget(self.dry_run, 1, 2)
        form.setColumnStretch(1, 1)

        self.preview_label = QLabel(
            self.tr("选择文件后，这里显示前 %n 行的检查结果。", "", PREVIEW_ROWS), self
        )
        self.preview_label.setObjectName("HintText")
        self.preview_label.setWordWrap(True)
        self.model = PreviewModel(self)
        self.table: QTableView = make_table(self)
        self.table.setModel(self.model)
        set_column_widths(self.table, {0: 60, 1: 70, 2: 300, 3: 120, 4: 110}, stretch=5)

        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.hide()
        self.error = QLabel("", self)
        self.error.setObjectName("ErrorText")
        self.error.setWordWrap(True)
        self.error.hide()
        self.summary = QLabel("", self)
        self.summary.setObjectName("SuccessText")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.hide()

        self.import_button = QPushButton(self.tr("开始导入"), self)
        self.import_button.setProperty("role", "primary")
        self.import_button.setEnabled(False)
        self.close_button = QPushButton(self.tr("关闭"), self)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.error)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)

        self._progress = _Progress(self)
        self._progress.moved.connect(self._moved)
        browse.clicked.connect(self._browse)
        self.path_edit.editingFinished.connect(self.load_preview)
        self.preset_box.currentIndexChanged.connect(self.load_preview)
        self.dry_run.toggled.connect(self._update_button)
        self.import_button.clicked.connect(self.start_import)
        self.close_button.clicked.connect(self.reject)

    # --- choosing and previewing -----------------------------------------------------------

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("选择要导入的 CSV 文件"), "", self.tr("CSV 文件 (*.csv);;所有文件 (*)")
        )
        if path:
            self.set_file(path)

    def set_file(self, path: str) -> None:
        self.path_edit.setText(path)
        self.load_preview()

    def _path(self) -> Path | None:
        text = self.path_edit.text().strip()
        return Path(text) if text else None

    def load_preview(self) -> None:
        path = self._path()
        self._show_error("")
        self.summary.hide()
        self.model.set_rows(())
        self.import_button.setEnabled(False)
        if path is None:
            return
        preset = self.preset_box.currentData()
        self.preview_label.setText(self.tr("正在读取文件…"))
        self.runner.call(
            lambda: vi.read_preview(path, preset, PREVIEW_ROWS),
            self._previewed,
            self._preview_failed,
        )

    def _previewed(self, result: tuple[str, int, list[vi.PreviewRow]]) -> None:
        preset, total, rows = result
        self.model.set_rows(rows)
        rejected = sum(1 for r in rows if not r.accepted)
        name = vi.PRESETS[preset].name
        self.preview_label.setText(
            self.tr(
                "列映射：{preset} · 共 {total} 行数据 · "
                "预览前 {shown} 行，其中 {rejected} 行将被拒绝"
            ).format(preset=name, total=total, shown=len(rows), rejected=rejected)
        )
        self._update_button()

    def _preview_failed(self, exc: BaseException) -> None:
        self.preview_label.setText("")
        self._show_error(report_failure(exc))

    def _update_button(self) -> None:
        ready = self.model.rowCount() > 0
        self.import_button.setEnabled(ready)
        self.import_button.setText(
            self.tr("开始检查") if self.dry_run.isChecked() else self.tr("开始导入")
        )

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    # --- importing -------------------------------------------------------------------------

    def start_import(self) -> None:
        path = self._path()
        if path is None:
            return
        preset, dry = self.preset_box.currentData(), self.dry_run.isChecked()
        store_code, actor = self.context.settings["store_code"], self.actor
        report = vi.default_report_path(self.context.paths.data_dir, path)
        progress = self._progress

        def work(session: Session) -> vi.ImportResult:
            return vi.import_file(
                session,
                path,
                store_code=store_code,
                actor=actor,
                preset=preset,
                dry_run=dry,
                report_path=report,
                progress=progress.moved.emit,
            )

        self._show_error("")
        self.summary.hide()
        self.progress.setRange(0, 0)  # busy until the first figure arrives
        self.progress.show()
        for widget in (self.import_button, self.close_button, self.preset_box, self.path_edit):
            widget.setEnabled(False)
        self.runner.write(work, self._done, self._failed)

    def _moved(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    def _finish(self) -> None:
        for widget in (self.close_button, self.preset_box, self.path_edit):
            widget.setEnabled(True)
        self._update_button()

    def _done(self, result: vi.ImportResult) -> None:
        self.result = result
        self._finish()
        self.progress.setRange(0, max(1, result.total))
        self.progress.setValue(result.total)
        head = self.tr("检查完成（未写入）") if result.dry_run else self.tr("导入完成")
        self.summary.setText(
            self.tr(
                "{head}：共 {total} 行，新增 {created}，更新 {updated}，无变化 {unchanged}，"
                "拒绝 {rejected}。\n每一行的结果和拒绝原因见报告：{report}"
            ).format(
                head=head,
                total=result.total,
                created=result.created,
                updated=result.updated,
                unchanged=result.unchanged,
                rejected=result.rejected,
                report=result.report_path,
            )
        )
        self.summary.show()
        if not result.dry_run:
            self.context.bus.publish({"vehicles"})
            self.imported.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        self.progress.hide()
        self._show_error(report_failure(exc))
