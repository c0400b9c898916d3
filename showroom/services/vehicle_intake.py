"""收车入库: a car taken into stock by hand, without a CSV.

``intake_vehicle`` checks what was typed (the VIN's check digit, dates, ranges), takes the
stock number from the database counter (``db/numbers.py``) and files the car as 整备中,
audit logged. The asking price and the purchase cost need the price permission: someone
without it (an appraiser at the yard) takes the car in with the price left 待定价 (0) and
the manager prices it before it goes on sale.

``read_vin`` tells the form what the VIN says (maker, model year) while it is typed;
``intake_choices`` offers the brands, series and versions the store already has.

A car bought through an appraisal (issue 24) starts from an ``IntakeForm`` filled from the
inspection: ``VehicleIntakeDialog(..., prefill=IntakeForm(...))`` is that entry point.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Acquisition, Energy, Store, Transmission, Vehicle, VehicleStatus
from showroom import numbering
from showroom.clock import utcnow
from showroom.errors import ConflictError, NotFoundError, ValidationError
from showroom.identifiers import VinReading, normalize_plate
from showroom.identifiers import read_vin as _read_vin
from showroom.money import parse_amount
from showroom.services import audit
from showroom.services.vehicle_archive import MAX_PRICE
from showroom.services.vehicles import FACTS, MAX_MILEAGE_KM, PRICES, require, vehicle_label

STORE_ZONE = ZoneInfo("Asia/Shanghai")
BODY_TYPES = ("轿车", "SUV", "MPV", "跑车", "皮卡", "旅行车", "两厢车")
EMISSION_STANDARDS = ("国VI", "国V", "国IV", "国III")
EARLIEST_YEAR = 1980


@dataclass(frozen=True)
class IntakeForm:
    """What the 收车入库 form holds. Prices in yuan; None where nothing was typed."""

    vin: str = ""
    plate: str = ""
    brand: str = ""
    model: str = ""
    trim: str = ""
    year: int | None = None  # model year; read from the VIN when not typed
    first_registration: date | None = None
    mileage_km: int | None = None
    colour: str = ""
    energy: Energy | None = None
    transmission: Transmission | None = None
    emission_standard: str = ""
    body_type: str = ""
    seats: int | None = None
    transfers: int = 0  # 过户次数: previous owners beyond the first
    displacement_l: Decimal | None = None
    ev_range_km: int | None = None
    new_price: Decimal | None = None
    cost_price: Decimal | None = None  # internal
    list_price: Decimal | None = None
    annual_inspection_due: date | None = None
    insurance_due: date | None = None
    acquisition: Acquisition | None = None
    description: str = ""
    # The VIN's check digit does not compute but the car is an import from a region that
    # does not use it (Europe, Japan): staff looked at the car and confirm.
    vin_confirmed: bool = False


@dataclass(frozen=True)
class IntakeResult:
    id: uuid.UUID
    stock_no: str
    title: str
    price_pending: bool


@dataclass(frozen=True)
class IntakeChoices:
    """What the store already has, for the form's drop-downs."""

    brands: tuple[str, ...]
    models: dict[str, tuple[str, ...]]  # brand -> series
    trims: dict[tuple[str, str], tuple[str, ...]]  # (brand, series) -> versions
    colours: tuple[str, ...]


# --- what staff type -------------------------------------------------------------------------

_DAY_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?|月)?")
_FULLWIDTH = str.maketrans({chr(0xFF10 + d): str(d) for d in range(10)} | {"／": "/", "－": "-"})


def parse_day(text: str, label: str) -> date | None:
    """A date as staff type it from a licence or a sticker: ``2023-05-01``, ``2023/5/1``,
    ``2023年5月1日``, or ``2023-05`` (the first of the month); blank is None."""
    cleaned = text.strip().translate(_FULLWIDTH)
    if not cleaned:
        return None
    match = _DAY_RE.fullmatch(cleaned)
    if match is not None:
        try:
            return date(int(match[1]), int(match[2]), int(match[3] or 1))
        except ValueError:
            pass
    raise ValidationError(
        "intake.date_invalid",
        f"{label}“{text.strip()}”不是有效日期，请写成 2023-05-01",
        label=label,
        text=text.strip(),
    )


