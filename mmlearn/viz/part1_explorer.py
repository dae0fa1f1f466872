"""Late fusion of two classifiers, explored: the weight between the views and the combining rule.

Given the class probabilities ``p1, p2 (n, K)`` of two single-view classifiers on the same test
samples, late fusion with weight ``w`` on view 1 is

* the normalised weighted **geometric** mean ``p ∝ p1^w ⊙ p2^(1-w)`` (what averaging logits
  computes: ``softmax(w s1 + (1 - w) s2)`` with ``s_m = log p_m``), or
* the weighted **arithmetic** mean ``p = w p1 + (1 - w) p2`` (a mixture of the two).

Both have the same endpoints (``w = 0``: view 2 alone; ``w = 1``: view 1 alone) and differ in
between. :func:`late_fusion_static_explorer` precomputes every state for the offline book
(chapter 2); :func:`late_fusion_explorer` is the live ipywidgets twin for Jupyter.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .static_explorers import StaticExplorer

__all__ = [
    "fuse_probabilities",
    "late_fusion_accuracy",
    "late_fusion_static_explorer",
    "late_fusion_explorer",
]

RULES = ("geometric", "arithmetic")


def _check_probs(p1: np.ndarray, p2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p1, p2 = np.asarray(p1, dtype=np.float64), np.asarray(p2, dtype=np.float64)
    if p1.ndim != 2 or p1.shape != p2.shape:
        raise ValueError(f"p1 and p2 must both have shape (n, K), got {p1.shape} and {p2.shape}")
    if (p1 < 0).any() or (p2 < 0).any():
        raise ValueError("p1 and p2 must be probabilities (non-negative)")
    return p1, p2


def fuse_probabilities(p1: np.ndarray, p2: np.ndarray, w: float, rule: str = "geometric") -> np.ndarray:
    """Fused class probabilities ``(n, K)`` of two views with weight ``w in [0, 1]`` on view 1.

    ``rule="geometric"``: ``p1^w p2^(1-w)`` renormalised per row (computed in log space, with
    probabilities clipped at 1e-12 so that a zero does not give ``log 0``);
    ``rule="arithmetic"``: ``w p1 + (1 - w) p2``.
    """
    p1, p2 = _check_probs(p1, p2)
    if not 0.0 <= w <= 1.0:
        raise ValueError(f"w must lie in [0, 1], got {w}")
    if rule == "arithmetic":
        return w * p1 + (1 - w) * p2
    if rule != "geometric":
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    logits = w * np.log(np.clip(p1, 1e-12, None)) + (1 - w) * np.log(np.clip(p2, 1e-12, None))
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


def late_fusion_accuracy(
    p1: np.ndarray, p2: np.ndarray, labels: np.ndarray, weights: Sequence[float], rule: str = "geometric"
) -> np.ndarray:
    """Test accuracy ``(len(weights),)`` of the fused prediction for every weight."""
    labels = np.asarray(labels)
    return np.array([(fuse_probabilities(p1, p2, w, rule).argmax(1) == labels).mean() for w in weights])


def _draw(axes, p1, p2, labels, weights, curves, k: int, rule: str, sample: int, names: Sequence[str]):
    ax, bx = axes
    for r, style in zip(RULES, ("-", "--"), strict=True):
        ax.plot(weights, curves[r], style, lw=2 if r == rule else 1, label=r)
    ax.axvline(weights[k], color="grey", lw=0.8)
    ax.plot([weights[k]], [curves[rule][k]], "o", color="black")
    ax.set(xlabel=f"weight w on {names[0]} (1 - w on {names[1]})", ylabel="test accuracy")
    ax.legend(fontsize=9, loc="lower center")
    ax.set_title(f"accuracy {curves[rule][k]:.3f}", fontsize=10)
    p = fuse_probabilities(p1[sample : sample + 1], p2[sample : sample + 1], weights[k], rule)[0]
    colors = ["tab:green" if c == labels[sample] else "tab:blue" for c in range(len(p))]
    bx.bar(np.arange(len(p)), p, color=colors)
    bx.set(ylim=(0, 1), xlabel="class", ylabel="fused probability", xticks=np.arange(len(p)))
    bx.set_title(f"sample {sample} (true class in green)", fontsize=10)


def late_fusion_figure(
    p1: np.ndarray,
    p2: np.ndarray,
    labels: np.ndarray,
    weights: Sequence[float],
    index: int,
    rule: str,
    sample: int,
    names: Sequence[str] = ("view 1", "view 2"),
):
    """One state of the explorer as a figure: accuracy against the weight (both rules, state
    ``weights[index]`` and ``rule`` marked) and the fused probabilities of test sample ``sample``."""
    import matplotlib.pyplot as plt

    p1, p2 = _check_probs(p1, p2)
    labels = np.asarray(labels)
    curves = {r: late_fusion_accuracy(p1, p2, labels, weights, r) for r in RULES}
    fig, axes = plt.subplots(1, 2, figsize=(8, 3))
    _draw(axes, p1, p2, labels, list(weights), curves, index, rule, sample, names)
    fig.tight_layout()
    return fig


def late_fusion_static_explorer(
    p1: np.ndarray,
    p2: np.ndarray,
    labels: np.ndarray,
    sample: int,
    names: Sequence[str] = ("view 1", "view 2"),
    weights: Sequence[float] = tuple(np.round(np.linspace(0, 1, 11), 2)),
):
    """Sliders "weight" and "rule" over precomputed pictures (for the offline book).

    Left: test accuracy against the weight for both rules, the current state marked. Right: the
    fused class probabilities of test sample ``sample`` for the current state.
    """
    import matplotlib.pyplot as plt

    p1, p2 = _check_probs(p1, p2)
    labels = np.asarray(labels)
    if not 0 <= sample < len(labels):
        raise ValueError(f"sample must index one of the {len(labels)} test samples, got {sample}")
    weights = [float(w) for w in weights]
    curves = {r: late_fusion_accuracy(p1, p2, labels, weights, r) for r in RULES}

    def render(weight: int, rule: int):
        fig, axes = plt.subplots(1, 2, figsize=(8, 3))
        _draw(axes, p1, p2, labels, weights, curves, weight, RULES[rule], sample, names)
        fig.tight_layout()
        return fig

    return StaticExplorer(
        render,
        {"weight": [f"{w:.2f}" for w in weights], "rule": list(RULES)},
        title=f"late fusion of {names[0]} and {names[1]}",
    )


def late_fusion_explorer(
    p1: np.ndarray,
    p2: np.ndarray,
    labels: np.ndarray,
    names: Sequence[str] = ("view 1", "view 2"),
    weights: Sequence[float] = tuple(np.round(np.linspace(0, 1, 21), 2)),
):
    """The live ipywidgets version: a weight slider, a rule toggle and a sample slider."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    p1, p2 = _check_probs(p1, p2)
    labels = np.asarray(labels)
    weights = [float(w) for w in weights]
    curves = {r: late_fusion_accuracy(p1, p2, labels, weights, r) for r in RULES}
    out = widgets.Output()
    w_slider = widgets.SelectionSlider(
        options=[(f"{w:.2f}", i) for i, w in enumerate(weights)], description="weight"
    )
    rule = widgets.ToggleButtons(options=list(RULES), description="rule")
    sample = widgets.IntSlider(min=0, max=len(labels) - 1, value=0, description="sample")

    def show(*_):
        with out:
            out.clear_output(wait=True)
            fig, axes = plt.subplots(1, 2, figsize=(8, 3))
            _draw(axes, p1, p2, labels, weights, curves, w_slider.value, rule.value, sample.value, names)
            fig.tight_layout()
            plt.show()

    for widget in (w_slider, rule, sample):
        widget.observe(show, names="value")
    show()
    return widgets.VBox([w_slider, rule, sample, out])
