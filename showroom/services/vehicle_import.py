"""Import inventory from CSV: listing-platform exports (che168) and the store's own sheet.

Every data row ends up either imported (created or updated) or rejected with its line
number and a reason; nothing is guessed. A report CSV lists every row's outcome.
Re-importing the same file updates the cars it created (``source`` + ``source_ref`` are
unique) instead of adding them again. ``dry_run`` classifies without writing.

Speed: rows are parsed in Python, then existing cars are looked up once per source and
new ones inserted / changed ones updated in batches (100,000 rows well under a minute).
No Qt here; the dialog and the CLI call ``read_preview`` and ``import_file``.
"""

from __future__ import annotations

import csv
import hashlib
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, DecimalException, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, text, true, update
from sqlalchemy.orm import Session

from db.models import Energy, Store, Transmission, Vehicle, VehicleStatus
from showroom import numbering
from showroom.clock import utcnow
from showroom.errors import NotFoundError, ValidationError
from showroom.identifiers import normalize_plate, normalize_vin
from showroom.money import MAX_AMOUNT
from showroom.services import audit
from showroom.services.vehicles import FACTS, MAX_MILEAGE_KM, PRICES, require
from showroom.users import Actor

__all__ = [
    "PRESETS",
    "ImportResult",
    "Preset",
    "RowOutcome",
    "default_report_path",
    "detect_preset",
    "import_file",
    "read_preview",
]

Progress = Callable[[int, int], None]  # (rows done, rows total)

BATCH = 2000
ANALYZE_AFTER = 1000  # created cars after which PostgreSQL gets fresh statistics
CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"
OUTCOME_LABELS = {CREATED: "新增", UPDATED: "更新", UNCHANGED: "无变化", REJECTED: "拒绝"}
# Fields an import may change on a car it created earlier; status and stock no. stay the
# store's (a car sold since the last import stays sold).
_UPDATABLE = (
    "brand",
    "model",
    "trim",
    "year",
    "first_registration",
    "mileage_km",
    "displacement_l",
    "ev_range_km",
    "energy",
    "transmission",
    "emission_standard",
    "body_type",
    "colour",
    "seats",
    "power_hp",
    "drive",
    "transfers",
    "annual_inspection_due",
    "insurance_due",
    "new_price",
    "list_price",
    "vin",
    "plate",
)

# What a deposit receipt or a contract already states: an import never changes it.
_HELD = {VehicleStatus.RESERVED: "已预订", VehicleStatus.SOLD: "已售"}
_HELD_FIELDS = frozenset({"list_price", "vin", "plate"})
_HELD_STATUSES = tuple(_HELD)


class RowRejected(Exception):
    """The row cannot be imported; ``str(exc)`` is the reason shown in the report."""


@dataclass(frozen=True)
class Preset:
    name: str
    label: str  # shown in the dialog's preset box
    source: str  # stored in vehicles.source
    required: tuple[str, ...]  # headers that must be present
    parse: Callable[[dict[str, str]], dict[str, Any]]  # raises RowRejected
    status: VehicleStatus  # status of newly created cars


@dataclass(frozen=True)
class RowOutcome:
    line: int  # line number in the file where the record starts (header is line 1)
    outcome: str  # created / updated / rejected
    reason: str = ""
    stock_no: str = ""
    title: str = ""  # "奔驰 GLC 2020" for the report and the preview


@dataclass
class ImportResult:
    path: Path
    preset: str
    dry_run: bool
    outcomes: list[RowOutcome] = field(default_factory=list)
    report_path: Path | None = None

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    @property
    def created(self) -> int:
        return self.count(CREATED)

    @property
    def updated(self) -> int:
        return self.count(UPDATED)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def rejected(self) -> int:
        return self.count(REJECTED)

    @property
    def total(self) -> int:
        return len(self.outcomes)

    def summary(self) -> str:
        verb = "将" if self.dry_run else "已"
        return (
            f"共 {self.total} 行：{verb}新增 {self.created}，{verb}更新 {self.updated}，"
            f"无变化 {self.unchanged}，拒绝 {self.rejected}"
        )


