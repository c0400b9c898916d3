"""The audit log is append-only and any edit or deletion is detected."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from db.engine import Database
from showroom.services import audit


def _append(database: Database, n: int) -> None:
    with database.write() as session:
        for i in range(n):
            audit.record(
                session,
                audit.SYSTEM,
                "deposit_taken",
                "deposit",
                f"id-{i}",
                {"amount": "5000.00", "成功": True},
            )


def _tamper(database: Database, sql: str) -> None:
    """Bypass the append-only triggers, as an attacker with database access could."""
    with database.engine.begin() as conn:
        if database.kind == "postgresql":
            conn.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
            conn.execute(text(sql))
            conn.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_entries_no_update"))
            conn.execute(text("DROP TRIGGER audit_entries_no_delete"))
            conn.execute(text(sql))


def test_an_intact_chain_verifies(database: Database) -> None:
    _append(database, 5)
    with database.read() as session:
        result = audit.verify(session)
    assert result.ok and result.entries == 5


def test_the_database_refuses_to_update_or_delete_audit_entries(database: Database) -> None:
    _append(database, 2)
    for sql in ("UPDATE audit_entries SET actor = 'x'", "DELETE FROM audit_entries"):
        with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as conn:
            conn.execute(text(sql))


@pytest.mark.parametrize(
    ("sql", "broken", "word"),
    [
        ("UPDATE audit_entries SET actor = 'mallory' WHERE seq = 3", 3, "修改"),
        ("DELETE FROM audit_entries WHERE seq = 2", 2, "删除"),
        ("DELETE FROM audit_entries WHERE seq = 5", 5, "删除"),
    ],
    ids=["edited", "middle-deleted", "last-deleted"],
)
def test_tampering_names_the_first_broken_entry(
    database: Database, sql: str, broken: int, word: str
) -> None:
    _append(database, 5)
    _tamper(database, sql)
    with database.read() as session:
        result = audit.verify(session)
    assert not result.ok
    assert result.first_broken_seq == broken
    assert word in result.reason


def test_concurrent_appends_form_one_unbroken_chain(database: Database) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(5):
                _append(database, 1)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with database.read() as session:
        result = audit.verify(session)
    assert result.ok and result.entries == 20
