"""The customer list masks phones; revealing one is allowed by role and audited."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from db.models import AuditEntry, Customer, Role, Title
from showroom.context import AppContext
from showroom.services import auth
from showroom.services.auth import StaffUser
from tests.gui.conftest import Account
from ui.screens.customers import COL_NAME, COL_PHONE, CustomersScreen
from ui.tasks import TaskRunner

PEOPLE = (
    ("张伟", "13812345678", Title.MR),
    ("李娜", "13912340000", Title.MS),
    ("王芳", "15000001234", Title.NONE),
)


@pytest.fixture
def customers(gui_context: AppContext, accounts: dict[str, Account]) -> None:
    with gui_context.database.write() as s:
        from db.models import Store

        store_id = s.scalars(select(Store.id)).one()
        for n, (name, phone, title) in enumerate(PEOPLE):
            s.add(
                Customer(
                    id=uuid.UUID(int=n + 1), store_id=store_id, name=name, phone=phone, title=title
                )
            )


def _user(gui_context: AppContext, account: Account) -> StaffUser:
    with gui_context.database.write() as s:
        return auth.sign_in(s, account.username, account.password)


def _screen(qtbot, gui_context, runner, user) -> CustomersScreen:  # type: ignore[no-untyped-def]
    screen = CustomersScreen(gui_context, runner, user)
    qtbot.addWidget(screen)
    screen.show()
    return screen


def _phones(screen: CustomersScreen) -> dict[str, str]:
    model = screen.model
    return {model.row_at(n).name: model.index(n, COL_PHONE).data() for n in range(model.rowCount())}


def test_phones_are_masked_in_the_list(qtbot, gui_context, runner, accounts, customers) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, _user(gui_context, accounts["reception"]))
    assert _phones(screen) == {"张伟": "138****5678", "李娜": "139****0000", "王芳": "150****1234"}
    names = {screen.model.index(n, COL_NAME).data() for n in range(3)}
    assert names == {"张伟 先生", "李娜 女士", "王芳"}
    assert screen.count_label.text() == "共 3 位客户"


def test_search_by_phone_digits(qtbot, gui_context, runner, accounts, customers) -> None:  # type: ignore[no-untyped-def]
    screen = _screen(qtbot, gui_context, runner, _user(gui_context, accounts["reception"]))
    qtbot.keyClicks(screen.search, "0000")
    qtbot.waitUntil(lambda: screen.model.total == 2, timeout=2000)
    assert set(_phones(screen)) == {"李娜", "王芳"}


def test_reveal_shows_the_number_and_writes_an_audit_entry(
    qtbot,
    gui_context: AppContext,
    runner: TaskRunner,
    accounts,
    customers,  # type: ignore[no-untyped-def]
) -> None:
    user = _user(gui_context, accounts["reception"])
    screen = _screen(qtbot, gui_context, runner, user)
    assert screen.reveal_button.isVisible() and not screen.reveal_button.isEnabled()
    row = next(n for n in range(3) if screen.model.row_at(n).name == "张伟")
    screen.table.selectRow(row)
    assert screen.reveal_button.isEnabled()
    screen.reveal_button.click()
    assert screen.model.index(row, COL_PHONE).data() == "13812345678"
    assert "记入审计日志" in screen.message_label.text()
    assert not screen.reveal_button.isEnabled()  # already shown in full
    with gui_context.database.read() as s:
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert (entry.action, entry.entity, entry.entity_id, entry.detail, entry.staff_id) == (
        "personal_data_revealed",
        "customer",
        str(uuid.UUID(int=1)),
        {"field": "phone"},
        user.id,
    )
    # The other rows stay masked, and a reload masks this one again.
    assert _phones(screen)["李娜"] == "139****0000"
    screen.refresh()
    assert _phones(screen)["张伟"] == "138****5678"


def test_an_appraiser_sees_no_reveal_action(
    qtbot, gui_context, runner, accounts, customers
) -> None:  # type: ignore[no-untyped-def]
    user = _user(gui_context, accounts["appraiser1"])
    assert user.roles == {Role.APPRAISER}
    screen = _screen(qtbot, gui_context, runner, user)
    assert not screen.reveal_button.isVisible()
    screen.table.selectRow(0)
    screen.reveal_selected()
    assert all("****" in phone for phone in _phones(screen).values())
    with gui_context.database.read() as s:
        assert "personal_data_revealed" not in set(s.scalars(select(AuditEntry.action)))
