"""The ``showroom web`` application (Flask/WSGI): the stock list, car pages and two requests.

Pages read through a ``Database`` whose every transaction is read-only (see
``showroom.web.server``); only the two requests a customer can make from the phone, a
test-drive booking and an inspection-day sign-up, open a write transaction, and they call
the very services the kiosk calls (consent, one customer per mobile number, slot and seat
rules, the booking code), recorded as coming from the web. Both are rate-limited per
address and carry a CSRF token; every response carries the security headers of ``guard``.

Expected failures (a car sold meanwhile, a taken slot, a typo in the phone number) are
``ShowroomError``s and come back as the page with the message in Chinese and what was typed
kept. Anything else is a bug: logged with its trace, and a plain apology page.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask, Response, abort, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from db.engine import Database
from db.enums import Title
from showroom import __version__
from showroom.clock import utcnow
from showroom.documents.qr import qr_png
from showroom.errors import NotFoundError, ShowroomError, ValidationError
from showroom.services import car_pages, kiosk
from showroom.services import inspection_day as idays
from showroom.services import test_drives as td
from showroom.services.car_pages import WEB_VIA, PageOptions
from showroom.users import WEB
from showroom.vehicle_links import HEALTH_APP
from showroom.web import guard
from showroom.web.images import PhoneImages
from showroom.web.site import (
    ENERGY_GROUPS,
    PRICE_BANDS,
    SORTS,
    STATIC,
    STORE_ZONE,
    Site,
    loan_form,
)

log = logging.getLogger("showroom.web")

PAGE_SIZE = 20
BOOKING_DAYS = 7  # today and the next six days, as far ahead as the desk usually books
OPTIONS_SECONDS = 60.0  # brands, body types and the store's details change rarely
COUNT_SECONDS = 30.0
TITLES = {"mr": Title.MR, "ms": Title.MS, "": Title.NONE}


@dataclass
class WebConfig:
    """Everything the app needs, passed in (tests build their own)."""

    read: Database  # pages: read-only transactions
    write: Database  # the two requests
    settings: Mapping[str, Any] | Any
    clock: Callable[[], datetime] = field(default=lambda: utcnow())
    csrf: guard.CsrfTokens = field(default_factory=guard.CsrfTokens)
    limiter: guard.RateLimiter = field(default_factory=guard.RateLimiter)


class _Cached:
    """A value recomputed at most every ``seconds`` (thread-safe, for rarely changing data)."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._seconds = seconds
        self._clock = clock
        self._value: Any = None
        self._at = -1e18
        self._lock = threading.Lock()

    def get(self, make: Callable[[], Any]) -> Any:
        with self._lock:
            if self._clock() - self._at >= self._seconds:
                self._value = make()
                self._at = self._clock()
            return self._value


class _Kept:
    """Values by key, each kept ``seconds``; at most ``size`` keys remembered (thread-safe)."""

    def __init__(
        self, seconds: float, size: int = 256, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._seconds = seconds
        self._size = size
        self._clock = clock
        self._values: OrderedDict[Any, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, key: Any) -> Any:
        """The kept value of ``key`` while it is fresh, else None (nothing is made)."""
        with self._lock:
            hit = self._values.get(key)
        return hit[1] if hit is not None and self._clock() - hit[0] < self._seconds else None

    def put(self, key: Any, value: Any) -> None:
        self.get(key, lambda: value)

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        now = self._clock()
        with self._lock:
            hit = self._values.get(key)
            if hit is not None and now - hit[0] < self._seconds:
                return hit[1]
        value = make()
        with self._lock:
            self._values[key] = (now, value)
            self._values.move_to_end(key)
            while len(self._values) > self._size:
                self._values.popitem(last=False)
        return value


def _int(text: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(text or default), low), high)
    except ValueError:
        return default


