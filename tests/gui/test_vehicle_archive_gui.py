"""Inventory filters, the staff archive and the kiosk's archive, comparison and idle reset."""

from __future__ import annotations

import hashlib
import io
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtWidgets import QAbstractButton, QLabel, QPushButton, QWidget
from sqlalchemy import select

from db.models import (
    AuditEntry,
    Energy,
    Media,
    PhotoCategory,
    Role,
    Transmission,
    Vehicle,
    VehiclePhoto,
    VehicleStatus,
)
from showroom.context import AppContext
from showroom.services.kiosk import CarQuery
from showroom.services.vehicle_archive import VehicleEdit
from showroom.users import StaffUser
from showroom.vehicle_links import car_link
from tests.factories import make_staff, make_store
from ui.kiosk.window import KioskWindow
from ui.screens import vehicle_archive as archive_module
from ui.screens.inventory import InventoryScreen
from ui.screens.vehicle_archive import VehicleArchiveDialog
from ui.tasks import TaskRunner


def _png(colour: str, size: tuple[int, int] = (800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def store_id(gui_context: AppContext) -> uuid.UUID:
    return make_store(gui_context.database)


@pytest.fixture
def user(gui_context: AppContext, store_id: uuid.UUID) -> StaffUser:
    # The manager: the services check the stored role, and only a manager sets prices.
    staff_id = make_staff(gui_context.database, store_id, "manager1", Role.MANAGER)
    return StaffUser(staff_id, "manager1", "赵店长", Role.MANAGER, store_id, "BJ01", "测试展厅")


@pytest.fixture
def cars(gui_context: AppContext, store_id: uuid.UUID) -> dict[str, uuid.UUID]:
    made: dict[str, uuid.UUID] = {}
    specs = [
        ("camry", "丰田", "凯美瑞", Energy.PETROL, "轿车", Decimal(150000)),
        ("han", "比亚迪", "汉EV", Energy.EV, "轿车", Decimal(200000)),
        ("song", "比亚迪", "宋PLUS", Energy.PHEV, "SUV", Decimal(130000)),
        ("h6", "哈弗", "H6", Energy.PETROL, "SUV", Decimal(60000)),
    ]
    with gui_context.database.write() as s:
        for n, (key, brand, model, energy, body, price) in enumerate(specs, start=1):
            car = Vehicle(
                store_id=store_id,
                stock_no=f"BJ01-S2026-{n:05d}",
                vin=f"LVHRW1856K{n:07d}",
                plate=f"京A{n:05d}",
                brand=brand,
                model=model,
                trim="2022款 旗舰版",
                year=2022,
                mileage_km=20_000 * n,
                energy=energy,
                transmission=Transmission.AUTOMATIC,
                body_type=body,
                colour="白色",
                list_price=price,
                cost_price=price - 20000,
                status=VehicleStatus.ON_SALE,
                configuration=["倒车影像"],
            )
            s.add(car)
            s.flush()
            made[key] = car.id
            for position, colour in enumerate(("red", "green", "blue")):
                image, thumb = _png(colour), _png(colour, (160, 120))
                for data in (image, thumb):
                    sha = hashlib.sha256(data).hexdigest()
                    if s.get(Media, sha) is None:
                        s.add(Media(sha256=sha, mime="image/jpeg", size=len(data), data=data))
                s.flush()
                s.add(
                    VehiclePhoto(
                        vehicle_id=car.id,
                        position=position,
                        category=PhotoCategory.EXTERIOR,
                        image_sha=hashlib.sha256(image).hexdigest(),
                        thumbnail_sha=hashlib.sha256(thumb).hexdigest(),
                        caption=colour,
                        is_cover=position == 0,
                    )
                )
    return made


@pytest.fixture
def screen(qtbot: Any, gui_context: AppContext, runner: TaskRunner, user: StaffUser, cars: Any):
    widget = InventoryScreen(gui_context, runner, user)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.total == 4)
    # The tests below name rows in stock-number order (the screen opens newest first).
    widget.sort_combo.setCurrentIndex(widget.sort_combo.findData("stock_no:0"))
    return widget


def _choose(combo: Any, data: str) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


# --- staff inventory -----------------------------------------------------------------------


def test_filter_bar_offers_what_is_in_stock_and_filters(
    screen: InventoryScreen, qtbot: Any
) -> None:
    brands = [screen.brand_filter.itemText(i) for i in range(screen.brand_filter.count())]
    assert brands == ["全部品牌", "丰田", "哈弗", "比亚迪"]
    assert not screen.model_filter.isEnabled()
    _choose(screen.brand_filter, "比亚迪")
    assert screen.model.total == 2
    assert screen.model_filter.isEnabled()
    _choose(screen.model_filter, "汉EV")
    assert screen.model.total == 1 and screen.model.row_at(0).model == "汉EV"
    screen.clear_filters()
    assert screen.model.total == 4
    _choose(screen.energy_filter, "fuel")
    _choose(screen.body_filter, "SUV")
    assert [screen.model.row_at(0).brand] == ["哈弗"] and screen.model.total == 1
    assert screen.count_label.text() == "共 1 辆"


def test_price_range_in_wan_waits_for_a_pause_and_refuses_an_inverted_range(
    screen: InventoryScreen, qtbot: Any
) -> None:
    screen.min_price.setValue(13)
    # Not yet: typing a number does not query per digit, the pause timer is running.
    assert screen.model.total == 4 and screen._debounce.isActive()
    # The pause ends. (Fired by hand: a test elsewhere that quits the application leaves
    # later timers of the shared QApplication unreliable; the timer itself is Qt's.)
    screen._debounce.timeout.emit()
    assert screen.model.total == 3
    screen.max_price.setValue(10)
    screen._debounce.timeout.emit()
    assert screen.error_label.isVisible()
    assert screen.error_label.text() == "最低价高于最高价，请调整价格范围"
    assert screen.model.total == 3  # the last good list stays


def test_sort_choice_orders_the_list(screen: InventoryScreen) -> None:
    _choose(screen.sort_combo, "price:0")
    assert screen.model.row_at(0).brand == "哈弗"
    _choose(screen.sort_combo, "price:1")
    assert screen.model.row_at(0).model == "汉EV"


def test_double_click_opens_the_archive_and_adds_to_comparison(
    screen: InventoryScreen, qtbot: Any
) -> None:
    assert screen.compare_button.text() == "对比（0）"
    assert not screen.compare_button.isEnabled()
    index = screen.model.index(1, 1)
    screen.table.doubleClicked.emit(index)
    dialog = screen.archive
    assert isinstance(dialog, VehicleArchiveDialog)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.car is not None)
    assert dialog.title.text() == "比亚迪 汉EV 2022款 旗舰版"
    assert "京A00002" in dialog.subtitle.text()
    assert dialog.price.text() == "¥200,000.00"
    assert dialog.strip_model.rowCount() == 3
    dialog.compare_button.click()
    assert screen.compare_button.text() == "对比（1）"
    screen.table.selectRow(0)
    screen.add_selected_to_comparison()
    assert screen.compare_button.text() == "对比（2）" and screen.compare_button.isEnabled()
    screen.table.selectRow(0)
    screen.add_selected_to_comparison()  # twice: refused with a sentence, not added
    assert screen.error_label.text() == "这辆车已在对比中"
    assert len(screen.basket) == 2


