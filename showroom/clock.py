"""The app's clock for the domain and the UI (see ``db.clock``; standard library only)."""

from __future__ import annotations

from db.clock import local_day, set_source, store_today, utcnow

__all__ = ["local_day", "set_source", "store_today", "utcnow"]