def create_app(config: WebConfig) -> Flask:
    app = Flask(__name__, static_folder=str(STATIC), static_url_path="/static")
    app.config["MAX_CONTENT_LENGTH"] = 16 * 1024  # the forms are a few fields
    site = Site(static=False)
    settings = config.settings
    options = PageOptions.from_settings(settings)
    images = PhoneImages()
    choices = _Cached(OPTIONS_SECONDS)
    store_cache = _Cached(OPTIONS_SECONDS)
    # "共 N 辆在售" per filter: counting 100,000 cars costs more than the page itself, and a
    # figure half a minute old is as good to a customer paging through the list.
    totals = _Kept(COUNT_SECONDS)
    stores = _Kept(OPTIONS_SECONDS)  # a car's store (name, address, phone) by its id
    # A form sent twice (a double tap, a reload of the result) gets the first answer again
    # instead of "that slot is taken": the answer is kept under the form's own token.
    answered = _Kept(guard.CSRF_MAX_AGE, size=4096)
    overrides = {"store_name": str(settings["store_name"])}

    def now() -> datetime:
        return config.clock()

    def store() -> car_pages.PublicStore:
        def load() -> car_pages.PublicStore:
            with config.read.read() as session:
                return car_pages.store_by_code(session, settings["store_code"], overrides)

        try:
            return store_cache.get(load)  # type: ignore[no-any-return]
        except OperationalError:
            # The apology page for a database that is down still names the store.
            return car_pages.PublicStore(
                str(settings["store_code"]), overrides["store_name"], "", ""
            )

    def page(
        template: str, *, status: int = 200, nonce: str | None = None, **context: Any
    ) -> Response:
        if "store" not in context:
            context["store"] = store()
        # Every link is relative (the server may sit behind a proxy under any prefix):
        # "../" once per folder between this address and the top.
        root = "../" * max(0, request.path.count("/") - 1)
        html = site.render(template, root=root, **context)
        response = Response(html, status=status, mimetype="text/html")
        # Pages carry prices that change: always asked again, never kept by a shared cache.
        response.headers["Cache-Control"] = "private, no-cache"
        if nonce is not None:
            response.headers["Cache-Control"] = "no-store"
            if request.cookies.get(guard.CSRF_COOKIE) != nonce:
                response.set_cookie(
                    guard.CSRF_COOKIE,
                    nonce,
                    httponly=True,
                    samesite="Strict",
                    secure=request.is_secure,
                    max_age=guard.CSRF_MAX_AGE,
                )
        return response

    def message(title: str, text: str, status: int) -> Response:
        return page("message.html", status=status, title=title, text=text)

    def form_nonce() -> str:
        return request.cookies.get(guard.CSRF_COOKIE) or guard.new_nonce()

    def post_refusal() -> str | None:
        """Why a posted form is refused before any service runs (CSRF, rate), else None."""
        nonce = request.cookies.get(guard.CSRF_COOKIE, "")
        if not config.csrf.check(request.form.get(guard.CSRF_FIELD, ""), nonce):
            return "页面已过期或来源无法确认，请核对后再提交一次。"
        if answered.peek(_form_key()) is not None:
            return None  # the same form again: answered below, not counted
        wait = config.limiter.hit(request.remote_addr or "unknown")
        if wait:
            raise _TooMany(wait)
        return None

    @app.after_request
    def headers(response: Response) -> Response:
        for name, value in guard.SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.errorhandler(_TooMany)
    def too_many(exc: _TooMany) -> Response:
        response = message(
            "操作太频繁",
            f"同一网络提交得太多了，请 {max(1, exc.seconds // 60)} 分钟后再试，或直接致电门店。",
            429,
        )
        response.headers["Retry-After"] = str(exc.seconds)
        return response

    @app.errorhandler(NotFoundError)
    def not_found(exc: NotFoundError) -> Response:
        if exc.code == "car_page.sold":
            return message("这辆车已售出", exc.message, 410)
        return message("没有找到", exc.message, 404)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        if exc.code == 404:
            return message("没有找到", "这个网址没有内容，请从车辆列表进入。", 404)
        if exc.code == 413:
            return message("提交的内容太长", "请返回检查填写的内容。", 413)
        return message("无法处理", "请返回上一页重试。", exc.code or 400)

    @app.errorhandler(OperationalError)
    def database_down(exc: OperationalError) -> Response:
        # Expected when the store's database restarts or the network drops: no trace.
        log.warning("web page without database: %s", str(exc.orig).splitlines()[0:1])
        response = message("暂时无法打开", "门店系统正在维护，请稍后刷新，或直接致电门店。", 503)
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(Exception)
    def bug(exc: Exception) -> Response:
        log.exception("web page failed: %s %s", request.method, request.path)
        return message("页面出错了", "请稍后再试，或直接致电门店。", 500)

    # --- pages ----------------------------------------------------------------------------

    @app.get("/healthz")
    def health() -> Response:
        return Response(
            f'{{"app": "{HEALTH_APP}", "version": "{__version__}"}}', mimetype="application/json"
        )

    @app.get("/robots.txt")
    def robots() -> Response:
        return Response("User-agent: *\nDisallow: /cars/*/test-drive\n", mimetype="text/plain")

    @app.get("/")
    def stock() -> Response:
        args = request.args
        band = _int(args.get("price"), 0, 0, len(PRICE_BANDS) - 1)
        sort = args.get("sort", "year")
        sort_key, _label, descending = next((s for s in SORTS if s[0] == sort), SORTS[0])
        energy = args.get("energy", "")
        query = kiosk.CarQuery(
            brand=args.get("brand") or None,
            min_price=PRICE_BANDS[band][1],
            max_price=PRICE_BANDS[band][2],
            energy_group=energy if energy in dict(ENERGY_GROUPS) and energy else None,
            body_type=args.get("body") or None,
            sort=sort_key,
            descending=descending,
        )
        number = _int(args.get("page"), 1, 1, 100_000)

        def filter_choices() -> tuple[list[str], list[str]]:
            with config.read.read() as session:
                return kiosk.brands(session, limit=None), kiosk.body_types(session)

        brands, bodies = choices.get(filter_choices)
        with config.read.read() as session:
            total = totals.get(query, lambda: kiosk.count_cars(session, query))
            result = car_pages.stock_list(
                session, query, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE, total=total
            )
        pages = max(1, -(-result.total // PAGE_SIZE))
        current = {
            "brand": query.brand or "",
            "price": str(band),
            "energy": energy,
            "body": query.body_type or "",
            "sort": sort_key,
        }
        return page(
            "list.html",
            result=result,
            number=number,
            pages=pages,
            current=current,
            brands=brands,
            bodies=bodies,
            bands=PRICE_BANDS,
            energies=ENERGY_GROUPS,
            sorts=SORTS,
            page_link=lambda n: _query({**current, "page": str(n)}),
        )

    @app.get("/cars/<stock_no>")
    def car(stock_no: str) -> Response:
        with config.read.read() as session:
            shown = car_pages.public_car(
                session,
                stock_no,
                now=now(),
                options=options,
                store_overrides=overrides,
                stores=lambda store_id: stores.get(
                    store_id, lambda: car_pages.public_store(session, store_id, overrides)
                ),
            )
        return page(
            "car.html",
            car=shown,
            store=shown.store,
            loan=loan_form(shown.price, request.args),
            loan_table=None,
        )

    @app.get("/cars/<stock_no>/media/<sha>.jpg")
    def photo(stock_no: str, sha: str) -> Response:
        if len(sha) != 64 or not all(c in "0123456789abcdef" for c in sha):
            abort(404)
        with config.read.read() as session:
            data = car_pages.public_photo(session, stock_no, sha, now=now(), options=options)
        response = Response(images.for_phone(sha, data), mimetype="image/jpeg")
        # Named by their content: a changed photo is another address, so keep them long.
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response

    @app.get("/cars/<stock_no>/report.pdf")
    def report(stock_no: str) -> Response:
        with config.read.read() as session:
            data = car_pages.public_report(session, stock_no, now=now(), options=options)
        response = Response(data, mimetype="application/pdf")
        response.headers["Content-Disposition"] = "inline; filename=report.pdf"
        response.headers["Cache-Control"] = "private, no-cache"
        return response

    # --- test drive -------------------------------------------------------------------------

    def rules() -> td.SlotRules:
        return td.SlotRules.from_settings(settings.__getitem__)

    def booking_page(
        stock_no: str, form: Mapping[str, str], error: str = "", status: int = 200
    ) -> Response:
        today = now().astimezone(STORE_ZONE).date()
        days = [today + timedelta(days=n) for n in range(BOOKING_DAYS)]
        try:
            chosen = date.fromisoformat(form.get("day") or today.isoformat())
        except ValueError:
            chosen = today
        if chosen not in days:
            chosen = today
        with config.read.read() as session:
            found = car_pages.bookable_car(session, stock_no)
            slots = [
                s for s in td.day_slots(session, found.id, chosen, rules(), now=now()) if s.free
            ]
        nonce = form_nonce()
        return page(
            "test_drive.html",
            status=status,
            nonce=nonce,
            csrf=config.csrf.issue(nonce),
            car=found,
            days=days,
            chosen=chosen,
            slots=slots,
            zone=STORE_ZONE,
            form=form,
            error=error,
        )

    @app.get("/cars/<stock_no>/test-drive")
    def test_drive(stock_no: str) -> Response:
        try:
            return booking_page(stock_no, request.args)
        except NotFoundError as exc:
            return message("这辆车暂时不能预约", exc.message, 404)

    @app.post("/cars/<stock_no>/test-drive")
    def book(stock_no: str) -> Response:
        form = request.form
        refused = post_refusal()
        if refused:
            return booking_page(stock_no, form, refused, status=400)
        again = answered.peek(_form_key())
        if again is not None:
            return page("booked.html", **again)
        try:
            start = datetime.fromisoformat(form.get("slot", ""))
            if start.tzinfo is None:
                raise ValueError("naive")
        except ValueError:
            return booking_page(stock_no, form, "请选择一个试驾时段。", status=400)
        try:
            with config.write.write() as session:
                booking = td.book_from_kiosk(
                    session,
                    stock_no=stock_no,
                    phone=form.get("phone", ""),
                    surname=form.get("surname", ""),
                    title=TITLES.get(form.get("title", ""), Title.NONE),
                    slot_start=start,
                    rules=rules(),
                    consent=form.get("consent") == "yes",
                    now=now(),
                    channel=WEB_VIA,
                )
        except ShowroomError as exc:
            try:
                return booking_page(stock_no, form, exc.message, status=409)
            except NotFoundError:
                return message("这辆车暂时不能预约", exc.message, 409)
        log.info("test drive booked from the web: %s", booking.booking_code)
        shown = {
            "booking": booking,
            "title_suffix": {"mr": "先生", "ms": "女士"}.get(form.get("title", ""), ""),
            "zone": STORE_ZONE,
            "qr": _qr_data_uri(booking.qr_payload),
        }
        answered.put(_form_key(), shown)
        return page("booked.html", **shown)

    # --- inspection day ---------------------------------------------------------------------

    def events() -> list[idays.PublicEvent]:
        with config.read.read() as session:
            store_id = idays.store_of(session, settings["store_code"])
            return idays.kiosk_events(session, store_id, now=now())

    def sign_up_page(form: Mapping[str, str], error: str = "", status: int = 200) -> Response:
        nonce = form_nonce()
        return page(
            "inspection_day.html",
            status=status,
            nonce=nonce,
            csrf=config.csrf.issue(nonce),
            events=events(),
            form=form,
            error=error,
        )

    @app.get("/inspection-day")
    def inspection_day() -> Response:
        return sign_up_page(request.args)

    @app.post("/inspection-day")
    def sign_up() -> Response:
        form = request.form
        refused = post_refusal()
        if refused:
            return sign_up_page(form, refused, status=400)
        again = answered.peek(_form_key())
        if again is not None:
            return page("registered.html", **again)
        try:
            event_id = uuid.UUID(form.get("event", ""))
        except ValueError:
            return sign_up_page(form, "请选择一场检测日。", status=400)
        try:
            with config.write.write() as session:
                result = idays.register_by_phone(
                    session,
                    WEB,
                    idays.store_of(session, settings["store_code"]),
                    event_id=event_id,
                    phone=form.get("phone", ""),
                    name=form.get("surname", "").strip(),
                    title=TITLES.get(form.get("title", ""), Title.NONE),
                    consent=form.get("consent") == "yes",
                    car=idays.CarForm(plate=form.get("plate", "")),
                    channel=WEB_VIA,
                    now=now(),
                )
        except ValidationError as exc:
            return sign_up_page(form, exc.message, status=400)
        except ShowroomError as exc:
            return sign_up_page(form, exc.message, status=409)
        log.info("inspection day sign-up from the web: %s", result.booking_code)
        shown = {"result": result, "qr": _qr_data_uri(result.qr_payload)}
        answered.put(_form_key(), shown)
        return page("registered.html", **shown)

    return app


class _TooMany(Exception):
    def __init__(self, seconds: int) -> None:
        super().__init__(f"rate limited for {seconds} s")
        self.seconds = seconds


def _form_key() -> str:
    """The posted form's identity: where it went, the browser's cookie and every field
    (its token among them): the very same form, not another one sent from the same page.
    A hash, so the phone number typed is not what the server keeps."""
    parts = [request.path, request.cookies.get(guard.CSRF_COOKIE, "")]
    parts += [f"{k}={v}" for k, v in sorted(request.form.items())]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _qr_data_uri(payload: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(payload, 6)).decode("ascii")


def _query(values: Mapping[str, str]) -> str:
    from urllib.parse import urlencode

    # The defaults (every price, newest first) stay out of the address.
    defaults = {"price": "0", "sort": "year"}
    return "?" + urlencode({k: v for k, v in values.items() if v and defaults.get(k) != v})