def _open(
    gui_context: AppContext,
    runner: TaskRunner,
    user: StaffUser,
    vid: uuid.UUID,
    qtbot: Any,
    **kw: Any,
) -> VehicleArchiveDialog:
    dialog = VehicleArchiveDialog(gui_context, runner, user, vid, **kw)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.car is not None)
    return dialog


def test_archive_says_when_the_qr_leads_nowhere_or_only_to_the_store_wifi(
    gui_context: AppContext, runner: TaskRunner, user: StaffUser, cars: Any, qtbot: Any
) -> None:
    dialog = _open(gui_context, runner, user, cars["camry"], qtbot)
    qtbot.waitUntil(lambda: dialog.qr_warning.isVisibleTo(dialog))
    assert dialog.qr.isHidden()
    assert "showroom web 也没有运行" in dialog.qr_warning.text().replace("（", " ").replace(
        "）", " "
    )
    dialog._car_links = lambda stock, store_url="": car_link(  # a showroom web that answers
        gui_context.settings, stock, store_web="http://192.0.2.10:8080"
    )
    dialog.reload()
    qtbot.waitUntil(lambda: not dialog.qr.isHidden())
    assert "只有连上门店 Wi-Fi 的手机能打开" in dialog.qr_warning.text()
    assert "http://192.0.2.10:8080/cars/" in dialog.qr_warning.text()


