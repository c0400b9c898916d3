"""Signing in while the shared database is down: staff who signed in on this PC before.

A desk that starts during an outage must still let its receptionist in. The
shared database holds the password hashes and the read cache deliberately does
not (``db.sync.replica`` blanks them), so after every successful sign-in against
the shared database this PC keeps, in its local outbox file:

- who signed in (the ``StaffUser`` as plain data), and
- a verifier of the password made here (scrypt with its own salt, not the
  server's hash), with when it was made.

Offline, ``sign_in`` checks the password against that verifier, checks in the
read cache that the account is still active, counts failures here with the same
lockout as online, and queues the audit entry (``sign_in_offline`` or
``sign_in_failed``) that the shared log receives when the PC replays. A verifier
not refreshed by an online sign-in for ``VALID_DAYS`` days is no longer accepted.
Nothing here is logged; the file is the PC's own, like the outbox it lives in.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from showroom.clock import utcnow
from showroom.errors import PermissionDenied, ValidationError
from showroom.security import hash_secret, verify_secret
from showroom.sync import operations
from showroom.users import StaffUser

if TYPE_CHECKING:
    from showroom.sync.service import SyncService

VALID_DAYS = 14
_KEY = "offline_sign_in:"

UNKNOWN = (
    "共享数据库暂时无法连接。只有最近 {days} 天内在本机成功登录过的员工可以离线登录；"
    "请稍候，网络恢复后即可正常登录。"
)


def _key(username: str) -> str:
    return _KEY + username.strip().lower()


def remember(
    sync: SyncService,
    user: StaffUser,
    password: str,
    *,
    now: datetime | None = None,
    **cost: int,
) -> None:
    """After an online sign-in: keep what an offline sign-in of ``user`` needs."""
    entry = {
        "user": operations.user_payload(user),
        "verifier": hash_secret(password, **cost),
        "stored_at": (now or utcnow()).isoformat(),
        "failures": 0,
        "locked_until": None,
    }
    sync.outbox.set_state(_key(user.username), json.dumps(entry, ensure_ascii=False))


def known(sync: SyncService, username: str) -> bool:
    return sync.outbox.get_state(_key(username)) is not None


def sign_in(
    sync: SyncService,
    username: str,
    password: str,
    *,
    max_attempts: int = 5,
    lockout_minutes: int = 15,
    now: datetime | None = None,
) -> StaffUser:
    """Check ``username`` and ``password`` without the shared database (see above)."""
    now = now or utcnow()
    if not username.strip() or not password:
        raise ValidationError("auth.missing", "请输入用户名和密码。")
    raw = sync.outbox.get_state(_key(username))
    if raw is None:
        raise PermissionDenied(
            "auth.offline_unknown", UNKNOWN.format(days=VALID_DAYS), days=VALID_DAYS
        )
    entry: dict[str, Any] = json.loads(raw)
    user = operations.user_from_payload(entry["user"])
    if datetime.fromisoformat(entry["stored_at"]) < now - timedelta(days=VALID_DAYS):
        raise PermissionDenied(
            "auth.offline_unknown", UNKNOWN.format(days=VALID_DAYS), days=VALID_DAYS
        )
    locked_until = entry.get("locked_until")
    if locked_until and datetime.fromisoformat(locked_until) > now:
        left = datetime.fromisoformat(locked_until) - now
        minutes = max(1, int(left.total_seconds() // 60) + 1)
        raise PermissionDenied(
            "auth.locked",
            f"输错次数过多，账号已锁定，请 {minutes} 分钟后再试，或请店长解锁。",
            minutes=minutes,
        )
    current = _still_active(sync, user)
    if current is None or not verify_secret(password, entry["verifier"]):
        entry["failures"] = int(entry.get("failures", 0)) + 1
        left = max_attempts - entry["failures"]
        if left <= 0:
            entry["failures"] = 0
            entry["locked_until"] = (now + timedelta(minutes=lockout_minutes)).isoformat()
        sync.outbox.set_state(_key(username), json.dumps(entry, ensure_ascii=False))
        sync.queue(
            "auth.sign_in_offline_failed",
            {"user": entry["user"], "at": now.isoformat(), "attempts_left": max(left, 0)},
        )
        if left <= 0:
            raise PermissionDenied(
                "auth.locked",
                f"输错次数过多，账号已锁定 {lockout_minutes} 分钟。",
                minutes=lockout_minutes,
            )
        raise PermissionDenied(
            "auth.failed_attempts_left",
            f"用户名或密码不正确。再错 {left} 次账号将被锁定。",
            attempts_left=left,
        )
    entry["failures"] = 0
    entry["locked_until"] = None
    sync.outbox.set_state(_key(username), json.dumps(entry, ensure_ascii=False))
    sync.queue(
        "auth.sign_in_offline", {"user": operations.user_payload(current), "at": now.isoformat()}
    )
    return current


def _still_active(sync: SyncService, user: StaffUser) -> StaffUser | None:
    """The account as the read cache last saw it: refused if gone or deactivated there."""
    from db.models import Staff, Store

    replica = sync.replica
    if replica is None or not replica.ready:
        return None
    with replica.database.read() as session:
        staff = session.get(Staff, user.id)
        if staff is None or not staff.active or staff.deleted_at is not None:
            return None
        store = session.get(Store, staff.store_id)
        return StaffUser(
            staff.id,
            staff.username,
            staff.display_name,
            staff.roles,
            staff.store_id,
            store.code if store is not None else user.store_code,
            store.name if store is not None else user.store_name,
        )
