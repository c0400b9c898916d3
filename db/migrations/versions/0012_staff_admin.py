"""staff administration: several roles per person, roster, store profile

- ``staff_roles``: the roles a person holds (one row each); filled from ``staff.role``,
  which goes.
- ``staff.weekly_pattern`` (Mon..Sun, "1" on duty) and ``roster_days`` (leave, sick,
  off-site, extra shift) replace the ``staff.on_duty`` flag: a person who was off duty
  gets "0000000", everyone else works every day until the manager sets their days off.
- ``staff.must_change_password`` (a temporary password forces a change at next sign-in)
  and ``staff.disabled_at``.
- ``stores``: 统一社会信用代码, bank, logo, public base URL of car pages, first-run
  checklist state.

Revision ID: 0012_staff_admin
Revises: 0011_sync
Create Date: 2026-12-02
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = "0012_staff_admin"
down_revision: str | None = "0011_sync"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("reception", "sales", "appraiser", "manager", "group_manager")
OLD_ROLES = ("reception", "sales", "appraiser", "manager")
ROSTER = ("on_duty", "day_off", "leave", "sick", "off_site")
EVERY_DAY = "1111111"
PATTERN_CHECK = (
    "length(weekly_pattern) = 7 AND replace(replace(weekly_pattern, '0', ''), '1', '') = ''"
)


def _entity_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
    ]


def _enum(values: Sequence[str], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)


def upgrade() -> None:
    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("credit_code", sa.String(length=18), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("bank_name", sa.String(length=60), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("bank_account", sa.String(length=40), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("logo_png", sa.LargeBinary(), nullable=True))
        batch_op.add_column(
            sa.Column("public_url", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("setup_steps", sa.JSON(), nullable=True))

    op.create_table(
        "staff_roles",
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("role", _enum(ROLES, "staff_role"), nullable=False),
        *_entity_columns(),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_staff_roles_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_roles")),
        sa.UniqueConstraint("staff_id", "role", name=op.f("uq_staff_roles_staff_id_role")),
    )
    op.create_index(op.f("ix_staff_roles_staff_id"), "staff_roles", ["staff_id"], unique=False)

    op.create_table(
        "roster_days",
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", _enum(ROSTER, "rosterstatus"), nullable=False),
        sa.Column("note", sa.String(length=100), nullable=False),
        sa.Column("set_by_id", sa.Uuid(), nullable=True),
        *_entity_columns(),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_roster_days_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["staff.id"], name=op.f("fk_roster_days_set_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_days")),
        sa.UniqueConstraint("staff_id", "day", name=op.f("uq_roster_days_staff_id_day")),
    )
    op.create_index(op.f("ix_roster_days_staff_id"), "roster_days", ["staff_id"], unique=False)
    op.create_index(op.f("ix_roster_days_day"), "roster_days", ["day"], unique=False)

    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("disabled_at", db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), server_default="0", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "weekly_pattern", sa.String(length=7), server_default=EVERY_DAY, nullable=False
            )
        )

    # Data: each person's one role becomes their first row of staff_roles; off duty
    # people get a week of days off (the manager puts them back on the roster).
    bind = op.get_bind()
    staff = sa.table(
        "staff",
        sa.column("id", sa.Uuid()),
        sa.column("role", sa.String()),
        sa.column("on_duty", sa.Boolean()),
        sa.column("active", sa.Boolean()),
        sa.column("updated_at", db.base.UTCDateTime()),
        sa.column("weekly_pattern", sa.String()),
        sa.column("disabled_at", db.base.UTCDateTime()),
    )
    roles = sa.table(
        "staff_roles",
        sa.column("id", sa.Uuid()),
        sa.column("staff_id", sa.Uuid()),
        sa.column("role", sa.String()),
        sa.column("created_at", db.base.UTCDateTime()),
        sa.column("updated_at", db.base.UTCDateTime()),
        sa.column("row_version", sa.Integer()),
    )
    now = datetime.now(UTC)
    rows = bind.execute(sa.select(staff.c.id, staff.c.role)).all()
    if rows:
        bind.execute(
            roles.insert(),
            [
                {
                    "id": uuid.uuid4(),
                    "staff_id": row.id,
                    "role": row.role,
                    "created_at": now,
                    "updated_at": now,
                    "row_version": 1,
                }
                for row in rows
            ],
        )
    bind.execute(
        staff.update().where(staff.c.on_duty.is_(False)).values(weekly_pattern="0000000")
    )
    bind.execute(
        staff.update().where(staff.c.active.is_(False)).values(disabled_at=staff.c.updated_at)
    )

    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_staff_role"), type_="check")
        batch_op.drop_column("role")
        batch_op.drop_column("on_duty")
        batch_op.create_check_constraint("weekly_pattern_days", PATTERN_CHECK)


def downgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_staff_weekly_pattern_days"), type_="check")
        batch_op.add_column(sa.Column("role", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("on_duty", sa.Boolean(), nullable=True))

    staff = sa.table(
        "staff",
        sa.column("id", sa.Uuid()),
        sa.column("role", sa.String()),
        sa.column("on_duty", sa.Boolean()),
        sa.column("weekly_pattern", sa.String()),
    )
    roles = sa.table("staff_roles", sa.column("staff_id", sa.Uuid()), sa.column("role", sa.String()))
    held: dict[object, set[str]] = {}
    for staff_id, role in bind.execute(sa.select(roles.c.staff_id, roles.c.role)):
        held.setdefault(staff_id, set()).add(role)
    # One role per person again: the one that opens the most screens.
    order = ("manager", "group_manager", "reception", "sales", "appraiser")
    for staff_id, pattern in bind.execute(sa.select(staff.c.id, staff.c.weekly_pattern)).all():
        mine = held.get(staff_id, set())
        first = next((r for r in order if r in mine), "sales")
        bind.execute(
            staff.update()
            .where(staff.c.id == staff_id)
            .values(
                role="manager" if first == "group_manager" else first,
                on_duty=pattern != "0000000",
            )
        )

    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.alter_column("role", existing_type=sa.String(length=24), nullable=False)
        batch_op.alter_column("on_duty", existing_type=sa.Boolean(), nullable=False)
        batch_op.create_check_constraint(
            "role", "role IN ('" + "', '".join(OLD_ROLES) + "')"
        )
        batch_op.drop_column("weekly_pattern")
        batch_op.drop_column("must_change_password")
        batch_op.drop_column("disabled_at")

    op.drop_index(op.f("ix_roster_days_day"), table_name="roster_days")
    op.drop_index(op.f("ix_roster_days_staff_id"), table_name="roster_days")
    op.drop_table("roster_days")
    op.drop_index(op.f("ix_staff_roles_staff_id"), table_name="staff_roles")
    op.drop_table("staff_roles")

    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.drop_column("setup_steps")
        batch_op.drop_column("public_url")
        batch_op.drop_column("logo_png")
        batch_op.drop_column("bank_account")
        batch_op.drop_column("bank_name")
        batch_op.drop_column("credit_code")
