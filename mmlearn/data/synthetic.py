"""A synthetic task whose label depends on a multiplicative interaction of two modalities."""

from __future__ import annotations

import torch

from .dataset import MultimodalDataset


def make_interaction(
    n: int = 2000,
    dims: tuple[int, int] = (16, 16),
    n_classes: int = 2,
    rank: int | None = None,
    noise: float = 0.0,
    seed: int = 0,
) -> MultimodalDataset:
    """Two Gaussian modalities whose class is ``argmax_k x^T W_k y`` (or its sign for 2 classes).

    ``x ~ N(0, I_{d1})`` and ``y ~ N(0, I_{d2})`` are independent. Every *linear* function of
    ``[x; y]`` is uninformative, so concatenation followed by a linear classifier stays at
    chance, whereas a bilinear fusion can represent the rule exactly: the task favours bilinear
    fusion by construction (:func:`make_norm_xor` is an interaction task that is not bilinear).
    For two classes each modality alone is independent of the label (the sign of ``x^T W y`` is
    symmetric in ``y`` for any fixed ``x``). For ``K > 2`` classes it is not: given ``x`` the
    scores ``x^T W_k y`` are jointly Gaussian with a covariance that depends on ``x``, so
    ``P(class | x)`` varies with ``x`` through even functions of it (linear functions still carry
    no information). ``rank`` limits the rank of each ``W_k`` (default: full); ``noise`` adds
    Gaussian noise of that standard deviation to the scores before the label is taken.

    The generating tensor ``W`` of shape ``(K, d1, d2)`` (``K = 1`` for two classes) is kept as
    ``dataset.interaction``.
    """
    if n <= 0 or n_classes < 2 or len(dims) != 2 or min(dims) <= 0:
        raise ValueError(
            f"make_interaction: need n > 0, n_classes >= 2 and two positive dims, got n={n}, "
            f"n_classes={n_classes}, dims={dims}"
        )
    gen = torch.Generator().manual_seed(seed)
    d1, d2 = dims
    k = 1 if n_classes == 2 else n_classes
    r = min(d1, d2) if rank is None else rank
    if not 1 <= r <= min(d1, d2):
        raise ValueError(f"make_interaction: rank must be in [1, {min(d1, d2)}], got {rank}")
    u = torch.randn(k, d1, r, generator=gen)
    v = torch.randn(k, d2, r, generator=gen)
    weight = torch.einsum("kir,kjr->kij", u, v) / (r * d1 * d2) ** 0.5
    x = torch.randn(n, d1, generator=gen)
    y = torch.randn(n, d2, generator=gen)
    scores = torch.einsum("ni,kij,nj->nk", x, weight, y)
    if noise > 0:
        scores = scores + noise * scores.std() * torch.randn(scores.shape, generator=gen)
    labels = (scores[:, 0] > 0).long() if n_classes == 2 else scores.argmax(dim=1)
    data = MultimodalDataset([x, y], labels, names=["x", "y"])
    data.interaction = weight  # type: ignore[attr-defined]
    return data
