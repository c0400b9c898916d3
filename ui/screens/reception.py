"""前台接待: check a visitor in with the keyboard (or a USB QR scanner) in seconds.

One entry line takes a mobile number, its last digits (尾号) or a booking code.
While digits are typed, matching customers appear (masked number, owner, grade,
last visit, open bookings and deposits); four or more digits match the end of the
number as well as the start, so "0186" finds 薛女士 138****0186 and the
receptionist can ask "薛女士？". For a returning customer the flow is: the number,
Enter (the check-in panel takes focus with sensible defaults), Enter (checked
in) — two key presses, three when the purpose is changed with an arrow key. With
尾号, Enter on the one match checks in at once: "0186" and Enter, five presses in
all; with several matches ↑↓ picks one and Enter, Enter checks in.
A scanned booking code followed by the scanner's Enter checks in at once.
A number nobody has yet opens the new-customer form with it filled in; a lead (线索)
found by its number opens the same form filled in from the lead, and the customer
made from it keeps the lead's consultant and calls.

Every refusal is a sentence above the entry line; what was typed stays.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from db.enums import Role, VisitPurpose
from showroom.context import AppContext
from showroom.errors import ShowroomError
from showroom.identifiers import normalize_mobile
from showroom.services import reception
from showroom.services.reception import (
    CheckInResult,
    CustomerMatch,
    LookupResult,
    NewCustomer,
    Routing,
)
from showroom.sync import operations
from showroom.users import StaffUser
from ui.errors import report_failure
from ui.screens.base import Screen
from ui.style import repolish
from ui.tasks import TaskRunner
from ui.widgets.combos import find_data
from ui.widgets.icons import icon
from ui.widgets.names import person_name, shown_name
from ui.widgets.reception_labels import (
    PURPOSES,
    grade_label,
    local_time,
    routing_text,
    short_grade_label,
    source_label,
    with_note,
)

LOOKUP_DELAY_MS = 120
MOBILE_LENGTH = 11


def _match_name(match: CustomerMatch) -> str:
    """The found customer's or lead's name with the form of address, in the UI's language."""
    return person_name(match.name, match.title) if match.display_name else ""


