"""Stores: the store profile (门店资料), the dealer group's stores, and the first-run set-up.

The profile is what every paper prints (name, address, phone, 统一社会信用代码,
bank account, logo) and the base address of the store's car pages (QR codes).
It lives in the database, so every PC of the store prints the same details.
A store manager edits their own store; a group manager (``Role.GROUP_MANAGER``)
every store, and adds stores. Each store keeps its own numbering (its code
prefixes every number) and staff.

First run creates the first store and its manager. The set-up checklist that
follows (add staff, set the roster, complete the profile, print a test page,
choose the database) is computed from the data where it can be, and otherwise
remembered in ``Store.setup_steps`` when the manager does the step.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Customer, Role, Staff, Store, Vehicle
from showroom.clock import utcnow
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.identifiers import normalize_credit_code
from showroom.services import audit, auth
from showroom.users import StaffUser

Admin = StaffUser | audit.Actor

MAX_NAME = 40
MAX_ADDRESS = 100
MAX_LETTERHEAD = 40
MAX_BANK_NAME = 40
MAX_URL = 300
MAX_LOGO_BYTES = 512 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PHONE_RE = re.compile(r"[0-9+()\- ]+")

# The checklist after the first run, in the order it is shown.
SETUP_STEPS = ("staff", "roster", "profile", "test_page", "database")
# What a contract needs besides the letterhead (seller's licence number and bank).
CONTRACT_FIELDS = ("name", "address", "phone", "credit_code", "bank_name", "bank_account")
FIELD_LABELS = {
    "name": "门店名称",
    "address": "门店地址",
    "phone": "联系电话",
    "credit_code": "统一社会信用代码",
    "bank_name": "开户银行",
    "bank_account": "银行账号",
    "public_url": "车辆公开网址",
    "letterhead": "抬头附加文字",
}


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


def _actor(admin: Admin) -> audit.Actor:
    return admin.actor if isinstance(admin, StaffUser) else admin


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreInfo:
    id: uuid.UUID
    code: str
    name: str
    address: str
    phone: str
    letterhead: str


@dataclass(frozen=True)
class StoreProfile:
    """门店资料 as the profile form and ``showroom store show`` see it."""

    id: uuid.UUID
    code: str
    name: str
    address: str
    phone: str
    timezone: str
    credit_code: str
    bank_name: str
    bank_account: str
    letterhead: str
    public_url: str
    logo_png: bytes | None
    row_version: int
    setup_steps: dict[str, str] = field(default_factory=dict)

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_png)

    def missing(self, fields: tuple[str, ...] = CONTRACT_FIELDS) -> list[str]:
        """The keys of ``fields`` that are empty, in form order."""
        return [key for key in fields if not str(getattr(self, key) or "").strip()]

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "address": self.address,
            "phone": self.phone,
            "timezone": self.timezone,
            "credit_code": self.credit_code,
            "bank_name": self.bank_name,
            "bank_account": self.bank_account,
            "letterhead": self.letterhead,
            "public_url": self.public_url,
            "logo": self.has_logo,
            "missing": self.missing(),
        }


def _profile(store: Store) -> StoreProfile:
    return StoreProfile(
        id=store.id,
        code=store.code,
        name=store.name,
        address=store.address,
        phone=store.phone,
        timezone=store.timezone,
        credit_code=store.credit_code,
        bank_name=store.bank_name,
        bank_account=store.bank_account,
        letterhead=store.letterhead,
        public_url=store.public_url,
        logo_png=store.logo_png,
        row_version=store.row_version,
        setup_steps=dict(store.setup_steps or {}),
    )


def list_stores(session: Session) -> list[StoreInfo]:
    rows = session.scalars(select(Store).where(Store.deleted_at.is_(None)).order_by(Store.code))
    return [StoreInfo(s.id, s.code, s.name, s.address, s.phone, s.letterhead) for s in rows]


def _store(session: Session, store_id: uuid.UUID) -> Store:
    store = session.get(Store, store_id)
    if store is None or store.deleted_at is not None:
        raise NotFoundError("store.not_found", "门店不存在。")
    return store


def store_by_code(session: Session, code: str) -> uuid.UUID:
    found = session.scalar(
        select(Store.id).where(
            func.upper(Store.code) == code.strip().upper(), Store.deleted_at.is_(None)
        )
    )
    if found is None:
        raise NotFoundError(
            "store.not_found", f"门店 {code.strip()} 不存在。", store_code=code.strip()
        )
    return found


def get_profile(session: Session, store_id: uuid.UUID) -> StoreProfile:
    return _profile(_store(session, store_id))


def stores_for(session: Session, user: StaffUser) -> list[StoreInfo]:
    """The stores this manager may administer: their own, or every store for a group role."""
    if user.is_group_manager:
        return list_stores(session)
    return [s for s in list_stores(session) if s.id == user.store_id]


# --- checking and saving the profile ----------------------------------------------------------


@dataclass(frozen=True)
class StoreForm:
    """The profile form as typed (every field; blanks allowed until a paper needs them)."""

    name: str
    address: str = ""
    phone: str = ""
    credit_code: str = ""
    bank_name: str = ""
    bank_account: str = ""
    letterhead: str = ""
    public_url: str = ""


def _limited(value: str, limit: int, key: str) -> str:
    value = " ".join(value.split())
    if len(value) > limit:
        raise ValidationError(
            "store.field_long",
            f"{FIELD_LABELS[key]}最多 {limit} 个字（现在 {len(value)} 个）。",
            field=FIELD_LABELS[key],
            key=key,
            maximum=limit,
            length=len(value),
        )
    return value


def check_phone(text: str) -> str:
    """A store phone as printed: a mobile, a landline with area code, or a 400/800 number."""
    phone = " ".join(text.split())
    if not phone:
        return ""
    digits = re.sub(r"\D", "", phone)
    if not _PHONE_RE.fullmatch(phone) or not 7 <= len(digits) <= 15 or len(phone) > 30:
        raise ValidationError(
            "store.phone_invalid",
            "联系电话只能包含数字、空格、-、括号，例如 010-8555 1234 或 400-820-1234。",
        )
    return phone


def check_bank_account(text: str) -> str:
    """A bank account number: digits only (spaces are dropped), 8 to 30 of them."""
    account = re.sub(r"[\s-]", "", text)
    if not account:
        return ""
    if not account.isdigit() or not account.isascii() or not 8 <= len(account) <= 30:
        raise ValidationError(
            "store.bank_account_invalid", "银行账号应为 8 到 30 位数字，请对照开户许可证核对。"
        )
    return account


def check_public_url(text: str) -> str:
    """The base address of the store's car pages (https://…), or a template with {stock_no}."""
    url = text.strip()
    if not url:
        return ""
    if len(url) > MAX_URL:
        raise ValidationError(
            "store.public_url_invalid", f"车辆公开网址最多 {MAX_URL} 个字符。", limit=MAX_URL
        )
    parts = urlsplit(url.replace("{stock_no}", "x"))
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        raise ValidationError(
            "store.public_url_invalid",
            "车辆公开网址应以 https:// 开头，例如 https://che.example.cn/bj01 ；"
            "也可以写成含 {stock_no} 的模板。",
        )
    if "example.com" in parts.netloc:
        raise ValidationError(
            "store.public_url_example",
            "这是示例网址，顾客扫码打不开。请填写门店自己的车辆网页地址。",
        )
    return url if "{stock_no}" in url else url.rstrip("/")


