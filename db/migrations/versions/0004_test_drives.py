"""test drives: return readings, booking channel, no overlapping bookings of a car

The service refuses an overlapping slot with a clear message; this migration is
the last line when two PCs book the same car at the same moment: an exclusion
constraint on PostgreSQL (``btree_gist`` lets a UUID take part in a GiST index)
and a trigger on SQLite, both over the active states (booked, checked out).

Revision ID: 0004_test_drives
Revises: 0003_reports
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_test_drives"
down_revision: str | None = "0003_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = "('booked', 'checked_out')"

_SQLITE_OVERLAP = f"""
    SELECT RAISE(ABORT, 'test_drive_slot_taken')
    WHERE NEW.status IN {ACTIVE} AND EXISTS (
        SELECT 1 FROM test_drives AS other
        WHERE other.vehicle_id = NEW.vehicle_id
          AND other.id <> NEW.id
          AND other.status IN {ACTIVE}
          AND other.slot_start < NEW.slot_end
          AND NEW.slot_start < other.slot_end
    );
"""


def upgrade() -> None:
    with op.batch_alter_table("test_drives", schema=None) as batch_op:
        batch_op.add_column(sa.Column("in_fuel_percent", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("damage_photo_shas", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("booked_via", sa.String(length=10), nullable=False, server_default="desk")
        )
        batch_op.create_check_constraint(
            op.f("ck_test_drives_in_fuel_percent_range"),
            "in_fuel_percent IS NULL OR (in_fuel_percent BETWEEN 0 AND 100)",
        )
    with op.batch_alter_table("test_drives", schema=None) as batch_op:
        batch_op.alter_column("booked_via", server_default=None)

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE test_drives ADD CONSTRAINT ex_test_drives_vehicle_slot "
            "EXCLUDE USING gist (vehicle_id WITH =, tstzrange(slot_start, slot_end) WITH &&) "
            f"WHERE (status IN {ACTIVE})"
        )
    else:
        op.execute(
            "CREATE TRIGGER trg_test_drives_no_overlap_insert BEFORE INSERT ON test_drives "
            f"BEGIN {_SQLITE_OVERLAP} END"
        )
        op.execute(
            "CREATE TRIGGER trg_test_drives_no_overlap_update BEFORE UPDATE OF "
            "vehicle_id, slot_start, slot_end, status ON test_drives "
            f"BEGIN {_SQLITE_OVERLAP} END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE test_drives DROP CONSTRAINT IF EXISTS ex_test_drives_vehicle_slot")
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_test_drives_no_overlap_insert")
        op.execute("DROP TRIGGER IF EXISTS trg_test_drives_no_overlap_update")
    with op.batch_alter_table("test_drives", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_test_drives_in_fuel_percent_range"), type_="check")
        batch_op.drop_column("booked_via")
        batch_op.drop_column("damage_photo_shas")
        batch_op.drop_column("in_fuel_percent")
