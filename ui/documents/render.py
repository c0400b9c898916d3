"""Paint a ``showroom.documents.Document`` on pages: one routine for preview, printer and PDF.

``paint(document, painter, device)`` lays the body out as a ``QTextDocument``
(HTML built here, every string escaped) against the target device, so font
metrics and page breaks are those of that device; the letterhead, the number,
the verification code, the page numbers and a 副本 / COPY mark are drawn on
every page around it. ``render_pdf`` aims it at a ``QPdfWriter`` (A4, Chinese
text embedded as real text), ``print_document`` and the preview dialog at a
``QPrinter``. Needs a ``QGuiApplication`` (fonts), not widgets.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QPointF,
    QRectF,
    QSizeF,
    Qt,
    QUrl,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
)

from showroom.documents.model import Document, Table
from showroom.documents.qr import qr_png
from ui.documents.fonts import PRINT_FAMILY

log = logging.getLogger("showroom.documents")

PDF_RESOLUTION = 300  # dots per inch; text stays vector, images are placed at this grid
_MM_PER_INCH = 25.4
_CSS_DPI = 96.0  # QTextDocument image sizes are CSS pixels, scaled to the device

MARGIN_SIDE_MM = 18.0
MARGIN_TOP_MM = 10.0
MARGIN_BOTTOM_MM = 10.0
HEADER_MM = 18.0
FOOTER_MM = 10.0

INK = QColor("#1a1a1a")
MUTED = QColor("#5f6368")
RULE = QColor("#9aa0a6")
COPY_RED = QColor("#c0392b")

# Fonts with Simplified Chinese glyphs, best first (Linux, Windows, macOS).
CJK_FAMILIES = (
    PRINT_FAMILY,  # the system font with clean PDF text (ui.documents.fonts), once derived
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "SimSun",
    "PingFang SC",
    "WenQuanYi Micro Hei",
)


# Latin letters and digits come from a Latin font: Qt's PDF text map loses digits shaped
# by the CJK fonts' Latin glyphs (a VIN would not be searchable), so CJK is the fallback.
LATIN_FAMILIES = ("Noto Sans", "DejaVu Sans", "Segoe UI", "Arial", "Helvetica")


def print_families() -> list[str]:
    """Font families for papers, Latin first, then the CJK font."""
    installed = set(QFontDatabase.families())
    families = [f for f in LATIN_FAMILIES if f in installed][:1]
    cjk = cjk_family()
    if cjk:
        families.append(cjk)
    return families or [QFont().family()]


def cjk_family() -> str | None:
    """The first installed font family that can print Simplified Chinese, or None."""
    families = set(QFontDatabase.families())
    for family in CJK_FAMILIES:
        if family in families:
            return family
    for family in QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese):
        return family
    return None


@dataclass(frozen=True)
class _Geometry:
    dpi: float
    page: QRectF  # whole page, device pixels
    header: QRectF
    body: QRectF
    footer: QRectF

    def mm(self, value: float) -> float:
        return value * self.dpi / _MM_PER_INCH


def _geometry(device: QPagedPaintDevice) -> _Geometry:
    dpi = float(device.resolution()) if hasattr(device, "resolution") else device.logicalDpiY()
    layout = device.pageLayout()
    full = layout.fullRectPixels(int(dpi))
    paint = layout.paintRectPixels(int(dpi))
    # Coordinates are relative to the paintable area; our margins are measured from the paper edge.
    page = QRectF(-paint.x(), -paint.y(), full.width(), full.height())

    def mm(v: float) -> float:
        return v * dpi / _MM_PER_INCH

    left = page.left() + mm(MARGIN_SIDE_MM)
    width = page.width() - 2 * mm(MARGIN_SIDE_MM)
    top = page.top() + mm(MARGIN_TOP_MM)
    bottom = page.bottom() - mm(MARGIN_BOTTOM_MM)
    header = QRectF(left, top, width, mm(HEADER_MM))
    footer = QRectF(left, bottom - mm(FOOTER_MM), width, mm(FOOTER_MM))
    body = QRectF(left, header.bottom() + mm(5), width, footer.top() - header.bottom() - mm(8))
    return _Geometry(dpi, page, header, body, footer)


def _esc(text: str) -> str:
    return html.escape(text, quote=True).replace("\n", "<br/>")


def _image(png: bytes) -> QImage:
    image = QImage()
    image.loadFromData(png, "PNG")
    return image


def _body_html(document: Document, families: list[str], break_before_last: bool = False) -> str:
    """The flowing part of the paper; everything user-supplied goes through ``_esc``."""
    parts = [
        '<html><body style="font-family:'
        + ",".join(f"'{f}'" for f in families)
        # A car sheet is read through a windscreen: larger type than a contract.
        + f'; font-size:{11 if document.headline else 9}pt; color:#1a1a1a;">',
        f"<p align='center' style='font-size:17pt; font-weight:bold; margin-bottom:2pt;'>"
        f"{_esc(document.title)}</p>",
    ]
    # A copy's body is laid out exactly as the original's (same pages, same breaks);
    # the copy is said in the frame: stamp, watermark and footer.
    if document.headline:
        parts.append(
            "<p align='center' style='font-size:30pt; font-weight:bold; color:#b3261e;"
            f" margin-top:4pt; margin-bottom:4pt;'>{_esc(document.headline)}</p>"
        )
    parts.append("<p style='font-size:4pt;'>&nbsp;</p>")
    # Facts: two label/value pairs per row; a wide field takes a row of its own.
    if document.fields:
        parts.append(
            "<table width='100%' cellspacing='0' cellpadding='3' border='1' "
            "style='border-collapse:collapse; border-color:#9aa0a6;'>"
        )
        row: list[str] = []
        label_cell = "<td width='19%' bgcolor='#f1f3f4' style='color:#3c4043;'>{}</td>"
        for f in document.fields:
            if f.wide:
                if row:
                    parts.append("<tr>" + "".join(row) + "<td></td><td></td></tr>")
                    row = []
                parts.append(
                    "<tr>"
                    + label_cell.format(_esc(f.label))
                    + f"<td colspan='3'>{_esc(f.value)}</td></tr>"
                )
                continue
            row.append(label_cell.format(_esc(f.label)) + f"<td width='31%'>{_esc(f.value)}</td>")
            if len(row) == 2:
                parts.append("<tr>" + "".join(row) + "</tr>")
                row = []
        if row:
            parts.append("<tr>" + "".join(row) + "<td bgcolor='#f1f3f4'></td><td></td></tr>")
        parts.append("</table>")
    for table in document.tables:
        parts.append(_table_html(table))
    for number, section in enumerate(document.sections, start=1):
        # When the signatures would be torn from the text, the last clause goes over with them:
        # a signature never stands on a page without the words it signs.
        breaks = break_before_last and number == len(document.sections)
        parts.append(
            f"<p style='font-size:{13 if document.headline else 10}pt; font-weight:bold;"
            " margin-top:5pt; margin-bottom:1pt;"
            + (" page-break-before:always;" if breaks else "")
            + f"'>{_esc(section.heading)}</p>"
        )
        for paragraph in section.paragraphs:
            parts.append(
                f"<p style='line-height:125%; margin-top:0; margin-bottom:2pt; text-indent:19pt;'>"
                f"{_esc(paragraph)}</p>"
            )
    if document.figures:
        parts.append("<table width='100%' cellspacing='0' cellpadding='4' style='margin-top:4pt;'>")
        for start in range(0, len(document.figures), 3):
            parts.append("<tr>")
            for index in range(start, min(start + 3, len(document.figures))):
                figure = document.figures[index]
                parts.append(
                    f"<td width='33%' valign='top'><img src='fig{index}.img' width='{_FIG_W}'/>"
                    f"<p style='color:#3c4043; font-size:8pt; margin:0;'>"
                    f"{_esc(figure.caption)}</p></td>"
                )
            parts.append("</tr>")
        parts.append("</table>")
    if document.signatures:
        parts.append(
            "<table width='100%' cellspacing='0' cellpadding='4' style='margin-top:6pt;'><tr>"
        )
        width = 100 // len(document.signatures)
        for index, signature in enumerate(document.signatures):
            image = (
                f"<img src='sig{index}.png' width='{_SIG_W}' height='{_SIG_H}'/>"
                if signature.signed
                else f"<img src='blank.png' width='{_SIG_W}' height='{_SIG_H}'/>"
            )
            when = _esc(signature.signed_at) if signature.signed else "____年____月____日"
            parts.append(
                f"<td width='{width}%' valign='top'>"
                f"<p style='color:#3c4043; margin:0;'>{_esc(signature.role_label)}：</p>"
                f"<p style='margin:0;'>{image}</p>"
                f"<p style='margin:0;'>{_esc(signature.name)}"
                f"<span style='color:#5f6368; font-size:8pt;'>　日期：{when}</span></p>"
                "</td>"
            )
        parts.append("</tr></table>")
    if len(document.qr_codes) > 1:  # the first one sits in the letterhead of every page
        parts.append("<table cellspacing='0' cellpadding='4'><tr>")
        for index, qr in enumerate(document.qr_codes[1:], start=1):
            side = round(qr.size_mm * _CSS_DPI / _MM_PER_INCH) if qr.size_mm else _QR
            big = qr.size_mm >= 40  # a windscreen QR: its caption is read from a step away
            parts.append(
                f"<td valign='middle'><img src='qr{index}.png' width='{side}' "
                f"height='{side}'/></td>"
                "<td valign='middle' style='color:"
                + ("#1a1a1a; font-size:14pt;" if big else "#5f6368; font-size:8.5pt;")
                + f"'>{_esc(qr.caption)}</td>"
            )
        parts.append("</tr></table>")
    if document.footer_note:
        parts.append(
            "<p style='color:#5f6368; font-size:8.5pt; margin-top:6pt;'>"
            f"{_esc(document.footer_note)}</p>"
        )
    parts.append("</body></html>")
    return "".join(parts)


def _table_html(table: Table) -> str:
    """A grid: section rows span it, shaded rows differ, emphasised cells are the best."""
    count = len(table.columns)
    label_width = 22 if count > 2 else 30
    value_width = (100 - label_width) // max(1, count - 1)
    parts = []
    if table.heading:
        parts.append(
            "<p style='font-size:10pt; font-weight:bold; margin-top:6pt; margin-bottom:2pt;'>"
            f"{_esc(table.heading)}</p>"
        )
    parts.append(
        "<table width='100%' cellspacing='0' cellpadding='3' border='1' "
        "style='border-collapse:collapse; border-color:#9aa0a6; margin-top:6pt;'><thead><tr>"
    )
    for index, column in enumerate(table.columns):
        width = label_width if index == 0 else value_width
        first, *more = column.split("\n")
        # Later lines (a stock number) stay whole: "BJ01-" / "S2026-00015" reads as two cars.
        rest = "".join(
            f"<br/><span style='white-space:nowrap; font-weight:normal; color:#5f6368;"
            f" font-size:8pt;'>{_esc(line)}</span>"
            for line in more
        )
        parts.append(
            f"<td width='{width}%' bgcolor='#e8eaed' style='font-weight:bold;'>"
            f"{_esc(first)}{rest}</td>"
        )
    # A header row repeats on every page, so page 2 still says which column is which car.
    parts.append("</tr></thead>")
    for row in table.rows:
        if row.heading:
            parts.append(
                f"<tr><td colspan='{count}' bgcolor='#f1f3f4' style='font-weight:bold;"
                f" color:#1f4e79; font-size:10pt;'>{_esc(row.cells[0])}</td></tr>"
            )
            continue
        shade = " bgcolor='#fff4d6'" if row.shaded else ""
        cells = []
        for index, cell in enumerate(row.cells):
            text = _esc(cell)
            if index in row.emphasis:
                text = f"<b>{text} ★</b>"
            style = " style='color:#3c4043;'" if index == 0 else ""
            cells.append(f"<td{shade}{style}>{text}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</table>")
    if table.note:
        parts.append(
            f"<p style='color:#5f6368; font-size:8pt; margin-top:2pt;'>{_esc(table.note)}</p>"
        )
    return "".join(parts)


# CSS pixel sizes (96 per inch): a signature box 50 x 18 mm, QR 24 mm.
_SIG_W, _SIG_H = 189, 68
_QR = 91
_FIG_W = 200  # three photos side by side on A4


def body_html(document: Document) -> str:
    """The paper's text as HTML for an on-screen view (signature and QR images left out)."""
    return _body_html(document, print_families())