# --- reading values -----------------------------------------------------------------------

_YEAR_MONTH_RE = re.compile(r"(\d{4})[-/.年](\d{1,2})月?")
_DATE_RE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_NO_DATE = {"", "-", "--", "—", "未上牌", "无", "暂无"}
_MODEL_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})款")


def _clean(value: str | None) -> str:
    return (value or "").strip()


def _decimal(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", ""))
    except (InvalidOperation, DecimalException):
        raise RowRejected(f"{what}“{text}”不是数字") from None
    if not value.is_finite():
        raise RowRejected(f"{what}“{text}”不是数字")
    return value


def _wan_to_yuan(text: str, what: str) -> Decimal:
    value = _decimal(text.removesuffix("万").removesuffix("万元"), what)
    yuan = (value * 10_000).quantize(Decimal("0.01"))
    if yuan <= 0:
        raise RowRejected(f"{what}必须大于 0")
    if yuan > MAX_AMOUNT:
        raise RowRejected(f"{what}“{text}”过大")
    return yuan


def _yuan(text: str, what: str) -> Decimal:
    value = _decimal(text.removesuffix("元"), what)
    if value <= 0:
        raise RowRejected(f"{what}必须大于 0")
    if value > MAX_AMOUNT or value != value.quantize(Decimal("0.01")):
        raise RowRejected(f"{what}“{text}”不是有效金额")
    return value.quantize(Decimal("0.01"))


def _year_month(text: str, what: str) -> date | None:
    """``2024-06`` / ``2024-6`` as the first of that month; ``未上牌``/``-``/blank -> None."""
    if text in _NO_DATE:
        return None
    match = _YEAR_MONTH_RE.fullmatch(text) or None
    full = _DATE_RE.fullmatch(text)
    try:
        if full:
            return date(int(full[1]), int(full[2]), int(full[3]))
        if match:
            return date(int(match[1]), int(match[2]), 1)
    except ValueError:
        pass
    raise RowRejected(f"{what}“{text}”不是有效日期（应如 2024-06）")


def _due_date(text: str, what: str) -> date | None:
    # 已过期 (expired) says the date passed without saying when: stored as unknown.
    return None if text == "已过期" else _year_month(text, what)


# Upper bounds of the whole numbers a row may carry: beyond them a value is a typing error,
# and refusing it here keeps one bad row from failing the whole file on PostgreSQL (integer
# columns overflow there, while SQLite would store anything).
LIMITS = {
    "续航里程": 3000,
    "马力": 3000,
    "座位数": 60,
    "过户次数": 50,
}


def _count(text: str, what: str, *, allow_blank: bool = True, maximum: int) -> int | None:
    if not text and allow_blank:
        return None
    if not text.isdecimal():  # isdigit() would let "²" through to int()
        raise RowRejected(f"{what}“{text}”不是非负整数")
    value = int(text)
    if value > maximum:
        raise RowRejected(f"{what}“{text}”超出合理范围（最多 {maximum:,}）")
    return value


def _mileage(km: int | Decimal, what: str, text: str) -> int:
    if km < 0:
        raise RowRejected(f"{what}不能为负数")
    if km > MAX_MILEAGE_KM:
        raise RowRejected(f"{what}“{text}”超出合理范围（最多 {MAX_MILEAGE_KM:,} 公里）")
    return int(km)


# --- che168 --------------------------------------------------------------------------------

_CHE168_HEADERS = (
    "车名",
    "里程数",
    "年份",
    "售价",
    "原价",
    "变速箱",
    "排放标准",
    "排量/续航",
    "品牌",
)
_TRANSMISSIONS = {
    "自动": Transmission.AUTOMATIC,
    "手自一体": Transmission.AUTOMATIC,
    "手动": Transmission.MANUAL,
    "automatic": Transmission.AUTOMATIC,
    "manual": Transmission.MANUAL,
}
_PHEV_WORDS = re.compile(r"插电|PHEV|DM-i|DM-p|DM-o|e混|EM-i")
_HYBRID_WORDS = re.compile(r"混动|双擎|油电|HEV|Hybrid|hybrid|智混")


def _che168_energy(row: dict[str, str], name: str) -> Energy:
    emission = _clean(row.get("排放标准"))
    grade = _clean(row.get("燃油标号"))
    if emission == "纯电动":
        return Energy.EV
    # 增程式 (range extender) is charged from the grid too: the nearest kind stored is PHEV.
    if emission in {"插电混动", "增程式"} or _PHEV_WORDS.search(name):
        return Energy.PHEV
    if grade == "0":  # 0 号柴油
        return Energy.DIESEL
    if grade in {"89", "90", "92", "93", "95", "97", "98"}:
        return Energy.HYBRID if _HYBRID_WORDS.search(name) else Energy.PETROL
    raise RowRejected(f"无法判断能源类型（排放标准“{emission}”，燃油标号“{grade}”）")


def _body_type(level: str) -> str:
    if "SUV" in level:
        return "SUV"
    if "MPV" in level:
        return "MPV"
    if level.endswith("型车") or level == "大型车":
        return "轿车"
    return level[:20]  # 跑车, 皮卡, 微面 ... kept as the platform says


def _parse_che168(row: dict[str, str]) -> dict[str, Any]:
    name = _clean(row.get("车名"))
    brand = _clean(row.get("品牌"))
    if not name:
        raise RowRejected("车名为空")
    if not brand:
        raise RowRejected("品牌为空")
    model_year = _MODEL_YEAR_RE.search(name)
    if model_year is None:
        raise RowRejected(f"车名“{name}”中没有年款（如 2021款）")
    series, _, trim = name.partition(" ")
    model = series.removeprefix(brand).strip() or series
    trim = _MODEL_YEAR_RE.sub("", trim, count=1).strip()

    price_text = _clean(row.get("售价"))
    if not price_text:
        raise RowRejected("售价为空")
    mileage_text = _clean(row.get("里程数"))
    if not mileage_text:
        raise RowRejected("里程数为空")
    mileage = _mileage(
        _decimal(mileage_text.removesuffix("万公里"), "里程数（万公里）") * 10_000,
        "里程数",
        mileage_text,
    )

    # 原价 is the new-car price in 万元, or a note such as 已降1000元 (a price cut): not a price.
    new_price_text = _clean(row.get("原价"))
    new_price = None
    if new_price_text and not new_price_text.startswith("已降"):
        new_price = _wan_to_yuan(new_price_text, "原价（万元）")

    transmission_text = _clean(row.get("变速箱"))
    transmission = _TRANSMISSIONS.get(transmission_text)
    if transmission is None:
        raise RowRejected(f"变速箱“{transmission_text}”无法识别（应为 自动 或 手动）")

    # One column carries the engine size ("2L") or, for electric cars, the range ("545km").
    engine = _clean(row.get("排量/续航"))
    displacement = ev_range = None
    if engine.endswith(("L", "T")):
        displacement = _decimal(engine[:-1], "排量").quantize(Decimal("0.1"))
        if not Decimal("0") < displacement < Decimal("100"):
            raise RowRejected(f"排量“{engine}”不合理")
    elif engine.lower().endswith("km") and engine[:-2]:
        ev_range = _count(engine[:-2], "续航里程", allow_blank=False, maximum=LIMITS["续航里程"])
    elif engine not in {"", "km", "-"}:
        raise RowRejected(f"排量/续航“{engine}”无法识别（应如 2L 或 545km）")

    drive = _clean(row.get("驱动方式"))
    grade = _clean(row.get("燃油标号"))
    if not drive and "驱" in grade:  # electric cars: the drive slipped into the grade column
        drive = grade
    emission = _clean(row.get("排放标准"))
    return {
        "brand": brand[:40],
        "model": model[:60],
        "trim": trim[:120],
        "year": int(model_year[1]),
        "first_registration": _year_month(_clean(row.get("年份")), "上牌时间"),
        "mileage_km": int(mileage),
        "displacement_l": displacement,
        "ev_range_km": ev_range,
        "energy": _che168_energy(row, name),
        "transmission": transmission,
        "emission_standard": "" if emission in {"纯电动", "插电混动", "增程式"} else emission[:20],
        "body_type": _body_type(_clean(row.get("车辆级别"))),
        "power_hp": _count(_clean(row.get("马力")), "马力", maximum=LIMITS["马力"]),
        "drive": drive[:20],
        "transfers": _count(_clean(row.get("过户次数")), "过户次数", maximum=LIMITS["过户次数"])
        or 0,
        "annual_inspection_due": _due_date(_clean(row.get("年检到期")), "年检到期"),
        "insurance_due": _due_date(_clean(row.get("保险到期")), "保险到期"),
        "new_price": new_price,
        "list_price": _wan_to_yuan(price_text, "售价（万元）"),
        # A listing export has no id of its own: the car is what does not change between
        # two exports of the same listing (the price may).
        "source_ref": _digest(
            name,
            mileage_text,
            _clean(row.get("年份")),
            _clean(row.get("城市")),
            _clean(row.get("发布时间")),
            _clean(row.get("过户次数")),
        ),
    }


# --- the store's own sheet -----------------------------------------------------------------

_ENERGIES = {
    "汽油": Energy.PETROL,
    "燃油": Energy.PETROL,
    "柴油": Energy.DIESEL,
    "油电混动": Energy.HYBRID,
    "混动": Energy.HYBRID,
    "插电混动": Energy.PHEV,
    "纯电": Energy.EV,
    "纯电动": Energy.EV,
} | {e.value: e for e in Energy}


def _parse_showroom(row: dict[str, str]) -> dict[str, Any]:
    def get(key: str) -> str:
        return _clean(row.get(key))

    ref = get("外部编号")
    if not ref:
        raise RowRejected("外部编号为空（用于再次导入时更新同一辆车）")
    for key in ("品牌", "车型", "年款"):
        if not get(key):
            raise RowRejected(f"{key}为空")
    year = _count(get("年款"), "年款", allow_blank=False, maximum=2100)
    if year is None or not 1950 <= year <= 2100:
        raise RowRejected(f"年款“{get('年款')}”不合理")
    if not get("售价（元）"):
        raise RowRejected("售价为空")
    energy = _ENERGIES.get(get("能源"))
    if energy is None:
        raise RowRejected(f"能源“{get('能源')}”无法识别（汽油/柴油/混动/插电混动/纯电）")
    transmission = _TRANSMISSIONS.get(get("变速箱"))
    if transmission is None:
        raise RowRejected(f"变速箱“{get('变速箱')}”无法识别（应为 自动 或 手动）")
    mileage = _count(get("表显里程（公里）"), "表显里程", allow_blank=False, maximum=MAX_MILEAGE_KM)
    vin = plate = None
    try:
        vin = normalize_vin(get("车架号")) if get("车架号") else None
        plate = normalize_plate(get("车牌号")) if get("车牌号") else None
    except ValidationError as exc:
        raise RowRejected(exc.message) from None
    displacement = (
        _decimal(get("排量（L）"), "排量").quantize(Decimal("0.1")) if get("排量（L）") else None
    )
    return {
        "brand": get("品牌")[:40],
        "model": get("车型")[:60],
        "trim": get("配置")[:120],
        "year": year,
        "first_registration": _year_month(get("初次登记"), "初次登记"),
        "mileage_km": mileage,
        "displacement_l": displacement,
        "ev_range_km": _count(get("纯电续航（公里）"), "纯电续航", maximum=LIMITS["续航里程"]),
        "energy": energy,
        "transmission": transmission,
        "emission_standard": get("排放标准")[:20],
        "body_type": get("车身")[:20],
        "colour": get("颜色")[:20],
        "seats": _count(get("座位数"), "座位数", maximum=LIMITS["座位数"]),
        "power_hp": _count(get("马力"), "马力", maximum=LIMITS["马力"]),
        "drive": get("驱动")[:20],
        "transfers": _count(get("过户次数"), "过户次数", maximum=LIMITS["过户次数"]) or 0,
        "new_price": _yuan(get("新车指导价（元）"), "新车指导价")
        if get("新车指导价（元）")
        else None,
        "list_price": _yuan(get("售价（元）"), "售价"),
        "vin": vin,
        "plate": plate,
        "source_ref": ref[:80],
    }


SHOWROOM_HEADERS = (
    "外部编号",
    "品牌",
    "车型",
    "配置",
    "年款",
    "初次登记",
    "表显里程（公里）",
    "排量（L）",
    "纯电续航（公里）",
    "能源",
    "变速箱",
    "排放标准",
    "车身",
    "颜色",
    "座位数",
    "马力",
    "驱动",
    "过户次数",
    "新车指导价（元）",
    "售价（元）",
    "车架号",
    "车牌号",
)

PRESETS: dict[str, Preset] = {
    "che168": Preset(
        "che168",
        "车之家 che168 导出（万公里、万元）",
        "che168",
        _CHE168_HEADERS,
        _parse_che168,
        VehicleStatus.ON_SALE,  # cars exported from a live listing are on sale
    ),
    "showroom": Preset(
        "showroom",
        "本店模板（公里、元）",
        "csv",
        ("外部编号", "品牌", "车型", "年款", "表显里程（公里）", "能源", "变速箱", "售价（元）"),
        _parse_showroom,
        VehicleStatus.PREPARING,
    ),
}


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:40]


