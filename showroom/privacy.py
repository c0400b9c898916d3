"""Masking of personal data for screens, printouts and logs (PIPL).

Staff lists, the visitor board and printed slips show only masked phone and ID numbers, and log
files must never hold them in full: logs get attached to bug reports and copied off the PC.
``redact`` finds mobile and resident ID numbers in free text; ``RedactingFilter`` and
``RedactingFormatter`` apply it to every log record, including exception tracebacks (a
``ValidationError`` raised on a typed number can carry that number in its message).
"""

from __future__ import annotations

import logging
import re

from showroom.errors import ValidationError
from showroom.identifiers import normalize_mobile

__all__ = [
    "RedactingFilter",
    "RedactingFormatter",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "redact",
]

_MASK = "*"
# ASCII and full-width digits: a number typed through a Chinese IME may be logged as typed.
_DIGIT = "[0-9\uff10-\uff19]"
_NOT_AFTER_DIGIT = f"(?<!{_DIGIT})"
_NOT_BEFORE_DIGIT = f"(?!{_DIGIT})"
_SEP = "[ -]?"  # "138 1234 5678", "138-1234-5678"

# An 18-character resident ID: 17 digits and a digit or X, optionally spaced 6-8-4.
_ID_RE = re.compile(
    f"{_NOT_AFTER_DIGIT}{_DIGIT}{{6}}{_SEP}{_DIGIT}{{8}}{_SEP}{_DIGIT}{{3}}(?:{_DIGIT}|[Xx])"
    f"{_NOT_BEFORE_DIGIT}"
)
# A mainland mobile number, optionally with a +86/0086/86 prefix, not inside a longer number.
_MOBILE_RE = re.compile(
    f"{_NOT_AFTER_DIGIT}(?P<prefix>(?:\\+|00)?86{_SEP})?"
    f"(?P<number>[1１][3-9３-９]{_DIGIT}{_SEP}{_DIGIT}{{4}}{_SEP}{_DIGIT}{{4}})"
    f"{_NOT_BEFORE_DIGIT}"
)


def _mask_middle(text: str, keep_start: int, keep_end: int) -> str:
    """Replace all but the first ``keep_start`` and last ``keep_end`` significant characters.

    Spaces and dashes inside ``text`` are kept where they are and do not count.
    """
    positions = [index for index, ch in enumerate(text) if ch not in " -"]
    if len(positions) <= keep_start + keep_end:
        hidden = set(positions)  # too short to show anything safely
    else:
        hidden = set(positions[keep_start : len(positions) - keep_end])
    return "".join(_MASK if index in hidden else ch for index, ch in enumerate(text))


def mask_phone(phone: str) -> str:
    """``"13812345678"`` -> ``"138****5678"``; other text keeps only its first 3 and last 4."""
    try:
        return _mask_middle(normalize_mobile(phone), 3, 4)
    except ValidationError:
        return _mask_middle(phone.strip(), 3, 4)


def mask_id_number(id_number: str) -> str:
    """Keep the region code (first 6) and the last 4: ``"110101********1234"``."""
    compact = "".join(id_number.split()).upper()
    return _mask_middle(compact, 6, 4)


def mask_name(name: str) -> str:
    """First character and one ``*`` per further character: ``"张伟"`` -> ``"张*"``.

    Compound surnames are not detected (``"欧阳娜娜"`` -> ``"欧***"``): that cannot be done
    reliably and hides more, not less. Separators in minority and foreign names stay
    (``"阿依古丽·买买提"`` -> ``"阿***·***"``). A one-character name, usually a surname alone,
    is returned as is.
    """
    name = name.strip()
    return name[:1] + "".join(ch if ch in " ·" else _MASK for ch in name[1:])


def _mask_mobile_match(match: re.Match[str]) -> str:
    return (match["prefix"] or "") + _mask_middle(match["number"], 3, 4)


def redact(text: str) -> str:
    """``text`` with every mobile number and resident ID number in it masked.

    Numbers inside a longer run of digits (order numbers, timestamps) are left alone; some other
    11- or 18-digit values may be masked too, which is the safe side for a log.
    """
    text = _ID_RE.sub(lambda match: _mask_middle(match.group(), 6, 4), text)
    return _MOBILE_RE.sub(_mask_mobile_match, text)


class RedactingFilter(logging.Filter):
    """Masks the message and the exception text of each record it sees.

    Attach it to handlers, not loggers: a logger's filters do not see records propagated from
    child loggers. The message is formatted here (args merged) so that a number passed as an
    argument is masked too; the traceback is formatted and cached on the record so formatters
    use the masked text.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # Mismatched args: keep what there is rather than lose the record.
            message = f"{record.msg} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RedactingFormatter(logging.Formatter):
    """A formatter whose whole output, tracebacks included, goes through ``redact``."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
