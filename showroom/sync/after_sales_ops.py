"""Complaints (投诉) as operations: recorded, handed over and resolved.

- ``complaint.record`` can wait: a complaint is a fact the customer told us; taken
  offline it is queued and numbered when the shared database is back (its deadline
  counts from when it was received, the time in the payload).
- ``complaint.resolve`` can wait like a follow-up result; replayed after another
  PC closed it meanwhile, the refusal becomes a sync problem, never a silent drop.
- ``complaint.reassign`` needs the connection: the owner is shared state another
  PC may be changing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from showroom.sync.operations import _uuid, register, user_from_payload, user_payload
from showroom.users import StaffUser


def record_payload(
    user: StaffUser, form: Any, *, response_hours: int, now: datetime | None = None
) -> dict[str, Any]:
    """``form`` is a ``complaints.ComplaintInput``."""
    return {
        "user": user_payload(user),
        "form": {
            "customer_id": str(form.customer_id),
            "topic": form.topic,
            "description": form.description,
            "owner_id": str(form.owner_id) if form.owner_id else None,
            "vehicle_id": str(form.vehicle_id) if form.vehicle_id else None,
            "contract_id": str(form.contract_id) if form.contract_id else None,
            "staff_id": str(form.staff_id) if form.staff_id else None,
        },
        "response_hours": response_hours,
        **({"now": now.isoformat()} if now else {}),
    }


def resolve_payload(
    user: StaffUser, complaint_id: uuid.UUID, resolution: str, satisfaction: int | None
) -> dict[str, Any]:
    return {
        "user": user_payload(user),
        "complaint_id": str(complaint_id),
        "resolution": resolution,
        "satisfaction": satisfaction,
    }


def reassign_payload(
    user: StaffUser, complaint_id: uuid.UUID, owner_id: uuid.UUID
) -> dict[str, Any]:
    return {
        "user": user_payload(user),
        "complaint_id": str(complaint_id),
        "owner_id": str(owner_id),
    }


def _now(data: dict[str, Any]) -> datetime | None:
    return datetime.fromisoformat(data["now"]) if data.get("now") else None


def _record(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import complaints

    form = data["form"]
    done = complaints.record(
        session,
        user_from_payload(data["user"]),
        complaints.ComplaintInput(
            customer_id=uuid.UUID(form["customer_id"]),
            topic=form["topic"],
            description=form["description"],
            owner_id=_uuid(form.get("owner_id")),
            vehicle_id=_uuid(form.get("vehicle_id")),
            contract_id=_uuid(form.get("contract_id")),
            staff_id=_uuid(form.get("staff_id")),
        ),
        response_hours=int(data.get("response_hours", complaints.DEFAULT_RESPONSE_HOURS)),
        now=_now(data),
    )
    return done, f"投诉 {done.complaint_no} 已登记，负责人 {done.owner_name}"


def _resolve(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import complaints

    satisfaction = data.get("satisfaction")
    complaints.resolve(
        session,
        user_from_payload(data["user"]),
        uuid.UUID(data["complaint_id"]),
        data["resolution"],
        int(satisfaction) if satisfaction is not None else None,
        now=_now(data),
    )
    return None, "投诉处理结果已登记"


def _reassign(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import complaints

    name = complaints.reassign(
        session,
        user_from_payload(data["user"]),
        uuid.UUID(data["complaint_id"]),
        uuid.UUID(data["owner_id"]),
    )
    return name, f"投诉已转交 {name}"


register("complaint.record", "登记投诉", _record)
register("complaint.resolve", "投诉处理结果", _resolve)
register("complaint.reassign", "转交投诉", _reassign, can_wait=False)
