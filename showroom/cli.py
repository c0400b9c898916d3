"""The ``showroom`` command: the app and an admin tool.

Admin subcommands run here without importing Qt; starting the app (and the
offscreen ``self-test``) is handed to ``ui.main``. Exit codes: 0 success,
1 a check failed (``audit verify``), 2 usage or a refused action.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from typing import Any

from showroom import __version__
from showroom.clock import utcnow

log = logging.getLogger("showroom.cli")

GUI_COMMANDS = {None, "self-test", "print", "documents"}  # print paints with Qt (offscreen)

# What ``showroom`` alone may be given; anything else goes through the full parser.
_START_FLAGS = {"--kiosk": "kiosk", "--exit-after-startup": "exit_after_startup"}
_START_OPTIONS = {"--database": "database", "--lang": "lang"}
_LANGUAGES = ("zh_CN", "en")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="showroom", description="Showroom 二手车展厅系统：启动程序或执行管理命令。"
    )
    parser.add_argument("--version", action="version", version=f"showroom {__version__}")
    parser.add_argument("--database", metavar="URL", help="数据库地址（覆盖设置与环境变量）")
    parser.add_argument("--kiosk", action="store_true", help="以客户自助机模式全屏启动")
    parser.add_argument("--lang", choices=_LANGUAGES, help="界面语言")
    parser.add_argument(
        "--exit-after-startup",
        action="store_true",
        help="启动并完成首屏绘制后立即退出（用于测速和打包检查）",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    db = sub.add_parser("db", help="数据库结构迁移")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="升级到最新结构")
    db_sub.add_parser("current", help="显示当前结构版本")
    check = db_sub.add_parser("check", help="测试数据库连接（登录、可达、结构版本）")
    check.add_argument(
        "--database", metavar="URL", default=argparse.SUPPRESS, help="要测试的数据库地址"
    )
    roles = db_sub.add_parser(
        "roles",
        help="建立或检查最小权限的数据库角色（所有者、应用、只读；仅 PostgreSQL）",
    )
    roles.add_argument(
        "--database",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="以数据库管理员（超级用户）登录的地址",
    )
    roles.add_argument(
        "--prefix", default="showroom", help="角色名前缀（默认 showroom：showroom_owner 等）"
    )
    roles.add_argument("--check", action="store_true", help="只检查，不做任何修改")

    demo = sub.add_parser("demo", help="生成演示数据")
    demo.add_argument("--cars", type=int, default=300, help="车辆数（默认 300）")
    demo.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")

    vehicles = sub.add_parser("vehicles", help="库存车辆")
    v_sub = vehicles.add_subparsers(dest="vehicles_command", required=True, metavar="ACTION")
    v_list = v_sub.add_parser("list", help="列出库存")
    v_list.add_argument("--json", action="store_true", help="以 JSON 输出")
    v_list.add_argument("--status", help="状态：preparing/on_sale/reserved/test_drive/sold")
    v_list.add_argument("--brand", help="品牌")
    v_list.add_argument("--search", default="", help="在品牌、车型、VIN、车牌、库存号中搜索")
    v_list.add_argument("--limit", type=int, default=None, help="最多输出条数")
    v_import = v_sub.add_parser("import", help="从 CSV 导入库存（逐行报告被拒绝的行及原因）")
    v_import.add_argument("file", metavar="FILE.csv", help="要导入的 CSV 文件")
    v_import.add_argument("--preset", help="列映射模板：che168、showroom（默认按表头识别）")
    v_import.add_argument("--dry-run", action="store_true", help="只检查并写报告，不写入数据库")
    v_import.add_argument("--report", metavar="OUT.csv", help="报告文件路径（默认在数据目录）")

    audit = sub.add_parser("audit", help="审计日志")
    a_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    a_verify = a_sub.add_parser(
        "verify", help="校验审计日志的哈希链，并与本机保存的链外锚点核对（发现改写或截断）"
    )
    a_verify.add_argument(
        "--anchor",
        action="append",
        default=[],
        metavar="A<序号>-<哈希>",
        help="另外核对一个抄下来的锚点，例如 A1234-0123456789abcdef（可重复）",
    )
    a_sub.add_parser(
        "anchor", help="显示当前链头锚点（抄在日结单或存档纸上，日后用 verify --anchor 核对）"
    )

    privacy = sub.add_parser("privacy", help="个人信息保护（PIPL）")
    p_sub = privacy.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")
    purge = p_sub.add_parser(
        "purge", help="按保留期限清除从未成交客户的到店记录，并将其匿名化（合同、收据依法保留）"
    )
    purge.add_argument(
        "--years", type=int, default=None, help="保留年数（默认取设置 retention_years）"
    )
    purge.add_argument("--dry-run", action="store_true", help="只统计，不做任何修改")

    print_cmd = sub.add_parser("print", help="把存档文件输出为 PDF（标注“副本”并存档）")
    from showroom.documents.archive import kinds_help

    print_cmd.add_argument("kind", help=f"文件类型（以下任一名称）：{kinds_help()}")
    print_cmd.add_argument(
        "number",
        help="文件编号：预约码、收据号、合同号、报告号、退车协议号、索赔单号、收车协议号；"
        "car-sheet 可用库存编号打印新单",
    )
    print_cmd.add_argument("--pdf", required=True, metavar="OUT", help="输出的 PDF 文件路径")
    documents = sub.add_parser("documents", help="已存档的文件")
    d_sub = documents.add_subparsers(dest="documents_command", required=True, metavar="ACTION")
    d_list = d_sub.add_parser("list", help="列出存档文件")
    d_list.add_argument("--json", action="store_true", help="以 JSON 输出")
    d_list.add_argument("--kind", help="只列出这一类文件")

    from showroom import cli_staff

    cli_staff.add_parsers(sub)
    web = sub.add_parser("web", help="在门店网络上提供车辆网页（手机扫码看车、预约）")
    web.add_argument(
        "--database", metavar="URL", default=argparse.SUPPRESS, help="只读数据库地址（网页读取用）"
    )
    web.add_argument(
        "--requests-database",
        metavar="URL",
        help="写入试驾预约和检测日报名所用的数据库地址（默认与 --database 相同）",
    )
    web.add_argument("--host", default="0.0.0.0", help="监听地址（默认 0.0.0.0：门店网络可访问）")
    web.add_argument("--port", type=int, default=8080, help="端口（默认 8080）")
    web.add_argument(
        "--public-host", metavar="NAME", help="手机访问用的主机名或 IP（默认自动检测本机地址）"
    )
    web.add_argument(
        "--trusted-proxy", metavar="ADDR", help="前置反向代理的地址（按其 X-Forwarded-For 限流）"
    )

    publish = sub.add_parser("publish", help="把车辆网页导出为静态网站（增量更新）")
    publish.add_argument("--out", required=True, metavar="DIR", help="输出文件夹")
    publish.add_argument("--database", metavar="URL", default=argparse.SUPPRESS, help="数据库地址")

    sub.add_parser("self-test", help="离屏自检：建库、显示主窗口后退出")
    return parser


def _context(args: argparse.Namespace) -> Any:
    from showroom.context import open_context
    from showroom.paths import AppPaths
    from showroom.settings import Settings

    paths = AppPaths.default().ensure()
    settings = Settings.load(paths.settings_file, cli={"database_url": args.database})
    return open_context(paths, settings)


def _cmd_db(args: argparse.Namespace) -> int:
    from db import schema
    from showroom.context import connect, database_url, describe_url
    from showroom.paths import AppPaths
    from showroom.settings import Settings

    paths = AppPaths.default().ensure()
    settings = Settings.load(paths.settings_file, cli={"database_url": args.database})
    url = database_url(settings, paths)
    if args.db_command == "check":
        from showroom.context import check_connection

        result = check_connection(url)
        print(result.message, file=sys.stdout if result.ok else sys.stderr)
        return 0 if result.ok else 2
    if args.db_command == "roles":
        return _cmd_db_roles(args, url)
    database = connect(url)
    try:
        if args.db_command == "upgrade":
            before = schema.current_revision(database)
            state = schema.schema_state(database)
            if state.status == "newer":
                print(
                    f"数据库版本 {state.current} 比本程序新（{state.head}），不做降级。",
                    file=sys.stderr,
                )
                return 2
            schema.upgrade(database)
            after = schema.current_revision(database)
            print(f"{describe_url(url)}: {before or '(空)'} -> {after}")
            _regrant_as_owner(database)
        else:
            state = schema.schema_state(database)
            print(
                f"{describe_url(url)}: current={state.current or '(空)'} head={state.head} "
                f"status={state.status}"
            )
    finally:
        database.dispose()
    return 0


def _regrant_as_owner(database: Any) -> None:
    """After an upgrade run as the owner role, narrow the new tables' grants again."""
    if database.kind != "postgresql":
        return
    from db import privileges

    with database.engine.begin() as conn:
        prefix = privileges.owner_prefix(conn)
        if prefix is not None:
            roles = privileges.Roles.named(prefix)
            privileges.apply_grants(conn, roles)
    if prefix is not None:
        print(f"已按最小权限重新授权：{roles.app}、{roles.read}。")


