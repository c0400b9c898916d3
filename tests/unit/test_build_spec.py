"""The PyInstaller spec packs what the app loads at run time, without running PyInstaller.

A full build takes a minute or more (tests/e2e/test_frozen_build.py runs it in CI);
these checks take well under a second and catch the usual ways a frozen app breaks:
a lazily imported screen left out, a migration not shipped as a file, an excluded
module that someone started to use.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))

import specdata  # noqa: E402


@pytest.fixture(scope="module")
def datas() -> dict[str, str]:
    return {Path(src).relative_to(ROOT).as_posix(): dest for src, dest in specdata.datas(ROOT)}


@pytest.fixture(scope="module")
def hidden() -> set[str]:
    return set(specdata.hidden_imports(ROOT))


def test_every_data_file_exists_and_lands_beside_its_package(datas: dict[str, str]) -> None:
    assert datas
    for source, destination in datas.items():
        assert (ROOT / source).is_file(), source
        assert destination == Path(source).parent.as_posix()


def test_alembic_migrations_ship_as_files(datas: dict[str, str]) -> None:
    versions = sorted((ROOT / "db" / "migrations" / "versions").glob("*.py"))
    assert len(versions) >= 2  # __init__ and at least the initial schema
    for file in [*versions, ROOT / "db/migrations/env.py", ROOT / "db/migrations/script.py.mako"]:
        assert file.relative_to(ROOT).as_posix() in datas, file.name


def test_every_resource_the_app_reads_is_shipped(datas: dict[str, str]) -> None:
    for pattern in ("icons/**/*.svg", "styles/*.qss", "translations/*.qm", "templates/**/*"):
        files = [
            f
            for f in (ROOT / "resources").glob(pattern)
            if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".py"
        ]
        assert files, f"{pattern} matches nothing: was a resources folder renamed?"
        for file in files:
            assert file.relative_to(ROOT).as_posix() in datas, file.name
    assert not [s for s in datas if s.endswith(".ts")], "translation sources are not shipped"


def test_lazily_imported_screens_are_hidden_imports(hidden: set[str]) -> None:
    from ui.screens import SCREENS

    assert SCREENS
    for info in SCREENS.values():
        assert info.module in hidden, info.module


def test_every_first_party_module_is_a_hidden_import(hidden: set[str]) -> None:
    for package in ("showroom", "ui", "db"):
        for file in (ROOT / package).rglob("*.py"):
            relative = file.relative_to(ROOT)
            if relative.parts[:2] == ("db", "migrations") and relative.name != "__init__.py":
                continue
            if relative.parts[:3] == ("db", "migrations", "versions"):
                continue
            name = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
            assert name in hidden, name
    assert "db.migrations.env" not in hidden, "env.py must not be imported as a module"


def test_what_migrations_and_drivers_load_by_name_is_a_hidden_import(hidden: set[str]) -> None:
    for name in (
        "db.models",
        "alembic.op",
        "sqlalchemy.dialects.sqlite.pysqlite",
        "sqlalchemy.dialects.postgresql.psycopg",
        "psycopg_binary",
    ):
        assert name in hidden, name


def _imports(file: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_nothing_the_app_imports_is_excluded_from_the_build() -> None:
    excluded = set(specdata.excludes())
    offenders = []
    for package in ("showroom", "ui", "db", "resources"):
        for file in (ROOT / package).rglob("*.py"):
            for name in _imports(file):
                parts = name.split(".")
                if any(".".join(parts[:i]) in excluded for i in range(1, len(parts) + 1)):
                    offenders.append(f"{file.relative_to(ROOT)}: {name}")
    assert not offenders, "excluded in packaging/specdata.py but imported: " + ", ".join(offenders)


def test_only_chinese_qt_translations_and_usable_plugins_are_kept() -> None:
    assert specdata.keep_data_file("PySide6/Qt/translations/qtbase_zh_CN.qm")
    assert not specdata.keep_data_file("PySide6/Qt/translations/qtbase_de.qm")
    assert specdata.keep_data_file("resources/translations/showroom_en.qm")
    assert specdata.keep_binary("PySide6/Qt/plugins/platforms/libqxcb.so")
    assert specdata.keep_binary("PySide6/plugins/platforms/qwindows.dll")
    assert specdata.keep_binary("PySide6/Qt/plugins/platforms/libqoffscreen.so")
    assert not specdata.keep_binary("PySide6/Qt/plugins/platforms/libqvnc.so")
    assert not specdata.keep_binary("PySide6/Qt/plugins/platformthemes/libqgtk3.so")
    assert not specdata.keep_binary("libQt6Network.so.6")
    assert specdata.keep_binary("PySide6/Qt/lib/libQt6Gui.so.6")
    # GTK comes with chromium on a build machine; only the dropped GTK3 theme needed it.
    assert not specdata.keep_binary("libgtk-3.so.0")
    assert not specdata.keep_binary("libgdk_pixbuf-2.0.so.0")
    assert specdata.keep_binary("libxkbcommon.so.0") and specdata.keep_binary("libfontconfig.so.1")


def test_version_is_the_packages_version() -> None:
    from showroom import __version__

    assert specdata.version(ROOT) == __version__


def test_windows_version_resource_names_the_version(tmp_path: Path) -> None:
    out = specdata.windows_version_file("1.2.3", tmp_path / "version.txt")
    text = out.read_text(encoding="utf-8")
    ast.parse(text)  # PyInstaller evaluates it as a Python expression
    assert "filevers=(1, 2, 3, 0)" in text
    assert "StringStruct('ProductVersion', '1.2.3')" in text


def test_the_spec_takes_its_lists_from_specdata() -> None:
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    compile(spec, "build.spec", "exec")
    for call in (
        "specdata.datas(ROOT)",
        "specdata.hidden_imports(ROOT)",
        "specdata.excludes()",
        "specdata.keep_data_file",
        "specdata.keep_binary",
        "specdata.version(ROOT)",
        "BUNDLE(",
        'name="showroom"',
    ):
        assert call in spec, call


def test_icons_are_rendered_for_every_platform(tmp_path: Path, qapp: object) -> None:
    sys.path.insert(0, str(ROOT / "packaging"))
    import make_icons
    from PIL import Image

    written = make_icons.make_icons(tmp_path)
    with Image.open(written["ico"]) as ico:
        assert (256, 256) in ico.info["sizes"] and (16, 16) in ico.info["sizes"]
    with Image.open(written["icns"]) as icns:
        assert icns.size == (1024, 1024)
    with Image.open(written["png"]) as png:
        assert png.size == (256, 256)
        # The blue tile, not a transparent or black square.
        red, _green, blue, alpha = png.convert("RGBA").getpixel((128, 20))
        assert alpha == 255 and blue > red
