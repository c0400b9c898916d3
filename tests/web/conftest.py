"""Fixtures for the car pages: a store with cars a customer may and may not see, on both
databases, and a ``showroom web`` app over them with an injected clock.

Every person here is generated. The cars carry everything a page must never show (cost
price, an internal price line, VIN, plate, a photo of a private category where the enum
has one) so the tests can look for it.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from PIL import Image

from db.engine import Database
from db.models import (
    Customer,
    HistoryKind,
    HistoryRecord,
    PriceItem,
    Title,
    Vehicle,
    VehicleStatus,
)
from showroom.services import audit
from showroom.services import vehicle_archive as archive
from showroom.settings import Settings
from showroom.web import guard
from showroom.web.app import WebConfig, create_app
from showroom.web.server import read_only_database
from tests.factories import make_store
from tests.factories_vehicles import make_vehicle

# 10:00 on a Tuesday in Shanghai: the store is open, slots from 10:30 are free.
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
CUSTOMER_PHONE = "13912345678"
CUSTOMER_ID_NUMBER = "11010519491231002X"
COST = Decimal("131313.00")
INTERNAL_LINE = "整备成本内部"


def jpeg(colour: str, size: tuple[int, int] = (1600, 1200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG")
    return buffer.getvalue()


@dataclass
class WebData:
    store_id: uuid.UUID
    on_sale: str  # stock numbers
    reserved: str
    preparing: str
    sold_recently: str
    sold_long_ago: str
    vin: str
    plate: str


def _car(database: Database, store_id: uuid.UUID, n: int, **changes: Any) -> tuple[uuid.UUID, str]:
    stock = f"BJ01-S2026-{n:05d}"
    vehicle_id = make_vehicle(
        database,
        store_id,
        stock_no=stock,
        cost_price=COST,
        list_price=Decimal("158800.00"),
        **changes,
    )
    return vehicle_id, stock


def build(database: Database) -> WebData:
    store_id = make_store(database)
    with database.write() as session:
        from db.models import Store

        store = session.get(Store, store_id)
        assert store is not None
        store.phone = "010-6512 3456"
    vin, plate = "LSVAX60E8K2012345", "京A12345"
    car_id, on_sale = _car(
        database,
        store_id,
        1,
        vin=vin,
        plate=plate,
        status=VehicleStatus.ON_SALE,
        description="一手车，按时保养。",
    )
    _id, reserved = _car(database, store_id, 2, status=VehicleStatus.RESERVED, brand="丰田")
    _id, preparing = _car(database, store_id, 3, status=VehicleStatus.PREPARING)
    sold_id, sold_recently = _car(database, store_id, 4, status=VehicleStatus.SOLD)
    old_id, sold_long_ago = _car(database, store_id, 5, status=VehicleStatus.SOLD)
    photos = [
        archive.PreparedPhoto("左前.jpg", jpeg("red"), jpeg("red", (240, 180))),
        archive.PreparedPhoto("右后.jpg", jpeg("blue"), jpeg("blue", (240, 180))),
    ]
    with database.write() as session:
        archive.add_photos(session, audit.SYSTEM, car_id, photos)
        session.add_all(
            [
                PriceItem(
                    vehicle_id=car_id,
                    position=0,
                    label="车辆价格",
                    amount=Decimal("150000.00"),
                    public=True,
                ),
                PriceItem(
                    vehicle_id=car_id,
                    position=1,
                    label="整备费",
                    amount=Decimal("8800.00"),
                    public=True,
                ),
                PriceItem(
                    vehicle_id=car_id,
                    position=2,
                    label=INTERNAL_LINE,
                    amount=Decimal("4321.00"),
                    public=False,
                ),
                HistoryRecord(
                    vehicle_id=car_id,
                    kind=HistoryKind.COLLISION,
                    occurred_on=date(2023, 6, 1),
                    structural=False,
                    description="右后门钣金喷漆",
                ),
                Customer(
                    store_id=store_id,
                    name="测试客户",
                    title=Title.MR,
                    phone=CUSTOMER_PHONE,
                    id_number=CUSTOMER_ID_NUMBER,
                ),
            ]
        )
        # Sold two days and sixty days before NOW (no contract: counted from the last change).
        session.get(Vehicle, sold_id).updated_at = datetime(2026, 3, 8, 2, 0, tzinfo=UTC)  # type: ignore[union-attr]
        session.get(Vehicle, old_id).updated_at = datetime(2026, 1, 9, 2, 0, tzinfo=UTC)  # type: ignore[union-attr]
    return WebData(store_id, on_sale, reserved, preparing, sold_recently, sold_long_ago, vin, plate)


@pytest.fixture
def web_data(database: Database) -> WebData:
    return build(database)


@pytest.fixture
def web_settings() -> Settings:
    return Settings(None, {"store_code": "BJ01", "web_sold_days": 7})


@dataclass
class Web:
    app: Flask
    database: Database
    config: WebConfig
    clock: list[datetime]


@pytest.fixture
def web(database: Database, web_data: WebData, web_settings: Settings) -> Iterator[Web]:
    reader = read_only_database(str(database.engine.url.render_as_string(hide_password=False)))
    clock = [NOW]
    config = WebConfig(
        reader,
        database,
        web_settings,
        clock=lambda: clock[0],
        limiter=guard.RateLimiter(limit=3, window=600.0),
    )
    app = create_app(config)
    app.testing = False  # errors go through the app's own handlers, as in production
    yield Web(app, database, config, clock)
    reader.dispose()
