"""Distances and similarities between vectors, row by row or all pairs.

For ``a`` of shape ``(n, d)`` and ``b`` of shape ``(m, d)`` the ``pairwise_*`` functions return
``(n, m)``; the paired versions take ``(n, d)`` and ``(n, d)`` and return ``(n,)``.

* Euclidean ``||a - b||_2``: sensitive to scale, natural for Gaussian-like features.
* Manhattan ``||a - b||_1``: less sensitive to one large coordinate (outliers).
* cosine similarity ``a.b / (||a|| ||b||)`` in ``[-1, 1]``: ignores length, compares directions.
* Hamming: number of coordinates that differ; for discrete codes (binary hashes, labels).

The Euclidean distance is ``sqrt(s)`` with ``s = ||a - b||^2``, exact, but with the square root
evaluated only where ``s > 0``: at identical vectors the plain ``sqrt`` has an infinite derivative,
which autograd multiplies by ``a - b = 0`` and turns into NaN; here the gradient there is 0.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from .._validation import check_matrix, check_pair


def _safe_sqrt(s: Tensor) -> Tensor:
    """``sqrt(s)`` for ``s >= 0`` whose gradient at ``s = 0`` is 0 instead of NaN (double-where)."""
    positive = s > 0
    root = torch.sqrt(torch.where(positive, s, torch.ones_like(s)))
    return torch.where(positive, root, torch.zeros_like(s))


def euclidean(a: Tensor, b: Tensor) -> Tensor:
    """Paired Euclidean distances ``||a_i - b_i||_2``; ``(n, d), (n, d) -> (n,)``."""
    a, b = check_pair(a, b, "euclidean")
    return _safe_sqrt((a - b).pow(2).sum(-1))


def manhattan(a: Tensor, b: Tensor) -> Tensor:
    """Paired Manhattan distances ``sum_k |a_ik - b_ik|``; ``(n, d), (n, d) -> (n,)``."""
    a, b = check_pair(a, b, "manhattan")
    return (a - b).abs().sum(-1)


def cosine_similarity(a: Tensor, b: Tensor, eps: float = 1e-8) -> Tensor:
    """Paired cosine similarities; a zero vector has similarity 0 to everything. ``(n,)``."""
    a, b = check_pair(a, b, "cosine_similarity")
    return (F.normalize(a, dim=-1, eps=eps) * F.normalize(b, dim=-1, eps=eps)).sum(-1)


def cosine_distance(a: Tensor, b: Tensor) -> Tensor:
    """``1 - cosine_similarity(a, b)``, in ``[0, 2]``."""
    return 1.0 - cosine_similarity(a, b)


def hamming(a: Tensor, b: Tensor, normalize: bool = False) -> Tensor:
    """Paired Hamming distances: how many coordinates differ (a fraction if ``normalize``).

    Meant for discrete codes (bool, int, or ``{-1, +1}`` floats); not differentiable.
    """
    a = check_matrix(a, "a", "hamming")
    b = check_matrix(b, "b", "hamming")
    if a.shape != b.shape:
        raise ValueError(
            f"hamming: a and b must have the same shape (n, d), got {tuple(a.shape)} and {tuple(b.shape)}"
        )
    diff = (a != b).sum(-1)
    return diff / a.shape[1] if normalize else diff


def pairwise_euclidean(a: Tensor, b: Tensor) -> Tensor:
    """All-pairs Euclidean distances ``(n, d), (m, d) -> (n, m)``."""
    a, b = check_pair(a, b, "pairwise_euclidean", same_rows=False)
    return _safe_sqrt((a[:, None, :] - b[None, :, :]).pow(2).sum(-1))


def pairwise_manhattan(a: Tensor, b: Tensor) -> Tensor:
    """All-pairs Manhattan distances ``(n, m)``."""
    a, b = check_pair(a, b, "pairwise_manhattan", same_rows=False)
    return (a[:, None, :] - b[None, :, :]).abs().sum(-1)


def pairwise_cosine(a: Tensor, b: Tensor, eps: float = 1e-8) -> Tensor:
    """All-pairs cosine similarities ``(n, m)``, computed as ``normalize(a) @ normalize(b)^T``."""
    a, b = check_pair(a, b, "pairwise_cosine", same_rows=False)
    return F.normalize(a, dim=-1, eps=eps) @ F.normalize(b, dim=-1, eps=eps).T


def pairwise_hamming(a: Tensor, b: Tensor) -> Tensor:
    """All-pairs Hamming distances ``(n, m)`` between discrete codes."""
    a = check_matrix(a, "a", "pairwise_hamming")
    b = check_matrix(b, "b", "pairwise_hamming")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"pairwise_hamming: codes must have one length, got {a.shape[1]} and {b.shape[1]}")
    return (a[:, None, :] != b[None, :, :]).sum(-1)


_PAIRWISE = {
    "euclidean": pairwise_euclidean,
    "manhattan": pairwise_manhattan,
    "cosine": lambda a, b: 1.0 - pairwise_cosine(a, b),
    "hamming": pairwise_hamming,
}


def pairwise_distances(a: Tensor, b: Tensor, metric: str = "euclidean") -> Tensor:
    """All-pairs distances ``(n, m)`` by name: euclidean, manhattan, cosine (1 - cos) or hamming."""
    if metric not in _PAIRWISE:
        raise ValueError(f"pairwise_distances: metric must be one of {sorted(_PAIRWISE)}, got {metric!r}")
    return _PAIRWISE[metric](a, b)
