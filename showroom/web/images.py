"""Photos sized for a phone (Pillow): 1080 px wide at most, for the server and the static site.

The archive keeps photos up to 1600x1200 for the desk's large screens; a phone on the
store's Wi-Fi or a mobile network needs a third of the bytes. Thumbnails (240x180) are
already small and pass through unchanged.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict

from PIL import Image

PHONE_SIZE = (1080, 810)
QUALITY = 80
CACHE_ENTRIES = 256  # about 30 MB of phone-sized JPEGs


def phone_jpeg(data: bytes) -> bytes:
    """``data`` scaled down to fit ``PHONE_SIZE``; unchanged when it already fits."""
    with Image.open(io.BytesIO(data)) as image:
        if image.width <= PHONE_SIZE[0] and image.height <= PHONE_SIZE[1]:
            return data
        small = image.convert("RGB")
        small.thumbnail(PHONE_SIZE)
    buffer = io.BytesIO()
    small.save(buffer, format="JPEG", quality=QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


class PhoneImages:
    """``phone_jpeg`` with the last results kept by content hash (thread-safe)."""

    def __init__(self, entries: int = CACHE_ENTRIES) -> None:
        self._entries = entries
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def for_phone(self, sha: str, data: bytes) -> bytes:
        with self._lock:
            if sha in self._cache:
                self._cache.move_to_end(sha)
                return self._cache[sha]
        small = phone_jpeg(data)
        with self._lock:
            self._cache[sha] = small
            while len(self._cache) > self._entries:
                self._cache.popitem(last=False)
        return small
