"""What every staff screen shares: its context, runner and user, and change handling.

A screen lists the change-bus topics it shows (``topics``). When one of them is
published, a visible screen reloads at once; a hidden one only remembers that
it is stale and reloads when it is shown again, so ten screens do not all
query the database for every save.
"""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from showroom.context import AppContext
from showroom.users import StaffUser
from ui.tasks import TaskRunner
from ui.widgets.changes import ChangeRelay

ANY_TOPIC = "*"


def topic_matches(wanted: frozenset[str], changed: frozenset[str]) -> bool:
    """``vehicles`` matches ``vehicles`` and ``vehicle:<id>``-style topics of that area."""
    if ANY_TOPIC in wanted:
        return True
    for topic in changed:
        area = topic.split(":", 1)[0]
        if topic in wanted or area in wanted or area + "s" in wanted:
            return True
    return False


class Screen(QWidget):
    """Base of the screens in ``ui/screens``. Emits no signals of its own."""

    topics: ClassVar[frozenset[str]] = frozenset()

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ScreenArea")
        self.context = context
        self.runner = runner
        self.user = user
        self._stale = False
        self._relay = ChangeRelay(context.bus, self)
        self._relay.changed.connect(self._on_changed)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(24, 20, 24, 20)
        self.body.setSpacing(14)

    def refresh(self) -> None:
        """Reload what the screen shows (in the background)."""

    def _on_changed(self, changed: frozenset[str]) -> None:
        if not topic_matches(self.topics, changed):
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh()
