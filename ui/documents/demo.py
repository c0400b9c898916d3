"""Paint and archive the demo papers after ``showroom demo`` (see ``showroom.documents.demo``).

To wire in: at the end of ``showroom.cli._cmd_demo``, while the context is open::

    from ui.documents.demo import archive_demo_documents  # paints with Qt, offscreen
    archive_demo_documents(ctx)
"""

from __future__ import annotations

import os
import sys
from typing import Any
from zoneinfo import ZoneInfo

from showroom.documents import demo


def archive_demo_documents(ctx: Any) -> dict[str, int]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    from ui.documents.fonts import ensure_print_fonts
    from ui.documents.render import render_pdf

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    ensure_print_fonts(ctx.paths.cache_dir)
    made = demo.archive_demo_documents(
        ctx.database,
        render_pdf,
        templates_dir=ctx.paths.data_dir / "templates",
        zone=ZoneInfo("Asia/Shanghai"),
    )
    del app
    return made
