"""车辆档案 for staff: photos, facts, history, price and the actions on one car.

Opened from the inventory (double-click or 查看档案, or straight after 收车入库).
Everything is loaded with one background read, with what the signed-in person may
change (``vehicle_permissions``): prices for the manager or a granted role, facts,
photos, history and the report for the stock staff; controls they may not use are
off. Photos are decoded off the UI thread by ``PhotoLoader``; imports, evidence and
the report are prepared in a worker before a quick write. Photos are filed by
category (外观 … 证件) and dragged into order; several can be re-filed at once.
Edits go through ``showroom.services.vehicle_archive`` with the row version the
user saw, so a change made meanwhile on another PC is refused with a sentence, not
overwritten. The dialog follows the change bus: when this car changes, it reloads.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.enums import Acquisition, PhotoCategory, VehicleStatus
from showroom.context import AppContext
from showroom.documents.qr import qr_png
from showroom.errors import ConflictError, ValidationError
from showroom.money import format_yuan
from showroom.services import stores, vehicle_intake
from showroom.services import vehicle_archive as archive_service
from showroom.services.vehicle_archive import (
    HistoryForm,
    MaintenanceForm,
    PriceSheet,
    VehicleArchive,
    VehicleEdit,
)
from showroom.services.vehicles import VehiclePermissions, vehicle_permissions
from showroom.sync.conflicts import FieldVersions, field_versions, own_changes
from showroom.users import StaffUser
from showroom.vehicle_links import PUBLIC, CarLink, CarLinks
from ui.errors import report_failure
from ui.style import PALETTE
from ui.tasks import TaskRunner
from ui.widgets.car_link import car_link_text, set_warning
from ui.widgets.changes import ChangeRelay
from ui.widgets.labels import vehicle_status_label
from ui.widgets.photos import PhotoLoader, PhotoStrip, PhotoStripModel, PhotoViewer
from ui.widgets.price_lines import PriceEditor
from ui.widgets.vehicle_labels import (
    ACQUISITIONS,
    ENERGIES,
    GRADES,
    HISTORY_KINDS,
    PHOTO_CATEGORIES,
    PROMISES,
    TRANSMISSIONS,
    vlabel,
    vword,
)

DbSession = Any


def open_file(path: Path) -> bool:
    """Open a file with the system's viewer (replaced in tests)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def basic_facts(car: VehicleArchive) -> list[tuple[str, str]]:
    """Label/value pairs of the basic data, shared by the staff and kiosk archives."""
    engine = (
        QCoreApplication.translate("VehicleArchive", "{litres} L").format(litres=car.displacement_l)
        if car.displacement_l is not None
        else QCoreApplication.translate("VehicleArchive", "续航 {km} 公里").format(
            km=car.ev_range_km
        )
        if car.ev_range_km
        else "—"
    )
    facts = [
        (QCoreApplication.translate("VehicleArchive", "年款"), str(car.year)),
        (
            QCoreApplication.translate("VehicleArchive", "初次登记"),
            car.first_registration.strftime("%Y-%m")
            if car.first_registration
            else QCoreApplication.translate("VehicleArchive", "未上牌"),
        ),
        (
            QCoreApplication.translate("VehicleArchive", "表显里程"),
            QCoreApplication.translate("VehicleArchive", "{km} 公里").format(
                km=f"{car.mileage_km:,}"
            ),
        ),
        (QCoreApplication.translate("VehicleArchive", "排量/续航"), engine),
        (QCoreApplication.translate("VehicleArchive", "能源"), vlabel(ENERGIES, car.energy)),
        (
            QCoreApplication.translate("VehicleArchive", "变速箱"),
            vlabel(TRANSMISSIONS, car.transmission),
        ),
        (
            QCoreApplication.translate("VehicleArchive", "排放标准"),
            vword(car.emission_standard) or "—",
        ),
        (QCoreApplication.translate("VehicleArchive", "车身颜色"), vword(car.colour) or "—"),
        (QCoreApplication.translate("VehicleArchive", "车身形式"), vword(car.body_type) or "—"),
        (
            QCoreApplication.translate("VehicleArchive", "座位数"),
            str(car.seats) if car.seats else "—",
        ),
        (
            QCoreApplication.translate("VehicleArchive", "过户次数"),
            QCoreApplication.translate("VehicleArchive", "{n} 次").format(n=car.transfers),
        ),
        (QCoreApplication.translate("VehicleArchive", "驱动方式"), vword(car.drive) or "—"),
        (
            QCoreApplication.translate("VehicleArchive", "年检到期"),
            f"{car.annual_inspection_due:%Y-%m}" if car.annual_inspection_due else "—",
        ),
        (
            QCoreApplication.translate("VehicleArchive", "保险到期"),
            f"{car.insurance_due:%Y-%m}" if car.insurance_due else "—",
        ),
    ]
    if car.power_hp:
        facts.append(
            (
                QCoreApplication.translate("VehicleArchive", "最大马力"),
                QCoreApplication.translate("VehicleArchive", "{hp} 马力").format(hp=car.power_hp),
            )
        )
    if car.new_price:
        facts.append(
            (QCoreApplication.translate("VehicleArchive", "新车指导价"), format_yuan(car.new_price))
        )
    return facts


