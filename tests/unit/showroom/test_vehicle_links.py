"""The public address of a car for its QR code."""

from __future__ import annotations

import pytest

from showroom.errors import ValidationError
from showroom.settings import BY_KEY, Settings
from showroom.vehicle_links import public_url


def test_default_template_puts_the_stock_number_in_the_path() -> None:
    assert BY_KEY["vehicle_public_url"].default == "https://example.com/cars/{stock_no}"
    assert public_url(Settings(None), "BJ01-S2026-00015") == (
        "https://example.com/cars/BJ01-S2026-00015"
    )


def test_dealer_template_and_odd_characters_are_escaped() -> None:
    settings = Settings(None, {"vehicle_public_url": "https://che.example.cn/detail?no={stock_no}"})
    assert public_url(settings, " A 1/2 ") == "https://che.example.cn/detail?no=A%201%2F2"


def test_template_without_placeholder_or_missing_stock_no_is_refused() -> None:
    settings = Settings(None, {"vehicle_public_url": "https://example.com/cars"})
    with pytest.raises(ValidationError, match=r"\{stock_no\}"):
        public_url(settings, "BJ01-S2026-00001")
    with pytest.raises(ValidationError, match="没有库存编号"):
        public_url(Settings(None), "  ")
