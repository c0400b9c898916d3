"""排班 on the staff screen: a week of the store's people, who works which day.

Rows are people (managers first), columns the seven days of the shown week;
a cell says 上班 / 休息 or the day's exception (休假, 病假, 外出, 调休, 加班)
with its note as the tooltip. The manager selects cells (several at once) and
marks them; "固定排班…" edits a person's usual week. Today's column is marked,
and the line above counts who is on duty today per role.

Emits ``changed()`` after a successful change (the screen publishes it).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from db.enums import Role, RosterStatus
from showroom.services import reception, roster
from showroom.users import StaffUser
from ui.errors import report_failure
from ui.tasks import TaskRunner
from ui.widgets.labels import roles_label, roster_status_label
from ui.widgets.tables import RowListModel, make_table

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Index = QModelIndex | QPersistentModelIndex
WEEKDAYS = (
    QT_TRANSLATE_NOOP("Weekdays", "周一"),
    QT_TRANSLATE_NOOP("Weekdays", "周二"),
    QT_TRANSLATE_NOOP("Weekdays", "周三"),
    QT_TRANSLATE_NOOP("Weekdays", "周四"),
    QT_TRANSLATE_NOOP("Weekdays", "周五"),
    QT_TRANSLATE_NOOP("Weekdays", "周六"),
    QT_TRANSLATE_NOOP("Weekdays", "周日"),
)
FIRST_DAY_COLUMN = 1

# (background, text) per state; off days are quiet, exceptions stand out.
_ON = ("#e8f5e9", "#1b5e20")
_OFF = ("#f1f3f5", "#7b8794")
_STATUS_COLOURS = {
    RosterStatus.ON_DUTY: ("#c8e6c9", "#1b5e20"),
    RosterStatus.DAY_OFF: _OFF,
    RosterStatus.LEAVE: ("#e3f2fd", "#0d47a1"),
    RosterStatus.SICK: ("#fdecea", "#b71c1c"),
    RosterStatus.OFF_SITE: ("#fff4e5", "#8a4b00"),
}

# What each button sets, by what the weekly pattern says for that day.
MARKS = ("on", "off", RosterStatus.LEAVE, RosterStatus.SICK, RosterStatus.OFF_SITE, "pattern")


def status_for(mark: Any, pattern_on: bool) -> RosterStatus | None:
    """The override a button stores for a day ("on"/"off" only where the pattern differs)."""
    if mark == "on":
        return None if pattern_on else RosterStatus.ON_DUTY
    if mark == "off":
        return RosterStatus.DAY_OFF if pattern_on else None
    if mark == "pattern":
        return None
    return RosterStatus(mark)


class RosterModel(RowListModel):
    """The shown week: one ``RosterRow`` per person. Emits no extra signals."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.week: roster.RosterWeek | None = None

    def set_week(self, week: roster.RosterWeek) -> None:
        self.week = week
        self.set_rows(list(week.rows))

    def headers(self) -> tuple[str, ...]:
        days = self.week.days if self.week else ()
        titles = [self.tr("员工")]
        for n in range(7):
            if n < len(days):
                day = days[n]
                label = (
                    self.tr("今天")
                    if self.week and day == self.week.today
                    else QCoreApplication.translate("Weekdays", WEEKDAYS[n])
                )
                titles.append(f"{label}\n{day.month}/{day.day}")
            else:
                titles.append(QCoreApplication.translate("Weekdays", WEEKDAYS[n]))
        return tuple(titles)

    def cell(self, index: Index) -> roster.DayCell | None:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None or index.column() < FIRST_DAY_COLUMN:
            return None
        return row.days[index.column() - FIRST_DAY_COLUMN]

    def text(self, cell: roster.DayCell) -> str:
        if cell.status is not None:
            return roster_status_label(cell.status)
        return self.tr("上班") if cell.on_duty else self.tr("休息")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        if index.column() == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{row.display_name}\n{roles_label(row.roles)}"
            return None
        cell = self.cell(index)
        assert cell is not None
        colours = (
            _STATUS_COLOURS.get(cell.status) if cell.status else (_ON if cell.on_duty else _OFF)
        )
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(cell)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QColor(colours[0])
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor(colours[1])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        if role == Qt.ItemDataRole.FontRole and cell.status is not None:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [f"{cell.day:%Y-%m-%d}", self.text(cell)]
            if cell.status is not None:
                usual = self.tr("固定排班：上班") if cell.pattern_on else self.tr("固定排班：休息")
                parts.append(usual)
            if cell.note:
                parts.append(cell.note)
            return " · ".join(parts)
        return None


