"""Notices when nobody has touched the kiosk for a while.

An event filter on the kiosk's window (its ``QWindow``, through which every
touch, click, wheel and key press reaches the widgets inside) restarts a
single-shot timer. It is installed only while the kiosk is on screen, so the
staff app pays nothing for it.

Not on the whole application: a Python filter there is called for every event
of every object, and the first event of an internal Qt class (the platform's
window objects) makes PySide load all of its classes, some 50 ms on X11, right
before the kiosk's first paint.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

# Input a person makes; paints, timers and hover-free moves from the system are not activity.
_ACTIVITY = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseMove,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TouchEnd,
        QEvent.Type.KeyPress,
        QEvent.Type.Wheel,
    }
)


class IdleWatcher(QObject):
    """Emits ``idle`` once after ``timeout_ms`` without user input in ``watched``'s window.

    Signals: ``idle()``.
    """

    idle = Signal()

    def __init__(self, timeout_ms: int, watched: QWidget) -> None:
        super().__init__(watched)
        self._watched = watched
        self._target: QObject | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self.idle)
        self._installed = False

    @property
    def timeout_ms(self) -> int:
        return self._timer.interval()

    def is_active(self) -> bool:
        return self._installed

    def start(self) -> None:
        """Watch the input of the window (shown by now) and start counting."""
        if not self._installed:
            # Before the native window exists, the widget itself is the best there is.
            self._target = self._watched.window().windowHandle() or self._watched
            self._target.installEventFilter(self)
            self._installed = True
        self._timer.start()

    def stop(self) -> None:
        if self._installed and self._target is not None:
            self._target.removeEventFilter(self)
        self._installed = False
        self._target = None
        self._timer.stop()

    def poke(self) -> None:
        """Count as activity (also used by tests)."""
        if self._installed:
            self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in _ACTIVITY:
            self._timer.start()
        return False  # only watching; the event goes on to its widget
