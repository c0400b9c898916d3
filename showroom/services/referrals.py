"""老带新: who referred whom, and the reward (an amount or a gift), promised then paid.

A referral is recorded by a consultant or the manager, on either customer's record;
both records show it. A customer has one referrer, nobody refers themselves, and
the reward's shape (an amount above zero, or a gift named, or none) is kept by the
service and by CHECKs (migration 0019). Paying a reward is money leaving the store:
the manager only, once, audit-logged with the amount.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from db import locks
from db.models import Customer, Referral, Role
from showroom.clock import utcnow
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.services import audit
from showroom.users import StaffUser

AMOUNT, GIFT, NONE = "amount", "gift", "none"
PROMISED, PAID = "promised", "paid"
MAX_AMOUNT = Decimal("100000")
MAX_GIFT = 100
MAX_NOTE = 200


@dataclass(frozen=True)
class ReferralLine:
    """One referral as a record shows it: the other customer and the reward."""

    id: uuid.UUID
    referrer_id: uuid.UUID
    referrer_name: str
    referred_id: uuid.UUID
    referred_name: str
    reward_kind: str
    reward_amount: Decimal | None
    reward_gift: str
    reward_status: str
    paid_at: datetime | None
    note: str
    created_at: datetime


def _amount(value: Decimal | str | None) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if value is not None else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationError("referral.amount_invalid", "请输入奖励金额，例如 500 或 500.00。")
    if amount <= 0 or amount > MAX_AMOUNT:
        raise ValidationError(
            "referral.amount_range",
            f"奖励金额应大于 0、不超过 {MAX_AMOUNT:,} 元。",
            limit=f"{MAX_AMOUNT:,}",
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError("referral.amount_cents", "奖励金额最多两位小数（精确到分）。")
    return amount.quantize(Decimal("0.01"))


def record(
    session: Session,
    user: StaffUser,
    referrer_id: uuid.UUID,
    referred_id: uuid.UUID,
    *,
    reward_kind: str = NONE,
    amount: Decimal | str | None = None,
    gift: str = "",
    note: str = "",
) -> uuid.UUID:
    """Record that ``referrer_id`` referred ``referred_id``, with the reward promised."""
    if not user.has_any(Role.SALES, Role.MANAGER):
        raise PermissionDenied("referral.denied", "只有销售顾问和店长可以登记推荐。")
    if referrer_id == referred_id:
        raise ValidationError("referral.self", "客户不能推荐自己。")
    if reward_kind not in (AMOUNT, GIFT, NONE):
        raise ValidationError("referral.reward_kind", "请选择奖励方式。")
    value = _amount(amount) if reward_kind == AMOUNT else None
    gift_text = gift.strip() if reward_kind == GIFT else ""
    if reward_kind == GIFT and not gift_text:
        raise ValidationError("referral.gift_missing", "请写明赠送的礼品。")
    if len(gift_text) > MAX_GIFT:
        raise ValidationError(
            "referral.gift_too_long", f"礼品最多 {MAX_GIFT} 个字。", limit=MAX_GIFT
        )
    note_text = note.strip()
    if len(note_text) > MAX_NOTE:
        raise ValidationError(
            "referral.note_too_long", f"备注最多 {MAX_NOTE} 个字。", limit=MAX_NOTE
        )
    found = locks.lock_customers(session, [referrer_id, referred_id], locks.SHARE)
    for cid in (referrer_id, referred_id):
        customer = found.get(cid)
        if customer is None or customer.deleted_at is not None:
            raise NotFoundError("customer.not_found", "客户不存在或已被合并。")
    existing = session.scalar(select(Referral.id).where(Referral.referred_id == referred_id))
    if existing is not None:
        raise ConflictError("referral.already", "这位客户已经登记过推荐人。")
    referral = Referral(
        store_id=user.store_id,
        referrer_id=referrer_id,
        referred_id=referred_id,
        reward_kind=reward_kind,
        reward_amount=value,
        reward_gift=gift_text,
        reward_status=NONE if reward_kind == NONE else PROMISED,
        note=note_text,
        created_by_id=user.id,
    )
    try:
        with session.begin_nested():  # another PC may have recorded the same person just now
            session.add(referral)
            session.flush()
    except IntegrityError:
        raise ConflictError("referral.already", "这位客户已经登记过推荐人。") from None
    audit.record(
        session,
        user.actor,
        "referral_recorded",
        "referral",
        referral.id,
        {
            "referrer": str(referrer_id),
            "referred": str(referred_id),
            "reward": reward_kind,
            "amount": str(value) if value is not None else None,
            "gift": gift_text or None,
        },
    )
    return referral.id


def mark_paid(
    session: Session, user: StaffUser, referral_id: uuid.UUID, *, now: datetime | None = None
) -> ReferralLine:
    """The reward was handed over (manager only, once)."""
    if not user.has_role(Role.MANAGER):
        raise PermissionDenied("referral.pay_denied", "只有店长可以登记推荐奖励已兑现。")
    referral = session.get(Referral, referral_id, with_for_update=True, populate_existing=True)
    if referral is None:
        raise NotFoundError("referral.not_found", "这条推荐记录不存在。")
    if referral.reward_status == NONE:
        raise ConflictError("referral.no_reward", "这条推荐没有约定奖励。")
    if referral.reward_status == PAID:
        raise ConflictError("referral.already_paid", "这笔推荐奖励已经兑现过了。")
    referral.reward_status = PAID
    referral.paid_at = now or utcnow()
    referral.paid_by_id = user.id
    session.flush()
    audit.record(
        session,
        user.actor,
        "referral_reward_paid",
        "referral",
        referral.id,
        {
            "amount": str(referral.reward_amount) if referral.reward_amount else None,
            "gift": referral.reward_gift or None,
        },
    )
    return lines(session, referral.referred_id)[0]


def lines(session: Session, customer_id: uuid.UUID) -> list[ReferralLine]:
    """The customer's referrals: who referred them (first) and whom they referred."""
    referrer, referred = aliased(Customer), aliased(Customer)
    rows = session.execute(
        select(Referral, referrer.name, referred.name)
        .join(referrer, referrer.id == Referral.referrer_id)
        .join(referred, referred.id == Referral.referred_id)
        .where(or_(Referral.referrer_id == customer_id, Referral.referred_id == customer_id))
        .order_by((Referral.referred_id != customer_id), Referral.created_at, Referral.id)
    ).all()
    return [
        ReferralLine(
            id=r.id,
            referrer_id=r.referrer_id,
            referrer_name=referrer_name,
            referred_id=r.referred_id,
            referred_name=referred_name,
            reward_kind=r.reward_kind,
            reward_amount=r.reward_amount,
            reward_gift=r.reward_gift,
            reward_status=r.reward_status,
            paid_at=r.paid_at,
            note=r.note,
            created_at=r.created_at,
        )
        for r, referrer_name, referred_name in rows
    ]
