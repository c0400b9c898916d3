"""收车入库 from the inventory: the form reads the VIN, refuses with a sentence and keeps
what was typed, and a stored car opens its archive; prices only for who may set them."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from db.models import AuditEntry, Role, Vehicle, VehicleStatus
from showroom.context import AppContext
from showroom.identifiers import vin_check_digit
from showroom.services.vehicles import VehiclePermissions
from showroom.users import StaffUser
from tests.factories import make_staff, make_store
from ui.dialogs.vehicle_intake import VehicleIntakeDialog
from ui.screens.inventory import InventoryScreen
from ui.tasks import TaskRunner

RAW_VIN = "LVGBE40K0PG123456"
VIN = RAW_VIN[:8] + vin_check_digit(RAW_VIN) + RAW_VIN[9:]


@pytest.fixture
def store_id(gui_context: AppContext) -> uuid.UUID:
    return make_store(gui_context.database)


def _user(ctx: AppContext, store_id: uuid.UUID, role: Role, name: str) -> StaffUser:
    staff_id = make_staff(ctx.database, store_id, f"{role.value}1", role)
    return StaffUser(staff_id, f"{role.value}1", name, role, store_id, "BJ01", "测试展厅")


def _screen(qtbot: Any, ctx: AppContext, runner: TaskRunner, user: StaffUser) -> InventoryScreen:
    screen = InventoryScreen(ctx, runner, user)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    qtbot.waitUntil(lambda: screen.model.total == 0)
    return screen


def _type(dialog: VehicleIntakeDialog, **values: str) -> None:
    """As typed (QTest cannot type Chinese): text straight into the fields."""
    for name, text in values.items():
        widget = getattr(dialog, name)
        if hasattr(widget, "setEditText"):
            widget.setEditText(text)
        else:
            widget.setText(text)


def _choose(combo: Any, data: str) -> None:
    combo.setCurrentIndex(combo.findData(data))


def _fill(dialog: VehicleIntakeDialog) -> None:
    _type(
        dialog,
        vin=VIN.lower(),
        plate="京N·12345",
        brand="丰田",
        model="凯美瑞",
        trim="2.0G 豪华版",
        first_registration="2023-05",
        mileage="2.8万",
        colour="珍珠白",
        inspection_due="2027-05-31",
    )
    _choose(dialog.energy, "petrol")
    _choose(dialog.transmission, "automatic")
    _choose(dialog.acquisition, "trade_in")


def test_the_form_reads_the_vin_and_fills_an_empty_brand(
    qtbot: Any, gui_context: AppContext, runner: TaskRunner, store_id: uuid.UUID
) -> None:
    user = _user(gui_context, store_id, Role.APPRAISER, "李评估")
    dialog = VehicleIntakeDialog(runner, user, VehiclePermissions(False, True))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.vin.setText(VIN)
    qtbot.waitUntil(lambda: "广汽丰田" in dialog.vin_note.text())
    assert "校验位正确" in dialog.vin_note.text() and "2023" in dialog.vin_note.text()
    assert dialog.brand.currentText() == "丰田"
    assert dialog.year.text() == "按车架号（2023）"
    dialog.vin.setText(VIN[:8] + ("1" if VIN[8] != "1" else "2") + VIN[9:])
    qtbot.waitUntil(lambda: "校验位不符" in dialog.vin_note.text())
    assert dialog.vin_confirmed.isHidden()  # a Chinese VIN must compute: nothing to confirm


def test_a_refused_intake_says_why_and_keeps_what_was_typed(
    qtbot: Any, gui_context: AppContext, runner: TaskRunner, store_id: uuid.UUID
) -> None:
    user = _user(gui_context, store_id, Role.MANAGER, "赵店长")
    dialog = VehicleIntakeDialog(runner, user, VehiclePermissions(True, True))
    qtbot.addWidget(dialog)
    dialog.show()
    _fill(dialog)
    _choose(dialog.energy, "")  # forgotten
    _type(dialog, list_price="14.58万", cost_price="abc")
    dialog.ok_button.click()
    assert dialog.error.isVisible() and "收车成本" in dialog.error.text()
    _type(dialog, cost_price="132000")
    dialog.ok_button.click()
    assert "能源" in dialog.error.text()
    assert (dialog.vin.text(), dialog.model.currentText(), dialog.mileage.text()) == (
        VIN.lower(),
        "凯美瑞",
        "2.8万",
    )
    with gui_context.database.read() as s:
        assert s.scalars(select(Vehicle)).all() == []


def test_a_car_taken_in_from_the_inventory_gets_its_stock_number_and_opens_its_archive(
    qtbot: Any, gui_context: AppContext, runner: TaskRunner, store_id: uuid.UUID
) -> None:
    manager = _user(gui_context, store_id, Role.MANAGER, "赵店长")
    screen = _screen(qtbot, gui_context, runner, manager)
    qtbot.waitUntil(screen.intake_button.isEnabled)
    assert screen.grants_button.isVisible()
    screen.intake_button.click()
    dialog = screen.intake
    assert isinstance(dialog, VehicleIntakeDialog)
    _fill(dialog)
    _type(dialog, list_price="14.58万", cost_price="132000")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: screen.archive is not None and screen.archive.car is not None)
    with gui_context.database.read() as s:
        car = s.scalars(select(Vehicle)).one()
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "vehicle_intake")).one()
    assert car.stock_no.startswith("BJ01-S") and car.stock_no.endswith("-00001")
    assert (car.vin, car.plate, car.mileage_km) == (VIN, "京N12345", 28_000)
    assert (car.list_price, car.cost_price, car.status) == (
        Decimal("145800"),
        Decimal("132000"),
        VehicleStatus.PREPARING,
    )
    assert entry.actor == "赵店长"
    assert screen.archive.car.stock_no == car.stock_no  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: screen.model.total == 1)


def test_without_the_price_permission_the_car_comes_in_unpriced(
    qtbot: Any, gui_context: AppContext, runner: TaskRunner, store_id: uuid.UUID
) -> None:
    appraiser = _user(gui_context, store_id, Role.APPRAISER, "李评估")
    screen = _screen(qtbot, gui_context, runner, appraiser)
    qtbot.waitUntil(screen.intake_button.isEnabled)
    assert not screen.import_button.isEnabled()  # a CSV sets prices
    assert not screen.grants_button.isVisible()
    screen.intake_button.click()
    dialog = screen.intake
    assert isinstance(dialog, VehicleIntakeDialog)
    assert not dialog.list_price.isEnabled() and not dialog.cost_price.isEnabled()
    assert "待定价" in dialog.price_note.text()
    _fill(dialog)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: screen.model.total == 1)
    assert screen.model.index(0, 5).data() == "待定价"
    with gui_context.database.read() as s:
        assert s.scalars(select(Vehicle.list_price)).one() == Decimal("0.00")


def test_sales_and_reception_cannot_take_a_car_in(
    qtbot: Any, gui_context: AppContext, runner: TaskRunner, store_id: uuid.UUID
) -> None:
    sales = _user(gui_context, store_id, Role.SALES, "孙顾问")
    screen = _screen(qtbot, gui_context, runner, sales)
    qtbot.wait(10)
    assert not screen.intake_button.isEnabled()
    assert not screen.import_button.isEnabled()


def test_a_prefill_from_an_appraisal_starts_the_form_filled(
    qtbot: Any, gui_context: AppContext, runner: TaskRunner, store_id: uuid.UUID
) -> None:
    from showroom.services.vehicle_intake import IntakeForm

    manager = _user(gui_context, store_id, Role.MANAGER, "赵店长")
    prefill = IntakeForm(
        vin=VIN, brand="丰田", model="凯美瑞", mileage_km=28_000, cost_price=Decimal("132000")
    )
    dialog = VehicleIntakeDialog(runner, manager, VehiclePermissions(True, True), prefill=prefill)
    qtbot.addWidget(dialog)
    assert (dialog.vin.text(), dialog.mileage.text(), dialog.cost_price.text()) == (
        VIN,
        "28000",
        "132000",
    )
    assert "广汽丰田" in dialog.vin_note.text()
