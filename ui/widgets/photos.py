"""Car photos on screen: decoded off the UI thread, cached, with a placeholder for bad files.

``PhotoLoader`` fetches a photo's bytes and decodes them into a ``QImage`` in a
worker (``QImage`` may be built off the UI thread; ``QPixmap`` may not), then
keeps the image in a small LRU cache shared by every screen, so flicking back
through a gallery never touches the database again. A missing or corrupt file
gives a placeholder and a sentence, never an exception.

``PhotoStripModel`` feeds ``PhotoStrip``, a one-row thumbnail strip that
follows and drives a viewer; for staff it shows each photo's category and lets them
drag photos into a new order and select several at once (to re-file or remove);
``PhotoViewer`` shows one large photo and changes photo on a swipe or an arrow.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QScroller,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from showroom.services.vehicle_archive import PhotoInfo
from ui.tasks import TaskRunner
from ui.widgets.vehicle_labels import PHOTO_CATEGORIES, vlabel

Fetch = Callable[[Any], bytes]  # runs in a worker with a read session
_Index = QModelIndex | QPersistentModelIndex

CACHE_LIMIT = 160  # images; thumbnails are ~60 KB decoded, full photos ~2-6 MB
SWIPE_PX = 60
PHOTO_IDS_MIME = "application/x-showroom-photo-ids"


class _ImageCache:
    def __init__(self, limit: int) -> None:
        self._items: OrderedDict[str, QImage] = OrderedDict()
        self._limit = limit

    def get(self, key: str) -> QImage | None:
        image = self._items.get(key)
        if image is not None:
            self._items.move_to_end(key)
        return image

    def put(self, key: str, image: QImage) -> None:
        self._items[key] = image
        self._items.move_to_end(key)
        while len(self._items) > self._limit:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


CACHE = _ImageCache(CACHE_LIMIT)


class PhotoUnreadable(Exception):
    """The stored bytes are not an image Qt can decode."""


def decode(data: bytes) -> QImage:
    image = QImage.fromData(data)
    if image.isNull():
        raise PhotoUnreadable("corrupt image")
    return image


class PhotoLoader(QObject):
    """Loads photos by SHA-256 in the background.

    Signals: ``loaded(str, QImage)`` and ``failed(str)`` with the SHA that was asked for.
    """

    loaded = Signal(str, QImage)
    failed = Signal(str)

    def __init__(
        self, runner: TaskRunner, fetch: Callable[[str], Fetch], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._fetch = fetch
        self._pending: set[str] = set()
        self.broken: set[str] = set()

    def image(self, sha: str) -> QImage | None:
        """The cached image, or None after starting to load it (``loaded`` follows)."""
        cached = CACHE.get(sha)
        if cached is not None or sha in self.broken:
            return cached
        if sha not in self._pending:
            self._pending.add(sha)
            fetch = self._fetch(sha)

            def work(session: Any) -> tuple[str, QImage]:
                return sha, decode(fetch(session))

            self._runner.read(work, self._done, lambda _exc, sha=sha: self._failed(sha))
        return None

    def _done(self, result: tuple[str, QImage]) -> None:
        sha, image = result
        self._pending.discard(sha)
        CACHE.put(sha, image)
        self.loaded.emit(sha, image)

    def _failed(self, sha: str) -> None:
        self._pending.discard(sha)
        self.broken.add(sha)
        self.failed.emit(sha)


def placeholder(size: QSize, text: str) -> QPixmap:
    """A grey card with a short sentence, for photos that are missing or broken."""
    pixmap = QPixmap(size)
    pixmap.fill(QColor("#E5E7EB"))
    painter = QPainter(pixmap)
    painter.setPen(QColor("#6B7280"))
    font = QFont()
    font.setPixelSize(max(12, size.height() // 10))
    painter.setFont(font)
    painter.drawText(
        QRect(QPoint(0, 0), size),
        Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
        text,
    )
    painter.end()
    return pixmap


class PhotoStripModel(QAbstractListModel):
    """Thumbnails of one car's photos, in archive order.

    With ``reorderable`` (staff) photos can be dragged into a new order: the model shows
    the new order at once and emits ``reordered(list)`` with every photo id in it, once
    per drop; the owner saves it (and reloads the order the service keeps). Emits the
    usual model signals too.
    """

    reordered = Signal(list)

    THUMB = QSize(160, 120)
    PhotoRole = Qt.ItemDataRole.UserRole + 1

    def __init__(
        self,
        loader: PhotoLoader,
        parent: QObject | None = None,
        *,
        captions: bool = True,
        reorderable: bool = False,
    ) -> None:
        super().__init__(parent)
        self._loader = loader
        self._captions = captions
        self._reorderable = reorderable
        self._photos: list[PhotoInfo] = []
        self._pixmaps: dict[str, QPixmap] = {}
        # One drop may move several rows one by one (QListView calls moveRow per row).
        self._announce = QTimer(self)
        self._announce.setSingleShot(True)
        self._announce.setInterval(0)
        self._announce.timeout.connect(self._emit_order)
        loader.loaded.connect(self._arrived)
        loader.failed.connect(self._arrived_broken)

    def set_photos(self, photos: Sequence[PhotoInfo]) -> None:
        self.beginResetModel()
        self._photos = list(photos)
        self.endResetModel()

    def photo(self, row: int) -> PhotoInfo | None:
        return self._photos[row] if 0 <= row < len(self._photos) else None

    def order(self) -> list[uuid.UUID]:
        return [p.id for p in self._photos]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._photos)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        photo = self.photo(index.row())
        if photo is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole and self._captions:
            cover = self.tr("封面") if photo.is_cover else ""
            category = vlabel(PHOTO_CATEGORIES, photo.category)
            return f"{index.row() + 1}. {category} · {photo.caption} {cover}".strip()
        if role == Qt.ItemDataRole.ToolTipRole and self._captions:
            return vlabel(PHOTO_CATEGORIES, photo.category) + " · " + photo.caption
        if role == Qt.ItemDataRole.DecorationRole:
            return self._pixmap(photo.thumbnail_sha)
        if role == self.PhotoRole:
            return photo
        return None

    # --- drag and drop (staff) -------------------------------------------------------------

    def flags(self, index: _Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if not self._reorderable:
            return flags
        if index.isValid():
            return flags | Qt.ItemFlag.ItemIsDragEnabled  # dropped between photos, not on one
        return flags | Qt.ItemFlag.ItemIsDropEnabled

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802 - Qt API
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802 - Qt API
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802 - Qt API
        return [PHOTO_IDS_MIME]

    def mimeData(self, indexes: Sequence[_Index]) -> QMimeData:  # noqa: N802 - Qt API
        rows = sorted({i.row() for i in indexes if i.isValid()})
        data = QMimeData()
        ids = ",".join(str(self._photos[r].id) for r in rows if r < len(self._photos))
        data.setData(PHOTO_IDS_MIME, QByteArray(ids.encode("ascii")))
        return data

    def dropMimeData(  # noqa: N802 - Qt API
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        if not self._reorderable or not data.hasFormat(PHOTO_IDS_MIME):
            return False
        if action == Qt.DropAction.IgnoreAction:
            return True
        text = bytes(data.data(PHOTO_IDS_MIME).data()).decode("ascii")
        moving = [uuid.UUID(part) for part in text.split(",") if part]
        if parent.isValid():  # dropped onto a photo: before it
            row = parent.row()
        self.move_to(moving, len(self._photos) if row < 0 else row)
        return True

    def move_to(self, moving: Sequence[uuid.UUID], row: int) -> None:
        """Put the photos ``moving`` before row ``row`` (as the list is now) and announce."""
        ids = self.order()
        moving = [m for m in moving if m in ids]
        if not moving:
            return
        before = sum(1 for i in ids[:row] if i in moving)
        rest = [i for i in ids if i not in moving]
        at = max(0, min(len(rest), row - before))
        new_order = rest[:at] + list(moving) + rest[at:]
        if new_order == ids:
            return
        by_id = {p.id: p for p in self._photos}
        self.set_photos([by_id[i] for i in new_order])
        self._announce.start()

    def moveRows(  # noqa: N802 - Qt API
        self,
        source_parent: _Index,
        source_row: int,
        count: int,
        destination_parent: _Index,
        destination_child: int,
    ) -> bool:
        if not self._reorderable or source_parent.isValid() or destination_parent.isValid():
            return False
        last = source_row + count - 1
        if source_row < 0 or last >= len(self._photos) or count <= 0:
            return False
        if source_row <= destination_child <= last + 1:
            return False  # onto itself
        if not self.beginMoveRows(
            QModelIndex(), source_row, last, QModelIndex(), destination_child
        ):
            return False
        moving = self._photos[source_row : last + 1]
        rest = self._photos[:source_row] + self._photos[last + 1 :]
        at = destination_child if destination_child < source_row else destination_child - count
        self._photos = rest[:at] + moving + rest[at:]
        self.endMoveRows()
        self._announce.start()
        return True

    def _emit_order(self) -> None:
        self.reordered.emit(self.order())

    # --- thumbnails ------------------------------------------------------------------------

    def _pixmap(self, sha: str) -> QPixmap:
        pixmap = self._pixmaps.get(sha)
        if pixmap is not None:
            return pixmap
        image = self._loader.image(sha)
        if image is not None:
            pixmap = QPixmap.fromImage(image).scaled(
                self.THUMB,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            self._pixmaps[sha] = pixmap
            return pixmap
        if sha in self._loader.broken:
            return placeholder(self.THUMB, self.tr("照片无法显示"))
        return placeholder(self.THUMB, self.tr("加载中…"))

    def _arrived(self, sha: str, _image: QImage) -> None:
        self._changed(sha)

    def _arrived_broken(self, sha: str) -> None:
        self._changed(sha)

    def _changed(self, sha: str) -> None:
        for row, photo in enumerate(self._photos):
            if photo.thumbnail_sha == sha:
                index = self.index(row)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


class _TileDelegate(QStyledItemDelegate):
    """Thumbnail above its caption, as in icon mode, for a list view that can reorder."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: _Index) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        option.decorationPosition = QStyleOptionViewItem.Position.Top
        option.displayAlignment = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
        option.features |= QStyleOptionViewItem.ViewItemFeature.WrapText


