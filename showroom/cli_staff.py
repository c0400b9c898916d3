"""``showroom staff …`` and ``showroom store …``: staff and store profile from the command line.

For the first administrator of a store and for PCs without a screen. The
commands call the same services as the staff screen, as a command-line actor
(``命令行（os user）`` in the audit log): whoever can run them holds the
database's credentials anyway. Temporary passwords and PINs are printed once
and never logged. Refusals are one plain sentence on stderr and exit code 2.

::

    showroom store add BJ01 --name 朝阳店 [--address … --phone …]
    showroom store show [--store BJ01] [--json]
    showroom store set [--store BJ01] [--name …] [--credit-code …] [--logo logo.png] …
    showroom staff add wangfang --name 王芳 --role reception [--role sales] [--store BJ01]
    showroom staff list [--store BJ01] [--json]
    showroom staff disable wangfang [--reason 离职] | enable wangfang
    showroom staff reset-password wangfang
    showroom staff set-pin wangfang [--pin-stdin | --clear]
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from db.enums import Role

ROLE_CHOICES = tuple(r.value for r in Role)
_PROFILE_OPTIONS = (
    ("name", "门店名称"),
    ("address", "门店地址"),
    ("phone", "联系电话"),
    ("credit_code", "统一社会信用代码（18 位，含校验位）"),
    ("bank_name", "开户银行"),
    ("bank_account", "银行账号"),
    ("letterhead", "抬头附加文字（印在电话之后）"),
    ("public_url", "车辆公开网址（如 https://che.example.cn/bj01）"),
)


def add_parsers(sub: Any) -> None:
    """Add ``staff`` and ``store`` to the ``showroom`` command's sub-parsers."""
    staff = sub.add_parser("staff", help="员工账号：新增、列表、停用、重置密码、设置 PIN")
    s_sub = staff.add_subparsers(dest="staff_command", required=True, metavar="ACTION")
    s_list = s_sub.add_parser("list", help="列出员工")
    s_list.add_argument("--store", metavar="CODE", help="门店编号（默认：全部门店）")
    s_list.add_argument("--active", action="store_true", help="只列出在职员工")
    s_list.add_argument("--json", action="store_true", help="以 JSON 输出")
    s_add = s_sub.add_parser("add", help="新增员工（打印一次性临时密码）")
    s_add.add_argument("username", help="登录用户名（英文字母、数字）")
    s_add.add_argument("--name", required=True, help="姓名")
    s_add.add_argument(
        "--role",
        action="append",
        required=True,
        choices=ROLE_CHOICES,
        help="岗位，可重复：reception、sales、appraiser、manager、group_manager",
    )
    s_add.add_argument("--store", metavar="CODE", help="门店编号（只有一个门店时可省略）")
    s_add.add_argument("--phone", default="", help="手机号（可不填）")
    for action, text in (("disable", "停用员工（保留历史记录）"), ("enable", "重新启用员工")):
        parser = s_sub.add_parser(action, help=text)
        parser.add_argument("username")
        if action == "disable":
            parser.add_argument("--reason", default="", help="停用原因（如 离职）")
    s_reset = s_sub.add_parser("reset-password", help="重置为一次性临时密码（登录后必须修改）")
    s_reset.add_argument("username")
    s_pin = s_sub.add_parser("set-pin", help="设置自助机员工 PIN（默认生成随机 PIN）")
    s_pin.add_argument("username")
    how = s_pin.add_mutually_exclusive_group()
    how.add_argument("--pin-stdin", action="store_true", help="从标准输入读取 PIN")
    how.add_argument("--clear", action="store_true", help="清除 PIN")

    store = sub.add_parser("store", help="门店资料：查看、修改、新增门店")
    t_sub = store.add_subparsers(dest="store_command", required=True, metavar="ACTION")
    t_show = t_sub.add_parser("show", help="显示门店资料")
    t_show.add_argument("--store", metavar="CODE", help="门店编号（默认：全部门店）")
    t_show.add_argument("--json", action="store_true", help="以 JSON 输出")
    t_set = t_sub.add_parser("set", help="修改门店资料（只改给出的项）")
    t_set.add_argument("--store", metavar="CODE", help="门店编号（只有一个门店时可省略）")
    t_add = t_sub.add_parser("add", help="新增门店")
    t_add.add_argument("code", help="门店编号，2 到 8 位字母或数字，如 BJ01")
    for parser in (t_set, t_add):
        for key, text in _PROFILE_OPTIONS:
            parser.add_argument(f"--{key.replace('_', '-')}", dest=key, help=text)
    t_set.add_argument("--logo", metavar="FILE.png", help="门店标志（PNG，最大 512 KB）")
    t_set.add_argument("--no-logo", action="store_true", help="移除门店标志")

    leads = sub.add_parser("leads", help="线索：导入平台导出的 CSV（懂车帝、瓜子、58同城等）")
    l_sub = leads.add_subparsers(dest="leads_command", required=True, metavar="ACTION")
    l_import = l_sub.add_parser(
        "import", help="从平台导出的 CSV 导入线索（同一号码合并，逐行报告被拒绝的行）"
    )
    l_import.add_argument("file", metavar="FILE.csv", help="要导入的 CSV 文件")
    l_import.add_argument(
        "--as",
        dest="as_user",
        required=True,
        metavar="USERNAME",
        help="以哪位员工的名义导入（记在审计日志里；其门店即线索的门店）",
    )
    l_import.add_argument("--platform", default="", help="平台名称（文件里没有平台列时）")
    l_import.add_argument("--dry-run", action="store_true", help="只检查并写报告，不写入数据库")
    l_import.add_argument("--report", metavar="OUT.csv", help="报告文件路径（默认在数据目录）")


