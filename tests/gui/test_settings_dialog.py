"""The settings dialog is generated from SETTINGS and saves only valid values."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QComboBox, QLineEdit, QSpinBox

from showroom.paths import AppPaths
from showroom.settings import SETTINGS, Settings
from ui.dialogs.settings import SettingsDialog
from ui.tasks import TaskRunner


@pytest.fixture
def dialog(qtbot, settings: Settings, runner: TaskRunner) -> SettingsDialog:  # type: ignore[no-untyped-def]
    dlg = SettingsDialog(settings, runner)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def test_every_declared_setting_has_an_editor_of_its_type(dialog: SettingsDialog) -> None:
    assert set(dialog.editors) == {s.key for s in SETTINGS}
    for setting in SETTINGS:
        editor = dialog.editors[setting.key]
        if setting.choices:
            assert isinstance(editor, QComboBox)
            assert [editor.itemData(i) for i in range(editor.count())] == list(setting.choices)
        elif setting.type is int:
            assert isinstance(editor, QSpinBox)
            assert editor.value() == setting.default
        else:
            assert isinstance(editor, QLineEdit)
            assert editor.text() == setting.default
    tabs = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert tabs[:3] == ["门店", "数据库", "账号安全"]


def test_an_out_of_range_value_is_refused_and_nothing_is_saved(
    qtbot,
    dialog: SettingsDialog,
    settings: Settings,
    paths: AppPaths,  # type: ignore[no-untyped-def]
) -> None:
    dialog.editors["store_name"].setText("北京望京展厅")
    spin = dialog.editors["lockout_attempts"]
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "2")
    dialog.save_button.click()
    assert dialog.isVisible()
    assert dialog.errors["lockout_attempts"].text() == "不能小于 3。"
    assert not dialog.errors["lockout_attempts"].isHidden()
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "账号安全"
    # Nothing was stored, in memory or on disk, and nothing typed was lost.
    assert settings["lockout_attempts"] == 5
    assert settings["store_name"] == "示范二手车展厅"
    assert not paths.settings_file.exists()
    assert spin.cleanText() == "2"
    assert dialog.editors["store_name"].text() == "北京望京展厅"


def test_valid_changes_are_saved_to_the_file(
    qtbot, dialog: SettingsDialog, settings, paths
) -> None:  # type: ignore[no-untyped-def]
    saved: list[frozenset[str]] = []
    dialog.saved.connect(saved.append)
    dialog.editors["lockout_attempts"].setValue(7)
    dialog.editors["store_name"].setText("北京望京展厅")
    dialog.save_button.click()
    assert saved == [frozenset({"lockout_attempts", "store_name"})]
    assert settings["lockout_attempts"] == 7
    stored = json.loads(paths.settings_file.read_text(encoding="utf-8"))["values"]
    # Only what changed is written: untouched settings keep following the defaults.
    assert stored == {"lockout_attempts": 7, "store_name": "北京望京展厅"}


def test_arrows_stay_within_the_declared_range(dialog: SettingsDialog) -> None:
    spin = dialog.editors["lockout_attempts"]
    spin.setValue(20)
    spin.stepBy(5)
    assert spin.value() == 20
    spin.setValue(3)
    spin.stepBy(-1)
    assert spin.value() == 3


def test_values_from_the_command_line_are_shown_read_only(qtbot, paths, runner) -> None:  # type: ignore[no-untyped-def]
    settings = Settings.load(
        paths.settings_file,
        cli={"database_url": "sqlite:///x.db"},
        environ={"SHOWROOM_LOCKOUT_MINUTES": "30"},
    )
    dlg = SettingsDialog(settings, runner)
    qtbot.addWidget(dlg)
    url_editor = dlg.editors["database_url"]
    assert url_editor.isReadOnly() and url_editor.text() == "sqlite:///x.db"
    assert dlg.editors["lockout_minutes"].isReadOnly()
    dlg.save()
    # The overrides are never written into the file.
    stored = json.loads(paths.settings_file.read_text(encoding="utf-8"))["values"]
    assert "database_url" not in stored and "lockout_minutes" not in stored


def test_connection_test_reports_plainly(qtbot, dialog: SettingsDialog, paths: AppPaths) -> None:  # type: ignore[no-untyped-def]
    dialog.editors["database_url"].setText("postgresql+psycopg://u:pw@127.0.0.1:1/showroom")
    dialog.test_button.click()
    assert dialog.test_result.text().startswith("连接失败：无法连接数据库")
    assert "pw" not in dialog.test_result.text().replace("psycopg", "")
    dialog.editors["database_url"].setText(f"sqlite:///{paths.data_dir / 'probe.db'}")
    dialog.test_button.click()
    assert dialog.test_result.text().startswith("连接成功")
    dialog.editors["database_url"].setText("")
    dialog.test_button.click()
    assert "内置数据库" in dialog.test_result.text()
