"""Tests for showroom.identifiers: mobile, resident ID, VIN, plates and licence classes.

Check digits are recomputed here with independent code, and every ID number is generated
(region 110101, random birth date and sequence), never a real person's.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from showroom.errors import ValidationError
from showroom.identifiers import (
    LICENCE_IMPLIES,
    LicenceClass,
    VehicleKind,
    format_plate,
    id_birth_date,
    id_check_digit,
    id_gender,
    is_mobile,
    is_new_energy_plate,
    licence_allows,
    normalize_id_number,
    normalize_mobile,
    normalize_plate,
    normalize_vin,
    parse_licence_class,
    parse_licence_classes,
    phone_digits,
    read_vin,
    vin_check_digit,
    vin_model_year,
)

TODAY = date(2024, 6, 1)


def error_code(excinfo: pytest.ExceptionInfo[ValidationError]) -> str:
    return excinfo.value.code


# --- mobile ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "  13812345678\n",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+86-13812345678",
        "0086 13812345678",
        "8613812345678",
        "１３８１２３４５６７８",
        "＋８６　１３８１２３４５６７８",
    ],
)
def test_mobile_typed_with_separators_prefix_or_fullwidth_is_normalized(typed: str) -> None:
    assert normalize_mobile(typed) == "13812345678"
    assert is_mobile(typed)


@pytest.mark.parametrize("second_digit", "3456789")
def test_mobile_accepts_every_allocated_second_digit(second_digit: str) -> None:
    assert normalize_mobile(f"1{second_digit}012345678") == f"1{second_digit}012345678"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "1381234567",
        "138123456789",
        "12812345678",
        "10812345678",
        "23812345678",
        "138a2345678",
        "010-12345678",
        "+852 13812345678",
        "+86 8613812345678",
        "86138123456",
    ],
)
def test_text_that_is_not_a_mainland_mobile_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalize_mobile(typed)
    assert error_code(excinfo) == "phone.invalid"
    assert "手机号" in excinfo.value.message
    assert not is_mobile(typed)


# --- resident ID numbers ---------------------------------------------------------------------


def reference_id_check(first17: str) -> str:
    """GB 11643 check character, computed as the standard states it: (12 - S mod 11) mod 11."""
    total = sum(int(digit) * (2 ** (17 - index) % 11) for index, digit in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def make_id(birth: date, sequence: int, region: str = "110101") -> str:
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + reference_id_check(first17)


birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999)
generated_ids = st.builds(make_id, birth_dates, sequences)


def test_generated_id_number_is_accepted_unchanged() -> None:
    id_number = make_id(date(1990, 3, 7), 663)
    assert normalize_id_number(id_number, today=TODAY) == id_number


def test_id_number_with_lowercase_x_spaces_and_fullwidth_digits_is_normalized() -> None:
    sequence = next(s for s in range(1000) if make_id(date(1985, 12, 1), s).endswith("X"))
    id_number = make_id(date(1985, 12, 1), sequence)
    typed = " " + id_number[:6] + " " + id_number[6:14] + "　" + id_number[14:].lower() + " "
    assert normalize_id_number(typed, today=TODAY) == id_number
    fullwidth = id_number[:17].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert normalize_id_number(fullwidth + "x", today=TODAY) == id_number


@pytest.mark.parametrize("typed", ["", "1101011990030766", "1101011990030766300", "11010119900307"])
def test_id_number_of_wrong_length_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalize_id_number(typed, today=TODAY)
    assert error_code(excinfo) == "id_number.length"


@pytest.mark.parametrize(
    "typed", ["11010119900307X631", "1101011990O307663X", "11010119900307663Y"]
)
def test_id_number_with_letters_outside_the_check_position_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalize_id_number(typed, today=TODAY)
    assert error_code(excinfo) == "id_number.characters"


@pytest.mark.parametrize("region", ["000000", "100101", "160101", "390101", "720101", "990101"])
def test_id_number_with_unknown_province_code_is_refused(region: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalize_id_number(make_id(date(1990, 3, 7), 1, region=region), today=TODAY)
    assert error_code(excinfo) == "id_number.region"


@pytest.mark.parametrize("region", ["110101", "310104", "440305", "650102", "810000", "910000"])
def test_id_number_with_known_province_code_is_accepted(region: str) -> None:
    id_number = make_id(date(1990, 3, 7), 1, region=region)
    assert normalize_id_number(id_number, today=TODAY) == id_number


@pytest.mark.parametrize("birth", ["19900230", "19901301", "19900000", "18991231", "20240602"])
def test_id_number_with_impossible_or_future_birth_date_is_refused(birth: str) -> None:
    first17 = f"110101{birth}123"
    with pytest.raises(ValidationError) as excinfo:
        normalize_id_number(first17 + reference_id_check(first17), today=TODAY)
    assert error_code(excinfo) == "id_number.birth_date"


def test_id_number_born_today_or_on_leap_day_is_accepted() -> None:
    for birth in (TODAY, date(2000, 2, 29), date(1900, 1, 1)):
        id_number = make_id(birth, 7)
        assert normalize_id_number(id_number, today=TODAY) == id_number


def test_id_number_with_wrong_check_character_is_refused() -> None:
    id_number = make_id(date(1990, 3, 7), 663)
    wrong = "0" if id_number[-1] != "0" else "1"
    with pytest.raises(ValidationError) as excinfo:
        normalize_id_number(id_number[:17] + wrong, today=TODAY)
    assert error_code(excinfo) == "id_number.checksum"


def test_id_birth_date_and_gender_are_read_from_the_number() -> None:
    man = make_id(date(1990, 3, 7), 661)
    woman = make_id(date(2001, 11, 30), 662)
    assert id_birth_date(man) == date(1990, 3, 7)
    assert id_gender(man) == "M"
    assert id_birth_date(woman) == date(2001, 11, 30)
    assert id_gender(woman) == "F"


def test_id_check_digit_rejects_anything_but_17_digits() -> None:
    for bad in ("", "1101011990030766", "110101199003076631", "11010119900307X63"):
        with pytest.raises(ValueError):
            id_check_digit(bad)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_id_check_digit_matches_the_reference_formula(first17: str) -> None:
    assert id_check_digit(first17) == reference_id_check(first17)


@given(birth_dates, sequences)
def test_any_generated_id_number_validates_and_decodes(birth: date, sequence: int) -> None:
    id_number = make_id(birth, sequence)
    assert normalize_id_number(id_number, today=TODAY) == id_number
    assert id_birth_date(id_number) == birth
    assert id_gender(id_number) == ("M" if sequence % 2 else "F")


@given(generated_ids, st.integers(min_value=0, max_value=17), st.data())
def test_changing_any_single_character_of_an_id_number_is_detected(
    id_number: str, position: int, data: st.DataObject
) -> None:
    # MOD 11-2 guarantees this: every weight is nonzero mod the prime 11.
    allowed = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([ch for ch in allowed if ch != id_number[position]]))
    changed = id_number[:position] + replacement + id_number[position + 1 :]
    with pytest.raises(ValidationError):
        normalize_id_number(changed, today=TODAY)


@given(generated_ids, st.integers(min_value=0, max_value=15))
def test_swapping_two_adjacent_different_digits_of_an_id_number_is_detected(
    id_number: str, position: int
) -> None:
    # Adjacent weights differ (factor 2 mod 11), so a transposition changes the sum.
    assume(id_number[position] != id_number[position + 1])
    swapped = (
        id_number[:position]
        + id_number[position + 1]
        + id_number[position]
        + id_number[position + 2 :]
    )
    with pytest.raises(ValidationError):
        normalize_id_number(swapped, today=TODAY)


# --- VIN -------------------------------------------------------------------------------------

VIN_ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
# ISO 3779 Annex: transliteration table, written out letter by letter.
VIN_VALUE = {
    **{str(digit): digit for digit in range(10)},
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8,
    "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9,
    "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9,
}  # fmt: skip
VIN_WEIGHT = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]


def reference_vin_check(vin: str) -> str:
    remainder = sum(VIN_VALUE[ch] * VIN_WEIGHT[i] for i, ch in enumerate(vin)) % 11
    return "X" if remainder == 10 else str(remainder)


def with_check_digit(vin: str) -> str:
    return vin[:8] + reference_vin_check(vin) + vin[9:]


vins = st.text(alphabet=VIN_ALPHABET, min_size=17, max_size=17).map(with_check_digit)


@pytest.mark.parametrize("vin", ["1M8GDM9AXKP042788", "11111111111111111", "LSVAU033512345678"])
def test_vin_with_correct_check_digit_is_accepted(vin: str) -> None:
    vin = with_check_digit(vin) if vin.startswith("LSV") else vin
    assert normalize_vin(vin) == vin


def test_vin_check_digit_of_the_classic_example_is_x() -> None:
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"
    assert vin_check_digit("11111111111111111") == "1"


def test_vin_typed_in_lowercase_with_spaces_is_normalized() -> None:
    assert normalize_vin(" 1m8gdm9a xkp042788 ") == "1M8GDM9AXKP042788"
    assert normalize_vin("１Ｍ８ＧＤＭ９ＡＸＫＰ０４２７８８") == "1M8GDM9AXKP042788"


def test_vin_with_wrong_check_digit_is_refused_without_revealing_the_expected_digit() -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalize_vin("1M8GDM9A1KP042788")
    assert error_code(excinfo) == "vin.check_digit"
    assert "X" not in excinfo.value.message
    assert excinfo.value.params == {}


@pytest.mark.parametrize("vin", ["", "1M8GDM9AXKP04278", "1M8GDM9AXKP0427880"])
def test_vin_of_wrong_length_is_refused(vin: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalize_vin(vin)
    assert error_code(excinfo) == "vin.length"


@pytest.mark.parametrize("letter", "IOQ")
def test_vin_with_i_o_or_q_is_refused(letter: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalize_vin("1M8GDM9AXKP04278" + letter)
    assert error_code(excinfo) == "vin.forbidden_letter"


def test_vin_with_punctuation_is_refused() -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalize_vin("1M8GDM9AXKP04278*")
    assert error_code(excinfo) == "vin.characters"


@given(vins)
def test_any_vin_with_computed_check_digit_validates(vin: str) -> None:
    assert vin_check_digit(vin) == reference_vin_check(vin)
    assert normalize_vin(vin) == vin


@given(vins, st.integers(min_value=0, max_value=16), st.sampled_from(VIN_ALPHABET))
def test_changing_one_vin_character_is_detected_exactly_when_its_value_changes(
    vin: str, position: int, replacement: str
) -> None:
    assume(position != 8 and replacement != vin[position])
    changed = vin[:position] + replacement + vin[position + 1 :]
    # Weights 2..10 are nonzero mod 11 and values differ by 1..9, so a different value always
    # changes the check digit; letters sharing a value (A, J, 1) are indistinguishable.
    value_changed = VIN_VALUE[replacement] != VIN_VALUE[vin[position]]
    assert (vin_check_digit(changed) != changed[8]) == value_changed
    if value_changed:
        with pytest.raises(ValidationError):
            normalize_vin(changed)
    else:
        assert normalize_vin(changed) == changed


@given(vins, st.sampled_from("0123456789X"))
def test_changing_the_vin_check_digit_itself_is_detected(vin: str, replacement: str) -> None:
    assume(replacement != vin[8])
    with pytest.raises(ValidationError):
        normalize_vin(vin[:8] + replacement + vin[9:])


# --- licence plates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("京A12345", "京A12345"),
        ("京a·12345", "京A12345"),
        (" 京 A 1234 5 ", "京A12345"),
        ("京Ａ１２３４５", "京A12345"),
        ("沪B-C8D88", "沪BC8D88"),
        ("粤A1234学", "粤A1234学"),
        ("京A1234挂", "京A1234挂"),
        ("京A0001警", "京A0001警"),
        ("粤Z1234港", "粤Z1234港"),
        ("粤Z1234澳", "粤Z1234澳"),
        ("粤B·D12345", "粤BD12345"),
        ("京AF12345", "京AF12345"),
        ("京AA12345", "京AA12345"),
        ("京AKA1234", "京AKA1234"),
        ("京A12345D", "京A12345D"),
        ("京A12345f", "京A12345F"),
    ],
)
def test_plate_is_normalized_without_separators(typed: str, expected: str) -> None:
    assert normalize_plate(typed) == expected


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "plate.length"),
        ("京A1234", "plate.length"),
        ("京A1234567", "plate.length"),
        ("台A12345", "plate.province"),
        ("AA12345", "plate.province"),
        ("京I12345", "plate.authority"),
        ("京O12345", "plate.authority"),
        ("京112345", "plate.authority"),
        ("京A1234O", "plate.serial"),
        ("京AI2345", "plate.serial"),
        ("京A123学4", "plate.serial"),
        ("京AZ12345", "plate.serial"),
        ("京AD1234A", "plate.serial"),
        ("京A12345G", "plate.serial"),
        ("京A1234D5", "plate.serial"),
    ],
)
def test_malformed_plate_is_refused_with_the_part_that_is_wrong(typed: str, code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalize_plate(typed)
    assert error_code(excinfo) == code


def test_plate_is_formatted_with_a_dot_after_the_authority_letter() -> None:
    assert format_plate("京A12345") == "京A·12345"
    assert format_plate("粤bd12345") == "粤B·D12345"


def test_only_eight_character_plates_are_new_energy() -> None:
    assert is_new_energy_plate("粤BD12345")
    assert is_new_energy_plate("京A12345D")
    assert not is_new_energy_plate("京A12345")
    assert not is_new_energy_plate("京AZ12345")


plate_serials = st.one_of(
    st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=5, max_size=5),
    st.builds(
        lambda energy, second, digits: energy + second + digits,
        st.sampled_from("DABCEFGHJK"),
        st.sampled_from("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"),
        st.text(alphabet="0123456789", min_size=4, max_size=4),
    ),
)


@given(
    st.sampled_from("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"),
    st.sampled_from("ABCDEFGHJKLMNPQRSTUVWXYZ"),
    plate_serials,
)
def test_formatted_plate_normalizes_back_to_itself(province: str, letter: str, serial: str) -> None:
    plate = normalize_plate(province + letter + serial)
    assert normalize_plate(format_plate(plate)) == plate


# --- driving licence classes -----------------------------------------------------------------


def test_every_licence_class_has_a_chinese_description_and_an_implication_row() -> None:
    for licence_class in LicenceClass:
        assert licence_class.description
        assert licence_class in LICENCE_IMPLIES
    assert LicenceClass.C1.description == "小型汽车"
    assert LicenceClass.C5.description == "残疾人专用小型自动挡载客汽车"


@pytest.mark.parametrize("typed", ["C1", "c1", " C1 ", "Ｃ１"])
def test_licence_class_is_parsed_case_and_width_insensitively(typed: str) -> None:
    assert parse_licence_class(typed) is LicenceClass.C1


@pytest.mark.parametrize("typed", ["", "C7", "G", "B3", "C1E", "小型汽车"])
def test_unknown_licence_class_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        parse_licence_class(typed)
    assert error_code(excinfo) == "licence_class.invalid"


def test_licence_class_field_with_several_classes_is_split() -> None:
    assert parse_licence_classes("C1E") == [LicenceClass.C1, LicenceClass.E]
    assert parse_licence_classes("a2、d") == [LicenceClass.A2, LicenceClass.D]
    assert parse_licence_classes("B2 , M") == [LicenceClass.B2, LicenceClass.M]
    with pytest.raises(ValidationError):
        parse_licence_classes("C1X")


SMALL = "passenger_small"


@pytest.mark.parametrize("held", ["C1", "A1", "A2", "A3", "B1", "B2", "C1E", "D C1"])
def test_c1_and_every_class_implying_it_may_test_drive_a_manual_car(held: str) -> None:
    assert licence_allows(held, SMALL, automatic=False)
    assert licence_allows(held, SMALL, automatic=True)


@pytest.mark.parametrize("held", ["C2", "C5"])
def test_c2_and_c5_may_test_drive_only_automatic_cars(held: str) -> None:
    assert licence_allows(held, SMALL, automatic=True)
    assert not licence_allows(held, SMALL, automatic=False)


@pytest.mark.parametrize("held", ["C3", "C4", "C6", "D", "E", "F", "M", "N", "P"])
def test_classes_without_small_car_entitlement_may_not_test_drive(held: str) -> None:
    assert not licence_allows(held, SMALL, automatic=True)
    assert not licence_allows(held, SMALL, automatic=False)


@pytest.mark.parametrize(
    ("held", "kind", "allowed"),
    [
        ("A1", "passenger_large", True),
        ("A1", "passenger_medium", True),
        ("A1", "city_bus", True),
        ("A1", "truck", True),
        ("A1", "trailer_combination", False),
        ("A2", "trailer_combination", True),
        ("A2", "trailer_combination_light", True),
        ("A2", "truck", True),
        ("A2", "passenger_large", False),
        ("A3", "city_bus", True),
        ("A3", "passenger_medium", False),
        ("B1", "passenger_medium", True),
        ("B1", "passenger_large", False),
        ("B1", "wheeled_machinery", True),
        ("B2", "truck", True),
        ("B2", "passenger_medium", False),
        ("C1", "truck_light", True),
        ("C1", "truck", False),
        ("C1", "low_speed_truck", True),
        ("C1", "three_wheeled_car", True),
        ("C1", "trailer_combination_light", False),
        ("C3", "three_wheeled_car", True),
        ("D", "motorcycle", True),
        ("D", "moped", True),
        ("E", "motorcycle_three_wheeled", False),
        ("F", "motorcycle", False),
        ("N", "trolleybus", True),
        ("P", "tram", True),
    ],
)
def test_licence_implication_table(held: str, kind: str, allowed: bool) -> None:
    assert licence_allows(held, kind, automatic=False) is allowed


def test_licence_held_as_list_combines_classes() -> None:
    assert licence_allows(["C2", "E"], SMALL, automatic=True)
    assert licence_allows([LicenceClass.C2, LicenceClass.C1], SMALL, automatic=False)
    assert not licence_allows([], SMALL, automatic=True)


def test_unknown_vehicle_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        licence_allows("C1", "spaceship", automatic=True)


def test_unreadable_licence_class_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        licence_allows("C9", SMALL, automatic=True)


@given(
    st.lists(st.sampled_from(list(LicenceClass)), max_size=4),
    st.sampled_from(list(LicenceClass)),
    st.sampled_from(list(VehicleKind)),
    st.booleans(),
)
def test_holding_an_extra_class_never_takes_a_permission_away(
    held: list[LicenceClass], extra: LicenceClass, kind: VehicleKind, automatic: bool
) -> None:
    if licence_allows(held, kind, automatic):
        assert licence_allows([*held, extra], kind, automatic)


@given(st.sampled_from(list(LicenceClass)), st.sampled_from(list(VehicleKind)))
def test_what_a_manual_car_permits_an_automatic_one_permits_too(
    held: LicenceClass, kind: VehicleKind
) -> None:
    if licence_allows([held], kind, automatic=False):
        assert licence_allows([held], kind, automatic=True)


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("138", "138"),
        ("138 1234-5678", "13812345678"),
        ("（+86）１３８１２３４", "1381234"),
        ("0086 13812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("张伟", None),
        ("138a", None),
    ],
)
def test_partly_typed_phone_numbers_are_read_as_their_digits(
    typed: str, digits: str | None
) -> None:
    assert phone_digits(typed) == digits


# --- what a VIN says -------------------------------------------------------------------------


def test_a_chinese_vin_names_its_maker_and_model_year() -> None:
    first17 = "LVGBE40K0PG123456"
    vin = first17[:8] + reference_vin_check(first17) + first17[9:]
    reading = read_vin(vin.lower(), today=date(2026, 12, 1))
    assert (reading.vin, reading.maker, reading.brands) == (vin, "广汽丰田", ("丰田",))
    assert reading.model_year == 2023  # P
    assert reading.check_digit_ok and reading.check_digit_required


@pytest.mark.parametrize(
    ("code", "today", "year"),
    [
        ("A", date(2026, 6, 1), 2010),
        ("T", date(2026, 6, 1), 2026),
        ("V", date(2026, 6, 1), 2027),  # next year's models are on sale in the autumn
        ("W", date(2026, 6, 1), 1998),
        ("9", date(2026, 6, 1), 2009),
        ("Y", date(2030, 1, 1), 2030),
    ],
)
def test_the_model_year_code_repeats_every_thirty_years(code: str, today: date, year: int) -> None:
    assert vin_model_year("LVGBE40K0" + code + "G123456", today=today) == year


@pytest.mark.parametrize("code", ["0", "U", "Z"])
def test_codes_that_are_not_years_read_no_year(code: str) -> None:
    assert vin_model_year("LVGBE40K0" + code + "G123456", today=TODAY) is None


def test_a_european_vin_reports_its_check_digit_instead_of_refusing() -> None:
    reading = read_vin("WVWZZZ1KZ8W000001", today=TODAY)
    assert not reading.check_digit_ok and not reading.check_digit_required
    assert reading.maker == "大众（德国）"


def test_reading_a_vin_still_refuses_a_wrong_length() -> None:
    with pytest.raises(ValidationError) as excinfo:
        read_vin("LVGBE40K", today=TODAY)
    assert error_code(excinfo) == "vin.length"
