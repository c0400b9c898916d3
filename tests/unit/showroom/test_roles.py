"""Several roles per person: the navigation is the union of their screens, checks ask has_role."""

from __future__ import annotations

import uuid

from db.enums import Role
from showroom.roles import SCREENS_BY_ROLE, may_reveal_personal_data, screens_for
from showroom.users import StaffUser


def _user(*roles: Role) -> StaffUser:
    return StaffUser(uuid.uuid4(), "u", "测试", frozenset(roles), uuid.uuid4(), "BJ01", "测试展厅")


def test_one_role_gets_exactly_its_screens_in_its_order() -> None:
    for role in (Role.RECEPTION, Role.SALES, Role.APPRAISER, Role.MANAGER):
        assert screens_for(role) == SCREENS_BY_ROLE[role]
        assert screens_for({role}) == SCREENS_BY_ROLE[role]


def test_several_roles_get_the_union_led_by_the_senior_role() -> None:
    both = screens_for({Role.APPRAISER, Role.SALES})
    assert both[0] == SCREENS_BY_ROLE[Role.SALES][0]
    assert set(both) == set(SCREENS_BY_ROLE[Role.SALES]) | set(SCREENS_BY_ROLE[Role.APPRAISER])
    assert len(both) == len(set(both))
    desk_and_sales = screens_for({Role.SALES, Role.RECEPTION})
    assert desk_and_sales[0] == "reception" and "deals" in desk_and_sales
    assert "staff" not in desk_and_sales


def test_a_staff_user_holds_a_set_and_a_group_manager_is_a_manager() -> None:
    single = StaffUser(uuid.uuid4(), "u", "测试", Role.SALES, uuid.uuid4(), "BJ01", "x")
    assert single.roles == {Role.SALES} and single.has_role(Role.SALES)
    both = _user(Role.SALES, Role.APPRAISER)
    assert both.has_role(Role.APPRAISER) and both.has_any(Role.MANAGER, Role.SALES)
    assert not both.is_manager
    group = _user(Role.GROUP_MANAGER)
    assert group.is_manager and group.is_group_manager and group.has_role(Role.MANAGER)
    assert "staff" in screens_for(group.roles)
    assert _user(Role.MANAGER, Role.SALES).ordered_roles == (Role.MANAGER, Role.SALES)


def test_reveal_follows_any_held_role() -> None:
    assert not may_reveal_personal_data(_user(Role.APPRAISER))
    assert may_reveal_personal_data(_user(Role.APPRAISER, Role.SALES))
