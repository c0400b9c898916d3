"""收车 and 置换 on the deals screen: an offer from a report, signed, then credited on a sale."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import (
    Contract,
    Energy,
    Inspection,
    InspectionStatus,
    Store,
    Transmission,
    Vehicle,
    VehicleStatus,
)
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.documents.model import Document as Paper
from showroom.identifiers import id_check_digit
from showroom.services import auth
from showroom.services import contracts as ct
from showroom.users import StaffUser
from tests.gui.conftest import Account
from tests.gui.shots import shots_dir
from tests.gui.test_deals_screen import sales  # noqa: F401
from tests.gui.test_test_drive_agreement_pdf import (  # noqa: F401
    pdf_text,
    print_font_files,
    print_fonts,
)
from tests.gui.test_test_drives_screen import sign
from ui.dialogs.deals import ContractDialog
from ui.dialogs.purchase import PurchaseDialog, SignPurchaseDialog
from ui.documents import printing
from ui.screens.deals import DealsScreen
from ui.tasks import TaskRunner

SHOTS = shots_dir("i24")
SELLER_ID = "11010519850512345" + id_check_digit("11010519850512345")


def _inspection(context: AppContext) -> None:
    now = utcnow()
    with context.database.write() as s:
        store = s.scalars(select(Store.id)).one()
        s.add(
            Inspection(
                store_id=store,
                report_no="BJ01-J2026-00007",
                status=InspectionStatus.FINAL,
                plate="京B54321",
                vin="LFV2A21K0G3012345",
                brand="大众",
                model="速腾",
                odometer_km=58_000,
                started_at=now - timedelta(hours=2),
                finalised_at=now - timedelta(hours=1),
                valuation_low=Decimal("72000"),
                valuation_high=Decimal("78000"),
            )
        )


def test_a_car_bought_from_a_customer_enters_stock_and_is_credited_on_their_purchase(
    qtbot,
    gui_context: AppContext,
    runner: TaskRunner,
    accounts: dict[str, Account],
    sales: StaffUser,  # noqa: F811
    print_fonts: None,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from PySide6.QtWidgets import QInputDialog

    from db.models import Document
    from showroom.documents import archive

    previews: list[Paper] = []
    monkeypatch.setattr(
        printing, "preview", lambda document, parent=None: previews.append(document)
    )
    monkeypatch.setattr(PurchaseDialog, "open", lambda self: None)
    monkeypatch.setattr(SignPurchaseDialog, "open", lambda self: None)
    monkeypatch.setattr(
        QInputDialog, "getText", staticmethod(lambda *a, **k: ("bj01-j2026-00007", True))
    )
    _inspection(gui_context)
    with gui_context.database.write() as s:
        manager = auth.sign_in(s, "manager", accounts["manager"].password)
    boss = DealsScreen(gui_context, runner, manager)
    qtbot.addWidget(boss)
    boss.resize(1280, 760)
    boss.tabs.setCurrentIndex(3)
    assert boss.offer_button.isEnabled()
    boss.make_offer()
    offer = boss.findChild(PurchaseDialog)
    assert offer is not None and offer.price.text() == "72000.00"
    assert "柒万贰仟元整" in offer.price_hint.text() and offer.year.value() == 2016
    offer.phone.setText("13912345678")
    offer._find_customer()
    offer.price.setText("75000")
    offer.reference.setText("6222-7788")
    # What the inspection did not record is chosen, never taken from a first entry.
    assert not any(box.isChecked() for box in offer.papers.values())
    offer.submit()
    assert "能源类型和变速箱" in offer.error.text() and offer.price.text() == "75000"
    offer.energy.setCurrentIndex(offer.energy.findData(Energy.PETROL))
    offer.transmission.setCurrentIndex(offer.transmission.findData(Transmission.AUTOMATIC))
    for name in ("机动车行驶证", "机动车登记证书"):
        offer.papers[name].setChecked(True)
    offer.submit()
    assert "身份证" in offer.error.text() and offer.price.text() == "75000"
    offer.id_number.setText(SELLER_ID)
    SHOTS.mkdir(parents=True, exist_ok=True)
    offer.grab().save(str(SHOTS / "purchase_offer.png"))
    offer.submit()
    assert offer.result() == offer.DialogCode.Accepted

    signer = boss.findChild(SignPurchaseDialog)
    assert signer is not None and "二手车收购协议" in signer.text.toPlainText()
    sign(qtbot, signer.customer_pad, 20)
    sign(qtbot, signer.consultant_pad, 40)
    signer.submit()
    assert signer.result() == signer.DialogCode.Accepted
    assert [p.title for p in previews] == ["二手车收购协议"]
    # The archived agreement holds the price in figures and capitals and both parties.
    with gui_context.database.read() as s:
        stored = s.scalars(select(Document).where(Document.number == "BJ01-P2026-000001")).one()
        pdf = archive.archived_pdf(s, stored.id)
    (SHOTS / "purchase_agreement.pdf").write_bytes(pdf)
    words = pdf_text(pdf, tmp_path).replace(" ", "")
    assert "二手车收购协议" in words and "BJ01-P2026-000001" in words
    assert "¥75,000.00" in words and "人民币柒万伍仟元整" in words
    assert "机动车行驶证、机动车登记证书" in words and "购车发票" not in words
    assert "已入库" in boss.message.text()
    cells = [boss.purchase_model.index(0, c).data() for c in range(8)]
    assert cells[0] == "BJ01-P2026-000001" and cells[7] == "已签订" and cells[5]
    boss.grab().save(str(SHOTS / "purchases_tab.png"))

    # 置换: 陈大卫 buys the showroom's car and their own car is credited.
    with gui_context.database.read() as s:
        prefill = ct.prefill_for_car(s, "BJ01-S2026-00042", "13912345678")
    dialog = ContractDialog(gui_context, runner, manager, prefill)
    qtbot.addWidget(dialog)
    dialog.trade_in_input.setText("bj01-p2026-000001")
    dialog._find_trade_in()
    assert "柒万伍仟元整" in dialog.trade_in_label.text()
    assert dialog.schedule.item(0, 1).text() == "11000.00"  # 86,000 - 75,000
    dialog.id_number.setText(SELLER_ID)
    dialog.grab().save(str(SHOTS / "contract_trade_in.png"))
    dialog.submit()
    assert dialog.result() == dialog.DialogCode.Accepted
    with gui_context.database.read() as s:
        terms = s.scalars(select(Contract.terms)).one()
        bought = s.scalars(select(Vehicle).where(Vehicle.vin == "LFV2A21K0G3012345")).one()
    assert terms["trade_in"]["purchase_no"] == "BJ01-P2026-000001"
    assert bought.status is VehicleStatus.PREPARING and bought.cost_price == Decimal("75000.00")