class CheckInScreen(Screen):
    """The front-desk check-in. Emits no signals; publishes ``visits``/``customers`` changes."""

    topics: ClassVar[frozenset[str]] = frozenset({"staff", "visits"})

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, runner, user, parent)
        self._matches: list[CustomerMatch] = []
        self._lookup_result = LookupResult(())
        self._chosen: CustomerMatch | None = None
        self._lookup_seq = 0
        self._act_on_lookup = False
        self._user_moved = False
        self.dialog: Any = None

        title = QLabel(self.tr("前台接待"), self)
        title.setObjectName("PageTitle")
        hint = QLabel(
            self.tr(
                "输入手机号、尾号（后 4 位起）或扫描预约码，按回车签到。↑↓ 选择客户，Esc 清空。"
            ),
            self,
        )
        hint.setObjectName("HintText")
        self.body.addWidget(title)
        self.body.addWidget(hint)

        self.entry = QLineEdit(self)
        self.entry.setObjectName("CheckInEntry")
        self.entry.setPlaceholderText(self.tr("手机号 / 尾号 / 预约码"))
        self.entry.addAction(icon("search", "#5f6b7a"), QLineEdit.ActionPosition.LeadingPosition)
        self.entry.setMinimumHeight(52)
        font = self.entry.font()
        font.setPointSize(max(font.pointSize(), 10) + 8)
        self.entry.setFont(font)
        self.entry.textChanged.connect(self._on_typed)
        self.entry.returnPressed.connect(self._on_return)
        self.entry.installEventFilter(self)
        self.body.addWidget(self.entry)

        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.message.hide()
        self.body.addWidget(self.message)

        columns = QHBoxLayout()
        columns.setSpacing(16)
        left = QVBoxLayout()
        self.match_title = QLabel(self.tr("匹配的客户"), self)
        self.match_title.setObjectName("SectionTitle")
        self.match_list = QListWidget(self)
        self.match_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.match_list.setMinimumWidth(360)
        self.match_list.currentRowChanged.connect(self._on_row_changed)
        self.match_list.itemDoubleClicked.connect(self._on_double_clicked)
        self.new_button = QPushButton(icon("user"), self.tr("新客户登记（F2）"), self)
        self.new_button.clicked.connect(self.open_new_customer)
        left.addWidget(self.match_title)
        left.addWidget(self.match_list, 1)
        left.addWidget(self.new_button)
        columns.addLayout(left, 2)

        self.panel = QFrame(self)
        self.panel.setObjectName("FormCard")
        panel_layout = QVBoxLayout(self.panel)
        panel_layout.setContentsMargins(20, 16, 20, 16)
        panel_layout.setSpacing(8)
        self.customer_title = QLabel(self.tr("尚未选择客户"), self.panel)
        self.customer_title.setObjectName("SectionTitle")
        self.customer_facts = QLabel("", self.panel)
        self.customer_facts.setWordWrap(True)
        self.customer_facts.setTextFormat(Qt.TextFormat.PlainText)
        self.routing_label = QLabel("", self.panel)
        self.routing_label.setWordWrap(True)
        panel_layout.addWidget(self.customer_title)
        panel_layout.addWidget(self.customer_facts)
        panel_layout.addWidget(self.routing_label)

        self.purpose_combo = QComboBox(self.panel)
        for purpose, text in PURPOSES.items():
            self.purpose_combo.addItem(text, purpose)
        self.party_spin = QSpinBox(self.panel)
        self.party_spin.setRange(1, 20)
        self.party_spin.setSuffix(self.tr(" 人"))
        self.consultant_combo = QComboBox(self.panel)
        self.consultant_combo.addItem(self.tr("自动分配（保护期 / 轮岗）"), None)
        form = QFormLayout()
        form.addRow(self.tr("来店目的"), self.purpose_combo)
        form.addRow(self.tr("到店人数"), self.party_spin)
        form.addRow(self.tr("接待顾问"), self.consultant_combo)
        panel_layout.addLayout(form)
        buttons = QHBoxLayout()
        self.record_button = QPushButton(icon("clipboard"), self.tr("客户档案（F3）"), self.panel)
        self.record_button.clicked.connect(self.open_record)
        self.check_in_button = QPushButton(self.tr("到店签到（回车）"), self.panel)
        self.check_in_button.setProperty("role", "primary")
        self.check_in_button.clicked.connect(self.submit)
        buttons.addWidget(self.record_button)
        buttons.addStretch(1)
        buttons.addWidget(self.check_in_button)
        panel_layout.addStretch(1)
        panel_layout.addLayout(buttons)
        for widget in (self.purpose_combo, self.party_spin, self.consultant_combo):
            widget.installEventFilter(self)
        columns.addWidget(self.panel, 3)
        self.body.addLayout(columns, 1)

        self.merge_button = QPushButton(self.tr("合并重复客户…"), self)
        self.merge_button.setVisible(user.has_role(Role.MANAGER))
        self.merge_button.clicked.connect(self.open_merge)
        footer = QHBoxLayout()
        footer.addStretch(1)
        footer.addWidget(self.merge_button)
        self.body.addLayout(footer)

        QShortcut(QKeySequence(Qt.Key.Key_F2), self, self.open_new_customer)
        QShortcut(QKeySequence(Qt.Key.Key_F3), self, self.open_record)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(LOOKUP_DELAY_MS)
        self._debounce.timeout.connect(self._lookup)
        self._show_customer(None)
        self.refresh()
        self.entry.setFocus()

    # --- data --------------------------------------------------------------------------

    def refresh(self) -> None:
        store_id = self.user.store_id
        self.runner.read(
            lambda s: reception.list_consultants(s, store_id), self._on_consultants, self._fail
        )

    def _on_consultants(self, rows: list[reception.ConsultantRow]) -> None:
        current = self.consultant_combo.currentData()
        self.consultant_combo.clear()
        self.consultant_combo.addItem(self.tr("自动分配（保护期 / 轮岗）"), None)
        # Only consultants on duty today (the roster) are offered.
        for row in rows:
            state = self.tr("接待中") if row.busy else (self.tr("有客等候") if row.waiting else "")
            text = with_note(row.name, state)
            self.consultant_combo.addItem(text, row.id)
        index = find_data(self.consultant_combo, current)
        self.consultant_combo.setCurrentIndex(max(0, index))

    # --- typing ------------------------------------------------------------------------

    def _on_typed(self, _text: str) -> None:
        self._user_moved = False
        self._debounce.start()

    def _lookup(self) -> None:
        self._debounce.stop()
        self._lookup_seq += 1
        seq, text = self._lookup_seq, self.entry.text()

        def work(session: Session) -> tuple[int, LookupResult]:
            return seq, reception.find(session, text)

        self.runner.read(work, self._on_matches, self._fail)

    def _on_matches(self, result: tuple[int, LookupResult]) -> None:
        seq, found = result
        if seq != self._lookup_seq:
            return  # typed on since; a newer look-up is coming
        self._lookup_result = found
        matches = list(found.matches)
        self._matches = matches
        self.match_list.clear()
        for match in matches:
            item = QListWidgetItem(self._match_text(match))
            item.setData(Qt.ItemDataRole.UserRole, match.id)
            self.match_list.addItem(item)
        if found.more:
            self.match_title.setText(
                self.tr("匹配的客户（仅显示前 {n} 位，请多输入几位）").format(n=len(matches))
            )
        else:
            self.match_title.setText(self.tr("匹配的客户"))
        if matches:
            self.match_list.setCurrentRow(0)
        else:
            self._show_customer(None)
        if self._act_on_lookup:
            self._act_on_lookup = False
            self._act_on_entry()

    def _match_text(self, match: CustomerMatch) -> str:
        name = _match_name(match) or self.tr("（未留姓名）")
        if match.is_lead:
            where = " ".join(
                p
                for p in (
                    source_label(match.lead_channel) if match.lead_channel else "",
                    match.lead_platform,
                )
                if p
            )
            # Short enough for the list; the car and the rest are in the panel beside it.
            facts = [match.phone_masked, self.tr("线索（{where}）").format(where=where or "—")]
            facts.append(match.owner_name or self.tr("未分配"))
            return f"{name}　{'　·　'.join(f for f in facts if f)}"
        facts = [match.phone_masked, match.owner_name or self.tr("无负责顾问")]
        if match.intent_grade:
            facts.append(short_grade_label(match.intent_grade))
        return f"{name}　{'　·　'.join(facts)}"

    def _on_row_changed(self, row: int) -> None:
        self._show_customer(self._matches[row] if 0 <= row < len(self._matches) else None)

    def _on_double_clicked(self, _item: QListWidgetItem) -> None:
        self._choose_selected()

    def _show_customer(self, match: CustomerMatch | None) -> None:
        self._chosen = match
        enabled = match is not None
        for widget in (
            self.purpose_combo,
            self.party_spin,
            self.consultant_combo,
            self.check_in_button,
            self.record_button,
        ):
            widget.setEnabled(enabled)
        self.routing_label.setText("")
        self.check_in_button.setText(self.tr("到店签到（回车）"))
        if match is None:
            self.customer_title.setText(self.tr("尚未选择客户"))
            self.customer_facts.setText(
                self.tr(
                    "输入完整手机号后回车：老客户直接签到，新号码会打开新客户登记。"
                    "只知道尾号时输入后 4 位，唯一匹配时回车即签到。"
                )
            )
            return
        name = _match_name(match) or self.tr("（未留姓名）")
        self.customer_title.setText(f"{name}　{match.phone_masked}")
        if match.is_lead:
            # The new-customer form asks purpose and party itself; nothing to set here.
            for widget in (
                self.record_button,
                self.purpose_combo,
                self.party_spin,
                self.consultant_combo,
            ):
                widget.setEnabled(False)
            self.check_in_button.setText(self.tr("登记为客户并签到（回车）"))
            self.customer_facts.setText(
                "\n".join(
                    (
                        self.tr("线索：尚未到店建档。回车打开新客户登记（已按线索填好）。"),
                        self.tr("来源：{src}").format(
                            src=" ".join(
                                p
                                for p in (
                                    source_label(match.lead_channel) if match.lead_channel else "",
                                    match.lead_platform,
                                )
                                if p
                            )
                            or "—"
                        ),
                        self.tr("咨询车辆：{car}").format(car=match.lead_vehicle or "—"),
                        self.tr("跟进顾问：{name}").format(
                            name=match.owner_name or self.tr("未分配")
                        ),
                    )
                )
            )
            return
        lines = [
            self.tr("负责顾问：{name}").format(name=match.owner_name or self.tr("无")),
            self.tr("意向等级：{grade}").format(grade=grade_label(match.intent_grade)),
            self.tr("上次到店：{when}").format(
                when=local_time(match.last_visit_at, "%Y-%m-%d %H:%M")
                if match.last_visit_at
                else self.tr("首次到店")
            ),
            self.tr("未完成试驾 {d} 个 · 检测日报名 {r} 个 · 有效意向金 {p} 笔").format(
                d=match.open_test_drives, r=match.open_registrations, p=match.active_deposits
            ),
        ]
        if match.here_now:
            lines.append(self.tr("该客户今天已签到，仍在店内。"))
        self.customer_facts.setText("\n".join(lines))
        store_id, days, customer_id = (
            self.user.store_id,
            self.context.settings["protection_days"],
            match.id,
        )

        def work(session: Session) -> tuple[uuid.UUID, Routing]:
            return customer_id, reception.preview_routing(
                session, store_id, customer_id, protection_days=days
            )

        self.runner.read(work, self._on_routing, self._fail)

    def _on_routing(self, result: tuple[uuid.UUID, Routing]) -> None:
        customer_id, routing = result
        if self._chosen is None or self._chosen.id != customer_id:
            return
        text, tone = routing_text(routing)
        self.routing_label.setText(text)
        self.routing_label.setObjectName("WarningText" if tone == "warning" else "HintText")
        repolish(self.routing_label)

    # --- keys --------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.entry and key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self._move_selection(1 if key == Qt.Key.Key_Down else -1)
                return True
            if watched is self.entry and key == Qt.Key.Key_Escape:
                self.clear()
                return True
            if watched is not self.entry and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                popup = isinstance(watched, QComboBox) and watched.view().isVisible()
                if not popup:
                    self.submit()
                    return True
            if watched is not self.entry and key == Qt.Key.Key_Escape:
                self.entry.setFocus()
                self.entry.selectAll()
                return True
        return super().eventFilter(watched, event)

    def _move_selection(self, step: int) -> None:
        if not self._matches:
            return
        row = max(0, min(len(self._matches) - 1, self.match_list.currentRow() + step))
        self.match_list.setCurrentRow(row)
        self._user_moved = True

    def _on_return(self) -> None:
        if self._debounce.isActive() or (self.entry.text() and not self._matches_current()):
            self._act_on_lookup = True
            self._lookup()
            return
        self._act_on_entry()

    def _matches_current(self) -> bool:
        digits = reception.phone_digits(self.entry.text())
        return bool(self._matches) and digits is not None

    def _act_on_entry(self) -> None:
        text = self.entry.text().strip()
        if not text:
            return
        digits = reception.phone_digits(text)
        if digits is not None and len(digits) == MOBILE_LENGTH:
            exact = next((m for m in self._matches if m.phone_exact and not m.is_lead), None)
            if exact is not None:
                self._select(exact)
                return
            lead = next((m for m in self._matches if m.phone_exact and m.is_lead), None)
            if lead is not None:
                self.open_new_customer(lead)
                return
            try:
                normalize_mobile(digits)
            except ShowroomError as exc:
                self._say(report_failure(exc), "error")
                return
            self.open_new_customer()
            return
        if self._user_moved and self._chosen is not None:
            self._choose_selected()
            return
        unique = self._lookup_result.unique
        if unique is not None and digits is not None and len(digits) >= reception.MIN_TAIL_DIGITS:
            # 尾号: the receptionist asked "薛女士？" while the one match showed; Enter checks in.
            if unique.is_lead:
                self.open_new_customer(unique)
            else:
                self._select(unique)
                self.submit()
            return
        if reception.booking_code_in(text) is not None and (digits is None or len(digits) <= 8):
            self._check_in_code(text)
            return
        if digits is not None:
            if len(self._matches) > 1:
                shown = len(self._matches)
                count = f"{shown}+" if self._lookup_result.more else str(shown)
                self._say(
                    self.tr(
                        "手机号码不完整：有 {n} 位客户匹配，请用 ↑↓ 选择后回车，或多输入几位。"
                    ).format(n=count),
                    "error",
                )
                return
            self._say(
                self.tr(
                    "手机号码不完整，也没有这个尾号的客户：请输入 11 位手机号，"
                    "或核对尾号（至少 4 位）。"
                ),
                "error",
            )
            return
        self._say(
            self.tr("没有识别出手机号或预约码，请重新扫描或输入。已输入的内容保留在输入框中。"),
            "error",
        )

    def _choose_selected(self) -> None:
        if self._chosen is None:
            return
        if self._chosen.is_lead:
            self.open_new_customer(self._chosen)
            return
        self._select(self._chosen)

    def _select(self, match: CustomerMatch) -> None:
        if self._chosen is None or self._chosen.id != match.id:
            row = next((n for n, m in enumerate(self._matches) if m.id == match.id), -1)
            if row >= 0:
                self.match_list.setCurrentRow(row)
            else:
                self._matches = [match]
                self.match_list.clear()
                self.match_list.addItem(_match_name(match))
                self.match_list.setCurrentRow(0)
        self.message.hide()
        self.purpose_combo.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- check-in ----------------------------------------------------------------------

    def submit(self) -> None:
        match = self._chosen
        if match is None:
            self._say(self.tr("请先输入手机号找到客户，或新建客户。"), "error")
            self.entry.setFocus()
            return
        if match.is_lead:
            self.open_new_customer(match)
            return
        store_id, actor = self.user.store_id, self.user.actor
        purpose = VisitPurpose(self.purpose_combo.currentData())
        party, consultant = self.party_spin.value(), self.consultant_combo.currentData()
        days = self.context.settings["protection_days"]
        self.check_in_button.setEnabled(False)
        payload = {
            "actor": operations.actor_payload(actor),
            "store_id": str(store_id),
            "customer_id": str(match.id),
            "purpose": purpose.value,
            "party_size": party,
            "consultant_id": str(consultant) if consultant else None,
            "protection_days": days,
        }
        self.runner.submit(
            "visit.check_in",
            payload,
            self._on_checked_in,
            self._on_check_in_queued,
            self._on_check_in_failed,
        )

    def _check_in_code(self, text: str) -> None:
        store_id, actor = self.user.store_id, self.user.actor
        days = self.context.settings["protection_days"]

        def work(session: Session) -> CheckInResult:
            return reception.check_in_by_code(session, actor, store_id, text, protection_days=days)

        self.runner.write(work, self._on_checked_in, self._on_check_in_failed)

    def _on_checked_in(self, result: CheckInResult) -> None:
        self.context.bus.publish(result.topics | {"audit", "leads"})  # a lead may have walked in
        if self.dialog is not None:
            self.dialog.accept()
            self.dialog = None
        who, tone = routing_text(result.routing)
        if result.already_checked_in:
            head = self.tr("{name} 今天已签到（{no}），无需重复登记。").format(
                name=shown_name(result.customer_name), no=result.visit_no
            )
        else:
            head = self.tr("已签到：{name}，到店号 {no}。").format(
                name=shown_name(result.customer_name), no=result.visit_no
            )
        self.last_result = result
        self.clear()
        self._say(f"{head}{who}", "warning" if tone == "warning" else "success")

    def _on_check_in_queued(self, _queued: object) -> None:
        # The shared database is unreachable: the check-in waits in this PC's outbox.
        if self.dialog is not None:
            self.dialog.accept()
            self.dialog = None
        self.clear()
        self._say(
            self.tr("待同步：网络断开，到店登记已保存在本机，恢复连接后自动登记并分配接待号。"),
            "warning",
        )

    def _on_check_in_failed(self, exc: BaseException) -> None:
        self.check_in_button.setEnabled(self._chosen is not None)
        text = report_failure(exc)
        if self.dialog is not None:
            existing = None
            if isinstance(exc, ShowroomError) and exc.code == "customer.duplicate":
                existing = exc.params.get("customer_id")
            self.dialog.show_error(text, existing)
            return
        self._say(text, "error")

    # --- new customer ------------------------------------------------------------------

    def open_new_customer(self, lead: CustomerMatch | None = None) -> None:
        """The new-customer form; from a lead, filled in from it (its number stays masked)."""
        from ui.dialogs.new_customer import NewCustomerDialog

        digits = reception.phone_digits(self.entry.text()) or ""
        if lead is not None and lead.is_lead:
            self.dialog = NewCustomerDialog("", self, lead=lead)
        else:
            self.dialog = NewCustomerDialog(digits, self)
        self.dialog.submitted.connect(self._create_and_check_in)
        self.dialog.useExisting.connect(self._use_existing)
        self.dialog.rejected.connect(self._dialog_closed)
        self.dialog.open()
        self.dialog.name_edit.setFocus()

    def _dialog_closed(self) -> None:
        self.dialog = None
        self.entry.setFocus()

    def _create_and_check_in(self, form: tuple[NewCustomer, VisitPurpose, int]) -> None:
        new_customer, purpose, party = form
        store_id, actor = self.user.store_id, self.user.actor
        days = self.context.settings["protection_days"]
        payload = {
            "actor": operations.actor_payload(actor),
            "store_id": str(store_id),
            "new_customer": operations.new_customer_payload(new_customer),
            "purpose": purpose.value,
            "party_size": party,
            "protection_days": days,
        }
        self.runner.submit(
            "visit.check_in",
            payload,
            self._on_checked_in,
            self._on_check_in_queued,
            self._on_check_in_failed,
        )

    def _use_existing(self, customer_id: uuid.UUID) -> None:
        """使用已有客户: the existing record, with the purpose and party typed in the form."""
        purpose, party = None, 1
        if self.dialog is not None:
            _form, purpose, party = self.dialog.form()
            self.dialog.reject()
        self._carried = (purpose, party)

        def work(session: Session) -> CustomerMatch:
            return reception.get_match(session, customer_id)

        self.runner.read(work, self._on_existing, self._fail)

    def _on_existing(self, match: CustomerMatch) -> None:
        self._select(match)
        purpose, party = getattr(self, "_carried", (None, 1))
        if purpose is not None:
            self.purpose_combo.setCurrentIndex(max(0, self.purpose_combo.findData(purpose)))
        self.party_spin.setValue(party)

    # --- other actions -----------------------------------------------------------------

    def open_record(self) -> None:
        if self._chosen is None:
            return
        from ui.dialogs.customer_record import CustomerRecordDialog

        dialog = CustomerRecordDialog(self.context, self.runner, self.user, self._chosen.id, self)
        dialog.open()

    def open_merge(self) -> None:
        from ui.dialogs.merge_customers import MergeCustomersDialog

        dialog = MergeCustomersDialog(self.context, self.runner, self.user, self)
        dialog.open()

    def clear(self) -> None:
        self._debounce.stop()
        self._lookup_seq += 1
        self.entry.clear()
        self._matches = []
        self.match_list.clear()
        self._show_customer(None)
        self.purpose_combo.setCurrentIndex(0)
        self.party_spin.setValue(1)
        self.consultant_combo.setCurrentIndex(0)
        self.message.hide()
        self.entry.setFocus()

    def _say(self, text: str, tone: str) -> None:
        self.message.setText(text)
        self.message.setObjectName(
            # A check-in that worked but found no free consultant is a caution, not a failure.
            {"error": "ErrorText", "warning": "WarningText"}.get(tone, "SuccessText")
        )
        repolish(self.message)
        self.message.show()

    def _fail(self, exc: BaseException) -> None:
        if isinstance(exc, ShowroomError) and exc.code == "db.offline" and self.runner.sync:
            # Offline the look-up cannot run, but the arrival can still be recorded.
            self._say(
                self.tr(
                    "网络断开，暂时查不到客户。可按 F2 直接登记到店（待同步）；"
                    "手机号已有客户的，恢复连接后自动合并到该客户。"
                ),
                "warning",
            )
            return
        self._say(report_failure(exc), "error")
