"""Charts for the dashboard: a matplotlib figure in a card with PNG and CSV export.

matplotlib draws with its own fonts, not Qt's, and its default (DejaVu Sans) has no
Chinese glyphs: every label would be a row of boxes. ``configure_matplotlib`` puts
the CJK families first (the same ones the app's Qt font prefers) and turns off the
Unicode minus sign, which those fonts lack. It runs once, before the first figure.

A ``ChartCard`` only draws what it is given; the numbers come from
``showroom.services.reports`` and the CSV is written by the service's ``write_csv``.
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.style import FONT_FAMILIES, PALETTE
from ui.widgets.icons import icon

SERIES_COLOURS = ("#1f4e79", "#f5b301", "#2e7d32", "#c62828", "#7b61a8", "#5f6b7a")
_configured = False


def configure_matplotlib() -> None:
    """Chinese-capable fonts and the app's colours for every figure (idempotent)."""
    global _configured  # a one-time process setting, like a locale
    if _configured:
        return
    installed = {f.name for f in font_manager.fontManager.ttflist}
    added = [] if installed.intersection(FONT_FAMILIES) else sorted(_add_cjk_fonts())
    families = (
        [f for f in FONT_FAMILIES if f in installed]
        + added
        + [f for f in ("SimHei", "Arial Unicode MS", "DejaVu Sans") if f not in FONT_FAMILIES]
    )
    matplotlib.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": families,
            "axes.unicode_minus": False,
            "font.size": 10,
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "axes.titlecolor": PALETTE.text,
            "axes.edgecolor": PALETTE.border,
            "axes.labelcolor": PALETTE.text_muted,
            "xtick.color": PALETTE.text_muted,
            "ytick.color": PALETTE.text_muted,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "axes.grid.axis": "y",
            "axes.axisbelow": True,  # grid lines behind the bars, not across them
            "grid.color": "#e9edf2",
            "axes.prop_cycle": matplotlib.cycler(color=SERIES_COLOURS),
            "figure.facecolor": PALETTE.surface,
            "axes.facecolor": PALETTE.surface,
            "savefig.facecolor": PALETTE.surface,
            "legend.frameon": False,
        }
    )
    _configured = True


def _add_cjk_fonts() -> set[str]:
    """Tell matplotlib about the system's CJK fonts itself; return the families added.

    matplotlib lists fonts once and caches the list: a font installed after that
    (or a cache copied from another machine) is unknown to it, and every Chinese
    label would draw as boxes although the app's own papers print fine.
    """
    from ui.documents.fonts import cjk_font_files

    added: set[str] = set()
    for path in cjk_font_files():
        try:
            font_manager.fontManager.addfont(str(path))
            added.add(font_manager.FontProperties(fname=str(path)).get_name())
        except (OSError, RuntimeError, ValueError):  # an unreadable file: try the next
            continue
    return added


class ChartCard(QFrame):
    """A titled card holding one figure and its two export buttons.

    Signals: ``export_png_requested(str)``, ``export_csv_requested(str)`` carry the
    chart key; the screen asks for a file name and writes the file.
    """

    export_png_requested = Signal(str)
    export_csv_requested = Signal(str)

    def __init__(self, key: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        configure_matplotlib()
        self.key = key
        self.setObjectName("Card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(4)
        # The figure draws its own title (so an exported PNG has it); the card only
        # names itself for screen readers.
        self.title = title
        self.setAccessibleName(title)
        top = QHBoxLayout()
        top.addStretch(1)
        self.png_button = QPushButton(icon("download"), self.tr("图片"), self)
        self.png_button.setToolTip(self.tr("导出图表为 PNG 图片"))
        self.png_button.clicked.connect(self._on_png)
        self.csv_button = QPushButton(icon("download"), self.tr("数据"), self)
        self.csv_button.setToolTip(self.tr("导出图表数据为 CSV（可用 Excel 打开）"))
        self.csv_button.clicked.connect(self._on_csv)
        for button in (self.png_button, self.csv_button):
            button.setEnabled(False)
            top.addWidget(button)
        layout.addLayout(top)
        self.figure = Figure(figsize=(6, 3.2), dpi=100, layout="constrained")
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setParent(self)
        self.canvas.setMinimumHeight(240)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout.addWidget(self.canvas, 1)
        self.note_label = QLabel("", self)
        self.note_label.setObjectName("CardDetail")
        self.note_label.setWordWrap(True)
        self.note_label.hide()
        layout.addWidget(self.note_label)

    def draw(self, painter: Callable[[Figure], None], note: str = "") -> None:
        """Clear the figure, let ``painter`` draw on it, and show it."""
        self.figure.clear()
        painter(self.figure)
        self.canvas.draw_idle()
        self.note_label.setText(note)
        self.note_label.setVisible(bool(note))
        self.png_button.setEnabled(True)
        self.csv_button.setEnabled(True)

    def save_png(self, path: str) -> None:
        self.figure.savefig(path, dpi=150)

    def _on_png(self) -> None:
        self.export_png_requested.emit(self.key)

    def _on_csv(self) -> None:
        self.export_csv_requested.emit(self.key)


def empty_message(axes: object, text: str) -> None:
    """Say plainly that there is nothing to draw, instead of an empty frame."""
    ax = axes  # matplotlib Axes; typed loosely to keep this module light
    ax.text(  # type: ignore[attr-defined]
        0.5,
        0.5,
        text,
        ha="center",
        va="center",
        color=PALETTE.text_muted,
        transform=ax.transAxes,  # type: ignore[attr-defined]
    )
    ax.set_xticks([])  # type: ignore[attr-defined]
    ax.set_yticks([])  # type: ignore[attr-defined]
    ax.grid(False)  # type: ignore[attr-defined]


__all__ = ["ChartCard", "configure_matplotlib", "empty_message"]
