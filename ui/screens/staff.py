"""员工 (manager): who works in this store, in which role, and who is locked out.

A locked account (too many wrong passwords) can be unlocked here; the unlock
goes through ``auth.unlock``, which checks the role again and audits it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from showroom.context import AppContext
from showroom.services import auth
from showroom.services.staff import StaffRow, list_staff
from showroom.users import StaffUser
from ui.errors import report_failure
from ui.screens.base import Screen
from ui.style import PALETTE, repolish
from ui.tasks import TaskRunner
from ui.widgets.icons import icon
from ui.widgets.labels import role_label
from ui.widgets.tables import RowListModel, make_table, set_column_widths

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Index = QModelIndex | QPersistentModelIndex
COL_NAME, COL_USERNAME, COL_ROLE, COL_ACTIVE, COL_SIGN_IN, COL_LAST = range(6)


class StaffModel(RowListModel):
    """The store's staff (a few dozen rows at most, so loaded whole). Emits no extra signals."""

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("姓名"),
            self.tr("用户名"),
            self.tr("岗位"),
            self.tr("账号状态"),
            self.tr("登录状态"),
            self.tr("最近登录"),
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_NAME:
                return row.display_name
            if column == COL_USERNAME:
                return row.username
            if column == COL_ROLE:
                return role_label(row.role)
            if column == COL_ACTIVE:
                return self.tr("在职") if row.active else self.tr("已停用")
            if column == COL_SIGN_IN:
                if row.locked and row.locked_until is not None:
                    return self.tr("已锁定（至 {time}）").format(
                        time=row.locked_until.astimezone().strftime("%H:%M")
                    )
                return self.tr("正常")
            if column == COL_LAST:
                if row.last_sign_in_at is None:
                    return self.tr("从未登录")
                return row.last_sign_in_at.astimezone().strftime("%Y-%m-%d %H:%M")
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == COL_SIGN_IN and row.locked:
                return QColor(PALETTE.danger)
            if column == COL_ACTIVE and not row.active:
                return QColor(PALETTE.text_muted)
        return None


class StaffScreen(Screen):
    """Staff list with unlock. Emits no signals."""

    topics: ClassVar[frozenset[str]] = frozenset({"staff"})

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, runner, user, parent)
        bar = QHBoxLayout()
        hint = QLabel(self.tr("连续输错密码的账号会被锁定；确认是本人后可在这里解锁。"), self)
        hint.setObjectName("HintText")
        bar.addWidget(hint, 1)
        self.refresh_button = QPushButton(icon("refresh"), self.tr("刷新"), self)
        self.refresh_button.clicked.connect(self.refresh)
        bar.addWidget(self.refresh_button)
        self.unlock_button = QPushButton(icon("unlock"), self.tr("解锁"), self)
        self.unlock_button.setEnabled(False)
        self.unlock_button.clicked.connect(self.unlock_selected)
        bar.addWidget(self.unlock_button)
        self.body.addLayout(bar)

        self.message_label = QLabel("", self)
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.body.addWidget(self.message_label)

        self.model = StaffModel(self)
        self.table = make_table(self)
        self.table.setModel(self.model)
        set_column_widths(
            self.table,
            {
                COL_NAME: 140,
                COL_USERNAME: 140,
                COL_ROLE: 120,
                COL_ACTIVE: 110,
                COL_SIGN_IN: 190,
            },
        )
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.modelReset.connect(self._on_selection_changed)
        self.body.addWidget(self.table, 1)
        self.refresh()

    def refresh(self) -> None:
        manager = self.user

        def work(session: Session) -> list[StaffRow]:
            return list_staff(session, manager)

        self.runner.read(work, self._on_loaded, self._on_failed)

    def _on_loaded(self, rows: list[StaffRow]) -> None:
        self.model.set_rows(rows)

    def _selected(self) -> StaffRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _on_selection_changed(self, *_args: object) -> None:
        row = self._selected()
        self.unlock_button.setEnabled(row is not None and row.locked)

    def select_username(self, username: str) -> bool:
        """Select the row of ``username`` (used by keyboard users and tests)."""
        for n in range(self.model.rowCount()):
            row = self.model.row_at(n)
            if row is not None and row.username == username:
                self.table.selectRow(n)
                return True
        return False

    def unlock_selected(self) -> None:
        row = self._selected()
        if row is None or not row.locked:
            return
        manager, staff_id, name = self.user, row.id, row.display_name

        def work(session: Session) -> str:
            auth.unlock(session, manager, staff_id)
            return name

        self.unlock_button.setEnabled(False)
        self.runner.write(work, self._on_unlocked, self._on_failed)

    def _on_unlocked(self, name: str) -> None:
        self._show(self.tr("已解锁 {name} 的账号。").format(name=name), "SuccessText")
        self.context.bus.publish({"staff", "audit"})

    def _on_failed(self, exc: BaseException) -> None:
        self._show(report_failure(exc), "ErrorText")
        self._on_selection_changed()

    def _show(self, text: str, kind: str) -> None:
        self.message_label.setObjectName(kind)
        repolish(self.message_label)  # the style sheet selects on the object name
        self.message_label.setText(text)
        self.message_label.show()
