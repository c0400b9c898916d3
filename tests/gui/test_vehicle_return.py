"""七日退车 on the deals screen: only the manager sees it; the car comes back, 已退车."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import Contract, Customer, Document, FollowUp, FollowUpStatus, Vehicle, VehicleStatus
from showroom.context import AppContext
from showroom.documents import archive
from showroom.documents.model import Document as Paper
from showroom.services import auth
from showroom.services import contracts as ct
from showroom.users import StaffUser
from tests.db.test_deals import FAKE_PDF, scribble
from tests.gui.conftest import Account
from tests.gui.shots import shots_dir
from tests.gui.test_deals_screen import BUYER_ID, NOW_, ZONE_, sales  # noqa: F401
from tests.gui.test_test_drive_agreement_pdf import (  # noqa: F401
    pdf_text,
    print_font_files,
    print_fonts,
)
from ui.dialogs.vehicle_return import ReturnDialog
from ui.documents import printing
from ui.screens.deals import DealsScreen
from ui.tasks import TaskRunner

SHOTS = shots_dir("i24")


def _sold(context: AppContext, seller: StaffUser) -> str:
    with context.database.read() as s:
        car = s.scalars(select(Vehicle.id)).one()
        buyer = s.scalars(select(Customer.id).where(Customer.name == "王小明")).one()
    data = ct.ContractInput(car, buyer, "85000", BUYER_ID)
    with context.database.write() as s:
        drafted = ct.draft(s, seller.actor, data, store_code="BJ01")
    with context.database.read() as s:
        papers = ct.prepare_papers(s, drafted.id, templates_dir=None, zone=ZONE_)
    signed = ct.attach_signatures(papers, scribble(1), scribble(2), NOW_, ZONE_)
    with context.database.write() as s:
        ct.sign(
            s,
            seller.actor,
            drafted.id,
            signed,
            scribble(1),
            scribble(2),
            [FAKE_PDF] * 3,
            zone=ZONE_,
        )
    return drafted.contract_no


def test_the_manager_takes_a_sold_car_back_and_the_agreement_is_archived(
    qtbot,
    gui_context: AppContext,
    runner: TaskRunner,
    accounts: dict[str, Account],
    sales: StaffUser,  # noqa: F811
    print_fonts: None,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    previews: list[Paper] = []
    monkeypatch.setattr(
        printing, "preview", lambda document, parent=None: previews.append(document)
    )
    monkeypatch.setattr(ReturnDialog, "open", lambda self: None)
    number = _sold(gui_context, sales)

    desk = DealsScreen(gui_context, runner, sales)
    qtbot.addWidget(desk)
    desk.tabs.setCurrentIndex(2)
    desk.contract_table.selectRow(0)
    assert desk.amend_button.isEnabled() and not desk.return_button.isEnabled()

    with gui_context.database.write() as s:
        manager = auth.sign_in(s, "manager", accounts["manager"].password)
    boss = DealsScreen(gui_context, runner, manager)
    qtbot.addWidget(boss)
    boss.resize(1280, 760)
    boss.tabs.setCurrentIndex(2)
    boss.contract_table.selectRow(0)
    assert boss.return_button.isEnabled()
    boss.take_back()
    dialog = boss.findChild(ReturnDialog)
    assert dialog is not None and dialog.quote.contract_no == number
    assert "捌万伍仟元整" in dialog.refund.text()
    # Refused as typed: too many kilometres; everything typed stays.
    dialog.reason.setPlainText("家人不同意")
    dialog.condition.setPlainText("车况与交车时一致，钥匙两把")
    dialog.mileage.setText("33000")
    dialog.add_deduction("已发生的检验费", "300")
    assert "¥84,700.00" in dialog.refund.text() and "捌万肆仟柒佰元整" in dialog.refund.text()
    dialog.reference.setText("6222-0001")
    dialog.submit()
    assert "超过退车条件" in dialog.error.text() and dialog.mileage.text() == "33000"
    dialog.mileage.setText("32150")
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.resize(660, 780)
    dialog.grab().save(str(SHOTS / "return_dialog.png"))
    dialog.submit()
    assert dialog.result() == dialog.DialogCode.Accepted

    assert "已退车" in boss.message.text() and "¥84,700.00" in boss.message.text()
    assert [p.title for p in previews] == ["退车协议"]
    cells = [boss.contract_model.index(0, c).data() for c in range(8)]
    assert cells[7] == "已退车"
    boss.contract_table.selectRow(0)
    assert not boss.return_button.isEnabled() and not boss.amend_button.isEnabled()
    assert boss.paper.count() == 4 and boss.paper.itemData(3).startswith("BJ01-T2026-")
    with gui_context.database.read() as s:
        assert s.scalars(select(Vehicle.status)).one() is VehicleStatus.ON_SALE
        assert s.scalars(select(Contract.returned_at)).one() is not None
        states = set(s.scalars(select(FollowUp.status).where(FollowUp.contract_id.is_not(None))))
        assert states == {FollowUpStatus.SKIPPED}
        stored = s.scalars(select(Document).where(Document.number.like("BJ01-T%"))).one()
        pdf = archive.archived_pdf(s, stored.id)
    words = pdf_text(pdf, tmp_path).replace(" ", "")
    assert "退车协议" in words and "人民币捌万肆仟柒佰元整" in words and number in words
    (SHOTS / "return_agreement.pdf").write_bytes(pdf)
