"""The store's letterhead on every paper, from the store profile (门店资料).

Every paper prints the store's name, address and phone at the top; a template
may print more of the profile through ``{store_credit_code}``, ``{store_bank_name}``
and the like (``model.STORE_FIELDS``). A value a paper needs but the profile
lacks is refused before anything is drawn, naming the field
(``store.profile_incomplete``): a contract never goes out with a blank seller.

The logo is the store's own (a dealer group has one per store), else the
``logo.png`` of the dealer's templates folder, else the shipped one.
``overrides`` replace the name, address or line for one print only.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.orm import Session

from db.models import Store
from showroom.documents.model import STORE_FIELDS, Letterhead
from showroom.documents.templates import load_logo
from showroom.errors import NotFoundError, ValidationError

# What every letterhead prints.
LETTERHEAD_FIELDS = ("store_name", "store_address", "store_phone")
WHERE_TO_FILL = "请店长在“员工 → 门店资料”中填写后再打印。"


def format_account(digits: str) -> str:
    """A bank account number in groups of four, as printed (6222 0212 3456 7890)."""
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def store_values(store: Store) -> dict[str, str]:
    """The store profile under the names templates use (``{store_...}``)."""
    return {
        "store_name": store.name.strip(),
        "store_address": store.address.strip(),
        "store_phone": store.phone.strip(),
        "store_credit_code": store.credit_code.strip(),
        "store_bank_name": store.bank_name.strip(),
        "store_bank_account": format_account(store.bank_account.strip()),
    }


def require_store_fields(values: dict[str, str], needed: Iterable[str], *, paper: str = "") -> None:
    """Refuse, naming every missing field at once, when the profile lacks one of ``needed``."""
    wanted = set(needed)
    missing = [key for key in STORE_FIELDS if key in wanted and not values.get(key, "").strip()]
    if not missing:
        return
    labels = "、".join(STORE_FIELDS[key] for key in missing)
    what = f"，不能打印《{paper}》" if paper else "，不能打印"
    raise ValidationError(
        "store.profile_incomplete",
        f"门店资料缺少{labels}{what}。{WHERE_TO_FILL}",
        fields=labels,
        missing=missing,
        paper=paper,
        what=what,
        where=WHERE_TO_FILL,
    )


def letterhead(
    session: Session,
    store_id: uuid.UUID,
    templates_dir: Path | None,
    overrides: dict[str, str] | None = None,
    *,
    paper: str = "",
) -> Letterhead:
    store = session.get(Store, store_id)
    if store is None:
        raise NotFoundError("store.not_found", "门店不存在。")
    values = store_values(store)
    over = {k: v.strip() for k, v in (overrides or {}).items() if v and v.strip()}
    if "store_name" in over:
        values["store_name"] = over["store_name"]
    if "store_address" in over:
        values["store_address"] = over["store_address"]
    require_store_fields(values, LETTERHEAD_FIELDS, paper=paper)
    extra = over.get("letterhead", store.letterhead.strip())
    line = "　".join(part for part in (f"电话 {values['store_phone']}", extra) if part)
    return Letterhead(
        store_name=values["store_name"],
        address=values["store_address"],
        line=line,
        logo_png=store.logo_png or load_logo(templates_dir),
        store_values=values,
    )
