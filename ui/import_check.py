"""A lighter version of PySide's check of every module imported after it.

shiboken6 replaces ``__import__`` and, for each new module, calls
``_mod_uses_pyside``, which reads the module's source through ``inspect.getsource``
(``linecache``: the file read, decoded, split into lines and kept in memory for the
rest of the run) only to look for the word "PySide6". The database layer opened
after the first paint is some 280 modules (SQLAlchemy, the models): this costs
tens of milliseconds of the start-up and megabytes of cached source.

``install`` swaps in the same test on the file's bytes, read once and dropped.
The answer is the same for every module with a source file; any other module
goes to PySide's own check. If a PySide release renames the hook, nothing is
changed.
"""

from __future__ import annotations

import sys
from types import ModuleType


def _uses_pyside(module: ModuleType, *, fallback: object) -> bool:
    spec = getattr(module, "__spec__", None)
    origin = getattr(spec, "origin", None)
    if isinstance(origin, str) and origin.endswith(".py"):
        try:
            with open(origin, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            pass
    return bool(fallback(module))  # type: ignore[operator]


def install() -> bool:
    """Replace PySide's module check; True when it was there to replace."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or not callable(original):
        return False
    if getattr(original, "__showroom__", False):
        return True

    def check(module: ModuleType) -> bool:
        return _uses_pyside(module, fallback=original)

    check.__showroom__ = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = check  # type: ignore[attr-defined]
    return True
