"""Text in the book's figures is readable on the site: checked where each figure is made.

A figure is shown at most 688 px wide (the text column at 1280 px); a wider figure is scaled down,
and so is its text. The displayed size of every piece of text must stay at or above ``MIN_PX``
(``mmlearn.viz.text_size``): a 13-inch-wide figure with 8 pt labels shows them at about 6 px, which
the reader review found illegible. The library's figures are checked here; the figures the
chapters draw are checked as the book is executed (``figure.hooks`` in every kernel, see
``scripts/execute_book.py``), and the hook itself is tested here.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from mmlearn.viz.text_size import LOG_VARIABLE, MIN_PX, displayed_text_px, small_text, watch


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


def test_small_text_names_the_label():
    fig = plt.figure(figsize=(13.76, 3))
    ax = fig.add_axes((0.1, 0.2, 0.8, 0.7))
    ax.set_xlabel("tiny label", fontsize=8)
    ax.set_ylabel("large label", fontsize=30)
    ax.tick_params(labelsize=30)
    found = small_text(fig)
    plt.close(fig)
    assert [text for _, text in found] == ["tiny label"]


def test_watch_reports_small_text_when_drawn(tmp_path, monkeypatch):
    log = tmp_path / "figure_text.log"
    monkeypatch.setenv(LOG_VARIABLE, str(log))
    readable = plt.figure(figsize=(4, 3))
    watch(readable)
    readable.add_subplot().set_title("fine", fontsize=12)
    readable.canvas.draw()
    assert not log.exists()
    tiny = plt.figure(figsize=(14, 3))
    watch(tiny)
    tiny.add_subplot().set_title("a wide figure", fontsize=8)
    tiny.savefig(tmp_path / "tiny.png", bbox_inches="tight")
    plt.close("all")
    lines = log.read_text().splitlines()
    assert lines and all(line.startswith("a wide figure | ") for line in lines)
    assert "'a wide figure'" in lines[0]


def test_watch_does_nothing_without_the_log_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(LOG_VARIABLE, raising=False)
    fig = plt.figure(figsize=(14, 3))
    watch(fig)
    fig.add_subplot().set_title("a wide figure", fontsize=6)
    fig.canvas.draw()
    plt.close(fig)
    assert list(tmp_path.iterdir()) == []
