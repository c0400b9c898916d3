"""The desk's side of kiosk self check-ins: a chime, a badge, and the list on the board.

A customer who checks in at the kiosk with a number is told only 签到成功; staff
must come to them. ``ArrivalWatcher`` (one per signed-in desk user, made by the
shell) follows the change bus for ``kiosk_arrivals`` (from this PC or any other,
through the change feed), loads the arrivals not yet received and chimes when one
is new, whatever screen is open; the shell shows its count as a badge that opens
the board. ``ArrivalsPanel`` is the list on 今日到店: who came (staff may see the
name a number belongs to), from which kiosk, and 接待 / 未见到此人. A kiosk that
took many unrelated numbers or wrong codes shows as a warning line above it.
"""

from __future__ import annotations

import logging
import shutil
import sys
import uuid
import wave
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QProcess, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.services import self_check_in as sci
from showroom.services.self_check_in import ArrivalRow, KioskAlert
from showroom.users import StaffUser
from ui.errors import report_failure
from ui.tasks import TaskRunner
from ui.widgets.changes import ChangeRelay
from ui.widgets.names import shown_name
from ui.widgets.reception_labels import local_time

log = logging.getLogger("showroom.ui")

TOPIC = "kiosk_arrivals"
DbSession = Any


# --- the chime ------------------------------------------------------------------------------


def _chime_file(folder: Path) -> Path:
    """A short two-note chime (written once; no sound file ships with the app)."""
    path = folder / "kiosk-chime.wav"
    if path.exists():
        return path
    import math
    import struct

    rate = 22_050
    frames = bytearray()
    for freq, seconds in ((880.0, 0.18), (660.0, 0.32)):
        count = int(rate * seconds)
        for n in range(count):
            fade = min(1.0, (count - n) / (rate * 0.08))
            sample = 0.35 * fade * math.sin(2 * math.pi * freq * n / rate)
            frames += struct.pack("<h", int(sample * 32767))
    folder.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return path


class Chime:
    """Plays the chime without blocking: the OS's own player, else the system bell."""

    def __init__(self, cache_dir: Path) -> None:
        self._cache_dir = cache_dir
        self.played = 0  # how often (tests and the log read it)

    def play(self) -> None:
        self.played += 1
        try:
            path = _chime_file(self._cache_dir)
            if sys.platform == "win32":
                import winsound

                winsound.PlaySound(str(path), winsound.SND_FILENAME | winsound.SND_ASYNC)
                return
            for player in ("afplay", "paplay", "pw-play", "aplay"):
                found = shutil.which(player)
                if found:
                    QProcess.startDetached(found, [str(path)])
                    return
        except Exception as exc:  # noqa: BLE001 - a chime must never break the desk
            log.warning("kiosk chime could not play: %r", exc)
        QApplication.beep()


# --- following the arrivals -------------------------------------------------------------------


class ArrivalWatcher(QObject):
    """Pending kiosk arrivals of the user's store, kept current; chimes on new ones.

    Signals: ``changed()`` after every load (read ``arrivals`` and ``alerts``).
    """

    changed = Signal()

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QObject | None = None,
        *,
        chime: Callable[[], None] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._store_id = user.store_id
        self._clock = clock or (lambda: utcnow())
        self.chime = Chime(context.paths.cache_dir)
        self._play = chime or self.chime.play
        self.arrivals: list[ArrivalRow] = []
        self.alerts: list[KioskAlert] = []
        self._seen: set[uuid.UUID] = set()
        self._relay = ChangeRelay(context.bus, self)
        self._relay.changed.connect(self._on_changed)
        self.refresh()

    def _on_changed(self, topics: frozenset[str]) -> None:
        if any(t == TOPIC or t.startswith("kiosk_arrival") for t in topics):
            self.refresh()

    def refresh(self) -> None:
        store_id, now = self._store_id, self._clock()

        def work(session: DbSession) -> tuple[list[ArrivalRow], list[KioskAlert]]:
            return sci.pending(session, store_id, now=now), sci.alerts(session, store_id, now=now)

        self._runner.read(work, self._loaded, self._failed)

    def _loaded(self, result: tuple[list[ArrivalRow], list[KioskAlert]]) -> None:
        self.arrivals, self.alerts = result
        new = {a.id for a in self.arrivals} - self._seen
        self._seen |= new
        if new:
            self._play()
        self.changed.emit()

    def _failed(self, exc: BaseException) -> None:
        log.warning("kiosk arrivals could not be loaded: %r", exc)


# --- the list on the board ------------------------------------------------------------------


