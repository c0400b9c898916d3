"""one car out on one test drive at a time, in the database too

The service refuses a second check-out of a car that is out; this partial
unique index refuses it when two desks check the same car out at once.

Revision ID: 0005_one_drive_out
Revises: 0004_test_drives
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_one_drive_out"
down_revision: str | None = "0004_test_drives"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OUT = sa.text("status = 'checked_out'")


def upgrade() -> None:
    op.create_index(
        "uq_test_drives_vehicle_out",
        "test_drives",
        ["vehicle_id"],
        unique=True,
        sqlite_where=_OUT,
        postgresql_where=_OUT,
    )


def downgrade() -> None:
    op.drop_index("uq_test_drives_vehicle_out", table_name="test_drives")
