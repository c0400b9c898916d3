"""Which screens each role reaches: declared as data, used by the navigation and its tests."""

from __future__ import annotations

from db.enums import Role

# Screen keys, in navigation order. The UI maps each key to a screen class.
SCREENS_BY_ROLE: dict[Role, tuple[str, ...]] = {
    Role.RECEPTION: (
        "reception",
        "board",
        "home",
        "customers",
        "inventory",
        "test_drives",
        "inspection_day",
    ),
    Role.SALES: (
        "home",
        "board",
        "customers",
        "inventory",
        "test_drives",
        "deals",
        "follow_ups",
        "inspection_day",
    ),
    Role.APPRAISER: ("home", "inventory", "inspection_day"),
    Role.MANAGER: (
        "home",
        "dashboard",
        "reception",
        "board",
        "customers",
        "inventory",
        "test_drives",
        "deals",
        "follow_ups",
        "inspection_day",
        "staff",
        "audit",
    ),
}

# Seeing full phone / ID numbers needs one of these roles, an explicit reveal, and is audited.
MAY_REVEAL_PERSONAL_DATA = frozenset({Role.RECEPTION, Role.SALES, Role.MANAGER})


def screens_for(role: Role) -> tuple[str, ...]:
    return SCREENS_BY_ROLE[role]
