"""per-consultant targets, and the dashboard's covering indexes

- ``consultant_targets``: the manager's monthly target (and warning level) for one
  consultant's deals or deal amount (whole yuan); one row per consultant and metric.
- Covering indexes so the dashboard over a year of a ten-store group reads indexes,
  not tables: visits per consultant then customer, the customer's channel, drives,
  contracts and deposits by date, leads by receipt, and partial indexes over the
  few visits and follow-ups that recorded a lost-deal reason.

Only a new table and new indexes: no existing table is rebuilt (0018's triggers stay
as they are).

Revision ID: 0022_consultant_targets
Revises: 0021_mileage_and_lead_cadence
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = "0022_consultant_targets"
down_revision: str | None = "0021_mileage_and_lead_cadence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOST = "lost_reason IS NOT NULL"
INDEXES: tuple[tuple[str, str, list[str], str | None], ...] = (
    (
        "ix_visits_consultant_cover",
        "visits",
        ["consultant_id", "customer_id", "arrived_at", "purpose", "store_id"],
        None,
    ),
    ("ix_visits_lost_reason", "visits", ["arrived_at", "store_id", "lost_reason"], LOST),
    ("ix_customers_id_channel", "customers", ["id", "source_channel"], None),
    ("ix_follow_ups_lost_reason", "follow_ups", ["done_at", "customer_id", "lost_reason"], LOST),
    (
        "ix_test_drives_slot_cover",
        "test_drives",
        ["slot_start", "status", "store_id", "consultant_id", "customer_id"],
        None,
    ),
    (
        "ix_leads_received_cover",
        "leads",
        ["received_at", "store_id", "due_at", "first_contact_at"],
        None,
    ),
    ("ix_leads_customer_platform", "leads", ["customer_id", "platform"], None),
    (
        "ix_contracts_signed_cover",
        "contracts",
        ["signed_at", "kind", "status", "store_id", "consultant_id", "customer_id", "price"],
        None,
    ),
    (
        "ix_deposits_taken_cover",
        "deposits",
        ["taken_at", "store_id", "taken_by_id", "customer_id", "amount"],
        None,
    ),
)


def upgrade() -> None:
    op.create_table(
        "consultant_targets",
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("metric", sa.String(length=10), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("warning", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "metric IN ('deals', 'amount')", name=op.f("ck_consultant_targets_metric_known")
        ),
        sa.CheckConstraint(
            "target >= 1 AND target <= CASE metric WHEN 'deals' THEN 10000 ELSE 100000000 END",
            name=op.f("ck_consultant_targets_target_range"),
        ),
        sa.CheckConstraint(
            "warning IS NULL OR (warning >= 0 AND warning < target)",
            name=op.f("ck_consultant_targets_warning_below"),
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_consultant_targets_store_id_stores")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_consultant_targets_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["staff.id"], name=op.f("fk_consultant_targets_updated_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultant_targets")),
    )
    op.create_index(
        "uq_consultant_targets_staff_metric",
        "consultant_targets",
        ["staff_id", "metric"],
        unique=True,
    )
    op.create_index("ix_consultant_targets_store_id", "consultant_targets", ["store_id"])
    for name, table, columns, where in INDEXES:
        if where is None:
            op.create_index(name, table, columns)
        else:
            op.create_index(
                name,
                table,
                columns,
                sqlite_where=sa.text(where),
                postgresql_where=sa.text(where),
            )


def downgrade() -> None:
    for name, table, _, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_index("ix_consultant_targets_store_id", table_name="consultant_targets")
    op.drop_index("uq_consultant_targets_staff_metric", table_name="consultant_targets")
    op.drop_table("consultant_targets")
