"""Contrastive, triplet and InfoNCE losses between embeddings.

Notation: ``a``, ``b`` are embeddings ``(n, d)``; ``d(u, v)`` a distance; ``m`` a margin.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from .._validation import check_labels, check_pair
from ..metrics.distances import cosine_distance, euclidean, pairwise_cosine, pairwise_euclidean


def paired_distance(a: Tensor, b: Tensor, metric: str, owner: str) -> Tensor:
    """Paired distances ``(n,)``: ``"euclidean"`` (NaN-free at 0) or ``"cosine"`` (``1 - cos``),
    computed by the metric kernels of :mod:`mmlearn.metrics`."""
    if metric == "euclidean":
        return euclidean(a, b)
    if metric == "cosine":
        return cosine_distance(a, b)
    raise ValueError(f"{owner}: metric must be 'euclidean' or 'cosine', got {metric!r}")


def pairwise_distance(a: Tensor, b: Tensor, metric: str, owner: str) -> Tensor:
    """All-pairs distances ``(n, m)``, with the metric kernels of :mod:`mmlearn.metrics`."""
    if metric == "euclidean":
        return pairwise_euclidean(a, b)
    if metric == "cosine":
        return 1.0 - pairwise_cosine(a, b)
    raise ValueError(f"{owner}: metric must be 'euclidean' or 'cosine', got {metric!r}")


def _check_margin(margin: float, owner: str) -> None:
    if not margin >= 0:
        raise ValueError(f"{owner}: margin must be >= 0, got {margin}")


def contrastive_loss(
    a: Tensor, b: Tensor, same: Tensor, margin: float = 1.0, metric: str = "euclidean"
) -> Tensor:
    """Pairwise contrastive loss (Hadsell, Chopra and LeCun, 2006), averaged over pairs.

    ``L = mean_i [ s_i d_i^2 + (1 - s_i) max(0, m - d_i)^2 ]`` with ``d_i = d(a_i, b_i)`` and
    ``s_i = same[i]`` in ``{0, 1}`` (1: a similar pair, pulled together; 0: a dissimilar pair,
    pushed until it is at least ``m`` apart). Shapes: ``a, b: (n, d)``, ``same: (n,)``.
    """
    a, b = check_pair(a, b, "contrastive_loss")
    _check_margin(margin, "contrastive_loss")
    if not isinstance(same, Tensor) or same.shape != (a.shape[0],):
        raise ValueError(
            f"contrastive_loss: same must be a tensor of shape ({a.shape[0]},), got "
            f"{getattr(same, 'shape', type(same).__name__)}"
        )
    if not ((same == 0) | (same == 1)).all():
        raise ValueError("contrastive_loss: same must hold 0 (dissimilar) or 1 (similar) per pair")
    s = same.to(a.dtype)
    d = paired_distance(a, b, metric, "contrastive_loss")
    return (s * d.pow(2) + (1 - s) * F.relu(margin - d).pow(2)).mean()


def triplet_loss(
    anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 0.2, metric: str = "euclidean"
) -> Tensor:
    """``mean_i max(0, d(a_i, p_i) - d(a_i, n_i) + m)``; all three inputs ``(n, d)``."""
    anchor, positive = check_pair(anchor, positive, "triplet_loss", ("anchor", "positive"))
    anchor, negative = check_pair(anchor, negative, "triplet_loss", ("anchor", "negative"))
    _check_margin(margin, "triplet_loss")
    d_ap = paired_distance(anchor, positive, metric, "triplet_loss")
    d_an = paired_distance(anchor, negative, metric, "triplet_loss")
    return F.relu(d_ap - d_an + margin).mean()


def hard_negative_triplet_loss(
    anchors: Tensor,
    candidates: Tensor,
    margin: float = 0.2,
    labels: Tensor | None = None,
    metric: str = "euclidean",
) -> Tensor:
    """Triplet loss with the hardest in-batch negative of every anchor.

    Anchor ``i`` (modality A) is paired with candidate ``i`` (modality B), its positive. Its
    negatives are the other candidates ``j != i`` (or, with ``labels``, the candidates of another
    class); the hardest is the closest one:
    ``L = mean_i max(0, d(a_i, b_i) - min_{j in N(i)} d(a_i, b_j) + m)``.
    Shapes: ``anchors, candidates: (n, d)``; ``labels: (n,)``. Every anchor needs at least one
    negative.
    """
    a, b = check_pair(anchors, candidates, "hard_negative_triplet_loss", ("anchors", "candidates"))
    _check_margin(margin, "hard_negative_triplet_loss")
    n = a.shape[0]
    dist = pairwise_distance(a, b, metric, "hard_negative_triplet_loss")  # (n, n)
    if labels is None:
        negative = ~torch.eye(n, dtype=torch.bool, device=a.device)
    else:
        labels = check_labels(labels, "labels", "hard_negative_triplet_loss", n)
        negative = labels[:, None] != labels[None, :]
    if not negative.any(1).all():
        raise ValueError(
            "hard_negative_triplet_loss: some anchor has no negative in the batch "
            "(a batch of one sample, or of one class when labels are given)"
        )
    hardest = dist.masked_fill(~negative, float("inf")).amin(1)
    return F.relu(dist.diagonal() - hardest + margin).mean()


def info_nce_loss(a: Tensor, b: Tensor, temperature: float = 0.1, symmetric: bool = True) -> Tensor:
    """InfoNCE between paired embeddings (van den Oord et al., 2018; the CLIP objective).

    ``s_ij = cos(a_i, b_j) / T``; row ``i`` is a classification of its partner ``b_i`` among the
    ``n`` candidates: ``L_ab = -(1/n) sum_i log( exp(s_ii) / sum_j exp(s_ij) )``. With
    ``symmetric`` the loss is ``(L_ab + L_ba) / 2`` (columns too). Computed with log-sum-exp
    (``cross_entropy``), so large ``1/T`` cannot overflow; zero vectors give ``s = 0``.
    Shapes: ``a, b: (n, d)`` with ``n >= 1``.
    """
    a, b = check_pair(a, b, "info_nce_loss")
    if not temperature > 0:
        raise ValueError(f"info_nce_loss: temperature must be positive, got {temperature}")
    logits = F.normalize(a, dim=-1, eps=1e-8) @ F.normalize(b, dim=-1, eps=1e-8).T / temperature
    target = torch.arange(a.shape[0], device=a.device)
    loss = F.cross_entropy(logits, target)
    if symmetric:
        loss = 0.5 * (loss + F.cross_entropy(logits.T, target))
    return loss
