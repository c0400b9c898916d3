"""新客户登记: the form for a first-time visitor, made for the keyboard.

Field order follows what the receptionist asks: surname, 先生/女士, then the
PIPL consent (the purpose is on screen to read out), then why they came and
how they heard of the store. Enter anywhere submits. A refusal (duplicate
number, missing consent, bad number, a name that cannot go on a contract) is
shown inside the dialog and nothing typed is lost; a duplicate offers the
existing customer instead, on the embedded and the shared database alike.

Opened for a lead found at the desk (``lead``), the form is filled in from the
lead; its number stays masked (the customer is made with the lead's number).
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from db.enums import SourceChannel, Title, VisitPurpose
from showroom.services.reception import (
    CONSENT_MARKETING_TEXT,
    CONSENT_SERVICE_TEXT,
    CONSENT_TEXT_VERSION,
    CustomerMatch,
    NewCustomer,
)
from ui.widgets.limits import with_counter
from ui.widgets.reception_labels import PURPOSES, source_label


class NewCustomerDialog(QDialog):
    """Collects a new customer and their first visit.

    Signals: ``submitted(object)`` with ``(NewCustomer, VisitPurpose, party_size)``;
    ``useExisting(object)`` with the id of the customer who already has the number.
    The owner runs the service and calls ``show_error`` or ``accept``.
    """

    submitted = Signal(object)
    useExisting = Signal(object)  # noqa: N815 - Qt's signal naming

    def __init__(
        self, phone: str = "", parent: QWidget | None = None, *, lead: CustomerMatch | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("新客户登记"))
        self.setMinimumWidth(720)
        self._existing_id: uuid.UUID | None = None
        self.lead = lead

        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText(
            self.tr("姓氏即可，如：王（汉字或英文字母，最多 20 个字）")
        )
        self.title_combo = QComboBox(self)
        self.title_combo.addItem(self.tr("先生"), Title.MR)
        self.title_combo.addItem(self.tr("女士"), Title.MS)
        self.title_combo.addItem(self.tr("（不填）"), Title.NONE)
        name_row, self.name_counter = with_counter(self.name_edit, "customer.name", self)
        name_row.addWidget(self.title_combo)

        self.phone_edit = QLineEdit(phone, self)
        self.phone_edit.setPlaceholderText(self.tr("11 位手机号"))
        self.lead_label = QLabel("", self)
        self.lead_label.setObjectName("HintText")
        self.lead_label.setWordWrap(True)
        self.lead_label.hide()

        consent_text = QLabel(
            self.tr("请向客户说明：")
            + CONSENT_SERVICE_TEXT
            + self.tr("（文本版本 {v}）").format(v=CONSENT_TEXT_VERSION),
            self,
        )
        consent_text.setObjectName("HintText")
        consent_text.setWordWrap(True)
        # Word-wrapped labels in a form report one line too few; keep the whole text readable.
        consent_text.setMinimumHeight(consent_text.fontMetrics().lineSpacing() * 3 + 8)
        self.consent_check = QCheckBox(self.tr("客户已同意以上个人信息处理（必选）"), self)
        self.marketing_check = QCheckBox(self.tr("同意接收优惠活动和检测日通知（可选）"), self)
        self.marketing_check.setToolTip(CONSENT_MARKETING_TEXT)

        self.purpose_combo = QComboBox(self)
        for purpose, text in PURPOSES.items():
            self.purpose_combo.addItem(text, purpose)
        self.source_combo = QComboBox(self)
        for channel in SourceChannel:
            self.source_combo.addItem(source_label(channel), channel)
        self.party_spin = QSpinBox(self)
        self.party_spin.setRange(1, 20)
        self.party_spin.setSuffix(self.tr(" 人"))

        form = QFormLayout()
        form.setSpacing(10)
        form.addRow(self.tr("姓名"), name_row)
        form.addRow(self.tr("手机号"), self.phone_edit)
        form.addRow("", self.lead_label)
        form.addRow(self.tr("个人信息"), consent_text)
        form.addRow("", self.consent_check)
        form.addRow("", self.marketing_check)
        form.addRow(self.tr("来店目的"), self.purpose_combo)
        form.addRow(self.tr("来源渠道"), self.source_combo)
        form.addRow(self.tr("到店人数"), self.party_spin)

        self.error_label = QLabel("", self)
        self.error_label.setObjectName("ErrorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.existing_button = QPushButton(self.tr("使用已有客户"), self)
        self.existing_button.hide()
        self.existing_button.setAutoDefault(False)
        self.existing_button.clicked.connect(self._use_existing)

        self.cancel_button = QPushButton(self.tr("取消"), self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button = QPushButton(self.tr("登记并签到（回车）"), self)
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.submit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.existing_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        # Tab order = the order the questions are asked.
        for first, second in (
            (self.name_edit, self.title_combo),
            (self.title_combo, self.consent_check),
            (self.consent_check, self.marketing_check),
            (self.marketing_check, self.purpose_combo),
            (self.purpose_combo, self.source_combo),
            (self.source_combo, self.party_spin),
            (self.party_spin, self.phone_edit),
            (self.phone_edit, self.ok_button),
        ):
            QWidget.setTabOrder(first, second)
        if lead is not None:
            self._fill_from_lead(lead)
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _fill_from_lead(self, lead: CustomerMatch) -> None:
        """From the lead: its name, title and source; its number shown masked, not editable."""
        self.name_edit.setText(lead.name)
        self.title_combo.setCurrentIndex(max(0, self.title_combo.findData(lead.title)))
        if lead.lead_channel is not None:
            self.source_combo.setCurrentIndex(max(0, self.source_combo.findData(lead.lead_channel)))
        self.phone_edit.setText(lead.phone_masked)
        self.phone_edit.setReadOnly(True)
        self.phone_edit.setToolTip(self.tr("使用线索登记的号码"))
        facts = [p for p in (lead.lead_platform, lead.lead_vehicle) if p]
        where = f"（{'，'.join(facts)}）" if facts else ""
        if lead.owner_name:
            text = self.tr(
                "来自线索{facts}，跟进顾问：{owner}。登记后由该顾问接待，之前的沟通记录一并转入。"
            ).format(facts=where, owner=lead.owner_name)
        else:
            text = self.tr(
                "来自线索{facts}，尚未分配顾问：登记后按轮岗接待，之前的沟通记录一并转入。"
            ).format(facts=where)
        self.lead_label.setText(text)
        self.lead_label.show()

    def form(self) -> tuple[NewCustomer, VisitPurpose, int]:
        return (
            NewCustomer(
                name=self.name_edit.text(),
                title=Title(self.title_combo.currentData()),
                # From a lead the number is the lead's (shown masked here, never sent).
                phone="" if self.lead is not None else self.phone_edit.text(),
                source_channel=SourceChannel(self.source_combo.currentData()),
                consent_service=self.consent_check.isChecked(),
                consent_marketing=self.marketing_check.isChecked(),
                lead_id=self.lead.id if self.lead is not None else None,
            ),
            VisitPurpose(self.purpose_combo.currentData()),
            self.party_spin.value(),
        )

    def submit(self) -> None:
        self.error_label.hide()
        self.existing_button.hide()
        if not self.consent_check.isChecked():
            # Asked here too so the receptionist is told at once, before any round trip.
            self.show_error(self.tr("请先向客户说明个人信息的使用目的，并勾选“客户已同意”。"))
            self.consent_check.setFocus()
            return
        if self.name_counter.over:
            self.show_error(
                self.tr("姓名最多 {n} 个字，请删减后再登记。").format(n=self.name_counter.limit)
            )
            self.name_edit.setFocus()
            return
        self.submitted.emit(self.form())

    def show_error(self, message: str, existing_id: uuid.UUID | None = None) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self._existing_id = existing_id
        self.existing_button.setVisible(existing_id is not None)
        if existing_id is not None:
            self.existing_button.setFocus()

    def _use_existing(self) -> None:
        if self._existing_id is not None:
            self.useExisting.emit(self._existing_id)
