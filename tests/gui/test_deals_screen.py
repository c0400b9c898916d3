"""定金与合同 end to end: a deposit at the desk, then a contract signed with the mouse."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from db.models import (
    Contract,
    ContractStatus,
    Customer,
    Deposit,
    DepositStatus,
    Document,
    Energy,
    FollowUp,
    Transmission,
    Vehicle,
    VehicleStatus,
)
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.documents import archive
from showroom.documents.model import Document as Paper
from showroom.identifiers import id_check_digit
from showroom.services import auth
from showroom.users import StaffUser
from tests.gui.conftest import Account
from tests.gui.test_test_drive_agreement_pdf import (  # noqa: F401
    pdf_text,
    print_font_files,
    print_fonts,
)
from tests.gui.test_test_drives_screen import sign
from ui.dialogs.deals import (
    AmendmentDialog,
    ContractDialog,
    DepositDialog,
    SignContractDialog,
)
from ui.documents import printing
from ui.screens.deals import DealsScreen
from ui.tasks import TaskRunner

BUYER_ID = "11010519900307123" + id_check_digit("11010519900307123")
ZONE_ = ZoneInfo("Asia/Shanghai")
NOW_ = utcnow()


@pytest.fixture
def sales(gui_context: AppContext, accounts: dict[str, Account]) -> StaffUser:
    with gui_context.database.write() as s:
        user = auth.sign_in(s, "sales1", accounts["sales1"].password)
        s.add_all(
            [
                Vehicle(
                    store_id=user.store_id,
                    stock_no="BJ01-S2026-00042",
                    vin="LSVAU2180N2123456",
                    plate="京A12345",
                    brand="大众",
                    model="朗逸",
                    year=2021,
                    mileage_km=32000,
                    energy=Energy.PETROL,
                    transmission=Transmission.AUTOMATIC,
                    list_price=Decimal("86000"),
                    status=VehicleStatus.ON_SALE,
                ),
                Customer(store_id=user.store_id, name="王小明", phone="13812345678"),
                Customer(store_id=user.store_id, name="陈大卫", phone="13912345678"),
            ]
        )
        return user


@pytest.fixture
def screen(qtbot, gui_context: AppContext, runner: TaskRunner, sales: StaffUser):  # type: ignore[no-untyped-def]
    widget = DealsScreen(gui_context, runner, sales)
    qtbot.addWidget(widget)
    widget.resize(1280, 760)
    widget.show()
    return widget


def fill_deposit(dialog: DepositDialog, car: str, phone: str) -> None:
    dialog.car_input.setText(car)
    dialog._find_car()
    dialog.phone.setText(phone)
    dialog._find_customer()


def test_from_deposit_to_a_signed_contract(
    qtbot,
    screen: DealsScreen,
    gui_context: AppContext,
    print_fonts: None,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    previews: list[Paper] = []
    monkeypatch.setattr(
        printing, "preview", lambda document, parent=None: previews.append(document)
    )
    # A deposit: the default amount from the settings, in capitals as typed; receipt printed.
    screen.take_deposit()
    dialog = screen.findChild(DepositDialog)
    assert dialog is not None
    assert dialog.amount.text() == "5000" and "伍仟元整" in dialog.amount_hint.text()
    fill_deposit(dialog, "京a12345", "138 1234 5678")
    assert "朗逸" in dialog.car_label.text() and "王小明" in dialog.customer_label.text()
    dialog.amount.setText("0")
    dialog.submit()
    assert "必须大于零" in dialog.error.text() and dialog.amount.text() == "0"
    dialog.amount.setText("5000")
    dialog.reference.setText("4200001234")
    dialog.submit()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert [p.kind for p in previews] == ["deposit_receipt"]
    assert "BJ01-R" in screen.message.text()
    assert screen.deposit_model.rowCount() == 1
    cells = [screen.deposit_model.index(0, c).data() for c in range(9)]
    assert cells[2] == "王** 138****5678" and cells[4] == "¥5,000.00" and cells[5] == "微信支付"
    # Printed again from the list: the original is archived, so this is copy 1, archived too.
    screen.deposit_table.selectRow(0)
    screen.receipt_button.click()
    assert [(p.kind, p.copy_no) for p in previews] == [
        ("deposit_receipt", 0),
        ("deposit_receipt", 1),
    ]
    assert "副本 1" in screen.message.text()

    # A second desk (here: the same screen) trying the same car is told who holds it.
    screen.take_deposit()
    second = next(d for d in screen.findChildren(DepositDialog) if d is not dialog)
    fill_deposit(second, "BJ01-S2026-00042", "13912345678")
    second.reference.setText("4200009999")
    second.submit()
    assert "王*" in second.error.text() and "孙顾问" in second.error.text()
    second.reject()

    # The day's totals reconcile by method.
    summary = [
        [screen.summary_model.index(r, c).data() for c in range(6)]
        for r in range(screen.summary_model.rowCount())
    ]
    assert ["微信支付", "1", "¥5,000.00", "0", "¥0.00", "¥5,000.00"] in summary
    assert summary[-1][0] == "合计" and summary[-1][2] == "¥5,000.00"

    # The contract: prefilled from the deposit; missing ID and a price below it are refused.
    screen.deposit_table.selectRow(0)
    assert screen.apply_button.isEnabled() and not screen.refund_button.isEnabled()
    screen.contract_from_deposit()
    draft = screen.findChild(ContractDialog)
    assert draft is not None and draft.price.text() == "86000.00"
    assert draft.schedule.item(0, 1).text() == "81000.00"
    draft.submit()
    assert "身份证号码" in draft.error.text()
    draft.id_number.setText(BUYER_ID)
    draft.price.setText("4000")
    draft._reset_schedule()
    draft.submit()
    assert "低于已收意向金" in draft.error.text() and draft.id_number.text() == BUYER_ID
    draft.price.setText("85000")
    draft._reset_schedule()
    draft.submit()
    assert draft.result() == draft.DialogCode.Accepted

    # Signing: the three papers on screen, refused unsigned, then signed with the mouse.
    signer = screen.findChild(SignContractDialog)
    assert signer is not None
    text = signer.text.toPlainText()
    assert "二手车买卖合同" in text and "车况确认书" in text and "售后服务协议" in text
    assert "人民币捌万伍仟元整" in text and text.count(BUYER_ID) == 1  # on the contract only
    signer.submit()
    assert "尚未签名" in signer.error.text()
    sign(qtbot, signer.customer_pad, 20)
    sign(qtbot, signer.consultant_pad, 40)
    signer.submit()
    assert signer.result() == signer.DialogCode.Accepted
    assert [p.number[-2:] for p in previews[2:]] == ["01", "-1", "-2"]
    assert all(box.signed for p in previews[2:] for box in p.signatures)
    assert "已签订" in screen.message.text()
    with gui_context.database.read() as s:
        assert s.scalars(select(Vehicle.status)).one() is VehicleStatus.SOLD
        assert s.scalars(select(Deposit.status)).one() is DepositStatus.APPLIED
        assert s.scalars(select(Contract.status)).one() is ContractStatus.SIGNED
        reasons = s.scalars(select(FollowUp.reason).where(FollowUp.contract_id.is_not(None)))
        assert sorted(reasons) == sorted(
            ["contract_3d", "contract_1m", "contract_3m", "contract_6m", "contract_12m"]
        )
        number = s.scalars(select(Contract.contract_no)).one()
        archived = s.scalars(select(Document).where(Document.number == number)).one()
        assert archived.copy_no == 0 and number.endswith("-000001")
        pdf = archive.archived_pdf(s, archived.id)
    # The archived PDF holds the words as text: amounts in figures and capitals, the parties.
    words = pdf_text(pdf, tmp_path).replace(" ", "")
    assert "¥85,000.00" in words and "人民币捌万伍仟元整" in words
    assert "人民币捌万元整" in words and "王小明" in words and "LSVAU2180N2123456" in words
    assert number in words and "第1页/共" in words
    # The contract list shows it signed; a reprint is a marked copy.
    screen.tabs.setCurrentIndex(2)
    screen.contract_table.selectRow(0)
    assert screen.amend_button.isEnabled() and not screen.void_button.isEnabled()
    assert screen.paper.count() == 3
    screen.print_paper()
    assert previews[-1].copy_no == 1
    assert "副本" in screen.message.text()


def test_manager_refunds_and_the_car_is_free_again(
    qtbot,
    gui_context: AppContext,
    runner: TaskRunner,
    accounts: dict[str, Account],
    sales: StaffUser,
    print_fonts: None,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(printing, "preview", lambda document, parent=None: None)
    desk = DealsScreen(gui_context, runner, sales)
    qtbot.addWidget(desk)
    desk.take_deposit()
    dialog = desk.findChild(DepositDialog)
    assert dialog is not None
    fill_deposit(dialog, "BJ01-S2026-00042", "13812345678")
    dialog.method.setCurrentIndex(0)  # cash needs no reference
    dialog.submit()
    assert dialog.result() == dialog.DialogCode.Accepted
    desk.deposit_table.selectRow(0)
    assert not desk.refund_button.isEnabled()  # sales may not refund

    with gui_context.database.write() as s:
        manager = auth.sign_in(s, "manager", accounts["manager"].password)
    boss = DealsScreen(gui_context, runner, manager)
    qtbot.addWidget(boss)
    boss.deposit_table.selectRow(0)
    assert boss.refund_button.isEnabled()
    monkeypatch.setattr(
        QInputDialog, "getText", staticmethod(lambda *a, **k: ("客户家人不同意", True))
    )
    boss.refund()
    with gui_context.database.read() as s:
        assert s.scalars(select(Vehicle.status)).one() is VehicleStatus.ON_SALE
        assert s.scalars(select(Deposit.status)).one() is DepositStatus.REFUNDED
    boss.tabs.setCurrentIndex(1)
    totals = boss.summary_model.row_at(boss.summary_model.rowCount() - 1)
    assert totals[2] == "¥5,000.00" and totals[4] == "¥5,000.00" and totals[5] == "¥0.00"


def test_a_voided_draft_stays_listed_and_a_signed_contract_is_amended(
    qtbot,
    screen: DealsScreen,
    gui_context: AppContext,
    sales: StaffUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QInputDialog

    from showroom.services import contracts as ct
    from tests.db.test_deals import FAKE_PDF, scribble

    with gui_context.database.read() as s:
        car = s.scalars(select(Vehicle.id)).one()
        buyer = s.scalars(select(Customer.id).where(Customer.name == "王小明")).one()
    data = ct.ContractInput(car, buyer, "85000", BUYER_ID)
    with gui_context.database.write() as s:
        typo = ct.draft(s, sales.actor, data, store_code="BJ01")
        good = ct.draft(s, sales.actor, data, store_code="BJ01")
    with gui_context.database.read() as s:
        papers = ct.prepare_papers(s, good.id, templates_dir=None, zone=ZONE_)
    signed = ct.attach_signatures(papers, scribble(1), scribble(2), NOW_, ZONE_)
    with gui_context.database.write() as s:
        ct.sign(
            s, sales.actor, good.id, signed, scribble(1), scribble(2), [FAKE_PDF] * 3, zone=ZONE_
        )
    screen.refresh()
    screen.tabs.setCurrentIndex(2)
    numbers = [screen.contract_model.row_at(r).contract_no for r in range(2)]
    assert numbers == [good.contract_no, typo.contract_no]
    screen.contract_table.selectRow(1)
    assert screen.void_button.isEnabled() and not screen.amend_button.isEnabled()
    monkeypatch.setattr(
        QInputDialog, "getText", staticmethod(lambda *a, **k: ("身份证号写错", True))
    )
    screen.void()
    cells = [screen.contract_model.index(1, c).data() for c in range(8)]
    assert cells[0] == typo.contract_no and cells[7] == "已作废：身份证号写错"

    screen.contract_table.selectRow(0)
    assert screen.amend_button.isEnabled()
    monkeypatch.setattr(SignContractDialog, "open", lambda self: None)
    screen.amend()
    dialog = screen.findChild(AmendmentDialog)
    assert dialog is not None
    dialog.submit()
    assert "变更的内容" in dialog.error.text()
    dialog.changes.setPlainText("交车日期顺延三天")
    dialog.price.setText("84000")
    dialog.submit()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert screen.contract_model.rowCount() == 3
    first = [screen.contract_model.index(0, c).data() for c in range(8)]
    assert first[1] == f"补充协议（变更 {good.contract_no}）" and first[7] == "草稿（未签）"
