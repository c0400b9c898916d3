"""Every refusal a service raises can be shown in English.

The UI translates a ``ShowroomError`` by its code (``ui.errors._TEMPLATES``), filling the
template from the error's params. This walks every ``...Error(code, message, **params)`` in
``showroom/`` and checks that its code has a template worded as the message, and that the
raise passes every value the template needs.
"""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ui.errors import _TEMPLATES

ROOT = Path(__file__).resolve().parents[3]
SHOWROOM = ROOT / "showroom"

# Helpers that raise with a code their caller passes, and the codes they can raise; a
# new helper of this kind must be listed here, with templates for its codes.
DYNAMIC_CODES: dict[tuple[str, str], set[str]] = {
    ("showroom/loan.py", "_number"): {
        "loan.rate_invalid",
        "loan.term_invalid",
        "loan.percent_invalid",
    },
    ("showroom/services/complaints.py", "_text"): {
        "complaint.description_missing",
        "complaint.resolution_missing",
    },
    ("showroom/services/staff.py", "_require_manager"): {"staff.manager_only"},
    ("showroom/services/warranty.py", "_text"): {
        "warranty.symptom_missing",
        "warranty.diagnosis_missing",
        "warranty.reason_missing",
    },
    ("showroom/services/test_drives.py", "check_licence"): {
        "licence.id_number.length",
        "licence.id_number.characters",
        "licence.id_number.region",
        "licence.id_number.birth_date",
        "licence.id_number.checksum",
    },
    ("showroom/services/vehicle_archive.py", "_check_amount"): {
        "vehicle.price_invalid",
        "vehicle.new_price_invalid",
        "vehicle.cost_invalid",
        "price_lines.amount_invalid",
    },
    ("showroom/services/vehicle_archive.py", "_text"): {
        "history.description_missing",
        "history.description_too_long",
        "maintenance.shop_too_long",
        "maintenance.description_missing",
        "maintenance.description_too_long",
    },
    ("showroom/services/vehicle_archive.py", "_validated"): {
        "vehicle.colour_too_long",
        "vehicle.body_type_too_long",
        "vehicle.emission_standard_too_long",
    },
    ("showroom/services/vehicle_archive.py", "prepare_document"): {
        "photo.empty",
        "photo.too_large",
        "photo.corrupt",
    },
    ("showroom/services/vehicle_archive.py", "prepare_photo"): {
        "photo.empty",
        "photo.too_large",
        "photo.corrupt",
    },
    ("showroom/services/vehicle_intake.py", "_required_text"): {
        "intake.brand_missing",
        "intake.model_missing",
        "intake.brand_missing_too_long",
        "intake.model_missing_too_long",
    },
    ("showroom/services/vehicle_intake.py", "_optional_text"): {
        "intake.trim_too_long",
        "intake.description_too_long",
        "vehicle.colour_too_long",
        "vehicle.body_type_too_long",
        "vehicle.emission_standard_too_long",
    },
    ("showroom/services/vehicle_intake.py", "_amount"): {
        "vehicle.price_invalid",
        "vehicle.new_price_invalid",
        "vehicle.cost_invalid",
    },
    ("showroom/services/vehicle_intake.py", "parse_money"): {
        "amount.invalid",
        "amount.too_many_decimals",
        "amount.too_small",
        "amount.too_large",
    },
}
# Messages made at run time (a reason computed elsewhere): only the params are checked.
UNWORDED = {"db.schema_mismatch"}


@dataclass(frozen=True)
class Raise:
    where: str  # path:line
    function: str
    code: str | None
    skeleton: list[str] | None  # the message's fixed text between its values
    params: set[str]
    spread: bool  # passes ``**something``: the params cannot all be known


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    names = {"ShowroomError"}
    changed = True
    while changed:
        changed = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names:
                    bases = {
                        b.id if isinstance(b, ast.Name) else ast.unparse(b) for b in node.bases
                    }
                    if bases & names:
                        names.add(node.name)
                        changed = True
    return names