def _check_form(form: StoreForm) -> dict[str, str]:
    name = _limited(form.name, MAX_NAME, "name")
    if not name:
        raise ValidationError("store.name_missing", "请填写门店名称。")
    credit = form.credit_code.strip()
    return {
        "name": name,
        "address": _limited(form.address, MAX_ADDRESS, "address"),
        "phone": check_phone(form.phone),
        "credit_code": normalize_credit_code(credit) if credit else "",
        "bank_name": _limited(form.bank_name, MAX_BANK_NAME, "bank_name"),
        "bank_account": check_bank_account(form.bank_account),
        "letterhead": _limited(form.letterhead, MAX_LETTERHEAD, "letterhead"),
        "public_url": check_public_url(form.public_url),
    }


def _may_edit(session: Session, admin: Admin, store_id: uuid.UUID) -> Store:
    if isinstance(admin, StaffUser):
        if not admin.is_manager:
            raise PermissionDenied("store.manager_only", "只有店长可以修改门店资料。")
        if store_id != admin.store_id and not admin.is_group_manager:
            raise PermissionDenied(
                "store.other_store", "只能修改本店的资料；其他门店请由集团管理员修改。"
            )
    return _store(session, store_id)


def update_profile(
    session: Session,
    admin: Admin,
    store_id: uuid.UUID,
    form: StoreForm,
    *,
    loaded_version: int | None = None,
) -> StoreProfile:
    """Save the profile; every field is checked first and none is saved if one is wrong.

    ``loaded_version`` is the version the form was opened on: a save over another
    PC's newer save is refused (``store.changed``) instead of overwriting it.
    """
    values = _check_form(form)
    store = _may_edit(session, admin, store_id)
    if loaded_version is not None and loaded_version != store.row_version:
        raise ConflictError("store.changed", "门店资料刚被其他电脑修改过。请重新打开查看后再改。")
    changed = [key for key, value in values.items() if getattr(store, key) != value]
    for key in changed:
        setattr(store, key, values[key])
    if changed:
        session.flush()
        # The fields, not their values: the audit log is read by many; the profile is one
        # click away for whoever may see it.
        audit.record(
            session, _actor(admin), "store_updated", "store", store.id, {"fields": changed}
        )
    return _profile(store)


