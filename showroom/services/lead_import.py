"""Import leads from a listing platform's CSV export, every row accounted for.

Platforms (懂车帝, 瓜子, 二手车之家, 58同城 …) let a dealer download the enquiries of
a period as CSV; the column names differ a little, so each column is recognised by
several names (``COLUMNS``). Every data row ends up in the report with its line
number and one outcome, the same shape as the vehicle import:

- 新增 (created): a new lead, deadline = the row's time + the response setting;
- 合并 (merged): the number already has an open lead (from an earlier file, a call,
  or an earlier row of this file): the enquiry is logged on it, no second lead;
- 无变化 (unchanged): this platform's lead id was imported before;
- 拒绝 (rejected): the reason, e.g. no valid mobile number, a field too long.

A lead whose number belongs to a customer is linked to them (noted in the report).
``dry_run`` classifies without writing. No Qt here; the dialog and the CLI call it.
"""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Lead, Role, SourceChannel, Staff
from showroom import fields
from showroom.errors import ShowroomError, ValidationError
from showroom.identifiers import normalize_mobile
from showroom.privacy import mask_phone
from showroom.services import audit, leads

# The CSV reading of the vehicle import (encodings, line numbers, ragged rows) is shared.
from showroom.services.vehicle_import import _open_text, _records
from showroom.users import StaffUser

Getter = Callable[[str], str]  # a row's value of a logical column ("" when absent)
STORE_ZONE = ZoneInfo("Asia/Shanghai")
CREATED, MERGED, UNCHANGED, REJECTED = "created", "merged", "unchanged", "rejected"
OUTCOME_LABELS = {CREATED: "新增", MERGED: "合并", UNCHANGED: "无变化", REJECTED: "拒绝"}

# Logical column -> header names seen in platform exports (the first found is used).
COLUMNS: dict[str, tuple[str, ...]] = {
    "phone": ("手机号", "手机", "电话", "联系电话", "客户电话", "手机号码"),
    "name": ("姓名", "客户姓名", "称呼", "联系人", "客户"),
    "received_at": ("提交时间", "留资时间", "线索时间", "咨询时间", "创建时间", "时间"),
    "external_ref": ("线索编号", "线索ID", "线索id", "编号", "ID"),
    "vehicle_text": ("意向车源", "咨询车辆", "车源标题", "车源", "意向车型", "车型"),
    "message": ("留言", "备注", "咨询内容", "客户留言"),
    "platform": ("平台", "来源平台", "渠道"),
    "owner": ("负责顾问", "跟进人", "销售顾问"),
}
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")
_DATE_RE = re.compile(r"\d{4}[-/]\d{1,2}[-/]\d{1,2}")


@dataclass(frozen=True)
class LeadRowOutcome:
    line: int
    outcome: str
    reason: str = ""
    who: str = ""  # masked number and name, for the report and the dialog


@dataclass
class LeadImportResult:
    path: Path
    platform: str
    dry_run: bool
    outcomes: list[LeadRowOutcome] = field(default_factory=list)
    report_path: Path | None = None

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    @property
    def total(self) -> int:
        return len(self.outcomes)

    def summary(self) -> str:
        verb = "将" if self.dry_run else "已"
        return (
            f"共 {self.total} 行：{verb}新增 {self.count(CREATED)}，"
            f"{verb}合并 {self.count(MERGED)}，无变化 {self.count(UNCHANGED)}，"
            f"拒绝 {self.count(REJECTED)}"
        )


class _Rejected(Exception):
    pass


def _column(headers: list[str], name: str) -> str | None:
    return next((h for h in COLUMNS[name] if h in headers), None)


def _received(text: str, now: datetime) -> datetime:
    """A platform's local time (store zone); blank means "now"."""
    text = text.strip()
    if not text:
        return now
    for fmt in _TIME_FORMATS:
        try:
            moment = datetime.strptime(text, fmt).replace(tzinfo=STORE_ZONE)
        except ValueError:
            continue
        return moment.astimezone(UTC)
    if _DATE_RE.fullmatch(text):
        day = datetime.strptime(text.replace("/", "-"), "%Y-%m-%d").replace(tzinfo=STORE_ZONE)
        return day.astimezone(UTC)
    raise _Rejected(f"时间“{text}”无法识别（应为 2026-11-30 14:05 这样的格式）")


