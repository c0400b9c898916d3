"""The checklist offline: taps, notes and photos wait as 待同步 and stay on screen."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from db.models import InspectionItem, InspectionPhoto, ItemResult
from db.sync.outbox import Outbox
from showroom.context import AppContext
from showroom.services import inspections as insp
from showroom.sync.service import SyncService
from tests.gui.conftest import Account
from tests.gui.test_inspection_day_screen import open_screen, sign_in
from ui.tasks import TaskRunner


def test_an_offline_tap_note_and_photo_show_pending_and_keep_their_state(
    qtbot,
    gui_context: AppContext,
    accounts: dict[str, Account],
    runner: TaskRunner,
    tmp_path: Path,
) -> None:  # type: ignore[no-untyped-def]
    user = sign_in(gui_context, accounts, "appraiser1")
    with gui_context.database.write() as s:
        inspection_id = insp.start(s, user.actor, user.store_id, plate="京A00001")
    sync = SyncService(gui_context.database, Outbox(tmp_path / "outbox.sqlite3"))
    runner.sync = sync
    screen = open_screen(qtbot, gui_context, runner, user)
    screen.open_inspection(inspection_id)
    editor = screen.editor
    row = next(iter(editor.rows.values()))
    assert editor.pending.isHidden()

    sync.online = False  # the shared server went away with the checklist open
    qtbot.mouseClick(row.result_buttons[ItemResult.DEFECT], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(row.severity_buttons[2], Qt.MouseButton.LeftButton)
    row.note.insert("漆面划痕 10 cm")  # as typed
    editor.flush_notes()
    picture = tmp_path / "scratch.jpg"
    Image.new("RGB", (1600, 1200), (200, 30, 30)).save(picture)
    editor.import_photos(row.item_id, [str(picture)])

    assert editor.pending.isVisible() and editor.pending.text() == "待同步"
    assert "待同步" in editor.message.text()
    assert editor.save_state.text() == "已保存在本机"
    # What was tapped and typed stays on screen although nothing is stored yet.
    assert row.result_buttons[ItemResult.DEFECT].isChecked()
    assert row.severity_buttons[2].isChecked() and not row.severity_buttons[2].isHidden()
    assert row.note.text() == "漆面划痕 10 cm"
    assert row.photo_button.text() == "照片 (1)"
    assert sync.state().pending == 4  # tap, severity, note, photo
    with gui_context.database.read() as s:
        assert s.get_one(InspectionItem, row.item_id).result is ItemResult.NOT_CHECKED
    Path("/tmp/i8c").mkdir(exist_ok=True)
    QApplication.processEvents()  # lay out the rows added while loading
    screen.grab().save("/tmp/i8c/checklist_offline.png")

    # Finalising needs the shared database and every queued edit in it.
    qtbot.mouseClick(editor.finalise_button, Qt.MouseButton.LeftButton)
    assert "待同步" in editor.message.text() and "定稿" in editor.message.text()

    sync.online = True
    report = sync.replay()
    assert (report.applied, report.problems) == (4, 0)
    screen.refresh()  # the replay's topics reach the open screen
    assert editor.pending.isHidden()
    with gui_context.database.read() as s:
        item = s.get_one(InspectionItem, row.item_id)
        photos = s.scalar(select(func.count()).select_from(InspectionPhoto))
    assert (item.result, item.severity, item.note, photos) == (
        ItemResult.DEFECT,
        2,
        "漆面划痕 10 cm",
        1,
    )
    assert row.result_buttons[ItemResult.DEFECT].isChecked()
    assert row.photo_button.text() == "照片 (1)"