def set_logo(session: Session, admin: Admin, store_id: uuid.UUID, png: bytes | None) -> None:
    """The store's own logo (PNG, at most 512 KB; the screen converts and scales a picture)."""
    store = _may_edit(session, admin, store_id)
    if png is not None:
        if not png.startswith(PNG_SIGNATURE):
            raise ValidationError("store.logo_invalid", "门店标志需要是 PNG 图片。")
        if len(png) > MAX_LOGO_BYTES:
            raise ValidationError(
                "store.logo_large", "门店标志图片太大（最多 512 KB），请换一张小一些的图片。"
            )
    store.logo_png = png or None
    audit.record(
        session,
        _actor(admin),
        "store_logo_set" if png else "store_logo_removed",
        "store",
        store.id,
        {"bytes": len(png)} if png else None,
    )


def check_store_code(code: str) -> str:
    code = code.strip().upper()
    if not code.isascii() or not code.isalnum() or not 2 <= len(code) <= 8:
        raise ValidationError("store.code_invalid", "门店编号为 2 到 8 位字母或数字，例如 BJ01。")
    return code


def add_store(
    session: Session,
    admin: Admin,
    code: str,
    form: StoreForm,
    *,
    now: datetime | None = None,
) -> uuid.UUID:
    """A new store of the dealer group (group managers and the command line)."""
    if isinstance(admin, StaffUser) and not admin.is_group_manager:
        raise PermissionDenied("store.group_only", "只有集团管理员可以新增门店。")
    code = check_store_code(code)
    values = _check_form(form)
    if session.scalar(select(Store.id).where(func.upper(Store.code) == code)) is not None:
        raise ValidationError("store.code_taken", f"门店编号 {code} 已被使用。", store_code=code)
    store = Store(code=code, **values)
    session.add(store)
    session.flush()
    audit.record(session, _actor(admin), "store_created", "store", store.id, {"code": code})
    return store.id


# --- first run and the set-up checklist --------------------------------------------------------


@dataclass(frozen=True)
class FirstRunState:
    has_store: bool
    has_staff: bool
    has_data: bool  # any vehicle or customer

    @property
    def needs_setup(self) -> bool:
        return not self.has_staff


