"""``showroom web`` through Flask's test client, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from db.models import VehicleStatus
from showroom import loan
from showroom.services import test_drives as td
from showroom.web import guard
from showroom.web.server import read_only_database
from showroom.web.site import STORE_ZONE
from tests.web.conftest import NOW, Web, WebData


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def _first_slot(html: str) -> str:
    match = re.search(r'name="slot" value="([^"]+)"', html)
    assert match, "a free slot is offered"
    return match.group(1)


def test_list_shows_cars_a_customer_may_see_with_kiosk_filters(web: Web, web_data: WebData) -> None:
    client = web.app.test_client()
    html = client.get("/").get_data(as_text=True)
    assert "共 2 辆在售" in html
    assert web_data.on_sale in html and web_data.reserved in html
    for hidden in (web_data.preparing, web_data.sold_recently, web_data.sold_long_ago):
        assert hidden not in html
    assert "已预订" in html  # the reserved car says so
    toyota = client.get("/?brand=丰田").get_data(as_text=True)
    assert "共 1 辆在售" in toyota and web_data.reserved in toyota
    assert web_data.on_sale not in toyota
    cheap = client.get("/?price=1").get_data(as_text=True)  # 5万以下
    assert "共 0 辆在售" in cheap and "没有符合条件的车辆" in cheap


def test_car_page_shows_the_archive_without_private_data(web: Web, web_data: WebData) -> None:
    response = web.app.test_client().get(f"/cars/{web_data.on_sale.lower()}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "大众 帕萨特" in html and "15.88" in html
    assert "车辆价格" in html and "整备费" in html  # the public price composition
    assert "右后门钣金喷漆" in html  # accident history is disclosed
    assert "010-6512 3456" in html and 'href="tel:010-65123456"' in html  # the store's phone
    assert html.count('class="gallery"') == 1 and html.count("<figure>") == 2
    for private in ("整备成本内部", "131,313", "131313", web_data.vin, web_data.plate):
        assert private not in html


def test_vin_is_published_only_as_the_dealer_chose(web: Web, web_data: WebData) -> None:
    web.config.settings.update({"web_vin": "partial"})
    from showroom.web.app import create_app

    html = create_app(web.config).test_client().get(f"/cars/{web_data.on_sale}").get_data(True)
    assert "LSVAX60E*********" in html and web_data.vin not in html


def test_loan_calculator_figures_are_the_apps(web: Web, web_data: WebData) -> None:
    client = web.app.test_client()
    html = client.get(f"/cars/{web_data.on_sale}?percent=20&term=24&rate=3.85").get_data(True)
    down = loan.down_payment_from_percent(loan.parse_price("158800"), "20")
    equal, principal = loan.calculate_both("158800", down, 24, "3.85")
    assert f"¥{equal.first_payment:,}" in html
    assert f"¥{principal.first_payment:,}" in html
    assert f"¥{principal.total_interest:,}" in html
    bad = client.get(f"/cars/{web_data.on_sale}?percent=30&term=36&rate=45").get_data(True)
    assert "年利率不能超过 36%" in bad and 'value="45"' in bad  # kept as typed


def test_photos_are_served_resized_and_only_for_shown_cars(web: Web, web_data: WebData) -> None:
    client = web.app.test_client()
    html = client.get(f"/cars/{web_data.on_sale}").get_data(as_text=True)
    first = re.search(r'src="\.\./(cars/[^"]+\.jpg)"', html)
    assert first
    photo = client.get("/" + first.group(1))
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert "immutable" in photo.headers["Cache-Control"]
    from io import BytesIO

    from PIL import Image

    assert Image.open(BytesIO(photo.data)).size == (1080, 810)  # from 1600x1200
    sha = first.group(1).rsplit("/", 1)[1]
    # The same photo asked under another car (one in preparation) is not there.
    assert client.get(f"/cars/{web_data.preparing}/media/{sha}").status_code == 404
    assert client.get(f"/cars/{web_data.on_sale}/media/{'0' * 64}.jpg").status_code == 404


def test_sold_car_shows_sold_for_the_set_days_then_is_gone(web: Web, web_data: WebData) -> None:
    client = web.app.test_client()
    recent = client.get(f"/cars/{web_data.sold_recently}")
    assert recent.status_code == 200
    html = recent.get_data(as_text=True)
    assert "已售" in html and "预约试驾" not in html and "金融计算器" not in html
    gone = client.get(f"/cars/{web_data.sold_long_ago}")
    assert gone.status_code == 410 and "已经售出" in gone.get_data(as_text=True)
    assert client.get(f"/cars/{web_data.preparing}").status_code == 404
    web.clock[0] = NOW + timedelta(days=6)  # the recent one passes its seven days
    assert client.get(f"/cars/{web_data.sold_recently}").status_code == 410


def test_booking_a_test_drive_from_the_phone_reaches_the_desk(web: Web, web_data: WebData) -> None:
    client = web.app.test_client()
    page = client.get(f"/cars/{web_data.on_sale}/test-drive").get_data(as_text=True)
    assert "no-store" in client.get(f"/cars/{web_data.on_sale}/test-drive").headers["Cache-Control"]
    slot = _first_slot(page)
    response = client.post(
        f"/cars/{web_data.on_sale}/test-drive",
        data={
            "csrf": _csrf(page),
            "slot": slot,
            "surname": "李",
            "title": "ms",
            "phone": "139 0000 1234",
            "consent": "yes",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "预约成功" in html and "李女士" in html and "data:image/png;base64," in html
    code = re.search(r'<p class="code">([^<]+)</p>', html)
    assert code
    with web.database.read() as session:
        rows = td.list_day(session, NOW.astimezone(STORE_ZONE).date(), STORE_ZONE)
        desk = next(r for r in rows if r.booking_code == code.group(1))
        assert desk.stock_no == web_data.on_sale and desk.customer_name == "李"
        assert desk.phone_masked == "139****1234"
        from db.models import AuditEntry, TestDrive

        drive = session.get(TestDrive, desk.id)
        assert drive is not None and drive.booked_via == "web"
        actors = {e.actor for e in session.query(AuditEntry).all()}
        assert "web" in actors


def test_booking_keeps_what_was_typed_and_says_what_is_wrong(web: Web, web_data: WebData) -> None:
    client = web.app.test_client()
    page = client.get(f"/cars/{web_data.on_sale}/test-drive").get_data(as_text=True)
    data = {
        "csrf": _csrf(page),
        "slot": _first_slot(page),
        "surname": "王",
        "title": "mr",
        "phone": "1391234",
    }
    refused = client.post(f"/cars/{web_data.on_sale}/test-drive", data=data)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "勾选同意" in html
    assert 'value="王"' in html and 'value="1391234"' in html
    data["consent"] = "yes"
    wrong = client.post(f"/cars/{web_data.on_sale}/test-drive", data=data).get_data(True)
    assert "手机号" in wrong and 'value="1391234"' in wrong


def test_the_same_form_sent_twice_books_once_and_shows_the_first_answer(
    web: Web, web_data: WebData
) -> None:
    client = web.app.test_client()
    page = client.get(f"/cars/{web_data.on_sale}/test-drive").get_data(as_text=True)
    form = {
        "csrf": _csrf(page),
        "slot": _first_slot(page),
        "surname": "钱",
        "phone": "13900004444",
        "consent": "yes",
    }
    first = client.post(f"/cars/{web_data.on_sale}/test-drive", data=form).get_data(True)
    second = client.post(f"/cars/{web_data.on_sale}/test-drive", data=form)
    assert second.status_code == 200 and second.get_data(as_text=True) == first
    with web.database.read() as session:
        assert len(td.list_day(session, NOW.astimezone(STORE_ZONE).date(), STORE_ZONE)) == 1


def test_a_taken_slot_is_refused_by_the_service(web: Web, web_data: WebData) -> None:
    client = web.app.test_client()
    page = client.get(f"/cars/{web_data.on_sale}/test-drive").get_data(as_text=True)
    form = {"slot": _first_slot(page), "surname": "张", "phone": "13900001111", "consent": "yes"}
    first = client.post(f"/cars/{web_data.on_sale}/test-drive", data={**form, "csrf": _csrf(page)})
    assert first.status_code == 200
    again = client.post(
        f"/cars/{web_data.on_sale}/test-drive",
        data={**form, "phone": "13900002222", "csrf": _csrf(page)},
    )
    assert again.status_code == 409 and "已被预约" in again.get_data(as_text=True)


def test_post_without_a_matching_token_is_refused(web: Web, web_data: WebData) -> None:
    client = web.app.test_client()
    page = client.get(f"/cars/{web_data.on_sale}/test-drive").get_data(as_text=True)
    data = {"slot": _first_slot(page), "surname": "赵", "phone": "13900003333", "consent": "yes"}
    forged = web.app.test_client()  # another browser: no cookie of ours
    response = forged.post(
        f"/cars/{web_data.on_sale}/test-drive", data={**data, "csrf": _csrf(page)}
    )
    assert response.status_code == 400 and "页面已过期" in response.get_data(as_text=True)
    with web.database.read() as session:
        assert not td.list_day(session, NOW.astimezone(STORE_ZONE).date(), STORE_ZONE)


def test_requests_are_rate_limited_per_address(web: Web, web_data: WebData) -> None:
    client = web.app.test_client()
    url = f"/cars/{web_data.on_sale}/test-drive"
    token = _csrf(client.get(url).get_data(as_text=True))
    for _ in range(3):  # the fixture allows three in ten minutes
        assert client.post(url, data={"csrf": token}).status_code == 400  # no slot chosen
    blocked = client.post(url, data={"csrf": token})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "操作太频繁" in blocked.get_data(as_text=True)
    other = web.app.test_client()
    other_token = _csrf(other.get(url).get_data(as_text=True))
    answer = other.post(url, data={"csrf": other_token}, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert answer.status_code == 400  # another address is not blocked


def test_every_page_carries_the_security_headers(web: Web, web_data: WebData) -> None:
    client = web.app.test_client()
    for url in ("/", f"/cars/{web_data.on_sale}", "/cars/NOPE", "/inspection-day", "/healthz"):
        headers = client.get(url).headers
        for name, value in guard.SECURITY_HEADERS.items():
            assert headers[name] == value, (url, name)
    assert "frame-ancestors 'none'" in guard.CONTENT_SECURITY_POLICY


def test_health_names_the_app_for_the_kiosk(web: Web) -> None:
    assert web.app.test_client().get("/healthz").get_json()["app"] == "showroom-web"


def test_pages_read_through_a_connection_that_cannot_write(web: Web) -> None:
    with web.config.read.read() as session, pytest.raises(DBAPIError):
        session.execute(text("UPDATE vehicles SET mileage_km = 1"))
    with web.database.read() as session:
        assert (
            session.execute(text("SELECT count(*) FROM vehicles WHERE mileage_km = 1")).scalar()
            == 0
        )


def test_inspection_day_sign_up_from_the_phone(web: Web, web_data: WebData) -> None:
    from showroom.services import audit
    from showroom.services import inspection_day as idays

    with web.database.write() as session:
        idays.create_events(
            session,
            audit.SYSTEM,
            web_data.store_id,
            idays.EventForm(
                title="三月透明检测日",
                day=(NOW + timedelta(days=5)).astimezone(STORE_ZONE).date(),
                opens=time(9, 0),
                closes=time(17, 0),
                bays=1,
                seats=1,
            ),
            now=NOW,
        )
    client = web.app.test_client()
    page = client.get("/inspection-day").get_data(as_text=True)
    assert "三月透明检测日" in page and "剩余 1 个名额" in page
    event = re.search(r'name="event" value="([^"]+)"', page)
    assert event
    form = {
        "csrf": _csrf(page),
        "event": event.group(1),
        "plate": "京B23456",
        "surname": "周",
        "title": "mr",
        "phone": "13800005555",
        "consent": "yes",
    }
    done = client.post("/inspection-day", data=form).get_data(as_text=True)
    assert "报名成功" in done and "周先生" in done and "京B23456" in done
    again = client.post("/inspection-day", data=form)  # the very same form: same answer
    assert again.status_code == 200 and again.get_data(as_text=True) == done
    twice = client.post("/inspection-day", data={**form, "phone": "13800006666"})
    assert twice.status_code == 409 and "已报名本场检测日" in twice.get_data(as_text=True)
    with web.database.read() as session:
        rows = idays.registrations(session, uuid_of(event.group(1)))
        assert [(r.plate, r.channel) for r in rows] == [("京B23456", "web")]


def uuid_of(text: str):
    import uuid

    return uuid.UUID(text)


def test_reserved_car_can_still_be_booked_but_sold_cannot(web: Web, web_data: WebData) -> None:
    client = web.app.test_client()
    assert client.get(f"/cars/{web_data.reserved}/test-drive").status_code == 200
    sold = client.get(f"/cars/{web_data.sold_recently}/test-drive")
    assert sold.status_code == 404 and "不能预约试驾" in sold.get_data(as_text=True)
    assert VehicleStatus.RESERVED.value == "reserved"


def test_a_database_that_is_down_gives_an_apology_not_a_trace(web: Web, web_data: WebData) -> None:
    web.config.read.dispose()
    broken = read_only_database("sqlite:////nonexistent-folder/showroom.db")
    web.config.read = broken
    response = web.app.test_client().get(f"/cars/{web_data.on_sale}")
    assert response.status_code == 503 and "稍后刷新" in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "30"
    broken.dispose()


def test_links_are_relative_to_where_each_page_sits(web: Web, web_data: WebData) -> None:
    client = web.app.test_client()
    assert 'href="static/site.css"' in client.get("/").get_data(as_text=True)
    gone = client.get(f"/cars/{web_data.sold_long_ago}").get_data(as_text=True)
    assert 'href="../static/site.css"' in gone  # the 410 page under /cars/ keeps its style
    booking = client.get(f"/cars/{web_data.on_sale}/test-drive").get_data(as_text=True)
    assert 'href="../../static/site.css"' in booking
