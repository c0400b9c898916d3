"""Inventory queries: filtering and paging happen in SQL, rows come back as plain data.

Also who may change a car (one function per permission, below): price and cost only by
the manager or a role the store grants (``store_grants``); facts and photos by the stock
staff (manager, appraiser) or a granted role; the kiosk nothing. The services check these
against the role stored for the signed-in staff member, the screens only use them to
offer what will be allowed.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from db.models import Energy, Role, Staff, StoreGrant, Transmission, Vehicle, VehicleStatus
from showroom.errors import NotFoundError, PermissionDenied, ValidationError
from showroom.identifiers import normalize_plate
from showroom.services import audit
from showroom.users import KIOSK, Actor, effective_roles

# How customers think of energy (燃油 / 混动 / 纯电), mapped onto the stored kinds.
ENERGY_GROUPS: dict[str, tuple[Energy, ...]] = {
    "fuel": (Energy.PETROL, Energy.DIESEL),
    "hybrid": (Energy.HYBRID, Energy.PHEV),
    "ev": (Energy.EV,),
}


@dataclass(frozen=True)
class VehicleFilter:
    """Every filter is optional; ``None`` (or empty) means "any". Both range ends are inclusive."""

    text: str = ""
    brand: str | None = None
    model: str | None = None
    status: VehicleStatus | None = None
    energy: Energy | None = None
    energy_group: str | None = None  # a key of ENERGY_GROUPS
    transmission: Transmission | None = None
    body_type: str | None = None
    colour: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    min_year: int | None = None
    max_year: int | None = None
    min_mileage_km: int | None = None
    max_mileage_km: int | None = None
    customer_visible_only: bool = False  # kiosk: only cars a customer may see


@dataclass(frozen=True)
class VehicleRow:
    """What a list shows and ``vehicles list --json`` prints. No cost price."""

    id: uuid.UUID
    stock_no: str
    vin: str | None
    plate: str | None
    brand: str
    model: str
    trim: str
    year: int
    first_registration: date | None
    mileage_km: int
    price: Decimal
    status: VehicleStatus
    energy: Energy
    colour: str
    transmission: Transmission
    body_type: str

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["id"] = str(self.id)
        data["price"] = str(self.price)
        data["status"] = self.status.value
        data["energy"] = self.energy.value
        data["transmission"] = self.transmission.value
        data["first_registration"] = (
            self.first_registration.isoformat() if self.first_registration else None
        )
        return data


_ROW_COLUMNS = (
    Vehicle.id,
    Vehicle.stock_no,
    Vehicle.vin,
    Vehicle.plate,
    Vehicle.brand,
    Vehicle.model,
    Vehicle.trim,
    Vehicle.year,
    Vehicle.first_registration,
    Vehicle.mileage_km,
    Vehicle.list_price,
    Vehicle.status,
    Vehicle.energy,
    Vehicle.colour,
    Vehicle.transmission,
    Vehicle.body_type,
)

# What a customer may see (kiosk, public listings): never cars in preparation or sold.
CUSTOMER_VISIBLE_STATUSES = (
    VehicleStatus.ON_SALE,
    VehicleStatus.RESERVED,
    VehicleStatus.TEST_DRIVE,
)

SORTS = {
    "stock_no": Vehicle.stock_no,
    "price": Vehicle.list_price,
    "year": Vehicle.year,
    "mileage": Vehicle.mileage_km,
    "brand": Vehicle.brand,
    "listed": Vehicle.listed_at,
}


def _filtered(stmt: Select[Any], flt: VehicleFilter, dialect: str = "") -> Select[Any]:
    stmt = stmt.where(Vehicle.deleted_at.is_(None))
    if flt.customer_visible_only:
        stmt = stmt.where(Vehicle.status.in_(CUSTOMER_VISIBLE_STATUSES))
    for word in flt.text.lower().split():
        # Each word must occur somewhere: "丰田 京a" finds Toyotas with a Beijing plate.
        # A plain substring test on the one computed column: no wildcards to escape, and
        # cheaper per row than LIKE (see migration 0006).
        if dialect == "sqlite":
            stmt = stmt.where(func.instr(Vehicle.search_text, word) > 0)
        elif dialect == "postgresql":
            stmt = stmt.where(func.strpos(Vehicle.search_text, word) > 0)
        else:
            stmt = stmt.where(Vehicle.search_text.contains(word, autoescape=True))
    if flt.brand:
        stmt = stmt.where(Vehicle.brand == flt.brand)
    if flt.model:
        stmt = stmt.where(Vehicle.model == flt.model)
    if flt.status:
        stmt = stmt.where(Vehicle.status == flt.status)
    if flt.energy:
        stmt = stmt.where(Vehicle.energy == flt.energy)
    if flt.energy_group:
        stmt = stmt.where(Vehicle.energy.in_(ENERGY_GROUPS.get(flt.energy_group, ())))
    if flt.transmission:
        stmt = stmt.where(Vehicle.transmission == flt.transmission)
    if flt.body_type:
        stmt = stmt.where(Vehicle.body_type == flt.body_type)
    if flt.colour:
        stmt = stmt.where(Vehicle.colour == flt.colour)
    if flt.min_mileage_km is not None:
        stmt = stmt.where(Vehicle.mileage_km >= flt.min_mileage_km)
    if flt.min_price is not None:
        stmt = stmt.where(Vehicle.list_price >= flt.min_price)
    if flt.max_price is not None:
        stmt = stmt.where(Vehicle.list_price <= flt.max_price)
    if flt.min_year is not None:
        stmt = stmt.where(Vehicle.year >= flt.min_year)
    if flt.max_year is not None:
        stmt = stmt.where(Vehicle.year <= flt.max_year)
    if flt.max_mileage_km is not None:
        stmt = stmt.where(Vehicle.mileage_km <= flt.max_mileage_km)
    return stmt


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _browse(stmt: Select[Any], flt: VehicleFilter, dialect: str) -> Select[Any]:
    stmt = _filtered(stmt, flt, dialect)
    if dialect == "sqlite" and flt != VehicleFilter():
        # Without statistics SQLite often walks the sort column's index and reads each wide
        # row to test the filters; the covering index answers from the index alone
        # (rendered by db.sqlite_hints: SQLAlchemy's SQLite compiler drops table hints).
        stmt = stmt.with_hint(Vehicle, "INDEXED BY ix_vehicles_browse", "sqlite")
    return stmt


def count_vehicles(session: Session, flt: VehicleFilter = VehicleFilter()) -> int:
    stmt = _browse(select(func.count()).select_from(Vehicle), flt, _dialect(session))
    return int(session.scalar(stmt) or 0)


def list_vehicles(
    session: Session,
    flt: VehicleFilter = VehicleFilter(),
    *,
    offset: int = 0,
    limit: int | None = 200,
    sort: str = "stock_no",
    descending: bool = False,
) -> list[VehicleRow]:
    order = SORTS.get(sort, Vehicle.stock_no)
    # First the page's ids from the covering index, then only those rows: the wide rows
    # of the cars that do not make the page are never read.
    direction = order.desc() if descending else order.asc()
    if sort == "listed":
        direction = direction.nulls_last()  # never-listed cars after the listed ones
    ids = _browse(select(Vehicle.id), flt, _dialect(session)).order_by(direction, Vehicle.id)
    if offset:
        ids = ids.offset(offset)
    if limit is not None:
        ids = ids.limit(limit)
    page = list(session.scalars(ids))
    if not page:
        return []
    rows = {
        row.id: VehicleRow(*row)
        for row in session.execute(select(*_ROW_COLUMNS).where(Vehicle.id.in_(page)))
    }
    return [rows[vehicle_id] for vehicle_id in page if vehicle_id in rows]


def brands(session: Session) -> list[str]:
    stmt = (
        select(Vehicle.brand).where(Vehicle.deleted_at.is_(None)).distinct().order_by(Vehicle.brand)
    )
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class FilterOptions:
    """What the filter drop-downs offer: the values that occur in stock."""

    brands: tuple[str, ...]
    models: dict[str, tuple[str, ...]]  # brand -> its models
    body_types: tuple[str, ...]
    colours: tuple[str, ...]


def filter_options(session: Session, *, customer_visible_only: bool = False) -> FilterOptions:
    """Distinct brands/models, body types and colours (one grouped query each, index-backed)."""
    base = [Vehicle.deleted_at.is_(None)]
    if customer_visible_only:
        base.append(Vehicle.status.in_(CUSTOMER_VISIBLE_STATUSES))
    models: dict[str, list[str]] = {}
    pairs = session.execute(
        select(Vehicle.brand, Vehicle.model)
        .where(*base)
        .group_by(Vehicle.brand, Vehicle.model)
        .order_by(Vehicle.brand, Vehicle.model)
    )
    for brand, model in pairs:
        models.setdefault(brand, []).append(model)

    def distinct(column: Any) -> tuple[str, ...]:
        stmt = select(column).where(*base, column != "").group_by(column).order_by(column)
        return tuple(session.scalars(stmt))

    return FilterOptions(
        brands=tuple(models),
        models={brand: tuple(names) for brand, names in models.items()},
        body_types=distinct(Vehicle.body_type),
        colours=distinct(Vehicle.colour),
    )


# --- one car, as people name and find it -----------------------------------------------------

# Above this an odometer reading is a typing error (and would overflow the column).
MAX_MILEAGE_KM = 2_000_000


class _Named(Protocol):
    brand: str
    model: str
    year: int
    trim: str


def vehicle_label(car: _Named) -> str:
    """How every paper and screen names a car: "丰田 凯美瑞 2021款 2.0G 豪华版"."""
    year = "" if "款" in car.trim else f"{car.year}款"  # trims from listings carry the year
    return " ".join(p for p in (car.brand, car.model, year, car.trim) if p)


@dataclass(frozen=True)
class CarChoice:
    """A car found at the desk (deposit, contract, test-drive booking)."""

    id: uuid.UUID
    stock_no: str
    plate: str
    label: str
    price: Decimal
    status: VehicleStatus
    automatic: bool


def find_vehicle(session: Session, typed: str) -> Vehicle:
    """The car with the stock no. or plate the consultant typed ("京A·12345" finds 京A12345)."""
    text = typed.strip().upper()
    if not text:
        raise ValidationError("vehicle.lookup_missing", "请输入库存编号或车牌号。")
    try:
        plate = normalize_plate(text)
    except ValidationError:
        plate = None
    match = Vehicle.stock_no == text.replace(" ", "")
    if plate is not None:
        match = match | (Vehicle.plate == plate)
    vehicle = session.scalars(
        select(Vehicle).where(Vehicle.deleted_at.is_(None), match).limit(1)
    ).first()
    if vehicle is None:
        raise NotFoundError(
            "vehicle.lookup_unknown",
            f"没有找到库存编号或车牌为 {typed.strip()} 的车辆。",
            typed=typed.strip(),
        )
    return vehicle


def find_car(session: Session, typed: str) -> CarChoice:
    vehicle = find_vehicle(session, typed)
    return CarChoice(
        vehicle.id,
        vehicle.stock_no,
        vehicle.plate or "",
        vehicle_label(vehicle),
        vehicle.list_price,
        vehicle.status,
        vehicle.transmission is Transmission.AUTOMATIC,
    )


# --- who may change a car ---------------------------------------------------------------------

PRICES = "vehicle_prices"  # asking price, purchase cost, price lines, CSV import (sets prices)
FACTS = "vehicle_facts"  # intake, facts, photos, history, report, status
PERMISSIONS = (PRICES, FACTS)
# What each role may do without a grant. Manager always, whatever a store grants.
DEFAULT_ROLES: dict[str, frozenset[Role]] = {
    PRICES: frozenset({Role.MANAGER}),
    FACTS: frozenset({Role.MANAGER, Role.APPRAISER}),
}


class _HasRole(Protocol):
    """A signed-in user or the stored staff row: anything that says which roles it holds."""

    @property
    def roles(self) -> frozenset[Role]: ...


@dataclass(frozen=True)
class Grants:
    """Roles a store adds to the defaults, per permission."""

    roles: dict[str, frozenset[Role]]

    def of(self, permission: str) -> frozenset[Role]:
        return self.roles.get(permission, frozenset())


NO_GRANTS = Grants({})


def may_edit_prices(user: _HasRole, grants: Grants = NO_GRANTS) -> bool:
    """Asking price, purchase cost and price lines (one place to switch to role sets)."""
    return bool(effective_roles(user.roles) & (DEFAULT_ROLES[PRICES] | grants.of(PRICES)))


def may_edit_facts(user: _HasRole, grants: Grants = NO_GRANTS) -> bool:
    """A car's facts, photos, history, report and status; taking a car into stock."""
    return bool(effective_roles(user.roles) & (DEFAULT_ROLES[FACTS] | grants.of(FACTS)))


