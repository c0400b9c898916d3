"""A real phone-sized browser (Playwright driving Debian's chromium) on ``showroom web``.

The customer's path: the stock list, a car page, the loan calculator, a test-drive
booking; then the desk's own service must list the booking. A second test opens a
published (static) car page and checks its calculator against ``showroom.loan``.

The browser is the system's ``/usr/bin/chromium`` (``apt-get install chromium``, done by
``.ci/run``), never a download by ``playwright install``. Without it the tests skip, except
in CI, where that is a failure. ``WEB_SHOTS=DIR`` saves the screens as PNGs.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from db.engine import Database
from showroom import loan
from showroom.services import test_drives as td
from showroom.settings import Settings
from showroom.web.app import WebConfig, create_app
from showroom.web.publish import publish
from showroom.web.server import read_only_database
from showroom.web.site import STORE_ZONE, yuan
from tests.conftest import IN_CI
from tests.web.conftest import NOW, build

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        message = "chromium is not installed (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message + "; CI must run the browser tests", pytrace=False)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("WEB_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=False)


def _serve(app: Any) -> tuple[str, Any]:
    from waitress import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}", server


def test_phone_books_a_test_drive_the_desk_sees(browser: Any, sqlite_database: Database) -> None:
    data = build(sqlite_database)
    reader = read_only_database(sqlite_database.engine.url.render_as_string(hide_password=False))
    settings = Settings(None, {"store_code": "BJ01"})
    app = create_app(WebConfig(reader, sqlite_database, settings, clock=lambda: NOW))
    base, server = _serve(app)
    context = browser.new_context(**PHONE, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(base + "/")
        assert page.locator(".car-card").count() == 2
        assert page.get_by_text("共 2 辆在售").is_visible()
        _shot(page, "list")

        page.locator(f'a[href="cars/{data.on_sale}"]').click()
        page.wait_for_url(f"**/cars/{data.on_sale}")
        assert page.locator("h1").inner_text().startswith("大众 帕萨特")
        assert page.locator(".gallery img").first.evaluate("img => img.naturalWidth") == 1080
        _shot(page, "car")

        page.fill('input[name="percent"]', "20")
        page.select_option('select[name="term"]', "24")
        page.fill('input[name="rate"]', "3.85")
        page.get_by_role("button", name="计算").click()
        page.wait_for_url("**rate=3.85*")
        price = Decimal("158800.00")
        equal, principal = loan.calculate_both(
            price, loan.down_payment_from_percent(price, "20"), 24, "3.85"
        )
        assert page.locator('[data-field="monthly"]').inner_text() == yuan(equal.first_payment)
        assert page.locator('[data-field="first"]').inner_text() == yuan(principal.first_payment)
        page.locator("#loan").scroll_into_view_if_needed()
        _shot(page, "loan")

        page.get_by_role("link", name="预约试驾").click()
        page.wait_for_url("**/test-drive")
        page.locator(".slot span").first.click()
        page.fill('input[name="surname"]', "李")
        page.check('input[name="title"][value="ms"]')
        page.fill('input[name="phone"]', "13900001234")
        page.check('input[name="consent"]')
        _shot(page, "booking")
        page.get_by_role("button", name="确认预约").click()
        page.wait_for_selector("text=预约成功")
        code = page.locator(".code").inner_text().strip()
        _shot(page, "booked")
    finally:
        context.close()
        server.close()
        reader.dispose()
    with sqlite_database.read() as session:
        desk = td.list_day(session, NOW.astimezone(STORE_ZONE).date(), STORE_ZONE)
    assert [(r.booking_code, r.stock_no, r.phone_masked) for r in desk] == [
        (code, data.on_sale, "139****1234")
    ]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def test_published_page_calculator_shows_the_apps_figures(
    browser: Any, sqlite_database: Database, tmp_path: Path
) -> None:
    data = build(sqlite_database)
    settings = Settings(None, {"vehicle_public_url": "https://dealer.example.cn/cars/{stock_no}"})
    publish(sqlite_database, tmp_path / "site", settings, now=NOW)
    handler = functools.partial(_Quiet, directory=str(tmp_path / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context(**PHONE, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "response",
        lambda r: errors.append(r.url) if r.status >= 400 and "favicon" not in r.url else None,
    )
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/cars/{data.on_sale}/")
        page.select_option('select[name="percent"]', "40")
        page.select_option('select[name="term"]', "48")
        price = Decimal("158800.00")
        equal, principal = loan.calculate_both(
            price, loan.down_payment_from_percent(price, "40"), 48, "4.5"
        )
        assert page.locator('[data-field="monthly"]').inner_text() == yuan(equal.first_payment)
        assert page.locator('[data-field="decrease"]').inner_text() == yuan(
            principal.monthly_decrease
        )
        assert not errors  # every file of the page was there and the script ran
    finally:
        context.close()
        server.shutdown()
        server.server_close()
