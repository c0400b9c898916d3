"""Requests under the Personal Information Protection Law (PIPL), and the retention rule.

What a customer may ask, handled by the store manager, each audited without the
personal data itself:

- ``withdraw_marketing``: the marketing consent ends now. A refusal is recorded as
  a consent row of its own (the history shows what was agreed and when it
  stopped), and the open sales follow-ups (calls after a visit, not the after-sales
  calls of a contract and not a deposit's expiry reminder) are closed at once, so
  nobody calls to sell again; ``may_contact_for_marketing`` is the one question any
  later marketing list must ask.
- ``export_customer``: everything stored about the customer, as JSON-plain data and
  as a readable paper (a ``Document`` the UI renders to PDF). Neither is archived in
  the database: the copy is the customer's.
- ``erase_customer``: the person is removed from everything that is not a legal
  record. Kept as the law requires: contracts (with their papers and signatures),
  deposits and their receipts (accounting records), and signed test-drive
  agreements with the licence checked for them (liability for the car). Everything
  else is anonymised: the customer row (name, phone, ID number, budget, notes...),
  visit notes, contact summaries, follow-up results, plates and VINs of cars brought
  to an inspection day, licence data of drives that never left; registration slips
  and inspection reports of their cars are deleted with their PDFs. The row stays,
  retired (``anonymised_at``), so the legal records still point at something.
  Refused while anything is open (a car reserved, a draft contract, a booking, a
  seat, a visit in progress): those are settled first.
- ``purge_expired``: the retention rule (setting ``retention_years``). A customer who
  never signed a contract and has not been heard from for that many years loses
  their visits (and the follow-ups that hung on them) and is anonymised as above.
  Kiosk arrivals go with the visits (``PURGED_WITH_VISITS``); the purge's anonymisation
  removes the customer's leads and their contacts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import delete, func, or_, select, union_all, update
from sqlalchemy.orm import Session

from db import locks
from db.models import (
    Complaint,
    Consent,
    ConsentPurpose,
    Contract,
    ContractStatus,
    Customer,
    CustomerTagLink,
    Deposit,
    DepositStatus,
    DocumentKind,
    FollowUp,
    FollowUpStatus,
    GradeChange,
    Inspection,
    Interaction,
    InteractionChannel,
    KioskArrival,
    Lead,
    Media,
    Referral,
    Registration,
    RegistrationStatus,
    ReminderLog,
    Role,
    SourceChannel,
    Staff,
    TestDrive,
    TestDriveStatus,
    Title,
    VehiclePurchase,
    VehicleReturn,
    Visit,
    VisitOutcome,
    VisitPurpose,
    VisitStatus,
    WarrantyClaim,
)
from db.models import Document as DocumentRow
from showroom.clock import utcnow
from showroom.documents.archive import KIND_LABELS
from showroom.documents.model import Document, Field, Letterhead, Section, Table
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.privacy import redact
from showroom.services import audit, contracts, deposits, inspection_day, test_drives
from showroom.services.reception import CONSENT_TEXT_VERSION
from showroom.users import Actor, StaffUser

# Who may act on a privacy request. Widen here (e.g. reception for withdrawals) if the
# store wants withdrawals taken at the desk: PIPL asks that withdrawing be easy.
MAY_HANDLE_PRIVACY_REQUESTS = frozenset({Role.MANAGER})
ERASED_NAME = "已删除客户"
ERASED_TEXT = "（内容已按客户要求删除）"
ERASED_TEXT = "（已删除）"
# Follow-ups that sell (a call after a visit, or one planned from such a call). After-sales
# calls carry their contract; a deposit's expiry reminder is part of that transaction.
EXPIRY_REASON = "deposit_expiry"
# Rows removed by the retention rule together with a never-buying customer's visits.
PURGED_WITH_VISITS: tuple[Any, ...] = (Visit, KioskArrival)
EXPORT_KIND = "personal_data_export"
MAX_REASON = 200
PURGE_BATCH = 500  # customers per run of the retention rule (one transaction)


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentWithdrawn:
    customer_id: uuid.UUID
    at: datetime
    follow_ups_stopped: int


@dataclass(frozen=True)
class CustomerExport:
    """``data`` is JSON-plain (str, int, bool, None, lists, dicts); ``paper`` renders to PDF."""

    customer_id: uuid.UUID
    data: dict[str, Any]
    paper: Document
    file_stem: str  # e.g. "个人信息-张伟-20261124"


@dataclass(frozen=True)
class ErasureResult:
    customer_id: uuid.UUID
    kept: dict[str, int]  # legal records kept, by kind
    anonymised: dict[str, int]  # rows anonymised or removed, by kind
    audit_seq: int


@dataclass(frozen=True)
class PurgeResult:
    cutoff: datetime
    customers: tuple[uuid.UUID, ...]
    visits: int
    follow_ups: int
    dry_run: bool = False
    kept: dict[str, int] = field(default_factory=dict)
    leads: int = 0  # leads received before the cutoff that never became a customer


# --- helpers ------------------------------------------------------------------------------


def _require_handler(user: StaffUser) -> None:
    if not user.has_any(*MAY_HANDLE_PRIVACY_REQUESTS):
        raise PermissionDenied(
            "privacy.manager_only", "个人信息的撤回、导出和删除请求只能由店长办理。"
        )


def _now(now: datetime | None) -> datetime:
    return (now or utcnow()).astimezone(UTC)


def _latest_marketing(session: Session, customer_id: uuid.UUID) -> Consent | None:
    return session.scalars(
        select(Consent)
        .where(Consent.customer_id == customer_id, Consent.purpose == ConsentPurpose.MARKETING)
        .order_by(Consent.recorded_at.desc(), Consent.created_at.desc())
        .limit(1)
    ).first()


def may_contact_for_marketing(session: Session, customer_id: uuid.UUID) -> bool:
    """Whether this customer's latest word on marketing is yes (and they are on file)."""
    customer = session.get(Customer, customer_id)
    if customer is None or customer.deleted_at is not None:
        return False
    latest = _latest_marketing(session, customer_id)
    return bool(latest and latest.granted)


