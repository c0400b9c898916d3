"""定金与合同 (sales, manager): deposits that reserve cars, the day's takings, contracts.

Three tabs: the deposits (state, expiring soon, refund / forfeit / apply to a
contract, receipt print), the day's deposit totals by payment method (to
reconcile the till and the payment apps), and the contracts with void numbers
shown as void (sign a draft, void it, amend a signed one, take a sold car back
under the 7-day return (manager), print any paper), and the cars bought from
customers (收车: an offer from a finished inspection, signed on screen, the car
then in stock).
Lapsed deposits are expired when the list loads, so every PC sees the car free
again at once.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.models import ContractKind, ContractStatus, DepositStatus, DocumentKind, Role
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.documents.model import Document
from showroom.money import format_yuan
from showroom.services import audit
from showroom.services import contracts as ct
from showroom.services import deposits as dp
from showroom.services import purchases as pu
from showroom.services import returns as rt
from showroom.users import StaffUser
from ui.dialogs.deals import (
    AmendmentDialog,
    ContractDialog,
    DepositDialog,
    SignContractDialog,
    deals_text,
    method_text,
)
from ui.dialogs.purchase import PurchaseDialog, SignPurchaseDialog
from ui.dialogs.test_drive import STORE_ZONE, templates_dir
from ui.dialogs.vehicle_return import ReturnDialog, return_terms
from ui.documents import printing
from ui.documents.fonts import derive_print_fonts, register_print_fonts
from ui.errors import report_failure
from ui.screens.base import Screen
from ui.tasks import TaskRunner
from ui.widgets.tables import RowListModel, make_table, set_column_widths

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Index = QModelIndex | QPersistentModelIndex
EXPIRING_DAYS = 2
WARN = QColor("#b06000")
MUTED = QColor("#80868b")


def _tr(text: str) -> str:
    return deals_text(text)


class DepositModel(RowListModel):
    """Deposits, newest first; expiring ones in amber, closed ones grey. No extra signals."""

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("收据号"),
            self.tr("收款时间"),
            self.tr("客户"),
            self.tr("车辆"),
            self.tr("金额"),
            self.tr("方式"),
            self.tr("销售顾问"),
            self.tr("保留至"),
            self.tr("状态"),
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row: dp.DepositRow | None = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.expires_within(utcnow(), EXPIRING_DAYS):
                return WARN
            return None if row.status is DepositStatus.ACTIVE else MUTED
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 4:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        expires = row.expires_at.astimezone(STORE_ZONE) if row.expires_at else None
        status = _tr(row.status_label)
        if row.expires_within(utcnow(), EXPIRING_DAYS):
            status += self.tr("，即将到期")
        return (
            row.receipt_no,
            f"{row.taken_at.astimezone(STORE_ZONE):%m-%d %H:%M}",
            f"{row.customer_name} {row.phone_masked}",
            f"{row.stock_no} {row.plate} {row.vehicle_label}",
            format_yuan(row.amount),
            method_text(row.method),
            row.consultant_name,
            f"{expires:%m-%d %H:%M}" if expires else "",
            status,
        )[index.column()]


class SummaryModel(RowListModel):
    """The day's deposits by payment method, with a total line. No extra signals."""

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("付款方式"),
            self.tr("收款笔数"),
            self.tr("收款金额"),
            self.tr("退款笔数"),
            self.tr("退款金额"),
            self.tr("净额"),
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return row[index.column()]


class ContractModel(RowListModel):
    """Contracts by number, void ones included and marked. No extra signals."""

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("合同编号"),
            self.tr("类型"),
            self.tr("客户"),
            self.tr("车辆"),
            self.tr("成交价"),
            self.tr("销售顾问"),
            self.tr("日期"),
            self.tr("状态"),
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row: ct.ContractRow | None = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == Qt.ItemDataRole.ForegroundRole and row.status is ContractStatus.VOID:
            return MUTED
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 4:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        when = row.voided_at or row.signed_at or row.created_at
        kind = _tr(row.kind_label)
        if row.amends_no:
            kind += self.tr("（变更 {no}）").format(no=row.amends_no)
        status = _tr(row.status_label)
        if row.status is ContractStatus.VOID and row.void_reason:
            status = self.tr("{status}：{reason}").format(status=status, reason=row.void_reason)
        return (
            row.contract_no,
            kind,
            row.customer_name,
            f"{row.stock_no} {row.vehicle_label}",
            format_yuan(row.price) if row.price is not None else "",
            row.consultant_name,
            f"{when.astimezone(STORE_ZONE):%Y-%m-%d %H:%M}",
            status,
        )[index.column()]


