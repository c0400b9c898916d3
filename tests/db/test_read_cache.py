"""The local read cache: inventory, staff and kiosk browse keep answering offline."""

from __future__ import annotations

import time
import uuid
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.engine import make_url

from db.engine import Database
from db.enums import Role
from db.models import Staff, Vehicle
from db.sync.outbox import Outbox
from db.sync.replica import ReadReplica
from showroom.services import kiosk, vehicles
from showroom.sync.service import SyncService
from tests.factories import make_staff, make_store
from tests.factories_vehicles import make_vehicle
from tests.tcp_proxy import TcpProxy


def _wait(predicate, seconds: float = 20) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _price(database: Database, vehicle_id: uuid.UUID) -> Decimal:
    with database.read() as session:
        return session.get_one(Vehicle, vehicle_id).list_price


def test_fill_then_refresh_follows_the_change_feed(database: Database, tmp_path: Path) -> None:
    store_id = make_store(database)
    make_staff(database, store_id, "desk", Role.RECEPTION)
    car = make_vehicle(database, store_id)
    replica = ReadReplica(tmp_path / "read_cache.sqlite3")
    try:
        assert not replica.ready
        replica.fill(database)
        assert replica.ready
        with replica.database.read() as session:
            assert [r.id for r in vehicles.list_vehicles(session)] == [car]
            staff = session.scalars(select(Staff)).one()
            assert staff.username == "desk"
            assert staff.password_hash == ""  # sign-in secrets never reach the store PC
            assert staff.roles == {Role.RECEPTION}  # roles and roster come along for routing

        with database.write() as session:
            session.get_one(Vehicle, car).list_price = Decimal("149800.00")
        second = make_vehicle(database, store_id)
        replica.refresh(database)
        assert _price(replica.database, car) == Decimal("149800.00")
        with replica.database.read() as session:
            assert {r.id for r in vehicles.list_vehicles(session)} == {car, second}

        with database.write() as session:  # a bulk statement: the table is copied again
            session.execute(update(Vehicle).where(Vehicle.id == second).values(colour="白色"))
        replica.refresh(database)
        with replica.database.read() as session:
            assert session.get_one(Vehicle, second).colour == "白色"
    finally:
        replica.dispose()


def test_cut_network_reads_inventory_and_kiosk_from_the_cache(
    postgresql_database: Database, tmp_path: Path
) -> None:
    pg = postgresql_database
    store_id = make_store(pg)
    cars = {make_vehicle(pg, store_id) for _ in range(3)}
    proxy = TcpProxy()
    url = make_url(pg.engine.url.render_as_string(hide_password=False)).set(
        host="127.0.0.1", port=proxy.port
    )
    app_db = Database.from_url(url)
    service = SyncService(app_db, Outbox(tmp_path / "outbox.sqlite3"))
    service.replica = ReadReplica(tmp_path / "read_cache.sqlite3")
    service.start()
    try:
        assert _wait(lambda: service.online is True and service.replica is not None)
        assert _wait(lambda: service.state().cached_at is not None)
        # A change made online (on another PC) before the cut reaches the cache.
        changed = next(iter(cars))
        with pg.write() as session:
            session.get_one(Vehicle, changed).list_price = Decimal("99800.00")
        assert service.replica is not None
        assert _wait(lambda: _price(service.replica.database, changed) == Decimal("99800.00"))

        proxy.cut()
        assert _wait(lambda: service.online is False)
        from ui.tasks import TaskRunner

        runner = TaskRunner(app_db, inline=True)
        runner.sync = service
        got: list[object] = []
        failed: list[BaseException] = []
        runner.read(lambda s: vehicles.list_vehicles(s), got.append, failed.append)
        runner.read(lambda s: kiosk.car_page(s), got.append, failed.append)
        assert failed == []
        inventory, page = got
        assert {r.id for r in inventory} == cars  # type: ignore[attr-defined]
        assert {c.id for c in page.cars} == cars  # type: ignore[attr-defined]
        assert page.total == 3  # type: ignore[attr-defined]
        prices = {r.id: r.price for r in inventory}  # type: ignore[attr-defined]
        assert prices[changed] == Decimal("99800.00")
        assert service.state().cached_at is not None
    finally:
        service.stop()
        app_db.dispose()
        proxy.close()


def test_without_a_cache_a_read_says_it_needs_the_connection(
    postgresql_database: Database, tmp_path: Path
) -> None:
    from showroom.errors import DatabaseUnavailable
    from ui.tasks import TaskRunner

    proxy = TcpProxy()
    url = make_url(postgresql_database.engine.url.render_as_string(hide_password=False)).set(
        host="127.0.0.1", port=proxy.port
    )
    app_db = Database.from_url(url)
    proxy.cut()
    try:
        runner = TaskRunner(app_db, inline=True)
        runner.sync = SyncService(app_db, Outbox(tmp_path / "outbox.sqlite3"))
        runner.sync.replica = ReadReplica(tmp_path / "read_cache.sqlite3")  # never filled
        failed: list[BaseException] = []
        runner.read(lambda s: vehicles.list_vehicles(s), lambda _r: None, failed.append)
        assert len(failed) == 1 and isinstance(failed[0], DatabaseUnavailable)
        assert failed[0].code == "db.offline"
    finally:
        app_db.dispose()
        proxy.close()
