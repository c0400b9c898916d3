"""保修索赔 dialogs: open a claim against a sold car, and record the diagnosis and decision.

Each calls one service through the runner and closes only when it succeeded; a
refusal (not a sold car, outside the warranty when "covered" is chosen, not the
appraiser or manager) shows in red and everything typed stays.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from showroom.context import AppContext
from showroom.services import warranty as wt
from showroom.users import StaffUser
from ui.dialogs.service import STORE_ZONE, ServiceDialog
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

LABELS = (
    QT_TRANSLATE_NOOP("Warranty", "发动机"),
    QT_TRANSLATE_NOOP("Warranty", "变速箱"),
    QT_TRANSLATE_NOOP("Warranty", "待诊断"),
    QT_TRANSLATE_NOOP("Warranty", "保修（免费维修）"),
    QT_TRANSLATE_NOOP("Warranty", "不予保修"),
)


def warranty_text(text: str) -> str:
    return QCoreApplication.translate("Warranty", text)


def warranty_terms(context: AppContext) -> wt.WarrantyTerms:
    return wt.WarrantyTerms(
        int(context.settings["warranty_days"]), int(context.settings["warranty_km"])
    )


class ClaimDialog(ServiceDialog):
    """报修: the sale (contract no., stock no. or plate), part, symptom, odometer, photos.

    On success ``result_value`` is the ``OpenedClaim``.
    """

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("保修报修"), context, runner, user, parent)
        self.sale_id: uuid.UUID | None = None
        self.photos: list[bytes] = []
        self.sale = QLineEdit(self)
        self.sale.setPlaceholderText(self.tr("合同编号、库存编号或车牌号"))
        self.sale.editingFinished.connect(self._find_sale)
        self.sale_label = QLabel(self)
        self.part = QComboBox(self)
        for key, label in wt.PART_LABELS.items():
            self.part.addItem(warranty_text(label), key)
        self.symptom = QPlainTextEdit(self)
        self.symptom.setPlaceholderText(self.tr("客户描述的故障现象、出现的时间和条件"))
        self.symptom.setMinimumHeight(80)
        self.mileage = QLineEdit(self)
        self.mileage.setPlaceholderText(self.tr("报修时的表显里程（公里）"))
        photos = QHBoxLayout()
        add = QPushButton(self.tr("添加照片…"), self)
        add.clicked.connect(self._pick_photos)
        self.photo_label = QLabel(self.tr("未添加照片"), self)
        photos.addWidget(add)
        photos.addWidget(self.photo_label, 1)
        terms = warranty_terms(context)
        self.form.addRow(self.tr("车辆/合同"), self.sale)
        self.form.addRow("", self.sale_label)
        self.form.addRow(self.tr("报修部件"), self.part)
        self.form.addRow(self.tr("故障现象"), self.symptom)
        self.form.addRow(self.tr("表显里程"), self.mileage)
        self.form.addRow(self.tr("照片"), photos)
        self.form.addRow(
            "",
            QLabel(
                self.tr("保修：交车后 {days} 天或 {km} 公里以内（以先到者为准）。").format(
                    days=terms.days, km=f"{terms.km:,}"
                ),
                self,
            ),
        )
        self.ok_button.setText(self.tr("登记报修"))
        self.finish_layout()
        self.resize(560, 460)

    def _find_sale(self) -> None:
        # What was found for the earlier text does not stand for this one (see _sale_missing).
        self.sale_id = None
        self.sale_label.setText("")
        text = self.sale.text()
        if not text.strip():
            return

        def work(session: Session) -> uuid.UUID:
            return wt.find_sale(session, text)

        self.runner.read(work, self._sale_found, self._sale_missing)

    def _sale_found(self, sale_id: uuid.UUID) -> None:
        self.sale_id = sale_id
        self.error.hide()
        self.sale_label.setText(self.tr("已找到已售车辆的买卖合同。"))

    def _sale_missing(self, exc: BaseException) -> None:
        self.sale_id = None
        self.sale_label.setText("")
        self.show_error(exc)

    def _pick_photos(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, self.tr("选择照片"), "", self.tr("照片 (*.jpg *.jpeg *.png)")
        )
        if paths:  # read in a worker: photos may sit on a slow share
            self.runner.call(
                lambda: [Path(p).read_bytes() for p in paths], self.add_photos, self.show_error
            )

    def add_photos(self, photos: list[bytes]) -> None:
        self.photos.extend(photos)
        self.photo_label.setText(self.tr("已添加 {n} 张").format(n=len(self.photos)))

    def submit(self) -> None:
        if self.sale_id is None:
            self.show_message(self.tr("请先输入合同编号、库存编号或车牌号找到已售车辆。"))
            return
        data = wt.ClaimInput(
            self.sale_id,
            self.part.currentData(),
            self.symptom.toPlainText(),
            self.mileage.text(),
            tuple(self.photos),
        )
        user, code, terms = self.user, self.user.store_code, warranty_terms(self.context)
        self.run_write(
            lambda s: wt.open_claim(s, user, data, terms=terms, store_code=code, zone=STORE_ZONE)
        )


class DecisionDialog(ServiceDialog):
    """诊断与结论: what was found, covered or not and why, the costs."""

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        row: wt.ClaimRow,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("保修诊断与结论"), context, runner, user, parent)
        self.claim_id = row.id
        head = QLabel(
            f"{row.claim_no} · {row.stock_no} {row.vehicle_label} · "
            f"{warranty_text(row.part_label)}",
            self,
        )
        within = QLabel(
            self.tr("报修时在保修期内")
            if row.within_terms
            else self.tr("报修时已超出保修期限或里程"),
            self,
        )
        if not row.within_terms:
            within.setStyleSheet("color:#c5221f;")
        self.diagnosis = QPlainTextEdit(self)
        self.diagnosis.setMinimumHeight(70)
        self.covered = QRadioButton(self.tr("保修（免费维修）"), self)
        self.not_covered = QRadioButton(self.tr("不予保修"), self)
        (self.covered if row.within_terms else self.not_covered).setChecked(True)
        self.covered.setEnabled(row.within_terms)
        choice = QHBoxLayout()
        choice.addWidget(self.covered)
        choice.addWidget(self.not_covered)
        choice.addStretch(1)
        self.reason = QPlainTextEdit(self)
        self.reason.setPlaceholderText(self.tr("保修或不予保修的理由（打印在索赔单上）"))
        self.reason.setMaximumHeight(70)
        self.cost = QLineEdit("0", self)
        self.customer_cost = QLineEdit("0", self)
        self.form.addRow(self.tr("索赔单"), head)
        self.form.addRow("", within)
        self.form.addRow(self.tr("检查诊断"), self.diagnosis)
        self.form.addRow(self.tr("结论"), choice)
        self.form.addRow(self.tr("理由"), self.reason)
        self.form.addRow(self.tr("门店承担（元）"), self.cost)
        self.form.addRow(self.tr("客户承担（元）"), self.customer_cost)
        self.ok_button.setText(self.tr("保存结论并打印索赔单"))
        self.finish_layout()
        self.resize(560, 460)

    def submit(self) -> None:
        claim_id, user = self.claim_id, self.user
        diagnosis, reason = self.diagnosis.toPlainText(), self.reason.toPlainText()
        covered = self.covered.isChecked()
        cost, paid = self.cost.text(), self.customer_cost.text()
        self.run_write(
            lambda s: wt.decide(
                s,
                user,
                claim_id,
                diagnosis=diagnosis,
                covered=covered,
                reason=reason,
                cost=cost,
                customer_cost=paid,
            )
        )
