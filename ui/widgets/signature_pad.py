"""A pad to sign on with a finger, a pen or the mouse.

Strokes are kept as vectors (points normalised to 0..1 of the pad, so they do
not depend on the screen) and turned into a PNG (ink on transparent) for the
paper. Whether a signature is acceptable (not empty, not a dot) is the
service's rule (``test_drives.validate_signature``); the pad only says when it
is blank so the button can wait.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QEvent,
    QIODevice,
    QPointF,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

Stroke = list[list[float]]

INK = QColor("#10205f")
PNG_SIZE = QSize(900, 300)  # 3:1, like the pad and the box on the paper


class SignaturePad(QWidget):
    """Draw to sign; ``clear()`` and ``undo()`` take strokes away.

    Signals: ``changed()`` after every finished stroke, undo or clear.
    """

    changed = Signal()

    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signaturePad")
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(360, 120)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self._placeholder = placeholder or self.tr("请在此处签名")
        self._strokes: list[Stroke] = []
        self._current: Stroke | None = None

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(600, 200)

    # --- data -------------------------------------------------------------------------

    def strokes(self) -> list[Stroke]:
        return [list(map(list, stroke)) for stroke in self._strokes]

    def is_blank(self) -> bool:
        return not any(self._strokes)

    def point_count(self) -> int:
        return sum(len(s) for s in self._strokes)

    def clear(self) -> None:
        self._strokes.clear()
        self._current = None
        self.update()
        self.changed.emit()

    def undo(self) -> None:
        if self._strokes:
            self._strokes.pop()
            self.update()
            self.changed.emit()

    def to_png(self, size: QSize = PNG_SIZE) -> bytes:
        """The strokes drawn as ink on transparent, independent of the pad's size on screen."""
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        self._draw_strokes(painter, QRectF(0, 0, size.width(), size.height()), size.height() / 55)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        return bytes(data.data())

    # --- input ------------------------------------------------------------------------

    def _normalised(self, pos: QPointF) -> list[float]:
        w, h = max(1, self.width()), max(1, self.height())
        return [
            round(min(max(pos.x() / w, 0.0), 1.0), 4),
            round(min(max(pos.y() / h, 0.0), 1.0), 4),
        ]

    def _begin(self, pos: QPointF) -> None:
        self._current = [self._normalised(pos)]
        self._strokes.append(self._current)
        self.update()

    def _extend(self, pos: QPointF) -> None:
        if self._current is not None:
            point = self._normalised(pos)
            if point != self._current[-1]:
                self._current.append(point)
                self.update()

    def _end(self) -> None:
        if self._current is not None:
            self._current = None
            self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton:
            self._extend(event.position())
            self._end()

    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: N802 - Qt API
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QEvent.Type.TabletMove and event.buttons():
            self._extend(event.position())
        elif kind == QEvent.Type.TabletRelease:
            self._extend(event.position())
            self._end()
        event.accept()  # a pen must not also arrive as synthesised mouse events

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd):
            assert isinstance(event, QTouchEvent)
            points = event.points()
            if points:
                pos = points[0].position()
                if kind == QEvent.Type.TouchBegin:
                    self._begin(pos)
                elif kind == QEvent.Type.TouchUpdate:
                    self._extend(pos)
                else:
                    self._extend(pos)
                    self._end()
            event.accept()
            return True
        return super().event(event)

    # --- painting ---------------------------------------------------------------------

    def _draw_strokes(self, painter: QPainter, area: QRectF, width: float) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(INK, max(2.0, width))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        for stroke in self._strokes:
            points = [
                QPointF(area.left() + x * area.width(), area.top() + y * area.height())
                for x, y in stroke
            ]
            if len(points) == 1:
                painter.drawPoint(points[0])
                continue
            path = QPainterPath(points[0])
            for point in points[1:]:
                path.lineTo(point)
            painter.drawPath(path)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        rect = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        painter.fillRect(rect, QColor("#ffffff"))
        painter.setPen(QPen(QColor("#c4c7c5"), 1, Qt.PenStyle.DashLine))
        painter.drawRoundedRect(rect, 8, 8)
        baseline = rect.top() + rect.height() * 0.75
        painter.drawLine(QPointF(rect.left() + 24, baseline), QPointF(rect.right() - 24, baseline))
        if self.is_blank():
            painter.setPen(QColor("#80868b"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._placeholder)
        self._draw_strokes(painter, QRectF(self.rect()), max(2.5, self.height() / 70))
        painter.end()
