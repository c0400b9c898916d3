"""What a store lets a role do beyond its defaults (e.g. appraisers may set prices).

One row per (store, permission, role). The defaults live in the services
(``showroom.services.vehicles``); a row only ever adds a role, so a store cannot
take a manager's rights away by mistake.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, Entity
from db.models.enums import Role, enum_type


class StoreGrant(Entity, Base):
    __tablename__ = "store_grants"
    __table_args__ = (UniqueConstraint("store_id", "permission", "role"),)

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"), index=True)
    permission: Mapped[str] = mapped_column(String(40))  # "vehicle_prices", "vehicle_facts"
    role: Mapped[Role] = mapped_column(enum_type(Role))