def _owners(session: Session, store_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """Consultants by username and by name, as an export's 负责顾问 column may give them."""
    rows = session.execute(
        select(Staff.id, Staff.username, Staff.display_name).where(
            Staff.store_id == store_id,
            Staff.holds(Role.SALES),
            Staff.active.is_(True),
            Staff.deleted_at.is_(None),
        )
    )
    found: dict[str, uuid.UUID] = {}
    for staff_id, username, name in rows:
        found[username] = staff_id
        found[name] = staff_id
    return found


def import_leads(
    session: Session,
    user: StaffUser,
    path: Path,
    *,
    platform: str = "",
    response_hours: int = leads.DEFAULT_RESPONSE_HOURS,
    now: datetime,
    dry_run: bool = False,
) -> LeadImportResult:
    """Read ``path`` and create or merge a lead per row (see the module docstring).

    ``platform`` names the platform when the file has no platform column.
    """
    platform = fields.text(platform, "lead.platform")
    headers, rows = _records(_open_text(path))
    phone_col = _column(headers, "phone")
    if phone_col is None:
        raise ValidationError(
            "lead_import.no_phone",
            "文件里没有手机号列（表头应为“手机号”“电话”或“联系电话”之一）。",
        )
    cols = {name: _column(headers, name) for name in COLUMNS}
    owners = _owners(session, user.store_id)
    result = LeadImportResult(path, platform, dry_run)
    seen_phones: set[str] = set()
    for line, row in rows:
        if "\x00error" in row:
            result.outcomes.append(LeadRowOutcome(line, REJECTED, row["\x00error"]))
            continue

        def get(name: str, row: dict[str, str] = row) -> str:
            column = cols[name]
            return (row.get(column) or "").strip() if column else ""

        try:
            outcome = _one_row(
                session, user, get, owners, platform, response_hours, now, dry_run, seen_phones
            )
        except _Rejected as exc:
            outcome = LeadRowOutcome(line, REJECTED, str(exc), _who(get))
        except ShowroomError as exc:
            outcome = LeadRowOutcome(line, REJECTED, exc.message, _who(get))
        result.outcomes.append(
            LeadRowOutcome(line, outcome.outcome, outcome.reason, outcome.who or _who(get))
        )
    if not dry_run:
        audit.record(
            session,
            user.actor,
            "leads_imported",
            "lead",
            "",
            {
                "file": path.name,
                "platform": platform,
                "created": result.count(CREATED),
                "merged": result.count(MERGED),
                "unchanged": result.count(UNCHANGED),
                "rejected": result.count(REJECTED),
            },
        )
    return result


def _who(get: Getter) -> str:
    try:
        phone = mask_phone(normalize_mobile(get("phone")))
    except ShowroomError:
        phone = ""
    return " ".join(p for p in (get("name"), phone) if p)


def _one_row(
    session: Session,
    user: StaffUser,
    get: Getter,
    owners: dict[str, uuid.UUID],
    platform: str,
    response_hours: int,
    now: datetime,
    dry_run: bool,
    seen_phones: set[str],
) -> LeadRowOutcome:
    raw_phone = get("phone")
    if not raw_phone:
        raise _Rejected("没有手机号")
    try:
        phone = normalize_mobile(raw_phone)
    except ShowroomError:
        # Not repeated in the report (it may be most of a real number): its length says enough.
        digits = sum(ch.isdigit() for ch in raw_phone)
        raise _Rejected(f"手机号不是有效的 11 位手机号（填的是 {digits} 位）") from None
    row_platform = fields.text(get("platform") or platform, "lead.platform")
    ref = fields.text(get("external_ref"), "lead.external_ref")
    if ref and session.scalar(
        select(Lead.id).where(Lead.platform == row_platform, Lead.external_ref == ref)
    ):
        return LeadRowOutcome(0, UNCHANGED, f"线索编号 {ref} 已导入过")
    owner_name = get("owner")
    owner_id = owners.get(owner_name) if owner_name else None
    if owner_name and owner_id is None:
        raise _Rejected(f"负责顾问“{owner_name}”不是本店在职员工")
    form = leads.NewLead(
        phone=phone,
        name=get("name"),
        source_channel=SourceChannel.LISTING_PLATFORM,
        platform=row_platform,
        external_ref=ref,
        vehicle_text=get("vehicle_text"),
        message=get("message"),
        owner_id=owner_id,
        received_at=_received(get("received_at"), now),
    )
    if dry_run:
        # The same rules as the import itself (``check_lead``), nothing written.
        checked = leads.check_lead(session, user, form, response_hours=response_hours, now=now)
        merged = phone in seen_phones or leads.has_open_lead(session, phone)
        seen_phones.add(phone)
        if merged:
            return LeadRowOutcome(0, MERGED, _note(True))
        return LeadRowOutcome(0, CREATED, _linked(checked.customer_name))
    created = leads.create_lead(
        session, user, form, response_hours=response_hours, now=now, if_open="add"
    )
    seen_phones.add(phone)
    if created.merged:
        return LeadRowOutcome(0, MERGED, _note(True))
    return LeadRowOutcome(0, CREATED, _linked(created.customer_name))


def _linked(customer_name: str | None) -> str:
    return f"该号码是老客户 {customer_name}，已关联" if customer_name else ""


def _note(merged: bool) -> str:
    return "该号码已有未处理的线索，本次咨询记在原线索上" if merged else ""


def default_report_path(data_dir: Path, source: Path, now: datetime) -> Path:
    """``<data dir>/imports/<name>-报告-<time>.csv``."""
    stamp = now.astimezone(STORE_ZONE).strftime("%Y%m%d-%H%M%S")
    return data_dir / "imports" / f"{source.stem}-报告-{stamp}.csv"


def write_report(result: LeadImportResult, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    # utf-8-sig: Excel on Windows opens it with the Chinese intact. Numbers stay masked.
    with target.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["行号", "结果", "客户", "说明"])
        for o in result.outcomes:
            writer.writerow([o.line, OUTCOME_LABELS[o.outcome], o.who, o.reason])
    result.report_path = target
    return target


__all__ = [
    "COLUMNS",
    "OUTCOME_LABELS",
    "LeadImportResult",
    "LeadRowOutcome",
    "default_report_path",
    "import_leads",
    "write_report",
]
