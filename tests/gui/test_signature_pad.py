"""The signature pad: drawing with the mouse, undo and clear, vectors and PNG."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage

from showroom.errors import ValidationError
from showroom.services import test_drives as td
from ui.widgets.signature_pad import SignaturePad


def draw(qtbot, pad: SignaturePad, points: list[tuple[int, int]]) -> None:  # type: ignore[no-untyped-def]
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(*points[0]))
    for x, y in points[1:]:
        qtbot.mouseMove(pad, QPoint(x, y))
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(*points[-1]))


def zigzag(
    left: int, width: int, top: int = 40, height: int = 100, n: int = 16
) -> list[tuple[int, int]]:
    return [(left + width * i // n, top + (height if i % 2 else 0)) for i in range(n + 1)]


def test_drawing_with_the_mouse_records_strokes_and_ink(qtbot) -> None:  # type: ignore[no-untyped-def]
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(600, 200)
    pad.show()
    assert pad.is_blank()
    with qtbot.waitSignal(pad.changed):
        draw(qtbot, pad, zigzag(40, 250))
    draw(qtbot, pad, zigzag(320, 220))
    strokes = pad.strokes()
    assert len(strokes) == 2 and len(strokes[0]) >= 10
    assert all(0.0 <= x <= 1.0 and 0.0 <= y <= 1.0 for s in strokes for x, y in s)
    assert strokes[0][0] == [round(40 / 600, 4), 0.2]
    image = QImage.fromData(pad.to_png())
    assert image.width() == 900 and image.height() == 300
    inked = sum(
        1 for x in range(0, 900, 5) for y in range(0, 300, 5) if image.pixelColor(x, y).alpha() > 0
    )
    assert inked > 50
    # The service accepts it as a signature.
    td.validate_signature(td.DrawnSignature(strokes, pad.to_png()), "客户")


def test_undo_removes_the_last_stroke_and_clear_all(qtbot) -> None:  # type: ignore[no-untyped-def]
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(600, 200)
    pad.show()
    draw(qtbot, pad, zigzag(40, 250))
    draw(qtbot, pad, zigzag(320, 220))
    pad.undo()
    assert len(pad.strokes()) == 1
    pad.clear()
    assert pad.is_blank() and pad.strokes() == []


def test_a_dot_is_refused_as_a_signature(qtbot) -> None:  # type: ignore[no-untyped-def]
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(600, 200)
    pad.show()
    draw(qtbot, pad, [(100, 100), (103, 101), (105, 100)])
    try:
        td.validate_signature(td.DrawnSignature(pad.strokes(), pad.to_png()), "客户")
    except ValidationError as exc:
        assert exc.code == "signature.too_small"
    else:  # pragma: no cover - the failure message
        raise AssertionError("a dot was accepted as a signature")
