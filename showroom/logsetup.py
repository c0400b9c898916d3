"""Logging: rotating files in the platform's log dir, personal data redacted.

Named loggers per area (``showroom.db``, ``showroom.ui``, ...). Every record
goes through the redacting formatter, so a phone or ID number that slips into
a message or a traceback is masked before it reaches the disk.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from showroom.privacy import RedactingFormatter

FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"


def configure_logging(log_file: Path, *, level: int = logging.INFO, console: bool = False) -> None:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_showroom", False):
            root.removeHandler(handler)
            handler.close()
    file_handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    file_handler.setFormatter(RedactingFormatter(FORMAT))
    file_handler._showroom = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    if console:
        stream = logging.StreamHandler()
        stream.setFormatter(RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
        stream.setLevel(logging.WARNING)
        stream._showroom = True  # type: ignore[attr-defined]
        root.addHandler(stream)
    root.setLevel(level)
    # SQL echo would put customers' data in the log.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
