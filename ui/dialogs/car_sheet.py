"""The car sheet (车辆信息单) for the windscreen: preview, print, PDF."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from showroom.context import AppContext
from ui.tasks import TaskRunner


class CarSheetDialog(QDialog):
    """Shows the one-page car sheet of ``vehicle_id`` and prints it or saves a PDF."""

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        vehicle_id: uuid.UUID,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.runner = runner
        self.vehicle_id = vehicle_id
        self.setWindowTitle(self.tr("车辆信息单"))
        QVBoxLayout(self)
