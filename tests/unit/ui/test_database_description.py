"""The status bar names the database kind and server, never the password."""

from __future__ import annotations

from types import SimpleNamespace

from db.engine import Database
from ui.main_window import database_description


def test_a_shared_database_shows_its_server_without_the_password() -> None:
    database = Database.from_url("postgresql+psycopg://staff:s3cret@10.0.0.5:5432/showroom")
    try:
        text, tooltip = database_description(
            SimpleNamespace(database=database, embedded=False)  # type: ignore[arg-type]
        )
    finally:
        database.dispose()
    assert text == "共享数据库 10.0.0.5:5432/showroom"
    assert "s3cret" not in text + tooltip
    assert tooltip == "postgresql+psycopg://staff:***@10.0.0.5:5432/showroom"


def test_the_embedded_database_is_named_as_such(tmp_path) -> None:  # type: ignore[no-untyped-def]
    database = Database.from_url(f"sqlite:///{tmp_path / 'showroom.db'}")
    try:
        text, tooltip = database_description(
            SimpleNamespace(database=database, embedded=True)  # type: ignore[arg-type]
        )
    finally:
        database.dispose()
    assert text == "本机内置数据库"
    assert tooltip.endswith("showroom.db")
