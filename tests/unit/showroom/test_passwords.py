"""Password, PIN, username and name rules, and the temporary secrets a manager hands out."""

from __future__ import annotations

import re

import pytest

from showroom import passwords
from showroom.errors import ValidationError


def _code(fn, *args) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as info:
        fn(*args)
    return info.value.code


def test_a_password_needs_ten_characters_and_says_so() -> None:
    with pytest.raises(ValidationError) as info:
        passwords.check_password("Short-9", "wangfang")
    assert info.value.code == "staff.password_short"
    assert "10" in info.value.message and info.value.params["minimum"] == 10
    passwords.check_password("river-stone-42", "wangfang")


def test_the_username_and_the_demo_or_everyday_passwords_are_refused() -> None:
    assert _code(passwords.check_password, "WangFang2026", "wangfang") == "staff.password_username"
    assert _code(passwords.check_password, "wangfang", "wangfang") == "staff.password_short"
    assert _code(passwords.check_password, "wangfangwangfang", "WangFang") == (
        "staff.password_username"
    )
    for common in ("1234567890", "Password123", "qwertyuiop", "aaaaaaaaaaaa", "abababababab"):
        assert _code(passwords.check_password, common, "li") == "staff.password_common"
    # The demo accounts print their password on screen: never a store's real one.
    assert passwords.DEMO_PASSWORD == "demo1234"
    assert _code(passwords.check_password, "demo12345678", "li") == "staff.password_common"


def test_leading_spaces_and_endless_passwords_are_refused_not_trimmed() -> None:
    assert _code(passwords.check_password, " river-stone-42", "li") == "staff.password_spaces"
    assert _code(passwords.check_password, "x" * 60 + "y" * 69, "li") == "staff.password_long"


def test_a_pin_is_four_to_eight_digits_and_not_a_run() -> None:
    for good in ("2468", "1357", "90210", "73915026"):
        passwords.check_pin(good)
    for bad in ("123", "123456789", "12a4", "１２３４"):
        assert _code(passwords.check_pin, bad) == "auth.pin_format"
    for run in ("0000", "1234", "4321", "567890"[:4], "98765"):
        assert _code(passwords.check_pin, run) == "staff.pin_weak"


def test_usernames_and_names_are_checked_with_their_limits() -> None:
    assert passwords.check_username("  wang.fang-2 ") == "wang.fang-2"
    assert _code(passwords.check_username, "") == "staff.username_missing"
    for bad in ("王芳", "a", "-abc", "has space", "x" * 41):
        assert _code(passwords.check_username, bad) == "staff.username_invalid"
    assert passwords.check_display_name("  王  芳 ") == "王 芳"
    assert _code(passwords.check_display_name, " ") == "staff.name_missing"
    assert _code(passwords.check_display_name, "王" * 21) == "staff.name_long"
    assert _code(passwords.check_display_name, "王\u0007芳") == "staff.name_invalid"


def test_temporary_passwords_are_random_readable_and_pass_the_rules() -> None:
    made = {passwords.temporary_password() for _ in range(50)}
    assert len(made) == 50
    for secret in made:
        assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", secret)
        passwords.check_password(secret, "wangfang")
    for _ in range(50):
        pin = passwords.random_pin()
        assert len(pin) == 6
        passwords.check_pin(pin)
