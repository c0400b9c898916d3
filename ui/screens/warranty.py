"""保修索赔: the store's warranty claims, or one car's or one customer's.

Open a claim against a sold car, record the diagnosis and decision (appraiser or
manager), print the claim form once decided (archived as printed; later prints
are marked copies).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from db.enums import Role
from db.models import DocumentKind
from showroom.context import AppContext
from showroom.money import format_yuan
from showroom.services import warranty as wt
from showroom.users import StaffUser
from ui.dialogs.service import STORE_ZONE, templates_dir
from ui.dialogs.warranty_claim import ClaimDialog, DecisionDialog, warranty_terms, warranty_text
from ui.documents import printing
from ui.documents.fonts import derive_print_fonts, register_print_fonts
from ui.errors import report_failure
from ui.screens.base import Screen
from ui.tasks import TaskRunner
from ui.widgets.tables import RowListModel, make_table, set_column_widths

if TYPE_CHECKING:
    pass

Index = QModelIndex | QPersistentModelIndex
OUTSIDE = QColor("#b06000")


class ClaimModel(RowListModel):
    """Claims, newest first; those outside the warranty in amber. No extra signals."""

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("索赔单号"),
            self.tr("报修时间"),
            self.tr("车辆"),
            self.tr("客户"),
            self.tr("部件"),
            self.tr("故障现象"),
            self.tr("保修期内"),
            self.tr("结论"),
            self.tr("门店/客户承担"),
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row: wt.ClaimRow | None = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == Qt.ItemDataRole.ForegroundRole and not row.within_terms:
            return OUTSIDE
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            row.claim_no,
            f"{row.reported_at.astimezone(STORE_ZONE):%Y-%m-%d %H:%M}",
            f"{row.stock_no} {row.vehicle_label}",
            row.customer_name,
            warranty_text(row.part_label),
            row.symptom.replace("\n", " ")[:50],
            self.tr("是") if row.within_terms else self.tr("否"),
            warranty_text(row.decision_label),
            f"{format_yuan(row.cost)} / {format_yuan(row.customer_cost)}",
        )[index.column()]


class WarrantyScreen(Screen):
    """Warranty claims. Emits no signals of its own."""

    topics: ClassVar[frozenset[str]] = frozenset({"warranty_claims"})

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, runner, user, parent)
        title = QLabel(self.tr("保修索赔"), self)
        title.setObjectName("ScreenTitle")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(self.tr("按车辆（库存编号/车牌）或客户手机号查看"))
        self.filter.setMinimumWidth(300)
        self.filter.returnPressed.connect(self.refresh)
        top.addWidget(self.filter)
        self.new_button = QPushButton(self.tr("保修报修"), self)
        self.new_button.clicked.connect(self.open_claim)
        top.addWidget(self.new_button)
        self.body.addLayout(top)
        self.model = ClaimModel(self)
        self.table = make_table(self)
        self.table.setModel(self.model)
        set_column_widths(
            self.table, {0: 150, 1: 120, 2: 280, 3: 70, 4: 60, 6: 70, 7: 120, 8: 160}, stretch=5
        )
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.body.addWidget(self.table, 1)
        actions = QHBoxLayout()
        self.decide_button = QPushButton(self.tr("诊断与结论"), self)
        self.decide_button.clicked.connect(self.decide)
        self.print_button = QPushButton(self.tr("打印索赔单"), self)
        self.print_button.clicked.connect(self.print_form)
        actions.addWidget(self.decide_button)
        actions.addWidget(self.print_button)
        actions.addStretch(1)
        self.body.addLayout(actions)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.body.addWidget(self.message)
        cache = context.paths.cache_dir
        runner.call(lambda: derive_print_fonts(cache), register_print_fonts, self._failed)
        self._update_actions()
        self.refresh()

    def refresh(self) -> None:
        store, text = self.user.store_id, self.filter.text()
        self.runner.read(lambda s: wt.search(s, store, text), self._loaded, self._failed)

    def _loaded(self, rows: list[wt.ClaimRow]) -> None:
        self.model.set_rows(rows)
        self._update_actions()

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(report_failure(exc))
        self.message.setStyleSheet("color:#c5221f;")

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("")

    def selected(self) -> wt.ClaimRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_actions(self) -> None:
        row = self.selected()
        may_decide = self.user.has_any(Role.MANAGER, Role.APPRAISER)
        self.decide_button.setEnabled(row is not None and row.decision == "pending" and may_decide)
        self.print_button.setEnabled(row is not None and row.decision != "pending")

    def _changed(self, *_: object) -> None:
        self.context.bus.publish({"warranty_claims"})
        self.refresh()

    def open_claim(self) -> None:
        dialog = ClaimDialog(self.context, self.runner, self.user, self)
        dialog.succeeded.connect(self._opened)
        dialog.open()

    def _opened(self, opened: wt.OpenedClaim) -> None:
        text = self.tr("已登记报修 {no}（交车后第 {days} 天，行驶 {km} 公里）").format(
            no=opened.claim_no, days=opened.days_since_delivery, km=f"{opened.km_since_sale:,}"
        )
        if not opened.within_terms:
            text += self.tr("，已超出保修期限或里程")
        self._say(text + self.tr("。请评估师检查后填写结论。"))
        self._changed()

    def decide(self) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = DecisionDialog(self.context, self.runner, self.user, row, self)
        dialog.succeeded.connect(lambda _r: self._decided(row.id, row.claim_no))
        dialog.open()

    def _decided(self, claim_id: Any, claim_no: str) -> None:
        self._say(self.tr("结论已保存，正在生成索赔单。"))
        self._changed()
        self._print(claim_id, claim_no)

    def print_form(self) -> None:
        row = self.selected()
        if row is not None:
            self._print(row.id, row.claim_no)

    def _print(self, claim_id: Any, claim_no: str) -> None:
        """The first print is archived as the original; later ones are marked copies."""
        folder, terms, actor = (
            templates_dir(self.context),
            warranty_terms(self.context),
            self.user.actor,
        )
        printing.print_original_or_copy(
            self.runner,
            actor,
            DocumentKind.CONTRACT,
            claim_no,
            lambda s: wt.prepare_form(
                s, claim_id, terms=terms, templates_dir=folder, zone=STORE_ZONE
            ),
            lambda s, document, pdf: wt.archive_form(s, actor, claim_id, document, pdf),
            lambda document: printing.preview(document, self),
            lambda copy: printing.preview(copy, self),
            self._failed,
            self.context.paths.cache_dir,
        )
