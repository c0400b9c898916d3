"""inspection day: seat limit in the database, bays, revisions' weights, store checklists

Seats are never over-given even by two PCs at once: the service locks the
event row (PostgreSQL) or holds the write lock (SQLite), and a trigger refuses
any registration whose seat number is above the event's seats; with the
unique (event, seat) index an over-seat cannot be stored at all.

Revision ID: 0008_inspection_day
Revises: 0005_one_drive_out
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_inspection_day"
down_revision: str | None = "0005_one_drive_out"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION registrations_seat_within_event() RETURNS trigger AS $$
BEGIN
    IF NEW.seat_no IS NOT NULL AND NEW.seat_no > (
        SELECT seats FROM inspection_events WHERE id = NEW.event_id
    ) THEN
        RAISE EXCEPTION 'seat % is above the seats of inspection event %',
            NEW.seat_no, NEW.event_id USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""
_SQLITE_CHECK = (
    "SELECT RAISE(ABORT, 'seat is above the seats of the inspection event') "
    "WHERE NEW.seat_no IS NOT NULL AND NEW.seat_no > "
    "(SELECT seats FROM inspection_events WHERE id = NEW.event_id);"
)


def upgrade() -> None:
    import db.base

    with op.batch_alter_table("inspection_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("series_id", sa.Uuid(), nullable=True))
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bay", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("promoted_at", db.base.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("section_weights", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("comparables", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("structural_evidence", sa.Text(), nullable=False, server_default="")
        )
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.alter_column("structural_evidence", server_default=None)
    with op.batch_alter_table("inspection_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("required", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("inspection_items", schema=None) as batch_op:
        batch_op.alter_column("required", server_default=None)
    op.create_table(
        "inspection_checklists",
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_inspection_checklists_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_checklists")),
        sa.UniqueConstraint("store_id", name=op.f("uq_inspection_checklists_store_id")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER trg_registrations_seat_within_event "
            "BEFORE INSERT OR UPDATE OF seat_no, event_id ON registrations "
            "FOR EACH ROW EXECUTE FUNCTION registrations_seat_within_event()"
        )
    else:
        op.execute(
            "CREATE TRIGGER trg_registrations_seat_insert BEFORE INSERT ON registrations "
            f"BEGIN {_SQLITE_CHECK} END"
        )
        op.execute(
            "CREATE TRIGGER trg_registrations_seat_update BEFORE UPDATE OF seat_no, event_id "
            f"ON registrations BEGIN {_SQLITE_CHECK} END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DROP TRIGGER IF EXISTS trg_registrations_seat_within_event ON registrations"
        )
        op.execute("DROP FUNCTION IF EXISTS registrations_seat_within_event()")
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_registrations_seat_insert")
        op.execute("DROP TRIGGER IF EXISTS trg_registrations_seat_update")
    op.drop_table("inspection_checklists")
    with op.batch_alter_table("inspection_items", schema=None) as batch_op:
        batch_op.drop_column("required")
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_column("structural_evidence")
        batch_op.drop_column("comparables")
        batch_op.drop_column("section_weights")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_column("promoted_at")
        batch_op.drop_column("bay")
    with op.batch_alter_table("inspection_events", schema=None) as batch_op:
        batch_op.drop_column("series_id")
