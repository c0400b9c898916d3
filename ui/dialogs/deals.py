"""定金与合同 dialogs: take a deposit, draft a contract, sign it on screen.

Each dialog collects input and calls one service through the runner; it
closes only when the service succeeded. A refusal (car reserved by someone
else, price below the deposit, wrong ID number) shows in red above the
buttons and everything typed stays.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QWidget,
)

from db.models import PaymentMethod, VehicleStatus
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.documents.model import Document
from showroom.errors import ShowroomError
from showroom.money import format_yuan, parse_amount, to_chinese_capitals
from showroom.services import contracts as ct
from showroom.services import deposits as dp
from showroom.services import purchases as pu
from showroom.users import StaffUser
from ui.dialogs.signing import SigningDialog
from ui.dialogs.test_drive import (
    STORE_ZONE,
    _ServiceDialog,
    templates_dir,
)
from ui.documents.render import body_html
from ui.tasks import TaskRunner
from ui.widgets.labels import vehicle_status_label

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

METHOD_ORDER = (
    PaymentMethod.CASH,
    PaymentMethod.WECHAT,
    PaymentMethod.ALIPAY,
    PaymentMethod.BANK_CARD,
    PaymentMethod.TRANSFER,
)


# The services' Chinese labels, marked here so lupdate offers them for translation.
SERVICE_LABELS = (
    QT_TRANSLATE_NOOP("Deals", "现金"),
    QT_TRANSLATE_NOOP("Deals", "微信支付"),
    QT_TRANSLATE_NOOP("Deals", "支付宝"),
    QT_TRANSLATE_NOOP("Deals", "银行卡"),
    QT_TRANSLATE_NOOP("Deals", "转账"),
    QT_TRANSLATE_NOOP("Deals", "有效（车辆已预订）"),
    QT_TRANSLATE_NOOP("Deals", "已抵车款"),
    QT_TRANSLATE_NOOP("Deals", "已退还"),
    QT_TRANSLATE_NOOP("Deals", "已没收"),
    QT_TRANSLATE_NOOP("Deals", "已过期"),
    QT_TRANSLATE_NOOP("Deals", "草稿（未签）"),
    QT_TRANSLATE_NOOP("Deals", "已签订"),
    QT_TRANSLATE_NOOP("Deals", "已作废"),
    QT_TRANSLATE_NOOP("Deals", "已退车"),
    QT_TRANSLATE_NOOP("Deals", "二手车买卖合同"),
    QT_TRANSLATE_NOOP("Deals", "补充协议"),
    QT_TRANSLATE_NOOP("Deals", "车况确认书"),
    QT_TRANSLATE_NOOP("Deals", "售后服务协议"),
    QT_TRANSLATE_NOOP("Deals", "乙方（买受人）"),
    QT_TRANSLATE_NOOP("Deals", "甲方（出卖人）"),
    QT_TRANSLATE_NOOP("Deals", "双方各半"),
)


def deals_text(text: str) -> str:
    return QCoreApplication.translate("Deals", text)


def method_text(method: PaymentMethod) -> str:
    return deals_text(dp.METHOD_LABELS[method])


def store_today() -> QDate:
    """Today in the store's zone: a PC set to another zone must not date a contract wrong."""
    today = utcnow().astimezone(STORE_ZONE).date()
    return QDate(today.year, today.month, today.day)


