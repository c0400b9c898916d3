"""The application context: built once in ``main`` (or a test) and passed down.

No globals: the engine, settings, paths and change bus travel in this object.
``open_context`` also turns every start-up fault (bad URL, server down, file
locked, schema mismatch) into a ``ShowroomError`` the start screen can show.

SQLAlchemy and Alembic are imported inside the functions that need them: the
first screen is painted before they load (about half a second), and opening
the database runs in a worker anyway.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from showroom.changes import ChangeBus
from showroom.errors import DatabaseUnavailable, SchemaMismatch
from showroom.paths import AppPaths
from showroom.settings import Settings

if TYPE_CHECKING:
    from db import schema
    from db.engine import Database
    from showroom.audit_anchors import AnchorBook
    from showroom.sync.service import SyncService

log = logging.getLogger("showroom.context")


@dataclass
class AppContext:
    paths: AppPaths
    settings: Settings
    database: Database
    bus: ChangeBus = field(default_factory=ChangeBus)
    schema_state: schema.SchemaState | None = None
    sync: SyncService | None = None
    # The shared server did not answer at start and this PC works from its read cache
    # (``open_context``): the outbox takes what can wait until the server is back.
    started_offline: bool = False
    anchors: AnchorBook | None = None

    @property
    def embedded(self) -> bool:
        return self.database.kind == "sqlite"

    def start_sync(self) -> SyncService:
        """Outbox, replay and live feed (other PCs' changes on ``bus``); see showroom.sync."""
        if self.sync is None:
            from showroom.sync.service import SyncService

            self.sync = SyncService.for_context(self)
            if self.started_offline:
                # Reads go to the cache and what can wait to the outbox at once, without
                # first waiting for a connection timeout; the watcher finds the server.
                self.sync.online = False
                self.sync.first_contact = self._first_contact
            self.sync.start()
        return self.sync

    def _first_contact(self) -> bool:
        """Back from a start while the server was down: check its schema before writing."""
        self.schema_state = prepare_schema(self.database)
        self.started_offline = False
        return not self.database.writes_refused

    def close(self) -> None:
        if self.sync is not None:
            self.sync.stop()
            self.sync = None
        self.database.dispose()


def embedded_url(path: Path) -> str:
    return f"sqlite:///{path}"


def database_url(settings: Settings, paths: AppPaths) -> str:
    return settings["database_url"] or embedded_url(paths.embedded_database)


_URL = re.compile(
    r"^(?P<scheme>[A-Za-z][\w+.-]*://)(?:(?P<user>[^:@/]*)(?::[^@/]*)?@)?(?P<rest>.*)$"
)


def describe_url(url: str) -> str:
    """The URL without its password, for messages and logs (no SQLAlchemy needed)."""
    match = _URL.match(url.strip())
    if match is None:
        return "（无法解析的地址）"
    user = match.group("user")
    had_password = user is not None and ":" in url.split("://", 1)[1].split("@", 1)[0]
    credentials = ""
    if user is not None:
        credentials = f"{user}:***@" if had_password else f"{user}@"
    return f"{match.group('scheme')}{credentials}{match.group('rest')}"


# The two databases the app is built and tested for.
SUPPORTED_BACKENDS = frozenset({"sqlite", "postgresql"})


def connect(url: str) -> Database:
    """Open and check the database at ``url``; raise ``DatabaseUnavailable`` plainly."""
    from sqlalchemy import make_url, text
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

    from db.engine import Database

    shown = describe_url(url)
    url = with_saved_password(url)
    try:
        backend = make_url(url).get_backend_name()
        if backend not in SUPPORTED_BACKENDS:
            raise DatabaseUnavailable(
                "db.unsupported",
                f"不支持这种数据库：{shown}。请使用 PostgreSQL（postgresql+psycopg://…）"
                "或本机内置数据库（sqlite:///…）。",
                url=shown,
            )
        database = Database.from_url(url)
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as exc:
        raise DatabaseUnavailable(
            "db.bad_url", f"数据库地址无效：{shown}。请在设置中检查地址。", url=shown
        ) from exc
    if database.kind == "sqlite" and database.engine.url.database:
        Path(database.engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        with database.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except (OperationalError, DBAPIError) as exc:
        database.dispose()
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0:1]
        detail = reason[0] if reason else ""
        if "locked" in detail.lower():
            raise DatabaseUnavailable(
                "db.locked",
                f"数据库文件被占用（{shown}）。请关闭其他正在使用它的程序后重试。",
                url=shown,
            ) from exc
        if "does not exist" in detail.lower() and "database" in detail.lower():
            raise DatabaseUnavailable(
                "db.missing",
                f"服务器上没有这个数据库（{shown}）。请检查数据库名，或请管理员先创建它。",
                url=shown,
            ) from exc
        lowered = detail.lower()
        if (
            "password" in lowered
            or "authentication" in lowered
            or ("role" in lowered and "does not exist" in lowered)
        ):
            raise DatabaseUnavailable(
                "db.auth", f"数据库拒绝登录（{shown}）：用户名或密码不正确。", url=shown
            ) from exc
        if any(
            word in lowered
            for word in ("refused", "timeout", "timed out", "translate host", "unreachable")
        ):
            detail = "服务器没有响应：请检查主机名和端口、服务器是否开启、防火墙是否放行。" + (
                f"（{detail}）" if detail else ""
            )
        raise DatabaseUnavailable(
            "db.unreachable", f"无法连接数据库 {shown}：{detail}", url=shown, detail=detail
        ) from exc
    return database


def with_saved_password(url: str) -> str:
    """``url`` with the password kept in the OS keyring, when it has none of its own."""
    from showroom.sync import credentials

    return credentials.with_saved_password(url, AppPaths.default().config_dir)


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str  # one Chinese sentence: what works, or what is wrong and what to do
    # Risks of a login that works: it owns the tables, is a superuser, can edit the audit log.
    warnings: tuple[str, ...] = ()


def check_connection(url: str) -> ConnectionCheck:
    """Connect, check the schema version, disconnect; never raises for a bad server."""
    from db import schema

    shown = describe_url(url)
    try:
        database = connect(url)
    except DatabaseUnavailable as exc:
        return ConnectionCheck(False, exc.message)
    warnings: tuple[str, ...] = ()
    try:
        state = schema.schema_state(database)
        if database.kind == "postgresql" and state.status == "current":
            warnings = _login_warnings(database)
    except Exception as exc:  # noqa: BLE001 - any failure here is the answer to show
        return ConnectionCheck(False, f"已连接 {shown}，但无法读取数据库结构版本：{exc}")
    finally:
        kind = database.kind
        database.dispose()
    if kind == "sqlite" and state.status in ("empty", "older"):
        return ConnectionCheck(True, f"连接成功：{shown}（本机数据库，启动时自动建立或升级结构）。")
    if state.status == "current":
        message = f"连接成功：{shown}，数据库结构版本 {state.current}，与本程序一致。"
        if warnings:
            message += "\n" + "\n".join(f"注意：{w}" for w in warnings)
        return ConnectionCheck(True, message, warnings)
    if state.status == "empty":
        return ConnectionCheck(
            False, f"已连接 {shown}，但数据库是空的。请由管理员运行 “showroom db upgrade”。"
        )
    if state.status == "older":
        return ConnectionCheck(
            False,
            f"已连接 {shown}，但数据库结构版本较旧（{state.current}，本程序需要 {state.head}）。"
            "请由管理员运行 “showroom db upgrade”。",
        )
    return ConnectionCheck(
        False,
        f"已连接 {shown}，但数据库结构版本（{state.current}）比本程序新（{state.head}）。"
        "请升级本程序。",
    )


def _login_warnings(database: Database) -> tuple[str, ...]:
    from db import privileges

    with database.engine.connect() as conn:
        return tuple(privileges.login_warnings(conn))


def prepare_schema(database: Database, *, migrate_embedded: bool = True) -> schema.SchemaState:
    """Migrate the embedded database; for a shared one, only check and refuse writes."""
    from db import schema

    state = schema.schema_state(database)
    if state.status in ("empty", "older") and (database.kind == "sqlite" and migrate_embedded):
        schema.upgrade(database)
        state = schema.schema_state(database)
    if state.status == "empty":
        database.writes_refused = "数据库尚未初始化。请由管理员运行 “showroom db upgrade”。"
    elif state.status == "older":
        database.writes_refused = (
            f"数据库结构版本较旧（{state.current}，本程序需要 {state.head}）。"
            "请由管理员运行 “showroom db upgrade” 后再使用；在此之前不能保存任何数据。"
        )
    elif state.status == "newer":
        database.writes_refused = (
            f"数据库结构版本（{state.current}）比本程序新（{state.head}）。"
            "请升级本程序；在此之前不能保存任何数据。"
        )
    if database.writes_refused:
        log.warning("writes refused: %s", database.writes_refused)
    return state


def open_context(
    paths: AppPaths, settings: Settings, url: str | None = None, *, from_cache: bool = False
) -> AppContext:
    """The database at ``url`` (or the settings'), opened and checked.

    ``from_cache`` (the app, not the admin commands): a shared server that does not
    answer is not the end of the day when this PC holds a read cache of it; the context
    then starts offline (``started_offline``), reading from the cache and queueing what
    can wait, until the server answers again.
    """
    from sqlalchemy.exc import DBAPIError, OperationalError

    target = url or database_url(settings, paths)
    try:
        database = connect(target)
    except DatabaseUnavailable as exc:
        offline = _from_read_cache(paths, settings, target, exc) if from_cache else None
        if offline is None:
            raise
        return offline
    try:
        state = prepare_schema(database)
    except (OperationalError, DBAPIError) as exc:
        database.dispose()
        raise DatabaseUnavailable(
            "db.migrate_failed",
            f"数据库升级失败：{getattr(exc, 'orig', exc)}",
            detail=str(getattr(exc, "orig", exc)),
        ) from exc
    anchors = keep_audit_anchors(database, paths, url or database_url(settings, paths))
    return AppContext(paths, settings, database, schema_state=state, anchors=anchors)


def warm_up_orm() -> None:
    """Configure every mapper now (some 30 ms), in the background after start-up.

    ``open_context`` reads only through tables so that the app is ready sooner; the
    first ORM query would otherwise pay for this when a user taps or signs in.
    """
    from sqlalchemy.orm import configure_mappers

    import db.models  # noqa: F401 - every mapped class, related ones included

    configure_mappers()


def keep_audit_anchors(database: Database, paths: AppPaths, url: str) -> AnchorBook:
    """Anchor the audit head in this PC's file now and after every write that appends.

    See ``showroom.audit_anchors``: a head written down outside the database makes a
    rewritten or cut audit log visible to ``showroom audit verify``.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from showroom.audit_anchors import AnchorBook

    book = AnchorBook.for_database(paths.audit_anchors_dir, url)
    database.on_audit_commit = book.record
    if database.writes_refused is None:
        try:
            from showroom.services import audit

            with database.read() as session:
                head = audit.current_anchor(session)
            book.record(head.seq, head.hash, "start")
        except SQLAlchemyError as exc:  # a start-up must not fail for an anchor
            log.warning("audit head not anchored at start: %s", exc)
    return book


def require_writable(context: AppContext) -> None:
    if context.database.writes_refused:
        raise SchemaMismatch(
            "db.schema_mismatch",
            context.database.writes_refused,
            reason=context.database.writes_refused,
        )


def _from_read_cache(
    paths: AppPaths, settings: Settings, url: str, failure: DatabaseUnavailable
) -> AppContext | None:
    """An offline context when the server is unreachable and a read cache exists, else None.

    Only "not answering" qualifies: a refused login or a missing database is a setting
    to fix, and an embedded database has no server to wait for.
    """
    if failure.code != "db.unreachable" or not url.startswith("postgresql"):
        return None
    from db.engine import Database
    from db.sync import replica

    cache = replica.ReadReplica(paths.data_dir / replica.FILE)
    try:
        cached_at = cache.synced_at()
    finally:
        cache.dispose()
    if cached_at is None:
        return None
    log.warning(
        "shared database unreachable at start; working from the read cache of %s (%s)",
        cached_at.isoformat(timespec="minutes"),
        failure.params.get("detail", ""),
    )
    database = Database.from_url(with_saved_password(url))
    return AppContext(paths, settings, database, started_offline=True)
