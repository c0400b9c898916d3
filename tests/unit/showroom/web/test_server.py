"""The store-network address ``showroom web`` announces (never a loopback one by guess)."""

from __future__ import annotations

import pytest

from showroom.web import server


def test_an_explicit_host_or_public_name_is_used_as_given() -> None:
    assert server.store_base_url("127.0.0.1", 8080) == "http://127.0.0.1:8080"
    assert server.store_base_url("0.0.0.0", 80, "cars.lan") == "http://cars.lan:80"


def test_listening_everywhere_announces_the_first_store_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(server, "store_addresses", lambda: ["192.0.2.20", "198.51.100.7"])
    assert server.store_base_url("0.0.0.0", 8080) == "http://192.0.2.20:8080"


def test_without_a_store_address_nothing_is_announced(monkeypatch: pytest.MonkeyPatch) -> None:
    # A QR code with 127.0.0.1 in it would open nothing on a customer's phone.
    monkeypatch.setattr(server, "store_addresses", lambda: [])
    assert server.store_base_url("0.0.0.0", 8080) is None