def _selling_follow_ups(session: Session, customer_id: uuid.UUID) -> list[FollowUp]:
    return list(
        session.scalars(
            select(FollowUp).where(
                FollowUp.customer_id == customer_id,
                FollowUp.status == FollowUpStatus.OPEN,
                FollowUp.contract_id.is_(None),
                FollowUp.reason != EXPIRY_REASON,
            )
        )
    )


# --- withdrawing the marketing consent ----------------------------------------------------


def withdraw_marketing(
    session: Session,
    user: StaffUser,
    customer_id: uuid.UUID,
    *,
    channel: str = "desk",
    now: datetime | None = None,
) -> ConsentWithdrawn:
    """The customer no longer wants offers: recorded now, sales calls stop now."""
    _require_handler(user)
    at = _now(now)
    customer = locks.lock_customer(session, customer_id, follow_merges=False)
    if customer is None:
        raise NotFoundError("customer.not_found", "客户不存在或已被合并。")
    latest = _latest_marketing(session, customer.id)
    if latest is None or not latest.granted:
        raise ConflictError(
            "privacy.no_marketing_consent",
            "该客户没有同意接收营销信息，无需撤回；本店本就不得向其推销。",
        )
    session.add(
        Consent(
            customer_id=customer.id,
            purpose=ConsentPurpose.MARKETING,
            granted=False,
            text_version=CONSENT_TEXT_VERSION,
            recorded_at=at,
            recorded_by_id=user.id,
            channel=channel,
        )
    )
    stopped = _selling_follow_ups(session, customer.id)
    for follow_up in stopped:
        follow_up.status = FollowUpStatus.SKIPPED
        follow_up.result = "客户撤回营销同意，停止营销回访"
        follow_up.done_at = at
    session.flush()
    audit.record(
        session,
        user.actor,
        "marketing_consent_withdrawn",
        "customer",
        customer.id,
        {"channel": channel, "follow_ups_stopped": len(stopped)},
    )
    return ConsentWithdrawn(customer.id, at, len(stopped))


# --- export -------------------------------------------------------------------------------


def _day(value: datetime | date | None, zone: tzinfo) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _text(value: object, labels: dict[Any, str] | None = None) -> str:
    """A stored value as the customer reads it: the Chinese word for a code."""
    if value is None:
        return ""
    if labels is not None and value in labels:
        return labels[value]
    return str(getattr(value, "value", value))


