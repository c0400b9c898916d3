"""The board says who is on duty and free, and hands the waiting queue out in arrival order."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from db.models import Customer, SourceChannel, Staff, Store, Title, Visit, VisitPurpose, VisitStatus
from showroom.clock import utcnow
from showroom.services import auth
from ui.screens.board import BoardScreen


def test_waiting_visitors_and_a_free_consultant_are_matched_by_arrival(
    qtbot, gui_context, runner, accounts
) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    with gui_context.database.write() as s:
        store_id = s.scalars(select(Store.id)).one()
        visits = []
        for n, minutes in enumerate((12, 5)):  # the first arrived 12 minutes ago
            customer = Customer(
                store_id=store_id, name="王", title=Title.MS, phone=f"1391234000{n}"
            )
            s.add(customer)
            s.flush()
            visit = Visit(
                store_id=store_id,
                visit_no=f"BJ01-V-000{n}",
                customer_id=customer.id,
                purpose=VisitPurpose.BUY,
                source_channel=SourceChannel.WALK_IN,
                status=VisitStatus.WAITING,
                arrived_at=now - timedelta(minutes=minutes),
            )
            s.add(visit)
            s.flush()
            visits.append(visit.id)
        sales1 = s.scalars(select(Staff.id).where(Staff.username == "sales1")).one()
    with gui_context.database.write() as s:
        desk = auth.sign_in(s, "reception", accounts["reception"].password)
    board = BoardScreen(gui_context, runner, desk)
    qtbot.addWidget(board)
    board.resize(1280, 760)
    board.show()
    assert "在岗空闲：孙顾问" in board.duty_label.text()
    assert "排队等候分配 2 位" in board.duty_label.text()
    # Reassigning is a choice: nobody is preselected.
    assert board.consultant_combo.currentData() is None
    assert board.offer_button.isVisible()
    board.offer_button.click()
    with gui_context.database.read() as s:
        consultants = [s.get_one(Visit, v).consultant_id for v in visits]
    assert consultants == [sales1, None]  # the longest waiting first, one each
    assert not board.offer_button.isVisible()
