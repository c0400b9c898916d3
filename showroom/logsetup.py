"""Logging: rotating files in the platform's log dir, personal data redacted.

Named loggers per area (``showroom.db``, ``showroom.ui``, ...). Every record
goes through the redacting formatter, so a phone or ID number that slips into
a message or a traceback is masked before it reaches the disk.

The app holds early records in memory (``hold_early_records``) and opens the
file after its first screen is painted; ``configure_logging`` then writes
what was held, in order.
"""

from __future__ import annotations

import logging
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"


class EarlyRecords(logging.Handler):
    """Keeps records in memory until ``configure_logging`` has a file for them."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def hold_early_records(level: int = logging.INFO) -> None:
    """Keep records from now on in memory, for the log file opened later."""
    root = logging.getLogger()
    if not any(isinstance(handler, EarlyRecords) for handler in root.handlers):
        root.addHandler(EarlyRecords())
    root.setLevel(level)


def configure_logging(log_file: Path, *, level: int = logging.INFO, console: bool = False) -> None:
    # Imported here: rotation and redaction load a few modules the first paint can do without.
    import logging.handlers

    from showroom.privacy import RedactingFormatter

    log_file.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    held: list[logging.LogRecord] = []
    for handler in list(root.handlers):
        if isinstance(handler, EarlyRecords):
            held.extend(handler.records)
            root.removeHandler(handler)
        elif getattr(handler, "_showroom", False):
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
    for record in held:
        if record.levelno >= level:
            root.handle(record)
