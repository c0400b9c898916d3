"""回访: what is due today and overdue, logged in one step; hot customers gone quiet.

Sales consultants see their own list; the manager sees the store's and can
narrow it to one consultant. "登记结果" opens a small dialog (result, and the next
date if another call is wanted); the service closes the follow-up and schedules
the next in one transaction. Above the list, grade-A customers silent for 15
days are shown with a one-click downgrade to B, so the grades stay honest.

Each row names the grade whose cadence (回访节奏) set its date and the customer's
churn signals (流失预警: missed appointment, two unanswered, hot and silent,
deposit lapsing). A second tab lists the dormant customers (six months without
contact), page by page; a third the day's messages to buyers (购车客户提醒) with
their drafts, to copy, mark sent or skipped, and export as CSV. The manager edits
the cadence, the lost-deal reasons and the maintenance interval from here.

Leads contacted before any visit come on the same list on the day the cadence planned
their next call (the customer column says 线索); 登记结果 on such a row opens the
contact log of the lead (with its grade), which plans the next call. A maintenance
reminder says whether the kilometres or the months brought it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from db.enums import IntentGrade, Role
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.services import buyer_reminders, cadence, churn, follow_ups, lost_reasons, mileage
from showroom.services.follow_ups import FollowUpList, FollowUpRow, StaleHotCustomer
from showroom.services.overview import store_zone
from showroom.sync import mileage_ops, operations
from showroom.users import StaffUser
from ui.dialogs.cadence import CadenceDialog
from ui.dialogs.follow_up import FollowUpDialog
from ui.dialogs.lost_reasons import LostReasonsDialog
from ui.errors import error_text, is_expected, report_failure
from ui.screens.base import Screen
from ui.style import repolish
from ui.tasks import TaskRunner
from ui.widgets.icons import icon
from ui.widgets.labels import TITLES, label, signals_text
from ui.widgets.names import person_name
from ui.widgets.paged_model import PagedTableModel
from ui.widgets.reception_labels import local_time
from ui.widgets.tables import RowListModel, make_table, set_column_widths

Index = QModelIndex | QPersistentModelIndex
COL_DUE, COL_LATE, COL_CUSTOMER, COL_PHONE, COL_GRADE, COL_OWNER, COL_REASON, COL_SIGNALS = range(8)
D_NAME, D_PHONE, D_GRADE, D_OWNER, D_LAST, D_SILENT = range(6)
R_DUE, R_KIND, R_CUSTOMER, R_PHONE, R_CAR, R_MESSAGE = range(6)
TAB_DUE, TAB_DORMANT, TAB_REMINDERS = range(3)
REMINDER_KINDS = {
    "after_3d": QT_TRANSLATE_NOOP("FollowUps", "购车 3 天"),
    "after_1m": QT_TRANSLATE_NOOP("FollowUps", "购车 1 个月"),
    "after_3m": QT_TRANSLATE_NOOP("FollowUps", "购车 3 个月"),
    "after_6m": QT_TRANSLATE_NOOP("FollowUps", "购车 6 个月"),
    "after_12m": QT_TRANSLATE_NOOP("FollowUps", "购车 12 个月"),
    "maintenance": QT_TRANSLATE_NOOP("FollowUps", "保养提醒"),
    "inspection": QT_TRANSLATE_NOOP("FollowUps", "年检到期"),
    "insurance": QT_TRANSLATE_NOOP("FollowUps", "保险到期"),
    "birthday": QT_TRANSLATE_NOOP("FollowUps", "生日祝福"),
}
STALE_SHOWN = 3


REASONS = {
    "contract_3d": QT_TRANSLATE_NOOP("FollowUps", "成交后 3 天"),
    "contract_1m": QT_TRANSLATE_NOOP("FollowUps", "成交后 1 个月"),
    "contract_3m": QT_TRANSLATE_NOOP("FollowUps", "成交后 3 个月"),
    "contract_6m": QT_TRANSLATE_NOOP("FollowUps", "成交后 6 个月"),
    "contract_12m": QT_TRANSLATE_NOOP("FollowUps", "成交后 12 个月"),
    "visit": QT_TRANSLATE_NOOP("FollowUps", "到店后回访"),
    "follow_up": QT_TRANSLATE_NOOP("FollowUps", "再次回访"),
    "deposit_expiry": QT_TRANSLATE_NOOP("FollowUps", "意向金明天到期"),
    "interaction": QT_TRANSLATE_NOOP("FollowUps", "沟通时约定的下一步"),
    "test_drive": QT_TRANSLATE_NOOP("FollowUps", "试驾后回访"),
    "lead": QT_TRANSLATE_NOOP("FollowUps", "新线索跟进"),
    "grade": QT_TRANSLATE_NOOP("FollowUps", "意向等级调整后回访"),
    "cadence": QT_TRANSLATE_NOOP("FollowUps", "按等级定期回访"),
    "no_show": QT_TRANSLATE_NOOP("FollowUps", "预约未到，联系改约"),
}
LEAD_REASONS = {
    "lead": QT_TRANSLATE_NOOP("FollowUps", "线索首次联系后回访"),
    "cadence": QT_TRANSLATE_NOOP("FollowUps", "线索按等级定期回访"),
    "grade": QT_TRANSLATE_NOOP("FollowUps", "线索意向等级调整后回访"),
    "interaction": QT_TRANSLATE_NOOP("FollowUps", "线索沟通时约定的下一步"),
}


def row_reason(row: FollowUpRow) -> str:
    """``reason_text`` for a customer's follow-up; a lead's call says it is a lead's."""
    if not row.is_lead:
        return reason_text(row.reason, row.cadence_grade)
    text = LEAD_REASONS.get(row.reason)
    shown = QCoreApplication.translate("FollowUps", text) if text else row.reason
    if row.cadence_grade:
        shown = QCoreApplication.translate("FollowUps", "{reason}（{grade} 级节奏）").format(
            reason=shown, grade=row.cadence_grade
        )
    return shown


