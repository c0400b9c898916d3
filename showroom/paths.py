"""Where data, settings, logs and caches live (the platform's standard dirs).

``SHOWROOM_HOME`` moves all of them under one folder: tests, portable
installs and a kiosk with a read-only system disk use it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Showroom"


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    config_dir: Path
    log_dir: Path
    cache_dir: Path

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def embedded_database(self) -> Path:
        return self.data_dir / "showroom.db"

    @property
    def audit_anchors_dir(self) -> Path:
        """Heads of the audit chain kept outside the database (showroom.audit_anchors)."""
        return self.data_dir / "audit-anchors"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "showroom.log"

    def ensure(self) -> AppPaths:
        for folder in (self.data_dir, self.config_dir, self.log_dir, self.cache_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self

    @classmethod
    def under(cls, home: Path) -> AppPaths:
        return cls(home / "data", home / "config", home / "logs", home / "cache")

    @classmethod
    def default(cls) -> AppPaths:
        home = os.environ.get("SHOWROOM_HOME")
        if home:
            return cls.under(Path(home))
        dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
        return cls(
            Path(dirs.user_data_dir),
            Path(dirs.user_config_dir),
            Path(dirs.user_log_dir),
            Path(dirs.user_cache_dir),
        )
