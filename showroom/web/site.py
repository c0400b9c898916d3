"""Rendering of the public pages (Jinja2), shared by ``showroom web`` and ``showroom publish``.

Formatting lives here, once: prices in 万元, mileage in 万公里, the facts table, labels of
the closed vocabularies, and the loan calculator's figures, which come from
``showroom.loan`` (the app's own calculator) and never from arithmetic in the browser.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from db.enums import Energy, HistoryKind, Transmission, VehicleStatus
from resources import path as resource_path
from showroom import loan
from showroom.errors import ValidationError
from showroom.money import format_yuan, in_wan
from showroom.services.car_pages import PHOTO_CATEGORY_ZH, PublicCar
from showroom.services.kiosk import mileage_in_wan_km

STORE_ZONE = ZoneInfo("Asia/Shanghai")
TEMPLATES = resource_path("web", "templates")
STATIC = resource_path("web", "static")

ENERGY_ZH = {
    Energy.PETROL: "汽油",
    Energy.DIESEL: "柴油",
    Energy.HYBRID: "油电混动",
    Energy.PHEV: "插电混动",
    Energy.EV: "纯电动",
}
TRANSMISSION_ZH = {Transmission.MANUAL: "手动挡", Transmission.AUTOMATIC: "自动挡"}
STATUS_ZH = {
    VehicleStatus.PREPARING: "整备中",
    VehicleStatus.ON_SALE: "在售",
    VehicleStatus.RESERVED: "已预订",
    VehicleStatus.TEST_DRIVE: "试驾中",
    VehicleStatus.SOLD: "已售",
}
HISTORY_ZH = {
    HistoryKind.COLLISION: "事故",
    HistoryKind.FLOOD: "泡水",
    HistoryKind.FIRE: "火烧",
    HistoryKind.OTHER: "其他",
}

# The kiosk's filter chips, as choices of the list form (prices in yuan, both ends inclusive).
PRICE_BANDS: tuple[tuple[str, Decimal | None, Decimal | None], ...] = (
    ("全部价格", None, None),
    ("5万以下", None, Decimal("49999.99")),
    ("5–10万", Decimal(50_000), Decimal("99999.99")),
    ("10–15万", Decimal(100_000), Decimal("149999.99")),
    ("15–20万", Decimal(150_000), Decimal("199999.99")),
    ("20–30万", Decimal(200_000), Decimal("299999.99")),
    ("30万以上", Decimal(300_000), None),
)
ENERGY_GROUPS = (("", "全部能源"), ("fuel", "燃油"), ("hybrid", "混动"), ("ev", "纯电"))
SORTS = (
    ("year", "最新年份", True),
    ("price", "价格最低", False),
    ("mileage", "里程最少", False),
)

# Loan calculator: the app's defaults (ui/widgets/loan_calculator.py) and the choices a
# static page offers (its figures are computed at publish time, one per choice).
DEFAULT_PERCENT = "30"
DEFAULT_TERM = 36
DEFAULT_RATE = "4.5"
TERMS = (12, 24, 36, 48, 60)
STATIC_PERCENTS = ("0", "10", "20", "30", "40", "50", "60", "70")


def wan(amount: Decimal) -> str:
    """``125800`` -> ``"12.58"`` (the number before 万)."""
    return f"{in_wan(amount)}"


def yuan(amount: Decimal) -> str:
    """Whole yuan without the fen when there are none: ``¥128,000`` / ``¥99.50``."""
    text = format_yuan(amount)
    return text[:-3] if text.endswith(".00") else text


def mileage(km: int) -> str:
    if km < 1000:
        return f"{km} 公里"
    return f"{mileage_in_wan_km(km)} 万公里"


def month(value: date | None) -> str:
    return f"{value.year}年{value.month}月" if value else "未上牌"


def local_time(value: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.astimezone(STORE_ZONE).strftime(fmt)


def facts(car: PublicCar) -> list[tuple[str, str]]:
    """The basic data as label/value pairs, like the kiosk archive's table."""
    if car.displacement_l is not None:
        engine = f"{car.displacement_l} L"
    elif car.ev_range_km:
        engine = f"续航 {car.ev_range_km} 公里"
    else:
        engine = "—"
    rows = [
        ("年款", f"{car.year}款"),
        ("初次登记", month(car.first_registration)),
        ("表显里程", f"{car.mileage_km:,} 公里"),
        ("排量/续航", engine),
        ("能源", ENERGY_ZH.get(car.energy, str(car.energy))),
        ("变速箱", TRANSMISSION_ZH.get(car.transmission, str(car.transmission))),
        ("排放标准", car.emission_standard or "—"),
        ("车身颜色", car.colour or "—"),
        ("车身形式", car.body_type or "—"),
        ("座位数", str(car.seats) if car.seats else "—"),
        ("过户次数", f"{car.transfers} 次"),
        ("驱动方式", car.drive or "—"),
    ]
    if car.power_hp:
        rows.append(("最大马力", f"{car.power_hp} 马力"))
    if car.new_price:
        rows.append(("新车指导价", f"{wan(car.new_price)} 万元"))
    if car.vin_shown:
        rows.append(("车架号", car.vin_shown))
    rows.append(("库存编号", car.stock_no))
    return rows