def lead_name(row: FollowUpRow) -> str:
    """A lead's name as it gave it, with the form of address, or 未留姓名."""
    name = row.customer_name
    if name and row.lead_title in TITLES and label(TITLES, row.lead_title):
        name = person_name(name, row.lead_title)
    return name or QCoreApplication.translate("FollowUps", "（未留姓名）")


def row_name(row: FollowUpRow) -> str:
    """The customer's name; a lead's marked as a lead."""
    if not row.is_lead:
        return row.customer_name
    return QCoreApplication.translate("FollowUps", "{name}（线索）").format(name=lead_name(row))


def reminder_kind(task: buyer_reminders.ReminderTask) -> str:
    """The reminder's kind; maintenance says whether kilometres or months brought it."""
    text = REMINDER_KINDS.get(task.kind)
    shown = QCoreApplication.translate("FollowUps", text) if text else task.kind
    if task.basis == mileage.KM_BASIS:
        return QCoreApplication.translate("FollowUps", "{kind} · 按里程约 {km} 公里").format(
            kind=shown, km=f"{task.km_since or 0:,}"
        )
    if task.basis == mileage.MONTHS_BASIS:
        return QCoreApplication.translate("FollowUps", "{kind} · 满 {months} 个月").format(
            kind=shown, months=task.months_since
        )
    return shown


def reason_text(reason: str, cadence_grade: str | None = None) -> str:
    """What caused the follow-up, as the consultant says it, and the grade whose cadence
    (回访节奏) set its date."""
    text = REASONS.get(reason)
    shown = QCoreApplication.translate("FollowUps", text) if text else reason
    if cadence_grade:
        shown = QCoreApplication.translate("FollowUps", "{reason}（{grade} 级节奏）").format(
            reason=shown, grade=cadence_grade
        )
    return shown


class FollowUpModel(RowListModel):
    """The due follow-ups, most overdue first. Emits no extra signals."""

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("应回访日期"),
            self.tr("状态"),
            self.tr("客户"),
            self.tr("手机号"),
            self.tr("意向"),
            self.tr("负责顾问"),
            self.tr("回访类型"),
            self.tr("流失预警"),
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_DUE:
                return row.due_on.isoformat()
            if column == COL_LATE:
                if row.days_overdue == 0:
                    return self.tr("今天到期")
                return self.tr("逾期 %n 天", "", row.days_overdue)  # English: 1 day, 2 days
            if column == COL_CUSTOMER:
                return row_name(row)
            if column == COL_PHONE:
                return row.phone_masked
            if column == COL_GRADE:
                return row.intent_grade.value if row.intent_grade else "—"
            if column == COL_OWNER:
                return row.consultant_name or self.tr("未分配")
            if column == COL_REASON:
                return row_reason(row)
            if column == COL_SIGNALS:
                return ("⚠ " + signals_text(row.signals)) if row.signals else ""
        if role == Qt.ItemDataRole.ForegroundRole and (
            (column == COL_LATE and row.days_overdue) or column == COL_SIGNALS
        ):
            return QColor("#c62828")
        return None


