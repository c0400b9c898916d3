"""The layers stay visible: ui -> showroom -> db, never the other way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _module_level_imports(path: Path) -> set[str]:
    """Top-level imports of a module (imports inside functions are deliberate and lazy)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _all_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("path", _sources("db"), ids=lambda p: str(p.relative_to(ROOT)))
def test_db_imports_neither_showroom_nor_ui_nor_qt(path: Path) -> None:
    tops = {_top(n) for n in _all_imports(path)}
    assert not tops & {"showroom", "ui", "PySide6", "shiboken6"}


@pytest.mark.parametrize("path", _sources("showroom"), ids=lambda p: str(p.relative_to(ROOT)))
def test_showroom_never_imports_qt_or_the_ui(path: Path) -> None:
    # The CLI's main() hands GUI commands to ui.main lazily; that one deferred import
    # is the entry point, not a dependency of the domain.
    imports = _module_level_imports(path)
    assert not {_top(n) for n in imports} & {"ui", "PySide6", "shiboken6"}
    if path.name != "cli.py":
        assert not {_top(n) for n in _all_imports(path)} & {"ui", "PySide6", "shiboken6"}


@pytest.mark.parametrize(
    "path",
    [p for p in _sources("ui") if "services" not in p.parts],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_widgets_hold_no_sql(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    tops = {_top(n) for n in _all_imports(path)}
    assert "sqlalchemy" not in tops or path.name == "tasks.py", "widgets call services, not SQL"
    for keyword in ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM"):
        assert keyword not in text
