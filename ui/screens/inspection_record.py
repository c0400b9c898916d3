"""The appraiser's checklist (检测记录), made for a 1280x800 tablet and a finger.

Sections in GB/T 30323-2013 order on the left; each item has three large
buttons (正常 / 缺陷 / 未检), the defect's severity, a note and its photos
(file import or drag and drop). Every tap is written at once and a note a
moment after typing stops, so closing or crashing the app loses nothing.
Photos are checked and downscaled off the UI thread. Rules (score, grade,
what finalising needs) are the service's; this widget only shows them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from db.models import InspectionSection, ItemResult
from showroom import inspection_grading as grading
from showroom.documents.model import Document
from showroom.services import inspections as insp
from showroom.sync import operations
from ui.errors import report_failure
from ui.tasks import TaskRunner
from ui.widgets.photos import PhotoUnreadable, decode

if TYPE_CHECKING:
    from showroom.sync.service import Submitted
    from showroom.users import StaffUser

TOUCH = 52  # px: buttons a finger hits on a tablet
# Local looks: the app style sheet's small min-height would win over setMinimumSize, and
# a checked choice must be seen at arm's length.
EDITOR_STYLE = """
QPushButton { min-height: 44px; font-size: 16px; }
QPushButton[result="ok"]:checked { background: #2e7d32; color: white; border-color: #2e7d32; }
QPushButton[result="defect"]:checked { background: #c62828; color: white; border-color: #c62828; }
QPushButton[result="not_checked"]:checked { background: #5f6b7a; color: white; }
QPushButton[severity="1"]:checked, QPushButton[severity="2"]:checked,
QPushButton[severity="3"]:checked { background: #b26a00; color: white; border-color: #b26a00; }
QPushButton[nav="1"] { text-align: left; padding-left: 14px; }
QPushButton[nav="1"]:checked { background: #1f4e79; color: white; border-color: #1f4e79; }
QLineEdit { font-size: 15px; }
"""
NOTE_DELAY_MS = 700
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".heic", ".webp", ".bmp", ".tif", ".tiff"}


def _t(text: str) -> str:
    return QCoreApplication.translate("InspectionRecord", text)


_SECTION_NAMES = {
    InspectionSection.BODY: QT_TRANSLATE_NOOP("InspectionRecord", "车身"),
    InspectionSection.ENGINE_BAY: QT_TRANSLATE_NOOP("InspectionRecord", "发动机舱"),
    InspectionSection.CABIN: QT_TRANSLATE_NOOP("InspectionRecord", "驾驶舱"),
    InspectionSection.START: QT_TRANSLATE_NOOP("InspectionRecord", "启动"),
    InspectionSection.ROAD_TEST: QT_TRANSLATE_NOOP("InspectionRecord", "路试"),
    InspectionSection.CHASSIS: QT_TRANSLATE_NOOP("InspectionRecord", "底盘"),
}
# The service's grade labels, listed so that they get English translations.
_GRADE_NAMES = (
    QT_TRANSLATE_NOOP("InspectionRecord", "一级"),
    QT_TRANSLATE_NOOP("InspectionRecord", "二级"),
    QT_TRANSLATE_NOOP("InspectionRecord", "三级"),
    QT_TRANSLATE_NOOP("InspectionRecord", "四级"),
    QT_TRANSLATE_NOOP("InspectionRecord", "五级（事故车）"),
)


def section_label(section: InspectionSection) -> str:
    return _t(_SECTION_NAMES[section])


class ItemRowWidget(QFrame):
    """One checklist item. Emits ``changed(item_id, result, severity)``, ``note_edited(item_id,
    text)`` and ``photos_dropped(item_id, paths)`` / ``add_photos(item_id)``."""

    changed = Signal(object, str, int)
    note_edited = Signal(object, str)
    photos_dropped = Signal(object, list)
    add_photos = Signal(object)

    def __init__(self, item: insp.ItemRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item_id = item.id
        self.setObjectName("Card")
        self.setAcceptDrops(True)
        grid = QGridLayout(self)
        grid.setContentsMargins(12, 8, 12, 8)
        grid.setHorizontalSpacing(8)
        mark = " *" if item.required else ""
        self.label = QLabel(f"{item.code}  {item.label}{mark}", self)
        self.label.setWordWrap(True)
        self.label.setStyleSheet("font-size:16px; font-weight:600;")
        grid.addWidget(self.label, 0, 0, 1, 4)
        self.result_group = QButtonGroup(self)
        self.result_buttons: dict[ItemResult, QPushButton] = {}
        row = QHBoxLayout()
        for result, text in (
            (ItemResult.OK, self.tr("正常")),
            (ItemResult.DEFECT, self.tr("缺陷")),
            (ItemResult.NOT_CHECKED, self.tr("未检")),
        ):
            button = QPushButton(text, self)
            button.setCheckable(True)
            button.setMinimumSize(84, TOUCH)
            button.setProperty("result", result.value)
            self.result_group.addButton(button)
            self.result_buttons[result] = button
            row.addWidget(button)
        row.addSpacing(12)
        self.severity_group = QButtonGroup(self)
        self.severity_buttons: dict[int, QPushButton] = {}
        for level, text in ((1, self.tr("轻微")), (2, self.tr("一般")), (3, self.tr("严重"))):
            button = QPushButton(text, self)
            button.setCheckable(True)
            button.setMinimumSize(72, TOUCH)
            button.setProperty("severity", str(level))
            self.severity_group.addButton(button, level)
            self.severity_buttons[level] = button
            row.addWidget(button)
        row.addStretch(1)
        self.photo_button = QPushButton(self)
        self.photo_button.setMinimumSize(110, TOUCH)
        self.photo_button.setToolTip(self.tr("导入照片，也可以把照片文件拖到这一行"))
        self.photo_button.clicked.connect(lambda: self.add_photos.emit(self.item_id))
        row.addWidget(self.photo_button)
        grid.addLayout(row, 1, 0, 1, 4)
        self.thumbs = QHBoxLayout()
        self.thumbs.setSpacing(6)
        self.thumbs.addStretch(1)
        grid.addLayout(self.thumbs, 3, 0, 1, 4)
        self.note = QLineEdit(self)
        self.note.setMinimumHeight(44)
        self.note.setPlaceholderText(self.tr("说明（部位、大小、痕迹）"))
        self.note.textEdited.connect(lambda text: self.note_edited.emit(self.item_id, text))
        grid.addWidget(self.note, 2, 0, 1, 4)
        self.result_group.buttonClicked.connect(self._result_clicked)
        self.severity_group.idClicked.connect(self._severity_clicked)
        self.show_item(item)

    def show_item(self, item: insp.ItemRow) -> None:
        self.result_buttons[item.result].setChecked(True)
        defect = item.result is ItemResult.DEFECT
        for level, button in self.severity_buttons.items():
            button.setVisible(defect)
            button.setChecked(defect and item.severity == level)
        self.note.setVisible(defect or bool(item.note))
        if not self.note.hasFocus():
            self.note.setText(item.note)
        self.photo_button.setText(self.tr("照片 ({n})").format(n=item.photos))
        colour = {ItemResult.OK: "#2e7d32", ItemResult.DEFECT: "#c62828"}.get(item.result)
        self.setStyleSheet(f"#Card {{ border-left: 5px solid {colour or '#dde3ea'}; }}")

    def show_thumbnails(self, images: list[QPixmap]) -> None:
        while self.thumbs.count() > 1:
            widget = self.thumbs.takeAt(0).widget()
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        for index, image in enumerate(images):
            label = QLabel(self)
            label.setPixmap(
                image.scaled(
                    96,
                    72,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
            self.thumbs.insertWidget(index, label)

    def current(self) -> tuple[ItemResult, int | None]:
        """What the buttons show now (offline the stored record may not say so yet)."""
        checked = self.result_group.checkedButton()
        result = ItemResult(checked.property("result")) if checked else ItemResult.NOT_CHECKED
        level = self.severity_group.checkedId()
        return result, (level if result is ItemResult.DEFECT and level > 0 else None)

    def add_queued_photo(self, pixmap: QPixmap, count: int) -> None:
        """A photo waiting in the outbox: shown at once, counted with the stored ones."""
        label = QLabel(self)
        label.setPixmap(
            pixmap.scaled(
                96,
                72,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        self.thumbs.insertWidget(self.thumbs.count() - 1, label)
        self.photo_button.setText(self.tr("照片 ({n})").format(n=count))

    def set_locked(self, locked: bool) -> None:
        for button in (*self.result_buttons.values(), *self.severity_buttons.values()):
            button.setEnabled(not locked)
        self.note.setReadOnly(locked)
        self.photo_button.setEnabled(not locked)

    def _result_clicked(self, button: QPushButton) -> None:
        result = ItemResult(button.property("result"))
        severity = self.severity_group.checkedId() if result is ItemResult.DEFECT else 0
        if result is ItemResult.DEFECT and severity < 1:
            severity = 1
            self.severity_buttons[1].setChecked(True)
        for b in self.severity_buttons.values():
            b.setVisible(result is ItemResult.DEFECT)
        self.note.setVisible(result is ItemResult.DEFECT or bool(self.note.text()))
        if result is ItemResult.DEFECT:
            self.note.setFocus()
        self.changed.emit(self.item_id, result.value, severity)

    def _severity_clicked(self, level: int) -> None:
        self.changed.emit(self.item_id, ItemResult.DEFECT.value, level)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls() and self.photo_button.isEnabled():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.photos_dropped.emit(self.item_id, paths)
            event.acceptProposedAction()


class InspectionEditor(QWidget):
    """Edits one inspection; emits ``saved()`` after each write and ``finalised(id)``."""

    saved = Signal()
    finalised = Signal(object)
    report_ready = Signal(object)

    def __init__(self, runner: TaskRunner, user: StaffUser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.user = user
        self.view: insp.InspectionView | None = None
        self.rows: dict[uuid.UUID, ItemRowWidget] = {}
        self._pending_notes: dict[uuid.UUID, str] = {}
        self._thumbnails: dict[str, QPixmap] = {}
        self._writes_in_flight = 0
        # Edits queued in this PC's outbox (shared database unreachable), by operation id.
        self._queued_ops: set[uuid.UUID] = set()
        self._queued_photos: dict[uuid.UUID, int] = {}
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(NOTE_DELAY_MS)
        self._note_timer.timeout.connect(self.flush_notes)
        self._conclusion_timer = QTimer(self)
        self._conclusion_timer.setSingleShot(True)
        self._conclusion_timer.setInterval(NOTE_DELAY_MS)
        self._conclusion_timer.timeout.connect(self._save_conclusion)

        self.setStyleSheet(EDITOR_STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        self.title = QLabel(self)
        self.title.setObjectName("SectionTitle")
        self.title.setWordWrap(True)
        head.addWidget(self.title, 1)
        self.score = QLabel(self)
        self.score.setStyleSheet("font-size:22px; font-weight:700; color:#1f4e79;")
        head.addWidget(self.score)
        self.pending = QLabel(self.tr("待同步"), self)
        self.pending.setToolTip(
            self.tr(
                "网络断开：这些修改保存在本机，恢复连接后自动同步。定稿和打印报告需要连接数据库。"
            )
        )
        self.pending.setStyleSheet(
            "color:white; background:#b26a00; border-radius:4px; padding:4px 10px; font-size:15px;"
        )
        self.pending.hide()
        head.addWidget(self.pending)
        self.save_state = QLabel(self)
        self.save_state.setObjectName("HintText")
        self.save_state.setMinimumWidth(120)
        self.save_state.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(self.save_state)
        layout.addLayout(head)

        middle = QHBoxLayout()
        nav = QVBoxLayout()
        nav.setSpacing(6)
        self.section_group = QButtonGroup(self)
        self.section_buttons: dict[int, QPushButton] = {}
        for index in range(len(grading.SECTIONS) + 1):
            button = QPushButton(self)
            button.setCheckable(True)
            button.setMinimumSize(170, 56)
            button.setProperty("nav", "1")
            self.section_group.addButton(button, index)
            self.section_buttons[index] = button
            nav.addWidget(button)
        nav.addStretch(1)
        middle.addLayout(nav)
        self.pages = QStackedWidget(self)
        self.section_lists: dict[InspectionSection, QVBoxLayout] = {}
        for section in grading.SECTIONS:
            scroll = QScrollArea(self)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            inner = QWidget(scroll)
            items = QVBoxLayout(inner)
            items.setSpacing(8)
            items.addStretch(1)
            scroll.setWidget(inner)
            self.section_lists[section] = items
            self.pages.addWidget(scroll)
        self.pages.addWidget(self._conclusion_page())
        middle.addWidget(self.pages, 1)
        layout.addLayout(middle, 1)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.section_group.idClicked.connect(self.pages.setCurrentIndex)
        self.section_buttons[0].setChecked(True)
        self._label_sections()

    # --- conclusion page ----------------------------------------------------------------

    def _conclusion_page(self) -> QWidget:
        page = QScrollArea(self)
        page.setWidgetResizable(True)
        page.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget(page)
        box = QVBoxLayout(inner)
        title = QLabel(self.tr("结构性检查（有一项即判定为五级）"), inner)
        title.setObjectName("SectionTitle")
        box.addWidget(title)
        flags = QHBoxLayout()
        self.accident = QCheckBox(self.tr("事故车"), inner)
        self.flood = QCheckBox(self.tr("泡水车"), inner)
        self.fire = QCheckBox(self.tr("火烧车"), inner)
        for check in (self.accident, self.flood, self.fire):
            check.setMinimumHeight(TOUCH)
            check.setStyleSheet(
                "QCheckBox { font-size:16px; } QCheckBox::indicator { width:28px; height:28px; }"
            )
            check.toggled.connect(self._conclusion_changed)
            flags.addWidget(check)
        flags.addStretch(1)
        box.addLayout(flags)
        self.evidence = QPlainTextEdit(inner)
        self.evidence.setPlaceholderText(
            self.tr("判定依据：部位和痕迹（如 左 A 柱切割焊接、座椅滑轨锈蚀），并在相关项目附照片")
        )
        self.evidence.setFixedHeight(90)
        self.evidence.textChanged.connect(self._conclusion_changed)
        box.addWidget(self.evidence)
        value_title = QLabel(self.tr("估价"), inner)
        value_title.setObjectName("SectionTitle")
        box.addWidget(value_title)
        prices = QHBoxLayout()
        self.low = QLineEdit(inner)
        self.high = QLineEdit(inner)
        for edit, hint in ((self.low, self.tr("最低（元）")), (self.high, self.tr("最高（元）"))):
            edit.setPlaceholderText(hint)
            edit.setMinimumHeight(TOUCH)
            edit.textEdited.connect(self._conclusion_changed)
            prices.addWidget(edit)
        box.addLayout(prices)
        self.method = QLineEdit(inner)
        self.method.setMinimumHeight(TOUCH)
        self.method.setPlaceholderText(self.tr("估价方法（如 参照同款成交价，按车况调整）"))
        self.method.textEdited.connect(self._conclusion_changed)
        box.addWidget(self.method)
        self.comparables = QLabel(inner)
        self.comparables.setWordWrap(True)
        self.comparables.setObjectName("HintText")
        box.addWidget(self.comparables)
        self.missing = QLabel(inner)
        self.missing.setWordWrap(True)
        box.addWidget(self.missing)
        actions = QHBoxLayout()
        self.finalise_button = QPushButton(self.tr("定稿并锁定"), inner)
        self.finalise_button.setProperty("role", "primary")
        self.report_button = QPushButton(self.tr("出具检测报告"), inner)
        self.correct_button = QPushButton(self.tr("更正（新版本）"), inner)
        for button in (self.finalise_button, self.report_button, self.correct_button):
            button.setMinimumHeight(TOUCH)
            actions.addWidget(button)
        actions.addStretch(1)
        self.finalise_button.clicked.connect(self.finalise)
        self.report_button.clicked.connect(self.make_report)
        self.correct_button.clicked.connect(self.correct)
        box.addLayout(actions)
        box.addStretch(1)
        page.setWidget(inner)
        return page

    # --- loading ------------------------------------------------------------------------

    def open_inspection(self, inspection_id: uuid.UUID) -> None:
        self.flush_notes()
        self.runner.read(lambda s: insp.load(s, inspection_id), self._loaded, self._failed)

    def reload(self) -> None:
        if self.view is not None:
            view_id = self.view.id
            self.runner.read(lambda s: insp.load(s, view_id), self._refreshed, self._failed)

    def _loaded(self, view: insp.InspectionView) -> None:
        self.view = view
        for row in self.rows.values():
            row.deleteLater()
        self.rows.clear()
        for item in view.items:
            row = ItemRowWidget(item, self)
            row.changed.connect(self._item_changed)
            row.note_edited.connect(self._note_edited)
            row.add_photos.connect(self.choose_photos)
            row.photos_dropped.connect(self.import_photos)
            layout = self.section_lists[item.section]
            layout.insertWidget(layout.count() - 1, row)
            self.rows[item.id] = row
        self._block_conclusion(True)
        self.accident.setChecked(view.accident)
        self.flood.setChecked(view.flood)
        self.fire.setChecked(view.fire)
        self.evidence.setPlainText(view.structural_evidence)
        self.low.setText("" if view.valuation_low is None else f"{view.valuation_low:.0f}")
        self.high.setText("" if view.valuation_high is None else f"{view.valuation_high:.0f}")
        self.method.setText(view.valuation_note)
        self._block_conclusion(False)
        self._show_state(view)
        self._load_thumbnails(view)
        self._queued_photos.clear()
        self.save_state.setText("")
        self.message.setText("")
        self._load_comparables()

    def _refreshed(self, view: insp.InspectionView) -> None:
        self.view = view
        for item in view.items:
            row = self.rows.get(item.id)
            if row is not None:
                row.show_item(item)
        self._show_state(view)
        self._load_thumbnails(view)

    def _load_thumbnails(self, view: insp.InspectionView) -> None:
        missing = [p.thumbnail_sha for p in view.photos if p.thumbnail_sha not in self._thumbnails]
        if not missing:
            self._show_thumbnails(view, {})
            return
        self.runner.read(
            lambda s: {sha: _thumbnail(insp.media(s, sha)) for sha in missing},
            lambda images: self._show_thumbnails(view, images),
            self._failed,
        )

    def _show_thumbnails(self, view: insp.InspectionView, images: dict[str, QImage]) -> None:
        for sha, image in images.items():
            # QPixmap only on the UI thread; the worker decoded the bytes into a QImage.
            self._thumbnails[sha] = QPixmap.fromImage(image)
        for item_id, row in self.rows.items():
            row.show_thumbnails(
                [
                    self._thumbnails[p.thumbnail_sha]
                    for p in view.photos
                    if p.item_id == item_id and p.thumbnail_sha in self._thumbnails
                ]
            )

    def _block_conclusion(self, block: bool) -> None:
        for widget in (self.accident, self.flood, self.fire, self.evidence):
            widget.blockSignals(block)

    def _show_state(self, view: insp.InspectionView) -> None:
        state = self.tr("已定稿") if view.final else self.tr("草稿")
        revision = self.tr("第 {n} 版").format(n=view.revision)
        self.title.setText(
            f"{view.report_no} · {revision} · {state}\n"
            f"{view.car or ''} {view.plate or ''} · {self.tr('评估师')} {view.appraiser}"
        )
        card = view.scorecard
        unchecked_required = len(view.missing_required())
        if unchecked_required and not view.final:
            # A score over unchecked items would read as a verdict: say what is missing.
            self.score.setText(self.tr("未完成：还有 {n} 个必检项目").format(n=unchecked_required))
        else:
            self.score.setText(
                self.tr("{score} 分 · {grade}").format(
                    score=card.score, grade=_t(grading.GRADE_LABELS[card.grade])
                )
            )
        for row in self.rows.values():
            row.set_locked(view.final)
        for w in (self.accident, self.flood, self.fire):
            w.setEnabled(not view.final)
        for w in (self.evidence, self.low, self.high, self.method):
            w.setReadOnly(view.final)
        self.finalise_button.setEnabled(not view.final)
        self.report_button.setEnabled(view.final)
        self.correct_button.setEnabled(view.final and not view.has_later_revision)
        missing = view.missing_required()
        self.missing.setText(
            self.tr("还有 {n} 个必检项目未检查（带 * 的项目）。").format(n=len(missing))
            if missing and not view.final
            else ""
        )
        self.missing.setStyleSheet("color:#b26a00; font-size:15px;")
        self._label_sections()

    def _label_sections(self) -> None:
        view = self.view
        for index, button in self.section_buttons.items():
            if index >= len(grading.SECTIONS):
                button.setText(self.tr("结论 · 估价"))
                continue
            section = grading.SECTIONS[index]
            if view is None:
                button.setText(section_label(section))
                continue
            items = [i for i in view.items if i.section is section]
            done = sum(i.result is not ItemResult.NOT_CHECKED for i in items)
            defects = sum(i.result is ItemResult.DEFECT for i in items)
            text = f"{section_label(section)}  {done}/{len(items)}"
            if defects:
                text += "  " + self.tr("缺陷 {n}").format(n=defects)
            button.setText(text)

    def _load_comparables(self) -> None:
        view = self.view
        if view is None:
            return
        if view.comparables:
            self._show_comparables(list(view.comparables))
            return
        brand, _, model = view.car.partition(" ")
        self.runner.read(
            lambda s: insp.comparable_sales(s, brand, model), self._show_comparables, self._failed
        )

    def _show_comparables(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            self.comparables.setText(self.tr("本店没有同款车型的成交或在售记录可供参考。"))
            return
        lines = [
            f"{r['car']} · {r['mileage_km']:,} km · {r['kind']} ¥{Decimal(r['price']):,.0f}"
            for r in rows
        ]
        self.comparables.setText(self.tr("参考车辆：") + "\n" + "\n".join(lines))

    # --- autosave -----------------------------------------------------------------------

    def _write(self, work: Any, then: Any = None) -> None:
        self._writes_in_flight += 1
        self.save_state.setText(self.tr("正在保存…"))

        def done(result: Any) -> None:
            self._writes_in_flight -= 1
            if not self._writes_in_flight:
                self.save_state.setText(self.tr("已自动保存"))
            self.saved.emit()
            if then is not None:
                then(result)
            else:
                self.reload()

        def failed(exc: BaseException) -> None:
            self._writes_in_flight -= 1
            self.save_state.setText(self.tr("未保存"))
            self._failed(exc)
            self.reload()

        self.runner.write(work, done, failed)

    def _submit(
        self,
        kind: str,
        payload: dict[str, Any],
        then: Any = None,
        on_queued: Callable[[], None] | None = None,
    ) -> None:
        """An autosave that can wait: written now, or kept in the outbox (待同步) when the
        shared database is unreachable; the buttons keep what was tapped."""
        self._writes_in_flight += 1
        self.save_state.setText(self.tr("正在保存…"))

        def done(result: Any) -> None:
            self._writes_in_flight -= 1
            if not self._writes_in_flight:
                self.save_state.setText(self.tr("已自动保存"))
            self.saved.emit()
            if then is not None:
                then(result)
            else:
                self.reload()

        def queued(submitted: Submitted) -> None:
            self._writes_in_flight -= 1
            self._queued_ops.add(submitted.op_id)
            if not self._writes_in_flight:
                self.save_state.setText(self.tr("已保存在本机"))
            self.pending.show()
            self._say(
                self.tr(
                    "待同步：网络断开，检测记录的修改已保存在本机，恢复连接后自动同步。"
                    "定稿和打印报告需要连接数据库。"
                )
            )
            if on_queued is not None:
                on_queued()

        def failed(exc: BaseException) -> None:
            self._writes_in_flight -= 1
            self.save_state.setText(self.tr("未保存"))
            self._failed(exc)
            self.reload()

        self.runner.submit(kind, payload, done, queued, failed)

    def _still_queued(self) -> bool:
        sync = self.runner.sync
        if sync is None or not self._queued_ops:
            return False
        waiting = {op.id for op in sync.outbox.pending()}
        self._queued_ops &= waiting
        return bool(self._queued_ops)

    def sync_settled(self) -> None:
        """After a replay: once nothing of this record waits, show what is stored."""
        if self._queued_ops and not self._still_queued():
            self.pending.hide()
            self._queued_photos.clear()  # stored now: counted by the reload
            self.reload()

    def _item_changed(self, item_id: uuid.UUID, result: str, severity: int) -> None:
        if self.view is None:
            return
        inspection_id = self.view.id
        note = self._pending_notes.pop(item_id, None)
        payload = operations.inspection_item_payload(
            inspection_id, item_id, result, severity or None, note
        )
        self._submit("inspection.set_item", payload)

    def _note_edited(self, item_id: uuid.UUID, text: str) -> None:
        self._pending_notes[item_id] = text
        self.save_state.setText(self.tr("输入中…"))
        self._note_timer.start()

    def flush_notes(self) -> None:
        """Write every note typed since the last save (also on close and on switching)."""
        self._note_timer.stop()
        if self.view is None or not self._pending_notes:
            return
        inspection_id = self.view.id
        pending, self._pending_notes = self._pending_notes, {}
        for item_id, text in pending.items():
            row = self.rows.get(item_id)
            if row is None:
                continue
            # The buttons, not the loaded record: a tap queued offline is not stored yet.
            result, severity = row.current()
            payload = operations.inspection_item_payload(
                inspection_id, item_id, result.value, severity, text
            )
            self._submit("inspection.set_item", payload, then=lambda _r: None)
        if self._conclusion_timer.isActive():
            self._conclusion_timer.stop()
            self._save_conclusion()

    def _conclusion_changed(self, *_: object) -> None:
        self.save_state.setText(self.tr("输入中…"))
        self._conclusion_timer.start()

    def _money(self, edit: QLineEdit) -> Decimal | None:
        text = edit.text().strip().replace(",", "").replace("，", "").replace("¥", "")
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(text) from None
        return value.quantize(Decimal(1))

    def _save_conclusion(self) -> None:
        if self.view is None or self.view.final:
            return
        inspection_id = self.view.id
        accident, flood, fire = (
            self.accident.isChecked(),
            self.flood.isChecked(),
            self.fire.isChecked(),
        )
        evidence, note = self.evidence.toPlainText(), self.method.text()
        try:
            low, high = self._money(self.low), self._money(self.high)
        except ValueError:
            self._say(self.tr("估价请填写数字（元），例如 68000。"), error=True)
            low = high = None
            valuation_ok = False
        else:
            valuation_ok = True

        self._submit(
            "inspection.set_structural",
            operations.inspection_structural_payload(
                inspection_id, accident, flood, fire, evidence
            ),
            then=(lambda _r: None) if valuation_ok else None,
        )
        if valuation_ok:
            self._submit(
                "inspection.set_valuation",
                operations.inspection_valuation_payload(inspection_id, low, high, note),
            )

    # --- photos -------------------------------------------------------------------------

    def choose_photos(self, item_id: uuid.UUID) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("选择照片"),
            "",
            self.tr("照片 (*.jpg *.jpeg *.png *.heic *.webp *.bmp *.tif *.tiff)"),
        )
        if paths:
            self.import_photos(item_id, paths)

    def import_photos(self, item_id: uuid.UUID, paths: list[str]) -> None:
        if self.view is None or self.view.final:
            return
        inspection_id = self.view.id
        for path in paths:
            name = Path(path).name

            def prepare(path: str = path) -> insp.PreparedPhoto:
                # Reading and downscaling a 40-megapixel photo takes a while: off the UI thread.
                return insp.prepare_photo(Path(path).read_bytes())

            def store(photo: insp.PreparedPhoto, name: str = name) -> None:
                self._say(self.tr("已添加照片 {name}").format(name=name))
                self._submit(
                    "inspection.add_photo",
                    operations.inspection_photo_payload(inspection_id, item_id, photo),
                    on_queued=lambda: self._show_queued_photo(item_id, photo),
                )

            def refused(exc: BaseException, name: str = name) -> None:
                if isinstance(exc, OSError):
                    self._say(self.tr("无法读取文件 {name}。").format(name=name), error=True)
                else:
                    self._say(f"{name}：{report_failure(exc)}", error=True)

            self.runner.call(prepare, store, refused)

    def _show_queued_photo(self, item_id: uuid.UUID, photo: insp.PreparedPhoto) -> None:
        row = self.rows.get(item_id)
        if row is None or self.view is None:
            return
        self._queued_photos[item_id] = self._queued_photos.get(item_id, 0) + 1
        stored = next((i.photos for i in self.view.items if i.id == item_id), 0)
        pixmap = QPixmap()
        pixmap.loadFromData(photo.thumbnail)
        row.add_queued_photo(pixmap, stored + self._queued_photos[item_id])

    # --- finalise, report, correction ---------------------------------------------------

    def finalise(self) -> None:
        if self.view is None:
            return
        self.flush_notes()
        if self._still_queued():
            # Finalising now would lock the record without the edits still in the outbox.
            self._say(
                self.tr("还有修改待同步，恢复连接并同步完成后再定稿（需要连接数据库）。"),
                error=True,
            )
            return
        inspection_id, actor = self.view.id, self.user.actor

        def done(card: grading.Scorecard) -> None:
            self._say(
                self.tr("已定稿：{score} 分，{grade}。记录已锁定。").format(
                    score=card.score, grade=_t(card.grade_label)
                )
            )
            self.reload()
            self.finalised.emit(inspection_id)

        self._write(lambda s: insp.finalise(s, actor, inspection_id), then=done)

    def make_report(self) -> None:
        if self.view is None:
            return
        inspection_id = self.view.id
        self.runner.read(
            lambda s: insp.report_for_printing(s, inspection_id), self._render, self._failed
        )

    def _render(self, document: Document) -> None:
        from ui.documents.render import render_pdf

        if self.view is None:
            return
        inspection_id, actor = self.view.id, self.user.actor

        def archived(_result: object) -> None:
            which = self.tr("存档原件") if document.copy_no == 0 else self.tr("客户副本")
            self._say(
                self.tr("检测报告 {number} 已生成（{which}，验证码 {code}）。").format(
                    number=document.number, which=which, code=document.verification_code
                )
            )
            self.report_ready.emit(document)

        def rendered(pdf: bytes) -> None:
            self._write(
                lambda s: insp.archive_report(s, actor, inspection_id, document, pdf),
                then=archived,
            )

        # A report with photos takes a while to paint: a worker does it.
        self.runner.call(lambda: render_pdf(document), rendered, self._failed)

    def correct(self) -> None:
        if self.view is None:
            return
        reason, ok = QInputDialog.getText(
            self, self.tr("更正检测报告"), self.tr("更正原因（将记入审计日志）：")
        )
        if not ok:
            return
        inspection_id, actor = self.view.id, self.user.actor
        self._write(
            lambda s: insp.correct(s, actor, inspection_id, reason), then=self.open_inspection
        )

    # --- messages -----------------------------------------------------------------------

    def _failed(self, exc: BaseException) -> None:
        self._say(report_failure(exc), error=True)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setObjectName("ErrorText" if error else "")
        self.message.setStyleSheet("color:#c62828; font-size:15px;" if error else "font-size:15px;")


def _thumbnail(data: bytes) -> QImage:
    """Decoded in the worker; a corrupt file gives an empty image, as before."""
    try:
        return decode(data)
    except PhotoUnreadable:
        return QImage()
