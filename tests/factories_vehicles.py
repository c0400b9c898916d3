"""Cars for tests of comparison, car sheet and their screens (generated, never real)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from db.engine import Database
from db.models import Energy, Transmission, Vehicle, VehicleStatus

_counter = iter(range(1, 1_000_000))


def make_vehicle(database: Database, store_id: uuid.UUID, **changes: Any) -> uuid.UUID:
    n = next(_counter)
    values: dict[str, Any] = {
        "store_id": store_id,
        "stock_no": f"BJ01-S2026-{n:05d}",
        "brand": "大众",
        "model": "帕萨特",
        "trim": "330TSI 精英版",
        "year": 2021,
        "first_registration": date(2021, 5, 1),
        "mileage_km": 35_000,
        "displacement_l": Decimal("2.0"),
        "energy": Energy.PETROL,
        "transmission": Transmission.AUTOMATIC,
        "emission_standard": "国VI",
        "body_type": "轿车",
        "colour": "黑色",
        "seats": 5,
        "power_hp": 186,
        "drive": "前驱",
        "transfers": 0,
        "new_price": Decimal("229900.00"),
        "list_price": Decimal("159800.00"),
        "cost_price": Decimal("141234.00"),
        "status": VehicleStatus.ON_SALE,
        "configuration": ["倒车影像", "定速巡航"],
    }
    values.update(changes)
    with database.write() as session:
        vehicle = Vehicle(**values)
        session.add(vehicle)
        session.flush()
        return vehicle.id
