"""Least privilege on PostgreSQL: who owns the schema, what the app's login may do.

Three login roles, named from one prefix (``showroom`` by default):

- ``<prefix>_owner`` owns every table, view, sequence and trigger function. It is
  the login migrations run as (``showroom --database <owner URL> db upgrade``), and
  the only one that can change the schema or switch a trigger off.
- ``<prefix>_app`` is what every PC connects as. It has the DML the app needs and
  nothing else: no DDL, no TRUNCATE, no TRIGGER privilege, no ownership (so it can
  never ``ALTER TABLE ... DISABLE TRIGGER``), not a member of the owner. The audit
  log is append-only for it: INSERT and SELECT on ``audit_entries``, UPDATE on the
  head; counters can be read, created and moved on, never deleted.
- ``<prefix>_read`` is for the public car page (a later server): SELECT on the
  ``car_page_*`` views of migration 0018 only, never a customer, a cost price or a
  private photo. ``READ_INSERT_TABLES`` is where the two request tables it will
  need (a test-drive request, a call-back request) get their INSERT when they exist.

``ensure`` creates what is missing and (re)applies ownership and grants, and is
safe to run again at any time; ``apply_grants`` is the part the owner itself may
run (after each upgrade); ``check`` lists what is wrong, in plain sentences.
Nothing here runs on SQLite: the embedded file has no logins.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, text

PUBLIC_SCHEMA = "public"

# What the app's login may do, per table; every other table gets APP_DEFAULT.
APP_DEFAULT = ("SELECT", "INSERT", "UPDATE", "DELETE")
APP_TABLES: dict[str, tuple[str, ...]] = {
    "audit_entries": ("SELECT", "INSERT"),
    "audit_head": ("SELECT", "UPDATE"),
    "number_sequences": ("SELECT", "INSERT", "UPDATE"),
    "alembic_version": ("SELECT",),
    "change_feed": ("SELECT", "INSERT"),
    "applied_operations": ("SELECT", "INSERT"),
    # A referral's reward is money and a reminder sent is a fact (migration 0019):
    # corrected or anonymised in place, never deleted.
    "referrals": ("SELECT", "INSERT", "UPDATE"),
    "reminder_log": ("SELECT", "INSERT", "UPDATE"),
}
# Never granted to the app on any table.
APP_NEVER = ("TRUNCATE", "TRIGGER", "REFERENCES")

# What the car page's read-only login may read (views made by migration 0018).
READ_VIEWS = (
    "car_page_vehicles",
    "car_page_photos",
    "car_page_price_items",
    "car_page_history",
    "car_page_maintenance",
    "car_page_media",
)
# The car page will need INSERT on its request tables (a test-drive request, a
# call-back request) once they exist: name them here and run ``showroom db roles``.
READ_INSERT_TABLES: tuple[str, ...] = ()

_PREFIX = re.compile(r"[a-z_][a-z0-9_]{0,40}")


class PrivilegeError(ValueError):
    """A role setup that cannot be done as asked (bad prefix, not PostgreSQL...)."""


@dataclass(frozen=True)
class Roles:
    owner: str
    app: str
    read: str

    @classmethod
    def named(cls, prefix: str) -> Roles:
        if not _PREFIX.fullmatch(prefix):
            raise PrivilegeError(
                f"角色前缀“{prefix}”无效：只能用小写字母、数字和下划线，且不以数字开头。"
            )
        return cls(f"{prefix}_owner", f"{prefix}_app", f"{prefix}_read")

    @property
    def all(self) -> tuple[str, str, str]:
        return (self.owner, self.app, self.read)


def _q(name: str) -> str:
    """A quoted identifier (names are checked by ``Roles.named`` or come from the catalog)."""
    return '"' + name.replace('"', '""') + '"'


def _exists(conn: Connection, role: str) -> bool:
    return bool(
        conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    )


def _objects(conn: Connection) -> list[tuple[str, str, str]]:
    """(kind, name, owner) of the schema's tables, views, sequences and own functions."""
    rows = conn.execute(
        text(
            """
            SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'S' THEN 'SEQUENCE'
                   ELSE 'TABLE' END, c.relname, pg_get_userbyid(c.relowner)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = :s AND c.relkind IN ('r', 'p', 'v', 'S')
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                              AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))
            UNION ALL
            SELECT 'FUNCTION', p.proname, pg_get_userbyid(p.proowner)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = :s AND p.prokind = 'f' AND p.pronargs = 0
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                              AND d.objid = p.oid AND d.deptype = 'e')
            ORDER BY 1, 2
            """
        ),
        {"s": PUBLIC_SCHEMA},
    )
    return [(r[0], r[1], r[2]) for r in rows]


