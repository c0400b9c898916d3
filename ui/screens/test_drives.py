"""试驾 (sales, reception, manager): the day's test drives and every step of one.

The list shows one day (today by default); the buttons under it follow the
selected drive's state: check the licence, sign the agreement, check out,
return, no-show, cancel, reprint. Tomorrow's reminder list (with full phone
numbers, so its reveal is audited) can be saved as CSV for calling.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from db.models import DocumentKind, TestDriveStatus
from showroom.clock import store_today
from showroom.context import AppContext
from showroom.documents.model import Document
from showroom.services import test_drives as td
from showroom.users import StaffUser
from ui.clock import today_qdate
from ui.dialogs.test_drive import (
    STORE_ZONE,
    AgreementDialog,
    BookingDialog,
    CheckOutDialog,
    LicenceDialog,
    ReturnDialog,
)
from ui.documents import printing
from ui.errors import report_failure
from ui.screens.base import Screen
from ui.tasks import TaskRunner
from ui.widgets.labels import drive_status_label
from ui.widgets.tables import RowListModel, make_table, set_column_widths

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Index = QModelIndex | QPersistentModelIndex


class TestDriveModel(RowListModel):
    """One day's drives (a few dozen at most, so loaded whole). Emits no extra signals."""

    __test__ = False

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("时间"),
            self.tr("预约码"),
            self.tr("车辆"),
            self.tr("库存编号"),
            self.tr("客户"),
            self.tr("电话"),
            self.tr("销售顾问"),
            self.tr("状态"),
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        start = row.slot_start.astimezone(STORE_ZONE)
        end = row.slot_end.astimezone(STORE_ZONE)
        status = drive_status_label(row.status)
        if row.status is TestDriveStatus.BOOKED:
            steps = []
            steps.append(self.tr("证已核") if row.licence_checked else self.tr("待核证"))
            if row.agreement_signed:
                steps.append(self.tr("已签协议"))
            status = self.tr("{status}（{steps}）").format(
                status=status, steps=self.tr("，").join(steps)
            )
        return (
            f"{start:%H:%M}–{end:%H:%M}",
            row.booking_code,
            row.vehicle_label,
            row.stock_no,
            row.customer_name,
            row.phone_masked,
            row.consultant_name or "",
            status,
        )[index.column()]


