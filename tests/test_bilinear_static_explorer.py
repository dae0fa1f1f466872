"""The chapter 7 bilinear explorer without a kernel, and the Part III family-tree figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import re

import matplotlib.pyplot as plt
import pytest

from mmlearn.experiments import param_counts
from mmlearn.viz.bilinear_explorer import FAMILY_EDGES, FAMILY_NODES, family_tree_figure
from mmlearn.viz.static_explorers import bilinear_static_explorer
from tests.test_figure_text import MIN_PX, displayed_text_px


@pytest.fixture(scope="module")
def explorer():
    accuracy = {"mlb": {1: 0.61, 8: 0.87}, "lmf": {4: 0.7}}
    return bilinear_static_explorer(
        (16, 16), 32, ranks=[1, 8], factors=[1, 2], sketch_dims=[16, 256], accuracy=accuracy
    )


def test_every_combination_of_rank_factor_and_sketch_is_precomputed(explorer):
    assert explorer.names == ["rank", "factor", "sketch"]
    assert explorer.labels == {"rank": ["1", "8"], "factor": ["1", "2"], "sketch": ["16", "256"]}
    assert sorted(explorer.states) == [f"{a},{b},{c}" for a in range(2) for b in range(2) for c in range(2)]
    assert len(set(explorer.states.values())) == 8  # each state its own picture
    page = explorer._repr_html_()
    assert "http" not in page.replace("http-equiv", "")  # offline: nothing loaded from anywhere
    assert page.count('type="range"') == 3


def test_the_picture_shows_the_counts_error_and_accuracy(monkeypatch):
    """Intercept the rendered figures and read their text: the numbers are the library's."""
    shown: list[list[str]] = []
    original = plt.Figure.savefig

    def spy(fig, *args, **kwargs):
        shown.append([t.get_text() for t in fig.findobj(matplotlib.text.Text)])
        return original(fig, *args, **kwargs)

    monkeypatch.setattr(plt.Figure, "savefig", spy)
    bilinear_static_explorer((6, 5), 4, ranks=[3], factors=[2], sketch_dims=[64], accuracy={"mlb": {2: 0.75}})
    (texts,) = shown
    joined = "\n".join(texts)
    counts = param_counts((6, 5), 4, 3, 2, 64)
    for name in ("mlb", "mfb", "mfh", "lmf", "mcb"):
        assert f"{counts[name]:,}" in joined
    assert "acc 0.75 (R=2)" in joined
    assert re.search(r"MCB relative error \d\.\d{3}", joined)


def test_explorer_text_is_readable():
    import matplotlib.figure

    sizes = []
    original = matplotlib.figure.Figure.savefig

    def spy(fig, *args, **kwargs):
        sizes.append(displayed_text_px(fig)[0])
        return original(fig, *args, **kwargs)

    matplotlib.figure.Figure.savefig = spy
    try:
        bilinear_static_explorer((16, 16), 32, ranks=[4], factors=[2], sketch_dims=[64])
    finally:
        matplotlib.figure.Figure.savefig = original
    assert min(s for s, _ in sizes) >= MIN_PX, sizes


def test_family_tree_figure_is_readable_and_complete():
    fig = family_tree_figure()
    smallest = displayed_text_px(fig)[0]
    texts = "\n".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))
    plt.close(fig)
    assert smallest[0] >= MIN_PX, f"text shown at {smallest[0]:.1f} px: {smallest[1]!r}"
    for name in ("MLB", "MFB", "MUTAN", "BLOCK", "MCB", "LMF", "Tucker", "MFH"):
        assert name in texts
    edges = {(a, b) for a, b, _, _ in FAMILY_EDGES}
    # review item 2: MCB hangs under Tucker (not MUTAN); MFB under Tucker; MLB under MFB, MUTAN, BLOCK
    assert {("tucker", "mcb"), ("tucker", "mfb"), ("mfb", "mlb"), ("mutan", "mlb"), ("block", "mlb")} <= edges
    assert {("block", "mutan"), ("tucker", "mutan"), ("tucker", "block")} <= edges
    dashed = {(a, b) for a, b, _, d in FAMILY_EDGES if d}
    assert dashed == {("mutan", "mcb")}  # MUTAN contains MCB only for large R
    assert "mfh" not in FAMILY_NODES  # MFH is not bilinear: outside the tree
    assert all(a in FAMILY_NODES and b in FAMILY_NODES for a, b in edges)