def _tables(conn: Connection) -> list[str]:
    return [name for kind, name, _owner in _objects(conn) if kind == "TABLE"]


def ensure(conn: Connection, roles: Roles) -> dict[str, str]:
    """Create missing roles, give the owner everything, apply the grants.

    Run by an administrator (a superuser, or a role with CREATEROLE that owns the
    objects). Returns the generated password of each role created now (shown once).
    """
    created: dict[str, str] = {}
    for role in roles.all:
        if not _exists(conn, role):
            # token_urlsafe is [A-Za-z0-9_-]: safe inside a literal, no bind in DDL.
            password = secrets.token_urlsafe(24)
            conn.execute(
                text(
                    f"CREATE ROLE {_q(role)} LOGIN PASSWORD '{password}' NOSUPERUSER "
                    "NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
                )
            )
            created[role] = password
    for role in (roles.app, roles.read):
        # Whatever was done by hand before: the logins hold no special powers.
        conn.execute(
            text(
                f"ALTER ROLE {_q(role)} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
                "NOBYPASSRLS"
            )
        )
        for other in roles.all:
            if other != role and _member(conn, role, other):
                conn.execute(text(f"REVOKE {_q(other)} FROM {_q(role)}"))
    database = conn.execute(text("SELECT current_database()")).scalar_one()
    conn.execute(
        text(f"GRANT CONNECT, CREATE, TEMPORARY ON DATABASE {_q(database)} TO {_q(roles.owner)}")
    )
    conn.execute(
        text(f"GRANT CONNECT ON DATABASE {_q(database)} TO {_q(roles.app)}, {_q(roles.read)}")
    )
    conn.execute(text(f"ALTER SCHEMA {PUBLIC_SCHEMA} OWNER TO {_q(roles.owner)}"))
    for kind, name, owner in _objects(conn):
        if owner != roles.owner:
            target = f"{_q(name)}()" if kind == "FUNCTION" else _q(name)
            conn.execute(text(f"ALTER {kind} {target} OWNER TO {_q(roles.owner)}"))
    conn.execute(text(f"SET LOCAL ROLE {_q(roles.owner)}"))
    try:
        apply_grants(conn, roles)
    finally:
        conn.execute(text("RESET ROLE"))
    return created


def _member(conn: Connection, role: str, of: str) -> bool:
    return bool(
        conn.execute(text("SELECT pg_has_role(:r, :o, 'MEMBER')"), {"r": role, "o": of}).scalar()
    )