# --- loan ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoanFigures:
    """What the page shows of both repayment methods for one set of inputs."""

    percent: str
    term: int
    rate: str
    down_payment: str
    loan: str
    monthly: str  # 等额本息: every month
    interest_equal: str
    first: str  # 等额本金: first month
    decrease: str
    interest_principal: str

    def as_json(self) -> dict[str, str]:
        return {
            "down_payment": self.down_payment,
            "loan": self.loan,
            "monthly": self.monthly,
            "interest_equal": self.interest_equal,
            "first": self.first,
            "decrease": self.decrease,
            "interest_principal": self.interest_principal,
        }


def loan_figures(price: Decimal, percent: str, term: str | int, rate: str) -> LoanFigures:
    """Both plans for ``price`` (ValidationError in Chinese for a bad input)."""
    down = loan.down_payment_from_percent(price, percent)
    equal, principal = loan.calculate_both(price, down, term, rate)
    return LoanFigures(
        str(loan.parse_percent(percent).normalize()),
        equal.term,
        str(equal.annual_rate.normalize()),
        yuan(down),
        yuan(equal.loan),
        yuan(equal.first_payment),
        yuan(equal.total_interest),
        yuan(principal.first_payment),
        yuan(principal.monthly_decrease),
        yuan(principal.total_interest),
    )


@dataclass(frozen=True)
class LoanForm:
    """The calculator as typed (kept on error) with its figures or its error."""

    percent: str
    term: str
    rate: str
    figures: LoanFigures | None
    error: str


def loan_form(price: Decimal, args: Mapping[str, str]) -> LoanForm:
    percent = (args.get("percent") or DEFAULT_PERCENT).strip()[:12]
    term = (args.get("term") or str(DEFAULT_TERM)).strip()[:6]
    rate = (args.get("rate") or DEFAULT_RATE).strip()[:12]
    try:
        return LoanForm(percent, term, rate, loan_figures(price, percent, term, rate), "")
    except ValidationError as exc:
        return LoanForm(percent, term, rate, None, exc.message)


def loan_table(price: Decimal, rate: str = DEFAULT_RATE) -> dict[str, dict[str, str]]:
    """Every choice a static page offers, ``"30|36"`` -> figures, computed by ``showroom.loan``."""
    table: dict[str, dict[str, str]] = {}
    for percent in STATIC_PERCENTS:
        for term in TERMS:
            try:
                table[f"{percent}|{term}"] = loan_figures(price, percent, term, rate).as_json()
            except ValidationError:
                continue  # e.g. a price too small to lend on: that choice shows nothing
    return table


# --- templates ------------------------------------------------------------------------------------


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(("html", "xml")),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,  # a missing value is a bug, not an empty cell
    )
    env.filters.update(wan=wan, yuan=yuan, mileage=mileage, month=month, local_time=local_time)
    env.globals.update(
        ENERGY_ZH=ENERGY_ZH,
        TRANSMISSION_ZH=TRANSMISSION_ZH,
        STATUS_ZH=STATUS_ZH,
        HISTORY_ZH=HISTORY_ZH,
        PHOTO_CATEGORY_ZH=PHOTO_CATEGORY_ZH,
        facts=facts,
        TERMS=TERMS,
        STATIC_PERCENTS=STATIC_PERCENTS,
    )
    return env


class Site:
    """The page templates with the addresses of one way of serving them.

    ``static`` is True for ``showroom publish``: no forms that need the server, photos
    under ``photos/``, and every link relative so the folder works wherever it is hosted.
    """

    def __init__(self, *, static: bool) -> None:
        self.static = static
        self.env = _environment()

    def render(self, name: str, *, root: str, **context: Any) -> str:
        return self.env.get_template(name).render(
            static=self.static, root=root, urls=Urls(root, self.static), **context
        )

    @staticmethod
    def fingerprint() -> str:
        """Changes when any template or static file changes (a published site is redone)."""
        digest = hashlib.sha256()
        for folder in (TEMPLATES, STATIC):
            for file in sorted(folder.rglob("*")):
                if file.is_file():
                    digest.update(file.name.encode())
                    digest.update(file.read_bytes())
        return digest.hexdigest()


@dataclass(frozen=True)
class Urls:
    """Relative addresses from the page being rendered (``root`` leads back to the top)."""

    root: str
    static: bool

    def home(self) -> str:
        return self.root or "./"

    def car(self, stock_no: str) -> str:
        return f"{self.root}cars/{stock_no}/" if self.static else f"{self.root}cars/{stock_no}"

    def photo(self, stock_no: str, sha: str) -> str:
        if self.static:
            return f"{self.root}photos/{sha}.jpg"
        return f"{self.root}cars/{stock_no}/media/{sha}.jpg"

    def report(self, stock_no: str) -> str:
        return f"{self.car(stock_no).rstrip('/')}/report.pdf"

    def asset(self, name: str) -> str:
        return f"{self.root}static/{name}"

    def test_drive(self, stock_no: str) -> str:
        return f"{self.root}cars/{stock_no}/test-drive"

    def inspection_day(self) -> str:
        return f"{self.root}inspection-day"


Renderer = Callable[..., str]
