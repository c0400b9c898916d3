"""Money: parsing what staff type, fen arithmetic, and the forms printed on receipts and contracts.

Amounts are ``decimal.Decimal`` with exactly two places (fen), never ``float``: a deposit of
¥5,000 credited against a price must come out to the fen on every PC and on paper. Contracts and
receipts show each amount in figures (``format_yuan``) and in Chinese capitals
(``to_chinese_capitals``, 人民币大写), the form banks and customers use to check a figure was
not altered.

Two kinds of failure: ``to_money`` and friends raise ``TypeError`` / ``ValueError`` because a
float or a malformed value reaching them from code is a bug; ``parse_amount`` is for what a user
typed and raises ``ValidationError`` with a code the UI can explain.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal, DecimalException, Inexact

from showroom.errors import ValidationError

__all__ = [
    "CENT",
    "MAX_AMOUNT",
    "format_yuan",
    "from_fen",
    "parse_amount",
    "to_chinese_capitals",
    "to_fen",
    "to_money",
]

CENT = Decimal("0.01")
# Largest amount that has a Chinese-capitals form here (units up to 仟亿) and that forms accept.
MAX_AMOUNT = Decimal("999999999999.99")

# Enough precision that no amount a form accepts is ever rounded; Inexact is trapped so that
# "more than two decimals" surfaces as an error instead of silent rounding.
_CONTEXT = Context(prec=60, traps=[Inexact])

_FULLWIDTH = str.maketrans(
    {chr(0xFF01 + offset): chr(0x21 + offset) for offset in range(0x5E)}
    | {"\u3000": " ", "\uffe5": "¥"}
)
# Optional sign (before or after ¥), digits with optional correct thousands commas, optional
# fraction, optional 万/亿 multiplier, optional 元.
_AMOUNT_RE = re.compile(
    r"(?P<sign>[+-]?)(?:¥|RMB|CNY)?(?P<sign2>[+-]?)"
    r"(?P<integer>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.(?P<fraction>[0-9]+))?"
    r"(?P<unit>万|亿)?元?"
)
_MULTIPLIERS = {None: 1, "万": 10_000, "亿": 100_000_000}


def _exact_decimal(value: str | int | Decimal) -> Decimal:
    """``value`` as an exact Decimal, with any number of places; ValueError if unreadable."""
    # bool is an int subclass, and float cannot hold fen exactly; both are caller bugs.
    if isinstance(value, bool | float):
        raise TypeError(f"money must be str, int or Decimal, not {type(value).__name__}")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite amount: {value}")
        return value
    if isinstance(value, int):
        return Decimal(value)
    if not isinstance(value, str):
        raise TypeError(f"money must be str, int or Decimal, not {type(value).__name__}")
    text = "".join(value.translate(_FULLWIDTH).split()).upper()
    match = _AMOUNT_RE.fullmatch(text)
    if match is None or (match["sign"] and match["sign2"]):
        raise ValueError(f"not an amount: {value!r}")
    integer = match["integer"].replace(",", "")
    fraction = match["fraction"] or ""
    if not integer and not fraction:
        raise ValueError(f"not an amount: {value!r}")
    sign = match["sign"] or match["sign2"]
    number = Decimal(f"{sign}{integer or '0'}.{fraction or '0'}")
    try:
        return _CONTEXT.multiply(number, _MULTIPLIERS[match["unit"]])
    except DecimalException:
        raise ValueError(f"amount out of range: {value!r}") from None


def _to_cents(amount: Decimal) -> Decimal:
    """``amount`` quantized to fen; ValueError if that would drop a nonzero digit."""
    try:
        cents = amount.quantize(CENT, context=_CONTEXT)
    except Inexact:
        raise ValueError(f"more than two decimal places: {amount}") from None
    except DecimalException:
        raise ValueError(f"amount out of range: {amount}") from None
    # "-0.00" would print as "-¥0.00".
    return cents.copy_abs() if cents.is_zero() else cents


def to_money(value: str | int | Decimal) -> Decimal:
    """``value`` as a two-place Decimal.

    Accepts ``168000``, ``"168,000"``, ``"¥168000.5"``, ``"16.8万"``, ``"-5000"``, full-width
    digits. Raises ``TypeError`` for float (and bool) and ``ValueError`` for anything unreadable
    or with more than two decimal places after applying 万/亿. The sign is kept; whether a
    negative amount is allowed is the caller's rule (see ``parse_amount``).
    """
    return _to_cents(_exact_decimal(value))


def parse_amount(
    text: str | int | Decimal,
    *,
    minimum: Decimal = CENT,
    maximum: Decimal = MAX_AMOUNT,
) -> Decimal:
    """A user-typed amount as a two-place Decimal within ``minimum`` .. ``maximum``.

    Raises ``ValidationError`` with code ``amount.invalid``, ``amount.too_many_decimals``,
    ``amount.too_small`` or ``amount.too_large`` (params ``minimum``/``maximum`` as ``¥`` text).
    """
    try:
        exact = _exact_decimal(text)
    except (TypeError, ValueError, DecimalException):
        raise ValidationError(
            "amount.invalid", "金额格式不正确，请输入数字，如 168000 或 16.8万"
        ) from None
    try:
        amount = _to_cents(exact)
    except ValueError:
        raise ValidationError(
            "amount.too_many_decimals", "金额最多保留两位小数（精确到分）"
        ) from None
    if amount < minimum:
        shown = format_yuan(minimum)
        raise ValidationError("amount.too_small", f"金额不能小于 {shown}", minimum=shown)
    if amount > maximum:
        shown = format_yuan(maximum)
        raise ValidationError("amount.too_large", f"金额不能大于 {shown}", maximum=shown)
    return amount


def to_fen(amount: Decimal) -> int:
    """Whole fen in ``amount`` (``Decimal("1.23")`` -> ``123``); ValueError if finer than fen."""
    cents = _to_cents(_exact_decimal(amount))
    return int(cents.scaleb(2, context=_CONTEXT))


def from_fen(fen: int) -> Decimal:
    """``fen`` as a two-place Decimal (``123`` -> ``Decimal("1.23")``)."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"fen must be int, not {type(fen).__name__}")
    return Decimal(fen).scaleb(-2, context=_CONTEXT)


