"""``showroom web`` and ``showroom publish`` as a dealer runs them from the shell."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from showroom.paths import AppPaths
from showroom.settings import Settings
from showroom.vehicle_links import read_runtime_file, runtime_file
from tests.e2e.test_cli import ROOT, showroom


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("home")
    showroom(home, "demo", "--cars", "12", "--seed", "11")
    return home


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def test_web_serves_the_stock_and_tells_the_kiosk_where_it_is(demo_home: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOWROOM_")}
    env["SHOWROOM_HOME"] = str(demo_home)
    process = subprocess.Popen(
        [sys.executable, "-m", "showroom", "web", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if _get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        status, html = _get(base + "/")
        assert status == 200 and "在售" in html
        cars = json.loads(
            showroom(demo_home, "vehicles", "list", "--json", "--status", "on_sale").stdout
        )
        status, page = _get(f"{base}/cars/{cars[0]['stock_no']}")
        assert status == 200 and cars[0]["brand"] in page
        marker = runtime_file(AppPaths.under(demo_home).data_dir)
        assert read_runtime_file(marker) == base
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert f"车辆网页已启动：{base}/" in out
    assert "设置 → 门店网页地址" in out and "Traceback" not in err
    assert not marker.exists()  # a stopped server leaves no address behind


def test_publish_needs_the_public_address_then_writes_the_site(
    demo_home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    showroom(demo_home, "store", "set", "--public-url", "")  # the demo profile has one
    refused = showroom(demo_home, "publish", "--out", str(out), check=False)
    assert refused.returncode == 2 and "车辆公开网址" in refused.stderr
    assert "Traceback" not in refused.stderr
    settings = Settings(AppPaths.under(demo_home).settings_file)
    settings.update({"vehicle_public_url": "https://dealer.example.cn/cars/{stock_no}"})
    settings.save()
    first = showroom(demo_home, "publish", "--out", str(out))
    assert "新写" in first.stdout and "https://dealer.example.cn/" in first.stdout
    assert (out / "index.html").exists() and (out / "sitemap.xml").exists()
    again = showroom(demo_home, "publish", "--out", str(out))
    assert "新写 0 辆" in again.stdout
    # The store profile's car-page address wins over the PC's setting.
    showroom(demo_home, "store", "set", "--public-url", "https://cars.demo.invalid/bj01")
    profiled = showroom(demo_home, "publish", "--out", str(tmp_path / "site2"))
    assert "https://cars.demo.invalid/bj01/" in profiled.stdout
