"""``showroom publish``: the car pages as a static site, rewritten only where cars changed."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from db.engine import Database
from db.models import Vehicle
from showroom import loan
from showroom.errors import ValidationError
from showroom.services import audit
from showroom.services import vehicle_archive as archive
from showroom.settings import Settings
from showroom.web.publish import MANIFEST, publish, site_root
from showroom.web.site import yuan
from tests.web.conftest import NOW, WebData

URL = "https://dealer.example.cn/cars/{stock_no}"


def _settings(**values: object) -> Settings:
    return Settings(None, {"store_code": "BJ01", "vehicle_public_url": URL, **values})


def test_site_root_comes_from_the_qr_address() -> None:
    assert site_root(_settings()) == "https://dealer.example.cn/"
    with pytest.raises(ValidationError, match="车辆公开网址"):
        site_root(Settings(None))
    with pytest.raises(ValidationError, match=r"cars/\{stock_no\}"):
        site_root(_settings(vehicle_public_url="https://d.example.cn/detail?no={stock_no}"))


def test_publish_writes_pages_photos_and_sitemap_then_only_what_changed(
    database: Database, web_data: WebData, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    settings = _settings()
    first = publish(database, out, settings, now=NOW)
    assert (first.written, first.unchanged, first.removed) == (3, 0, 0)
    car_page = (out / "cars" / web_data.on_sale / "index.html").read_text(encoding="utf-8")
    assert "大众 帕萨特" in car_page and 'href="../../static/site.css"' in car_page
    assert "预约试驾" not in car_page  # a static page has no server to book with
    assert "已售" in (out / "cars" / web_data.sold_recently / "index.html").read_text("utf-8")
    for absent in (web_data.preparing, web_data.sold_long_ago):
        assert not (out / "cars" / absent).exists()
    listing = (out / "index.html").read_text(encoding="utf-8")
    assert f'href="cars/{web_data.on_sale}/"' in listing and "共 2 辆在售" in listing
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert f"https://dealer.example.cn/cars/{web_data.on_sale}</loc>" in sitemap
    assert web_data.preparing not in sitemap
    assert (out / "static" / "site.js").exists()
    photos = sorted((out / "photos").glob("*.jpg"))
    sizes = {Image.open(io.BytesIO(p.read_bytes())).size for p in photos}
    assert sizes == {(1080, 810), (240, 180)}  # gallery photos for phones, list covers

    # The static calculator's figures are the app's, one per choice.
    table = json.loads(re.search(r'id="loan-table">(.*?)</script>', car_page).group(1))  # type: ignore[union-attr]
    price = Decimal("158800.00")
    equal, principal = loan.calculate_both(
        price, loan.down_payment_from_percent(price, "40"), 48, "4.5"
    )
    assert table["40|48"]["monthly"] == yuan(equal.first_payment)
    assert table["40|48"]["first"] == yuan(principal.first_payment)
    assert table["40|48"]["interest_principal"] == yuan(principal.total_interest)

    again = publish(database, out, settings, now=NOW)
    assert (again.written, again.unchanged, again.removed, again.photos_written) == (0, 3, 0, 0)

    with database.write() as session:
        car_id = session.scalar(select(Vehicle.id).where(Vehicle.stock_no == web_data.on_sale))
        # A new price comes with its public lines (they must add up to it).
        archive.set_prices(
            session,
            audit.SYSTEM,
            car_id,
            archive.PriceSheet(
                list_price=Decimal("149800"),
                cost_price=None,
                lines=(archive.PriceLine("车辆价格", Decimal("149800"), True),),
            ),
        )
    changed = publish(database, out, settings, now=NOW)
    assert (changed.written, changed.unchanged) == (1, 2)
    assert "14.98" in (out / "cars" / web_data.on_sale / "index.html").read_text("utf-8")

    later = publish(database, out, settings, now=NOW + timedelta(days=6))
    assert later.removed == 1 and not (out / "cars" / web_data.sold_recently).exists()
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["cars"]) == {web_data.on_sale, web_data.reserved}
