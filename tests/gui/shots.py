"""Where GUI tests save the screenshots people look at.

``SHOWROOM_SHOTS`` names a folder to keep them in (each test group in its own
subfolder); without it they go to the system's temporary folder, so a test never needs
a particular path on the machine it runs on.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def shots_dir(group: str) -> Path:
    base = os.environ.get("SHOWROOM_SHOTS") or os.path.join(tempfile.gettempdir(), "showroom-shots")
    folder = Path(base) / group
    folder.mkdir(parents=True, exist_ok=True)
    return folder
