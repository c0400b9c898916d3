"""``showroom self-test``: an offscreen smoke check of an installed or frozen build.

It exercises what a broken package usually breaks: Qt and its platform plugin,
fonts, the SVG icon plugin, translations, both database drivers, the Alembic
migrations (run on a fresh SQLite file in a temporary folder), sign-in, painting
the main window and the kiosk home, and printing: a PDF with Chinese text and a
QR code made by the ``qrcode`` package.

Each check prints one line; the exit code is 0 when all pass and 1 otherwise.
Nothing here touches the user's real data or settings, and no traceback reaches
the console: failures are one line each (the trace goes to the temporary log).

How the PDF is checked, and why this way: the check reads the file Qt wrote with
a small reader for the PDFs Qt produces (no PDF library ships with the app). Every
font must be embedded (a ``FontFile`` stream) and carry a ``ToUnicode`` map, and
the page's text, decoded through those maps, must contain the Chinese sample.
That is what makes an archived contract print the same everywhere and stay
searchable. When ``pdftotext`` (poppler) is on PATH, its extraction must agree;
it is optional because front-desk PCs do not have it. Qt maps a few glyphs that
Noto Sans CJK shares between an ideograph and a radical (车, 自) to the radical;
the comparison folds those back, since a reader displays the same glyph.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("showroom.selftest")

MANAGER = ("selftest", "paint-check-2026", "2468")  # the password rules apply here too
PDF_SAMPLE = "Showroom 自检：试驾协议 车辆档案 意向金 伍仟元整"
QR_PAYLOAD = "https://showroom.invalid/selftest/vehicle/SR-0001"

# CJK Radicals Supplement characters that Qt's ToUnicode map may give instead of the
# ideograph sharing their glyph; Kangxi radicals (U+2F00-U+2FD5) are folded by NFKC.
_RADICAL_FOLD = str.maketrans(
    {
        "⺰": "纟",
        "⻅": "见",
        "⻆": "角",
        "⻈": "讠",
        "⻉": "贝",
        "⻋": "车",
        "⻐": "钅",
        "⻓": "长",
        "⻔": "门",
        "⻙": "韦",
        "⻚": "页",
        "⻛": "风",
        "⻜": "飞",
        "⻠": "饣",
        "⻢": "马",
        "⻥": "鱼",
        "⻦": "鸟",
        "⻧": "卤",
        "⻨": "麦",
        "⻩": "黄",
        "⻪": "黾",
        "⻬": "齐",
        "⻮": "齿",
        "⻰": "龙",
        "⻳": "龟",
    }
)


class _Checks:
    """Runs named checks, prints one line each, remembers which failed."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def run(self, name: str, check: Callable[[], Any]) -> Any:
        try:
            detail = check()
        except Exception as exc:
            log.exception("self-test check failed: %s", name)
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            self.failed.append(name)
            print(f"self-test: FAIL {name}: {type(exc).__name__}: {reason}", flush=True)
            return None
        suffix = f" ({detail})" if isinstance(detail, str) and detail else ""
        print(f"self-test: OK   {name}{suffix}", flush=True)
        return detail if detail is not None else True