def _blank_png() -> QImage:
    image = QImage(8, 3, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    return image


def layout_body(
    document: Document, device: QPagedPaintDevice, width: float, height: float
) -> QTextDocument:
    families = print_families()
    text = QTextDocument()
    text.documentLayout().setPaintDevice(device)
    text.setDocumentMargin(0)
    default_font = QFont()
    default_font.setFamilies(families)
    default_font.setPointSizeF(10)
    text.setDefaultFont(default_font)
    for index, signature in enumerate(document.signatures):
        if signature.signed:
            text.addResource(
                QTextDocument.ResourceType.ImageResource,
                QUrl(f"sig{index}.png"),
                _image(signature.png),
            )
    text.addResource(QTextDocument.ResourceType.ImageResource, QUrl("blank.png"), _blank_png())
    for index, figure in enumerate(document.figures):
        image = QImage()
        image.loadFromData(figure.image)
        if not image.isNull():
            # Scaled to the printed width once, so a photo never overflows its cell.
            image = image.scaledToWidth(_FIG_W * 3, Qt.TransformationMode.SmoothTransformation)
        text.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"fig{index}.img"), image)
    for index, qr in enumerate(document.qr_codes):
        text.addResource(
            QTextDocument.ResourceType.ImageResource,
            QUrl(f"qr{index}.png"),
            _image(qr_png(qr.payload)),
        )
    text.setHtml(_body_html(document, families))
    text.setPageSize(QSizeF(width, height))
    if document.signatures and _signatures_split(text, document, height):
        text.setHtml(_body_html(document, families, break_before_last=True))
    return text


