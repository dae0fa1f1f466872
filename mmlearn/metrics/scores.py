"""Classification accuracy and retrieval recall@k."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from .._validation import check_labels


def accuracy(logits_or_pred: Tensor, labels: Tensor) -> float:
    """Fraction of correct predictions.

    ``logits_or_pred`` is either scores ``(n, C)`` (the arg-max is the prediction) or predicted
    classes ``(n,)``; ``labels`` is ``(n,)``.
    """
    if not isinstance(logits_or_pred, Tensor):
        raise TypeError(
            f"accuracy: expected a tensor of scores (n, C) or classes (n,), got "
            f"{type(logits_or_pred).__name__}"
        )
    if logits_or_pred.dim() not in (1, 2):
        raise ValueError(
            f"accuracy: expected scores (n, C) or classes (n,), got {tuple(logits_or_pred.shape)}"
        )
    n = logits_or_pred.shape[0]
    if n == 0:
        raise ValueError("accuracy: empty batch")
    labels = check_labels(labels, "labels", "accuracy", n)
    pred = logits_or_pred.argmax(-1) if logits_or_pred.dim() == 2 else logits_or_pred
    return (pred == labels).double().mean().item()


def recall_at_k(
    similarity: Tensor, ks: Sequence[int] = (1, 5, 10), targets: Tensor | None = None
) -> dict[int, float]:
    """Recall@k of a retrieval: the fraction of queries whose target is among the ``k`` best.

    ``similarity[i, j]`` scores candidate ``j`` for query ``i``, shape ``(n_queries, n_candidates)``
    (larger is better: pass ``-distance`` for distances). The target of query ``i`` is candidate
    ``targets[i]`` (default ``i``: paired data). Ties count against the query: the rank of the
    target is ``1 + #{j : s_ij > s_i,target}`` plus the number of other candidates tied with it.
    """
    if not isinstance(similarity, Tensor) or similarity.dim() != 2:
        raise ValueError(
            "recall_at_k: similarity must be a tensor of shape (n_queries, n_candidates), got "
            f"{getattr(similarity, 'shape', type(similarity).__name__)}"
        )
    n, m = similarity.shape
    if n == 0 or m == 0:
        raise ValueError(f"recall_at_k: empty similarity matrix {tuple(similarity.shape)}")
    if similarity.is_floating_point() and torch.isnan(similarity).any():
        rows = torch.isnan(similarity).any(1).nonzero().flatten()[:5].tolist()
        # a NaN compares False with everything, so it would rank as if every target were first
        raise ValueError(
            f"recall_at_k: similarity contains NaN (rows {rows}...): the model that produced it "
            "has diverged; a NaN score cannot be ranked"
        )
    if targets is None:
        if m < n:
            raise ValueError(f"recall_at_k: paired retrieval needs n_candidates >= n_queries, got {m} < {n}")
        targets = torch.arange(n, device=similarity.device)
    targets = check_labels(targets, "targets", "recall_at_k", n)
    if targets.min() < 0 or targets.max() >= m:
        raise ValueError(f"recall_at_k: targets must be candidate indices in [0, {m - 1}]")
    ks = list(ks)
    if not ks or any(not isinstance(k, int) or k <= 0 for k in ks):
        raise ValueError(f"recall_at_k: ks must be positive ints, got {ks}")
    target_score = similarity.gather(1, targets[:, None])
    rank = (similarity >= target_score).sum(1)  # 1-based; the target counts itself
    return {k: (rank <= k).double().mean().item() for k in ks}
