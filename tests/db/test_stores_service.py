"""The store profile on both backends: checked fields, scope, logo, papers, the checklist."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import AuditEntry, Role, Store
from showroom.documents.letterhead import letterhead
from showroom.documents.templates import load_template
from showroom.errors import ConflictError, PermissionDenied, ValidationError
from showroom.services import audit, auth, stores
from showroom.services.stores import StoreForm
from tests.factories import PROFILE, make_staff, make_store

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
CREDIT = "91350100M000100Y43"
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100ffff03000006000557bfabd40000000049454e44ae426082"
)


def _boss(database: Database, store_id: uuid.UUID, name: str = "boss") -> auth.StaffUser:
    staff_id = make_staff(database, store_id, name, Role.MANAGER)
    with database.read() as s:
        return auth.user_of(s, staff_id)


def _form(**changes: str) -> StoreForm:
    base = {
        "name": "朝阳店",
        "address": "北京市朝阳区测试路 1 号",
        "phone": "010-8555 0100",
        "credit_code": CREDIT,
        "bank_name": "测试银行朝阳支行",
        "bank_account": "6222 0212 3456 7890",
        "letterhead": "诚信经营",
        "public_url": "https://che.dealer.cn/bj01/",
    }
    base.update(changes)
    return StoreForm(**base)


def test_a_manager_completes_the_profile_and_it_is_stored_normalised(database: Database) -> None:
    store_id = make_store(database, complete=False)
    boss = _boss(database, store_id)
    with database.read() as s:
        before = stores.get_profile(s, store_id)
    assert before.missing() == ["phone", "credit_code", "bank_name", "bank_account"]
    form = _form(credit_code=" 9135 0100 m000 100y43 ")
    with database.write() as s:
        saved = stores.update_profile(s, boss, store_id, form, loaded_version=before.row_version)
    assert saved.missing() == []
    assert (saved.credit_code, saved.bank_account, saved.public_url) == (
        CREDIT,
        "6222021234567890",
        "https://che.dealer.cn/bj01",
    )
    with database.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "store_updated")).one()
    assert "phone" in entry.detail["fields"] and CREDIT not in str(entry.detail)
    # Saved over a newer save from another PC: refused, nothing overwritten.
    with pytest.raises(ConflictError) as stale, database.write() as s:
        stores.update_profile(s, boss, store_id, _form(name="别的名字"), loaded_version=1)
    assert stale.value.code == "store.changed"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("name", "", "store.name_missing"),
        ("name", "店" * 41, "store.field_long"),
        ("credit_code", "91350100M000100Y44", "credit_code.checksum"),
        ("phone", "电话 8555", "store.phone_invalid"),
        ("bank_account", "6222-abc", "store.bank_account_invalid"),
        ("public_url", "che.dealer.cn", "store.public_url_invalid"),
        ("public_url", "https://example.com/cars/{stock_no}", "store.public_url_example"),
        ("address", "路" * 101, "store.field_long"),
    ],
)
def test_a_wrong_field_is_named_and_nothing_is_saved(
    database: Database, field: str, value: str, code: str
) -> None:
    store_id = make_store(database, complete=False)
    boss = _boss(database, store_id)
    with pytest.raises(ValidationError) as info, database.write() as s:
        stores.update_profile(s, boss, store_id, _form(**{field: value}))
    assert info.value.code == code
    with database.read() as s:
        assert stores.get_profile(s, store_id).phone == ""  # the valid fields were not saved


def test_only_managers_of_that_store_or_the_group_edit_and_add_stores(database: Database) -> None:
    store_id = make_store(database)
    other = make_store(database, code="SH01", name="上海店")
    boss = _boss(database, store_id)
    sales_id = make_staff(database, store_id, "sales1", Role.SALES)
    with database.read() as s:
        sales = auth.user_of(s, sales_id)
    with pytest.raises(PermissionDenied), database.write() as s:
        stores.update_profile(s, sales, store_id, _form())
    with pytest.raises(PermissionDenied) as elsewhere, database.write() as s:
        stores.update_profile(s, boss, other, _form())
    assert elsewhere.value.code == "store.other_store"
    with pytest.raises(PermissionDenied), database.write() as s:
        stores.add_store(s, boss, "GZ01", _form(name="广州店"))
    group_id = make_staff(database, store_id, "group", Role.GROUP_MANAGER)
    with database.read() as s:
        group = auth.user_of(s, group_id)
        assert [x.code for x in stores.stores_for(s, group)] == ["BJ01", "SH01"]
        assert [x.code for x in stores.stores_for(s, boss)] == ["BJ01"]
    with database.write() as s:
        stores.update_profile(s, group, other, _form(name="上海浦东店"))
        new_id = stores.add_store(s, group, "gz01", _form(name="广州店"))
    with database.read() as s:
        assert s.get_one(Store, new_id).code == "GZ01"
        assert stores.get_profile(s, other).name == "上海浦东店"
    with pytest.raises(ValidationError) as taken, database.write() as s:
        stores.add_store(s, audit.Actor("cli"), "GZ01", _form(name="重复"))
    assert taken.value.code == "store.code_taken"


def test_the_logo_must_be_a_small_png_and_prints_on_the_letterhead(database: Database) -> None:
    store_id = make_store(database)
    boss = _boss(database, store_id)
    for bad, code in (
        (b"GIF89a....", "store.logo_invalid"),
        (TINY_PNG + b"0" * 600_000, "store.logo_large"),
    ):
        with pytest.raises(ValidationError) as info, database.write() as s:
            stores.set_logo(s, boss, store_id, bad)
        assert info.value.code == code
    with database.write() as s:
        stores.set_logo(s, boss, store_id, TINY_PNG)
    with database.read() as s:
        head = letterhead(s, store_id, None)
    assert head.logo_png == TINY_PNG
    assert head.line.startswith("电话 010-8555 0100")
    with database.write() as s:
        stores.set_logo(s, boss, store_id, None)
    with database.read() as s:
        assert letterhead(s, store_id, None).logo_png != TINY_PNG  # the shipped logo again


def test_a_paper_that_needs_a_missing_value_is_refused_naming_it(database: Database) -> None:
    store_id = make_store(database, complete=False)
    with pytest.raises(ValidationError) as head, database.read() as s:
        letterhead(s, store_id, None, paper="试驾协议")
    assert head.value.code == "store.profile_incomplete"
    assert "联系电话" in head.value.message and "试驾协议" in head.value.message
    with database.write() as s:
        s.get_one(Store, store_id).phone = PROFILE["phone"]
    with database.read() as s:
        head_ok = letterhead(s, store_id, None)
    # The sale contract prints the seller's licence number and bank account: both missing.
    template = load_template(None, "sale_contract")
    with pytest.raises(ValidationError) as contract:
        template.document({}, kind="contract", number="X", letterhead=head_ok, issued="")
    assert contract.value.params["missing"] == [
        "store_credit_code",
        "store_bank_name",
        "store_bank_account",
    ]
    assert "统一社会信用代码、开户银行、银行账号" in contract.value.message
    # A template that does not print them is not held up by them.
    receipt_free = load_template(None, "test_drive_agreement")
    receipt_free.document({}, kind="x", number="X", letterhead=head_ok, issued="")


def test_a_complete_profile_prints_its_values_on_the_contract(database: Database) -> None:
    store_id = make_store(database)
    with database.read() as s:
        head = letterhead(s, store_id, None)
    document = load_template(None, "sale_contract").document(
        {"store_name": head.store_name}, kind="contract", number="X", letterhead=head, issued=""
    )
    shown = {f.label: f.value for f in document.fields}
    assert shown["统一社会信用代码"] == PROFILE["credit_code"]
    assert shown["甲方收款账户"] == "测试银行朝阳支行　账号：6222 0212 3456 7890 123"
    seller = [f.value for f in document.fields if f.label.startswith(("甲方", "统一"))]
    assert len(seller) == 4 and not any("________" in value for value in seller)


def test_the_checklist_follows_what_the_store_has_done(database: Database, tmp_path: Path) -> None:
    store_id = make_store(database, complete=False)
    boss = _boss(database, store_id)
    with database.read() as s:
        first = stores.setup_checklist(s, store_id)
    assert [(i.key, i.done) for i in first.items] == [
        ("staff", False),
        ("roster", False),
        ("profile", False),
        ("test_page", False),
        ("database", False),
    ]
    assert first.visible and "phone" in first.missing_profile
    make_staff(database, store_id, "desk", Role.RECEPTION)
    with database.write() as s:
        stores.update_profile(s, boss, store_id, _form())
        stores.record_setup_step(s, boss, store_id, "test_page", now=NOW)
        stores.record_setup_step(s, boss, store_id, "database", now=NOW)
    with database.read() as s:
        later = stores.setup_checklist(s, store_id)
    assert [i.key for i in later.items if not i.done] == ["roster"]
    with database.write() as s:
        stores.record_setup_step(s, boss, store_id, "dismissed", now=NOW)
    with database.read() as s:
        assert not stores.setup_checklist(s, store_id).visible
    with pytest.raises(ValidationError), database.write() as s:
        stores.record_setup_step(s, boss, store_id, "nonsense")


def test_car_pages_use_the_stores_address_and_the_setting_only_as_fallback(
    database: Database,
) -> None:
    from showroom.vehicle_links import public_url

    settings = {"vehicle_public_url": "https://old.dealer.cn/{stock_no}"}
    # A site root: cars live under cars/, as showroom web and showroom publish lay them out.
    assert public_url(settings, "BJ01-S2026-00001", "https://che.dealer.cn/bj01") == (
        "https://che.dealer.cn/bj01/cars/BJ01-S2026-00001"
    )
    assert public_url(settings, "A/1", "https://che.dealer.cn/car?no={stock_no}") == (
        "https://che.dealer.cn/car?no=A%2F1"
    )
    assert public_url(settings, "A1") == "https://old.dealer.cn/A1"
    # Neither set (or only the old placeholder): no address, the screens and papers say so.
    assert public_url({}, "A1") is None
    assert public_url({"vehicle_public_url": "https://example.com/cars/{stock_no}"}, "A1") is None
