"""Fonts for papers: a CJK font whose PDF text copies and searches as real Chinese.

Qt writes each embedded font's ToUnicode map by taking, for every glyph, the
lowest code point that uses it. In the common CJK fonts (Noto/Source Han, and
others) the Kangxi and CJK radical blocks (U+2E80-U+2FDF) share glyphs with
ordinary characters, so 车, 门, 大, 小 ... come out of the PDF as look-alike
radicals (⻋ ⻔ ⼤ ⼩): the paper looks right, but searching the archive or
copying a name fails. So once per installation we derive a copy of the
system's CJK font with those radical code points removed from its character
map (about two seconds, cached in the cache dir) and print with that.
If anything fails the system font is used as is: papers still print.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFontDatabase

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

log = logging.getLogger("showroom.documents")

PRINT_FAMILY = "Showroom Print SC"
_RADICALS = ((0x2E80, 0x2FDF), (0x31C0, 0x31EF))  # radicals, Kangxi radicals, strokes
_WANTED_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC")
_registered: dict[str, bool] = {}


def cjk_font_files() -> list[Path]:
    """The system's CJK font files (Noto/Source Han Sans, YaHei, PingFang)."""
    roots = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts"]
    if sys.platform == "win32":
        roots = [Path("C:/Windows/Fonts")]
    elif sys.platform == "darwin":
        roots = [Path("/System/Library/Fonts"), Path("/Library/Fonts")]
    names = ("NotoSansCJK", "SourceHanSans", "msyh", "PingFang")
    found: list[Path] = []
    for root in roots:
        if root.is_dir():
            for path in root.rglob("*"):
                if path.suffix.lower() in {".ttc", ".otf", ".ttf"} and path.name.startswith(names):
                    found.append(path)
    return sorted(found)


def _derive(source: Path, weight: str, target: Path) -> bool:
    from fontTools.ttLib import TTCollection, TTFont

    number = 0
    if source.suffix.lower() == ".ttc":
        with TTCollection(str(source), lazy=True) as collection:
            families = [font["name"].getDebugName(1) for font in collection.fonts]
        matches = [i for i, family in enumerate(families) if family in _WANTED_FAMILIES]
        if not matches:
            return False
        number = matches[0]
    with TTFont(
        str(source), fontNumber=number, lazy=True, recalcBBoxes=False, recalcTimestamp=False
    ) as font:
        _strip_and_rename(font, weight)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".tmp")
        font.save(str(partial))
    partial.replace(target)
    return True


def _strip_and_rename(font: Any, weight: str) -> None:
    for table in font["cmap"].tables:
        if table.isUnicode():
            for code in [c for c in table.cmap if any(lo <= c <= hi for lo, hi in _RADICALS)]:
                del table.cmap[code]
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = PRINT_FAMILY
        elif record.nameID == 4:
            record.string = f"{PRINT_FAMILY} {weight}"
        elif record.nameID == 6:
            record.string = f"ShowroomPrintSC-{weight}"


def derive_print_fonts(cache_dir: Path) -> list[Path]:
    """Derive the print fonts once (slow, no Qt: safe on a worker thread); return their files."""
    folder = cache_dir / "fonts"
    made: list[Path] = []
    candidates: list[Path] | None = None
    for weight in ("Regular", "Bold"):
        target = folder / f"ShowroomPrintSC-{weight}.otf"
        if not target.exists():
            if candidates is None:
                candidates = cjk_font_files()
            sources = [p for p in candidates if weight.lower() in p.name.lower()] or [
                p for p in candidates if "bold" not in p.name.lower()
            ]
            try:
                if not sources or not _derive(sources[0], weight, target):
                    continue
            except Exception:
                log.warning("could not derive the print font from %s", sources[0], exc_info=True)
                continue
        made.append(target)
    return made


def register_print_fonts(files: list[Path]) -> bool:
    """Make the derived fonts known to Qt (UI thread); True when papers will use them."""
    ok = False
    for path in files:
        if str(path) in _registered:
            ok = ok or _registered[str(path)]
            continue
        _registered[str(path)] = QFontDatabase.addApplicationFont(str(path)) >= 0
        ok = ok or _registered[str(path)]
    if not ok:
        log.info("print font not available; papers use the system CJK font")
    return ok


def ensure_print_fonts(cache_dir: Path) -> bool:
    """Derive (once) and register the print fonts, on the calling thread."""
    return register_print_fonts(derive_print_fonts(cache_dir))


def has_cjk_font() -> bool:
    """Whether any installed font can show Simplified Chinese."""
    return bool(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))


def warn_if_no_cjk_font(status_bar: QStatusBar) -> bool:
    """At start: without a Chinese font every paper would print boxes; say so plainly."""
    if has_cjk_font():
        return True
    log.warning("no font with Simplified Chinese glyphs is installed; papers will print boxes")
    status_bar.showMessage(
        QCoreApplication.translate(
            "Fonts",
            "本机没有安装中文字体：打印的文件和 PDF 中的中文会显示为方框。"
            "请安装中文字体（如 Noto Sans CJK SC 或微软雅黑）后重新启动。",
        )
    )
    return False