def _signatures_split(text: QTextDocument, document: Document, page_height: float) -> bool:
    """Whether the signature table straddles a page break."""
    tables = text.rootFrame().childFrames()
    index = (1 if document.fields else 0) + len(document.tables)
    if len(tables) <= index:
        return False
    rect = text.documentLayout().frameBoundingRect(tables[index])
    return int(rect.top() // page_height) != int((rect.bottom() - 1) // page_height)


def _font(families: list[str], points: float, geometry: _Geometry, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(families)
    # Pixel size on this device, so the header looks the same on a printer and in a PDF.
    font.setPixelSize(max(1, round(points * geometry.dpi / 72.0)))
    font.setBold(bold)
    return font


def _paint_frame(
    painter: QPainter,
    document: Document,
    geometry: _Geometry,
    page: int,
    pages: int,
    logo: QImage,
    qr: QImage | None,
) -> None:
    family = print_families()
    header = geometry.header
    x = header.left()
    if not logo.isNull():
        side = geometry.mm(13)
        painter.drawImage(QRectF(x, header.top(), side, side), logo)
        x += side + geometry.mm(3)
    painter.setPen(INK)
    painter.setFont(_font(family, 13, geometry, bold=True))
    name_rect = QRectF(x, header.top(), header.right() - x - geometry.mm(75), geometry.mm(7))
    painter.drawText(
        name_rect,
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        document.letterhead.store_name,
    )
    painter.setPen(MUTED)
    painter.setFont(_font(family, 8, geometry))
    lines = [line for line in (document.letterhead.address, document.letterhead.line) if line]
    info_rect = QRectF(x, name_rect.bottom() + geometry.mm(0.5), name_rect.width(), geometry.mm(9))
    painter.drawText(
        info_rect,
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
        "\n".join(lines),
    )
    # QR, number and verification code, top right, on every page.
    qr_side = geometry.mm(17) if qr else 0.0
    if qr is not None:
        painter.drawImage(
            QRectF(header.right() - qr_side, header.top() - geometry.mm(1), qr_side, qr_side), qr
        )
    text_right = header.right() - (qr_side + geometry.mm(2) if qr_side else 0)
    right = QRectF(text_right - geometry.mm(55), header.top(), geometry.mm(55), geometry.mm(13))
    painter.setPen(INK)
    painter.setFont(_font(family, 8.5, geometry))
    painter.drawText(
        right,
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
        f"编号 No. {document.number}\n验证码 {document.verification_code}",
    )
    if document.copy_no:
        painter.setPen(QPen(COPY_RED, geometry.mm(0.4)))
        painter.setFont(_font(family, 9, geometry, bold=True))
        stamp = QRectF(
            text_right - geometry.mm(30),
            right.bottom() - geometry.mm(4.5),
            geometry.mm(30),
            geometry.mm(6.5),
        )
        painter.drawRect(stamp)
        painter.drawText(stamp, Qt.AlignmentFlag.AlignCenter, f"副本 COPY {document.copy_no}")
    painter.setPen(QPen(RULE, geometry.mm(0.3)))
    painter.drawLine(
        QPointF(header.left(), header.bottom()), QPointF(header.right(), header.bottom())
    )

    footer = geometry.footer
    painter.drawLine(QPointF(footer.left(), footer.top()), QPointF(footer.right(), footer.top()))
    painter.setPen(MUTED)
    painter.setFont(_font(family, 8, geometry))
    text_rect = QRectF(
        footer.left(), footer.top() + geometry.mm(1.5), footer.width(), geometry.mm(6)
    )
    left = f"{document.title} · 编号 {document.number} · 验证码 {document.verification_code}"
    if document.copy_no:
        left += f" · 副本 COPY {document.copy_no}：第 {document.copy_no} 次重印，与存档原件内容一致"
    painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, left)
    painter.drawText(
        text_rect,
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
        f"第 {page} 页 / 共 {pages} 页",
    )

    if document.copy_no:
        # A faint diagonal mark: a photocopy of a reprint still says it is one.
        painter.save()
        painter.setOpacity(0.06)
        painter.setPen(COPY_RED)
        painter.setFont(_font(family, 80, geometry, bold=True))
        centre = geometry.page.center()
        painter.translate(centre)
        painter.rotate(-35)
        box = QRectF(-geometry.mm(120), -geometry.mm(25), geometry.mm(240), geometry.mm(50))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, "副本 COPY")
        painter.restore()


