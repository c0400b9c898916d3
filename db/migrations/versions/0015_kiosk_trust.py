"""kiosk trust: a registry of booking codes, and self check-ins for the desk

``booking_codes`` holds every issued test-drive and inspection-day code; its key
makes a code unique across both kinds and all stores (each kind's own table keeps
its unique constraint too). Existing codes are copied in, so they keep working.
``kiosk_arrivals`` records self check-ins at a kiosk for the desk's board.

Revision ID: 0015_kiosk_trust
Revises: 0012_staff_admin
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = "0015_kiosk_trust"
down_revision: str | None = "0012_staff_admin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "booking_codes",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_booking_codes_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_booking_codes")),
    )
    # The codes already given out: copied with their store, so they stay unique and valid.
    op.execute(
        "INSERT INTO booking_codes (code, store_id, kind, created_at) "
        "SELECT booking_code, store_id, 'test_drive', created_at FROM test_drives"
    )
    op.execute(
        "INSERT INTO booking_codes (code, store_id, kind, created_at) "
        "SELECT r.booking_code, e.store_id, 'registration', r.created_at "
        "FROM registrations r JOIN inspection_events e ON e.id = r.event_id"
    )
    op.create_table(
        "kiosk_arrivals",
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("kiosk", sa.String(length=40), nullable=False),
        sa.Column("arrived_at", db.base.UTCDateTime(), nullable=False),
        sa.Column("via", sa.String(length=10), nullable=False),
        sa.Column("phone_tail", sa.String(length=4), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("visit_id", sa.Uuid(), nullable=True),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("handled_at", db.base.UTCDateTime(), nullable=True),
        sa.Column("handled_by_id", sa.Uuid(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", db.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", db.base.UTCDateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_kiosk_arrivals_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["handled_by_id"], ["staff.id"], name=op.f("fk_kiosk_arrivals_handled_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_kiosk_arrivals_store_id_stores")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_kiosk_arrivals_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosk_arrivals")),
    )
    op.create_index("ix_kiosk_arrivals_store_arrived", "kiosk_arrivals", ["store_id", "arrived_at"])
    op.create_index("ix_kiosk_arrivals_kiosk_arrived", "kiosk_arrivals", ["kiosk", "arrived_at"])


def downgrade() -> None:
    op.drop_index("ix_kiosk_arrivals_kiosk_arrived", table_name="kiosk_arrivals")
    op.drop_index("ix_kiosk_arrivals_store_arrived", table_name="kiosk_arrivals")
    op.drop_table("kiosk_arrivals")
    op.drop_table("booking_codes")
