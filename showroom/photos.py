"""Turning a photo file into what is stored: a checked, downscaled JPEG and its thumbnail.

One place for the Pillow work of the vehicle archive and the inspections, so both refuse the
same bad files the same way (empty, too big, too many pixels, corrupt, a decompression bomb)
with a Chinese message instead of a traceback. Slow: callers run it off the UI thread.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from showroom.errors import ValidationError

MAX_BYTES = 40 * 1024 * 1024
# Below Pillow's own bomb threshold (MAX_IMAGE_PIXELS x 2), so a huge photo gets our message.
MAX_PIXELS = 120_000_000

# Pillow raises these for files it cannot (or refuses to) decode; a bomb is one of them.
_UNREADABLE = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
)
# Pillow's refusal of a decompression bomb (the warning too, where warnings are errors).
_BOMB = (Image.DecompressionBombError, Image.DecompressionBombWarning)


@dataclass(frozen=True)
class Shrunk:
    image: bytes  # JPEG, no larger than the asked size
    thumbnail: bytes  # JPEG
    width: int
    height: int


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def shrink(
    data: bytes,
    *,
    max_size: tuple[int, int],
    thumb_size: tuple[int, int],
    quality: int = 85,
) -> Shrunk:
    """Check ``data`` is a usable photo and downscale it; ValidationError (Chinese) if not."""
    if not data:
        raise ValidationError("photo.empty", "照片文件是空的，请重新选择。")
    if len(data) > MAX_BYTES:
        raise ValidationError("photo.too_large", "照片文件超过 40 MB，请用相机的普通画质重新拍摄。")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(
                    "photo.too_large", "照片像素过大（超过 1.2 亿像素），无法导入。"
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except ValidationError:
        raise
    except _BOMB:
        raise ValidationError(
            "photo.too_large", "照片像素过大（超过 1.2 亿像素），无法导入。"
        ) from None
    except _UNREADABLE:
        raise ValidationError(
            "photo.corrupt", "这个文件不是可用的照片（文件损坏或格式不支持），请换一张。"
        ) from None
    image.thumbnail(max_size)
    thumb = image.copy()
    thumb.thumbnail(thumb_size)
    return Shrunk(_jpeg(image, quality), _jpeg(thumb, 80), image.width, image.height)
