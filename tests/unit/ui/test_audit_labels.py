"""Every audit action the services write has a readable label on the audit screen."""

from __future__ import annotations

import ast
from pathlib import Path

from ui.widgets.labels import AUDIT_ACTIONS, AUDIT_DETAIL_KEYS

ROOT = Path(__file__).resolve().parents[3]


def _recorded_actions() -> set[str]:
    actions: set[str] = set()
    for path in (ROOT / "showroom").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
                and len(node.args) >= 3
                and isinstance(node.args[2], ast.Constant)
            ):
                actions.add(node.args[2].value)
    return actions


def test_every_recorded_audit_action_has_a_label() -> None:
    actions = _recorded_actions()
    assert "sign_in" in actions  # the scan itself works
    assert sorted(actions - set(AUDIT_ACTIONS)) == []


def _recorded_detail_keys() -> set[str]:
    """Keys of every ``detail={...}`` literal passed to ``audit.record``."""
    keys: set[str] = set()
    for path in (ROOT / "showroom").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            ):
                continue
            details = [k.value for k in node.keywords if k.arg == "detail"]
            if len(node.args) >= 6:
                details.append(node.args[5])
            for detail in details:
                if isinstance(detail, ast.Dict):
                    keys.update(
                        k.value
                        for k in detail.keys
                        if isinstance(k, ast.Constant) and isinstance(k.value, str)
                    )
    return keys


def test_every_audit_detail_key_reads_as_words_on_the_audit_screen() -> None:
    keys = _recorded_detail_keys()
    assert "kind" in keys  # the scan itself works
    assert sorted(keys - set(AUDIT_DETAIL_KEYS)) == []
