"""Who acts: the signed-in staff member, or the kiosk or a command with no one signed in.

Kept free of SQLAlchemy so that screens can name a user without loading the
database layer (the first screen paints before it loads).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from db.enums import Role


@dataclass(frozen=True)
class Actor:
    """An audit log's "who": a display name and, for staff, their ids."""

    name: str
    staff_id: uuid.UUID | None = None
    store_id: uuid.UUID | None = None


SYSTEM = Actor("system")
KIOSK = Actor("kiosk")


@dataclass(frozen=True)
class StaffUser:
    """The signed-in staff member, as the rest of the app sees them."""

    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    store_id: uuid.UUID
    store_code: str
    store_name: str

    @property
    def actor(self) -> Actor:
        return Actor(self.display_name, self.id, self.store_id)
