"""The permanent status bar pieces: database kind, online dot, signed-in user.

``ConnectionMonitor`` asks the database a trivial question every few seconds
in a worker (never on the UI thread: a dead server can take seconds to time
out) and reports changes of the online state. With sync running, the feed
watcher's heartbeat reports it instead, through ``SyncRelay``, together with
the outbox: 在线 / 离线 · n 条待同步 / 同步中 / n 个同步问题.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from ui.style import PALETTE
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from datetime import datetime

    from showroom.sync.service import SyncService, SyncState

log = logging.getLogger("showroom.ui")

CHECK_INTERVAL_MS = 10_000


class ConnectionMonitor(QObject):
    """Periodic, cheap check that the database answers.

    Signals: ``onlineChanged(bool)`` whenever the answer differs from the last one
    (and once after the first check).
    """

    onlineChanged = Signal(bool)  # noqa: N815 - Qt's signal naming

    def __init__(
        self,
        runner: TaskRunner,
        parent: QObject | None = None,
        interval_ms: int = CHECK_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._online: bool | None = None
        self._busy = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check_now)

    @property
    def online(self) -> bool | None:
        return self._online

    def start(self) -> None:
        self._timer.start()
        self.check_now()

    def stop(self) -> None:
        self._timer.stop()

    def check_now(self) -> None:
        if self._busy or self._runner.database is None:
            return  # the previous check is still waiting for a slow server
        self._busy = True
        from showroom.services.overview import ping

        self._runner.read(ping, self._on_answer, self._on_error)

    def _on_answer(self, answered: object) -> None:
        self._busy = False
        self._set(bool(answered))

    def _on_error(self, exc: BaseException) -> None:
        self._busy = False
        log.info("database check failed: %s", type(exc).__name__)
        self._set(False)

    def _set(self, online: bool) -> None:
        if online != self._online:
            self._online = online
            self.onlineChanged.emit(online)


class SyncRelay(QObject):
    """Carries the sync service's state (reported on worker threads) to the UI thread.

    Signals: ``stateChanged(object)`` with a ``SyncState``.
    """

    stateChanged = Signal(object)  # noqa: N815 - Qt's signal naming

    def __init__(self, service: SyncService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        service.subscribe(self.stateChanged.emit)


class StatusDot(QFrame):
    """A small filled circle: green online, red offline, grey unknown. Emits no signals.

    Drawn by a style sheet rather than a paint event: a QPainter brush would import
    Qt's enum namespace before the first paint (see ``ui/qtprops.py``).
    """

    UNKNOWN = "#9aa5b1"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(QSize(12, 12))
        self.colour = ""
        self.set_state(None)

    def set_state(self, online: bool | None) -> None:
        colour = {None: self.UNKNOWN, True: PALETTE.success, False: PALETTE.danger}[online]
        if colour != self.colour:
            self.colour = colour
            self.setStyleSheet(
                f"background: {colour}; border: none; border-radius: 5px; margin: 1px;"
            )


class OnlineIndicator(QWidget):
    """Dot plus 在线 / 离线 text, and what waits to sync.

    Signals: ``clicked()`` (opens the sync panel when anything is pending or refused).
    """

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 4, 0)
        layout.setSpacing(6)
        self.dot = StatusDot(self)
        self.text = QLabel(self.tr("正在检查…"), self)
        self.text.setContentsMargins(0, 0, 0, 0)
        self.text.setStyleSheet("padding: 0;")
        layout.addWidget(self.dot)
        layout.addWidget(self.text)
        self._online: bool | None = None
        self._sync: SyncState | None = None
        self._clickable = False

    def set_online(self, online: bool | None) -> None:
        self._online = online
        self._show()

    def set_sync(self, state: SyncState) -> None:
        self._sync = state
        self._online = state.online if state.online is not None else self._online
        self._show()

    def _show(self) -> None:
        online, sync = self._online, self._sync
        self.dot.set_state(online)
        if online is None:
            text = self.tr("正在检查…")
        elif sync is not None and sync.replaying:
            text = self.tr("同步中 · {n} 条待同步").format(n=sync.pending)
        elif online:
            text = self.tr("在线")
        else:
            text = self.tr("离线")
            if sync is not None and sync.cached_at is not None:
                # Lists and boards now come from the local read cache: say how old it is.
                text += self.tr(" · 显示 {time} 的缓存数据").format(time=local_time(sync.cached_at))
        if sync is not None and not sync.replaying and sync.pending:
            text += self.tr(" · {n} 条待同步").format(n=sync.pending)
        if sync is not None and sync.problems:
            text += self.tr(" · {n} 个同步问题").format(n=sync.problems)
        self.text.setText(text)
        busy = bool(sync is not None and (sync.pending or sync.problems))
        if busy != self._clickable:
            # Only on a change: the first paint has no sync state and no need of Qt's enums.
            from PySide6.QtCore import Qt

            self._clickable = busy
            self.setCursor(
                Qt.CursorShape.PointingHandCursor if busy else Qt.CursorShape.ArrowCursor
            )
        tips = [self.tr("点击查看待同步的记录和同步问题")] if busy else []
        if online is False and sync is not None and sync.cached_at is not None:
            tips.insert(
                0,
                self.tr(
                    "共享数据库暂时无法连接。库存、员工、活动和今日看板显示本机缓存的数据"
                    "（截至 {time}），其他电脑之后的修改要等恢复连接后才能看到。"
                ).format(time=local_time(sync.cached_at)),
            )
        self.setToolTip("\n".join(tips))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        self.clicked.emit()


def local_time(moment: datetime) -> str:
    """HH:MM in the store's time zone (imported late: the status bar paints before services)."""
    from ui.widgets.reception_labels import local_time as store_time

    return store_time(moment)