PERMISSION_CHECKS = {PRICES: may_edit_prices, FACTS: may_edit_facts}


def store_grants(session: Session, store_id: uuid.UUID | None) -> Grants:
    if store_id is None:
        return NO_GRANTS
    roles: dict[str, set[Role]] = {}
    for permission, role in session.execute(
        select(StoreGrant.permission, StoreGrant.role).where(StoreGrant.store_id == store_id)
    ):
        roles.setdefault(permission, set()).add(role)
    return Grants({k: frozenset(v) for k, v in roles.items()})


@dataclass(frozen=True)
class VehiclePermissions:
    """What the signed-in staff member may change on cars (screens enable controls by it)."""

    prices: bool
    facts: bool


_NOBODY = object()


def _staff(session: Session, actor: Actor) -> Staff | object | None:
    """The stored staff row of ``actor``; None for the system; ``_NOBODY`` for an account
    that is gone or switched off (it may do nothing)."""
    if actor.staff_id is None:
        return None
    staff = session.get(Staff, actor.staff_id)
    if staff is None or staff.deleted_at is not None or not staff.active:
        return _NOBODY
    return staff


def vehicle_permissions(session: Session, actor: Actor) -> VehiclePermissions:
    """Permissions from the role stored for ``actor`` (never from what the PC claims).

    The kiosk may change nothing. An actor with no staff id is the command line or the
    system (imports, demo data), which run with the database's own credentials.
    """
    if actor == KIOSK:
        return VehiclePermissions(False, False)
    staff = _staff(session, actor)
    if staff is None:
        return VehiclePermissions(True, True)
    if not isinstance(staff, Staff):
        return VehiclePermissions(False, False)
    grants = store_grants(session, staff.store_id)
    return VehiclePermissions(may_edit_prices(staff, grants), may_edit_facts(staff, grants))


