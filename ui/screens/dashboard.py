"""经营看板 (manager): traffic, funnel, channels and platforms, consultants (chart and a
table with amounts and personal targets), lost-deal reasons, stock age, inspection
days, rates.

All figures come from one service call (``reports.compute_dashboard``) run off the
UI thread; while it runs the filter bar is disabled and a busy bar shows, and a
result that arrives after the filters changed again is dropped (only the newest
request is drawn). Each chart exports as PNG (the figure itself) and as CSV (the
numbers behind it, written by the service so the CSV matches the definitions).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING, ClassVar

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from db.enums import Role
from showroom.clock import utcnow
from showroom.context import AppContext
from showroom.services import reports, targets
from showroom.services.overview import store_zone
from showroom.services.reports import Dashboard
from showroom.services.stores import StoreInfo, list_stores
from showroom.sync import operations
from showroom.users import StaffUser
from ui.dialogs.targets import TargetsDialog
from ui.errors import error_text, is_expected, report_failure
from ui.screens.base import Screen
from ui.tasks import TaskRunner
from ui.widgets.cards import FigureCard
from ui.widgets.charts import ChartCard, empty_message
from ui.widgets.icons import icon
from ui.widgets.labels import SOURCE_CHANNELS
from ui.widgets.labels import label as code_label

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Loaded = tuple[
    int, Dashboard, dict[str, targets.Verdict], dict[uuid.UUID, dict[str, targets.Verdict]]
]
TargetsData = tuple[
    dict[str, targets.Target],
    list[tuple[uuid.UUID, str]],
    dict[uuid.UUID, dict[str, targets.Target]],
]
PRESETS = ("today", "week", "month", "last30", "year", "custom")
TONES = {targets.GOOD: "success", targets.WATCH: "warning", targets.BAD: "danger"}
CHART_COLUMNS = 2
# (row, column, column span) in the chart grid; rows 0 and 1 hold the figure cards,
# row 6 the consultants' table.
CHART_PLACES = {
    "traffic_day": (2, 0, 1),
    "traffic_hour": (2, 1, 1),
    "funnel": (3, 0, 1),
    "rates": (3, 1, 1),
    "channels": (4, 0, 1),
    "platforms": (4, 1, 1),
    "consultants": (5, 0, 2),
    "lost_reasons": (7, 0, 1),
    "stock_age": (7, 1, 1),
    "inspection_days": (8, 0, 1),
}
TABLE_ROW = 6
CELL_TONES = {targets.GOOD: "#2e7d32", targets.WATCH: "#b26a00", targets.BAD: "#c62828"}
# The consultants' table: header (source text, context DashboardScreen).
TABLE_COLUMNS = (
    QT_TRANSLATE_NOOP("DashboardScreen", "销售顾问"),
    QT_TRANSLATE_NOOP("DashboardScreen", "到店"),
    QT_TRANSLATE_NOOP("DashboardScreen", "意向客户"),
    QT_TRANSLATE_NOOP("DashboardScreen", "试驾"),
    QT_TRANSLATE_NOOP("DashboardScreen", "意向金"),
    QT_TRANSLATE_NOOP("DashboardScreen", "意向金金额"),
    QT_TRANSLATE_NOOP("DashboardScreen", "成交"),
    QT_TRANSLATE_NOOP("DashboardScreen", "成交金额"),
    QT_TRANSLATE_NOOP("DashboardScreen", "成交率"),
    QT_TRANSLATE_NOOP("DashboardScreen", "试驾成交率"),
    QT_TRANSLATE_NOOP("DashboardScreen", "成交目标"),
    QT_TRANSLATE_NOOP("DashboardScreen", "金额目标"),
)


def preset_range(preset: str, today: date) -> tuple[date, date]:
    """The local days a preset covers, ending today (a week starts on Monday)."""
    if preset == "today":
        return today, today
    if preset == "week":
        return today - timedelta(days=today.weekday()), today
    if preset == "month":
        return today.replace(day=1), today
    if preset == "last30":
        return today - timedelta(days=29), today
    if preset == "year":
        return today.replace(month=1, day=1), today
    raise ValueError(preset)


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _yuan(amount: object) -> str:
    return f"¥{float(str(amount)):,.0f}"


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class DashboardScreen(Screen):
    """The manager's charts with date and store filters. Emits no signals."""

    # Figures are heavy to compute: the manager refreshes by hand or by changing filters.
    topics: ClassVar[frozenset[str]] = frozenset()

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        user: StaffUser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, runner, user, parent)
        self.zone = store_zone(None)
        self.dashboard: Dashboard | None = None
        self.verdicts: dict[str, targets.Verdict] = {}
        self.consultant_verdicts: dict[uuid.UUID, dict[str, targets.Verdict]] = {}
        self.targets_dialog: TargetsDialog | None = None
        self._request = 0
        self._stores: list[StoreInfo] = []

        bar = QHBoxLayout()
        bar.setSpacing(8)
        bar.addWidget(QLabel(self.tr("时间"), self))
        self.preset_combo = QComboBox(self)
        for key, text in zip(
            PRESETS,
            (
                self.tr("今天"),
                self.tr("本周"),
                self.tr("本月"),
                self.tr("近30天"),
                self.tr("本年"),
                self.tr("自定义"),
            ),
            strict=True,
        ):
            self.preset_combo.addItem(text, key)
        bar.addWidget(self.preset_combo)
        self.start_edit = QDateEdit(self)
        self.end_edit = QDateEdit(self)
        for edit in (self.start_edit, self.end_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        bar.addWidget(self.start_edit)
        bar.addWidget(QLabel("—", self))
        bar.addWidget(self.end_edit)
        bar.addSpacing(12)
        bar.addWidget(QLabel(self.tr("门店"), self))
        self.store_combo = QComboBox(self)
        self.store_combo.setMinimumWidth(160)
        self.store_combo.addItem(self.tr("全部门店"), None)
        bar.addWidget(self.store_combo)
        self.refresh_button = QPushButton(icon("refresh"), self.tr("刷新"), self)
        bar.addWidget(self.refresh_button)
        self.targets_button = QPushButton(self.tr("经营目标…"), self)
        self.targets_button.setVisible(user.has_role(Role.MANAGER))
        self.targets_button.clicked.connect(self.open_targets)
        bar.addWidget(self.targets_button)
        bar.addStretch(1)
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)  # indeterminate: the database gives no progress
        self.busy_bar.setFixedWidth(140)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.hide()
        bar.addWidget(self.busy_bar)
        self.status_label = QLabel("", self)
        self.status_label.setObjectName("CountLabel")
        bar.addWidget(self.status_label)
        self.body.addLayout(bar)

        self.error_label = QLabel("", self)
        self.error_label.setObjectName("ErrorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.body.addWidget(self.error_label)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        inner = QWidget(scroll)
        inner.setObjectName("ScreenArea")
        grid = QGridLayout(inner)
        grid.setContentsMargins(0, 0, 8, 0)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(14)

        self.kpis: dict[str, FigureCard] = {}
        kpi_row = QHBoxLayout()
        kpi_row.setSpacing(14)
        for key, title, icon_name in (
            ("visits", self.tr("到店客流"), "customers"),
            ("conversion", self.tr("成交率"), "money"),
            ("revisit", self.tr("回访率"), "phone"),
            ("repurchase", self.tr("复购率"), "user"),
        ):
            card = FigureCard(title, icon_name, inner)
            card.setMinimumHeight(112)
            self.kpis[key] = card
            kpi_row.addWidget(card)
        grid.addLayout(kpi_row, 0, 0, 1, CHART_COLUMNS)
        more_row = QHBoxLayout()
        more_row.setSpacing(14)
        for key, title, icon_name in (
            ("new_customers", self.tr("新客户"), "user"),
            ("drive_to_deal", self.tr("试驾成交率"), "car"),
            ("lead_in_time", self.tr("线索及时响应率"), "phone"),
            ("deal_amount", self.tr("成交金额"), "money"),
        ):
            card = FigureCard(title, icon_name, inner)
            card.setMinimumHeight(112)
            self.kpis[key] = card
            more_row.addWidget(card)
        grid.addLayout(more_row, 1, 0, 1, CHART_COLUMNS)

        self.charts: dict[str, ChartCard] = {}
        titles = {
            "traffic_day": self.tr("每日到店"),
            "traffic_hour": self.tr("到店时段分布"),
            "funnel": self.tr("成交漏斗"),
            "consultants": self.tr("销售顾问对比"),
            "stock_age": self.tr("库龄分布"),
            "inspection_days": self.tr("透明检测日"),
            "rates": self.tr("关键比率"),
            "channels": self.tr("来源渠道转化"),
            "platforms": self.tr("线索平台转化"),
            "lost_reasons": self.tr("战败原因"),
        }
        for key in reports.CHARTS:
            chart = ChartCard(key, titles[key], inner)
            chart.export_png_requested.connect(self._ask_png)
            chart.export_csv_requested.connect(self._ask_csv)
            self.charts[key] = chart
            row, column, span = CHART_PLACES[key]
            grid.addWidget(chart, row, column, 1, span)
        self.consultant_table = QTableWidget(0, len(TABLE_COLUMNS), inner)
        self.consultant_table.setObjectName("ConsultantTable")
        self.consultant_table.setHorizontalHeaderLabels(
            [QCoreApplication.translate("DashboardScreen", text) for text in TABLE_COLUMNS]
        )
        self.consultant_table.verticalHeader().hide()
        self.consultant_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.consultant_table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = self.consultant_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.consultant_table.setMinimumHeight(260)
        grid.addWidget(self.consultant_table, TABLE_ROW, 0, 1, CHART_COLUMNS)
        for column in range(CHART_COLUMNS):
            grid.setColumnStretch(column, 1)
        scroll.setWidget(inner)
        self.body.addWidget(scroll, 1)

        today = utcnow().astimezone(self.zone).date()
        self.preset_combo.setCurrentIndex(PRESETS.index("month"))
        self._apply_preset(today)
        self.preset_combo.currentIndexChanged.connect(self._on_preset)
        self.start_edit.dateChanged.connect(self._on_custom_dates)
        self.end_edit.dateChanged.connect(self._on_custom_dates)
        self.store_combo.currentIndexChanged.connect(self.refresh)
        self.refresh_button.clicked.connect(self.refresh)
        self.runner.read(list_stores, self._show_stores, self._on_failed)
        self.refresh()

    # --- filters -------------------------------------------------------------------------

    def _today(self) -> date:
        return utcnow().astimezone(self.zone).date()

    def _apply_preset(self, today: date) -> None:
        preset = self.preset_combo.currentData()
        custom = preset == "custom"
        self.start_edit.setEnabled(custom)
        self.end_edit.setEnabled(custom)
        if not custom:
            start, end = preset_range(preset, today)
            for edit, day in ((self.start_edit, start), (self.end_edit, end)):
                edit.blockSignals(True)
                edit.setDate(_qdate(day))
                edit.blockSignals(False)

    def _on_preset(self) -> None:
        self._apply_preset(self._today())
        self.refresh()

    def _on_custom_dates(self) -> None:
        if self.preset_combo.currentData() == "custom":
            self.refresh()

    def _show_stores(self, stores: list[StoreInfo]) -> None:
        self._stores = stores
        current = self.store_combo.currentData()
        self.store_combo.blockSignals(True)
        while self.store_combo.count() > 1:
            self.store_combo.removeItem(1)
        for store in stores:
            self.store_combo.addItem(f"{store.name}（{store.code}）", store.id)
        if len(stores) == 1:
            # One store: "all stores" and that store are the same; show its name.
            self.store_combo.setCurrentIndex(1)
        elif current is not None:
            self.store_combo.setCurrentIndex(max(0, self.store_combo.findData(current)))
        self.store_combo.blockSignals(False)

    def selected_range(self) -> tuple[date, date]:
        return _pydate(self.start_edit.date()), _pydate(self.end_edit.date())

    def selected_stores(self) -> list[uuid.UUID] | None:
        store_id = self.store_combo.currentData()
        return None if store_id is None else [store_id]

    # --- loading -------------------------------------------------------------------------

    def refresh(self) -> None:
        start, end = self.selected_range()
        store_ids = self.selected_stores()
        today, zone = self._today(), self.zone
        self._request += 1
        request = self._request
        self._set_busy(True)

        def work(session: Session) -> Loaded:
            dashboard = reports.compute_dashboard(
                session, store_ids, start, end, today=today, zone=zone, now=utcnow()
            )
            goals = targets.list_targets(session, store_ids)
            personal = targets.list_consultant_targets(session, store_ids)
            return (
                request,
                dashboard,
                targets.evaluate(dashboard, goals),
                targets.evaluate_consultants(dashboard, personal),
            )

        self.runner.read(work, self._on_loaded, self._on_failed)

    def _set_busy(self, busy: bool) -> None:
        self.busy_bar.setVisible(busy)
        self.refresh_button.setEnabled(not busy)
        if busy:
            self.status_label.setText(self.tr("正在计算…"))

    def _on_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.status_label.setText("")
        self.error_label.setText(report_failure(exc))
        self.error_label.show()

    def _on_loaded(self, result: Loaded) -> None:
        request, dashboard, verdicts, personal = result
        if request != self._request:
            return  # the filters changed while this was computing
        self._set_busy(False)
        self.error_label.hide()
        self.dashboard = dashboard
        self.verdicts = verdicts
        self.consultant_verdicts = personal
        self.status_label.setText(
            self.tr("{start} 至 {end}").format(
                start=dashboard.start.isoformat(), end=dashboard.end.isoformat()
            )
        )
        self._show_kpis(dashboard)
        self.charts["traffic_day"].draw(lambda f: self._paint_traffic_day(f, dashboard))
        self.charts["traffic_hour"].draw(lambda f: self._paint_traffic_hour(f, dashboard))
        self.charts["funnel"].draw(lambda f: self._paint_funnel(f, dashboard))
        self.charts["consultants"].draw(lambda f: self._paint_consultants(f, dashboard))
        self.charts["stock_age"].draw(
            lambda f: self._paint_stock_age(f, dashboard),
            self.tr(
                "库龄按上架日期计算，为当前在库车辆；系统不保存调价记录，"
                "“平均让价”为期间售出车辆的标价与成交价之差，按售出时库龄分组。"
            ),
        )
        self.charts["inspection_days"].draw(
            lambda f: self._paint_inspection_days(f, dashboard),
            self.tr("收购：报名车辆（同车架号，无车架号时同车牌）在检测日后入库。"),
        )
        self.charts["rates"].draw(lambda f: self._paint_rates(f, dashboard))
        self.charts["channels"].draw(
            lambda f: self._paint_channels(f, dashboard.channels, True),
            self.tr("渠道为客户建档时登记的来源；成交率 = 成交 / 意向客户。"),
        )
        self.charts["platforms"].draw(
            lambda f: self._paint_channels(f, dashboard.platforms, False),
            self.tr("平台为客户到店前在该平台留下的线索；同一客户在多个平台留线索时各计一次。"),
        )
        self.charts["lost_reasons"].draw(lambda f: self._paint_lost_reasons(f, dashboard))
        self._fill_consultant_table(dashboard)

    def _show_kpis(self, d: Dashboard) -> None:
        self.kpis["visits"].set_value(f"{d.visits:,}", "primary")
        self.kpis["visits"].set_detail(
            self.tr("意向客户 {intent} · 试驾 {drives} · 成交 {deals}").format(
                intent=d.intent_customers, drives=d.test_drives, deals=d.deals
            )
        )
        for key, figure, detail in (
            ("conversion", d.conversion, self.tr("成交 {n} / 意向客户 {d}")),
            ("revisit", d.revisit, self.tr("已回访 {n} / 应回访 {d}")),
            ("repurchase", d.repurchase, self.tr("一年内再购 {n} / 购车客户 {d}")),
        ):
            self.kpis[key].set_value(_percent(figure.rate))
            self.kpis[key].set_detail(detail.format(n=figure.numerator, d=figure.denominator))
        self.kpis["new_customers"].set_value(f"{d.new_customers:,}", "primary")
        self.kpis["new_customers"].set_detail(
            self.tr("首次到店 · 到店客户 {n}").format(n=d.funnel[0].customers if d.funnel else 0)
        )
        self.kpis["drive_to_deal"].set_value(_percent(d.drive_to_deal.rate))
        self.kpis["drive_to_deal"].set_detail(
            self.tr("试驾后成交 {n} / 试驾客户 {d}").format(
                n=d.drive_to_deal.numerator, d=d.drive_to_deal.denominator
            )
        )
        lead = d.lead_response
        self.kpis["lead_in_time"].set_value(_percent(lead.in_time.rate))
        if lead.median_minutes is None:
            median = self.tr("中位 —")
        elif lead.median_minutes < 120:
            median = self.tr("中位 {m} 分钟").format(m=round(lead.median_minutes))
        else:
            median = self.tr("中位 {h} 小时").format(h=f"{lead.median_minutes / 60:.1f}")
        self.kpis["lead_in_time"].set_detail(
            self.tr("线索 {r} · {median} · 未响应 {u}").format(
                r=lead.received, median=median, u=lead.unanswered
            )
        )
        self.kpis["deal_amount"].set_value(_yuan(d.deal_amount), "primary")
        self.kpis["deal_amount"].set_detail(
            self.tr("成交 {n} 台 · 意向金 {deposits}").format(
                n=d.deals, deposits=_yuan(d.deposit_amount)
            )
        )
        # Against the manager's targets: green at or above, red below the warning level.
        for key in (
            "visits",
            "conversion",
            "revisit",
            "repurchase",
            "new_customers",
            "drive_to_deal",
            "lead_in_time",
        ):
            verdict, card = self.verdicts.get(key), self.kpis[key]
            if verdict is None:
                continue  # no target: the card keeps its plain look
            tone = TONES[verdict.status] if verdict.status else ""
            if tone:  # no figure (nothing due): the plain look, the target still said
                card.set_value(card.value_label.text(), tone)
            # Counts are pro-rated to the days shown: said in whole visitors, not 2246.7.
            count = key in ("visits", "new_customers")
            if key == "visits":
                goal = self.tr("目标 {t} 批").format(t=f"{round(verdict.target):,}")
            elif count:
                goal = self.tr("目标 {t} 人").format(t=f"{round(verdict.target):,}")
            else:
                goal = self.tr("目标 {t:g}%").format(t=verdict.target)
            if verdict.warning is not None:
                warning = f"{round(verdict.warning):,}" if count else f"{verdict.warning:g}"
                goal += self.tr(" · 预警 {w}").format(w=warning)
            card.set_detail(card.detail_label.text() + "\n" + goal, tone)

    # --- painters ------------------------------------------------------------------------

    def _paint_traffic_day(self, figure: Figure, d: Dashboard) -> None:
        ax = figure.add_subplot()
        ax.set_title(self.tr("每日到店（批次）"))
        days = [x.day for x in d.traffic_by_day]
        counts = [x.visits for x in d.traffic_by_day]
        if len(days) <= 62:
            ax.bar(range(len(days)), counts, color="#1f4e79", width=0.7)
        else:
            ax.plot(range(len(days)), counts, color="#1f4e79", linewidth=1.4)
            ax.fill_between(range(len(days)), counts, color="#1f4e79", alpha=0.12)
        step = max(1, len(days) // 8)
        ticks = list(range(0, len(days), step))
        ax.set_xticks(ticks, [days[i].strftime("%m-%d") for i in ticks])
        ax.set_ylabel(self.tr("批次"))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # whole counts
        ax.set_ylim(bottom=0)
        visits = self.verdicts.get("visits")
        if visits is not None and days:  # the day's share of the target, as a line
            per_day = visits.target / len(days)
            ax.axhline(
                per_day,
                color="#c62828",
                linestyle="--",
                linewidth=1.4,
                label=self.tr("日目标 {n:.1f}").format(n=per_day),
            )
            ax.set_ylim(0, max([per_day, *counts]) * 1.2)  # the line stays in view
            ax.legend(loc="upper left", fontsize=8, frameon=False)

    def _paint_traffic_hour(self, figure: Figure, d: Dashboard) -> None:
        ax = figure.add_subplot()
        ax.set_title(self.tr("到店时段（北京时间）"))
        ax.bar(range(24), d.traffic_by_hour, color="#f5b301", width=0.75)
        ax.set_xticks(range(0, 24, 2), [self.tr("{h}时").format(h=h) for h in range(0, 24, 2)])
        ax.set_xlim(-0.6, 23.6)
        ax.set_ylabel(self.tr("批次"))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # whole counts

    def _paint_funnel(self, figure: Figure, d: Dashboard) -> None:
        ax = figure.add_subplot()
        ax.set_title(self.tr("到店 → 试驾 → 意向金 → 成交（客户数）"))
        names = {
            "visit": self.tr("到店"),
            "test_drive": self.tr("试驾"),
            "deposit": self.tr("意向金"),
            "contract": self.tr("成交"),
        }
        steps = list(d.funnel)
        labels = [names[s.key] for s in steps]
        values = [s.customers for s in steps]
        positions = list(range(len(steps)))[::-1]
        ax.barh(positions, values, color=["#1f4e79", "#3d6f9e", "#f5b301", "#2e7d32"], height=0.62)
        ax.set_yticks(positions, labels)
        ax.grid(False)
        ax.grid(True, axis="x", color="#e9edf2")
        top = max(values) if values and max(values) else 1
        ax.set_xlim(0, top * 1.3)
        for pos, value, n in zip(positions, values, range(len(values)), strict=True):
            text = f"{value:,}"
            if n and values[0]:
                # Share of the customers who came in: steps are counted independently,
                # so step-to-step ratios can exceed 100 % and would mislead.
                text += self.tr("（到店的 {rate}）").format(rate=_percent(value / values[0]))
            ax.text(value + top * 0.01, pos, text, va="center", fontsize=9)

    def _paint_consultants(self, figure: Figure, d: Dashboard) -> None:
        ax = figure.add_subplot()
        ax.set_title(self.tr("销售顾问：到店、试驾、意向金、成交与成交率"))
        people = [c for c in d.consultants if c.consultant_id is not None][:12]
        if not people:
            empty_message(ax, self.tr("所选时间内没有销售顾问的记录"))
            return
        series = (
            (self.tr("到店"), [c.visits for c in people]),
            (self.tr("试驾"), [c.test_drives for c in people]),
            (self.tr("意向金"), [c.deposits for c in people]),
            (self.tr("成交"), [c.deals for c in people]),
        )
        width = 0.8 / len(series)
        for n, (label, values) in enumerate(series):
            bars = ax.bar(
                [i + (n - 1.5) * width for i in range(len(people))], values, width, label=label
            )
            ax.bar_label(bars, fontsize=8, padding=1)
        ax.set_xticks(range(len(people)), [c.name for c in people])
        ax.set_ylabel(self.tr("数量"))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # whole counts
        rate_ax = ax.twinx()
        rates = [(c.conversion or 0) * 100 for c in people]
        rate_ax.plot(
            range(len(people)), rates, color="#c62828", marker="o", label=self.tr("成交率")
        )
        rate_ax.set_ylabel(self.tr("成交率 %"))
        rate_ax.set_ylim(0, max(max(rates) * 1.25, 10))
        rate_ax.grid(False)
        rate_ax.spines["right"].set_visible(True)
        handles, labels = ax.get_legend_handles_labels()
        more_handles, more_labels = rate_ax.get_legend_handles_labels()
        ax.legend(handles + more_handles, labels + more_labels, loc="upper right", ncols=5)
        ax.set_ylim(0, max(max(v) for _, v in series) * 1.25 + 1)

    def _paint_stock_age(self, figure: Figure, d: Dashboard) -> None:
        ax = figure.add_subplot()
        ax.set_title(self.tr("在库车辆库龄（天）与平均让价"))
        labels = [self.tr("{range} 天").format(range=b.label) for b in d.stock_age]
        cars = [b.cars for b in d.stock_age]
        colours = ["#2e7d32", "#f5b301", "#e07b00", "#c62828"]
        bars = ax.bar(range(len(cars)), cars, color=colours, width=0.6)
        ax.set_xticks(range(len(cars)), labels)
        ax.set_ylabel(self.tr("车辆数"))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # whole counts
        ax.set_ylim(0, (max(cars) if cars and max(cars) else 1) * 1.3)
        for bar, bucket in zip(bars, d.stock_age, strict=True):
            price = (
                self.tr("均价 {p} 万").format(p=f"{bucket.average_list_price / 10000:.1f}")
                if bucket.average_list_price is not None
                else ""
            )
            ax.annotate(
                f"{bucket.cars:,}\n{price}",
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom",
                fontsize=8,
            )
        cut_ax = ax.twinx()
        cuts = [float(b.average_discount or 0) for b in d.stock_age]
        cut_ax.plot(
            range(len(cuts)), cuts, color="#1f4e79", marker="s", label=self.tr("平均让价（元）")
        )
        cut_ax.set_ylabel(self.tr("平均让价（元）"))
        cut_ax.set_ylim(0, max(max(cuts) * 1.3, 100))
        cut_ax.grid(False)
        cut_ax.spines["right"].set_visible(True)
        cut_ax.legend(loc="upper right")

    def _paint_inspection_days(self, figure: Figure, d: Dashboard) -> None:
        ax = figure.add_subplot()
        ax.set_title(self.tr("透明检测日：报名、到场、检测、收购"))
        events = list(d.inspection_days)[-8:]
        if not events:
            empty_message(ax, self.tr("所选时间内没有透明检测日"))
            return
        series = (
            (self.tr("报名"), [e.registered for e in events]),
            (self.tr("到场"), [e.showed for e in events]),
            (self.tr("已检测"), [e.inspected for e in events]),
            (self.tr("收购"), [e.bought_in for e in events]),
        )
        width = 0.8 / len(series)
        for n, (label, values) in enumerate(series):
            bars = ax.bar(
                [i + (n - 1.5) * width for i in range(len(events))], values, width, label=label
            )
            ax.bar_label(bars, fontsize=8, padding=1)
        ax.set_xticks(range(len(events)), [e.event_date.strftime("%m-%d") for e in events])
        ax.set_ylabel(self.tr("人数"))
        ax.legend(loc="upper left", ncols=4)
        ax.set_ylim(0, max(max(v) for _, v in series) * 1.3 + 1)

    def _paint_rates(self, figure: Figure, d: Dashboard) -> None:
        ax = figure.add_subplot()
        ax.set_title(self.tr("关键比率（%）"))
        rows = (
            (self.tr("成交率"), d.conversion, self.tr("成交 / 意向客户")),
            (self.tr("回访率"), d.revisit, self.tr("已回访 / 应回访")),
            (self.tr("复购率"), d.repurchase, self.tr("一年内再购 / 购车客户")),
            (self.tr("试驾成交率"), d.drive_to_deal, self.tr("试驾后成交 / 试驾客户")),
            (self.tr("线索及时响应率"), d.lead_response.in_time, self.tr("及时 / 应响应")),
        )
        positions = list(range(len(rows)))[::-1]
        values = [(figure.rate or 0) * 100 for _, figure, _ in rows]
        colours = ["#1f4e79", "#2e7d32", "#f5b301", "#3d6f9e", "#8e5bb5"]
        ax.barh(positions, values, color=colours, height=0.55)
        ax.set_yticks(positions, [label for label, _, _ in rows])
        ax.set_xlim(0, 115)
        ax.grid(False)
        ax.grid(True, axis="x", color="#e9edf2")
        keys = ("conversion", "revisit", "repurchase", "drive_to_deal", "lead_in_time")
        for pos, key in zip(positions, keys, strict=True):
            verdict = self.verdicts.get(key)
            if verdict is not None:  # the target as a red dashed line across its bar
                ax.plot(
                    [verdict.target, verdict.target],
                    [pos - 0.38, pos + 0.38],
                    color="#c62828",
                    linestyle="--",
                    linewidth=1.6,
                )
        for pos, (_, figure, meaning) in zip(positions, rows, strict=True):
            ax.text(
                (figure.rate or 0) * 100 + 1.5,
                pos,
                f"{_percent(figure.rate)}  {meaning} {figure.numerator}/{figure.denominator}",
                va="center",
                fontsize=9,
            )

    def _paint_channels(
        self, figure: Figure, rows: tuple[reports.ChannelFigures, ...], channels: bool
    ) -> None:
        ax = figure.add_subplot()
        ax.set_title(
            self.tr("按来源渠道：意向客户、成交与成交率")
            if channels
            else self.tr("按线索平台：意向客户、成交与成交率")
        )
        shown = list(rows)[:8]
        if not shown:
            empty_message(
                ax,
                self.tr("所选时间内没有意向客户")
                if channels
                else self.tr("所选时间内没有来自线索平台的客户"),
            )
            return
        names = [code_label(SOURCE_CHANNELS, r.key) if channels else r.key for r in shown]
        positions = list(range(len(shown)))[::-1]
        customers = [r.customers for r in shown]
        deals = [r.deals for r in shown]
        ax.barh(
            [p + 0.2 for p in positions],
            customers,
            0.38,
            color="#1f4e79",
            label=self.tr("意向客户"),
        )
        ax.barh([p - 0.2 for p in positions], deals, 0.38, color="#2e7d32", label=self.tr("成交"))
        ax.set_yticks(positions, names)
        top = max([*customers, *deals, 1])
        ax.set_xlim(0, top * 1.45)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(False)
        ax.grid(True, axis="x", color="#e9edf2")
        for pos, row in zip(positions, shown, strict=True):
            ax.text(
                max(row.customers, row.deals) + top * 0.02,
                pos,
                f"{row.customers:,} / {row.deals:,}  {_percent(row.conversion)}",
                va="center",
                fontsize=8,
            )
        ax.legend(loc="lower right", fontsize=8, frameon=False)

    def _paint_lost_reasons(self, figure: Figure, d: Dashboard) -> None:
        ax = figure.add_subplot()
        ax.set_title(self.tr("战败原因（离店时与回访时登记）"))
        shown = list(d.lost_reasons)[:10]
        if not shown:
            empty_message(ax, self.tr("所选时间内没有登记战败原因"))
            return
        positions = list(range(len(shown)))[::-1]
        checkout = [r.at_checkout for r in shown]
        follow = [r.at_follow_up for r in shown]
        ax.barh(positions, checkout, 0.6, color="#c62828", label=self.tr("离店时"))
        ax.barh(positions, follow, 0.6, left=checkout, color="#f5b301", label=self.tr("回访时"))
        ax.set_yticks(positions, [r.reason for r in shown])
        top = max(r.total for r in shown) or 1
        ax.set_xlim(0, top * 1.2)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(False)
        ax.grid(True, axis="x", color="#e9edf2")
        for pos, row in zip(positions, shown, strict=True):
            ax.text(row.total + top * 0.01, pos, f"{row.total:,}", va="center", fontsize=8)
        ax.legend(loc="lower right", fontsize=8, frameon=False)

    def _fill_consultant_table(self, d: Dashboard) -> None:
        table = self.consultant_table
        people = list(d.consultants)
        table.setRowCount(len(people))
        for row, c in enumerate(people):
            goals = self.consultant_verdicts.get(c.consultant_id) if c.consultant_id else None
            cells = [
                c.name or self.tr("未分配"),
                f"{c.visits:,}",
                f"{c.intent_customers:,}",
                f"{c.test_drives:,}",
                f"{c.deposits:,}",
                _yuan(c.deposit_amount),
                f"{c.deals:,}",
                _yuan(c.deal_amount),
                _percent(c.conversion),
                _percent(c.drive_to_deal),
                "",
                "",
            ]
            tones: dict[int, str] = {}
            for column, metric in ((10, "deals"), (11, "amount")):
                verdict = goals.get(metric) if goals else None
                if verdict is None:
                    cells[column] = "—"
                    continue
                target = (
                    f"{round(verdict.target):,}"
                    if metric == "deals"
                    else _yuan(round(verdict.target))
                )
                cells[column] = self.tr("目标 {t}").format(t=target)
                if verdict.status:
                    tones[column] = tones[column - 4 if metric == "deals" else 7] = verdict.status
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if column in tones:
                    item.setForeground(QColor(CELL_TONES[tones[column]]))
                table.setItem(row, column, item)
        rows_height = sum(table.rowHeight(r) for r in range(len(people)))
        table.setMinimumHeight(
            min(520, max(140, rows_height + table.horizontalHeader().height() + 8))
        )

    # --- export --------------------------------------------------------------------------

    def _file_stem(self, key: str) -> str:
        start, end = self.selected_range()
        return f"{key}_{start:%Y%m%d}-{end:%Y%m%d}"

    def _ask_png(self, key: str) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("导出图片"), self._file_stem(key) + ".png", self.tr("PNG 图片 (*.png)")
        )
        if path:
            self.export_png(key, path)

    def _ask_csv(self, key: str) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("导出数据"), self._file_stem(key) + ".csv", self.tr("CSV 文件 (*.csv)")
        )
        if path:
            self.export_csv(key, path)

    def export_png(self, key: str, path: str) -> None:
        try:
            self.charts[key].save_png(path)
        except OSError as exc:
            self._export_failed(exc)
        else:
            self.status_label.setText(self.tr("已导出：{path}").format(path=path))

    def export_csv(self, key: str, path: str) -> None:
        if self.dashboard is None:
            return
        header, rows = reports.chart_rows(self.dashboard, key)
        try:
            reports.write_csv(path, header, rows)
        except OSError as exc:
            self._export_failed(exc)
        else:
            self.status_label.setText(self.tr("已导出：{path}").format(path=path))

    def _export_failed(self, exc: OSError) -> None:
        self.error_label.setText(
            self.tr("无法保存文件：{reason}").format(reason=exc.strerror or str(exc))
        )
        self.error_label.show()

    # --- targets (manager) ---------------------------------------------------------------

    def open_targets(self) -> None:
        store_id = self.user.store_id

        def work(session: Session) -> TargetsData:
            return (
                targets.list_targets(session, [store_id]),
                targets.store_consultants(session, store_id),
                targets.list_consultant_targets(session, [store_id]),
            )

        self.runner.read(work, self._show_targets, self._on_failed)

    def _show_targets(self, data: TargetsData) -> None:
        current, consultants, personal = data
        dialog = TargetsDialog(current, self, consultants, personal)
        self.targets_dialog = dialog
        dialog.accepted.connect(self._on_targets_accepted)
        dialog.open()

    def _on_targets_accepted(self) -> None:
        dialog = self.targets_dialog
        if dialog is None:
            return

        def failed(exc: BaseException) -> None:
            if is_expected(exc):
                dialog.show_error(error_text(exc))
                dialog.open()  # the numbers are still there
            else:
                self._on_failed(exc)

        payload = {
            "user": operations.user_payload(self.user),
            "targets": [{"metric": m, "target": t, "warning": w} for m, t, w in dialog.values()],
            "consultants": [
                {"staff_id": str(staff_id), "metric": m, "target": t, "warning": w}
                for staff_id, m, t, w in dialog.consultant_values()
            ],
        }
        self.runner.submit(
            "dashboard.targets_save", payload, self._on_targets_saved, self._on_failed, failed
        )

    def _on_targets_saved(self, _saved: object) -> None:
        self.status_label.setText(self.tr("经营目标已保存"))
        self.refresh()
