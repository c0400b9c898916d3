"""Tests for showroom.privacy: masks for display and redaction of logs.

All numbers are generated (ID numbers get their check digit computed), none belong to anyone.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from showroom.identifiers import id_check_digit
from showroom.privacy import (
    RedactingFilter,
    RedactingFormatter,
    mask_id_number,
    mask_name,
    mask_phone,
    redact,
)

PHONE = "13812345678"
MASKED_PHONE = "138****5678"
ID_NUMBER = "11010119900307663" + id_check_digit("11010119900307663")
MASKED_ID = ID_NUMBER[:6] + "********" + ID_NUMBER[-4:]


# --- masks for display -----------------------------------------------------------------------


@pytest.mark.parametrize("typed", [PHONE, " 138 1234 5678 ", "+86 138-1234-5678"])
def test_mask_phone_keeps_first_three_and_last_four_digits(typed: str) -> None:
    assert mask_phone(typed) == MASKED_PHONE


def test_mask_phone_of_a_non_mobile_still_hides_the_middle() -> None:
    assert mask_phone("01012345678") == "010****5678"
    assert mask_phone("12345") == "*****"


def test_mask_id_number_keeps_region_and_last_four() -> None:
    assert mask_id_number(ID_NUMBER) == MASKED_ID
    assert mask_id_number("110101199003076631") == "110101********6631"
    assert mask_id_number(" 11010119900307663x ") == "110101********663X"
    assert mask_id_number("1234") == "****"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张伟", "张*"),
        ("王小明", "王**"),
        ("欧阳娜娜", "欧***"),
        ("张先生", "张**"),
        ("阿依古丽·买买提", "阿***·***"),
        ("张", "张"),
        ("", ""),
    ],
)
def test_mask_name_keeps_only_the_first_character(name: str, masked: str) -> None:
    assert mask_name(name) == masked


# --- redaction of free text ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (f"客户电话 {PHONE}", f"客户电话 {MASKED_PHONE}"),
        (f"phone={PHONE};", f"phone={MASKED_PHONE};"),
        ("tel:+8613812345678", f"tel:+86{MASKED_PHONE}"),
        ("0086 13812345678", f"0086 {MASKED_PHONE}"),
        ("138 1234 5678", "138 **** 5678"),
        ("138-1234-5678", "138-****-5678"),
        ("１３８１２３４５６７８", "１３８****５６７８"),
        (f"身份证{ID_NUMBER}已核验", f"身份证{MASKED_ID}已核验"),
        ("110101199003076631", "110101********6631"),
        ("id 11010119900307663x.", "id 110101********663x."),
        ("110101 19900307 6631", "110101 ******** 6631"),
        (f"{PHONE} / {ID_NUMBER}", f"{MASKED_PHONE} / {MASKED_ID}"),
    ],
)
def test_redact_masks_phone_and_id_numbers_in_free_text(text: str, redacted: str) -> None:
    assert redact(text) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "订单号 201401151381234567890",
        "receipt 113812345678",
        "12812345678",
        "1381234567",
        "1101011990030766312",
        "visit 2024-06-01 13:45:12, ¥168,000.00",
        "车架号 LSVAU033512345678",
        "",
    ],
)
def test_redact_leaves_other_numbers_alone(text: str) -> None:
    assert redact(text) == text


no_digits = st.text(
    alphabet=st.characters(exclude_categories=["Nd", "Cs"], exclude_characters="+"),
    max_size=20,
)
phones = st.builds(
    lambda second, rest: f"1{second}{rest}",
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)


@given(no_digits, phones, no_digits)
def test_redacted_text_never_contains_the_full_phone_number(
    before: str, phone: str, after: str
) -> None:
    redacted = redact(before + phone + after)
    assert phone not in redacted
    assert phone[:3] + "****" + phone[-4:] in redacted


@given(
    no_digits,
    st.text(alphabet="0123456789", min_size=17, max_size=17),
    st.sampled_from("0123456789Xx"),
    no_digits,
)
def test_redacted_text_never_contains_the_full_id_number(
    before: str, first17: str, last: str, after: str
) -> None:
    id_number = first17 + last
    redacted = redact(before + id_number + after)
    assert id_number not in redacted
    assert redacted == before + id_number[:6] + "*" * 8 + id_number[-4:] + after


# --- logging ---------------------------------------------------------------------------------


@pytest.fixture
def log_output() -> Iterator[tuple[logging.Logger, io.StringIO, logging.Handler]]:
    """A private logger writing to a string, removed again after the test."""
    logger = logging.getLogger("showroom.tests.privacy")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    try:
        yield logger, stream, handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
        logger.setLevel(logging.NOTSET)


def log_with_phone_everywhere(logger: logging.Logger) -> None:
    logger.info("checked in customer %s", PHONE)
    try:
        raise ValueError(f"duplicate customer {PHONE} with ID {ID_NUMBER}")
    except ValueError:
        logger.exception("check-in failed for %s", ID_NUMBER)


def test_redacting_formatter_masks_args_and_exception_text(
    log_output: tuple[logging.Logger, io.StringIO, logging.Handler],
) -> None:
    logger, stream, handler = log_output
    handler.setFormatter(RedactingFormatter("%(levelname)s %(message)s"))
    log_with_phone_everywhere(logger)
    output = stream.getvalue()
    assert PHONE not in output
    assert ID_NUMBER not in output
    assert f"checked in customer {MASKED_PHONE}" in output
    assert f"ValueError: duplicate customer {MASKED_PHONE} with ID {MASKED_ID}" in output
    assert "Traceback (most recent call last)" in output


def test_redacting_filter_masks_records_for_a_plain_formatter(
    log_output: tuple[logging.Logger, io.StringIO, logging.Handler],
) -> None:
    logger, stream, handler = log_output
    handler.addFilter(RedactingFilter())
    log_with_phone_everywhere(logger)
    output = stream.getvalue()
    assert PHONE not in output
    assert ID_NUMBER not in output
    assert f"checked in customer {MASKED_PHONE}" in output
    assert f"check-in failed for {MASKED_ID}" in output
    assert f"duplicate customer {MASKED_PHONE}" in output


def test_redacting_filter_merges_args_so_formatters_see_the_masked_message() -> None:
    record = logging.LogRecord(
        "showroom.tests", logging.INFO, __file__, 1, "call %s about %s", (PHONE, "订车"), None
    )
    assert RedactingFilter().filter(record)
    assert record.msg == f"call {MASKED_PHONE} about 订车"
    assert record.args is None
    assert record.getMessage() == f"call {MASKED_PHONE} about 订车"


def test_redacting_filter_keeps_a_record_with_mismatched_args() -> None:
    record = logging.LogRecord(
        "showroom.tests", logging.INFO, __file__, 1, "call %s %s", (PHONE,), None
    )
    assert RedactingFilter().filter(record)
    assert PHONE not in record.getMessage()