def apply_grants(conn: Connection, roles: Roles) -> None:
    """The grants on the schema's objects; the owner may run this itself (after an upgrade)."""
    everyone = f"PUBLIC, {_q(roles.app)}, {_q(roles.read)}"
    conn.execute(text(f"REVOKE CREATE ON SCHEMA {PUBLIC_SCHEMA} FROM {everyone}"))
    conn.execute(
        text(f"GRANT USAGE ON SCHEMA {PUBLIC_SCHEMA} TO {_q(roles.app)}, {_q(roles.read)}")
    )
    conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA {PUBLIC_SCHEMA} FROM {everyone}"))
    conn.execute(text(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {PUBLIC_SCHEMA} FROM {everyone}"))
    for table in _tables(conn):
        privileges = ", ".join(APP_TABLES.get(table, APP_DEFAULT))
        conn.execute(text(f"GRANT {privileges} ON {_q(table)} TO {_q(roles.app)}"))
    conn.execute(
        text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {PUBLIC_SCHEMA} TO {_q(roles.app)}")
    )
    present = {name for kind, name, _o in _objects(conn) if kind == "VIEW"}
    for view in READ_VIEWS:
        if view in present:
            conn.execute(text(f"GRANT SELECT ON {_q(view)} TO {_q(roles.read)}"))
    for table in READ_INSERT_TABLES:
        conn.execute(text(f"GRANT INSERT ON {_q(table)} TO {_q(roles.read)}"))
    # Tables a later migration adds get the app's ordinary DML at once; ``apply_grants``
    # (run by ``db upgrade`` as the owner) then narrows the special ones again.
    conn.execute(
        text(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {_q(roles.owner)} IN SCHEMA {PUBLIC_SCHEMA} "
            f"GRANT {', '.join(APP_DEFAULT)} ON TABLES TO {_q(roles.app)}"
        )
    )
    conn.execute(
        text(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {_q(roles.owner)} IN SCHEMA {PUBLIC_SCHEMA} "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {_q(roles.app)}"
        )
    )


def owner_prefix(conn: Connection) -> str | None:
    """The prefix when this connection is the owner role of a role set, else None."""
    user = conn.execute(text("SELECT current_user")).scalar_one()
    if not user.endswith("_owner"):
        return None
    prefix = user[: -len("_owner")]
    if not _PREFIX.fullmatch(prefix) or not _exists(conn, f"{prefix}_app"):
        return None
    return prefix


def check(conn: Connection, roles: Roles) -> list[str]:
    """Everything that is not as ``ensure`` leaves it, one sentence each (empty: all good)."""
    problems: list[str] = []
    missing = [r for r in roles.all if not _exists(conn, r)]
    problems += [f"角色 {r} 不存在。" for r in missing]
    if missing:
        return problems
    for role in roles.all:
        attrs = conn.execute(
            text(
                "SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls "
                "FROM pg_roles WHERE rolname = :r"
            ),
            {"r": role},
        ).one()
        if not attrs[0]:
            problems.append(f"角色 {role} 不能登录。")
        if role != roles.owner and any(attrs[1:]):
            problems.append(f"角色 {role} 有超级用户、建角色、建库或绕过行安全的权力。")
    for role in (roles.app, roles.read):
        if _member(conn, role, roles.owner):
            problems.append(f"角色 {role} 是 {roles.owner} 的成员，能以所有者身份行事。")
        if conn.execute(
            text("SELECT has_schema_privilege(:r, :s, 'CREATE')"),
            {"r": role, "s": PUBLIC_SCHEMA},
        ).scalar():
            problems.append(f"角色 {role} 能在数据库里建表（DDL）。")
    for kind, name, owner in _objects(conn):
        if owner != roles.owner:
            what = {"TABLE": "表", "VIEW": "视图", "SEQUENCE": "序列", "FUNCTION": "函数"}[kind]
            problems.append(f"{what} {name} 的所有者是 {owner}，应为 {roles.owner}。")
    for table in _tables(conn):
        wanted = set(APP_TABLES.get(table, APP_DEFAULT))
        for privilege in (*APP_DEFAULT, *APP_NEVER):
            has = _has(conn, roles.app, table, privilege)
            if has and privilege not in wanted:
                problems.append(f"{roles.app} 对 {table} 有不应有的 {privilege} 权限。")
            elif not has and privilege in wanted:
                problems.append(f"{roles.app} 对 {table} 缺少 {privilege} 权限，程序会出错。")
        if _has(conn, roles.read, table, "SELECT") and table not in READ_INSERT_TABLES:
            problems.append(f"{roles.read} 能直接读取表 {table}（只应读取 car_page_* 视图）。")
    present = {name for kind, name, _o in _objects(conn) if kind == "VIEW"}
    for view in READ_VIEWS:
        if view not in present:
            problems.append(f"视图 {view} 不存在：数据库结构需要升级。")
        elif not _has(conn, roles.read, view, "SELECT"):
            problems.append(f"{roles.read} 不能读取视图 {view}。")
    return problems


def _has(conn: Connection, role: str, table: str, privilege: str) -> bool:
    return bool(
        conn.execute(
            text("SELECT has_table_privilege(:r, :t, :p)"),
            {"r": role, "t": f"{PUBLIC_SCHEMA}.{_q(table)}", "p": privilege},
        ).scalar()
    )


def login_warnings(conn: Connection) -> list[str]:
    """What is risky about the login this connection uses, for ``showroom db check``."""
    user, superuser = conn.execute(
        text("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
    ).one()
    warnings = []
    if superuser:
        warnings.append(
            f"当前登录 {user} 是超级用户，能关闭审计日志的保护并改写任何数据。"
            "各电脑应使用只有增删改查权限的应用登录（见 showroom db roles）。"
        )
    owned = conn.execute(
        text("SELECT count(*) FROM pg_tables WHERE schemaname = :s AND tableowner = current_user"),
        {"s": PUBLIC_SCHEMA},
    ).scalar_one()
    if owned and not superuser:
        warnings.append(
            f"当前登录 {user} 是 {owned} 张数据表的所有者，能关闭触发器、清空审计日志。"
            "所有者只应用于升级结构；各电脑请用应用登录（见 showroom db roles）。"
        )
    audit = conn.execute(
        text(
            "SELECT has_table_privilege(current_user, 'public.audit_entries', 'UPDATE') "
            "OR has_table_privilege(current_user, 'public.audit_entries', 'DELETE') "
            "OR has_table_privilege(current_user, 'public.audit_entries', 'TRUNCATE')"
        )
    ).scalar()
    if audit and not owned and not superuser:
        warnings.append(f"当前登录 {user} 能修改或删除审计日志。请用 showroom db roles 重新授权。")
    return warnings
