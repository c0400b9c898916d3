"""Done means: the QR printed on a car sheet opens that car's page on the store network."""

from __future__ import annotations

import threading
import urllib.request
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from db.engine import Database
from db.models import Vehicle
from showroom.documents import vehicle_papers as vp
from showroom.settings import Settings
from showroom.vehicle_links import STORE_NETWORK, CarLinks, StoreWebFinder
from showroom.web.app import WebConfig, create_app
from showroom.web.server import read_only_database
from tests.web.conftest import NOW, build


def test_the_printed_qr_opens_the_cars_page_from_showroom_web(
    sqlite_database: Database, tmp_path: Path
) -> None:
    from waitress import create_server

    data = build(sqlite_database)
    reader = read_only_database(sqlite_database.engine.url.render_as_string(hide_password=False))
    settings = Settings(None, {"store_code": "BJ01"})
    app = create_app(WebConfig(reader, sqlite_database, settings, clock=lambda: NOW))
    server = create_server(app, host="127.0.0.1", port=0, threads=2)
    threading.Thread(target=server.run, daemon=True).start()
    try:
        settings.update({"store_web_url": f"http://127.0.0.1:{server.effective_port}"})
        links = CarLinks(settings, StoreWebFinder(settings, tmp_path / "web-server.json"))
        with sqlite_database.read() as session:
            car_id = session.scalar(select(Vehicle.id).where(Vehicle.stock_no == data.on_sale))
            sheet = vp.car_sheet(
                session,
                car_id,
                settings=settings,
                templates_dir=None,
                zone=ZoneInfo("Asia/Shanghai"),
                links=links,
                now=NOW,
            )
        assert sheet.extra["qr_kind"] == STORE_NETWORK
        phone_qr = sheet.qr_codes[-1]
        assert "连上门店 Wi-Fi" in phone_qr.caption
        with urllib.request.urlopen(phone_qr.payload, timeout=5) as response:
            page = response.read().decode("utf-8")
        assert response.status == 200 and "大众 帕萨特" in page and data.on_sale in page
    finally:
        server.close()
        reader.dispose()
