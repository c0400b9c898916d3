"""A queued operation names the user who made it; roles became a set, old payloads still read."""

from __future__ import annotations

import uuid

from db.enums import Role
from showroom.sync.operations import user_from_payload, user_payload
from showroom.users import StaffUser


def test_a_user_round_trips_with_all_roles() -> None:
    user = StaffUser(
        uuid.uuid4(), "li", "李明", {Role.SALES, Role.APPRAISER}, uuid.uuid4(), "BJ01", "朝阳店"
    )
    payload = user_payload(user)
    assert payload["roles"] == ["sales", "appraiser"]
    assert user_from_payload(payload) == user


def test_a_payload_queued_before_roles_became_a_set_still_reads() -> None:
    old = {
        "id": str(uuid.uuid4()),
        "username": "li",
        "display_name": "李明",
        "role": "reception",
        "store_id": str(uuid.uuid4()),
        "store_code": "BJ01",
        "store_name": "朝阳店",
    }
    assert user_from_payload(old).roles == {Role.RECEPTION}
