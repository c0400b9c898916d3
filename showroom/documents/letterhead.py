"""The store's letterhead on every paper: name, address, phone line and logo.

Settings may override the store's own record (``store_name``, ``store_address``,
``letterhead``); an empty override keeps the store's value.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy.orm import Session

from db.models import Store
from showroom.documents.model import Letterhead
from showroom.documents.templates import load_logo


def letterhead(
    session: Session,
    store_id: uuid.UUID,
    templates_dir: Path | None,
    overrides: dict[str, str] | None = None,
) -> Letterhead:
    store = session.get(Store, store_id)
    over = {k: v for k, v in (overrides or {}).items() if v}
    return Letterhead(
        store_name=over.get("store_name", store.name if store else ""),
        address=over.get("store_address", store.address if store else ""),
        line=over.get("letterhead", (store.letterhead or store.phone) if store else ""),
        logo_png=load_logo(templates_dir),
    )