def _to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class DepositDialog(_ServiceDialog):
    """收取意向金: find the car (stock no. or plate) and the customer (phone), amount, method.

    On success ``result_value`` is the ``TakenDeposit``.
    """

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("收取意向金"), context, runner, user, parent)
        self.car: dp.CarChoice | None = None
        self.car_input = QLineEdit(self)
        self.car_input.setPlaceholderText(
            self.tr("库存编号或车牌号，如 BJ01-S2026-00012 或 京A12345")
        )
        self.car_input.editingFinished.connect(self._find_car)
        self.car_label = QLabel(self.tr("（未选择车辆）"), self)
        self.car_label.setWordWrap(True)
        self.amount = QLineEdit(str(context.settings["default_deposit"]), self)
        self.amount_hint = QLabel(self)
        self.amount.textChanged.connect(self._amount_hint)
        self.method = QComboBox(self)
        for method in METHOD_ORDER:
            self.method.addItem(method_text(method), method)
        self.method.setCurrentIndex(1)
        self.reference = QLineEdit(self)
        self.reference.setPlaceholderText(self.tr("交易单号 / 流水号 / 卡号后四位（现金可不填）"))
        self.days = QSpinBox(self)
        self.days.setRange(1, 90)
        self.days.setValue(int(context.settings["deposit_valid_days"]))
        self.days.setSuffix(self.tr(" 天"))
        self.form.addRow(self.tr("车辆"), self.car_input)
        self.form.addRow("", self.car_label)
        self.add_customer_lookup(
            self.tr("客户手机"),
            self.tr("（未找到客户）"),
            self.tr("没有这个手机号的客户，请先在前台登记。"),
        )
        self.form.addRow(self.tr("金额（元）"), self.amount)
        self.form.addRow("", self.amount_hint)
        self.form.addRow(self.tr("付款方式"), self.method)
        self.form.addRow(self.tr("交易单号"), self.reference)
        self.form.addRow(self.tr("保留车辆"), self.days)
        self.ok_button.setText(self.tr("收款并预订车辆"))
        self.finish_layout()
        self.resize(560, 420)
        self._amount_hint()

    def _amount_hint(self) -> None:
        try:
            value = parse_amount(self.amount.text())
            self.amount_hint.setText(
                self.tr("大写：人民币{text}").format(text=to_chinese_capitals(value))
            )
        except (ShowroomError, ValueError):
            self.amount_hint.setText("")

    def _find_car(self) -> None:
        text = self.car_input.text()
        if text.strip():
            self.runner.read(lambda s: dp.find_car(s, text), self._car_found, self.show_error)

    def _car_found(self, car: dp.CarChoice) -> None:
        self.car = car
        self.error.hide()
        self.car_label.setText(
            self.tr("{label} · {stock} · {plate} · 标价 {price} · {status}").format(
                label=car.label,
                stock=car.stock_no,
                plate=car.plate or self.tr("未上牌"),
                price=format_yuan(car.price),
                status=vehicle_status_label(car.status),
            )
        )
        if car.status is not VehicleStatus.ON_SALE:
            self.show_message(
                self.tr("注意：这辆车当前状态为“{status}”，可能无法收取意向金。").format(
                    status=vehicle_status_label(car.status)
                )
            )

    def submit(self) -> None:
        if self.car is None:
            self.show_message(self.tr("请先输入库存编号或车牌号找到车辆。"))
            return
        if self.customer is None:
            self.show_message(self.tr("请先输入手机号找到客户。"))
            return
        data = dp.DepositInput(
            self.car.id,
            self.customer.id,
            self.amount.text(),
            PaymentMethod(self.method.currentData()),
            self.reference.text(),
            valid_days=self.days.value(),
        )
        actor, code = self.user.actor, self.user.store_code
        self.run_write(lambda s: dp.take(s, actor, data, store_code=code, zone=STORE_ZONE))