def _needs_offscreen() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return False
    if sys.platform.startswith(("win", "darwin")):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _process_until(predicate: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def run(args: argparse.Namespace) -> int:
    """Run every check; print one line each; 0 when all passed."""
    if _needs_offscreen():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    checks = _Checks()
    try:
        with tempfile.TemporaryDirectory(prefix="showroom-selftest-") as tmp:
            _run_checks(checks, Path(tmp), args)
    except Exception as exc:
        log.exception("self-test aborted")
        print(f"self-test: FAIL aborted: {type(exc).__name__}: {exc}", flush=True)
        return 1
    if checks.failed:
        print(
            f"self-test: {len(checks.failed)} check(s) failed: {', '.join(checks.failed)}",
            flush=True,
        )
        return 1
    print("self-test: all checks passed", flush=True)
    return 0


def _build_description() -> str:
    from PySide6 import __version__ as pyside_version

    from showroom import __version__

    kind = "frozen" if getattr(sys, "frozen", False) else "from source"
    python = ".".join(map(str, sys.version_info[:3]))
    return f"showroom {__version__}, {kind}, Python {python}, PySide6 {pyside_version}"


def _postgresql_driver() -> str:
    """The shared database's driver loads (psycopg and its compiled libpq wrapper)."""
    import psycopg

    from db.engine import make_engine

    # Building an engine loads the dialect and imports the driver; nothing connects.
    engine = make_engine("postgresql+psycopg://selftest@127.0.0.1:1/selftest")
    try:
        driver = engine.dialect.driver
    finally:
        engine.dispose()
    if driver != "psycopg":
        raise RuntimeError(f"SQLAlchemy chose driver {driver!r}, not psycopg")
    libpq = psycopg.pq.version()
    return f"psycopg {psycopg.__version__} ({psycopg.pq.__impl__}), libpq {libpq // 10000}"


def _printing() -> str:
    """Qt's print support loads, and on Linux its CUPS plugin is shipped.

    No printer is needed: the list may be empty on a build machine. Windows and
    macOS print through code inside Qt itself; Linux needs the ``printsupport``
    plugin, without which Qt silently offers no printers at all.
    """
    from PySide6.QtCore import QLibraryInfo
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if not printer.isValid():
        raise RuntimeError("Qt found no print system")
    if sys.platform.startswith("linux"):
        plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath), "printsupport")
        if not any(plugins.glob("*cups*")):
            raise RuntimeError(f"no CUPS print plugin in {plugins}")
    names = QPrinterInfo.availablePrinterNames()
    return f"{len(names)} printer(s) installed"


def _run_checks(checks: _Checks, home: Path, args: argparse.Namespace) -> None:
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtGui import QFontDatabase, QGuiApplication
    from PySide6.QtWidgets import QApplication

    import resources
    from showroom.context import AppContext, open_context
    from showroom.logsetup import configure_logging
    from showroom.paths import AppPaths
    from showroom.services import auth, stores
    from showroom.settings import Settings
    from ui.app import create_application
    from ui.main_window import MainWindow
    from ui.style import FONT_FAMILIES
    from ui.tasks import TaskRunner
    from ui.widgets.icons import app_icon

    paths = AppPaths.under(home).ensure()
    configure_logging(paths.log_file)
    app = QApplication.instance() or create_application(
        sys.argv[:1], getattr(args, "lang", None) or "zh_CN"
    )
    checks.run("build", _build_description)
    checks.run("qt", lambda: f"Qt platform {QGuiApplication.platformName()}")

    def fonts() -> str:
        found = [f for f in FONT_FAMILIES if f in set(QFontDatabase.families())]
        if not found:
            raise RuntimeError("no CJK font among " + ", ".join(FONT_FAMILIES))
        return found[0]

    checks.run("chinese font", fonts)

    def icons() -> str:
        if app_icon().isNull() or app_icon().pixmap(64, 64).isNull():
            raise RuntimeError("the SVG app icon did not render (Qt SVG plugin missing?)")
        return "svg"

    checks.run("icons", icons)

    def translations() -> str:
        from PySide6.QtCore import QTranslator

        translator = QTranslator()
        qm = resources.path("translations", "showroom_en.qm")
        if not translator.load(str(qm)):
            raise RuntimeError(f"cannot load {qm}")
        return "en"

    checks.run("translations", translations)
    checks.run("postgresql driver", _postgresql_driver)

    def pdf() -> str:
        target = home / "selftest.pdf"
        qr_size = render_sample_pdf(target, PDF_SAMPLE, QR_PAYLOAD, FONT_FAMILIES)
        return f"QR {qr_size} px; " + check_pdf(target, PDF_SAMPLE)

    checks.run("pdf with chinese text and qr code", pdf)

    def report_pages() -> str:
        # The third-party report is read by PDFium (a native library the build must carry).
        from showroom.services.vehicle_archive import prepare_report

        report = prepare_report(home / "selftest.pdf")
        return f"{len(report.pages)} page(s) via PDFium"

    checks.run("report pages", report_pages)
    checks.run("printing", _printing)

    settings = Settings.load(paths.settings_file, environ={})
    context: AppContext | None = checks.run("database", lambda: open_context(paths, settings))
    if not isinstance(context, AppContext):
        return
    try:

        def schema() -> str:
            state = context.schema_state
            if state is None or state.status != "current":
                raise RuntimeError(f"schema is {state.status if state else 'unknown'}")
            return state.current or ""

        checks.run("migrations", schema)

        def set_up() -> str:
            with context.database.write() as session:
                stores.set_up_first_store(
                    session,
                    store_code="ST01",
                    store_name="自检展厅",
                    manager_username=MANAGER[0],
                    manager_name="自检店长",
                    manager_password=MANAGER[1],
                    manager_pin=MANAGER[2],
                )
            return "store and manager"

        checks.run("first store", set_up)

        signed_in: list[Any] = []

        def sign_in() -> str:
            with context.database.write() as session:
                signed_in.append(auth.sign_in(session, MANAGER[0], MANAGER[1]))
            return MANAGER[0]

        checks.run("sign-in", sign_in)
        runner = TaskRunner(context.database, inline=True)
        window = MainWindow(runner)

        class _Painted(QObject):
            """Notes the first paint event of the watched page. Emits no signals."""

            seen = False

            def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
                if event.type() == QEvent.Type.Paint:
                    self.seen = True
                return False

        painted = _Painted()

        def main_window() -> str:
            window.attach(context)
            if signed_in:
                window.open_session(signed_in[0])
            window.resize(1366, 768)
            target = window.pages.currentWidget()
            target.installEventFilter(painted)
            window.show()
            if not _process_until(lambda: painted.seen):
                raise RuntimeError("the main window was never painted")
            image = window.grab()
            if image.isNull() or image.width() < 100:
                raise RuntimeError("grabbing the main window gave an empty picture")
            return f"{image.width()}x{image.height()}"

        checks.run("main window", main_window)

        def screens() -> str:
            shell = window.shell
            if shell is None:
                raise RuntimeError("no signed-in shell")
            for key in shell.nav_keys():
                shell.open_screen(key)
                _process_until(lambda: False, 0.05)
            return ", ".join(shell.nav_keys())

        checks.run("screens", screens)

        def kiosk() -> str:
            from ui.kiosk.window import KioskWindow

            view = KioskWindow(context, runner)
            view.resize(1366, 768)
            view.show()
            _process_until(lambda: False, 0.2)
            shown = view.current_key()
            image = view.grab()
            view.close()
            view.deleteLater()
            if shown != "home":
                raise RuntimeError(f"the kiosk opened on {shown!r}, not its home page")
            if image.isNull():
                raise RuntimeError("grabbing the kiosk gave an empty picture")
            return f"home {image.width()}x{image.height()}"

        checks.run("kiosk", kiosk)
        window.close()
        window.deleteLater()
        runner.deleteLater()
        _process_until(lambda: False, 0.05)
    finally:
        context.close()
        _close_file_logs()
    del app


