"""The customer file's writes as operations: edits, tags, contacts and leads.

Each is a kind in ``operations.REGISTRY`` with a payload built here from the
service's own form dataclass and read back into it, so a screen describes an
action once (kind + payload) and the runner applies it now or queues it.

What can wait for the connection (queued offline, replayed in order):

- ``interaction.log``: a call or a message is a fact; it waits like a follow-up result.
- ``lead.create``: a phone enquiry taken while offline. Applied now, a number that
  already has an open lead is refused with that lead named (the desk opens it);
  replayed, the enquiry is logged on the open lead instead of becoming a second one.

What needs the connection (``can_wait=False``: offline they say so):

- ``customer.update``: an edit must meet the version it was made on; a queued edit
  could only fail later, far from the form that holds what was typed.
- ``customer.tag_save``, ``lead.assign``, ``lead.close``: shared state another PC
  may be changing at the same moment.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from db.enums import (
    CustomerKind,
    CustomerRole,
    IntentGrade,
    InteractionChannel,
    PaymentPreference,
    SourceChannel,
    Title,
)
from showroom.sync.operations import (
    _time,
    _uuid,
    is_replay,
    register,
    user_from_payload,
    user_payload,
)
from showroom.users import StaffUser

# --- payloads --------------------------------------------------------------------------------


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def customer_update_payload(
    user: StaffUser, customer_id: uuid.UUID, loaded_version: int, edit: Any, now: datetime
) -> dict[str, Any]:
    """``edit`` is a ``customers.CustomerEdit``."""
    return {
        "user": user_payload(user),
        "customer_id": str(customer_id),
        "loaded_version": loaded_version,
        "now": now.isoformat(),
        "edit": {
            "name": edit.name,
            "title": Title(edit.title).value,
            "kind": CustomerKind(edit.kind).value,
            "company_name": edit.company_name,
            "role": CustomerRole(edit.role).value,
            "budget_min": _dec(edit.budget_min),
            "budget_max": _dec(edit.budget_max),
            "intended_use": edit.intended_use,
            "preferred_brands": edit.preferred_brands,
            "preferred_models": edit.preferred_models,
            "decision_cycle": edit.decision_cycle,
            "payment_preference": PaymentPreference(edit.payment_preference).value
            if edit.payment_preference
            else None,
            "notes": edit.notes,
            "tag_ids": [str(t) for t in edit.tag_ids],
            "intent_grade": IntentGrade(edit.intent_grade).value if edit.intent_grade else None,
            "grade_reason": edit.grade_reason,
            "new_phone": edit.new_phone,
            "new_phone2": edit.new_phone2,
        },
    }


def _customer_edit(data: dict[str, Any]) -> Any:
    from showroom.services.customers import CustomerEdit

    low, high = data.get("budget_min"), data.get("budget_max")
    grade, payment = data.get("intent_grade"), data.get("payment_preference")
    return CustomerEdit(
        name=data["name"],
        title=Title(data["title"]),
        kind=CustomerKind(data.get("kind", CustomerKind.INDIVIDUAL.value)),
        company_name=data.get("company_name", ""),
        role=CustomerRole(data.get("role", CustomerRole.BUYER.value)),
        budget_min=None if low is None else Decimal(low),
        budget_max=None if high is None else Decimal(high),
        intended_use=data.get("intended_use", ""),
        preferred_brands=data.get("preferred_brands", ""),
        preferred_models=data.get("preferred_models", ""),
        decision_cycle=data.get("decision_cycle", ""),
        payment_preference=PaymentPreference(payment) if payment else None,
        notes=data.get("notes", ""),
        tag_ids=tuple(uuid.UUID(t) for t in data.get("tag_ids", ())),
        intent_grade=IntentGrade(grade) if grade else None,
        grade_reason=data.get("grade_reason", ""),
        new_phone=data.get("new_phone"),
        new_phone2=data.get("new_phone2"),
    )


def interaction_payload(
    user: StaffUser,
    form: Any,
    *,
    customer_id: uuid.UUID | None = None,
    lead_id: uuid.UUID | None = None,
    now: datetime,
    today: date,
) -> dict[str, Any]:
    """``form`` is an ``interactions.NewInteraction``; ``today`` is the store's date."""
    return {
        "user": user_payload(user),
        "customer_id": str(customer_id) if customer_id else None,
        "lead_id": str(lead_id) if lead_id else None,
        "now": now.isoformat(),
        "today": today.isoformat(),
        "form": {
            "channel": InteractionChannel(form.channel).value,
            "summary": form.summary,
            "response": form.response,
            "next_step": form.next_step,
            "next_on": _day(form.next_on),
            "at": form.at.isoformat() if form.at else None,
            "intent_grade": form.intent_grade.value if form.intent_grade else None,
        },
    }


def _interaction(data: dict[str, Any]) -> Any:
    from showroom.services.interactions import NewInteraction

    next_on, grade = data.get("next_on"), data.get("intent_grade")
    return NewInteraction(
        channel=InteractionChannel(data["channel"]),
        summary=data.get("summary", ""),
        response=data.get("response", ""),
        next_step=data.get("next_step", ""),
        next_on=date.fromisoformat(next_on) if next_on else None,
        at=_time(data.get("at")),
        intent_grade=IntentGrade(grade) if grade else None,
    )