class ReminderModel(RowListModel):
    """购车客户提醒: today's messages to buyers, soonest first. Emits no extra signals."""

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("日期"),
            self.tr("类型"),
            self.tr("客户"),
            self.tr("手机号"),
            self.tr("车辆"),
            self.tr("短信草稿"),
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            column = index.column()
            if column == R_DUE:
                return row.due_on.isoformat()
            if column == R_KIND:
                return reminder_kind(row)
            if column == R_CUSTOMER:
                return row.customer_name
            if column == R_PHONE:
                return row.phone_masked
            if column == R_CAR:
                return row.vehicle
            if column == R_MESSAGE:
                return row.message
        return None


class DormantModel(PagedTableModel):
    """沉睡客户: not heard from for six months, longest silent first, fetched by pages.

    Signals: inherited from ``PagedTableModel``."""

    def headers(self) -> Sequence[str]:
        return (
            self.tr("客户"),
            self.tr("手机号"),
            self.tr("意向"),
            self.tr("负责顾问"),
            self.tr("最后联系"),
            self.tr("未联系天数"),
        )

    @staticmethod
    def count_rows(session: Session, query: Any) -> int:
        user, now, owner = query
        return churn.dormant(session, user, now, owner_id=owner, limit=0).total

    @staticmethod
    def load_rows(
        session: Session, query: Any, offset: int, limit: int, sort: str | None, descending: bool
    ) -> list[Any]:
        user, now, owner = query
        return list(
            churn.dormant(session, user, now, owner_id=owner, limit=limit, offset=offset).rows
        )

    def display(self, row: churn.DormantRow, column: int) -> Any:
        if column == D_NAME:
            return row.name
        if column == D_PHONE:
            return row.phone_masked
        if column == D_GRADE:
            return row.intent_grade.value if row.intent_grade else "—"
        if column == D_OWNER:
            return row.owner_name or self.tr("未分配")
        if column == D_LAST:
            if row.last_contact_at is None:
                return self.tr("从未联系")
            return local_time(row.last_contact_at, "%Y-%m-%d")
        if column == D_SILENT:
            return self.tr("{days} 天").format(days=row.silent_days)
        return None


