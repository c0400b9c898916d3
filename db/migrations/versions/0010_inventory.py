"""inventory search and filters over 100,000 cars

``search_text`` is one lower-cased string of what the search box looks in (brand,
model, trim, VIN, plate, stock no.), computed by the database, so a search is
one substring test per car instead of six case-folding LIKEs and no writer can
forget to fill it. ``ix_vehicles_browse`` covers every filter, sort key and the
search text, so counting and paging the matches reads this index only, never
the wide rows (descriptions, configuration lists).

Revision ID: 0010_inventory
Revises: 0009_deposits_contracts
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_inventory"
down_revision: str | None = "0009_deposits_contracts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_TEXT = (
    "lower(brand || ' ' || model || ' ' || \"trim\" || ' ' || coalesce(vin, '') || ' ' "
    "|| coalesce(plate, '') || ' ' || stock_no)"
)
BROWSE_COLUMNS = [
    "deleted_at",
    "status",
    "brand",
    "model",
    "list_price",
    "year",
    "mileage_km",
    "energy",
    "transmission",
    "body_type",
    "colour",
    "search_text",
    "stock_no",
    "listed_at",
    "id",
]


def upgrade() -> None:
    # SQLite can add only a VIRTUAL generated column to an existing table (indexing it
    # stores the values in the index anyway); PostgreSQL before 18 has STORED only.
    stored = op.get_bind().dialect.name != "sqlite"
    op.add_column(
        "vehicles",
        sa.Column(
            "search_text",
            sa.String(240),
            sa.Computed(SEARCH_TEXT, persisted=stored),
            nullable=True,
        ),
    )
    op.create_index("ix_vehicles_browse", "vehicles", BROWSE_COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_vehicles_browse", table_name="vehicles")
    op.drop_column("vehicles", "search_text")
