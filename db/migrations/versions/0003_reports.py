"""reports: covering indexes on visits for the manager's dashboard

A year of a ten-store group is about 500,000 visits. The dashboard counts them
by hour (a range scan on ``arrived_at``) and counts distinct customers, overall
and per consultant. Both indexes hold every column those queries read, so the
database reads the index alone: ``arrived_at`` first for the time-range counts,
``customer_id, consultant_id`` first so distinct customers are counted in index
order instead of by sorting half a million keys.

Revision ID: 0003_reports
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003_reports"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visits_arrived_cover",
            ["arrived_at", "store_id", "consultant_id", "purpose", "customer_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_visits_customer_cover",
            ["customer_id", "consultant_id", "arrived_at", "purpose", "store_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index("ix_visits_customer_cover")
        batch_op.drop_index("ix_visits_arrived_cover")