class RosterDelegate(QStyledItemDelegate):
    """Paints each day's colour (the style sheet's item rule would drop the model's
    background) and frames today's column. Emits no signals."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        model = index.model()
        background = index.data(Qt.ItemDataRole.BackgroundRole)
        rect = option.rect.adjusted(2, 2, -2, -2)  # type: ignore[attr-defined]
        if isinstance(background, QColor):
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(background)
            painter.drawRoundedRect(rect, 5, 5)
            painter.restore()
        super().paint(painter, option, index)
        week = getattr(model, "week", None)
        cell = model.cell(index) if isinstance(model, RosterModel) else None
        if week is not None and cell is not None and cell.day == week.today:
            painter.save()
            painter.setPen(QPen(QColor("#1f4e79"), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, 5, 5)
            painter.restore()


class RosterPanel(QWidget):
    """The roster tab. Signals: ``changed()`` after a saved change."""

    changed = Signal()

    def __init__(self, runner: TaskRunner, user: StaffUser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.user = user
        self.store_id = user.store_id
        self._start: date | None = None
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 8, 0, 0)
        box.setSpacing(10)

        bar = QHBoxLayout()
        self.previous_button = QPushButton(self.tr("‹ 上一周"), self)
        self.previous_button.clicked.connect(lambda: self.move_week(-7))
        self.this_week_button = QPushButton(self.tr("本周"), self)
        self.this_week_button.clicked.connect(self.show_this_week)
        self.next_button = QPushButton(self.tr("下一周 ›"), self)
        self.next_button.clicked.connect(lambda: self.move_week(7))
        self.week_label = QLabel("", self)
        self.week_label.setObjectName("SectionTitle")
        for widget in (self.previous_button, self.this_week_button, self.next_button):
            bar.addWidget(widget)
        bar.addSpacing(12)
        bar.addWidget(self.week_label)
        bar.addStretch(1)
        self.today_label = QLabel("", self)
        self.today_label.setObjectName("CountLabel")
        bar.addWidget(self.today_label)
        box.addLayout(bar)

        self.model = RosterModel(self)
        self.table = make_table(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(False)
        self.table.setShowGrid(True)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setDefaultSectionSize(48)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setMinimumHeight(46)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(0, 170)
        self.table.setItemDelegate(RosterDelegate(self.table))
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        box.addWidget(self.table, 1)

        marks = QHBoxLayout()
        marks.addWidget(QLabel(self.tr("所选日期设为："), self))
        self.mark_buttons: dict[Any, QPushButton] = {}
        captions = {
            "on": self.tr("上班"),
            "off": self.tr("休息"),
            RosterStatus.LEAVE: self.tr("休假"),
            RosterStatus.SICK: self.tr("病假"),
            RosterStatus.OFF_SITE: self.tr("外出"),
            "pattern": self.tr("按固定排班"),
        }
        for mark in MARKS:
            button = QPushButton(captions[mark], self)
            button.clicked.connect(lambda _=False, m=mark: self.mark_selected(m))
            marks.addWidget(button)
            self.mark_buttons[mark] = button
        marks.addStretch(1)
        self.pattern_button = QPushButton(self.tr("固定排班…"), self)
        self.pattern_button.clicked.connect(self.edit_pattern)
        marks.addWidget(self.pattern_button)
        box.addLayout(marks)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.message.setObjectName("ErrorText")
        self.message.hide()
        box.addWidget(self.message)
        hint = QLabel(
            self.tr(
                "轮岗分配、试驾顾问和检测工位只安排当天在岗的人。"
                "外出、休假、病假的人当天不会被分配客户。"
            ),
            self,
        )
        hint.setObjectName("HintText")
        hint.setWordWrap(True)
        box.addWidget(hint)
        may_edit = user.is_manager
        for button in (*self.mark_buttons.values(), self.pattern_button):
            button.setVisible(may_edit)
        self._update_buttons()

    # --- loading ---------------------------------------------------------------------------

    def set_store(self, store_id: uuid.UUID) -> None:
        self.store_id = store_id
        self.refresh()

    def refresh(self) -> None:
        store_id, start = self.store_id, self._start

        def work(session: Session) -> roster.RosterWeek:
            return roster.week(session, store_id, start)

        self.runner.read(work, self._loaded, self._failed)

    def _loaded(self, week: roster.RosterWeek) -> None:
        self._start = week.start
        self.model.set_week(week)
        end = week.start + timedelta(days=6)
        self.week_label.setText(
            self.tr("{start} – {end}").format(
                start=f"{week.start:%Y-%m-%d}", end=f"{end.month}/{end.day}"
            )
        )
        if week.start <= week.today <= end:
            counts = [
                self.tr("{role} {n} 人").format(
                    role=roles_label([role]), n=week.on_duty_count(week.today, role)
                )
                for role in (Role.SALES, Role.APPRAISER, Role.RECEPTION)
            ]
            self.today_label.setText(self.tr("今日在岗：") + " · ".join(counts))
        else:
            self.today_label.setText("")
        self._update_buttons()

    def show_this_week(self) -> None:
        self._start = None
        self.refresh()

    def move_week(self, days: int) -> None:
        if self._start is not None:
            self._start = self._start + timedelta(days=days)
        self.refresh()

    # --- editing ---------------------------------------------------------------------------

    def _selected_cells(self) -> list[tuple[roster.RosterRow, roster.DayCell]]:
        found = []
        for index in self.table.selectionModel().selectedIndexes():
            cell = self.model.cell(index)
            row = self.model.row_at(index.row())
            if cell is not None and row is not None:
                found.append((row, cell))
        return found

    def select_cell(self, staff_id: uuid.UUID, day: date) -> bool:
        """Select one person's day (keyboard users and tests)."""
        week = self.model.week
        if week is None or not week.start <= day <= week.start + timedelta(days=6):
            return False
        for n in range(self.model.rowCount()):
            row = self.model.row_at(n)
            if row is not None and row.staff_id == staff_id:
                column = FIRST_DAY_COLUMN + (day - week.start).days
                self.table.setCurrentIndex(self.model.index(n, column))
                return True
        return False

    def _update_buttons(self, *_args: object) -> None:
        cells = self._selected_cells()
        for button in self.mark_buttons.values():
            button.setEnabled(bool(cells))
        rows = {row.staff_id for row, _ in cells}
        self.pattern_button.setEnabled(len(rows) == 1)

    def mark_selected(self, mark: Any) -> None:
        cells = self._selected_cells()
        if not cells:
            return
        changes = [
            (row.staff_id, cell.day, status_for(mark, cell.pattern_on)) for row, cell in cells
        ]
        user, store_id = self.user, self.store_id
        today = self.model.week.today if self.model.week else None

        def work(session: Session) -> None:
            for staff_id, day, status in changes:
                roster.set_day(session, user, staff_id, day, status)
            if today in {day for _, day, _ in changes}:
                # Someone may have come on duty today: they take the head of the queue.
                reception.offer_waiting(session, user.actor, store_id)

        self.message.hide()
        self.runner.write(work, self._saved, self._failed)

    def edit_pattern(self) -> None:
        cells = self._selected_cells()
        if not cells:
            return
        row = cells[0][0]
        from ui.dialogs.staff_edit import WeeklyPatternDialog

        dialog = WeeklyPatternDialog(
            self.runner, self.user, row.staff_id, row.display_name, row.weekly_pattern, self
        )
        dialog.saved.connect(self._saved)
        self.pattern_dialog = dialog
        dialog.open()

    def _saved(self, _result: object = None) -> None:
        self.message.hide()
        self.changed.emit()
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(report_failure(exc))
        self.message.show()