def test_status_change_is_saved_audited_and_refreshes_the_list(
    screen: InventoryScreen,
    gui_context: AppContext,
    runner: TaskRunner,
    user: StaffUser,
    cars: dict[str, uuid.UUID],
    qtbot: Any,
) -> None:
    dialog = _open(gui_context, runner, user, cars["camry"], qtbot)
    _choose(dialog.status_combo, "preparing")
    dialog.status_button.click()
    qtbot.waitUntil(lambda: dialog.status_badge.text() == "整备中")
    qtbot.waitUntil(lambda: screen.model.index(0, 6).data() == "整备中")
    with gui_context.database.read() as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "vehicle_status_changed")
        ).one()
        assert entry.actor == "赵店长"
    # Sold comes with a signed contract: the refusal says where to go; the status stays.
    _choose(dialog.status_combo, "sold")
    dialog.status_button.click()
    assert dialog.message.isVisible()
    assert "请在“定金与合同”或“试驾”页面办理" in dialog.message.text()
    assert dialog.status_badge.text() == "整备中"


def test_photo_import_keeps_the_good_files_and_names_the_bad(
    gui_context: AppContext,
    runner: TaskRunner,
    user: StaffUser,
    cars: dict[str, uuid.UUID],
    qtbot: Any,
    tmp_path: Path,
) -> None:
    good = tmp_path / "左前45度.jpg"
    good.write_bytes(_png("white", (1000, 750)))
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"not an image")
    dialog = _open(
        gui_context, runner, user, cars["h6"], qtbot, choose_files=lambda _p: [good, bad]
    )
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.strip_model.rowCount() == 4)
    text = dialog.message.text()
    assert "已导入 1 张照片" in text and "broken.jpg" in text and "损坏" in text
    assert dialog.strip_model.photo(3).caption == "左前45度"
    # Reorder: the new photo moves forward and becomes the cover.
    dialog.viewer.show_index(3)
    dialog.left_button.click()
    qtbot.waitUntil(lambda: dialog.strip_model.photo(2).caption == "左前45度")
    dialog.cover_button.click()
    qtbot.waitUntil(lambda: dialog.car is not None and dialog.car.cover.caption == "左前45度")


def test_a_corrupt_stored_photo_shows_a_placeholder_and_a_message(
    gui_context: AppContext,
    runner: TaskRunner,
    user: StaffUser,
    cars: dict[str, uuid.UUID],
    qtbot: Any,
) -> None:
    junk = b"\x00garbage"
    sha = hashlib.sha256(junk).hexdigest()
    with gui_context.database.write() as s:
        s.add(Media(sha256=sha, mime="image/jpeg", size=len(junk), data=junk))
        s.flush()
        first = s.scalars(
            select(VehiclePhoto).where(
                VehiclePhoto.vehicle_id == cars["song"], VehiclePhoto.position == 0
            )
        ).one()
        first.image_sha = sha
        first.thumbnail_sha = sha
    dialog = _open(gui_context, runner, user, cars["song"], qtbot)
    qtbot.waitUntil(lambda: dialog.message.isVisible())
    assert dialog.message.text() == "第 1 张照片无法显示"
    assert sha in dialog.loader.broken
    assert dialog.grab().width() > 0  # painting the placeholder does not raise
    dialog.viewer.next()  # the next photo is fine
    qtbot.waitUntil(lambda: dialog.loader.image(dialog.viewer.current().image_sha) is not None)


