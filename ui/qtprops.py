"""Setting Qt enum properties by name, for the widgets of the first screen.

``set_enum(label, "alignment", "AlignCenter")`` does what
``label.setAlignment(Qt.AlignmentFlag.AlignCenter)`` does, through Qt's property
system. The difference is the import: PySide builds every enum of the ``Qt``
namespace (about a hundred) the first time ``Qt`` is imported, some 30 ms, and
the sign-in form and the kiosk's attract screen paint before anything needs it
(``tests/e2e/test_first_screen_imports.py`` keeps it that way).
"""

from __future__ import annotations

from PySide6.QtCore import QObject


def set_enum(target: QObject, name: str, keys: str) -> None:
    """Set the enum or flags property ``name`` to ``keys`` ("AlignLeft|AlignVCenter").

    Raises ``ValueError`` for a property ``target`` does not have or a key it does not know.
    """
    if not target.setProperty(name, keys):
        raise ValueError(f"{type(target).__name__} has no {name} = {keys!r}")