class ContractDialog(_ServiceDialog):
    """起草合同: prefilled from the deposit (car, customer, price); buyer ID, schedule, delivery.

    On success ``result_value`` is the ``DraftedContract`` (numbered, not yet signed).
    """

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        prefill: ct.Prefill,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("起草二手车买卖合同"), context, runner, user, parent)
        self.prefill = prefill
        self.form.addRow(
            self.tr("车辆"), QLabel(f"{prefill.vehicle_label} · {prefill.stock_no}", self)
        )
        self.form.addRow(
            self.tr("买受人"), QLabel(f"{prefill.customer_name} · {prefill.phone_masked}", self)
        )
        deposit_text = (
            self.tr("{amount}（收据 {receipt}），签约时抵作车款").format(
                amount=format_yuan(prefill.deposit_amount), receipt=prefill.deposit_receipt
            )
            if prefill.deposit_id
            else self.tr("无")
        )
        self.form.addRow(self.tr("已收意向金"), QLabel(deposit_text, self))
        self.trade_in: pu.TradeIn | None = None
        self.trade_in_input = QLineEdit(self)
        self.trade_in_input.setPlaceholderText(
            self.tr("置换：买受人自有车辆的收车协议编号（可不填）")
        )
        self.trade_in_input.editingFinished.connect(self._find_trade_in)
        self.trade_in_label = QLabel(self)
        self.trade_in_label.setWordWrap(True)
        self.form.addRow(self.tr("置换车辆"), self.trade_in_input)
        self.form.addRow("", self.trade_in_label)
        self.price = QLineEdit(str(prefill.price), self)
        self.price.editingFinished.connect(self._reset_schedule)
        self.id_number = QLineEdit(self)
        self.id_number.setPlaceholderText(self.tr("18 位居民身份证号码（必填）"))
        self.address = QLineEdit(self)
        self.delivery = QDateEdit(store_today(), self)
        self.delivery.setCalendarPopup(True)
        self.delivery.setDisplayFormat("yyyy-MM-dd")
        self.place = QLineEdit(self.tr("甲方门店"), self)
        self.keys = QSpinBox(self)
        self.keys.setRange(1, 9)
        self.keys.setValue(2)
        self.fee_payer = QComboBox(self)
        for payer in ct.FEE_PAYERS:
            self.fee_payer.addItem(deals_text(payer), payer)
        self.schedule = QTableWidget(0, 3, self)
        self.schedule.setHorizontalHeaderLabels(
            [self.tr("付款节点"), self.tr("金额（元）"), self.tr("最迟日期")]
        )
        self.schedule.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.schedule.setMinimumHeight(120)
        self.schedule.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        rows = QHBoxLayout()
        add = QPushButton(self.tr("添加一期"), self)
        add.clicked.connect(lambda: self._add_step("", ""))
        remove = QPushButton(self.tr("删除所选"), self)
        remove.clicked.connect(self._remove_step)
        rows.addWidget(add)
        rows.addWidget(remove)
        rows.addStretch(1)
        self.other = QPlainTextEdit(self)
        self.other.setPlaceholderText(self.tr("其他约定（如随车赠品），可不填"))
        self.other.setMaximumHeight(70)
        self.form.addRow(self.tr("成交价（元）"), self.price)
        self.form.addRow(self.tr("身份证号码"), self.id_number)
        self.form.addRow(self.tr("买受人地址"), self.address)
        self.form.addRow(self.tr("交车日期"), self.delivery)
        self.form.addRow(self.tr("交车地点"), self.place)
        self.form.addRow(self.tr("车钥匙（把）"), self.keys)
        self.form.addRow(self.tr("过户费承担"), self.fee_payer)
        self.form.addRow(self.tr("付款计划"), self.schedule)
        self.form.addRow("", rows)
        self.form.addRow(self.tr("其他约定"), self.other)
        self.ok_button.setText(self.tr("生成合同编号并预览"))
        self.finish_layout()
        self.resize(680, 720)
        self._reset_schedule()

    def _find_trade_in(self) -> None:
        text, buyer = self.trade_in_input.text(), self.prefill.customer_id
        if not text.strip():
            self.trade_in = None
            self.trade_in_label.setText("")
            self._reset_schedule()
            return
        self.runner.read(
            lambda s: pu.find_trade_in(s, text, buyer), self._trade_in_found, self._no_trade_in
        )

    def _trade_in_found(self, found: pu.TradeIn) -> None:
        self.trade_in = found
        self.error.hide()
        self.trade_in_label.setText(
            self.tr("{car}，作价 {amount}（大写：人民币{capitals}），签约时抵作车款").format(
                car=found.vehicle,
                amount=format_yuan(found.amount),
                capitals=to_chinese_capitals(found.amount),
            )
        )
        self._reset_schedule()

    def _no_trade_in(self, exc: BaseException) -> None:
        self.trade_in = None
        self.trade_in_label.setText("")
        self.show_error(exc)

    def _add_step(self, label: str, amount: str, due: QDate | None = None) -> None:
        row = self.schedule.rowCount()
        self.schedule.insertRow(row)
        self.schedule.setItem(row, 0, QTableWidgetItem(label))
        self.schedule.setItem(row, 1, QTableWidgetItem(amount))
        edit = QDateEdit(due or store_today(), self.schedule)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        self.schedule.setCellWidget(row, 2, edit)

    def _remove_step(self) -> None:
        for index in sorted({i.row() for i in self.schedule.selectedIndexes()}, reverse=True):
            self.schedule.removeRow(index)

    def _reset_schedule(self) -> None:
        """One step, the balance on the day of signing, until the consultant changes it."""
        try:
            balance = parse_amount(self.price.text()) - self.prefill.deposit_amount
            if self.trade_in is not None:
                balance -= self.trade_in.amount
        except ShowroomError:
            return
        self.schedule.setRowCount(0)
        self._add_step(self.tr("签约当日付清余款"), str(max(balance, Decimal("0.00"))))

    def steps(self) -> list[ct.PaymentStep]:
        steps = []
        for row in range(self.schedule.rowCount()):
            label = self.schedule.item(row, 0)
            amount = self.schedule.item(row, 1)
            edit = self.schedule.cellWidget(row, 2)
            assert isinstance(edit, QDateEdit)
            steps.append(
                ct.PaymentStep(
                    label.text() if label else "",
                    amount.text() if amount else "",
                    _to_date(edit.date()),
                )
            )
        return steps

    def submit(self) -> None:
        p = self.prefill
        if self.trade_in_input.text().strip() and self.trade_in is None:
            self.show_message(self.tr("没有找到可抵扣的收车协议，请核对编号，或清空置换一栏。"))
            return
        data = ct.ContractInput(
            p.vehicle_id,
            p.customer_id,
            self.price.text(),
            self.id_number.text(),
            payments=self.steps(),
            buyer_address=self.address.text(),
            delivery_date=_to_date(self.delivery.date()),
            delivery_place=self.place.text(),
            keys=self.keys.value(),
            transfer_fee_payer=self.fee_payer.currentData(),
            other_terms=self.other.toPlainText(),
            consultant_id=p.consultant_id,
            deposit_id=p.deposit_id,
            trade_in_id=self.trade_in.purchase_id if self.trade_in else None,
        )
        actor, code = self.user.actor, self.user.store_code
        self.run_write(lambda s: ct.draft(s, actor, data, store_code=code, zone=STORE_ZONE))


