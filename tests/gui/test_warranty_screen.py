"""保修索赔 on screen: a claim against a sold car, the appraiser's decision, the form."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import Document
from showroom.context import AppContext
from showroom.documents import archive
from showroom.documents.model import Document as Paper
from showroom.services import auth
from showroom.users import StaffUser
from tests.db.test_warranty import jpeg
from tests.gui.conftest import Account
from tests.gui.shots import shots_dir
from tests.gui.test_deals_screen import sales  # noqa: F401
from tests.gui.test_test_drive_agreement_pdf import (  # noqa: F401
    pdf_text,
    print_font_files,
    print_fonts,
)
from tests.gui.test_vehicle_return import _sold
from ui.dialogs.warranty_claim import ClaimDialog, DecisionDialog
from ui.documents import printing
from ui.screens.warranty import WarrantyScreen
from ui.tasks import TaskRunner

SHOTS = shots_dir("i24")


def test_a_claim_is_opened_decided_and_its_form_archived(
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
    monkeypatch.setattr(ClaimDialog, "open", lambda self: None)
    monkeypatch.setattr(DecisionDialog, "open", lambda self: None)
    number = _sold(gui_context, sales)

    desk = WarrantyScreen(gui_context, runner, sales)
    qtbot.addWidget(desk)
    desk.open_claim()
    dialog = desk.findChild(ClaimDialog)
    assert dialog is not None
    dialog.sale.setText("京A12345")
    dialog._find_sale()
    assert dialog.sale_id is not None
    dialog.symptom.setPlainText("冷车启动时发动机抖动，故障灯亮")
    dialog.mileage.setText("32,400")
    dialog.add_photos([jpeg()])
    dialog.submit()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert "BJ01-W2026-000001" in desk.message.text()
    assert desk.model.rowCount() == 1
    desk.table.selectRow(0)
    assert not desk.decide_button.isEnabled()  # sales opens, the appraiser decides

    with gui_context.database.write() as s:
        appraiser = auth.sign_in(s, "appraiser1", accounts["appraiser1"].password)
    bay = WarrantyScreen(gui_context, runner, appraiser)
    qtbot.addWidget(bay)
    bay.resize(1280, 720)
    bay.filter.setText("13812345678")  # the customer's claims
    bay.refresh()
    assert bay.model.rowCount() == 1
    bay.table.selectRow(0)
    assert bay.decide_button.isEnabled() and not bay.print_button.isEnabled()
    bay.decide()
    decision = bay.findChild(DecisionDialog)
    assert decision is not None and decision.covered.isChecked()
    decision.submit()
    assert "检查诊断" in decision.error.text()
    decision.diagnosis.setPlainText("点火线圈老化，属发动机自身故障")
    decision.reason.setPlainText("交车后 30 天内，发动机自身质量问题")
    decision.cost.setText("680")
    SHOTS.mkdir(parents=True, exist_ok=True)
    decision.grab().save(str(SHOTS / "warranty_decision.png"))
    decision.submit()
    assert decision.result() == decision.DialogCode.Accepted
    assert [p.title for p in previews] == ["保修索赔单"]
    assert bay.model.index(0, 7).data() == "保修（免费维修）"
    bay.grab().save(str(SHOTS / "warranty_screen.png"))
    with gui_context.database.read() as s:
        stored = s.scalars(select(Document).where(Document.number.like("BJ01-W%"))).one()
        pdf = archive.archived_pdf(s, stored.id)
    words = pdf_text(pdf, tmp_path).replace(" ", "")
    assert "保修索赔单" in words and number in words and "人民币零元整" in words
    (SHOTS / "warranty_claim.pdf").write_bytes(pdf)
    bay.table.selectRow(0)
    bay.print_form()  # a second print is a marked copy
    assert previews[-1].copy_no == 1
