"""收车 dialogs: an offer from a finished inspection, and signing the purchase agreement.

The offer starts from the inspection the service found by its report number
(car, odometer, valuation) and collects what the stock card and the paper need;
signing shows the agreement exactly as it prints with the seller's and the
store's signature pads. A refusal shows in red and everything typed stays.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTextBrowser,
    QWidget,
)

from db.models import Energy, PaymentMethod, Transmission
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.documents.model import Document
from showroom.errors import ShowroomError
from showroom.money import format_yuan, parse_amount, to_chinese_capitals
from showroom.services import purchases as pu
from showroom.users import StaffUser
from ui.dialogs.deals import METHOD_ORDER, method_text
from ui.dialogs.service import STORE_ZONE, ServiceDialog, templates_dir
from ui.dialogs.signing import SigningDialog
from ui.documents.render import body_html
from ui.tasks import TaskRunner
from ui.widgets.vehicle_labels import ENERGIES, TRANSMISSIONS, vlabel

NO_YEAR = 1979  # the year box's "请填写": below any model year the service accepts

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class PurchaseDialog(ServiceDialog):
    """收车报价: seller, price, ID, payment, keys and papers, statements, stock-card facts.

    On success ``result_value`` is the ``DraftedPurchase`` (numbered, not yet signed).
    """

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        start: pu.OfferStart,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("收车报价"), context, runner, user, parent)
        self.start = start
        car = QLabel(
            self.tr("{car} · {plate} · {vin} · {km} 公里").format(
                car=start.vehicle,
                plate=start.plate or self.tr("未上牌"),
                vin=start.vin,
                km=f"{start.odometer_km:,}" if start.odometer_km is not None else "—",
            ),
            self,
        )
        car.setWordWrap(True)
        valuation = QLabel(
            self.tr("检测报告 {no}：评估价 {low} – {high}").format(
                no=start.report_no,
                low=format_yuan(start.valuation_low),
                high=format_yuan(start.valuation_high),
            )
            + (
                self.tr("；检测发现{found}").format(found=start.structural)
                if start.structural
                else ""
            ),
            self,
        )
        valuation.setWordWrap(True)
        self.form.addRow(self.tr("车辆"), car)
        self.form.addRow(self.tr("估价"), valuation)
        self.add_customer_lookup(
            self.tr("卖方手机"),
            self.tr("（未找到客户）"),
            self.tr("没有这个手机号的客户，请先在前台登记。"),
        )
        self.price = QLineEdit(str(start.valuation_low), self)
        self.price.textChanged.connect(self._price_hint)
        self.price_hint = QLabel(self)
        self.id_number = QLineEdit(self)
        self.id_number.setPlaceholderText(self.tr("卖方 18 位居民身份证号码（核对本人证件）"))
        self.method = QComboBox(self)
        for method in METHOD_ORDER:
            self.method.addItem(method_text(method), method)
        self.method.setCurrentIndex(METHOD_ORDER.index(PaymentMethod.TRANSFER))
        self.reference = QLineEdit(self)
        self.reference.setPlaceholderText(self.tr("转账流水号 / 交易单号（现金可不填）"))
        self.keys = QSpinBox(self)
        self.keys.setRange(1, 9)
        self.keys.setValue(2)
        papers = QGridLayout()
        self.papers: dict[str, QCheckBox] = {}
        for n, name in enumerate(pu.HANDOVER):
            # Ticked by staff for each paper they hold: the agreement lists what was handed
            # over, so nothing is printed there because it happened to be ticked.
            box = QCheckBox(name, self)
            self.papers[name] = box
            papers.addWidget(box, n // 2, n % 2)
        self.accident = QCheckBox(self.tr("重大事故"), self)
        self.flood = QCheckBox(self.tr("泡水"), self)
        self.fire = QCheckBox(self.tr("火烧"), self)
        statements = QGridLayout()
        for n, box in enumerate((self.accident, self.flood, self.fire)):
            statements.addWidget(box, 0, n)
        self.note = QLineEdit(self)
        self.note.setPlaceholderText(self.tr("卖方的补充说明（可不填）"))
        # Facts of the car the inspection did not record: chosen, never a first entry.
        self.energy = QComboBox(self)
        self.energy.addItem(self.tr("请选择…"), None)
        for energy in Energy:
            self.energy.addItem(vlabel(ENERGIES, energy), energy)
        self.transmission = QComboBox(self)
        self.transmission.addItem(self.tr("请选择…"), None)
        for transmission in Transmission:
            self.transmission.addItem(vlabel(TRANSMISSIONS, transmission), transmission)
        self.year = QSpinBox(self)
        self.year.setRange(NO_YEAR, 2100)
        self.year.setSpecialValueText(self.tr("请填写"))  # the VIN gave none: typed, not assumed
        self.year.setValue(start.year or NO_YEAR)
        self.colour = QLineEdit(self)
        self.form.addRow(self.tr("收购价（元）"), self.price)
        self.form.addRow("", self.price_hint)
        self.form.addRow(self.tr("卖方身份证"), self.id_number)
        self.form.addRow(self.tr("付款方式"), self.method)
        self.form.addRow(self.tr("交易单号"), self.reference)
        self.form.addRow(self.tr("车钥匙（把）"), self.keys)
        self.form.addRow(self.tr("交接证件"), papers)
        self.form.addRow(self.tr("卖方声明曾有"), statements)
        self.form.addRow(self.tr("补充说明"), self.note)
        self.form.addRow(self.tr("能源类型"), self.energy)
        self.form.addRow(self.tr("变速箱"), self.transmission)
        self.form.addRow(self.tr("年款"), self.year)
        self.form.addRow(self.tr("车身颜色"), self.colour)
        self.ok_button.setText(self.tr("生成收车协议编号并预览"))
        self.finish_layout()
        self.resize(620, 760)
        self._price_hint()

    def _price_hint(self) -> None:
        try:
            value = parse_amount(self.price.text())
        except ShowroomError:
            self.price_hint.setText("")
            return
        self.price_hint.setText(
            self.tr("大写：人民币{text}").format(text=to_chinese_capitals(value))
        )

    def submit(self) -> None:
        if self.customer is None:
            self.show_message(self.tr("请先输入卖方的手机号找到客户。"))
            return
        if self.energy.currentData() is None or self.transmission.currentData() is None:
            self.show_message(self.tr("请选择能源类型和变速箱。"))
            return
        if self.year.value() == NO_YEAR:
            self.show_message(self.tr("车架号未能读出年款，请填写年款。"))
            self.year.setFocus()
            return
        data = pu.PurchaseInput(
            self.start.inspection_id,
            self.customer.id,
            self.price.text(),
            self.id_number.text(),
            PaymentMethod(self.method.currentData()),
            Energy(self.energy.currentData()),
            Transmission(self.transmission.currentData()),
            payment_ref=self.reference.text(),
            keys=self.keys.value(),
            documents=tuple(name for name, box in self.papers.items() if box.isChecked()),
            accident=self.accident.isChecked(),
            flood=self.flood.isChecked(),
            fire=self.fire.isChecked(),
            statement_note=self.note.text(),
            year=self.year.value(),
            colour=self.colour.text(),
        )
        user, code = self.user, self.user.store_code
        self.run_write(lambda s: pu.draft(s, user, data, store_code=code, zone=STORE_ZONE))


class SignPurchaseDialog(SigningDialog):
    """签订收车协议: the agreement as it prints, signed by the seller and the store.

    On success ``result_value`` is the ``SignedPurchase``; ``signed_document`` the paper.
    """

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        purchase_id: uuid.UUID,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("签订收车协议"), context, runner, user, parent)
        self.purchase_id = purchase_id
        self.document: Document | None = None
        self.signed_document: Document | None = None
        self.text = QTextBrowser(self)
        self.text.setMinimumHeight(320)
        self.layout_.addWidget(self.text, 1)
        self.add_signature_pads(
            (self.tr("乙方（卖方）签名"), self.tr("卖方在此签名")),
            (self.tr("甲方代表签名"), self.tr("门店代表在此签名")),
        )
        self.ok_button.setText(self.tr("确认签订并入库"))
        self.ok_button.setEnabled(False)
        self.finish_layout()
        self.resize(900, 860)
        folder = templates_dir(context)

        def prepare(session: Session) -> Document:
            return pu.prepare_agreement(session, purchase_id, templates_dir=folder, zone=STORE_ZONE)

        runner.read(prepare, self._prepared, self.show_error)

    def _prepared(self, document: Document) -> None:
        self.document = document
        self.text.setHtml(body_html(document))
        self.ok_button.setEnabled(True)

    def submit(self) -> None:
        if self.document is None:
            self.show_message(self.tr("协议还没有生成，请稍候。"))
            return
        seller, staff = self.signatures()
        signed_at = utcnow()
        try:
            signed = pu.attach_signatures(self.document, seller, staff, signed_at, STORE_ZONE)
        except ShowroomError as exc:
            self.show_error(exc)
            return
        self.signed_document = signed
        purchase_id, user = self.purchase_id, self.user
        self.render_then_store(
            [signed],
            lambda s, pdfs: pu.sign(
                s, user, purchase_id, signed, seller, staff, pdfs[0], signed_at=signed_at
            ),
        )
