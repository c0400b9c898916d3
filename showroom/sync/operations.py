"""Operations that can wait for the shared database, and how each is applied.

An operation is a kind plus a JSON payload. ``register`` adds a kind; other
modules (inspection records, ...) register theirs the same way. A handler gets
a write session and the payload and applies it through the normal service,
returning ``(value, outcome)``: the service's result and one line saying what
happened (shown in the sync panel). ``apply`` records the operation's UUID in
``applied_operations`` in the same transaction, so a replay that runs twice
(a crash between commit and marking it done) changes nothing the second time.

Every write a screen makes goes through here, online or not (``TaskRunner.submit``
applies it at once on the embedded database too), so the code tests exercise is the
code a store on the shared database runs. A kind that cannot wait for the
connection (an edit that must meet the stored version, shared state another PC may
be changing) is registered with ``can_wait=False``: offline it says so instead of
being queued.

Conflict rules (documented here because they are the contract with staff):

- A new customer whose phone number already exists: applied at once, the refusal
  ``customer.duplicate`` reaches the person at the desk, who is asked "use the
  existing customer?" with everything typed kept; the same on both databases.
  Replayed from the outbox (nobody there to ask), the customer is merged into the
  existing one: no second record, the check-in goes to the existing customer, the
  consents given are recorded on it and what was typed for the name is kept in a
  note on the record (``replay`` below).
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

from sqlalchemy import insert, select
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
    can_wait: bool = True  # False: offline it needs the connection, never queued


REGISTRY: dict[str, OperationKind] = {}
# Set in the payload a handler gets when the operation is replayed from the outbox:
# the person who made it is not at the screen to answer a question.
REPLAY = "_replay"


def register(kind: str, label: str, handler: Handler, *, can_wait: bool = True) -> None:
    REGISTRY[kind] = OperationKind(kind, label, handler, can_wait)


def is_replay(data: dict[str, Any]) -> bool:
    return bool(data.get(REPLAY))


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
    already: frozenset[uuid.UUID] | None = None,
    marks: list[dict[str, Any]] | None = None,
    fresh: bool = False,
    replay: bool = False,
) -> Applied:
    """Apply one operation once; a second call with the same ``op_id`` is a no-op.

    A replay batch passes ``already`` (the batch's ids found in ``applied_operations``
    by one query, ``applied_ids``) and ``marks`` (it inserts them all at once with
    ``insert_marks`` in the same transaction); alone, each is looked up and added here.

    ``fresh``: the id was made just now for an operation applied at once (never
    queued, so nothing to look up). Its mark is written first, before the operation
    takes the store's counters: should the answer to the commit be lost with the
    connection, the queued copy finds it on replay.

    ``replay``: applied from the outbox, not while the user waits (see the conflict
    rules): the handler sees ``REPLAY`` in its payload.
    """
    if replay:
        payload = {**payload, REPLAY: True}
    if fresh:
        session.add(
            AppliedOperation(
                id=op_id,
                kind=kind,
                created_at=created_at,
                origin=origin,
                outcome=f"{REGISTRY[kind].label}（在线保存）",
            )
        )
        session.flush()
        value, outcome = REGISTRY[kind].handler(session, payload)
        return Applied(value, outcome)
    if already is None:
        done = session.get(AppliedOperation, op_id)
        if done is not None:
            return Applied(None, done.outcome, already=True)
    elif op_id in already:
        outcome = session.scalar(
            select(AppliedOperation.outcome).where(AppliedOperation.id == op_id)
        )
        return Applied(None, outcome or "", already=True)
    value, outcome = REGISTRY[kind].handler(session, payload)
    mark = {
        "id": op_id,
        "kind": kind,
        "created_at": created_at,
        "origin": origin,
        "outcome": outcome[:400],
    }
    if marks is not None:
        marks.append(mark)
    else:
        session.add(AppliedOperation(**mark))
    return Applied(value, outcome)


def applied_ids(session: Session, op_ids: list[uuid.UUID]) -> frozenset[uuid.UUID]:
    """Which of ``op_ids`` were applied before (one query for a whole replay batch)."""
    if not op_ids:
        return frozenset()
    return frozenset(
        session.scalars(select(AppliedOperation.id).where(AppliedOperation.id.in_(op_ids)))
    )


def insert_marks(session: Session, marks: list[dict[str, Any]]) -> None:
    """The ``applied_operations`` rows of a batch, in one statement."""
    if marks:
        session.execute(insert(AppliedOperation), marks)


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
        "roles": [r.value for r in user.ordered_roles],
        "store_id": str(user.store_id),
        "store_code": user.store_code,
        "store_name": user.store_name,
    }


def user_from_payload(data: dict[str, Any]) -> StaffUser:
    return StaffUser(
        uuid.UUID(data["id"]),
        data["username"],
        data["display_name"],
        # Payloads queued before roles became a set carry one "role".
        frozenset(Role(r) for r in data.get("roles") or [data["role"]]),
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
        lead_id=_uuid(data.get("lead_id")),
    )


def new_customer_payload(form: Any) -> dict[str, Any]:
    return {
        "name": form.name,
        "title": form.title.value,
        "phone": form.phone,
        "source_channel": form.source_channel.value,
        "consent_service": form.consent_service,
        "consent_marketing": form.consent_marketing,
        "lead_id": str(form.lead_id) if getattr(form, "lead_id", None) else None,
    }


def _create_customer(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import reception

    form = _new_customer(data["form"])
    actor = _actor(data["actor"])
    now = _time(data.get("now"))
    try:
        with session.begin_nested():
            customer_id = reception.create_customer(
                session, actor, uuid.UUID(data["store_id"]), form, now=now
            )
    except ConflictError as exc:
        if exc.code != "customer.duplicate" or "customer_id" not in exc.params:
            raise
        if not is_replay(data):
            raise  # the person at the desk is asked: use the existing customer?
        existing = exc.params["customer_id"]
        reception.keep_offline_form(session, actor, existing, form, now=now)
        return existing, f"手机号已有客户 {exc.params['name']}，已合并到该客户"
    return customer_id, "已新建客户"


def _check_in(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import reception

    actor = _actor(data["actor"])
    store_id = uuid.UUID(data["store_id"])
    customer_id = _uuid(data.get("customer_id"))
    options = {
        "purpose": VisitPurpose(data.get("purpose", VisitPurpose.BUY.value)),
        "party_size": int(data.get("party_size", 1)),
        "consultant_id": _uuid(data.get("consultant_id")),
        "protection_days": int(data.get("protection_days", 30)),
        "now": _time(data.get("now")),
    }
    merged = ""
    if customer_id is None:
        form = _new_customer(data["new_customer"])
        try:
            # One call creates the customer and checks them in (no savepoint needed: a
            # duplicate is refused before anything is written, or its insert's own
            # savepoint is already rolled back).
            result = reception.check_in(session, actor, store_id, new_customer=form, **options)
        except ConflictError as exc:
            if exc.code != "customer.duplicate" or "customer_id" not in exc.params:
                raise
            if not is_replay(data):
                raise  # the person at the desk is asked: use the existing customer?
            customer_id = exc.params["customer_id"]
            reception.keep_offline_form(session, actor, customer_id, form, now=options["now"])
            merged = f"手机号已有客户 {exc.params['name']}，已合并到该客户"
    if customer_id is not None:
        result = reception.check_in(session, actor, store_id, customer_id=customer_id, **options)
    outcome = f"{result.customer_name} 到店，接待号 {result.visit_no}"
    if merged:
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

    next_due, today = data.get("next_due"), data.get("today")
    done = follow_ups.complete(
        session,
        user_from_payload(data["user"]),
        uuid.UUID(data["follow_up_id"]),
        data["result"],
        date.fromisoformat(next_due) if next_due else None,
        now=_time(data.get("now")),
        # The store's date, as the screen saw it (UTC's date differs after 16:00 UTC).
        today=date.fromisoformat(today) if today else None,
        answered=bool(data.get("answered", True)),
        lost_reason=data.get("lost_reason"),
        satisfaction=data.get("satisfaction"),
        satisfaction_comment=data.get("satisfaction_comment") or "",
    )
    return done, "回访结果已记录"


def _save_lost_reasons(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import lost_reasons

    saved = lost_reasons.save_reasons(session, user_from_payload(data["user"]), data["labels"])
    return saved, "战败原因列表已保存"


def cadence_payload(
    user: StaffUser, items: list[tuple[IntentGrade, int | None, int | None]]
) -> dict[str, Any]:
    """The follow-up cadence (回访节奏) as the manager set it: (grade, first, repeat) rows."""
    return {
        "user": user_payload(user),
        "rules": [
            {"grade": IntentGrade(g).value, "first_days": first, "repeat_days": repeat}
            for g, first, repeat in items
        ],
    }


def _save_cadence(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import cadence

    saved = cadence.save_rules(
        session,
        user_from_payload(data["user"]),
        [
            (IntentGrade(r["grade"]), r.get("first_days"), r.get("repeat_days"))
            for r in data["rules"]
        ],
    )
    return saved, "回访节奏已保存"


def _record_referral(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import referrals

    made = referrals.record(
        session,
        user_from_payload(data["user"]),
        uuid.UUID(data["referrer_id"]),
        uuid.UUID(data["referred_id"]),
        reward_kind=data.get("reward_kind", "none"),
        amount=data.get("amount"),
        gift=data.get("gift", ""),
        note=data.get("note", ""),
    )
    return made, "推荐关系已登记"


def _pay_referral(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import referrals

    line = referrals.mark_paid(
        session,
        user_from_payload(data["user"]),
        uuid.UUID(data["referral_id"]),
        now=_time(data.get("now")),
    )
    return line, "推荐奖励已兑现"


def _mark_reminder(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import buyer_reminders

    fresh = buyer_reminders.mark(
        session,
        user_from_payload(data["user"]),
        uuid.UUID(data["customer_id"]),
        data["kind"],
        date.fromisoformat(data["due_on"]),
        status=data.get("status", "sent"),
        channel=data.get("channel", "sms"),
        message=data.get("message", ""),
        now=_time(data.get("now")),
    )
    return fresh, "购车客户提醒已处理" if fresh else "购车客户提醒此前已处理"


def _save_targets(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import targets

    saved = targets.save_targets(
        session,
        user_from_payload(data["user"]),
        [(r["metric"], r.get("target"), r.get("warning")) for r in data["targets"]],
        [
            (uuid.UUID(r["staff_id"]), r["metric"], r.get("target"), r.get("warning"))
            for r in data.get("consultants", [])
        ],
    )
    return saved, "经营目标已保存"


def _signed_in_offline(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    """A sign-in checked on this PC while the shared database was down, now in the log."""
    from showroom.services import audit

    user = user_from_payload(data["user"])
    audit.record(session, user.actor, "sign_in_offline", "staff", user.id, {"at": data["at"]})
    return None, f"{user.display_name} 离线登录（{data['at'][:16]}）已记入审计日志"


def _sign_in_failed_offline(session: Session, data: dict[str, Any]) -> tuple[Any, str]:
    from showroom.services import audit

    user = user_from_payload(data["user"])
    audit.record(
        session,
        user.actor,
        "sign_in_failed",
        "staff",
        user.id,
        {"offline": True, "at": data["at"], "attempts_left": data.get("attempts_left")},
    )
    return None, "离线登录失败已记入审计日志"


register("customer.create", "新建客户", _create_customer)
register("auth.sign_in_offline", "离线登录", _signed_in_offline)
register("auth.sign_in_offline_failed", "离线登录失败", _sign_in_failed_offline)
register("visit.check_in", "到店登记", _check_in)
register("test_drive.return", "试驾还车", _return_car)
register("follow_up.complete", "回访记录", _complete_follow_up)
# A store setting another PC may be editing too: needs the connection.
register("follow_up.cadence_save", "回访节奏", _save_cadence, can_wait=False)
register("lost_reason.save", "战败原因列表", _save_lost_reasons, can_wait=False)
# A promise of money and its payment: both need the shared truth at once.
register("referral.record", "登记推荐", _record_referral, can_wait=False)
register("referral.pay", "推荐奖励兑现", _pay_referral, can_wait=False)
# A message sent is a fact: it waits for the connection, and a replay changes nothing.
register("reminder.mark", "购车客户提醒", _mark_reminder)
register("dashboard.targets_save", "经营目标", _save_targets, can_wait=False)


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
            "inspection.final",
            INSPECTION_FINAL_OFFLINE.format(no=inspection.report_no),
            no=inspection.report_no,
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


# The customer file, contacts and leads (issue 20) and complaints (issue 24) register their
# kinds in their own modules.
from showroom.sync import after_sales_ops, customer_ops, mileage_ops  # noqa: E402, F401 - registers kinds
