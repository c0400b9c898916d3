"""The audit log is append-only and any edit or deletion is detected."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from db.engine import Database
from db.models import AuditEntry
from showroom.audit_anchors import AnchorBook, parse_anchor
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


# --- anchors kept outside the database ----------------------------------------------------


def _entry_hashes(database: Database) -> list[tuple[int, str, str]]:
    with database.read() as s:
        rows = s.execute(select(AuditEntry.seq, AuditEntry.prev_hash, AuditEntry.hash)).all()
    return sorted((r.seq, r.prev_hash, r.hash) for r in rows)


def _rewrite_and_rehash(database: Database, seq: int, actor: str) -> None:
    """What someone with the tables' owner rights can do: edit one entry, recompute every
    later hash and the head, so that the chain alone still checks out."""
    with database.read() as s:
        entries = list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    prev = audit.GENESIS_HASH
    fixed: list[tuple[int, str, str, str]] = []
    for e in entries:
        name = actor if e.seq == seq else e.actor
        digest = audit.entry_hash(
            prev, e.seq, e.at, name, e.staff_id, e.store_id, e.action, e.entity,
            e.entity_id, e.detail,
        )  # fmt: skip
        fixed.append((e.seq, name, prev, digest))
        prev = digest
    with database.engine.begin() as conn, _guards_off(conn, database):
        for number, name, before, digest in fixed:
            conn.execute(
                text(
                    "UPDATE audit_entries SET actor = :a, prev_hash = :p, hash = :h WHERE seq = :s"
                ),
                {"a": name, "p": before, "h": digest, "s": number},
            )
        conn.execute(text("UPDATE audit_head SET last_hash = :h"), {"h": prev})


def _cut_tail(database: Database, keep: int) -> None:
    """Drop the last entries and set the head back to the one kept: the chain verifies."""
    with database.engine.begin() as conn, _guards_off(conn, database):
        last = conn.execute(
            text("SELECT hash FROM audit_entries WHERE seq = :s"), {"s": keep}
        ).scalar_one()
        conn.execute(text("DELETE FROM audit_entries WHERE seq > :s"), {"s": keep})
        conn.execute(
            text("UPDATE audit_head SET last_seq = :s, last_hash = :h"), {"s": keep, "h": last}
        )


@contextmanager
def _guards_off(conn: Any, database: Database) -> Iterator[None]:
    """The owner's way past the triggers (PostgreSQL: switched back on before commit, so
    the next test's database has them; SQLite: a per-test copy, dropped for good)."""
    if database.kind == "postgresql":
        for table in ("audit_entries", "audit_head"):
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        yield
        for table in ("audit_entries", "audit_head"):
            conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
    else:
        for name in (
            "audit_entries_no_update",
            "audit_entries_no_delete",
            "trg_audit_head_forward",
        ):
            conn.execute(text(f"DROP TRIGGER {name}"))
        yield


@pytest.fixture
def book(database: Database, tmp_path: Path) -> AnchorBook:
    # What open_context does on every PC: each committed write anchors the head.
    anchors = AnchorBook(tmp_path / "anchors.jsonl", "test")
    database.on_audit_commit = anchors.record
    return anchors


def test_each_committed_write_anchors_the_head_and_a_rollback_does_not(
    database: Database, book: AnchorBook
) -> None:
    _append(database, 2)
    _append(database, 1)
    with pytest.raises(RuntimeError), database.write() as s:
        audit.record(s, audit.SYSTEM, "x", "y")
        raise RuntimeError("undone")
    assert [a.seq for a in book.anchors()] == [2, 3]
    hashes = {seq: digest for seq, _prev, digest in _entry_hashes(database)}
    assert all(a.hash == hashes[a.seq] for a in book.anchors())


def test_an_entry_rolled_back_in_a_savepoint_is_not_anchored(
    database: Database, book: AnchorBook
) -> None:
    _append(database, 1)
    with database.write() as s, pytest.raises(RuntimeError), s.begin_nested():
        audit.record(s, audit.SYSTEM, "x", "y")
        raise RuntimeError("savepoint undone")
    # The staged entry went with its savepoint: nothing was appended, nothing new anchored.
    assert [a.seq for a in book.anchors()] == [1]
    with database.read() as s:
        assert audit.verify(s, book.anchors()).ok


def test_a_rewrite_with_recomputed_hashes_passes_the_chain_but_not_the_anchors(
    database: Database, book: AnchorBook
) -> None:
    for _ in range(5):
        _append(database, 1)
    _rewrite_and_rehash(database, 3, "mallory")
    with database.read() as s:
        assert audit.verify(s).ok  # the chain alone cannot see it: that is the point
        result = audit.verify(s, book.anchors())
    assert not result.ok
    assert result.first_broken_seq == 3  # between the last anchor that still fits (2) and 3
    assert "重算了哈希" in result.reason and "第 3 到 3 条" in result.reason


def test_a_cut_tail_with_the_head_set_back_is_caught_by_an_anchor(
    database: Database, book: AnchorBook
) -> None:
    for _ in range(5):
        _append(database, 1)
    _cut_tail(database, keep=3)
    with database.read() as s:
        assert audit.verify(s).ok
        result = audit.verify(s, book.anchors())
    assert not result.ok and result.entries == 3 and result.first_broken_seq == 4
    assert "末尾被删除" in result.reason and "第 5 条" in result.reason


def test_an_anchor_copied_from_paper_is_checked_too(database: Database) -> None:
    _append(database, 4)
    with database.read() as s:
        paper = audit.current_anchor(s).text  # e.g. "A4-0123456789abcdef"
    _rewrite_and_rehash(database, 1, "mallory")
    with database.read() as s:
        result = audit.verify(s, [parse_anchor(paper)])
    assert not result.ok and result.first_broken_seq == 1
    with database.read() as s:
        fresh = audit.current_anchor(s).text
        assert audit.verify(s, [parse_anchor(fresh)]).ok


def test_postgresql_refuses_truncate_of_the_log_the_row_triggers_never_saw(
    postgresql_database: Database,
) -> None:
    _append(postgresql_database, 3)
    with (
        pytest.raises(DBAPIError, match="may not be truncated"),
        postgresql_database.engine.begin() as conn,
    ):
        conn.execute(text("TRUNCATE audit_entries"))
    with postgresql_database.read() as s:
        assert audit.verify(s).ok and audit.verify(s).entries == 3
