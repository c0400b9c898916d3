"""The public web address of a car, for its QR code and the car sheet.

The dealer's listing site differs per store, so the address is a settings
template (``vehicle_public_url``) with ``{stock_no}`` in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from showroom.errors import ValidationError

DEFAULT_TEMPLATE = "https://example.com/cars/{stock_no}"


def public_url(settings: Mapping[str, Any] | Any, stock_no: str) -> str:
    """The customer-facing URL for ``stock_no`` from the ``vehicle_public_url`` template."""
    try:
        template = str(settings["vehicle_public_url"] or DEFAULT_TEMPLATE)
    except KeyError:
        template = DEFAULT_TEMPLATE
    stock_no = stock_no.strip()
    if not stock_no:
        raise ValidationError("vehicle.no_stock_no", "车辆没有库存编号，无法生成二维码地址")
    if "{stock_no}" not in template:
        raise ValidationError(
            "settings.vehicle_public_url", "车辆网址模板必须包含 {stock_no}（在设置中修改）"
        )
    return template.replace("{stock_no}", quote(stock_no, safe=""))