def _cmd_db_roles(args: argparse.Namespace, url: str) -> int:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from db import privileges
    from showroom.context import connect, describe_url

    try:
        roles = privileges.Roles.named(args.prefix)
    except privileges.PrivilegeError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    database = connect(url)
    try:
        if database.kind != "postgresql":
            print(
                "本机内置数据库（SQLite）没有登录和权限，showroom db roles 不适用；"
                "门店共用的 PostgreSQL 才需要设置角色。"
            )
            return 0
        created: dict[str, str] = {}
        try:
            if not args.check:
                with database.engine.begin() as conn:
                    created = privileges.ensure(conn, roles)
            with database.engine.connect() as conn:
                problems = privileges.check(conn, roles)
        except DBAPIError as exc:
            detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            print(
                f"没有权限设置角色（{describe_url(url)}）：请用数据库管理员（超级用户）"
                f"的地址运行。数据库回答：{detail}",
                file=sys.stderr,
            )
            return 2
    finally:
        database.dispose()
    base = make_url(url)
    for role, password in created.items():
        login = base.set(username=role, password=password).render_as_string(hide_password=False)
        use = {
            roles.owner: "升级数据库结构时使用（showroom --database 此地址 db upgrade）",
            roles.app: "填入每台电脑的 设置 → 数据库地址",
            roles.read: "留给车辆公开页面的服务器",
        }[role]
        print(f"已建立角色 {role}，{use}：\n  {login}")
    if created:
        print("密码只显示这一次，请妥善保存（设置里填入后会存入系统钥匙串）。")
    if problems:
        print("检查未通过：", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(
        f"角色与权限无误：{roles.owner} 拥有全部表，{roles.app} 只有增删改查"
        f"（审计日志只能追加），{roles.read} 只能读车辆公开视图。"
    )
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from showroom import demo

    if args.cars < 0:
        print("车辆数不能为负数。", file=sys.stderr)
        return 2
    ctx = _context(args)
    started = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        print(f"\r{stage} {done}/{total}", end="", file=sys.stderr, flush=True)

    try:
        summary = demo.generate(
            ctx.database,
            cars=args.cars,
            seed=args.seed,
            store_code=ctx.settings["store_code"],
            store_name=ctx.settings["store_name"],
            progress=progress,
        )
        # One archived paper of each kind that exists, so each can be printed at once.
        # Painting needs Qt (offscreen); like main(), the CLI reaches up to ui lazily.
        from ui.documents.demo import archive_demo_documents

        archive_demo_documents(ctx)
    finally:
        print(file=sys.stderr)
        ctx.close()
    print(f"演示数据已生成（{time.perf_counter() - started:.1f} 秒）：")
    print(
        f"  车辆 {summary.cars} · 客户 {summary.customers} · 到店 {summary.visits} · "
        f"试驾 {summary.test_drives} · 检测日报名 {summary.registrations} · "
        f"检测 {summary.inspections} · 意向金 {summary.deposits} · 合同 {summary.contracts}"
    )
    print("演示账号（仅用于演示，正式使用前请删除或改密码）：")
    for cred in summary.staff:
        pin = f"  PIN {cred.pin}" if cred.pin else ""
        roles = "+".join(r.value for r in (cred.roles or (cred.role,)))
        print(f"  {roles:<16} {cred.username:<12} 密码 {cred.password}{pin}  ({cred.display_name})")
    return 0


def _cmd_vehicles_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from showroom.services import vehicle_import
    from showroom.users import SYSTEM

    source = Path(args.file)
    ctx = _context(args)
    report = Path(args.report) if args.report else None
    report = report or vehicle_import.default_report_path(ctx.paths.data_dir, source)

    def progress(done: int, total: int) -> None:
        print(f"\r导入 {done}/{total}", end="", file=sys.stderr, flush=True)

    started = time.perf_counter()
    try:
        with ctx.database.write() as session:
            result = vehicle_import.import_file(
                session,
                source,
                store_code=ctx.settings["store_code"],
                actor=SYSTEM,
                preset=args.preset,
                dry_run=args.dry_run,
                report_path=report,
                progress=progress,
            )
    finally:
        print(file=sys.stderr)
        ctx.close()
    for row in result.outcomes:
        if row.outcome == vehicle_import.REJECTED:
            print(f"第 {row.line} 行：{row.reason}", file=sys.stderr)
    dry = "（试运行，未写入）" if args.dry_run else ""
    print(f"{result.summary()}{dry}，用时 {time.perf_counter() - started:.1f} 秒")
    print(f"报告：{result.report_path}")
    return 0


def _cmd_vehicles(args: argparse.Namespace) -> int:
    from db.models import VehicleStatus

    if args.vehicles_command == "import":
        return _cmd_vehicles_import(args)
    from showroom.services.vehicles import VehicleFilter, list_vehicles

    status = None
    if args.status:
        try:
            status = VehicleStatus(args.status)
        except ValueError:
            choices = "/".join(s.value for s in VehicleStatus)
            print(f"未知状态“{args.status}”，可选：{choices}", file=sys.stderr)
            return 2
    ctx = _context(args)
    try:
        with ctx.database.read() as session:
            rows = list_vehicles(
                session,
                VehicleFilter(text=args.search, brand=args.brand, status=status),
                limit=args.limit,
            )
    finally:
        ctx.close()
    if args.json:
        import json

        json.dump([r.to_json() for r in rows], sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        for r in rows:
            print(
                f"{r.stock_no}\t{r.brand} {r.model}\t{r.year}\t{r.mileage_km} km\t"
                f"¥{r.price:,}\t{r.status.value}\t{r.plate or ''}\t{r.vin or ''}"
            )
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from showroom.audit_anchors import parse_anchor
    from showroom.services import audit

    if args.audit_command == "anchor":
        return _cmd_audit_anchor(args)
    try:
        typed = [parse_anchor(text) for text in args.anchor]
    except ValueError:
        print(
            "锚点格式不对，应为 A<序号>-<至少 8 位十六进制>，例如 A1234-0123456789abcdef。",
            file=sys.stderr,
        )
        return 2
    ctx = _context(args)
    try:
        kept = ctx.anchors.anchors() if ctx.anchors is not None else []
        with ctx.database.read() as session:
            result = audit.verify(session, [*kept, *typed])
            head = audit.current_anchor(session)
        if result.ok and ctx.anchors is not None:
            ctx.anchors.record(head.seq, head.hash, "verify")
    finally:
        ctx.close()
    if result.ok:
        print(
            f"审计日志完整：{result.entries} 条，哈希链无误；已与 {result.anchors} 个链外锚点核对。"
        )
        return 0
    print(
        f"审计日志被篡改：{result.reason}（第一个异常条目：{result.first_broken_seq}）",
        file=sys.stderr,
    )
    return 1


def _cmd_audit_anchor(args: argparse.Namespace) -> int:
    from showroom.services import audit

    ctx = _context(args)
    try:
        with ctx.database.read() as session:
            head = audit.current_anchor(session)
        if ctx.anchors is not None:
            ctx.anchors.record(head.seq, head.hash, "anchor")
    finally:
        ctx.close()
    print(f"当前链头锚点：{head.text}（第 {head.seq} 条）")
    print("请抄在日结单或存档纸上；日后运行 showroom audit verify --anchor " + head.text)
    return 0


def _cmd_privacy(args: argparse.Namespace) -> int:
    from showroom.services import privacy_requests
    from showroom.users import SYSTEM

    ctx = _context(args)
    years = args.years if args.years is not None else ctx.settings["retention_years"]
    try:
        if args.dry_run:
            with ctx.database.read() as session:
                result = privacy_requests.purge_expired(session, SYSTEM, years=years, dry_run=True)
        else:
            with ctx.database.write() as session:
                result = privacy_requests.purge_expired(session, SYSTEM, years=years)
    finally:
        ctx.close()
    cutoff = f"{result.cutoff:%Y-%m-%d}"
    if args.dry_run:
        print(
            f"保留期限 {years} 年（{cutoff} 以前）：{len(result.customers)} 位从未成交的客户"
            f"期满，共 {result.visits} 条到店记录将被清除；{result.leads} 条从未到店的线索"
            "将被删除。未做任何修改。"
        )
        return 0
    print(
        f"保留期限 {years} 年（{cutoff} 以前）：已清除 {len(result.customers)} 位从未成交客户"
        f"的 {result.visits} 条到店记录，并将其匿名化；删除 {result.leads} 条从未到店的线索；"
        "合同、收据和试驾协议依法保留。"
    )
    if len(result.customers) >= privacy_requests.PURGE_BATCH:
        print("一次最多处理 500 位客户，请再运行一次。")
    return 0


def _cmd_staff(args: argparse.Namespace) -> int:
    from showroom import cli_staff

    return cli_staff.cmd_staff(args)


def _cmd_leads(args: argparse.Namespace) -> int:
    from showroom import cli_staff

    return cli_staff.cmd_leads(args)


def _cmd_store(args: argparse.Namespace) -> int:
    from showroom import cli_staff

    return cli_staff.cmd_store(args)


def _web_settings(args: argparse.Namespace) -> tuple[Any, Any, str]:
    from showroom.context import database_url
    from showroom.paths import AppPaths
    from showroom.settings import Settings

    paths = AppPaths.default().ensure()
    settings = Settings.load(paths.settings_file, cli={"database_url": args.database})
    return paths, settings, database_url(settings, paths)


def _cmd_web(args: argparse.Namespace) -> int:
    from showroom.context import describe_url
    from showroom.web.app import WebConfig, create_app
    from showroom.web.server import open_databases, serve, store_base_url

    if not 1 <= args.port <= 65535:
        print(f"端口 {args.port} 无效，请使用 1 到 65535 之间的数字。", file=sys.stderr)
        return 2
    paths, settings, url = _web_settings(args)
    databases = open_databases(url, args.requests_database)
    app = create_app(WebConfig(databases.read, databases.write, settings))
    base = store_base_url(args.host, args.port, args.public_host)

    def ready(address: str | None) -> None:
        if address is None:
            print(
                f"车辆网页已启动，端口 {args.port}（数据库 {describe_url(url)}，只读）。"
                "未找到本机在门店网络中的地址：请用 --public-host 指定手机访问用的 IP 或主机名，"
                "否则二维码不会指向这里。"
            )
            print("  按 Ctrl+C 停止。", flush=True)
            return
        print(f"车辆网页已启动：{address}/（数据库 {describe_url(url)}，只读）")
        print(f"  某辆车：{address}/cars/<库存编号>   检测日报名：{address}/inspection-day")
        if not settings["store_web_url"]:
            print(f"  请在其他电脑的“设置 → 门店网页地址”填写 {address}，自助机二维码即指向这里。")
        print("  按 Ctrl+C 停止。", flush=True)

    try:
        serve(
            app,
            host=args.host,
            port=args.port,
            base=base,
            data_dir=paths.data_dir,
            trusted_proxy=args.trusted_proxy,
            ready=ready,
        )
    finally:
        databases.dispose()
    return 0


def _cmd_publish(args: argparse.Namespace) -> int:
    from pathlib import Path

    from showroom.context import connect
    from showroom.web.publish import publish, site_root
    from showroom.web.server import check_schema

    _paths, settings, url = _web_settings(args)
    site_root(settings)  # says what to set before connecting to anything
    database = connect(url)
    started = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        print(f"\r{stage} {done}/{total}", end="", file=sys.stderr, flush=True)

    try:
        check_schema(database)
        result = publish(database, Path(args.out), settings, now=utcnow(), progress=progress)
    finally:
        print(file=sys.stderr)
        database.dispose()
    for problem in result.problems:
        print(problem, file=sys.stderr)
    print(f"{result.summary()}，用时 {time.perf_counter() - started:.1f} 秒")
    print(f"网站文件夹：{result.out}（上传到 {result.root_url}）")
    return 0


COMMANDS = {
    "db": _cmd_db,
    "demo": _cmd_demo,
    "vehicles": _cmd_vehicles,
    "audit": _cmd_audit,
    "privacy": _cmd_privacy,
    "staff": _cmd_staff,
    "store": _cmd_store,
    "leads": _cmd_leads,
    "web": _cmd_web,
    "publish": _cmd_publish,
}


def run_command(args: argparse.Namespace) -> int:
    """Run an admin subcommand; expected failures print a message, not a traceback."""
    from showroom.errors import ShowroomError
    from showroom.logsetup import configure_logging
    from showroom.paths import AppPaths

    configure_logging(AppPaths.default().ensure().log_file)
    try:
        return COMMANDS[args.command](args)
    except ShowroomError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130


def start_arguments(argv: Sequence[str]) -> argparse.Namespace | None:
    """The plain app start (``showroom [--kiosk] [--database URL] ...``) read without
    building the whole parser and its sub-commands, which costs the first paint some
    10 ms; None when ``argv`` asks for anything else (help, a command, a mistake)."""
    values: dict[str, Any] = dict.fromkeys(("database", "lang", "command"))
    values |= dict.fromkeys(_START_FLAGS.values(), False)
    words = list(argv)
    while words:
        word = words.pop(0)
        name, equals, value = word.partition("=")
        if name in _START_FLAGS and not equals:
            values[_START_FLAGS[name]] = True
        elif name in _START_OPTIONS:
            if not equals:
                if not words or words[0].startswith("-"):
                    return None
                value = words.pop(0)
            if name == "--lang" and value not in _LANGUAGES:
                return None
            values[_START_OPTIONS[name]] = value
        else:
            return None
    return argparse.Namespace(**values)


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    args = start_arguments(words) or build_parser().parse_args(words)
    if args.command in GUI_COMMANDS:
        from ui.main import run_gui  # the GUI layer sits above this one

        return run_gui(args)
    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
