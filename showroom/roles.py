"""Which screens each role reaches: declared as data, used by the navigation and its tests.

A person may hold several roles; they reach the union of those roles' screens.
"""

from __future__ import annotations

from collections.abc import Iterable

from db.enums import Role
from showroom.users import StaffUser, normalise_roles, ordered_roles

# Screen keys, in navigation order. The UI maps each key to a screen class.
SCREENS_BY_ROLE: dict[Role, tuple[str, ...]] = {
    Role.RECEPTION: (
        "reception",
        "board",
        "home",
        "customers",
        "leads",
        "inventory",
        "test_drives",
        "complaints",
        "inspection_day",
    ),
    Role.SALES: (
        "home",
        "board",
        "customers",
        "leads",
        "inventory",
        "test_drives",
        "deals",
        "follow_ups",
        "complaints",
        "warranty",
        "inspection_day",
    ),
    Role.APPRAISER: ("home", "inventory", "warranty", "inspection_day"),
    Role.MANAGER: (
        "home",
        "dashboard",
        "reception",
        "board",
        "customers",
        "leads",
        "inventory",
        "test_drives",
        "deals",
        "follow_ups",
        "complaints",
        "warranty",
        "inspection_day",
        "staff",
        "audit",
    ),
}
# The dealer group's manager works like a store manager, for every store.
SCREENS_BY_ROLE[Role.GROUP_MANAGER] = SCREENS_BY_ROLE[Role.MANAGER]

# Seeing full phone / ID numbers needs one of these roles, an explicit reveal, and is audited.
MAY_REVEAL_PERSONAL_DATA = frozenset({Role.RECEPTION, Role.SALES, Role.MANAGER})


def screens_for(roles: Role | Iterable[Role]) -> tuple[str, ...]:
    """The screens of every held role: the first role's (managers first) in its order,
    then what the others add. One role gives exactly that role's screens."""
    screens: list[str] = []
    for role in ordered_roles(normalise_roles(roles)):
        screens.extend(key for key in SCREENS_BY_ROLE[role] if key not in screens)
    return tuple(screens)


def may_reveal_personal_data(user: StaffUser) -> bool:
    """Whether one of ``user``'s roles may ask to see a full phone or ID number."""
    return user.has_any(*MAY_REVEAL_PERSONAL_DATA)