# The paper is the customer's: codes become words (the screens' labels live in ui/).
_SOURCES = {
    SourceChannel.WALK_IN: "自然到店",
    SourceChannel.ONLINE_BOOKING: "网上预约",
    SourceChannel.REFERRAL: "朋友介绍",
    SourceChannel.SHORT_VIDEO: "短视频",
    SourceChannel.LISTING_PLATFORM: "二手车平台",
    SourceChannel.PHONE: "电话咨询",
    SourceChannel.OTHER: "其他",
}
_PURPOSES = {
    VisitPurpose.BUY: "看车买车",
    VisitPurpose.SELL: "卖车",
    VisitPurpose.TRADE_IN: "置换",
    VisitPurpose.TEST_DRIVE: "试驾",
    VisitPurpose.INSPECTION_DAY: "透明检测日",
    VisitPurpose.AFTER_SALES: "售后",
    VisitPurpose.OTHER: "其他",
}
_OUTCOMES = {
    VisitOutcome.DEAL: "成交",
    VisitOutcome.DEPOSIT: "交意向金",
    VisitOutcome.FOLLOW_UP: "待跟进",
    VisitOutcome.NO_INTEREST: "无意向",
}
_CONTACTS = {
    InteractionChannel.IN_STORE: "到店",
    InteractionChannel.PHONE: "电话",
    InteractionChannel.WECHAT: "微信",
    InteractionChannel.SMS: "短信",
    InteractionChannel.OTHER: "其他",
}
_FOLLOW_UP_STATES = {
    FollowUpStatus.OPEN: "待回访",
    FollowUpStatus.DONE: "已完成",
    FollowUpStatus.SKIPPED: "已取消",
}
_FOLLOW_UP_REASONS = {
    "visit": "到店后回访",
    "follow_up": "约定的再次回访",
    "test_drive": "试驾后回访",
    "lead": "新线索跟进",
    "grade": "意向等级调整后回访",
    "cadence": "按等级定期回访",
    "no_show": "预约未到，联系改约",
    EXPIRY_REASON: "意向金到期提醒",
    "contract_3d": "成交 3 天回访",
    "contract_1m": "成交 1 个月回访",
    "contract_3m": "成交 3 个月回访",
    "contract_6m": "成交 6 个月回访",
    "contract_12m": "成交 12 个月回访",
}
_CHANNELS = {"desk": "门店前台", "kiosk": "店内自助机", "inspection_day": "检测日"}