def parse_km(text: str, label: str = "表显里程") -> int | None:
    """Kilometres as typed: ``28000``, ``28,000``, ``2.8万`` (万公里); blank is None."""
    cleaned = text.strip().translate(_FULLWIDTH).replace(",", "").replace("，", "")
    cleaned = cleaned.removesuffix("公里").removesuffix("km").removesuffix("KM").strip()
    if not cleaned:
        return None
    factor = Decimal(1)
    if cleaned.endswith("万"):
        cleaned, factor = cleaned[:-1], Decimal(10_000)
    try:
        value = Decimal(cleaned) * factor
    except ArithmeticError:
        value = Decimal(-1)
    if not value.is_finite() or value < 0 or value != value.to_integral_value():
        raise ValidationError(
            "intake.km_invalid",
            f"{label}“{text.strip()}”不是公里数，请写成 28000 或 2.8万",
            label=label,
            text=text.strip(),
        )
    return int(value)


def parse_money(text: str, label: str) -> Decimal | None:
    """Yuan as typed (``145800``, ``14.58万``, ``¥145,800``); blank is None."""
    if not text.strip():
        return None
    try:
        return parse_amount(text)
    except ValidationError as exc:
        raise ValidationError(
            exc.code, f"{label}：{exc.message}", **{**exc.params, "label": label}
        ) from None


def parse_litres(text: str) -> Decimal | None:
    cleaned = text.strip().upper().removesuffix("L").removesuffix("T").strip()
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except ArithmeticError:
        value = Decimal(0)
    if not value.is_finite() or not Decimal(0) < value < Decimal(100):
        raise ValidationError("intake.displacement", "排量不合理，请以升为单位填写，如 2.0")
    return value


def intake_choices(session: Session) -> IntakeChoices:
    models: dict[str, list[str]] = {}
    trims: dict[tuple[str, str], list[str]] = {}
    for brand, model, trim in session.execute(
        select(Vehicle.brand, Vehicle.model, Vehicle.trim)
        .where(Vehicle.deleted_at.is_(None))
        .group_by(Vehicle.brand, Vehicle.model, Vehicle.trim)
        .order_by(Vehicle.brand, Vehicle.model, Vehicle.trim)
    ):
        if model not in models.setdefault(brand, []):
            models[brand].append(model)
        if trim:
            trims.setdefault((brand, model), []).append(trim)
    colours = tuple(
        session.scalars(
            select(Vehicle.colour)
            .where(Vehicle.deleted_at.is_(None), Vehicle.colour != "")
            .group_by(Vehicle.colour)
            .order_by(Vehicle.colour)
        )
    )
    return IntakeChoices(
        tuple(models),
        {k: tuple(v) for k, v in models.items()},
        {k: tuple(v) for k, v in trims.items()},
        colours,
    )


def read_vin(text: str, *, now: datetime | None = None) -> VinReading:
    """What the VIN says (maker, model year, whether its check digit computes)."""
    return _read_vin(text, today=_today(now))


def _now(now: datetime | None) -> datetime:
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return now.astimezone(UTC)


def _today(now: datetime | None) -> date:
    return _now(now).astimezone(STORE_ZONE).date()


