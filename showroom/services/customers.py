"""Customer lists for staff, with phone numbers masked unless explicitly revealed.

Rows leave this module with the phone already masked (``138****5678``), so a
list, a log line or a crash report can never carry the full number. Seeing the
full number is an action of its own (``reveal_phone``): allowed for the roles in
``showroom.roles.MAY_REVEAL_PERSONAL_DATA`` and written to the audit log,
without the number itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from db.models import Customer, IntentGrade, SourceChannel, Staff, Title
from showroom.errors import NotFoundError, PermissionDenied
from showroom.identifiers import phone_digits
from showroom.privacy import mask_phone
from showroom.roles import MAY_REVEAL_PERSONAL_DATA
from showroom.services import audit
from showroom.users import StaffUser


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
    if user.role not in MAY_REVEAL_PERSONAL_DATA:
        raise PermissionDenied(
            "privacy.reveal_denied", "你的岗位不能查看客户的完整号码。", role=user.role.value
        )
    customer = session.get(Customer, customer_id)
    if customer is None or customer.deleted_at is not None:
        raise NotFoundError("customer.not_found", "客户不存在或已被合并。")
    audit.record(
        session, user.actor, "personal_data_revealed", "customer", customer.id, {"field": "phone"}
    )
    return customer.phone
