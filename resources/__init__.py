"""Icons, document templates, translations and styles shipped with the app.

``path("styles", "app.qss")`` finds a file whether the app runs from a
checkout, an installed wheel or a PyInstaller bundle.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent


def path(*parts: str) -> Path:
    return ROOT.joinpath(*parts)


def read_text(*parts: str) -> str:
    return path(*parts).read_text(encoding="utf-8")