def paint(document: Document, painter: QPainter, device: QPagedPaintDevice) -> int:
    """Paint every page of ``document`` on ``device`` (begun by ``painter``); return the count."""
    geometry = _geometry(device)
    body = layout_body(document, device, geometry.body.width(), geometry.body.height())
    pages = max(1, body.pageCount())
    logo = _image(document.letterhead.logo_png) if document.letterhead.logo_png else QImage()
    qr = _image(qr_png(document.qr_codes[0].payload)) if document.qr_codes else None
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    # Signatures and QR codes must stay crisp and scannable: no JPEG in the PDF.
    painter.setRenderHint(QPainter.RenderHint.LosslessImageRendering)
    for index in range(pages):
        if index:
            device.newPage()
        _paint_frame(painter, document, geometry, index + 1, pages, logo, qr)
        painter.save()
        page_height = geometry.body.height()
        painter.translate(geometry.body.left(), geometry.body.top() - index * page_height)
        clip = QRectF(0, index * page_height, geometry.body.width(), page_height)
        painter.setClipRect(clip)
        body.drawContents(painter, clip)
        painter.restore()
    return pages


def a4_layout() -> QPageLayout:
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)
    )


def render_pdf(document: Document) -> bytes:
    """The paper as PDF bytes (A4, fonts embedded, text extractable)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(PDF_RESOLUTION)
    writer.setPageLayout(a4_layout())
    writer.setTitle(f"{document.title} {document.number}")
    writer.setCreator("Showroom")
    painter = QPainter(writer)
    try:
        paint(document, painter, writer)
    finally:
        painter.end()
    buffer.close()
    return bytes(data.data())
