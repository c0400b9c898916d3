"""尾号 at the desk, leads walking in, and the duplicate question on the shared database's path.

Key presses are counted like a receptionist's: a tail-number check-in is the four
digits and Enter (five presses) when one customer matches.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from db.models import (
    Customer,
    Interaction,
    InteractionChannel,
    Lead,
    LeadStatus,
    SourceChannel,
    Staff,
    Store,
    Title,
    Visit,
    VisitPurpose,
)
from db.sync.outbox import Outbox
from showroom.context import AppContext
from showroom.services import auth
from showroom.sync.service import SyncService
from showroom.users import StaffUser
from tests.gui.conftest import Account
from tests.gui.test_reception import KeyCounter
from ui.screens.reception import CheckInScreen
from ui.tasks import TaskRunner

LEAD = uuid.UUID(int=99)


@pytest.fixture
def desk(qtbot, gui_context: AppContext, accounts: dict[str, Account]) -> StaffUser:  # type: ignore[no-untyped-def]
    with gui_context.database.write() as s:
        store_id = s.scalars(select(Store.id)).one()
        sales = s.scalars(select(Staff).where(Staff.username == "sales1")).one()
        sales.on_duty = True
        for name, title, phone in (
            ("薛", Title.MS, "13812340186"),
            ("李", Title.MR, "13998760186"),
            ("王", Title.MS, "15000010186"),
            ("赵", Title.MR, "13600005678"),
        ):
            s.add(Customer(store_id=store_id, name=name, title=title, phone=phone))
        now = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # the desk finds open leads at any time
        s.add(
            Lead(
                id=LEAD,
                store_id=store_id,
                phone="13977770186",
                name="周",
                title=Title.MR,
                source_channel=SourceChannel.LISTING_PLATFORM,
                platform="懂车帝",
                vehicle_text="2021款 丰田 凯美瑞",
                owner_id=sales.id,
                received_at=now - timedelta(hours=2),
                due_at=now + timedelta(hours=22),
                first_contact_at=now - timedelta(hours=1),
                status=LeadStatus.CONTACTED,
            )
        )
        s.flush()
        s.add(
            Interaction(
                lead_id=LEAD,
                staff_id=sales.id,
                channel=InteractionChannel.PHONE,
                at=now - timedelta(hours=1),
                summary="约了今天下午看车",
            )
        )
    with gui_context.database.write() as s:
        return auth.sign_in(s, "reception", accounts["reception"].password)


def _screen(qtbot, gui_context, runner, user) -> CheckInScreen:  # type: ignore[no-untyped-def]
    screen = CheckInScreen(gui_context, runner, user)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    screen.activateWindow()
    qtbot.waitUntil(lambda: screen.entry.hasFocus(), timeout=2000)
    return screen


def _visits(gui_context: AppContext) -> list[Visit]:
    with gui_context.database.read() as s:
        return list(s.scalars(select(Visit)))


def test_four_digits_list_every_match_masked_and_enter_asks_to_choose(
    qtbot, gui_context, runner, desk
) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, desk)
    keys = KeyCounter(qtbot)
    keys.text("0186")
    qtbot.waitUntil(lambda: screen.match_list.count() == 4, timeout=2000)
    shown = [screen.match_list.item(n).text() for n in range(4)]
    assert shown[0].startswith("薛女士　138****0186")
    assert shown[1].startswith("李先生　139****0186")
    assert shown[2].startswith("王女士　150****0186")
    assert shown[3].startswith("周先生　139****0186") and "线索" in shown[3]
    assert not any("1234" in text or "9876" in text for text in shown)
    keys.key(Qt.Key.Key_Return)
    assert "有 4 位客户匹配" in screen.message.text()
    assert _visits(gui_context) == []
    # ↓ picks the second, Enter takes it to the panel, Enter checks in.
    keys.key(Qt.Key.Key_Down)
    keys.key(Qt.Key.Key_Return)
    assert screen.customer_title.text().startswith("李先生")
    keys.key(Qt.Key.Key_Return)
    assert len(_visits(gui_context)) == 1
    assert "已签到：李先生" in screen.message.text()


def test_a_unique_tail_checks_in_with_one_enter(qtbot, gui_context, runner, desk) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, desk)
    keys = KeyCounter(qtbot)
    keys.text("0187")  # nobody: said plainly, nothing happens
    keys.key(Qt.Key.Key_Return)
    assert "没有这个尾号的客户" in screen.message.text()
    keys.key(Qt.Key.Key_Escape)

    keys = KeyCounter(qtbot)
    keys.text("5678")  # 尾号 5678: one customer
    qtbot.waitUntil(lambda: screen.match_list.count() == 1, timeout=2000)
    assert screen.customer_title.text() == "赵先生　136****5678"  # "赵先生？"
    keys.key(Qt.Key.Key_Return)
    assert keys.presses == 5
    assert len(_visits(gui_context)) == 1
    assert screen.message.text().startswith("已签到：赵先生")
    assert screen.entry.hasFocus() and screen.entry.text() == ""

    keys = KeyCounter(qtbot)
    keys.text("40186")  # five digits narrow 0186 to 薛女士 alone
    qtbot.waitUntil(lambda: screen.match_list.count() == 1, timeout=2000)
    assert screen.customer_title.text() == "薛女士　138****0186"
    keys.key(Qt.Key.Key_Return)
    assert keys.presses == 6
    visits = _visits(gui_context)
    with gui_context.database.read() as s:
        phones = {s.get_one(Customer, v.customer_id).phone for v in visits}
    assert phones == {"13600005678", "13812340186"}


def test_a_lead_found_by_tail_becomes_the_customer_and_goes_to_its_consultant(
    qtbot, gui_context, runner, desk
) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, desk)
    keys = KeyCounter(qtbot)
    keys.text("70186")
    qtbot.waitUntil(lambda: screen.match_list.count() == 1, timeout=2000)
    assert "线索" in screen.customer_facts.text()
    keys.key(Qt.Key.Key_Return)
    dialog = screen.dialog
    assert dialog is not None and dialog.lead is not None
    assert dialog.name_edit.text() == "周" and dialog.phone_edit.text() == "139****0186"
    assert dialog.phone_edit.isReadOnly() and "孙顾问" in dialog.lead_label.text()
    dialog.consent_check.setChecked(True)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    (visit,) = _visits(gui_context)
    with gui_context.database.read() as s:
        customer = s.get_one(Customer, visit.customer_id)
        lead = s.get_one(Lead, LEAD)
        moved = s.scalars(select(Interaction)).one()
        consultant = s.get_one(Staff, visit.consultant_id)
        assert s.scalar(select(func.count()).select_from(Customer)) == 5  # 4 + the lead
    assert (
        customer.phone == "13977770186"
        and customer.source_channel is SourceChannel.LISTING_PLATFORM
    )
    assert lead.customer_id == customer.id and lead.status is LeadStatus.VISITED
    assert moved.customer_id == customer.id  # the lead's call is on the customer's timeline
    assert consultant.username == "sales1"
    assert "已签到：周先生" in screen.message.text()


def test_on_the_shared_path_a_taken_number_asks_and_keeps_what_was_typed(
    qtbot, gui_context, runner: TaskRunner, desk, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    sync = SyncService(gui_context.database, Outbox(tmp_path / "outbox.sqlite3"))
    sync.online = True
    runner.sync = sync  # the path a store on the shared database runs
    screen = _screen(qtbot, gui_context, runner, desk)
    screen.open_new_customer()
    dialog = screen.dialog
    dialog.name_edit.setText("薛")
    dialog.phone_edit.setText("138 1234 0186")
    dialog.consent_check.setChecked(True)
    dialog.purpose_combo.setCurrentIndex(dialog.purpose_combo.findData(VisitPurpose.TEST_DRIVE))
    dialog.party_spin.setValue(3)
    dialog.ok_button.click()
    assert dialog.isVisible()
    assert "薛女士" in dialog.error_label.text() and "138****0186" in dialog.error_label.text()
    assert dialog.existing_button.isVisible()
    assert dialog.name_edit.text() == "薛" and dialog.party_spin.value() == 3
    assert _visits(gui_context) == [] and sync.state().pending == 0
    dialog.existing_button.click()
    assert screen.customer_title.text().startswith("薛女士")
    assert screen.purpose_combo.currentData() == VisitPurpose.TEST_DRIVE  # carried over
    assert screen.party_spin.value() == 3
    screen.submit()
    (visit,) = _visits(gui_context)
    assert visit.party_size == 3 and visit.purpose is VisitPurpose.TEST_DRIVE
