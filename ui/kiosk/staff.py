"""The staff exit: a PIN page that is the kiosk's only way to the staff screens.

The PIN is checked by ``showroom.services.auth.verify_staff_pin`` through the task
runner's write queue because every try is audit logged. Inside the task a refusal
becomes a value and any other failure a ``_PinCheckFailed``: only a wrong PIN counts
towards the lock (a database hiccup must not lock staff out), and both carry the
generation so an answer for someone who has walked away is dropped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from showroom.errors import PermissionDenied, ValidationError
from showroom.services import auth
from showroom.users import StaffUser
from ui.kiosk.pages import KioskPage
from ui.kiosk.pin_pad import PinPad
from ui.kiosk.throttle import PinThrottle
from ui.tasks import TaskRunner

log = logging.getLogger("showroom.kiosk")

# The session a runner task receives; ui/ names no SQLAlchemy type (see tests/unit/test_layers).
DbSession = Any


@dataclass(frozen=True)
class _PinOutcome:
    generation: int
    user: StaffUser | None
    refusal: str | None  # the ShowroomError code when the PIN was refused


class _PinCheckFailed(Exception):
    """The check itself failed (database down, writes refused); carries the generation."""

    def __init__(self, generation: int) -> None:
        super().__init__(f"PIN check failed (generation {generation})")
        self.generation = generation


class StaffPinPage(KioskPage):
    """Asks for a staff PIN; locks the pad after repeated wrong PINs.

    Signals: ``unlocked(object)`` with the ``StaffUser`` whose PIN was entered;
    ``navigate(str)`` (see ``KioskPage``) when the person cancels.
    """

    unlocked = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        *,
        max_failures: int = 3,
        lock_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("kioskStaffPage")
        self._runner = runner
        self._generation = 0
        self.throttle = PinThrottle(max_failures, lock_seconds, clock)

        title = QLabel(self.tr("员工验证"), self)
        title.setObjectName("kioskPageTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.pad = PinPad(self)
        self.pad.submitted.connect(self._check)
        self.pad.cancelled.connect(self._cancel)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 8, 32, 24)
        layout.setSpacing(8)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(self.pad, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)

    def activate(self) -> None:
        # A lock that ran while the page was away may have ended: show the current state.
        if self.throttle.is_locked():
            self.pad.lock(self.throttle.remaining)

    def reset(self) -> None:
        self._generation += 1  # a check still in flight is for a person who has gone
        self.pad.reset()

    def _cancel(self) -> None:
        self.reset()
        self.navigate.emit("home")

    def _check(self, pin: str) -> None:
        if self.throttle.is_locked():
            self.pad.lock(self.throttle.remaining)
            return
        self._generation += 1
        generation = self._generation
        self.pad.set_busy(True)

        def work(session: DbSession) -> _PinOutcome:
            try:
                return _PinOutcome(generation, auth.verify_staff_pin(session, pin), None)
            except (PermissionDenied, ValidationError) as exc:
                return _PinOutcome(generation, None, exc.code)
            except Exception as exc:
                raise _PinCheckFailed(generation) from exc

        self._runner.write(work, self._checked, self._check_failed)

    def _checked(self, outcome: _PinOutcome) -> None:
        if outcome.generation != self._generation:
            return
        self.pad.set_busy(False)
        if outcome.user is not None:
            self.throttle.success()
            log.info("kiosk unlocked by staff %s", outcome.user.id)
            self.reset()
            self.unlocked.emit(outcome.user)
            return
        self.pad.clear_digits()
        if outcome.refusal == "auth.pin_format":
            self.pad.show_message(self.tr("PIN 为 4 到 8 位数字"), error=True)
            return
        if self.throttle.failure():
            self.pad.lock(self.throttle.remaining)
        else:
            self.pad.show_message(self.tr("PIN 不正确，请重新输入"), error=True)

    def _check_failed(self, exc: BaseException) -> None:
        if getattr(exc, "generation", None) not in (None, self._generation):
            return
        log.error("kiosk PIN check failed:\n%s", getattr(exc, "__showroom_trace__", repr(exc)))
        self.pad.set_busy(False)
        self.pad.clear_digits()
        self.pad.show_message(self.tr("暂时无法验证，请稍后再试"), error=True)
