"""客户档案: profile, needs, visits, interactions, grade history and follow-ups of one customer.

Phone and ID numbers arrive masked. Roles allowed to see them get a 显示 button;
pressing it asks the service, which writes the audit entry, and the full number
stays only in this dialog for as long as it is open.
"""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from showroom.context import AppContext
from showroom.money import in_wan
from showroom.roles import MAY_REVEAL_PERSONAL_DATA
from showroom.services import customers, reception
from showroom.services.reception import CustomerRecord
from showroom.users import StaffUser
from ui.errors import report_failure
from ui.tasks import TaskRunner
from ui.widgets.reception_labels import (
    grade_label,
    local_time,
    outcome_label,
    purpose_label,
    source_label,
    status_label,
)

FOLLOW_UP_STATUS = {"open": "待回访", "done": "已完成", "skipped": "已跳过"}


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
    """One customer's record. Emits no signals; publishes ``audit`` after a reveal."""

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
        self.resize(860, 600)
        self.context, self.runner, self.user, self.customer_id = context, runner, user, customer_id
        self.record: CustomerRecord | None = None

        self.heading = QLabel(self.tr("正在加载…"), self)
        self.heading.setObjectName("PageTitle")
        self.phone_label = QLabel("", self)
        self.id_label = QLabel("", self)
        may_reveal = user.role in MAY_REVEAL_PERSONAL_DATA
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

        ids = QHBoxLayout()
        ids.addWidget(self.phone_label)
        ids.addWidget(self.reveal_phone_button)
        ids.addSpacing(24)
        ids.addWidget(self.id_label)
        ids.addWidget(self.reveal_id_button)
        ids.addStretch(1)

        self.tabs = QTabWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(self.heading)
        layout.addLayout(ids)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        close = QPushButton(self.tr("关闭"), self)
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)

        self.runner.read(
            lambda s: reception.customer_record(s, customer_id), self._on_record, self._fail
        )

    def _on_record(self, record: CustomerRecord) -> None:
        self.record = record
        self.heading.setText(record.display_name)
        self.phone_label.setText(self.tr("手机：{p}").format(p=record.phone_masked))
        self.id_label.setText(
            self.tr("身份证：{i}").format(i=record.id_number_masked or self.tr("未登记"))
        )
        self.reveal_id_button.setVisible(
            self.user.role in MAY_REVEAL_PERSONAL_DATA and record.id_number_masked is not None
        )
        self.tabs.clear()
        self.tabs.addTab(self._profile(record), self.tr("资料与需求"))
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
                [self.tr("时间"), self.tr("方式"), self.tr("员工"), self.tr("内容")],
                [
                    [
                        local_time(i.at, "%Y-%m-%d %H:%M"),
                        i.channel.value,
                        i.staff_name or "—",
                        i.summary,
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
                        f.reason,
                        f.consultant_name or "—",
                        self.tr(FOLLOW_UP_STATUS.get(f.status, f.status)),
                        f.result,
                    ]
                    for f in record.follow_ups
                ],
            ),
            self.tr("回访任务（{n}）").format(n=len(record.follow_ups)),
        )

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
        for label, value in (
            (self.tr("负责顾问"), owner),
            (self.tr("意向等级"), grade_label(record.intent_grade)),
            (self.tr("来源渠道"), source_label(record.source_channel)),
            (self.tr("建档时间"), local_time(record.created_at, "%Y-%m-%d")),
            (self.tr("预算"), budget),
            (self.tr("用途"), record.intended_use or "—"),
            (self.tr("意向车型"), record.preferred_models or "—"),
            (self.tr("购车周期"), record.decision_cycle or "—"),
            (self.tr("营销同意"), consent),
            (self.tr("备注"), record.notes or "—"),
        ):
            value_label = QLabel(value, page)
            value_label.setWordWrap(True)
            form.addRow(label, value_label)
        return page

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

    def _fail(self, exc: BaseException) -> None:
        self.message.setObjectName("ErrorText")
        self.message.setText(report_failure(exc))
