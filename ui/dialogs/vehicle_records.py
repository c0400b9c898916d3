"""One entry of a car's file: a maintenance record or an accident/flood/fire statement.

Each form takes the facts and, optionally, a file (a photo or PDF of the invoice, the
insurance record, the repair bill). The file is only chosen here; the archive prepares
it in a worker (Pillow/PDF check) before the quick write, so a large scan never stalls
the window. Dates are typed as on the paper (``2024-03-01`` or ``2024-03``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.enums import HistoryKind
from showroom.errors import ValidationError
from showroom.services.vehicle_archive import History, Maintenance
from showroom.services.vehicle_intake import parse_day, parse_km
from ui.errors import report_failure
from ui.widgets.vehicle_labels import HISTORY_KINDS, vlabel

ChooseFile = Callable[[QWidget], Path | None]


def ask_file(parent: QWidget) -> Path | None:
    """A photo or PDF of a paper (replaced in tests)."""
    name, _ = QFileDialog.getOpenFileName(
        parent,
        QCoreApplication.translate("VehicleRecords", "选择单据或凭证"),
        "",
        QCoreApplication.translate(
            "VehicleRecords", "照片或 PDF (*.jpg *.jpeg *.png *.webp *.pdf)"
        ),
    )
    return Path(name) if name else None


@dataclass(frozen=True)
class RecordInput:
    """What the form holds: the facts, a new file to prepare, or the old one dropped."""

    kind: HistoryKind | None
    day: date | None
    mileage_km: int | None
    where: str
    description: str
    structural: bool
    file: Path | None
    drop_file: bool


class _RecordDialog(QDialog):
    """Shared layout: fields, the file row, the error line and the buttons."""

    def __init__(
        self, title: str, has_file: bool, choose: ChooseFile | None, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self._choose = choose or ask_file
        self.chosen: Path | None = None
        self.value: RecordInput | None = None
        self.form = QFormLayout()
        self.file_label = QLabel(
            QCoreApplication.translate("VehicleRecords", "已有凭证")
            if has_file
            else QCoreApplication.translate("VehicleRecords", "未附文件"),
            self,
        )
        self.file_label.setObjectName("Muted")
        self.file_button = QPushButton(
            QCoreApplication.translate("VehicleRecords", "选择文件…"), self
        )
        self.file_button.clicked.connect(self._pick)
        self.drop_file = QCheckBox(
            QCoreApplication.translate("VehicleRecords", "移除已附的文件"), self
        )
        self.drop_file.setVisible(has_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_label, 1)
        file_row.addWidget(self.drop_file)
        file_row.addWidget(self.file_button)
        self.file_row = file_row
        self.error = QLabel("", self)
        self.error.setObjectName("ErrorText")
        self.error.setWordWrap(True)
        self.error.hide()
        cancel = QPushButton(QCoreApplication.translate("VehicleRecords", "取消"), self)
        cancel.clicked.connect(self.reject)
        self.ok = QPushButton(QCoreApplication.translate("VehicleRecords", "保存"), self)
        self.ok.setProperty("role", "primary")
        self.ok.setDefault(True)
        self.ok.clicked.connect(self.submit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    def _pick(self) -> None:
        path = self._choose(self)
        if path is not None:
            self.chosen = path
            self.file_label.setText(path.name)
            self.drop_file.setChecked(False)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def read(self) -> RecordInput:
        raise NotImplementedError

    def submit(self) -> None:
        try:
            self.value = self.read()
        except ValidationError as exc:
            self.show_error(report_failure(exc))
            return
        self.accept()


class HistoryDialog(_RecordDialog):
    """事故/泡水/火烧 statement. ``value`` holds the input after 保存."""

    def __init__(
        self,
        entry: History | None = None,
        parent: QWidget | None = None,
        *,
        choose_file: ChooseFile | None = None,
    ) -> None:
        super().__init__(
            self.tr("修改记录") if entry else self.tr("添加事故/泡水/火烧记录"),
            bool(entry and entry.has_evidence),
            choose_file,
            parent,
        )
        self.kind = QComboBox(self)
        for kind in HistoryKind:
            self.kind.addItem(vlabel(HISTORY_KINDS, kind), kind.value)
        self.day = QLineEdit(self)
        self.day.setPlaceholderText(self.tr("如 2024-03-01 或 2024-03；不详留空"))
        self.structural = QCheckBox(self.tr("涉及结构件（纵梁、A/B/C 柱、防火墙等）"), self)
        self.description = QPlainTextEdit(self)
        self.description.setPlaceholderText(self.tr("如：右后门刮擦，钣金喷漆；出险金额 2,300 元"))
        self.description.setFixedHeight(90)
        self.form.addRow(self.tr("类型"), self.kind)
        self.form.addRow(self.tr("发生日期"), self.day)
        self.form.addRow("", self.structural)
        self.form.addRow(self.tr("情况说明"), self.description)
        self.form.addRow(self.tr("凭证"), self.file_row)
        if entry is not None:
            self.kind.setCurrentIndex(self.kind.findData(entry.kind.value))
            self.day.setText(entry.occurred_on.isoformat() if entry.occurred_on else "")
            self.structural.setChecked(entry.structural)
            self.description.setPlainText(entry.description)

    def read(self) -> RecordInput:
        return RecordInput(
            kind=HistoryKind(self.kind.currentData()),
            day=parse_day(self.day.text(), self.tr("发生日期")),
            mileage_km=None,
            where="",
            description=self.description.toPlainText(),
            structural=self.structural.isChecked(),
            file=self.chosen,
            drop_file=self.drop_file.isChecked(),
        )


class MaintenanceDialog(_RecordDialog):
    """保养/维修 record. ``value`` holds the input after 保存."""

    def __init__(
        self,
        entry: Maintenance | None = None,
        parent: QWidget | None = None,
        *,
        choose_file: ChooseFile | None = None,
    ) -> None:
        super().__init__(
            self.tr("修改保养记录") if entry else self.tr("添加保养记录"),
            bool(entry and entry.has_document),
            choose_file,
            parent,
        )
        self.day = QLineEdit(self)
        self.day.setPlaceholderText(self.tr("如 2024-03-01"))
        self.mileage = QLineEdit(self)
        self.mileage.setPlaceholderText(self.tr("公里，如 20000；不详留空"))
        self.shop = QLineEdit(self)
        self.shop.setMaxLength(100)
        self.shop.setPlaceholderText(self.tr("如 丰田授权4S店"))
        self.description = QPlainTextEdit(self)
        self.description.setPlaceholderText(self.tr("如：常规保养，更换机油、机油滤芯"))
        self.description.setFixedHeight(80)
        self.form.addRow(self.tr("日期"), self.day)
        self.form.addRow(self.tr("里程"), self.mileage)
        self.form.addRow(self.tr("地点"), self.shop)
        self.form.addRow(self.tr("内容"), self.description)
        self.form.addRow(self.tr("单据照片"), self.file_row)
        if entry is not None:
            self.day.setText(entry.performed_on.isoformat())
            self.mileage.setText("" if entry.mileage_km is None else str(entry.mileage_km))
            self.shop.setText(entry.shop)
            self.description.setPlainText(entry.description)

    def read(self) -> RecordInput:
        day = parse_day(self.day.text(), self.tr("保养日期"))
        if day is None:
            raise ValidationError("maintenance.date_missing", self.tr("请填写保养日期"))
        return RecordInput(
            kind=None,
            day=day,
            mileage_km=parse_km(self.mileage.text(), self.tr("里程")),
            where=self.shop.text(),
            description=self.description.toPlainText(),
            structural=False,
            file=self.chosen,
            drop_file=self.drop_file.isChecked(),
        )
