"""Import inventory from a CSV file: pick, preview, import with progress, summary."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from showroom.context import AppContext
from ui.tasks import TaskRunner


class VehicleImportDialog(QDialog):
    """Staff import of a listing export (e.g. che168) with a preview and a report."""

    def __init__(
        self, context: AppContext, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.runner = runner
        self.setWindowTitle(self.tr("导入车辆"))
        QVBoxLayout(self)