def export_customer(
    session: Session,
    user: StaffUser,
    customer_id: uuid.UUID,
    *,
    zone: tzinfo,
    store_name: str = "",
    now: datetime | None = None,
) -> CustomerExport:
    """Everything stored about one customer, for the customer (audited, not archived)."""
    _require_handler(user)
    at = _now(now)
    customer = session.get(Customer, customer_id)
    if customer is None or customer.deleted_at is not None:
        raise NotFoundError("customer.not_found", "客户不存在或已被合并。")
    names = {row[0]: row[1] for row in session.execute(select(Staff.id, Staff.display_name))}

    def staff(staff_id: uuid.UUID | None) -> str:
        return names.get(staff_id, "") if staff_id else ""

    def rows(model: Any, order: Any) -> list[Any]:
        return list(
            session.scalars(select(model).where(model.customer_id == customer.id).order_by(order))
        )

    profile = {
        "姓名": customer.name,
        "称呼": {Title.MR: "先生", Title.MS: "女士"}.get(customer.title, ""),
        "手机号": customer.phone,
        "身份证号": customer.id_number or "",
        "来源渠道": _text(customer.source_channel, _SOURCES),
        "建档时间": _day(customer.created_at, zone),
        "负责顾问": staff(customer.owner_id),
        "意向等级": _text(customer.intent_grade),
        "预算下限": _text(customer.budget_min),
        "预算上限": _text(customer.budget_max),
        "用途": customer.intended_use,
        "意向车型": customer.preferred_models,
        "购车周期": customer.decision_cycle,
        "备注": customer.notes,
    }
    sections: dict[str, list[dict[str, str]]] = {
        "同意记录": [
            {
                "时间": _day(c.recorded_at, zone),
                "用途": {"service": "办理业务", "marketing": "营销联系"}[c.purpose.value],
                "是否同意": "同意" if c.granted else "不同意/撤回",
                "文本版本": c.text_version,
                "渠道": _CHANNELS.get(c.channel, c.channel),
            }
            for c in rows(Consent, Consent.recorded_at)
        ],
        "到店记录": [
            {
                "到店号": v.visit_no,
                "时间": _day(v.arrived_at, zone),
                "目的": _text(v.purpose, _PURPOSES),
                "接待顾问": staff(v.consultant_id),
                "结果": _text(v.outcome, _OUTCOMES),
                "备注": v.notes,
            }
            for v in rows(Visit, Visit.arrived_at)
        ],
        "试驾": [
            {
                "预约码": d.booking_code,
                "时段": _day(d.slot_start, zone),
                "状态": _text(d.status, test_drives.STATUS_LABELS),
                "驾驶证号": d.licence_number or "",
                "驾驶证姓名": d.licence_name or "",
                "准驾车型": d.licence_class or "",
                "试驾反馈": d.feedback,
            }
            for d in rows(TestDrive, TestDrive.slot_start)
        ],
        "检测日报名": [
            {
                "报名码": r.booking_code,
                "状态": _text(r.status, inspection_day.STATUS_LABELS),
                "车牌": r.plate,
                "车架号": r.vin or "",
                "车辆": " ".join(p for p in (r.brand, r.model) if p),
                "关注问题": r.concerns,
            }
            for r in rows(Registration, Registration.created_at)
        ],
        "意向金": [
            {
                "收据号": d.receipt_no,
                "金额": f"{d.amount:.2f}",
                "状态": _text(d.status, deposits.STATUS_LABELS),
                "收取时间": _day(d.taken_at, zone),
                "结清时间": _day(d.closed_at, zone),
            }
            for d in rows(Deposit, Deposit.taken_at)
        ],
        "合同": [
            {
                "合同号": c.contract_no,
                "类型": _text(c.kind, contracts.KIND_LABELS),
                "状态": _text(c.status, contracts.STATUS_LABELS),
                "成交价": f"{c.price:.2f}" if c.price is not None else "",
                "买受人身份证号": c.buyer_id_number or "",
                "签订时间": _day(c.signed_at, zone),
            }
            for c in rows(Contract, Contract.created_at)
        ],
        "沟通记录": [
            {
                "时间": _day(i.at, zone),
                "方式": _text(i.channel, _CONTACTS),
                "员工": staff(i.staff_id),
                "内容": i.summary,
            }
            for i in rows(Interaction, Interaction.at)
        ],
        "回访": [
            {
                "应回访日": _day(f.due_on, zone),
                "事由": _FOLLOW_UP_REASONS.get(f.reason, f.reason),
                "状态": _text(f.status, _FOLLOW_UP_STATES),
                "结果": f.result,
                **({"战败原因": f.lost_reason} if f.lost_reason else {}),
                **(
                    {"满意度": f.satisfaction, "评价": f.satisfaction_comment or ""}
                    if f.satisfaction is not None
                    else {}
                ),
            }
            for f in rows(FollowUp, FollowUp.due_on)
        ],
        "意向等级变化": [
            {
                "时间": _day(g.created_at, zone),
                "原等级": _text(g.old_grade),
                "新等级": _text(g.new_grade),
                "原因": g.reason,
            }
            for g in rows(GradeChange, GradeChange.created_at)
        ],
        **_after_sales_sections(rows, zone),
    }
    papers = session.execute(
        select(DocumentRow.kind, DocumentRow.number, DocumentRow.copy_no, DocumentRow.created_at)
        .where(DocumentRow.subject_id.in_(_subject_ids(session, customer.id)))
        .order_by(DocumentRow.created_at)
    ).all()
    sections["存档文件"] = [
        {
            "类型": KIND_LABELS.get(kind.value, kind.value),
            "编号": number,
            "副本": str(copy),
            "时间": _day(made, zone),
        }
        for kind, number, copy, made in papers
    ]
    data = {
        "说明": "本文件是门店保存的您的个人信息副本，依《个人信息保护法》第四十五条提供。",
        "导出时间": _day(at, zone),
        "门店": store_name,
        "客户资料": profile,
        **sections,
    }
    audit.record(
        session,
        user.actor,
        "personal_data_exported",
        "customer",
        customer.id,
        {"sections": {name: len(items) for name, items in sections.items()}},
    )
    stamp = at.astimezone(zone).strftime("%Y%m%d")
    return CustomerExport(
        customer.id, data, _export_paper(data, customer, store_name, stamp), f"个人信息-{stamp}"
    )


def _export_paper(
    data: dict[str, Any], customer: Customer, store_name: str, stamp: str
) -> Document:
    tables = []
    empty = []
    for name, items in data.items():
        if not isinstance(items, list):
            continue
        if not items:
            empty.append(name)
            continue
        columns = tuple(items[0])
        tables.append(
            Table.plain(
                f"{name}（{len(items)}）", columns, [[i[c] for c in columns] for i in items]
            )
        )
    return Document(
        kind=EXPORT_KIND,
        number=f"PI-{stamp}-{customer.id.hex[:6].upper()}",
        title="个人信息副本",
        letterhead=Letterhead(store_name),
        fields=tuple(Field(label, value or "—") for label, value in data["客户资料"].items()),
        sections=(
            Section(
                "说明",
                (
                    data["说明"],
                    f"导出时间：{data['导出时间']}",
                    *([f"没有记录的项目：{'、'.join(empty)}。"] if empty else []),
                ),
            ),
        ),
        tables=tuple(tables),
        issued=data["导出时间"],
        footer_note="此副本仅交客户本人，门店不存档。",
    )


