"""integrity: every rule that protects money, seats and people holds in the database too

The services refuse these with a clear message; this migration is the last line,
so that a desk racing another, an import, or someone typing SQL cannot store
what the app assumes never exists:

- row rules (``CHECKS``): a canonical mobile number (one form only, so
  '138 0013 8000' and '+8613800138000' cannot be two live customers), budget
  and valuation ranges in order, an active deposit that lapses after it was
  taken, an applied deposit that names its contract, a signed contract with
  its price and time, a void one with its time, no negative costs, an
  inspection day with at least one seat, seats held only by those who hold a
  seat, no test drive out without licence check, agreement and reading.
  PostgreSQL gets real CHECK constraints. SQLite gets triggers of the same
  names: adding a CHECK there means copying the table, which SQLite refuses
  for a table other rows point at (and for the cars' computed search text);
- rules over other rows (triggers on both): an inspection day's seats never
  lowered below a seat already given; counters and the audit head never move
  backwards and are never deleted; no row added or moved under a customer who
  was merged away or erased (a desk that did not wait for a merge fails
  instead of leaving a deposit on the retired record);
- PostgreSQL only: TRUNCATE of the audit log, its head and the counters is
  refused (row triggers do not see TRUNCATE), the seat trigger of 0008 now
  waits for a change of the day's seats, and views (``car_page_*``) hold what
  the public car page may read, so its read-only login needs no table at all.

Rows already stored that break a rule stop the upgrade with a list of them
(nothing is changed silently), except phone numbers that only need their
spaces, dashes or +86 removed: those are rewritten to the canonical form.

Revision ID: 0018_integrity
Revises: 0017_vehicle_file
Create Date: 2026-12-02
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = "0018_integrity"
down_revision: str | None = "0017_vehicle_file"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same text as ``db.models.customers.CANONICAL_MOBILE_SQL`` (kept here so that this
# migration does not change when the model does).
_MOBILE = (
    "length(phone) = 11 AND substr(phone, 1, 1) = '1' "
    "AND substr(phone, 2, 1) IN ('3', '4', '5', '6', '7', '8', '9') "
    "AND ltrim(phone, '0123456789') = ''"
)


class Check(NamedTuple):
    # A NamedTuple: Alembic loads this file outside sys.modules, where a dataclass
    # with postponed annotations cannot resolve its own module.
    table: str
    name: str  # without the ck_<table>_ prefix, as in the model
    sql: str  # over the row's own columns, the same text as the model's CheckConstraint
    what: str  # said when stored rows break it

    @property
    def full_name(self) -> str:
        return f"ck_{self.table}_{self.name}"


CHECKS: tuple[Check, ...] = (
    Check(
        "customers",
        "phone_canonical",
        f"(anonymised_at IS NULL AND {_MOBILE}) "
        "OR (anonymised_at IS NOT NULL AND deleted_at IS NOT NULL AND phone = '')",
        "手机号不是 11 位中国大陆手机号 / phone is not an 11-digit mainland mobile number",
    ),
    Check(
        "customers",
        "budget_order",
        "budget_min IS NULL OR budget_max IS NULL OR budget_min <= budget_max",
        "预算下限高于上限 / budget minimum above maximum",
    ),
    Check(
        "customers",
        "budget_not_negative",
        "(budget_min IS NULL OR budget_min >= 0) AND (budget_max IS NULL OR budget_max >= 0)",
        "预算为负数 / negative budget",
    ),
    Check(
        "deposits",
        "active_expires",
        "status <> 'active' OR expires_at IS NOT NULL",
        "有效意向金没有到期时间 / active deposit without expiry",
    ),
    Check(
        "deposits",
        "expires_after_taken",
        "expires_at IS NULL OR expires_at > taken_at",
        "意向金到期早于收取 / deposit expiring before it was taken",
    ),
    Check(
        "deposits",
        "applied_has_contract",
        "status <> 'applied' OR applied_contract_id IS NOT NULL",
        "已抵车款的意向金没有合同 / deposit applied without a contract",
    ),
    Check(
        "deposits",
        "closed_has_time",
        "status = 'active' OR closed_at IS NOT NULL",
        "已结清的意向金没有结清时间 / closed deposit without closing time",
    ),
    Check(
        "contracts",
        "signed_complete",
        "status <> 'signed' OR (price IS NOT NULL AND signed_at IS NOT NULL)",
        "已签合同缺少价格或签订时间 / signed contract without price or signing time",
    ),
    Check(
        "contracts",
        "void_has_time",
        "status <> 'void' OR voided_at IS NOT NULL",
        "作废合同没有作废时间 / void contract without void time",
    ),
    Check(
        "vehicles",
        "cost_not_negative",
        "cost_price IS NULL OR cost_price >= 0",
        "收购成本为负数 / negative cost price",
    ),
    Check(
        "vehicles",
        "new_price_not_negative",
        "new_price IS NULL OR new_price >= 0",
        "新车指导价为负数 / negative new-car price",
    ),
    Check(
        "inspections",
        "valuation_order",
        "valuation_low IS NULL OR valuation_high IS NULL OR valuation_low <= valuation_high",
        "估价下限高于上限 / valuation low above high",
    ),
    Check(
        "inspections",
        "valuation_not_negative",
        "(valuation_low IS NULL OR valuation_low >= 0)"
        " AND (valuation_high IS NULL OR valuation_high >= 0)",
        "估价为负数 / negative valuation",
    ),
    Check(
        "inspection_events",
        "seats_positive",
        "seats >= 1",
        "检测日名额为 0 / inspection day with no seat",
    ),
    Check(
        "registrations",
        "seat_matches_status",
        "(status IN ('seated', 'checked_in', 'inspected') AND seat_no IS NOT NULL)"
        " OR (status IN ('waitlisted', 'cancelled') AND seat_no IS NULL)"
        " OR status = 'no_show'",
        "报名状态与名额不符 / registration seat does not match its status",
    ),
    Check(
        "registrations",
        "waitlist_position",
        "status <> 'waitlisted' OR waitlist_position IS NOT NULL",
        "候补报名没有候补序号 / wait-listed registration without a position",
    ),
    Check(
        "test_drives",
        "out_checked",
        "status NOT IN ('checked_out', 'returned') OR (licence_number IS NOT NULL"
        " AND licence_valid_until IS NOT NULL AND agreement_document_id IS NOT NULL"
        " AND out_at IS NOT NULL AND out_odometer_km IS NOT NULL)",
        "出车的试驾缺少驾驶证核验、协议或出车记录 / test drive out without licence, "
        "agreement or check-out reading",
    ),
    Check(
        "test_drives",
        "return_recorded",
        "status <> 'returned' OR (in_at IS NOT NULL AND in_odometer_km IS NOT NULL)",
        "已还车的试驾缺少还车记录 / returned test drive without return reading",
    ),
    Check(
        "number_sequences",
        "value_not_negative",
        "last_value >= 0",
        "编号计数为负数 / negative counter",
    ),
    Check(
        "audit_head",
        "single_row",
        "id = 1",
        "审计链头不止一行 / more than one audit head",
    ),
)

# Every table whose rows belong to one customer.
CUSTOMER_TABLES = (
    "visits",
    "test_drives",
    "registrations",
    "deposits",
    "contracts",
    "consents",
    "interactions",
    "grade_changes",
    "follow_ups",
    "leads",
    "customer_tag_links",
    "kiosk_arrivals",
)

RETIRED = "customer_retired"  # the word both databases raise for a row under a retired customer

# --- phone numbers already stored -------------------------------------------------------

_HALFWIDTH = str.maketrans(
    {chr(0xFF01 + offset): chr(0x21 + offset) for offset in range(0x5E)} | {"\u3000": " "}
)
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")


def _canonical_mobile(text: str) -> str | None:
    """What ``showroom.identifiers.normalize_mobile`` would store, or None (db imports no app)."""
    digits = "".join(ch for ch in text.translate(_HALFWIDTH) if not ch.isspace() and ch != "-")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086") and len(digits) == 15:
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if _MOBILE_RE.fullmatch(digits) else None


def _normalise_phones(problems: list[str]) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(f"SELECT id, phone, deleted_at FROM customers WHERE NOT ({_MOBILE})")
    ).all()
    live = {
        phone
        for (phone,) in bind.execute(
            sa.text(f"SELECT phone FROM customers WHERE deleted_at IS NULL AND {_MOBILE}")
        )
    }
    bad: list[str] = []
    clash: list[str] = []
    for row_id, phone, deleted_at in rows:
        number = _canonical_mobile(phone or "")
        if number is None:
            bad.append(str(row_id))
            continue
        if deleted_at is None:
            if number in live:
                clash.append(str(row_id))
                continue
            live.add(number)
        bind.execute(
            sa.text("UPDATE customers SET phone = :p WHERE id = :i"), {"p": number, "i": row_id}
        )
    if bad:
        problems.append(
            f"customers: {len(bad)} 位客户的手机号无法识别 / phones that are no mobile number "
            f"(id {', '.join(bad[:5])}{' …' if len(bad) > 5 else ''})"
        )
    if clash:
        problems.append(
            f"customers: {len(clash)} 位客户的手机号与另一位在档客户相同，请先在旧版本中合并 / "
            f"same mobile as another live customer, merge them first "
            f"(id {', '.join(clash[:5])}{' …' if len(clash) > 5 else ''})"
        )


def _violations(problems: list[str]) -> None:
    bind = op.get_bind()
    for check in CHECKS:
        ids = [
            str(r[0])
            for r in bind.execute(
                sa.text(f"SELECT {_key(check.table)} FROM {check.table} WHERE NOT ({check.sql})")
            ).all()
        ]
        if ids:
            problems.append(
                f"{check.table}: {len(ids)} 行 {check.what} "
                f"(id {', '.join(ids[:5])}{' …' if len(ids) > 5 else ''})"
            )
    seats = bind.execute(
        sa.text(
            "SELECT e.id FROM inspection_events e JOIN registrations r ON r.event_id = e.id "
            "WHERE r.seat_no > e.seats"
        )
    ).all()
    if seats:
        problems.append(f"inspection_events: {len(seats)} 场检测日已给出的名额超过名额数")


def _key(table: str) -> str:
    return {
        "number_sequences": "scope || '/' || kind || '/' || period",
        "audit_head": "id",
    }.get(table, "id")


# --- SQLite: the CHECKs as triggers ------------------------------------------------------

_QUOTED = re.compile(r"('[^']*')")


def _new_row(sql: str, columns: set[str]) -> str:
    """``sql`` with each column name prefixed ``NEW.``, string literals left alone."""
    word = re.compile(r"\b(" + "|".join(sorted(columns, key=len, reverse=True)) + r")\b")
    parts = _QUOTED.split(sql)
    return "".join(p if p.startswith("'") else word.sub(r"NEW.\1", p) for p in parts)


def _sqlite_check_triggers() -> None:
    inspector = sa.inspect(op.get_bind())
    for check in CHECKS:
        columns = {c["name"] for c in inspector.get_columns(check.table)}
        when = _new_row(check.sql, columns)
        for verb in ("INSERT", "UPDATE"):
            op.execute(
                f"CREATE TRIGGER {check.full_name}_{verb.lower()} BEFORE {verb} ON "
                f"{check.table} WHEN NOT ({when}) BEGIN "
                f"SELECT RAISE(ABORT, 'CHECK constraint failed: {check.full_name}'); END"
            )


def _sqlite_drop_check_triggers() -> None:
    for check in CHECKS:
        for verb in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {check.full_name}_{verb}")


_SQLITE_RULES = {
    "trg_inspection_events_keep_given_seats": (
        "BEFORE UPDATE OF seats ON inspection_events "
        "WHEN EXISTS (SELECT 1 FROM registrations WHERE event_id = NEW.id "
        "AND seat_no > NEW.seats) "
        "BEGIN SELECT RAISE(ABORT, 'seats of the inspection event are below a seat already "
        "given'); END"
    ),
    "trg_number_sequences_forward": (
        "BEFORE UPDATE ON number_sequences "
        "WHEN NEW.last_value < OLD.last_value OR NEW.scope <> OLD.scope "
        "OR NEW.kind <> OLD.kind OR NEW.period <> OLD.period "
        "BEGIN SELECT RAISE(ABORT, 'counters never move backwards'); END"
    ),
    "trg_number_sequences_kept": (
        "BEFORE DELETE ON number_sequences "
        "BEGIN SELECT RAISE(ABORT, 'counters never move backwards'); END"
    ),
    "trg_audit_head_forward": (
        "BEFORE UPDATE ON audit_head "
        "WHEN NEW.last_seq < OLD.last_seq OR NEW.id <> OLD.id "
        "OR (NEW.last_seq = OLD.last_seq AND NEW.last_hash <> OLD.last_hash) "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
    ),
    "trg_audit_head_kept": (
        "BEFORE DELETE ON audit_head BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
    ),
}


def _sqlite_retired_triggers() -> list[tuple[str, str]]:
    triggers = []
    for table in CUSTOMER_TABLES:
        when = (
            "WHEN (SELECT deleted_at FROM customers WHERE id = NEW.customer_id) IS NOT NULL "
            f"BEGIN SELECT RAISE(ABORT, '{RETIRED}: the customer was merged or erased'); END"
        )
        triggers.append((f"trg_{table}_live_customer_insert", f"BEFORE INSERT ON {table} {when}"))
        triggers.append(
            (
                f"trg_{table}_live_customer_update",
                f"BEFORE UPDATE OF customer_id ON {table} {when}",
            )
        )
    return triggers


# --- PostgreSQL --------------------------------------------------------------------------

_PG_FUNCTIONS = {
    "inspection_events_keep_given_seats": """
        BEGIN
            IF NEW.seats < OLD.seats AND EXISTS (
                SELECT 1 FROM registrations WHERE event_id = NEW.id AND seat_no > NEW.seats
            ) THEN
                RAISE EXCEPTION 'seats of inspection event % are below a seat already given',
                    NEW.id USING ERRCODE = '23514';
            END IF;
            RETURN NEW;
        END""",
    "number_sequences_forward": """
        BEGIN
            IF TG_OP = 'DELETE' OR NEW.last_value < OLD.last_value OR NEW.scope <> OLD.scope
                    OR NEW.kind <> OLD.kind OR NEW.period <> OLD.period THEN
                RAISE EXCEPTION 'counters never move backwards' USING ERRCODE = '23514';
            END IF;
            RETURN NEW;
        END""",
    "audit_head_forward": """
        BEGIN
            IF TG_OP = 'DELETE' OR NEW.last_seq < OLD.last_seq OR NEW.id <> OLD.id
                    OR (NEW.last_seq = OLD.last_seq AND NEW.last_hash <> OLD.last_hash) THEN
                RAISE EXCEPTION 'audit log is append-only' USING ERRCODE = '23514';
            END IF;
            RETURN NEW;
        END""",
    "refuse_truncate": """
        BEGIN
            RAISE EXCEPTION '% may not be truncated (audit log and counters are append-only)',
                TG_TABLE_NAME USING ERRCODE = '23514';
        END""",
    # FOR KEY SHARE waits for a merge holding the customer and then sees its outcome.
    "customers_refuse_retired_owner": f"""
        DECLARE
            retired timestamptz;
        BEGIN
            SELECT deleted_at INTO retired FROM customers WHERE id = NEW.customer_id
                FOR KEY SHARE;
            IF retired IS NOT NULL THEN
                RAISE EXCEPTION '{RETIRED}: customer % was merged or erased', NEW.customer_id
                    USING ERRCODE = '23514';
            END IF;
            RETURN NEW;
        END""",
}

# 0008's seat check, now taking FOR SHARE on the event: a seat given while another
# transaction lowers the seats waits for it and sees the new number (and vice versa).
_PG_SEAT_CHECK = """
CREATE OR REPLACE FUNCTION registrations_seat_within_event() RETURNS trigger AS $$
DECLARE
    capacity integer;
