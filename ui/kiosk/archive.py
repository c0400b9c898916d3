"""One car's archive on the kiosk: big swipeable photos, the facts, the history, the price.

Only ``showroom.services.kiosk`` is asked, so the archive here never holds a cost
price, private price line, VIN, plate, 证件 photo or evidence file. Photos come in
category order (外观, 内饰, 发动机舱, 底盘, 细节, 瑕疵); the third-party report opens as
its pages on this screen (``ui.kiosk.report``). The page follows the change bus: if the
car is sold (or taken off sale) while a customer looks at it, what was shown stays
readable, a banner says so, and booking and comparing are switched off.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from showroom.changes import ChangeBus
from showroom.context import AppContext
from showroom.documents.qr import qr_png
from showroom.errors import NotFoundError
from showroom.money import format_yuan
from showroom.services import kiosk as kiosk_service
from showroom.services import stores
from showroom.services.vehicle_archive import VehicleArchive
from showroom.vehicle_links import STORE_NETWORK, CarLink
from ui.kiosk import wording
from ui.kiosk.pages import KioskPage, orient
from ui.kiosk.report import KioskReportView
from ui.screens.vehicle_archive import basic_facts
from ui.tasks import TaskRunner
from ui.widgets.changes import ChangeRelay
from ui.widgets.comparison import ComparisonBasket
from ui.widgets.photos import PhotoLoader, PhotoStrip, PhotoStripModel, PhotoViewer
from ui.widgets.vehicle_labels import GRADES, HISTORY_KINDS, PROMISES, vlabel, vword

log = logging.getLogger("showroom.kiosk")

DbSession = Any

_STYLE = """
QLabel#kioskArchiveTitle { font-size: 38px; font-weight: bold; color: #111827; }
QLabel#kioskArchivePrice { font-size: 48px; font-weight: bold; color: #C81E1E; }
QLabel#kioskFactKey { font-size: 22px; color: #6B7280; }
QLabel#kioskFactValue { font-size: 26px; font-weight: bold; color: #111827; }
QLabel#kioskSection { font-size: 28px; font-weight: bold; color: #111827; padding-top: 12px; }
QLabel#kioskText { font-size: 22px; color: #1F2937; }
QLabel#kioskPromise { font-size: 22px; font-weight: bold; color: #047857;
    background: #ECFDF5; border-radius: 10px; padding: 8px 14px; }
QLabel#kioskGone { font-size: 26px; font-weight: bold; color: #FFFFFF;
    background: #B91C1C; border-radius: 10px; padding: 14px; }