def _actor() -> Any:
    from showroom.services import audit

    try:
        who = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment: still a CLI action
        who = ""
    return audit.Actor(f"命令行（{who}）" if who else "命令行")


def _context(args: argparse.Namespace) -> Any:
    from showroom.cli import _context as open_cli_context

    return open_cli_context(args)


def _store_id(session: Any, code: str | None) -> Any:
    """The store named by ``--store``, or the only one there is."""
    from showroom.errors import ValidationError
    from showroom.services import stores

    if code:
        return stores.store_by_code(session, code)
    found = stores.list_stores(session)
    if len(found) == 1:
        return found[0].id
    if not found:
        raise ValidationError(
            "store.none", "还没有门店。请先用 showroom store add 编号 --name 名称 新建门店。"
        )
    codes = "、".join(s.code for s in found)
    raise ValidationError(
        "store.ambiguous", f"有多个门店（{codes}），请用 --store 指定。", codes=codes
    )


# --- staff ---------------------------------------------------------------------------------------


def cmd_staff(args: argparse.Namespace) -> int:
    ctx = _context(args)
    try:
        return _STAFF[args.staff_command](ctx, args)
    finally:
        ctx.close()


def _staff_list(ctx: Any, args: argparse.Namespace) -> int:
    from showroom.services import staff

    with ctx.database.read() as session:
        store_id = _store_id(session, args.store) if args.store else None
        rows = staff.list_staff(
            session, _actor(), store_id=store_id, include_inactive=not args.active
        )
    if args.json:
        json.dump([_staff_json(r) for r in rows], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for r in rows:
        state = "在职" if r.active else "已停用"
        if r.locked:
            state += "·已锁定"
        if r.must_change_password:
            state += "·待改密码"
        duty = "今日在岗" if r.on_duty_today else "今日不在岗"
        print(
            f"{r.store_code}\t{r.username}\t{r.display_name}\t"
            f"{'+'.join(x.value for x in r.roles)}\t{state}\t{duty}\t"
            f"PIN {'有' if r.has_pin else '无'}"
        )
    return 0


def _staff_json(row: Any) -> dict[str, Any]:
    return {
        "username": row.username,
        "display_name": row.display_name,
        "roles": [r.value for r in row.roles],
        "store": row.store_code,
        "active": row.active,
        "locked": row.locked,
        "must_change_password": row.must_change_password,
        "has_pin": row.has_pin,
        "on_duty_today": row.on_duty_today,
        "phone": row.phone_masked,
        "last_sign_in_at": row.last_sign_in_at.isoformat() if row.last_sign_in_at else None,
        "disabled_at": row.disabled_at.isoformat() if row.disabled_at else None,
    }


def _staff_add(ctx: Any, args: argparse.Namespace) -> int:
    from showroom.services import staff

    with ctx.database.write() as session:
        form = staff.StaffForm(
            display_name=args.name,
            username=args.username,
            roles=frozenset(Role(r) for r in args.role),
            phone=args.phone,
            store_id=_store_id(session, args.store),
        )
        issued = staff.add_staff(session, _actor(), form)
    print(f"已新增员工 {issued.display_name}（{issued.username}）。")
    print(f"临时密码：{issued.secret}")
    print("只显示这一次。请当面交给本人；首次登录时必须改成自己的密码。")
    return 0


def _staff_disable(ctx: Any, args: argparse.Namespace) -> int:
    from showroom.services import staff

    with ctx.database.write() as session:
        staff_id = staff.find_by_username(session, args.username)
        staff.disable_staff(session, _actor(), staff_id, reason=args.reason)
    print(f"已停用 {args.username}：不能再登录或解锁自助机，历史记录和签名保留。")
    return 0


def _staff_enable(ctx: Any, args: argparse.Namespace) -> int:
    from showroom.services import staff

    with ctx.database.write() as session:
        staff.enable_staff(session, _actor(), staff.find_by_username(session, args.username))
    print(f"已重新启用 {args.username}。如忘记密码，请用 showroom staff reset-password。")
    return 0


def _staff_reset(ctx: Any, args: argparse.Namespace) -> int:
    from showroom.services import staff

    with ctx.database.write() as session:
        issued = staff.reset_password(
            session, _actor(), staff.find_by_username(session, args.username)
        )
    print(f"{issued.display_name}（{issued.username}）的临时密码：{issued.secret}")
    print("只显示这一次；账号已解锁，首次登录时必须改成自己的密码。")
    return 0


def _read_pin() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("新 PIN：")
        if getpass.getpass("再输一次：") != first:
            from showroom.errors import ValidationError

            raise ValidationError("staff.pin_mismatch", "两次输入的 PIN 不一致。")
        return first
    return sys.stdin.readline().strip()


def _staff_pin(ctx: Any, args: argparse.Namespace) -> int:
    from showroom.services import staff

    pin = _read_pin() if args.pin_stdin else None
    with ctx.database.write() as session:
        staff_id = staff.find_by_username(session, args.username)
        if args.clear:
            staff.clear_pin(session, _actor(), staff_id)
            issued = None
        else:
            issued = staff.set_pin(session, _actor(), staff_id, pin)
    if issued is None:
        print(f"已清除 {args.username} 的 PIN。")
    elif pin is None:
        print(
            f"{issued.display_name}（{issued.username}）的新 PIN：{issued.secret}（只显示这一次）"
        )
    else:
        print(f"已为 {issued.display_name}（{issued.username}）设置 PIN。")
    return 0


_STAFF = {
    "list": _staff_list,
    "add": _staff_add,
    "disable": _staff_disable,
    "enable": _staff_enable,
    "reset-password": _staff_reset,
    "set-pin": _staff_pin,
}


# --- store ---------------------------------------------------------------------------------------


def cmd_store(args: argparse.Namespace) -> int:
    ctx = _context(args)
    try:
        return _STORE[args.store_command](ctx, args)
    finally:
        ctx.close()


def _store_show(ctx: Any, args: argparse.Namespace) -> int:
    from showroom.services import stores

    with ctx.database.read() as session:
        ids = (
            [_store_id(session, args.store)]
            if args.store
            else [s.id for s in stores.list_stores(session)]
        )
        profiles = [stores.get_profile(session, i) for i in ids]
    if args.json:
        json.dump([p.to_json() for p in profiles], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for profile in profiles:
        print(f"门店 {profile.code}")
        for key, label in (("name", "名称"), *[(k, stores.FIELD_LABELS[k]) for k in _SHOWN]):
            print(f"  {label}：{getattr(profile, key) or '（未填写）'}")
        print(f"  门店标志：{'已设置' if profile.has_logo else '未设置（使用默认标志）'}")
        print(f"  时区：{profile.timezone}")
        missing = profile.missing()
        if missing:
            names = "、".join(stores.FIELD_LABELS[k] for k in missing)
            print(f"  打印合同前还需填写：{names}")
    return 0


_SHOWN = (
    "address",
    "phone",
    "credit_code",
    "bank_name",
    "bank_account",
    "letterhead",
    "public_url",
)


def _form(current: Any, args: argparse.Namespace) -> Any:
    from showroom.services.stores import StoreForm

    values = {
        key: getattr(args, key) if getattr(args, key) is not None else getattr(current, key, "")
        for key, _ in _PROFILE_OPTIONS
    }
    return StoreForm(**values)


def _store_set(ctx: Any, args: argparse.Namespace) -> int:
    from showroom.errors import ValidationError
    from showroom.services import stores

    logo: bytes | None = None
    if args.logo:
        path = Path(args.logo)
        try:
            logo = path.read_bytes()
        except OSError as exc:
            raise ValidationError(
                "store.logo_unreadable",
                f"无法读取标志文件 {path}：{exc.strerror}",
                path=path,
                reason=exc.strerror,
            ) from None
    with ctx.database.write() as session:
        store_id = _store_id(session, args.store)
        current = stores.get_profile(session, store_id)
        profile = stores.update_profile(
            session, _actor(), store_id, _form(current, args), loaded_version=current.row_version
        )
        if logo is not None or args.no_logo:
            stores.set_logo(session, _actor(), store_id, logo)
    print(f"门店 {profile.code} 的资料已保存。")
    missing = profile.missing()
    if missing:
        names = "、".join(stores.FIELD_LABELS[k] for k in missing)
        print(f"打印合同前还需填写：{names}")
    return 0


def _store_add(ctx: Any, args: argparse.Namespace) -> int:
    from showroom.errors import ValidationError
    from showroom.services import stores

    if not args.name:
        raise ValidationError("store.name_missing", "请用 --name 填写门店名称。")
    with ctx.database.write() as session:
        stores.add_store(session, _actor(), args.code, _form(None, args))
    print(
        f"已新增门店 {args.code.strip().upper()}。下一步：showroom staff add 用户名 --name 姓名 "
        f"--role manager --store {args.code.strip().upper()}"
    )
    return 0


_STORE = {"show": _store_show, "set": _store_set, "add": _store_add}


# --- leads ---------------------------------------------------------------------------------------


def cmd_leads(args: argparse.Namespace) -> int:
    """``showroom leads import FILE.csv --as USERNAME``: the dialog's import, for a script."""
    from pathlib import Path

    from showroom.clock import utcnow
    from showroom.services import auth, lead_import, staff

    source = Path(args.file)
    ctx = _context(args)
    now = utcnow()
    try:
        with ctx.database.write() as session:
            staff_id = staff.find_by_username(session, args.as_user)
            result = lead_import.import_leads(
                session,
                auth.user_of(session, staff_id),
                source,
                platform=args.platform,
                response_hours=ctx.settings["lead_response_hours"],
                now=now,
                dry_run=args.dry_run,
            )
        report = Path(args.report) if args.report else None
        lead_import.write_report(
            result, report or lead_import.default_report_path(ctx.paths.data_dir, source, now)
        )
    finally:
        ctx.close()
    for row in result.outcomes:
        if row.outcome == lead_import.REJECTED:
            print(f"第 {row.line} 行：{row.reason}", file=sys.stderr)
    print(f"{result.summary()}{'（试运行，未写入）' if args.dry_run else ''}")
    print(f"报告：{result.report_path}")
    return 0
