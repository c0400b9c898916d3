"""Inventory import: a generated che168-style CSV of 100,000 rows, imported and re-imported.

Usage: python -m benchmarks.vehicle_import [--rows 100000] [--backend sqlite|postgresql|both]
       [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

The CSV mimics the real che168 exports (万公里, 万元, 2024-6 dates, 未上牌, electric
range in the engine column, empty prices on about 1 row in 50, a few exact duplicates).
For each backend a fresh database is migrated; then the whole ``import_file`` (parse,
look-up, insert, audit, report file) runs in one transaction, and again on the same file
(every row unchanged), and a re-priced export (every row an update). Target: under 60 s
for 100,000 rows. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from db import schema  # noqa: E402
from db.engine import Database  # noqa: E402
from db.models import Store  # noqa: E402
from showroom.services import vehicle_import  # noqa: E402
from showroom.users import SYSTEM  # noqa: E402

HEADER = (
    "车名,里程数,年份,城市,售价,原价,变速箱,排放标准,排量/续航,发布时间,年检到期,保险到期,"
    "过户次数,马力,气缸类型,车辆级别,燃油标号,驱动方式,品牌\n"
)
MODELS = (
    ("奔驰", "奔驰GLC", "GLC 260 L 4MATIC 豪华型", "中型SUV", "2L", "95", "前置四驱"),
    ("宝马", "宝马3系", "325Li M运动套装", "中型车", "2L", "95", "前置后驱"),
    ("丰田", "凯美瑞", "2.0G 豪华版", "中型车", "2L", "92", "前置前驱"),
    ("大众", "帕萨特", "330TSI 精英版", "中型车", "2L", "95", "前置前驱"),
    ("比亚迪", "汉", "EV 创世版 605KM", "中大型车", "605km", "前置前驱", "\n            "),
    ("长城", "风骏5", "2.8T 两驱领航型", "皮卡", "2.8L", "0", "前置后驱"),
)


def generate(path: Path, rows: int, seed: int, bump: int = 0) -> None:
    """The CSV; ``bump`` raises every price by that many hundred yuan (a new export)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for n in range(rows):
            brand, series, trim, level, engine, grade, drive = rng.choice(MODELS)
            year = rng.randrange(2012, 2024)
            ev = engine.endswith("km")
            registered = "未上牌" if rng.random() < 0.01 else f"{year}-{rng.randrange(1, 13)}"
            price = "" if rng.random() < 0.02 else f"{(rng.randrange(300, 6000) + bump) / 100:.2f}"
            original = "已降1000元" if rng.random() < 0.05 else f"{rng.randrange(900, 9000) / 100}"
            mileage = f"{rng.randrange(1, 300) / 10:g}"
            # A unique publication date per row keeps the listing identity unique, except for
            # the occasional exact duplicate the real exports also have.
            published = f"2023-{n % 12 + 1:02d}-{n % 28 + 1:02d}#{n if rng.random() > 0.001 else 0}"
            out.write(
                ",".join(
                    [
                        f"{series} {year}款 {trim}",
                        mileage,
                        registered,
                        "厦门",
                        price,
                        original,
                        "自动",
                        "纯电动" if ev else "国VI",
                        engine,
                        published,
                        f"2024-{rng.randrange(1, 13)}",
                        "已过期" if rng.random() < 0.01 else "2024-06",
                        str(rng.randrange(0, 4)),
                        str(rng.randrange(90, 400)),
                        "" if ev else "L4",
                        level,
                        grade,
                        f'"{drive}"',
                        brand,
                    ]
                )
                + "\n"
            )


def measure(database: Database, folder: Path) -> dict[str, float]:
    with database.write() as session:
        session.add(Store(code="BM01", name="基准测试店"))
    figures: dict[str, float] = {}
    report_dir = folder
    for label, source in (
        ("first", folder / "che168_bench.csv"),
        ("same", folder / "che168_bench.csv"),
        ("repriced", folder / "che168_repriced.csv"),
    ):
        started = time.perf_counter()
        with database.write() as session:
            result = vehicle_import.import_file(
                session,
                source,
                store_code="BM01",
                actor=SYSTEM,
                report_path=report_dir / f"{label}.csv",
            )
        figures[f"{label}_s"] = time.perf_counter() - started
        figures[f"{label}_created"] = result.created
        figures[f"{label}_updated"] = result.updated
        figures[f"{label}_unchanged"] = result.unchanged
        figures[f"{label}_rejected"] = result.rejected
    return figures


def run_sqlite(folder: Path) -> dict[str, float]:
    database = Database.from_url(f"sqlite:///{folder / 'bench.db'}")
    schema.upgrade(database)
    try:
        return measure(database, folder)
    finally:
        database.dispose()


def run_postgresql(admin_url: str, folder: Path) -> dict[str, float]:
    name = f"showroom_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database = Database.from_url(make_url(admin_url).set(database=name))
    try:
        schema.upgrade(database)
        return measure(database, folder)
    finally:
        database.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "che168_bench.csv"
        started = time.perf_counter()
        generate(source, args.rows, args.seed)
        generate(folder / "che168_repriced.csv", args.rows, args.seed, bump=10)
        print(
            f"vehicle import benchmark, {args.rows:,} rows "
            f"(CSV generated in {time.perf_counter() - started:.1f} s, "
            f"{source.stat().st_size / 1e6:.1f} MB)"
        )
        for backend in backends:
            if backend == "sqlite":
                figures = run_sqlite(folder)
            else:
                figures = run_postgresql(args.pg_url, folder)
            print(
                f"{backend:>10}: import {figures['first_s']:.1f} s "
                f"({figures['first_created']:,.0f} created, "
                f"{figures['first_rejected']:,.0f} rejected); "
                f"same file again {figures['same_s']:.1f} s "
                f"({figures['same_unchanged']:,.0f} unchanged); "
                f"every price changed {figures['repriced_s']:.1f} s "
                f"({figures['repriced_updated']:,.0f} updated) (target < 60 s each)"
            )


if __name__ == "__main__":
    main()
