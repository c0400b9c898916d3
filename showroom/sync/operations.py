"""Operations that can wait for the shared database, and how each is applied.

An operation is a kind plus a JSON payload. ``register`` adds a kind; other
modules (inspection records, ...) register theirs the same way. A handler gets
a write session and the payload and applies it through the normal service,
returning ``(value, outcome)``: the service's result and one line saying what
happened (shown in the sync panel). ``apply`` records the operation's UUID in
``applied_operations`` in the same transaction, so a replay that runs twice
(a crash between commit and marking it done) changes nothing the second time.

Conflict rules (documented here because they are the contract with staff):

- A customer created offline whose phone number now exists is merged into the
  existing customer: no second record; a check-in goes to the existing one.
- Anything a service refuses on replay (a drive already returned on another
  PC, a follow-up already closed, a slot taken meanwhile) becomes a sync problem
  that stays listed until staff retry or discard it. Nothing is dropped.
- An inspection edit (``inspection.*``) whose record was finalised on another PC
  meanwhile is refused with "检测记录 … 已定稿，离线修改未应用" (a sync problem).
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from db.enums import IntentGrade, Role, SourceChannel, Title, VisitPurpose
from db.models import AppliedOperation
from showroom.errors import ConflictError
from showroom.users import Actor, StaffUser

Handler = Callable[[Session, dict[str, Any]], tuple[Any, str]]


@dataclass(frozen=True)
class OperationKind:
    kind: str
    label: str  # Chinese, for the sync panel
    handler: Handler


REGISTRY: dict[str, OperationKind] = {}


def register(kind: str, label: str, handler: Handler) -> None:
    REGISTRY[kind] = OperationKind(kind, label, handler)


@dataclass(frozen=True)
class Applied:
    value: Any
    outcome: str
    already: bool = False


def apply(
    session: Session,
    op_id: uuid.UUID,
    kind: str,
    payload: dict[str, Any],
    *,
    created_at: datetime,
    origin: str,
) -> Applied:
    """Apply one operation once; a second call with the same ``op_id`` is a no-op."""
    done = session.get(AppliedOperation, op_id)
    if done is not None:
        return Applied(None, done.outcome, already=True)
    value, outcome = REGISTRY[kind].handler(session, payload)
    session.add(
        AppliedOperation(
            id=op_id, kind=kind, created_at=created_at, origin=origin, outcome=outcome[:400]
        )
    )
    session.flush()
    return Applied(value, outcome)


# --- payload helpers ----------------------------------------------------------------------


def actor_payload(actor: Actor) -> dict[str, Any]:
    return {
        "name": actor.name,
        "staff_id": str(actor.staff_id) if actor.staff_id else None,
        "store_id": str(actor.store_id) if actor.store_id else None,
    }


def _actor(data: dict[str, Any]) -> Actor:
    return Actor(data["name"], _uuid(data.get("staff_id")), _uuid(data.get("store_id")))


def user_payload(user: StaffUser) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.value,
        "store_id": str(user.store_id),
        "store_code": user.store_code,
        "store_name": user.store_name,
    }


def _user(data: dict[str, Any]) -> StaffUser:
    return StaffUser(
        uuid.UUID(data["id"]),
        data["username"],
        data["display_name"],
        Role(data["role"]),
        uuid.UUID(data["store_id"]),
        data["store_code"],
        data["store_name"],
    )


def _uuid(text: str | None) -> uuid.UUID | None:
    return uuid.UUID(text) if text else None


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


# --- the kinds that can wait --------------------------------------------------------------


def _new_customer(data: dict[str, Any]) -> Any:
    from showroom.services.reception import NewCustomer

    return NewCustomer(
        name=data["name"],
        title=Title(data["title"]),
        phone=data["phone"],
        source_channel=SourceChannel(data.get("source_channel", SourceChannel.WALK_IN.value)),
        consent_service=bool(data.get("consent_service")),
        consent_marketing=bool(data.get("consent_marketing")),
    )


def new_customer_payload(form: Any) -> dict[str, Any]:
    return {
        "name": form.name,
        "title": form.title.value,
        "phone": form.phone,
        "source_channel": form.source_channel.value,
        "consent_service": form.consent_service,
        "consent_marketing": form.consent_marketing,
    }


def _create_customer(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import reception

    form = _new_customer(data["form"])
    try:
        with session.begin_nested():
            customer_id = reception.create_customer(
                session,
                _actor(data["actor"]),
                uuid.UUID(data["store_id"]),
                form,
                now=_time(data.get("now")),
            )
    except ConflictError as exc:
        if exc.code != "customer.duplicate" or "customer_id" not in exc.params:
            raise
        return exc.params["customer_id"], f"手机号已有客户 {exc.params['name']}，已合并到该客户"
    return customer_id, "已新建客户"


def _check_in(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import reception

    actor = _actor(data["actor"])
    store_id = uuid.UUID(data["store_id"])
    customer_id = _uuid(data.get("customer_id"))
    merged = ""
    if customer_id is None:
        customer_id, merged = _create_customer(
            session,
            {
                "actor": data["actor"],
                "store_id": data["store_id"],
                "form": data["new_customer"],
                "now": data.get("now"),
            },
        )
    result = reception.check_in(
        session,
        actor,
        store_id,
        customer_id=customer_id,
        purpose=VisitPurpose(data.get("purpose", VisitPurpose.BUY.value)),
        party_size=int(data.get("party_size", 1)),
        consultant_id=_uuid(data.get("consultant_id")),
        protection_days=int(data.get("protection_days", 30)),
        now=_time(data.get("now")),
    )
    outcome = f"{result.customer_name} 到店，接待号 {result.visit_no}"
    if merged and merged != "已新建客户":
        outcome += f"（{merged}）"
    if result.already_checked_in:
        outcome += "（今天已登记过，未重复登记）"
    return result, outcome


def return_payload(
    actor: Actor,
    test_drive_id: uuid.UUID,
    odometer_km: int,
    fuel_percent: int | None,
    damage_notes: str,
    damage_photos: tuple[bytes, ...],
    feedback: str,
    intent_grade: IntentGrade | None,
) -> dict[str, Any]:
    """A test-drive return as typed (photos travel base64 in the local outbox)."""
    return {
        "actor": actor_payload(actor),
        "test_drive_id": str(test_drive_id),
        "odometer_km": odometer_km,
        "fuel_percent": fuel_percent,
        "damage_notes": damage_notes,
        "damage_photos": [base64.b64encode(p).decode("ascii") for p in damage_photos],
        "feedback": feedback,
        "intent_grade": intent_grade.value if intent_grade else None,
    }


def _return_car(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import test_drives

    grade = data.get("intent_grade")
    status = test_drives.return_car(
        session,
        _actor(data["actor"]),
        uuid.UUID(data["test_drive_id"]),
        odometer_km=int(data["odometer_km"]),
        fuel_percent=data.get("fuel_percent"),
        damage_notes=data.get("damage_notes", ""),
        damage_photos=tuple(base64.b64decode(p) for p in data.get("damage_photos", ())),
        feedback=data.get("feedback", ""),
        intent_grade=IntentGrade(grade) if grade else None,
        now=_time(data.get("now")),
    )
    return status, f"试驾还车已登记，里程 {data['odometer_km']} km"


def _complete_follow_up(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import follow_ups

    next_due = data.get("next_due")
    done = follow_ups.complete(
        session,
        _user(data["user"]),
        uuid.UUID(data["follow_up_id"]),
        data["result"],
        date.fromisoformat(next_due) if next_due else None,
        now=_time(data.get("now")),
    )
    return done, "回访结果已记录"


register("customer.create", "新建客户", _create_customer)
register("visit.check_in", "到店登记", _check_in)
register("test_drive.return", "试驾还车", _return_car)
register("follow_up.complete", "回访记录", _complete_follow_up)


# --- the appraiser's checklist (检测记录): each autosaved edit can wait ----------------------

INSPECTION_FINAL_OFFLINE = (
    "检测记录 {no} 已定稿，离线修改未应用。如需更改请在最新版本上“更正（新版本）”。"
)


def inspection_item_payload(
    inspection_id: uuid.UUID,
    item_id: uuid.UUID,
    result: str,
    severity: int | None,
    note: str | None,
) -> dict[str, Any]:
    """One item's result, severity and (when typed) note, as the appraiser left them."""
    return {
        "inspection_id": str(inspection_id),
        "item_id": str(item_id),
        "result": result,
        "severity": severity,
        "note": note,
    }


