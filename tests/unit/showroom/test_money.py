"""Tests for showroom.money: parsing, fen conversion, figures and Chinese capitals (大写).

The capitals are checked against the cases of 《正确填写票据和结算凭证的基本规定》 and, for random
amounts, against an independent parser (``parse_capitals`` below) that reads them back.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from showroom.errors import ValidationError
from showroom.money import (
    MAX_AMOUNT,
    format_yuan,
    from_fen,
    in_wan,
    parse_amount,
    to_chinese_capitals,
    to_fen,
    to_money,
)

MAX_FEN = 99_999_999_999_999

# --- to_money / parse_amount -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (168000, "168000.00"),
        (Decimal("168000"), "168000.00"),
        (Decimal("1.500"), "1.50"),
        ("168000", "168000.00"),
        ("168,000", "168000.00"),
        ("1,234,567.89", "1234567.89"),
        ("¥168000.5", "168000.50"),
        ("￥ 168,000.00", "168000.00"),
        ("RMB 5000", "5000.00"),
        ("16.8万", "168000.00"),
        ("16.8万元", "168000.00"),
        ("3亿", "300000000.00"),
        ("１６．８万", "168000.00"),
        ("5000元", "5000.00"),
        (".5", "0.50"),
        ("-5000", "-5000.00"),
        ("-¥5,000", "-5000.00"),
        ("¥-5,000", "-5000.00"),
        ("+12", "12.00"),
        ("-0", "0.00"),
        ("  42 \n", "42.00"),
    ],
)
def test_to_money_reads_the_ways_amounts_are_written(
    value: str | int | Decimal, expected: str
) -> None:
    amount = to_money(value)
    assert amount == Decimal(expected)
    assert str(amount) == expected


@pytest.mark.parametrize("value", [1.5, 0.1, True])
def test_to_money_refuses_float_and_bool(value: object) -> None:
    with pytest.raises(TypeError):
        to_money(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    [
        "",
        ".",
        "abc",
        "1e5",
        "1,2",
        "1,23,456",
        "12,3456",
        "+-1",
        "-¥-1",
        "1.2.3",
        "1.",
        "万",
        "¥",
        "1.005",
        "1.2345678万",
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("0.001"),
        "9" * 80,
    ],
)
def test_to_money_refuses_unreadable_values_and_fractions_of_a_fen(value: str | Decimal) -> None:
    with pytest.raises(ValueError):
        to_money(value)


def test_to_money_applies_wan_before_counting_decimals() -> None:
    assert to_money("16.8123万") == Decimal("168123.00")
    assert to_money("0.000001万") == Decimal("0.01")


def test_parse_amount_accepts_a_typed_price() -> None:
    assert parse_amount("16.8万") == Decimal("168000.00")
    assert parse_amount("0.01") == Decimal("0.01")
    assert parse_amount("999,999,999,999.99") == MAX_AMOUNT


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "amount.invalid"),
        ("abc", "amount.invalid"),
        ("1e3", "amount.invalid"),
        ("12.345", "amount.too_many_decimals"),
        ("0", "amount.too_small"),
        ("-5", "amount.too_small"),
        ("1000000000000", "amount.too_large"),
        ("10000亿", "amount.too_large"),
    ],
)
def test_parse_amount_refuses_bad_input_with_a_code(text: str, code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_amount(text)
    assert excinfo.value.code == code
    assert "金额" in excinfo.value.message


def test_parse_amount_limits_are_in_the_message_and_params() -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_amount("100", minimum=Decimal("5000"), maximum=Decimal("200000"))
    assert excinfo.value.params == {"minimum": "¥5,000.00"}
    assert "¥5,000.00" in excinfo.value.message
    with pytest.raises(ValidationError) as excinfo:
        parse_amount("300000", minimum=Decimal("5000"), maximum=Decimal("200000"))
    assert excinfo.value.params == {"maximum": "¥200,000.00"}


def test_parse_amount_allows_zero_and_negatives_when_minimum_says_so() -> None:
    assert parse_amount("0", minimum=Decimal("0")) == Decimal("0.00")
    assert parse_amount("-50", minimum=Decimal("-100")) == Decimal("-50.00")


# --- fen and figures -------------------------------------------------------------------------


def test_fen_conversion_is_exact() -> None:
    assert to_fen(Decimal("1.23")) == 123
    assert to_fen(Decimal("168000")) == 16_800_000
    assert to_fen(Decimal("-0.01")) == -1
    assert from_fen(123) == Decimal("1.23")
    assert str(from_fen(0)) == "0.00"
    assert str(from_fen(100)) == "1.00"


def test_fen_conversion_refuses_fractions_of_a_fen_and_floats() -> None:
    with pytest.raises(ValueError):
        to_fen(Decimal("0.005"))
    with pytest.raises(TypeError):
        from_fen(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        to_fen(0.1)  # type: ignore[arg-type]


@given(st.integers(min_value=-MAX_FEN, max_value=MAX_FEN))
def test_fen_round_trip(fen: int) -> None:
    amount = from_fen(fen)
    assert amount.as_tuple().exponent == -2
    assert to_fen(amount) == fen
    assert to_money(format_yuan(amount)) == amount


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("168000", "¥168,000.00"),
        ("0", "¥0.00"),
        ("0.5", "¥0.50"),
        ("1234567.89", "¥1,234,567.89"),
        ("-5000", "-¥5,000.00"),
        ("999999999999.99", "¥999,999,999,999.99"),
    ],
)
def test_format_yuan_shows_sign_symbol_thousands_and_two_places(amount: str, shown: str) -> None:
    assert format_yuan(Decimal(amount)) == shown


def test_format_yuan_refuses_to_round_silently() -> None:
    with pytest.raises(ValueError):
        format_yuan(Decimal("1.005"))


# --- Chinese capitals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        ("0", "零元整"),
        ("1", "壹元整"),
        ("10", "壹拾元整"),
        ("11", "壹拾壹元整"),
        ("20", "贰拾元整"),
        ("101", "壹佰零壹元整"),
        ("110", "壹佰壹拾元整"),
        ("1005", "壹仟零伍元整"),
        ("1680", "壹仟陆佰捌拾元整"),
        ("10005", "壹万零伍元整"),
        ("100000", "壹拾万元整"),
        ("100000.00", "壹拾万元整"),
        ("100500", "壹拾万零伍佰元整"),
        ("107000", "壹拾万零柒仟元整"),
        ("168000", "壹拾陆万捌仟元整"),
        ("1000000", "壹佰万元整"),
        ("100000000", "壹亿元整"),
        ("100000001", "壹亿零壹元整"),
        ("100010000", "壹亿零壹万元整"),
        ("100001000", "壹亿零壹仟元整"),
        ("110000000", "壹亿壹仟万元整"),
        ("1000000000", "壹拾亿元整"),
        ("1000000000.10", "壹拾亿元壹角"),
        ("200000000000", "贰仟亿元整"),
        ("1000.5", "壹仟元伍角"),
        ("0.05", "伍分"),
        ("0.5", "伍角"),
        ("0.55", "伍角伍分"),
        ("1.05", "壹元零伍分"),
        ("1.5", "壹元伍角"),
        ("1.55", "壹元伍角伍分"),
        ("1010.01", "壹仟零壹拾元零壹分"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("5000.00", "伍仟元整"),
        # Either side of the 万 and 亿 boundaries, and 分 after a zero 角 in large amounts.
        ("9999", "玖仟玖佰玖拾玖元整"),
        ("10000", "壹万元整"),
        ("99999999", "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元整"),
        ("1000010", "壹佰万零壹拾元整"),
        ("20000.50", "贰万元伍角"),
        ("10000000.01", "壹仟万元零壹分"),
        ("100000010.10", "壹亿零壹拾元壹角"),
        ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_chinese_capitals_follow_the_payment_settlement_rules(amount: str, capitals: str) -> None:
    assert to_chinese_capitals(Decimal(amount)) == capitals


def test_chinese_capitals_accept_int_and_typed_amounts() -> None:
    assert to_chinese_capitals(168000) == "壹拾陆万捌仟元整"
    assert to_chinese_capitals(to_money("16.8万")) == "壹拾陆万捌仟元整"


@pytest.mark.parametrize("amount", ["-0.01", "-168000", "0.001", "1.005", "1000000000000"])
def test_chinese_capitals_refuse_negative_sub_fen_and_too_large_amounts(amount: str) -> None:
    with pytest.raises(ValueError):
        to_chinese_capitals(Decimal(amount))


def test_chinese_capitals_refuse_float() -> None:
    with pytest.raises(TypeError):
        to_chinese_capitals(1.5)  # type: ignore[arg-type]


CAPITAL_DIGITS = {ch: value for value, ch in enumerate("零壹贰叁肆伍陆柒捌玖")}
SMALL_UNITS = {"拾": 10, "佰": 100, "仟": 1000}


def parse_capitals(text: str) -> Decimal:
    """Read 人民币大写 back into an amount: the inverse used by the round-trip property."""
    if text == "零元整":
        return Decimal("0.00")
    text = text.removesuffix("整")
    integer_text, _, decimals_text = text.rpartition("元")
    total = section = digit = 0
    for ch in integer_text:
        if ch in CAPITAL_DIGITS:
            digit = CAPITAL_DIGITS[ch]
        elif ch in SMALL_UNITS:
            section += digit * SMALL_UNITS[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10_000
            section = digit = 0
        elif ch == "亿":
            total = (total + section + digit) * 100_000_000
            section = digit = 0
        else:
            raise AssertionError(f"unexpected {ch!r} in {text!r}")
    fen = (total + section + digit) * 100
    decimals_text = decimals_text.removeprefix("零")
    for value_ch, unit in zip(decimals_text[::2], decimals_text[1::2], strict=True):
        fen += CAPITAL_DIGITS[value_ch] * {"角": 10, "分": 1}[unit]
    return Decimal(fen).scaleb(-2)


# Uniform fen rarely have zeros in the middle; the second strategy builds amounts digit by digit
# with zeros most likely, to exercise runs of zeros across 万 and 亿.
uniform_fen = st.integers(min_value=0, max_value=MAX_FEN)
zero_heavy_fen = st.lists(st.sampled_from("0000000123456789"), min_size=1, max_size=14).map(
    lambda digits: int("".join(digits))
)
amounts = st.one_of(uniform_fen, zero_heavy_fen).map(from_fen)


@given(amounts)
def test_chinese_capitals_read_back_to_the_same_amount(amount: Decimal) -> None:
    assert parse_capitals(to_chinese_capitals(amount)) == amount


@given(amounts)
def test_chinese_capitals_are_well_formed(amount: Decimal) -> None:
    capitals = to_chinese_capitals(amount)
    assert "零零" not in capitals
    for misplaced in ("零元", "零万", "零亿", "零角", "零分", "零整", "万亿"):
        assert misplaced not in capitals or capitals == "零元整"
    assert not capitals.startswith("零") or capitals == "零元整"
    assert not capitals.startswith("拾")  # the leading ten is always 壹拾
    assert capitals.endswith(("元整", "角", "分"))
    assert capitals.count("整") == (1 if amount == amount.to_integral_value() else 0)
    assert ("元" in capitals) == (amount >= 1 or amount == 0)


@given(st.integers(min_value=1, max_value=MAX_FEN // 100))
def test_chinese_capitals_of_whole_yuan_end_with_zheng(yuan: int) -> None:
    capitals = to_chinese_capitals(Decimal(yuan))
    assert capitals.endswith("元整")
    assert parse_capitals(capitals) == yuan


@pytest.mark.parametrize(
    ("yuan", "wan"),
    [("125800", "12.58"), ("100000", "10.00"), ("5000", "0.50"), ("125849.99", "12.58")],
)
def test_amounts_in_wan_stay_decimal_and_round_half_up(yuan: str, wan: str) -> None:
    result = in_wan(Decimal(yuan))
    assert isinstance(result, Decimal) and result == Decimal(wan)
