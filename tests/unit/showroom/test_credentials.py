"""The database password goes to the keyring, never into the settings file."""

from __future__ import annotations

from pathlib import Path

import pytest

from showroom.sync import credentials


def test_the_password_is_taken_out_of_the_url() -> None:
    plain, password = credentials.without_password("postgresql+psycopg://u:p%40ss@db:5433/shop")
    assert plain == "postgresql+psycopg://u@db:5433/shop"
    assert password == "p@ss"
    assert credentials.without_password("sqlite:///x.db") == ("sqlite:///x.db", None)


def test_without_a_keyring_nothing_is_stored_and_the_user_is_told(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(credentials, "keyring_status", lambda: "本机没有可用的系统钥匙串")
    url = "postgresql+psycopg://u@db/shop"
    assert credentials.store_password(url, "pw") == "本机没有可用的系统钥匙串"
    assert credentials.with_saved_password(url, tmp_path) == url
    # Only when the user accepts the plain file explicitly.
    credentials.store_in_plain_file(tmp_path, url, "p w")
    assert (tmp_path / credentials.PLAIN_FILE).stat().st_mode & 0o077 == 0
    assert credentials.with_saved_password(url, tmp_path) == "postgresql+psycopg://u:p%20w@db/shop"


def test_a_working_keyring_keeps_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    store: dict[tuple[str, str], str] = {}
    monkeypatch.setattr(credentials, "keyring_status", lambda: None)
    monkeypatch.setattr(keyring, "set_password", lambda s, k, p: store.__setitem__((s, k), p))
    monkeypatch.setattr(keyring, "get_password", lambda s, k: store.get((s, k)))
    url = "postgresql+psycopg://u@db/shop"
    assert credentials.store_password(url, "pw") is None
    assert store == {(credentials.SERVICE, "u@db:5432/shop"): "pw"}
    assert credentials.with_saved_password(url) == "postgresql+psycopg://u:pw@db/shop"
