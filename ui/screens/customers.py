"""客户: find a customer by phone digits or name; phones are masked.

A full number is shown only after the staff member asks for it (显示完整号码),
their role allows it, and the audit log has recorded that they looked. The
revealed number lives only in this screen's memory for that row and is masked
again on the next reload.

The list opens a customer's record (Enter or a double click), the edit form
(编辑资料) and the contact log (记录沟通); the manager defines the store's tags here.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from showroom.context import AppContext
from showroom.roles import may_reveal_personal_data
from showroom.services import customers
from showroom.services.customers import CustomerRow
from showroom.users import StaffUser
from ui.errors import report_failure
from ui.screens.base import Screen
from ui.tasks import TaskRunner
from ui.widgets.icons import icon
from ui.widgets.labels import INTENT_GRADES, SOURCE_CHANNELS, TITLES, label
from ui.widgets.paged_model import PagedTableModel
from ui.widgets.tables import make_table, set_column_widths

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SEARCH_DELAY_MS = 200
COL_NAME, COL_PHONE, COL_GRADE, COL_OWNER, COL_SOURCE, COL_CREATED = range(6)


class CustomersModel(PagedTableModel):
    """Customers matching the search text, newest first, phones masked.

    Signals: inherited from ``PagedTableModel``.
    """

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(runner, "", parent)

    def headers(self) -> Sequence[str]:
        return (
            self.tr("姓名"),
            self.tr("手机号"),
            self.tr("意向等级"),
            self.tr("负责顾问"),
            self.tr("来源"),
            self.tr("登记时间"),
        )

    @staticmethod
    def count_rows(session: Session, query: Any) -> int:
        return customers.count_customers(session, query)

    @staticmethod
    def load_rows(
        session: Session, query: Any, offset: int, limit: int, sort: str | None, descending: bool
    ) -> list[Any]:
        return customers.list_customers(session, query, offset=offset, limit=limit)

    def display(self, row: CustomerRow, column: int) -> Any:
        if column == COL_NAME:
            title = label(TITLES, row.title) if row.title in TITLES else ""
            return f"{row.name} {title}".strip()
        if column == COL_PHONE:
            return row.phone_masked
        if column == COL_GRADE:
            return label(INTENT_GRADES, row.intent_grade) if row.intent_grade else "—"
        if column == COL_OWNER:
            return row.owner_name or self.tr("未分配")
        if column == COL_SOURCE:
            return label(SOURCE_CHANNELS, row.source_channel)
        if column == COL_CREATED:
            return row.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        return None

    def row_for_customer(self, customer_id: uuid.UUID) -> int:
        for n in range(self.rowCount()):
            row = self.row_at(n)
            if row is not None and row.id == customer_id:
                return n
        return -1


class CustomersScreen(Screen):
    """Search and list customers; reveal a full number when allowed. Emits no signals."""

    topics: ClassVar[frozenset[str]] = frozenset({"customers"})

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, runner, user, parent)
        bar = QHBoxLayout()
        bar.setSpacing(10)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("输入手机号（可只输部分数字）或姓名"))
        self.search.addAction(icon("search", "#5f6b7a"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(360)
        self.search.textChanged.connect(self._on_search_typed)
        bar.addWidget(self.search, 2)
        bar.addStretch(1)
        self.count_label = QLabel(self.tr("正在加载…"), self)
        self.count_label.setObjectName("CountLabel")
        bar.addWidget(self.count_label)
        self.reveal_button = QPushButton(icon("eye"), self.tr("显示完整号码"), self)
        self.reveal_button.setToolTip(self.tr("查看会记入审计日志"))
        self.reveal_button.setEnabled(False)
        self.reveal_button.setVisible(may_reveal_personal_data(user))
        self.reveal_button.clicked.connect(self.reveal_selected)
        bar.addWidget(self.reveal_button)
        self.body.addLayout(bar)

        actions = QHBoxLayout()
        actions.setSpacing(10)
        may_edit = user.has_any(*customers.MAY_EDIT)
        self.record_button = QPushButton(icon("clipboard"), self.tr("客户档案（回车）"), self)
        self.record_button.setEnabled(False)
        self.record_button.clicked.connect(self.open_record)
        self.edit_button = QPushButton(self.tr("编辑资料…"), self)
        self.edit_button.setEnabled(False)
        self.edit_button.setVisible(may_edit)
        self.edit_button.clicked.connect(self.open_edit)
        self.contact_button = QPushButton(icon("phone"), self.tr("记录沟通…"), self)
        self.contact_button.setEnabled(False)
        self.contact_button.setVisible(may_edit)
        self.contact_button.clicked.connect(self.open_contact)
        self.tags_button = QPushButton(self.tr("客户标签…"), self)
        self.tags_button.setToolTip(self.tr("设置本店可用的客户标签"))
        self.tags_button.setVisible(user.is_manager)
        self.tags_button.clicked.connect(self.open_tags)
        for button in (self.record_button, self.edit_button, self.contact_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.tags_button)
        self.body.addLayout(actions)

        self.message_label = QLabel("", self)
        self.message_label.setObjectName("SuccessText")
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.body.addWidget(self.message_label)
        self.error_label = QLabel("", self)
        self.error_label.setObjectName("ErrorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.body.addWidget(self.error_label)

        self.model = CustomersModel(runner, self)
        self.model.totalChanged.connect(self._on_total)
        self.model.failed.connect(self._show_error)
        self.model.modelReset.connect(self._on_selection_changed)
        self.table = make_table(self)
        self.table.setModel(self.model)
        set_column_widths(
            self.table,
            {
                COL_NAME: 160,
                COL_PHONE: 150,
                COL_GRADE: 150,
                COL_OWNER: 130,
                COL_SOURCE: 130,
            },
        )
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.body.addWidget(self.table, 1)
        self.table.installEventFilter(self)  # Enter on a row opens its record

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self._apply_search)
        self.model.reload()

    # --- search ------------------------------------------------------------------------

    def _on_search_typed(self, _text: str) -> None:
        self._debounce.start()

    def _apply_search(self) -> None:
        self._debounce.stop()
        self.message_label.hide()
        self.error_label.hide()
        self.count_label.setText(self.tr("正在加载…"))
        self.model.set_query(self.search.text())

    def refresh(self) -> None:
        self.model.refresh_in_place()  # a live change keeps scroll and selection

    def _on_total(self, total: int) -> None:
        self.count_label.setText(self.tr("共 {count} 位客户").format(count=f"{total:,}"))

    # --- reveal ------------------------------------------------------------------------

    def _selected_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _on_selection_changed(self, *_args: object) -> None:
        row = self.model.row_at(self._selected_row())
        self.reveal_button.setEnabled(row is not None and "*" in row.phone_masked)
        for button in (self.record_button, self.edit_button, self.contact_button):
            button.setEnabled(row is not None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.open_record()
            return True
        return super().eventFilter(watched, event)

    def _on_double_clicked(self, index: Any) -> None:
        if index.column() == COL_PHONE and self.reveal_button.isVisible():
            self.reveal_selected()
            return
        self.open_record()

    # --- the record, the edit form, a contact -------------------------------------------------

    def _selected(self) -> CustomerRow | None:
        return self.model.row_at(self._selected_row())

    def open_record(self) -> None:
        row = self._selected()
        if row is None:
            return
        from ui.dialogs.customer_record import CustomerRecordDialog

        self.record_dialog = CustomerRecordDialog(
            self.context, self.runner, self.user, row.id, self
        )
        self.record_dialog.open()

    def open_edit(self) -> None:
        row = self._selected()
        if row is None or not self.user.has_any(*customers.MAY_EDIT):
            return
        from ui.dialogs.customer_edit import CustomerEditDialog

        self.edit_dialog = CustomerEditDialog(
            self.context, self.runner, self.user, row.id, parent=self
        )
        self.edit_dialog.saved.connect(self._on_saved)
        self.edit_dialog.open()

    def _on_saved(self, _saved: object) -> None:
        self._say(self.tr("客户资料已保存。"))

    def open_contact(self) -> None:
        row = self._selected()
        if row is None or not self.user.has_any(*customers.MAY_EDIT):
            return
        from ui.dialogs.interaction import InteractionDialog

        self.contact_dialog = InteractionDialog(
            self.context,
            self.runner,
            self.user,
            heading=self.tr("与 {name}（{phone}）的沟通").format(
                name=self.model.display(row, COL_NAME), phone=row.phone_masked
            ),
            customer_id=row.id,
            parent=self,
        )
        self.contact_dialog.saved.connect(self._on_contact)
        self.contact_dialog.open()

    def _on_contact(self, result: object) -> None:
        from showroom.sync.service import Submitted

        if isinstance(result, Submitted) and result.queued:
            self._say(self.tr("待同步：网络断开，沟通记录已保存在本机，恢复连接后自动登记。"))
            return
        self.context.bus.publish(frozenset({"interactions", "follow_ups", "customers"}))
        self._say(self.tr("沟通记录已保存。"))

    def open_tags(self) -> None:
        from ui.dialogs.customer_tags import CustomerTagsDialog

        self.tags_dialog = CustomerTagsDialog(self.context, self.runner, self.user, self)
        self.tags_dialog.open()

    def _say(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.show()
        self.error_label.hide()

    def reveal_selected(self) -> None:
        row = self.model.row_at(self._selected_row())
        if row is None or not may_reveal_personal_data(self.user):
            return
        user, customer_id = self.user, row.id

        def work(session: Session) -> tuple[uuid.UUID, str]:
            return customer_id, customers.reveal_phone(session, user, customer_id)

        self.reveal_button.setEnabled(False)
        self.runner.write(work, self._on_revealed, self._on_reveal_failed)

    def _on_revealed(self, result: tuple[uuid.UUID, str]) -> None:
        customer_id, phone = result
        self.context.bus.publish({"audit"})
        n = self.model.row_for_customer(customer_id)
        row = self.model.row_at(n)
        if row is None:
            return
        self.model.replace_row(n, dataclasses.replace(row, phone_masked=phone))
        self.message_label.setText(
            self.tr("已显示 {name} 的完整号码，此次查看已记入审计日志。").format(name=row.name)
        )
        self.message_label.show()
        self.error_label.hide()
        self._on_selection_changed()

    def _on_reveal_failed(self, exc: BaseException) -> None:
        self._show_error(report_failure(exc))

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self.message_label.hide()
        self._on_selection_changed()
