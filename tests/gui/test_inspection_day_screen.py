"""The 检测日 screen: a desk registration, check-in by scan, and an appraiser's whole inspection."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from db.engine import Database
from db.models import Document, InspectionItem, ItemResult
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.services import auth
from showroom.services import inspection_day as idays
from showroom.users import StaffUser
from tests.gui.conftest import Account
from tests.gui.test_test_drive_agreement_pdf import (  # noqa: F401 - fixtures
    print_font_files,
    print_fonts,
)
from ui.documents import printing
from ui.screens.inspection_day import InspectionDayScreen, RegisterDialog
from ui.tasks import TaskRunner


def sign_in(ctx: AppContext, accounts: dict[str, Account], name: str) -> StaffUser:
    with ctx.database.write() as s:
        return auth.sign_in(s, name, accounts[name].password)


def make_event(ctx: AppContext, user: StaffUser, seats: int, *, today: bool) -> None:
    now = utcnow()
    day = now.astimezone(idays.STORE_ZONE).date() + timedelta(days=0 if today else 7)
    with ctx.database.write() as s:
        idays.create_events(
            s,
            user.actor,
            user.store_id,
            idays.EventForm("透明检测日", day, time(0, 0), time(23, 59), 2, seats),
            now=now,
        )


def open_screen(qtbot, ctx: AppContext, runner: TaskRunner, user: StaffUser):  # type: ignore[no-untyped-def]
    screen = InspectionDayScreen(ctx, runner, user)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    return screen


def fill_and_submit(qtbot, dialog: RegisterDialog, phone: str, plate: str, consent: bool) -> None:  # type: ignore[no-untyped-def]
    for edit, text in ((dialog.phone, phone), (dialog.name, "王建国"), (dialog.plate, plate)):
        edit.clear()
        edit.insert(text)  # as typed (QTest cannot type Chinese)
    dialog.consent.setChecked(consent)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)


def test_desk_registration_then_the_wait_list_when_full(
    qtbot, gui_context: AppContext, accounts: dict[str, Account], runner: TaskRunner
) -> None:  # type: ignore[no-untyped-def]
    user = sign_in(gui_context, accounts, "reception")
    make_event(gui_context, user, seats=1, today=False)
    screen = open_screen(qtbot, gui_context, runner, user)
    assert "剩余名额 1/1" in screen.event_list.item(0).text()

    screen.register()
    dialog = screen.findChild(RegisterDialog)
    assert dialog is not None
    fill_and_submit(qtbot, dialog, "139 1234 0001", "京A12345", consent=False)
    assert "同意" in dialog.error.text() and dialog.isVisible()
    assert dialog.plate.text() == "京A12345"  # what was typed stays
    fill_and_submit(qtbot, dialog, "13912340001", "京A12345", consent=True)
    assert not dialog.isVisible()
    assert "报名成功" in screen.message.text() and "第 1 位" in screen.message.text()
    assert "剩余名额 0/1" in screen.event_list.item(0).text()
    first = screen.model.row_at(0)
    assert first.phone_masked == "139****0001" and first.plate == "京A12345"

    screen.register()
    dialog = next(d for d in screen.findChildren(RegisterDialog) if d.isVisible())
    assert "已满" in dialog.findChildren(type(screen.message))[0].text()
    fill_and_submit(qtbot, dialog, "13912340001", "京A12345", consent=True)
    assert "已报名本场检测日" in dialog.error.text()  # the same car twice
    fill_and_submit(qtbot, dialog, "13912340002", "京B66K88", consent=True)
    assert "候补第 1 位" in screen.message.text()


@pytest.mark.usefixtures("print_fonts")
def test_appraiser_checks_in_takes_the_car_records_finalises_and_prints(
    qtbot,
    gui_context: AppContext,
    accounts: dict[str, Account],
    runner: TaskRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    desk = sign_in(gui_context, accounts, "reception")
    make_event(gui_context, desk, seats=5, today=True)
    with gui_context.database.read() as s:
        (event,) = idays.list_events(s, desk.store_id)
    with gui_context.database.write() as s:
        code = idays.register_by_phone(
            s,
            desk.actor,
            desk.store_id,
            event_id=event.id,
            phone="13912340003",
            name="李",
            consent=True,
            car=idays.CarForm("京N2Q731", "本田", "雅阁", 2020, 58000),
        ).booking_code
    user = sign_in(gui_context, accounts, "appraiser1")
    screen = open_screen(qtbot, gui_context, runner, user)
    assert screen.tabs.currentIndex() == 1  # appraisers land on the day's queue
    qtbot.keyClicks(screen.scan, f"SHOWROOM:ID:{code}")
    qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
    assert "已签到" in screen.scan_result.text() and "1 号工位" in screen.scan_result.text()
    column = screen.bay_columns[0]
    assert column.list.count() == 1 and "京N2Q731" in column.list.item(0).text()

    qtbot.mouseClick(column.button, Qt.MouseButton.LeftButton)
    editor = screen.editor
    assert screen.tabs.currentIndex() == 2 and editor.view is not None
    rows = list(editor.rows.values())
    # Nothing checked yet: no score that reads like a verdict.
    assert "分" not in editor.score.text() and "必检项目" in editor.score.text()
    qtbot.mouseClick(editor.finalise_button, Qt.MouseButton.LeftButton)
    assert "必检项目没有检查" in editor.message.text()
    for row in rows:
        qtbot.mouseClick(row.result_buttons[ItemResult.OK], Qt.MouseButton.LeftButton)
    door = rows[2]
    qtbot.mouseClick(door.result_buttons[ItemResult.DEFECT], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(door.severity_buttons[3], Qt.MouseButton.LeftButton)
    door.note.insert("左前门钣金修复")
    qtbot.mouseClick(editor.finalise_button, Qt.MouseButton.LeftButton)
    assert "已定稿" in editor.message.text(), editor.message.text()
    assert "92.0 分" in editor.score.text() and "一级" in editor.score.text()
    assert not door.result_buttons[ItemResult.OK].isEnabled()  # locked

    shown: list[object] = []
    monkeypatch.setattr(printing, "preview", lambda document, parent=None: shown.append(document))
    qtbot.mouseClick(editor.report_button, Qt.MouseButton.LeftButton)
    assert "检测报告" in editor.message.text() and shown
    with gui_context.database.read() as s:
        archived = s.scalars(select(Document)).all()
        note = s.scalars(select(InspectionItem.note).where(InspectionItem.id == door.item_id)).one()
    assert len(archived) == 1 and note == "左前门钣金修复"


def test_a_half_typed_note_is_saved_when_the_screen_closes(
    qtbot,
    gui_context: AppContext,
    accounts: dict[str, Account],
    runner: TaskRunner,
    tmp_path: Path,
) -> None:  # type: ignore[no-untyped-def]
    user = sign_in(gui_context, accounts, "appraiser1")
    with gui_context.database.write() as s:
        from showroom.services import inspections as insp

        inspection_id = insp.start(s, user.actor, user.store_id, plate="京A00001")
    screen = open_screen(qtbot, gui_context, runner, user)
    screen.open_inspection(inspection_id)
    row = next(iter(screen.editor.rows.values()))
    qtbot.mouseClick(row.result_buttons[ItemResult.DEFECT], Qt.MouseButton.LeftButton)
    row.note.insert("漆面划痕 10 cm")
    screen.close()  # before the debounce fires
    # A fresh connection, as after restarting the app.
    fresh = Database.from_url(gui_context.database.engine.url)
    try:
        with fresh.read() as s:
            item = s.get(InspectionItem, row.item_id)
            assert item is not None
            assert (item.result, item.note) == (ItemResult.DEFECT, "漆面划痕 10 cm")
    finally:
        fresh.dispose()


def test_photos_dropped_on_an_item_are_added_and_a_corrupt_one_is_refused(
    qtbot,
    gui_context: AppContext,
    accounts: dict[str, Account],
    runner: TaskRunner,
    tmp_path: Path,
) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    from showroom.services import inspections as insp

    user = sign_in(gui_context, accounts, "appraiser1")
    with gui_context.database.write() as s:
        inspection_id = insp.start(s, user.actor, user.store_id, plate="京A00001")
    screen = open_screen(qtbot, gui_context, runner, user)
    screen.open_inspection(inspection_id)
    assert screen.checklist_button.isHidden()  # the store's checklist is the manager's
    row = next(iter(screen.editor.rows.values()))
    good, bad = tmp_path / "scratch.jpg", tmp_path / "broken.jpg"
    Image.new("RGB", (5000, 3000), (200, 30, 30)).save(good)
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")

    def drop(*paths: Path) -> None:
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
        event = QDropEvent(
            QPointF(10, 10),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        row.dropEvent(event)

    drop(good)
    assert "已添加照片 scratch.jpg" in screen.editor.message.text()
    assert row.photo_button.text() == "照片 (1)"
    thumbs = [row.thumbs.itemAt(i).widget() for i in range(row.thumbs.count())]
    shown = [w for w in thumbs if w is not None and not w.pixmap().isNull()]
    assert len(shown) == 1 and shown[0].pixmap().width() <= 96
    drop(bad)
    assert "broken.jpg" in screen.editor.message.text()
    assert "不是可用的照片" in screen.editor.message.text()
    assert row.photo_button.text() == "照片 (1)"
    with gui_context.database.read() as s:
        view = insp.load(s, inspection_id)
        stored = insp.media(s, view.photos[0].image_sha)
    import io

    assert max(Image.open(io.BytesIO(stored)).size) == insp.PHOTO_MAX_SIDE


def test_the_desk_prints_a_slip_with_code_and_masked_phone(
    qtbot,
    gui_context: AppContext,
    accounts: dict[str, Account],
    runner: TaskRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    user = sign_in(gui_context, accounts, "reception")
    make_event(gui_context, user, seats=3, today=False)
    with gui_context.database.read() as s:
        (event,) = idays.list_events(s, user.store_id)
    with gui_context.database.write() as s:
        code = idays.register_by_phone(
            s,
            user.actor,
            user.store_id,
            event_id=event.id,
            phone="13912340005",
            name="周",
            consent=True,
            car=idays.CarForm("京C00817"),
        ).booking_code
    screen = open_screen(qtbot, gui_context, runner, user)
    shown: list[object] = []
    monkeypatch.setattr(printing, "preview", lambda document, parent=None: shown.append(document))
    screen.table.selectRow(0)
    qtbot.mouseClick(screen.slip_button, Qt.MouseButton.LeftButton)
    assert shown, screen.message.text()
    slip = shown[0]
    facts = {f.label: f.value for f in slip.fields}  # type: ignore[attr-defined]
    assert facts["报名码"] == code and facts["手机号"] == "139****0005"
    assert facts["名额"] == "名额第 1 位"
    with gui_context.database.read() as s:
        kinds = s.scalars(select(Document.kind)).all()
    assert [k.value for k in kinds] == ["registration_slip"]


def test_a_manager_changes_the_stores_checklist(
    qtbot, gui_context: AppContext, accounts: dict[str, Account], runner: TaskRunner
) -> None:  # type: ignore[no-untyped-def]
    from showroom import inspection_grading as grading
    from showroom.services import inspections as insp
    from ui.screens.inspection_day import ChecklistDialog

    user = sign_in(gui_context, accounts, "manager")
    screen = open_screen(qtbot, gui_context, runner, user)
    assert not screen.checklist_button.isHidden()  # managers only
    screen.edit_checklist()
    dialog = screen.findChild(ChecklistDialog)
    assert dialog is not None
    body, cabin = grading.SECTIONS[0], grading.SECTIONS[2]
    dialog.weights[body].setValue(30)
    dialog.ok.click()
    assert "合计必须为 100" in dialog.error.text() and dialog.isVisible()
    dialog.weights[cabin].setValue(0)
    dialog.items[body].setPlainText("左侧车身\n?车顶行李架")
    dialog.ok.click()
    assert not dialog.isVisible(), dialog.error.text()
    with gui_context.database.write() as s:
        view = insp.load(s, insp.start(s, user.actor, user.store_id, plate="京A00002"))
    body_items = [(i.label, i.required) for i in view.items if i.section is body]
    assert body_items == [("左侧车身", True), ("车顶行李架", False)]
    assert view.scorecard.sections[0].weight == 30
