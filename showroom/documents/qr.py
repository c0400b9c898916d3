"""QR codes as PNG bytes (qrcode + Pillow), for papers and the kiosk screen."""

from __future__ import annotations

import io
from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M


@lru_cache(maxsize=64)
def qr_png(payload: str, box_size: int = 8) -> bytes:
    """Black on white with the standard 4-module quiet zone; crisp when scaled by whole steps."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(payload)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