def _after_sales_sections(rows: Any, zone: tzinfo) -> dict[str, list[dict[str, str]]]:
    """Returns, warranty claims, complaints and cars bought from the customer (issue 24)."""
    from showroom.services import complaints, warranty

    return {
        "退车": [
            {
                "退车协议号": r.return_no,
                "退车时间": _day(r.returned_at, zone),
                "原因": r.reason,
                "退车里程": str(r.mileage_km),
                "退款": f"{r.refund:.2f}",
            }
            for r in rows(VehicleReturn, VehicleReturn.returned_at)
        ],
        "保修索赔": [
            {
                "索赔单号": c.claim_no,
                "报修时间": _day(c.reported_at, zone),
                "部件": warranty.PART_LABELS.get(c.part, c.part),
                "故障现象": c.symptom,
                "结论": warranty.DECISION_LABELS.get(c.decision, c.decision),
            }
            for c in rows(WarrantyClaim, WarrantyClaim.reported_at)
        ],
        "投诉": [
            {
                "编号": c.complaint_no,
                "受理时间": _day(c.received_at, zone),
                "类别": complaints.TOPIC_LABELS.get(c.topic, c.topic),
                "内容": c.description,
                "处理结果": c.resolution,
            }
            for c in rows(Complaint, Complaint.received_at)
        ],
        "收车": [
            {
                "收车协议号": p.purchase_no,
                "状态": {"draft": "草稿", "signed": "已签订", "void": "已作废"}[p.status],
                "收购价": f"{p.price:.2f}",
                "卖方身份证号": p.seller_id_number,
            }
            for p in rows(VehiclePurchase, VehiclePurchase.created_at)
        ],
    }


def _subject_ids(session: Session, customer_id: uuid.UUID) -> list[uuid.UUID]:
    """Ids that archived papers of this customer name as their subject."""
    ids: list[uuid.UUID] = []
    for model in (
        TestDrive,
        Deposit,
        Contract,
        Registration,
        VehicleReturn,
        WarrantyClaim,
        VehiclePurchase,
    ):
        ids += session.scalars(select(model.id).where(model.customer_id == customer_id))
    ids += _inspection_ids(session, customer_id)
    return ids


def _inspection_ids(session: Session, customer_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(Inspection.id)
            .join(Registration, Registration.id == Inspection.registration_id)
            .where(Registration.customer_id == customer_id)
        )
    )


# --- erasure ------------------------------------------------------------------------------


# What still keeps a customer's personal data, by key (the UI words a key in its language).
OPEN_BUSINESS_LABELS = {
    "referral_reward": "未兑现的推荐奖励",
    "deposit": "有效的意向金（车辆仍为其保留）",
    "contract_draft": "未签订的合同草稿",
    "test_drive": "未完成的试驾预约",
    "registration": "未完成的检测日报名",
    "visit": "尚未离店的到店记录",
}


def _open_business(session: Session, customer_id: uuid.UUID) -> list[tuple[str, int]]:
    """(key of ``OPEN_BUSINESS_LABELS``, how many) of what is still open."""
    checks = (
        (Deposit, Deposit.status == DepositStatus.ACTIVE, "deposit"),
        (Contract, Contract.status == ContractStatus.DRAFT, "contract_draft"),
        (
            TestDrive,
            TestDrive.status.in_((TestDriveStatus.BOOKED, TestDriveStatus.CHECKED_OUT)),
            "test_drive",
        ),
        (
            Registration,
            Registration.status.in_(
                (
                    RegistrationStatus.SEATED,
                    RegistrationStatus.WAITLISTED,
                    RegistrationStatus.CHECKED_IN,
                )
            ),
            "registration",
        ),
        (Visit, Visit.status != VisitStatus.LEFT, "visit"),
    )
    found: list[tuple[str, int]] = []
    owed = session.scalar(
        select(func.count())
        .select_from(Referral)
        .where(Referral.referrer_id == customer_id, Referral.reward_status == "promised")
    )
    if owed:
        found.append(("referral_reward", owed))
    for model, condition, key in checks:
        count = session.scalar(
            select(func.count())
            .select_from(model)
            .where(model.customer_id == customer_id, condition)
        )
        if count:
            found.append((key, count))
    return found


