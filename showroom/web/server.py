"""Running ``showroom web``: read-only database connections, waitress, the store address.

The pages use an engine on which every transaction is read-only: PostgreSQL's
``default_transaction_read_only`` (set at connect, so no page can forget it) and SQLite's
``query_only``. The two requests go through a second ``Database`` (by default the same
URL, ``--requests-database`` for a role that may insert them), so a database role that can
only read serves every page. The schema must be the app's: the server never migrates.
"""

from __future__ import annotations

import logging
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event

from db.engine import Database, make_engine
from showroom.context import connect, describe_url, with_saved_password
from showroom.errors import SchemaMismatch, ShowroomError
from showroom.vehicle_links import runtime_file, write_runtime_file

log = logging.getLogger("showroom.web")

DEFAULT_PORT = 8080
THREADS = 8


def _sqlite_query_only(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


def read_only_database(url: str) -> Database:
    """A ``Database`` whose transactions cannot write (pages only)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        engine = make_engine(
            parsed, connect_args={"options": "-c default_transaction_read_only=on"}
        )
    else:
        engine = make_engine(parsed)
        event.listen(engine, "connect", _sqlite_query_only)
    database = Database(engine)
    database.writes_refused = "网页服务的只读连接不能写入。"
    return database


def check_schema(database: Database) -> None:
    """Refuse to serve a database whose schema is not exactly this app's."""
    from db import schema

    state = schema.schema_state(database)
    if state.status != "current":
        raise SchemaMismatch(
            "web.schema",
            f"数据库结构版本（{state.current or '空'}）与本程序（{state.head}）不一致，"
            "网页服务不会启动。请先运行 “showroom db upgrade” 或升级本程序。",
            current=state.current or "",  # the UI says "none"
            head=state.head,
        )


@dataclass
class Databases:
    read: Database
    write: Database

    def dispose(self) -> None:
        self.read.dispose()
        if self.write is not self.read:
            self.write.dispose()


def open_databases(url: str, requests_url: str | None = None) -> Databases:
    """Connect (plain sentences for a bad URL or a server down) and check the schema."""
    writer = connect(requests_url or url)
    try:
        check_schema(writer)
        reader = read_only_database(with_saved_password(url))
        with reader.read() as session:
            session.connection()  # fail now, not on the first customer's page
    except Exception:
        writer.dispose()
        raise
    log.info("web pages read %s", describe_url(url))
    return Databases(reader, writer)


def store_addresses() -> list[str]:
    """This PC's IPv4 addresses other than loopback (for the store-network URL), best first."""
    found: list[str] = []
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        infos = []
    for info in infos:
        address = str(info[4][0])
        if not address.startswith("127.") and address not in found:
            found.append(address)
    return found


def store_base_url(host: str, port: int, public_host: str | None = None) -> str | None:
    """The address phones on the store network use, e.g. ``http://192.168.1.20:8080``;
    None when listening on every address and this PC has none but loopback (a QR code
    with 127.0.0.1 in it would open nothing on a phone)."""
    if public_host:
        name = public_host
    elif host not in ("0.0.0.0", "", "::"):
        name = host
    else:
        found = store_addresses()
        if not found:
            return None
        name = found[0]
    return f"http://{name}:{port}"


def serve(
    app: Any,
    *,
    host: str,
    port: int,
    base: str | None,
    data_dir: Path,
    trusted_proxy: str | None = None,
    ready: Callable[[str | None], None] = print,
) -> None:
    """Serve ``app`` with waitress until interrupted; the runtime file (this PC's kiosk
    finds the server by it) exists meanwhile, when the store-network address is known."""
    from waitress import serve as waitress_serve

    marker = runtime_file(data_dir)
    # Ctrl+C and a service manager's SIGTERM both stop the server cleanly (the runtime
    # file removed), also when started by a process that ignores SIGINT for its
    # children (a background shell job, a test runner's worker).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    if base is not None:
        write_runtime_file(marker, base)
    ready(base)
    extra: dict[str, Any] = {}
    if trusted_proxy:
        extra = {"trusted_proxy": trusted_proxy, "trusted_proxy_headers": {"x-forwarded-for"}}
    try:
        waitress_serve(app, host=host, port=port, threads=THREADS, ident="showroom", **extra)
    except OSError as exc:
        raise ShowroomError(
            "web.port",
            f"无法在端口 {port} 上启动网页服务：{exc}。请换一个端口（--port）。",
            port=port,
            detail=str(exc),
        ) from exc
    finally:
        marker.unlink(missing_ok=True)
