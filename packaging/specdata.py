"""What the frozen app must carry, computed from the source tree.

``build.spec`` asks this module for its data files, hidden imports and
excludes, and ``tests/unit/test_build_spec.py`` asks it the same questions
without running PyInstaller. Everything is derived from the files on disk
(no fixed lists of screens or migrations), so a screen or a migration added
by someone who never opened the spec is still packaged. Standard library only:
the spec imports it before PyInstaller has analysed anything.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Our packages. Modules under them are hidden imports: ``ui.screens`` loads screen
# modules with importlib, and other lazily imported modules must not depend on
# PyInstaller's static analysis happening to see them.
FIRST_PARTY = ("showroom", "ui", "db", "resources")

# Alembic reads these from files (env.py, the template, every revision), so they ship
# as data files beside ``db/schema.py``; importing them as modules would run env.py.
MIGRATIONS = Path("db", "migrations")

# Resource files that only developers need.
RESOURCE_SKIP_SUFFIXES = {".py", ".pyc", ".ts", ".pro"}

# Drivers loaded by name at run time: SQLAlchemy resolves "sqlite" and
# "postgresql+psycopg" through its dialect registry, and psycopg picks its compiled
# libpq wrapper (psycopg_binary) with an import inside a try block.
DRIVER_IMPORTS = (
    "sqlalchemy.dialects.sqlite.pysqlite",
    "sqlalchemy.dialects.postgresql.psycopg",
    "psycopg_binary",
    "psycopg_binary.pq",
    "psycopg_binary._psycopg",
    "alembic.op",
    "alembic.context",
    "alembic.runtime.migration",
    "alembic.ddl.sqlite",
    "alembic.ddl.postgresql",
)

# Qt modules the app does not use. PyInstaller only collects what is imported, but
# naming them keeps a stray import (or a library's optional one) from pulling in
# hundreds of megabytes. QtNetwork is not needed: psycopg talks to PostgreSQL
# through libpq, not Qt. QtPrintSupport stays (print preview of documents); QtDBus
# stays (the xcb platform plugin and input methods need it on Linux).
QT_EXCLUDES = (
    "PySide6.QtNetwork",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtQuickControls2",
    "PySide6.QtQuick3D",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebEngineQuick",
    "PySide6.QtWebChannel",
    "PySide6.QtWebSockets",
    "PySide6.Qt3DCore",
    "PySide6.Qt3DRender",
    "PySide6.Qt3DExtras",
    "PySide6.QtMultimedia",
    "PySide6.QtMultimediaWidgets",
    "PySide6.QtCharts",
    "PySide6.QtDataVisualization",
    "PySide6.QtGraphs",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtSql",
    "PySide6.QtTest",
    "PySide6.QtDesigner",
    "PySide6.QtUiTools",
    "PySide6.QtHelp",
    "PySide6.QtBluetooth",
    "PySide6.QtPositioning",
    "PySide6.QtLocation",
    "PySide6.QtSerialPort",
    "PySide6.QtRemoteObjects",
    "PySide6.QtScxml",
    "PySide6.QtSensors",
    "PySide6.QtStateMachine",
    "PySide6.QtTextToSpeech",
    "PySide6.QtHttpServer",
    "PySide6.QtNetworkAuth",
    "PySide6.QtNfc",
    "PySide6.QtSpatialAudio",
    "PySide6.QtConcurrent",
    "PySide6.QtXml",
)

# Python packages that are installed for development or come along with a
# dependency but are never used by the running app.
PYTHON_EXCLUDES = (
    "tkinter",
    "_tkinter",
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "ruff",
    "IPython",
    "PyInstaller",
    "setuptools",
    "pip",
    "tests",
    "benchmarks",
    "sqlalchemy.testing",
    "matplotlib.tests",
    "numpy.tests",
    "PIL.ImageTk",
    "PIL._avif",  # AVIF photos are not used; its library alone is 5 MB
    # The car pages' browser test drives chromium with Playwright, which brings greenlet;
    # SQLAlchemy would take it along for its asyncio bridge, which the app does not use.
    "playwright",
    "greenlet",
)

# Of Qt's own translations only Chinese is used: English is the source language of Qt.
QT_TRANSLATION_KEEP = ("qtbase_zh_CN.qm", "qt_zh_CN.qm")


def _module_name(root: Path, file: Path) -> str:
    parts = list(file.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def first_party_modules(root: Path = ROOT) -> list[str]:
    """Every module of our packages, by walking the source tree (nothing imported)."""
    names: set[str] = set()
    for package in FIRST_PARTY:
        for file in sorted((root / package).rglob("*.py")):
            relative = file.relative_to(root)
            if relative.is_relative_to(MIGRATIONS) and relative.parent != MIGRATIONS:
                continue  # revisions are data; db.migrations itself stays a package
            if relative == MIGRATIONS / "env.py":
                continue
            if "__pycache__" in relative.parts:
                continue
            names.add(_module_name(root, file))
    return sorted(names)


def _imports_of(file: Path) -> set[str]:
    tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # ``from sqlalchemy.dialects import postgresql`` imports a submodule.
            found.update(
                f"{node.module}.{alias.name}"
                for alias in node.names
                if _is_module(f"{node.module}.{alias.name}")
            )
    return found


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # the parent is a module, not a package
        return False


def migration_files(root: Path = ROOT) -> list[Path]:
    """env.py, the revision template and every revision, relative to ``root``."""
    folder = root / MIGRATIONS
    files = [folder / "env.py", folder / "script.py.mako"]
    files += sorted(p for p in (folder / "versions").glob("*.py"))
    return [f.relative_to(root) for f in files if f.is_file()]


def migration_imports(root: Path = ROOT) -> list[str]:
    """What the migration scripts import: analysed for them, since they ship as data."""
    names: set[str] = set()
    for relative in migration_files(root):
        if relative.suffix == ".py":
            names |= _imports_of(root / relative)
    return sorted(n for n in names if n.split(".")[0] != "__future__")


def resource_files(root: Path = ROOT) -> list[Path]:
    """Icons, styles, compiled translations and templates, relative to ``root``."""
    files = []
    for file in sorted((root / "resources").rglob("*")):
        if not file.is_file() or "__pycache__" in file.parts:
            continue
        if file.suffix in RESOURCE_SKIP_SUFFIXES:
            continue
        files.append(file.relative_to(root))
    return files


def datas(root: Path = ROOT) -> list[tuple[str, str]]:
    """PyInstaller ``datas``: (source file, destination folder inside the bundle)."""
    entries = [*resource_files(root), *migration_files(root)]
    return [(str(root / rel), rel.parent.as_posix()) for rel in entries]


def hidden_imports(root: Path = ROOT) -> list[str]:
    """Modules PyInstaller's static analysis would miss."""
    names = set(first_party_modules(root)) | set(DRIVER_IMPORTS) | set(migration_imports(root))
    return sorted(names)


