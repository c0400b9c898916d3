"""customer file (客户信息建档), interaction log, leads, tail-number index

The customer gets what staff keep current: a second phone, kind (person or company
with its name), role (buyer, seller, trade-in), preferred brands, payment
preference, and store-defined tags. ``phone_tail`` (the last four digits, computed
by the database) is indexed so the desk finds "尾号 0186" without reading every
number. Interactions record the customer's answer and the next step with its date,
may belong to a lead before it becomes a customer, and know the online-chat channel.
Leads (线索) are enquiries to answer before their response deadline.

Columns are added to ``customers`` with plain ``ALTER TABLE ... ADD COLUMN`` (the
same statement on both databases, CHECKs included) rather than by rebuilding the
table on SQLite: a rebuild would drop triggers other revisions put on it.
``interactions`` is rebuilt in batch mode on SQLite (a column becomes nullable and
its channel CHECK changes); nothing references it.

Revision ID: 0016_customer_file
Revises: 0015_kiosk_trust
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = "0016_customer_file"
down_revision: str | None = "0015_kiosk_trust"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PHONE_TAIL = "substr(phone, length(phone) - 3)"
OLD_CHANNELS = ("in_store", "phone", "wechat", "sms", "other")
NEW_CHANNELS = ("in_store", "phone", "wechat", "sms", "online_chat", "other")
SOURCE_CHANNELS = (
    "walk_in",
    "online_booking",
    "referral",
    "short_video",
    "listing_platform",
    "phone",
    "other",
)

# (column, definition) added to customers; identical SQL on SQLite and PostgreSQL.
CUSTOMER_COLUMNS = (
    ("phone2", "VARCHAR(20)"),
    (
        "kind",
        "VARCHAR(24) DEFAULT 'individual' NOT NULL CONSTRAINT ck_customers_customerkind "
        "CHECK (kind IN ('individual', 'company'))",
    ),
    ("company_name", "VARCHAR(60) DEFAULT '' NOT NULL"),
    (
        "role",
        "VARCHAR(24) DEFAULT 'buyer' NOT NULL CONSTRAINT ck_customers_customerrole "
        "CHECK (role IN ('buyer', 'seller', 'trade_in'))",
    ),
    ("preferred_brands", "VARCHAR(100) DEFAULT '' NOT NULL"),
    (
        "payment_preference",
        "VARCHAR(24) CONSTRAINT ck_customers_paymentpreference "
        "CHECK (payment_preference IN ('full', 'loan'))",
    ),
)


def _enum(values: Sequence[str], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)


def _entity_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column, definition in CUSTOMER_COLUMNS:
        op.execute(f"ALTER TABLE customers ADD COLUMN {column} {definition}")
    # SQLite adds only VIRTUAL generated columns to an existing table; indexed, the
    # values are stored in the index anyway. PostgreSQL (before 18) has STORED only.
    op.add_column(
        "customers",
        sa.Column(
            "phone_tail", sa.String(4), sa.Computed(PHONE_TAIL, persisted=not sqlite), nullable=True
        ),
    )
    op.create_index("ix_customers_phone_tail", "customers", ["phone_tail", "phone"])

    op.create_table(
        "customer_tags",
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_entity_columns(),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_customer_tags_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_tags")),
    )
    op.create_index(
        "uq_customer_tags_store_name", "customer_tags", ["store_id", "name"], unique=True
    )
    op.create_table(
        "customer_tag_links",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        *_entity_columns(),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_tag_links_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"],
            ["customer_tags.id"],
            name=op.f("fk_customer_tag_links_tag_id_customer_tags"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_tag_links")),
    )
    op.create_index(
        "uq_customer_tag_links_customer_tag",
        "customer_tag_links",
        ["customer_id", "tag_id"],
        unique=True,
    )
    op.create_index("ix_customer_tag_links_tag_id", "customer_tag_links", ["tag_id"])

    op.create_table(
        "leads",
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("phone_tail", sa.String(4), sa.Computed(PHONE_TAIL, persisted=True)),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("title", _enum(("mr", "ms", "none"), "title"), nullable=False),
        sa.Column("source_channel", _enum(SOURCE_CHANNELS, "sourcechannel"), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("external_ref", sa.String(length=60), nullable=False),
        sa.Column("vehicle_id", sa.Uuid(), nullable=True),
        sa.Column("vehicle_text", sa.String(length=100), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("received_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_contact_at", db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "status", _enum(("new", "contacted", "visited", "closed"), "leadstatus"), nullable=False
        ),
        sa.Column("closed_reason", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        *_entity_columns(),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_leads_store_id_stores")),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicles.id"], name=op.f("fk_leads_vehicle_id_vehicles")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["staff.id"], name=op.f("fk_leads_owner_id_staff")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_leads_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_leads_created_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
    )
    op.create_index("ix_leads_store_status_due", "leads", ["store_id", "status", "due_at"])
    op.create_index("ix_leads_phone", "leads", ["phone"])
    op.create_index("ix_leads_phone_tail", "leads", ["phone_tail", "phone"])
    op.create_index("ix_leads_customer_id", "leads", ["customer_id"])
    op.create_index(
        "uq_leads_phone_open",
        "leads",
        ["phone"],
        unique=True,
        sqlite_where=sa.text("status IN ('new', 'contacted')"),
        postgresql_where=sa.text("status IN ('new', 'contacted')"),
    )
    op.create_index(
        "uq_leads_platform_ref",
        "leads",
        ["platform", "external_ref"],
        unique=True,
        sqlite_where=sa.text("external_ref <> ''"),
        postgresql_where=sa.text("external_ref <> ''"),
    )

    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lead_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("response", sa.Text(), nullable=False, server_default=sa.text("''"))
        )
        batch_op.add_column(
            sa.Column("next_step", sa.String(200), nullable=False, server_default=sa.text("''"))
        )
        batch_op.add_column(sa.Column("next_on", sa.Date(), nullable=True))
        batch_op.alter_column("customer_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.drop_constraint(op.f("ck_interactions_interactionchannel"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_interactions_interactionchannel"),
            "channel IN (" + ", ".join(f"'{c}'" for c in NEW_CHANNELS) + ")",
        )
        batch_op.create_check_constraint(
            op.f("ck_interactions_has_subject"), "customer_id IS NOT NULL OR lead_id IS NOT NULL"
        )
        batch_op.create_foreign_key(
            op.f("fk_interactions_lead_id_leads"), "leads", ["lead_id"], ["id"]
        )
        batch_op.create_index("ix_interactions_lead_id", ["lead_id"])
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.alter_column("response", server_default=None)
        batch_op.alter_column("next_step", server_default=None)


def downgrade() -> None:
    # Contacts made with leads that never became customers have nobody to belong to
    # in the older schema; they go with the leads.
    op.execute("DELETE FROM interactions WHERE customer_id IS NULL")
    op.execute(
        "UPDATE interactions SET channel = 'other' WHERE channel NOT IN ("
        + ", ".join(f"'{c}'" for c in OLD_CHANNELS)
        + ")"
    )
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_interactions_lead_id")
        batch_op.drop_constraint(op.f("fk_interactions_lead_id_leads"), type_="foreignkey")
        batch_op.drop_constraint(op.f("ck_interactions_has_subject"), type_="check")
        batch_op.drop_constraint(op.f("ck_interactions_interactionchannel"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_interactions_interactionchannel"),
            "channel IN (" + ", ".join(f"'{c}'" for c in OLD_CHANNELS) + ")",
        )
        batch_op.alter_column("customer_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("next_on")
        batch_op.drop_column("next_step")
        batch_op.drop_column("response")
        batch_op.drop_column("lead_id")

    op.drop_index("uq_leads_platform_ref", table_name="leads")
    op.drop_index("uq_leads_phone_open", table_name="leads")
    op.drop_index("ix_leads_customer_id", table_name="leads")
    op.drop_index("ix_leads_phone_tail", table_name="leads")
    op.drop_index("ix_leads_phone", table_name="leads")
    op.drop_index("ix_leads_store_status_due", table_name="leads")
    op.drop_table("leads")
    op.drop_index("ix_customer_tag_links_tag_id", table_name="customer_tag_links")
    op.drop_index("uq_customer_tag_links_customer_tag", table_name="customer_tag_links")
    op.drop_table("customer_tag_links")
    op.drop_index("uq_customer_tags_store_name", table_name="customer_tags")
    op.drop_table("customer_tags")

    op.drop_index("ix_customers_phone_tail", table_name="customers")
    op.execute("ALTER TABLE customers DROP COLUMN phone_tail")
    for column, _definition in reversed(CUSTOMER_COLUMNS):
        op.execute(f"ALTER TABLE customers DROP COLUMN {column}")  # its own CHECK goes with it