def test_the_third_party_report_opens_from_a_file(
    gui_context: AppContext,
    runner: TaskRunner,
    user: StaffUser,
    cars: dict[str, uuid.UUID],
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pdf = b"%PDF-1.4\n% third-party report"
    with gui_context.database.write() as s:
        s.add(Media(sha256="p" * 64, mime="application/pdf", size=len(pdf), data=pdf))
        s.flush()
        s.get_one(Vehicle, cars["camry"]).third_party_report_sha = "p" * 64
    opened: list[Path] = []
    monkeypatch.setattr(archive_module, "open_file", lambda path: opened.append(path) or True)
    dialog = _open(gui_context, runner, user, cars["camry"], qtbot)
    assert dialog.report_button.isEnabled()
    dialog.report_button.click()
    qtbot.waitUntil(lambda: bool(opened))
    assert opened[0].read_bytes() == pdf


# --- kiosk --------------------------------------------------------------------------------------


@pytest.fixture
def kiosk(qtbot: Any, gui_context: AppContext, runner: TaskRunner, cars: Any, store_id: Any):
    make_staff(
        gui_context.database, store_id, "manager", Role.MANAGER, "manager123", "2468", "赵店长"
    )
    window = KioskWindow(gui_context, runner)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    yield window
    window.idle.stop()


def _texts(root: QWidget) -> list[str]:
    texts = [label.text() for label in root.findChildren(QLabel) if label.isVisibleTo(root)]
    texts += [b.text() for b in root.findChildren(QAbstractButton) if b.isVisibleTo(root)]
    return texts


def _tap_card(kiosk: KioskWindow, model_name: str) -> None:
    kiosk.open_page("browse")
    model = kiosk.browse.model
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if model.car(row).model == model_name:
            kiosk.browse.view.clicked.emit(index)
            return
    raise AssertionError(model_name)


def test_tapping_a_card_opens_its_archive_without_staff_data(
    kiosk: KioskWindow, qtbot: Any
) -> None:
    _tap_card(kiosk, "汉EV")
    assert kiosk.current_key() == "archive"
    page = kiosk.archive
    qtbot.waitUntil(lambda: page.car is not None)
    texts = " ".join(_texts(page))
    assert "比亚迪 汉EV" in texts and "20.00万" in texts
    assert "7天无理由退车" in texts and "无事故、泡水、火烧记录" in texts
    for private in ("LVHRW1856K", "京A00002", "180,000", "18.00"):  # VIN, plate, cost
        assert private not in texts
    assert page.strip_model.rowCount() == 3
    # No public address and no showroom web: no code that opens nothing, and says so.
    qtbot.waitUntil(lambda: bool(page.qr_caption.text()))
    assert page.qr.isHidden() and "手机看车暂未开通" in page.qr_caption.text()
    assert all(b.minimumHeight() >= 48 for b in page.findChildren(QPushButton) if b.isVisible())


def test_kiosk_archive_shows_the_qr_of_the_public_address(
    kiosk: KioskWindow, gui_context: AppContext, qtbot: Any
) -> None:
    gui_context.settings.update({"vehicle_public_url": "https://dealer.example.cn/cars/{stock_no}"})
    _tap_card(kiosk, "汉EV")
    page = kiosk.archive
    qtbot.waitUntil(lambda: bool(page.qr_caption.text()))
    assert page.qr.isVisible() and not page.qr.pixmap().isNull()
    assert page.qr_caption.text() == "手机扫码\n带走这辆车的档案"


def test_comparison_from_the_archive_and_idle_reset_wipes_everything(
    kiosk: KioskWindow, qtbot: Any
) -> None:
    # A customer filters, picks two cars to compare and opens the loan calculator.
    kiosk.open_page("browse")
    chips = {chip.text(): chip for chip in kiosk.browse.findChildren(QPushButton, "kioskChip")}
    chips["纯电"].click()
    assert kiosk.browse.current_query().energy_group == "ev"
    chips["全部能源"].click()
    for name in ("汉EV", "H6"):
        _tap_card(kiosk, name)
        qtbot.waitUntil(lambda: kiosk.archive.car is not None)
        kiosk.archive.compare_button.click()
    assert len(kiosk.basket) == 2
    assert kiosk.archive.open_compare.text() == "去对比（2）"
    assert not kiosk.archive.compare_button.isEnabled()  # already in
    kiosk.archive.open_compare.click()
    assert kiosk.current_key() == "compare"
    kiosk.open_page("archive")
    kiosk.archive.loan_button.click()
    assert kiosk.current_key() == "loan"
    calculator = kiosk.loan.calculator
    assert calculator is not None
    assert Decimal(calculator.price_edit.text()) == Decimal("60000")
    kiosk.open_page("browse")
    chips["纯电"].click()

    kiosk.idle.idle.emit()  # the customer walked away

    assert kiosk.current_key() == "home"
    assert len(kiosk.basket) == 0
    assert kiosk.browse.current_query() == CarQuery()
    assert kiosk.loan.calculator is not calculator
    assert kiosk.loan.calculator.price_edit.text() == ""
    assert kiosk.archive.car is None and kiosk.archive.vehicle_id is None


def test_a_car_sold_while_a_customer_looks_at_it(
    kiosk: KioskWindow, gui_context: AppContext, cars: dict[str, uuid.UUID], qtbot: Any
) -> None:
    _tap_card(kiosk, "凯美瑞")
    page = kiosk.archive
    qtbot.waitUntil(lambda: page.car is not None)
    page.compare_button.click()
    assert page.book_button.isEnabled()
    with gui_context.database.write() as s:
        s.get_one(Vehicle, cars["camry"]).status = VehicleStatus.SOLD
    gui_context.bus.publish({f"vehicle:{cars['camry']}"})
    qtbot.waitUntil(lambda: page.gone_banner.isVisible())
    assert "已售出" in page.gone_banner.text()
    assert not page.book_button.isEnabled()
    assert not page.compare_button.isEnabled()
    assert len(kiosk.basket) == 0  # a sold car leaves the comparison
    assert page.title.text().startswith("丰田 凯美瑞")  # what was shown stays readable


def test_booking_from_the_archive_starts_with_that_car(
    kiosk: KioskWindow, cars: dict[str, uuid.UUID], qtbot: Any
) -> None:
    _tap_card(kiosk, "宋PLUS")
    qtbot.waitUntil(lambda: kiosk.archive.car is not None)
    kiosk.archive.book_button.click()
    assert kiosk.current_key() == "test_drive"
    assert kiosk.test_drive.car is not None and kiosk.test_drive.car.id == cars["song"]


def test_leaving_the_archive_for_staff_needs_the_pin(kiosk: KioskWindow, qtbot: Any) -> None:
    _tap_card(kiosk, "汉EV")
    staff_button = kiosk.findChild(QPushButton, "kioskStaffButton")
    with qtbot.assertNotEmitted(kiosk.staffUnlocked):
        staff_button.click()
        assert kiosk.current_key() == "staff"
        pad = kiosk.staff_page.pad
        for digit in "1111":
            pad.findChild(QPushButton, f"pinKey{digit}").click()
        pad.findChild(QPushButton, "pinOk").click()
    assert kiosk.current_key() == "staff"
    with qtbot.waitSignal(kiosk.staffUnlocked, timeout=2000):
        for digit in "2468":
            pad.findChild(QPushButton, f"pinKey{digit}").click()
        pad.findChild(QPushButton, "pinOk").click()
    assert len(kiosk.basket) == 0 and kiosk.current_key() == "home"


def test_editing_refuses_a_bad_price_and_keeps_what_was_typed(
    gui_context: AppContext,
    runner: TaskRunner,
    user: StaffUser,
    cars: dict[str, uuid.UUID],
    qtbot: Any,
) -> None:
    from ui.screens.vehicle_archive import VehicleEditDialog

    dialog = _open(gui_context, runner, user, cars["h6"], qtbot)
    assert dialog.car is not None
    edit = VehicleEditDialog(dialog.car, dialog)
    qtbot.addWidget(edit)
    edit.price.setText("六万")
    edit._accept()
    assert edit.result() != VehicleEditDialog.DialogCode.Accepted and edit.edit is None
    assert edit.error.text() == "请输入有效的价格（元），例如 128000"
    assert edit.price.text() == "六万"
    edit.price.setText("58,800")
    edit.colour.setText("珍珠白" * 8)  # the form stops at what the column holds
    edit.plate.setText("京A·12345 6789")
    assert len(edit.colour.text()) == 20 and edit.plate.text() == "京A·12345 678"
    edit.plate.setText(dialog.car.plate or "")
    edit.colour.setText("珍珠白")
    edit._accept()
    assert edit.edit is not None and edit.edit.list_price == Decimal("58800")
    stale = dialog.car
    dialog.save_edit(edit.edit)
    qtbot.waitUntil(lambda: dialog.price.text() == "¥58,800.00")
    assert dialog.car is not None and dialog.car.colour == "珍珠白"
    # A save based on what another PC had already changed is refused, not applied.
    dialog.car = stale
    dialog.save_edit(VehicleEdit(colour="红色"))
    assert "刚被其他人修改过" in dialog.message.text()
    with gui_context.database.read() as s:
        assert s.get_one(Vehicle, cars["h6"]).colour == "珍珠白"


def _edit_as_typed(
    dialog: VehicleArchiveDialog, qtbot: Any, **typed: str
) -> tuple[VehicleEdit, Any]:
    """Open 编辑资料…'s form on what ``dialog`` shows, type; the edit and the car it is on."""
    from ui.screens.vehicle_archive import VehicleEditDialog

    assert dialog.car is not None
    form = VehicleEditDialog(dialog.car, dialog)
    qtbot.addWidget(form)
    for name, text in typed.items():
        getattr(form, name).setText(text)
    form._accept()
    assert form.edit is not None
    return form.edit, form.car


def _two_pcs_edit_one_car(
    gui_context: AppContext, runner: TaskRunner, user: StaffUser, vid: uuid.UUID, qtbot: Any
) -> VehicleArchiveDialog:
    """PC A and PC B open the same car; A saves first, B's save meets A's."""
    pc_a = _open(gui_context, runner, user, vid, qtbot)
    pc_b = _open(gui_context, TaskRunner(gui_context.database, inline=True), user, vid, qtbot)
    # B's form is open (typed, not yet saved) while A saves; B's archive then reloads A's
    # version behind the form, but the form saves against the version it was opened on.
    mine_b, opened_b = _edit_as_typed(pc_b, qtbot, colour="宝石蓝", price="61,800")
    pc_a.save_edit(*_edit_as_typed(pc_a, qtbot, colour="珍珠白", emission="国VI"))
    qtbot.waitUntil(lambda: pc_b.car is not None and pc_b.car.colour == "珍珠白")
    pc_b.save_edit(mine_b, loaded=opened_b)
    qtbot.waitUntil(lambda: pc_b.conflict_dialog is not None)
    return pc_b


def _rows(table: Any) -> dict[str, tuple[str, str]]:
    return {
        table.item(r, 0).text(): (table.item(r, 1).text(), table.item(r, 2).text())
        for r in range(table.rowCount())
    }


def test_a_second_save_shows_both_versions_and_overwrites_only_when_asked(
    gui_context: AppContext,
    runner: TaskRunner,
    user: StaffUser,
    cars: dict[str, uuid.UUID],
    qtbot: Any,
) -> None:
    pc_b = _two_pcs_edit_one_car(gui_context, runner, user, cars["h6"], qtbot)
    dialog = pc_b.conflict_dialog
    assert dialog is not None and dialog.isVisible()
    rows = _rows(dialog.table)
    assert rows["车身颜色"] == ("珍珠白", "宝石蓝")
    assert rows["售价（元）"] == ("¥60,000.00", "¥61,800.00")
    # B never touched the emission standard: overwriting keeps A's value there.
    assert rows["排放标准"][0] == "国VI" and "你没有改这项" in rows["排放标准"][1]
    with gui_context.database.read() as s:
        stored = s.get_one(Vehicle, cars["h6"])
        assert (stored.colour, stored.list_price) == ("珍珠白", Decimal(60000))  # not overwritten

    dialog.overwrite_button.click()  # a conscious choice: save mine on top of theirs
    qtbot.waitUntil(lambda: pc_b.car is not None and pc_b.car.colour == "宝石蓝")
    with gui_context.database.read() as s:
        stored = s.get_one(Vehicle, cars["h6"])
        assert (stored.colour, stored.list_price) == ("宝石蓝", Decimal(61800))
        assert stored.emission_standard == "国VI"  # A's other change stays


def test_after_a_conflict_reloading_takes_the_other_pcs_version(
    gui_context: AppContext,
    runner: TaskRunner,
    user: StaffUser,
    cars: dict[str, uuid.UUID],
    qtbot: Any,
) -> None:
    pc_b = _two_pcs_edit_one_car(gui_context, runner, user, cars["h6"], qtbot)
    assert "刚被其他人修改过" in pc_b.message.text()
    assert pc_b.conflict_dialog is not None
    pc_b.conflict_dialog.reload_button.click()
    qtbot.waitUntil(lambda: pc_b.car is not None and pc_b.car.colour == "珍珠白")
    assert "你的修改没有保存" in pc_b.message.text()
    with gui_context.database.read() as s:
        assert s.get_one(Vehicle, cars["h6"]).colour == "珍珠白"


def test_after_a_conflict_keep_editing_brings_back_what_was_typed(
    gui_context: AppContext,
    runner: TaskRunner,
    user: StaffUser,
    cars: dict[str, uuid.UUID],
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ui.screens.vehicle_archive import VehicleEditDialog

    seen: dict[str, str] = {}

    def typed_then_saved(form: VehicleEditDialog) -> int:  # stands in for the modal exec()
        seen.update(colour=form.colour.text(), emission=form.emission.text())
        form.price.setText("62000")
        form._accept()
        return VehicleEditDialog.DialogCode.Accepted

    monkeypatch.setattr(VehicleEditDialog, "exec", typed_then_saved)
    pc_b = _two_pcs_edit_one_car(gui_context, runner, user, cars["h6"], qtbot)
    assert pc_b.conflict_dialog is not None
    pc_b.conflict_dialog.edit_button.click()
    # The form shows B's own change over A's version: A's emission standard is not undone.
    assert seen == {"colour": "宝石蓝", "emission": "国VI"}
    qtbot.waitUntil(lambda: pc_b.car is not None and pc_b.car.colour == "宝石蓝")
    with gui_context.database.read() as s:
        stored = s.get_one(Vehicle, cars["h6"])
        assert (stored.list_price, stored.emission_standard) == (Decimal(62000), "国VI")
