"""审计日志 (manager): the newest audit entries and a check of the whole hash chain.

The check walks every entry, which takes a while on a big log, so it runs in
the background with the button disabled; the result is stated plainly (intact,
or which entry first fails and why).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from showroom.context import AppContext
from showroom.services import audit
from showroom.services.audit import AuditRow, VerifyResult
from showroom.users import StaffUser
from ui.errors import report_failure
from ui.screens.base import ANY_TOPIC, Screen
from ui.style import repolish
from ui.tasks import TaskRunner
from ui.widgets.icons import icon
from ui.widgets.labels import AUDIT_ACTIONS, AUDIT_ENTITIES, audit_detail_text, label
from ui.widgets.tables import RowListModel, make_table, set_column_widths

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Index = QModelIndex | QPersistentModelIndex
RECENT_LIMIT = 300
COL_SEQ, COL_AT, COL_ACTOR, COL_ACTION, COL_ENTITY, COL_DETAIL = range(6)


class AuditModel(RowListModel):
    """The newest audit entries, newest first. Emits no extra signals."""

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("序号"),
            self.tr("时间"),
            self.tr("操作人"),
            self.tr("操作"),
            self.tr("对象"),
            self.tr("详情"),
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_SEQ:
                return str(row.seq)
            if column == COL_AT:
                return row.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            if column == COL_ACTOR:
                return {
                    "system": self.tr("系统"),
                    "kiosk": self.tr("自助机"),
                    "web": self.tr("车辆网页"),
                }.get(row.actor, row.actor)
            if column == COL_ACTION:
                return label(AUDIT_ACTIONS, row.action)
            if column == COL_ENTITY:
                return label(AUDIT_ENTITIES, row.entity)
            if column == COL_DETAIL:
                return audit_detail_text(row.detail) if row.detail else ""
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_DETAIL and row.detail:
            return audit_detail_text(row.detail)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_SEQ:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class AuditScreen(Screen):
    """Newest audit entries and the chain check. Emits no signals."""

    # Nearly every write is audited, so any published change may add entries.
    topics: ClassVar[frozenset[str]] = frozenset({ANY_TOPIC})

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, runner, user, parent)
        bar = QHBoxLayout()
        self.count_label = QLabel(self.tr("最近 {n} 条记录").format(n=RECENT_LIMIT), self)
        self.count_label.setObjectName("CountLabel")
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        self.result_label = QLabel("", self)
        self.result_label.setWordWrap(True)
        bar.addWidget(self.result_label, 2)
        self.refresh_button = QPushButton(icon("refresh"), self.tr("刷新"), self)
        self.refresh_button.clicked.connect(self.refresh)
        bar.addWidget(self.refresh_button)
        self.verify_button = QPushButton(icon("audit", "#ffffff"), self.tr("校验"), self)
        self.verify_button.setProperty("role", "primary")
        self.verify_button.setToolTip(self.tr("逐条核对哈希链，检查记录是否被修改或删除"))
        self.verify_button.clicked.connect(self.verify)
        bar.addWidget(self.verify_button)
        self.body.addLayout(bar)

        self.model = AuditModel(self)
        self.table = make_table(self)
        self.table.setModel(self.model)
        set_column_widths(
            self.table,
            {
                COL_SEQ: 80,
                COL_AT: 180,
                COL_ACTOR: 130,
                COL_ACTION: 170,
                COL_ENTITY: 100,
            },
        )
        self.body.addWidget(self.table, 1)
        self.refresh()

    def refresh(self) -> None:
        def work(session: Session) -> list[AuditRow]:
            return audit.recent(session, RECENT_LIMIT)

        self.runner.read(work, self.model.set_rows, self._on_failed)

    def verify(self) -> None:
        self.verify_button.setEnabled(False)
        self._show_result(self.tr("正在校验…"), "HintText")
        book = self.context.anchors

        def work(session: Session) -> tuple[VerifyResult, audit.Anchor]:
            # Against the heads this PC kept outside the database (showroom.audit_anchors).
            kept = book.anchors() if book is not None else []
            result, head = audit.verify(session, kept), audit.current_anchor(session)
            if result.ok and book is not None:
                book.record(head.seq, head.hash, "verify")
            return result, head

        self.runner.read(work, self._on_verified, self._on_failed)

    def _on_verified(self, outcome: tuple[VerifyResult, audit.Anchor]) -> None:
        result, head = outcome
        self.verify_button.setEnabled(True)
        if result.ok:
            self._show_result(
                self.tr(
                    "审计日志完整：共 {count} 条，哈希链无误，已与 {anchors} 个链外锚点核对。"
                    "当前链头锚点 {anchor}（可抄在日结单上，日后核对）。"
                ).format(count=result.entries, anchors=result.anchors, anchor=head.text),
                "SuccessText",
            )
        else:
            self._show_result(
                self.tr("审计日志异常：{reason}（第一个异常条目：{seq}）").format(
                    reason=result.reason, seq=result.first_broken_seq or "—"
                ),
                "ErrorText",
            )

    def _on_failed(self, exc: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self._show_result(report_failure(exc), "ErrorText")

    def _show_result(self, text: str, kind: str) -> None:
        self.result_label.setObjectName(kind)
        repolish(self.result_label)
        self.result_label.setText(text)
