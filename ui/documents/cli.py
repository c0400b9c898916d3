"""``showroom print KIND ID --pdf OUT`` and ``showroom documents list [--json]``.

Printing paints with Qt (fonts, PDF writer), so it lives in the UI layer and
runs on an offscreen ``QGuiApplication``; no window is shown. A print from the
command line is a reprint of the archived original, marked 副本 / COPY and
archived in its turn, exactly as the same button in the app does.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from db.models import DocumentKind
from showroom import numbering
from showroom.documents import archive
from showroom.errors import ShowroomError
from showroom.services import audit, stores

CLI_ACTOR = audit.Actor("命令行")
STORE_ZONE = ZoneInfo("Asia/Shanghai")


def _context(args: argparse.Namespace) -> Any:
    from showroom.context import open_context
    from showroom.paths import AppPaths
    from showroom.settings import Settings

    paths = AppPaths.default().ensure()
    settings = Settings.load(paths.settings_file, cli={"database_url": args.database})
    return open_context(paths, settings)


def _number(kind: DocumentKind, text: str) -> str:
    if kind is DocumentKind.TEST_DRIVE_AGREEMENT:
        return numbering.normalize_booking_code(text)
    return text.strip().upper()


def print_document(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    from ui.documents.fonts import ensure_print_fonts
    from ui.documents.render import cjk_family, render_pdf

    kind = archive.parse_kind(args.kind)
    number = archive.number_for(args.kind, _number(kind, args.number))
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    if cjk_family() is None:
        print("警告：本机没有安装中文字体，打印出的中文可能显示为方框。", file=sys.stderr)
    ctx = _context(args)
    ensure_print_fonts(ctx.paths.cache_dir)
    if kind is DocumentKind.CAR_SHEET and "-CS" not in number:
        # A stock number: print a new sheet for that car (a sheet number reprints as usual).
        try:
            return _print_car_sheet(ctx, number, Path(args.pdf))
        finally:
            ctx.close()
    try:
        with ctx.database.read() as session:
            reprint = archive.prepare_reprint(session, kind, number)
        pdf = render_pdf(reprint.document)
        out = Path(args.pdf)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(pdf)
        with ctx.database.write() as session:
            stored = archive.archive(
                session,
                CLI_ACTOR,
                reprint.document,
                pdf,
                store_id=reprint.store_id,
                subject=reprint.subject,
                subject_id=reprint.subject_id,
            )
    finally:
        ctx.close()
    del app
    print(
        f"{archive.KIND_LABELS.get(kind.value, kind.value)} {number} 副本 {stored.copy_no} "
        f"已输出到 {out}（验证码 {stored.verification_code}，SHA-256 {stored.sha256[:12]}…）"
    )
    return 0


def _print_car_sheet(ctx: Any, stock_no: str, out: Path) -> int:
    from showroom.documents import vehicle_papers as vp
    from showroom.vehicle_links import CarLink, CarLinks
    from ui.documents.render import render_pdf

    links = CarLinks.for_data_dir(ctx.settings, ctx.paths.data_dir)
    with ctx.database.read() as session:
        store_url = stores.car_store_url(session, stock_no)
    links(stock_no, store_url)  # asks the network now (answer kept), not inside the write
    with ctx.database.write() as session:
        vehicle_id = vp.vehicle_by_stock_no(session, stock_no)
        document = vp.issue_car_sheet(
            session,
            vehicle_id,
            settings=ctx.settings,
            templates_dir=ctx.paths.data_dir / "templates",
            zone=STORE_ZONE,
            links=links,
        )
    warning = CarLink(document.extra.get("qr_url") or None, document.extra["qr_kind"]).warning
    if warning:
        print(warning, file=sys.stderr)
    pdf = render_pdf(document)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pdf)
    with ctx.database.write() as session:
        stored = vp.archive_paper(session, CLI_ACTOR, document, pdf, vehicle_id)
    print(
        f"车辆信息单 {document.number}（{stock_no}）已输出到 {out}"
        f"（验证码 {stored.verification_code}，SHA-256 {stored.sha256[:12]}…）"
    )
    return 0


def list_documents(args: argparse.Namespace) -> int:
    kind = archive.parse_kind(args.kind) if args.kind else None
    ctx = _context(args)
    try:
        with ctx.database.read() as session:
            rows = archive.list_documents(session, kind)
    finally:
        ctx.close()
    if args.json:
        json.dump([r.to_json() for r in rows], sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        for r in rows:
            copy = f" 副本{r.copy_no}" if r.copy_no else ""
            print(
                f"{r.created_at.astimezone(STORE_ZONE):%Y-%m-%d %H:%M}\t"
                f"{archive.KIND_LABELS.get(r.kind, r.kind)}\t"
                f"{r.number}{copy}\t{r.subject}\t{r.sha256[:12]}"
            )
    return 0


def run(args: argparse.Namespace) -> int:
    """Run ``print`` or ``documents``; expected failures print a message, exit code 2."""
    from showroom.logsetup import configure_logging
    from showroom.paths import AppPaths

    configure_logging(AppPaths.default().ensure().log_file)
    try:
        if args.command == "print":
            return print_document(args)
        return list_documents(args)
    except ShowroomError as exc:
        print(exc.message, file=sys.stderr)
        return 2
