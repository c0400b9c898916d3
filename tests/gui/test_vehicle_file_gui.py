"""Building a car's file on screen and what the kiosk then shows.

A car taken in by hand gets photos (filed by name, re-filed in bulk, dragged into
order), an accident statement with evidence, price lines and a third-party report;
the kiosk shows it with its photos in category order, without 证件, internal prices
or cost, and opens the report's pages.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QByteArray, QMimeData, QModelIndex
from PySide6.QtWidgets import QDialog, QLabel, QPushButton
from sqlalchemy import select

from db.models import (
    Energy,
    HistoryKind,
    HistoryRecord,
    PhotoCategory,
    PriceItem,
    Role,
    Transmission,
    VehicleStatus,
)
from showroom.context import AppContext
from showroom.identifiers import vin_check_digit
from showroom.services import vehicle_archive as va
from showroom.services.vehicle_intake import IntakeForm, intake_vehicle
from showroom.users import StaffUser
from tests.factories import make_staff, make_store
from ui.dialogs import vehicle_records
from ui.kiosk.archive import KioskArchivePage
from ui.screens.vehicle_archive import VehicleArchiveDialog
from ui.tasks import TaskRunner
from ui.widgets.comparison import ComparisonBasket
from ui.widgets.photos import PHOTO_IDS_MIME

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def _jpeg(path: Path, colour: str) -> Path:
    Image.new("RGB", (800, 600), colour).save(path, format="JPEG")
    return path


def _pdf(path: Path, pages: int) -> Path:
    images = [Image.new("RGB", (595, 842), "white") for _ in range(pages)]
    images[0].save(path, format="PDF", save_all=True, append_images=images[1:])
    return path


@pytest.fixture
def store_id(gui_context: AppContext) -> uuid.UUID:
    return make_store(gui_context.database)


def _user(ctx: AppContext, store_id: uuid.UUID, role: Role, name: str) -> StaffUser:
    staff_id = make_staff(ctx.database, store_id, f"{role.value}1", role)
    return StaffUser(staff_id, f"{role.value}1", name, role, store_id, "BJ01", "测试展厅")


@pytest.fixture
def manager(gui_context: AppContext, store_id: uuid.UUID) -> StaffUser:
    return _user(gui_context, store_id, Role.MANAGER, "赵店长")


@pytest.fixture
def car(gui_context: AppContext, store_id: uuid.UUID, manager: StaffUser) -> uuid.UUID:
    raw = "LVGBE40K0PG123456"
    with gui_context.database.write() as s:
        return intake_vehicle(
            s,
            manager.actor,
            store_id,
            IntakeForm(
                vin=raw[:8] + vin_check_digit(raw) + raw[9:],
                plate="京N12345",
                brand="丰田",
                model="凯美瑞",
                trim="2.0G 豪华版",
                mileage_km=28_000,
                energy=Energy.PETROL,
                transmission=Transmission.AUTOMATIC,
                list_price=Decimal("150000"),
                cost_price=Decimal("128000"),
            ),
            now=NOW,
        ).id


def _open(
    qtbot: Any, ctx: AppContext, runner: TaskRunner, user: StaffUser, vid: uuid.UUID, **kw: Any
) -> VehicleArchiveDialog:
    dialog = VehicleArchiveDialog(ctx, runner, user, vid, **kw)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.car is not None)
    return dialog


def _categories(dialog: VehicleArchiveDialog) -> list[tuple[str, PhotoCategory]]:
    assert dialog.car is not None
    return [(p.caption, p.category) for p in dialog.car.photos]


def test_photos_are_filed_by_name_re_filed_in_bulk_and_dragged_into_order(
    qtbot: Any,
    gui_context: AppContext,
    runner: TaskRunner,
    manager: StaffUser,
    car: uuid.UUID,
    tmp_path: Path,
) -> None:
    files = [
        _jpeg(tmp_path / "行驶证.jpg", "gray"),
        _jpeg(tmp_path / "IMG_01.jpg", "red"),
        _jpeg(tmp_path / "内饰_中控.jpg", "blue"),
        _jpeg(tmp_path / "IMG_02.jpg", "green"),
    ]
    dialog = _open(qtbot, gui_context, runner, manager, car, choose_files=lambda _p: files)
    dialog.category_combo.setCurrentIndex(dialog.category_combo.findData("exterior"))
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.strip_model.rowCount() == 4)
    assert _categories(dialog) == [
        ("IMG_01", PhotoCategory.EXTERIOR),
        ("IMG_02", PhotoCategory.EXTERIOR),
        ("内饰_中控", PhotoCategory.INTERIOR),
        ("行驶证", PhotoCategory.DOCUMENTS),
    ]
    assert "外观 · IMG_01" in dialog.strip_model.index(0).data()
    # Bulk re-file: both exterior photos become 细节; the cover passes to a public photo.
    selection = dialog.strip.selectionModel()
    for row in (0, 1):
        selection.select(dialog.strip_model.index(row), selection.SelectionFlag.Select)
    dialog.category_combo.setCurrentIndex(dialog.category_combo.findData("detail"))
    dialog.refile_button.click()
    qtbot.waitUntil(
        lambda: (
            [c for _, c in _categories(dialog)]
            == [
                PhotoCategory.INTERIOR,
                PhotoCategory.DETAIL,
                PhotoCategory.DETAIL,
                PhotoCategory.DOCUMENTS,
            ]
        )
    )
    assert dialog.car is not None and dialog.car.cover is not None
    assert dialog.car.cover.category is not PhotoCategory.DOCUMENTS
    # Drag IMG_02 before IMG_01 (a drop as the strip delivers it): saved and kept.
    img_02 = dialog.strip_model.photo(2)
    assert img_02 is not None and img_02.caption == "IMG_02"
    data = QMimeData()
    data.setData(PHOTO_IDS_MIME, QByteArray(str(img_02.id).encode()))
    assert dialog.strip_model.dropMimeData(
        data, dialog.strip.defaultDropAction(), 1, 0, QModelIndex()
    )
    qtbot.waitUntil(lambda: [c for c, _ in _categories(dialog)][1:3] == ["IMG_02", "IMG_01"])


def test_price_lines_that_do_not_add_up_are_refused_and_the_table_is_kept(
    qtbot: Any, gui_context: AppContext, runner: TaskRunner, manager: StaffUser, car: uuid.UUID
) -> None:
    dialog = _open(qtbot, gui_context, runner, manager, car)
    editor = dialog.price_editor
    dialog.tabs.setCurrentWidget(editor)
    assert editor.save_button.isEnabled()
    editor.add_line("车辆价格", Decimal("146500"), True)
    editor.add_line("整备服务费", Decimal("2000"), True)
    editor.add_line("整备成本", Decimal("3200"), False)
    assert "相差 ¥1,500.00" in editor.summary.text()
    assert "毛利 ¥18,800.00" in editor.margin.text()
    editor.save_button.click()
    qtbot.waitUntil(editor.error.isVisible)
    assert "相差" in editor.error.text() and editor.table.rowCount() == 3
    editor.add_line("过户费（预估）", Decimal("1500"), True)
    assert "与售价一致" in editor.summary.text()
    editor.save_button.click()
    qtbot.waitUntil(lambda: "价格已保存" in dialog.message.text())
    with gui_context.database.read() as s:
        lines = s.scalars(select(PriceItem).order_by(PriceItem.position)).all()
    assert [(p.label, p.public) for p in lines] == [
        ("车辆价格", True),
        ("整备服务费", True),
        ("整备成本", False),
        ("过户费（预估）", True),
    ]


def test_an_accident_statement_with_evidence_from_the_form(
    qtbot: Any,
    gui_context: AppContext,
    runner: TaskRunner,
    manager: StaffUser,
    car: uuid.UUID,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    evidence = _pdf(tmp_path / "出险记录.pdf", 1)

    def fill_and_save(form: vehicle_records.HistoryDialog) -> int:
        form.kind.setCurrentIndex(form.kind.findData("collision"))
        form.day.setText("2024-03")
        form.structural.setChecked(False)
        form.description.setPlainText("右后门刮擦，钣金喷漆")
        form.file_button.click()  # the chooser below answers
        form.submit()
        return form.result()

    monkeypatch.setattr(vehicle_records.HistoryDialog, "exec", fill_and_save)
    dialog = _open(qtbot, gui_context, runner, manager, car, choose_file=lambda _p: evidence)
    dialog.add_history_button.click()
    qtbot.waitUntil(lambda: dialog.car is not None and len(dialog.car.history) == 1)
    [entry] = dialog.car.history  # type: ignore[union-attr]
    assert (entry.kind, entry.occurred_on, entry.has_evidence) == (
        HistoryKind.COLLISION,
        date(2024, 3, 1),
        True,
    )
    assert "[有凭证]" in dialog.history.item(0).text()
    with gui_context.database.read() as s:
        assert s.scalars(select(HistoryRecord.evidence_sha)).one() == entry.evidence_sha


def test_a_bad_date_in_the_maintenance_form_is_said_there(qtbot: Any) -> None:
    form = vehicle_records.MaintenanceDialog()
    qtbot.addWidget(form)
    form.day.setText("2024-13-01")
    form.description.setPlainText("保养")
    form.submit()
    assert form.result() != QDialog.DialogCode.Accepted
    assert "保养日期" in form.error.text() and form.day.text() == "2024-13-01"


def test_sales_see_the_file_but_cannot_change_it(
    qtbot: Any, gui_context: AppContext, runner: TaskRunner, store_id: uuid.UUID, car: uuid.UUID
) -> None:
    sales = _user(gui_context, store_id, Role.SALES, "孙顾问")
    dialog = _open(qtbot, gui_context, runner, sales, car)
    for button in (
        dialog.import_button,
        dialog.refile_button,
        dialog.add_history_button,
        dialog.add_maintenance_button,
        dialog.attach_report_button,
        dialog.status_button,
        dialog.edit_button,
        dialog.price_editor.save_button,
    ):
        assert not button.isEnabled(), button.text()
    assert dialog.compare_button.isEnabled() and dialog.sheet_button.isEnabled()


def test_the_kiosk_shows_a_car_added_by_hand_in_category_order_without_staff_data(
    qtbot: Any,
    gui_context: AppContext,
    runner: TaskRunner,
    manager: StaffUser,
    car: uuid.UUID,
    tmp_path: Path,
) -> None:
    files = [
        _jpeg(tmp_path / name, colour)
        for name, colour in (
            ("登记证书.jpg", "gray"),
            ("划痕_后门.jpg", "black"),
            ("内饰.jpg", "blue"),
            ("发动机舱.jpg", "orange"),
            ("左前.jpg", "red"),
        )
    ]
    good, _ = va.prepare_photos(files)
    report = va.prepare_report(_pdf(tmp_path / "第三方报告.pdf", 3))
    with gui_context.database.write() as s:
        actor = manager.actor
        va.add_photos(s, actor, car, good, PhotoCategory.EXTERIOR, now=NOW)
        va.attach_report(s, actor, car, report, now=NOW)
        va.set_prices(
            s,
            actor,
            car,
            va.PriceSheet(
                Decimal("150000"),
                Decimal("128000"),
                (
                    va.PriceLine("车辆价格", Decimal("148000"), True),
                    va.PriceLine("整备服务费", Decimal("2000"), True),
                    va.PriceLine("维修费（内部）", Decimal("800"), False),
                ),
            ),
        )
        va.change_status(s, actor, car, VehicleStatus.ON_SALE, now=NOW)
    page = KioskArchivePage(runner, ComparisonBasket())
    qtbot.addWidget(page)
    page.resize(1920, 1080)
    page.show()
    page.show_car(car)
    qtbot.waitUntil(lambda: page.car is not None)
    shown = [page.strip_model.photo(r) for r in range(page.strip_model.rowCount())]
    assert [p.category for p in shown if p is not None] == [
        PhotoCategory.EXTERIOR,
        PhotoCategory.INTERIOR,
        PhotoCategory.ENGINE,
        PhotoCategory.DEFECT,
    ]
    texts = " ".join(label.text() for label in page.details.findChildren(QLabel))
    assert "车辆价格：¥148,000.00" in texts and "整备服务费：¥2,000.00" in texts
    for secret in ("维修费", "128,000", "LVGBE40K", "京N12345", "登记证书"):
        assert secret not in texts
    assert page.price.text() == "15.00万"
    [button] = [b for b in page.details.findChildren(QPushButton) if "第三方检测报告" in b.text()]
    assert "3 页" in button.text()
    button.click()
    assert page.report_view.isVisible() and not page.info_panel.isVisible()
    qtbot.waitUntil(
        lambda: all(not label.pixmap().isNull() for label in page.report_view.page_labels)
    )
    assert len(page.report_view.page_labels) == 3
    page.report_view.back_button.click()
    assert page.info_panel.isVisible() and not page.report_view.isVisible()


def test_a_kiosk_page_image_of_another_car_is_refused(
    gui_context: AppContext, manager: StaffUser, car: uuid.UUID, tmp_path: Path
) -> None:
    from showroom.errors import NotFoundError
    from showroom.services import kiosk

    report = va.prepare_report(_pdf(tmp_path / "r.pdf", 1))
    with gui_context.database.write() as s:
        va.attach_report(s, manager.actor, car, report, now=NOW)
    with gui_context.database.read() as s, pytest.raises(NotFoundError):
        # Still 整备中: not a car a customer may see, so neither are its pages.
        kiosk.public_report_page(s, car, va.vehicle_archive(s, car).report_pages[0])


def test_the_facts_of_an_unpriced_car_save_without_a_price(
    qtbot: Any, gui_context: AppContext, runner: TaskRunner, manager: StaffUser, car: uuid.UUID
) -> None:
    from ui.screens.vehicle_archive import VehicleEditDialog

    with gui_context.database.write() as s:
        from db.models import Vehicle

        s.get_one(Vehicle, car).list_price = Decimal("0.00")  # taken in 待定价
    dialog = _open(qtbot, gui_context, runner, manager, car)
    assert dialog.price.text() == "待定价"
    form = VehicleEditDialog(dialog.car, dialog, may_price=True)  # type: ignore[arg-type]
    qtbot.addWidget(form)
    assert form.price.text() == ""
    form.colour.setText("曜石黑")
    form._accept()
    assert form.edit is not None and form.edit.list_price is None and form.edit.colour == "曜石黑"
    dialog.save_edit(form.edit, loaded=form.car)
    qtbot.waitUntil(lambda: dialog.car is not None and dialog.car.colour == "曜石黑")
