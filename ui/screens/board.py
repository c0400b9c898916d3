"""今日到店: the day's visitor board, kept current without anyone pressing refresh.

Who is waiting, who is with which consultant, who is out on a test drive, who
has left; minutes since arrival; a visitor waiting longer than
``waiting_alarm_minutes`` is highlighted. The board reloads when the change bus
says visits changed (this PC) and polls every few seconds (other PCs, until
database notifications arrive); the minutes tick locally between reloads.
Check-out asks for the outcome and the intent grade.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush, QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from db.enums import IntentGrade, VisitOutcome, VisitStatus
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.services import lost_reasons, reception
from showroom.services.reception import BoardRow
from showroom.users import StaffUser
from ui.errors import report_failure
from ui.screens.base import Screen
from ui.style import repolish
from ui.tasks import TaskRunner
from ui.widgets.combos import find_data
from ui.widgets.kiosk_arrivals import ArrivalsPanel, ArrivalWatcher
from ui.widgets.names import shown_name
from ui.widgets.reception_labels import (
    GRADES,
    OUTCOMES,
    local_time,
    outcome_label,
    purpose_label,
    short_grade_label,
    status_label,
    with_note,
)
from ui.widgets.tables import make_table, set_column_widths

POLL_MS = 5_000
TICK_MS = 30_000
(
    COL_ARRIVED,
    COL_CUSTOMER,
    COL_PHONE,
    COL_PURPOSE,
    COL_PARTY,
    COL_STATUS,
    COL_CONSULTANT,
    COL_MINUTES,
    COL_RESULT,
) = range(9)
ALARM_BACKGROUND = QColor("#fde2e1")
ALARM_TEXT = QColor("#b91c1c")
STATUS_COLOURS = {
    VisitStatus.WAITING: QColor("#b45309"),
    VisitStatus.WITH_CONSULTANT: QColor("#1d4ed8"),
    VisitStatus.TEST_DRIVING: QColor("#047857"),
    VisitStatus.LEFT: QColor("#6b7280"),
}

Index = QModelIndex | QPersistentModelIndex


class BoardModel(QAbstractTableModel):
    """The day's visits (bounded: one store, one day), newest state from the service.

    Signals: inherited only.
    """

    def __init__(self, alarm_minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[BoardRow] = []
        self.alarm_minutes = alarm_minutes
        self.now = utcnow()

    def set_rows(self, rows: list[BoardRow], now: datetime) -> None:
        self.beginResetModel()
        self.rows = rows
        self.now = now
        self.endResetModel()

    def tick(self, now: datetime) -> None:
        self.now = now
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, COL_RESULT))

    def minutes(self, row: BoardRow) -> int:
        end = row.left_at or self.now
        return max(0, int((end - row.arrived_at).total_seconds() // 60))

    def alarmed(self, row: BoardRow) -> bool:
        return row.status is VisitStatus.WAITING and self.minutes(row) >= self.alarm_minutes

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else 9

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (
                self.tr("到店"),
                self.tr("客户"),
                self.tr("手机号"),
                self.tr("目的"),
                self.tr("人数"),
                self.tr("状态"),
                self.tr("接待顾问"),
                self.tr("时长"),
                self.tr("结果 / 意向"),
            )[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, column)
        if role == Qt.ItemDataRole.BackgroundRole and self.alarmed(row):
            return QBrush(ALARM_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole and column in (COL_STATUS, COL_MINUTES):
            # The style sheet paints item backgrounds, so the alarm shows in the text too.
            if self.alarmed(row):
                return QBrush(ALARM_TEXT)
            if column == COL_STATUS:
                return QBrush(STATUS_COLOURS[row.status])
        if (
            role == Qt.ItemDataRole.FontRole
            and self.alarmed(row)
            and column
            in (
                COL_STATUS,
                COL_MINUTES,
            )
        ):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and self.alarmed(row):
            return self.tr("已等待 {m} 分钟，超过 {a} 分钟提醒线").format(
                m=self.minutes(row), a=self.alarm_minutes
            )
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (COL_PARTY, COL_MINUTES):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def display(self, row: BoardRow, column: int) -> str:
        if column == COL_ARRIVED:
            return local_time(row.arrived_at)
        if column == COL_CUSTOMER:
            return shown_name(row.customer_name)
        if column == COL_PHONE:
            return row.phone_masked
        if column == COL_PURPOSE:
            text = purpose_label(row.purpose)
            return with_note(text, self.tr("预约")) if row.booking else text
        if column == COL_PARTY:
            return str(row.party_size)
        if column == COL_STATUS:
            return status_label(row.status)
        if column == COL_CONSULTANT:
            return row.consultant_name or self.tr("待分配")
        if column == COL_MINUTES:
            text = self.tr("{m} 分钟").format(m=self.minutes(row))
            return f"⚠ {text}" if self.alarmed(row) else text
        if column == COL_RESULT:
            if row.status is VisitStatus.LEFT:
                grade = f" · {short_grade_label(row.intent_grade)}" if row.intent_grade else ""
                return f"{outcome_label(row.outcome)}{grade}"
            return short_grade_label(row.intent_grade)
        return ""


class CheckOutDialog(QDialog):
    """离店登记: outcome and intent grade. Emits no signals (the owner watches ``ok_button``)."""

    def __init__(
        self,
        customer_name: str,
        parent: QWidget | None = None,
        lost_reasons: tuple[str, ...] = (),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("离店登记"))
        self.setMinimumWidth(420)
        heading = QLabel(self.tr("{name} 离店").format(name=customer_name), self)
        heading.setObjectName("SectionTitle")
        self.outcome_combo = QComboBox(self)
        for outcome, text in OUTCOMES.items():
            self.outcome_combo.addItem(text, outcome)
        self.outcome_combo.setCurrentIndex(self.outcome_combo.findData(VisitOutcome.FOLLOW_UP))
        self.grade_combo = QComboBox(self)
        for grade, text in GRADES.items():
            self.grade_combo.addItem(text, grade)
        self.grade_combo.setCurrentIndex(self.grade_combo.findData(IntentGrade.B))
        # 战败原因: only for a customer leaving without interest (the store's list).
        self.lost_combo = QComboBox(self)
        self.lost_combo.addItem(self.tr("（不填）"), None)
        for reason in lost_reasons:
            self.lost_combo.addItem(reason, reason)
        self.outcome_combo.currentIndexChanged.connect(self._on_outcome)
        self._on_outcome()
        self.notes_edit = QLineEdit(self)
        self.notes_edit.setPlaceholderText(self.tr("可不填，如：看中白色卡罗拉，周末带家人再来"))
        self.error_label = QLabel("", self)
        self.error_label.setObjectName("ErrorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        form = QFormLayout()
        form.addRow(self.tr("接待结果"), self.outcome_combo)
        form.addRow(self.tr("意向等级"), self.grade_combo)
        form.addRow(self.tr("战败原因"), self.lost_combo)
        form.addRow(self.tr("备注"), self.notes_edit)
        cancel = QPushButton(self.tr("取消"), self)
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        self.ok_button = QPushButton(self.tr("确认离店"), self)
        self.ok_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)

    def _on_outcome(self) -> None:
        lost = self.outcome_combo.currentData() == VisitOutcome.NO_INTEREST
        self.lost_combo.setEnabled(lost)
        if not lost:
            self.lost_combo.setCurrentIndex(0)

    def lost_reason(self) -> str | None:
        return self.lost_combo.currentData() if self.lost_combo.isEnabled() else None

    def values(self) -> tuple[VisitOutcome, IntentGrade, str]:
        return (
            VisitOutcome(self.outcome_combo.currentData()),
            IntentGrade(self.grade_combo.currentData()),
            self.notes_edit.text(),
        )

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()


class BoardScreen(Screen):
    """The visitor board. Emits no signals; publishes ``visits`` after each change."""

    topics: ClassVar[frozenset[str]] = frozenset({"visits", "staff", "kiosk_arrivals"})

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
        *,
        clock: Any = None,
    ) -> None:
        super().__init__(context, runner, user, parent)
        self._clock = clock or (lambda: utcnow())
        self._loading = False
        self.check_out_dialog: CheckOutDialog | None = None

        top = QHBoxLayout()
        title = QLabel(self.tr("今日到店"), self)
        title.setObjectName("PageTitle")
        top.addWidget(title)
        top.addStretch(1)
        self.summary = QLabel(self.tr("正在加载…"), self)
        self.summary.setObjectName("CountLabel")
        top.addWidget(self.summary)
        self.body.addLayout(top)

        self.message = QLabel("", self)
        self.message.setObjectName("ErrorText")
        self.message.setWordWrap(True)
        self.message.hide()
        self.body.addWidget(self.message)

        # Kiosk self check-ins waiting to be greeted (the shell's watcher chimes for them).
        shell_watcher = None
        node = parent
        while node is not None and shell_watcher is None:
            shell_watcher = getattr(node, "arrivals", None)
            node = node.parentWidget()
        self.arrivals = (
            shell_watcher
            if isinstance(shell_watcher, ArrivalWatcher)
            else ArrivalWatcher(context, runner, user, self, clock=self._clock)
        )
        self.arrivals_panel = ArrivalsPanel(
            self.arrivals, runner, user, context.settings["protection_days"], self
        )
        self.arrivals_panel.received.connect(self._arrival_received)
        self.body.addWidget(self.arrivals_panel)

        self.model = BoardModel(context.settings["waiting_alarm_minutes"], self)
        self.table = make_table(self)
        self.table.setModel(self.model)
        set_column_widths(
            self.table,
            {
                COL_ARRIVED: 70,
                COL_CUSTOMER: 130,
                COL_PHONE: 120,
                COL_PURPOSE: 120,
                COL_PARTY: 56,
                COL_STATUS: 100,
                COL_CONSULTANT: 100,
                COL_MINUTES: 80,
            },
        )
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(self._open_record)
        self.body.addWidget(self.table, 1)

        # Who can take the next visitor: the roster's consultants on duty, free or not.
        duty = QHBoxLayout()
        self.duty_label = QLabel("", self)
        self.duty_label.setObjectName("HintText")
        self.duty_label.setWordWrap(True)
        duty.addWidget(self.duty_label, 1)
        # A free consultant and an unassigned visitor should never both wait (e.g. after a
        # roster change): one click hands the queue out in arrival order.
        self.offer_button = QPushButton(self.tr("按到店先后分配排队客户"), self)
        self.offer_button.clicked.connect(self.offer_queue)
        self.offer_button.hide()
        duty.addWidget(self.offer_button)
        self.body.addLayout(duty)

        actions = QHBoxLayout()
        self.greet_button = QPushButton(self.tr("开始接待"), self)
        self.greet_button.clicked.connect(self.greet)
        self.drive_button = QPushButton(self.tr("试驾出发"), self)
        self.drive_button.clicked.connect(self.start_drive)
        self.back_button = QPushButton(self.tr("试驾回来"), self)
        self.back_button.clicked.connect(self.drive_back)
        self.check_out_button = QPushButton(self.tr("离店登记…"), self)
        self.check_out_button.clicked.connect(self.open_check_out)
        self.consultant_combo = QComboBox(self)
        self.consultant_combo.setMinimumWidth(160)
        self.consultant_combo.currentIndexChanged.connect(self._update_buttons)
        self.assign_button = QPushButton(self.tr("改派"), self)
        self.assign_button.clicked.connect(self.assign)
        for widget in (self.greet_button, self.drive_button, self.back_button):
            actions.addWidget(widget)
        actions.addWidget(self.check_out_button)
        actions.addStretch(1)
        actions.addWidget(QLabel(self.tr("接待顾问"), self))
        actions.addWidget(self.consultant_combo)
        actions.addWidget(self.assign_button)
        self.body.addLayout(actions)

        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._on_poll)
        self._poll.start()
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._on_tick)
        self._tick.start()
        self._update_buttons()
        self.refresh()

    # --- loading -----------------------------------------------------------------------

    def refresh(self) -> None:
        store_id = self.user.store_id
        self._loading = True

        def work(session: Session) -> tuple[list[BoardRow], list[reception.ConsultantRow]]:
            return reception.board(session, store_id), reception.list_consultants(session, store_id)

        self.runner.read(work, self._on_loaded, self._fail)

    def _on_poll(self) -> None:
        if self.isVisible() and not self._loading:
            self.refresh()

    def _on_tick(self) -> None:
        self.model.tick(self._clock())
        self._show_summary()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self._on_tick()

    def _on_loaded(self, result: tuple[list[BoardRow], list[reception.ConsultantRow]]) -> None:
        self._loading = False
        rows, consultants = result
        selected = self.selected()
        self.model.set_rows(rows, self._clock())
        if selected is not None:
            for n, row in enumerate(rows):
                if row.id == selected.id:
                    self.table.selectRow(n)
        current = self.consultant_combo.currentData()
        self.consultant_combo.blockSignals(True)
        self.consultant_combo.clear()
        # Reassigning is a choice: nobody is preselected, and only consultants on duty show.
        self.consultant_combo.addItem(self.tr("选择顾问…"), None)
        for c in consultants:
            state = (
                self.tr("（接待中）") if c.busy else (self.tr("（有客等候）") if c.waiting else "")
            )
            self.consultant_combo.addItem(c.name + state, c.id)
        self.consultant_combo.setCurrentIndex(max(0, find_data(self.consultant_combo, current)))
        self.consultant_combo.blockSignals(False)
        self._show_duty(consultants, rows)
        self._show_summary()
        self._update_buttons()

    def _show_duty(self, consultants: list[reception.ConsultantRow], rows: list[BoardRow]) -> None:
        free = [c.name for c in consultants if c.free]
        busy = [c.name for c in consultants if not c.free]
        queued = sum(1 for r in rows if r.status is VisitStatus.WAITING and r.consultant_id is None)
        if not consultants:
            text = self.tr("今天没有在岗的销售顾问（请店长在“员工 → 排班”中安排）。")
        else:
            text = self.tr("在岗空闲：{free}").format(free="、".join(free) or self.tr("无"))
            if busy:
                text += self.tr(" · 在岗忙碌：{busy}").format(busy="、".join(busy))
        if queued:
            text += self.tr(" · 排队等候分配 {n} 位（顾问空出后按到店先后自动分配）").format(
                n=queued
            )
        self.duty_label.setText(text)
        self.offer_button.setVisible(bool(queued and free))

    def _show_summary(self) -> None:
        counts = {status: 0 for status in VisitStatus}
        alarms = 0
        for row in self.model.rows:
            counts[row.status] += 1
            alarms += self.model.alarmed(row)
        text = self.tr("等待 {w} · 接待中 {c} · 试驾中 {d} · 已离店 {l}").format(
            w=counts[VisitStatus.WAITING],
            c=counts[VisitStatus.WITH_CONSULTANT],
            d=counts[VisitStatus.TEST_DRIVING],
            l=counts[VisitStatus.LEFT],
        )
        if alarms:
            text += self.tr(" · {n} 位等待超时").format(n=alarms)
        self.summary.setText(text)

    # --- actions -----------------------------------------------------------------------

    def selected(self) -> BoardRow | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.model.rows):
            return None
        return self.model.rows[rows[0].row()]

    def select_visit(self, visit_id: uuid.UUID) -> None:
        for n, row in enumerate(self.model.rows):
            if row.id == visit_id:
                self.table.selectRow(n)

    def _update_buttons(self, *_args: object) -> None:
        row = self.selected()
        status = row.status if row else None
        self.greet_button.setEnabled(status is VisitStatus.WAITING)
        self.drive_button.setEnabled(status in (VisitStatus.WAITING, VisitStatus.WITH_CONSULTANT))
        self.back_button.setEnabled(status is VisitStatus.TEST_DRIVING)
        self.check_out_button.setEnabled(status is not None and status is not VisitStatus.LEFT)
        self.assign_button.setEnabled(
            status is not None
            and status is not VisitStatus.LEFT
            and self.consultant_combo.currentData() is not None
        )

    def _move(self, status: VisitStatus) -> None:
        row = self.selected()
        if row is None:
            return
        user, visit_id = self.user, row.id

        def work(session: Session) -> None:
            reception.set_status(session, user, visit_id, status)

        self.runner.write(work, self._changed, self._fail)

    def greet(self) -> None:
        self._move(VisitStatus.WITH_CONSULTANT)

    def start_drive(self) -> None:
        self._move(VisitStatus.TEST_DRIVING)

    def drive_back(self) -> None:
        self._move(VisitStatus.WITH_CONSULTANT)

    def assign(self) -> None:
        row = self.selected()
        consultant = self.consultant_combo.currentData()
        if row is None or consultant is None:
            return
        user, visit_id = self.user, row.id

        def work(session: Session) -> str:
            return reception.assign(session, user, visit_id, consultant)

        self.runner.write(work, self._changed, self._fail)

    def offer_queue(self) -> None:
        user, store_id = self.user, self.user.store_id

        def work(session: Session) -> list[reception.Offer]:
            return reception.offer_waiting(session, user.actor, store_id)

        self.runner.write(work, self._changed, self._fail)

    def open_check_out(self) -> None:
        if self.selected() is None:
            return
        store_id = self.user.store_id

        def work(session: Session) -> tuple[str, ...]:
            return lost_reasons.list_reasons(session, store_id)

        self.runner.read(work, self._show_check_out, self._fail)

    def _show_check_out(self, reasons: tuple[str, ...]) -> None:
        row = self.selected()
        if row is None:
            return
        self.check_out_dialog = CheckOutDialog(shown_name(row.customer_name), self, reasons)
        self.check_out_dialog.ok_button.clicked.connect(self._submit_check_out)
        self.check_out_dialog.open()

    def _submit_check_out(self) -> None:
        row, dialog = self.selected(), self.check_out_dialog
        if row is None or dialog is None:
            return
        outcome, grade, notes = dialog.values()
        lost = dialog.lost_reason()
        user, visit_id = self.user, row.id

        def work(session: Session) -> None:
            reception.check_out(
                session, user, visit_id, outcome, grade, notes=notes, lost_reason=lost
            )

        self.runner.write(work, self._checked_out, self._check_out_failed)

    def _checked_out(self, _result: object) -> None:
        if self.check_out_dialog is not None:
            self.check_out_dialog.accept()
            self.check_out_dialog = None
        self._changed(None)

    def _check_out_failed(self, exc: BaseException) -> None:
        if self.check_out_dialog is not None:
            self.check_out_dialog.show_error(report_failure(exc))
        else:
            self._fail(exc)

    def _changed(self, _result: object) -> None:
        self.message.hide()
        self.context.bus.publish({"visits", "customers", "audit"})
        if not self.isVisible():
            self.refresh()

    def _arrival_received(self, result: object) -> None:
        self._changed(None)
        visit_id = getattr(result, "visit_id", None)
        if visit_id is not None:
            self.select_visit(visit_id)

    def _open_record(self, _index: QModelIndex) -> None:
        row = self.selected()
        if row is None:
            return
        from ui.dialogs.customer_record import CustomerRecordDialog

        CustomerRecordDialog(self.context, self.runner, self.user, row.customer_id, self).open()

    def _fail(self, exc: BaseException) -> None:
        self._loading = False
        self.message.setText(report_failure(exc))
        self.message.show()
        repolish(self.message)
