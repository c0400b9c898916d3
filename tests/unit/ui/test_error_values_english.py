"""A refusal shown in English has no Chinese but the store's own data.

A template (``ui.errors._TEMPLATES``) is English once translated, but the values a service
puts into it can still be Chinese: a field name, a state, a list joined with "、", a
"未知" for a missing name. These tests fail on any such value:

- every raise in ``showroom/`` is read: a value that an English template shows must not be
  a Chinese literal, a joined list or a Chinese name looked up in a table, unless the UI
  words it from keys (``_WORDED``) or translates it as a ``label``/``*_label`` — and then
  every name the service can pass there must have an English translation;
- the refusals the UI words from keys are rendered in English with every key the
  services have, and must come out without a Han character.

Stored data (a customer's name, a plate, a store's own checklist items or lost reasons)
stays as typed; it is passed as plain values and is not checked here.
"""

from __future__ import annotations

import ast
import importlib
import re
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale

from showroom.errors import ShowroomError
from tests.unit.ui.test_error_templates import (
    ROOT,
    SHOWROOM,
    _error_classes,
    _placeholders,
    _variants,
)
from ui.errors import (
    _CUSTOMER_FIELDS,
    _INSPECTION_SECTIONS,
    _OPEN_BUSINESS,
    _STORE_FORM_FIELDS,
    _STORE_PAPER_FIELDS,
    _TEMPLATES,
    _WORDED,
    _tr,
    error_text,
)
from ui.i18n import install_translators

HAN = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
# Refusals whose values are the store's own words, not the app's: the lost reasons a
# manager typed in the list.
STORE_WORDS = {"lost_reason.unknown", "lost_reason.too_long", "lost_reason.duplicate"}
# English templates that name Chinese on purpose: the column headers a file must have.
CHINESE_ON_PURPOSE = {"lead_import.no_phone"}


@pytest.fixture(scope="module")
def english(qapp: Any) -> Iterator[None]:
    # pytest-qt's QApplication: a bare QCoreApplication made here would stay for the rest
    # of the worker's tests, and every widget test after it would fail to start.
    app = qapp
    locale = QLocale()
    translators = install_translators(app, "en")
    assert translators
    yield
    for translator in translators:
        app.removeTranslator(translator)
    QLocale.setDefault(locale)


# --- what the services pass -------------------------------------------------------------


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


TREES = {path: ast.parse(path.read_text("utf-8")) for path in sorted(SHOWROOM.rglob("*.py"))}
CLASSES = _error_classes(TREES)
FUNCTIONS = {
    path: [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    for path, tree in TREES.items()
}


def _han_constants(node: ast.AST) -> list[str]:
    return [
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and HAN.search(n.value)
    ]


def _table(path: Path, node: ast.expr) -> dict[Any, Any] | None:
    """The dict ``node`` names (``LABELS`` or ``deposits.LABELS``), if it is a module's."""
    module = importlib.import_module(_module_name(path))
    if isinstance(node, ast.Name):
        found = getattr(module, node.id, None)
    elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        found = getattr(getattr(module, node.value.id, None), node.attr, None)
    else:
        return None
    return found if isinstance(found, dict) else None


def _looked_up(path: Path, value: ast.expr) -> dict[Any, Any] | None:
    """The table of ``TABLE[key]`` / ``TABLE.get(key, ...)``."""
    if isinstance(value, ast.Subscript):
        return _table(path, value.value)
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "get"
    ):
        return _table(path, value.func.value)
    return None


def _passed_to(function: ast.FunctionDef, parameter: str) -> list[str]:
    """Chinese literals that calls of ``function`` anywhere pass as ``parameter``."""
    names = [a.arg for a in function.args.args]
    position = names.index(parameter) if parameter in names else None
    if position is not None and names and names[0] in ("self", "cls"):
        position -= 1
    found: list[str] = []
    for tree in TREES.values():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            called = node.func.id if isinstance(node.func, ast.Name) else None
            called = called or getattr(node.func, "attr", None)
            if called != function.name:
                continue
            for keyword in node.keywords:
                if keyword.arg == parameter:
                    found += _han_constants(keyword.value)
            if position is not None and position < len(node.args):
                found += _han_constants(node.args[position])
    return found


