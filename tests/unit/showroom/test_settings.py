"""Settings: declared once, validated on load, with a clear precedence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from showroom.settings import BY_KEY, SETTINGS, Settings, SettingsError, coerce


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.key)
def test_every_default_is_valid_for_its_own_declaration(setting) -> None:  # type: ignore[no-untyped-def]
    assert coerce(setting, setting.default) == setting.default
    assert setting.description.strip()


def test_command_line_beats_environment_beats_file_beats_default(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps({"version": 1, "values": {"store_name": "文件店", "store_code": "F1"}}),
        encoding="utf-8",
    )
    settings = Settings.load(
        path,
        cli={"store_name": "命令行店"},
        environ={"SHOWROOM_STORE_NAME": "环境店", "SHOWROOM_STORE_CODE": "E1"},
    )
    assert settings["store_name"] == "命令行店"
    assert settings["store_code"] == "E1"
    assert settings["lockout_attempts"] == BY_KEY["lockout_attempts"].default
    assert settings.is_overridden("store_name")


def test_a_bad_value_in_the_file_falls_back_to_the_default_and_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps({"values": {"lockout_attempts": 0, "kiosk_idle_seconds": "x"}}), encoding="utf-8"
    )
    settings = Settings.load(path, environ={})
    assert settings["lockout_attempts"] == 5
    assert settings["kiosk_idle_seconds"] == 90
    assert len(settings.problems) == 2


def test_an_unreadable_file_is_reported_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json", encoding="utf-8")
    settings = Settings.load(path, environ={})
    assert settings["store_code"] == "BJ01"
    assert "无法读取" in settings.problems[0]


def test_saved_values_survive_a_reload_but_overrides_are_not_saved(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    settings = Settings.load(path, cli={"database_url": "sqlite:///x.db"}, environ={})
    settings.update({"store_name": "新店", "lockout_minutes": "30"})
    settings.save()
    again = Settings.load(path, environ={})
    assert again["store_name"] == "新店"
    assert again["lockout_minutes"] == 30
    assert again["database_url"] == ""


def test_update_refuses_all_values_when_one_is_out_of_range(tmp_path: Path) -> None:
    settings = Settings.load(tmp_path / "s.json", environ={})
    with pytest.raises(SettingsError):
        settings.update({"store_name": "改了", "lockout_attempts": 99})
    assert settings["store_name"] != "改了"


def test_a_file_from_before_versioning_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"store_name": "老版本店"}), encoding="utf-8")
    assert Settings.load(path, environ={})["store_name"] == "老版本店"
