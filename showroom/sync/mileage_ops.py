"""Mileage readings and the store's maintenance interval as operations.

- ``mileage.record`` can wait: what the customer said on a call is a fact; taken
  offline it is queued and checked against the car's other readings when the
  shared database is back (a refusal then becomes a sync problem, never a drop).
- ``maintenance.interval_save`` needs the connection: a store setting another PC
  may be editing too.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from showroom.sync.operations import register, user_from_payload, user_payload
from showroom.users import StaffUser


def reading_payload(
    user: StaffUser,
    vehicle_id: uuid.UUID,
    read_on: date,
    mileage_km: int,
    *,
    source: str,
    note: str,
    today: date,
) -> dict[str, Any]:
    """``today`` is the store's date as the screen saw it."""
    return {
        "user": user_payload(user),
        "vehicle_id": str(vehicle_id),
        "read_on": read_on.isoformat(),
        "mileage_km": mileage_km,
        "source": source,
        "note": note,
        "today": today.isoformat(),
    }


def interval_payload(user: StaffUser, months: int, km: int) -> dict[str, Any]:
    return {"user": user_payload(user), "months": months, "km": km}


def _record(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import mileage

    reading_id = mileage.record_reading(
        session,
        user_from_payload(data["user"]),
        uuid.UUID(data["vehicle_id"]),
        date.fromisoformat(data["read_on"]),
        data["mileage_km"],
        source=data.get("source", "call"),
        note=data.get("note", ""),
        today=date.fromisoformat(data["today"]),
    )
    return reading_id, f"里程 {data['mileage_km']:,} 公里已记录"


def _save_interval(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import mileage

    saved = mileage.save_interval(
        session, user_from_payload(data["user"]), data["months"], data["km"]
    )
    return saved, "保养间隔已保存"


register("mileage.record", "车辆里程", _record)
register("maintenance.interval_save", "保养间隔", _save_interval, can_wait=False)
