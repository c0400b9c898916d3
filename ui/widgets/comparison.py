"""Comparison (车型对比): a basket of 2-4 cars and the side-by-side view."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from showroom.context import AppContext
from ui.tasks import TaskRunner

MAX_CARS = 4


class ComparisonBasket(QObject):
    """The cars chosen for comparison, in the order they were added.

    Signals: ``changed()`` after every add, remove or clear.
    """

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids: list[uuid.UUID] = []

    def add(self, vehicle_id: uuid.UUID) -> str | None:
        """Add a car; a translated reason when it cannot be added, else None."""
        if vehicle_id in self._ids:
            return self.tr("这辆车已在对比中")
        if len(self._ids) >= MAX_CARS:
            return self.tr("最多对比 %n 辆车，请先移除一辆", "", MAX_CARS)
        self._ids.append(vehicle_id)
        self.changed.emit()
        return None

    def remove(self, vehicle_id: uuid.UUID) -> None:
        if vehicle_id in self._ids:
            self._ids.remove(vehicle_id)
            self.changed.emit()

    def clear(self) -> None:
        if self._ids:
            self._ids.clear()
            self.changed.emit()

    def ids(self) -> list[uuid.UUID]:
        return list(self._ids)

    def __contains__(self, vehicle_id: object) -> bool:
        return vehicle_id in self._ids

    def len(self) -> int:
        return len(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


class ComparisonView(QWidget):
    """Side-by-side table of the basket's cars, grouped by section."""

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        basket: ComparisonBasket,
        *,
        kiosk: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.runner = runner
        self.basket = basket
        self.kiosk = kiosk
        QVBoxLayout(self)
