"""尾号 at the desk: 4+ digits match the end of the number too, through an index."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, text

from db.engine import Database
from db.models import Customer, Title
from showroom.clock import utcnow
from showroom.services import reception
from tests.factories import make_store

PEOPLE = (
    ("薛", Title.MS, "13812340186"),
    ("李", Title.MR, "13998760186"),
    ("王", Title.MS, "15000010186"),
    ("赵", Title.MR, "13800000187"),
    ("周", Title.MS, "18601860000"),  # 0186 in the middle: not a tail match
)


@pytest.fixture
def store(database: Database) -> uuid.UUID:
    store_id = make_store(database)
    with database.write() as s:
        for name, title, phone in PEOPLE:
            s.add(Customer(store_id=store_id, name=name, title=title, phone=phone))
    return store_id


def _find(database: Database, typed: str, limit: int = reception.LOOKUP_LIMIT):  # type: ignore[no-untyped-def]
    with database.read() as s:
        return reception.find(s, typed, limit=limit)


def test_four_digits_find_every_number_ending_with_them_masked(
    database: Database, store: uuid.UUID
) -> None:
    found = _find(database, "0186")
    shown = [(m.display_name, m.phone_masked, m.matched_by) for m in found.matches]
    assert shown == [
        ("薛女士", "138****0186", "tail"),
        ("李先生", "139****0186", "tail"),
        ("王女士", "150****0186", "tail"),
    ]
    assert found.unique is None and not found.more


def test_more_digits_narrow_to_one_and_enter_may_check_them_in(
    database: Database, store: uuid.UUID
) -> None:
    found = _find(database, "40186")
    assert found.unique is not None and found.unique.display_name == "薛女士"
    assert _find(database, "0187").unique.display_name == "赵先生"  # type: ignore[union-attr]


def test_digits_that_start_a_number_still_match_the_start(
    database: Database, store: uuid.UUID
) -> None:
    found = _find(database, "1860")
    assert [(m.display_name, m.matched_by) for m in found.matches] == [("周女士", "prefix")]
    # Three digits are too few for a tail (a tenth of all customers): the start only.
    assert [m.display_name for m in _find(database, "186").matches] == ["周女士"]
    exact = _find(database, "13812340186").matches
    assert exact[0].matched_by == "exact" and exact[0].phone_exact


def test_more_matches_than_shown_are_said_not_hidden(database: Database, store: uuid.UUID) -> None:
    found = _find(database, "0186", limit=2)
    assert len(found.matches) == 2 and found.more and found.unique is None


def test_a_merged_duplicate_is_not_found_by_its_tail(database: Database, store: uuid.UUID) -> None:
    with database.write() as s:
        s.add(
            Customer(
                store_id=store,
                name="旧",
                title=Title.MR,
                phone="13711110186",
                deleted_at=utcnow(),
            )
        )
    assert "旧先生" not in [m.display_name for m in _find(database, "0186").matches]


@contextmanager
def _statements(database: Database) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", record)


def test_the_tail_query_reads_the_tail_index_on_both_databases(
    database: Database, store: uuid.UUID
) -> None:
    with _statements(database) as seen:
        _find(database, "0186")
    statement, parameters = next(
        (sql, params) for sql, params in seen if "phone_tail" in sql and "FROM customers" in sql
    )
    with database.engine.connect() as conn:
        raw = conn.connection.driver_connection
        cursor = raw.cursor()  # type: ignore[union-attr]
        if database.kind == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            plan = " ".join(str(row) for row in cursor.fetchall())
        else:
            # Five rows are cheaper to scan; forbid that to see which index the plan can use.
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + statement, parameters)
            plan = " ".join(str(row) for row in cursor.fetchall())
        conn.execute(text("SELECT 1"))
    assert "ix_customers_phone_tail" in plan