def inspection_photo_payload(
    inspection_id: uuid.UUID, item_id: uuid.UUID | None, photo: Any
) -> dict[str, Any]:
    """A photo already checked and downscaled (``prepare_photo``), base64 in the outbox."""
    return {
        "inspection_id": str(inspection_id),
        "item_id": str(item_id) if item_id else None,
        "jpeg": base64.b64encode(photo.jpeg).decode("ascii"),
        "thumbnail": base64.b64encode(photo.thumbnail).decode("ascii"),
        "width": photo.width,
        "height": photo.height,
    }


def inspection_structural_payload(
    inspection_id: uuid.UUID, accident: bool, flood: bool, fire: bool, evidence: str
) -> dict[str, Any]:
    return {
        "inspection_id": str(inspection_id),
        "accident": accident,
        "flood": flood,
        "fire": fire,
        "evidence": evidence,
    }


def inspection_valuation_payload(
    inspection_id: uuid.UUID, low: Decimal | None, high: Decimal | None, note: str
) -> dict[str, Any]:
    return {
        "inspection_id": str(inspection_id),
        "low": None if low is None else str(low),
        "high": None if high is None else str(high),
        "note": note,
    }


def _unless_final(session: Session, data: dict[str, Any]) -> None:
    """Finalised (locked) on another PC meanwhile: a sync problem, never a silent drop."""
    from db.models import Inspection, InspectionStatus

    inspection = session.get(Inspection, uuid.UUID(data["inspection_id"]))
    if inspection is not None and inspection.status is InspectionStatus.FINAL:
        raise ConflictError(
            "inspection.final", INSPECTION_FINAL_OFFLINE.format(no=inspection.report_no)
        )