def _label_values(path: Path, function: ast.FunctionDef | None, value: ast.expr) -> list[str]:
    """Every Chinese name a ``label`` param can carry, or raise if it cannot be told."""
    table = _looked_up(path, value)
    if table is not None:  # and the default of a ``.get``
        return [v for v in table.values() if isinstance(v, str)] + _han_constants(value)
    if isinstance(value, ast.Attribute) and ast.unparse(value) == "rule.label":
        from showroom.fields import FIELDS

        return [rule.label for rule in FIELDS.values()]
    if isinstance(value, ast.Name) and function is not None:
        if value.id in {a.arg for a in function.args.args}:
            return _passed_to(function, value.id)
        assigned = [
            n.value
            for n in ast.walk(function)
            if isinstance(n, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == value.id for t in n.targets)
        ]
        if assigned:
            return [text for node in assigned for text in _han_constants(node)]
    if not _han_constants(value) and isinstance(value, ast.Constant):
        return []
    raise LookupError(ast.unparse(value))


def _sites() -> Iterator[tuple[str, Path, ast.FunctionDef | None, str, dict[str, ast.expr]]]:
    for path, tree in TREES.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in CLASSES or len(node.args) < 2:
                continue
            code = node.args[0]
            if not (isinstance(code, ast.Constant) and isinstance(code.value, str)):
                continue  # a helper's passed-in code: its labels are checked at its callers
            enclosing = [
                f for f in FUNCTIONS[path] if f.lineno <= node.lineno <= (f.end_lineno or f.lineno)
            ]
            where = f"{path.relative_to(ROOT).as_posix()}:{node.lineno}"
            values = {k.arg: k.value for k in node.keywords if k.arg}
            yield where, path, enclosing[-1] if enclosing else None, code.value, values


SITES = list(_sites())


def _shown_in_english(code: str) -> set[str]:
    """The params an English wording of ``code`` shows."""
    shown: set[str] = set()
    for variant in _variants(code):
        for _literal, field, _spec, _conv in string.Formatter().parse(_tr(variant)):
            if field is not None:
                shown.add(field)
    return shown


# --- the refusals the UI words from keys, with every key the services have -------------


def _samples() -> dict[str, list[dict[str, Any]]]:
    from showroom.documents.model import STORE_FIELDS
    from showroom.inspection_grading import SECTIONS
    from showroom.services import customers, privacy_requests, stores, vehicle_import

    chinese = "中文"  # what the service's own Chinese wording of a value looks like
    return {
        "store.profile_incomplete": [
            {"fields": chinese, "missing": list(STORE_FIELDS), "what": chinese, "where": ""}
        ],
        "store.field_long": [
            {"field": chinese, "key": key, "maximum": 60, "length": 61}
            for key in stores.FIELD_LABELS
        ],
        "inspection.required_missing": [
            {
                "names": chinese,
                "more": chinese,
                "count": 9,
                "items": [[section.value, "Paint"] for section in SECTIONS],
            }
        ],
        "privacy.open_business": [
            {
                "items": chinese,
                "open": [[key, 2] for key in privacy_requests.OPEN_BUSINESS_LABELS],
            }
        ],
        "edit.conflict": [
            {
                "differences": chinese,
                "theirs_version": 3,
                "fields": {key: {"theirs": "A", "yours": "B"} for key in customers.LABELS},
            }
        ],
        "contract.vehicle_reserved_by_other": [{"customer_name": "W**", "consultant_name": ""}],
        "deposit.vehicle_reserved": [
            {"customer": "W**", "consultant": "", "receipt_no": "D1", "stock_no": "S1"}
        ],
        "web.schema": [{"current": "", "head": "0020"}],
        "document.kind_unknown": [
            {"kind": "x", "choices": "a、b", "choice_list": ["agreement", "receipt"]}
        ],
        "import.unknown_columns": [
            {"presets": chinese, "preset_names": list(vehicle_import.PRESETS)}
        ],
        "import.unknown_preset": [
            {"preset": "x", "presets": chinese, "preset_names": list(vehicle_import.PRESETS)}
        ],
        "import.missing_columns": [
            {"name": "che168", "missing": ["VIN", "Price"], "missing_text": chinese}
        ],
        "lead.duplicate": [{"lead_id": 1, "name": "W**", "where": "，Autohome"}],
    }


SAMPLES = _samples()


def _worded_names(code: str) -> set[str]:
    return {name for sample in SAMPLES[code] for name in _WORDED[code](sample)}


def test_every_reworded_refusal_has_samples() -> None:
    assert set(SAMPLES) == set(_WORDED)


