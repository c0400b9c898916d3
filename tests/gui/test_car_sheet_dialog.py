"""The car sheet dialog: preview, then a numbered, archived PDF."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from db.models import Document as DocumentRow
from db.models import DocumentKind, VehicleStatus
from tests.factories import make_store
from tests.factories_vehicles import make_vehicle
from ui.dialogs.car_sheet import CarSheetDialog


def test_preview_then_pdf_is_numbered_and_archived(
    qtbot, gui_context, runner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    gui_context.settings.update({"vehicle_public_url": "https://cars.example.com/x/{stock_no}"})
    vehicle = make_vehicle(gui_context.database, make_store(gui_context.database))
    dialog = CarSheetDialog(gui_context, runner, vehicle)
    qtbot.addWidget(dialog)
    assert dialog.document is not None and dialog.document.number == "预览"
    assert dialog.status.text().startswith("二维码网址：https://cars.example.com/x/BJ01-S2026-")
    assert dialog.print_button.isEnabled()
    out = tmp_path / "sheet.pdf"
    dialog.save_pdf(str(out))
    assert out.read_bytes().startswith(b"%PDF")
    assert dialog.document.number.startswith("BJ01-CS")
    assert dialog.document.number in dialog.status.text()
    with gui_context.database.read() as session:
        row = session.execute(select(DocumentRow)).scalar_one()
        assert (row.kind, row.subject_id) == (DocumentKind.CAR_SHEET, vehicle)


def test_without_a_public_address_the_dialog_warns_and_prints_no_phone_qr(
    qtbot, gui_context, runner
) -> None:  # type: ignore[no-untyped-def]
    vehicle = make_vehicle(gui_context.database, make_store(gui_context.database))
    dialog = CarSheetDialog(gui_context, runner, vehicle)
    qtbot.addWidget(dialog)
    assert dialog.document is not None
    assert "未设置车辆公开网址" in dialog.status.text()
    assert dialog.status.objectName() == "WarningText"
    # Only the desk's code: a phone code that opens nothing is not printed.
    assert [q.payload[:13] for q in dialog.document.qr_codes] == ["SHOWROOM:CAR:"]


def test_sold_car_explains_instead_of_printing(qtbot, gui_context, runner) -> None:  # type: ignore[no-untyped-def]
    vehicle = make_vehicle(
        gui_context.database, make_store(gui_context.database), status=VehicleStatus.SOLD
    )
    dialog = CarSheetDialog(gui_context, runner, vehicle)
    qtbot.addWidget(dialog)
    assert "已售出" in dialog.error.text()
    assert not dialog.print_button.isEnabled() and not dialog.pdf_button.isEnabled()
