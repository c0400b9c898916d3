"""Validation and normalisation of the identifiers the showroom floor types in.

Reception finds customers by mobile number, the test-drive desk checks a resident ID and a
driving licence, and every car is filed under its VIN and plate. These values arrive from
keyboards, Chinese IMEs (full-width digits), QR scanners and copy-paste, so each ``normalize_*``
function accepts the usual noise, returns one canonical form to store and compare, and raises
``ValidationError`` with a stable code when the value cannot be right. Check digits are enforced
because a mistyped VIN or ID number silently splits one customer or car into two records.

Pure functions only: no Qt, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from showroom.clock import store_today
from showroom.errors import ValidationError

__all__ = [
    "LICENCE_IMPLIES",
    "PLATE_PROVINCES",
    "LicenceClass",
    "VehicleKind",
    "VinReading",
    "credit_code_check_char",
    "format_plate",
    "id_birth_date",
    "id_check_digit",
    "id_gender",
    "is_mobile",
    "is_new_energy_plate",
    "licence_allows",
    "normalize_credit_code",
    "normalize_id_number",
    "normalize_mobile",
    "normalize_plate",
    "normalize_vin",
    "parse_licence_class",
    "parse_licence_classes",
    "permitted_classes",
    "phone_digits",
    "read_vin",
    "vin_check_digit",
    "vin_model_year",
]

# Chinese IMEs produce full-width ASCII (U+FF01..U+FF5E) and the ideographic space.
_HALFWIDTH = str.maketrans(
    {chr(0xFF01 + offset): chr(0x21 + offset) for offset in range(0x5E)} | {"\u3000": " "}
)


def _to_halfwidth(text: str) -> str:
    return text.translate(_HALFWIDTH)


def _compact(text: str, extra: str = "") -> str:
    """Half-width, upper-case text with all whitespace (and the ``extra`` characters) removed."""
    text = _to_halfwidth(text)
    return "".join(ch for ch in text if not ch.isspace() and ch not in extra).upper()


# --- mobile numbers --------------------------------------------------------------------------

# 11 digits, first 1, second 3-9 (MIIT numbering plan for mobile networks).
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")


def phone_digits(text: str) -> str | None:
    """The digits of a partly typed phone number (for search as you type), or None.

    Same cleaning as ``normalize_mobile`` (full-width, spaces, dashes, brackets and the
    country prefix), but any length is accepted.
    """
    cleaned = _compact(text, extra="-()")
    if cleaned.startswith("+86"):
        cleaned = cleaned[3:]
    elif cleaned.startswith("0086"):
        cleaned = cleaned[4:]
    elif cleaned.startswith("86") and len(cleaned) > 11:
        cleaned = cleaned[2:]
    return cleaned if cleaned.isdigit() else None


def normalize_mobile(text: str) -> str:
    """Return the 11-digit mainland China mobile number in ``text``.

    Accepts spaces, dashes, full-width digits and a ``+86`` / ``0086`` / ``86`` country prefix.
    """
    digits = _compact(text, extra="-")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086") and len(digits) == 15:
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        # No mobile number starts with 86, so a 13-digit run starting 86 carries the prefix.
        digits = digits[2:]
    if not _MOBILE_RE.fullmatch(digits):
        raise ValidationError("phone.invalid", "手机号码格式不正确，应为 11 位中国大陆手机号码")
    return digits


def is_mobile(text: str) -> bool:
    """Whether ``text`` is a mainland China mobile number (any form ``normalize_mobile`` takes)."""
    try:
        normalize_mobile(text)
    except ValidationError:
        return False
    return True


# --- resident ID numbers (GB 11643-1999) -----------------------------------------------------

# First two digits of the administrative division code (GB/T 2260); 71 Taiwan, 81 Hong Kong,
# 82 Macao, 83 Taiwan residents' residence permits; 91 as common validators list it (the 2023
# foreigners' permanent residence cards start 9 + issuing province and are not covered here).
_PROVINCE_CODES = frozenset(
    {*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55)}
    | {*range(61, 66), 71, 81, 82, 83, 91}
)
# ISO 7064 MOD 11-2: weight of position i (from the left) is 2**(17 - i) mod 11.
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK_CHARS = "10X98765432"  # indexed by the weighted sum mod 11
_ID_RE = re.compile(r"[0-9]{17}[0-9X]")
_EARLIEST_BIRTH = date(1900, 1, 1)


def id_check_digit(first17: str) -> str:
    """The check character (``0``-``9`` or ``X``) for the first 17 digits of an ID number."""
    if not re.fullmatch(r"[0-9]{17}", first17):
        raise ValueError("id_check_digit needs exactly 17 ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _parse_birth_date(id18: str) -> date | None:
    try:
        return date(int(id18[6:10]), int(id18[10:12]), int(id18[12:14]))
    except ValueError:
        return None


def normalize_id_number(text: str, *, today: date | None = None) -> str:
    """Return the 18-character resident ID number in ``text``, upper-case ``X`` last.

    Checked in the order a person can fix them: length, characters, region (province), birth
    date (a real date, 1900-01-01 .. ``today``), then the MOD 11-2 check character.
    ``today`` defaults to the local date; tests pass it explicitly.
    """
    id18 = _compact(text)
    if len(id18) != 18:
        raise ValidationError(
            "id_number.length", f"身份证号码应为 18 位，当前为 {len(id18)} 位", length=len(id18)
        )
    if not _ID_RE.fullmatch(id18):
        raise ValidationError(
            "id_number.characters", "身份证号码前 17 位应为数字，最后一位为数字或 X"
        )
    if int(id18[:2]) not in _PROVINCE_CODES:
        raise ValidationError("id_number.region", "身份证号码的地区码不正确")
    birth = _parse_birth_date(id18)
    if birth is None or not _EARLIEST_BIRTH <= birth <= (today or store_today()):
        raise ValidationError("id_number.birth_date", "身份证号码中的出生日期不正确")
    if id_check_digit(id18[:17]) != id18[17]:
        raise ValidationError("id_number.checksum", "身份证号码校验位不符，请检查是否输错")
    return id18


def id_birth_date(id_number: str) -> date:
    """Date of birth encoded in a (valid) resident ID number."""
    id18 = normalize_id_number(id_number)
    birth = _parse_birth_date(id18)
    assert birth is not None  # normalize_id_number has checked it
    return birth


def id_gender(id_number: str) -> str:
    """``"M"`` or ``"F"``: the 17th digit (sequence code) is odd for men, even for women."""
    id18 = normalize_id_number(id_number)
    return "M" if int(id18[16]) % 2 else "F"


# --- VIN (ISO 3779, GB 16735) ----------------------------------------------------------------

# Letters map to 1-9 in runs (A-H, J-R skipping O and Q, S-Z); I, O and Q are never used.
_VIN_VALUES: dict[str, int] = (
    {str(digit): digit for digit in range(10)}
    | dict(zip("ABCDEFGH", range(1, 9), strict=True))
    | dict(zip("JKLMNPR", (1, 2, 3, 4, 5, 7, 9), strict=True))
    | dict(zip("STUVWXYZ", range(2, 10), strict=True))
)
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_CHECK_INDEX = 8  # position 9
_VIN_FORBIDDEN = frozenset("IOQ")


def vin_check_digit(vin17: str) -> str:
    """The check character (``0``-``9`` or ``X``) for a 17-character VIN.

    Position 9 itself has weight 0, so whatever it holds does not matter here.
    """
    if len(vin17) != 17 or any(ch not in _VIN_VALUES for ch in vin17):
        raise ValueError("vin_check_digit needs 17 upper-case VIN characters (no I, O, Q)")
    total = sum(_VIN_VALUES[ch] * weight for ch, weight in zip(vin17, _VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def normalize_vin(text: str) -> str:
    """Return the 17-character VIN in ``text``, upper-case, with its check digit verified."""
    vin = _compact(text, extra="-")
    if len(vin) != 17:
        raise ValidationError(
            "vin.length", f"车架号（VIN）应为 17 位，当前为 {len(vin)} 位", length=len(vin)
        )
    if any(ch in _VIN_FORBIDDEN for ch in vin):
        # Excluded by ISO 3779 because they read like 1 and 0; almost always a typo for them.
        raise ValidationError("vin.forbidden_letter", "车架号（VIN）中不能出现字母 I、O、Q")
    if any(ch not in _VIN_VALUES for ch in vin):
        raise ValidationError("vin.characters", "车架号（VIN）只能由数字和英文字母组成")
    # Deliberately not telling which character was expected: that would invite "fixing" the
    # check digit instead of re-reading the VIN from the car.
    if vin_check_digit(vin) != vin[_VIN_CHECK_INDEX]:
        raise ValidationError("vin.check_digit", "车架号（VIN）校验位不符，可能有输入错误，请核对")
    return vin


# What a VIN tells about the car (ISO 3779 / GB 16735): the maker (WMI, positions 1-3) and
# the model year (position 10). The check digit is mandatory for cars made in China
# (GB 16735) and North America; Europe and Japan do not use it, so an imported car whose
# position 9 does not compute is asked about, not refused.
_VIN_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"  # 1980 + index, repeating every 30 years
_CHECK_DIGIT_REGIONS = frozenset("LH12345")  # China (L, H) and North America (1-5)

# A short table of makers common on the Chinese used-car market: WMI -> (maker, brands).
# Unknown WMIs simply read nothing; the form then takes what staff type.
VIN_MAKERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "LSV": ("上汽大众", ("大众", "斯柯达")),
    "LFV": ("一汽-大众", ("大众", "奥迪", "捷达")),
    "LSG": ("上汽通用", ("别克", "雪佛兰", "凯迪拉克")),
    "LZW": ("上汽通用五菱", ("五菱", "宝骏")),
    "LSJ": ("上汽乘用车", ("荣威", "名爵")),
    "LVG": ("广汽丰田", ("丰田",)),
    "LFM": ("一汽丰田", ("丰田",)),
    "LTV": ("一汽丰田", ("丰田",)),
    "LHG": ("广汽本田", ("本田", "讴歌")),
    "LVH": ("东风本田", ("本田",)),
    "LGB": ("东风日产", ("日产", "启辰")),
    "LBV": ("华晨宝马", ("宝马",)),
    "LE4": ("北京奔驰", ("奔驰",)),
    "LVS": ("长安福特", ("福特", "林肯")),
    "LS5": ("长安汽车", ("长安",)),
    "LNB": ("北京现代", ("现代",)),
    "LJD": ("东风悦达起亚", ("起亚",)),
    "LDC": ("神龙汽车", ("标致", "雪铁龙")),
    "LGX": ("比亚迪", ("比亚迪",)),
    "LC0": ("比亚迪", ("比亚迪",)),
    "LB3": ("吉利汽车", ("吉利", "领克")),
    "LGW": ("长城汽车", ("长城", "哈弗", "魏牌", "坦克")),
    "LVV": ("奇瑞汽车", ("奇瑞",)),
    "LMG": ("广汽乘用车", ("传祺",)),
    "LRW": ("特斯拉（上海）", ("特斯拉",)),
    "LFP": ("一汽轿车", ("红旗", "奔腾")),
    "WVW": ("大众（德国）", ("大众",)),
    "WAU": ("奥迪（德国）", ("奥迪",)),
    "WBA": ("宝马（德国）", ("宝马",)),
    "WDD": ("梅赛德斯-奔驰（德国）", ("奔驰",)),
    "WP0": ("保时捷（德国）", ("保时捷",)),
    "SAL": ("路虎（英国）", ("路虎",)),
    "JTD": ("丰田（日本）", ("丰田", "雷克萨斯")),
    "JTH": ("雷克萨斯（日本）", ("雷克萨斯",)),
    "5YJ": ("特斯拉（美国）", ("特斯拉",)),
}


def vin_model_year(vin: str, *, today: date) -> int | None:
    """The model year coded in position 10, or None when the code is not a year code.

    The code repeats every 30 years; the latest year not after next year is taken (a car
    sold in 2026 with code ``A`` is a 2010, not a 2040).
    """
    index = _VIN_YEAR_CODES.find(vin[9:10]) if len(vin) == 17 else -1
    if index < 0:
        return None
    year = 1980 + index
    while year + 30 <= today.year + 1:
        year += 30
    return year


@dataclass(frozen=True)
class VinReading:
    """A VIN as typed, normalised, with what it says (``maker`` and ``brands`` may be empty)."""

    vin: str
    check_digit_ok: bool
    check_digit_required: bool
    model_year: int | None
    wmi: str
    maker: str
    brands: tuple[str, ...]


def read_vin(text: str, *, today: date) -> VinReading:
    """Normalise ``text`` and read maker and model year; the check digit is reported, not
    enforced (``normalize_vin`` enforces it). Bad length or characters raise as there."""
    vin = _compact(text, extra="-")
    try:
        normalize_vin(vin)
        ok = True
    except ValidationError as exc:
        if exc.code != "vin.check_digit":
            raise
        ok = False
    maker, brands = VIN_MAKERS.get(vin[:3], ("", ()))
    return VinReading(
        vin=vin,
        check_digit_ok=ok,
        check_digit_required=vin[0] in _CHECK_DIGIT_REGIONS,
        model_year=vin_model_year(vin, today=today),
        wmi=vin[:3],
        maker=maker,
        brands=brands,
    )


# --- licence plates (GA 36-2018) -------------------------------------------------------------

PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_LETTER = "A-HJ-NP-Z"  # plates never use I or O (they read like 1 and 0)
_PLATE_ALNUM = f"{_PLATE_LETTER}0-9"
_ORDINARY_SERIAL_RE = re.compile(f"[{_PLATE_ALNUM}]{{5}}|[{_PLATE_ALNUM}]{{4}}[挂学警港澳]")
# Small new-energy plates: energy letter first. Since 2021 D, A, B, C, E mark battery-electric
# and F, G, H, J, K other new-energy cars, once a city runs out of the D and F series.
_SMALL_NEV_SERIAL_RE = re.compile(f"[DABCEFGHJK][{_PLATE_ALNUM}][0-9]{{4}}")
_LARGE_NEV_SERIAL_RE = re.compile("[0-9]{5}[DF]")
# Separators people type between the authority letter and the serial.
_PLATE_SEPARATORS = "·•‧・･⋅.-"


def normalize_plate(text: str) -> str:
    """Return the plate in ``text`` without separators, e.g. ``"京A12345"`` or ``"粤BD12345"``.

    Ordinary plates have 5 serial characters (the last may be 挂/学/警/港/澳); new-energy plates
    have 6: an energy letter then 5 (small cars) or 5 digits then D/F (large vehicles).
    Only the shape is checked: which serials a traffic police office has issued is not knowable.
    """
    plate = _compact(text, extra=_PLATE_SEPARATORS)
    if len(plate) not in (7, 8):
        raise ValidationError("plate.length", "车牌号应为 7 位（新能源车牌 8 位）")
    if plate[0] not in PLATE_PROVINCES:
        raise ValidationError("plate.province", "车牌号第一位应为省、自治区、直辖市简称")
    if not re.fullmatch(f"[{_PLATE_LETTER}]", plate[1]):
        raise ValidationError("plate.authority", "车牌号第二位应为发牌机关代号（字母，不含 I、O）")
    serial = plate[2:]
    if len(serial) == 5:
        valid = _ORDINARY_SERIAL_RE.fullmatch(serial)
    else:
        valid = _SMALL_NEV_SERIAL_RE.fullmatch(serial) or _LARGE_NEV_SERIAL_RE.fullmatch(serial)
    if not valid:
        raise ValidationError("plate.serial", "车牌号序号部分格式不正确")
    return plate


def format_plate(plate: str) -> str:
    """The plate as printed on documents, with the dot after the authority: ``"京A·12345"``."""
    normalized = normalize_plate(plate)
    return f"{normalized[:2]}·{normalized[2:]}"


def is_new_energy_plate(plate: str) -> bool:
    """Whether ``plate`` is a valid new-energy (green, 8-character) plate; False if invalid."""
    try:
        return len(normalize_plate(plate)) == 8
    except ValidationError:
        return False


# --- driving licence classes (公安部令第 162 号 附件 1) ----------------------------------------


class LicenceClass(StrEnum):
    """准驾车型 code as printed on the driving licence."""

    A1 = "A1"
    A2 = "A2"
    A3 = "A3"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"
    C3 = "C3"
    C4 = "C4"
    C5 = "C5"
    C6 = "C6"
    D = "D"
    E = "E"
    F = "F"
    M = "M"
    N = "N"
    P = "P"

    @property
    def description(self) -> str:
        return _LICENCE_DESCRIPTIONS[self]


_LICENCE_DESCRIPTIONS: dict[LicenceClass, str] = {
    LicenceClass.A1: "大型客车",
    LicenceClass.A2: "重型牵引挂车",
    LicenceClass.A3: "城市公交车",
    LicenceClass.B1: "中型客车",
    LicenceClass.B2: "大型货车",
    LicenceClass.C1: "小型汽车",
    LicenceClass.C2: "小型自动挡汽车",
    LicenceClass.C3: "低速载货汽车",
    LicenceClass.C4: "三轮汽车",
    LicenceClass.C5: "残疾人专用小型自动挡载客汽车",
    LicenceClass.C6: "轻型牵引挂车",
    LicenceClass.D: "普通三轮摩托车",
    LicenceClass.E: "普通二轮摩托车",
    LicenceClass.F: "轻便摩托车",
    LicenceClass.M: "轮式专用机械车",
    LicenceClass.N: "无轨电车",
    LicenceClass.P: "有轨电车",
}

_L = LicenceClass
# "准予驾驶的其他准驾车型" column: holding the key class also permits these classes.
# Implications chain (A1 -> B1 -> C1 -> C3 -> C4), so this is closed transitively below.
LICENCE_IMPLIES: dict[LicenceClass, frozenset[LicenceClass]] = {
    _L.A1: frozenset({_L.A3, _L.B1, _L.B2, _L.C1, _L.C2, _L.C3, _L.C4, _L.M}),
    _L.A2: frozenset({_L.B1, _L.B2, _L.C1, _L.C2, _L.C3, _L.C4, _L.C6, _L.M}),
    _L.A3: frozenset({_L.C1, _L.C2, _L.C3, _L.C4}),
    _L.B1: frozenset({_L.C1, _L.C2, _L.C3, _L.C4, _L.M}),
    _L.B2: frozenset({_L.C1, _L.C2, _L.C3, _L.C4, _L.M}),
    _L.C1: frozenset({_L.C2, _L.C3, _L.C4}),
    _L.C2: frozenset(),
    _L.C3: frozenset({_L.C4}),
    _L.C4: frozenset(),
    _L.C5: frozenset(),
    _L.C6: frozenset(),
    _L.D: frozenset({_L.E, _L.F}),
    _L.E: frozenset({_L.F}),
    _L.F: frozenset(),
    _L.M: frozenset(),
    _L.N: frozenset(),
    _L.P: frozenset(),
}


class VehicleKind(StrEnum):
    """The kind of vehicle to be driven, as the licence rules distinguish them."""

    PASSENGER_SMALL = "passenger_small"  # 小型、微型载客汽车: every car a dealer test-drives
    PASSENGER_MEDIUM = "passenger_medium"  # 中型载客汽车
    PASSENGER_LARGE = "passenger_large"  # 大型载客汽车
    CITY_BUS = "city_bus"  # 核载 10 人以上的城市公共汽车
    TRUCK_LIGHT = "truck_light"  # 轻型、微型载货汽车
    TRUCK = "truck"  # 重型、中型载货汽车
    TRAILER_COMBINATION = "trailer_combination"  # 重型、中型全挂、半挂汽车列车
    TRAILER_COMBINATION_LIGHT = "trailer_combination_light"  # 总质量 < 4500 kg 的汽车列车
    LOW_SPEED_TRUCK = "low_speed_truck"  # 低速载货汽车
    THREE_WHEELED_CAR = "three_wheeled_car"  # 三轮汽车
    MOTORCYCLE_THREE_WHEELED = "motorcycle_three_wheeled"  # 普通三轮摩托车
    MOTORCYCLE = "motorcycle"  # 普通二轮摩托车
    MOPED = "moped"  # 轻便摩托车
    WHEELED_MACHINERY = "wheeled_machinery"  # 轮式专用机械车
    TROLLEYBUS = "trolleybus"  # 无轨电车
    TRAM = "tram"  # 有轨电车


_V = VehicleKind
# Classes that directly cover a kind, mapped to "automatic transmission only".
# C5 also requires a car adapted for the driver's disability; the caller checks the car.
_KIND_COVERED_BY: dict[VehicleKind, dict[LicenceClass, bool]] = {
    _V.PASSENGER_SMALL: {_L.C1: False, _L.C2: True, _L.C5: True},
    _V.PASSENGER_MEDIUM: {_L.B1: False},
    _V.PASSENGER_LARGE: {_L.A1: False},
    _V.CITY_BUS: {_L.A3: False},
    _V.TRUCK_LIGHT: {_L.C1: False, _L.C2: True},
    _V.TRUCK: {_L.B2: False},
    _V.TRAILER_COMBINATION: {_L.A2: False},
    _V.TRAILER_COMBINATION_LIGHT: {_L.C6: False},
    _V.LOW_SPEED_TRUCK: {_L.C3: False},
    _V.THREE_WHEELED_CAR: {_L.C4: False},
    _V.MOTORCYCLE_THREE_WHEELED: {_L.D: False},
    _V.MOTORCYCLE: {_L.E: False},
    _V.MOPED: {_L.F: False},
    _V.WHEELED_MACHINERY: {_L.M: False},
    _V.TROLLEYBUS: {_L.N: False},
    _V.TRAM: {_L.P: False},
}

_LICENCE_TOKEN_RE = re.compile(r"A[1-3]|B[12]|C[1-6]|[DEFMNP]")
# Licences print several classes run together ("C1E", "A2D"); people add spaces or commas.
_LICENCE_SEPARATORS = ",，、;；/"


def _closure(classes: Iterable[LicenceClass]) -> frozenset[LicenceClass]:
    permitted: set[LicenceClass] = set()
    pending = list(classes)
    while pending:
        licence_class = pending.pop()
        if licence_class not in permitted:
            permitted.add(licence_class)
            pending.extend(LICENCE_IMPLIES[licence_class])
    return frozenset(permitted)


def _invalid_licence_class() -> ValidationError:
    return ValidationError("licence_class.invalid", "无法识别的准驾车型代号（如 C1、C2、A1）")


def parse_licence_class(text: str) -> LicenceClass:
    """One 准驾车型 code (``"c1"``, ``" Ｃ１ "``) as a ``LicenceClass``."""
    code = _compact(text)
    if code not in LicenceClass.__members__:
        raise _invalid_licence_class()
    return LicenceClass(code)


def parse_licence_classes(text: str) -> list[LicenceClass]:
    """All classes on a licence, as printed (``"C1E"``) or separated (``"A2, D"``), in order."""
    codes = _compact(text, extra=_LICENCE_SEPARATORS)
    classes: list[LicenceClass] = []
    position = 0
    while position < len(codes):
        match = _LICENCE_TOKEN_RE.match(codes, position)
        if match is None:
            raise _invalid_licence_class()
        licence_class = LicenceClass(match.group())
        if licence_class not in classes:
            classes.append(licence_class)
        position = match.end()
    if not classes:
        raise _invalid_licence_class()
    return classes


def permitted_classes(held: str | Iterable[str]) -> frozenset[LicenceClass]:
    """Every class the holder may drive: the held classes and all they imply."""
    if isinstance(held, str):
        held_classes: list[LicenceClass] = parse_licence_classes(held)
    else:
        held_classes = [parse_licence_class(code) for code in held]
    return _closure(held_classes)


def licence_allows(held: str | Iterable[str], vehicle_kind: str, automatic: bool) -> bool:
    """Whether a licence with the ``held`` classes permits driving this kind of vehicle.

    ``held`` is the class field of the licence (``"C1"``, ``"A2D"``) or a list of codes;
    ``automatic`` is whether the vehicle has an automatic transmission (C2 and C5 require it).
    Unknown ``vehicle_kind`` is a programming error (``ValueError``); an unreadable class code is
    ``ValidationError("licence_class.invalid")``.
    """
    covered_by = _KIND_COVERED_BY[VehicleKind(vehicle_kind)]
    return any(
        licence_class in covered_by and (automatic or not covered_by[licence_class])
        for licence_class in permitted_classes(held)
    )


# --- 统一社会信用代码 (unified social credit code, GB 32100-2015) -------------------------------

# 31 characters: digits and capitals without I, O, S, V, Z (they read like 1, 0, 5, U, 2).
_CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_CODE_RE = re.compile(f"[1-9A-GY][1-9][0-9]{{6}}[{_CREDIT_CODE_CHARS}]{{10}}")


def credit_code_check_char(first17: str) -> str:
    """The check character of a credit code's first 17 characters (GB 32100-2015, 4.3)."""
    if len(first17) != 17 or any(ch not in _CREDIT_CODE_CHARS for ch in first17):
        raise ValueError("credit_code_check_char needs 17 characters of the code alphabet")
    total = sum(
        _CREDIT_CODE_CHARS.index(ch) * weight
        for ch, weight in zip(first17, _CREDIT_CODE_WEIGHTS, strict=True)
    )
    return _CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def normalize_credit_code(text: str) -> str:
    """The 18-character 统一社会信用代码 in ``text`` (upper-case), checked in the order a
    person can fix it: length, characters, then the check character."""
    code = _compact(text, "-")
    if len(code) != 18:
        raise ValidationError(
            "credit_code.length",
            f"统一社会信用代码应为 18 位，当前为 {len(code)} 位",
            length=len(code),
        )
    if not _CREDIT_CODE_RE.fullmatch(code):
        raise ValidationError(
            "credit_code.characters",
            "统一社会信用代码由数字和大写字母组成（不含 I、O、S、V、Z），请对照营业执照核对",
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(
            "credit_code.checksum", "统一社会信用代码校验位不符，请对照营业执照检查是否输错"
        )
    return code
