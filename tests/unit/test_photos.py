"""Photo preparation shared by the vehicle archive and the inspections."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from db.enums import PhotoCategory
from showroom import photos
from showroom.errors import ValidationError
from showroom.services import inspections, vehicle_archive


def _png(size: tuple[int, int] = (800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, format="PNG")
    return buffer.getvalue()


def bomb_png(width: int = 40_000, height: int = 40_000) -> bytes:
    """A tiny file whose header claims a huge picture (what a decompression bomb looks like)."""
    data = bytearray(_png((8, 8)))
    # IHDR starts at byte 8: length(4) type(4) width(4) height(4) ...; its CRC follows the 13 bytes.
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


@pytest.mark.parametrize("size", [(40_000, 40_000), (12_000, 12_000)])
def test_a_decompression_bomb_is_refused_with_a_message(size: tuple[int, int]) -> None:
    with pytest.raises(ValidationError) as caught:
        photos.shrink(bomb_png(*size), max_size=(1600, 1200), thumb_size=(240, 180))
    assert caught.value.code == "photo.too_large"
    assert "像素过大" in caught.value.message


def test_the_inspection_refuses_a_bomb_too() -> None:
    with pytest.raises(ValidationError) as caught:
        inspections.prepare_photo(bomb_png())
    assert "像素过大" in caught.value.message


def test_a_bomb_in_an_archive_batch_is_refused_by_name_and_the_good_photos_kept(
    tmp_path: Path,
) -> None:
    first = tmp_path / "左前.png"
    first.write_bytes(_png())
    bomb = tmp_path / "炸弹.png"
    bomb.write_bytes(bomb_png())
    last = tmp_path / "右后.png"
    last.write_bytes(_png((3200, 2400)))
    prepared, problems = vehicle_archive.prepare_photos([first, bomb, last])
    assert [p.name for p in prepared] == ["左前.png", "右后.png"]
    assert [p.name for p in problems] == ["炸弹.png"]
    assert problems[0].reason.startswith("炸弹.png：") and "像素过大" in problems[0].reason
    with Image.open(io.BytesIO(prepared[1].image)) as image:
        assert image.size == (1600, 1200)


# --- filing by name --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("内饰_03.jpg", PhotoCategory.INTERIOR),
        ("engine-bay.JPG", PhotoCategory.ENGINE),
        ("证件/行驶证.jpg", PhotoCategory.DOCUMENTS),
        ("铭牌.jpg", PhotoCategory.DOCUMENTS),
        ("vin_plate.png", PhotoCategory.DOCUMENTS),
        ("front_seats.jpg", PhotoCategory.INTERIOR),  # seats, not the front of the car
        ("/车/外观/IMG_0001.jpg", PhotoCategory.EXTERIOR),  # the folder says it
        (r"C:\收车\底盘\a.jpg", PhotoCategory.CHASSIS),
        ("左后门划痕.jpg", PhotoCategory.DEFECT),
        ("瑕疵-后保险杠.jpg", PhotoCategory.DEFECT),
        ("钥匙.jpg", PhotoCategory.DETAIL),
        ("scratch_on_front_bumper.jpg", PhotoCategory.DEFECT),
        ("登记证书_外观.jpg", PhotoCategory.DOCUMENTS),  # a document wins over any other word
    ],
)
def test_a_photo_is_filed_by_what_its_name_says(name: str, category: PhotoCategory) -> None:
    assert photos.category_from_name(name) is category


@pytest.mark.parametrize("name", ["IMG_0001.jpg", "inside.jpg", "DSC09876.JPG", "videos.png"])
def test_a_name_that_says_nothing_files_nothing(name: str) -> None:
    assert photos.category_from_name(name) is None
