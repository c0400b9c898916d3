"""after the sale: 7-day returns (退车) and complaints (投诉)

- ``contracts.returned_at``: a signed sale unwound by a return keeps its status
  (signed, with its number and papers) and says when the car came back. The
  partial unique index "one signed sale per car" now leaves such a contract out,
  so the car can be sold again (the index is dropped and created again, no table
  is copied).
- ``vehicle_returns``: one per contract (unique key); the refund equals the price
  less the deductions and is never negative (CHECKs), mileage at return never
  below the mileage sold.
- ``complaints``: topic, owner, response deadline after receipt, a resolved one
  says how and when, satisfaction 1..5.
- ``warranty_claims``: engine or gearbox claims against a sold car, with where
  they stood against the warranty when opened; a decided claim says why and when,
  a covered one must be within the terms, costs never negative.
- ``vehicle_purchases`` (收车): a numbered purchase agreement from a finished
  inspection; one signed purchase per inspection report (partial unique index on
  ``report_no``) and one per car, so two desks signing at once make one car.

Both new tables hold rows of one customer: they get the "live customer" trigger
of 0018 (no row added or moved under a merged or erased customer).

Only new tables, one nullable column and an index: no existing table is rebuilt
(0018's triggers stay as they are).

Revision ID: 0020_after_sales
Revises: 0019_follow_up_cadence
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = "0020_after_sales"
down_revision: str | None = "0019_follow_up_cadence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

METHODS = ("cash", "wechat", "alipay", "bank_card", "transfer")
OLD_SIGNED = "status = 'signed' AND kind = 'sale'"
NEW_SIGNED = "status = 'signed' AND kind = 'sale' AND returned_at IS NULL"
NEW_CUSTOMER_TABLES = ("vehicle_returns", "complaints", "warranty_claims", "vehicle_purchases")
RETIRED = "customer_retired"  # the word 0018's triggers raise


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _entity_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
    ]


def _signed_index(where: str) -> None:
    op.create_index(
        "uq_contracts_vehicle_signed",
        "contracts",
        ["vehicle_id"],
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def _live_customer_triggers() -> None:
    for table in NEW_CUSTOMER_TABLES:
        if _sqlite():
            when = (
                "WHEN (SELECT deleted_at FROM customers WHERE id = NEW.customer_id) IS NOT NULL "
                f"BEGIN SELECT RAISE(ABORT, '{RETIRED}: the customer was merged or erased'); END"
            )
            op.execute(
                f"CREATE TRIGGER trg_{table}_live_customer_insert BEFORE INSERT ON {table} {when}"
            )
            op.execute(
                f"CREATE TRIGGER trg_{table}_live_customer_update "
                f"BEFORE UPDATE OF customer_id ON {table} {when}"
            )
        else:
            op.execute(
                f"CREATE TRIGGER trg_{table}_live_customer "
                f"BEFORE INSERT OR UPDATE OF customer_id ON {table} FOR EACH ROW "
                "EXECUTE FUNCTION customers_refuse_retired_owner()"
            )


def upgrade() -> None:
    op.add_column(
        "contracts",
        sa.Column("returned_at", db.base.UTCDateTime(timezone=True), nullable=True),
    )
    op.drop_index("uq_contracts_vehicle_signed", table_name="contracts")
    _signed_index(NEW_SIGNED)

    op.create_table(
        "vehicle_returns",
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("return_no", sa.String(length=24), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("vehicle_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("deposit_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("condition", sa.Text(), nullable=False),
        sa.Column("sale_mileage_km", sa.Integer(), nullable=False),
        sa.Column("mileage_km", sa.Integer(), nullable=False),
        sa.Column("price", db.base.Money(), nullable=False),
        sa.Column("deductions", sa.JSON(), nullable=False),
        sa.Column("deductions_total", db.base.Money(), nullable=False),
        sa.Column("refund", db.base.Money(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                *METHODS,
                name="paymentmethod",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("payment_ref", sa.String(length=60), nullable=False),
        sa.Column("returned_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("approved_by_id", sa.Uuid(), nullable=True),
        *_entity_columns(),
        sa.CheckConstraint(
            "deductions_total >= 0", name=op.f("ck_vehicle_returns_deductions_not_negative")
        ),
        sa.CheckConstraint("refund >= 0", name=op.f("ck_vehicle_returns_refund_not_negative")),
        sa.CheckConstraint(
            "refund = price - deductions_total", name=op.f("ck_vehicle_returns_refund_adds_up")
        ),
        sa.CheckConstraint(
            "mileage_km >= sale_mileage_km",
            name=op.f("ck_vehicle_returns_mileage_not_below_sale"),
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_vehicle_returns_store_id_stores")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_vehicle_returns_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicles.id"], name=op.f("fk_vehicle_returns_vehicle_id_vehicles")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_vehicle_returns_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["deposit_id"], ["deposits.id"], name=op.f("fk_vehicle_returns_deposit_id_deposits")
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["staff.id"],
            name=op.f("fk_vehicle_returns_approved_by_id_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicle_returns")),
        sa.UniqueConstraint("return_no", name=op.f("uq_vehicle_returns_return_no")),
        sa.UniqueConstraint("contract_id", name=op.f("uq_vehicle_returns_contract_id")),
    )
    op.create_index(
        op.f("ix_vehicle_returns_vehicle_id"), "vehicle_returns", ["vehicle_id"], unique=False
    )
    op.create_index(
        op.f("ix_vehicle_returns_customer_id"), "vehicle_returns", ["customer_id"], unique=False
    )

    op.create_table(
        "complaints",
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("complaint_no", sa.String(length=24), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.String(length=20), nullable=False),
        sa.Column("vehicle_id", sa.Uuid(), nullable=True),
        sa.Column("contract_id", sa.Uuid(), nullable=True),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("received_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("resolved_at", db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Uuid(), nullable=True),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        *_entity_columns(),
        sa.CheckConstraint(
            "topic IN ('car', 'staff', 'paperwork', 'price', 'service', 'other')",
            name=op.f("ck_complaints_topic"),
        ),
        sa.CheckConstraint("status IN ('open', 'resolved')", name=op.f("ck_complaints_status")),
        sa.CheckConstraint("due_at > received_at", name=op.f("ck_complaints_due_after_received")),
        sa.CheckConstraint(
            "status <> 'resolved' OR (resolved_at IS NOT NULL AND resolution <> '')",
            name=op.f("ck_complaints_resolved_complete"),
        ),
        sa.CheckConstraint(
            "satisfaction IS NULL OR (satisfaction >= 1 AND satisfaction <= 5)",
            name=op.f("ck_complaints_satisfaction_range"),
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_complaints_store_id_stores")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_complaints_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicles.id"], name=op.f("fk_complaints_vehicle_id_vehicles")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_complaints_contract_id_contracts")
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_complaints_staff_id_staff")),
        sa.ForeignKeyConstraint(["owner_id"], ["staff.id"], name=op.f("fk_complaints_owner_id_staff")),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["staff.id"], name=op.f("fk_complaints_resolved_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("complaint_no", name=op.f("uq_complaints_complaint_no")),
    )
    op.create_index(op.f("ix_complaints_store_id"), "complaints", ["store_id"], unique=False)
    op.create_index(op.f("ix_complaints_customer_id"), "complaints", ["customer_id"], unique=False)
    op.create_table(
        "warranty_claims",
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("claim_no", sa.String(length=24), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("vehicle_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("part", sa.String(length=20), nullable=False),
        sa.Column("symptom", sa.Text(), nullable=False),
        sa.Column("reported_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sale_mileage_km", sa.Integer(), nullable=False),
        sa.Column("mileage_km", sa.Integer(), nullable=False),
        sa.Column("days_since_delivery", sa.Integer(), nullable=False),
        sa.Column("within_terms", sa.Boolean(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("diagnosis", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("cost", db.base.Money(), nullable=False),
        sa.Column("customer_cost", db.base.Money(), nullable=False),
        sa.Column("decided_at", db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("opened_by_id", sa.Uuid(), nullable=True),
        *_entity_columns(),
        sa.CheckConstraint("part IN ('engine', 'gearbox')", name=op.f("ck_warranty_claims_part")),
        sa.CheckConstraint(
            "decision IN ('pending', 'covered', 'not_covered')",
            name=op.f("ck_warranty_claims_decision"),
        ),
        sa.CheckConstraint("cost >= 0", name=op.f("ck_warranty_claims_cost_not_negative")),
        sa.CheckConstraint(
            "customer_cost >= 0", name=op.f("ck_warranty_claims_customer_cost_not_negative")
        ),
        sa.CheckConstraint(
            "mileage_km >= sale_mileage_km",
            name=op.f("ck_warranty_claims_mileage_not_below_sale"),
        ),
        sa.CheckConstraint(
            "decision = 'pending' OR (decided_at IS NOT NULL AND decision_reason <> '')",
            name=op.f("ck_warranty_claims_decided_complete"),
        ),
        sa.CheckConstraint(
            "decision <> 'covered' OR within_terms",
            name=op.f("ck_warranty_claims_covered_within_terms"),
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_warranty_claims_store_id_stores")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_warranty_claims_contract_id_contracts"),
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicles.id"], name=op.f("fk_warranty_claims_vehicle_id_vehicles")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_warranty_claims_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["staff.id"], name=op.f("fk_warranty_claims_decided_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["staff.id"], name=op.f("fk_warranty_claims_opened_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warranty_claims")),
        sa.UniqueConstraint("claim_no", name=op.f("uq_warranty_claims_claim_no")),
    )
    for column in ("store_id", "contract_id", "vehicle_id", "customer_id"):
        op.create_index(
            op.f(f"ix_warranty_claims_{column}"), "warranty_claims", [column], unique=False
        )
    op.create_table(
        "vehicle_purchases",
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("purchase_no", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("inspection_id", sa.Uuid(), nullable=False),
        sa.Column("report_no", sa.String(length=24), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("consultant_id", sa.Uuid(), nullable=True),
        sa.Column("price", db.base.Money(), nullable=False),
        sa.Column("seller_id_number", sa.String(length=18), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                *METHODS,
                name="paymentmethod",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("payment_ref", sa.String(length=60), nullable=False),
        sa.Column("keys", sa.Integer(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("statements", sa.JSON(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("vehicle_id", sa.Uuid(), nullable=True),
        sa.Column("signed_at", db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("voided_at", db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("credited_contract_id", sa.Uuid(), nullable=True),
        *_entity_columns(),
        sa.CheckConstraint(
            "status IN ('draft', 'signed', 'void')", name=op.f("ck_vehicle_purchases_status")
        ),
        sa.CheckConstraint("price > 0", name=op.f("ck_vehicle_purchases_price_positive")),
        sa.CheckConstraint(
            "keys >= 1 AND keys <= 9", name=op.f("ck_vehicle_purchases_keys_range")
        ),
        sa.CheckConstraint(
            "status <> 'signed' OR (vehicle_id IS NOT NULL AND signed_at IS NOT NULL)",
            name=op.f("ck_vehicle_purchases_signed_complete"),
        ),
        sa.CheckConstraint(
            "status <> 'void' OR voided_at IS NOT NULL",
            name=op.f("ck_vehicle_purchases_void_has_time"),
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_vehicle_purchases_store_id_stores")
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_vehicle_purchases_inspection_id_inspections"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_vehicle_purchases_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["consultant_id"],
            ["staff.id"],
            name=op.f("fk_vehicle_purchases_consultant_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicles.id"], name=op.f("fk_vehicle_purchases_vehicle_id_vehicles")
        ),
        sa.ForeignKeyConstraint(
            ["credited_contract_id"],
            ["contracts.id"],
            name=op.f("fk_vehicle_purchases_credited_contract_id_contracts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicle_purchases")),
        sa.UniqueConstraint("purchase_no", name=op.f("uq_vehicle_purchases_purchase_no")),
        sa.UniqueConstraint("vehicle_id", name=op.f("uq_vehicle_purchases_vehicle_id")),
    )
    for column in ("store_id", "inspection_id", "customer_id"):
        op.create_index(
            op.f(f"ix_vehicle_purchases_{column}"), "vehicle_purchases", [column], unique=False
        )
    op.create_index(
        "uq_vehicle_purchases_report_signed",
        "vehicle_purchases",
        ["report_no"],
        unique=True,
        sqlite_where=sa.text("status = 'signed'"),
        postgresql_where=sa.text("status = 'signed'"),
    )
    _live_customer_triggers()


def downgrade() -> None:
    for table in NEW_CUSTOMER_TABLES:
        if _sqlite():
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_live_customer_insert")
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_live_customer_update")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_live_customer ON {table}")
    op.drop_index("uq_vehicle_purchases_report_signed", table_name="vehicle_purchases")
    for column in ("store_id", "inspection_id", "customer_id"):
        op.drop_index(op.f(f"ix_vehicle_purchases_{column}"), table_name="vehicle_purchases")
    op.drop_table("vehicle_purchases")
    for column in ("store_id", "contract_id", "vehicle_id", "customer_id"):
        op.drop_index(op.f(f"ix_warranty_claims_{column}"), table_name="warranty_claims")
    op.drop_table("warranty_claims")
    op.drop_index(op.f("ix_complaints_customer_id"), table_name="complaints")
    op.drop_index(op.f("ix_complaints_store_id"), table_name="complaints")
    op.drop_table("complaints")
    op.drop_index(op.f("ix_vehicle_returns_customer_id"), table_name="vehicle_returns")
    op.drop_index(op.f("ix_vehicle_returns_vehicle_id"), table_name="vehicle_returns")
    op.drop_table("vehicle_returns")
    op.drop_index("uq_contracts_vehicle_signed", table_name="contracts")
    _signed_index(OLD_SIGNED)
    if _sqlite():
        # Native DROP COLUMN (SQLite 3.35+): a table copy is refused while rows point here.
        op.execute("ALTER TABLE contracts DROP COLUMN returned_at")
    else:
        op.drop_column("contracts", "returned_at")