def excludes() -> list[str]:
    return [*QT_EXCLUDES, *PYTHON_EXCLUDES]


# Qt plugins the app cannot use, by file stem (``libqvnc`` on Linux, ``qvnc`` elsewhere):
# the VNC platform (pulls in QtNetwork), Vulkan-display and framebuffer platforms, and the
# GTK3 theme (pulls in GTK, cairo and pango; the app draws its own Fusion style).
# TUIO touch (touch events over the network; kiosk screens use evdev/libinput) is the
# last user of QtNetwork, whose library then goes too.
# xcb, wayland, eglfs (a kiosk without a desktop), offscreen and minimal stay.
QT_PLUGIN_SKIP = ("qvnc", "qvkkhrdisplay", "qlinuxfb", "qminimalegl", "qgtk3", "qtuiotouchplugin")
QT_LIBRARY_SKIP = ("Qt6Network", "QtNetwork")
# What the skipped GTK3 theme links to, and nothing else we ship does (ldd, Debian 12).
# PyInstaller collects a plugin's libraries before the plugin is dropped, so on a machine
# with GTK installed (any with chromium, which CI installs for the car pages' browser test)
# they would add some 16 MB for nothing.
GTK_THEME_LIBRARIES = frozenset(
    {
        "gtk-3",
        "gdk-3",
        "gdk_pixbuf-2.0",
        "atk-1.0",
        "atk-bridge-2.0",
        "atspi",
        "cairo",
        "cairo-gobject",
        "pango-1.0",
        "pangocairo-1.0",
        "pangoft2-1.0",
        "epoxy",
        "pixman-1",
        "fribidi",
        "thai",
        "datrie",
        "graphite2",
        "harfbuzz",
        "jpeg",
        "Xcomposite",
        "Xcursor",
        "Xdamage",
        "Xext",
        "Xfixes",
        "Xi",
        "Xinerama",
        "Xrandr",
        "Xrender",
    }
)
_SHARED_LIBRARY = re.compile(r"^lib(?P<name>.+?)\.so(\.\d+)*$")


