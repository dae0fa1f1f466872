"""A synthetic interaction task that no bilinear form represents: the XOR of two norm tests."""

from __future__ import annotations

import torch
from scipy import stats

from .dataset import MultimodalDataset


def make_norm_xor(
    n: int = 2000,
    dims: tuple[int, int] = (8, 8),
    flip: float = 0.0,
    seed: int = 0,
) -> MultimodalDataset:
    """Two Gaussian modalities labelled ``[‖x‖² > a] XOR [‖y‖² > b]``.

    ``x ~ N(0, I_{d1})`` and ``y ~ N(0, I_{d2})`` are independent; ``a`` and ``b`` are the medians
    of the chi-squared distributions with ``d1`` and ``d2`` degrees of freedom, so each test is a
    fair coin. The label is therefore independent of ``x`` alone and of ``y`` alone (the other
    modality's coin hides it): every unimodal model stays at chance.

    Unlike :func:`make_interaction`, the rule is not the sign of a bilinear form ``xᵀ W y``: it is
    ``sign((‖x‖² − a)(‖y‖² − b))``, a polynomial of degree 2 in each modality, so a bilinear
    fusion of the raw inputs cannot represent it either; a model needs a nonlinear encoder per
    modality (to compute the norms) and an interaction between them (the XOR). ``flip`` is the
    fraction of labels flipped at random (label noise), which caps the best accuracy at
    ``1 - flip``.

    Returns a :class:`MultimodalDataset` with modalities ``["x", "y"]`` of shapes ``(n, d1)`` and
    ``(n, d2)`` and labels ``(n,)`` in ``{0, 1}``; the thresholds are kept as
    ``dataset.thresholds``.
    """
    if n <= 0 or len(dims) != 2 or min(dims) <= 0:
        raise ValueError(f"make_norm_xor: need n > 0 and two positive dims, got n={n}, dims={dims}")
    if not 0.0 <= flip < 0.5:
        raise ValueError(f"make_norm_xor: flip must be in [0, 0.5), got {flip}")
    gen = torch.Generator().manual_seed(seed)
    d1, d2 = dims
    a, b = float(stats.chi2.median(d1)), float(stats.chi2.median(d2))
    x = torch.randn(n, d1, generator=gen)  # (n, d1)
    y = torch.randn(n, d2, generator=gen)  # (n, d2)
    labels = ((x.pow(2).sum(1) > a) ^ (y.pow(2).sum(1) > b)).long()  # (n,)
    if flip > 0:
        flipped = torch.rand(n, generator=gen) < flip
        labels = torch.where(flipped, 1 - labels, labels)
    data = MultimodalDataset([x, y], labels, names=["x", "y"])
    data.thresholds = (a, b)  # type: ignore[attr-defined]
    return data
