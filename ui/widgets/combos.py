"""Combo box helpers.

``QComboBox.findData`` compares the Python objects it holds by identity, so an id
read again from the database (an equal ``uuid.UUID``, a new object) is not found
and the selection silently falls back to the first row. ``find_data`` compares
by value.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox


def find_data(combo: QComboBox, value: Any) -> int:
    """The row whose data equals ``value``, or -1."""
    for row in range(combo.count()):
        if combo.itemData(row) == value:
            return row
    return -1
