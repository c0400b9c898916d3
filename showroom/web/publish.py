"""``showroom publish --out DIR``: the car pages as a static site for a dealer's own host.

The same templates as ``showroom web`` (``site.Site(static=True)``): every car whose page
is public, list pages, photos sized for phones, ``sitemap.xml`` and ``robots.txt``, all
links relative, so the folder can be uploaded anywhere. The public address template
(``vehicle_public_url``, the one the QR codes carry) must end in ``cars/{stock_no}``: the
site's root is what comes before it, and the sitemap lists those very addresses.

Incremental: ``.showroom-publish.json`` in DIR keeps each car's fingerprint
(``car_pages.page_keys``); only cars whose fingerprint changed are read and rewritten, cars
no longer public are removed, photos are named by content and written once. A change of
template, store details or page options rewrites everything.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from db.engine import Database
from showroom import __version__
from showroom.errors import NotFoundError, ValidationError
from showroom.services import car_pages
from showroom.services.kiosk import CarQuery
from showroom.vehicle_links import CAR_PATH, public_template
from showroom.web.images import phone_jpeg
from showroom.web.site import STATIC, Site, loan_form, loan_table

MANIFEST = ".showroom-publish.json"
MANIFEST_VERSION = 1
LIST_PAGE_SIZE = 24
BATCH = 200  # cars per read session (keeps the session's memory flat on a large stock)
_SAFE_STOCK = re.compile(r"^[A-Za-z0-9._-]{1,24}$")

Progress = Callable[[str, int, int], None]


@dataclass
class PublishResult:
    out: Path
    root_url: str
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    list_pages: int = 0
    photos_written: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"车辆页面：新写 {self.written} 辆，未变 {self.unchanged} 辆，删除 {self.removed} 辆；"
            f"列表 {self.list_pages} 页；新照片 {self.photos_written} 张"
        )


def site_root(settings: Mapping[str, Any] | Any, store_url: str = "") -> str:
    """The published site's root URL, from the QR address (the store profile's car-page
    address, else the ``vehicle_public_url`` template; a template must end in cars/...)."""
    template = public_template(settings, store_url)
    if template is None:
        raise ValidationError(
            "publish.no_url",
            "请店长先在“员工 → 门店资料”填写车辆公开网址（网站根地址，"
            "例如 https://www.example.cn/，车辆在其下的 cars/库存编号）：二维码和 sitemap 都用它。",
        )
    for tail in (CAR_PATH, CAR_PATH + "/"):
        if template.endswith(tail) and "{stock_no}" not in template[: -len(tail)]:
            return template[: -len(tail)]
    raise ValidationError(
        "publish.url_shape",
        f"车辆公开网址“{template}”不是以 cars/{{stock_no}} 结尾，静态网站无法对应；"
        "请改成例如 https://www.example.cn/cars/{stock_no}。",
        template=template,
    )


def _write(path: Path, data: bytes) -> bool:
    """Write ``data`` atomically unless the file already holds it; True if written."""
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def _load_manifest(out: Path) -> dict[str, Any]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("version") == MANIFEST_VERSION else {}


class _Publisher:
    def __init__(
        self,
        database: Database,
        out: Path,
        settings: Mapping[str, Any] | Any,
        now: datetime,
        progress: Progress | None,
    ) -> None:
        self.database = database
        self.out = out
        self.settings = settings
        self.now = now
        self.progress = progress or (lambda _stage, _done, _total: None)
        self.options = car_pages.PageOptions.from_settings(settings)
        self.overrides = {"store_name": str(settings["store_name"])}
        self.site = Site(static=True)
        with database.read() as session:
            self.store_url = car_pages.store_public_url(session, str(settings["store_code"]))
        self.result = PublishResult(out, site_root(settings, self.store_url))
        self.photos = out / "photos"

    def _photo(self, session: Any, stock_no: str, sha: str, *, shrink: bool) -> None:
        target = self.photos / f"{sha}.jpg"
        if target.exists():
            return
        data = car_pages.public_photo(session, stock_no, sha, now=self.now, options=self.options)
        _write(target, phone_jpeg(data) if shrink else data)
        self.result.photos_written += 1

    def _car(self, session: Any, stock_no: str) -> list[str]:
        """Render one car's page (and its photos, report); returns the photo files it uses."""
        car = car_pages.public_car(
            session, stock_no, now=self.now, options=self.options, store_overrides=self.overrides
        )
        html = self.site.render(
            "car.html",
            root="../../",
            car=car,
            store=car.store,
            loan=loan_form(car.price, {}),
            loan_table=loan_table(car.price),
        )
        folder = self.out / "cars" / stock_no
        _write(folder / "index.html", html.encode("utf-8"))
        used = []
        for photo in car.photos:
            self._photo(session, stock_no, photo.image_sha, shrink=True)
            used.append(photo.image_sha)
        if car.has_report:
            report = car_pages.public_report(session, stock_no, now=self.now, options=self.options)
            _write(folder / "report.pdf", report)
        else:
            (folder / "report.pdf").unlink(missing_ok=True)
        return used

    def run(self) -> PublishResult:
        out, result = self.out, self.result
        out.mkdir(parents=True, exist_ok=True)
        manifest = _load_manifest(out)
        with self.database.read() as session:
            store = car_pages.store_by_code(session, self.settings["store_code"], self.overrides)
            keys = car_pages.page_keys(session, now=self.now, options=self.options)
        site_key = hashlib.sha256(
            json.dumps(
                [Site.fingerprint(), repr(store), repr(self.options), result.root_url, __version__]
            ).encode("utf-8")
        ).hexdigest()
        same_site = manifest.get("site") == site_key
        before: dict[str, Any] = manifest.get("cars", {}) if same_site else {}
        cars: dict[str, Any] = {}
        todo = []
        for key in keys:
            if not _SAFE_STOCK.match(key.stock_no):
                result.problems.append(f"库存编号“{key.stock_no}”含有网址不能用的字符，未发布。")
                continue
            old = before.get(key.stock_no)
            page = out / "cars" / key.stock_no / "index.html"
            if old and old.get("key") == key.key and page.exists():
                cars[key.stock_no] = old
                result.unchanged += 1
            else:
                todo.append(key)
        for start in range(0, len(todo), BATCH):
            with self.database.read() as session:
                for key in todo[start : start + BATCH]:
                    try:
                        photos = self._car(session, key.stock_no)
                    except NotFoundError:
                        continue  # sold or withdrawn since the fingerprints were read
                    cars[key.stock_no] = {"key": key.key, "photos": photos}
                    result.written += 1
            self.progress("车辆页面", min(start + BATCH, len(todo)), len(todo))
        for stock_no in set(manifest.get("cars", {})) - set(cars):
            if _SAFE_STOCK.match(stock_no):
                shutil.rmtree(out / "cars" / stock_no, ignore_errors=True)
                result.removed += 1
        covers = self._lists(store)
        self._assets(sorted(cars))
        used = {f"{sha}.jpg" for entry in cars.values() for sha in entry["photos"]} | covers
        if self.photos.exists():
            for file in self.photos.glob("*.jpg"):
                if file.name not in used:
                    file.unlink()
        payload = {"version": MANIFEST_VERSION, "site": site_key, "cars": cars}
        _write(out / MANIFEST, json.dumps(payload, ensure_ascii=False, indent=0).encode("utf-8"))
        return result

    def _lists(self, store: car_pages.PublicStore) -> set[str]:
        """The list pages (newest first, like the kiosk); returns the cover files they use."""
        covers: set[str] = set()
        number, offset, total = 1, 0, None
        while True:
            with self.database.read() as session:
                page = car_pages.stock_list(
                    session, CarQuery(), offset=offset, limit=LIST_PAGE_SIZE, total=total
                )
                for car in page.cars:
                    if car.cover_sha:
                        self._photo(session, car.stock_no, car.cover_sha, shrink=False)
                        covers.add(f"{car.cover_sha}.jpg")
            total = page.total
            pages = max(1, -(-total // LIST_PAGE_SIZE))
            root = "" if number == 1 else "../../"

            def link(n: int, root: str = root) -> str:
                return f"{root}index.html" if n == 1 else f"{root}page/{n}/index.html"

            html = self.site.render(
                "list.html",
                root=root,
                store=store,
                result=page,
                number=number,
                pages=pages,
                page_link=link,
            )
            target = self.out / ("index.html" if number == 1 else f"page/{number}/index.html")
            _write(target, html.encode("utf-8"))
            self.progress("列表页", number, pages)
            if number >= pages:
                break
            number += 1
            offset += LIST_PAGE_SIZE
        self.result.list_pages = number
        extra = self.out / "page"
        if extra.exists():
            for folder in extra.iterdir():
                if not folder.name.isdigit() or int(folder.name) > number:
                    shutil.rmtree(folder, ignore_errors=True)
        return covers

    def _assets(self, stock_nos: list[str]) -> None:
        for file in STATIC.iterdir():
            if file.is_file():
                _write(self.out / "static" / file.name, file.read_bytes())
        template = public_template(self.settings, self.store_url) or ""
        root = self.result.root_url
        urls = [root] + [template.replace("{stock_no}", stock) for stock in stock_nos]
        sitemap = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "".join(f"  <url><loc>{escape(url)}</loc></url>\n" for url in urls)
            + "</urlset>\n"
        )
        _write(self.out / "sitemap.xml", sitemap.encode("utf-8"))
        robots = f"User-agent: *\nAllow: /\nSitemap: {root}sitemap.xml\n"
        _write(self.out / "robots.txt", robots.encode("utf-8"))


def publish(
    database: Database,
    out: Path,
    settings: Mapping[str, Any] | Any,
    *,
    now: datetime,
    progress: Progress | None = None,
) -> PublishResult:
    """Bring the static site in ``out`` up to date (see the module docstring)."""
    return _Publisher(database, out, settings, now, progress).run()