def _drop_papers(
    session: Session, kinds: tuple[DocumentKind, ...], subjects: list[uuid.UUID]
) -> int:
    """Delete archived papers (every copy) and their PDFs, which only papers reference."""
    if not subjects:
        return 0
    rows = session.execute(
        select(DocumentRow.id, DocumentRow.pdf_sha).where(
            DocumentRow.kind.in_(kinds), DocumentRow.subject_id.in_(subjects)
        )
    ).all()
    if not rows:
        return 0
    session.execute(delete(DocumentRow).where(DocumentRow.id.in_([r.id for r in rows])))
    shas = {r.pdf_sha for r in rows}
    still = set(session.scalars(select(DocumentRow.pdf_sha).where(DocumentRow.pdf_sha.in_(shas))))
    session.execute(delete(Media).where(Media.sha256.in_(shas - still)))
    return len(rows)


def _anonymise(session: Session, customer: Customer, at: datetime) -> dict[str, int]:
    """Remove the person from everything but the legal records (see the module docstring)."""
    done: dict[str, int] = {}
    cid = customer.id
    for name in ("title", "id_number", "owner_id", "owner_since", "intent_grade"):
        setattr(customer, name, Title.NONE if name == "title" else None)
    customer.name = ERASED_NAME
    customer.phone = ""
    customer.budget_min = customer.budget_max = None
    customer.intended_use = customer.preferred_models = customer.decision_cycle = ""
    customer.preferred_brands = customer.company_name = ""
    customer.phone2 = None
    customer.payment_preference = None
    customer.notes = ""
    customer.anonymised_at = at
    customer.deleted_at = customer.deleted_at or at

    visits = list(session.scalars(select(Visit).where(Visit.customer_id == cid)))
    for visit in visits:
        visit.notes = ""
    done["visits"] = len(visits)
    # Leads hold the number, the name and what was said: they go, with their contacts.
    lead_ids = list(session.scalars(select(Lead.id).where(Lead.customer_id == cid)))
    interactions = session.execute(
        delete(Interaction).where(
            (Interaction.customer_id == cid) | Interaction.lead_id.in_(lead_ids)
        )
    )
    done["interactions"] = interactions.rowcount or 0
    if lead_ids:
        session.execute(delete(Lead).where(Lead.id.in_(lead_ids)))
    done["leads"] = len(lead_ids)
    session.execute(delete(CustomerTagLink).where(CustomerTagLink.customer_id == cid))
    arrivals = session.execute(delete(KioskArrival).where(KioskArrival.customer_id == cid))
    done["kiosk_arrivals"] = arrivals.rowcount or 0
    follow_ups = list(session.scalars(select(FollowUp).where(FollowUp.customer_id == cid)))
    for follow_up in follow_ups:
        follow_up.result = ""
        follow_up.satisfaction_comment = None  # the customer's own words (0019)
        if follow_up.status is FollowUpStatus.OPEN:
            follow_up.status = FollowUpStatus.SKIPPED
            follow_up.done_at = at
    done["follow_ups"] = len(follow_ups)
    # Complaints: what was said goes; that there was one (topic, dates, owner) stays.
    complaints = list(session.scalars(select(Complaint).where(Complaint.customer_id == cid)))
    for complaint in complaints:
        complaint.description = ERASED_TEXT
        if complaint.resolution:
            complaint.resolution = ERASED_TEXT
    done["complaints"] = len(complaints)
    grades = session.scalars(select(GradeChange).where(GradeChange.customer_id == cid)).all()
    for grade in grades:
        grade.reason = ""
    # Drives that never left have no agreement to keep: their licence data goes.
    unsigned = list(
        session.scalars(
            select(TestDrive).where(
                TestDrive.customer_id == cid, TestDrive.agreement_document_id.is_(None)
            )
        )
    )
    for drive in unsigned:
        drive.licence_number = drive.licence_class = drive.licence_name = None
        drive.licence_valid_until = None
        drive.licence_photo_sha = None
        drive.feedback = ""
    done["test_drives_cleared"] = len(unsigned)
    registrations = list(
        session.scalars(select(Registration).where(Registration.customer_id == cid))
    )
    inspections = _inspection_ids(session, cid)
    done["papers_deleted"] = _drop_papers(
        session,
        (DocumentKind.REGISTRATION_SLIP, DocumentKind.INSPECTION_REPORT),
        [r.id for r in registrations] + inspections,
    )
    for registration in registrations:
        # Unique per day among live registrations: an anonymous but distinct plate.
        registration.plate = "删" + registration.id.hex[:8].upper()
        registration.vin = None
        registration.concerns = ""
    for inspection in session.scalars(select(Inspection).where(Inspection.id.in_(inspections))):
        inspection.plate = None
        inspection.vin = None
    done["registrations"] = len(registrations)
    done["inspections"] = len(inspections)
    # Referrals stay (a reward paid is money); only the free-text note may name the person.
    referral_notes = session.execute(
        update(Referral)
        .where(or_(Referral.referrer_id == cid, Referral.referred_id == cid))
        .values(note="", row_version=Referral.row_version + 1)
        .execution_options(synchronize_session=False)
    )
    done["referrals"] = referral_notes.rowcount or 0
    sent = session.execute(  # the messages as sent carried the name
        update(ReminderLog)
        .where(ReminderLog.customer_id == cid)
        .values(message="", row_version=ReminderLog.row_version + 1)
        .execution_options(synchronize_session=False)
    )
    done["reminders"] = sent.rowcount or 0
    # Duplicates merged into this customer keep their own row (and its name, phone...).
    done["merged_duplicates"] = _anonymise_duplicates(session, cid, at)
    return done