def lead_payload(
    user: StaffUser, form: Any, *, response_hours: int, now: datetime
) -> dict[str, Any]:
    """``form`` is a ``leads.NewLead``."""
    return {
        "user": user_payload(user),
        "response_hours": response_hours,
        "now": now.isoformat(),
        "form": {
            "phone": form.phone,
            "name": form.name,
            "title": Title(form.title).value,
            "source_channel": SourceChannel(form.source_channel).value,
            "platform": form.platform,
            "external_ref": form.external_ref,
            "vehicle_text": form.vehicle_text,
            "message": form.message,
            "owner_id": str(form.owner_id) if form.owner_id else None,
            "received_at": form.received_at.isoformat() if form.received_at else None,
            "vehicle_id": str(form.vehicle_id) if form.vehicle_id else None,
        },
    }


def _lead(data: dict[str, Any]) -> Any:
    from showroom.services.leads import NewLead

    return NewLead(
        phone=data["phone"],
        name=data.get("name", ""),
        title=Title(data.get("title", Title.NONE.value)),
        source_channel=SourceChannel(data.get("source_channel", SourceChannel.PHONE.value)),
        platform=data.get("platform", ""),
        external_ref=data.get("external_ref", ""),
        vehicle_text=data.get("vehicle_text", ""),
        message=data.get("message", ""),
        owner_id=_uuid(data.get("owner_id")),
        received_at=_time(data.get("received_at")),
        vehicle_id=_uuid(data.get("vehicle_id")),
    )


def _now(data: dict[str, Any]) -> datetime:
    now = _time(data.get("now"))
    if now is None:  # every submitted payload carries the time it was made
        raise ValueError("operation without its time")
    return now


# --- handlers ----------------------------------------------------------------------------------


def _update_customer(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import customers

    saved = customers.update_customer(
        session,
        user_from_payload(data["user"]),
        uuid.UUID(data["customer_id"]),
        int(data["loaded_version"]),
        _customer_edit(data["edit"]),
        now=_now(data),
    )
    return saved, "客户资料已保存"


def _save_tag(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import customers

    tag_id = customers.save_tag(
        session,
        user_from_payload(data["user"]),
        data["name"],
        tag_id=_uuid(data.get("tag_id")),
        active=bool(data.get("active", True)),
    )
    return tag_id, "客户标签已保存"


def tag_payload(
    user: StaffUser, name: str, *, tag_id: uuid.UUID | None = None, active: bool = True
) -> dict[str, Any]:
    return {
        "user": user_payload(user),
        "name": name,
        "tag_id": str(tag_id) if tag_id else None,
        "active": active,
    }


def _log_interaction(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import interactions

    logged = interactions.log_interaction(
        session,
        user_from_payload(data["user"]),
        _interaction(data["form"]),
        customer_id=_uuid(data.get("customer_id")),
        lead_id=_uuid(data.get("lead_id")),
        now=_now(data),
        today=date.fromisoformat(data["today"]),
    )
    return logged, "沟通记录已保存"


def _create_lead(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import leads

    created = leads.create_lead(
        session,
        user_from_payload(data["user"]),
        _lead(data["form"]),
        response_hours=int(data.get("response_hours", leads.DEFAULT_RESPONSE_HOURS)),
        now=_now(data),
        # Replayed, nobody is there to open the existing lead: the enquiry joins it.
        if_open="add" if is_replay(data) else "refuse",
    )
    if created.merged:
        return created, "该号码已有未处理线索，本次咨询已记在原线索上"
    return created, "线索已登记"


def _assign_lead(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import leads

    name = leads.assign(
        session,
        user_from_payload(data["user"]),
        uuid.UUID(data["lead_id"]),
        _uuid(data.get("owner_id")),
    )
    return name, "线索已分配"


def _close_lead(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import leads

    leads.close(
        session,
        user_from_payload(data["user"]),
        uuid.UUID(data["lead_id"]),
        data.get("reason", ""),
        lost_reason=data.get("lost_reason"),
    )
    return None, "线索已关闭"


def lead_assign_payload(
    user: StaffUser, lead_id: uuid.UUID, owner_id: uuid.UUID | None
) -> dict[str, Any]:
    return {
        "user": user_payload(user),
        "lead_id": str(lead_id),
        "owner_id": str(owner_id) if owner_id else None,
    }


def lead_close_payload(
    user: StaffUser, lead_id: uuid.UUID, reason: str, lost_reason: str | None = None
) -> dict[str, Any]:
    return {
        "user": user_payload(user),
        "lead_id": str(lead_id),
        "reason": reason,
        "lost_reason": lost_reason,
    }


register("customer.update", "客户资料", _update_customer, can_wait=False)
register("customer.tag_save", "客户标签", _save_tag, can_wait=False)
register("interaction.log", "沟通记录", _log_interaction)
register("lead.create", "新线索", _create_lead)
register("lead.assign", "分配线索", _assign_lead, can_wait=False)
register("lead.close", "关闭线索", _close_lead, can_wait=False)
