"""The chapter 2 late-fusion explorer: the two combining rules and every precomputed state."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from mmlearn.viz.part1_explorer import (
    fuse_probabilities,
    late_fusion_accuracy,
    late_fusion_figure,
    late_fusion_static_explorer,
)
from tests.test_figure_text import MIN_PX, displayed_text_px


def _probs(seed: int, n: int = 30, k: int = 4):
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.ones(k), size=n), rng.dirichlet(np.ones(k), size=n), rng.integers(0, k, n)


def test_geometric_rule_is_softmax_of_weighted_log_probabilities():
    p1, p2, _ = _probs(0)
    w = 0.3
    got = fuse_probabilities(p1, p2, w, "geometric")
    expected = p1**w * p2 ** (1 - w)
    np.testing.assert_allclose(got, expected / expected.sum(1, keepdims=True))
    np.testing.assert_allclose(got.sum(1), 1.0)
    np.testing.assert_allclose(fuse_probabilities(p1, p2, w, "arithmetic"), w * p1 + (1 - w) * p2)


def test_rules_share_endpoints_and_differ_between():
    p1, p2, y = _probs(1)
    for rule in ("geometric", "arithmetic"):
        np.testing.assert_allclose(fuse_probabilities(p1, p2, 1.0, rule), p1, atol=1e-12)
        np.testing.assert_allclose(fuse_probabilities(p1, p2, 0.0, rule), p2, atol=1e-12)
    assert not np.allclose(
        fuse_probabilities(p1, p2, 0.5, "geometric"), fuse_probabilities(p1, p2, 0.5, "arithmetic")
    )
    acc = late_fusion_accuracy(p1, p2, y, [0.0, 1.0])
    np.testing.assert_allclose(acc, [(p2.argmax(1) == y).mean(), (p1.argmax(1) == y).mean()])


def test_zero_probability_does_not_give_nan():
    p1 = np.array([[1.0, 0.0], [0.5, 0.5]])
    p2 = np.array([[0.0, 1.0], [0.2, 0.8]])
    assert np.isfinite(fuse_probabilities(p1, p2, 0.5)).all()


def test_bad_arguments_are_refused():
    p1, p2, y = _probs(2)
    with pytest.raises(ValueError, match="shape"):
        fuse_probabilities(p1, p2[:, :2], 0.5)
    with pytest.raises(ValueError, match="w must"):
        fuse_probabilities(p1, p2, 1.5)
    with pytest.raises(ValueError, match="rule"):
        fuse_probabilities(p1, p2, 0.5, "harmonic")
    with pytest.raises(ValueError, match="sample"):
        late_fusion_static_explorer(p1, p2, y, sample=len(y))


def test_static_explorer_precomputes_every_state_and_closes_its_figures():
    p1, p2, y = _probs(3)
    before = plt.get_fignums()
    ex = late_fusion_static_explorer(p1, p2, y, sample=0, names=("a", "b"), weights=[0.0, 0.5, 1.0])
    assert sorted(ex.states) == [f"{i},{j}" for i in range(3) for j in range(2)]
    assert len(set(ex.states.values())) == 6
    assert ex.labels["rule"] == ["geometric", "arithmetic"]
    assert "http" not in ex._repr_html_().replace("http-equiv", "")
    assert plt.get_fignums() == before


def test_explorer_figure_text_is_readable():
    p1, p2, y = _probs(4, k=10)
    fig = late_fusion_figure(p1, p2, y, [0.0, 0.5, 1.0], 1, "geometric", 0, names=("image", "audio"))
    smallest = displayed_text_px(fig)[0]
    plt.close(fig)
    assert smallest[0] >= MIN_PX, f"text shown at {smallest[0]:.1f} px: {smallest[1]!r}"