class FollowUpsScreen(Screen):
    """Due follow-ups and quiet hot customers. Emits no signals."""

    topics: ClassVar[frozenset[str]] = frozenset({"follow_ups", "customers", "visits", "leads"})

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, runner, user, parent)
        self.zone = store_zone(None)
        self.data: FollowUpList | None = None
        self.stale: list[StaleHotCustomer] = []
        self._dialog: FollowUpDialog | None = None
        self._cadence_dialog: CadenceDialog | None = None
        self._reasons_dialog: LostReasonsDialog | None = None
        self.lost_reasons: tuple[str, ...] = ()

        bar = QHBoxLayout()
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("CountLabel")
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        self.consultant_combo = QComboBox(self)
        self.consultant_combo.setMinimumWidth(150)
        self.consultant_combo.addItem(self.tr("全部顾问"), None)
        self.consultant_combo.setVisible(user.has_role(Role.MANAGER))
        self.consultant_combo.currentIndexChanged.connect(self.refresh)
        bar.addWidget(self.consultant_combo)
        self.cadence_button = QPushButton(self.tr("回访节奏"), self)
        self.cadence_button.setVisible(user.has_role(Role.MANAGER))
        self.cadence_button.clicked.connect(self.open_cadence)
        bar.addWidget(self.cadence_button)
        self.reasons_button = QPushButton(self.tr("战败原因"), self)
        self.reasons_button.setVisible(user.has_role(Role.MANAGER))
        self.reasons_button.clicked.connect(self.open_lost_reasons)
        bar.addWidget(self.reasons_button)
        self.interval_button = QPushButton(self.tr("保养间隔"), self)
        self.interval_button.setVisible(user.has_role(Role.MANAGER))
        self.interval_button.clicked.connect(self.open_interval)
        bar.addWidget(self.interval_button)
        self.refresh_button = QPushButton(icon("refresh"), self.tr("刷新"), self)
        self.refresh_button.clicked.connect(self.refresh)
        bar.addWidget(self.refresh_button)
        self.log_button = QPushButton(icon("phone", "#ffffff"), self.tr("登记结果"), self)
        self.log_button.setProperty("role", "primary")
        self.log_button.setEnabled(False)
        self.log_button.clicked.connect(self.log_selected)
        bar.addWidget(self.log_button)
        self.body.addLayout(bar)

        # Hot customers gone quiet: a warning banner with its own short list.
        self.stale_box = QFrame(self)
        self.stale_box.setObjectName("Card")
        stale_layout = QVBoxLayout(self.stale_box)
        stale_layout.setContentsMargins(16, 10, 16, 10)
        self.stale_title = QLabel("", self.stale_box)
        self.stale_title.setObjectName("CardTitle")
        self.stale_title.setWordWrap(True)
        stale_layout.addWidget(self.stale_title)
        self.stale_rows = QVBoxLayout()
        stale_layout.addLayout(self.stale_rows)
        self.stale_box.hide()
        self.body.addWidget(self.stale_box)

        self.message_label = QLabel("", self)
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.body.addWidget(self.message_label)

        self.model = FollowUpModel(self)
        self.table = make_table(self)
        self.table.setModel(self.model)
        set_column_widths(
            self.table,
            {
                COL_DUE: 120,
                COL_LATE: 110,
                COL_CUSTOMER: 140,
                COL_PHONE: 140,
                COL_GRADE: 70,
                COL_OWNER: 120,
                COL_REASON: 230,
            },
        )
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.doubleClicked.connect(self.log_selected)
        # Two lists: what is due (with the churn signals) and the dormant customers.
        self.tabs = QTabWidget(self)
        due_page = QWidget(self.tabs)
        due_layout = QVBoxLayout(due_page)
        due_layout.setContentsMargins(0, 0, 0, 0)
        self.table.setParent(due_page)
        due_layout.addWidget(self.table, 1)
        self.empty_label = QLabel(self.tr("今天没有待回访的客户。"), due_page)
        self.empty_label.setObjectName("PageSubtitle")
        self.empty_label.hide()
        due_layout.addWidget(self.empty_label)
        self.tabs.addTab(due_page, self.tr("待回访"))
        dormant_page = QWidget(self.tabs)
        dormant_layout = QVBoxLayout(dormant_page)
        dormant_layout.setContentsMargins(0, 0, 0, 0)
        self.dormant_hint = QLabel(
            self.tr("超过 6 个月没有联系（未接通的来电不算联系）的客户，最久的在前。"),
            dormant_page,
        )
        self.dormant_hint.setWordWrap(True)
        self.dormant_hint.setContentsMargins(8, 6, 8, 6)
        dormant_layout.addWidget(self.dormant_hint)
        self.dormant_model = DormantModel(runner, (user, self._now(), None), self)
        self.dormant_model.totalChanged.connect(self._on_dormant_total)
        # A list that could not load says so; an empty list would read "nobody is dormant".
        self.dormant_model.failed.connect(lambda text: self._say(text, "ErrorText"))
        self.dormant_table = make_table(dormant_page)
        self.dormant_table.setModel(self.dormant_model)
        set_column_widths(
            self.dormant_table,
            {D_NAME: 140, D_PHONE: 140, D_GRADE: 70, D_OWNER: 120, D_LAST: 120},
        )
        dormant_layout.addWidget(self.dormant_table, 1)
        self.tabs.addTab(dormant_page, self.tr("沉睡客户"))
        self.tabs.addTab(self._reminders_page(), self.tr("购车客户提醒"))
        self.tabs.currentChanged.connect(self._on_tab)
        self.body.addWidget(self.tabs, 1)

        if user.has_role(Role.MANAGER):
            self.runner.read(self._load_consultants, self._show_consultants, self._on_failed)
        self.refresh()

    # --- loading -------------------------------------------------------------------------

    def _now(self) -> datetime:
        return utcnow()

    def _today(self) -> date:
        return self._now().astimezone(self.zone).date()

    def _load_consultants(self, session: Session) -> list[tuple[uuid.UUID, str]]:
        return follow_ups.list_consultants(session, self.user)

    def _show_consultants(self, people: list[tuple[uuid.UUID, str]]) -> None:
        self.consultant_combo.blockSignals(True)
        for staff_id, name in people:
            self.consultant_combo.addItem(name, staff_id)
        self.consultant_combo.blockSignals(False)

    def refresh(self) -> None:
        user, now, today = self.user, self._now(), self._today()
        consultant = self.consultant_combo.currentData()

        def work(
            session: Session,
        ) -> tuple[FollowUpList, list[StaleHotCustomer], tuple[str, ...]]:
            return (
                follow_ups.list_due(session, user, today, consultant_id=consultant, now=now),
                follow_ups.stale_hot_customers(session, user, now, consultant_id=consultant),
                lost_reasons.list_reasons(session, user.store_id),
            )

        self.runner.read(work, self._show, self._on_failed)
        if self.tabs.currentIndex() == TAB_DORMANT:
            self.load_dormant()
        elif self.tabs.currentIndex() == TAB_REMINDERS:
            self.load_reminders()

    def _on_tab(self, index: int) -> None:
        if index == TAB_DORMANT:
            self.load_dormant()
        elif index == TAB_REMINDERS:
            self.load_reminders()

    # --- buyer reminders (购车客户提醒) ------------------------------------------------------

    def _reminders_page(self) -> QWidget:
        page = QWidget(self.tabs)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 6, 8, 6)
        self.reminder_hint = QLabel("", page)
        bar.addWidget(self.reminder_hint, 1)
        self.copy_button = QPushButton(self.tr("复制短信"), page)
        self.copy_button.clicked.connect(self.copy_message)
        self.sent_button = QPushButton(self.tr("已发送"), page)
        self.sent_button.clicked.connect(self.mark_sent)
        self.skip_button = QPushButton(self.tr("跳过"), page)
        self.skip_button.clicked.connect(self.mark_skipped)
        self.export_button = QPushButton(self.tr("导出今日短信…"), page)
        self.export_button.clicked.connect(self.ask_export)
        for button in (self.copy_button, self.sent_button, self.skip_button):
            button.setEnabled(False)
            bar.addWidget(button)
        bar.addWidget(self.export_button)
        layout.addLayout(bar)
        self.reminder_model = ReminderModel(self)
        self.reminder_table = make_table(page)
        self.reminder_table.setModel(self.reminder_model)
        set_column_widths(
            self.reminder_table,
            {R_DUE: 110, R_KIND: 110, R_CUSTOMER: 100, R_PHONE: 130, R_CAR: 140},
        )
        self.reminder_table.selectionModel().selectionChanged.connect(self._on_reminder_selected)
        layout.addWidget(self.reminder_table, 1)
        return page

    def load_reminders(self) -> None:
        user, today = self.user, self._today()

        def work(session: Session) -> list[buyer_reminders.ReminderTask]:
            return buyer_reminders.due(session, user, today)

        self.runner.read(work, self._show_reminders, self._on_failed)

    def _show_reminders(self, tasks: list[buyer_reminders.ReminderTask]) -> None:
        self.reminder_model.set_rows(tasks)
        self.tabs.setTabText(TAB_REMINDERS, self.tr("购车客户提醒（{n}）").format(n=len(tasks)))
        self.reminder_hint.setText(
            self.tr("今天要发的 {n} 条消息。生日祝福只发给同意接收营销信息的客户。").format(
                n=len(tasks)
            )
        )
        self._on_reminder_selected()

    def selected_reminder(self) -> buyer_reminders.ReminderTask | None:
        rows = self.reminder_table.selectionModel().selectedRows()
        return self.reminder_model.row_at(rows[0].row()) if rows else None

    def _on_reminder_selected(self) -> None:
        chosen = self.selected_reminder() is not None
        for button in (self.copy_button, self.sent_button, self.skip_button):
            button.setEnabled(chosen)

    def copy_message(self) -> None:
        task = self.selected_reminder()
        if task is not None:
            QGuiApplication.clipboard().setText(task.message)
            self._say(self.tr("短信内容已复制，发送后请点“已发送”。"), "SuccessText")

    def mark_sent(self) -> None:
        self._mark("sent")

    def mark_skipped(self) -> None:
        self._mark("skipped")

    def _mark(self, status: str) -> None:
        task = self.selected_reminder()
        if task is None:
            return
        payload = {
            "user": operations.user_payload(self.user),
            "customer_id": str(task.customer_id),
            "kind": task.kind,
            "due_on": task.due_on.isoformat(),
            "status": status,
            "channel": "sms",
            "message": task.message if status == "sent" else "",
            "now": self._now().isoformat(),
        }
        self.runner.submit(
            "reminder.mark", payload, self._on_marked, self._on_reminder_queued, self._on_failed
        )

    def _on_marked(self, _fresh: object) -> None:
        self._say(self.tr("已处理这条提醒。"), "SuccessText")
        self.load_reminders()

    def _on_reminder_queued(self, _queued: object) -> None:
        self._say(self.tr("待同步：网络断开，已在本机记下，恢复连接后自动登记。"), "ErrorText")

    def ask_export(self) -> None:
        today = self._today()
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("导出今日短信"), f"购车客户提醒-{today:%Y%m%d}.csv", "CSV (*.csv)"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Today's messages with full numbers (the export is audit-logged)."""
        user, today = self.user, self._today()

        def work(session: Session) -> str:
            return buyer_reminders.messages_csv(session, user, today)

        def write(text: str) -> None:
            # The disk may be a slow network share: write off the UI thread.
            self.runner.call(
                lambda: path.write_text(text, encoding="utf-8"),
                self._exported,
                self._on_failed,
            )

        self._export_path = path
        self.runner.write(work, write, self._on_failed)

    def _exported(self, _result: object) -> None:
        self._say(self.tr("已导出到 {path}").format(path=str(self._export_path)), "SuccessText")

    def load_dormant(self) -> None:
        self.dormant_model.set_query((self.user, self._now(), self.consultant_combo.currentData()))

    def _on_dormant_total(self, total: int) -> None:
        self.tabs.setTabText(TAB_DORMANT, self.tr("沉睡客户（{n}）").format(n=total))

    def _show(self, result: tuple[FollowUpList, list[StaleHotCustomer], tuple[str, ...]]) -> None:
        self.data, self.stale, self.lost_reasons = result
        self.model.set_rows(self.data.rows)
        self.count_label.setText(
            self.tr("今天到期 {today} 条 · 逾期 {overdue} 条").format(
                today=self.data.due_today, overdue=self.data.overdue
            )
        )
        self.empty_label.setVisible(self.data.total == 0)
        self.table.setVisible(self.data.total > 0)
        self._on_selection()
        self._show_stale()

    def _show_stale(self) -> None:
        while self.stale_rows.count():
            item = self.stale_rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        if not self.stale:
            self.stale_box.hide()
            return
        self.stale_title.setText(
            self.tr("⚠ {count} 位 A 级客户已超过 {days} 天没有回应，建议降为 B 级").format(
                count=len(self.stale), days=follow_ups.HOT_SILENCE_DAYS
            )
        )
        for customer in self.stale[:STALE_SHOWN]:
            line = QWidget(self.stale_box)
            row = QHBoxLayout(line)
            row.setContentsMargins(0, 0, 0, 0)
            owner = customer.owner_name or self.tr("未分配")
            text = QLabel(
                self.tr("{name}  {phone}  · 顾问 {owner} · {days} 天未联系").format(
                    name=customer.name,
                    phone=customer.phone_masked,
                    owner=owner,
                    days=customer.silent_days,
                ),
                line,
            )
            row.addWidget(text, 1)
            button = QPushButton(self.tr("降为B"), line)
            button.setProperty("customer_id", str(customer.customer_id))
            button.clicked.connect(self._on_downgrade_clicked)
            row.addWidget(button)
            self.stale_rows.addWidget(line)
        if len(self.stale) > STALE_SHOWN:
            self.stale_rows.addWidget(
                QLabel(
                    self.tr("另有 {n} 位未列出").format(n=len(self.stale) - STALE_SHOWN),
                    self.stale_box,
                )
            )
        self.stale_box.show()

    def _on_failed(self, exc: BaseException) -> None:
        self._say(report_failure(exc), "ErrorText")

    def _say(self, text: str, kind: str) -> None:
        self.message_label.setObjectName(kind)
        repolish(self.message_label)
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    # --- actions -------------------------------------------------------------------------

    def _on_selection(self) -> None:
        self.log_button.setEnabled(self.selected_row() is not None)

    def selected_row(self) -> FollowUpRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_row(self, n: int) -> None:
        self.table.selectRow(n)

    def log_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        if row.is_lead:
            self.call_lead(row)
            return
        dialog = FollowUpDialog(
            self.tr("{name}（{phone}）· {reason}").format(
                name=row.customer_name,
                phone=row.phone_masked,
                reason=reason_text(row.reason, row.cadence_grade),
            ),
            self._today(),
            self,
            after_sale=follow_ups.is_after_sale(row.reason),
            lost_reasons=self.lost_reasons,
        )
        self._dialog = dialog
        dialog.accepted.connect(self._on_dialog_accepted)
        dialog.setProperty("follow_up_id", str(row.id))
        dialog.open()

    def _on_dialog_accepted(self) -> None:
        dialog = self._dialog
        if dialog is None:
            return
        self.submit(dialog, uuid.UUID(dialog.property("follow_up_id")))

    def submit(self, dialog: FollowUpDialog, follow_up_id: uuid.UUID) -> None:
        """Save what the dialog holds; on a refusal, reopen it with the message."""
        user, now, today = self.user, self._now(), self._today()
        result, next_due, answered = dialog.result_text(), dialog.next_due(), dialog.answered()

        def failed(exc: BaseException) -> None:
            if is_expected(exc):
                dialog.show_error(error_text(exc))
                dialog.open()  # everything typed is still there
            else:
                self._on_failed(exc)

        payload = {
            "user": operations.user_payload(user),
            "follow_up_id": str(follow_up_id),
            "result": result,
            "next_due": next_due.isoformat() if next_due else None,
            "now": now.isoformat(),
            "today": today.isoformat(),
            "answered": answered,
            "lost_reason": dialog.lost_reason(),
            "satisfaction": dialog.satisfaction(),
            "satisfaction_comment": dialog.satisfaction_comment(),
        }
        self.runner.submit(
            "follow_up.complete", payload, self._on_completed, self._on_queued, failed
        )

    def _on_queued(self, _queued: object) -> None:
        # The shared database is unreachable: the note waits in this PC's outbox.
        self._say(
            self.tr("待同步：网络断开，回访结果已保存在本机，恢复连接后自动登记。"), "ErrorText"
        )

    def _on_completed(self, done: follow_ups.CompletedFollowUp) -> None:
        if done.next_due is not None:
            self._say(
                self.tr("已登记回访结果，下次回访：{day}").format(day=done.next_due.isoformat()),
                "SuccessText",
            )
        else:
            self._say(self.tr("已登记回访结果。"), "SuccessText")
        self.context.bus.publish({"follow_ups"})

    def call_lead(self, row: FollowUpRow) -> None:
        """A lead's call: the contact log of the lead, with the grade for the next one."""
        from ui.dialogs.interaction import InteractionDialog

        heading = self.tr("线索：{name} {phone} · {reason}").format(
            name=lead_name(row),
            phone=row.phone_masked,
            reason=reason_text(row.reason, row.cadence_grade),
        )
        self.contact_dialog = InteractionDialog(
            self.context,
            self.runner,
            self.user,
            heading=heading,
            lead_id=row.lead_id,
            clock=self._now,
            parent=self,
            lead_grade=row.intent_grade.value if row.intent_grade else None,
        )
        self.contact_dialog.saved.connect(self._on_lead_called)
        self.contact_dialog.open()

    def _on_lead_called(self, result: object) -> None:
        from showroom.sync.service import Submitted

        if isinstance(result, Submitted) and result.queued:
            self._on_queued(result)
            return
        next_on = getattr(result, "lead_next_on", None)
        if next_on is not None:
            self._say(
                self.tr("已记录线索沟通，下次回访：{day}").format(day=next_on.isoformat()),
                "SuccessText",
            )
        else:
            self._say(self.tr("已记录线索沟通，不再自动安排回访。"), "SuccessText")
        self.context.bus.publish({"follow_ups", "leads", "interactions"})

    def _on_downgrade_clicked(self) -> None:
        button = self.sender()
        if isinstance(button, QPushButton):
            self.downgrade(uuid.UUID(str(button.property("customer_id"))))

    def downgrade(self, customer_id: uuid.UUID) -> None:
        user = self.user

        def work(session: Session) -> follow_ups.GradeChanged:
            return follow_ups.downgrade(session, user, customer_id)

        self.runner.write(work, self._on_downgraded, self._on_failed)

    def _on_downgraded(self, change: follow_ups.GradeChanged) -> None:
        name = next((c.name for c in self.stale if c.customer_id == change.customer_id), "")
        self._say(self.tr("已将 {name} 降为 B 级。").format(name=name), "SuccessText")
        self.context.bus.publish({"customers", f"customer:{change.customer_id}"})

    # --- the store's cadence (manager) ----------------------------------------------------

    def open_cadence(self) -> None:
        store_id = self.user.store_id

        def work(session: Session) -> dict[IntentGrade, cadence.CadenceRule]:
            return cadence.rules(session, store_id)

        self.runner.read(work, self._show_cadence, self._on_failed)

    def _show_cadence(self, rules: dict[IntentGrade, cadence.CadenceRule]) -> None:
        dialog = CadenceDialog(rules, self)
        self._cadence_dialog = dialog
        dialog.accepted.connect(self._on_cadence_accepted)
        dialog.open()

    def _on_cadence_accepted(self) -> None:
        dialog = self._cadence_dialog
        if dialog is not None:
            self.save_cadence(dialog)

    def save_cadence(self, dialog: CadenceDialog) -> None:
        """Save the dialog's rules; on a refusal, reopen it with the message."""

        def failed(exc: BaseException) -> None:
            if is_expected(exc):
                dialog.show_error(error_text(exc))
                dialog.open()  # what was typed is still there
            else:
                self._on_failed(exc)

        payload = operations.cadence_payload(self.user, dialog.values())
        self.runner.submit(
            "follow_up.cadence_save", payload, self._on_cadence_saved, self._on_queued, failed
        )

    def _on_cadence_saved(self, _rules: object) -> None:
        self._say(
            self.tr("回访节奏已保存，从下一次到店、试驾、线索或调整等级起生效。"), "SuccessText"
        )

    # --- the store's lost-deal reasons (manager) ----------------------------------------

    def open_lost_reasons(self) -> None:
        store_id = self.user.store_id

        def work(session: Session) -> tuple[str, ...]:
            return lost_reasons.list_reasons(session, store_id)

        self.runner.read(work, self._show_lost_reasons, self._on_failed)

    def _show_lost_reasons(self, reasons: tuple[str, ...]) -> None:
        dialog = LostReasonsDialog(reasons, self)
        self._reasons_dialog = dialog
        dialog.accepted.connect(self._on_reasons_accepted)
        dialog.open()

    def _on_reasons_accepted(self) -> None:
        dialog = self._reasons_dialog
        if dialog is None:
            return

        def failed(exc: BaseException) -> None:
            if is_expected(exc):
                dialog.show_error(error_text(exc))
                dialog.open()  # the text is still there
            else:
                self._on_failed(exc)

        payload = {"user": operations.user_payload(self.user), "labels": dialog.labels()}
        self.runner.submit(
            "lost_reason.save", payload, self._on_reasons_saved, self._on_queued, failed
        )

    def _on_reasons_saved(self, reasons: tuple[str, ...]) -> None:
        self.lost_reasons = reasons
        self._say(self.tr("战败原因列表已保存（{n} 项）。").format(n=len(reasons)), "SuccessText")

    # --- the store's maintenance interval (manager) -------------------------------------

    def open_interval(self) -> None:
        store_id = self.user.store_id

        def work(session: Session) -> mileage.Interval:
            return mileage.interval(session, store_id)

        self.runner.read(work, self._show_interval, self._on_failed)

    def _show_interval(self, current: mileage.Interval) -> None:
        from ui.dialogs.mileage import IntervalDialog

        dialog = IntervalDialog(current, self)
        self._interval_dialog = dialog
        dialog.accepted.connect(self._on_interval_accepted)
        dialog.open()

    def _on_interval_accepted(self) -> None:
        dialog = self._interval_dialog

        def failed(exc: BaseException) -> None:
            if is_expected(exc):
                dialog.show_error(error_text(exc))
                dialog.open()  # the numbers typed are still there
            else:
                self._on_failed(exc)

        months, km = dialog.values()
        payload = mileage_ops.interval_payload(self.user, months, km)
        self.runner.submit(
            "maintenance.interval_save", payload, self._on_interval_saved, self._on_queued, failed
        )

    def _on_interval_saved(self, saved: mileage.Interval) -> None:
        self._say(
            self.tr("保养间隔已保存：{months} 个月或 {km} 公里，先到为准。").format(
                months=saved.months, km=f"{saved.km:,}"
            ),
            "SuccessText",
        )
        if self.tabs.currentIndex() == TAB_REMINDERS:
            self.load_reminders()