def _anonymise_duplicates(session: Session, customer_id: uuid.UUID, at: datetime) -> int:
    count = 0
    pending = [customer_id]
    while pending:
        for duplicate in session.scalars(
            select(Customer).where(
                Customer.merged_into_id == pending.pop(), Customer.anonymised_at.is_(None)
            )
        ).all():
            duplicate.name, duplicate.phone, duplicate.id_number = ERASED_NAME, "", None
            duplicate.title = Title.NONE
            duplicate.budget_min = duplicate.budget_max = None
            duplicate.intended_use = duplicate.preferred_models = duplicate.decision_cycle = ""
            duplicate.notes = ""
            duplicate.anonymised_at = at
            pending.append(duplicate.id)
            count += 1
    return count


def _legal_records(session: Session, customer_id: uuid.UUID) -> dict[str, int]:
    def count(model: Any, *conditions: Any) -> int:
        return int(
            session.scalar(
                select(func.count())
                .select_from(model)
                .where(model.customer_id == customer_id, *conditions)
            )
            or 0
        )

    return {
        "contracts": count(Contract),
        "deposits": count(Deposit),
        "test_drive_agreements": count(TestDrive, TestDrive.agreement_document_id.is_not(None)),
        "vehicle_returns": count(VehicleReturn),
        "vehicle_purchases": count(VehiclePurchase, VehiclePurchase.status == "signed"),
    }


def erase_customer(
    session: Session,
    user: StaffUser,
    customer_id: uuid.UUID,
    *,
    reason: str,
    now: datetime | None = None,
) -> ErasureResult:
    """Delete the person (keeping the legal records); see the module docstring."""
    _require_handler(user)
    text = redact(" ".join(reason.split()))
    if not text:
        raise ValidationError(
            "privacy.reason_missing",
            "请填写删除依据（例如客户申请的日期或编号），不要填写个人信息。",
        )
    if len(text) > MAX_REASON:
        raise ValidationError(
            "privacy.reason_long", f"删除依据最多 {MAX_REASON} 个字。", limit=MAX_REASON
        )
    at = _now(now)
    customer = locks.lock_customer(session, customer_id, locks.EXCLUSIVE, follow_merges=False)
    if customer is None:
        raise NotFoundError("customer.not_found", "客户不存在或已被合并。")
    still_open = _open_business(session, customer.id)
    if still_open:
        items = "、".join(f"{OPEN_BUSINESS_LABELS[key]} {count} 项" for key, count in still_open)
        raise ConflictError(
            "privacy.open_business",
            f"该客户还有未办结的业务：{items}。请先办结或取消，再删除个人信息。",
            open=[[key, count] for key, count in still_open],
            items=items,
        )
    kept = _legal_records(session, customer.id)
    anonymised = _anonymise(session, customer, at)
    session.flush()
    audit.record(
        session,
        user.actor,
        "customer_erased",
        "customer",
        customer.id,
        {"reason": text, "kept": kept, "anonymised": anonymised},
    )
    # The entry's number names the erasure in the result: appended now, as the last step.
    seq = audit.append_now(session)[-1]
    return ErasureResult(customer.id, kept, anonymised, seq)


# --- retention ----------------------------------------------------------------------------


