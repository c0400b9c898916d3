"""Field rules declared once: legal names and the length limit of every text a form takes.

A service checks what it stores with these functions and refuses with a sentence
naming the field, its limit and how long the text is; nothing is cut to fit,
neither on save nor on a paper. Forms read the same table (``FIELDS``) to show
the limit while typing (``12/20``), so the number on screen and the rule in the
service cannot drift apart.

A legal name (what goes on an agreement or a contract) is 1 to 20 letters: Chinese
characters, Latin letters, the middle dot of minority and foreign names
(``阿依古丽·买买提``) and single spaces between Latin words. Emoji, digits, control
and invisible characters are refused, never silently dropped. Other text is free,
except control characters, which a paste can carry in and no paper can print.

Pure functions; no Qt, no database.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from showroom.errors import ValidationError

__all__ = [
    "FIELDS",
    "MAX_LEGAL_NAME",
    "FieldRule",
    "legal_name",
    "split_title",
    "text",
]

MAX_LEGAL_NAME = 20
MIDDLE_DOT = "\u00b7"
# What keyboards and IMEs type for the separator of 阿依古丽·买买提: one stored form.
_DOT_VARIANTS = str.maketrans(
    dict.fromkeys("\u30fb\uff65\u2022\u2027\u2219\u22c5\u0387", MIDDLE_DOT)
)


@dataclass(frozen=True)
class FieldRule:
    key: str
    label: str  # Chinese, used in messages; forms show their own translated label
    limit: int
    multiline: bool = False


FIELDS: dict[str, FieldRule] = {
    rule.key: rule
    for rule in (
        FieldRule("customer.name", "姓名", MAX_LEGAL_NAME),
        FieldRule("customer.company_name", "单位名称", 60),
        FieldRule("customer.intended_use", "用途", 100),
        FieldRule("customer.preferred_brands", "意向品牌", 100),
        FieldRule("customer.preferred_models", "意向车型", 200),
        FieldRule("customer.decision_cycle", "购车周期", 40),
        FieldRule("customer.notes", "备注", 2000, multiline=True),
        FieldRule("grade.reason", "调整原因", 200),
        FieldRule("follow_up.result", "回访结果", 1000, multiline=True),
        FieldRule("tag.name", "标签名称", 20),
        FieldRule("interaction.summary", "沟通内容", 1000, multiline=True),
        FieldRule("interaction.response", "客户答复", 1000, multiline=True),
        FieldRule("interaction.next_step", "下一步", 200),
        FieldRule("lead.name", "称呼", 20),
        FieldRule("lead.platform", "平台", 20),
        FieldRule("lead.external_ref", "平台线索编号", 60),
        FieldRule("lead.vehicle_text", "咨询车辆", 100),
        FieldRule("lead.message", "留言", 500, multiline=True),
        FieldRule("lead.closed_reason", "关闭原因", 200),
        FieldRule("payment.reference", "交易单号或流水号", 60),
        FieldRule("vehicle.colour", "颜色", 20),
        FieldRule("purchase.statement_note", "卖方补充说明", 500, multiline=True),
        FieldRule("return.reason", "退车原因", 2000, multiline=True),
        FieldRule("return.condition", "退车车况", 2000, multiline=True),
        FieldRule("return.deduction_label", "扣除费用名目", 60),
        FieldRule("warranty.symptom", "故障现象", 2000, multiline=True),
        FieldRule("warranty.diagnosis", "检查诊断", 2000, multiline=True),
        FieldRule("warranty.reason", "保修理由", 2000, multiline=True),
    )
}


def _shown(ch: str) -> str:
    """A refused character as a person can read it in a message."""
    if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cn") or ch.isspace():
        return f"U+{ord(ch):04X}"
    return ch


def _is_name_letter(ch: str) -> bool:
    if not unicodedata.category(ch).startswith("L"):
        return False
    name = unicodedata.name(ch, "")
    return name.startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "LATIN "))


def legal_name(value: str, key: str = "customer.name") -> str:
    """The name as it will be stored and printed, or ``ValidationError`` saying why not.

    Full-width Latin letters become ordinary ones, the middle dot's look-alikes
    become ``·``, runs of spaces become one; nothing else is changed or dropped.
    """
    rule = FIELDS[key]
    cleaned = unicodedata.normalize("NFC", value).translate(_DOT_VARIANTS)
    cleaned = "".join(
        unicodedata.normalize("NFKC", ch) if "\uff21" <= ch <= "\uff5a" else ch for ch in cleaned
    )
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        raise ValidationError("name.missing", f"请填写{rule.label}。", field=key, label=rule.label)
    for ch in cleaned:
        if ch not in (" ", MIDDLE_DOT) and not _is_name_letter(ch):
            raise ValidationError(
                "name.bad_character",
                f"{rule.label}只能由汉字、英文字母和间隔号“·”组成，不能含有“{_shown(ch)}”。",
                field=key,
                character=_shown(ch),
                label=rule.label,
            )
    if cleaned[0] == MIDDLE_DOT or cleaned[-1] == MIDDLE_DOT or MIDDLE_DOT * 2 in cleaned:
        raise ValidationError(
            "name.bad_dot",
            f"{rule.label}中的间隔号“·”只能写在两个字之间。",
            field=key,
            label=rule.label,
        )
    if len(cleaned) > rule.limit:
        raise ValidationError(
            "text.too_long",
            f"{rule.label}最多 {rule.limit} 个字（现在 {len(cleaned)} 个），请删减后再保存。",
            field=key,
            label=rule.label,
            limit=rule.limit,
            length=len(cleaned),
        )
    return cleaned


def text(value: str | None, key: str, *, required: bool = False) -> str:
    """Free text for ``key``, stripped; refused (never cut) when longer than its limit.

    Single-line fields refuse line breaks; no field takes control characters.
    """
    rule = FIELDS[key]
    cleaned = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    allowed = "\n\t" if rule.multiline else ""
    for ch in cleaned:
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp") and ch not in allowed:
            raise ValidationError(
                "text.bad_character",
                f"{rule.label}中有不能保存的控制字符（{_shown(ch)}），请删除后再保存。",
                field=key,
                character=_shown(ch),
                label=rule.label,
            )
    if required and not cleaned:
        raise ValidationError("text.missing", f"请填写{rule.label}。", field=key, label=rule.label)
    if len(cleaned) > rule.limit:
        raise ValidationError(
            "text.too_long",
            f"{rule.label}最多 {rule.limit} 个字（现在 {len(cleaned)} 个），请删减后再保存。",
            field=key,
            label=rule.label,
            limit=rule.limit,
            length=len(cleaned),
        )
    return cleaned


_TITLE_SUFFIXES = (("先生", "mr"), ("女士", "ms"), ("小姐", "ms"))


def split_title(name: str) -> tuple[str, str | None]:
    """``"薛女士"`` -> ``("薛", "ms")``: how platforms and callers give a name.

    Returns the name without the form of address and the title code, or the name
    unchanged and None.
    """
    stripped = name.strip()
    for suffix, code in _TITLE_SUFFIXES:
        if stripped.endswith(suffix) and len(stripped) > len(suffix):
            return stripped[: -len(suffix)].strip(), code
    return stripped, None
