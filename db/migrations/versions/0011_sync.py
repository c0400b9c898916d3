"""change feed (server-numbered) and applied offline operations

Every write appends which rows it changed to ``change_feed`` in its own
transaction; other PCs pull what is newer than the last sequence they saw.
``applied_operations`` remembers each replayed offline operation by its UUID,
so replaying it twice changes nothing.

Revision ID: 0011_sync
Revises: 0010_inventory
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = "0011_sync"
down_revision: str | None = "0010_inventory"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_feed",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=False),
            nullable=False,
        ),
        sa.Column("at", db.base.UTCDateTime(), nullable=False),
        sa.Column("table_name", sa.String(length=63), nullable=False),
        sa.Column("row_id", sa.String(length=64), nullable=True),
        sa.Column("topic", sa.String(length=80), nullable=False),
        sa.Column("origin", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_change_feed")),
    )
    op.create_index("ix_change_feed_at", "change_feed", ["at"])
    op.create_table(
        "applied_operations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("created_at", db.base.UTCDateTime(), nullable=False),
        sa.Column("applied_at", db.base.UTCDateTime(), nullable=False),
        sa.Column("origin", sa.String(length=36), nullable=False),
        sa.Column("outcome", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applied_operations")),
    )


def downgrade() -> None:
    op.drop_table("applied_operations")
    op.drop_index("ix_change_feed_at", table_name="change_feed")
    op.drop_table("change_feed")
