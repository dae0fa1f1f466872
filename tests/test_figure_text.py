"""Text in the book's figures is readable on the site: checked where each figure is made.

A figure is saved at matplotlib's 100 dpi and shown at most 688 px wide (the text column at
1280 px); a wider figure is scaled down, and so is its text. The displayed size of every piece of
text must stay at or above ``MIN_PX``: a 13-inch-wide figure with 8 pt labels shows them at about
6 px, which the reader review found illegible.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Text

COLUMN_PX = 688
MIN_PX = 9.0


def displayed_text_px(fig) -> list[tuple[float, str]]:
    """(displayed height in px, text) for every visible text of ``fig``, smallest first."""
    fig.canvas.draw()
    bbox = fig.get_tightbbox(fig.canvas.get_renderer())
    width_px = bbox.width * fig.dpi if bbox is not None else fig.get_figwidth() * fig.dpi
    scale = min(1.0, COLUMN_PX / width_px) * fig.dpi / 100
    sizes = [
        (t.get_fontsize() * 100 / 72 * scale, t.get_text())
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip()
    ]
    return sorted(sizes)


def test_the_helper_measures_scaling():
    fig = plt.figure(figsize=(13.76, 3))  # twice the column: text shown at half size
    ax = fig.add_axes((0, 0, 1, 1))
    ax.text(0.5, 0.5, "t", fontsize=10)
    ax.set(xticks=[], yticks=[])
    (size, _), *_ = displayed_text_px(fig)
    assert size == pytest.approx(10 * 100 / 72 / 2, rel=0.1)
    plt.close(fig)


def test_fusion_stages_diagram_text_is_readable():
    from mmlearn.viz.figures import fusion_stages_diagram

    fig = fusion_stages_diagram()
    smallest = displayed_text_px(fig)[0]
    plt.close(fig)
    assert smallest[0] >= MIN_PX, f"text shown at {smallest[0]:.1f} px: {smallest[1]!r}"


def test_bilinear_explorer_figure_text_is_readable():
    from mmlearn.viz.bilinear_explorer import explorer_figure as figure

    accuracy = {"mlb": {1: 0.6, 4: 0.8}, "lmf": {1: 0.6, 4: 0.7}}
    fig = figure((16, 16), 32, ranks=[1, 2, 4, 8, 16, 32], accuracy=accuracy)
    smallest = displayed_text_px(fig)[0]
    plt.close(fig)
    assert smallest[0] >= MIN_PX, f"text shown at {smallest[0]:.1f} px: {smallest[1]!r}"