class ArrivalsPanel(QFrame):
    """自助机签到 · 待迎接: one line per arrival with 接待 and 未见到此人.

    Signals: ``received(object)`` with the check-in result (or None for a number
    that is nobody's) after 接待, so the board can select the new visit.
    """

    received = Signal(object)

    def __init__(
        self,
        watcher: ArrivalWatcher,
        runner: TaskRunner,
        user: StaffUser,
        protection_days: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("KioskArrivals")
        self.setStyleSheet(
            "#KioskArrivals { background: #fff8e6; border: 1px solid #f0c36d; border-radius: 8px; }"
            " QLabel#KioskAlert { color: #b91c1c; font-weight: 600; }"
        )
        self._watcher = watcher
        self._runner = runner
        self._user = user
        self._protection_days = protection_days
        self.title = QLabel("", self)
        self.title.setObjectName("SectionTitle")
        self.alert = QLabel("", self)
        self.alert.setObjectName("KioskAlert")
        self.alert.setWordWrap(True)
        self.message = QLabel("", self)
        self.message.setObjectName("ErrorText")
        self.message.setWordWrap(True)
        self.rows = QVBoxLayout()
        self.rows.setSpacing(4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.alert)
        layout.addLayout(self.rows)
        layout.addWidget(self.message)
        self.lines: list[QWidget] = []
        watcher.changed.connect(self.show_arrivals)
        self.show_arrivals()

    def show_arrivals(self) -> None:
        for line in self.lines:
            self.rows.removeWidget(line)
            line.hide()
            line.deleteLater()
        self.lines = []
        arrivals, alerts = self._watcher.arrivals, self._watcher.alerts
        self.setVisible(bool(arrivals or alerts))
        self.title.setText(self.tr("自助机签到 · 待迎接 {n} 位").format(n=len(arrivals)))
        self.alert.setText(
            "\n".join(
                self.tr(
                    "⚠ {kiosk}：{minutes} 分钟内签到了 {n} 个不同号码或错误预约码"
                    "（其中错误预约码 {codes} 个），请留意是否有人冒用他人号码。"
                ).format(
                    kiosk=a.kiosk,
                    minutes=int(sci.WINDOW.total_seconds() // 60),
                    n=a.unrelated,
                    codes=a.refused_codes,
                )
                for a in alerts
            )
        )
        self.alert.setVisible(bool(alerts))
        for arrival in arrivals:
            self._add_line(arrival)

    def describe(self, arrival: ArrivalRow) -> str:
        """One line for staff: when, where, which number, who (a stranger's number says so)."""
        who = (
            self.tr("{name}（{phone}，顾问 {consultant}）").format(
                name=shown_name(arrival.customer_name),
                phone=arrival.phone_masked,
                consultant=arrival.consultant_name or self.tr("未分配"),
            )
            if arrival.customer_name
            else self.tr("尾号 {tail}，未登记的号码：请询问称呼并登记").format(
                tail=arrival.phone_tail
            )
        )
        how = self.tr("预约码签到") if arrival.via == sci.CODE else self.tr("手机号签到")
        text = f"{local_time(arrival.arrived_at)}  {arrival.kiosk} · {how} · {who}"
        if arrival.flagged:
            text = "⚠ " + text + self.tr("（可疑：同一自助机短时间内签到了多个号码）")
        return text

    def _add_line(self, arrival: ArrivalRow) -> None:
        line = QWidget(self)
        row = QHBoxLayout(line)
        row.setContentsMargins(0, 0, 0, 0)
        label = QLabel(self.describe(arrival), line)
        label.setWordWrap(True)
        if arrival.flagged:
            label.setStyleSheet("color: #b91c1c;")
        receive = QPushButton(self.tr("接待"), line)
        receive.setProperty("arrival", str(arrival.id))
        receive.clicked.connect(self._receive)
        dismiss = QPushButton(self.tr("未见到此人"), line)
        dismiss.setProperty("arrival", str(arrival.id))
        dismiss.clicked.connect(self._dismiss)
        row.addWidget(label, 1)
        row.addWidget(receive)
        row.addWidget(dismiss)
        self.rows.addWidget(line)
        self.lines.append(line)

    def _arrival_id(self) -> uuid.UUID:
        return uuid.UUID(str(self.sender().property("arrival")))

    def _receive(self) -> None:
        arrival_id, user, days = self._arrival_id(), self._user, self._protection_days

        def work(session: DbSession) -> Any:
            return sci.receive(session, user, arrival_id, protection_days=days)

        self._runner.write(work, self._received, self._failed)

    def _dismiss(self) -> None:
        arrival_id, user = self._arrival_id(), self._user

        def work(session: DbSession) -> None:
            sci.dismiss(session, user, arrival_id)

        self._runner.write(work, self._dismissed, self._failed)

    def _received(self, result: Any) -> None:
        self.message.clear()
        self._watcher.refresh()
        self.received.emit(result)

    def _dismissed(self, _result: object) -> None:
        self.message.clear()
        self._watcher.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(report_failure(exc))
        self._watcher.refresh()


def badge_text(count: int) -> str:
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("KioskArrivals", "自助签到待迎接：{n} 位").format(n=count)


__all__ = ["ArrivalWatcher", "ArrivalsPanel", "Chime", "badge_text"]
