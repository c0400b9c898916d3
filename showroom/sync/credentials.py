"""The shared database's password lives in the OS keyring, never in the settings file.

The settings keep the URL without a password; the keyring entry is named by
user, host, port and database. Without a usable keyring backend (headless
Linux without a secret service) ``store_password`` says so and stores nothing;
the user can then put the password in ``SHOWROOM_DATABASE_URL`` or accept the
plain-file fallback explicitly (``allow_plain_file``), which warns in the log.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

log = logging.getLogger("showroom.credentials")

SERVICE = "showroom-database"
PLAIN_FILE = "database-passwords.json"


def _key(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgresql") or not parts.username:
        return None
    return f"{unquote(parts.username)}@{parts.hostname}:{parts.port or 5432}{parts.path}"


def without_password(url: str) -> tuple[str, str | None]:
    """(the URL without its password, the password or None)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url, None
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc)), unquote(parts.password)


def _with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{parts.username}:{quote(password, safe='')}@{host}" + (
        f":{parts.port}" if parts.port else ""
    )
    return urlunsplit(parts._replace(netloc=netloc))


def keyring_status() -> str | None:
    """None when a keyring backend works; else why not, in Chinese."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return "未安装 keyring 组件，无法使用系统钥匙串保存密码。"
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return "本机没有可用的系统钥匙串（例如没有桌面会话的 Linux），密码无法安全保存。"
    return None


def store_password(url: str, password: str) -> str | None:
    """Keep ``password`` for ``url`` in the keyring; return None, or why it was not kept."""
    key = _key(url)
    if key is None:
        return "只有 PostgreSQL 地址（含用户名）需要保存密码。"
    problem = keyring_status()
    if problem is not None:
        return problem
    import keyring

    try:
        keyring.set_password(SERVICE, key, password)
    except Exception as exc:  # noqa: BLE001 - any backend failure: tell the user
        return f"系统钥匙串拒绝保存密码：{exc}"
    return None


def store_in_plain_file(config_dir: Path, url: str, password: str) -> None:
    """Only when the user explicitly accepted it: a file readable by this OS user only."""
    key = _key(url)
    if key is None:
        return
    path = config_dir / PLAIN_FILE
    data = json.loads(path.read_text("utf-8")) if path.exists() else {}
    data[key] = password
    path.write_text(json.dumps(data), "utf-8")
    os.chmod(path, 0o600)
    log.warning("database password stored in a plain file at the user's request")


def saved_password(url: str, config_dir: Path | None = None) -> str | None:
    key = _key(url)
    if key is None:
        return None
    if keyring_status() is None:
        import keyring

        try:
            found = keyring.get_password(SERVICE, key)
        except Exception:  # noqa: BLE001 - a locked keyring is as good as none
            found = None
        if found:
            return found
    if config_dir is not None and (config_dir / PLAIN_FILE).exists():
        return json.loads((config_dir / PLAIN_FILE).read_text("utf-8")).get(key)
    return None


def with_saved_password(url: str, config_dir: Path | None = None) -> str:
    if urlsplit(url).password is not None or _key(url) is None:
        return url
    password = saved_password(url, config_dir)
    return _with_password(url, password) if password else url
