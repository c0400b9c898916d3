"""Where a car's QR code leads: the public address, else showroom web, else nowhere (said)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from showroom.errors import ValidationError
from showroom.settings import BY_KEY, Settings
from showroom.vehicle_links import (
    NONE,
    PUBLIC,
    STORE_NETWORK,
    CarLinks,
    StoreWebFinder,
    car_link,
    is_showroom_web,
    public_url,
    read_runtime_file,
    runtime_file,
    write_runtime_file,
)


def test_no_public_address_is_set_by_default() -> None:
    # The old default (example.com) opened nothing on a customer's phone.
    assert BY_KEY["vehicle_public_url"].default == ""
    assert public_url(Settings(None), "BJ01-S2026-00015") is None


def test_the_old_placeholder_counts_as_no_address() -> None:
    settings = Settings(None, {"vehicle_public_url": "https://example.com/cars/{stock_no}"})
    assert public_url(settings, "BJ01-S2026-00015") is None
    assert car_link(settings, "BJ01-S2026-00015").kind == NONE


def test_template_is_filled_and_the_stock_number_quoted() -> None:
    settings = Settings(None, {"vehicle_public_url": "https://che.example.cn/detail?no={stock_no}"})
    assert public_url(settings, " A 1/2 ") == "https://che.example.cn/detail?no=A%201%2F2"


def test_template_without_placeholder_and_empty_stock_number_are_refused() -> None:
    settings = Settings(None, {"vehicle_public_url": "https://dealer.example.cn/cars"})
    with pytest.raises(ValidationError, match=r"\{stock_no\}"):
        public_url(settings, "BJ01-S2026-00001")
    with pytest.raises(ValidationError):
        public_url(Settings(None, {"vehicle_public_url": "https://d.example.cn/{stock_no}"}), " ")


def test_public_address_wins_over_a_running_store_server() -> None:
    settings = Settings(None, {"vehicle_public_url": "https://dealer.example.cn/cars/{stock_no}"})
    link = car_link(settings, "BJ01-S2026-00001", store_web="http://192.0.2.10:8080")
    assert (link.url, link.kind, link.warning) == (
        "https://dealer.example.cn/cars/BJ01-S2026-00001",
        PUBLIC,
        "",
    )


def test_store_network_link_points_at_the_car_page_and_warns_about_wifi() -> None:
    link = car_link(Settings(None), "BJ01-S2026-00001", store_web="http://192.0.2.10:8080/")
    assert link.url == "http://192.0.2.10:8080/cars/BJ01-S2026-00001"
    assert link.kind == STORE_NETWORK
    assert "门店 Wi-Fi" in link.warning and link.url in link.warning


def test_no_address_at_all_says_how_to_fix_it() -> None:
    link = car_link(Settings(None), "BJ01-S2026-00001")
    assert link.url is None
    assert "门店资料" in link.warning and "showroom web" in link.warning


def test_finder_asks_the_setting_then_the_runtime_file_and_remembers(tmp_path: Path) -> None:
    marker = runtime_file(tmp_path)
    write_runtime_file(marker, "http://192.0.2.20:8080")
    asked: list[str] = []
    clock = [0.0]

    def probe(base: str) -> bool:
        asked.append(base)
        return base == "http://192.0.2.20:8080"

    settings = Settings(None, {"store_web_url": "http://192.0.2.99:8080/"})
    finder = StoreWebFinder(settings, marker, probe=probe, clock=lambda: clock[0])
    assert finder.find() == "http://192.0.2.20:8080"
    assert asked == ["http://192.0.2.99:8080", "http://192.0.2.20:8080"]
    clock[0] = 10.0
    assert finder.find() == "http://192.0.2.20:8080"
    assert len(asked) == 2  # remembered for half a minute
    clock[0] = 40.0
    marker.unlink()
    assert finder.find() is None  # the server stopped: asked again, nobody answers


def test_runtime_file_with_nonsense_is_ignored(tmp_path: Path) -> None:
    marker = runtime_file(tmp_path)
    marker.write_text("not json", encoding="utf-8")
    assert read_runtime_file(marker) is None
    marker.write_text('{"url": "file:///etc/passwd"}', encoding="utf-8")
    assert read_runtime_file(marker) is None


class _Health(BaseHTTPRequestHandler):
    body = b'{"app": "showroom-web"}'

    def do_GET(self) -> None:
        payload = self.body if self.path == "/healthz" else b"{}"
        self.send_response(200 if self.path == "/healthz" else 404)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_probe_recognises_showroom_web_only(local_server: str) -> None:
    assert is_showroom_web(local_server)
    assert not is_showroom_web(local_server + "/nothing-here")
    assert not is_showroom_web("http://127.0.0.1:9")  # nothing listens on the discard port
    assert not is_showroom_web("ftp://127.0.0.1/")


def test_car_links_uses_a_server_that_answers(local_server: str, tmp_path: Path) -> None:
    settings = Settings(None, {"store_web_url": local_server})
    links = CarLinks.for_data_dir(settings, tmp_path)
    assert links("BJ01-S2026-00007").url == f"{local_server}/cars/BJ01-S2026-00007"
