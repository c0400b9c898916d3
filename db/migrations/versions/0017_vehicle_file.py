"""the car file staff keep: photo categories, evidence, report pages, grants, event calls

- ``vehicle_photos.category`` gains 细节 (detail), 瑕疵 (defect) and 证件 (documents);
  ``other`` goes: a nameplate photo (it shows the VIN) becomes 证件, the rest 细节.
- ``vehicles``: where the car came from (``acquisition``), the third-party report's file
  name and its pages as JPEGs (the kiosk shows those, never the PDF itself).
- maintenance and accident/flood/fire entries keep a document or evidence file.
- ``store_grants``: roles a store lets change prices or car facts beyond the defaults.
- ``registrations.call_reason``: why the desk must phone a customer (promoted from the
  wait-list, the day moved, the day cancelled).

Internal price lines used to repeat the purchase cost (demo data: "收购成本（内部）");
the cost now lives in ``cost_price`` alone, so those copies are removed.

Self-contained for the lead's re-chaining: SQLite gets batch mode where a table must be
rebuilt (a CHECK or a foreign key cannot be altered there); ``vehicles`` is never rebuilt
(its computed search column), its new columns are added in place.

Revision ID: 0017_vehicle_file
Revises: 0016_customer_file
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = "0017_vehicle_file"
down_revision: str | None = "0016_customer_file"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_CATEGORIES = ("exterior", "interior", "engine", "chassis", "other")
NEW_CATEGORIES = ("exterior", "interior", "engine", "chassis", "detail", "defect", "documents")
ACQUISITIONS = ("customer", "trade_in", "auction", "dealer", "other")
ROLES = ("reception", "sales", "appraiser", "manager", "group_manager")
PHOTO_CHECK = "ck_vehicle_photos_photocategory"
ACQUISITION_CHECK = "ck_vehicles_acquisition"


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _photo_categories(new: Sequence[str], remap: str) -> None:
    """Swap the category CHECK: drop it, move the values, add the new one (two rebuilds on
    SQLite, since the rows must move between the two constraints)."""
    with op.batch_alter_table("vehicle_photos") as batch:
        batch.drop_constraint(op.f(PHOTO_CHECK), type_="check")
    op.execute(remap)
    with op.batch_alter_table("vehicle_photos") as batch:
        batch.create_check_constraint(op.f(PHOTO_CHECK), _in("category", new))


def upgrade() -> None:
    op.create_table(
        "store_grants",
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("permission", sa.String(length=40), nullable=False),
        sa.Column(
            "role",
            sa.Enum(*ROLES, name="role", native_enum=False, create_constraint=True, length=24),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_store_grants_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_grants")),
        sa.UniqueConstraint(
            "store_id",
            "permission",
            "role",
            name=op.f("uq_store_grants_store_id_permission_role"),
        ),
    )
    op.create_index(op.f("ix_store_grants_store_id"), "store_grants", ["store_id"])

    # vehicles: added in place (a rebuild would have to recreate the computed search column).
    op.add_column(
        "vehicles",
        sa.Column(
            "third_party_report_name", sa.String(length=120), nullable=False, server_default=""
        ),
    )
    op.add_column(
        "vehicles",
        sa.Column(
            "third_party_report_pages", sa.JSON(), nullable=False, server_default=sa.text("'[]'")
        ),
    )
    if _sqlite():
        # SQLite takes a CHECK only inside the column definition of ADD COLUMN.
        op.execute(
            "ALTER TABLE vehicles ADD COLUMN acquisition VARCHAR(24) "
            f"CONSTRAINT {ACQUISITION_CHECK} CHECK ({_in('acquisition', ACQUISITIONS)})"
        )
    else:
        op.add_column("vehicles", sa.Column("acquisition", sa.String(length=24), nullable=True))
        op.create_check_constraint(
            op.f(ACQUISITION_CHECK), "vehicles", _in("acquisition", ACQUISITIONS)
        )

    with op.batch_alter_table("maintenance_records") as batch:
        batch.add_column(sa.Column("document_sha", sa.String(length=64), nullable=True))
        batch.create_foreign_key(
            op.f("fk_maintenance_records_document_sha_media"),
            "media",
            ["document_sha"],
            ["sha256"],
        )
    with op.batch_alter_table("history_records") as batch:
        batch.add_column(sa.Column("evidence_sha", sa.String(length=64), nullable=True))
        batch.create_foreign_key(
            op.f("fk_history_records_evidence_sha_media"), "media", ["evidence_sha"], ["sha256"]
        )

    op.add_column("registrations", sa.Column("call_reason", sa.String(length=20), nullable=True))

    _photo_categories(
        NEW_CATEGORIES,
        "UPDATE vehicle_photos SET category = CASE WHEN caption LIKE '%铭牌%' "
        "THEN 'documents' ELSE 'detail' END WHERE category = 'other'",
    )
    op.execute(
        "DELETE FROM price_items WHERE public = false AND label = '收购成本（内部）' "
        "AND amount = (SELECT cost_price FROM vehicles WHERE vehicles.id = price_items.vehicle_id)"
    )


def downgrade() -> None:
    _photo_categories(
        OLD_CATEGORIES,
        "UPDATE vehicle_photos SET category = 'other' "
        "WHERE category IN ('detail', 'defect', 'documents')",
    )
    op.drop_column("registrations", "call_reason")
    with op.batch_alter_table("history_records") as batch:
        batch.drop_constraint(op.f("fk_history_records_evidence_sha_media"), type_="foreignkey")
        batch.drop_column("evidence_sha")
    with op.batch_alter_table("maintenance_records") as batch:
        batch.drop_constraint(
            op.f("fk_maintenance_records_document_sha_media"), type_="foreignkey"
        )
        batch.drop_column("document_sha")
    if not _sqlite():
        op.drop_constraint(op.f(ACQUISITION_CHECK), "vehicles", type_="check")
    op.drop_column("vehicles", "acquisition")
    op.drop_column("vehicles", "third_party_report_pages")
    op.drop_column("vehicles", "third_party_report_name")
    op.drop_index(op.f("ix_store_grants_store_id"), table_name="store_grants")
    op.drop_table("store_grants")
