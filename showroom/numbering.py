"""Formats of the human numbers, drawn from the database counters in ``db.numbers``.

- visit no.     BJ01-V20261124-0012   (per store and day)
- stock no.     BJ01-S2026-00123      (per store and year)
- receipt no.   BJ01-R2026-000045     (per store and year)
- contract no.  BJ01-2026-000123      (per store and year, no gaps)
- report no.    BJ01-J2026-00077      (inspection reports, per store and year)
- return no.    BJ01-T2026-000003     (7-day return agreements, per store and year, no gaps)
- complaint no. BJ01-C2026-000012     (complaints, per store and year)
- claim no.     BJ01-W2026-000004     (warranty claims, per store and year)
- purchase no.  BJ01-P2026-000002     (收车 purchase agreements, per store and year)
- booking code  K7QM2XPD              (eight characters; test drives and registrations)

Booking codes are not numbers: anyone holding one must learn nothing about any
other, so each is drawn from ``secrets`` (8 characters from an alphabet of 30:
about 6.6 x 10^11 codes, so a guess hits one of even 100,000 live bookings with
odds of one in six million). The alphabet has no 0/O and no 1/I/L, which are
misread aloud, on a photo of the slip and in handwriting (and no U, which reads
as V). Every code issued is registered in ``booking_codes`` whose key refuses a
second use (``issue_booking_code``). Codes issued before were six characters of
Crockford's base 32 (``LEGACY_ALPHABET``); they stay valid.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import BookingCode
from db.numbers import next_value

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
CODE_SPACE = len(CODE_ALPHABET) ** CODE_LENGTH
# Six characters of Crockford's base 32, as issued before migration 0015.
LEGACY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LEGACY_LENGTH = 6
BOOKING_KINDS = ("test_drive", "registration")
_ISSUE_TRIES = 8


def booking_code_for(value: int) -> str:
    """The code of ``value`` (0 <= value < ``CODE_SPACE``), digit by digit in the alphabet."""
    if not 0 <= value < CODE_SPACE:
        raise ValueError("booking code value out of range")
    chars = []
    for _ in range(CODE_LENGTH):
        value, digit = divmod(value, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[digit])
    return "".join(reversed(chars))


def random_booking_code() -> str:
    """A code from the operating system's cryptographic random source."""
    return booking_code_for(secrets.randbelow(CODE_SPACE))


def issue_booking_code(
    session: Session,
    store_id: uuid.UUID,
    kind: str,
    *,
    draw: object = None,
) -> str:
    """A fresh random code, registered for ``store_id`` and ``kind`` in this transaction.

    The registry's key makes the database refuse a code in use by any booking of
    either kind; a clash (once in ~10^11 draws) is simply drawn again. ``draw``
    replaces the random source (tests that need a clash).
    """
    if kind not in BOOKING_KINDS:
        raise ValueError(f"unknown booking kind {kind!r}")
    make = draw if callable(draw) else random_booking_code
    for _ in range(_ISSUE_TRIES):
        code = str(make())
        if session.get(BookingCode, code) is not None:
            continue
        try:
            with session.begin_nested():  # a PC drawing the same code right now: draw again
                session.add(BookingCode(code=code, store_id=store_id, kind=kind))
                session.flush()
        except IntegrityError:
            continue
        return code
    raise RuntimeError("no free booking code after several draws")  # pragma: no cover


def normalize_booking_code(text: str) -> str:
    """Read a typed or scanned code leniently (lower case, spaces, dashes).

    O, I and L never occur in a code; typed for 0 and 1 they meant those (which only
    old codes contain).
    """
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


def next_return_no(session: Session, store_code: str, year: int) -> str:
    n = next_value(session, store_code, "return", str(year))
    return f"{store_code}-T{year}-{n:06d}"


def next_complaint_no(session: Session, store_code: str, year: int) -> str:
    n = next_value(session, store_code, "complaint", str(year))
    return f"{store_code}-C{year}-{n:06d}"


def next_claim_no(session: Session, store_code: str, year: int) -> str:
    n = next_value(session, store_code, "warranty", str(year))
    return f"{store_code}-W{year}-{n:06d}"


def next_purchase_no(session: Session, store_code: str, year: int) -> str:
    n = next_value(session, store_code, "purchase", str(year))
    return f"{store_code}-P{year}-{n:06d}"