def _close_file_logs() -> None:
    # The temporary folder is deleted next; Windows refuses while the log is open.
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_showroom", False):
            root.removeHandler(handler)
            handler.close()


# --- printing: a PDF with Chinese text and a QR code ------------------------------------


def qr_image(payload: str) -> Any:
    """``payload`` as a QR code: made by ``qrcode`` (with Pillow), loaded into a QImage.

    The image is compared module by module with the code's matrix, so a broken
    Pillow, qrcode or Qt PNG plugin fails here rather than on a printed receipt.
    """
    import qrcode
    from PySide6.QtGui import QImage

    box, border = 8, 4
    code = qrcode.QRCode(box_size=box, border=border)
    code.add_data(payload)
    code.make(fit=True)
    png = io.BytesIO()
    code.make_image().save(png, format="PNG")
    image = QImage.fromData(png.getvalue(), "PNG")
    if image.isNull():
        raise RuntimeError("Qt could not read the QR code's PNG (imageformats plugin?)")
    matrix = code.get_matrix()  # includes the quiet zone
    for row, cells in enumerate(matrix):
        for col, dark in enumerate(cells):
            pixel = image.pixelColor(col * box + box // 2, row * box + box // 2)
            if (pixel.lightness() < 128) != bool(dark):
                raise RuntimeError(f"QR module ({row}, {col}) came out wrong")
    return image


def render_sample_pdf(
    target: Path, text: str, qr_payload: str, families: tuple[str, ...] | list[str]
) -> str:
    """Write an A5 page with ``text`` and a QR code of ``qr_payload``; return the QR size."""
    from PySide6.QtCore import QMarginsF, QRectF, Qt
    from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPainter, QPdfWriter

    image = qr_image(qr_payload)
    writer = QPdfWriter(str(target))
    writer.setTitle("Showroom self-test")
    writer.setCreator("Showroom")
    writer.setResolution(150)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A5),
            QPageLayout.Orientation.Portrait,
            QMarginsF(12, 12, 12, 12),
            QPageLayout.Unit.Millimeter,
        )
    )
    painter = QPainter()
    if not painter.begin(writer):
        raise RuntimeError(f"cannot write {target}")
    try:
        font = QFont()
        font.setFamilies(list(families))
        font.setPointSize(14)
        painter.setFont(font)
        page = writer.pageLayout().paintRectPixels(writer.resolution())
        width = page.width()
        painter.drawText(QRectF(0, 0, width, 200), Qt.TextFlag.TextWordWrap, text)
        side = min(width, 420)
        painter.drawImage(QRectF((width - side) / 2, 240, side, side), image)
    finally:
        painter.end()
    return f"{image.width()}x{image.height()}"


