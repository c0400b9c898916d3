"""The one helper that turns service times into UTC (deposits, contracts, test drives)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from db.base import as_utc


def test_a_local_time_becomes_the_same_instant_in_utc() -> None:
    local = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert as_utc(local) == local and as_utc(local).tzinfo is UTC
    assert as_utc(local).hour == 2


def test_a_naive_time_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        as_utc(datetime(2026, 11, 24, 10, 0))
