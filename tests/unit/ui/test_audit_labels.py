"""Every audit action the services write has a readable label on the audit screen."""

from __future__ import annotations

import ast
from pathlib import Path

from ui.widgets.labels import AUDIT_ACTIONS

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
