"""Start-up faults become clear messages, never tracebacks."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from showroom.context import connect, describe_url, open_context
from showroom.errors import DatabaseUnavailable
from showroom.paths import AppPaths
from showroom.settings import Settings


def test_a_malformed_url_is_reported_as_invalid() -> None:
    with pytest.raises(DatabaseUnavailable) as info:
        connect("not a url at all")
    assert info.value.code == "db.bad_url"
    assert "数据库地址无效" in info.value.message


def test_an_unreachable_server_is_reported_without_the_password() -> None:
    with pytest.raises(DatabaseUnavailable) as info:
        connect("postgresql+psycopg://staff:s3cret@127.0.0.1:1/showroom")
    assert info.value.code == "db.unreachable"
    assert "s3cret" not in info.value.message
    assert "127.0.0.1" in info.value.message


def test_a_locked_embedded_file_is_reported_as_locked(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseUnavailable) as info:
            connect(f"sqlite:///{path}?timeout=0.1")
        # Either the connection check or the journal switch meets the lock.
        assert info.value.code in {"db.locked", "db.unreachable"}
        assert "占用" in info.value.message or "locked" in info.value.message
    finally:
        holder.close()


def test_first_start_creates_and_migrates_the_embedded_database(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path / "home").ensure()
    ctx = open_context(paths, Settings.load(paths.settings_file, environ={}))
    try:
        assert ctx.embedded
        assert paths.embedded_database.exists()
        assert ctx.schema_state is not None and ctx.schema_state.status == "current"
    finally:
        ctx.close()


def test_urls_are_shown_without_passwords() -> None:
    assert describe_url("postgresql+psycopg://u:pw@h/db") == "postgresql+psycopg://u:***@h/db"
