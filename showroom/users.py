"""Who acts: the signed-in staff member, or the kiosk or a command with no one signed in.

Kept free of SQLAlchemy so that screens can name a user without loading the
database layer (the first screen paints before it loads).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from db.enums import Role

# Roles that bring others with them: the dealer group's manager manages every store.
IMPLIED_ROLES: dict[Role, frozenset[Role]] = {Role.GROUP_MANAGER: frozenset({Role.MANAGER})}
# The order roles are listed in (labels, the header): managers first, then the floor.
ROLE_ORDER: tuple[Role, ...] = (
    Role.GROUP_MANAGER,
    Role.MANAGER,
    Role.RECEPTION,
    Role.SALES,
    Role.APPRAISER,
)


def normalise_roles(roles: Role | str | Iterable[Role | str]) -> frozenset[Role]:
    """A set of roles from one role or several (codes accepted, e.g. from a payload)."""
    if isinstance(roles, str):  # a Role is a str too
        return frozenset({Role(roles)})
    return frozenset(Role(r) for r in roles)


def effective_roles(roles: Iterable[Role]) -> frozenset[Role]:
    """The roles held, with those they bring (a group manager is a manager too)."""
    held = frozenset(roles)
    return held.union(*(IMPLIED_ROLES.get(role, frozenset()) for role in held))


def ordered_roles(roles: Iterable[Role]) -> tuple[Role, ...]:
    held = set(roles)
    return tuple(r for r in ROLE_ORDER if r in held)


@dataclass(frozen=True)
class Actor:
    """An audit log's "who": a display name and, for staff, their ids."""

    name: str
    staff_id: uuid.UUID | None = None
    store_id: uuid.UUID | None = None


SYSTEM = Actor("system")
KIOSK = Actor("kiosk")
WEB = Actor("web")  # a customer's own request from the car page on their phone


@dataclass(frozen=True)
class StaffUser:
    """The signed-in staff member, as the rest of the app sees them.

    ``roles`` is every role the person holds (one ``Role`` is accepted and made a
    set). Ask ``has_role(Role.X)``, never compare a single role: a consultant may
    also be an appraiser. ``must_change_password`` is set after sign-in with a
    temporary password: the app asks for a new one before anything else.
    """

    id: uuid.UUID
    username: str
    display_name: str
    roles: frozenset[Role]
    store_id: uuid.UUID
    store_code: str
    store_name: str
    must_change_password: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", normalise_roles(self.roles))  # type: ignore[arg-type]

    def has_role(self, role: Role) -> bool:
        """Holds ``role`` itself or through another (a group manager is a manager)."""
        return role in effective_roles(self.roles)

    def has_any(self, *roles: Role) -> bool:
        return any(self.has_role(role) for role in roles)

    @property
    def is_manager(self) -> bool:
        return self.has_role(Role.MANAGER)

    @property
    def is_group_manager(self) -> bool:
        return Role.GROUP_MANAGER in self.roles

    @property
    def ordered_roles(self) -> tuple[Role, ...]:
        """The held roles, managers first (for labels)."""
        return ordered_roles(self.roles)

    @property
    def actor(self) -> Actor:
        return Actor(self.display_name, self.id, self.store_id)
