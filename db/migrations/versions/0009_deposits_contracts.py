"""deposits and contracts: one signed sale contract per car, in the database too

The deposit's partial unique index (one active deposit per car) is in the
initial schema; this adds the same last line for contracts, so two desks
signing the same car cannot both succeed.

Revision ID: 0009_deposits_contracts
Revises: 0008_inspection_day
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_deposits_contracts"
down_revision: str | None = "0008_inspection_day"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SIGNED_SALE = sa.text("status = 'signed' AND kind = 'sale'")


def upgrade() -> None:
    op.create_index(
        "uq_contracts_vehicle_signed",
        "contracts",
        ["vehicle_id"],
        unique=True,
        sqlite_where=_SIGNED_SALE,
        postgresql_where=_SIGNED_SALE,
    )


def downgrade() -> None:
    op.drop_index("uq_contracts_vehicle_signed", table_name="contracts")
