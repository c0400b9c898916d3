"""The staff import dialog: preview with accepted/rejected rows, progress, summary, report."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from db.models import Vehicle
from tests.db.test_vehicle_import import BAD_DATE, EV, HEADER, NO_PRICE, PETROL
from tests.factories import make_store
from ui.dialogs.vehicle_import import VehicleImportDialog


def listing(tmp_path: Path) -> Path:
    path = tmp_path / "che168.csv"
    path.write_text(HEADER + PETROL + EV + NO_PRICE + BAD_DATE, encoding="utf-8")
    return path


def count(gui_context) -> int:  # type: ignore[no-untyped-def]
    with gui_context.database.read() as session:
        return session.scalar(select(func.count()).select_from(Vehicle)) or 0


def test_preview_then_import_with_summary_and_report(qtbot, gui_context, runner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    make_store(gui_context.database)
    dialog = VehicleImportDialog(gui_context, runner)
    qtbot.addWidget(dialog)
    assert not dialog.import_button.isEnabled()
    dialog.set_file(str(listing(tmp_path)))
    model = dialog.table.model()
    assert model.rowCount() == 4
    assert [model.index(r, 1).data() for r in range(4)] == ["可导入", "可导入", "拒绝", "拒绝"]
    assert model.index(2, 0).data() == "5"  # the EV row spans two lines of the file
    assert model.index(2, 5).data() == "售价为空"
    assert model.index(0, 3).data() == "¥288,000.00"
    assert (
        "共 4 行数据" in dialog.preview_label.text()
        and "2 行将被拒绝" in dialog.preview_label.text()
    )

    dialog.dry_run.setChecked(True)
    assert dialog.import_button.text() == "开始检查"
    dialog.import_button.click()
    assert "检查完成（未写入）" in dialog.summary.text()
    assert count(gui_context) == 0

    dialog.dry_run.setChecked(False)
    with qtbot.waitSignal(dialog.imported) as imported:
        dialog.import_button.click()
    assert imported.args[0].created == 2
    assert dialog.progress.value() == dialog.progress.maximum() == 4
    text = dialog.summary.text()
    assert "导入完成：共 4 行，新增 2，更新 0，无变化 0，拒绝 2" in text
    assert dialog.result is not None and dialog.result.report_path is not None
    assert str(dialog.result.report_path) in text and dialog.result.report_path.exists()
    assert count(gui_context) == 2


def test_unreadable_file_explains_and_keeps_the_path(qtbot, gui_context, runner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    dialog = VehicleImportDialog(gui_context, runner)
    qtbot.addWidget(dialog)
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n", encoding="utf-8")
    dialog.set_file(str(odd))
    assert "无法识别文件的列" in dialog.error.text()
    assert dialog.path_edit.text() == str(odd)
    assert not dialog.import_button.isEnabled()
    dialog.set_file(str(tmp_path / "missing.csv"))
    assert "找不到文件" in dialog.error.text()