def _inspection_set_item(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from db.models import ItemResult
    from showroom.services import inspections

    _unless_final(session, data)
    inspections.set_item(
        session,
        uuid.UUID(data["inspection_id"]),
        uuid.UUID(data["item_id"]),
        result=ItemResult(data["result"]),
        severity=data.get("severity") or None,
        note=data.get("note"),
    )
    return None, "检测项目已记录"


def _inspection_add_photo(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import inspections

    _unless_final(session, data)
    photo = inspections.PreparedPhoto(
        base64.b64decode(data["jpeg"]),
        base64.b64decode(data["thumbnail"]),
        int(data["width"]),
        int(data["height"]),
    )
    photo_id = inspections.add_photo(
        session, uuid.UUID(data["inspection_id"]), _uuid(data.get("item_id")), photo
    )
    return photo_id, "检测照片已添加"


def _inspection_set_structural(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import inspections

    _unless_final(session, data)
    inspections.set_structural(
        session,
        uuid.UUID(data["inspection_id"]),
        accident=bool(data["accident"]),
        flood=bool(data["flood"]),
        fire=bool(data["fire"]),
        evidence=data.get("evidence", ""),
    )
    return None, "结构性检查已记录"


def _inspection_set_valuation(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import inspections

    _unless_final(session, data)
    low, high = data.get("low"), data.get("high")
    inspections.set_valuation(
        session,
        uuid.UUID(data["inspection_id"]),
        low=None if low is None else Decimal(low),
        high=None if high is None else Decimal(high),
        note=data.get("note", ""),
    )
    return None, "估价已记录"


register("inspection.set_item", "检测项目", _inspection_set_item)
register("inspection.add_photo", "检测照片", _inspection_add_photo)
register("inspection.set_structural", "结构性检查", _inspection_set_structural)
register("inspection.set_valuation", "检测估价", _inspection_set_valuation)