def format_yuan(amount: Decimal) -> str:
    """Amount in figures as shown on screen and paper: ``"¥168,000.00"``, ``"-¥5,000.00"``."""
    cents = _to_cents(_exact_decimal(amount))
    sign = "-" if cents < 0 else ""
    return f"{sign}¥{abs(cents):,.2f}"


def in_wan(amount: Decimal) -> Decimal:
    """A yuan amount in 万元 with two places, as used cars are priced (125800 -> 12.58)."""
    return (amount / 10_000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_DIGIT_UNITS = ("仟", "佰", "拾", "")
_GROUP_UNITS = ("亿", "万", "")


def _integer_capitals(number: int) -> str:
    """Capitals for 1 .. 999,999,999,999 without 元."""
    groups = (number // 10**8, number // 10**4 % 10**4, number % 10**4)
    parts: list[str] = []
    started = False  # a nonzero digit has been written
    zero_pending = False  # zeros seen since the last nonzero digit
    for group, group_unit in zip(groups, _GROUP_UNITS, strict=True):
        if group == 0:
            # A whole zero group (e.g. 万 in 1,0000,0001) is one more run of zeros.
            zero_pending = started
            continue
        for digit, unit in zip(f"{group:04d}", _DIGIT_UNITS, strict=True):
            if digit == "0":
                zero_pending = started
                continue
            if zero_pending:
                # One 零 for a run of zeros between nonzero digits, across 万/亿 too.
                parts.append("零")
                zero_pending = False
            parts.append(_DIGITS[int(digit)] + unit)
            started = True
        parts.append(group_unit)
    return "".join(parts)


def to_chinese_capitals(amount: Decimal | int | str) -> str:
    """人民币大写 of ``amount`` (0 .. 999,999,999,999.99), without the "人民币" prefix.

    Follows 《支付结算办法》附件《正确填写票据和结算凭证的基本规定》:

    - A leading ten is written out: 10 -> 壹拾元整, 168000 -> 壹拾陆万捌仟元整.
    - One 零 for each run of zeros between nonzero digits, including across 万 and 亿:
      1005 -> 壹仟零伍元整, 100500 -> 壹拾万零伍佰元整, 100010000 -> 壹亿零壹万元整.
      (For a zero 万位 before a nonzero 仟位 the rule allows writing 零 or not; we write it:
      107000 -> 壹拾万零柒仟元整, consistent with the rule for every other run.)
    - No 零 at the end of the integer part: 100000 -> 壹拾万元整.
    - 整 after 元 when there are no 角 and 分: 168000 -> 壹拾陆万捌仟元整, 0 -> 零元整.
    - 角 without 分: the rule makes 整 after 角 optional; we do NOT write it: 1000.5 -> 壹仟元伍角,
      0.5 -> 伍角. Never 整 after 分.
    - 分 without 角 after a nonzero integer needs 零 after 元 (1.05 -> 壹元零伍分).
      A zero 元位 before a nonzero 角 may take 零 or not; we do not write it:
      1680.32 -> 壹仟陆佰捌拾元叁角贰分.
    - Below one yuan the integer part is left out: 0.05 -> 伍分, 0.55 -> 伍角伍分.

    Raises ``ValueError`` for negative amounts, more than two decimals or amounts above the range,
    and ``TypeError`` for float.
    """
    fen = to_fen(_exact_decimal(amount))
    if fen < 0:
        raise ValueError(f"no Chinese capitals for negative amounts: {amount}")
    if fen > to_fen(MAX_AMOUNT):
        raise ValueError(f"amount above {MAX_AMOUNT}: {amount}")
    yuan, jiao, fen_digit = fen // 100, fen // 10 % 10, fen % 10
    if fen == 0:
        return "零元整"
    text = f"{_integer_capitals(yuan)}元" if yuan else ""
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif fen_digit and yuan:
        text += "零"
    if fen_digit:
        text += _DIGITS[fen_digit] + "分"
    if not jiao and not fen_digit:
        text += "整"
    return text