@pytest.mark.parametrize("code", sorted(_WORDED))
def test_a_refusal_worded_from_keys_is_english_in_english(english: None, code: str) -> None:
    for sample in SAMPLES[code]:
        source = _variants(code)[0]
        shown = error_text(ShowroomError(code, source, **sample))
        assert shown != source, f"{code}: no English wording"
        assert not HAN.search(shown), f"{code}: {shown}"


def test_the_uis_key_tables_have_every_key_of_the_services() -> None:
    from showroom.documents.model import STORE_FIELDS
    from showroom.inspection_grading import SECTIONS
    from showroom.services import customers, privacy_requests, stores

    assert set(_STORE_PAPER_FIELDS) == set(STORE_FIELDS)
    assert set(_STORE_FORM_FIELDS) == set(stores.FIELD_LABELS)
    assert set(_CUSTOMER_FIELDS) == set(customers.LABELS)
    assert set(_INSPECTION_SECTIONS) == {section.value for section in SECTIONS}
    assert set(_OPEN_BUSINESS) == set(privacy_requests.OPEN_BUSINESS_LABELS)


def test_english_templates_have_no_chinese(english: None) -> None:
    for code in _TEMPLATES:
        if code in CHINESE_ON_PURPOSE:
            continue
        for variant in _variants(code):
            assert not HAN.search(_tr(variant)), f"{code}: {_tr(variant)}"


@pytest.mark.parametrize("site", SITES, ids=[where for where, *_ in SITES])
def test_no_chinese_value_goes_into_an_english_refusal(
    english: None, site: tuple[str, Path, ast.FunctionDef | None, str, dict[str, ast.expr]]
) -> None:
    where, path, function, code, values = site
    if code not in _TEMPLATES or code in STORE_WORDS:
        return  # a missing template is test_error_templates' to report
    worded = _worded_names(code) if code in _WORDED else set()
    if worded:
        # Worded by the UI from keys: rendered with the params this raise passes (a key it
        # leaves out leaves the service's Chinese), and any Chinese literal it puts there.
        sample = {name: SAMPLES[code][0].get(name, "x") for name in values}
        literals = [(n, text) for n in worded & set(values) for text in _han_constants(values[n])]
        variant = next(v for v in _variants(code) if _placeholders(v) <= set(values))
        for name, text in [("", ""), *literals]:
            params = {**sample, name: text} if name else sample
            message = variant.format(**params)  # the service's message picks the wording
            shown = error_text(ShowroomError(code, message, **params))
            assert not HAN.search(shown), f"{where}: {sorted(values)} {name}={text!r}: {shown}"
    for name in sorted(_shown_in_english(code) & set(values) - worded):
        value = values[name]
        if name == "label" or name.endswith("_label"):
            try:
                labels = _label_values(path, function, value)
            except LookupError as exc:
                pytest.fail(f"{where}: cannot tell which names {name}={exc} passes; pass a key")
            untranslated = sorted({text for text in labels if HAN.search(_tr(text))})
            assert not untranslated, f"{where}: {name} has no English for {untranslated}"
            continue
        literals = _han_constants(value)
        assert not literals, f"{where}: {name} passes Chinese {literals}; pass a key"
        joined = [
            n
            for n in ast.walk(value)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "join"
        ]
        assert not joined, f"{where}: {name} passes a joined list; pass the list"
        table = _looked_up(path, value)
        named = [v for v in (table or {}).values() if isinstance(v, str) and HAN.search(v)]
        assert not named, f"{where}: {name} passes a Chinese name from a table; pass the key"


def test_a_customers_name_and_title_read_as_english(english: None) -> None:
    """The services compose 王先生 for Chinese screens; an English one says Mr Wang."""
    from showroom.errors import ConflictError

    duplicate = ConflictError(
        "lead.duplicate",
        "该号码已有未处理的线索（王先生，懂车帝），请在原线索上记录这次沟通。",
        name="王先生",
        where="，懂车帝",
    )
    text = error_text(duplicate)
    assert "Mr Wang" in text and "先生" not in text, text
    assert "懂车帝" in text  # the platform is the store's own word for it
    registered = ConflictError(
        "customer.duplicate",
        "该手机号已登记为 王小明 女士（138****5678），不能重复建档。可直接使用已有客户。",
        name="王小明 女士",
        phone="138****5678",
    )
    assert "Ms 王小明" in error_text(registered)
