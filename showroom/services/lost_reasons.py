"""战败原因: the store's list of why deals are lost, chosen at check-out or when a
follow-up closes a deal as lost.

The list is the store's own (the manager edits it); until it is first edited the
store uses ``DEFAULTS``. The chosen text is copied onto the visit or follow-up, so
that renaming or retiring an entry later never rewrites what was recorded, and the
dashboard can count reasons by their text.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import LostReason, Role
from showroom.errors import PermissionDenied, ValidationError
from showroom.services import audit
from showroom.users import StaffUser

DEFAULTS = ("价格太高", "车况不满意", "已在别处购买", "暂不购车", "贷款未通过", "联系不上", "其他")
MAX_LENGTH = 40
MAX_ENTRIES = 30


def list_reasons(session: Session, store_id: uuid.UUID) -> tuple[str, ...]:
    """The store's active reasons in their order; the defaults for a store that never
    edited its list."""
    rows = session.execute(
        select(LostReason.label, LostReason.active)
        .where(LostReason.store_id == store_id)
        .order_by(LostReason.position, LostReason.label)
    ).all()
    if not rows:
        return DEFAULTS
    return tuple(label for label, active in rows if active)


def check(session: Session, store_id: uuid.UUID, text: str | None) -> str | None:
    """The reason as stored, or None when none was chosen; one not on the list is refused."""
    if text is None or not text.strip():
        return None
    label = text.strip()
    if label not in list_reasons(session, store_id):
        raise ValidationError(
            "lost_reason.unknown",
            f"“{label}”不在本店的战败原因列表中，请从列表中选择。",
            label=label,
        )
    return label


def save_reasons(session: Session, user: StaffUser, labels: list[str]) -> tuple[str, ...]:
    """The manager's list, in order; entries left out are retired, not deleted."""
    if not user.has_role(Role.MANAGER):
        raise PermissionDenied("lost_reason.denied", "只有店长可以修改战败原因列表。")
    wanted = [label.strip() for label in labels if label.strip()]
    if not wanted:
        raise ValidationError("lost_reason.empty", "战败原因列表至少要有一项。")
    if len(wanted) > MAX_ENTRIES:
        raise ValidationError(
            "lost_reason.too_many", f"战败原因最多 {MAX_ENTRIES} 项。", limit=MAX_ENTRIES
        )
    for label in wanted:
        if len(label) > MAX_LENGTH:
            raise ValidationError(
                "lost_reason.too_long",
                f"“{label}”太长：每项最多 {MAX_LENGTH} 个字。",
                label=label,
                limit=MAX_LENGTH,
            )
    seen: set[str] = set()
    for label in wanted:
        if label in seen:
            raise ValidationError("lost_reason.duplicate", f"“{label}”重复了。", label=label)
        seen.add(label)
    before = list_reasons(session, user.store_id)
    existing = {
        row.label: row
        for row in session.scalars(
            select(LostReason).where(LostReason.store_id == user.store_id).with_for_update()
        )
    }
    for position, label in enumerate(wanted):
        row = existing.get(label)
        if row is None:
            session.add(
                LostReason(store_id=user.store_id, label=label, position=position, active=True)
            )
        elif (row.position, row.active) != (position, True):
            row.position, row.active = position, True
    for label, row in existing.items():
        if label not in seen and row.active:
            row.active = False
    session.flush()
    after = tuple(wanted)
    if after != before:
        audit.record(
            session,
            user.actor,
            "lost_reasons_set",
            "store",
            user.store_id,
            {"from": list(before), "to": list(after)},
        )
    return after
