"""Name the system library Qt's X11 platform plugin lacks, instead of Qt's abort.

On Linux Qt aborts the process ("no Qt platform plugin could be initialized") when
the xcb plugin cannot load one of its libraries, before Python can catch anything.
Loading the plugin's library ourselves first turns that into one sentence with the
package to install. Standard library only; Qt would load the same library anyway.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import sys
from pathlib import Path

# Debian/Ubuntu packages of what libQt6XcbQpa needs beyond a minimal system.
PACKAGES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb.so.1": "libxcb1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
}
# The README's list: everything above, so one command fixes every gap at once.
INSTALL_COMMAND = "sudo apt-get install " + " ".join(sorted(set(PACKAGES.values())))

_MISSING = re.compile(r"(lib[\w.+-]+\.so[\w.]*): cannot open shared object file")


def _xcb_library() -> Path | None:
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    library = Path(next(iter(spec.submodule_search_locations))) / "Qt" / "lib" / "libQt6XcbQpa.so.6"
    return library if library.exists() else None


def _wants_xcb(environ: os._Environ[str] | dict[str, str]) -> bool:
    platform = environ.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(":")[0] == "xcb"
    # Unset: Qt picks Wayland when it is there, X11 when only DISPLAY is.
    return bool(environ.get("DISPLAY")) and not environ.get("WAYLAND_DISPLAY")


def missing_library(environ: os._Environ[str] | dict[str, str] | None = None) -> str | None:
    """The first library the X11 plugin cannot load, or None when it loads (or is not used)."""
    if not sys.platform.startswith("linux") or not _wants_xcb(environ or os.environ):
        return None
    library = _xcb_library()
    if library is None:
        return None
    try:
        ctypes.CDLL(str(library))
    except OSError as exc:
        found = _MISSING.search(str(exc))
        return found.group(1) if found else str(exc).split(":")[0]
    return None


def message(soname: str, language: str) -> str:
    package = PACKAGES.get(soname)
    if language.startswith("en"):
        which = f"{soname} (package {package})" if package else soname
        return (
            f"Showroom cannot open its window: the system library {which} is missing; "
            f"install it with: {INSTALL_COMMAND}"
        )
    which = f"{soname}（软件包 {package}）" if package else soname
    return f"无法打开程序窗口：缺少系统库 {which}，请安装：{INSTALL_COMMAND}"


def unreachable_display(environ: os._Environ[str] | dict[str, str] | None = None) -> str | None:
    """Why Qt would find no screen to open a window on, or None.

    Qt aborts without a word a Python program can catch when no platform can start;
    the usual cause is a Linux session with no graphical display (over ssh, in a
    service). ``""``: no display is set at all; otherwise the X11 display that does
    not answer (tried with libxcb, as Qt's X11 plugin would).
    """
    env = environ if environ is not None else os.environ
    if not sys.platform.startswith("linux") or env.get("QT_QPA_PLATFORM", "").split(":")[0] not in {
        "",
        "xcb",
    }:
        return None
    display = env.get("DISPLAY", "")
    if not display:
        return None if env.get("WAYLAND_DISPLAY") and not env.get("QT_QPA_PLATFORM") else ""
    if env.get("WAYLAND_DISPLAY") and not env.get("QT_QPA_PLATFORM"):
        return None  # Qt tries Wayland first
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return None  # missing_library names it
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return display if xcb.xcb_connection_has_error(connection) else None
    finally:
        xcb.xcb_disconnect(connection)


def display_message(display: str, language: str) -> str:
    if language.startswith("en"):
        if not display:
            return (
                "Showroom cannot open its window: this session has no graphical display "
                "(DISPLAY is not set); start it from the desktop, or see showroom --help "
                "for the commands that need none."
            )
        return (
            f"Showroom cannot open its window: the display {display} does not answer; "
            "start it from the desktop, or see showroom --help for the commands that need none."
        )
    if not display:
        return (
            "无法打开程序窗口：当前会话没有图形显示（未设置 DISPLAY），"
            "请在桌面环境中启动；不需要窗口的功能见 showroom --help。"
        )
    return (
        f"无法打开程序窗口：显示 {display} 无法连接，"
        "请在桌面环境中启动；不需要窗口的功能见 showroom --help。"
    )
