"""Two PCs editing one record: the second save meets the first, never overwrites it.

Every ``Entity`` has ``row_version`` (SQLAlchemy's version counter): an UPDATE
names the version it read and fails when another PC saved in between. ``save_edit``
is the one way an edit form saves: it takes the version the form was loaded
with and, if the record moved on, raises ``EditConflict`` carrying both
versions field by field (what is stored now and what this user typed) so the
form can show them side by side and let the user choose; nothing is
overwritten silently.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from showroom.errors import ConflictError, NotFoundError


class EditConflict(ConflictError):
    """``params["fields"]``: {field: {"theirs": stored value, "yours": typed value}}."""


def save_edit(
    session: Session,
    model: type[Any],
    row_id: uuid.UUID,
    loaded_version: int,
    changes: dict[str, Any],
    labels: dict[str, str] | None = None,
) -> int:
    """Apply ``changes`` if the row is still at ``loaded_version``; return the new version.

    ``labels`` name the fields for the message (``{"name": "姓名"}``).
    """
    row = session.get(model, row_id, with_for_update=True)
    if row is None or getattr(row, "deleted_at", None) is not None:
        raise NotFoundError("edit.not_found", "这条记录已不存在（可能已被合并或删除）。")
    if row.row_version != loaded_version:
        raise edit_conflict(row, changes, labels)
    for name, value in changes.items():
        setattr(row, name, value)
    session.flush()
    return int(row.row_version)


def edit_conflict(
    row: Any,
    changes: Mapping[str, Any],
    labels: Mapping[str, str] | None = None,
    shown: Callable[[str, Any], Any] | None = None,
) -> EditConflict:
    """The refusal of an edit made on an older version of ``row``, both versions listed.

    ``shown(field, value)`` gives what the message and the error may carry of a value
    (a phone number masked); by default the value itself.
    """
    show = shown or (lambda _name, value: value)
    fields = {
        name: {"theirs": show(name, getattr(row, name)), "yours": show(name, value)}
        for name, value in changes.items()
        if getattr(row, name) != value
    }
    named = labels or {}
    lines = "；".join(
        f"{named.get(n, n)}：已保存为“{v['theirs']}”，你填写的是“{v['yours']}”"
        for n, v in fields.items()
    )
    if lines:
        return EditConflict(
            "edit.conflict",
            "保存前这条记录已被其他电脑修改，你的修改没有保存。"
            f"两个版本不同之处：{lines}。请核对后重新保存。",
            fields=fields,
            theirs_version=row.row_version,
            differences=lines,
        )
    return EditConflict(
        "edit.conflict",
        "保存前这条记录已被其他电脑修改，你的修改没有保存。请核对后重新保存。",
        fields=fields,
        theirs_version=row.row_version,
    )


@dataclass(frozen=True)
class FieldVersions:
    """One field of a refused edit: as this user loaded it, as stored now, as typed."""

    name: str
    loaded: Any
    theirs: Any
    yours: Any

    @property
    def yours_changed(self) -> bool:
        """Whether this user changed the field (else saving again leaves theirs)."""
        return not _same(self.yours, self.loaded)


def _same(a: Any, b: Any) -> bool:
    # An empty text box and a missing value are the same answer.
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() == b.strip()
    return bool(a == b)


def field_versions(
    loaded: Mapping[str, Any], theirs: Mapping[str, Any], yours: Mapping[str, Any]
) -> list[FieldVersions]:
    """The fields where what is stored now differs from what this user typed, in form order.

    ``loaded``: the record as the form was opened; ``theirs``: as stored now;
    ``yours``: the form's values (``None``: not on the form).
    """
    return [
        FieldVersions(name, loaded.get(name), theirs.get(name), value)
        for name, value in yours.items()
        if value is not None and not _same(theirs.get(name), value)
    ]


def own_changes(loaded: Mapping[str, Any], yours: Mapping[str, Any]) -> dict[str, Any]:
    """Only the fields this user changed: saving them again keeps the other PC's other edits."""
    return {
        name: value
        for name, value in yours.items()
        if value is not None and not _same(value, loaded.get(name))
    }