class TestDrivesScreen(Screen):
    """The day's test drives and their actions. Emits no signals of its own."""

    __test__ = False
    topics: ClassVar[frozenset[str]] = frozenset({"test_drives", "vehicles"})

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, runner, user, parent)
        self._reminder_day = store_today()
        self._saved_note = ""
        title = QLabel(self.tr("试驾"), self)
        title.setObjectName("ScreenTitle")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        self.day = QDateEdit(today_qdate(), self)
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.dateChanged.connect(self.refresh)
        top.addWidget(self.day)
        self.new_button = QPushButton(self.tr("新预约"), self)
        self.new_button.clicked.connect(self.book)
        self.reminder_button = QPushButton(self.tr("明日提醒名单…"), self)
        self.reminder_button.clicked.connect(self.export_reminders)
        top.addWidget(self.new_button)
        top.addWidget(self.reminder_button)
        self.body.addLayout(top)

        self.model = TestDriveModel(self)
        self.table = make_table(self)
        self.table.setModel(self.model)
        set_column_widths(
            self.table, {0: 110, 1: 90, 3: 150, 4: 90, 5: 120, 6: 90, 7: 150}, stretch=2
        )
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.body.addWidget(self.table, 1)
        self.empty = QLabel(self.tr("这一天没有试驾预约。"), self)
        self.empty.setObjectName("EmptyText")
        self.body.addWidget(self.empty)

        actions = QHBoxLayout()
        self.licence_button = QPushButton(self.tr("核验驾驶证"), self)
        self.agreement_button = QPushButton(self.tr("签署协议"), self)
        self.out_button = QPushButton(self.tr("出车"), self)
        self.return_button = QPushButton(self.tr("还车"), self)
        self.no_show_button = QPushButton(self.tr("未到店"), self)
        self.cancel_button = QPushButton(self.tr("取消预约"), self)
        self.reprint_button = QPushButton(self.tr("重印协议"), self)
        for button, slot in (
            (self.licence_button, self.check_licence),
            (self.agreement_button, self.sign_agreement),
            (self.out_button, self.check_out),
            (self.return_button, self.return_car),
            (self.no_show_button, self.mark_no_show),
            (self.cancel_button, self.cancel),
            (self.reprint_button, self.reprint),
        ):
            button.clicked.connect(slot)
            actions.addWidget(button)
        actions.addStretch(1)
        self.body.addLayout(actions)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.body.addWidget(self.message)
        self._update_actions()
        self.refresh()

    # --- loading ------------------------------------------------------------------------

    def selected_day(self) -> date:
        value = self.day.date()
        return date(value.year(), value.month(), value.day())

    def refresh(self) -> None:
        day, store = self.selected_day(), self.user.store_id

        def work(session: Session) -> list[td.TestDriveRow]:
            return td.list_day(session, day, STORE_ZONE, store)

        self.runner.read(work, self._loaded, self._failed)

    def _loaded(self, rows: list[td.TestDriveRow]) -> None:
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        self._update_actions()

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(report_failure(exc))
        self.message.setStyleSheet("color:#c5221f;")

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("")

    def selected(self) -> td.TestDriveRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_code(self, code: str) -> None:
        for number in range(self.model.rowCount()):
            row = self.model.row_at(number)
            if row is not None and row.booking_code == code:
                self.table.selectRow(number)

    def _update_actions(self) -> None:
        row = self.selected()
        booked = row is not None and row.status is TestDriveStatus.BOOKED
        self.licence_button.setEnabled(booked and not row.agreement_signed)  # type: ignore[union-attr]
        self.agreement_button.setEnabled(
            booked and row.licence_checked and not row.agreement_signed  # type: ignore[union-attr]
        )
        self.out_button.setEnabled(booked and row.agreement_signed)  # type: ignore[union-attr]
        self.return_button.setEnabled(row is not None and row.status is TestDriveStatus.CHECKED_OUT)
        self.no_show_button.setEnabled(booked)
        self.cancel_button.setEnabled(booked)
        self.reprint_button.setEnabled(row is not None and row.agreement_signed)

    def _changed(self, *_: object) -> None:
        self.context.bus.publish({"test_drives", "vehicles"})
        self.refresh()

    # --- actions ------------------------------------------------------------------------

    def book(self) -> None:
        dialog = BookingDialog(self.context, self.runner, self.user, self)
        dialog.succeeded.connect(self._booked)
        dialog.open()

    def _booked(self, booking: td.Booking) -> None:
        self._say(
            self.tr("已预约：{code}，{car}，{when}").format(
                code=booking.booking_code,
                car=booking.vehicle_label,
                when=f"{booking.slot_start.astimezone(STORE_ZONE):%m-%d %H:%M}",
            )
        )
        self.day.setDate(QDate(*booking.slot_start.astimezone(STORE_ZONE).timetuple()[:3]))
        self._changed()

    def _open(self, dialog_class: type, done: Any = None) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = dialog_class(self.context, self.runner, self.user, row, self)
        dialog.succeeded.connect(done or self._changed)
        dialog.open()

    def check_licence(self) -> None:
        self._open(LicenceDialog)

    def sign_agreement(self) -> None:
        self._open(AgreementDialog, self._signed)

    def _signed(self, signed: td.SignedAgreement) -> None:
        self._say(
            self.tr("协议已签署并存档（验证码 {code}）。").format(code=signed.verification_code)
        )
        self._changed()
        dialog = self.sender()
        document = getattr(dialog, "signed_document", None)
        if isinstance(document, Document):
            printing.preview(document, self)

    def check_out(self) -> None:
        self._open(CheckOutDialog)

    def return_car(self) -> None:
        self._open(ReturnDialog)

    def _simple(self, action: Any, confirm: str) -> None:
        row = self.selected()
        if row is None:
            return
        answer = QMessageBox.question(self, self.tr("试驾"), confirm)
        if answer != QMessageBox.StandardButton.Yes:
            return
        drive_id, actor = row.id, self.user.actor
        self.runner.write(lambda s: action(s, actor, drive_id), self._changed, self._failed)

    def mark_no_show(self) -> None:
        self._simple(td.mark_no_show, self.tr("确定把这个预约标记为“未到店”吗？"))

    def cancel(self) -> None:
        self._simple(td.cancel, self.tr("确定取消这个试驾预约吗？"))

    def reprint(self) -> None:
        row = self.selected()
        if row is None:
            return
        printing.reprint(
            self.runner,
            self.user.actor,
            DocumentKind.TEST_DRIVE_AGREEMENT,
            row.booking_code,
            self._reprinted,
            self._failed,
            self.context.paths.cache_dir,
        )

    def _reprinted(self, document: Document) -> None:
        self._say(self.tr("已生成副本 {n} 并存档。").format(n=document.copy_no))
        printing.preview(document, self)

    def export_reminders(self) -> None:
        # The day after the one shown: on today's list that is tomorrow's calls.
        day, actor = self.selected_day() + timedelta(days=1), self.user.actor

        def work(session: Session) -> list[td.Reminder]:
            return td.reminders(session, actor, day, STORE_ZONE)

        self._reminder_day = day
        self.runner.write(work, self._save_reminders, self._failed)

    def _save_reminders(self, rows: list[td.Reminder]) -> None:
        day = self._reminder_day
        if not rows:
            self._say(self.tr("{day} 没有需要提醒的预约。").format(day=f"{day:%m-%d}"))
            return
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("保存提醒名单"), f"试驾提醒-{day:%Y%m%d}.csv", "CSV (*.csv)"
        )
        if not path:
            return
        text = td.reminders_csv(rows, STORE_ZONE)
        self._saved_note = self.tr("已保存 {n} 条提醒到 {path}").format(n=len(rows), path=path)
        # The disk may be a slow network share: write off the UI thread.
        self.runner.call(
            lambda: Path(path).write_text(text, encoding="utf-8"),
            self._reminders_saved,
            self._failed,
        )

    def _reminders_saved(self, _result: object) -> None:
        self._say(self._saved_note)
