"""客户标签: the store's own tags (老客户介绍, 企业客户, 急需用车 …), defined by the manager.

A tag is added, renamed, or switched off; a switched-off tag stays on the
customers who have it but is no longer offered. Each save is the
``customer.tag_save`` operation (it needs the connection).
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from showroom.context import AppContext
from showroom.services import customers
from showroom.services.customers import TagRow
from showroom.sync import customer_ops
from showroom.users import StaffUser
from ui.errors import report_failure
from ui.style import repolish
from ui.tasks import TaskRunner
from ui.widgets.limits import with_counter


class CustomerTagsDialog(QDialog):
    """Publishes ``customers`` after a change; emits no signals of its own."""

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("客户标签"))
        self.setMinimumSize(520, 460)
        self.context, self.runner, self.user = context, runner, user
        self.tags: list[TagRow] = []

        hint = QLabel(
            self.tr("员工在客户资料里勾选这些标签。停用的标签保留在已有客户上，不再供选择。"), self
        )
        hint.setObjectName("HintText")
        hint.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.currentRowChanged.connect(self._on_selected)
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText(self.tr("新标签名称，例如：企业客户"))
        self.name_edit.returnPressed.connect(self.add)
        name_row, self.counter = with_counter(self.name_edit, "tag.name", self)
        self.add_button = QPushButton(self.tr("添加"), self)
        self.add_button.clicked.connect(self.add)
        name_row.addWidget(self.add_button)
        self.rename_button = QPushButton(self.tr("改名为上面的名称"), self)
        self.rename_button.clicked.connect(self.rename)
        self.toggle_button = QPushButton(self.tr("停用"), self)
        self.toggle_button.clicked.connect(self.toggle)
        for button in (self.rename_button, self.toggle_button):
            button.setEnabled(False)
            button.setAutoDefault(False)
        row = QHBoxLayout()
        row.addWidget(self.rename_button)
        row.addWidget(self.toggle_button)
        row.addStretch(1)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.message.hide()
        close = QPushButton(self.tr("关闭"), self)
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(hint)
        layout.addWidget(self.list, 1)
        layout.addLayout(name_row)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addLayout(bottom)
        self.reload()

    def reload(self) -> None:
        store_id = self.user.store_id

        def work(session: Session) -> list[TagRow]:
            return customers.list_tags(session, store_id, active_only=False)

        self.runner.read(work, self._on_tags, self._failed)

    def _on_tags(self, tags: list[TagRow]) -> None:
        self.tags = tags
        self.list.clear()
        for tag in tags:
            text = self.tr("{name}（{n} 位客户）").format(name=tag.name, n=tag.customers)
            if not tag.active:
                text += self.tr(" · 已停用")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, tag.id)
            self.list.addItem(item)
        self._on_selected(self.list.currentRow())

    def _current(self) -> TagRow | None:
        row = self.list.currentRow()
        return self.tags[row] if 0 <= row < len(self.tags) else None

    def _on_selected(self, _row: int) -> None:
        tag = self._current()
        self.rename_button.setEnabled(tag is not None)
        self.toggle_button.setEnabled(tag is not None)
        self.toggle_button.setText(self.tr("启用") if tag and not tag.active else self.tr("停用"))

    def add(self) -> None:
        self._save(self.name_edit.text(), None, True)

    def rename(self) -> None:
        tag = self._current()
        if tag is not None:
            self._save(self.name_edit.text(), tag.id, tag.active)

    def toggle(self) -> None:
        tag = self._current()
        if tag is not None:
            self._save(tag.name, tag.id, not tag.active)

    def _save(self, name: str, tag_id: uuid.UUID | None, active: bool) -> None:
        if self.counter.over:
            self._say(self.tr("标签名称最多 {n} 个字。").format(n=self.counter.limit), error=True)
            return
        payload = customer_ops.tag_payload(self.user, name, tag_id=tag_id, active=active)
        self.runner.submit("customer.tag_save", payload, self._saved, self._saved, self._failed)

    def _saved(self, _result: object) -> None:
        self.name_edit.clear()
        self.context.bus.publish(frozenset({"customers", "audit"}))
        self._say(self.tr("已保存。"), error=False)
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        self._say(report_failure(exc), error=True)

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setObjectName("ErrorText" if error else "SuccessText")
        repolish(self.message)
        self.message.setText(text)
        self.message.show()