BEGIN
    IF NEW.seat_no IS NOT NULL THEN
        SELECT seats INTO capacity FROM inspection_events WHERE id = NEW.event_id FOR SHARE;
        IF NEW.seat_no > capacity THEN
            RAISE EXCEPTION 'seat % is above the seats of inspection event %',
                NEW.seat_no, NEW.event_id USING ERRCODE = '23514';
        END IF;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""
_PG_SEAT_CHECK_0008 = """
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

_PG_TRIGGERS = (
    (
        "trg_inspection_events_keep_given_seats",
        "BEFORE UPDATE OF seats ON inspection_events FOR EACH ROW",
        "inspection_events_keep_given_seats",
    ),
    (
        "trg_number_sequences_forward",
        "BEFORE UPDATE OR DELETE ON number_sequences FOR EACH ROW",
        "number_sequences_forward",
    ),
    (
        "trg_audit_head_forward",
        "BEFORE UPDATE OR DELETE ON audit_head FOR EACH ROW",
        "audit_head_forward",
    ),
    (
        "trg_audit_entries_no_truncate",
        "BEFORE TRUNCATE ON audit_entries FOR EACH STATEMENT",
        "refuse_truncate",
    ),
    (
        "trg_audit_head_no_truncate",
        "BEFORE TRUNCATE ON audit_head FOR EACH STATEMENT",
        "refuse_truncate",
    ),
    (
        "trg_number_sequences_no_truncate",
        "BEFORE TRUNCATE ON number_sequences FOR EACH STATEMENT",
        "refuse_truncate",
    ),
    *(
        (
            f"trg_{table}_live_customer",
            f"BEFORE INSERT OR UPDATE OF customer_id ON {table} FOR EACH ROW",
            "customers_refuse_retired_owner",
        )
        for table in CUSTOMER_TABLES
    ),
)

# What the public car page may read (its login is granted these views and nothing else;
# ``showroom db roles``). Amounts are in fen, as stored.
_CAR_PAGE = "deleted_at IS NULL AND status IN ('on_sale', 'reserved', 'test_drive')"
PG_VIEWS = {
    "car_page_vehicles": (
        "SELECT id, stock_no, brand, model, \"trim\", year, first_registration, mileage_km, "
        "displacement_l, ev_range_km, energy, transmission, emission_standard, body_type, "
        "colour, seats, power_hp, drive, transfers, annual_inspection_due, insurance_due, "
        "new_price, list_price, status, configuration, description, third_party_report_sha, "
        f"listed_at FROM vehicles WHERE {_CAR_PAGE}"
    ),
    "car_page_photos": (
        "SELECT p.id, p.vehicle_id, p.position, p.category, p.caption, p.is_cover, "
        "p.image_sha, p.thumbnail_sha FROM vehicle_photos p "
        "JOIN car_page_vehicles v ON v.id = p.vehicle_id"
    ),
    "car_page_price_items": (
        "SELECT i.id, i.vehicle_id, i.position, i.label, i.amount FROM price_items i "
        "JOIN car_page_vehicles v ON v.id = i.vehicle_id WHERE i.public"
    ),
    "car_page_history": (
        "SELECT h.id, h.vehicle_id, h.kind, h.occurred_on, h.structural, h.description "
        "FROM history_records h JOIN car_page_vehicles v ON v.id = h.vehicle_id"
    ),
    "car_page_maintenance": (
        "SELECT m.id, m.vehicle_id, m.performed_on, m.mileage_km, m.shop, m.description "
        "FROM maintenance_records m JOIN car_page_vehicles v ON v.id = m.vehicle_id"
    ),
    "car_page_media": (
        "SELECT m.sha256, m.mime, m.size, m.data FROM media m WHERE m.sha256 IN ("
        "SELECT image_sha FROM car_page_photos UNION SELECT thumbnail_sha FROM car_page_photos "
        "UNION SELECT third_party_report_sha FROM car_page_vehicles "
        "WHERE third_party_report_sha IS NOT NULL)"
    ),
}


def _pg_upgrade() -> None:
    for check in CHECKS:
        op.execute(
            f"ALTER TABLE {check.table} ADD CONSTRAINT {check.full_name} CHECK ({check.sql})"
        )
    for name, body in _PG_FUNCTIONS.items():
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger AS $$ {body} $$ LANGUAGE plpgsql")
    for trigger, when, function in _PG_TRIGGERS:
        op.execute(f"CREATE TRIGGER {trigger} {when} EXECUTE FUNCTION {function}()")
    op.execute(_PG_SEAT_CHECK)
    for name, select in PG_VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {select}")


def _pg_downgrade() -> None:
    for name in reversed(PG_VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.execute(_PG_SEAT_CHECK_0008)
    for trigger, when, _function in _PG_TRIGGERS:
        table = when.split(" ON ", 1)[1].split()[0]
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    for name in _PG_FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    for check in CHECKS:
        op.execute(f"ALTER TABLE {check.table} DROP CONSTRAINT IF EXISTS {check.full_name}")


def upgrade() -> None:
    op.add_column(
        "customers", sa.Column("anonymised_at", db.base.UTCDateTime(timezone=True), nullable=True)
    )
    problems: list[str] = []
    _normalise_phones(problems)
    if not problems:
        _violations(problems)
    if problems:
        raise RuntimeError(
            "数据库中已有不符合规则的记录，升级已停止，未做任何修改。请先更正这些记录：\n"
            "Stored rows break rules this upgrade adds; nothing was changed:\n- "
            + "\n- ".join(problems)
        )
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()
    else:
        _sqlite_check_triggers()
        for name, body in (*_SQLITE_RULES.items(), *_sqlite_retired_triggers()):
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_downgrade()
        op.drop_column("customers", "anonymised_at")
    else:
        for name in (*_SQLITE_RULES, *(n for n, _ in _sqlite_retired_triggers())):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        _sqlite_drop_check_triggers()
        # Native DROP COLUMN (SQLite 3.35+): a table copy is refused while rows point here.
        op.execute("ALTER TABLE customers DROP COLUMN anonymised_at")