def _last_heard_of(cutoff: datetime) -> Any:
    """Customers with any trace newer than ``cutoff`` (a select of customer ids)."""
    recent = union_all(
        select(Visit.customer_id).where(Visit.arrived_at >= cutoff),
        select(Interaction.customer_id).where(Interaction.at >= cutoff),
        select(TestDrive.customer_id).where(TestDrive.slot_end >= cutoff),
        select(Registration.customer_id).where(Registration.created_at >= cutoff),
        select(Deposit.customer_id).where(Deposit.taken_at >= cutoff),
        select(Contract.customer_id).where(Contract.created_at >= cutoff),
        select(Consent.customer_id).where(Consent.recorded_at >= cutoff),
    ).subquery()
    return select(recent.c.customer_id)


def expired_customers(session: Session, *, years: int, now: datetime) -> list[uuid.UUID]:
    """Never-buying customers not heard from for ``years`` years (oldest first)."""
    if not 1 <= years <= 100:
        raise ValidationError("privacy.retention_years", "保留年数应在 1 到 100 之间。")
    cutoff = now - timedelta(days=round(365.25 * years))
    bought = select(Contract.customer_id).where(Contract.status == ContractStatus.SIGNED)
    return list(
        session.scalars(
            select(Customer.id)
            .where(
                Customer.deleted_at.is_(None),
                Customer.created_at < cutoff,
                Customer.id.not_in(bought),
                Customer.id.not_in(_last_heard_of(cutoff)),
            )
            .order_by(Customer.created_at, Customer.id)
        )
    )


def purge_expired(
    session: Session,
    actor: Actor,
    *,
    years: int,
    now: datetime | None = None,
    dry_run: bool = False,
    limit: int = PURGE_BATCH,
) -> PurgeResult:
    """Apply the retention rule to at most ``limit`` customers (run again for more)."""
    at = _now(now)
    cutoff = at - timedelta(days=round(365.25 * years))
    ids = expired_customers(session, years=years, now=at)[:limit]
    stale_leads = list(
        session.scalars(
            select(Lead.id)
            .where(Lead.customer_id.is_(None), Lead.received_at < cutoff)
            .order_by(Lead.received_at)
            .limit(limit)
        )
    )
    if dry_run:
        visits = session.scalar(
            select(func.count()).select_from(Visit).where(Visit.customer_id.in_(ids))
        )
        return PurgeResult(
            cutoff, tuple(ids), int(visits or 0), 0, dry_run=True, leads=len(stale_leads)
        )
    purged: list[uuid.UUID] = []
    visits_removed = follow_ups_removed = 0
    kept: dict[str, int] = {}
    for customer_id in ids:
        customer = locks.lock_customer(session, customer_id, locks.EXCLUSIVE, follow_merges=False)
        if customer is None or _open_business(session, customer_id):
            continue  # merged or busy since the list was made
        visit_ids = list(session.scalars(select(Visit.id).where(Visit.customer_id == customer_id)))
        if visit_ids:
            gone = session.execute(delete(FollowUp).where(FollowUp.visit_id.in_(visit_ids)))
            follow_ups_removed += gone.rowcount or 0
        for model in PURGED_WITH_VISITS:
            removed = session.execute(delete(model).where(model.customer_id == customer_id))
            if model is Visit:
                visits_removed += removed.rowcount or 0
        for name, count in _legal_records(session, customer_id).items():
            kept[name] = kept.get(name, 0) + count
        _anonymise(session, customer, at)
        purged.append(customer_id)
    if stale_leads:  # a lead that never walked in is kept no longer than a customer
        session.execute(delete(Interaction).where(Interaction.lead_id.in_(stale_leads)))
        session.execute(delete(Lead).where(Lead.id.in_(stale_leads)))
    session.flush()
    if purged or stale_leads:
        audit.record(
            session,
            actor,
            "retention_purged",
            "customer",
            "",
            {
                "years": years,
                "customers": [str(i) for i in purged],
                "visits": visits_removed,
                "leads": len(stale_leads),
                "kept": kept,
            },
        )
    return PurgeResult(
        cutoff,
        tuple(purged),
        visits_removed,
        follow_ups_removed,
        False,
        kept,
        leads=len(stale_leads),
    )


__all__ = [
    "MAY_HANDLE_PRIVACY_REQUESTS",
    "ConsentWithdrawn",
    "CustomerExport",
    "ErasureResult",
    "PurgeResult",
    "erase_customer",
    "expired_customers",
    "export_customer",
    "may_contact_for_marketing",
    "purge_expired",
    "withdraw_marketing",
]
