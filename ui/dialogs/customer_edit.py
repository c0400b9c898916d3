"""编辑客户资料: the customer file (客户信息建档) kept current by the desk and the consultant.

Name and title, person or company, buyer/seller/trade-in, the numbers, the needs
(budget in 万元, use, brands, models, decision cycle, full payment or loan), the
store's tags, notes, and the intent grade with the reason for a change. The phone
numbers are shown masked and never filled in: typing a new one replaces it
(it goes through the same duplicate check as a new customer).

Saving runs ``customer.update`` against the version the form was opened on. If
another PC saved meanwhile, the refusal lists both versions field by field and
the user may save theirs on top (保存我的填写); nothing typed is lost on any
refusal. Every text shows its limit while typing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from db.enums import CustomerKind, CustomerRole, IntentGrade, PaymentPreference, Title
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.errors import ShowroomError
from showroom.money import in_wan
from showroom.services import customers
from showroom.services.customers import CustomerEdit, CustomerProfile, CustomerSaved, TagRow
from showroom.sync import customer_ops
from showroom.users import StaffUser
from ui.errors import report_failure
from ui.tasks import TaskRunner
from ui.widgets.labels import (
    CUSTOMER_KINDS,
    CUSTOMER_ROLES,
    PAYMENT_PREFERENCES,
    TITLES,
    label,
)
from ui.widgets.limits import LimitCounter, stacked_with_counter, with_counter
from ui.widgets.reception_labels import grade_label

Clock = Callable[[], datetime]
DECISION_CYCLES = (
    QT_TRANSLATE_NOOP("CustomerEditDialog", "一周内"),
    QT_TRANSLATE_NOOP("CustomerEditDialog", "一个月内"),
    QT_TRANSLATE_NOOP("CustomerEditDialog", "三个月内"),
    QT_TRANSLATE_NOOP("CustomerEditDialog", "半年内"),
    QT_TRANSLATE_NOOP("CustomerEditDialog", "暂不确定"),
)
WAN = Decimal(10_000)


class CustomerEditDialog(QDialog):
    """Signals: ``saved(object)`` with the ``CustomerSaved`` after a save."""

    saved = Signal(object)

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        customer_id: uuid.UUID,
        *,
        clock: Clock | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("编辑客户资料"))
        self.resize(980, 660)
        self.context, self.runner, self.user = context, runner, user
        self.customer_id = customer_id
        self._clock = clock or (lambda: utcnow())
        self.profile: CustomerProfile | None = None
        self._version = 0
        self.counters: list[LimitCounter] = []

        self.heading = QLabel(self.tr("正在加载…"), self)
        self.heading.setObjectName("PageTitle")

        # --- who --------------------------------------------------------------------------
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText(self.tr("与身份证一致，汉字或英文字母"))
        self.title_combo = QComboBox(self)
        for code in (Title.MR, Title.MS):
            self.title_combo.addItem(label(TITLES, code), code)
        self.title_combo.addItem(self.tr("（不填）"), Title.NONE)
        self.title_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.name_edit.setMinimumWidth(160)
        name_row = self._counted(self.name_edit, "customer.name")
        name_row.addWidget(self.title_combo)
        self.kind_combo = QComboBox(self)
        for code in CustomerKind:
            self.kind_combo.addItem(label(CUSTOMER_KINDS, code), code)
        self.kind_combo.currentIndexChanged.connect(self._on_kind)
        self.company_edit = QLineEdit(self)
        self.company_edit.setPlaceholderText(self.tr("单位客户填写公司全称"))
        company_row = self._counted(self.company_edit, "customer.company_name")
        self.role_combo = QComboBox(self)
        for code in CustomerRole:
            self.role_combo.addItem(label(CUSTOMER_ROLES, code), code)

        # --- numbers (masked; a new one replaces) -------------------------------------------
        self.phone_label = QLabel("", self)
        self.new_phone_edit = QLineEdit(self)
        self.new_phone_edit.setPlaceholderText(self.tr("更换号码时填写新号码，不换请留空"))
        phone_row = QHBoxLayout()
        phone_row.addWidget(self.phone_label)
        phone_row.addWidget(self.new_phone_edit, 1)
        self.phone2_label = QLabel("", self)
        self.new_phone2_edit = QLineEdit(self)
        self.new_phone2_edit.setPlaceholderText(self.tr("手机或带区号的固话，不改请留空"))
        self.remove_phone2 = QCheckBox(self.tr("删除"), self)
        self.remove_phone2.toggled.connect(self.new_phone2_edit.setDisabled)
        phone2_row = QHBoxLayout()
        phone2_row.addWidget(self.phone2_label)
        phone2_row.addWidget(self.new_phone2_edit, 1)
        phone2_row.addWidget(self.remove_phone2)

        # --- needs --------------------------------------------------------------------------
        self.budget_min = QLineEdit(self)
        self.budget_max = QLineEdit(self)
        for edit in (self.budget_min, self.budget_max):
            edit.setPlaceholderText(self.tr("万元"))
            edit.setMaximumWidth(110)
        budget_row = QHBoxLayout()
        budget_row.addWidget(self.budget_min)
        budget_row.addWidget(QLabel("–", self))
        budget_row.addWidget(self.budget_max)
        budget_row.addWidget(QLabel(self.tr("万元"), self))
        budget_row.addStretch(1)
        self.use_edit = QLineEdit(self)
        self.use_edit.setPlaceholderText(self.tr("例如：上下班代步、跑业务、家用"))
        self.brands_edit = QLineEdit(self)
        self.brands_edit.setPlaceholderText(self.tr("例如：丰田、本田"))
        self.models_edit = QLineEdit(self)
        self.models_edit.setPlaceholderText(self.tr("例如：凯美瑞、雅阁 2020 款以后"))
        self.cycle_combo = QComboBox(self)
        self.cycle_combo.setEditable(True)
        self.cycle_combo.addItems([self.tr(c) for c in DECISION_CYCLES])
        self.cycle_combo.setCurrentText("")
        self.payment_combo = QComboBox(self)
        self.payment_combo.addItem(self.tr("未定"), None)
        for code in PaymentPreference:
            self.payment_combo.addItem(label(PAYMENT_PREFERENCES, code), code)

        # --- grade ---------------------------------------------------------------------------
        self.grade_combo = QComboBox(self)
        self.grade_combo.currentIndexChanged.connect(self._on_grade)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setPlaceholderText(self.tr("调整等级时必填，例如：试驾后很满意"))
        reason_row = self._counted(self.reason_edit, "grade.reason")
        may_grade = user.has_any(*customers.MAY_GRADE)
        self.grade_combo.setEnabled(may_grade)
        if not may_grade:
            self.grade_combo.setToolTip(self.tr("只有销售顾问和店长可以调整意向等级"))

        # --- tags and notes -------------------------------------------------------------------
        self.tag_list = QListWidget(self)
        self.tag_list.setMaximumHeight(120)
        self.tags_hint = QLabel(self.tr("本店尚未设置标签（店长在“客户”页面设置）。"), self)
        self.tags_hint.setObjectName("HintText")
        self.tags_hint.hide()
        self.notes_edit = QPlainTextEdit(self)
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setMinimumHeight(90)
        notes_box, notes_counter = stacked_with_counter(self.notes_edit, "customer.notes", self)
        self.counters.append(notes_counter)

        left = QFormLayout()
        left.setSpacing(9)
        left.addRow(self._section(self.tr("基本信息")))
        left.addRow(self.tr("姓名"), name_row)
        left.addRow(self.tr("客户类型"), self.kind_combo)
        left.addRow(self.tr("单位名称"), company_row)
        left.addRow(self.tr("客户角色"), self.role_combo)
        left.addRow(self._section(self.tr("联系方式")))
        left.addRow(self.tr("手机号"), phone_row)
        left.addRow(self.tr("第二联系电话"), phone2_row)
        left.addRow(self._section(self.tr("标签")))
        left.addRow(self.tag_list)
        left.addRow(self.tags_hint)
        right = QFormLayout()
        right.setSpacing(9)
        right.addRow(self._section(self.tr("购车需求")))
        right.addRow(self.tr("预算"), budget_row)
        right.addRow(self.tr("用途"), self._counted(self.use_edit, "customer.intended_use"))
        right.addRow(
            self.tr("意向品牌"), self._counted(self.brands_edit, "customer.preferred_brands")
        )
        right.addRow(
            self.tr("意向车型"), self._counted(self.models_edit, "customer.preferred_models")
        )
        cycle_edit = self.cycle_combo.lineEdit()
        cycle_row = QHBoxLayout()
        cycle_row.addWidget(self.cycle_combo, 1)
        cycle_counter = LimitCounter(cycle_edit, "customer.decision_cycle", self)
        self.counters.append(cycle_counter)
        cycle_row.addWidget(cycle_counter)
        right.addRow(self.tr("购车周期"), cycle_row)
        right.addRow(self.tr("付款方式"), self.payment_combo)
        right.addRow(self._section(self.tr("意向等级")))
        right.addRow(self.tr("等级"), self.grade_combo)
        right.addRow(self.tr("调整原因"), reason_row)
        right.addRow(self._section(self.tr("备注")))
        right.addRow(notes_box)

        columns = QGridLayout()
        columns.setHorizontalSpacing(28)
        columns.addLayout(left, 0, 0)
        columns.addLayout(right, 0, 1)
        columns.setColumnStretch(0, 1)
        columns.setColumnStretch(1, 1)

        self.error_label = QLabel("", self)
        self.error_label.setObjectName("ErrorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.overwrite_button = QPushButton(self.tr("保存我的填写"), self)
        self.overwrite_button.setToolTip(self.tr("以上面列出的对方版本为准，再保存一次你的填写"))
        self.overwrite_button.setAutoDefault(False)
        self.overwrite_button.hide()
        self.overwrite_button.clicked.connect(self.save)
        self.cancel_button = QPushButton(self.tr("取消"), self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton(self.tr("保存"), self)
        self.save_button.setProperty("role", "primary")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.overwrite_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(self.heading)
        layout.addLayout(columns, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)

        store_id = user.store_id

        def work(session: Session) -> tuple[CustomerProfile, list[TagRow]]:
            return (
                customers.load_profile(session, customer_id),
                customers.list_tags(session, store_id, active_only=False),
            )

        self.runner.read(work, self._on_loaded, self._failed)

    # --- building --------------------------------------------------------------------------

    def _section(self, text: str) -> QLabel:
        title = QLabel(text, self)
        title.setObjectName("SectionTitle")
        return title

    def _counted(self, edit: QLineEdit, key: str) -> QHBoxLayout:
        row, counter = with_counter(edit, key, self)
        self.counters.append(counter)
        return row  # type: ignore[return-value]

    def _on_kind(self, *_args: object) -> None:
        self.company_edit.setEnabled(self.kind_combo.currentData() == CustomerKind.COMPANY)

    def _on_grade(self, *_args: object) -> None:
        changed = self.profile is not None and _enum(
            IntentGrade, self.grade_combo.currentData()
        ) != (self.profile.intent_grade)
        self.reason_edit.setEnabled(changed)

    # --- loading ----------------------------------------------------------------------------

    def _on_loaded(self, loaded: tuple[CustomerProfile, list[TagRow]]) -> None:
        profile, tags = loaded
        self.profile = profile
        self._version = profile.row_version
        shown = f"{profile.name} {label(TITLES, profile.title) if profile.title in TITLES else ''}"
        self.heading.setText(self.tr("编辑客户资料：{name}").format(name=shown.strip()))
        self.name_edit.setText(profile.name)
        self.title_combo.setCurrentIndex(max(0, self.title_combo.findData(profile.title)))
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(profile.kind)))
        self.company_edit.setText(profile.company_name)
        self._on_kind()
        self.role_combo.setCurrentIndex(max(0, self.role_combo.findData(profile.role)))
        self.phone_label.setText(profile.phone_masked)
        self.phone2_label.setText(profile.phone2_masked or self.tr("（无）"))
        self.remove_phone2.setVisible(profile.phone2_masked is not None)
        for edit, amount in (
            (self.budget_min, profile.budget_min),
            (self.budget_max, profile.budget_max),
        ):
            edit.setText("" if amount is None else f"{in_wan(amount).normalize():f}")
        self.use_edit.setText(profile.intended_use)
        self.brands_edit.setText(profile.preferred_brands)
        self.models_edit.setText(profile.preferred_models)
        self.cycle_combo.setCurrentText(profile.decision_cycle)
        self.payment_combo.setCurrentIndex(
            max(0, self.payment_combo.findData(profile.payment_preference))
        )
        self.grade_combo.clear()
        if profile.intent_grade is None:
            self.grade_combo.addItem(grade_label(None), None)
        for grade in IntentGrade:
            self.grade_combo.addItem(grade_label(grade), grade)
        self.grade_combo.setCurrentIndex(max(0, self.grade_combo.findData(profile.intent_grade)))
        self._on_grade()
        self.notes_edit.setPlainText(profile.notes)
        self.tag_list.clear()
        for tag in tags:
            if not tag.active and tag.id not in profile.tag_ids:
                continue  # a switched-off tag is only shown where it already is
            item = QListWidgetItem(
                tag.name if tag.active else self.tr("{name}（已停用）").format(name=tag.name)
            )
            item.setData(Qt.ItemDataRole.UserRole, tag.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = tag.id in profile.tag_ids
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.tag_list.addItem(item)
        self.tags_hint.setVisible(self.tag_list.count() == 0)
        self.tag_list.setVisible(self.tag_list.count() > 0)
        self.save_button.setEnabled(True)
        self.name_edit.setFocus()

    # --- saving -----------------------------------------------------------------------------

    def _wan(self, edit: QLineEdit, what: str) -> Decimal | None:
        text = edit.text().strip().replace(",", "").replace("，", "")
        if not text:
            return None
        try:
            value = Decimal(text) * WAN
        except InvalidOperation:
            raise ValueError(what) from None
        if not value.is_finite():
            raise ValueError(what)
        return value

    def edit(self) -> CustomerEdit:
        """The form as typed; raises ``ValueError`` naming a budget that is not a number."""
        tag_ids = tuple(
            self.tag_list.item(n).data(Qt.ItemDataRole.UserRole)
            for n in range(self.tag_list.count())
            if self.tag_list.item(n).checkState() == Qt.CheckState.Checked
        )
        new_phone2: str | None = self.new_phone2_edit.text().strip() or None
        if self.remove_phone2.isChecked():
            new_phone2 = ""
        kind = CustomerKind(self.kind_combo.currentData())
        return CustomerEdit(
            name=self.name_edit.text(),
            title=Title(self.title_combo.currentData()),
            kind=kind,
            company_name=self.company_edit.text() if kind is CustomerKind.COMPANY else "",
            role=CustomerRole(self.role_combo.currentData()),
            budget_min=self._wan(self.budget_min, self.tr("预算下限")),
            budget_max=self._wan(self.budget_max, self.tr("预算上限")),
            intended_use=self.use_edit.text(),
            preferred_brands=self.brands_edit.text(),
            preferred_models=self.models_edit.text(),
            decision_cycle=self.cycle_combo.currentText(),
            payment_preference=_enum(PaymentPreference, self.payment_combo.currentData()),
            notes=self.notes_edit.toPlainText(),
            tag_ids=tag_ids,
            intent_grade=_enum(IntentGrade, self.grade_combo.currentData()),
            grade_reason=self.reason_edit.text() if self.reason_edit.isEnabled() else "",
            new_phone=self.new_phone_edit.text().strip() or None,
            new_phone2=new_phone2,
        )

    def save(self) -> None:
        self.error_label.hide()
        over = [c for c in self.counters if c.over]
        if over:
            self.show_error(self.tr("有内容超出字数上限（红色计数），请删减后再保存。"))
            over[0].edit.setFocus()
            return
        try:
            edit = self.edit()
        except ValueError as exc:
            self.show_error(self.tr("{what}请填写数字（万元），例如 15 或 12.5。").format(what=exc))
            return
        payload = customer_ops.customer_update_payload(
            self.user, self.customer_id, self._version, edit, self._clock()
        )
        self.save_button.setEnabled(False)
        self.overwrite_button.hide()
        self.runner.submit("customer.update", payload, self._saved, self._saved, self._failed)

    def _saved(self, result: object) -> None:
        self.save_button.setEnabled(True)
        if isinstance(result, CustomerSaved):
            self.context.bus.publish(result.topics | {f"customer:{result.customer_id}"})
        self.saved.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(self.profile is not None)
        self.show_error(report_failure(exc))
        if isinstance(exc, ShowroomError) and exc.code == "edit.conflict":
            # Both versions are listed above; saving again is the user's informed choice.
            self._version = int(exc.params.get("theirs_version", self._version))
            self.overwrite_button.show()
        if isinstance(exc, ShowroomError) and exc.code == "customer.duplicate":
            self.new_phone_edit.setFocus()

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()


def _enum(cls: type[Any], value: object) -> Any:
    """A combo box's data back as the enum (Qt hands a ``StrEnum`` back as ``str``)."""
    return cls(value) if value not in (None, "") else None
