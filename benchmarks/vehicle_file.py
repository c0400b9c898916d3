"""A car's file from the yard: photos prepared and stored, a report rendered, the kiosk read.

Usage: python -m benchmarks.vehicle_file [--photos 40] [--pages 10]
       [--backend sqlite|postgresql|both] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

What staff wait for after choosing files: ``prepare_photos`` (Pillow: decode, shrink,
thumbnail; runs in a worker, the window stays live) for 40 generated 12-megapixel JPEGs,
then the one write that stores them (``add_photos``: media rows, category order, cover,
audit); ``prepare_report`` (PDFium: a 10-page A4 report to page images) and its write;
and what the kiosk reads when a customer taps the car (``public_archive``). Targets: 40
photos prepared under 30 s (under 1 s each), the writes under 2 s, the kiosk read under
100 ms. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from db import schema  # noqa: E402
from db.engine import Database  # noqa: E402
from db.models import Energy, Store, Transmission, VehicleStatus  # noqa: E402
from showroom.identifiers import vin_check_digit  # noqa: E402
from showroom.services import kiosk  # noqa: E402
from showroom.services import vehicle_archive as va  # noqa: E402
from showroom.services.vehicle_intake import IntakeForm, intake_vehicle  # noqa: E402
from showroom.users import SYSTEM  # noqa: E402

NAMES = ("外观", "内饰", "发动机舱", "底盘", "细节", "瑕疵", "证件", "IMG")


def make_photos(folder: Path, count: int) -> list[Path]:
    paths = []
    for n in range(count):
        image = Image.new("RGB", (4000, 3000), (40 + n * 5 % 200, 90, 140))
        draw = ImageDraw.Draw(image)
        for k in range(0, 4000, 97):  # detail, so JPEG has something to compress
            draw.line((k, 0, 4000 - k, 3000), fill=(k % 255, 200, 60), width=5)
        path = folder / f"{NAMES[n % len(NAMES)]}_{n:02d}.jpg"
        image.save(path, format="JPEG", quality=90)
        paths.append(path)
    return paths


def make_report(folder: Path, pages: int) -> Path:
    images = []
    for n in range(pages):
        page = Image.new("RGB", (1654, 2339), "white")  # A4 at 200 dpi
        draw = ImageDraw.Draw(page)
        for row in range(40):
            draw.text((120, 120 + row * 52), f"page {n + 1} item {row + 1}  OK", fill="black")
        images.append(page)
    path = folder / "report.pdf"
    images[0].save(path, format="PDF", save_all=True, append_images=images[1:])
    return path


def fresh(backend: str, pg_url: str, folder: Path) -> tuple[Database, str | None]:
    if backend == "sqlite":
        database = Database.from_url(f"sqlite:///{folder / 'bench.db'}")
        schema.upgrade(database)
        return database, None
    name = f"bench_file_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    database = Database.from_url(make_url(pg_url).set(database=name).render_as_string(False))
    schema.upgrade(database)
    return database, name


def run(backend: str, photos: list[Path], report_path: Path, pg_url: str, folder: Path) -> None:
    database, name = fresh(backend, pg_url, folder)
    try:
        with database.write() as s:
            store = Store(code="BJ01", name="基准门店")
            s.add(store)
            s.flush()
            raw = "LVGBE40K0PG123456"
            car = intake_vehicle(
                s,
                SYSTEM,
                store.id,
                IntakeForm(
                    vin=raw[:8] + vin_check_digit(raw) + raw[9:],
                    brand="丰田",
                    model="凯美瑞",
                    mileage_km=28_000,
                    energy=Energy.PETROL,
                    transmission=Transmission.AUTOMATIC,
                    list_price=Decimal("150000"),
                ),
            ).id
        started = time.perf_counter()
        good, bad = va.prepare_photos(photos)
        prepared = time.perf_counter() - started
        started = time.perf_counter()
        with database.write() as s:
            va.add_photos(s, SYSTEM, car, good)
        stored = time.perf_counter() - started
        started = time.perf_counter()
        report = va.prepare_report(report_path)
        rendered = time.perf_counter() - started
        started = time.perf_counter()
        with database.write() as s:
            va.attach_report(s, SYSTEM, car, report)
            va.change_status(s, SYSTEM, car, VehicleStatus.ON_SALE)
        attached = time.perf_counter() - started
        reads = []
        for _ in range(20):
            started = time.perf_counter()
            with database.read() as s:
                kiosk.public_archive(s, car)
            reads.append(time.perf_counter() - started)
        size = sum(len(p.image) + len(p.thumbnail) for p in good)
        print(f"[{backend}]")
        print(
            f"  prepare {len(photos)} photos (4000x3000): {prepared:6.2f} s "
            f"({prepared / len(photos) * 1000:.0f} ms each), {len(bad)} refused, "
            f"{size / 1024 / 1024:.1f} MiB stored"
        )
        print(f"  store them (one write):        {stored:6.2f} s")
        print(
            f"  render report ({len(report.pages)} pages):     {rendered:6.2f} s "
            f"({len(report.pdf) / 1024:.0f} KiB PDF, "
            f"{sum(map(len, report.pages)) / 1024:.0f} KiB pages)"
        )
        print(f"  attach report + on sale:       {attached:6.2f} s")
        print(
            f"  kiosk public_archive: median {statistics.median(reads) * 1000:.1f} ms, "
            f"max {max(reads) * 1000:.1f} ms"
        )
    finally:
        database.dispose()
        if name is not None:
            admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        photos = make_photos(folder, args.photos)
        report = make_report(folder, args.pages)
        print(f"generated inputs in {time.perf_counter() - started:.1f} s")
        backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
        for backend in backends:
            run(backend, photos, report, args.pg_url, folder)


if __name__ == "__main__":
    main()
