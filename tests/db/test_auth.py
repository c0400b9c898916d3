"""Staff sign-in, lockout and the kiosk PIN."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import AuditEntry, Role, Staff
from showroom.errors import PermissionDenied, ValidationError
from showroom.services import auth
from tests.factories import make_staff, make_store


@pytest.fixture
def store(database: Database):  # type: ignore[no-untyped-def]
    store_id = make_store(database)
    make_staff(
        database,
        store_id,
        "wangfang",
        Role.RECEPTION,
        "right-pass",
        pin="1357",
        display_name="王芳",
    )
    return store_id


def _sign_in(database: Database, password: str, now: datetime | None = None) -> auth.StaffUser:
    with database.write() as session:
        return auth.sign_in(
            session, "WangFang", password, max_attempts=3, lockout_minutes=10, now=now
        )


def _actions(database: Database) -> list[str]:
    with database.read() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_right_password_signs_in_and_is_audited(database: Database, store) -> None:  # type: ignore[no-untyped-def]
    user = _sign_in(database, "right-pass")
    assert (user.username, user.roles, user.store_code) == ("wangfang", {Role.RECEPTION}, "BJ01")
    assert _actions(database) == ["sign_in"]


def test_wrong_password_says_how_many_tries_are_left(database: Database, store) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied) as info:
        _sign_in(database, "wrong")
    assert info.value.code == "auth.failed_attempts_left"
    assert info.value.params["attempts_left"] == 2
    # The failed attempt is recorded even though the sign-in failed.
    assert _actions(database) == ["sign_in_failed"]


def test_unknown_user_gets_the_same_message_as_a_wrong_password(database: Database, store) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied) as info, database.write() as session:
        auth.sign_in(session, "nobody", "x")
    assert info.value.message.startswith("用户名或密码不正确")


def test_repeated_failures_lock_the_account_even_for_the_right_password(
    database: Database,
    store,  # type: ignore[no-untyped-def]
) -> None:
    now = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    for _ in range(2):
        with pytest.raises(PermissionDenied):
            _sign_in(database, "wrong", now)
    with pytest.raises(PermissionDenied) as info:
        _sign_in(database, "wrong", now)
    assert info.value.code == "auth.locked"
    with pytest.raises(PermissionDenied) as again:
        _sign_in(database, "right-pass", now + timedelta(minutes=5))
    assert again.value.code == "auth.locked"
    # After the lockout the right password works again.
    assert _sign_in(database, "right-pass", now + timedelta(minutes=11)).username == "wangfang"
    assert "account_locked" in _actions(database)


def test_passwords_are_stored_as_scrypt_hashes(database: Database, store) -> None:  # type: ignore[no-untyped-def]
    with database.read() as session:
        stored = session.scalars(select(Staff.password_hash)).one()
    assert stored.startswith("scrypt$") and "right-pass" not in stored


def test_staff_pin_unlocks_the_kiosk_and_a_wrong_one_does_not(database: Database, store) -> None:  # type: ignore[no-untyped-def]
    with database.write() as session:
        assert auth.verify_staff_pin(session, "1357").display_name == "王芳"
    with pytest.raises(PermissionDenied), database.write() as session:
        auth.verify_staff_pin(session, "0000")
    with pytest.raises(ValidationError), database.write() as session:
        auth.verify_staff_pin(session, "12a")
    assert _actions(database) == ["kiosk_unlock", "kiosk_unlock_failed"]


def test_new_staff_need_a_unique_username_and_a_real_password(database: Database, store) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as short, database.write() as session:
        auth.create_staff(
            session,
            auth.audit.SYSTEM,
            store_id=store,
            username="li",
            display_name="李",
            roles={Role.SALES},
            password="123",
        )
    assert short.value.code == "staff.password_short"
    with pytest.raises(ValidationError) as taken, database.write() as session:
        auth.create_staff(
            session,
            auth.audit.SYSTEM,
            store_id=store,
            username="WANGFANG",
            display_name="王",
            roles={Role.SALES},
            password="river-stone-42",
        )
    assert taken.value.code == "staff.username_taken"
