"""Render the app icon (resources/icons/showroom.svg) into the formats installers want.

Windows wants a multi-size ``.ico`` in the executable, macOS an ``.icns`` in the
bundle, and a Linux ``.desktop`` entry a PNG. The SVG is the only source: this
script renders it with Qt's SVG renderer (the same one the running app uses, so
the icons match) and Pillow writes the containers. ``build.spec`` runs it at build
time into ``build/icons``; nothing generated is committed.

    python packaging/make_icons.py OUT_DIR
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "icons" / "showroom.svg"
MASTER_SIDE = 1024
ICO_SIDES = (16, 24, 32, 48, 64, 128, 256)


def render_png(svg: Path, side: int) -> bytes:
    """The SVG rendered square at ``side`` pixels, as PNG bytes."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(QByteArray(svg.read_bytes()))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    image = QImage(side, side, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, side, side))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    del app
    return bytes(data.data())


def make_icons(out_dir: Path, svg: Path = SVG) -> dict[str, Path]:
    """Write showroom.png, showroom.ico and showroom.icns into ``out_dir``."""
    from PIL import Image

    out_dir.mkdir(parents=True, exist_ok=True)
    master = Image.open(io.BytesIO(render_png(svg, MASTER_SIDE))).convert("RGBA")
    written = {
        "png": out_dir / "showroom.png",
        "ico": out_dir / "showroom.ico",
        "icns": out_dir / "showroom.icns",
    }
    master.resize((256, 256), Image.Resampling.LANCZOS).save(written["png"])
    master.save(written["ico"], format="ICO", sizes=[(s, s) for s in ICO_SIDES])
    master.save(written["icns"], format="ICNS")
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    for kind, file in make_icons(Path(argv[0])).items():
        print(f"{kind}: {file} ({file.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
