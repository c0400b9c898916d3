"""Human numbers come from the database: unique, gap-free, per store and period."""

from __future__ import annotations

import threading
from datetime import date

from db.engine import Database
from showroom import numbering


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


def test_booking_codes_are_unique_six_characters_without_look_alikes() -> None:
    codes = {numbering.booking_code_for(n) for n in range(1, 50_001)}
    assert len(codes) == 50_000
    assert all(len(c) == 6 and not set(c) & set("ILOU") for c in codes)
    # Consecutive bookings do not reveal each other's codes.
    assert numbering.booking_code_for(1)[:4] != numbering.booking_code_for(2)[:4]


def test_typed_codes_are_read_leniently() -> None:
    assert numbering.normalize_booking_code(" 2cjv-ar ") == "2CJVAR"
    assert numbering.normalize_booking_code("O1L") == "011"
