"""Formats of the human numbers, drawn from the database counters in ``db.numbers``.

- visit no.     BJ01-V20261124-0012   (per store and day)
- stock no.     BJ01-S2026-00123      (per store and year)
- receipt no.   BJ01-R2026-000045     (per store and year)
- contract no.  BJ01-2026-000123      (per store and year, no gaps)
- report no.    BJ01-J2026-00077      (inspection reports, per store and year)
- booking code  7KQ2MX                (six characters; for test drives and registrations)

Booking codes are a bijective scramble of a counter: unique like the counter,
but not guessable from one's own code, and free of look-alike letters.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from db.numbers import next_value

# Crockford's base 32: no I, L, O, U, so a code read aloud or typed is unambiguous.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 6
_CODE_SPACE = len(CODE_ALPHABET) ** CODE_LENGTH
_SCRAMBLE_MUL = 0x2F5A3B7  # odd, hence invertible modulo a power of two
_SCRAMBLE_ADD = 0x1D3C9A1


def booking_code_for(n: int) -> str:
    value = (n * _SCRAMBLE_MUL + _SCRAMBLE_ADD) % _CODE_SPACE
    chars = []
    for _ in range(CODE_LENGTH):
        value, digit = divmod(value, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[digit])
    return "".join(reversed(chars))


def normalize_booking_code(text: str) -> str:
    """Read a typed or scanned code leniently (lower case, O for 0, I/L for 1)."""
    cleaned = text.strip().upper().replace("-", "").replace(" ", "")
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def next_visit_no(session: Session, store_code: str, day: date) -> str:
    n = next_value(session, store_code, "visit", day.strftime("%Y%m%d"))
    return f"{store_code}-V{day:%Y%m%d}-{n:04d}"


def next_stock_no(session: Session, store_code: str, year: int, count: int = 1) -> list[str]:
    last = next_value(session, store_code, "stock", str(year), count)
    return [f"{store_code}-S{year}-{n:05d}" for n in range(last - count + 1, last + 1)]


def next_receipt_no(session: Session, store_code: str, year: int) -> str:
    n = next_value(session, store_code, "receipt", str(year))
    return f"{store_code}-R{year}-{n:06d}"


def next_contract_no(session: Session, store_code: str, year: int) -> str:
    n = next_value(session, store_code, "contract", str(year))
    return f"{store_code}-{year}-{n:06d}"


def next_report_no(session: Session, store_code: str, year: int) -> str:
    n = next_value(session, store_code, "report", str(year))
    return f"{store_code}-J{year}-{n:05d}"


def next_booking_code(session: Session) -> str:
    # One counter for the whole group, so a code is unique across stores.
    return booking_code_for(next_value(session, "*", "booking", "all"))
