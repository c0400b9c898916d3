"""The customer kiosk (``showroom --kiosk``): a full-screen touch shell for the showroom floor.

Customers use it without a keyboard and without anyone watching, so it is built
to be safe to leave alone:

- no menus, context menus or shortcuts; Escape does nothing and a window-manager
  close (Alt+F4) is ignored; the only way to the staff screens is the staff PIN,
  after which ``staffUnlocked`` hands the staff member to the app shell;
- the attract screen means a new customer: reaching it (返回首页, a flow's own
  way out, or ``kiosk_idle_seconds`` without a touch) wipes every page and field,
  so the next person finds nothing of the last one;
- the window is built before the database has opened (the app paints it first):
  ``attach`` hands over the app context once it has, and every page works
  whichever came first;
- only ``showroom.services.kiosk`` queries reach the database, so nothing private
  (cost prices, customers, staff) can be shown; failures show a friendly sentence
  and go to the ``showroom.kiosk`` log with their details.

Pages are plugged in by key (``set_page``), one per home tile; tiles whose page is
not built yet open an honest "the desk will help you" page.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QCloseEvent, QHideEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from resources import read_text
from showroom.settings import Settings
from ui.kiosk.home import HomePage, Tile
from ui.kiosk.icons import icon, pixmap
from ui.kiosk.idle import IdleWatcher
from ui.kiosk.pages import KioskPage
from ui.qtprops import set_enum
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from showroom.context import AppContext
    from ui.kiosk.archive import KioskArchivePage
    from ui.kiosk.browse import BrowsePage
    from ui.kiosk.staff import StaffPinPage
    from ui.kiosk.test_drive import KioskTestDrivePage
    from ui.kiosk.tools import KioskLoanPage
    from ui.widgets.comparison import ComparisonBasket

log = logging.getLogger("showroom.kiosk")

HOME = "home"
BROWSE = "browse"
TEST_DRIVE = "test_drive"
INSPECTION_DAY = "inspection_day"
CHECK_IN = "check_in"
STAFF = "staff"
ARCHIVE = "archive"
COMPARE = "compare"
LOAN = "loan"


class KioskWindow(QFrame):
    """The kiosk shell: top bar and a stack of pages.

    Signals: ``staffUnlocked(object)`` with the ``StaffUser`` whose PIN was entered.
    The shell decides what happens next (show the staff window, hide or close this
    one); a programmatic ``close()`` is accepted, a window-manager close is not.
    """

    staffUnlocked = Signal(object)  # noqa: N815 - Qt's signal naming

    def __init__(
        self,
        context: AppContext | Settings,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        idle_ms: int | None = None,
        pin_lock_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        # Only settings are needed, so the kiosk can show before the database has opened
        # (tasks then fail softly until it has); the app context is accepted as well.
        settings = context if isinstance(context, Settings) else context.settings
        self.setObjectName("kiosk")
        self.setWindowTitle(settings["store_name"])
        # (A QFrame, so kiosk.qss paints the background without WA_StyledBackground.)
        # Fonts, sizes and colours; scoped to this window so the staff app is untouched.
        self.setStyleSheet(read_text("styles", "kiosk.qss"))

        self._runner = runner
        store_name = settings["store_name"]

        # --- top bar ------------------------------------------------------------------------
        bar = QFrame(self)
        bar.setObjectName("kioskTopBar")
        # QPushButton(parent) and setText: see SignInPage (QIcon before the first paint).
        self._back = QPushButton(bar)
        self._back.setText(self.tr("返回首页"))
        self._back.setObjectName("kioskBackButton")
        self._back.setIconSize(QSize(32, 32))  # the icon comes with the first page away from home
        self._back.setMinimumSize(200, 64)
        set_enum(self._back, "focusPolicy", "NoFocus")
        self._back.clicked.connect(self.go_home)
        logo = QLabel(bar)
        logo.setObjectName("kioskLogo")
        logo.setPixmap(pixmap("logo", QSize(48, 48), self.devicePixelRatioF()))
        self._store_label = QLabel(store_name, bar)
        self._store_label.setObjectName("kioskStoreName")
        # Discreet on purpose: customers should not be drawn to it, staff know where it is.
        self._staff_button = QPushButton(bar)
        self._staff_button.setText(self.tr("员工"))
        self._staff_button.setObjectName("kioskStaffButton")
        self._staff_button.setMinimumSize(88, 56)
        set_enum(self._staff_button, "focusPolicy", "NoFocus")
        self._staff_button.clicked.connect(self._open_staff)
        bar_layout = QHBoxLayout(bar)
        bar_layout.setContentsMargins(24, 12, 24, 12)
        bar_layout.setSpacing(16)
        bar_layout.addWidget(self._back)
        bar_layout.addWidget(logo)
        bar_layout.addWidget(self._store_label)
        bar_layout.addStretch(1)
        bar_layout.addWidget(self._staff_button)

        # --- pages ----------------------------------------------------------------------------
        self._stack = QStackedWidget(self)
        self._stack.setObjectName("kioskStack")
        self._pages: dict[str, KioskPage] = {}
        # Pages that need the database layer are built when first opened, so the
        # attract screen paints before SQLAlchemy and the services have loaded.
        self._factories: dict[str, Callable[[], KioskPage]] = {}
        self._settings = settings
        self._context = context
        self._bus = None if isinstance(context, Settings) else context.bus
        self._basket: ComparisonBasket | None = None  # made with the first page using it
        self._pin_lock_seconds = pin_lock_seconds
        self._clock = clock
        self._now = now  # the wall clock for check-ins (tests stand at a fixed time)
        self.tiles = [
            Tile(BROWSE, self.tr("浏览在售车辆"), self.tr("车况透明，价格公开"), "car"),
            Tile(TEST_DRIVE, self.tr("预约试驾"), self.tr("选好车型，约个时间"), "steering"),
            Tile(
                INSPECTION_DAY,
                self.tr("透明检测日报名"),
                self.tr("每月免费检测，名额有限"),
                "inspection",
            ),
            Tile(CHECK_IN, self.tr("扫码签到"), self.tr("已预约的客户在此签到"), "qr"),
        ]
        self.home = HomePage(store_name, self.tiles, self)
        self.set_page(HOME, self.home)
        self.set_page_factory(BROWSE, self._make_browse)
        self.set_page_factory(STAFF, self._make_staff_page)
        self.set_page_factory(TEST_DRIVE, self._make_test_drive)
        self.set_page_factory(INSPECTION_DAY, self._make_inspection_day)
        # Self check-in by number or booking QR (ui/kiosk/checkin.py).
        self.set_page_factory(CHECK_IN, self._make_check_in)
        self.set_page_factory(ARCHIVE, self._make_archive)
        self.set_page_factory(COMPARE, self._make_compare)
        self.set_page_factory(LOAN, self._make_loan)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(self._stack, 1)

        timeout = idle_ms if idle_ms is not None else settings["kiosk_idle_seconds"] * 1000
        self.idle = IdleWatcher(timeout, self)
        self.idle.idle.connect(self._idle_timeout)

        self._forbid_context_menus(self)
        self.open_page(HOME)

    # --- pages ------------------------------------------------------------------------------

    def _make_browse(self) -> KioskPage:
        from ui.kiosk.browse import BrowsePage

        page = BrowsePage(self._runner, self, basket=self.basket)
        page.carChosen.connect(lambda car: self.show_car(car.id))
        return page

    def _make_archive(self) -> KioskPage:
        from showroom.paths import AppPaths
        from showroom.vehicle_links import CarLinks
        from ui.kiosk.archive import KioskArchivePage

        context = self._context
        paths = AppPaths.default() if isinstance(context, Settings) else context.paths
        page = KioskArchivePage(
            self._runner,
            self.basket,
            self,
            car_links=CarLinks.for_data_dir(self._settings, paths.data_dir),
        )
        page.bookRequested.connect(self.book_test_drive)
        page.loanRequested.connect(self.open_loan)
        return page

    def _make_compare(self) -> KioskPage:
        from ui.kiosk.tools import KioskComparePage

        return KioskComparePage(self._runner, self.basket, self)

    def _make_loan(self) -> KioskPage:
        from ui.kiosk.tools import KioskLoanPage

        return KioskLoanPage(self)

    def show_car(self, vehicle_id: object) -> None:
        """Open the archive of ``vehicle_id`` (a tapped card)."""
        self.archive.show_car(vehicle_id)  # type: ignore[arg-type]
        self.open_page(ARCHIVE)

    def book_test_drive(self, stock_no: str) -> None:
        self.open_page(TEST_DRIVE)
        self.test_drive.preselect(stock_no)

    def open_loan(self, price: object) -> None:
        self.loan.set_price(price)  # type: ignore[arg-type]
        self.open_page(LOAN)

    def _make_staff_page(self) -> KioskPage:
        from ui.kiosk.staff import StaffPinPage

        page = StaffPinPage(
            self._runner, lock_seconds=self._pin_lock_seconds, clock=self._clock, parent=self
        )
        page.unlocked.connect(self._unlocked)
        return page

    def _make_test_drive(self) -> KioskPage:
        from ui.kiosk.test_drive import KioskTestDrivePage

        return KioskTestDrivePage(self._settings, self._runner, self)

    def _make_inspection_day(self) -> KioskPage:
        from ui.kiosk.inspection_day import KioskInspectionDayPage

        return KioskInspectionDayPage(self._settings, self._runner, self)

    def _make_check_in(self) -> KioskPage:
        from ui.kiosk.checkin import KioskCheckInPage

        return KioskCheckInPage(self._settings, self._runner, self, now=self._now)

    @property
    def browse(self) -> BrowsePage:
        return self.page(BROWSE)  # type: ignore[return-value]

    @property
    def archive(self) -> KioskArchivePage:
        return self.page(ARCHIVE)  # type: ignore[return-value]

    @property
    def loan(self) -> KioskLoanPage:
        return self.page(LOAN)  # type: ignore[return-value]

    @property
    def test_drive(self) -> KioskTestDrivePage:
        return self.page(TEST_DRIVE)  # type: ignore[return-value]

    @property
    def staff_page(self) -> StaffPinPage:
        return self.page(STAFF)  # type: ignore[return-value]

    def set_page_factory(self, key: str, factory: Callable[[], KioskPage]) -> None:
        """Install a page that is built the first time its key is opened."""
        self._factories[key] = factory

    def _materialize(self, key: str) -> KioskPage | None:
        factory = self._factories.pop(key, None)
        if factory is None:
            return None
        page = factory()
        self.set_page(key, page)
        return page

    def set_page(self, key: str, page: KioskPage) -> None:
        """Install (or replace) the page a tile or ``navigate`` key opens."""
        self._factories.pop(key, None)
        old = self._pages.get(key)
        if old is not None:
            self._stack.removeWidget(old)
            old.deleteLater()
        page.setParent(self._stack)
        # The screen decides the kiosk's size, not its widest page: a page lays itself
        # out for the size it gets (side by side or stacked, see pages.orient).
        page.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._forbid_context_menus(page)
        self._pages[key] = page
        self._stack.addWidget(page)
        page.navigate.connect(self.open_page)
        # Built after the database opened: the page gets what it would have got on attach.
        if self.context is not None:
            page.attach(self.context)

    def page(self, key: str) -> KioskPage:
        page = self._pages.get(key) or self._materialize(key)
        if page is None:
            raise KeyError(key)
        return page

    def current_key(self) -> str:
        current = self._stack.currentWidget()
        return next((key for key, page in self._pages.items() if page is current), HOME)

    def open_page(self, key: str) -> None:
        page = self._pages.get(key) or self._materialize(key)
        if page is None:
            log.warning("kiosk has no page %r", key)
            return
        at_home = key == HOME
        if at_home:
            # The attract screen is where the next customer starts: nothing may survive.
            self._wipe()
        self._stack.setCurrentWidget(page)
        self._back.setVisible(not at_home and key != STAFF)
        if self._back.isVisibleTo(self) and self._back.icon().isNull():
            self._back.setIcon(icon("back"))
        # The attract screen shows the store name large; the bar would only repeat it.
        self._store_label.setVisible(not at_home)
        self._staff_button.setVisible(key != STAFF)
        page.activate()

    @property
    def basket(self) -> ComparisonBasket:
        """The cars this customer picked to compare; wiped with everything else when idle.

        Made on first use: the comparison module loads the database layer, which the
        attract screen must not wait for.
        """
        if self._basket is None:
            from ui.widgets.comparison import ComparisonBasket

            self._basket = ComparisonBasket(self)
        return self._basket

    def go_home(self) -> None:
        """返回首页: this customer is done; ``open_page(HOME)`` wipes every page."""
        self.open_page(HOME)

    def reset_to_home(self) -> None:
        """Wipe everything a customer entered on every page and show the attract screen."""
        self.open_page(HOME)

    def _wipe(self) -> None:
        for page in self._pages.values():
            page.reset()
        if self._basket is not None:
            self._basket.clear()

    # --- the database arrives ---------------------------------------------------------------

    @property
    def context(self) -> AppContext | None:
        """The app context once the database has opened; None before."""
        return None if isinstance(self._context, Settings) else self._context

    def attach(self, context: AppContext) -> None:
        """The database has opened: pages built before it start following its changes.

        Pages built later get the context when they are made. Calling it again with a
        new context (a reconnect) re-attaches.
        """
        if context is self._context:
            return
        self._context = context
        self._bus = context.bus
        for page in self._pages.values():
            page.attach(context)

    def _open_staff(self) -> None:
        self.open_page(STAFF)

    def _idle_timeout(self) -> None:
        log.info("kiosk idle: back to the attract screen")
        self.reset_to_home()

    def _unlocked(self, user: object) -> None:
        # Leave nothing behind for the next time the kiosk is shown.
        self.reset_to_home()
        self.staffUnlocked.emit(user)

    # --- nothing here may lead anywhere but the PIN page ------------------------------------

    @staticmethod
    def _forbid_context_menus(root: QWidget) -> None:
        # Scroll bars bring their own context menu; a long press on a touch screen opens it.
        for widget in (root, *root.findChildren(QWidget)):
            set_enum(widget, "contextMenuPolicy", "PreventContextMenu")

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        # A keyboard may be hidden under the counter: no key does anything on the kiosk.
        event.accept()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        # Alt+F4 and the like arrive as spontaneous events; the app shell's close() does not.
        if event.spontaneous():
            event.ignore()
            return
        self.idle.stop()
        super().closeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.idle.start()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt API
        # Only watch input while the kiosk is on screen; the staff app must not be reset.
        self.idle.stop()
        super().hideEvent(event)