def keep_binary(destination: str) -> bool:
    """Filter for collected binaries: drop the Qt plugins listed in ``QT_PLUGIN_SKIP`` and
    the system libraries only the GTK3 theme among them needs."""
    parts = Path(destination).parts
    stem = Path(destination).name.split(".")[0].removeprefix("lib")
    if "PySide6" in parts and "plugins" in parts:
        return stem not in QT_PLUGIN_SKIP
    library = _SHARED_LIBRARY.match(Path(destination).name)
    if len(parts) == 1 and library and library.group("name") in GTK_THEME_LIBRARIES:
        return False
    # Also the copy PyInstaller links at the top of the folder (libQt6Network.so.6).
    return stem not in QT_LIBRARY_SKIP and not any(
        part.removesuffix(".framework") in QT_LIBRARY_SKIP for part in parts
    )


def keep_data_file(destination: str) -> bool:
    """Filter for collected data: drop Qt translations other than Chinese."""
    parts = Path(destination).parts
    if "translations" in parts and "PySide6" in parts:
        return Path(destination).name in QT_TRANSLATION_KEEP
    return True


def version(root: Path = ROOT) -> str:
    """``showroom.__version__``, read without importing the package."""
    tree = ast.parse((root / "showroom" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            if isinstance(value, str):
                return value
    raise LookupError("showroom/__init__.py defines no __version__")


def platform_key() -> str:
    """``windows``, ``macos`` or ``linux``: the spec branches on it."""
    if sys.platform.startswith("win"):
        return "windows"
    if sys.platform == "darwin":
        return "macos"
    return "linux"


def _version_tuple(text: str) -> tuple[int, int, int, int]:
    numbers = [int("".join(ch for ch in part if ch.isdigit()) or 0) for part in text.split(".")]
    return (*numbers, 0, 0, 0, 0)[:4]  # type: ignore[return-value]


def windows_version_file(text: str, out: Path) -> Path:
    """Write the Windows version resource (Explorer's Properties → Details) for ``text``."""
    numbers = _version_tuple(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        f"""# Generated by packaging/specdata.py; PyInstaller reads it as Python.
VSVersionInfo(
  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3f, flags=0x0,
                    OS=0x40004, fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('080404B0', [
      StringStruct('CompanyName', 'Showroom'),
      StringStruct('FileDescription', 'Showroom 二手车展厅系统'),
      StringStruct('FileVersion', {text!r}),
      StringStruct('InternalName', 'showroom'),
      StringStruct('OriginalFilename', 'showroom.exe'),
      StringStruct('ProductName', 'Showroom'),
      StringStruct('ProductVersion', {text!r})])]),
    VarFileInfo([VarStruct('Translation', [0x0804, 1200])])
  ]
)
""",
        encoding="utf-8",
    )
    return out