def _template_skeleton(text: str) -> list[str]:
    parts = [""]
    for literal, field, _spec, _conversion in string.Formatter().parse(text):
        parts[-1] += literal
        if field is not None:
            parts.append("")
    return parts


def _placeholders(text: str) -> set[str]:
    return {field for _l, field, _s, _c in string.Formatter().parse(text) if field is not None}


def _message_skeleton(message: ast.expr, constants: dict[str, str]) -> list[str] | None:
    if isinstance(message, ast.Constant) and isinstance(message.value, str):
        return [message.value]
    if isinstance(message, ast.JoinedStr):
        parts = [""]
        for value in message.values:
            if isinstance(value, ast.Constant):
                parts[-1] += str(value.value)
            else:
                parts.append("")
        return parts
    if isinstance(message, ast.Name) and message.id in constants:
        return [constants[message.id]]
    if (  # TEMPLATE.format(...) of a module constant
        isinstance(message, ast.Call)
        and isinstance(message.func, ast.Attribute)
        and message.func.attr == "format"
        and isinstance(message.func.value, ast.Name)
        and message.func.value.id in constants
    ):
        return _template_skeleton(constants[message.func.value.id])
    return None


def _raises() -> Iterator[Raise]:
    trees = {path: ast.parse(path.read_text("utf-8")) for path in sorted(SHOWROOM.rglob("*.py"))}
    classes = _error_classes(trees)
    for path, tree in trees.items():
        relative = path.relative_to(ROOT).as_posix()
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in classes or len(node.args) < 2:
                continue
            code = node.args[0]
            enclosing = [
                f.name for f in functions if f.lineno <= node.lineno <= (f.end_lineno or f.lineno)
            ]
            yield Raise(
                where=f"{relative}:{node.lineno}",
                function=enclosing[-1] if enclosing else "",
                code=code.value if isinstance(code, ast.Constant) else None,
                skeleton=_message_skeleton(node.args[1], constants),
                params={k.arg for k in node.keywords if k.arg},
                spread=any(k.arg is None for k in node.keywords),
            )


RAISES = list(_raises())


def _variants(code: str) -> tuple[str, ...]:
    found = _TEMPLATES[code]
    return (found,) if isinstance(found, str) else found


def test_the_walk_finds_the_services_refusals() -> None:
    assert len(RAISES) > 400
    assert any(r.code == "phone.invalid" for r in RAISES)


@pytest.mark.parametrize("site", [r for r in RAISES if r.code is not None], ids=lambda r: r.where)
def test_every_refusal_has_a_template_worded_as_its_message(site: Raise) -> None:
    assert site.code is not None
    assert site.code in _TEMPLATES, f"{site.where}: no template for {site.code!r} in ui/errors.py"
    variants = _variants(site.code)
    if site.code not in UNWORDED:
        assert site.skeleton is not None, f"{site.where}: message is not a literal or f-string"
        variants = tuple(v for v in variants if _template_skeleton(v) == site.skeleton)
        assert variants, f"{site.where}: no template of {site.code!r} is worded as the message"
    if not site.spread:
        missing = [sorted(_placeholders(v) - site.params) for v in variants]
        assert [] in missing, f"{site.where}: {site.code!r} does not pass {min(missing)}"


def test_refusals_with_a_passed_in_code_are_listed_with_their_codes() -> None:
    dynamic = {(r.where.split(":")[0], r.function) for r in RAISES if r.code is None}
    assert dynamic == set(DYNAMIC_CODES), "list the helper and the codes it raises"
    for codes in DYNAMIC_CODES.values():
        assert not codes - set(_TEMPLATES), sorted(codes - set(_TEMPLATES))


def test_templates_are_plain_format_strings() -> None:
    for code, found in _TEMPLATES.items():
        for variant in (found,) if isinstance(found, str) else found:
            for field in _placeholders(variant):
                assert field.isidentifier(), (code, variant)
