"""客户档案: profile, needs, timeline, visits, interactions, grade history and follow-ups.

Phone and ID numbers arrive masked. Roles allowed to see them get a 显示 button;
pressing it asks the service, which writes the audit entry, and the full number
stays only in this dialog for as long as it is open.

Staff keep the file current from here: 编辑资料 (the edit form) and 记录沟通 (a
call, a WeChat message, a visit talk: what was said, the answer, the next step).
The timeline shows everything in one list, newest first: leads, contacts, visits,
test drives, deposits, contracts, inspections and grade changes.

A buyer's cars have their own tab (里程与保养): every odometer reading known (the
sale, the service book, warranty claims, calls and visits), the next service and
whether the months or the kilometres bring it, and 记录里程… for a new reading.

The manager also finds the customer's PIPL requests here (撤回营销同意, 导出个人信息,
删除个人信息); the rules are in ``showroom.services.privacy_requests``.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from db.enums import (
    ContractKind,
    ContractStatus,
    DepositStatus,
    InspectionStatus,
    LeadStatus,
    Role,
    TestDriveStatus,
    VisitOutcome,
    VisitPurpose,
    VisitStatus,
)
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.money import in_wan
from showroom.roles import may_reveal_personal_data
from showroom.services import customers, mileage, privacy_requests, reception, referrals
from showroom.services.customers import TimelineEntry
from showroom.services.privacy_requests import ConsentWithdrawn, CustomerExport, ErasureResult
from showroom.services.reception import CustomerRecord
from showroom.sync import operations
from showroom.users import StaffUser
from ui.documents.fonts import derive_print_fonts, register_print_fonts
from ui.documents.render import render_pdf
from ui.errors import report_failure
from ui.style import repolish
from ui.tasks import TaskRunner
from ui.widgets.labels import (
    CUSTOMER_KINDS,
    CUSTOMER_ROLES,
    INTERACTION_CHANNELS,
    LEAD_STATUSES,
    PAYMENT_PREFERENCES,
    label,
    signals_text,
)
from ui.widgets.reception_labels import (
    grade_label,
    local_time,
    outcome_label,
    purpose_label,
    source_label,
    status_label,
)

FOLLOW_UP_STATUS = {"open": "待回访", "done": "已完成", "skipped": "已跳过"}
_CONTEXT = "Timeline"
TIMELINE_KINDS = {
    "lead": QT_TRANSLATE_NOOP("Timeline", "线索"),
    "interaction": QT_TRANSLATE_NOOP("Timeline", "沟通"),
    "visit": QT_TRANSLATE_NOOP("Timeline", "到店"),
    "test_drive": QT_TRANSLATE_NOOP("Timeline", "试驾"),
    "deposit": QT_TRANSLATE_NOOP("Timeline", "意向金"),
    "contract": QT_TRANSLATE_NOOP("Timeline", "合同"),
    "inspection": QT_TRANSLATE_NOOP("Timeline", "检测"),
    "grade": QT_TRANSLATE_NOOP("Timeline", "意向等级"),
}
_STATUS_TEXT = {
    TestDriveStatus.BOOKED.value: QT_TRANSLATE_NOOP("Timeline", "已预约"),
    TestDriveStatus.CHECKED_OUT.value: QT_TRANSLATE_NOOP("Timeline", "试驾中"),
    TestDriveStatus.RETURNED.value: QT_TRANSLATE_NOOP("Timeline", "已还车"),
    TestDriveStatus.CANCELLED.value: QT_TRANSLATE_NOOP("Timeline", "已取消"),
    TestDriveStatus.NO_SHOW.value: QT_TRANSLATE_NOOP("Timeline", "未到店"),
    DepositStatus.ACTIVE.value: QT_TRANSLATE_NOOP("Timeline", "有效"),
    DepositStatus.APPLIED.value: QT_TRANSLATE_NOOP("Timeline", "已抵扣车款"),
    DepositStatus.REFUNDED.value: QT_TRANSLATE_NOOP("Timeline", "已退还"),
    DepositStatus.FORFEITED.value: QT_TRANSLATE_NOOP("Timeline", "已没收"),
    DepositStatus.EXPIRED.value: QT_TRANSLATE_NOOP("Timeline", "已到期"),
    ContractStatus.DRAFT.value: QT_TRANSLATE_NOOP("Timeline", "草稿"),
    ContractStatus.SIGNED.value: QT_TRANSLATE_NOOP("Timeline", "已签订"),
    ContractStatus.VOID.value: QT_TRANSLATE_NOOP("Timeline", "已作废"),
    InspectionStatus.DRAFT.value: QT_TRANSLATE_NOOP("Timeline", "检测中"),
    InspectionStatus.FINAL.value: QT_TRANSLATE_NOOP("Timeline", "已定稿"),
}
_CONTRACT_KINDS = {
    ContractKind.SALE.value: QT_TRANSLATE_NOOP("Timeline", "买卖合同"),
    ContractKind.CONDITION.value: QT_TRANSLATE_NOOP("Timeline", "车况确认书"),
    ContractKind.AFTER_SALES.value: QT_TRANSLATE_NOOP("Timeline", "售后服务协议"),
    ContractKind.AMENDMENT.value: QT_TRANSLATE_NOOP("Timeline", "补充协议"),
}


def _tl(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def timeline_text(entry: TimelineEntry) -> str:
    """One timeline entry as a sentence (the kind and time are columns of their own)."""
    status = _tl(_STATUS_TEXT[entry.status]) if entry.status in _STATUS_TEXT else ""
    money = f"¥{entry.amount:,.0f}" if entry.amount is not None else ""
    if entry.kind == "interaction":
        parts = [
            QCoreApplication.translate("Timeline", "{channel}：{text}").format(
                channel=label(INTERACTION_CHANNELS, entry.code), text=entry.subject
            )
        ]
        if entry.detail:
            parts.append(
                QCoreApplication.translate("Timeline", "客户答复：{text}").format(text=entry.detail)
            )
        if entry.next_step:
            when = f"（{entry.next_on.isoformat()}）" if entry.next_on else ""
            parts.append(
                QCoreApplication.translate("Timeline", "下一步：{text}{when}").format(
                    text=entry.next_step, when=when
                )
            )
        return QCoreApplication.translate("Timeline", "；").join(parts)
    if entry.kind == "visit":
        purpose = purpose_label(VisitPurpose(entry.code)) if entry.code else ""
        if entry.status in {o.value for o in VisitOutcome}:
            result = outcome_label(VisitOutcome(entry.status))
        else:
            result = status_label(VisitStatus(entry.status)) if entry.status else ""
        grade = (
            QCoreApplication.translate("Timeline", "，意向 {g} 级").format(g=entry.detail)
            if entry.detail
            else ""
        )
        return f"{entry.reference} · {purpose} · {result}{grade}"
    if entry.kind == "lead":
        where = " ".join(p for p in (source_label_code(entry.code), entry.reference) if p)
        state = label(LEAD_STATUSES, LeadStatus(entry.status)) if entry.status else ""
        asked = (
            QCoreApplication.translate("Timeline", "咨询 {car}").format(car=entry.subject)
            if entry.subject
            else ""
        )
        return " · ".join(p for p in (where, asked, entry.detail, state) if p)
    if entry.kind == "test_drive":
        feedback = (
            QCoreApplication.translate("Timeline", "反馈：{text}").format(text=entry.detail)
            if entry.detail
            else ""
        )
        return " · ".join(p for p in (entry.subject, entry.reference, status, feedback) if p)
    if entry.kind in ("deposit", "contract"):
        kind = _tl(_CONTRACT_KINDS[entry.code]) if entry.code in _CONTRACT_KINDS else ""
        return " · ".join(
            p for p in (kind, entry.reference, entry.subject, money, status, entry.detail) if p
        )
    if entry.kind == "inspection":
        grade = (
            QCoreApplication.translate("Timeline", "{g} 级").format(g=entry.code)
            if entry.code
            else ""
        )
        score = (
            QCoreApplication.translate("Timeline", "{s} 分").format(s=entry.detail)
            if entry.detail
            else ""
        )
        return " · ".join(p for p in (entry.reference, entry.subject, score, grade, status) if p)
    if entry.kind == "grade":
        old = entry.status or "—"
        return QCoreApplication.translate("Timeline", "{old} → {new}：{reason}").format(
            old=old, new=entry.code, reason=entry.detail
        )
    return entry.subject


def follow_up_reason(code: str) -> str:
    """A follow-up's reason code in words (the 回访 screen's wording)."""
    from ui.screens.follow_ups import reason_text

    return reason_text(code)


def source_label_code(code: str) -> str:
    from db.enums import SourceChannel

    try:
        return source_label(SourceChannel(code))
    except ValueError:
        return code


def _table(parent: QWidget, headers: list[str], rows: list[list[str]]) -> QTableWidget:
    # One customer's history is short and fixed while the dialog is open: a plain table fits.
    table = QTableWidget(len(rows), len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setStretchLastSection(True)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.resizeColumnsToContents()
    return table


class CustomerRecordDialog(QDialog):
    """One customer's record. Emits no signals; publishes ``audit`` after a reveal and
    the customer's topics after an edit or a contact."""

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        customer_id: uuid.UUID,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("客户档案"))
        self.resize(960, 640)
        self.context, self.runner, self.user, self.customer_id = context, runner, user, customer_id
        self.record: CustomerRecord | None = None
        self.cars: list[mileage.CarReadings] = []

        self.heading = QLabel(self.tr("正在加载…"), self)
        self.heading.setObjectName("PageTitle")
        self.phone_label = QLabel("", self)
        self.id_label = QLabel("", self)
        may_reveal = may_reveal_personal_data(user)
        self.reveal_phone_button = QPushButton(self.tr("显示完整号码"), self)
        self.reveal_phone_button.setToolTip(self.tr("查看会记入审计日志"))
        self.reveal_phone_button.setVisible(may_reveal)
        self.reveal_phone_button.clicked.connect(self.reveal_phone)
        self.reveal_id_button = QPushButton(self.tr("显示身份证号"), self)
        self.reveal_id_button.setToolTip(self.tr("查看会记入审计日志"))
        self.reveal_id_button.setVisible(False)
        self.reveal_id_button.clicked.connect(self.reveal_id)
        self.message = QLabel("", self)
        self.message.setObjectName("HintText")
        self.message.setWordWrap(True)
        self.tags_label = QLabel("", self)
        self.tags_label.setObjectName("HintText")
        self.signals_label = QLabel("", self)
        self.signals_label.setObjectName("ErrorText")
        self.signals_label.hide()
        may_edit = user.has_any(*customers.MAY_EDIT)
        self.edit_button = QPushButton(self.tr("编辑资料…（E）"), self)
        self.edit_button.setVisible(may_edit)
        self.edit_button.setEnabled(False)
        self.edit_button.clicked.connect(self.open_edit)
        self.contact_button = QPushButton(self.tr("记录沟通…（N）"), self)
        self.contact_button.setVisible(may_edit)
        self.contact_button.setEnabled(False)
        self.contact_button.clicked.connect(self.open_contact)
        if may_edit:
            QShortcut(QKeySequence("E"), self, self.open_edit)
            QShortcut(QKeySequence("N"), self, self.open_contact)

        ids = QHBoxLayout()
        ids.addWidget(self.phone_label)
        ids.addWidget(self.reveal_phone_button)
        ids.addSpacing(24)
        ids.addWidget(self.id_label)
        ids.addWidget(self.reveal_id_button)
        ids.addStretch(1)
        ids.addWidget(self.contact_button)
        ids.addWidget(self.edit_button)

        self.tabs = QTabWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(self.heading)
        layout.addWidget(self.tags_label)
        layout.addWidget(self.signals_label)
        layout.addLayout(ids)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        close = QPushButton(self.tr("关闭"), self)
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        # PIPL requests (manager): the rules are the service's, the buttons only ask.
        may_handle = user.has_any(*privacy_requests.MAY_HANDLE_PRIVACY_REQUESTS)
        self.withdraw_button = QPushButton(self.tr("撤回营销同意"), self)
        self.withdraw_button.setToolTip(self.tr("客户不再接收优惠信息：立即停止营销回访"))
        self.withdraw_button.clicked.connect(self._ask_withdraw)
        self.export_button = QPushButton(self.tr("导出个人信息"), self)
        self.export_button.setToolTip(self.tr("把门店保存的该客户信息导出为 PDF 和 JSON，交给客户"))
        self.export_button.clicked.connect(self._ask_export)
        self.erase_button = QPushButton(self.tr("删除个人信息"), self)
        self.erase_button.setToolTip(
            self.tr("按客户申请删除并匿名化；合同、收据和试驾协议依法保留")
        )
        self.erase_button.setProperty("role", "danger")
        self.erase_button.clicked.connect(self._ask_erase)
        for button in (self.withdraw_button, self.export_button, self.erase_button):
            button.setVisible(may_handle)
            button.setEnabled(False)  # until the record has loaded
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)

        self.reload()

    def reload(self) -> None:
        customer_id = self.customer_id
        self.runner.read(
            lambda s: reception.customer_record(s, customer_id), self._on_record, self._fail
        )
        self.load_cars()

    def _today(self) -> date:
        return utcnow().astimezone(ZoneInfo("Asia/Shanghai")).date()

    def load_cars(self) -> None:
        store_id, customer_id, today = self.user.store_id, self.customer_id, self._today()

        def work(session: Session) -> list[mileage.CarReadings]:
            return mileage.customer_cars(session, store_id, customer_id, today)

        self.runner.read(work, self._on_cars, self._fail)

    def _on_cars(self, cars: list[mileage.CarReadings]) -> None:
        self.cars = cars
        self._fill_mileage()

    def _reload(self) -> None:
        customer_id = self.customer_id
        self.runner.read(
            lambda s: reception.customer_record(s, customer_id), self._on_record, self._fail
        )

    def _on_record(self, record: CustomerRecord) -> None:
        current = self.tabs.currentIndex()
        self.record = record
        self.withdraw_button.setEnabled(record.marketing_consent is True)
        self.export_button.setEnabled(True)
        self.erase_button.setEnabled(True)
        self.edit_button.setEnabled(True)
        self.contact_button.setEnabled(True)
        heading = record.display_name
        if record.company_name:
            heading += f"　{record.company_name}"
        self.heading.setText(heading)
        self.tags_label.setText(
            self.tr("标签：{tags}").format(tags="、".join(record.tags)) if record.tags else ""
        )
        self.tags_label.setVisible(bool(record.tags))
        self.signals_label.setText(
            self.tr("⚠ 流失预警：{signals}").format(signals=signals_text(record.signals))
            if record.signals
            else ""
        )
        self.signals_label.setVisible(bool(record.signals))
        phone = self.tr("手机：{p}").format(p=record.phone_masked)
        if record.phone2_masked:
            phone += self.tr("　第二电话：{p}").format(p=record.phone2_masked)
        self.phone_label.setText(phone)
        self.id_label.setText(
            self.tr("身份证：{i}").format(i=record.id_number_masked or self.tr("未登记"))
        )
        self.reveal_id_button.setVisible(
            may_reveal_personal_data(self.user) and record.id_number_masked is not None
        )
        self.tabs.clear()
        self.tabs.addTab(self._profile(record), self.tr("资料与需求"))
        self.tabs.addTab(
            _table(
                self,
                [self.tr("时间"), self.tr("类型"), self.tr("员工"), self.tr("内容")],
                [
                    [
                        local_time(e.at, "%Y-%m-%d %H:%M"),
                        _tl(TIMELINE_KINDS.get(e.kind, e.kind)),
                        e.staff_name or "—",
                        timeline_text(e),
                    ]
                    for e in record.timeline
                ],
            ),
            self.tr("时间线（{n}）").format(n=len(record.timeline)),
        )
        self.tabs.addTab(
            _table(
                self,
                [
                    self.tr("到店号"),
                    self.tr("时间"),
                    self.tr("目的"),
                    self.tr("状态"),
                    self.tr("顾问"),
                    self.tr("结果"),
                    self.tr("意向"),
                ],
                [
                    [
                        v.visit_no,
                        local_time(v.arrived_at, "%Y-%m-%d %H:%M"),
                        purpose_label(v.purpose),
                        status_label(v.status),
                        v.consultant_name or "—",
                        outcome_label(v.outcome),
                        v.intent_grade.value if v.intent_grade else "",
                    ]
                    for v in record.visits
                ],
            ),
            self.tr("到店记录（{n}）").format(n=len(record.visits)),
        )
        self.tabs.addTab(
            _table(
                self,
                [
                    self.tr("时间"),
                    self.tr("方式"),
                    self.tr("员工"),
                    self.tr("内容"),
                    self.tr("客户答复"),
                    self.tr("下一步"),
                ],
                [
                    [
                        local_time(i.at, "%Y-%m-%d %H:%M"),
                        label(INTERACTION_CHANNELS, i.channel),
                        i.staff_name or "—",
                        i.summary,
                        i.response,
                        (f"{i.next_on.isoformat()} " if i.next_on else "") + i.next_step,
                    ]
                    for i in record.interactions
                ],
            ),
            self.tr("沟通记录（{n}）").format(n=len(record.interactions)),
        )
        self.tabs.addTab(
            _table(
                self,
                [
                    self.tr("时间"),
                    self.tr("原等级"),
                    self.tr("新等级"),
                    self.tr("调整人"),
                    self.tr("原因"),
                ],
                [
                    [
                        local_time(g.at, "%Y-%m-%d %H:%M"),
                        g.old_grade.value if g.old_grade else "—",
                        g.new_grade.value,
                        g.by or "—",
                        g.reason,
                    ]
                    for g in record.grades
                ],
            ),
            self.tr("意向等级变化（{n}）").format(n=len(record.grades)),
        )
        self.tabs.addTab(
            _table(
                self,
                [
                    self.tr("应回访日"),
                    self.tr("事由"),
                    self.tr("顾问"),
                    self.tr("状态"),
                    self.tr("结果"),
                ],
                [
                    [
                        f.due_on.isoformat(),
                        follow_up_reason(f.reason),
                        f.consultant_name or "—",
                        self.tr(FOLLOW_UP_STATUS.get(f.status, f.status)),
                        f.result,
                    ]
                    for f in record.follow_ups
                ],
            ),
            self.tr("回访任务（{n}）").format(n=len(record.follow_ups)),
        )
        self.mileage_tab = self.tabs.addTab(self._mileage_page(), self.tr("里程与保养"))
        self._fill_mileage()
        self.tabs.addTab(
            self._referrals_page(record), self.tr("推荐（{n}）").format(n=len(record.referrals))
        )
        if 0 <= current < self.tabs.count():
            self.tabs.setCurrentIndex(current)  # a reload after an edit stays on the same tab

    def _referrals_page(self, record: CustomerRecord) -> QWidget:
        """老带新 both ways: who referred this customer, whom they referred, the rewards."""
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 8, 0, 0)
        rewards = {
            "none": self.tr("无奖励"),
            "promised": self.tr("待兑现"),
            "paid": self.tr("已兑现"),
        }
        rows = []
        for r in record.referrals:
            if r.referred_id == record.id:
                relation = self.tr("推荐人：{name}").format(name=r.referrer_name)
            else:
                relation = self.tr("推荐了：{name}").format(name=r.referred_name)
            if r.reward_amount is not None:
                reward = self.tr("¥{amount}").format(amount=f"{r.reward_amount:,.2f}")
            else:
                reward = r.reward_gift or "—"
            status = rewards.get(r.reward_status, r.reward_status)
            if r.paid_at is not None:
                status += " " + local_time(r.paid_at, "%Y-%m-%d")
            rows.append([relation, reward, status, local_time(r.created_at, "%Y-%m-%d"), r.note])
        self.referral_table = _table(
            page,
            [
                self.tr("关系"),
                self.tr("奖励"),
                self.tr("状态"),
                self.tr("登记日期"),
                self.tr("备注"),
            ],
            rows,
        )
        self.referral_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for column, width in enumerate((200, 140, 160, 110)):
            self.referral_table.setColumnWidth(
                column, max(width, self.referral_table.columnWidth(column))
            )
        self.referral_table.itemSelectionChanged.connect(self._on_referral_selected)
        layout.addWidget(self.referral_table, 1)
        bar = QHBoxLayout()
        bar.addStretch(1)
        self.referrer_button = QPushButton(self.tr("登记推荐人…"), page)
        has_referrer = any(r.referred_id == record.id for r in record.referrals)
        self.referrer_button.setVisible(
            self.user.has_any(Role.SALES, Role.MANAGER) and not has_referrer
        )
        self.referrer_button.clicked.connect(self.open_referral)
        bar.addWidget(self.referrer_button)
        self.pay_button = QPushButton(self.tr("标记奖励已兑现"), page)
        self.pay_button.setVisible(self.user.has_role(Role.MANAGER))
        self.pay_button.setEnabled(False)
        self.pay_button.clicked.connect(self.pay_selected_reward)
        bar.addWidget(self.pay_button)
        layout.addLayout(bar)
        return page

    # --- 里程与保养: the cars bought here, their readings and next service ----------------

    def _mileage_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 8, 0, 0)
        self.service_label = QLabel("", page)
        self.service_label.setWordWrap(True)
        layout.addWidget(self.service_label)
        self.mileage_table = _table(
            page,
            [
                self.tr("日期"),
                self.tr("车辆"),
                self.tr("表显里程"),
                self.tr("来源"),
                self.tr("记录人"),
                self.tr("备注"),
            ],
            [],
        )
        layout.addWidget(self.mileage_table, 1)
        bar = QHBoxLayout()
        bar.addStretch(1)
        self.mileage_button = QPushButton(self.tr("记录里程…"), page)
        self.mileage_button.setVisible(self.user.has_any(*mileage.MAY_RECORD))
        self.mileage_button.setEnabled(False)
        self.mileage_button.clicked.connect(self.open_mileage)
        bar.addWidget(self.mileage_button)
        layout.addLayout(bar)
        return page

    def _fill_mileage(self) -> None:
        if not hasattr(self, "mileage_table"):
            return
        sources = {
            "sale": self.tr("购车交车"),
            "maintenance": self.tr("保养记录"),
            "warranty": self.tr("质保报修"),
            "call": self.tr("电话"),
            "visit": self.tr("到店"),
            "other": self.tr("其他"),
        }
        rows = [
            [
                r.read_on.isoformat(),
                car.vehicle,
                self.tr("{km} 公里").format(km=f"{r.km:,}"),
                sources.get(r.source, r.source),
                r.by or "—",
                r.note,
            ]
            for car in self.cars
            for r in reversed(car.readings)
        ]
        self.mileage_table.setRowCount(len(rows))
        for n, values in enumerate(rows):
            for column, value in enumerate(values):
                self.mileage_table.setItem(n, column, QTableWidgetItem(value))
        self.mileage_table.resizeColumnsToContents()
        for column, width in enumerate((110, 150, 120, 100, 100)):
            self.mileage_table.setColumnWidth(
                column, max(width, self.mileage_table.columnWidth(column))
            )
        lines = [self._service_line(car) for car in self.cars]
        self.service_label.setText(
            "\n".join(lines) if lines else self.tr("该客户没有在本店购车，无需记录保养里程。")
        )
        self.mileage_button.setEnabled(bool(self.cars))
        self.tabs.setTabText(self.mileage_tab, self.tr("里程与保养（{n}）").format(n=len(rows)))

    def _service_line(self, car: mileage.CarReadings) -> str:
        due = car.due
        if due is None:
            return car.vehicle
        if due.basis == mileage.KM_BASIS:
            why = self.tr("按里程，预计已行驶约 {km} 公里").format(km=f"{due.km_since_base:,}")
        elif due.base_is_sale:
            why = self.tr("按时间，距购车满 {m} 个月").format(m=due.months_since_base)
        else:
            why = self.tr("按时间，距上次保养满 {m} 个月").format(m=due.months_since_base)
        pace = (
            self.tr("约 {km} 公里/天").format(km=f"{due.km_per_day:.0f}")
            if due.estimated_from_readings
            else self.tr("按全国平均每年约 1.2 万公里估算")
        )
        if due.due_on < self._today():
            return self.tr("{car}：应于 {day} 保养，已逾期（{why}；{pace}）").format(
                car=car.vehicle, day=due.due_on.isoformat(), why=why, pace=pace
            )
        return self.tr("{car}：下次保养 {day}（{why}；{pace}）").format(
            car=car.vehicle, day=due.due_on.isoformat(), why=why, pace=pace
        )

    def open_mileage(self) -> None:
        if not self.cars:
            return
        from ui.dialogs.mileage import MileageDialog

        self.mileage_dialog = MileageDialog(self.runner, self.user, self.cars, self._today(), self)
        self.mileage_dialog.saved.connect(self._on_mileage_saved)
        self.mileage_dialog.open()

    def _on_mileage_saved(self, result: object) -> None:
        from showroom.sync.service import Submitted

        if isinstance(result, Submitted) and result.queued:
            self._say(self.tr("待同步：网络断开，里程已保存在本机，恢复连接后自动登记。"))
            return
        self._say(self.tr("里程已记录，下次保养日期已按新里程估算。"))
        self.context.bus.publish(frozenset({"customers", "audit"}))
        self.load_cars()

    def _selected_referral(self) -> referrals.ReferralLine | None:
        if self.record is None:
            return None
        rows = self.referral_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.record.referrals):
            return None
        return self.record.referrals[rows[0].row()]

    def _on_referral_selected(self) -> None:
        line = self._selected_referral()
        self.pay_button.setEnabled(line is not None and line.reward_status == "promised")

    def open_referral(self) -> None:
        if self.record is None:
            return
        from ui.dialogs.referral import ReferralDialog

        self.referral_dialog = ReferralDialog(
            self.runner,
            self.user,
            self.customer_id,
            self.tr("谁推荐了 {name}？").format(name=self.record.display_name),
            self,
        )
        self.referral_dialog.saved.connect(self._on_referral_saved)
        self.referral_dialog.open()

    def _on_referral_saved(self, _result: object) -> None:
        self._say(self.tr("推荐关系已登记。"))
        self.context.bus.publish(frozenset({"customers", "audit"}))
        self.reload()

    def pay_selected_reward(self) -> None:
        line = self._selected_referral()
        if line is None:
            return
        payload = {
            "user": operations.user_payload(self.user),
            "referral_id": str(line.id),
            "now": utcnow().isoformat(),
        }
        self.runner.submit("referral.pay", payload, self._on_paid, self._on_paid, self._fail)

    def _on_paid(self, _result: object) -> None:
        self._say(self.tr("推荐奖励已登记为兑现。"))
        self.context.bus.publish(frozenset({"customers", "audit"}))
        self.reload()

    def _profile(self, record: CustomerRecord) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        budget = "—"
        low, high = record.budget_min, record.budget_max
        # Money stays Decimal; 万 with trailing zeros dropped (12.5 万, not 12.50 万).
        if low is not None and high is not None:
            budget = self.tr("{low}–{high} 万元").format(
                low=f"{in_wan(low).normalize():f}", high=f"{in_wan(high).normalize():f}"
            )
        elif low is not None:
            budget = self.tr("{low} 万元以上").format(low=f"{in_wan(low).normalize():f}")
        elif high is not None:
            budget = self.tr("{high} 万元以下").format(high=f"{in_wan(high).normalize():f}")
        consent = {
            True: self.tr("同意接收营销信息"),
            False: self.tr("不同意营销联系（不得推销）"),
            None: self.tr("未记录"),
        }[record.marketing_consent]
        if record.consent_version:
            consent += self.tr("（文本版本 {v}）").format(v=record.consent_version)
        owner = record.owner_name or self.tr("无")
        if record.owner_name and record.owner_since:
            owner += self.tr("（自 {d}）").format(d=local_time(record.owner_since, "%Y-%m-%d"))
        kind = label(CUSTOMER_KINDS, record.kind)
        if record.company_name:
            kind += f"（{record.company_name}）"
        for caption, value in (
            (self.tr("负责顾问"), owner),
            (self.tr("意向等级"), grade_label(record.intent_grade)),
            (self.tr("客户类型"), kind),
            (self.tr("客户角色"), label(CUSTOMER_ROLES, record.role)),
            (self.tr("来源渠道"), source_label(record.source_channel)),
            (self.tr("建档时间"), local_time(record.created_at, "%Y-%m-%d")),
            (self.tr("预算"), budget),
            (self.tr("用途"), record.intended_use or "—"),
            (self.tr("意向品牌"), record.preferred_brands or "—"),
            (self.tr("意向车型"), record.preferred_models or "—"),
            (self.tr("购车周期"), record.decision_cycle or "—"),
            (
                self.tr("付款方式"),
                label(PAYMENT_PREFERENCES, record.payment_preference)
                if record.payment_preference
                else self.tr("未定"),
            ),
            (self.tr("标签"), "、".join(record.tags) or "—"),
            (self.tr("营销同意"), consent),
            (self.tr("备注"), record.notes or "—"),
        ):
            value_label = QLabel(value, page)
            value_label.setWordWrap(True)
            form.addRow(caption, value_label)
        return page

    # --- keeping the file current ---------------------------------------------------------

    def open_edit(self) -> None:
        if self.record is None or not self.user.has_any(*customers.MAY_EDIT):
            return
        from ui.dialogs.customer_edit import CustomerEditDialog

        self.edit_dialog = CustomerEditDialog(
            self.context, self.runner, self.user, self.customer_id, parent=self
        )
        self.edit_dialog.saved.connect(self._on_changed)
        self.edit_dialog.open()

    def open_contact(self) -> None:
        if self.record is None or not self.user.has_any(*customers.MAY_EDIT):
            return
        from ui.dialogs.interaction import InteractionDialog

        self.contact_dialog = InteractionDialog(
            self.context,
            self.runner,
            self.user,
            heading=self.tr("与 {name}（{phone}）的沟通").format(
                name=self.record.display_name, phone=self.record.phone_masked
            ),
            customer_id=self.customer_id,
            parent=self,
        )
        self.contact_dialog.saved.connect(self._on_contact)
        self.contact_dialog.open()

    def _on_changed(self, _saved: object) -> None:
        self._say(self.tr("客户资料已保存。"))
        self.reload()

    def _on_contact(self, result: object) -> None:
        from showroom.sync.service import Submitted

        topics = {"interactions", "customers", "follow_ups", f"customer:{self.customer_id}"}
        self.context.bus.publish(frozenset(topics))
        if isinstance(result, Submitted) and result.queued:
            self._say(self.tr("待同步：网络断开，沟通记录已保存在本机，恢复连接后自动登记。"))
            return
        self._say(self.tr("沟通记录已保存。"))
        self.reload()

    def _say(self, text: str) -> None:
        self.message.setObjectName("SuccessText")
        repolish(self.message)
        self.message.setText(text)

    def reveal_phone(self) -> None:
        user, customer_id = self.user, self.customer_id

        def work(session: Session) -> str:
            return customers.reveal_phone(session, user, customer_id)

        self.runner.write(work, self._on_phone, self._fail)

    def _on_phone(self, phone: str) -> None:
        self.phone_label.setText(self.tr("手机：{p}").format(p=phone))
        self.reveal_phone_button.setEnabled(False)
        self._revealed()

    def reveal_id(self) -> None:
        user, customer_id = self.user, self.customer_id

        def work(session: Session) -> str:
            return reception.reveal_id_number(session, user, customer_id)

        self.runner.write(work, self._on_id, self._fail)

    def _on_id(self, number: str) -> None:
        self.id_label.setText(self.tr("身份证：{i}").format(i=number))
        self.reveal_id_button.setEnabled(False)
        self._revealed()

    def _revealed(self) -> None:
        self.context.bus.publish({"audit"})
        self.message.setObjectName("HintText")
        self.message.setText(self.tr("此次查看已记入审计日志。"))

    # --- PIPL requests (manager) ---------------------------------------------------------

    def _ask_withdraw(self) -> None:
        answer = QMessageBox.question(
            self,
            self.tr("撤回营销同意"),
            self.tr("客户要求不再接收优惠和活动信息？确认后立即停止对其营销回访，并记入审计日志。"),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.withdraw_marketing()

    def withdraw_marketing(self) -> None:
        user, customer_id = self.user, self.customer_id

        def work(session: Session) -> ConsentWithdrawn:
            return privacy_requests.withdraw_marketing(session, user, customer_id)

        self.runner.write(work, self._on_withdrawn, self._fail)

    def _on_withdrawn(self, done: ConsentWithdrawn) -> None:
        self.context.bus.publish({"customers", "follow_ups", "audit"})
        self._say(
            self.tr("已撤回营销同意，停止了 {n} 条营销回访。").format(n=done.follow_ups_stopped)
        )
        self._reload()

    def _ask_export(self) -> None:
        suggested = str(Path.home() / self.tr("个人信息副本.pdf"))
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("导出个人信息"), suggested, self.tr("PDF 文件 (*.pdf)")
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Write the customer's data to ``path`` (PDF) and beside it the same as JSON."""
        user, customer_id = self.user, self.customer_id
        settings, cache = self.context.settings, self.context.paths.cache_dir
        pdf_path = path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")

        def work(session: Session) -> tuple[CustomerExport, list[Path]]:
            result = privacy_requests.export_customer(
                session,
                user,
                customer_id,
                zone=ZoneInfo("Asia/Shanghai"),
                store_name=settings["store_name"],
            )
            return result, derive_print_fonts(cache)

        def exported(outcome: tuple[CustomerExport, list[Path]]) -> None:
            result, fonts = outcome
            register_print_fonts(fonts)  # before the worker paints: the PDF text stays text
            self.context.bus.publish({"audit"})

            def write() -> Path:
                pdf_path.write_bytes(render_pdf(result.paper))
                json_path = pdf_path.with_suffix(".json")
                json_path.write_text(
                    json.dumps(result.data, ensure_ascii=False, indent=1), encoding="utf-8"
                )
                return json_path

            self.runner.call(write, self._on_exported, self._fail)

        self.runner.write(work, exported, self._fail)

    def _on_exported(self, json_path: Path) -> None:
        self._say(
            self.tr("已导出：{pdf} 和 {json}。请只交给客户本人。").format(
                pdf=json_path.with_suffix(".pdf").name, json=json_path.name
            )
        )

    def _ask_erase(self) -> None:
        reason, ok = QInputDialog.getText(
            self,
            self.tr("删除个人信息"),
            self.tr(
                "客户要求删除个人信息。合同、收据和已签的试驾协议依法保留，其余资料将被匿名化，"
                "无法恢复。\n请填写删除依据（申请日期或编号，不要填写个人信息）："
            ),
        )
        if ok:
            self.erase(reason)

    def erase(self, reason: str) -> None:
        user, customer_id = self.user, self.customer_id

        def work(session: Session) -> ErasureResult:
            return privacy_requests.erase_customer(session, user, customer_id, reason=reason)

        self.runner.write(work, self._on_erased, self._fail)

    def _on_erased(self, result: ErasureResult) -> None:
        self.context.bus.publish({"customers", "visits", "follow_ups", "audit"})
        kept = sum(result.kept.values())
        self.heading.setText(self.tr("已删除的客户"))
        self.phone_label.setText("")
        self.id_label.setText("")
        self.tabs.clear()
        self.tabs.hide()
        self.reveal_phone_button.hide()
        self.reveal_id_button.hide()
        for button in (self.withdraw_button, self.export_button, self.erase_button):
            button.hide()  # nothing is left to act on
        self._say(
            self.tr(
                "个人信息已删除（审计编号 {seq}）；依法保留的合同、收据和协议 {kept} 份。"
            ).format(seq=result.audit_seq, kept=kept)
        )

    def _say(self, text: str) -> None:
        self.message.setObjectName("HintText")
        repolish(self.message)
        self.message.setText(text)

    def _fail(self, exc: BaseException) -> None:
        self.message.setObjectName("ErrorText")
        repolish(self.message)
        self.message.setText(report_failure(exc))
