"""线索: enquiries to answer before their deadline, overdue ones first and in red.

The list is a paged model over the leads service (filters in SQL): 待处理 (new and
contacted, most urgent first), 已超时, 已到店, 已关闭 or all; everyone's, mine or
unassigned; a search by phone digits (start or 尾号), name, car or platform. The
deadline column says how long is left or how long it is overdue.

回电/记录沟通 (Enter or a double click) opens the contact log for the lead, with the
number shown on request (audited); logging it answers the lead, and the grade chosen
at the call plans the next one by the store's cadence (the deadline column then says
when; the lead is on the consultant's follow-up list that day). 关闭线索 asks why:
lost (战败, from the store's list) or not a real lead. New leads are
typed in (a phone call) or imported from a platform's CSV export. When the person
walks in, the desk finds the lead by phone and the customer made there keeps the
lead's consultant and calls.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from db.enums import InteractionChannel, LeadStatus, Role
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.services import leads, lost_reasons, reception
from showroom.services.leads import LeadQuery, LeadRow, LeadSummary
from showroom.sync import customer_ops
from showroom.users import StaffUser
from ui.errors import error_text, is_expected, report_failure
from ui.screens.base import Screen
from ui.style import repolish
from ui.tasks import TaskRunner
from ui.widgets.icons import icon
from ui.widgets.labels import LEAD_STATUSES, TITLES, label
from ui.widgets.names import person_name
from ui.widgets.paged_model import PagedTableModel
from ui.widgets.reception_labels import local_time, source_label
from ui.widgets.tables import make_table, set_column_widths

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SEARCH_DELAY_MS = 200
(
    COL_RECEIVED,
    COL_NAME,
    COL_PHONE,
    COL_SOURCE,
    COL_VEHICLE,
    COL_OWNER,
    COL_DUE,
    COL_STATUS,
    COL_LAST,
) = range(9)
OVERDUE = QColor("#c62828")
DUE_SOON = QColor("#b26a00")
DUE_SOON_HOURS = 4
Clock = Callable[[], datetime]


def lead_name(row: LeadRow) -> str:
    if not row.name:
        return ""
    title = label(TITLES, row.title) if row.title in TITLES else ""
    return person_name(row.name, row.title) if title else row.name


class LeadsModel(PagedTableModel):
    """Leads matching the filters; the deadline is judged at the query's ``now``.

    Signals: inherited from ``PagedTableModel``.
    """

    def __init__(self, runner: TaskRunner, query: LeadQuery, parent: QObject | None = None) -> None:
        super().__init__(runner, query, parent)

    def headers(self) -> Sequence[str]:
        return (
            self.tr("收到时间"),
            self.tr("客户"),
            self.tr("手机号"),
            self.tr("来源"),
            self.tr("咨询车辆"),
            self.tr("跟进顾问"),
            self.tr("响应期限"),
            self.tr("状态"),
            self.tr("最近沟通"),
        )

    @staticmethod
    def count_rows(session: Session, query: Any) -> int:
        return leads.count_leads(session, query)

    @staticmethod
    def load_rows(
        session: Session, query: Any, offset: int, limit: int, sort: str | None, descending: bool
    ) -> list[Any]:
        return leads.list_leads(session, query, offset=offset, limit=limit)

    def due_text(self, row: LeadRow) -> str:
        now = self.query.now
        if row.status is LeadStatus.CONTACTED and row.next_contact_on is not None:
            return self.tr("下次回访 {day}（{grade} 级）").format(
                day=row.next_contact_on.strftime("%m-%d"), grade=row.intent_grade or "—"
            )
        if row.status is LeadStatus.CLOSED and row.lost_reason:
            return self.tr("战败：{reason}").format(reason=row.lost_reason)
        if row.status is not LeadStatus.NEW or now is None:
            if row.first_contact_at is None:
                return "—"
            return self.tr("已于 {when} 联系").format(
                when=local_time(row.first_contact_at, "%m-%d %H:%M")
            )
        minutes = int((row.due_at - now).total_seconds() // 60)
        if minutes < 0:
            late = -minutes
            if late >= 24 * 60:
                return self.tr("已超时 {d} 天").format(d=late // (24 * 60))
            return self.tr("已超时 {h} 小时 {m} 分").format(h=late // 60, m=late % 60)
        return self.tr("剩 {h} 小时 {m} 分").format(h=minutes // 60, m=minutes % 60)

    def display(self, row: LeadRow, column: int) -> Any:
        if column == COL_RECEIVED:
            return local_time(row.received_at, "%m-%d %H:%M")
        if column == COL_NAME:
            return lead_name(row) or self.tr("（未留姓名）")
        if column == COL_PHONE:
            return row.phone_masked
        if column == COL_SOURCE:
            return " ".join(p for p in (source_label(row.source_channel), row.platform) if p)
        if column == COL_VEHICLE:
            return row.vehicle_text or "—"
        if column == COL_OWNER:
            return row.owner_name or self.tr("未分配")
        if column == COL_DUE:
            return self.due_text(row)
        if column == COL_STATUS:
            return label(LEAD_STATUSES, row.status)
        if column == COL_LAST:
            return local_time(row.last_contact_at, "%m-%d %H:%M") if row.last_contact_at else "—"
        return None

    def foreground(self, row: LeadRow, column: int) -> QColor | None:
        if column not in (COL_DUE, COL_STATUS) or row.status is not LeadStatus.NEW:
            return None
        if row.overdue:
            return OVERDUE
        now = self.query.now
        if now is not None and (row.due_at - now).total_seconds() < DUE_SOON_HOURS * 3600:
            return DUE_SOON
        return None


class LeadsScreen(Screen):
    """The lead list and what is done from it. Emits no signals; publishes ``leads``."""

    topics: ClassVar[frozenset[str]] = frozenset({"leads", "interactions"})
    STATUS_FILTERS = (
        ("open", QT_TRANSLATE_NOOP("LeadsScreen", "待处理")),
        ("overdue", QT_TRANSLATE_NOOP("LeadsScreen", "已超时")),
        (LeadStatus.VISITED.value, QT_TRANSLATE_NOOP("LeadsScreen", "已到店")),
        (LeadStatus.CLOSED.value, QT_TRANSLATE_NOOP("LeadsScreen", "已关闭")),
        ("all", QT_TRANSLATE_NOOP("LeadsScreen", "全部")),
    )

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(context, runner, user, parent)
        self._clock = clock or (lambda: utcnow())

        title = QLabel(self.tr("线索"), self)
        title.setObjectName("PageTitle")
        self.summary_label = QLabel("", self)
        self.summary_label.setObjectName("HintText")
        heading = QHBoxLayout()
        heading.addWidget(title)
        heading.addSpacing(16)
        heading.addWidget(self.summary_label, 1)
        self.body.addLayout(heading)

        bar = QHBoxLayout()
        bar.setSpacing(10)
        self.status_combo = QComboBox(self)
        for code, text in self.STATUS_FILTERS:
            self.status_combo.addItem(self.tr(text), code)
        self.owner_combo = QComboBox(self)
        self.owner_combo.addItem(self.tr("全部顾问"), "all")
        self.owner_combo.addItem(self.tr("我跟进的"), "mine")
        self.owner_combo.addItem(self.tr("未分配"), "unassigned")
        if user.has_role(Role.SALES):
            self.owner_combo.setCurrentIndex(1)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("手机号 / 尾号 / 姓名 / 车型 / 平台"))
        self.search.addAction(icon("search", "#5f6b7a"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(280)
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("CountLabel")
        bar.addWidget(self.status_combo)
        bar.addWidget(self.owner_combo)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.count_label)
        self.body.addLayout(bar)

        actions = QHBoxLayout()
        actions.setSpacing(10)
        self.new_button = QPushButton(icon("user"), self.tr("新建线索…（Ctrl+N）"), self)
        self.new_button.clicked.connect(self.open_new)
        self.call_button = QPushButton(icon("phone"), self.tr("回电 / 记录沟通（回车）"), self)
        self.call_button.setProperty("role", "primary")
        self.call_button.clicked.connect(self.call_selected)
        self.assign_button = QPushButton(self.tr("分配顾问…"), self)
        self.assign_button.clicked.connect(self.assign_selected)
        self.close_button = QPushButton(self.tr("关闭线索…"), self)
        self.close_button.clicked.connect(self.close_selected)
        self.record_button = QPushButton(icon("clipboard"), self.tr("客户档案"), self)
        self.record_button.clicked.connect(self.open_record)
        self.import_button = QPushButton(icon("download"), self.tr("导入平台线索…"), self)
        self.import_button.clicked.connect(self.open_import)
        self.import_button.setVisible(user.has_any(Role.MANAGER, Role.RECEPTION))
        for button in (
            self.call_button,
            self.assign_button,
            self.close_button,
            self.record_button,
        ):
            button.setEnabled(False)
        for button in (
            self.new_button,
            self.call_button,
            self.assign_button,
            self.close_button,
            self.record_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.import_button)
        self.body.addLayout(actions)

        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.message.hide()
        self.body.addWidget(self.message)

        self.model = LeadsModel(runner, self._query(), self)
        self.model.totalChanged.connect(self._on_total)
        self.model.failed.connect(self._show_error)
        self.model.modelReset.connect(self._on_selection)
        self.table = make_table(self)
        self.table.setModel(self.model)
        set_column_widths(
            self.table,
            {
                COL_RECEIVED: 110,
                COL_NAME: 110,
                COL_PHONE: 130,
                COL_SOURCE: 200,
                COL_VEHICLE: 220,
                COL_OWNER: 100,
                COL_DUE: 180,
                COL_STATUS: 110,
            },
            stretch=COL_VEHICLE,
        )
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.doubleClicked.connect(self.call_selected)
        self.body.addWidget(self.table, 1)
        self.table.installEventFilter(self)  # Enter on a row: call it back
        QShortcut(QKeySequence("Ctrl+N"), self, self.open_new)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.reload)
        self.search.textChanged.connect(self._debounce.start)
        self.status_combo.currentIndexChanged.connect(self.reload)
        self.owner_combo.currentIndexChanged.connect(self.reload)
        self.model.reload()
        self._load_summary()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.call_selected()
            return True
        return super().eventFilter(watched, event)

    # --- loading -------------------------------------------------------------------------

    def _query(self) -> LeadQuery:
        return LeadQuery(
            self.user.store_id,
            status=self.status_combo.currentData(),
            owner=self.owner_combo.currentData(),
            user_id=self.user.id,
            search=self.search.text(),
            now=self._clock(),
        )

    def reload(self) -> None:
        self._debounce.stop()
        self.model.set_query(self._query())
        self._load_summary()

    def refresh(self) -> None:
        # A live change keeps scroll and selection; the deadlines are judged anew.
        self.model.refresh_in_place(self._query())  # the same filters, judged at a later time
        self._load_summary()

    def _load_summary(self) -> None:
        store_id, now = self.user.store_id, self._clock()
        mine = self.user.id if self.user.has_role(Role.SALES) else None

        def work(session: Session) -> tuple[LeadSummary, LeadSummary | None]:
            store = leads.summary(session, store_id, now)
            return store, leads.summary(session, store_id, now, mine) if mine else None

        self.runner.read(work, self._on_summary, self._show_failure)

    def _on_summary(self, result: tuple[LeadSummary, LeadSummary | None]) -> None:
        store, mine = result
        hours = self.context.settings["lead_response_hours"]
        text = self.tr("待处理 {open} 条，其中超时 {overdue} 条（须在 {h} 小时内联系）").format(
            open=store.open, overdue=store.overdue, h=hours
        )
        if mine is not None:
            text += self.tr("；我跟进的 {open} 条，超时 {overdue} 条").format(
                open=mine.open, overdue=mine.overdue
            )
        self.summary_label.setText(text)
        self.summary_label.setObjectName("ErrorText" if store.overdue else "HintText")
        repolish(self.summary_label)

    def _on_total(self, total: int) -> None:
        self.count_label.setText(self.tr("共 {n} 条").format(n=f"{total:,}"))

    # --- selection -----------------------------------------------------------------------

    def selected(self) -> LeadRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _on_selection(self, *_args: object) -> None:
        row = self.selected()
        open_ = row is not None and row.status in leads.OPEN_STATUSES
        self.call_button.setEnabled(row is not None)
        self.close_button.setEnabled(open_)
        self.assign_button.setEnabled(
            open_
            and (
                leads.may_assign_any(self.user)
                or (self.user.has_role(Role.SALES) and row is not None and row.owner_id is None)
            )
        )
        self.assign_button.setText(
            self.tr("分配顾问…") if leads.may_assign_any(self.user) else self.tr("我来跟进")
        )
        self.record_button.setEnabled(row is not None and row.customer_id is not None)

    # --- actions -------------------------------------------------------------------------

    def open_new(self) -> None:
        from ui.dialogs.lead import LeadDialog

        self.lead_dialog = LeadDialog(
            self.context, self.runner, self.user, clock=self._clock, parent=self
        )
        self.lead_dialog.saved.connect(self._on_created)
        self.lead_dialog.openExisting.connect(self._on_open_existing)
        self.lead_dialog.open()

    def _on_created(self, result: object) -> None:
        if isinstance(result, leads.LeadCreated):
            self.context.bus.publish(result.topics | {"audit"})
            due = local_time(result.due_at, "%m-%d %H:%M")
            text = self.tr("已登记线索，请在 {due} 前联系。").format(due=due)
            if result.customer_name:
                text += self.tr("该号码是老客户 {name}，已关联到其档案。").format(
                    name=result.customer_name
                )
            self._say(text)
        else:
            self._say(self.tr("待同步：网络断开，线索已保存在本机，恢复连接后自动登记。"))
        self.reload()

    def _on_open_existing(self, existing: tuple[uuid.UUID, str]) -> None:
        lead_id, typed = existing
        self._open_contact(lead_id, self.tr("已有线索"), "", typed)

    def call_selected(self, *_args: object) -> None:
        row = self.selected()
        if row is None:
            return
        name = lead_name(row) or self.tr("（未留姓名）")
        self._open_contact(row.id, name, row.phone_masked, "", row)

    def _open_contact(
        self,
        lead_id: uuid.UUID,
        name: str,
        phone: str,
        summary: str,
        row: LeadRow | None = None,
    ) -> None:
        from ui.dialogs.interaction import InteractionDialog

        facts = ""
        if row is not None:
            facts = " · ".join(
                p for p in (source_label(row.source_channel), row.platform, row.vehicle_text) if p
            )
        heading = self.tr("线索：{name} {phone}").format(name=name, phone=phone).strip()
        if facts:
            heading += f"\n{facts}"
        self.contact_dialog = InteractionDialog(
            self.context,
            self.runner,
            self.user,
            heading=heading,
            lead_id=lead_id,
            channel=InteractionChannel.PHONE,  # answering a lead is calling it back
            clock=self._clock,
            parent=self,
            lead_grade=row.intent_grade if row is not None else None,
        )
        if summary:
            self.contact_dialog.summary_edit.setPlainText(summary)
        self.contact_dialog.saved.connect(self._on_contact)
        self.contact_dialog.open()

    def _on_contact(self, result: object) -> None:
        from showroom.sync.service import Submitted

        if isinstance(result, Submitted) and result.queued:
            self._say(self.tr("待同步：网络断开，沟通记录已保存在本机，恢复连接后自动登记。"))
            return
        self.context.bus.publish(frozenset({"leads", "interactions", "customers", "follow_ups"}))
        self._say(self.tr("沟通记录已保存，线索已响应。"))
        self.refresh()

    def assign_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        if not leads.may_assign_any(self.user):
            self._assign(row.id, self.user.id)
            return
        store_id = self.user.store_id
        self._assigning = row

        def work(session: Session) -> list[reception.ConsultantRow]:
            return reception.list_consultants(session, store_id)

        self.runner.read(work, self._choose_owner, self._show_failure)

    def _choose_owner(self, consultants: list[reception.ConsultantRow]) -> None:
        row = self._assigning
        names = [self.tr("（取消分配）")] + [c.name for c in consultants]
        current = next((n + 1 for n, c in enumerate(consultants) if c.id == row.owner_id), 0)
        chosen, ok = QInputDialog.getItem(
            self, self.tr("分配顾问"), self.tr("由谁跟进这条线索："), names, current, False
        )
        if not ok:
            return
        index = names.index(chosen)
        self._assign(row.id, consultants[index - 1].id if index else None)

    def _assign(self, lead_id: uuid.UUID, owner_id: uuid.UUID | None) -> None:
        payload = customer_ops.lead_assign_payload(self.user, lead_id, owner_id)
        self.runner.submit(
            "lead.assign", payload, self._on_assigned, self._on_assigned, self._show_failure
        )

    def _on_assigned(self, name: object) -> None:
        self.context.bus.publish(frozenset({"leads", "audit"}))
        self._say(
            self.tr("已分配给 {name}。").format(name=name)
            if isinstance(name, str)
            else self.tr("已取消分配。")
        )
        self.refresh()

    def close_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        store_id = self.user.store_id
        self._closing = row

        def work(session: Session) -> tuple[str, ...]:
            return lost_reasons.list_reasons(session, store_id)

        self.runner.read(work, self._ask_close, self._show_failure)

    def _ask_close(self, reasons: tuple[str, ...]) -> None:
        from ui.dialogs.lead_close import LeadCloseDialog

        row = self._closing
        name = lead_name(row) or self.tr("（未留姓名）")
        self.close_dialog = LeadCloseDialog(
            self.tr("线索：{name} {phone}").format(name=name, phone=row.phone_masked),
            reasons,
            self,
        )
        self.close_dialog.accepted.connect(self._on_close_accepted)
        self.close_dialog.open()

    def _on_close_accepted(self) -> None:
        dialog, row = self.close_dialog, self._closing

        def failed(exc: BaseException) -> None:
            if is_expected(exc):
                dialog.show_error(error_text(exc))
                dialog.open()  # what was chosen and typed is still there
            else:
                self._show_failure(exc)

        payload = customer_ops.lead_close_payload(
            self.user, row.id, dialog.note(), dialog.lost_reason()
        )
        self.runner.submit("lead.close", payload, self._on_closed, self._on_closed, failed)

    def _on_closed(self, _result: object) -> None:
        self.context.bus.publish(frozenset({"leads", "audit"}))
        self._say(self.tr("线索已关闭。"))
        self.refresh()

    def open_record(self) -> None:
        row = self.selected()
        if row is None or row.customer_id is None:
            return
        from ui.dialogs.customer_record import CustomerRecordDialog

        self.record_dialog = CustomerRecordDialog(
            self.context, self.runner, self.user, row.customer_id, self
        )
        self.record_dialog.open()

    def open_import(self) -> None:
        from ui.dialogs.lead_import import LeadImportDialog

        self.import_dialog = LeadImportDialog(
            self.context, self.runner, self.user, clock=self._clock, parent=self
        )
        self.import_dialog.imported.connect(self._on_imported)
        self.import_dialog.open()

    def _on_imported(self, _result: object) -> None:
        self.context.bus.publish(frozenset({"leads", "audit"}))
        self.reload()

    # --- messages ------------------------------------------------------------------------

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setObjectName("ErrorText" if error else "SuccessText")
        repolish(self.message)
        self.message.show()

    def _show_error(self, text: str) -> None:
        self._say(text, error=True)

    def _show_failure(self, exc: BaseException) -> None:
        self._say(report_failure(exc), error=True)