def _required_text(value: str, code: str, label: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise ValidationError(code, f"请填写{label}", label=label)
    if len(value) > limit:
        raise ValidationError(
            code + "_too_long", f"{label}最多 {limit} 个字", label=label, limit=limit
        )
    return value


def _optional_text(value: str, code: str, label: str, limit: int) -> str:
    value = value.strip()
    if len(value) > limit:
        raise ValidationError(
            code + "_too_long", f"{label}最多 {limit} 个字", label=label, limit=limit
        )
    return value


def _amount(value: Decimal | None, code: str, label: str) -> Decimal | None:
    if value is None:
        return None
    if value <= 0:
        raise ValidationError(code, f"{label}必须大于零", label=label)
    if value >= MAX_PRICE or value != value.quantize(Decimal("0.01")):
        raise ValidationError(code, f"{label}超出范围，请检查是否多输了位数", label=label)
    return value


def checked(form: IntakeForm, *, now: datetime | None = None) -> IntakeForm:
    """The form with text trimmed, VIN and plate normalised, the model year read from the
    VIN when none was typed; ``ValidationError`` (one sentence) for the first problem."""
    today = _today(now)
    if not form.vin.strip():
        raise ValidationError(
            "intake.vin_missing", "请填写车架号（VIN），在前挡风玻璃左下角或行驶证上"
        )
    reading = read_vin(form.vin, now=now)
    if not reading.check_digit_ok:
        if reading.check_digit_required:
            raise ValidationError(
                "vin.check_digit", "车架号（VIN）校验位不符，可能有输入错误，请核对"
            )
        if not form.vin_confirmed:
            raise ValidationError(
                "intake.vin_unconfirmed",
                "车架号校验位不符。欧洲、日本等进口车可能不用校验位：请对照车辆核对后勾选“已核对车架号”。",
            )
    plate = normalize_plate(form.plate) if form.plate.strip() else ""
    brand = _required_text(form.brand, "intake.brand_missing", "品牌", 40)
    model = _required_text(form.model, "intake.model_missing", "车系", 60)
    trim = _optional_text(form.trim, "intake.trim", "车型版本", 120)
    year = form.year or reading.model_year
    if year is None:
        raise ValidationError("intake.year_missing", "请填写年款（车架号未能读出年款）")
    if not EARLIEST_YEAR <= year <= today.year + 1:
        raise ValidationError(
            "intake.year_range",
            f"年款应在 {EARLIEST_YEAR} 到 {today.year + 1} 之间",
            year=year,
            earliest=EARLIEST_YEAR,
            latest=today.year + 1,
        )
    if form.first_registration is not None:
        if form.first_registration > today:
            raise ValidationError("intake.registration_future", "初次登记日期不能晚于今天")
        if form.first_registration.year < year - 1:
            raise ValidationError(
                "intake.registration_before_year",
                f"初次登记日期早于 {year} 款车型上市，请核对年款或日期",
                year=year,
            )
    if form.mileage_km is None:
        raise ValidationError("intake.mileage_missing", "请填写表显里程")
    if not 0 <= form.mileage_km <= MAX_MILEAGE_KM:
        raise ValidationError(
            "vehicle.mileage_invalid",
            f"表显里程应在 0 到 {MAX_MILEAGE_KM:,} 公里之间，请检查是否多输了位数",
            limit=f"{MAX_MILEAGE_KM:,}",
        )
    if form.energy is None:
        raise ValidationError("intake.energy_missing", "请选择能源类型")
    if form.transmission is None:
        raise ValidationError("intake.transmission_missing", "请选择变速箱")
    if form.seats is not None and not 1 <= form.seats <= 60:
        raise ValidationError("vehicle.seats_invalid", "座位数应在 1 到 60 之间")
    if not 0 <= form.transfers <= 50:
        raise ValidationError("vehicle.transfers_invalid", "过户次数应在 0 到 50 之间")
    if form.displacement_l is not None and not Decimal("0") < form.displacement_l < Decimal("100"):
        raise ValidationError("intake.displacement", "排量不合理，请以升为单位填写，如 2.0")
    if form.ev_range_km is not None and not 0 < form.ev_range_km <= 3000:
        raise ValidationError("intake.ev_range", "纯电续航应在 1 到 3000 公里之间")
    return replace(
        form,
        vin=reading.vin,
        plate=plate,
        brand=brand,
        model=model,
        trim=trim,
        year=year,
        colour=_optional_text(form.colour, "vehicle.colour", "车身颜色", 20),
        emission_standard=_optional_text(
            form.emission_standard, "vehicle.emission_standard", "排放标准", 20
        ),
        body_type=_optional_text(form.body_type, "vehicle.body_type", "车身类型", 20),
        description=_optional_text(form.description, "intake.description", "车况说明", 2000),
        new_price=_amount(form.new_price, "vehicle.new_price_invalid", "新车指导价"),
        cost_price=_amount(form.cost_price, "vehicle.cost_invalid", "收车成本"),
        list_price=_amount(form.list_price, "vehicle.price_invalid", "售价"),
        displacement_l=(
            form.displacement_l.quantize(Decimal("0.1"))
            if form.displacement_l is not None
            else None
        ),
    )


def intake_vehicle(
    session: Session,
    actor: audit.Actor,
    store_id: uuid.UUID,
    form: IntakeForm,
    *,
    now: datetime | None = None,
) -> IntakeResult:
    """Take a car into stock (整备中) with a stock number from the database counter."""
    now = _now(now)
    require(session, actor, FACTS)
    form = checked(form, now=now)
    if form.list_price is not None or form.cost_price is not None:
        require(session, actor, PRICES)
    store = session.get(Store, store_id)
    if store is None or store.deleted_at is not None:
        raise NotFoundError("store.not_found", "门店不存在，请先完成首次设置。")
    owner = session.execute(
        select(Vehicle.stock_no, Vehicle.deleted_at).where(Vehicle.vin == form.vin)
    ).first()
    if owner is not None:
        gone = "（已删除）" if owner.deleted_at is not None else ""
        raise ConflictError(
            "intake.vin_taken",
            f"车架号 {form.vin} 已属于库存车 {owner.stock_no}{gone}，同一辆车不能重复入库。",
            stock_no=owner.stock_no,
            vin=form.vin,
            gone=gone,
        )
    year = now.astimezone(STORE_ZONE).year
    (stock_no,) = numbering.next_stock_no(session, store.code, year)
    vehicle = Vehicle(
        store_id=store.id,
        stock_no=stock_no,
        vin=form.vin,
        plate=form.plate or None,
        brand=form.brand,
        model=form.model,
        trim=form.trim,
        year=form.year,
        first_registration=form.first_registration,
        mileage_km=form.mileage_km,
        displacement_l=form.displacement_l,
        ev_range_km=form.ev_range_km,
        energy=form.energy,
        transmission=form.transmission,
        emission_standard=form.emission_standard,
        body_type=form.body_type,
        colour=form.colour,
        seats=form.seats,
        transfers=form.transfers,
        annual_inspection_due=form.annual_inspection_due,
        insurance_due=form.insurance_due,
        new_price=form.new_price,
        list_price=form.list_price or Decimal("0.00"),
        cost_price=form.cost_price,
        status=VehicleStatus.PREPARING,
        configuration=[],
        description=form.description,
        acquisition=form.acquisition,
        source="manual",
        created_at=now,
        updated_at=now,
    )
    session.add(vehicle)
    session.flush()
    audit.record(
        session,
        actor,
        "vehicle_intake",
        "vehicle",
        vehicle.id,
        {
            "code": stock_no,
            "vin": form.vin,
            "car": vehicle_label(vehicle),
            "list_price": str(form.list_price) if form.list_price else None,
            "cost_price": str(form.cost_price) if form.cost_price else None,
            "acquisition": form.acquisition.value if form.acquisition else None,
            "vin_confirmed": form.vin_confirmed,
        },
    )
    return IntakeResult(vehicle.id, stock_no, vehicle_label(vehicle), form.list_price is None)
