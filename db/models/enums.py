"""Closed vocabularies stored as short strings (with CHECK constraints).

The values are stable English codes; the UI translates them for display.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum as SAEnum

from db.enums import *  # noqa: F403 - the vocabularies, re-exported beside their column type


def enum_type(enum_cls: type[StrEnum], name: str | None = None) -> SAEnum:
    """A portable VARCHAR + CHECK column type storing the enum's values.

    ``name`` names the CHECK constraint; give one when a table has two columns
    of the same enum.
    """
    return SAEnum(
        enum_cls,
        name=name or enum_cls.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
