"""The Part V cost explorer: one precomputed picture per state, bad tables refused."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from mmlearn.viz.part5_explorer import token_cost_static_explorer


def _flops():
    lengths, sizes = [16, 64], [2, 8, 32]
    grid = np.outer(lengths, np.ones(3))
    return lengths, sizes, {"single": grid**2, "perceiver": grid * np.array(sizes)}


def test_every_state_is_rendered_and_differs():
    open_before = plt.get_fignums()
    lengths, sizes, flops = _flops()
    ex = token_cost_static_explorer(lengths, sizes, flops)
    assert sorted(ex.states) == [f"{i},{j}" for i in range(2) for j in range(3)]
    assert len(set(ex.states.values())) == 6  # every state is its own picture
    assert ex.names == ["tokens", "size"] and ex.labels["size"] == ["2", "8", "32"]
    page = ex._repr_html_()
    assert page.count('type="range"') == 2
    assert plt.get_fignums() == open_before


def test_bad_tables_are_refused():
    lengths, sizes, flops = _flops()
    with pytest.raises(ValueError, match="at least one fusion"):
        token_cost_static_explorer(lengths, sizes, {})
    with pytest.raises(ValueError, match=r"shape \(len\(lengths\), len\(sizes\)\) = \(2, 3\)"):
        token_cost_static_explorer(lengths, sizes, {"a": np.ones((3, 2))})
    with pytest.raises(ValueError, match="positive"):
        token_cost_static_explorer(lengths, sizes, {"a": np.zeros((2, 3))})
