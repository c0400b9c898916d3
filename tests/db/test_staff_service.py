"""Staff administration on both backends: add, edit, disable, reset, PINs, roles, scope."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import AuditEntry, Role, Staff
from showroom.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from showroom.services import audit, auth
from showroom.services import staff as staff_admin
from showroom.services.staff import StaffForm, list_staff
from showroom.users import StaffUser
from tests.factories import make_staff, make_store

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in the store
CLI = audit.Actor("命令行（测试）")


def _manager(database: Database, staff_id: uuid.UUID) -> StaffUser:
    with database.read() as s:
        return auth.user_of(s, staff_id)


@pytest.fixture
def shop(database: Database) -> dict[str, uuid.UUID]:
    store = make_store(database)
    return {
        "store": store,
        "boss": make_staff(database, store, "boss", Role.MANAGER, display_name="赵店长"),
        "desk": make_staff(database, store, "desk", Role.RECEPTION, display_name="钱前台"),
    }


def _actions(database: Database) -> list[str]:
    with database.read() as s:
        return list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_lists_this_stores_staff_managers_first_with_lock_state(database: Database) -> None:
    store_id = make_store(database)
    other = make_store(database, code="SH01")
    boss_id = make_staff(database, store_id, "boss", Role.MANAGER, pin="2468")
    locked_id = make_staff(database, store_id, "alice", Role.SALES)
    make_staff(database, store_id, "bob", Role.RECEPTION)
    make_staff(database, other, "elsewhere", Role.SALES)
    with database.write() as s:
        s.get_one(Staff, locked_id).locked_until = NOW + timedelta(minutes=5)
    manager = auth.StaffUser(boss_id, "boss", "boss", Role.MANAGER, store_id, "BJ01", "测试展厅")
    with database.read() as s:
        rows = list_staff(s, manager, now=NOW)
    assert [(r.username, r.roles) for r in rows] == [
        ("boss", (Role.MANAGER,)),
        ("bob", (Role.RECEPTION,)),
        ("alice", (Role.SALES,)),
    ]
    assert [r.locked for r in rows] == [False, False, True]
    assert rows[0].has_pin and not rows[1].has_pin
    # Once the lock has run out, the account shows as unlocked without anyone touching it.
    with database.read() as s:
        later = list_staff(s, manager, now=NOW + timedelta(minutes=6))
    assert not any(r.locked for r in later)


def test_only_a_manager_may_list_staff(database: Database) -> None:
    store_id = make_store(database)
    sid = make_staff(database, store_id, "alice", Role.SALES)
    user = auth.StaffUser(sid, "alice", "alice", Role.SALES, store_id, "BJ01", "测试展厅")
    with pytest.raises(PermissionDenied), database.read() as s:
        list_staff(s, user)


def test_a_new_person_gets_a_temporary_password_that_must_be_changed(
    database: Database, shop: dict[str, uuid.UUID]
) -> None:
    boss = _manager(database, shop["boss"])
    form = StaffForm("孙 顾问", "sunjia", frozenset({Role.SALES, Role.APPRAISER}), "139 0000 1234")
    with database.write() as s:
        issued = staff_admin.add_staff(s, boss, form, now=NOW)
    assert issued.kind == "password" and len(issued.secret) == 14
    with database.write() as s:
        user = auth.sign_in(s, "SunJia", issued.secret, now=NOW)
    assert user.must_change_password and user.roles == {Role.SALES, Role.APPRAISER}
    # The temporary password may not be kept, and the new one follows the rules.
    with pytest.raises(ValidationError) as same, database.write() as s:
        auth.change_password(s, user.id, issued.secret, issued.secret, now=NOW)
    assert same.value.code == "staff.password_same"
    with pytest.raises(ValidationError) as weak, database.write() as s:
        auth.change_password(s, user.id, issued.secret, "demo12345678", now=NOW)
    assert weak.value.code == "staff.password_common"
    with pytest.raises(PermissionDenied) as wrong, database.write() as s:
        auth.change_password(s, user.id, "not-the-temporary", "river-stone-42", now=NOW)
    assert wrong.value.code == "auth.current_wrong"
    with database.write() as s:
        changed = auth.change_password(s, user.id, issued.secret, "river-stone-42", now=NOW)
    assert not changed.must_change_password
    with database.write() as s:
        assert not auth.sign_in(s, "sunjia", "river-stone-42", now=NOW).must_change_password
    with database.read() as s:
        person = s.get_one(Staff, issued.staff_id)
        assert (person.display_name, person.phone) == ("孙 顾问", "13900001234")
        assert issued.secret not in person.password_hash
        created = s.scalars(select(AuditEntry).where(AuditEntry.action == "staff_created")).all()[
            -1
        ]
        assert created.detail["roles"] == ["appraiser", "sales"]
        assert "13900001234" not in str(created.detail)
    assert "password_changed" in _actions(database)


def test_bad_forms_are_refused_with_the_field_named(
    database: Database, shop: dict[str, uuid.UUID]
) -> None:
    boss = _manager(database, shop["boss"])
    cases = [
        (StaffForm("李", "li", frozenset()), "staff.roles_missing"),
        (StaffForm("", "li", frozenset({Role.SALES})), "staff.name_missing"),
        (StaffForm("李", "李四", frozenset({Role.SALES})), "staff.username_invalid"),
        (StaffForm("李", "DESK", frozenset({Role.SALES})), "staff.username_taken"),
        (StaffForm("李", "li", frozenset({Role.SALES}), "12345"), "phone.invalid"),
    ]
    for form, code in cases:
        with pytest.raises(ValidationError) as info, database.write() as s:
            staff_admin.add_staff(s, boss, form, now=NOW)
        assert info.value.code.startswith(code.split(".")[0]), (form, info.value.code)
        if code != "phone.invalid":
            assert info.value.code == code


def test_a_salesperson_cannot_manage_staff(database: Database, shop: dict[str, uuid.UUID]) -> None:
    sid = make_staff(database, shop["store"], "sales1", Role.SALES)
    sales = _manager(database, sid)
    with pytest.raises(PermissionDenied), database.write() as s:
        staff_admin.add_staff(s, sales, StaffForm("李", "li", frozenset({Role.SALES})))
    with pytest.raises(PermissionDenied), database.write() as s:
        staff_admin.reset_password(s, sales, shop["desk"])


def test_editing_changes_roles_and_is_audited_without_the_phone(
    database: Database, shop: dict[str, uuid.UUID]
) -> None:
    boss = _manager(database, shop["boss"])
    with database.read() as s:
        before = staff_admin.get_staff(s, boss, shop["desk"])
    form = StaffForm("钱 前台", "qian", frozenset({Role.RECEPTION, Role.SALES}), "13800001111")
    with database.write() as s:
        after = staff_admin.update_staff(
            s, boss, shop["desk"], form, loaded_version=before.row_version
        )
    assert after.roles == {Role.RECEPTION, Role.SALES} and after.username == "qian"
    with database.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "staff_updated")).one()
    assert entry.detail["roles"] == {"from": ["reception"], "to": ["reception", "sales"]}
    assert entry.detail["phone"] is True and "13800001111" not in str(entry.detail)
    # A save over another PC's newer one is refused, not applied.
    with pytest.raises(ConflictError) as stale, database.write() as s:
        staff_admin.update_staff(s, boss, shop["desk"], form, loaded_version=before.row_version)
    assert stale.value.code == "staff.changed"


def test_the_store_never_loses_its_last_manager(
    database: Database, shop: dict[str, uuid.UUID]
) -> None:
    boss = _manager(database, shop["boss"])
    with pytest.raises(ValidationError) as own, database.write() as s:
        staff_admin.update_staff(
            s, boss, shop["boss"], StaffForm("赵店长", "boss", frozenset({Role.SALES}))
        )
    assert own.value.code == "staff.own_manager_role"
    with pytest.raises(ValidationError) as itself, database.write() as s:
        staff_admin.disable_staff(s, boss, shop["boss"])
    assert itself.value.code == "staff.disable_self"
    # The command line may do anything except leave the store without a manager.
    with pytest.raises(ConflictError) as last, database.write() as s:
        staff_admin.disable_staff(s, CLI, shop["boss"])
    assert last.value.code == "staff.last_manager"
    second = make_staff(database, shop["store"], "deputy", Role.MANAGER)
    with database.write() as s:
        staff_admin.disable_staff(s, CLI, shop["boss"], reason="调往其他门店")
    with pytest.raises(ConflictError), database.write() as s:
        staff_admin.disable_staff(s, CLI, second)


def test_disabling_keeps_the_person_and_stops_sign_in_and_pin(
    database: Database, shop: dict[str, uuid.UUID]
) -> None:
    boss = _manager(database, shop["boss"])
    with database.write() as s:
        pin = staff_admin.set_pin(s, boss, shop["desk"], "73915")
    assert pin.secret == "73915"
    with database.write() as s:
        assert auth.verify_staff_pin(s, "73915").username == "desk"
    with database.write() as s:
        staff_admin.disable_staff(s, boss, shop["desk"], reason="离职", now=NOW)
    with pytest.raises(PermissionDenied), database.write() as s:
        auth.sign_in(s, "desk", "secret123", now=NOW)
    with pytest.raises(PermissionDenied), database.write() as s:
        auth.verify_staff_pin(s, "73915")
    with database.read() as s:
        person = s.get_one(Staff, shop["desk"])
        assert not person.active and person.disabled_at == NOW and person.pin_hash is None
        rows = list_staff(s, boss, now=NOW)
        assert rows[-1].username == "desk" and not rows[-1].active  # listed last, still there
        assert [r.username for r in list_staff(s, boss, include_inactive=False)] == ["boss"]
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "staff_disabled")).one()
        assert entry.detail["reason"] == "离职"
    with database.write() as s:
        staff_admin.enable_staff(s, boss, shop["desk"], now=NOW)
        assert auth.sign_in(s, "desk", "secret123", now=NOW).username == "desk"


def test_a_pin_names_one_person(database: Database, shop: dict[str, uuid.UUID]) -> None:
    boss = _manager(database, shop["boss"])
    with database.write() as s:
        staff_admin.set_pin(s, boss, shop["boss"], "2468")
    with pytest.raises(ValidationError) as taken, database.write() as s:
        staff_admin.set_pin(s, boss, shop["desk"], "2468")
    assert taken.value.code == "staff.pin_taken"
    with pytest.raises(ValidationError) as weak, database.write() as s:
        staff_admin.set_pin(s, boss, shop["desk"], "1111")
    assert weak.value.code == "staff.pin_weak"
    with database.write() as s:
        random_pin = staff_admin.set_pin(s, boss, shop["desk"])
    assert random_pin.kind == "pin" and len(random_pin.secret) == 6
    with database.write() as s:
        assert auth.verify_staff_pin(s, random_pin.secret).username == "desk"
        staff_admin.clear_pin(s, boss, shop["desk"])
    with database.read() as s:
        assert s.get_one(Staff, shop["desk"]).pin_hash is None
    assert {"pin_set", "pin_reset", "pin_cleared"} <= set(_actions(database))


def test_a_reset_password_unlocks_and_must_be_changed(
    database: Database, shop: dict[str, uuid.UUID]
) -> None:
    boss = _manager(database, shop["boss"])
    with database.write() as s:
        s.get_one(Staff, shop["desk"]).locked_until = NOW + timedelta(minutes=10)
    with database.write() as s:
        issued = staff_admin.reset_password(s, boss, shop["desk"], now=NOW)
    with pytest.raises(PermissionDenied), database.write() as s:
        auth.sign_in(s, "desk", "secret123", now=NOW)  # the old password is gone
    with database.write() as s:
        user = auth.sign_in(s, "desk", issued.secret, now=NOW)
    assert user.must_change_password
    assert "password_reset" in _actions(database)
    assert issued.secret not in str(_actions(database))


def test_a_store_manager_sees_only_their_store_a_group_manager_every_store(
    database: Database, shop: dict[str, uuid.UUID]
) -> None:
    other = make_store(database, code="SH01", name="上海店")
    far = make_staff(database, other, "shanghai", Role.SALES)
    boss = _manager(database, shop["boss"])
    with pytest.raises(NotFoundError), database.write() as s:
        staff_admin.reset_password(s, boss, far)
    with pytest.raises(PermissionDenied), database.read() as s:
        list_staff(s, boss, store_id=other)
    with pytest.raises(PermissionDenied) as grant, database.write() as s:
        staff_admin.update_staff(
            s, boss, shop["desk"], StaffForm("钱前台", "desk", frozenset({Role.GROUP_MANAGER}))
        )
    assert grant.value.code == "staff.group_role_denied"
    group_id = make_staff(database, shop["store"], "group", Role.GROUP_MANAGER)
    group = _manager(database, group_id)
    with database.read() as s:
        assert [r.username for r in list_staff(s, group, store_id=other)] == ["shanghai"]
    with database.write() as s:
        staff_admin.update_staff(
            s,
            group,
            far,
            StaffForm("shanghai", "shanghai", frozenset({Role.SALES}), "", shop["store"]),
        )
    with database.read() as s:
        assert s.get_one(Staff, far).store_id == shop["store"]
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "staff_updated")).one()
        assert entry.detail["store"] == {"from": "SH01", "to": "BJ01"}
    with pytest.raises(PermissionDenied) as move, database.write() as s:
        staff_admin.update_staff(
            s, boss, far, StaffForm("shanghai", "shanghai", frozenset({Role.SALES}), "", other)
        )
    assert move.value.code == "staff.move_denied"


def test_the_first_manager_is_created_once_and_signs_in(database: Database) -> None:
    from showroom.services import stores

    with database.write() as s:
        manager_id = stores.set_up_first_store(
            s,
            store_code="sz01",
            store_name="深圳店",
            manager_username="wangjg",
            manager_name="王建国",
            manager_password="river-stone-42",
            manager_pin=None,
        )
    with database.read() as s:
        user = auth.user_of(s, manager_id)
    assert (user.store_code, user.roles, user.must_change_password) == (
        "SZ01",
        {Role.MANAGER},
        False,
    )
    with pytest.raises(ValidationError) as again, database.write() as s:
        stores.set_up_first_store(
            s,
            store_code="SZ02",
            store_name="x",
            manager_username="x2",
            manager_name="x",
            manager_password="river-stone-42",
            manager_pin=None,
        )
    assert again.value.code == "setup.done"
