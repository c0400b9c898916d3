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


# The UI may name a Session (the type of work it hands the task runner) and recognise
# database errors; building queries is the services' job.
ALLOWED_IN_UI = {("sqlalchemy.orm", "Session"), ("sqlalchemy.exc", "*")}


def _sqlalchemy_names(path: Path) -> set[tuple[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[tuple[str, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update((a.name, "") for a in node.names if _top(a.name) == "sqlalchemy")
        elif isinstance(node, ast.ImportFrom) and node.module and _top(node.module) == "sqlalchemy":
            found.update((node.module, a.name) for a in node.names)
    return found


@pytest.mark.parametrize("path", _sources("ui"), ids=lambda p: str(p.relative_to(ROOT)))
def test_widgets_hold_no_sql(path: Path) -> None:
    for module, name in _sqlalchemy_names(path):
        assert (module, name) in ALLOWED_IN_UI or (module, "*") in ALLOWED_IN_UI, (
            f"{module}.{name}: widgets call services, they do not build queries"
        )
    text = path.read_text(encoding="utf-8")
    for keyword in ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM"):
        assert keyword not in text