class VehicleEditDialog(QDialog):
    """Edit the facts staff may change; validation errors show here and keep what was typed.

    The price field is open only with ``may_price`` (manager or a granted role); without
    it the edit never carries a price.
    """

    def __init__(
        self, car: VehicleArchive, parent: QWidget | None = None, *, may_price: bool = True
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("编辑车辆资料 {stock}").format(stock=car.stock_no))
        self.car = car
        self.may_price = may_price
        form = QFormLayout()
        self.price = QLineEdit("" if car.price_pending else str(car.list_price), self)
        self.price.setEnabled(may_price)
        if not may_price:
            self.price.setToolTip(self.tr("只有店长（或门店授权的岗位）可以修改售价"))
        self.mileage = QSpinBox(self)
        self.mileage.setRange(0, 2_000_000)
        self.mileage.setGroupSeparatorShown(True)
        self.mileage.setSuffix(self.tr(" 公里"))
        self.mileage.setValue(car.mileage_km)
        self.colour = QLineEdit(car.colour, self)
        self.body_type = QLineEdit(car.body_type, self)
        self.emission = QLineEdit(car.emission_standard, self)
        self.transfers = QSpinBox(self)
        self.transfers.setRange(0, 50)
        self.transfers.setValue(car.transfers)
        self.seats = QSpinBox(self)
        self.seats.setRange(0, 60)
        self.seats.setSpecialValueText(self.tr("未填"))
        self.seats.setValue(car.seats or 0)
        self.plate = QLineEdit(car.plate or "", self)
        self.new_price = QLineEdit("" if car.new_price is None else str(car.new_price), self)
        self.inspection_due = QLineEdit(
            car.annual_inspection_due.isoformat() if car.annual_inspection_due else "", self
        )
        self.inspection_due.setPlaceholderText(self.tr("如 2027-05-31"))
        self.insurance_due = QLineEdit(
            car.insurance_due.isoformat() if car.insurance_due else "", self
        )
        self.insurance_due.setPlaceholderText(self.tr("如 2027-04-30"))
        self.acquisition = QComboBox(self)
        self.acquisition.addItem(self.tr("未登记"), "")
        for source in Acquisition:
            self.acquisition.addItem(vlabel(ACQUISITIONS, source), source.value)
        if car.acquisition is not None:
            self.acquisition.setCurrentIndex(self.acquisition.findData(car.acquisition.value))
        # As long as the columns allow (the service says why if still wrong); the plate may
        # be typed with a dot or spaces, which are dropped when saved.
        self.price.setMaxLength(16)
        self.new_price.setMaxLength(16)
        for field in (self.colour, self.body_type, self.emission):
            field.setMaxLength(20)
        self.plate.setMaxLength(12)
        self.configuration = QPlainTextEdit("\n".join(car.configuration), self)
        self.configuration.setPlaceholderText(self.tr("每行一项配置"))
        self.description = QPlainTextEdit(car.description, self)
        form.addRow(self.tr("售价（元）"), self.price)
        form.addRow(self.tr("表显里程"), self.mileage)
        form.addRow(self.tr("车身颜色"), self.colour)
        form.addRow(self.tr("车身形式"), self.body_type)
        form.addRow(self.tr("排放标准"), self.emission)
        form.addRow(self.tr("座位数"), self.seats)
        form.addRow(self.tr("过户次数"), self.transfers)
        form.addRow(self.tr("车牌号"), self.plate)
        form.addRow(self.tr("新车指导价（元）"), self.new_price)
        form.addRow(self.tr("年检到期"), self.inspection_due)
        form.addRow(self.tr("保险到期"), self.insurance_due)
        form.addRow(self.tr("收车来源"), self.acquisition)
        form.addRow(self.tr("配置"), self.configuration)
        form.addRow(self.tr("车况说明"), self.description)
        self.error = QLabel("", self)
        self.error.setObjectName("ErrorText")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("保存"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(560, 760)
        self.edit: VehicleEdit | None = None

    def fill(self, edit: VehicleEdit) -> None:
        """Put back what the user typed (after a save conflict): nothing typed is lost."""
        if edit.list_price is not None:
            self.price.setText(str(edit.list_price))
        if edit.mileage_km is not None:
            self.mileage.setValue(edit.mileage_km)
        for box, value in (
            (self.colour, edit.colour),
            (self.body_type, edit.body_type),
            (self.emission, edit.emission_standard),
            (self.plate, edit.plate),
        ):
            if value is not None:
                box.setText(value)
        if edit.transfers is not None:
            self.transfers.setValue(edit.transfers)
        if edit.seats is not None:
            self.seats.setValue(edit.seats)
        if edit.new_price is not None:
            self.new_price.setText(str(edit.new_price))
        if edit.annual_inspection_due is not None:
            self.inspection_due.setText(edit.annual_inspection_due.isoformat())
        if edit.insurance_due is not None:
            self.insurance_due.setText(edit.insurance_due.isoformat())
        if edit.acquisition is not None:
            self.acquisition.setCurrentIndex(self.acquisition.findData(edit.acquisition.value))
        if edit.configuration is not None:
            self.configuration.setPlainText("\n".join(edit.configuration))
        if edit.description is not None:
            self.description.setPlainText(edit.description)

    def _accept(self) -> None:
        try:
            # A car still 待定价 may have its facts saved with the price left empty.
            typed = self.price.text().strip()
            pending = self.car.price_pending and not typed
            price = archive_service.parse_price(typed) if self.may_price and not pending else None
            new_price = vehicle_intake.parse_money(self.new_price.text(), self.tr("新车指导价"))
            inspection_due = vehicle_intake.parse_day(
                self.inspection_due.text(), self.tr("年检到期")
            )
            insurance_due = vehicle_intake.parse_day(self.insurance_due.text(), self.tr("保险到期"))
        except ValidationError as exc:
            self.error.setText(report_failure(exc))
            return
        source = self.acquisition.currentData()
        self.edit = VehicleEdit(
            list_price=price,
            mileage_km=self.mileage.value(),
            colour=self.colour.text(),
            body_type=self.body_type.text(),
            emission_standard=self.emission.text(),
            transfers=self.transfers.value(),
            seats=self.seats.value() or None,
            plate=self.plate.text().strip().upper(),
            new_price=new_price,
            annual_inspection_due=inspection_due,
            insurance_due=insurance_due,
            acquisition=Acquisition(source) if source else None,
            description=self.description.toPlainText(),
            configuration=tuple(self.configuration.toPlainText().splitlines()),
        )
        self.accept()


# The edit form's fields, in its order, with their labels for the conflict dialog.
EDIT_FIELDS = {
    "list_price": QT_TRANSLATE_NOOP("VehicleConflictDialog", "售价（元）"),
    "mileage_km": QT_TRANSLATE_NOOP("VehicleConflictDialog", "表显里程"),
    "colour": QT_TRANSLATE_NOOP("VehicleConflictDialog", "车身颜色"),
    "body_type": QT_TRANSLATE_NOOP("VehicleConflictDialog", "车身形式"),
    "emission_standard": QT_TRANSLATE_NOOP("VehicleConflictDialog", "排放标准"),
    "seats": QT_TRANSLATE_NOOP("VehicleConflictDialog", "座位数"),
    "transfers": QT_TRANSLATE_NOOP("VehicleConflictDialog", "过户次数"),
    "plate": QT_TRANSLATE_NOOP("VehicleConflictDialog", "车牌号"),
    "new_price": QT_TRANSLATE_NOOP("VehicleConflictDialog", "新车指导价"),
    "annual_inspection_due": QT_TRANSLATE_NOOP("VehicleConflictDialog", "年检到期"),
    "insurance_due": QT_TRANSLATE_NOOP("VehicleConflictDialog", "保险到期"),
    "acquisition": QT_TRANSLATE_NOOP("VehicleConflictDialog", "收车来源"),
    "configuration": QT_TRANSLATE_NOOP("VehicleConflictDialog", "配置"),
    "description": QT_TRANSLATE_NOOP("VehicleConflictDialog", "车况说明"),
}


def edit_values(car: VehicleArchive) -> dict[str, Any]:
    """The car as the edit form shows it (to compare versions field by field)."""
    return {
        "list_price": car.list_price,
        "mileage_km": car.mileage_km,
        "colour": car.colour,
        "body_type": car.body_type,
        "emission_standard": car.emission_standard,
        "seats": car.seats,
        "transfers": car.transfers,
        "plate": car.plate,
        "new_price": car.new_price,
        "annual_inspection_due": car.annual_inspection_due,
        "insurance_due": car.insurance_due,
        "acquisition": car.acquisition,
        "configuration": tuple(car.configuration),
        "description": car.description,
    }


def typed_values(edit: VehicleEdit) -> dict[str, Any]:
    values = {name: getattr(edit, name) for name in EDIT_FIELDS}
    if edit.configuration is not None:  # blank lines are not items (as the service stores)
        values["configuration"] = tuple(i.strip() for i in edit.configuration if i.strip())
    if isinstance(edit.plate, str):
        values["plate"] = edit.plate.strip().upper()  # "" (cleared) is a change, None is not
    return values


def _shown(name: str, value: Any) -> str:
    if value in (None, "", ()):
        return "—"
    if name in ("list_price", "new_price"):
        return format_yuan(value)
    if name == "acquisition":
        return vlabel(ACQUISITIONS, value)
    if name == "mileage_km":
        return QCoreApplication.translate("VehicleConflictDialog", "{km} 公里").format(
            km=f"{value:,}"
        )
    if name == "configuration":
        return "、".join(value)
    return str(value)


class VehicleConflictDialog(QDialog):
    """Another PC saved this car while the user edited it: both versions side by side.

    ``choice`` after it closes: ``"reload"`` (take theirs, drop the typed edit),
    ``"overwrite"`` (save the typed changes on top of theirs), ``"edit"`` (back to
    the form with what was typed), or ``None`` (closed: nothing saved).
    """

    def __init__(
        self, theirs: VehicleArchive, versions: list[FieldVersions], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("保存冲突 — {stock}").format(stock=theirs.stock_no))
        self.choice: str | None = None
        intro = QLabel(
            self.tr(
                "你编辑期间，另一台电脑已经保存了这辆车的资料。你的修改还没有保存，"
                "下面是两个版本不同的地方："
            ),
            self,
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(len(versions), 3, self)
        self.table.setHorizontalHeaderLabels(
            [self.tr("项目"), self.tr("另一台电脑已保存"), self.tr("你填写的")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        for row, field in enumerate(versions):
            yours = _shown(field.name, field.yours)
            if not field.yours_changed:
                yours += self.tr("（你没有改这项，覆盖时保留对方的）")
            cells = (
                QCoreApplication.translate("VehicleConflictDialog", EDIT_FIELDS[field.name]),
                _shown(field.name, field.theirs),
                yours,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 2 and not field.yours_changed:
                    item.setForeground(QColor(PALETTE.text_muted))  # not the user's change
                self.table.setItem(row, column, item)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 110)
        self.table.setColumnWidth(1, 220)
        self.table.resizeRowsToContents()
        note = QLabel(
            self.tr(
                "“用我的填写覆盖”只保存你改过的项目，对方改的其他项目保留；"
                "“载入对方的版本”放弃你的修改；“继续编辑”带着你填写的内容回到编辑窗口。"
            ),
            self,
        )
        note.setWordWrap(True)
        note.setObjectName("HintText")
        buttons = QDialogButtonBox(self)
        self.reload_button = buttons.addButton(
            self.tr("载入对方的版本"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.overwrite_button = buttons.addButton(
            self.tr("用我的填写覆盖"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.edit_button = buttons.addButton(
            self.tr("继续编辑"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.reload_button.clicked.connect(lambda: self._choose("reload"))
        self.overwrite_button.clicked.connect(lambda: self._choose("overwrite"))
        self.edit_button.clicked.connect(lambda: self._choose("edit"))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(720, 500)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()


class _Progress(QObject):
    """Carries a photo import's progress from the worker thread to the window (queued)."""

    moved = Signal(int, int)


class VehicleArchiveDialog(QDialog):
    """One car's archive for staff.

    Signals: ``compareRequested(object)`` with the vehicle id when 加入对比 is pressed
    (the inventory's basket takes it).
    """

    compareRequested = Signal(object)  # noqa: N815 - Qt's signal naming

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        vehicle_id: uuid.UUID,
        parent: QWidget | None = None,
        *,
        choose_files: Callable[[QWidget], list[Path]] | None = None,
        choose_file: Callable[[QWidget], Path | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("VehicleArchive")
        self.setWindowTitle(self.tr("车辆档案"))
        self.context = context
        self.runner = runner
        self.user = user
        self.vehicle_id = vehicle_id
        self.car: VehicleArchive | None = None
        # Nothing that changes the car is offered until the stored role has answered.
        self.permissions = VehiclePermissions(prices=False, facts=False)
        # Open while a save conflict waits for the user's choice (tests look at it).
        self.conflict_dialog: VehicleConflictDialog | None = None
        self._choose_files = choose_files or self._ask_files
        self._choose_file = choose_file
        self._generation = 0
        self._progress = _Progress(self)
        self._progress.moved.connect(self._import_moved)

        self.loader = PhotoLoader(
            runner, lambda sha: lambda s: archive_service.media_bytes(s, sha), self
        )

        # --- header ----------------------------------------------------------------------
        self.title = QLabel(self.tr("正在加载…"), self)
        self.title.setObjectName("PageTitle")
        self.title.setStyleSheet("font-size: 22px; font-weight: 600;")
        self.subtitle = QLabel("", self)
        self.subtitle.setObjectName("Muted")
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.price = QLabel("", self)
        self.price.setStyleSheet("font-size: 26px; font-weight: 700; color: #C81E1E;")
        self.status_badge = QLabel("", self)
        self.status_badge.setStyleSheet(
            "padding: 4px 14px; border-radius: 12px; background: #E5E7EB; font-weight: 600;"
        )
        self.status_badge.setFixedHeight(30)
        head_text = QVBoxLayout()
        head_text.addWidget(self.title)
        head_text.addWidget(self.subtitle)
        header = QHBoxLayout()
        header.addLayout(head_text, 1)
        header.addWidget(self.status_badge, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addSpacing(16)
        header.addWidget(self.price)

        self.message = QLabel("", self)
        self.message.setObjectName("ErrorText")
        self.message.setWordWrap(True)
        self.message.hide()

        # --- photos (left) ---------------------------------------------------------------
        self.viewer = PhotoViewer(self.loader, self)
        self.viewer.setMinimumSize(520, 380)
        self.viewer.problem.connect(self._show_message)
        self.strip_model = PhotoStripModel(self.loader, self, reorderable=True)
        self.strip_model.reordered.connect(self.save_order)
        self.strip = PhotoStrip(
            self.strip_model, self.viewer, QSize(176, 176), 196, self, editable=True
        )
        self.strip.setToolTip(self.tr("拖动照片调整顺序；按住 Ctrl 或 Shift 可多选"))
        self.import_button = QPushButton(self.tr("导入照片…"), self)
        self.import_button.setToolTip(
            self.tr(
                "可一次选择多张；文件名含“内饰”“发动机”“证件”等时自动分类，其余归入右侧所选分类"
            )
        )
        self.import_button.clicked.connect(self.import_photos)
        self.category_combo = QComboBox(self)
        for category in PhotoCategory:
            self.category_combo.addItem(vlabel(PHOTO_CATEGORIES, category), category.value)
        self.refile_button = QPushButton(self.tr("改为此分类"), self)
        self.refile_button.setToolTip(
            self.tr("把选中的照片归入左侧所选分类（证件照片不对客户展示）")
        )
        self.refile_button.clicked.connect(self.refile_selected)
        self.left_button = QPushButton("◀", self)
        self.left_button.setToolTip(self.tr("前移（同一分类内）"))
        self.left_button.setFixedWidth(44)
        self.left_button.clicked.connect(lambda: self.move_current(-1))
        self.right_button = QPushButton("▶", self)
        self.right_button.setToolTip(self.tr("后移（同一分类内）"))
        self.right_button.setFixedWidth(44)
        self.right_button.clicked.connect(lambda: self.move_current(1))
        self.cover_button = QPushButton(self.tr("设为封面"), self)
        self.cover_button.clicked.connect(self.make_cover)
        self.remove_button = QPushButton(self.tr("删除照片"), self)
        self.remove_button.clicked.connect(self.remove_current)
        photo_bar = QHBoxLayout()
        photo_bar.addWidget(self.import_button)
        photo_bar.addSpacing(8)
        photo_bar.addWidget(QLabel(self.tr("分类"), self))
        photo_bar.addWidget(self.category_combo)
        photo_bar.addWidget(self.refile_button)
        photo_bar.addSpacing(8)
        for button in (self.left_button, self.right_button, self.cover_button, self.remove_button):
            photo_bar.addWidget(button)
        photo_bar.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.viewer, 1)
        left.addWidget(self.strip)
        left.addLayout(photo_bar)

        # --- facts (right) ---------------------------------------------------------------
        self.tabs = QTabWidget(self)
        self.facts = QWidget(self)
        self.facts_grid = QGridLayout(self.facts)
        self.facts_grid.setHorizontalSpacing(18)
        self.facts_grid.setVerticalSpacing(8)
        facts_scroll = QScrollArea(self)
        facts_scroll.setWidget(self.facts)
        facts_scroll.setWidgetResizable(True)
        facts_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.tabs.addTab(facts_scroll, self.tr("基本信息"))
        self.configuration = QListWidget(self)
        self.tabs.addTab(self.configuration, self.tr("配置"))
        self.maintenance = QListWidget(self)
        self.maintenance.setWordWrap(True)
        self.maintenance.setStyleSheet("QListWidget::item { padding: 6px 4px; }")
        self.maintenance.itemDoubleClicked.connect(lambda _item: self.edit_maintenance())
        self.add_maintenance_button = QPushButton(self.tr("添加…"), self)
        self.add_maintenance_button.clicked.connect(lambda: self.edit_maintenance(new=True))
        self.edit_maintenance_button = QPushButton(self.tr("修改…"), self)
        self.edit_maintenance_button.clicked.connect(lambda: self.edit_maintenance())
        self.remove_maintenance_button = QPushButton(self.tr("删除"), self)
        self.remove_maintenance_button.clicked.connect(self.remove_maintenance)
        self.maintenance_file_button = QPushButton(self.tr("查看单据"), self)
        self.maintenance_file_button.clicked.connect(
            lambda: self._open_entry_file(self.maintenance)
        )
        self.tabs.addTab(
            self._list_tab(
                self.maintenance,
                self.add_maintenance_button,
                self.edit_maintenance_button,
                self.remove_maintenance_button,
                self.maintenance_file_button,
            ),
            self.tr("保养记录"),
        )
        self.history = QListWidget(self)
        self.history.setWordWrap(True)
        self.history.setStyleSheet("QListWidget::item { padding: 6px 4px; }")
        self.history.itemDoubleClicked.connect(lambda _item: self.edit_history())
        self.add_history_button = QPushButton(self.tr("添加…"), self)
        self.add_history_button.clicked.connect(lambda: self.edit_history(new=True))
        self.edit_history_button = QPushButton(self.tr("修改…"), self)
        self.edit_history_button.clicked.connect(lambda: self.edit_history())
        self.remove_history_button = QPushButton(self.tr("删除"), self)
        self.remove_history_button.clicked.connect(self.remove_history)
        self.history_file_button = QPushButton(self.tr("查看凭证"), self)
        self.history_file_button.clicked.connect(lambda: self._open_entry_file(self.history))
        self.tabs.addTab(
            self._list_tab(
                self.history,
                self.add_history_button,
                self.edit_history_button,
                self.remove_history_button,
                self.history_file_button,
            ),
            self.tr("事故/泡水/火烧"),
        )
        self.price_editor = PriceEditor(self)
        self.price_editor.saveRequested.connect(self.save_prices)
        self.tabs.addTab(self.price_editor, self.tr("价格构成"))

        self.inspection = QLabel("", self)
        self.inspection.setWordWrap(True)
        self.report_label = QLabel("", self)
        self.report_label.setWordWrap(True)
        self.report_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.report_button = QPushButton(self.tr("查看报告"), self)
        self.report_button.clicked.connect(self.open_report)
        self.attach_report_button = QPushButton(self.tr("附加报告…"), self)
        self.attach_report_button.setToolTip(
            self.tr("附加第三方检测报告（PDF），客户可在自助机上查看")
        )
        self.attach_report_button.clicked.connect(self.attach_report)
        self.remove_report_button = QPushButton(self.tr("移除报告"), self)
        self.remove_report_button.clicked.connect(self.remove_report)
        report_row = QHBoxLayout()
        for button in (self.report_button, self.attach_report_button, self.remove_report_button):
            report_row.addWidget(button)
        report_row.addStretch(1)
        self.promises = QLabel("", self)
        self.promises.setWordWrap(True)
        self.promises.setStyleSheet("color: #047857; font-weight: 600;")
        self.qr = QLabel(self)
        self.qr.setFixedSize(132, 132)
        self.qr.setScaledContents(True)
        self.qr.setToolTip(self.tr("扫码在手机上查看这辆车"))
        self.qr_caption = QLabel(self.tr("扫码看车"), self)
        self.qr_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        qr_box = QVBoxLayout()
        qr_box.addWidget(self.qr)
        qr_box.addWidget(self.qr_caption)
        # Says when the QR opens only on the store's Wi-Fi, or nothing at all, and the fix.
        self.qr_warning = QLabel("", self)
        self.qr_warning.setWordWrap(True)
        set_warning(self.qr_warning, True)
        self.qr_warning.hide()
        self._car_links = CarLinks.for_data_dir(context.settings, context.paths.data_dir)
        trust = QVBoxLayout()
        trust.addWidget(self.inspection)
        trust.addWidget(self.report_label)
        trust.addLayout(report_row)
        trust.addWidget(self.promises)
        trust.addWidget(self.qr_warning)
        trust.addStretch(1)
        trust_row = QHBoxLayout()
        trust_row.addLayout(trust, 1)
        trust_row.addLayout(qr_box)
        right = QVBoxLayout()
        right.addWidget(self.tabs, 1)
        right.addLayout(trust_row)

        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(right, 2)

        # --- actions ---------------------------------------------------------------------
        self.status_combo = QComboBox(self)
        for status in VehicleStatus:
            self.status_combo.addItem(vehicle_status_label(status), status.value)
        self.status_button = QPushButton(self.tr("修改状态"), self)
        self.status_button.clicked.connect(self.apply_status)
        self.edit_button = QPushButton(self.tr("编辑资料…"), self)
        self.edit_button.clicked.connect(self.edit)
        self.compare_button = QPushButton(self.tr("加入对比"), self)
        self.compare_button.clicked.connect(lambda: self.compareRequested.emit(self.vehicle_id))
        self.loan_button = QPushButton(self.tr("金融计算器"), self)
        self.loan_button.clicked.connect(self.open_loan)
        self.sheet_button = QPushButton(self.tr("打印车辆信息单"), self)
        self.sheet_button.clicked.connect(self.open_sheet)
        close = QPushButton(self.tr("关闭"), self)
        close.clicked.connect(self.accept)
        actions = QHBoxLayout()
        actions.addWidget(QLabel(self.tr("状态"), self))
        actions.addWidget(self.status_combo)
        actions.addWidget(self.status_button)
        actions.addSpacing(16)
        for button in (self.edit_button, self.compare_button, self.loan_button, self.sheet_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(close)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addLayout(header)
        layout.addWidget(self.message)
        layout.addLayout(body, 1)
        layout.addLayout(actions)
        self.resize(1280, 820)
        self._set_enabled(False)

        self._relay = ChangeRelay(context.bus, self)
        self._relay.changed.connect(self._on_changed)
        self.reload()

    def _list_tab(self, items: QListWidget, *buttons: QPushButton) -> QWidget:
        tab = QWidget(self)
        box = QVBoxLayout(tab)
        box.setContentsMargins(0, 4, 0, 0)
        box.addWidget(items, 1)
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        box.addLayout(row)
        return tab

    # --- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        self._generation += 1
        generation, vehicle_id, actor = self._generation, self.vehicle_id, self.user.actor

        def work(session: DbSession) -> tuple[int, VehicleArchive, VehiclePermissions]:
            return (
                generation,
                archive_service.vehicle_archive(session, vehicle_id),
                vehicle_permissions(session, actor),
            )

        self.runner.read(work, self._loaded, self._load_failed)

    def _on_changed(self, topics: frozenset[str]) -> None:
        if f"vehicle:{self.vehicle_id}" in topics or "vehicles" in topics:
            self.reload()

    def _loaded(self, result: tuple[int, VehicleArchive, VehiclePermissions]) -> None:
        generation, car, permissions = result
        if generation != self._generation:
            return
        keep = self.viewer.index
        self.car = car
        self.permissions = permissions
        self.setWindowTitle(self.tr("车辆档案 — {title}").format(title=car.title))
        self.title.setText(car.title)
        source = (
            " · " + self.tr("来源 {source}").format(source=vlabel(ACQUISITIONS, car.acquisition))
            if car.acquisition
            else ""
        )
        self.subtitle.setText(
            self.tr("库存号 {stock} · 车架号 {vin} · 车牌 {plate}").format(
                stock=car.stock_no, vin=car.vin or "—", plate=car.plate or "—"
            )
            + source
        )
        self.price.setText(self.tr("待定价") if car.price_pending else format_yuan(car.list_price))
        self.status_badge.setText(vehicle_status_label(car.status))
        self.status_combo.setCurrentIndex(self.status_combo.findData(car.status.value))
        self.viewer.set_photos(car.photos, keep)
        self.strip_model.set_photos(car.photos)
        self._fill_facts(car)
        self.configuration.clear()
        self.configuration.addItems(list(car.configuration) or [self.tr("未登记配置")])
        self._fill_maintenance(car)
        self._fill_history(car)
        self.price_editor.set_car(car, editable=permissions.prices)
        if car.inspection is not None:
            score = (
                self.tr("，{score} 分").format(score=car.inspection.score)
                if car.inspection.score is not None
                else ""
            )
            self.inspection.setText(
                self.tr("本店检测：{grade}{score}（报告 {no}）").format(
                    grade=vlabel(GRADES, car.inspection.grade),
                    score=score,
                    no=car.inspection.report_no,
                )
            )
        else:
            self.inspection.setText(self.tr("本店检测：暂无"))
        if car.report_sha:
            self.report_label.setText(
                self.tr("第三方检测报告：{name}（{pages} 页）· SHA-256 {sha}").format(
                    name=car.report_name or "report.pdf",
                    pages=len(car.report_pages),
                    sha=f"{car.report_sha[:12]}…{car.report_sha[-8:]}",
                )
            )
            self.report_label.setToolTip(car.report_sha)  # the whole fingerprint
        else:
            self.report_label.setText(self.tr("第三方检测报告：暂无"))
            self.report_label.setToolTip("")
        self.promises.setText(
            "  ✓ ".join([""] + [vlabel(PROMISES, p) for p in car.promises]).strip()
        )
        self._make_qr(car.stock_no)
        self._set_enabled(True)

    def _fill_maintenance(self, car: VehicleArchive) -> None:
        self.maintenance.clear()
        for record in car.maintenance:
            mileage = (
                " · " + self.tr("{km} 公里").format(km=f"{record.mileage_km:,}")
                if record.mileage_km is not None
                else ""
            )
            papers = "  " + self.tr("[有单据]") if record.has_document else ""
            item = QListWidgetItem(
                f"{record.performed_on:%Y-%m-%d}{mileage} · {record.shop}{papers}\n"
                f"{record.description}"
            )
            item.setData(Qt.ItemDataRole.UserRole, record)
            self.maintenance.addItem(item)
        if not car.maintenance:
            self.maintenance.addItem(self.tr("暂无保养记录"))

    def _fill_history(self, car: VehicleArchive) -> None:
        self.history.clear()
        for entry in car.history:
            when = f"{entry.occurred_on:%Y-%m}" if entry.occurred_on else self.tr("日期不详")
            structural = self.tr("（涉及结构件）") if entry.structural else ""
            papers = "  " + self.tr("[有凭证]") if entry.has_evidence else ""
            item = QListWidgetItem(
                f"{vlabel(HISTORY_KINDS, entry.kind)} · {when}{structural}{papers}\n"
                f"{entry.description}"
            )
            item.setData(Qt.ItemDataRole.UserRole, entry)
            self.history.addItem(item)
        if not car.history:
            self.history.addItem(self.tr("无事故、泡水、火烧记录"))

    def _fill_facts(self, car: VehicleArchive) -> None:
        while self.facts_grid.count():
            item = self.facts_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()  # now: deleteLater waits for the event loop
                item.widget().deleteLater()
        for number, (name, value) in enumerate(basic_facts(car)):
            row, col = divmod(number, 2)
            key = QLabel(name, self.facts)
            key.setObjectName("Muted")
            shown = QLabel(value, self.facts)
            shown.setStyleSheet("font-weight: 600;")
            self.facts_grid.addWidget(key, row, col * 2)
            self.facts_grid.addWidget(shown, row, col * 2 + 1)
        if car.description:
            note = QLabel(car.description, self.facts)
            note.setWordWrap(True)
            self.facts_grid.addWidget(note, self.facts_grid.rowCount(), 0, 1, 4)
        self.facts_grid.setRowStretch(self.facts_grid.rowCount(), 1)

    def _make_qr(self, stock_no: str) -> None:
        links = self._car_links
        self.qr.clear()

        def work(session: DbSession) -> tuple[CarLink, bytes]:
            # The store profile's car-page address first; may ask whether showroom web
            # answers: in the worker.
            link = links(stock_no, stores.car_store_url(session, stock_no))
            return link, qr_png(link.url, 6) if link.url else b""

        def done(result: tuple[CarLink, bytes]) -> None:
            link, png = result
            if self.car is None or self.car.stock_no != stock_no:
                return  # another car is shown now
            self.qr.setVisible(link.url is not None)
            self.qr_caption.setText(self.tr("扫码看车") if link.url else self.tr("无二维码"))
            self.qr_warning.setText(car_link_text(link.kind, link.url or ""))
            self.qr_warning.setVisible(link.kind != PUBLIC)
            if png:
                pixmap = QPixmap()
                pixmap.loadFromData(png)
                self.qr.setPixmap(pixmap)

        self.runner.read(work, done, self._failed)

    def _load_failed(self, exc: BaseException) -> None:
        self.car = None
        self._set_enabled(False)
        self._show_message(report_failure(exc))

    def _set_enabled(self, loaded: bool) -> None:
        facts = loaded and self.permissions.facts
        car = self.car
        for widget in (
            self.import_button,
            self.category_combo,
            self.refile_button,
            self.left_button,
            self.right_button,
            self.cover_button,
            self.remove_button,
            self.status_combo,
            self.status_button,
            self.add_maintenance_button,
            self.edit_maintenance_button,
            self.remove_maintenance_button,
            self.add_history_button,
            self.edit_history_button,
            self.remove_history_button,
            self.attach_report_button,
        ):
            widget.setEnabled(facts)
        self.strip.setDragEnabled(facts)
        self.edit_button.setEnabled(loaded and (self.permissions.facts or self.permissions.prices))
        self.remove_report_button.setEnabled(facts and car is not None and bool(car.report_sha))
        self.report_button.setEnabled(loaded and car is not None and bool(car.report_sha))
        for widget in (self.compare_button, self.loan_button, self.sheet_button):
            widget.setEnabled(loaded)
        self.maintenance_file_button.setEnabled(loaded)
        self.history_file_button.setEnabled(loaded)
        if loaded and not self.permissions.facts:
            self.import_button.setToolTip(
                self.tr("只有整备/评估人员和店长（或门店授权的岗位）可以修改车辆资料和照片")
            )

    def _show_message(self, text: str, *, good: bool = False) -> None:
        # Red for a refusal, green for news; the style sheet follows the object name.
        self.message.setStyleSheet("color: #047857;" if good else "")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _say(self, text: str) -> None:
        self._show_message(text, good=True)

    # --- changes -------------------------------------------------------------------------

    def _write(self, work: Callable[[DbSession], Any]) -> None:
        self._show_message("")
        self.runner.write(work, self._written, self._failed)

    def _written(self, _result: object = None) -> None:
        self.context.bus.publish({"vehicles", f"vehicle:{self.vehicle_id}"})
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        self._show_message(report_failure(exc))

    def apply_status(self) -> None:
        if self.car is None:
            return
        status = VehicleStatus(self.status_combo.currentData())
        actor, vid, version = self.user.actor, self.vehicle_id, self.car.row_version
        self._write(
            lambda s: archive_service.change_status(s, actor, vid, status, expected_version=version)
        )

    def edit(self) -> None:
        if self.car is None:
            return
        dialog = VehicleEditDialog(self.car, self, may_price=self.permissions.prices)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.edit is not None:
            # Against the version the form was opened on: the archive may have reloaded
            # another PC's save meanwhile, which must meet this edit, not vanish under it.
            self.save_edit(dialog.edit, loaded=dialog.car)

    def save_edit(self, edit: VehicleEdit, loaded: VehicleArchive | None = None) -> None:
        """Save ``edit`` against the version it was typed on (``loaded``, else the one on
        screen); a change made meanwhile is refused and both versions are shown."""
        loaded = loaded or self.car
        if loaded is None:
            return
        actor, vid, version = self.user.actor, self.vehicle_id, loaded.row_version
        self._show_message("")
        self.runner.write(
            lambda s: archive_service.update_vehicle(s, actor, vid, edit, expected_version=version),
            self._written,
            lambda exc: self._edit_failed(exc, edit, loaded),
        )

    def _edit_failed(self, exc: BaseException, edit: VehicleEdit, loaded: VehicleArchive) -> None:
        self._failed(exc)
        if not isinstance(exc, ConflictError) or exc.code != "vehicle.changed":
            return
        vid = self.vehicle_id
        self.runner.read(
            lambda s: archive_service.vehicle_archive(s, vid),
            lambda theirs: self._show_conflict(edit, loaded, theirs),
            self._failed,
        )

    def _show_conflict(
        self, edit: VehicleEdit, loaded: VehicleArchive, theirs: VehicleArchive
    ) -> None:
        versions = field_versions(edit_values(loaded), edit_values(theirs), typed_values(edit))
        if not versions:  # the other PC saved exactly what was typed here
            self._show_message(self.tr("另一台电脑已保存了相同的资料，无需再保存。"))
            self.reload()
            return
        self._show_message(
            self.tr("这辆车的资料刚被其他人修改过，你的修改尚未保存：请在“保存冲突”窗口中选择。")
        )
        dialog = VehicleConflictDialog(theirs, versions, self)
        self.conflict_dialog = dialog
        dialog.finished.connect(lambda _code: self._conflict_chosen(dialog, edit, loaded, theirs))
        dialog.open()  # not exec(): the archive keeps following the change bus meanwhile

    def _conflict_chosen(
        self,
        dialog: VehicleConflictDialog,
        edit: VehicleEdit,
        loaded: VehicleArchive,
        theirs: VehicleArchive,
    ) -> None:
        self.conflict_dialog = None
        dialog.deleteLater()
        if dialog.choice == "reload":
            self._show_message(self.tr("已载入另一台电脑保存的版本，你的修改没有保存。"))
            self.reload()
        elif dialog.choice == "overwrite":
            mine = own_changes(edit_values(loaded), typed_values(edit))
            self.save_edit(VehicleEdit(**mine), loaded=theirs)
        elif dialog.choice == "edit":
            # Their version, with only what this user changed typed over it.
            form = VehicleEditDialog(theirs, self, may_price=self.permissions.prices)
            form.fill(VehicleEdit(**own_changes(edit_values(loaded), typed_values(edit))))
            if form.exec() == QDialog.DialogCode.Accepted and form.edit is not None:
                self.save_edit(form.edit, loaded=theirs)
        else:
            self._show_message(self.tr("你的修改没有保存。"))

    # --- prices --------------------------------------------------------------------------

    def save_prices(self, sheet: PriceSheet) -> None:
        if self.car is None:
            return
        actor, vid, version = self.user.actor, self.vehicle_id, self.car.row_version
        self._show_message("")
        self.runner.write(
            lambda s: archive_service.set_prices(s, actor, vid, sheet, expected_version=version),
            self._prices_saved,
            self._prices_failed,
        )

    def _prices_saved(self, _version: object) -> None:
        self._say(self.tr("价格已保存。"))
        self._written()

    def _prices_failed(self, exc: BaseException) -> None:
        # What was typed stays in the table; the sentence says what to fix.
        self.price_editor.show_error(report_failure(exc))

    # --- photos --------------------------------------------------------------------------

    @staticmethod
    def _ask_files(parent: QWidget) -> list[Path]:
        files, _ = QFileDialog.getOpenFileNames(
            parent,
            QCoreApplication.translate("VehicleArchiveDialog", "选择车辆照片"),
            "",
            QCoreApplication.translate(
                "VehicleArchiveDialog", "图片 (*.jpg *.jpeg *.png *.webp *.bmp *.heic)"
            ),
        )
        return [Path(f) for f in files]

    def chosen_category(self) -> PhotoCategory:
        return PhotoCategory(self.category_combo.currentData())

    def import_photos(self) -> None:
        paths = self._choose_files(self)
        if not paths:
            return
        self.import_button.setEnabled(False)
        self._say(self.tr("正在处理 {n} 张照片…").format(n=len(paths)))
        progress = self._progress
        # Pillow first, in a worker of its own; the write that follows is quick, so the
        # one write thread is not held while dozens of photos are decoded and shrunk.
        self.runner.call(
            lambda: archive_service.prepare_photos(paths, progress.moved.emit),
            self._prepared,
            self._import_failed,
        )

    def _import_moved(self, done: int, total: int) -> None:
        self._say(self.tr("正在处理照片 {done}/{total}…").format(done=done, total=total))

    def _prepared(
        self,
        result: tuple[list[archive_service.PreparedPhoto], list[archive_service.PhotoProblem]],
    ) -> None:
        good, bad = result
        actor, vid, category = self.user.actor, self.vehicle_id, self.chosen_category()

        def work(session: DbSession) -> tuple[int, list[archive_service.PhotoProblem]]:
            added = archive_service.add_photos(session, actor, vid, good, category) if good else 0
            return added, bad

        self.runner.write(work, self._imported, self._import_failed)

    def _imported(self, result: tuple[int, list[archive_service.PhotoProblem]]) -> None:
        added, bad = result
        self.import_button.setEnabled(self.permissions.facts)
        text = self.tr("已导入 %n 张照片。", "", added)
        if bad:
            text += " " + self.tr("以下文件未导入：") + "；".join(p.reason for p in bad)
        self._show_message(text, good=not bad)
        self.context.bus.publish({"vehicles", f"vehicle:{self.vehicle_id}"})
        self.reload()

    def _import_failed(self, exc: BaseException) -> None:
        self.import_button.setEnabled(self.permissions.facts)
        self._failed(exc)

    def save_order(self, order: list[uuid.UUID]) -> None:
        """The strip was reordered by dragging: keep that order (within each category)."""
        actor, vid = self.user.actor, self.vehicle_id
        self._write(lambda s: archive_service.reorder_photos(s, actor, vid, order))

    def refile_selected(self) -> None:
        photos = self.strip.selected_photos()
        if not photos:
            current = self.viewer.current()
            photos = [current] if current is not None else []
        if not photos:
            self._failed(ValidationError("photo.none_selected", self.tr("请先选择照片")))
            return
        actor, vid, category = self.user.actor, self.vehicle_id, self.chosen_category()
        ids = [p.id for p in photos]
        self._write(lambda s: archive_service.set_photo_category(s, actor, vid, ids, category))

    def move_current(self, step: int) -> None:
        photo = self.viewer.current()
        if photo is None:
            return
        actor, vid, pid = self.user.actor, self.vehicle_id, photo.id
        # Follow the photo to its new place.
        self.viewer.show_index(self.viewer.index + step)
        self._write(lambda s: archive_service.move_photo(s, actor, vid, pid, step))

    def make_cover(self) -> None:
        photo = self.viewer.current()
        if photo is None:
            return
        actor, vid, pid = self.user.actor, self.vehicle_id, photo.id
        self._write(lambda s: archive_service.set_cover(s, actor, vid, pid))

    def remove_current(self) -> None:
        photos = self.strip.selected_photos()
        if not photos and self.viewer.current() is not None:
            photos = [self.viewer.current()]  # type: ignore[list-item]
        if not photos:
            return
        actor, vid, ids = self.user.actor, self.vehicle_id, [p.id for p in photos]
        self._write(lambda s: archive_service.remove_photos(s, actor, vid, ids))

    # --- history and maintenance ---------------------------------------------------------

    def _selected_entry(self, items: QListWidget) -> Any:
        item = items.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def edit_maintenance(self, *, new: bool = False) -> None:
        from ui.dialogs.vehicle_records import MaintenanceDialog

        if not self.permissions.facts:
            return
        entry = None if new else self._selected_entry(self.maintenance)
        if not new and entry is None:
            return
        dialog = MaintenanceDialog(entry, self, choose_file=self._choose_file)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.value is None:
            return
        value = dialog.value
        actor, vid = self.user.actor, self.vehicle_id

        def save(document: archive_service.PreparedFile | None) -> None:
            assert value.day is not None
            form = MaintenanceForm(
                value.day,
                value.mileage_km,
                value.where,
                value.description,
                document,
                value.drop_file,
            )
            if entry is None:
                work = lambda s: archive_service.add_maintenance(s, actor, vid, form)  # noqa: E731
            else:
                record = entry.id
                work = lambda s: archive_service.update_maintenance(  # noqa: E731
                    s, actor, vid, record, form
                )
            self._write(work)

        self._with_file(value.file, save)

    def remove_maintenance(self) -> None:
        entry = self._selected_entry(self.maintenance)
        if entry is None:
            return
        actor, vid, record = self.user.actor, self.vehicle_id, entry.id
        self._write(lambda s: archive_service.remove_maintenance(s, actor, vid, record))

    def edit_history(self, *, new: bool = False) -> None:
        from ui.dialogs.vehicle_records import HistoryDialog

        if not self.permissions.facts:
            return
        entry = None if new else self._selected_entry(self.history)
        if not new and entry is None:
            return
        dialog = HistoryDialog(entry, self, choose_file=self._choose_file)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.value is None:
            return
        value = dialog.value
        actor, vid = self.user.actor, self.vehicle_id

        def save(evidence: archive_service.PreparedFile | None) -> None:
            assert value.kind is not None
            form = HistoryForm(
                value.kind,
                value.day,
                value.structural,
                value.description,
                evidence,
                value.drop_file,
            )
            if entry is None:
                work = lambda s: archive_service.add_history(s, actor, vid, form)  # noqa: E731
            else:
                record = entry.id
                work = lambda s: archive_service.update_history(  # noqa: E731
                    s, actor, vid, record, form
                )
            self._write(work)

        self._with_file(value.file, save)

    def remove_history(self) -> None:
        entry = self._selected_entry(self.history)
        if entry is None:
            return
        actor, vid, record = self.user.actor, self.vehicle_id, entry.id
        self._write(lambda s: archive_service.remove_history(s, actor, vid, record))

    def _with_file(
        self,
        path: Path | None,
        then: Callable[[archive_service.PreparedFile | None], None],
    ) -> None:
        """Prepare ``path`` (a photo or PDF) in a worker, then save with it."""
        if path is None:
            then(None)
            return
        self._say(self.tr("正在处理文件 {name}…").format(name=path.name))
        self.runner.call(lambda: archive_service.prepare_document(path), then, self._failed)

    def _open_entry_file(self, items: QListWidget) -> None:
        entry = self._selected_entry(items)
        sha = getattr(entry, "document_sha", None) or getattr(entry, "evidence_sha", None)
        if not sha:
            self._failed(ValidationError("file.none", self.tr("这条记录没有附文件")))
            return
        self._open_media(sha, "record")

    # --- the third-party report ----------------------------------------------------------

    def attach_report(self) -> None:
        from ui.dialogs.vehicle_records import ask_file

        path = (self._choose_file or ask_file)(self)
        if path is None:
            return
        actor, vid = self.user.actor, self.vehicle_id
        self._say(self.tr("正在读取检测报告 {name}…").format(name=path.name))

        def prepared(report: archive_service.PreparedReport) -> None:
            self.runner.write(
                lambda s: archive_service.attach_report(s, actor, vid, report),
                self._report_attached,
                self._failed,
            )

        self.runner.call(lambda: archive_service.prepare_report(path), prepared, self._failed)

    def _report_attached(self, sha: str) -> None:
        self._say(self.tr("检测报告已保存（SHA-256 {sha}）。").format(sha=sha[:16] + "…"))
        self._written()

    def remove_report(self) -> None:
        actor, vid = self.user.actor, self.vehicle_id
        self._write(lambda s: archive_service.remove_report(s, actor, vid))

    def open_report(self) -> None:
        if self.car is not None and self.car.report_sha:
            self._open_media(self.car.report_sha, "report")

    def _open_media(self, sha: str, kind: str) -> None:
        vid = self.vehicle_id
        folder = Path(self.context.paths.cache_dir) if self.context.paths else None

        def work(session: DbSession) -> Path:
            mime, data = archive_service.staff_file(session, vid, sha)
            target = (folder or Path(tempfile.gettempdir())) / "reports"
            target.mkdir(parents=True, exist_ok=True)
            suffix = ".pdf" if mime == archive_service.PDF_MIME else ".jpg"
            path = target / f"{kind}-{vid}-{sha[:12]}{suffix}"
            path.write_bytes(data)
            return path

        self.runner.read(work, self._report_ready, self._failed)

    def _report_ready(self, path: Path) -> None:
        if not open_file(path):
            self._show_message(self.tr("无法打开文件，文件已保存在：{path}").format(path=str(path)))

    def open_loan(self) -> None:
        from ui.dialogs.loan_calculator import LoanCalculatorDialog

        price = self.car.list_price if self.car is not None and not self.car.price_pending else None
        LoanCalculatorDialog(self, price=price).exec()

    def open_sheet(self) -> None:
        from ui.dialogs.car_sheet import CarSheetDialog

        CarSheetDialog(self.context, self.runner, self.vehicle_id, self).exec()
