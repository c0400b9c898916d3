"""Slows down PIN guessing on the kiosk: after a few wrong PINs in a row the pad locks.

Plain Python with an injectable clock so the rule is testable without a display or
waiting. The lock deliberately survives the idle reset: walking away for 90 s must not
be a way to get more guesses. Each try is also audit logged by the auth service.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class PinThrottle:
    """Counts consecutive wrong PINs; locks for ``lock_seconds`` after ``max_failures``."""

    def __init__(
        self,
        max_failures: int = 3,
        lock_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.lock_seconds = lock_seconds
        self._clock = clock
        self._failures = 0
        self._locked_until = 0.0

    @property
    def failures(self) -> int:
        return self._failures

    def remaining(self) -> int:
        """Whole seconds left on the lock (rounded up), 0 when not locked."""
        left = self._locked_until - self._clock()
        if left <= 0:
            return 0
        return int(left) + (0 if left.is_integer() else 1)

    def is_locked(self) -> bool:
        return self.remaining() > 0

    def failure(self) -> int:
        """Record a wrong PIN; return the seconds of lock it caused (0 if none)."""
        self._failures += 1
        if self._failures >= self.max_failures:
            self._failures = 0
            self._locked_until = self._clock() + self.lock_seconds
            return self.remaining()
        return 0

    def success(self) -> None:
        self._failures = 0
        self._locked_until = 0.0
