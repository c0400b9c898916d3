"""Customer lists and the customer file (客户信息建档) staff keep current.

Rows leave this module with the phone already masked (``138****5678``), so a
list, a log line or a crash report can never carry the full number. Seeing the
full number is an action of its own (``reveal_phone``): allowed for the roles in
``showroom.roles.MAY_REVEAL_PERSONAL_DATA`` and written to the audit log,
without the number itself.

``update_customer`` saves the edit form: name and title, second phone, needs
(budget, use, brands and models, decision cycle, full payment or loan), person or
company, buyer/seller/trade-in, the store's tags and notes. It saves against the
version the form was loaded with (another PC's save meanwhile is shown field by
field, numbers masked), refuses a new number that is another customer's (the same
question as at creation), keeps a grade change with its reason in the grade
history, and writes the names of the changed fields, never their values, to the
audit log. ``timeline`` is the record's history in one list: leads, contacts,
visits, test drives, deposits, contracts, inspections and grade changes.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from db import locks
from db.models import (
    ConditionGrade,
    Contract,
    Customer,
    CustomerKind,
    CustomerRole,
    CustomerTag,
    CustomerTagLink,
    Deposit,
    GradeChange,
    Inspection,
    IntentGrade,
    Interaction,
    Lead,
    PaymentPreference,
    Registration,
    Role,
    SourceChannel,
    Staff,
    TestDrive,
    Title,
    Vehicle,
    Visit,
)
from showroom import fields
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.identifiers import normalize_mobile, phone_digits
from showroom.money import MAX_AMOUNT
from showroom.privacy import mask_phone
from showroom.roles import may_reveal_personal_data
from showroom.services import audit
from showroom.sync.conflicts import edit_conflict
from showroom.users import StaffUser

MAY_EDIT = frozenset({Role.RECEPTION, Role.SALES, Role.MANAGER})
MAY_GRADE = frozenset({Role.SALES, Role.MANAGER})
# Field names for messages (a refused edit lists the fields another PC changed).
LABELS = {
    "name": "姓名",
    "title": "称谓",
    "phone": "手机号",
    "phone2": "第二联系电话",
    "kind": "客户类型",
    "company_name": "单位名称",
    "role": "客户角色",
    "intent_grade": "意向等级",
    "budget_min": "预算下限",
    "budget_max": "预算上限",
    "intended_use": "用途",
    "preferred_brands": "意向品牌",
    "preferred_models": "意向车型",
    "decision_cycle": "购车周期",
    "payment_preference": "付款方式",
    "notes": "备注",
}
_PHONES = frozenset({"phone", "phone2"})
_LANDLINE_RE = re.compile(r"0\d{2,3}-?\d{7,8}(?:-\d{1,6})?")


@dataclass(frozen=True)
class CustomerRow:
    """One line of the customer list. ``phone_masked`` is all the list ever shows."""

    id: uuid.UUID
    name: str
    title: Title
    phone_masked: str
    intent_grade: IntentGrade | None
    owner_name: str | None
    source_channel: SourceChannel
    created_at: datetime


def _search_terms(text: str) -> tuple[str | None, str | None]:
    """Split what was typed into (phone digits, name text); exactly one is set, or neither."""
    if not text.strip():
        return None, None
    digits = phone_digits(text)
    return (digits, None) if digits else (None, text.strip())


def _filtered(stmt: Select[Any], search: str) -> Select[Any]:
    stmt = stmt.where(Customer.deleted_at.is_(None))
    digits, name = _search_terms(search)
    if digits:
        stmt = stmt.where(Customer.phone.contains(digits, autoescape=True))
    elif name:
        stmt = stmt.where(func.lower(Customer.name).contains(name.lower(), autoescape=True))
    return stmt


def count_customers(session: Session, search: str = "") -> int:
    """How many live customers match ``search`` (phone digits or part of a name)."""
    return int(session.scalar(_filtered(select(func.count(Customer.id)), search)) or 0)


def list_customers(
    session: Session, search: str = "", *, offset: int = 0, limit: int | None = 200
) -> list[CustomerRow]:
    """Newest customers first; the phone in every row is masked."""
    owner = aliased(Staff)
    stmt = (
        _filtered(
            select(
                Customer.id,
                Customer.name,
                Customer.title,
                Customer.phone,
                Customer.intent_grade,
                owner.display_name,
                Customer.source_channel,
                Customer.created_at,
            ).outerjoin(owner, owner.id == Customer.owner_id),
            search,
        )
        .order_by(Customer.created_at.desc(), Customer.id)
        .offset(offset)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        CustomerRow(
            id=row.id,
            name=row.name,
            title=row.title,
            phone_masked=mask_phone(row.phone),
            intent_grade=row.intent_grade,
            owner_name=row.display_name,
            source_channel=row.source_channel,
            created_at=row.created_at,
        )
        for row in session.execute(stmt)
    ]


def reveal_phone(session: Session, user: StaffUser, customer_id: uuid.UUID) -> str:
    """Return the full phone number and record *that* it was seen (never the number)."""
    if not may_reveal_personal_data(user):
        raise PermissionDenied(
            "privacy.reveal_denied",
            "你的岗位不能查看客户的完整号码。",
            roles=",".join(r.value for r in user.ordered_roles),
        )
    customer = session.get(Customer, customer_id)
    if customer is None or customer.deleted_at is not None:
        raise NotFoundError("customer.not_found", "客户不存在或已被合并。")
    audit.record(
        session, user.actor, "personal_data_revealed", "customer", customer.id, {"field": "phone"}
    )
    return customer.phone


# --- the customer file: load and save the edit form ------------------------------------------


@dataclass(frozen=True)
class CustomerProfile:
    """What the edit form shows; the phones arrive masked and stay masked."""

    id: uuid.UUID
    row_version: int
    name: str
    title: Title
    phone_masked: str
    phone2_masked: str | None
    kind: CustomerKind
    company_name: str
    role: CustomerRole
    intent_grade: IntentGrade | None
    budget_min: Decimal | None
    budget_max: Decimal | None
    intended_use: str
    preferred_brands: str
    preferred_models: str
    decision_cycle: str
    payment_preference: PaymentPreference | None
    notes: str
    tag_ids: tuple[uuid.UUID, ...]
    owner_id: uuid.UUID | None


@dataclass(frozen=True)
class CustomerEdit:
    """The edit form as typed.

    ``new_phone``: None keeps the number (the form never saw it in full), else the new
    one. ``new_phone2``: None keeps it, ``""`` removes it. ``grade_reason`` is required
    when ``intent_grade`` changes.
    """

    name: str
    title: Title
    kind: CustomerKind = CustomerKind.INDIVIDUAL
    company_name: str = ""
    role: CustomerRole = CustomerRole.BUYER
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    intended_use: str = ""
    preferred_brands: str = ""
    preferred_models: str = ""
    decision_cycle: str = ""
    payment_preference: PaymentPreference | None = None
    notes: str = ""
    tag_ids: tuple[uuid.UUID, ...] = ()
    intent_grade: IntentGrade | None = None
    grade_reason: str = ""
    new_phone: str | None = None
    new_phone2: str | None = None


@dataclass(frozen=True)
class CustomerSaved:
    customer_id: uuid.UUID
    row_version: int
    changed: tuple[str, ...]  # field names, in form order
    topics: frozenset[str] = field(
        default_factory=lambda: frozenset({"customers", "grade_changes", "audit"})
    )


def _live(session: Session, customer_id: uuid.UUID, *, lock: bool = False) -> Customer:
    customer: Customer | None
    if lock:
        # First lock of the edit (db.locks), in the mode that may change the row. A form
        # opened on a record merged away since is not applied to the one kept.
        customer = locks.lock_customer(session, customer_id, locks.UPDATE, follow_merges=False)
    else:
        customer = session.get(Customer, customer_id)
    if customer is None or customer.deleted_at is not None:
        raise NotFoundError("customer.not_found", "客户不存在或已被合并。")
    return customer


def _tag_ids(session: Session, customer_id: uuid.UUID) -> tuple[uuid.UUID, ...]:
    return tuple(
        session.scalars(
            select(CustomerTagLink.tag_id)
            .join(CustomerTag, CustomerTag.id == CustomerTagLink.tag_id)
            .where(CustomerTagLink.customer_id == customer_id)
            .order_by(CustomerTag.name)
        )
    )


def load_profile(session: Session, customer_id: uuid.UUID) -> CustomerProfile:
    c = _live(session, customer_id)
    return CustomerProfile(
        id=c.id,
        row_version=c.row_version,
        name=c.name,
        title=c.title,
        phone_masked=mask_phone(c.phone),
        phone2_masked=mask_phone(c.phone2) if c.phone2 else None,
        kind=c.kind,
        company_name=c.company_name,
        role=c.role,
        intent_grade=c.intent_grade,
        budget_min=c.budget_min,
        budget_max=c.budget_max,
        intended_use=c.intended_use,
        preferred_brands=c.preferred_brands,
        preferred_models=c.preferred_models,
        decision_cycle=c.decision_cycle,
        payment_preference=c.payment_preference,
        notes=c.notes,
        tag_ids=_tag_ids(session, c.id),
        owner_id=c.owner_id,
    )


def normalize_phone2(value: str) -> str:
    """A second number: a mobile (stored as 11 digits) or a landline with its area code."""
    try:
        return normalize_mobile(value)
    except ValidationError:
        pass
    compact = "".join(value.split()).replace("－", "-").replace("—", "-")
    compact = compact.replace("(", "").replace(")", "").replace("（", "").replace("）", "")
    if _LANDLINE_RE.fullmatch(compact):
        return compact
    raise ValidationError(
        "phone2.invalid",
        "第二联系电话应为 11 位手机号，或带区号的固定电话（如 010-12345678）。",
    )


def _budget(value: Decimal | None, what: str) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(
            "customer.budget_invalid", f"{what}不是有效金额。", what=what
        ) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise ValidationError("customer.budget_invalid", f"{what}不是有效金额。", what=what)
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError("customer.budget_invalid", f"{what}最多精确到分。", what=what)
    return amount.quantize(Decimal("0.01"))


def _shown(name: str, value: Any) -> Any:
    if name in _PHONES and value:
        return mask_phone(str(value))
    return value.value if hasattr(value, "value") else value


def _checked_values(edit: CustomerEdit) -> dict[str, Any]:
    """Every column the form sets, checked and in the form stored; refusals name the field."""
    kind = CustomerKind(edit.kind)
    company = fields.text(
        edit.company_name, "customer.company_name", required=kind is CustomerKind.COMPANY
    )
    low = _budget(edit.budget_min, "预算下限")
    high = _budget(edit.budget_max, "预算上限")
    if low is not None and high is not None and low > high:
        raise ValidationError("customer.budget_order", "预算下限不能高于上限。")
    return {
        "name": fields.legal_name(edit.name),
        "title": Title(edit.title),
        "kind": kind,
        "company_name": company,
        "role": CustomerRole(edit.role),
        "budget_min": low,
        "budget_max": high,
        "intended_use": fields.text(edit.intended_use, "customer.intended_use"),
        "preferred_brands": fields.text(edit.preferred_brands, "customer.preferred_brands"),
        "preferred_models": fields.text(edit.preferred_models, "customer.preferred_models"),
        "decision_cycle": fields.text(edit.decision_cycle, "customer.decision_cycle"),
        "payment_preference": PaymentPreference(edit.payment_preference)
        if edit.payment_preference
        else None,
        "notes": fields.text(edit.notes, "customer.notes"),
    }


def update_customer(
    session: Session,
    user: StaffUser,
    customer_id: uuid.UUID,
    loaded_version: int,
    edit: CustomerEdit,
    *,
    now: datetime,
) -> CustomerSaved:
    """Save the edit form (see the module docstring); nothing typed is cut to fit."""
    from showroom.services.reception import _duplicate

    if not user.has_any(*MAY_EDIT):
        raise PermissionDenied("customer.edit_denied", "你的岗位不能修改客户资料。")
    values = _checked_values(edit)
    if edit.new_phone is not None and edit.new_phone.strip():
        values["phone"] = normalize_mobile(edit.new_phone)
    if edit.new_phone2 is not None:
        values["phone2"] = normalize_phone2(edit.new_phone2) if edit.new_phone2.strip() else None
    grade = IntentGrade(edit.intent_grade) if edit.intent_grade else None
    customer = _live(session, customer_id, lock=True)
    if grade != customer.intent_grade:
        values["intent_grade"] = grade
    if customer.row_version != loaded_version:
        raise edit_conflict(customer, values, LABELS, _shown)
    if values.get("phone2") and values["phone2"] == values.get("phone", customer.phone):
        raise ValidationError("phone2.same", "第二联系电话与手机号相同。")

    changed = [name for name, value in values.items() if getattr(customer, name) != value]
    if "intent_grade" in changed:
        if not user.has_any(*MAY_GRADE):
            raise PermissionDenied("grade.denied", "只有销售顾问和店长可以调整意向等级。")
        if not user.is_manager and customer.owner_id not in (None, user.id):
            raise PermissionDenied("grade.not_yours", "只能调整自己负责的客户的意向等级。")
        if grade is None:
            raise ValidationError("grade.missing", "意向等级不能清空，请选择 A/B/C/D。")
        reason = fields.text(edit.grade_reason, "grade.reason", required=True)
        session.add(
            GradeChange(
                customer_id=customer.id,
                old_grade=customer.intent_grade,
                new_grade=grade,
                changed_by_id=user.id,
                reason=reason,
            )
        )
    if "phone" in changed:
        duplicate = _duplicate(session, values["phone"])
        if duplicate is not None:
            raise duplicate  # the same question as at creation: that number is someone's
    tags_changed = _set_tags(session, user, customer, edit.tag_ids)
    old_grade = customer.intent_grade
    for name in changed:
        setattr(customer, name, values[name])
    if tags_changed and not changed:
        customer.updated_at = now  # the record moved on: another PC's form meets it
    try:
        with session.begin_nested():  # another PC may have given the number just now
            session.flush()
    except IntegrityError:
        duplicate = _duplicate(session, values["phone"]) if "phone" in changed else None
        raise duplicate or ConflictError(
            "customer.duplicate", "该手机号已登记，不能重复建档。"
        ) from None
    if "phone" in changed:
        from showroom.services import leads

        leads.attach_to_customer(session, customer)
    named = changed + (["tags"] if tags_changed else [])
    detail: dict[str, Any] = {"fields": named}
    if "intent_grade" in changed:
        detail["grade"] = {"from": old_grade.value if old_grade else None, "to": grade.value}  # type: ignore[union-attr]
    if named:
        audit.record(session, user.actor, "customer_updated", "customer", customer.id, detail)
    if "intent_grade" in changed:
        from showroom.services import cadence

        cadence.plan(session, customer, cadence.GRADE_CHANGE, now=now)
    return CustomerSaved(customer.id, customer.row_version, tuple(named))


def _set_tags(
    session: Session, user: StaffUser, customer: Customer, wanted: tuple[uuid.UUID, ...]
) -> bool:
    current = set(_tag_ids(session, customer.id))
    wanted_set = {uuid.UUID(str(t)) for t in wanted}
    added = wanted_set - current
    if added:
        usable = set(
            session.scalars(
                select(CustomerTag.id).where(
                    CustomerTag.id.in_(added),
                    CustomerTag.store_id == user.store_id,
                    CustomerTag.active.is_(True),
                )
            )
        )
        if usable != added:
            raise ValidationError("tag.unknown", "所选标签不存在或已停用，请刷新后重选。")
        for tag_id in sorted(added):
            session.add(CustomerTagLink(customer_id=customer.id, tag_id=tag_id))
    removed = current - wanted_set
    if removed:
        session.execute(
            delete(CustomerTagLink).where(
                CustomerTagLink.customer_id == customer.id, CustomerTagLink.tag_id.in_(removed)
            )
        )
    return bool(added or removed)


# --- tags the store defines ---------------------------------------------------------------------


@dataclass(frozen=True)
class TagRow:
    id: uuid.UUID
    name: str
    active: bool
    customers: int  # live customers carrying it


def list_tags(session: Session, store_id: uuid.UUID, *, active_only: bool = True) -> list[TagRow]:
    used = (
        select(CustomerTagLink.tag_id, func.count().label("n"))
        .join(Customer, Customer.id == CustomerTagLink.customer_id)
        .where(Customer.deleted_at.is_(None))
        .group_by(CustomerTagLink.tag_id)
        .subquery()
    )
    stmt = (
        select(CustomerTag.id, CustomerTag.name, CustomerTag.active, used.c.n)
        .outerjoin(used, used.c.tag_id == CustomerTag.id)
        .where(CustomerTag.store_id == store_id)
        .order_by(CustomerTag.name)
    )
    if active_only:
        stmt = stmt.where(CustomerTag.active.is_(True))
    return [TagRow(r.id, r.name, bool(r.active), int(r.n or 0)) for r in session.execute(stmt)]


def save_tag(
    session: Session,
    user: StaffUser,
    name: str,
    *,
    tag_id: uuid.UUID | None = None,
    active: bool = True,
) -> uuid.UUID:
    """Add or rename a tag, or switch it off (the manager defines the store's tags)."""
    if not user.is_manager:
        raise PermissionDenied("tag.manager_only", "只有店长可以设置客户标签。")
    text = fields.text(name, "tag.name", required=True)
    clash = session.scalar(
        select(CustomerTag.id).where(
            CustomerTag.store_id == user.store_id, CustomerTag.name == text
        )
    )
    if clash is not None and clash != tag_id:
        raise ConflictError("tag.duplicate", f"标签“{text}”已存在。", name=text)
    if tag_id is None:
        tag = CustomerTag(store_id=user.store_id, name=text, active=active)
        session.add(tag)
    else:
        found = session.get(CustomerTag, tag_id)
        if found is None or found.store_id != user.store_id:
            raise NotFoundError("tag.not_found", "这个标签不存在。")
        tag = found
        tag.name, tag.active = text, active
    session.flush()
    audit.record(
        session, user.actor, "tag_saved", "customer_tag", tag.id, {"name": text, "active": active}
    )
    return tag.id


# --- the record's timeline ------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One event in a customer's history, newest first in ``timeline``.

    ``kind``: lead, interaction, visit, test_drive, deposit, contract, inspection, grade.
    ``code`` and ``status`` are the stored codes the screen translates (a visit's purpose
    and outcome, a contact's channel, a drive's status, a contract's kind …).
    """

    at: datetime
    kind: str
    code: str = ""
    status: str = ""
    reference: str = ""  # visit no., booking code, receipt no., contract no., report no.
    subject: str = ""  # the car, or what was discussed
    detail: str = ""  # the customer's answer, feedback, a reason
    staff_name: str | None = None
    amount: Decimal | None = None
    next_step: str = ""
    next_on: date | None = None


_KIND_ORDER = {
    "lead": 0,
    "interaction": 1,
    "visit": 2,
    "test_drive": 3,
    "deposit": 4,
    "contract": 5,
    "inspection": 6,
    "grade": 7,
}


def _car(brand: str | None, model: str | None, year: int | None) -> str:
    return " ".join(str(p) for p in (year and f"{year}款", brand, model) if p)


def timeline(session: Session, customer_id: uuid.UUID) -> tuple[TimelineEntry, ...]:
    """Leads, contacts, visits, drives, deposits, contracts, inspections and grade changes."""
    names = {row[0]: row[1] for row in session.execute(select(Staff.id, Staff.display_name))}

    def who(staff_id: uuid.UUID | None) -> str | None:
        return names.get(staff_id) if staff_id else None

    entries: list[TimelineEntry] = []
    for lead in session.scalars(select(Lead).where(Lead.customer_id == customer_id)):
        entries.append(
            TimelineEntry(
                lead.received_at,
                "lead",
                lead.source_channel.value,
                lead.status.value,
                lead.platform,
                lead.vehicle_text,
                lead.message,
                who(lead.owner_id),
            )
        )
    for i in session.scalars(select(Interaction).where(Interaction.customer_id == customer_id)):
        entries.append(
            TimelineEntry(
                i.at,
                "interaction",
                i.channel.value,
                subject=i.summary,
                detail=i.response,
                staff_name=who(i.staff_id),
                next_step=i.next_step,
                next_on=i.next_on,
            )
        )
    for v in session.scalars(select(Visit).where(Visit.customer_id == customer_id)):
        entries.append(
            TimelineEntry(
                v.arrived_at,
                "visit",
                v.purpose.value,
                v.outcome.value if v.outcome else v.status.value,
                v.visit_no,
                detail=v.intent_grade.value if v.intent_grade else "",
                staff_name=who(v.consultant_id),
            )
        )
    car = (Vehicle.brand, Vehicle.model, Vehicle.year)
    for d, brand, model, year in session.execute(
        select(TestDrive, *car)
        .join(Vehicle, Vehicle.id == TestDrive.vehicle_id)
        .where(TestDrive.customer_id == customer_id)
    ):
        entries.append(
            TimelineEntry(
                d.out_at or d.slot_start,
                "test_drive",
                status=d.status.value,
                reference=d.booking_code,
                subject=_car(brand, model, year),
                detail=d.feedback,
                staff_name=who(d.consultant_id),
            )
        )
    for p, brand, model, year in session.execute(
        select(Deposit, *car)
        .join(Vehicle, Vehicle.id == Deposit.vehicle_id)
        .where(Deposit.customer_id == customer_id)
    ):
        entries.append(
            TimelineEntry(
                p.taken_at,
                "deposit",
                p.method.value,
                p.status.value,
                p.receipt_no,
                _car(brand, model, year),
                p.close_reason,
                who(p.taken_by_id),
                amount=p.amount,
            )
        )
    for k, brand, model, year in session.execute(
        select(Contract, *car)
        .join(Vehicle, Vehicle.id == Contract.vehicle_id)
        .where(Contract.customer_id == customer_id)
    ):
        entries.append(
            TimelineEntry(
                k.signed_at or k.created_at,
                "contract",
                k.kind.value,
                k.status.value,
                k.contract_no,
                _car(brand, model, year),
                k.void_reason,
                who(k.consultant_id),
                amount=k.price,
            )
        )
    for n in session.scalars(
        select(Inspection)
        .join(Registration, Registration.id == Inspection.registration_id)
        .where(Registration.customer_id == customer_id)
    ):
        grade: ConditionGrade | None = n.grade
        entries.append(
            TimelineEntry(
                n.finalised_at or n.started_at,
                "inspection",
                grade.value if grade else "",
                n.status.value,
                n.report_no,
                _car(n.brand, n.model, None),
                f"{n.score}" if n.score is not None else "",
                who(n.appraiser_id),
            )
        )
    for g in session.scalars(select(GradeChange).where(GradeChange.customer_id == customer_id)):
        entries.append(
            TimelineEntry(
                g.created_at,
                "grade",
                g.new_grade.value,
                g.old_grade.value if g.old_grade else "",
                detail=g.reason,
                staff_name=who(g.changed_by_id),
            )
        )
    # Equal times (a lead and the call logged with it) keep the order things happen in.
    entries.sort(key=lambda e: (e.at, _KIND_ORDER.get(e.kind, 9)), reverse=True)
    return tuple(entries)


__all__ = [
    "LABELS",
    "CustomerEdit",
    "CustomerProfile",
    "CustomerRow",
    "CustomerSaved",
    "TagRow",
    "TimelineEntry",
    "count_customers",
    "list_customers",
    "list_tags",
    "load_profile",
    "normalize_phone2",
    "reveal_phone",
    "save_tag",
    "timeline",
    "update_customer",
]
