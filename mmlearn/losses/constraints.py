"""The four kinds of similarity constraint, each as a differentiable penalty on embeddings.

* supervised: same class close, different classes at least a margin apart;
* unsupervised: a Laplacian smoothness penalty on a neighbour graph built from the inputs;
* instance-level: each sample is its own class (two views of one sample match, others not);
* label-level: the similarity of two embeddings follows the similarity of their label vectors.

``z`` is ``(n, d)``; ``labels`` ``(n,)``; a graph ``W`` is ``(n, n)``, symmetric, non-negative.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from .._validation import check_float_matrix, check_labels
from .contrastive import info_nce_loss, pairwise_distance


def supervised_similarity_loss(z: Tensor, labels: Tensor, margin: float = 1.0) -> Tensor:
    """Contrastive loss over all pairs ``i < j`` of a batch, the pair label given by the classes.

    ``L = mean_{i<j, y_i = y_j} d_ij^2 + mean_{i<j, y_i != y_j} max(0, m - d_ij)^2``
    (Euclidean ``d``). The gradient on ``z_i`` of a positive pair is ``2 (z_i - z_j)/|P|`` (a pull),
    of an active negative pair ``-2 (m - d_ij)(z_i - z_j) / (d_ij |N|)`` (a push). A term whose
    pair set is empty is 0.
    """
    z = check_float_matrix(z, "z", "supervised_similarity_loss")
    labels = check_labels(labels, "labels", "supervised_similarity_loss", z.shape[0])
    if not margin >= 0:
        raise ValueError(f"supervised_similarity_loss: margin must be >= 0, got {margin}")
    n = z.shape[0]
    if n < 2:
        raise ValueError("supervised_similarity_loss: needs a batch of at least two samples")
    d = pairwise_distance(z, z, "euclidean", "supervised_similarity_loss")
    upper = torch.triu(torch.ones(n, n, dtype=torch.bool, device=z.device), diagonal=1)
    same = (labels[:, None] == labels[None, :]) & upper
    diff = (labels[:, None] != labels[None, :]) & upper
    pull = d.pow(2)[same].mean() if same.any() else z.sum() * 0
    push = F.relu(margin - d).pow(2)[diff].mean() if diff.any() else z.sum() * 0
    return pull + push


def knn_graph(x: Tensor, k: int = 5, sigma: float | None = None) -> Tensor:
    """Symmetric k-nearest-neighbour graph ``W`` ``(n, n)`` on the rows of ``x`` ``(n, d)``.

    ``W_ij = 1`` (or ``exp(-||x_i - x_j||^2 / (2 sigma^2))`` with ``sigma``) if ``j`` is among the
    ``k`` nearest neighbours of ``i`` or ``i`` among those of ``j``; ``W_ii = 0``.
    """
    x = check_float_matrix(x, "x", "knn_graph")
    n = x.shape[0]
    if not isinstance(k, int) or not 1 <= k < n:
        raise ValueError(f"knn_graph: k must be an int in [1, n - 1] = [1, {n - 1}], got {k!r}")
    with torch.no_grad():
        d2 = torch.cdist(x, x).pow(2)
        d2.fill_diagonal_(float("inf"))
        idx = d2.topk(k, largest=False).indices
        mask = torch.zeros(n, n, dtype=torch.bool, device=x.device)
        mask.scatter_(1, idx, True)
        mask = mask | mask.T
        weights = torch.ones_like(d2) if sigma is None else torch.exp(-d2 / (2 * sigma**2))
        return torch.where(mask, weights, torch.zeros_like(d2))


def graph_laplacian(w: Tensor) -> Tensor:
    """``L = D - W`` with ``D = diag(sum_j W_ij)``; ``(n, n)``."""
    _check_graph(w, w.shape[0] if isinstance(w, Tensor) and w.dim() == 2 else -1, "graph_laplacian")
    return torch.diag(w.sum(1)) - w


def _check_graph(w: Tensor, n: int, owner: str) -> None:
    if not isinstance(w, Tensor) or w.shape != (n, n):
        raise ValueError(
            f"{owner}: the graph must be a tensor of shape ({n}, {n}), got "
            f"{getattr(w, 'shape', type(w).__name__)}"
        )
    if (w < 0).any() or not torch.allclose(w, w.T):
        raise ValueError(f"{owner}: the graph weights must be symmetric and non-negative")


def laplacian_penalty(z: Tensor, w: Tensor) -> Tensor:
    """Unsupervised smoothness ``(1/n) tr(Z^T L Z) = (1/(2n)) sum_ij W_ij ||z_i - z_j||^2``.

    Neighbours in the graph (built from the inputs, no labels) are pulled together. Gradient:
    ``2 L Z / n``. Shapes: ``z: (n, d)``, ``w: (n, n)``.
    """
    z = check_float_matrix(z, "z", "laplacian_penalty")
    _check_graph(w, z.shape[0], "laplacian_penalty")
    lap = graph_laplacian(w.to(z.dtype))
    return torch.einsum("id,ij,jd->", z, lap, z) / z.shape[0]


def instance_similarity_loss(a: Tensor, b: Tensor, temperature: float = 0.1) -> Tensor:
    """Instance-level constraint: two views of the same sample match, every other sample is a
    negative, even of the same class (instance discrimination). The symmetric InfoNCE loss.
    Shapes: ``a, b: (n, d)``.
    """
    return info_nce_loss(a, b, temperature=temperature, symmetric=True)


def label_similarity_loss(z: Tensor, targets: Tensor) -> Tensor:
    """Label-level constraint: ``mean_ij (cos(z_i, z_j) - cos(t_i, t_j))^2``.

    ``targets`` ``(n, C)`` are label vectors (one-hot, multi-hot or soft); samples sharing labels
    should have similar embeddings, in proportion to how many labels they share. A zero label
    vector has similarity 0 to every other. Shapes: ``z: (n, d)``, ``targets: (n, C)``.
    """
    z = check_float_matrix(z, "z", "label_similarity_loss")
    targets = check_float_matrix(targets, "targets", "label_similarity_loss")
    if targets.shape[0] != z.shape[0]:
        raise ValueError(
            f"label_similarity_loss: targets must have {z.shape[0]} rows, got {targets.shape[0]}"
        )
    zn = F.normalize(z, dim=-1, eps=1e-8)
    tn = F.normalize(targets.to(z.dtype), dim=-1, eps=1e-8)
    return (zn @ zn.T - tn @ tn.T).pow(2).mean()
