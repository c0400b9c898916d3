"""Kiosk parts that need no window: the customer-safe queries and the PIN throttle.

(They sit here beside the kiosk tests; they could move to tests/unit and tests/db.)
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from db.engine import Database
from db.models import Energy, Transmission, Vehicle, VehicleStatus
from showroom.context import AppContext
from showroom.services import kiosk
from showroom.services.vehicles import VehicleFilter, count_vehicles
from tests.factories import make_store
from ui.kiosk.throttle import PinThrottle


def _car(database: Database, store_id: uuid.UUID, brand: str, status: VehicleStatus) -> None:
    with database.write() as session:
        session.add(
            Vehicle(
                store_id=store_id,
                stock_no=f"P{uuid.uuid4().hex[:12]}",
                brand=brand,
                model="X",
                year=2020,
                mileage_km=10_000,
                energy=Energy.PETROL,
                transmission=Transmission.MANUAL,
                list_price=Decimal("88000"),
                status=status,
            )
        )


def test_brands_are_those_of_visible_cars_most_first(gui_context: AppContext) -> None:
    db = gui_context.database
    store_id = make_store(db)
    for brand, status in [
        ("丰田", VehicleStatus.ON_SALE),
        ("丰田", VehicleStatus.RESERVED),
        ("本田", VehicleStatus.TEST_DRIVE),
        ("奥迪", VehicleStatus.SOLD),
        ("宝马", VehicleStatus.PREPARING),
    ]:
        _car(db, store_id, brand, status)
    with db.read() as session:
        assert kiosk.brands(session) == ["丰田", "本田"]
        # The brand list and the car list agree on what a customer may see.
        assert kiosk.count_cars(session) == count_vehicles(
            session, VehicleFilter(customer_visible_only=True)
        )
        assert set(kiosk.CUSTOMER_VISIBLE_STATUSES) == {
            row.status for row in kiosk.list_cars(session, limit=100)
        }


@pytest.mark.parametrize(
    ("price", "wan"),
    [
        ("125800", "12.58"),
        ("99999.99", "10.00"),
        ("30000", "3.00"),
        ("1234567", "123.46"),
        ("125850", "12.59"),
    ],
)
def test_price_in_wan_has_two_places_rounded_half_up(price: str, wan: str) -> None:
    assert kiosk.price_in_wan(Decimal(price)) == Decimal(wan)


@pytest.mark.parametrize(
    ("km", "wan"), [(32150, "3.2"), (1000, "0.1"), (150_000, "15.0"), (35_000, "3.5")]
)
def test_mileage_in_wan_km_has_one_place(km: int, wan: str) -> None:
    assert kiosk.mileage_in_wan_km(km) == Decimal(wan)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttle_locks_after_three_wrong_pins_in_a_row() -> None:
    clock = FakeClock()
    throttle = PinThrottle(3, 30, clock)
    assert throttle.failure() == 0
    assert throttle.failure() == 0
    assert throttle.failure() == 30
    assert throttle.is_locked()
    clock.now += 29.5
    assert throttle.remaining() == 1
    clock.now += 0.5
    assert not throttle.is_locked()


def test_a_right_pin_resets_the_count() -> None:
    throttle = PinThrottle(3, 30, FakeClock())
    throttle.failure()
    throttle.failure()
    throttle.success()
    assert throttle.failure() == 0
    assert throttle.failures == 1