def first_run_state(session: Session) -> FirstRunState:
    def exists(model: type) -> bool:
        return session.scalar(select(func.count()).select_from(model)) > 0  # type: ignore[operator]

    return FirstRunState(exists(Store), exists(Staff), exists(Vehicle) or exists(Customer))


def set_up_first_store(
    session: Session,
    *,
    store_code: str,
    store_name: str,
    manager_username: str,
    manager_name: str,
    manager_password: str,
    manager_pin: str | None,
    now: datetime | None = None,
) -> uuid.UUID:
    """Create the first store and its manager; refused once any staff exists.

    The manager chose their password here, so it is not a temporary one.
    """
    if first_run_state(session).has_staff:
        raise ValidationError("setup.done", "已经设置过门店和店长账号。")
    code = check_store_code(store_code)
    name = _limited(store_name, MAX_NAME, "name")
    if not name:
        raise ValidationError("store.name_missing", "请填写门店名称。")
    store = session.scalar(select(Store).where(func.upper(Store.code) == code))
    if store is None:  # an empty database; a store without staff (e.g. imported cars) stays
        store = Store(code=code, name=name)
        session.add(store)
        session.flush()
        audit.record(session, audit.SYSTEM, "store_created", "store", store.id, {"code": code})
    return auth.create_staff(
        session,
        audit.SYSTEM,
        store_id=store.id,
        username=manager_username,
        display_name=manager_name,
        roles={Role.MANAGER},
        password=manager_password,
        pin=manager_pin,
    )


def mark_setup_step(
    session: Session, store_id: uuid.UUID, step: str, *, now: datetime | None = None
) -> None:
    """Remember that a checklist step was done (first time only)."""
    store = session.get(Store, store_id)
    if store is None:
        return
    steps = dict(store.setup_steps or {})
    if step not in steps:
        steps[step] = _now(now).isoformat()
        store.setup_steps = steps  # a new dict: JSON columns notice assignment, not mutation


def record_setup_step(
    session: Session, admin: Admin, store_id: uuid.UUID, step: str, *, now: datetime | None = None
) -> None:
    """A manager says a step is done (test page printed, database chosen, list hidden)."""
    if step not in (*SETUP_STEPS, "dismissed"):
        raise ValidationError("setup.unknown_step", "没有这个设置步骤。")
    _may_edit(session, admin, store_id)
    mark_setup_step(session, store_id, step, now=now)


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    done: bool


@dataclass(frozen=True)
class SetupChecklist:
    """What a new store still has to do; ``dismissed`` once the manager hid the list."""

    store_id: uuid.UUID
    items: tuple[ChecklistItem, ...]
    dismissed: bool
    missing_profile: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return all(item.done for item in self.items)

    @property
    def visible(self) -> bool:
        return not self.dismissed and not self.complete


def setup_checklist(session: Session, store_id: uuid.UUID) -> SetupChecklist:
    store = _store(session, store_id)
    steps = store.setup_steps or {}
    active_staff = session.scalar(
        select(func.count())
        .select_from(Staff)
        .where(Staff.store_id == store_id, Staff.active.is_(True), Staff.deleted_at.is_(None))
    )
    missing = _profile(store).missing()
    done = {
        "staff": bool(active_staff and active_staff >= 2) or "staff" in steps,
        "roster": "roster" in steps,
        "profile": not missing,
        "test_page": "test_page" in steps,
        "database": "database" in steps,
    }
    return SetupChecklist(
        store_id,
        tuple(ChecklistItem(key, done[key]) for key in SETUP_STEPS),
        "dismissed" in steps,
        tuple(missing),
    )


def car_store_url(session: Session, stock_no: str) -> str:
    """The car-page address in the profile of the store that holds car ``stock_no`` ("" if none).

    For ``showroom.vehicle_links``: it wins over the PC's ``vehicle_public_url`` setting.
    """
    store_url = session.scalar(
        select(Store.public_url)
        .join(Vehicle, Vehicle.store_id == Store.id)
        .where(Vehicle.stock_no == stock_no.strip())
    )
    return store_url or ""