class SignContractDialog(SigningDialog):
    """签订合同: the three papers exactly as they print, signed once by buyer and consultant.

    On success ``result_value`` is the ``SignedContract``; ``signed_documents`` the papers.
    """

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        contract_id: uuid.UUID,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("签订合同"), context, runner, user, parent)
        self.contract_id = contract_id
        self.documents: list[Document] = []
        self.signed_documents: list[Document] = []
        self.text = QTextBrowser(self)
        self.text.setMinimumHeight(340)
        self.layout_.addWidget(self.text, 1)
        note = QLabel(self.tr("请买受人阅读合同及两份附件后签名；一次签名同时用于三份文件。"), self)
        note.setWordWrap(True)
        self.layout_.addWidget(note)
        self.add_signature_pads(
            (self.tr("乙方（买受人）签名"), self.tr("买受人在此签名")),
            (self.tr("甲方代表（销售顾问）签名"), self.tr("销售顾问在此签名")),
        )
        self.ok_button.setText(self.tr("确认签订"))
        self.ok_button.setEnabled(False)
        self.finish_layout()
        self.resize(960, 900)
        folder = templates_dir(context)

        def prepare(session: Session) -> list[Document]:
            return ct.prepare_papers(
                session,
                contract_id,
                templates_dir=folder,
                zone=STORE_ZONE,
            )

        runner.read(prepare, self._prepared, self.show_error)

    def _prepared(self, documents: list[Document]) -> None:
        self.documents = documents
        separator = "<hr/>"
        self.text.setHtml(separator.join(body_html(d) for d in documents))
        self.ok_button.setEnabled(True)

    def submit(self) -> None:
        if not self.documents:
            self.show_message(self.tr("合同还没有生成，请稍候。"))
            return
        customer, consultant = self.signatures()
        signed_at = utcnow()
        try:
            signed = ct.attach_signatures(
                self.documents, customer, consultant, signed_at, STORE_ZONE
            )
        except ShowroomError as exc:
            self.show_error(exc)
            return
        self.signed_documents = signed
        contract_id, actor = self.contract_id, self.user.actor
        self.render_then_store(
            signed,
            lambda s, pdfs: ct.sign(
                s,
                actor,
                contract_id,
                signed,
                customer,
                consultant,
                pdfs,
                signed_at=signed_at,
                zone=STORE_ZONE,
            ),
        )


class AmendmentDialog(_ServiceDialog):
    """补充协议: what changes and the price after the change; gets its own number.

    On success ``result_value`` is the ``DraftedContract`` of the amendment.
    """

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        row: ct.ContractRow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("起草补充协议"), context, runner, user, parent)
        self.row = row
        self.form.addRow(
            self.tr("原合同"), QLabel(f"{row.contract_no} · {row.vehicle_label}", self)
        )
        self.price = QLineEdit(str(row.price or ""), self)
        self.changes = QPlainTextEdit(self)
        self.changes.setPlaceholderText(self.tr("写明变更的条款和内容，如：交车日期改为……"))
        self.form.addRow(self.tr("变更后成交价（元）"), self.price)
        self.form.addRow(self.tr("变更内容"), self.changes)
        self.ok_button.setText(self.tr("生成补充协议编号"))
        self.finish_layout()
        self.resize(560, 360)

    def submit(self) -> None:
        original, actor, code = self.row.id, self.user.actor, self.user.store_code
        changes, price = self.changes.toPlainText(), self.price.text()
        self.run_write(
            lambda s: ct.amend(
                s,
                actor,
                original,
                changes=changes,
                price=price,
                store_code=code,
                zone=STORE_ZONE,
            )
        )
