"""Anchors of the audit chain in a PC's own file: written, read back, compacted, typed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from showroom import audit_anchors
from showroom.audit_anchors import Anchor, AnchorBook, database_identity, parse_anchor

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
HASH = "0123456789abcdef" * 4


def test_an_anchor_reads_back_as_written(tmp_path: Path) -> None:
    book = AnchorBook(tmp_path / "a" / "book.jsonl", "sqlite:/x")
    book.record(7, HASH, "write", T0)
    book.record(0, HASH, "start", T0)  # an empty log pins nothing
    assert book.anchors() == [Anchor(7, HASH, T0, "write")]


def test_the_printed_form_is_short_and_parses_back() -> None:
    anchor = Anchor(1234, HASH, T0, "anchor")
    assert anchor.text == "A1234-0123456789abcdef"
    typed = parse_anchor(" a1234-0123456789ABCDEF ")
    assert (typed.seq, typed.hash, typed.source) == (1234, "0123456789abcdef", "typed")
    assert typed.matches(HASH) and not typed.matches("f" * 64)
    assert parse_anchor("1234:01234567").seq == 1234
    for bad in ("", "A12", "A12-xyz", "A12-0123"):
        with pytest.raises(ValueError):
            parse_anchor(bad)


def test_a_damaged_line_is_skipped_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "book.jsonl"
    book = AnchorBook(path)
    book.record(1, HASH, "write", T0)
    with path.open("a", encoding="utf-8") as file:
        file.write("{not json\n")
    book.record(2, HASH, "write", T0)
    assert [a.seq for a in book.anchors()] == [1, 2]


def test_a_file_that_cannot_be_written_never_fails_the_write(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    book = AnchorBook(blocker / "sub" / "book.jsonl")  # a directory under a file
    book.record(1, HASH)  # logged, not raised: the database write had committed
    assert book.anchors() == []


def test_compaction_keeps_the_newest_and_one_per_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_anchors, "MAX_BYTES", 4_000)
    monkeypatch.setattr(audit_anchors, "KEEP_NEWEST", 3)
    book = AnchorBook(tmp_path / "book.jsonl")
    for n in range(1, 41):
        book.record(n, HASH, "write", T0 + timedelta(hours=6 * n))
    kept = book.anchors()
    seqs = [a.seq for a in kept]
    assert seqs == sorted(seqs) and seqs[-1] == 40 and len(kept) < 40
    days = {a.at.date() for a in kept if a.at}
    assert days == {(T0 + timedelta(hours=6 * n)).date() for n in range(1, 41)}


def test_one_database_one_book_whoever_logs_in(tmp_path: Path) -> None:
    app = database_identity("postgresql+psycopg://showroom_app:pw@db.local:5432/showroom")
    owner = database_identity("postgresql+psycopg://showroom_owner@db.local/showroom")
    assert app == owner == "postgresql://db.local:5432/showroom"
    assert "pw" not in app
    embedded = database_identity(f"sqlite:///{tmp_path}/x/../showroom.db")
    assert embedded == f"sqlite:{tmp_path / 'showroom.db'}"
    a = AnchorBook.for_database(tmp_path, "postgresql+psycopg://u@h/db1")
    b = AnchorBook.for_database(tmp_path, "postgresql+psycopg://v@h/db2")
    assert a.path != b.path and a.path.parent == tmp_path
