"""收车入库 by hand and who may change what on a car, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import (
    Acquisition,
    AuditEntry,
    Energy,
    Role,
    StoreGrant,
    Transmission,
    Vehicle,
    VehicleStatus,
)
from showroom.errors import ConflictError, PermissionDenied, ValidationError
from showroom.identifiers import vin_check_digit
from showroom.services import vehicle_archive, vehicles
from showroom.services.audit import KIOSK, SYSTEM, Actor
from showroom.services.vehicle_archive import VehicleEdit
from showroom.services.vehicle_intake import IntakeForm, intake_choices, intake_vehicle
from tests.factories import make_staff, make_store

# 10:00 in Beijing on 1 December 2026.
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def vin(prefix: str = "LVGBE40K", tail: str = "PG123456") -> str:
    """A generated VIN with a correct check digit (position 9)."""
    raw = prefix + "0" + tail
    return raw[:8] + vin_check_digit(raw) + raw[9:]


def form(**changes: object) -> IntakeForm:
    values: dict[str, object] = dict(
        vin=vin(),
        plate="京N·12345",
        brand="丰田",
        model="凯美瑞",
        trim="2.0G 豪华版",
        first_registration=date(2023, 5, 1),
        mileage_km=28_000,
        colour="珍珠白",
        energy=Energy.PETROL,
        transmission=Transmission.AUTOMATIC,
        emission_standard="国VI",
        body_type="轿车",
        seats=5,
        transfers=0,
        new_price=Decimal("199800"),
        cost_price=Decimal("132000"),
        list_price=Decimal("145800"),
        annual_inspection_due=date(2027, 5, 31),
        insurance_due=date(2027, 4, 30),
        acquisition=Acquisition.TRADE_IN,
    )
    values.update(changes)
    return IntakeForm(**values)  # type: ignore[arg-type]


@pytest.fixture
def store_id(database: Database) -> uuid.UUID:
    return make_store(database)


def _actor(database: Database, store_id: uuid.UUID, role: Role, name: str) -> Actor:
    staff_id = make_staff(database, store_id, name, role)
    return Actor(name, staff_id, store_id)


@pytest.fixture
def manager(database: Database, store_id: uuid.UUID) -> Actor:
    return _actor(database, store_id, Role.MANAGER, "zhao")


@pytest.fixture
def appraiser(database: Database, store_id: uuid.UUID) -> Actor:
    return _actor(database, store_id, Role.APPRAISER, "li")


@pytest.fixture
def sales(database: Database, store_id: uuid.UUID) -> Actor:
    return _actor(database, store_id, Role.SALES, "sun")


def test_a_car_taken_in_by_hand_gets_a_counter_stock_number_and_the_vins_year(
    database: Database, store_id: uuid.UUID, manager: Actor
) -> None:
    with database.write() as s:
        first = intake_vehicle(s, manager, store_id, form(), now=NOW)
        second = intake_vehicle(
            s, manager, store_id, form(vin=vin(tail="PG654321"), plate=""), now=NOW
        )
    assert (first.stock_no, second.stock_no) == ("BJ01-S2026-00001", "BJ01-S2026-00002")
    assert first.title == "丰田 凯美瑞 2023款 2.0G 豪华版"  # model year P = 2023 from the VIN
    with database.read() as s:
        car = s.get_one(Vehicle, first.id)
        assert car.status is VehicleStatus.PREPARING and car.listed_at is None
        assert (car.plate, car.year, car.acquisition) == ("京N12345", 2023, Acquisition.TRADE_IN)
        assert (car.list_price, car.cost_price) == (Decimal("145800"), Decimal("132000"))
        assert s.get_one(Vehicle, second.id).plate is None
        [entry, _] = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "vehicle_intake").order_by(AuditEntry.seq)
        ).all()
    assert entry.detail["code"] == "BJ01-S2026-00001"
    assert entry.detail["cost_price"] == "132000"


def test_the_stock_number_year_is_the_stores_year_at_five_past_midnight(
    database: Database, store_id: uuid.UUID, manager: Actor
) -> None:
    # 00:05 on 1 January 2027 in Beijing is still 2026 in UTC.
    new_year = datetime(2026, 12, 31, 16, 5, tzinfo=UTC)
    with database.write() as s:
        result = intake_vehicle(s, manager, store_id, form(), now=new_year)
    assert result.stock_no == "BJ01-S2027-00001"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"vin": ""}, "intake.vin_missing"),
        ({"vin": "LVGBE40K1PG12345"}, "vin.length"),
        ({"vin": vin()[:8] + "X" + vin()[9:]}, "vin.check_digit"),
        ({"brand": " "}, "intake.brand_missing"),
        ({"mileage_km": None}, "intake.mileage_missing"),
        ({"mileage_km": 3_000_000}, "vehicle.mileage_invalid"),
        ({"energy": None}, "intake.energy_missing"),
        ({"first_registration": date(2026, 12, 2)}, "intake.registration_future"),
        ({"year": 2029}, "intake.year_range"),
        ({"list_price": Decimal("0")}, "vehicle.price_invalid"),
        ({"cost_price": Decimal("1e9")}, "vehicle.cost_invalid"),
        ({"seats": 0}, "vehicle.seats_invalid"),
        ({"plate": "京A1"}, "plate.length"),
    ],
)
def test_bad_intake_is_refused_with_a_sentence_and_nothing_is_stored(
    database: Database, store_id: uuid.UUID, manager: Actor, changes: dict, code: str
) -> None:
    with pytest.raises(ValidationError) as caught, database.write() as s:
        intake_vehicle(s, manager, store_id, form(**changes), now=NOW)
    assert caught.value.code == code
    assert caught.value.message  # a Chinese sentence, not a database error
    with database.read() as s:
        assert s.scalars(select(Vehicle)).all() == []


def test_a_european_vin_without_a_check_digit_needs_staff_to_confirm_it(
    database: Database, store_id: uuid.UUID, manager: Actor
) -> None:
    german = "WVWZZZ1KZ8W000001"  # position 9 is not a check digit in Europe
    with pytest.raises(ValidationError) as caught, database.write() as s:
        intake_vehicle(s, manager, store_id, form(vin=german, year=2008), now=NOW)
    assert caught.value.code == "intake.vin_unconfirmed"
    with database.write() as s:
        result = intake_vehicle(
            s, manager, store_id, form(vin=german, year=2008, vin_confirmed=True), now=NOW
        )
    assert result.stock_no.endswith("00001")


def test_the_same_vin_cannot_come_into_stock_twice(
    database: Database, store_id: uuid.UUID, manager: Actor
) -> None:
    with database.write() as s:
        intake_vehicle(s, manager, store_id, form(), now=NOW)
    with pytest.raises(ConflictError, match="BJ01-S2026-00001") as caught, database.write() as s:
        intake_vehicle(s, manager, store_id, form(plate=""), now=NOW)
    assert caught.value.code == "intake.vin_taken"


def test_an_appraiser_takes_a_car_in_without_a_price_and_the_manager_prices_it(
    database: Database, store_id: uuid.UUID, appraiser: Actor, manager: Actor
) -> None:
    with pytest.raises(PermissionDenied) as caught, database.write() as s:
        intake_vehicle(s, appraiser, store_id, form(), now=NOW)
    assert caught.value.code == "vehicle.prices_denied"
    with database.write() as s:
        result = intake_vehicle(
            s, appraiser, store_id, form(list_price=None, cost_price=None), now=NOW
        )
    assert result.price_pending
    with pytest.raises(ValidationError) as refused, database.write() as s:
        vehicle_archive.change_status(s, appraiser, result.id, VehicleStatus.ON_SALE, now=NOW)
    assert refused.value.code == "vehicle.price_pending"
    with database.write() as s:
        vehicle_archive.set_prices(
            s,
            manager,
            result.id,
            vehicle_archive.PriceSheet(Decimal("145800"), Decimal("132000"), ()),
        )
        vehicle_archive.change_status(s, appraiser, result.id, VehicleStatus.ON_SALE, now=NOW)
    with database.read() as s:
        car = s.get_one(Vehicle, result.id)
    assert (car.status, car.listed_at) == (VehicleStatus.ON_SALE, NOW)


def test_sales_may_neither_price_nor_edit_facts_and_the_kiosk_nothing(
    database: Database, store_id: uuid.UUID, sales: Actor, manager: Actor
) -> None:
    with database.write() as s:
        car = intake_vehicle(s, manager, store_id, form(), now=NOW).id
    for actor, edit, code in (
        (sales, VehicleEdit(colour="黑色"), "vehicle.facts_denied"),
        (sales, VehicleEdit(list_price=Decimal("99000")), "vehicle.prices_denied"),
        (KIOSK, VehicleEdit(colour="黑色"), "vehicle.kiosk_write"),
    ):
        with pytest.raises(PermissionDenied) as caught, database.write() as s:
            vehicle_archive.update_vehicle(s, actor, car, edit)
        assert caught.value.code == code
    with database.read() as s:
        assert vehicles.vehicle_permissions(s, sales) == vehicles.VehiclePermissions(False, False)
        assert vehicles.vehicle_permissions(s, manager) == vehicles.VehiclePermissions(True, True)
        assert vehicles.vehicle_permissions(s, SYSTEM) == vehicles.VehiclePermissions(True, True)


def test_the_store_grants_a_role_the_price_and_the_grant_is_audited(
    database: Database, store_id: uuid.UUID, sales: Actor, appraiser: Actor, manager: Actor
) -> None:
    with pytest.raises(PermissionDenied), database.write() as s:
        vehicles.set_store_grants(s, appraiser, store_id, vehicles.PRICES, frozenset({Role.SALES}))
    with database.write() as s:
        vehicles.set_store_grants(
            s, manager, store_id, vehicles.PRICES, frozenset({Role.APPRAISER, Role.MANAGER})
        )
        vehicles.set_store_grants(s, manager, store_id, vehicles.FACTS, frozenset({Role.SALES}))
    with database.read() as s:
        assert vehicles.vehicle_permissions(s, appraiser).prices
        assert vehicles.vehicle_permissions(s, sales) == vehicles.VehiclePermissions(False, True)
        # Only the extra roles are stored: the manager's right is not the store's to take.
        assert sorted(g.role.value for g in s.scalars(select(StoreGrant))) == [
            "appraiser",
            "sales",
        ]
        entries = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "store_grants_changed")
        ).all()
    assert [e.detail["to"] for e in entries] == [["appraiser"], ["sales"]]
    with database.write() as s:
        vehicles.set_store_grants(s, manager, store_id, vehicles.PRICES, frozenset())
    with database.read() as s:
        assert not vehicles.vehicle_permissions(s, appraiser).prices


def test_the_role_checked_is_the_one_stored_not_the_one_the_pc_claims(
    database: Database, store_id: uuid.UUID, manager: Actor
) -> None:
    # A PC cannot make a sales account a manager: the service reads staff.role itself.
    impostor = Actor("赵店长", make_staff(database, store_id, "fake", Role.SALES), store_id)
    with pytest.raises(PermissionDenied), database.write() as s:
        intake_vehicle(s, impostor, store_id, form(), now=NOW)


def test_choices_offer_the_brands_series_and_versions_the_store_has(
    database: Database, store_id: uuid.UUID, manager: Actor
) -> None:
    with database.write() as s:
        intake_vehicle(s, manager, store_id, form(), now=NOW)
        intake_vehicle(
            s,
            manager,
            store_id,
            form(vin=vin(tail="PG000002"), plate="", trim="2.5Q 旗舰版", colour="黑色"),
            now=NOW,
        )
    with database.read() as s:
        choices = intake_choices(s)
    assert choices.brands == ("丰田",)
    assert choices.models == {"丰田": ("凯美瑞",)}
    assert choices.trims[("丰田", "凯美瑞")] == ("2.0G 豪华版", "2.5Q 旗舰版")
    assert choices.colours == ("珍珠白", "黑色")
