"""The change bus: writes announce what they changed; screens refresh what they show.

Topics are short strings such as ``"visits"`` or ``"vehicle:<uuid>"``. The UI
bridges this to a Qt signal on the main thread; database notifications and the
SQLite poll publish on the same bus, so a screen does not care where a change
came from. Thread-safe, no Qt.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

log = logging.getLogger("showroom.changes")

Listener = Callable[[frozenset[str]], None]


class ChangeBus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Register ``listener``; return a function that unsubscribes it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def publish(self, topics: Iterable[str]) -> None:
        changed = frozenset(topics)
        if not changed:
            return
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(changed)
            except Exception:  # one broken screen must not stop the others refreshing
                log.exception("change listener failed")
