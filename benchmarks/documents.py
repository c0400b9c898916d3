"""Time to paint papers to PDF: the signed test-drive agreement and a four-page contract.

Run: ``QT_QPA_PLATFORM=offscreen python -m benchmarks.documents`` (prints figures; the
target is under 300 ms each). The first render pays for font loading, so it is
reported apart from the median of the following runs.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QGuiApplication

from showroom.documents.demo import fake_handwriting
from showroom.documents.model import Document, Field, Letterhead, QrCode, Section
from showroom.documents.templates import load_logo, load_template
from ui.documents.fonts import ensure_print_fonts
from ui.documents.render import render_pdf

RUNS = 15


def agreement() -> Document:
    template = load_template(None, "test_drive_agreement")
    fields, sections, boxes = template.fill(
        {
            "booking_code": "7KQ2MX",
            "issued_date": "2026年11月24日",
            "store_name": "示范二手车展厅",
            "customer_name": "王小明",
            "customer_phone": "138****5678",
            "licence_number": "110105********1234",
            "licence_class": "C1",
            "licence_valid_until": "2030-01-01",
            "vehicle_name": "大众 朗逸 2021款 1.5L 自动舒适版",
            "vin": "LSVAU2180N2123456",
            "plate": "京A12345",
            "stock_no": "BJ01-S2026-00042",
            "slot": "2026年11月25日 10:00–10:30",
            "accompanying_staff": "孙顾问",
            "consultant_name": "孙顾问",
        }
    )
    signed = tuple(
        type(box)(box.role_label, box.name, fake_handwriting(i).png, "2026-11-24 10:02")
        for i, box in enumerate(boxes)
    )
    return Document(
        "test_drive_agreement",
        "7KQ2MX",
        template.title,
        Letterhead(
            "示范二手车展厅", "北京市朝阳区测试路 1 号", "服务热线 010-0000 0000", load_logo(None)
        ),
        fields,
        sections,
        signed,
        (QrCode("SHOWROOM:TD:7KQ2MX", "预约码"),),
        issued="2026-11-24 10:00",
        footer_note=template.footer_note,
    )


def four_pages() -> Document:
    clause = (
        "买方已查验车辆并确认车况与车况确认书一致；卖方保证车辆无抵押、无查封、无未处理的交通违法记录，"
        "并协助买方在约定期限内办理过户手续。任何一方违约的，应赔偿守约方因此遭受的直接损失。"
    )
    return Document(
        "contract",
        "BJ01-2026-000123",
        "二手车买卖合同",
        Letterhead("示范二手车展厅", "北京市朝阳区测试路 1 号", "", load_logo(None)),
        (Field("买方", "王小明"), Field("车架号（VIN）", "LSVAU2180N2123456")),
        tuple(Section(f"第{n}条 约定事项", (clause, clause, clause)) for n in range(1, 21)),
    )


def pages_of(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def measure(name: str, document: Document) -> None:
    started = time.perf_counter()
    pdf = render_pdf(document)
    first = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        render_pdf(document)
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"{name:<28} first {first:6.1f} ms   median {statistics.median(times):6.1f} ms   "
        f"max {max(times):6.1f} ms   {pages_of(pdf)} page(s), {len(pdf) // 1024} KB"
    )


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        ensure_print_fonts(Path(cache))
        print(f"print font prepared once per installation: {time.perf_counter() - started:.1f} s")
        measure("test-drive agreement (1 p)", agreement())
        measure("contract (4 pages)", four_pages())
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