class PurchaseModel(RowListModel):
    """Purchase agreements (收车) by number, void ones grey. No extra signals."""

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("收车协议编号"),
            self.tr("检测报告"),
            self.tr("车辆"),
            self.tr("卖方"),
            self.tr("收购价"),
            self.tr("入库编号"),
            self.tr("置换抵扣合同"),
            self.tr("状态"),
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row: pu.PurchaseRow | None = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == Qt.ItemDataRole.ForegroundRole and row.status == "void":
            return MUTED
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 4:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            row.purchase_no,
            row.report_no,
            row.vehicle,
            row.seller_name,
            format_yuan(row.price),
            row.stock_no,
            row.credited_to,
            _tr(row.status_label),
        )[index.column()]


class DealsScreen(Screen):
    """Deposits, the day's totals and contracts. Emits no signals of its own."""

    topics: ClassVar[frozenset[str]] = frozenset({"deposits", "contracts", "vehicles"})

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, runner, user, parent)
        title = QLabel(self.tr("定金与合同"), self)
        title.setObjectName("ScreenTitle")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        self.deposit_button = QPushButton(self.tr("收取意向金"), self)
        self.deposit_button.clicked.connect(self.take_deposit)
        self.direct_button = QPushButton(self.tr("直接签约（无意向金）"), self)
        self.direct_button.clicked.connect(self.contract_without_deposit)
        top.addWidget(self.deposit_button)
        top.addWidget(self.direct_button)
        self.body.addLayout(top)

        self.tabs = QTabWidget(self)
        self.body.addWidget(self.tabs, 1)
        self._build_deposits()
        self._build_summary()
        self._build_contracts()
        self._build_purchases()

        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.body.addWidget(self.message)
        cache = context.paths.cache_dir
        runner.call(lambda: derive_print_fonts(cache), register_print_fonts, self._failed)
        self._update_actions()
        self.refresh()

    # --- layout -------------------------------------------------------------------------

    def _build_deposits(self) -> None:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.expiring = QLabel(page)
        self.expiring.setWordWrap(True)
        self.active_only = QCheckBox(self.tr("只看有效的意向金"), page)
        self.active_only.setChecked(True)
        self.active_only.toggled.connect(self.refresh)
        head = QHBoxLayout()
        head.addWidget(self.expiring, 1)
        head.addWidget(self.active_only)
        layout.addLayout(head)
        self.deposit_model = DepositModel(self)
        self.deposit_table = make_table(page)
        self.deposit_table.setModel(self.deposit_model)
        set_column_widths(
            self.deposit_table,
            {0: 170, 1: 100, 2: 150, 4: 100, 5: 100, 6: 90, 7: 120, 8: 170},
            stretch=3,
        )
        self.deposit_table.selectionModel().selectionChanged.connect(self._update_actions)
        layout.addWidget(self.deposit_table, 1)
        actions = QHBoxLayout()
        self.receipt_button = QPushButton(self.tr("打印收据"), page)
        self.apply_button = QPushButton(self.tr("起草合同（抵扣意向金）"), page)
        self.refund_button = QPushButton(self.tr("退还（店长）"), page)
        self.forfeit_button = QPushButton(self.tr("没收"), page)
        for button, slot in (
            (self.receipt_button, self.print_receipt),
            (self.apply_button, self.contract_from_deposit),
            (self.refund_button, self.refund),
            (self.forfeit_button, self.forfeit),
        ):
            button.clicked.connect(slot)
            actions.addWidget(button)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.tabs.addTab(page, self.tr("意向金"))

    def _build_summary(self) -> None:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        head = QHBoxLayout()
        head.addWidget(QLabel(self.tr("日期"), page))
        today = utcnow().astimezone(STORE_ZONE).date()  # the store's day, not this PC's
        self.day = QDateEdit(QDate(today.year, today.month, today.day), page)
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.dateChanged.connect(self.refresh)
        head.addWidget(self.day)
        head.addStretch(1)
        layout.addLayout(head)
        self.summary_model = SummaryModel(self)
        self.summary_table = make_table(page)
        self.summary_table.setModel(self.summary_model)
        set_column_widths(self.summary_table, {1: 100, 2: 140, 3: 100, 4: 140, 5: 140}, stretch=0)
        layout.addWidget(self.summary_table, 1)
        self.summary_note = QLabel(
            self.tr(
                "按付款方式汇总当日收取和退还的意向金，用于与现金、微信、支付宝和银行流水核对。"
            ),
            page,
        )
        self.summary_note.setWordWrap(True)
        layout.addWidget(self.summary_note)
        self.tabs.addTab(page, self.tr("当日收款"))

    def _build_contracts(self) -> None:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.contract_model = ContractModel(self)
        self.contract_table = make_table(page)
        self.contract_table.setModel(self.contract_model)
        set_column_widths(
            self.contract_table,
            {0: 160, 1: 150, 2: 80, 4: 110, 5: 80, 6: 140, 7: 170},
            stretch=3,
        )
        self.contract_table.selectionModel().selectionChanged.connect(self._update_actions)
        layout.addWidget(self.contract_table, 1)
        actions = QHBoxLayout()
        self.sign_button = QPushButton(self.tr("签订"), page)
        self.void_button = QPushButton(self.tr("作废"), page)
        self.amend_button = QPushButton(self.tr("补充协议"), page)
        self.return_button = QPushButton(self.tr("七日退车（店长）"), page)
        self.paper = QComboBox(page)
        self.paper.setMinimumWidth(300)
        self.print_button = QPushButton(self.tr("打印 / 重印"), page)
        for button, slot in (
            (self.sign_button, self.sign),
            (self.void_button, self.void),
            (self.amend_button, self.amend),
            (self.return_button, self.take_back),
        ):
            button.clicked.connect(slot)
            actions.addWidget(button)
        actions.addSpacing(24)
        actions.addWidget(self.paper)
        actions.addWidget(self.print_button)
        self.print_button.clicked.connect(self.print_paper)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.tabs.addTab(page, self.tr("合同"))

    def _build_purchases(self) -> None:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.purchase_model = PurchaseModel(self)
        self.purchase_table = make_table(page)
        self.purchase_table.setModel(self.purchase_model)
        set_column_widths(
            self.purchase_table, {0: 160, 1: 150, 3: 80, 4: 110, 5: 150, 6: 160, 7: 110}, stretch=2
        )
        self.purchase_table.selectionModel().selectionChanged.connect(self._update_actions)
        layout.addWidget(self.purchase_table, 1)
        actions = QHBoxLayout()
        self.offer_button = QPushButton(self.tr("按检测报告收车（店长）"), page)
        self.sign_purchase_button = QPushButton(self.tr("签订收车协议"), page)
        self.void_purchase_button = QPushButton(self.tr("作废"), page)
        self.print_purchase_button = QPushButton(self.tr("打印 / 重印"), page)
        for button, slot in (
            (self.offer_button, self.make_offer),
            (self.sign_purchase_button, self.sign_purchase),
            (self.void_purchase_button, self.void_purchase),
            (self.print_purchase_button, self.print_purchase),
        ):
            button.clicked.connect(slot)
            actions.addWidget(button)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.tabs.addTab(page, self.tr("收车"))

    # --- loading ------------------------------------------------------------------------

    def refresh(self) -> None:
        store, active_only = self.user.store_id, self.active_only.isChecked()
        value = self.day.date()
        day = date(value.year(), value.month(), value.day())
        now = utcnow()

        def work(
            session: Session,
        ) -> tuple[
            list[dp.DepositRow],
            list[dp.DepositRow],
            dp.DaySummary,
            list[ct.ContractRow],
            list[pu.PurchaseRow],
        ]:
            return (
                dp.list_deposits(session, store, active_only=active_only),
                dp.expiring(session, store, now, EXPIRING_DAYS),
                dp.day_summary(session, store, day, STORE_ZONE),
                ct.list_contracts(session, store),
                pu.list_purchases(session, store),
            )

        def expire(session: Session) -> list[str]:
            return dp.expire_lapsed(session, audit.SYSTEM, now, store_id=store)

        def expired(receipts: list[str]) -> None:
            if receipts:
                self.context.bus.publish({"deposits", "vehicles"})
                self._say(
                    self.tr("{n} 笔意向金已过期，车辆已恢复在售：{list}").format(
                        n=len(receipts), list="、".join(receipts)
                    )
                )
            self.runner.read(work, self._loaded, self._failed)

        # Lapsed reservations end before the list shows them (a read-only PC just lists).
        if self.context.database.writes_refused:
            self.runner.read(work, self._loaded, self._failed)
        else:
            self.runner.write(expire, expired, self._failed)

    def _loaded(
        self,
        result: tuple[
            list[dp.DepositRow],
            list[dp.DepositRow],
            dp.DaySummary,
            list[ct.ContractRow],
            list[pu.PurchaseRow],
        ],
    ) -> None:
        rows, expiring, summary, contracts, purchases = result
        self.purchase_model.set_rows(purchases)
        self.deposit_model.set_rows(rows)
        if expiring:
            self.expiring.setText(
                self.tr("{n} 笔意向金将在 {days} 天内到期，请联系客户：{list}").format(
                    n=len(expiring),
                    days=EXPIRING_DAYS,
                    list="、".join(f"{r.customer_name}（{r.stock_no}）" for r in expiring),
                )
            )
            self.expiring.setStyleSheet("color:#b06000;")
        else:
            self.expiring.setText(self.tr("没有即将到期的意向金。"))
            self.expiring.setStyleSheet("")
        lines = [
            (
                method_text(m.method),
                str(m.taken_count),
                format_yuan(m.taken),
                str(m.refunded_count),
                format_yuan(m.refunded),
                format_yuan(m.net),
            )
            for m in summary.methods
        ]
        lines.append(
            (
                self.tr("合计"),
                str(summary.taken_count),
                format_yuan(summary.taken),
                str(sum(m.refunded_count for m in summary.methods)),
                format_yuan(summary.refunded),
                format_yuan(summary.net),
            )
        )
        self.summary_model.set_rows(lines)
        self.contract_model.set_rows(contracts)
        self._update_actions()

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(report_failure(exc))
        self.message.setStyleSheet("color:#c5221f;")

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("")

    def selected_deposit(self) -> dp.DepositRow | None:
        rows = self.deposit_table.selectionModel().selectedRows()
        return self.deposit_model.row_at(rows[0].row()) if rows else None

    def selected_contract(self) -> ct.ContractRow | None:
        rows = self.contract_table.selectionModel().selectedRows()
        return self.contract_model.row_at(rows[0].row()) if rows else None

    def selected_purchase(self) -> pu.PurchaseRow | None:
        if not hasattr(self, "purchase_table"):
            return None
        rows = self.purchase_table.selectionModel().selectedRows()
        return self.purchase_model.row_at(rows[0].row()) if rows else None

    def _update_actions(self) -> None:
        deposit = self.selected_deposit()
        active = deposit is not None and deposit.status is DepositStatus.ACTIVE
        open_money = deposit is not None and deposit.status in (
            DepositStatus.ACTIVE,
            DepositStatus.EXPIRED,
        )
        self.receipt_button.setEnabled(deposit is not None)
        self.apply_button.setEnabled(active)
        self.refund_button.setEnabled(open_money and self.user.has_role(Role.MANAGER))
        self.forfeit_button.setEnabled(open_money)
        contract = self.selected_contract()
        draft = contract is not None and contract.status is ContractStatus.DRAFT
        signed = contract is not None and contract.status is ContractStatus.SIGNED
        self.sign_button.setEnabled(draft)
        self.void_button.setEnabled(draft)
        sale = signed and contract.kind is ContractKind.SALE  # type: ignore[union-attr]
        returned = contract is not None and contract.returned_at is not None
        self.amend_button.setEnabled(sale and not returned)
        self.return_button.setEnabled(sale and not returned and self.user.has_role(Role.MANAGER))
        self.paper.clear()
        if signed:
            names = (
                [self.tr("补充协议")]
                if contract.kind is ContractKind.AMENDMENT  # type: ignore[union-attr]
                else [
                    self.tr("买卖合同"),
                    self.tr("附件一 车况确认书"),
                    self.tr("附件二 售后服务协议"),
                ]
                + ([self.tr("退车协议")] if returned else [])
            )
            for name, number in zip(names, contract.paper_numbers, strict=True):  # type: ignore[union-attr]
                self.paper.addItem(f"{name} {number}", number)
        self.paper.setEnabled(signed)
        self.print_button.setEnabled(signed)
        purchase = self.selected_purchase()
        manager = self.user.has_role(Role.MANAGER)
        self.offer_button.setEnabled(manager)
        self.sign_purchase_button.setEnabled(
            manager and purchase is not None and purchase.status == "draft"
        )
        self.void_purchase_button.setEnabled(purchase is not None and purchase.status == "draft")
        self.print_purchase_button.setEnabled(purchase is not None and purchase.status == "signed")

    def _changed(self, *_: object) -> None:
        self.context.bus.publish({"deposits", "contracts", "vehicles", "follow_ups"})
        self.refresh()

    # --- deposits -----------------------------------------------------------------------

    def take_deposit(self) -> None:
        dialog = DepositDialog(self.context, self.runner, self.user, self)
        dialog.succeeded.connect(self._deposit_taken)
        dialog.open()

    def _deposit_taken(self, taken: dp.TakenDeposit) -> None:
        self._say(
            self.tr("已收取意向金 {amount}，收据号 {receipt}；车辆已为客户保留。").format(
                amount=format_yuan(taken.amount), receipt=taken.receipt_no
            )
        )
        self._changed()
        self._print_receipt(taken.id, taken.receipt_no)

    def print_receipt(self) -> None:
        row = self.selected_deposit()
        if row is not None:
            self._print_receipt(row.id, row.receipt_no)

    def _print_receipt(self, deposit_id: Any, receipt_no: str) -> None:
        """The first print archives the original; every later one is a marked copy."""
        folder, actor = templates_dir(self.context), self.user.actor
        printing.print_original_or_copy(
            self.runner,
            actor,
            DocumentKind.DEPOSIT_RECEIPT,
            receipt_no,
            lambda s: dp.prepare_receipt(s, deposit_id, templates_dir=folder, zone=STORE_ZONE),
            lambda s, document, pdf: dp.archive_receipt(s, actor, deposit_id, document, pdf),
            lambda document: printing.preview(document, self),
            self._reprinted,
            self._failed,
            self.context.paths.cache_dir,
        )

    def _reprinted(self, document: Document) -> None:
        self._say(self.tr("已生成副本 {n} 并存档。").format(n=document.copy_no))
        printing.preview(document, self)

    def _ask_reason(self, title: str, label: str) -> str | None:
        text, ok = QInputDialog.getText(self, title, label)
        return text if ok else None

    def refund(self) -> None:
        row = self.selected_deposit()
        if row is None:
            return
        reason = self._ask_reason(
            self.tr("退还意向金"),
            self.tr("退还 {amount}（{method}）给 {customer}。请填写原因：").format(
                amount=format_yuan(row.amount),
                method=method_text(row.method),
                customer=row.customer_name,
            ),
        )
        if reason is None:
            return
        user, deposit_id = self.user, row.id
        self.runner.write(
            lambda s: dp.refund(s, user, deposit_id, reason), self._changed, self._failed
        )

    def forfeit(self) -> None:
        row = self.selected_deposit()
        if row is None:
            return
        reason = self._ask_reason(
            self.tr("没收意向金"),
            self.tr("按约定没收 {amount}，车辆恢复在售。请填写原因：").format(
                amount=format_yuan(row.amount)
            ),
        )
        if reason is None:
            return
        user, deposit_id = self.user, row.id
        self.runner.write(
            lambda s: dp.forfeit(s, user, deposit_id, reason), self._changed, self._failed
        )

    # --- contracts ----------------------------------------------------------------------

    def contract_from_deposit(self) -> None:
        row = self.selected_deposit()
        if row is None:
            return
        deposit_id = row.id
        self.runner.read(
            lambda s: ct.prefill_from_deposit(s, deposit_id), self._open_contract, self._failed
        )

    def contract_without_deposit(self) -> None:
        car, ok = QInputDialog.getText(
            self, self.tr("直接签约"), self.tr("车辆的库存编号或车牌号：")
        )
        if not ok or not car.strip():
            return
        phone, ok = QInputDialog.getText(self, self.tr("直接签约"), self.tr("买受人的手机号："))
        if not ok:
            return
        self.runner.read(
            lambda s: ct.prefill_for_car(s, car, phone), self._open_contract, self._failed
        )

    def _open_contract(self, prefill: ct.Prefill) -> None:
        dialog = ContractDialog(self.context, self.runner, self.user, prefill, self)
        dialog.succeeded.connect(self._drafted)
        dialog.open()

    def _drafted(self, drafted: ct.DraftedContract) -> None:
        self._say(
            self.tr("合同 {no} 已生成（草稿），请买受人阅读并签名。").format(no=drafted.contract_no)
        )
        self._changed()
        self.tabs.setCurrentIndex(2)
        self._open_sign(drafted.id)

    def sign(self) -> None:
        row = self.selected_contract()
        if row is not None:
            self._open_sign(row.id)

    def _open_sign(self, contract_id: Any) -> None:
        dialog = SignContractDialog(self.context, self.runner, self.user, contract_id, self)
        dialog.succeeded.connect(self._signed)
        dialog.open()

    def _signed(self, signed: ct.SignedContract) -> None:
        self._say(
            self.tr(
                "合同 {no} 已签订并存档：车辆已售出，意向金已抵扣，"
                "已安排 5 次回访（首次 {first}）。"
            ).format(
                no=signed.contract_no,
                first=f"{signed.follow_up_days[0]:%m-%d}" if signed.follow_up_days else "—",
            )
        )
        self._changed()
        dialog = self.sender()
        # The originals as archived, one preview each: contract, annex 1, annex 2.
        for document in getattr(dialog, "signed_documents", None) or []:
            printing.preview(document, self)

    def void(self) -> None:
        row = self.selected_contract()
        if row is None:
            return
        reason = self._ask_reason(
            self.tr("作废合同"),
            self.tr("作废后编号 {no} 仍保留并显示为“已作废”。请填写作废原因：").format(
                no=row.contract_no
            ),
        )
        if reason is None:
            return
        user, contract_id = self.user, row.id
        self.runner.write(
            lambda s: ct.void(s, user, contract_id, reason), self._changed, self._failed
        )

    def amend(self) -> None:
        row = self.selected_contract()
        if row is None:
            return
        dialog = AmendmentDialog(self.context, self.runner, self.user, row, self)
        dialog.succeeded.connect(self._drafted)
        dialog.open()

    def take_back(self) -> None:
        """七日退车: the service quotes the window, the manager fills in the return."""
        row = self.selected_contract()
        if row is None:
            return
        contract_id, terms = row.id, return_terms(self.context)
        now = utcnow()
        self.runner.read(
            lambda s: rt.quote(s, contract_id, terms=terms, now=now, zone=STORE_ZONE),
            self._open_return,
            self._failed,
        )

    def _open_return(self, quote: rt.ReturnQuote) -> None:
        dialog = ReturnDialog(self.context, self.runner, self.user, quote, self)
        dialog.succeeded.connect(self._returned)
        dialog.open()

    def _returned(self, done: rt.RecordedReturn) -> None:
        self._say(
            self.tr(
                "合同 {no} 已退车（退车协议 {return_no}）：应退 {refund}，车辆已恢复在售，"
                "{n} 次回访已停止。"
            ).format(
                no=done.contract_no,
                return_no=done.return_no,
                refund=format_yuan(done.refund),
                n=done.follow_ups_stopped,
            )
        )
        self._changed()
        self._print_return(done.id, done.return_no)

    def _print_return(self, return_id: Any, return_no: str) -> None:
        """The agreement as printed the first time is the archived original."""
        folder, terms, actor = (
            templates_dir(self.context),
            return_terms(self.context),
            self.user.actor,
        )
        printing.print_original_or_copy(
            self.runner,
            actor,
            DocumentKind.CONTRACT,
            return_no,
            lambda s: rt.prepare_agreement(
                s, return_id, terms=terms, templates_dir=folder, zone=STORE_ZONE
            ),
            lambda s, document, pdf: rt.archive_agreement(s, actor, return_id, document, pdf),
            lambda document: printing.preview(document, self),
            self._reprinted,
            self._failed,
            self.context.paths.cache_dir,
        )

    # --- 收车 -----------------------------------------------------------------------------

    def make_offer(self) -> None:
        report, ok = QInputDialog.getText(
            self, self.tr("收车"), self.tr("已定稿并有估价的检测报告编号：")
        )
        if not ok or not report.strip():
            return
        now = utcnow()
        self.runner.read(
            lambda s: pu.offer_start(s, report, now=now), self._open_offer, self._failed
        )

    def _open_offer(self, start: pu.OfferStart) -> None:
        dialog = PurchaseDialog(self.context, self.runner, self.user, start, self)
        dialog.succeeded.connect(self._offered)
        dialog.open()

    def _offered(self, drafted: pu.DraftedPurchase) -> None:
        self._say(
            self.tr("收车协议 {no} 已生成（草稿），请卖方阅读并签名。").format(
                no=drafted.purchase_no
            )
        )
        self._changed()
        self.tabs.setCurrentIndex(3)
        self._open_purchase_signing(drafted.id)

    def sign_purchase(self) -> None:
        row = self.selected_purchase()
        if row is not None:
            self._open_purchase_signing(row.id)

    def _open_purchase_signing(self, purchase_id: Any) -> None:
        dialog = SignPurchaseDialog(self.context, self.runner, self.user, purchase_id, self)
        dialog.succeeded.connect(self._purchase_signed)
        dialog.open()

    def _purchase_signed(self, signed: pu.SignedPurchase) -> None:
        self._say(
            self.tr("收车协议 {no} 已签订并存档，车辆已入库（{stock}，整备中）。").format(
                no=signed.purchase_no, stock=signed.stock_no
            )
        )
        self._changed()
        dialog = self.sender()
        document = getattr(dialog, "signed_document", None)
        if document is not None:
            printing.preview(document, self)

    def void_purchase(self) -> None:
        row = self.selected_purchase()
        if row is None:
            return
        user, purchase_id = self.user, row.id
        self.runner.write(lambda s: pu.void(s, user, purchase_id), self._changed, self._failed)

    def print_purchase(self) -> None:
        row = self.selected_purchase()
        if row is None:
            return
        printing.reprint(
            self.runner,
            self.user.actor,
            DocumentKind.CONTRACT,
            row.purchase_no,
            self._reprinted,
            self._failed,
            self.context.paths.cache_dir,
        )

    def print_paper(self) -> None:
        number = self.paper.currentData()
        if not number:
            return
        printing.reprint(
            self.runner,
            self.user.actor,
            DocumentKind.CONTRACT,
            number,
            self._reprinted,
            self._failed,
            self.context.paths.cache_dir,
        )