QPushButton { font-size: 26px; }
"""


class KioskArchivePage(KioskPage):
    """The car a customer tapped.

    Signals: ``navigate(str)`` (see ``KioskPage``); ``bookRequested(str)`` with the car's
    stock number; ``loanRequested(object)`` with its price (Decimal); both for the window.
    """

    bookRequested = Signal(str)  # noqa: N815 - Qt's signal naming
    loanRequested = Signal(object)  # noqa: N815 - Qt's signal naming

    def __init__(
        self,
        runner: TaskRunner,
        basket: ComparisonBasket,
        parent: QWidget | None = None,
        *,
        bus: ChangeBus | None = None,
        car_links: Any = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("kioskArchivePage")
        self.setStyleSheet(_STYLE)
        self._runner = runner
        self.basket = basket
        # stock_no -> showroom.vehicle_links.CarLink; may ask the network (runs in a worker).
        self._car_links = car_links
        self.vehicle_id: uuid.UUID | None = None
        self.car: VehicleArchive | None = None
        self.report_button: QPushButton | None = None
        self._full = False
        self.gone = False
        self._generation = 0
        basket.changed.connect(self._update_buttons)

        self.loader = PhotoLoader(runner, self._fetcher, self)

        # --- photos -------------------------------------------------------------------------
        self.viewer = PhotoViewer(self.loader, self)
        self.viewer.setMinimumSize(800, 560)
        self.viewer.problem.connect(lambda text: self.message.setText(text))
        self.strip_model = PhotoStripModel(self.loader, self, captions=False)
        self.strip = PhotoStrip(
            self.strip_model, self.viewer, QSize(172, 132), 150, self, touch=True
        )
        self.full_button = QPushButton(self.tr("全屏看图"), self)
        self.full_button.setObjectName("kioskSecondaryButton")
        self.full_button.setMinimumSize(200, 64)
        self.full_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.full_button.clicked.connect(self.toggle_full_screen)
        self.hint = QLabel(self.tr("左右滑动查看更多照片"), self)
        self.hint.setObjectName("kioskText")
        photo_bar = QHBoxLayout()
        photo_bar.addWidget(self.hint)
        photo_bar.addStretch(1)
        photo_bar.addWidget(self.full_button)
        self.photo_panel = QWidget(self)
        left = QVBoxLayout(self.photo_panel)
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.viewer, 1)
        left.addWidget(self.strip)
        left.addLayout(photo_bar)

        # --- facts --------------------------------------------------------------------------
        self.gone_banner = QLabel("", self)
        self.gone_banner.setObjectName("kioskGone")
        self.gone_banner.setWordWrap(True)
        self.gone_banner.hide()
        self.title = QLabel("", self)
        self.title.setObjectName("kioskArchiveTitle")
        self.title.setWordWrap(True)
        self.trim = QLabel("", self)
        self.trim.setObjectName("kioskText")
        self.trim.setWordWrap(True)
        self.price = QLabel("", self)
        self.price.setObjectName("kioskArchivePrice")
        self.details = QWidget(self)
        self.details_layout = QVBoxLayout(self.details)
        self.details_layout.setContentsMargins(0, 0, 12, 0)
        scroll = QScrollArea(self)
        scroll.setWidget(self.details)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        QScroller.grabGesture(
            scroll.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture
        )
        self.qr = QLabel(self)
        self.qr.setFixedSize(150, 150)
        self.qr.setScaledContents(True)
        self.qr_caption = QLabel("", self)
        self.qr_caption.setObjectName("kioskText")
        price_row = QHBoxLayout()
        price_col = QVBoxLayout()
        price_col.addWidget(self.title)
        price_col.addWidget(self.trim)
        price_col.addWidget(self.price)
        price_row.addLayout(price_col, 1)
        price_row.addWidget(self.qr)
        price_row.addWidget(self.qr_caption)
        self.info_panel = QWidget(self)
        right = QVBoxLayout(self.info_panel)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.gone_banner)
        right.addLayout(price_row)
        right.addWidget(scroll, 1)

        self.report_view = KioskReportView(runner, self)
        self.report_view.hide()
        self.report_view.closed.connect(self.close_report)

        # Photos beside the facts, or above them on a portrait screen.
        body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._body = body
        body.setSpacing(32)
        body.addWidget(self.photo_panel, 11)
        body.addWidget(self.info_panel, 9)
        body.addWidget(self.report_view, 20)

        # --- actions ------------------------------------------------------------------------
        self.back_button = self._button(self.tr("返回车辆列表"), "kioskSecondaryButton")
        self.back_button.clicked.connect(lambda: self.navigate.emit("browse"))
        self.compare_button = self._button(self.tr("加入对比"), "kioskSecondaryButton")
        self.compare_button.clicked.connect(self.add_to_comparison)
        self.open_compare = self._button("", "kioskSecondaryButton")
        self.open_compare.clicked.connect(lambda: self.navigate.emit("compare"))
        self.loan_button = self._button(self.tr("算算月供"), "kioskSecondaryButton")
        self.loan_button.clicked.connect(self._loan)
        self.book_button = self._button(self.tr("预约试驾"), "kioskPrimaryButton")
        self.book_button.clicked.connect(self._book)
        self.message = QLabel("", self)
        self.message.setObjectName("kioskText")
        self.message.setWordWrap(True)
        nav = QHBoxLayout()
        nav.setSpacing(20)
        nav.addWidget(self.back_button)
        nav.addWidget(self.message, 1)
        buttons = QHBoxLayout()
        buttons.setSpacing(20)
        buttons.addStretch(1)
        for button in (self.compare_button, self.open_compare, self.loan_button, self.book_button):
            buttons.addWidget(button)
        # One bar on a landscape screen; two rows on a portrait one, where it would not fit.
        actions = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._actions = actions
        actions.addLayout(nav, 1)
        actions.addLayout(buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 20, 40, 20)
        layout.setSpacing(16)
        layout.addLayout(body, 1)
        layout.addLayout(actions)
        self._relay: ChangeRelay | None = None
        if bus is not None:
            self._follow(bus)
        self._update_buttons()

    def attach(self, context: AppContext) -> None:
        self._follow(context.bus)

    def _follow(self, bus: ChangeBus) -> None:
        """Reload when the car changes (sold meanwhile); the bus exists once the database does."""
        if self._relay is not None:
            self._relay.close()
            self._relay.deleteLater()
        self._relay = ChangeRelay(bus, self)
        self._relay.changed.connect(self._on_changed)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        orient(self._body, event.size())
        orient(self._actions, event.size())
        super().resizeEvent(event)

    def _button(self, text: str, name: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setMinimumSize(200, 80)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return button

    def _fetcher(self, sha: str) -> Any:
        vehicle_id = self.vehicle_id

        def fetch(session: DbSession) -> bytes:
            assert vehicle_id is not None
            return kiosk_service.public_photo(session, vehicle_id, sha)

        return fetch

    # --- page life ---------------------------------------------------------------------------

    def show_car(self, vehicle_id: uuid.UUID) -> None:
        """Load ``vehicle_id``; the window opens the page afterwards."""
        if vehicle_id != self.vehicle_id:
            self._clear()
        self.vehicle_id = vehicle_id
        self.reload()

    def reload(self) -> None:
        if self.vehicle_id is None:
            return
        self._generation += 1
        generation, vehicle_id = self._generation, self.vehicle_id

        def work(session: DbSession) -> tuple[int, VehicleArchive]:
            return generation, kiosk_service.public_archive(session, vehicle_id)

        self._runner.read(work, self._loaded, lambda exc: self._failed(generation, exc))

    def reset(self) -> None:
        self._generation += 1
        self._clear()
        self.vehicle_id = None

    def _clear(self) -> None:
        self.car = None
        self.gone = False
        self.gone_banner.hide()
        self.message.clear()
        self.title.clear()
        self.trim.clear()
        self.price.clear()
        self.qr.clear()
        self.qr_caption.clear()
        self.viewer.set_photos([])
        self.strip_model.set_photos([])
        self.close_report()
        self._fill_details(None)
        self._set_full_screen(False)
        self._update_buttons()

    def _on_changed(self, topics: frozenset[str]) -> None:
        if self.vehicle_id is None:
            return
        if f"vehicle:{self.vehicle_id}" in topics or "vehicles" in topics:
            self.reload()

    def _loaded(self, result: tuple[int, VehicleArchive]) -> None:
        generation, car = result
        if generation != self._generation:
            return
        self.car = car
        self.gone = False
        self.gone_banner.hide()
        # Brand and model large on one line, the version under it: no break inside a word.
        self.title.setText(f"{car.brand} {car.model}")
        self.trim.setText(car.title.removeprefix(f"{car.brand} {car.model}").strip())
        self.price.setText(wording.price(car.list_price))  # 15.65万 / ¥156,500
        # Captions are typed by staff; the usual ones read in the customer's language.
        photos = [replace(photo, caption=vword(photo.caption)) for photo in car.photos]
        self.viewer.set_photos(photos, self.viewer.index)
        self.strip_model.set_photos(photos)
        self._fill_details(car)
        self._make_qr(car.stock_no)
        self._update_buttons()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        if isinstance(exc, NotFoundError):
            # Sold or taken off sale while on screen: keep it readable, stop the booking.
            self.gone = True
            self.gone_banner.setText(
                self.tr("这辆车刚刚已售出或暂停展示，不能再预约试驾或加入对比。请看看其他车辆。")
            )
            self.gone_banner.show()
            if self.vehicle_id is not None:
                self.basket.remove(self.vehicle_id)
        else:
            log.error("kiosk archive failed:\n%s", getattr(exc, "__showroom_trace__", repr(exc)))
            self.message.setText(self.tr("暂时无法加载车辆信息，请稍后再试或咨询工作人员"))
        self._update_buttons()

    def _make_qr(self, stock_no: str) -> None:
        links = self._car_links
        self.qr.clear()
        self.qr_caption.clear()
        if links is None:
            return
        generation = self._generation

        def work(session: DbSession) -> tuple[CarLink, bytes]:
            # The store profile's car-page address first; may ask the store network.
            link = links(stock_no, stores.car_store_url(session, stock_no))
            return link, qr_png(link.url, 8) if link.url else b""

        def done(result: tuple[CarLink, bytes]) -> None:
            if generation != self._generation:
                return  # another car is on screen now
            link, png = result
            if link.url is None:
                # A code that opens nothing would send the customer away with nothing.
                self.qr.hide()
                self.qr_caption.setText(self.tr("手机看车暂未开通\n请咨询工作人员"))
                return
            pixmap = QPixmap()
            pixmap.loadFromData(png)
            self.qr.setPixmap(pixmap)
            self.qr.show()
            self.qr_caption.setText(
                self.tr("连上门店 Wi-Fi\n手机扫码带走这辆车的档案")
                if link.kind == STORE_NETWORK
                else self.tr("手机扫码\n带走这辆车的档案")
            )

        self._runner.read(work, done, lambda exc: log.warning("kiosk QR failed: %r", exc))

    # --- details --------------------------------------------------------------------------

    def _fill_details(self, car: VehicleArchive | None) -> None:
        layout = self.details_layout
        self.report_button = None
        while layout.count():
            item = layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()  # now: deleteLater waits for the event loop
                widget.deleteLater()
            elif item.layout() is not None:
                self._drop_layout(item.layout())
        if car is None:
            return
        # Two badges a row: three side by side are cut off in English or on a narrow panel.
        promises = QGridLayout()
        for number, promise in enumerate(car.promises):
            badge = QLabel("✓ " + vlabel(PROMISES, promise), self.details)
            badge.setObjectName("kioskPromise")
            promises.addWidget(badge, number // 2, number % 2)
        promises.setColumnStretch(2, 1)
        layout.addLayout(promises)

        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(6)
        for number, (name, value) in enumerate(basic_facts(car)):
            row, col = divmod(number, 2)
            key = QLabel(name, self.details)
            key.setObjectName("kioskFactKey")
            shown = QLabel(value, self.details)
            shown.setObjectName("kioskFactValue")
            grid.addWidget(key, row * 2, col)
            grid.addWidget(shown, row * 2 + 1, col)
        layout.addLayout(grid)

        self._section(self.tr("车况与检测"))
        if car.inspection is not None:
            self._text(
                self.tr("本店检测评级：{grade}").format(grade=vlabel(GRADES, car.inspection.grade))
            )
        if car.history:
            for item in car.history:
                when = f"{item.occurred_on:%Y-%m}" if item.occurred_on else ""
                structural = self.tr("（涉及结构件）") if item.structural else ""
                evidence = self.tr("（凭证已存档）") if item.has_evidence else ""
                self._text(
                    f"{vlabel(HISTORY_KINDS, item.kind)} {when}{structural}："
                    f"{item.description}{evidence}"
                )
        else:
            self._text(self.tr("无事故、泡水、火烧记录"))
        if car.report_sha and car.report_pages:
            self.report_button = QPushButton(
                self.tr("查看第三方检测报告（{n} 页）").format(n=len(car.report_pages)),
                self.details,
            )
            self.report_button.setObjectName("kioskSecondaryButton")
            self.report_button.setMinimumSize(360, 72)
            self.report_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.report_button.clicked.connect(self.open_report)
            self.details_layout.addWidget(self.report_button, 0, Qt.AlignmentFlag.AlignLeft)
        elif car.report_sha:
            self._text(self.tr("第三方检测报告已存档，可请工作人员为您打印"))

        self._section(self.tr("价格构成"))
        for line in car.price_lines:
            self._text(f"{line.label}：{format_yuan(line.amount)}")
        self._text(self.tr("一口价：{price}").format(price=format_yuan(car.list_price)))

        if car.configuration:
            self._section(self.tr("主要配置"))
            self._text("、".join(car.configuration))
        if car.maintenance:
            self._section(self.tr("保养记录"))
            for record in car.maintenance[:8]:
                self._text(f"{record.performed_on:%Y-%m}  {record.description}")
        layout.addStretch(1)

    def _drop_layout(self, layout: Any) -> None:
        while layout.count():
            item = layout.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()  # now: deleteLater waits for the event loop
                item.widget().deleteLater()
            elif item.layout() is not None:
                self._drop_layout(item.layout())

    def _section(self, text: str) -> None:
        label = QLabel(text, self.details)
        label.setObjectName("kioskSection")
        self.details_layout.addWidget(label)

    def _text(self, text: str) -> None:
        label = QLabel(text, self.details)
        label.setObjectName("kioskText")
        label.setWordWrap(True)
        self.details_layout.addWidget(label)

    # --- the report ------------------------------------------------------------------------

    def open_report(self) -> None:
        car = self.car
        if car is None or not car.report_sha or self.vehicle_id is None:
            return
        self.report_view.show_report(self.vehicle_id, car.report_pages, car.report_sha)
        self.photo_panel.hide()
        self.info_panel.hide()
        self.report_view.show()

    def close_report(self) -> None:
        if self.report_view.isHidden():
            return
        self.report_view.hide()
        self.photo_panel.show()
        self.info_panel.setVisible(not self._full)

    # --- actions ---------------------------------------------------------------------------

    def toggle_full_screen(self) -> None:
        self._set_full_screen(self.info_panel.isVisible())

    def _set_full_screen(self, full: bool) -> None:
        self._full = full
        self.info_panel.setVisible(not full)
        self.full_button.setText(self.tr("退出全屏") if full else self.tr("全屏看图"))

    def add_to_comparison(self) -> None:
        if self.vehicle_id is None or self.gone:
            return
        refusal = self.basket.add(self.vehicle_id)
        self.message.setText(refusal or self.tr("已加入对比"))

    def _update_buttons(self) -> None:
        usable = self.car is not None and not self.gone
        count = len(self.basket)
        in_basket = self.vehicle_id is not None and self.vehicle_id in self.basket
        self.compare_button.setEnabled(usable and not in_basket)
        self.compare_button.setText(self.tr("已在对比中") if in_basket else self.tr("加入对比"))
        self.open_compare.setText(self.tr("去对比（%n）", "", count))
        self.open_compare.setVisible(count > 0)
        self.open_compare.setEnabled(count >= 2)
        self.book_button.setEnabled(usable)
        self.loan_button.setEnabled(self.car is not None)

    def _book(self) -> None:
        if self.car is not None and not self.gone:
            self.bookRequested.emit(self.car.stock_no)

    def _loan(self) -> None:
        if self.car is not None:
            self.loanRequested.emit(self.car.list_price)
