"""Human numbers come from the database: unique, gap-free, per store and period."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from db.engine import Database
from db.models import BookingCode
from showroom import numbering
from tests.factories import make_store


def test_contract_numbers_count_up_per_store_and_year(database: Database) -> None:
    with database.write() as session:
        first = numbering.next_contract_no(session, "BJ01", 2026)
        second = numbering.next_contract_no(session, "BJ01", 2026)
        other_store = numbering.next_contract_no(session, "SH02", 2026)
        next_year = numbering.next_contract_no(session, "BJ01", 2027)
    assert (first, second) == ("BJ01-2026-000001", "BJ01-2026-000002")
    assert other_store == "SH02-2026-000001"
    assert next_year == "BJ01-2027-000001"


def test_a_rolled_back_number_is_given_again_so_there_is_no_gap(database: Database) -> None:
    class Abort(Exception):
        pass

    try:
        with database.write() as session:
            numbering.next_receipt_no(session, "BJ01", 2026)
            raise Abort
    except Abort:
        pass
    with database.write() as session:
        assert numbering.next_receipt_no(session, "BJ01", 2026) == "BJ01-R2026-000001"


def test_visit_numbers_restart_each_day(database: Database) -> None:
    with database.write() as session:
        a = numbering.next_visit_no(session, "BJ01", date(2026, 11, 24))
        b = numbering.next_visit_no(session, "BJ01", date(2026, 11, 25))
    assert a == "BJ01-V20261124-0001"
    assert b == "BJ01-V20261125-0001"


def test_stock_numbers_can_be_reserved_in_a_block(database: Database) -> None:
    with database.write() as session:
        block = numbering.next_stock_no(session, "BJ01", 2026, count=3)
        after = numbering.next_stock_no(session, "BJ01", 2026)
    assert block == ["BJ01-S2026-00001", "BJ01-S2026-00002", "BJ01-S2026-00003"]
    assert after == ["BJ01-S2026-00004"]


def test_concurrent_writers_never_share_a_number_and_leave_no_gap(database: Database) -> None:
    got: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            with database.write() as session:
                number = numbering.next_contract_no(session, "BJ01", 2026)
            with lock:
                got.append(number)

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == [f"BJ01-2026-{n:06d}" for n in range(1, 51)]


def test_booking_codes_are_eight_characters_without_look_alikes() -> None:
    codes = [numbering.random_booking_code() for _ in range(20_000)]
    assert len(set(codes)) == len(codes)
    assert all(len(code) == 8 for code in codes)
    used = set("".join(codes))
    assert used == set(numbering.CODE_ALPHABET)  # every character appears...
    assert not used & set("0O1ILU")  # ...and none that is misread aloud or on a photo


def test_booking_codes_are_uniform_and_consecutive_ones_tell_nothing() -> None:
    codes = [numbering.random_booking_code() for _ in range(30_000)]
    size = len(numbering.CODE_ALPHABET)
    expected = len(codes) / size
    for position in range(numbering.CODE_LENGTH):
        counts = Counter(code[position] for code in codes)
        # Chi-square with 29 degrees of freedom: 80 is far beyond any fair draw (p < 1e-6).
        chi2 = sum((counts[ch] - expected) ** 2 / expected for ch in numbering.CODE_ALPHABET)
        assert chi2 < 80, (position, chi2)
    # One code says nothing about the next: the characters in the same place agree
    # as often as chance has it (1 in 30), not more; no shared prefix, no step.
    same = sum(a[i] == b[i] for a, b in itertools.pairwise(codes) for i in range(8))
    assert abs(same / ((len(codes) - 1) * 8) - 1 / size) < 0.004
    values = [_value(code) for code in codes[:2000]]
    steps = {b - a for a, b in itertools.pairwise(values)}
    assert len(steps) > 1990  # a counter or an affine scramble would repeat its step


def _value(code: str) -> int:
    value = 0
    for ch in code:
        value = value * len(numbering.CODE_ALPHABET) + numbering.CODE_ALPHABET.index(ch)
    return value


def test_an_issued_code_is_registered_and_a_clash_is_drawn_again(database: Database) -> None:
    store_id = make_store(database)
    draws = iter(["ABCDEFGH", "ABCDEFGH", "HJKMNPQR"])
    with database.write() as session:
        first = numbering.issue_booking_code(
            session, store_id, "test_drive", draw=lambda: next(draws)
        )
        second = numbering.issue_booking_code(
            session, store_id, "registration", draw=lambda: next(draws)
        )
    assert (first, second) == ("ABCDEFGH", "HJKMNPQR")
    with database.read() as session:
        kinds = dict(session.execute(select(BookingCode.code, BookingCode.kind)).all())
    assert kinds == {"ABCDEFGH": "test_drive", "HJKMNPQR": "registration"}


def test_the_database_refuses_a_code_given_twice(database: Database) -> None:
    store_id = make_store(database)
    with database.write() as session:
        session.add(BookingCode(code="ABCDEFGH", store_id=store_id, kind="test_drive"))
    with pytest.raises(IntegrityError), database.write() as session:
        session.add(BookingCode(code="ABCDEFGH", store_id=store_id, kind="registration"))


def test_typed_codes_are_read_leniently() -> None:
    assert numbering.normalize_booking_code(" 2cjv-ar ") == "2CJVAR"
    assert numbering.normalize_booking_code("O1L") == "011"
