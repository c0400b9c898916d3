"""投诉: a complaint has an owner and a deadline, and ends with how it was resolved.

Anyone at a desk records a complaint (who, about what: the car, a member of
staff, the paperwork, the price, the service), numbered from the store's
counter. It gets an owner (the person recording it unless another is chosen)
and a response deadline ``complaint_response_hours`` after it was received
(setting, 24 h by default). The manager hands it over to someone else; the
owner or the manager closes it with the resolution and, when the customer gives
one, a satisfaction score 1..5. An open complaint past its deadline is overdue:
the complaint list puts those first and the manager's home screen names them.

The database checks the vocabulary, that the deadline follows receipt and that
a resolved complaint says how and when (migration 0019).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from sqlalchemy import case, select
from sqlalchemy.orm import Session, aliased

from db import locks
from db.base import as_utc
from db.models import Complaint, Contract, Customer, Role, Staff, Vehicle
from showroom import numbering
from showroom.clock import utcnow
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.privacy import mask_name, mask_phone
from showroom.services import audit
from showroom.users import StaffUser

DEFAULT_RESPONSE_HOURS = 24
TOPIC_LABELS: dict[str, str] = {
    "car": "车辆问题",
    "staff": "员工服务",
    "paperwork": "手续证件",
    "price": "价格费用",
    "service": "售后服务",
    "other": "其他",
}
STATUS_LABELS = {"open": "处理中", "resolved": "已处理"}
MAX_TEXT = 2000


@dataclass(frozen=True)
class ComplaintInput:
    customer_id: uuid.UUID
    topic: str
    description: str
    owner_id: uuid.UUID | None = None  # None: the person recording it
    vehicle_id: uuid.UUID | None = None
    contract_id: uuid.UUID | None = None
    staff_id: uuid.UUID | None = None  # the member of staff complained about


@dataclass(frozen=True)
class RecordedComplaint:
    id: uuid.UUID
    complaint_no: str
    due_at: datetime
    owner_name: str


@dataclass(frozen=True)
class ComplaintRow:
    id: uuid.UUID
    complaint_no: str
    received_at: datetime
    due_at: datetime
    customer_id: uuid.UUID
    customer_name: str  # masked
    phone_masked: str
    topic: str
    about: str  # the car (stock no.) or the contract no., when named
    description: str
    owner_id: uuid.UUID
    owner_name: str
    status: str
    resolution: str
    resolved_at: datetime | None
    satisfaction: int | None
    overdue: bool

    @property
    def topic_label(self) -> str:
        return TOPIC_LABELS.get(self.topic, self.topic)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


def _text(value: str, code: str, missing: str) -> str:
    text = value.strip()
    if not text:
        raise ValidationError(code, missing)
    if len(text) > MAX_TEXT:
        raise ValidationError(
            "text.too_long",
            f"这一项最多 {MAX_TEXT} 个字（现在 {len(text)} 个），请删减后再保存。",
            limit=MAX_TEXT,
            length=len(text),
        )
    return text


def _staff_of_store(session: Session, staff_id: uuid.UUID, store_id: uuid.UUID) -> Staff:
    staff = session.get(Staff, staff_id)
    if staff is None or staff.store_id != store_id or not staff.active:
        raise ValidationError("complaint.owner_unknown", "所选负责人不在本店或已停用，请重新选择。")
    return staff


def record(
    session: Session,
    user: StaffUser,
    data: ComplaintInput,
    *,
    response_hours: int = DEFAULT_RESPONSE_HOURS,
    now: datetime | None = None,
    zone: tzinfo = UTC,
) -> RecordedComplaint:
    """Number and save a complaint with its owner and deadline."""
    at = as_utc(now or utcnow())
    if data.topic not in TOPIC_LABELS:
        raise ValidationError("complaint.topic", "请选择投诉的类别。")
    description = _text(data.description, "complaint.description_missing", "请写明投诉的内容。")
    if not 1 <= response_hours <= 336:
        raise ValidationError("complaint.hours", "投诉响应时限应在 1 到 336 小时之间。")
    customer = locks.lock_customer(session, data.customer_id)  # first lock (db.locks)
    if customer is None:
        raise NotFoundError("complaint.customer_unknown", "没有找到这位客户，请重新查找。")
    owner = _staff_of_store(session, data.owner_id or user.id, user.store_id)
    if data.staff_id is not None:
        _staff_of_store(session, data.staff_id, user.store_id)
    if data.vehicle_id is not None and session.get(Vehicle, data.vehicle_id) is None:
        raise NotFoundError("vehicle.not_found", "没有找到这辆车，可能已被删除。")
    if data.contract_id is not None:
        contract = session.get(Contract, data.contract_id)
        if contract is None:
            raise NotFoundError("contract.not_found", "没有找到这份合同。")
    complaint = Complaint(
        store_id=user.store_id,
        complaint_no=numbering.next_complaint_no(
            session, user.store_code, at.astimezone(zone).year
        ),
        customer_id=customer.id,
        topic=data.topic,
        vehicle_id=data.vehicle_id,
        contract_id=data.contract_id,
        staff_id=data.staff_id,
        description=description,
        owner_id=owner.id,
        received_at=at,
        due_at=at + timedelta(hours=response_hours),
        status="open",
    )
    session.add(complaint)
    session.flush()
    audit.record(
        session,
        user.actor,
        "complaint_recorded",
        "complaint",
        complaint.id,
        {"complaint_no": complaint.complaint_no, "topic": data.topic, "owner": owner.username},
    )
    return RecordedComplaint(
        complaint.id, complaint.complaint_no, complaint.due_at, owner.display_name
    )


def _complaint(session: Session, complaint_id: uuid.UUID) -> Complaint:
    locks.lock_customer_of(session, Complaint, complaint_id)
    complaint = session.scalars(
        select(Complaint)
        .where(Complaint.id == complaint_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if complaint is None:
        raise NotFoundError("complaint.not_found", "没有找到这条投诉。")
    return complaint


def _open(complaint: Complaint) -> None:
    if complaint.status != "open":
        raise ConflictError(
            "complaint.closed",
            f"投诉 {complaint.complaint_no} 已经处理完毕（可能是另一台电脑刚刚完成），请刷新。",
            complaint_no=complaint.complaint_no,
        )


def reassign(
    session: Session,
    user: StaffUser,
    complaint_id: uuid.UUID,
    owner_id: uuid.UUID,
) -> str:
    """Hand an open complaint to another member of staff (manager or its owner)."""
    complaint = _complaint(session, complaint_id)
    _open(complaint)
    if not user.has_role(Role.MANAGER) and complaint.owner_id != user.id:
        raise PermissionDenied(
            "complaint.reassign_denied", "只有店长或这条投诉的负责人可以转交投诉。"
        )
    owner = _staff_of_store(session, owner_id, complaint.store_id)
    complaint.owner_id = owner.id
    session.flush()
    audit.record(
        session,
        user.actor,
        "complaint_reassigned",
        "complaint",
        complaint.id,
        {"complaint_no": complaint.complaint_no, "owner": owner.username},
    )
    return owner.display_name


def resolve(
    session: Session,
    user: StaffUser,
    complaint_id: uuid.UUID,
    resolution: str,
    satisfaction: int | None,
    *,
    now: datetime | None = None,
) -> None:
    """Close a complaint with how it was resolved (owner or manager)."""
    text = _text(resolution, "complaint.resolution_missing", "请写明处理结果。")
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise ValidationError("complaint.satisfaction", "满意度请选择 1 到 5 分，或留空。")
    complaint = _complaint(session, complaint_id)
    _open(complaint)
    if not user.has_role(Role.MANAGER) and complaint.owner_id != user.id:
        raise PermissionDenied(
            "complaint.resolve_denied", "只有店长或这条投诉的负责人可以登记处理结果。"
        )
    complaint.status = "resolved"
    complaint.resolution = text
    complaint.resolved_at = as_utc(now or utcnow())
    complaint.resolved_by_id = user.id
    complaint.satisfaction = satisfaction
    session.flush()
    audit.record(
        session,
        user.actor,
        "complaint_resolved",
        "complaint",
        complaint.id,
        {
            "complaint_no": complaint.complaint_no,
            "satisfaction": satisfaction,
            "late": complaint.resolved_at > as_utc(complaint.due_at),
        },
    )


def list_complaints(
    session: Session,
    store_id: uuid.UUID,
    *,
    now: datetime,
    open_only: bool = False,
    overdue_only: bool = False,
    customer_id: uuid.UUID | None = None,
    limit: int = 500,
) -> list[ComplaintRow]:
    """Overdue first, then open by deadline, then resolved newest first."""
    at = as_utc(now)
    owner = aliased(Staff)
    late = (Complaint.status == "open") & (Complaint.due_at < at)
    stmt = (
        select(Complaint, Customer.name, Customer.phone, owner.display_name, Vehicle.stock_no)
        .join(Customer, Customer.id == Complaint.customer_id)
        .join(owner, owner.id == Complaint.owner_id)
        .outerjoin(Vehicle, Vehicle.id == Complaint.vehicle_id)
        .where(Complaint.store_id == store_id)
        .order_by(
            case((late, 0), (Complaint.status == "open", 1), else_=2),
            case((Complaint.status == "open", Complaint.due_at), else_=None),
            Complaint.received_at.desc(),
        )
        .limit(limit)
    )
    if open_only or overdue_only:
        stmt = stmt.where(Complaint.status == "open")
    if overdue_only:
        stmt = stmt.where(Complaint.due_at < at)
    if customer_id is not None:
        stmt = stmt.where(Complaint.customer_id == customer_id)
    contract_nos = dict(
        session.execute(
            select(Contract.id, Contract.contract_no).where(
                Contract.id.in_(
                    select(Complaint.contract_id).where(
                        Complaint.store_id == store_id, Complaint.contract_id.is_not(None)
                    )
                )
            )
        ).all()
    )
    rows = []
    for c, name, phone, owner_name, stock_no in session.execute(stmt):
        about = " ".join(
            part for part in (stock_no or "", contract_nos.get(c.contract_id, "")) if part
        )
        rows.append(
            ComplaintRow(
                c.id,
                c.complaint_no,
                as_utc(c.received_at),
                as_utc(c.due_at),
                c.customer_id,
                mask_name(name),
                mask_phone(phone) if phone else "",
                c.topic,
                about,
                c.description,
                c.owner_id,
                owner_name,
                c.status,
                c.resolution,
                as_utc(c.resolved_at) if c.resolved_at else None,
                c.satisfaction,
                c.status == "open" and as_utc(c.due_at) < at,
            )
        )
    return rows


def overdue(session: Session, store_id: uuid.UUID, now: datetime) -> list[ComplaintRow]:
    """Open complaints past their deadline (the manager's home screen)."""
    return list_complaints(session, store_id, now=now, overdue_only=True, limit=50)


@dataclass(frozen=True)
class StaffChoice:
    id: uuid.UUID
    name: str


def owners(session: Session, store_id: uuid.UUID) -> list[StaffChoice]:
    """Who may own a complaint: the store's active staff, by name."""
    return [
        StaffChoice(s.id, s.display_name)
        for s in session.scalars(
            select(Staff)
            .where(Staff.store_id == store_id, Staff.active.is_(True))
            .order_by(Staff.display_name)
        )
    ]
