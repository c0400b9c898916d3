"""No page, served or published, ever holds a phone number, an ID number or a cost.

The demo data has everything a page must not show (customers with mobile numbers and ID
numbers, licences on test drives, buyers on contracts, cost prices, VINs and plates); every
page is read and searched for each of them, and for anything shaped like one.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from db.engine import Database
from db.models import Contract, Customer, TestDrive, Vehicle
from showroom import demo
from showroom.services import car_pages
from showroom.settings import Settings
from showroom.web.app import WebConfig, create_app
from showroom.web.publish import publish
from showroom.web.server import read_only_database

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")


def _secrets(database: Database) -> dict[str, set[str]]:
    with database.read() as session:
        phones = set(session.scalars(select(Customer.phone)))
        ids = set(
            session.scalars(select(Customer.id_number).where(Customer.id_number.is_not(None)))
        )
        ids |= set(
            session.scalars(
                select(TestDrive.licence_number).where(TestDrive.licence_number.is_not(None))
            )
        )
        ids |= set(
            session.scalars(
                select(Contract.buyer_id_number).where(Contract.buyer_id_number.is_not(None))
            )
        )
        vins = set(session.scalars(select(Vehicle.vin).where(Vehicle.vin.is_not(None))))
        plates = set(session.scalars(select(Vehicle.plate).where(Vehicle.plate.is_not(None))))
    return {
        "phone": {p for p in phones if p},
        "id": {i for i in ids if i},
        "vin": vins,
        "plate": plates,
    }


def _costs(database: Database) -> dict[str, set[str]]:
    """Each car's cost as a page could print it. Checked on that car's own page: another
    car's public price may well be the same figure."""
    with database.read() as session:
        rows = session.execute(select(Vehicle.stock_no, Vehicle.cost_price)).all()
    return {
        stock: {f"{cost:,.2f}", f"{cost:,.0f}", f"{cost:.2f}", f"{cost / 10000:.2f}万"}
        for stock, cost in rows
        if cost is not None
    }


LOAN_FIGURES = re.compile(
    r'<div class="loan-result".*?</div>|<script type="application/json".*?</script>', re.S
)
# The form's token is a time and an HMAC in hex, whose digits now and then run to eleven
# starting with 1 (seen: "...c14714738196..."): not a phone, and different on every run.
FORM_TOKEN = re.compile(r'<input type="hidden" name="csrf" value="[0-9a-f.]+">')


def _check(name: str, html: str, secrets: dict[str, set[str]]) -> None:
    # The calculator's figures derive from the public price alone (a 10 % down payment
    # leaves a loan of 90 % of the price, which the demo's cost often equals by chance).
    html = FORM_TOKEN.sub("", LOAN_FIGURES.sub("", html))
    assert not MOBILE.findall(html), (name, MOBILE.findall(html)[:3])
    assert not ID_NUMBER.findall(html), (name, ID_NUMBER.findall(html)[:3])
    for kind, values in secrets.items():
        leaked = [v for v in values if v in html]
        assert not leaked, (name, kind, leaked[:3])
    for word in ("成本", "cost_price", "采购价", "收购价"):
        assert word not in html, (name, word)


def test_no_page_shows_a_phone_an_id_number_or_a_cost(
    sqlite_database: Database, tmp_path: Path
) -> None:
    database = sqlite_database
    demo.generate(database, cars=40, seed=3, now=NOW)
    secrets = _secrets(database)
    costs = _costs(database)
    assert secrets["phone"] and secrets["id"] and costs  # the test has teeth
    settings = Settings(None, {"vehicle_public_url": "https://dealer.example.cn/cars/{stock_no}"})
    reader = read_only_database(database.engine.url.render_as_string(hide_password=False))
    client = create_app(WebConfig(reader, database, settings, clock=lambda: NOW)).test_client()
    with database.read() as session:
        stock = [k.stock_no for k in car_pages.page_keys(session, now=NOW)]
    assert len(stock) > 20
    pages = {"/": client.get("/").get_data(as_text=True)}
    pages["/?page=2"] = client.get("/?page=2").get_data(as_text=True)
    pages["/inspection-day"] = client.get("/inspection-day").get_data(as_text=True)
    for number in stock:
        pages[number] = client.get(f"/cars/{number}").get_data(as_text=True)
    pages["test-drive"] = client.get(f"/cars/{stock[0]}/test-drive").get_data(as_text=True)
    for name, html in pages.items():
        _check(name, html, {**secrets, "cost": costs.get(name, set())})

    out = tmp_path / "site"
    publish(database, out, settings, now=NOW)
    files = [p for p in out.rglob("*") if p.suffix in (".html", ".xml", ".json", ".txt")]
    assert len(files) > 20
    for file in files:
        own = costs.get(file.parent.name, set()) if file.parent.parent.name == "cars" else set()
        _check(
            str(file.relative_to(out)), file.read_text(encoding="utf-8"), {**secrets, "cost": own}
        )
    reader.dispose()
