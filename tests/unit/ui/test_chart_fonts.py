"""Charts draw Chinese with a CJK font even when matplotlib's font list predates it."""

from __future__ import annotations

import warnings

import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ui.documents.fonts import cjk_font_files
from ui.widgets import charts


def test_a_stale_font_cache_still_gives_chinese_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    if not cjk_font_files():
        pytest.skip("no CJK font on this machine (CI installs fonts-noto-cjk)")
    # A cache made before the CJK font was installed: no CJK family in it.
    stale = [f for f in font_manager.fontManager.ttflist if "CJK" not in f.name]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    monkeypatch.setattr(charts, "_configured", False)
    monkeypatch.setitem(charts.matplotlib.rcParams, "font.sans-serif", ["DejaVu Sans"])

    charts.configure_matplotlib()

    first = charts.matplotlib.rcParams["font.sans-serif"][0]
    assert "CJK" in first or "Han" in first
    figure = Figure()
    figure.add_subplot().set_title("到店客户（按小时）")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" is a warning
        FigureCanvasAgg(figure).draw()