# --- the file ------------------------------------------------------------------------------


def _open_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(
            "import.no_file", f"找不到文件：{path}", path=str(path), path_text=str(path)
        ) from None
    except OSError as exc:
        raise ValidationError(
            "import.unreadable",
            f"无法读取文件：{path}（{exc.strerror}）",
            path=str(path),
            path_text=str(path),
            reason=exc.strerror,
        ) from None
    # Exports from Chinese Excel are often GB18030; UTF-8 (with or without BOM) otherwise.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("import.encoding", "文件编码无法识别，请另存为 UTF-8 编码的 CSV")


def _records(text: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Headers and (line number where the record starts, {header: value}) pairs."""
    lines = text.splitlines(keepends=True)
    reader = csv.reader(lines)
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ValidationError("import.empty", "文件是空的，没有表头") from None
    except csv.Error as exc:
        raise ValidationError(
            "import.csv", f"不是有效的 CSV 文件：{exc}", detail=str(exc)
        ) from None

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        start = reader.line_num + 1
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                values = [f"\x00{exc}"]
            line, start = start, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue  # blank lines are not rows
            if values and values[0].startswith("\x00"):
                yield line, {"\x00error": f"CSV 格式错误：{values[0][1:]}"}
            elif len(values) != len(headers):
                yield line, {"\x00error": f"列数为 {len(values)}，表头有 {len(headers)} 列"}
            else:
                yield line, dict(zip(headers, values, strict=True))

    return headers, rows()


def detect_preset(headers: list[str]) -> Preset:
    for preset in PRESETS.values():
        if all(h in headers for h in preset.required):
            return preset
    presets = "、".join(PRESETS)
    raise ValidationError(
        "import.unknown_columns",
        f"无法识别文件的列，请选择导入模板（{presets}）",
        presets=presets,
        preset_names=list(PRESETS),
    )


def _preset(name: str | None, headers: list[str]) -> Preset:
    if name is None:
        return detect_preset(headers)
    preset = PRESETS.get(name)
    if preset is None:
        raise ValidationError(
            "import.unknown_preset",
            f"没有名为“{name}”的导入模板，可选：{'、'.join(PRESETS)}",
            preset=name,
            presets="、".join(PRESETS),
            preset_names=list(PRESETS),
        )
    missing = [h for h in preset.required if h not in headers]
    if missing:
        raise ValidationError(
            "import.missing_columns",
            f"文件缺少“{preset.name}”模板需要的列：{'、'.join(missing)}",
            missing=missing,
            name=preset.name,
            missing_text="、".join(missing),
        )
    return preset


@dataclass(frozen=True)
class _Parsed:
    line: int
    fields: dict[str, Any] | None
    reason: str = ""
    raw_title: str = ""  # what the file calls the car, for rejected rows

    @property
    def title(self) -> str:
        if not self.fields:
            return self.raw_title
        f = self.fields
        return f"{f['brand']} {f['model']} {f['trim']}".strip()


def _raw_title(row: dict[str, str]) -> str:
    """The car as the file names it, so a rejected row can be found by eye."""
    name = _clean(row.get("车名")) or " ".join(
        _clean(row.get(key)) for key in ("品牌", "车型", "配置") if _clean(row.get(key))
    )
    return name[:120]


def _parse_all(path: Path, preset_name: str | None) -> tuple[Preset, list[_Parsed]]:
    headers, rows = _records(_open_text(path))
    preset = _preset(preset_name, headers)
    parsed: list[_Parsed] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        if "\x00error" in row:
            parsed.append(_Parsed(line, None, row["\x00error"]))
            continue
        try:
            fields = preset.parse(row)
        except RowRejected as exc:
            parsed.append(_Parsed(line, None, str(exc), _raw_title(row)))
            continue
        first = seen.setdefault(fields["source_ref"], line)
        if first != line:
            parsed.append(
                _Parsed(line, None, f"与第 {first} 行是同一辆车（重复行）", _raw_title(row))
            )
            continue
        if fields.get("vin"):
            first = seen.setdefault("vin:" + fields["vin"], line)
            if first != line:
                parsed.append(_Parsed(line, None, f"车架号与第 {first} 行相同", _raw_title(row)))
                continue
        parsed.append(_Parsed(line, fields))
    return preset, parsed


@dataclass(frozen=True)
class PreviewRow:
    line: int
    accepted: bool
    title: str
    price: Decimal | None
    mileage_km: int | None
    reason: str


def read_preview(
    path: Path, preset: str | None = None, limit: int = 50
) -> tuple[str, int, list[PreviewRow]]:
    """(preset name, number of data rows, the first ``limit`` rows as they would import).

    No database: whether a row would create or update a car is only known on import.
    """
    chosen, parsed = _parse_all(path, preset)
    rows = [
        PreviewRow(
            p.line,
            p.fields is not None,
            p.title,
            p.fields["list_price"] if p.fields else None,
            p.fields["mileage_km"] if p.fields else None,
            p.reason,
        )
        for p in parsed[:limit]
    ]
    return chosen.name, len(parsed), rows


def default_report_path(data_dir: Path, source: Path, now: datetime | None = None) -> Path:
    """Where the report of importing ``source`` goes: ``<data dir>/imports/<name>-<time>.csv``."""
    stamp = (now or utcnow()).astimezone().strftime("%Y%m%d-%H%M%S")
    return data_dir / "imports" / f"{source.stem}-报告-{stamp}.csv"


def write_report(result: ImportResult, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    # utf-8-sig: Excel on Windows opens it with the Chinese intact.
    with target.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["行号", "结果", "库存编号", "车辆", "原因"])
        for o in result.outcomes:
            writer.writerow([o.line, OUTCOME_LABELS[o.outcome], o.stock_no, o.title, o.reason])
    result.report_path = target
    return target


def _store(session: Session, store_code: str) -> Store:
    store = session.execute(select(Store).where(Store.code == store_code)).scalar_one_or_none()
    if store is None:
        raise NotFoundError(
            "import.no_store", f"门店“{store_code}”不存在，请先完成首次设置", code=store_code
        )
    return store


def import_file(
    session: Session,
    path: Path,
    *,
    store_code: str,
    actor: Actor,
    preset: str | None = None,
    dry_run: bool = False,
    report_path: Path | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import ``path`` in the caller's transaction; see the module docstring.

    Raises ``ValidationError`` / ``NotFoundError`` only for the file as a whole (missing,
    unreadable, unknown columns); single bad rows are reported, not raised.
    """
    if not dry_run:
        # A file sets prices and facts of many cars at once: both permissions.
        require(session, actor, PRICES)
        require(session, actor, FACTS)
    chosen, parsed = _parse_all(path, preset)
    store = _store(session, store_code)
    result = ImportResult(path, chosen.name, dry_run)
    total = len(parsed)
    if progress:
        progress(0, total)

    refs = [p.fields["source_ref"] for p in parsed if p.fields]
    keys = [k for k in _UPDATABLE if k in parsed_keys(parsed)]
    columns = [getattr(Vehicle, k) for k in keys]
    existing: dict[str, tuple[uuid.UUID, str, bool]] = {}
    stored: dict[str, tuple[Any, ...]] = {}
    held: dict[str, VehicleStatus] = {}  # reserved / sold: price, VIN and plate are on paper
    for start in range(0, len(refs), BATCH):
        chunk = refs[start : start + BATCH]
        for vid, ref, stock_no, deleted, status, *values in session.execute(
            select(
                Vehicle.id,
                Vehicle.source_ref,
                Vehicle.stock_no,
                Vehicle.deleted_at,
                Vehicle.status,
                *columns,
            ).where(Vehicle.source == chosen.source, Vehicle.source_ref.in_(chunk))
        ):
            existing[ref] = (vid, stock_no, deleted is not None)
            stored[ref] = tuple(values)
            if status in _HELD:
                held[ref] = status
    guarded = [i for i, k in enumerate(keys) if k in _HELD_FIELDS]
    vin_owner = _vin_owners(
        session, [p.fields["vin"] for p in parsed if p.fields and p.fields.get("vin")]
    )

    outcomes: list[RowOutcome | None] = []
    creates: list[tuple[int, dict[str, Any]]] = []
    updates: list[dict[str, Any]] = []
    for p in parsed:
        if p.fields is None:
            outcomes.append(RowOutcome(p.line, REJECTED, p.reason, title=p.title))
            continue
        fields = p.fields
        known = existing.get(fields["source_ref"])
        vin = fields.get("vin")
        if vin and vin_owner.get(vin, (None,))[0] not in (None, known and known[0]):
            outcomes.append(
                RowOutcome(
                    p.line, REJECTED, f"车架号已属于库存车 {vin_owner[vin][1]}", title=p.title
                )
            )
            continue
        if known is None:
            creates.append((len(outcomes), fields))
            outcomes.append(None)  # filled in once the stock number is assigned
        elif known[2]:
            outcomes.append(
                RowOutcome(
                    p.line, REJECTED, f"库存车 {known[1]} 已删除，未重新导入", known[1], p.title
                )
            )
        elif tuple(fields[k] for k in keys) == stored[fields["source_ref"]]:
            # Nothing to write: re-importing the same file leaves the cars (and versions) be.
            outcomes.append(RowOutcome(p.line, UNCHANGED, "", known[1], p.title))
        elif fields["source_ref"] in held and any(
            fields[keys[i]] != stored[fields["source_ref"]][i] for i in guarded
        ):
            state = _HELD[held[fields["source_ref"]]]
            outcomes.append(
                RowOutcome(
                    p.line,
                    REJECTED,
                    f"库存车 {known[1]} {state}，未更新（售价、车架号、车牌号不能随导入改变）",
                    known[1],
                    p.title,
                )
            )
        else:
            updates.append({"b_id": known[0], **{k: fields[k] for k in keys}})
            outcomes.append(RowOutcome(p.line, UPDATED, "", known[1], p.title))

    if dry_run:
        stock_numbers = [""] * len(creates)
    else:
        year = utcnow().astimezone().year
        stock_numbers = (
            numbering.next_stock_no(session, store.code, year, len(creates)) if creates else []
        )
    done = 0
    now = utcnow()
    for start in range(0, len(creates), BATCH):
        batch = creates[start : start + BATCH]
        values = []
        for (index, fields), stock_no in zip(
            batch, stock_numbers[start : start + BATCH], strict=True
        ):
            outcomes[index] = RowOutcome(
                parsed[index].line, CREATED, "", stock_no, parsed[index].title
            )
            values.append(
                {
                    "id": uuid.uuid4(),
                    "created_at": now,
                    "updated_at": now,
                    "row_version": 1,
                    "store_id": store.id,
                    "stock_no": stock_no,
                    "status": chosen.status,
                    "listed_at": now if chosen.status is VehicleStatus.ON_SALE else None,
                    "source": chosen.source,
                    "configuration": [],
                    "description": "",
                    "vin": None,
                    "plate": None,
                    "colour": "",
                    "seats": None,
                    "annual_inspection_due": None,
                    "insurance_due": None,
                    **fields,
                }
            )
        if not dry_run:
            session.execute(Vehicle.__table__.insert(), values)
        done += len(batch)
        if progress:
            progress(done, total)
    on_postgresql = session.get_bind().dialect.name == "postgresql"
    if not dry_run and on_postgresql and len(creates) >= ANALYZE_AFTER:
        # Fresh statistics now, not whenever autovacuum gets to it: without them the next
        # import's look-up by source_ref scans every car once per batch (minutes, not seconds).
        session.execute(text("ANALYZE vehicles"))
    table = Vehicle.__table__
    # The last line should a deposit or a sale land between the read above and this write:
    # a reserved or sold car's price, VIN and plate are only "changed" to what they are.
    unchanged_held = [
        table.c[k].is_not_distinct_from(bindparam(k)) for k in keys if k in _HELD_FIELDS
    ]
    statement = (
        update(table)
        .where(
            table.c.id == bindparam("b_id"),
            or_(
                and_(*(table.c.status != held for held in _HELD_STATUSES)),
                and_(true(), *unchanged_held),
            ),
        )
        .values(
            {k: bindparam(k) for k in keys}
            | {"updated_at": now, "row_version": table.c.row_version + 1}
        )
    )
    for start in range(0, len(updates), BATCH):
        batch = updates[start : start + BATCH]
        if not dry_run:
            session.execute(statement, batch)
        done += len(batch)
        if progress:
            progress(done, total)
    if progress:
        progress(total, total)

    result.outcomes = [o for o in outcomes if o is not None]
    if not dry_run and (result.created or result.updated):
        audit.record(
            session,
            actor,
            "vehicles_imported",
            "vehicle_import",
            path.name,
            {
                "file": path.name,
                "preset": chosen.name,
                "created": result.created,
                "updated": result.updated,
                "rejected": result.rejected,
            },
        )
    if report_path is not None:
        write_report(result, report_path)
    return result


def parsed_keys(parsed: list[_Parsed]) -> dict[str, Any]:
    """The fields a preset's parser returns (the same keys for every row)."""
    return next((p.fields for p in parsed if p.fields), {})


def _vin_owners(session: Session, vins: list[str]) -> dict[str, tuple[uuid.UUID, str]]:
    owners: dict[str, tuple[uuid.UUID, str]] = {}
    for start in range(0, len(vins), BATCH):
        for vid, vin, stock_no in session.execute(
            select(Vehicle.id, Vehicle.vin, Vehicle.stock_no).where(
                Vehicle.vin.in_(vins[start : start + BATCH])
            )
        ):
            owners[vin] = (vid, stock_no)
    return owners
