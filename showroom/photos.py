"""Turning a photo file into what is stored: a checked, downscaled JPEG and its thumbnail.

One place for the Pillow work of the vehicle archive and the inspections, so both refuse the
same bad files the same way (empty, too big, too many pixels, corrupt, a decompression bomb)
with a Chinese message instead of a traceback. Slow: callers run it off the UI thread.

``category_from_name`` files a car photo by its file or folder name (``内饰_03.jpg``,
``engine-bay.jpg``, ``证件/行驶证.jpg``) so an import of forty photos needs no forty choices.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import PurePath

from PIL import Image, ImageOps, UnidentifiedImageError

from db.enums import PhotoCategory
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
            # A JPEG can be decoded straight at a fraction of its size (1/2, 1/4, 1/8), far
            # faster than decoding all 12 megapixels. Asking for the box's short side on
            # both sides keeps every result at least as large as it will be shown, however
            # wide the photo and whichever way its EXIF turns it.
            side = min(max_size)
            opened.draft("RGB", (side, side))
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


# Words in file names, most telling first: a name with 证件 in it is a document whatever
# else it says (it must never become public by a guess), then damage, then the parts.
# Chinese words match anywhere in the name; Latin words must start a word ("seat" in
# "front_seats", not "side" in "inside").
_CATEGORY_WORDS: tuple[tuple[PhotoCategory, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        PhotoCategory.DOCUMENTS,
        ("证件", "行驶证", "登记证", "绿本", "铭牌", "合格证", "保单", "证书", "车架号"),
        ("doc", "licen", "registration", "nameplate", "vin", "certificate", "papers"),
    ),
    (
        PhotoCategory.DEFECT,
        ("瑕疵", "划痕", "凹陷", "破损", "掉漆", "损伤", "刮擦", "裂"),
        ("defect", "damage", "scratch", "dent", "crack", "flaw"),
    ),
    (PhotoCategory.ENGINE, ("发动机", "机舱", "引擎", "电机舱"), ("engine", "motor", "bonnet")),
    (
        PhotoCategory.CHASSIS,
        ("底盘", "悬挂", "底部", "车底"),
        ("chassis", "underbody", "underside", "suspension"),
    ),
    (
        PhotoCategory.INTERIOR,
        ("内饰", "中控", "座椅", "仪表", "方向盘", "后备箱", "天窗", "车内", "后排", "前排"),
        ("interior", "dash", "seat", "cabin", "cockpit", "trunk", "boot", "console", "cluster"),
    ),
    (PhotoCategory.DETAIL, ("细节", "特写", "钥匙", "局部"), ("detail", "closeup", "close", "key")),
    (
        PhotoCategory.EXTERIOR,
        ("外观", "车头", "车尾", "侧面", "正面", "左前", "右前", "左后", "右后", "车身"),
        ("exterior", "front", "rear", "side", "outside", "body"),
    ),
)
_LATIN_WORD = re.compile(r"[a-z]+")


def _category_in(text: str) -> PhotoCategory | None:
    lowered = text.lower()
    words = _LATIN_WORD.findall(lowered)
    for category, chinese, latin in _CATEGORY_WORDS:
        if any(word in lowered for word in chinese) or any(
            w.startswith(prefix) for w in words for prefix in latin
        ):
            return category
    return None


def category_from_name(name: str) -> PhotoCategory | None:
    """The category a photo's file name (else its folder's name) says, or None."""
    path = PurePath(name.replace("\\", "/"))
    found = _category_in(path.stem)
    if found is None and path.parent.name:
        found = _category_in(path.parent.name)
    return found
