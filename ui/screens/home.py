"""今日概览: the store's day in a few figures, chosen for the signed-in role.

Reception sees arrivals and the waiting queue first, sales their test drives,
deposits and follow-ups, the appraiser the next inspection day; the manager sees
all of it. Figures reload when a related change is published and once a minute,
so the board stays true without anyone pressing a button. A manager also sees
the complaints past their response deadline, named, above the cards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from PySide6.QtCore import QDate, QLocale, QTime, QTimer
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from db.enums import Role, VisitStatus
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.money import format_yuan
from showroom.services import complaints as cp
from showroom.services.overview import Overview, today_overview
from showroom.users import StaffUser
from ui.clock import today_qdate
from ui.dialogs.complaint import complaints_text
from ui.errors import report_failure
from ui.screens.base import Screen
from ui.tasks import TaskRunner
from ui.widgets.cards import FigureCard
from ui.widgets.icons import icon

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

REFRESH_INTERVAL_MS = 60_000

CARDS_BY_ROLE: dict[Role, tuple[str, ...]] = {
    Role.MANAGER: ("visits", "test_drives", "deposits", "cars", "follow_ups", "inspection_day"),
    Role.RECEPTION: ("visits", "waiting", "test_drives", "inspection_day", "cars"),
    Role.SALES: ("visits", "waiting", "test_drives", "deposits", "follow_ups", "cars"),
    Role.APPRAISER: ("inspection_day", "cars", "visits"),
}
CARDS_BY_ROLE[Role.GROUP_MANAGER] = CARDS_BY_ROLE[Role.MANAGER]
COLUMNS = 3
GRID_UNITS = 6  # divisible by 1, 2 and 3 cards per row
MAX_CARDS = 6  # two rows at 1280x800


def cards_for(user: StaffUser) -> tuple[str, ...]:
    """The cards of every held role (managers first), at most two rows of them."""
    keys: list[str] = []
    for role in user.ordered_roles:
        own = CARDS_BY_ROLE.get(role, CARDS_BY_ROLE[Role.MANAGER])
        keys.extend(k for k in own if k not in keys)
    return tuple(keys[:MAX_CARDS]) or CARDS_BY_ROLE[Role.MANAGER]


class HomeScreen(Screen):
    """Today's figures as cards. Emits no signals."""

    topics: ClassVar[frozenset[str]] = frozenset(
        {
            "visits",
            "test_drives",
            "deposits",
            "vehicles",
            "follow_ups",
            "events",
            "registrations",
            "customers",
            "complaints",
        }
    )

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, runner, user, parent)
        top = QHBoxLayout()
        self.greeting = QLabel(self._greeting_text(), self)
        self.greeting.setObjectName("Greeting")
        top.addWidget(self.greeting)
        top.addStretch(1)
        self.updated_label = QLabel("", self)
        self.updated_label.setObjectName("CountLabel")
        top.addWidget(self.updated_label)
        self.refresh_button = QPushButton(icon("refresh"), self.tr("刷新"), self)
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.refresh_button)
        self.body.addLayout(top)

        self.date_label = QLabel(self._date_text(), self)
        self.date_label.setObjectName("PageSubtitle")
        self.body.addWidget(self.date_label)
        self.body.addSpacing(6)

        self.error_label = QLabel("", self)
        self.error_label.setObjectName("ErrorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.body.addWidget(self.error_label)

        self.complaints_label = QLabel("", self)
        self.complaints_label.setObjectName("ErrorText")
        self.complaints_label.setWordWrap(True)
        self.complaints_label.hide()
        self.body.addWidget(self.complaints_label)

        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(16)
        self.cards: dict[str, FigureCard] = {}
        keys = cards_for(user)
        for n, key in enumerate(keys):
            card = FigureCard(self._card_title(key), self._card_icon(key), self)
            self.cards[key] = card
            row, position = divmod(n, COLUMNS)
            # A short last row shares the full width, so no hole is left in the grid.
            in_row = min(COLUMNS, len(keys) - row * COLUMNS)
            span = GRID_UNITS // in_row
            grid.addWidget(card, row, position * span, 1, span)
        for column in range(GRID_UNITS):
            grid.setColumnStretch(column, 1)
        self.body.addLayout(grid)
        self.body.addStretch(1)

        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer)
        self._timer.start()
        self.refresh()

    # --- texts -------------------------------------------------------------------------

    def _greeting_text(self) -> str:
        hour = QTime.currentTime().hour()
        if 5 <= hour < 11:
            text = self.tr("早上好，{name}")
        elif 11 <= hour < 13:
            text = self.tr("中午好，{name}")
        elif 13 <= hour < 18:
            text = self.tr("下午好，{name}")
        else:
            text = self.tr("晚上好，{name}")
        return text.format(name=self.user.display_name)

    def _date_text(self) -> str:
        return QLocale().toString(today_qdate(), QLocale.FormatType.LongFormat)

    def _card_title(self, key: str) -> str:
        return {
            "visits": self.tr("今日到店"),
            "waiting": self.tr("正在等待接待"),
            "test_drives": self.tr("今日试驾"),
            "deposits": self.tr("有效意向金"),
            "cars": self.tr("在售车辆"),
            "follow_ups": self.tr("今日待回访"),
            "inspection_day": self.tr("下次透明检测日"),
        }[key]

    @staticmethod
    def _card_icon(key: str) -> str:
        return {
            "visits": "customers",
            "waiting": "user",
            "test_drives": "steering",
            "deposits": "money",
            "cars": "car",
            "follow_ups": "phone",
            "inspection_day": "calendar",
        }[key]

    # --- loading -----------------------------------------------------------------------

    def _on_timer(self) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        store_id = self.user.store_id

        def work(session: Session) -> Overview:
            return today_overview(session, store_id, utcnow())

        self.runner.read(work, self._show, self._on_failed)
        if self.user.has_any(Role.MANAGER, Role.GROUP_MANAGER):

            def late(session: Session) -> list[cp.ComplaintRow]:
                return cp.overdue(session, store_id, utcnow())

            self.runner.read(late, self._show_complaints, self._on_failed)

    def _show_complaints(self, rows: list[cp.ComplaintRow]) -> None:
        """Overdue complaints by number, owner and how late, or nothing at all."""
        if not rows:
            self.complaints_label.hide()
            return
        now = utcnow()
        named = "；".join(
            self.tr("{no}（{topic}，负责人 {owner}，超时 {hours} 小时）").format(
                no=r.complaint_no,
                topic=complaints_text(r.topic_label),
                owner=r.owner_name,
                hours=max(1, int((now - r.due_at).total_seconds() // 3600)),
            )
            for r in rows[:5]
        )
        more = self.tr("等") if len(rows) > 5 else ""
        self.complaints_label.setText(
            self.tr("{n} 条投诉已超过答复期限：{list}{more}。请到“投诉”处理。").format(
                n=len(rows), list=named, more=more
            )
        )
        self.complaints_label.show()

    def _on_failed(self, exc: BaseException) -> None:
        self.error_label.setText(report_failure(exc))
        self.error_label.show()

    def _show(self, ov: Overview) -> None:
        self.error_label.hide()
        self.greeting.setText(self._greeting_text())
        self.date_label.setText(self._date_text())
        self.updated_label.setText(
            self.tr("更新于 {time}").format(time=QTime.currentTime().toString("HH:mm"))
        )
        cards = self.cards
        if "visits" in cards:
            cards["visits"].set_value(str(ov.visits_today), "primary")
            cards["visits"].set_detail(
                self.tr("等待 {waiting} · 接待中 {serving} · 已离店 {left}").format(
                    waiting=ov.visitors_waiting,
                    serving=ov.visits_by_status.get(VisitStatus.WITH_CONSULTANT, 0)
                    + ov.visits_by_status.get(VisitStatus.TEST_DRIVING, 0),
                    left=ov.visits_by_status.get(VisitStatus.LEFT, 0),
                )
            )
        if "waiting" in cards:
            cards["waiting"].set_value(
                str(ov.visitors_waiting), "warning" if ov.visitors_waiting else "success"
            )
            cards["waiting"].set_detail(
                self.tr("请尽快安排顾问接待") if ov.visitors_waiting else self.tr("没有客户在等待")
            )
        if "test_drives" in cards:
            cards["test_drives"].set_value(str(ov.test_drives_today))
            cards["test_drives"].set_detail(
                self.tr("正在试驾 {count} 辆").format(count=ov.test_drives_out)
            )
        if "deposits" in cards:
            cards["deposits"].set_value(str(ov.active_deposits))
            cards["deposits"].set_detail(
                self.tr("合计 {amount}").format(amount=format_yuan(ov.active_deposits_sum))
            )
        if "cars" in cards:
            cards["cars"].set_value(f"{ov.cars_on_sale:,}")
            cards["cars"].set_detail(self.tr("已预订 {count} 辆").format(count=ov.cars_reserved))
        if "follow_ups" in cards:
            # What is overdue is due today as well: it belongs in today's count.
            overdue = ov.follow_ups_overdue
            cards["follow_ups"].set_value(
                str(ov.follow_ups_due_today + overdue), "warning" if overdue else ""
            )
            cards["follow_ups"].set_detail(
                self.tr("其中逾期 {count} 条").format(count=overdue)
                if overdue
                else self.tr("没有逾期的回访"),
                "danger" if overdue else "",
            )
        if "inspection_day" in cards:
            event = ov.next_inspection_day
            card = cards["inspection_day"]
            if event is None:
                card.set_value("—")
                card.set_detail(self.tr("暂无安排"))
            else:
                card.set_value(
                    self.tr("{taken} / {total} 位").format(
                        taken=event.seats_taken, total=event.seats_total
                    ),
                    "warning" if event.seats_left == 0 else "",
                )
                day = QLocale().toString(
                    QDate(event.event_date.year, event.event_date.month, event.event_date.day),
                    QLocale.FormatType.ShortFormat,
                )
                card.set_detail(
                    self.tr("{day} · 剩余 {left} 位 · 候补 {waiting} 人").format(
                        day=day, left=event.seats_left, waiting=event.waitlisted
                    )
                )
