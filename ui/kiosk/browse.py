"""Browse the cars on sale: filter chips and a touch-scrolled grid of cards.

There may be 100,000 cars, so the grid is a model/view pair: ``CarListModel``
holds only the pages fetched so far and asks for the next page (in SQL, off the
UI thread) when the customer scrolls near the end. Each reload bumps a
generation number so a page that arrives for an older filter is dropped.

Only ``showroom.services.kiosk`` is queried, so nothing a customer must not see
(cost price, VIN, plate, people) ever reaches this module.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QScrollArea,
    QScroller,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from db.enums import Energy, VehicleStatus
from showroom.services import kiosk as kiosk_service
from showroom.services.kiosk import CarPage, CarQuery, KioskCar
from ui.kiosk import wording
from ui.kiosk.pages import KioskPage
from ui.tasks import TaskRunner
from ui.widgets.comparison import ComparisonBasket
from ui.widgets.photos import PhotoLoader
from ui.widgets.vehicle_labels import vword

log = logging.getLogger("showroom.kiosk")

# The session a runner task receives; ui/ names no SQLAlchemy type (see tests/unit/test_layers).
DbSession = Any

PAGE_SIZE = 48
CARD_MIN_WIDTH = 580
CARD_HEIGHT = 236
PHOTO_SIZE = QSize(216, 162)  # a little under the stored 240x180 thumbnails: never blurred

CarRole = Qt.ItemDataRole.UserRole + 1
TitleRole = Qt.ItemDataRole.UserRole + 2
TrimRole = Qt.ItemDataRole.UserRole + 3
DetailsRole = Qt.ItemDataRole.UserRole + 4
PriceRole = Qt.ItemDataRole.UserRole + 5
StatusRole = Qt.ItemDataRole.UserRole + 6
StatusKindRole = Qt.ItemDataRole.UserRole + 7
PhotoRole = Qt.ItemDataRole.UserRole + 8  # QPixmap of the cover, or None while loading
PhotoStateRole = Qt.ItemDataRole.UserRole + 9  # "none", "loading", "ready" or "broken"

TEXT_ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.AccessibleTextRole,
    TitleRole,
    TrimRole,
    DetailsRole,
    PriceRole,
    StatusRole,
)

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


@dataclass(frozen=True)
class _Loaded:
    generation: int
    page: CarPage


class _LoadFailed(Exception):
    """Carries the generation of a failed load; the cause is chained for the log."""

    def __init__(self, generation: int) -> None:
        super().__init__(f"loading cars failed (generation {generation})")
        self.generation = generation


class CarListModel(QAbstractListModel):
    """Cars matching a ``CarQuery``, fetched a page at a time.

    Signals: ``stateChanged()`` whenever ``state``, ``total`` or ``more_failed`` change.
    ``state`` is ``"idle"`` (nothing asked), ``"loading"`` (first page on its way),
    ``"ready"``, ``"empty"`` or ``"error"`` (first page failed).
    """

    stateChanged = Signal()  # noqa: N815 - Qt's signal naming

    def __init__(self, runner: TaskRunner, page_size: int = PAGE_SIZE, parent: Any = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._page_size = page_size
        self._cars: list[KioskCar] = []
        self._query = CarQuery()
        self._total = 0
        self._generation = 0
        self._fetching = False
        self.state = "idle"
        self.more_failed = False
        # Cover thumbnails, decoded off the UI thread; only photos of cars a customer may see.
        self._owners: dict[str, uuid.UUID] = {}
        self._pixmaps: dict[str, QPixmap] = {}
        self.photos = PhotoLoader(runner, self._photo_fetch, self)
        self.photos.loaded.connect(self._photo_arrived)
        self.photos.failed.connect(self._photo_arrived)

    # --- loading --------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return self._total

    @property
    def query(self) -> CarQuery:
        return self._query

    def start(self, query: CarQuery) -> None:
        """Show the first page for ``query``; results for any earlier query are dropped."""
        self._clear()
        self._query = query
        self._set_state("loading")
        self._request(offset=0, total=None)

    def clear(self) -> None:
        self._clear()
        self._set_state("idle")

    def retry(self) -> None:
        if self.state == "error" or not self._cars:
            self.start(self._query)
        elif self.more_failed:
            self.more_failed = False
            self.stateChanged.emit()
            self.fetchMore(QModelIndex())

    def _clear(self) -> None:
        self._generation += 1  # anything still in flight now belongs to a dead generation
        self._fetching = False
        self.more_failed = False
        self.beginResetModel()
        self._cars = []
        self._total = 0
        self.endResetModel()

    def _request(self, offset: int, total: int | None) -> None:
        generation = self._generation
        query = self._query
        limit = self._page_size
        self._fetching = True

        def work(session: DbSession) -> _Loaded:
            try:
                page = kiosk_service.car_page(
                    session, query, offset=offset, limit=limit, total=total
                )
            except Exception as exc:
                raise _LoadFailed(generation) from exc
            return _Loaded(generation, page)

        self._runner.read(work, self._loaded, self._failed)

    def _loaded(self, result: _Loaded) -> None:
        if result.generation != self._generation:
            return
        self._fetching = False
        page = result.page
        if page.offset != len(self._cars):
            return  # a duplicate request; the rows are already here
        if page.cars:
            first = len(self._cars)
            self.beginInsertRows(QModelIndex(), first, first + len(page.cars) - 1)
            self._cars.extend(page.cars)
            self.endInsertRows()
        # Cars sold while the customer scrolls shorten the list: stop at what really came.
        self._total = page.total if len(page.cars) == self._page_size else len(self._cars)
        self._set_state("ready" if self._cars else "empty")

    def _failed(self, exc: BaseException) -> None:
        generation = getattr(exc, "generation", None)
        if generation is not None and generation != self._generation:
            return
        self._fetching = False
        # Details for the log only; the customer sees a friendly sentence.
        log.error("kiosk could not load cars:\n%s", getattr(exc, "__showroom_trace__", repr(exc)))
        if self._cars:
            self.more_failed = True
            self.stateChanged.emit()
        else:
            self._set_state("error")

    def _set_state(self, state: str) -> None:
        self.state = state
        self.stateChanged.emit()

    # --- cover photos -------------------------------------------------------------------

    def _photo_fetch(self, sha: str) -> Any:
        vehicle_id = self._owners[sha]

        def fetch(session: DbSession) -> bytes:
            return kiosk_service.public_photo(session, vehicle_id, sha)

        return fetch

    def _photo(self, car: KioskCar) -> tuple[str, QPixmap | None]:
        sha = car.cover_sha
        if not sha:
            return "none", None
        pixmap = self._pixmaps.get(sha)
        if pixmap is not None:
            return "ready", pixmap
        self._owners.setdefault(sha, car.id)
        image = self.photos.image(sha)
        if image is not None:
            pixmap = QPixmap.fromImage(image)
            self._pixmaps[sha] = pixmap
            return "ready", pixmap
        return ("broken" if sha in self.photos.broken else "loading"), None

    def _photo_arrived(self, sha: str, *_image: Any) -> None:
        for row, car in enumerate(self._cars):
            if car.cover_sha == sha:
                index = self.index(row, 0)
                self.dataChanged.emit(index, index, [PhotoRole, PhotoStateRole])

    # --- Qt model API -------------------------------------------------------------------

    def rowCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._cars)

    def canFetchMore(self, parent: _Index) -> bool:  # noqa: N802 - Qt API
        return (
            not parent.isValid()
            and self.state == "ready"
            and not self._fetching
            and not self.more_failed
            and len(self._cars) < self._total
        )

    def fetchMore(self, parent: _Index) -> None:  # noqa: N802 - Qt API
        if self.canFetchMore(parent):
            self._request(offset=len(self._cars), total=self._total)

    def car(self, row: int) -> KioskCar:
        return self._cars[row]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._cars):
            return None
        car = self._cars[index.row()]
        if role == CarRole:
            return car
        if role == TitleRole:
            return f"{car.brand} {car.model}"
        if role == TrimRole:
            return car.trim
        if role == DetailsRole:
            return self.details(car)
        if role == PriceRole:
            return self.price(car.price)
        if role == StatusRole:
            return self.status_label(car.status)
        if role == StatusKindRole:
            return car.status.value
        if role == PhotoRole:
            return self._photo(car)[1]
        if role == PhotoStateRole:
            return self._photo(car)[0]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return " · ".join(
                part
                for part in (
                    f"{car.brand} {car.model} {car.trim}".strip(),
                    self.details(car),
                    self.price(car.price),
                    self.status_label(car.status),
                )
                if part
            )
        return None

    # --- customer-facing wording ---------------------------------------------------------

    def price(self, price: Decimal) -> str:
        return wording.price(price)  # 15.65万 / ¥156,500

    def mileage(self, km: int) -> str:
        return wording.mileage(km)  # 3.2万公里 / 32,150 km

    def details(self, car: KioskCar) -> str:
        # Customers compare used cars by registration year; the model year is the fallback.
        if car.first_registration is not None:
            year = self.tr("%1年上牌").replace("%1", str(car.first_registration.year))
        else:
            year = self.tr("%1款").replace("%1", str(car.year))
        return " · ".join((year, self.mileage(car.mileage_km), self.energy_label(car.energy)))

    def status_label(self, status: VehicleStatus) -> str:
        labels = {
            VehicleStatus.ON_SALE: self.tr("在售"),
            VehicleStatus.RESERVED: self.tr("已预订"),
            VehicleStatus.TEST_DRIVE: self.tr("试驾中"),
        }
        return labels.get(status, "")

    def energy_label(self, energy: Energy) -> str:
        labels = {
            Energy.PETROL: self.tr("汽油"),
            Energy.DIESEL: self.tr("柴油"),
            Energy.HYBRID: self.tr("油电混动"),
            Energy.PHEV: self.tr("插电混动"),
            Energy.EV: self.tr("纯电动"),
        }
        return labels.get(energy, "")


_STATUS_COLOURS = {
    VehicleStatus.ON_SALE.value: QColor("#1E7B34"),
    VehicleStatus.RESERVED.value: QColor("#A64B00"),
    VehicleStatus.TEST_DRIVE.value: QColor("#1F5FBF"),
}


def _font(base: QFont, pixels: int, weight: QFont.Weight = QFont.Weight.Normal) -> QFont:
    font = QFont(base)
    font.setPixelSize(pixels)
    font.setWeight(weight)
    return font


class CarCardDelegate(QStyledItemDelegate):
    """Paints one car as a card; sizes come from the view's grid."""

    MARGIN = 12
    PAD = 24

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802
        # Fill the grid cell the view computed for its width.
        view = option.widget
        if isinstance(view, QListView) and view.gridSize().isValid():
            return view.gridSize()
        return QSize(CARD_MIN_WIDTH, CARD_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        card = option.rect.adjusted(self.MARGIN, self.MARGIN, -self.MARGIN, -self.MARGIN)
        pressed = bool(option.state & QStyle.StateFlag.State_Sunken)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        path = QPainterPath()
        path.addRoundedRect(card, 16, 16)
        painter.fillPath(path, QColor("#E8EEF8") if pressed else QColor("#FFFFFF"))
        painter.setPen(QPen(QColor("#D5DCE6"), 1.5))
        painter.drawPath(path)

        # The cover photo, framed on the left; a grey tile says why when there is none.
        photo = QRect(
            card.left() + 16,
            card.top() + (card.height() - PHOTO_SIZE.height()) // 2,
            PHOTO_SIZE.width(),
            PHOTO_SIZE.height(),
        )
        frame = QPainterPath()
        frame.addRoundedRect(photo, 10, 10)
        pixmap = index.data(PhotoRole)
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            scaled = pixmap.scaled(
                photo.size(),
                Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                Qt.TransformationMode.SmoothTransformation,
            )
            painter.setClipPath(frame)
            painter.drawPixmap(
                photo.left() - (scaled.width() - photo.width()) // 2,
                photo.top() - (scaled.height() - photo.height()) // 2,
                scaled,
            )
            painter.setClipping(False)
        else:
            painter.fillPath(frame, QColor("#E5E7EB"))
            state = index.data(PhotoStateRole)
            note = self._photo_note(state)
            painter.setFont(_font(option.font, 18))
            painter.setPen(QColor("#6B7280"))
            painter.drawText(photo, Qt.AlignmentFlag.AlignCenter, note)

        inner = card.adjusted(self.PAD, self.PAD - 4, -self.PAD, -self.PAD + 4)
        inner.setLeft(photo.right() + 20)
        base = option.font

        # Status pill on the photo's corner: reserved cars stay visible, and say so.
        status = index.data(StatusRole) or ""
        badge_font = _font(base, 18, QFont.Weight.Bold)
        badge_metrics = QFontMetrics(badge_font)
        badge_w = badge_metrics.horizontalAdvance(status) + 24
        badge = QRect(photo.left() + 8, photo.top() + 8, badge_w, 32)
        colour = _STATUS_COLOURS.get(index.data(StatusKindRole), QColor("#4A5568"))
        pill = QPainterPath()
        pill.addRoundedRect(badge, 16, 16)
        painter.fillPath(pill, colour)
        painter.setFont(badge_font)
        painter.setPen(QColor("#FFFFFF"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, status)

        y = inner.top()
        title_font = _font(base, 30, QFont.Weight.Bold)
        title_h = QFontMetrics(title_font).height()
        title_rect = QRect(inner.left(), y, inner.width(), title_h)
        self._text(painter, title_rect, title_font, "#111827", index.data(TitleRole))
        y += title_h + 2

        trim_font = _font(base, 22)
        trim_h = QFontMetrics(trim_font).height()
        self._text(
            painter,
            QRect(inner.left(), y, inner.width(), trim_h),
            trim_font,
            "#4A5568",
            index.data(TrimRole),
        )
        y += trim_h + 6

        # Shown in full: a longer language gets a slightly smaller type before any "…".
        details = index.data(DetailsRole) or ""
        details_font = _font(base, 20)
        for pixels in (19, 18, 17, 16, 15, 14):
            if QFontMetrics(details_font).horizontalAdvance(details) <= inner.width():
                break
            details_font = _font(base, pixels)
        details_h = QFontMetrics(_font(base, 20)).height()
        self._text(
            painter,
            QRect(inner.left(), y, inner.width(), details_h),
            details_font,
            "#1F2937",
            index.data(DetailsRole),
        )

        price_font = _font(base, 40, QFont.Weight.Bold)
        price_h = QFontMetrics(price_font).height()
        price_rect = QRect(inner.left(), inner.bottom() - price_h + 1, inner.width(), price_h)
        self._text(painter, price_rect, price_font, "#C81E1E", index.data(PriceRole))
        painter.restore()

    def _photo_note(self, state: object) -> str:
        if state == "loading":
            return self.tr("照片加载中")
        if state == "broken":
            return self.tr("照片暂时无法显示")
        return self.tr("暂无照片")

    @staticmethod
    def _text(painter: QPainter, rect: QRect, font: QFont, colour: str, text: str) -> None:
        painter.setFont(font)
        painter.setPen(QColor(colour))
        elided = QFontMetrics(font).elidedText(
            text or "", Qt.TextElideMode.ElideRight, rect.width()
        )
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided)


class CarGridView(QListView):
    """A wrapping grid whose columns fill the width, scrolled by dragging a finger."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskCarGrid")
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setDragEnabled(False)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Always on: a scroll bar that comes and goes would change the columns and loop.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.verticalScrollBar().setSingleStep(40)
        self.setItemDelegate(CarCardDelegate(self))
        QScroller.grabGesture(self.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        # The viewport is resized after this event, so work from the new outer width.
        width = max(1, event.size().width() - self.verticalScrollBar().sizeHint().width())
        columns = max(1, width // CARD_MIN_WIDTH)
        self.setGridSize(QSize(width // columns, CARD_HEIGHT))
        super().resizeEvent(event)


@dataclass(frozen=True)
class PriceBand:
    label: str
    min_price: Decimal | None
    max_price: Decimal | None


def _wan(value: int) -> Decimal:
    return Decimal(value) * 10_000


def _below(value: int) -> Decimal:
    # Both filter ends are inclusive; stop one fen short so a band never shares a car.
    return _wan(value) - Decimal("0.01")


class BrowsePage(KioskPage):
    """Cars on sale with brand and price chips.

    Signals: ``navigate(str)`` (see ``KioskPage``); ``carChosen(object)`` with the
    tapped ``KioskCar`` (for the car detail page of a later issue).
    """

    carChosen = Signal(object)  # noqa: N815 - Qt's signal naming

    def __init__(
        self,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        basket: ComparisonBasket | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("kioskBrowsePage")
        self._runner = runner
        self._brand_generation = 0
        self.model = CarListModel(runner, parent=self)
        self.model.stateChanged.connect(self._state_changed)
        self.basket = basket

        title = QLabel(self.tr("在售车辆"), self)
        title.setObjectName("kioskPageTitle")
        self._count = QLabel(self)
        self._count.setObjectName("kioskCount")
        self._sort_group = QButtonGroup(self)
        self._sort_group.setExclusive(True)
        self._sort_group.buttonClicked.connect(self._filters_changed)
        sort_row = QHBoxLayout()
        sort_row.setContentsMargins(0, 0, 0, 0)  # a 64 px chip in the 72 px strip, not cut
        sort_row.setSpacing(12)
        sort_row.addStretch(1)
        self._sorts = [
            (self.tr("最新年份"), "year", True),
            (self.tr("价格最低"), "price", False),
            (self.tr("里程最少"), "mileage", False),
        ]
        for number, (text, _key, _descending) in enumerate(self._sorts):
            chip = self._chip(text, self._sort_group, sort_row)
            self._sort_group.setId(chip, number)
        self._sort_group.button(0).setChecked(True)
        sort_row.insertStretch(0, 1)  # the chips sit at the right, next to the buttons
        self.loan_button = QPushButton(self.tr("金融计算器"), self)
        self.loan_button.setObjectName("kioskSecondaryButton")
        self.loan_button.setMinimumSize(200, 64)
        self.loan_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.loan_button.clicked.connect(lambda: self.navigate.emit("loan"))
        self.compare_button = QPushButton(self)
        self.compare_button.setObjectName("kioskPrimaryButton")
        self.compare_button.setMinimumSize(200, 64)
        self.compare_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.compare_button.clicked.connect(lambda: self.navigate.emit("compare"))
        header = QHBoxLayout()
        header.setSpacing(16)
        header.addWidget(title)
        header.addWidget(self._count)
        # The sort chips are always shown whole (a chip cut at a strip's edge is a sort
        # the visitor never finds): beside the title when the header has room, else at
        # the end of the brand row, or on a portrait screen in a row of their own under
        # the title (``_place_sort_strip``).
        self._sort_strip = self._strip(sort_row)
        self._sort_strip.setMinimumWidth(self._sort_strip.widget().sizeHint().width())
        self._header = header
        self._sort_place = "header"  # or "brand_row", "own_row"
        header.addWidget(self._sort_strip, 1)
        header.addWidget(self.loan_button)
        header.addWidget(self.compare_button)
        if basket is not None:
            basket.changed.connect(self._basket_changed)
        self._basket_changed()

        self._brand_group = QButtonGroup(self)
        self._brand_group.setExclusive(True)
        self._brand_group.buttonClicked.connect(self._filters_changed)
        self._brand_row = QHBoxLayout()
        self._brand_row.setContentsMargins(0, 0, 0, 0)
        self._brand_row.setSpacing(12)
        self._brand_row.addStretch(1)
        self._all_brands = self._chip(self.tr("全部品牌"), self._brand_group, self._brand_row)
        self._all_brands.setProperty("brand", "")
        self._all_brands.setChecked(True)
        brand_strip = self._strip(self._brand_row)
        self._brand_line = QHBoxLayout()
        self._brand_line.setSpacing(16)
        self._brand_line.addWidget(brand_strip, 1)

        self._price_group = QButtonGroup(self)
        self._price_group.setExclusive(True)
        self._price_group.buttonClicked.connect(self._filters_changed)
        price_row = QHBoxLayout()
        price_row.setContentsMargins(0, 0, 0, 0)
        price_row.setSpacing(12)
        price_row.addStretch(1)
        self._bands = [
            PriceBand(self.tr("全部价格"), None, None),
            PriceBand(self.tr("5万以下"), None, _below(5)),
            PriceBand(self.tr("5–10万"), _wan(5), _below(10)),
            PriceBand(self.tr("10–15万"), _wan(10), _below(15)),
            PriceBand(self.tr("15–20万"), _wan(15), _below(20)),
            PriceBand(self.tr("20–30万"), _wan(20), _below(30)),
            PriceBand(self.tr("30万以上"), _wan(30), None),
        ]
        for number, band in enumerate(self._bands):
            chip = self._chip(band.label, self._price_group, price_row)
            self._price_group.setId(chip, number)
        self._price_group.button(0).setChecked(True)
        price_strip = self._strip(price_row)

        # Energy and body type share one row: both are short lists.
        self._energy_group = QButtonGroup(self)
        self._energy_group.setExclusive(True)
        self._energy_group.buttonClicked.connect(self._filters_changed)
        self._kind_row = QHBoxLayout()
        self._kind_row.setContentsMargins(0, 0, 0, 0)
        self._kind_row.setSpacing(12)
        self._kind_row.addStretch(1)
        for key, text in (
            ("", self.tr("全部能源")),
            ("fuel", self.tr("燃油")),
            ("hybrid", self.tr("混动")),
            ("ev", self.tr("纯电")),
        ):
            chip = self._chip(text, self._energy_group, self._kind_row)
            chip.setProperty("energy", key)
        self._energy_group.buttons()[0].setChecked(True)
        self._body_group = QButtonGroup(self)
        self._body_group.setExclusive(True)
        self._body_group.buttonClicked.connect(self._filters_changed)
        self._all_bodies = self._chip(self.tr("全部车身"), self._body_group, self._kind_row)
        self._all_bodies.setProperty("body", "")
        self._all_bodies.setChecked(True)
        kind_strip = self._strip(self._kind_row)

        self.view = CarGridView(self)
        self.view.setModel(self.model)
        self.view.clicked.connect(self._card_tapped)
        self.view.verticalScrollBar().valueChanged.connect(self._scrolled)

        self._notice = QLabel(self)
        self._notice.setObjectName("kioskNotice")
        self._notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._notice.setWordWrap(True)
        self._retry = QPushButton(self.tr("重新加载"), self)
        self._retry.setObjectName("kioskPrimaryButton")
        self._retry.setMinimumSize(240, 80)
        self._retry.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._retry.clicked.connect(self.model.retry)
        self._clear_filters = QPushButton(self.tr("查看全部车辆"), self)
        self._clear_filters.setObjectName("kioskSecondaryButton")
        self._clear_filters.setMinimumSize(240, 80)
        self._clear_filters.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._clear_filters.clicked.connect(self._show_all)
        notice_page = QWidget(self)
        notice_layout = QVBoxLayout(notice_page)
        notice_layout.addStretch(1)
        notice_layout.addWidget(self._notice)
        notice_layout.addSpacing(24)
        for button in (self._retry, self._clear_filters):
            notice_layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        notice_layout.addStretch(2)

        self._content = QStackedWidget(self)
        self._content.addWidget(self.view)
        self._content.addWidget(notice_page)

        # Shown under the grid when a later page fails: what was loaded stays usable.
        self._more_banner = QFrame(self)
        self._more_banner.setObjectName("kioskBanner")
        self._more_text = QLabel(self.load_error_text(), self._more_banner)
        self._more_text.setWordWrap(True)
        more_retry = QPushButton(self.tr("重试"), self._more_banner)
        more_retry.setObjectName("kioskSecondaryButton")
        more_retry.setMinimumSize(160, 64)
        more_retry.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        more_retry.clicked.connect(self.model.retry)
        banner_layout = QHBoxLayout(self._more_banner)
        banner_layout.addWidget(self._more_text, 1)
        banner_layout.addWidget(more_retry)
        self._more_banner.hide()

        layout = QVBoxLayout(self)
        self._layout = layout
        layout.setContentsMargins(48, 16, 36, 16)
        layout.setSpacing(14)
        layout.addLayout(header)
        layout.addLayout(self._brand_line)
        layout.addWidget(price_strip)
        layout.addWidget(kind_strip)
        layout.addWidget(self._content, 1)
        layout.addWidget(self._more_banner)
        self._state_changed()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        self._place_sort_strip(event.size())
        super().resizeEvent(event)

    def _header_fits_sorts(self, width: int) -> bool:
        """Whether title, count, sort chips and buttons fit side by side in ``width``."""
        margins = self._layout.contentsMargins()
        header = self._header
        items = [header.itemAt(i) for i in range(header.count())]
        widgets = [i.widget() for i in items if i is not None and i.widget() is not None]
        needed = sum(
            self._sort_strip.minimumWidth()
            if w is self._sort_strip
            else max(w.sizeHint().width(), w.minimumWidth())
            for w in widgets + ([] if self._sort_strip in widgets else [self._sort_strip])
        )
        needed += header.spacing() * len(widgets) + margins.left() + margins.right()
        return needed <= width

    def _place_sort_strip(self, size: QSize | None = None) -> None:
        size = size or self.size()
        if size.width() < size.height():
            where = "own_row"
        elif self._header_fits_sorts(size.width()):
            where = "header"
        else:
            where = "brand_row"
        if where == self._sort_place:
            return
        # Take it out of where it is...
        if self._header.indexOf(self._sort_strip) >= 0:
            self._header.removeWidget(self._sort_strip)
            self._header.insertStretch(2, 1)
        self._layout.removeWidget(self._sort_strip)
        self._brand_line.removeWidget(self._sort_strip)
        # ...and put it where it fits whole.
        if where == "header":
            stretch = self._header.itemAt(2)
            if stretch is not None and stretch.spacerItem() is not None:
                self._header.removeItem(stretch)
            self._header.insertWidget(2, self._sort_strip, 1)
        elif where == "brand_row":
            self._brand_line.addWidget(self._sort_strip, 0)
        else:
            self._layout.insertWidget(1, self._sort_strip)
        self._sort_place = where

    def _chip(self, text: str, group: QButtonGroup, row: QHBoxLayout) -> QPushButton:
        chip = QPushButton(text, self)
        chip.setObjectName("kioskChip")
        chip.setCheckable(True)
        chip.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        chip.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)  # made after the window
        chip.setMinimumHeight(64)
        group.addButton(chip)
        row.insertWidget(row.count() - 1, chip)  # before the row's closing stretch
        return chip

    def _strip(self, row: QHBoxLayout) -> QScrollArea:
        """A row of chips that scrolls sideways with a finger when it does not fit."""
        holder = QWidget(self)
        holder.setObjectName("kioskChipRow")
        holder.setLayout(row)
        strip = QScrollArea(self)
        strip.setObjectName("kioskChipStrip")
        strip.setWidget(holder)
        strip.setWidgetResizable(True)
        strip.setFrameShape(QFrame.Shape.NoFrame)
        strip.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        strip.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        strip.setFixedHeight(72)
        QScroller.grabGesture(
            strip.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture
        )
        return strip

    # --- page life -------------------------------------------------------------------------

    def activate(self) -> None:
        self._load_brands()
        self.model.start(self.current_query())

    def reset(self) -> None:
        self._brand_generation += 1
        self._all_brands.setChecked(True)
        self._price_group.button(0).setChecked(True)
        self._energy_group.buttons()[0].setChecked(True)
        self._all_bodies.setChecked(True)
        self._sort_group.button(0).setChecked(True)
        self.model.clear()
        self.view.scrollToTop()

    def current_query(self) -> CarQuery:
        brand_chip = self._brand_group.checkedButton()
        brand = brand_chip.property("brand") if brand_chip is not None else ""
        band = self._bands[max(0, self._price_group.checkedId())]
        energy_chip = self._energy_group.checkedButton()
        energy = energy_chip.property("energy") if energy_chip is not None else ""
        body_chip = self._body_group.checkedButton()
        body = body_chip.property("body") if body_chip is not None else ""
        _text, sort, descending = self._sorts[max(0, self._sort_group.checkedId())]
        return CarQuery(
            brand=brand or None,
            min_price=band.min_price,
            max_price=band.max_price,
            energy_group=energy or None,
            body_type=body or None,
            sort=sort,
            descending=descending,
        )

    def _basket_changed(self) -> None:
        count = len(self.basket) if self.basket is not None else 0
        self.compare_button.setText(
            self.tr("车型对比（%n）", "", count) if count else self.tr("车型对比")
        )
        self.compare_button.setVisible(self.basket is not None)

    # --- brands ------------------------------------------------------------------------------

    def _load_brands(self) -> None:
        self._brand_generation += 1
        generation = self._brand_generation

        def work(session: DbSession) -> tuple[int, list[str], list[str]]:
            return generation, kiosk_service.brands(session), kiosk_service.body_types(session)

        self._runner.read(work, self._brands_loaded, self._brands_failed)

    def _brands_loaded(self, result: tuple[int, list[str], list[str]]) -> None:
        generation, names, bodies = result
        if generation != self._brand_generation:
            return
        self._fill_bodies(bodies)
        current = self._brand_group.checkedButton()
        selected = current.property("brand") if current is not None else ""
        for chip in list(self._brand_group.buttons()):
            if chip is not self._all_brands:
                self._brand_group.removeButton(chip)
                chip.deleteLater()
        for name in names:
            chip = self._chip(name, self._brand_group, self._brand_row)
            chip.setProperty("brand", name)
            if name == selected:
                chip.setChecked(True)
        if selected and selected not in names:
            self._all_brands.setChecked(True)

    def _fill_bodies(self, bodies: list[str]) -> None:
        current = self._body_group.checkedButton()
        selected = current.property("body") if current is not None else ""
        for chip in list(self._body_group.buttons()):
            if chip is not self._all_bodies:
                self._body_group.removeButton(chip)
                chip.deleteLater()
        for name in bodies:
            chip = self._chip(vword(name), self._body_group, self._kind_row)
            chip.setProperty("body", name)
            if name == selected:
                chip.setChecked(True)
        if selected and selected not in bodies:
            self._all_bodies.setChecked(True)

    def _brands_failed(self, exc: BaseException) -> None:
        # Browsing still works without brand chips; the car list reports its own failure.
        log.warning("kiosk could not load brands: %r", exc)

    # --- reacting to the customer ------------------------------------------------------------

    def _filters_changed(self) -> None:
        self.view.scrollToTop()
        self.model.start(self.current_query())

    def _show_all(self) -> None:
        self._all_brands.setChecked(True)
        self._price_group.button(0).setChecked(True)
        self._energy_group.buttons()[0].setChecked(True)
        self._all_bodies.setChecked(True)
        self._filters_changed()

    def _scrolled(self, value: int) -> None:
        # Ask for the next page two screens before the end so a fast flick never hits a wall.
        bar = self.view.verticalScrollBar()
        if value >= bar.maximum() - 2 * bar.pageStep() and self.model.canFetchMore(QModelIndex()):
            self.model.fetchMore(QModelIndex())

    def _card_tapped(self, index: QModelIndex) -> None:
        car = index.data(CarRole)
        if car is not None:
            self.carChosen.emit(car)

    def load_error_text(self) -> str:
        return self.tr("暂时无法加载车辆信息，请稍后再试或咨询工作人员")

    def _state_changed(self) -> None:
        state = self.model.state
        total = self.model.total
        self._count.setText(self.tr("共 %n 辆", "", total) if state == "ready" else "")
        self._place_sort_strip()  # a longer count may leave the sort chips no room
        self._more_banner.setVisible(state == "ready" and self.model.more_failed)
        self._retry.setVisible(state == "error")
        self._clear_filters.setVisible(state == "empty" and self.current_query() != CarQuery())
        if state == "ready":
            self._content.setCurrentWidget(self.view)
            return
        texts = {
            "idle": "",
            "loading": self.tr("正在加载车辆…"),
            "empty": self.tr("没有符合条件的车辆，换个条件试试"),
            "error": self.load_error_text(),
        }
        self._notice.setText(texts.get(state, ""))
        self._content.setCurrentIndex(1)
