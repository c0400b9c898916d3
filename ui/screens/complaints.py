"""投诉: every complaint with its owner and deadline, overdue ones first and in red.

Record a complaint, hand it to someone else (manager or owner), record how it
was resolved. The deadline column says how long is left or that it is overdue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QWidget,
)

from db.enums import Role
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.services import complaints as cp
from showroom.sync.after_sales_ops import reassign_payload
from showroom.users import StaffUser
from ui.dialogs.complaint import ComplaintDialog, ResolveComplaintDialog, complaints_text
from ui.dialogs.service import STORE_ZONE
from ui.errors import report_failure
from ui.screens.base import Screen
from ui.tasks import TaskRunner
from ui.widgets.tables import RowListModel, make_table, set_column_widths

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Index = QModelIndex | QPersistentModelIndex
LATE = QColor("#c5221f")
MUTED = QColor("#80868b")


class ComplaintModel(RowListModel):
    """Complaints, overdue first. No extra signals."""

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("编号"),
            self.tr("受理时间"),
            self.tr("客户"),
            self.tr("类别"),
            self.tr("涉及"),
            self.tr("内容"),
            self.tr("负责人"),
            self.tr("答复期限"),
            self.tr("状态"),
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row: cp.ComplaintRow | None = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.overdue:
                return LATE
            return MUTED if row.status == "resolved" else None
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 5:
            return row.description + (f"\n\n{row.resolution}" if row.resolution else "")
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        due = row.due_at.astimezone(STORE_ZONE)
        status = complaints_text(row.status_label)
        if row.overdue:
            status = self.tr("已超时")
        elif row.status == "resolved" and row.satisfaction:
            status += self.tr("（满意度 {n}）").format(n=row.satisfaction)
        return (
            row.complaint_no,
            f"{row.received_at.astimezone(STORE_ZONE):%m-%d %H:%M}",
            f"{row.customer_name} {row.phone_masked}",
            complaints_text(row.topic_label),
            row.about,
            row.description.replace("\n", " ")[:60],
            row.owner_name,
            f"{due:%m-%d %H:%M}",
            status,
        )[index.column()]


class ComplaintsScreen(Screen):
    """The store's complaints. Emits no signals of its own."""

    topics: ClassVar[frozenset[str]] = frozenset({"complaints"})

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, runner, user, parent)
        title = QLabel(self.tr("投诉"), self)
        title.setObjectName("ScreenTitle")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        self.open_only = QCheckBox(self.tr("只看未处理"), self)
        self.open_only.setChecked(True)
        self.open_only.toggled.connect(self.refresh)
        top.addWidget(self.open_only)
        self.new_button = QPushButton(self.tr("登记投诉"), self)
        self.new_button.clicked.connect(self.record)
        top.addWidget(self.new_button)
        self.body.addLayout(top)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.body.addWidget(self.summary)
        self.model = ComplaintModel(self)
        self.table = make_table(self)
        self.table.setModel(self.model)
        set_column_widths(
            self.table, {0: 150, 1: 90, 2: 150, 3: 80, 4: 150, 6: 80, 7: 90, 8: 110}, stretch=5
        )
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.body.addWidget(self.table, 1)
        actions = QHBoxLayout()
        self.reassign_button = QPushButton(self.tr("转交他人"), self)
        self.reassign_button.clicked.connect(self.reassign)
        self.resolve_button = QPushButton(self.tr("登记处理结果"), self)
        self.resolve_button.clicked.connect(self.resolve)
        actions.addWidget(self.reassign_button)
        actions.addWidget(self.resolve_button)
        actions.addStretch(1)
        self.body.addLayout(actions)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.body.addWidget(self.message)
        self._update_actions()
        self.refresh()

    def refresh(self) -> None:
        store, open_only, now = self.user.store_id, self.open_only.isChecked(), utcnow()

        def work(session: Session) -> tuple[list[cp.ComplaintRow], int]:
            rows = cp.list_complaints(session, store, now=now, open_only=open_only)
            return rows, len(cp.overdue(session, store, now))

        self.runner.read(work, self._loaded, self._failed)

    def _loaded(self, result: tuple[list[cp.ComplaintRow], int]) -> None:
        rows, late = result
        self.model.set_rows(rows)
        open_count = sum(1 for r in rows if r.status == "open")
        text = self.tr("未处理 {open} 条，其中超时 {late} 条").format(open=open_count, late=late)
        self.summary.setText(text)
        self.summary.setObjectName("ErrorText" if late else "HintText")
        self.summary.style().unpolish(self.summary)
        self.summary.style().polish(self.summary)
        self._update_actions()

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(report_failure(exc))
        self.message.setStyleSheet("color:#c5221f;")

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("")

    def selected(self) -> cp.ComplaintRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_actions(self) -> None:
        row = self.selected()
        mine = row is not None and (
            row.owner_id == self.user.id or self.user.has_role(Role.MANAGER)
        )
        is_open = row is not None and row.status == "open"
        self.reassign_button.setEnabled(mine and is_open)
        self.resolve_button.setEnabled(mine and is_open)

    def _changed(self, *_: object) -> None:
        self.context.bus.publish({"complaints"})
        self.refresh()

    def record(self) -> None:
        dialog = ComplaintDialog(self.context, self.runner, self.user, self)
        dialog.succeeded.connect(self._recorded)
        dialog.open()

    def _recorded(self, result: object) -> None:
        if isinstance(result, cp.RecordedComplaint):
            due = result.due_at.astimezone(STORE_ZONE)
            self._say(
                self.tr("投诉 {no} 已登记，负责人 {owner}，请在 {due} 前答复客户。").format(
                    no=result.complaint_no, owner=result.owner_name, due=f"{due:%m-%d %H:%M}"
                )
            )
        else:
            self._say(self.tr("投诉已保存在本机，网络恢复后自动同步并编号。"))
        self._changed()

    def resolve(self) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = ResolveComplaintDialog(self.context, self.runner, self.user, row, self)
        dialog.succeeded.connect(self._resolved)
        dialog.open()

    def _resolved(self, _result: object) -> None:
        self._say(self.tr("处理结果已登记。"))
        self._changed()

    def reassign(self) -> None:
        row = self.selected()
        if row is None:
            return
        store = self.user.store_id
        self.runner.read(
            lambda s: cp.owners(s, store),
            lambda choices: self._ask_owner(row, choices),
            self._failed,
        )

    def _ask_owner(self, row: cp.ComplaintRow, choices: list[cp.StaffChoice]) -> None:
        others = [c for c in choices if c.id != row.owner_id]
        if not others:
            self._say(self.tr("本店没有其他可转交的员工。"))
            return
        name, ok = QInputDialog.getItem(
            self,
            self.tr("转交投诉"),
            self.tr("把投诉 {no} 转交给：").format(no=row.complaint_no),
            [c.name for c in others],
            0,
            False,
        )
        if not ok:
            return
        owner = next(c for c in others if c.name == name)
        payload = reassign_payload(self.user, row.id, owner.id)
        self.runner.submit(
            "complaint.reassign", payload, self._reassigned, self._reassigned, self._failed
        )

    def _reassigned(self, name: object) -> None:
        self._say(self.tr("投诉已转交 {name}。").format(name=name if isinstance(name, str) else ""))
        self._changed()
