"""The web address behind a car's QR code (car sheet, kiosk, vehicle archive), and its truth.

A QR must lead somewhere real. In order:

1. the dealer's public address: the car's store profile (``Store.public_url``, 员工 → 门店资料),
   else the PC's ``vehicle_public_url`` setting. Either is a template with ``{stock_no}``, or
   the root of the dealer's car site, under which a car is at ``cars/<stock no>`` (the layout
   ``showroom web`` and ``showroom publish`` use);
2. else the car page of ``showroom web`` on the store network, when one answers: the
   address in the ``store_web_url`` setting, or the one a server on this PC wrote into its
   runtime file (``web-server.json`` in the data folder) when it started;
3. else no address: the screens and papers say so instead of printing a dead code.

``CarLinks`` asks the server (``GET /healthz``, under a second) and remembers the answer
for half a minute: call it off the UI thread.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from showroom.errors import ValidationError

log = logging.getLogger("showroom.links")

# The old default: an address that opened nothing. A settings file may still hold it.
PLACEHOLDER_TEMPLATES = frozenset({"https://example.com/cars/{stock_no}"})
CAR_PATH = "cars/{stock_no}"  # where showroom web (and a published site) serves a car
HEALTH_PATH = "healthz"
HEALTH_APP = "showroom-web"
RUNTIME_FILE = "web-server.json"
PROBE_SECONDS = 0.8
REMEMBER_SECONDS = 30.0

PUBLIC = "public"
STORE_NETWORK = "store_network"
NONE = "none"

_WARNINGS = {
    PUBLIC: "",
    STORE_NETWORK: "未设置车辆公开网址：二维码指向门店网络内的车辆网页（{url}），"
    "只有连上门店 Wi-Fi 的手机能打开。",
    NONE: "未设置车辆公开网址，门店网页（showroom web）也没有运行：二维码打不开。"
    "请店长在“员工 → 门店资料”填写车辆公开网址，或在门店电脑上运行 showroom web。",
}


def _setting(settings: Mapping[str, Any] | Any, key: str) -> str:
    try:
        return str(settings[key] or "").strip()
    except KeyError:
        return ""


def public_template(settings: Mapping[str, Any] | Any, store_url: str = "") -> str | None:
    """The dealer's public car address template, or None while none is set.

    ``store_url`` is the car's store profile address; it wins over the PC setting.
    """
    base = store_url.strip()
    if base:
        return base if "{stock_no}" in base else f"{base.rstrip('/')}/{CAR_PATH}"
    template = _setting(settings, "vehicle_public_url")
    if not template or template in PLACEHOLDER_TEMPLATES:
        return None
    if "{stock_no}" not in template:
        raise ValidationError(
            "settings.vehicle_public_url", "车辆网址模板必须包含 {stock_no}（在设置中修改）"
        )
    return template


def _stock(stock_no: str) -> str:
    stock_no = stock_no.strip()
    if not stock_no:
        raise ValidationError("vehicle.no_stock_no", "车辆没有库存编号，无法生成二维码地址")
    return quote(stock_no, safe="")


def public_url(settings: Mapping[str, Any] | Any, stock_no: str, store_url: str = "") -> str | None:
    """The dealer's public URL for ``stock_no``, or None when no public address is set."""
    template = public_template(settings, store_url)
    stock = _stock(stock_no)
    return template.replace("{stock_no}", stock) if template else None


def store_page_url(base: str, stock_no: str) -> str:
    """The car's page on a ``showroom web`` whose root is ``base``."""
    return f"{base.rstrip('/')}/{CAR_PATH.format(stock_no=_stock(stock_no))}"


@dataclass(frozen=True)
class CarLink:
    """Where a car's QR code leads: ``url`` (None: nowhere) and what kind of place it is."""

    url: str | None
    kind: str  # PUBLIC, STORE_NETWORK or NONE
    base: str = ""  # the showroom web root, for STORE_NETWORK

    @property
    def warning(self) -> str:
        """For staff (Chinese): why the QR may not open on a customer's phone; "" if fine."""
        return _WARNINGS[self.kind].format(url=self.url or "")


def car_link(
    settings: Mapping[str, Any] | Any,
    stock_no: str,
    *,
    store_url: str = "",
    store_web: str | None = None,
) -> CarLink:
    url = public_url(settings, stock_no, store_url)
    if url is not None:
        return CarLink(url, PUBLIC)
    if store_web:
        return CarLink(store_page_url(store_web, stock_no), STORE_NETWORK, store_web.rstrip("/"))
    return CarLink(None, NONE)


# --- finding showroom web on the store network ---------------------------------------------


def runtime_file(data_dir: Path) -> Path:
    """Where a running ``showroom web`` leaves its store-network address on its own PC."""
    return data_dir / RUNTIME_FILE


def write_runtime_file(path: Path, base: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"url": base}, ensure_ascii=False), encoding="utf-8")


def read_runtime_file(path: Path) -> str | None:
    try:
        url = json.loads(path.read_text(encoding="utf-8")).get("url")
    except (OSError, ValueError, AttributeError):
        return None
    return url if isinstance(url, str) and url.startswith(("http://", "https://")) else None


def is_showroom_web(base: str, timeout: float = PROBE_SECONDS) -> bool:
    """Whether a ``showroom web`` answers at ``base`` (its health page names the app)."""
    url = f"{base.rstrip('/')}/{HEALTH_PATH}"
    if not url.startswith(("http://", "https://")):
        return False
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = json.loads(response.read(4096).decode("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(body, dict) and body.get("app") == HEALTH_APP


class StoreWebFinder:
    """The root of a ``showroom web`` that answers now, or None; answers kept 30 s."""

    def __init__(
        self,
        settings: Mapping[str, Any] | Any,
        runtime: Path | None = None,
        *,
        probe: Callable[[str], bool] = is_showroom_web,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._runtime = runtime
        self._probe = probe
        self._clock = clock
        self._cached: tuple[float, str | None] | None = None

    def candidates(self) -> list[str]:
        found = [_setting(self._settings, "store_web_url")]
        if self._runtime is not None:
            found.append(read_runtime_file(self._runtime) or "")
        return list(dict.fromkeys(c.rstrip("/") for c in found if c))

    def find(self) -> str | None:
        now = self._clock()
        if self._cached is not None and now - self._cached[0] < REMEMBER_SECONDS:
            return self._cached[1]
        answer = next((base for base in self.candidates() if self._probe(base)), None)
        if answer is None and self.candidates():
            log.info("no showroom web answers at %s", ", ".join(self.candidates()))
        self._cached = (now, answer)
        return answer


class CarLinks:
    """``links(stock_no) -> CarLink`` for screens and papers. May ask the network: a worker."""

    def __init__(
        self, settings: Mapping[str, Any] | Any, finder: StoreWebFinder | None = None
    ) -> None:
        self._settings = settings
        self._finder = finder

    @classmethod
    def for_data_dir(cls, settings: Mapping[str, Any] | Any, data_dir: Path) -> CarLinks:
        return cls(settings, StoreWebFinder(settings, runtime_file(data_dir)))

    def __call__(self, stock_no: str, store_url: str = "") -> CarLink:
        """``store_url``: the car's store profile address (``stores.car_store_url``)."""
        if public_template(self._settings, store_url) is not None or self._finder is None:
            return car_link(self._settings, stock_no, store_url=store_url)
        return car_link(
            self._settings, stock_no, store_url=store_url, store_web=self._finder.find()
        )