def require(session: Session, actor: Actor, permission: str) -> None:
    """Raise ``PermissionDenied`` (a sentence, a stable code) unless ``actor`` may."""
    if actor == KIOSK:
        raise PermissionDenied("vehicle.kiosk_write", "自助机不能修改车辆资料")
    allowed = vehicle_permissions(session, actor)
    if permission == PRICES and not allowed.prices:
        raise PermissionDenied(
            "vehicle.prices_denied",
            "只有店长（或门店授权的岗位）可以修改售价、收车成本和价格构成。",
        )
    if permission == FACTS and not allowed.facts:
        raise PermissionDenied(
            "vehicle.facts_denied",
            "只有整备/评估人员和店长（或门店授权的岗位）可以修改车辆资料和照片。",
        )


def set_store_grants(
    session: Session,
    actor: Actor,
    store_id: uuid.UUID,
    permission: str,
    roles: frozenset[Role],
) -> Grants:
    """The manager decides which roles besides the defaults hold ``permission``."""
    staff = _staff(session, actor)
    if not isinstance(staff, Staff) or Role.MANAGER not in effective_roles(staff.roles):
        raise PermissionDenied("grants.manager_only", "只有店长可以设置岗位权限。")
    if permission not in DEFAULT_ROLES:
        raise ValidationError("grants.unknown", "没有这项权限。", permission=permission)
    wanted = set(roles) - DEFAULT_ROLES[permission]
    rows = {
        g.role: g
        for g in session.scalars(
            select(StoreGrant).where(
                StoreGrant.store_id == store_id, StoreGrant.permission == permission
            )
        )
    }
    before = sorted(r.value for r in rows)
    for role, row in rows.items():
        if role not in wanted:
            session.delete(row)
    for role in wanted - set(rows):
        session.add(StoreGrant(store_id=store_id, permission=permission, role=role))
    session.flush()
    after = sorted(r.value for r in wanted)
    if before != after:
        audit.record(
            session,
            actor,
            "store_grants_changed",
            "store",
            store_id,
            {"permission": permission, "from": before, "to": after},
        )
    return store_grants(session, store_id)