@dataclass
class PdfFont:
    """One font dictionary of a PDF: its name, whether it is embedded, its glyph map."""

    name: str
    embedded: bool
    to_unicode: dict[int, str] | None
    code_bytes: int = 2


@dataclass
class PdfFacts:
    """What ``read_pdf`` learnt: fonts by resource name, image sizes, the decoded text."""

    fonts: dict[str, PdfFont] = field(default_factory=dict)
    images: list[tuple[int, int]] = field(default_factory=list)
    text: str = ""


_OBJECT = re.compile(rb"(\d+)\s+(\d+)\s+obj\b(.*?)endobj", re.S)
_REF = r"(\d+)\s+\d+\s+R"


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Object number -> (dictionary text, decoded stream or None)."""
    found: dict[int, tuple[bytes, bytes | None]] = {}
    for match in _OBJECT.finditer(data):
        body = match.group(3)
        stream = None
        at = body.find(b"stream")
        if at >= 0:
            head = body[:at]
            raw = body[at + len(b"stream") :].lstrip(b"\r\n")
            raw = raw[: raw.rfind(b"endstream")].rstrip(b"\r\n")
            stream = zlib.decompress(raw) if b"/FlateDecode" in head else raw
            body = head
        found[int(match.group(1))] = (body, stream)
    return found


def _hex_units(text: str) -> str:
    return bytes.fromhex(text).decode("utf-16-be", errors="replace")


def parse_to_unicode(cmap: str) -> dict[int, str]:
    """A ``ToUnicode`` CMap (bfchar and bfrange sections) as code -> text."""
    mapping: dict[int, str] = {}
    for section in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", section):
            mapping[int(src, 16)] = _hex_units(dst)
    for section in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        pattern = r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]*>)"
        for low, high, dst in re.findall(pattern, section):
            first, last = int(low, 16), int(high, 16)
            if dst.startswith("["):
                targets = re.findall(r"<([0-9A-Fa-f]*)>", dst)
                for offset, target in enumerate(targets[: last - first + 1]):
                    mapping[first + offset] = _hex_units(target)
            else:
                start = int(dst[1:-1], 16)
                for offset in range(last - first + 1):
                    mapping[first + offset] = chr(start + offset)
    return mapping


def _decode_show(operand: str, font: PdfFont | None) -> str:
    if font is None or font.to_unicode is None:
        return ""
    raw = bytes.fromhex(operand + ("0" if len(operand) % 2 else ""))
    step = font.code_bytes
    return "".join(
        font.to_unicode.get(int.from_bytes(raw[i : i + step], "big"), "\ufffd")
        for i in range(0, len(raw) - step + 1, step)
    )


def read_pdf(data: bytes) -> PdfFacts:
    """Fonts, images and text of a PDF written by Qt (uncompressed xref, Flate streams).

    Not a general PDF reader: it covers what ``QPdfWriter`` produces, which is
    all the self-test needs, and fails loudly (an exception) on anything else.
    """
    objects = _objects(data)
    facts = PdfFacts()

    def body(number: int) -> bytes:
        return objects.get(number, (b"", None))[0]

    # Font resource names (/F11) -> font object numbers, from every resource dictionary.
    resource_fonts: dict[str, int] = {}
    for text, _stream in objects.values():
        font_dict = re.search(rb"/Font\s*<<(.*?)>>", text, re.S)
        if font_dict:
            for name, number in re.findall(rb"/(\w+)\s+" + _REF.encode(), font_dict.group(1)):
                resource_fonts[name.decode()] = int(number)
    for resource, number in resource_fonts.items():
        text = body(number).decode("latin-1")
        base = re.search(r"/BaseFont\s*/([^\s/>]+)", text)
        descendant = re.search(r"/DescendantFonts\s*\[\s*" + _REF, text)
        described = body(int(descendant.group(1))).decode("latin-1") if descendant else text
        descriptor = re.search(r"/FontDescriptor\s+" + _REF, described)
        embedded = bool(
            descriptor
            and re.search(r"/FontFile[23]?\s", body(int(descriptor.group(1))).decode("latin-1"))
        )
        cmap_ref = re.search(r"/ToUnicode\s+" + _REF, text)
        to_unicode = None
        if cmap_ref:
            stream = objects.get(int(cmap_ref.group(1)), (b"", None))[1] or b""
            to_unicode = parse_to_unicode(stream.decode("latin-1"))
        facts.fonts[resource] = PdfFont(
            name=base.group(1) if base else resource,
            embedded=embedded,
            to_unicode=to_unicode,
            code_bytes=2 if "/Identity-H" in text else 1,
        )
    for text, _stream in objects.values():
        if re.search(rb"/Subtype\s*/Image", text):
            width = re.search(rb"/Width\s+(\d+)", text)
            height = re.search(rb"/Height\s+(\d+)", text)
            if width and height:
                facts.images.append((int(width.group(1)), int(height.group(1))))
    # Page contents: follow /Tf to know the font, decode <hex> operands of Tj and TJ.
    pieces: list[str] = []
    for text, _stream in objects.values():
        if not re.search(rb"/Type\s*/Page\b", text):
            continue
        contents = re.search(rb"/Contents\s+" + _REF.encode(), text)
        if not contents:
            continue
        stream = objects.get(int(contents.group(1)), (b"", None))[1] or b""
        current: PdfFont | None = None
        tokens = r"/(\w+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f\s]*)>\s*Tj|\[([^\]]*)\]\s*TJ"
        for match in re.finditer(tokens, stream.decode("latin-1")):
            if match.group(1):
                current = facts.fonts.get(match.group(1))
            elif match.group(2) is not None:
                pieces.append(_decode_show(re.sub(r"\s", "", match.group(2)), current))
            else:
                for operand in re.findall(r"<([0-9A-Fa-f\s]*)>", match.group(3)):
                    pieces.append(_decode_show(re.sub(r"\s", "", operand), current))
    facts.text = "".join(pieces)
    return facts


def comparable(text: str) -> str:
    """Text as a reader sees it: radicals folded to their ideographs, no whitespace."""
    folded = unicodedata.normalize("NFKC", text).translate(_RADICAL_FOLD)
    return re.sub(r"\s+", "", folded)


def _chinese(text: str) -> str:
    return "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")


def check_pdf(target: Path, expected: str) -> str:
    """Raise unless every font is embedded and the Chinese of ``expected`` reads back."""
    data = target.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise RuntimeError(f"{target.name} is not a PDF")
    facts = read_pdf(data)
    if not facts.fonts:
        raise RuntimeError("the PDF uses no font: the text was not written")
    loose = [f.name for f in facts.fonts.values() if not f.embedded]
    if loose:
        raise RuntimeError("fonts not embedded: " + ", ".join(loose))
    unmapped = [f.name for f in facts.fonts.values() if f.to_unicode is None]
    if unmapped:
        raise RuntimeError("fonts without a ToUnicode map: " + ", ".join(unmapped))
    if not facts.images:
        raise RuntimeError("the PDF holds no image: the QR code is missing")
    wanted = _chinese(comparable(expected))
    read_back = _chinese(comparable(facts.text))
    if wanted not in read_back:
        raise RuntimeError(f"the PDF's text reads {read_back!r}, expected {wanted!r}")
    methods = "ToUnicode"
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        result = subprocess.run(
            [pdftotext, "-enc", "UTF-8", str(target), "-"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        extracted = _chinese(comparable(result.stdout.decode("utf-8", errors="replace")))
        if result.returncode != 0 or wanted not in extracted:
            raise RuntimeError(f"pdftotext reads {extracted!r}, expected {wanted!r}")
        methods += " + pdftotext"
    fonts = ", ".join(sorted({f.name.split("+")[-1] for f in facts.fonts.values()}))
    return f"{fonts} embedded; text checked via {methods}"
