"""maintenance by mileage, and the cadence of leads without a customer record

- ``mileage_readings``: what a sold car's odometer said on a day (a call, a visit),
  for the maintenance reminder by kilometres (``showroom.services.mileage``). A
  reading is of the car, not of a person (no customer column: nothing to move on a
  merge, nothing personal to erase). CHECKs: kilometres within 0..2,000,000, a known
  source. A trigger on both databases refuses a reading below an earlier one of the
  same car (or above a later one), or below the car's odometer when it was sold.
- ``maintenance_intervals``: per store, the months and kilometres between services
  (default 6 months / 5,000 km in the service when a store has no row); CHECKs keep
  them within sensible limits.
- ``leads.intent_grade``, ``next_contact_on``, ``next_contact_reason``: a lead that
  was contacted but has no customer record yet gets its next call from the store's
  cadence (回访节奏) by the grade chosen at the call. ``leads.lost_reason``: a lead
  closed as lost names a reason from the store's list (战败原因).

``leads`` has 0018's triggers: its columns are added in place (no table copy) and
their rules are CHECK constraints on PostgreSQL and trigger pairs of the same names
on SQLite, as 0019 did for ``follow_ups.satisfaction``:

- ``ck_leads_intent_grade_known``: A, B, C or D;
- ``ck_leads_next_contact_open``: only a contacted lead without a customer record
  has a next contact (a linked lead's calls are the customer's: no double entries);
- ``ck_leads_next_contact_reason``: a next contact says why, and only then;
- ``ck_leads_lost_reason_closed``: only a closed lead names a lost reason.

Revision ID: 0021_mileage_and_lead_cadence
Revises: 0020_after_sales
Create Date: 2026-12-04
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = "0021_mileage_and_lead_cadence"
down_revision: str | None = "0020_after_sales"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MAX_KM = 2_000_000
SOURCES = ("call", "visit", "other")
BACKWARDS = "mileage_backwards"  # the word both databases raise

# The same texts as the CheckConstraints of ``db.models.leads.Lead``.
LEAD_CHECKS = {
    "ck_leads_intent_grade_known": "intent_grade IS NULL OR intent_grade IN ('A', 'B', 'C', 'D')",
    "ck_leads_next_contact_open": (
        "next_contact_on IS NULL OR (status = 'contacted' AND customer_id IS NULL)"
    ),
    "ck_leads_next_contact_reason": (
        "(next_contact_on IS NULL) = (next_contact_reason IS NULL)"
    ),
    "ck_leads_lost_reason_closed": "lost_reason IS NULL OR status = 'closed'",
}
_LEAD_COLUMNS = ("lost_reason", "next_contact_reason", "next_contact_on", "intent_grade")
_ROW_WORD = re.compile(
    r"\b(intent_grade|next_contact_on|next_contact_reason|lost_reason|status|customer_id)\b"
)
_QUOTED = re.compile(r"('[^']*')")


def _new_row(sql: str) -> str:
    """``sql`` with each column name prefixed ``NEW.`` (string literals left alone), as
    0018 writes its CHECKs as SQLite triggers."""
    parts = _QUOTED.split(sql)
    return "".join(p if p.startswith("'") else _ROW_WORD.sub(r"NEW.\1", p) for p in parts)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _entity_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
    ]


# A reading out of order with the car's others, or below its odometer when sold.
_OUT_OF_ORDER = (
    "EXISTS (SELECT 1 FROM mileage_readings r WHERE r.vehicle_id = NEW.vehicle_id "
    "AND r.id <> NEW.id AND ((r.read_on <= NEW.read_on AND r.mileage_km > NEW.mileage_km) "
    "OR (r.read_on >= NEW.read_on AND r.mileage_km < NEW.mileage_km))) "
    "OR NEW.mileage_km < (SELECT v.mileage_km FROM vehicles v WHERE v.id = NEW.vehicle_id)"
)


def _mileage_readings() -> None:
    op.create_table(
        "mileage_readings",
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("vehicle_id", sa.Uuid(), nullable=False),
        sa.Column("read_on", sa.Date(), nullable=False),
        sa.Column("mileage_km", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=100), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        *_entity_columns(),
        sa.CheckConstraint(
            f"mileage_km >= 0 AND mileage_km <= {MAX_KM}",
            name=op.f("ck_mileage_readings_km_range"),
        ),
        sa.CheckConstraint(
            "source IN ('call', 'visit', 'other')", name=op.f("ck_mileage_readings_source_known")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_mileage_readings_store_id_stores")
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicles.id"], name=op.f("fk_mileage_readings_vehicle_id_vehicles")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["staff.id"], name=op.f("fk_mileage_readings_recorded_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mileage_readings")),
    )
    op.create_index(
        "ix_mileage_readings_vehicle_read", "mileage_readings", ["vehicle_id", "read_on"]
    )
    if _sqlite():
        when = (
            f"WHEN {_OUT_OF_ORDER} BEGIN SELECT RAISE(ABORT, "
            f"'{BACKWARDS}: a reading below an earlier one of the car'); END"
        )
        op.execute(
            "CREATE TRIGGER trg_mileage_readings_forward_insert "
            f"BEFORE INSERT ON mileage_readings {when}"
        )
        op.execute(
            "CREATE TRIGGER trg_mileage_readings_forward_update "
            f"BEFORE UPDATE OF mileage_km, read_on, vehicle_id ON mileage_readings {when}"
        )
    else:
        op.execute(
            "CREATE FUNCTION mileage_readings_forward() RETURNS trigger AS $$ BEGIN "
            f"IF {_OUT_OF_ORDER} THEN "
            f"RAISE EXCEPTION '{BACKWARDS}: reading % km of car % is below an earlier one', "
            "NEW.mileage_km, NEW.vehicle_id USING ERRCODE = '23514'; END IF; "
            "RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER trg_mileage_readings_forward BEFORE INSERT OR UPDATE OF "
            "mileage_km, read_on, vehicle_id ON mileage_readings FOR EACH ROW "
            "EXECUTE FUNCTION mileage_readings_forward()"
        )


def _maintenance_intervals() -> None:
    op.create_table(
        "maintenance_intervals",
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("km", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        *_entity_columns(),
        sa.CheckConstraint(
            "months >= 1 AND months <= 24", name=op.f("ck_maintenance_intervals_months_range")
        ),
        sa.CheckConstraint(
            "km >= 1000 AND km <= 50000", name=op.f("ck_maintenance_intervals_km_range")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_maintenance_intervals_store_id_stores")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["staff.id"],
            name=op.f("fk_maintenance_intervals_updated_by_id_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_intervals")),
    )
    op.create_index(
        "uq_maintenance_intervals_store", "maintenance_intervals", ["store_id"], unique=True
    )


def _lead_columns() -> None:
    op.add_column("leads", sa.Column("intent_grade", sa.String(length=1), nullable=True))
    op.add_column("leads", sa.Column("next_contact_on", sa.Date(), nullable=True))
    op.add_column("leads", sa.Column("next_contact_reason", sa.String(length=20), nullable=True))
    op.add_column("leads", sa.Column("lost_reason", sa.String(length=40), nullable=True))
    op.create_index(
        "ix_leads_store_next_contact",
        "leads",
        ["store_id", "next_contact_on"],
        sqlite_where=sa.text("next_contact_on IS NOT NULL"),
        postgresql_where=sa.text("next_contact_on IS NOT NULL"),
    )
    for name, sql in LEAD_CHECKS.items():
        if _sqlite():
            new_sql = _new_row(sql)
            for verb in ("INSERT", "UPDATE"):
                op.execute(
                    f"CREATE TRIGGER {name}_{verb.lower()} BEFORE {verb} ON leads "
                    f"WHEN NOT ({new_sql}) BEGIN "
                    f"SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
                )
        else:
            op.execute(f"ALTER TABLE leads ADD CONSTRAINT {name} CHECK ({sql})")


def upgrade() -> None:
    _mileage_readings()
    _maintenance_intervals()
    _lead_columns()


def downgrade() -> None:
    for name in LEAD_CHECKS:
        if _sqlite():
            for verb in ("insert", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {name}_{verb}")
        else:
            op.execute(f"ALTER TABLE leads DROP CONSTRAINT IF EXISTS {name}")
    op.drop_index("ix_leads_store_next_contact", table_name="leads")
    for column in _LEAD_COLUMNS:
        if _sqlite():
            # Native DROP COLUMN (SQLite 3.35+): a table copy is refused under 0018's triggers.
            op.execute(f"ALTER TABLE leads DROP COLUMN {column}")
        else:
            op.drop_column("leads", column)
    op.drop_index("uq_maintenance_intervals_store", table_name="maintenance_intervals")
    op.drop_table("maintenance_intervals")
    if _sqlite():
        for verb in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS trg_mileage_readings_forward_{verb}")
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_mileage_readings_forward ON mileage_readings")
        op.execute("DROP FUNCTION IF EXISTS mileage_readings_forward()")
    op.drop_index("ix_mileage_readings_vehicle_read", table_name="mileage_readings")
    op.drop_table("mileage_readings")
