"""The one clock every layer reads "now" from, so that tests can set it.

Standard library only (the first screen imports it before SQLAlchemy loads).
``set_source`` replaces the wall clock: the test suite runs the app at a chosen
time of day, and a test about midnight sets its own instant. Services still take
an explicit ``now`` where a command carries its own time (offline replays).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# The zone a store's calendar runs in unless its profile says otherwise.
DEFAULT_STORE_ZONE = ZoneInfo("Asia/Shanghai")


def wall_clock() -> datetime:
    return datetime.now(UTC)


_source: Callable[[], datetime] = wall_clock


def utcnow() -> datetime:
    """Now, as an aware UTC time."""
    return _source()


def store_today(zone: ZoneInfo = DEFAULT_STORE_ZONE) -> date:
    """Today on the store's calendar, whatever time zone this PC is set to."""
    return _source().astimezone(zone).date()


def local_day(moment: datetime, zone: ZoneInfo = DEFAULT_STORE_ZONE) -> date:
    """The store's calendar day of an instant (a follow-up's, a sale's, a reading's day)."""
    return moment.astimezone(zone).date()


def set_source(source: Callable[[], datetime] | None) -> None:
    """Read "now" from ``source`` from here on; ``None`` goes back to the wall clock."""
    global _source  # one clock per process, like the time zone itself
    _source = source or wall_clock
