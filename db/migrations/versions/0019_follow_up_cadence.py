"""follow-up cadence by intent grade (回访节奏)

- ``follow_up_cadences``: per store and grade, the days to the first follow-up and the
  days between the next ones (store-editable; a grade without a row uses the defaults
  in ``showroom.services.cadence``). Store settings, not a customer's data: no
  live-customer trigger, nothing to erase.
- ``follow_ups.cadence_grade``: the grade whose rule planned the follow-up. Added in
  place (no table copy: migration 0018 put triggers on ``follow_ups``).
- ``follow_ups.answered``: False when the customer did not pick up or reply (two in a
  row is a churn signal, ``showroom.services.churn``); None for rows logged before.
- ``lost_reasons``: the store's list of why deals are lost (战败原因), editable; the
  reason chosen is kept as text on ``visits.lost_reason`` / ``follow_ups.lost_reason``
  so a later edit of the list never rewrites history.
- ``follow_ups.satisfaction`` (1-5) and ``satisfaction_comment`` on after-sale calls; the
  range is a CHECK on PostgreSQL and a trigger pair on SQLite (no table copy).
- ``referrals``: who referred whom (老带新) and the reward promised or paid (an amount
  in fen or a gift). Both ends are customers: a trigger refuses either end being a
  merged or erased customer, like 0018's live-customer triggers; one referrer per
  customer (unique ``referred_id``); nobody refers themselves.
- ``reminder_log``: buyer reminders (3 days ... 12 months after the sale, maintenance,
  annual inspection, insurance, birthday) are computed from the contracts and the car's
  file; this keeps which were sent or skipped, once per customer, kind and date (a
  unique index), with the message as sent. Live-customer triggers as 0018's.
- ``dashboard_targets``: per store and metric, the manager's target and warning level
  (counts per month, rates in whole percent); the dashboard colours its cards by them.
- ``uq_follow_ups_customer_open_cadence``: one open cadence follow-up per customer, so
  two desks ending a visit and a test drive at once cannot stack two reminders.

Revision ID: 0019_follow_up_cadence
Revises: 0018_integrity
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = "0019_follow_up_cadence"
down_revision: str | None = "0018_integrity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GRADES = ("A", "B", "C", "D")
OPEN_CADENCE = "status = 'open' AND cadence_grade IS NOT NULL"
SATISFACTION = "ck_follow_ups_satisfaction_range"
SATISFACTION_SQL = "satisfaction IS NULL OR (satisfaction >= 1 AND satisfaction <= 5)"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    op.create_table(
        "follow_up_cadences",
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column(
            "grade",
            sa.Enum(
                *GRADES, name="intentgrade", native_enum=False, create_constraint=True, length=24
            ),
            nullable=False,
        ),
        sa.Column("first_days", sa.Integer(), nullable=True),
        sa.Column("repeat_days", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "first_days IS NULL OR (first_days >= 1 AND first_days <= 365)",
            name=op.f("ck_follow_up_cadences_first_range"),
        ),
        sa.CheckConstraint(
            "repeat_days IS NULL OR (repeat_days >= 1 AND repeat_days <= 365)",
            name=op.f("ck_follow_up_cadences_repeat_range"),
        ),
        sa.CheckConstraint(
            "first_days IS NOT NULL OR repeat_days IS NULL",
            name=op.f("ck_follow_up_cadences_repeat_needs_first"),
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_follow_up_cadences_store_id_stores")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["staff.id"], name=op.f("fk_follow_up_cadences_updated_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_cadences")),
    )
    op.create_index(
        "uq_follow_up_cadences_store_grade",
        "follow_up_cadences",
        ["store_id", "grade"],
        unique=True,
    )
    op.add_column("follow_ups", sa.Column("cadence_grade", sa.String(length=1), nullable=True))
    op.add_column("follow_ups", sa.Column("answered", sa.Boolean(), nullable=True))
    op.create_index(
        "uq_follow_ups_customer_open_cadence",
        "follow_ups",
        ["customer_id"],
        unique=True,
        sqlite_where=sa.text(OPEN_CADENCE),
        postgresql_where=sa.text(OPEN_CADENCE),
    )

    op.create_table(
        "lost_reasons",
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint("length(trim(label)) > 0", name=op.f("ck_lost_reasons_label_present")),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_lost_reasons_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lost_reasons")),
    )
    op.create_index(
        "uq_lost_reasons_store_label", "lost_reasons", ["store_id", "label"], unique=True
    )
    op.add_column("follow_ups", sa.Column("lost_reason", sa.String(length=40), nullable=True))
    op.add_column("follow_ups", sa.Column("satisfaction", sa.Integer(), nullable=True))
    op.add_column(
        "follow_ups", sa.Column("satisfaction_comment", sa.String(length=500), nullable=True)
    )
    op.add_column("visits", sa.Column("lost_reason", sa.String(length=40), nullable=True))
    if _sqlite():
        for verb in ("INSERT", "UPDATE"):
            op.execute(
                f"CREATE TRIGGER {SATISFACTION}_{verb.lower()} BEFORE {verb} ON follow_ups "
                "WHEN NOT (NEW.satisfaction IS NULL OR (NEW.satisfaction >= 1 "
                "AND NEW.satisfaction <= 5)) BEGIN "
                f"SELECT RAISE(ABORT, 'CHECK constraint failed: {SATISFACTION}'); END"
            )
    else:
        op.execute(
            f"ALTER TABLE follow_ups ADD CONSTRAINT {SATISFACTION} CHECK ({SATISFACTION_SQL})"
        )
    _referrals()
    _reminder_log()
    _dashboard_targets()


REFERRAL_CHECKS = {
    "not_self": "referrer_id <> referred_id",
    "reward_shape": (
        "(reward_kind = 'amount' AND reward_amount IS NOT NULL AND reward_amount > 0 "
        "AND reward_gift = '') "
        "OR (reward_kind = 'gift' AND reward_amount IS NULL AND length(trim(reward_gift)) > 0) "
        "OR (reward_kind = 'none' AND reward_amount IS NULL AND reward_gift = '')"
    ),
    "status_matches": (
        "(reward_kind = 'none' AND reward_status = 'none') "
        "OR (reward_kind <> 'none' AND reward_status IN ('promised', 'paid'))"
    ),
    "paid_has_time": "(reward_status = 'paid') = (paid_at IS NOT NULL)",
}
RETIRED = "customer_retired"  # 0018's word for a row under a retired customer


def _referrals() -> None:
    op.create_table(
        "referrals",
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("referrer_id", sa.Uuid(), nullable=False),
        sa.Column("referred_id", sa.Uuid(), nullable=False),
        sa.Column("reward_kind", sa.String(length=10), nullable=False),
        sa.Column("reward_amount", sa.BigInteger(), nullable=True),
        sa.Column("reward_gift", sa.String(length=100), nullable=False),
        sa.Column("reward_status", sa.String(length=10), nullable=False),
        sa.Column("paid_at", db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("paid_by_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        *(
            sa.CheckConstraint(sql, name=op.f(f"ck_referrals_{name}"))
            for name, sql in REFERRAL_CHECKS.items()
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_referrals_store_id_stores")
        ),
        sa.ForeignKeyConstraint(
            ["referrer_id"], ["customers.id"], name=op.f("fk_referrals_referrer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["referred_id"], ["customers.id"], name=op.f("fk_referrals_referred_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["paid_by_id"], ["staff.id"], name=op.f("fk_referrals_paid_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_referrals_created_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    op.create_index("uq_referrals_referred", "referrals", ["referred_id"], unique=True)
    op.create_index("ix_referrals_referrer_id", "referrals", ["referrer_id"])
    if _sqlite():
        for verb, when in (("insert", "INSERT"), ("update", "UPDATE OF referrer_id, referred_id")):
            op.execute(
                f"CREATE TRIGGER trg_referrals_live_customer_{verb} BEFORE {when} ON referrals "
                "WHEN (SELECT deleted_at FROM customers WHERE id = NEW.referrer_id) IS NOT NULL "
                "OR (SELECT deleted_at FROM customers WHERE id = NEW.referred_id) IS NOT NULL "
                f"BEGIN SELECT RAISE(ABORT, '{RETIRED}: the customer was merged or erased'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION referrals_refuse_retired() RETURNS trigger AS $$ BEGIN "
            "PERFORM 1 FROM customers WHERE id IN (NEW.referrer_id, NEW.referred_id) "
            "FOR KEY SHARE; "
            "IF EXISTS (SELECT 1 FROM customers WHERE id IN (NEW.referrer_id, NEW.referred_id) "
            "AND deleted_at IS NOT NULL) THEN "
            f"RAISE EXCEPTION '{RETIRED}: a customer of referral % was merged or erased', "
            "NEW.id USING ERRCODE = '23514'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER trg_referrals_live_customer BEFORE INSERT OR UPDATE OF "
            "referrer_id, referred_id ON referrals FOR EACH ROW "
            "EXECUTE FUNCTION referrals_refuse_retired()"
        )


def _drop_referrals() -> None:
    if _sqlite():
        for verb in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS trg_referrals_live_customer_{verb}")
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_referrals_live_customer ON referrals")
        op.execute("DROP FUNCTION IF EXISTS referrals_refuse_retired()")
    op.drop_index("ix_referrals_referrer_id", table_name="referrals")
    op.drop_index("uq_referrals_referred", table_name="referrals")
    op.drop_table("referrals")


def _reminder_log() -> None:
    op.create_table(
        "reminder_log",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("done_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("done_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('sent', 'skipped')", name=op.f("ck_reminder_log_status_known")
        ),
        sa.CheckConstraint(
            "channel IN ('sms', 'wechat', 'phone', 'other')",
            name=op.f("ck_reminder_log_channel_known"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_reminder_log_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["staff.id"], name=op.f("fk_reminder_log_done_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_log")),
    )
    op.create_index(
        "uq_reminder_log_customer_kind_due",
        "reminder_log",
        ["customer_id", "kind", "due_on"],
        unique=True,
    )
    if _sqlite():  # 0018's live-customer rule, as its CUSTOMER_TABLES have it
        when = (
            "WHEN (SELECT deleted_at FROM customers WHERE id = NEW.customer_id) IS NOT NULL "
            f"BEGIN SELECT RAISE(ABORT, '{RETIRED}: the customer was merged or erased'); END"
        )
        op.execute(
            f"CREATE TRIGGER trg_reminder_log_live_customer_insert "
            f"BEFORE INSERT ON reminder_log {when}"
        )
        op.execute(
            f"CREATE TRIGGER trg_reminder_log_live_customer_update "
            f"BEFORE UPDATE OF customer_id ON reminder_log {when}"
        )
    else:
        op.execute(
            "CREATE TRIGGER trg_reminder_log_live_customer BEFORE INSERT OR UPDATE OF "
            "customer_id ON reminder_log FOR EACH ROW "
            "EXECUTE FUNCTION customers_refuse_retired_owner()"
        )


def _drop_reminder_log() -> None:
    if _sqlite():
        for verb in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS trg_reminder_log_live_customer_{verb}")
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_reminder_log_live_customer ON reminder_log")
    op.drop_index("uq_reminder_log_customer_kind_due", table_name="reminder_log")
    op.drop_table("reminder_log")


RATE_METRICS = "('conversion', 'revisit', 'repurchase')"


def _dashboard_targets() -> None:
    op.create_table(
        "dashboard_targets",
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("metric", sa.String(length=20), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("warning", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "target >= 1 AND target <= 1000000", name=op.f("ck_dashboard_targets_target_range")
        ),
        sa.CheckConstraint(
            "warning IS NULL OR (warning >= 0 AND warning < target)",
            name=op.f("ck_dashboard_targets_warning_below"),
        ),
        sa.CheckConstraint(
            f"metric NOT IN {RATE_METRICS} OR target <= 100",
            name=op.f("ck_dashboard_targets_rate_percent"),
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_dashboard_targets_store_id_stores")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["staff.id"],
            name=op.f("fk_dashboard_targets_updated_by_id_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_targets")),
    )
    op.create_index(
        "uq_dashboard_targets_store_metric",
        "dashboard_targets",
        ["store_id", "metric"],
        unique=True,
    )


_ADDED = (
    ("visits", "lost_reason"),
    ("follow_ups", "satisfaction_comment"),
    ("follow_ups", "satisfaction"),
    ("follow_ups", "lost_reason"),
    ("follow_ups", "answered"),
    ("follow_ups", "cadence_grade"),
)


def downgrade() -> None:
    op.drop_index("uq_dashboard_targets_store_metric", table_name="dashboard_targets")
    op.drop_table("dashboard_targets")
    _drop_reminder_log()
    _drop_referrals()
    op.drop_index("uq_follow_ups_customer_open_cadence", table_name="follow_ups")
    if _sqlite():
        for verb in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {SATISFACTION}_{verb}")
        # Native DROP COLUMN (SQLite 3.35+): a table copy is refused under 0018's triggers.
        for table, column in _ADDED:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    else:
        op.execute(f"ALTER TABLE follow_ups DROP CONSTRAINT IF EXISTS {SATISFACTION}")
        for table, column in _ADDED:
            op.drop_column(table, column)
    op.drop_index("uq_lost_reasons_store_label", table_name="lost_reasons")
    op.drop_table("lost_reasons")
    op.drop_index("uq_follow_up_cadences_store_grade", table_name="follow_up_cadences")
    op.drop_table("follow_up_cadences")