class PhotoViewer(QWidget):
    """One photo, large, letterboxed; swipe or tap the sides to go to the next or previous.

    Signals: ``indexChanged(int)``; ``problem(str)`` with a sentence when a photo cannot be shown.
    """

    indexChanged = Signal(int)  # noqa: N815 - Qt's signal naming
    problem = Signal(str)

    def __init__(self, loader: PhotoLoader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loader = loader
        self._photos: list[PhotoInfo] = []
        self._index = 0
        self._press: QPoint | None = None
        self._scaled: tuple[str, QSize, QPixmap] | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        loader.loaded.connect(self._arrived)
        loader.failed.connect(self._broken)

    @property
    def index(self) -> int:
        return self._index

    def set_photos(self, photos: Sequence[PhotoInfo], index: int = 0) -> None:
        self._photos = list(photos)
        self._index = max(0, min(index, len(self._photos) - 1))
        self._scaled = None
        self._prefetch()
        self.update()

    def current(self) -> PhotoInfo | None:
        return self._photos[self._index] if self._photos else None

    def show_index(self, index: int) -> None:
        if not self._photos:
            return
        index = index % len(self._photos)
        if index != self._index:
            self._index = index
            self._prefetch()
            self.update()
            self.indexChanged.emit(index)

    def next(self) -> None:
        self.show_index(self._index + 1)

    def previous(self) -> None:
        self.show_index(self._index - 1)

    def _prefetch(self) -> None:
        # The current photo and its neighbours, so a swipe shows the next one at once.
        for step in (0, 1, -1):
            if self._photos:
                self._loader.image(self._photos[(self._index + step) % len(self._photos)].image_sha)

    def _arrived(self, sha: str, _image: QImage) -> None:
        photo = self.current()
        if photo is not None and photo.image_sha == sha:
            self.update()

    def _broken(self, sha: str) -> None:
        photo = self.current()
        if photo is not None and photo.image_sha == sha:
            self.problem.emit(self.tr("第 {n} 张照片无法显示").format(n=self._index + 1))
            self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        self._press = event.position().toPoint()
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if self._press is None:
            return
        dx = event.position().toPoint().x() - self._press.x()
        x = self._press.x()
        self._press = None
        if dx <= -SWIPE_PX:
            self.next()
        elif dx >= SWIPE_PX or x < self.width() // 4:
            self.previous()
        elif x > self.width() * 3 // 4:
            self.next()
        event.accept()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#111827"))
        photo = self.current()
        if photo is None:
            painter.setPen(QColor("#D1D5DB"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("暂无照片"))
            return
        image = self._loader.image(photo.image_sha)
        if image is None:
            text = (
                self.tr("照片无法显示")
                if photo.image_sha in self._loader.broken
                else self.tr("加载中…")
            )
            painter.drawPixmap(0, 0, placeholder(self.size(), text))
            return
        key = (photo.image_sha, self.size())
        if self._scaled is None or self._scaled[:2] != key:
            scaled = QPixmap.fromImage(image).scaled(
                self.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            self._scaled = (photo.image_sha, self.size(), scaled)
        pixmap = self._scaled[2]
        painter.drawPixmap(
            (self.width() - pixmap.width()) // 2, (self.height() - pixmap.height()) // 2, pixmap
        )
        # Where we are in the gallery, bottom right.
        label = f"{self._index + 1} / {len(self._photos)}"
        if photo.caption:
            label = f"{photo.caption}  {label}"
        font = painter.font()
        font.setPixelSize(max(14, self.height() // 28))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        box = metrics.boundingRect(label).adjusted(-12, -6, 12, 6)
        box.moveBottomRight(self.rect().bottomRight() - QPoint(12, 12))
        painter.fillRect(box, QColor(0, 0, 0, 150))
        painter.setPen(QColor("#FFFFFF"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)


class PhotoStrip(QListView):
    """One row of thumbnails under a ``PhotoViewer``: a tap shows that photo, a swipe
    on the viewer moves the highlight. ``touch`` (the kiosk) scrolls with a finger
    and shows no scroll bar or focus frame. ``editable`` (staff) lets photos be
    dragged into a new order and several be selected (Ctrl/Shift-click).
    """

    def __init__(
        self,
        model: PhotoStripModel,
        viewer: PhotoViewer,
        grid: QSize,
        height: int,
        parent: QWidget | None = None,
        *,
        touch: bool = False,
        editable: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setIconSize(PhotoStripModel.THUMB)
        self.setGridSize(grid)
        self.setFixedHeight(height)
        if editable:
            # List mode moves rows through the model (icon mode would only move pictures).
            self.setViewMode(QListView.ViewMode.ListMode)
            self.setItemDelegate(_TileDelegate(self))
            self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
            self.setDragEnabled(True)
            self.setAcceptDrops(True)
            self.setDropIndicatorShown(True)
            self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
            self.setDefaultDropAction(Qt.DropAction.MoveAction)
            self.setUniformItemSizes(True)
        else:
            self.setViewMode(QListView.ViewMode.IconMode)
            self.setMovement(QListView.Movement.Static)
        if touch:
            self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            QScroller.grabGesture(
                self.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture
            )
        elif not editable:
            self.setUniformItemSizes(True)
        self.clicked.connect(lambda index: viewer.show_index(index.row()))
        viewer.indexChanged.connect(lambda row: self.setCurrentIndex(model.index(row)))

    def selected_photos(self) -> list[PhotoInfo]:
        """The selected photos in strip order (the current one when none is selected)."""
        model = self.model()
        assert isinstance(model, PhotoStripModel)
        rows = sorted(index.row() for index in self.selectionModel().selectedIndexes())
        if not rows and self.currentIndex().isValid():
            rows = [self.currentIndex().row()]
        return [p for p in (model.photo(r) for r in rows) if p is not None]
