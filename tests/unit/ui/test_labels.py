"""Stored codes are shown as words; unknown codes never crash a screen."""

from __future__ import annotations

from db.models import Role, VehicleStatus
from ui.widgets.labels import (
    AUDIT_ACTIONS,
    ROLES,
    VEHICLE_STATUSES,
    audit_detail_text,
    label,
    role_label,
    vehicle_status_label,
)


def test_every_role_and_vehicle_status_has_a_label() -> None:
    assert set(ROLES) == set(Role)
    assert set(VEHICLE_STATUSES) == set(VehicleStatus)
    assert role_label(Role.SALES) == "销售顾问"
    assert vehicle_status_label("reserved") == "已预订"


def test_unknown_codes_fall_back_to_the_code() -> None:
    assert label(AUDIT_ACTIONS, "something_new") == "something_new"
    assert label(AUDIT_ACTIONS, None) == ""


def test_audit_details_read_as_words_not_json() -> None:
    text = audit_detail_text({"username": "sales1", "role": "sales", "attempts_left": 2})
    assert text == "用户名：sales1，岗位：销售顾问，剩余次数：2"
    assert audit_detail_text({"field": "phone"}) == "字段：手机号"
    assert audit_detail_text({"new_key": [1, 2]}) == "new_key：[1, 2]"
