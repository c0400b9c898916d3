"""统一社会信用代码 (GB 32100-2015): length, alphabet, check character."""

from __future__ import annotations

import pytest

from showroom.errors import ValidationError
from showroom.identifiers import credit_code_check_char, normalize_credit_code

# The standard's own example, and a generated one (check character computed).
EXAMPLE = "91350100M000100Y43"


def test_the_standards_example_passes_and_input_is_normalised() -> None:
    assert normalize_credit_code(EXAMPLE) == EXAMPLE
    assert normalize_credit_code(" 9135 0100-m000 100y43 ") == EXAMPLE
    full_width = "９１３５０１００Ｍ０００１００Ｙ４３"  # as a Chinese IME types it
    assert normalize_credit_code(full_width) == EXAMPLE
    assert credit_code_check_char(EXAMPLE[:17]) == "3"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("91350100M000100Y4", "credit_code.length"),
        ("91350100M000100Y433", "credit_code.length"),
        ("91350100M00010OY43", "credit_code.characters"),  # letter O is not in the alphabet
        ("01350100M000100Y43", "credit_code.characters"),  # no registration authority 0
        ("91350100M000100Y44", "credit_code.checksum"),
        ("91350100M000010Y43", "credit_code.checksum"),  # two characters swapped
    ],
)
def test_mistakes_are_named_in_the_order_a_person_fixes_them(typed: str, code: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_credit_code(typed)
    assert info.value.code == code
