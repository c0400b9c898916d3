"""Rules for passwords, kiosk PINs and usernames, and the temporary secrets a manager hands out.

Pure functions (no database): a service calls them before it hashes anything,
so every refusal is a ``ValidationError`` with a code and a plain sentence.

- A password has at least ``MIN_PASSWORD_LENGTH`` characters, is not the
  username (nor contains it), and is not a known demo or everyday password
  (the demo accounts print theirs on screen, so a store must never keep one).
- A PIN is 4 to 8 digits and not a run like 1234 or 0000; the service also
  refuses one another active person already uses (a PIN alone says who is
  unlocking the kiosk).
- A temporary password is random, shown once, and must be changed at the next
  sign-in (``Staff.must_change_password``).
"""

from __future__ import annotations

import re
import secrets
from itertools import pairwise

from showroom.errors import ValidationError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
PIN_LENGTHS = range(4, 9)
RANDOM_PIN_LENGTH = 6
USERNAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,39}")
MAX_DISPLAY_NAME = 20

# The password every demo account prints (``showroom demo``, the first-run demo page).
DEMO_PASSWORD = "demo1234"
# Passwords guessed first: the demo's, and the everyday ones that pass a length rule.
_KNOWN_PASSWORDS = frozenset(
    {
        DEMO_PASSWORD,
        "demo12345678",
        "1234567890",
        "0123456789",
        "12345678910",
        "9876543210",
        "1234567890a",
        "a1234567890",
        "a123456789",
        "abc1234567",
        "abcd123456",
        "password123",
        "password1234",
        "passw0rd123",
        "qwertyuiop",
        "qwerty123456",
        "1qaz2wsx3edc",
        "1q2w3e4r5t",
        "admin12345",
        "admin123456",
        "showroom123",
        "iloveyou1314",
        "woaini1314520",
        "5201314520",
        "88888888888",
    }
)
# No 0/O, 1/I/L: a temporary password is read off a screen and typed once.
_TEMP_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def check_password(password: str, username: str = "") -> None:
    """Refuse a password that is short, is (or contains) the username, or is well known."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            "staff.password_short",
            f"密码至少 {MIN_PASSWORD_LENGTH} 位。",
            minimum=MIN_PASSWORD_LENGTH,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(
            "staff.password_long",
            f"密码最多 {MAX_PASSWORD_LENGTH} 位。",
            maximum=MAX_PASSWORD_LENGTH,
        )
    if password != password.strip():
        raise ValidationError("staff.password_spaces", "密码的开头和结尾不能是空格。")
    lowered = password.lower()
    name = username.strip().lower()
    if name and (lowered == name or (len(name) >= 3 and name in lowered)):
        raise ValidationError("staff.password_username", "密码不能是用户名，也不能包含用户名。")
    if lowered in _KNOWN_PASSWORDS or len(set(password)) <= 2:
        raise ValidationError(
            "staff.password_common",
            "这个密码太常见（演示账号或常用密码），别人很容易猜到，请换一个。",
        )


def check_pin(pin: str) -> None:
    """Refuse a PIN that is not 4 to 8 digits, or is a run (0000, 1234, 4321)."""
    if not pin.isdigit() or not pin.isascii() or len(pin) not in PIN_LENGTHS:
        raise ValidationError("auth.pin_format", "PIN 为 4 到 8 位数字。")
    steps = {int(b) - int(a) for a, b in pairwise(pin)}
    if steps in ({0}, {1}, {-1}):
        raise ValidationError(
            "staff.pin_weak", "PIN 不能是重复或连续的数字（如 0000、1234），请换一个。"
        )


def check_username(username: str) -> str:
    """The username as stored (trimmed); letters, digits and . _ - only, 2 to 40 long."""
    username = username.strip()
    if not username:
        raise ValidationError("staff.username_missing", "请填写用户名。")
    if not USERNAME_RE.fullmatch(username):
        raise ValidationError(
            "staff.username_invalid",
            "用户名为 2 到 40 位英文字母、数字或 . _ -，以字母或数字开头，例如 wangfang。",
        )
    return username


def check_display_name(name: str) -> str:
    """The person's name as shown and printed (trimmed): 1 to 20 characters, no controls."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationError("staff.name_missing", "请填写姓名。")
    if len(cleaned) > MAX_DISPLAY_NAME:
        raise ValidationError(
            "staff.name_long", f"姓名最多 {MAX_DISPLAY_NAME} 个字。", maximum=MAX_DISPLAY_NAME
        )
    if any(not ch.isprintable() for ch in cleaned):
        raise ValidationError("staff.name_invalid", "姓名里有无法显示或打印的字符。")
    return cleaned


def temporary_password() -> str:
    """A random one-time password such as ``K7QM-2XPA-9RTF`` (about 64 bits)."""
    chars = "".join(secrets.choice(_TEMP_ALPHABET) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def random_pin(length: int = RANDOM_PIN_LENGTH) -> str:
    """A random PIN that passes ``check_pin``."""
    while True:
        pin = "".join(secrets.choice("0123456789") for _ in range(length))
        try:
            check_pin(pin)
        except ValidationError:
            continue
        return pin
