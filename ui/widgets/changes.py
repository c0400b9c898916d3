"""Bridge from the thread-safe ``ChangeBus`` to a Qt signal on the UI thread.

Database notifications, the SQLite poll and background writes may publish from
any thread; widgets must only be touched from the UI thread. A ``ChangeRelay``
lives on the UI thread, so emitting its signal from a worker is delivered
queued, on the UI thread. Each screen owns one relay; when the screen is
destroyed the relay unsubscribes itself, so a closed screen never hears again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from shiboken6 import isValid

from showroom.changes import ChangeBus


class ChangeRelay(QObject):
    """Re-emits bus publications on the UI thread.

    Signals: ``changed(object)`` with the ``frozenset[str]`` of topics that changed.
    """

    changed = Signal(object)

    def __init__(self, bus: ChangeBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe: Callable[[], None] = bus.subscribe(self._forward)
        # A plain function, not a method: it must still run while this object is destroyed.
        self.destroyed.connect(self._unsubscribe)

    def _forward(self, topics: frozenset[str]) -> None:
        if isValid(self):
            self.changed.emit(topics)

    def close(self) -> None:
        """Stop listening now (also happens automatically on destruction)."""
        self._unsubscribe()
