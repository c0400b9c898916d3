"""Car photos on screen: decoded off the UI thread, cached, with a placeholder for bad files.

``PhotoLoader`` fetches a photo's bytes and decodes them into a ``QImage`` in a
worker (``QImage`` may be built off the UI thread; ``QPixmap`` may not), then
keeps the image in a small LRU cache shared by every screen, so flicking back
through a gallery never touches the database again. A missing or corrupt file
gives a placeholder and a sentence, never an exception.

``PhotoStripModel`` feeds ``PhotoStrip``, a one-row thumbnail strip that
follows and drives a viewer;
``PhotoViewer`` shows one large photo and changes photo on a swipe or an arrow.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
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
from PySide6.QtWidgets import QListView, QScroller, QSizePolicy, QWidget

from showroom.services.vehicle_archive import PhotoInfo
from ui.tasks import TaskRunner

Fetch = Callable[[Any], bytes]  # runs in a worker with a read session
_Index = QModelIndex | QPersistentModelIndex

CACHE_LIMIT = 160  # images; thumbnails are ~60 KB decoded, full photos ~2-6 MB
SWIPE_PX = 60


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
    """Thumbnails of one car's photos, in archive order. Emits the usual model signals."""

    THUMB = QSize(160, 120)
    PhotoRole = Qt.ItemDataRole.UserRole + 1

    def __init__(
        self, loader: PhotoLoader, parent: QObject | None = None, *, captions: bool = True
    ) -> None:
        super().__init__(parent)
        self._loader = loader
        self._captions = captions
        self._photos: list[PhotoInfo] = []
        self._pixmaps: dict[str, QPixmap] = {}
        loader.loaded.connect(self._arrived)
        loader.failed.connect(self._arrived_broken)

    def set_photos(self, photos: Sequence[PhotoInfo]) -> None:
        self.beginResetModel()
        self._photos = list(photos)
        self.endResetModel()

    def photo(self, row: int) -> PhotoInfo | None:
        return self._photos[row] if 0 <= row < len(self._photos) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._photos)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        photo = self.photo(index.row())
        if photo is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole and self._captions:
            cover = self.tr("封面") if photo.is_cover else ""
            return f"{index.row() + 1}. {photo.caption} {cover}".strip()
        if role == Qt.ItemDataRole.DecorationRole:
            return self._pixmap(photo.thumbnail_sha)
        if role == self.PhotoRole:
            return photo
        return None

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
    and shows no scroll bar or focus frame.
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
    ) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setIconSize(PhotoStripModel.THUMB)
        self.setGridSize(grid)
        self.setFixedHeight(height)
        self.setMovement(QListView.Movement.Static)
        if touch:
            self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            QScroller.grabGesture(
                self.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture
            )
        else:
            self.setUniformItemSizes(True)
        self.clicked.connect(lambda index: viewer.show_index(index.row()))
        viewer.indexChanged.connect(lambda row: self.setCurrentIndex(model.index(row)))
