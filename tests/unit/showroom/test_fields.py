"""Legal names and length limits: refused with a reason, never cut or quietly cleaned."""

from __future__ import annotations

import pytest

from showroom import fields
from showroom.errors import ValidationError


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("王", "王"),
        ("  张  伟 ", "张 伟"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),  # the katakana dot an IME may type
        ("Zhang  Li", "Zhang Li"),
        ("Ｚｈａｎｇ", "Zhang"),  # full-width letters from a Chinese IME
        ("José", "José"),
        ("𠀾伟", "𠀾伟"),  # a rare character outside the basic plane counts as one
        ("欧阳娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜", "欧阳娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜"),
    ],
)
def test_legal_names_that_are_accepted_and_how_they_are_stored(typed: str, stored: str) -> None:
    assert fields.legal_name(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code", "said"),
    [
        ("", "name.missing", "请填写姓名"),
        ("   ", "name.missing", "请填写姓名"),
        ("张伟😀", "name.bad_character", "😀"),
        ("张\x07伟", "name.bad_character", "U+0007"),
        ("张\u200b伟", "name.bad_character", "U+200B"),  # zero-width space from a paste
        ("王2", "name.bad_character", "“2”"),
        ("王-伟", "name.bad_character", "“-”"),
        ("·买买提", "name.bad_dot", "间隔号"),
        ("阿依··买买提", "name.bad_dot", "间隔号"),
        ("김민준", "name.bad_character", "김"),
        ("张" * 21, "text.too_long", "最多 20 个字（现在 21 个）"),
    ],
)
def test_legal_names_refused_with_the_reason(typed: str, code: str, said: str) -> None:
    with pytest.raises(ValidationError) as caught:
        fields.legal_name(typed)
    assert caught.value.code == code
    assert said in caught.value.message


def test_free_text_over_its_limit_is_refused_not_cut() -> None:
    text = "很" * 201
    with pytest.raises(ValidationError) as caught:
        fields.text(text, "customer.preferred_models")
    error = caught.value
    assert error.code == "text.too_long"
    assert (error.params["limit"], error.params["length"]) == (200, 201)
    assert "意向车型最多 200 个字（现在 201 个）" in error.message
    assert fields.text("很" * 200, "customer.preferred_models") == "很" * 200


def test_free_text_keeps_emoji_and_line_breaks_where_they_belong() -> None:
    assert fields.text(" 喜欢 🚗\r\n下周再来 ", "customer.notes") == "喜欢 🚗\n下周再来"
    with pytest.raises(ValidationError) as caught:
        fields.text("第一行\n第二行", "interaction.next_step")
    assert caught.value.code == "text.bad_character"
    with pytest.raises(ValidationError) as caught:
        fields.text("备注\x1b[0m", "customer.notes")
    assert "U+001B" in caught.value.message


def test_required_text_says_which_field() -> None:
    with pytest.raises(ValidationError) as caught:
        fields.text("  ", "interaction.summary", required=True)
    assert caught.value.message == "请填写沟通内容。"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("薛女士", ("薛", "ms")),
        ("王先生", ("王", "mr")),
        ("小李", ("小李", None)),
        ("女士", ("女士", None)),
    ],
)
def test_a_form_of_address_is_split_from_the_name(given: str, expected: tuple) -> None:  # type: ignore[type-arg]
    assert fields.split_title(given) == expected


def test_every_limit_is_positive_and_labelled() -> None:
    for key, rule in fields.FIELDS.items():
        assert rule.key == key and rule.limit > 0 and rule.label
