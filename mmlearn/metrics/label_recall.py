"""Class-level recall@k: is an item of the query's class among the ``k`` nearest candidates?"""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor

from .._validation import check_labels


def label_recall_at_k(
    similarity: Tensor, query_labels: Tensor, candidate_labels: Tensor, ks: Sequence[int] = (1, 5, 10)
) -> dict[int, float]:
    """Fraction of queries with at least one same-class candidate among their ``k`` best.

    The Recall@K of deep metric learning (Song et al., 2016), for data whose pairing is only by
    class (the audio-visual digits pair each image with *some* utterance of its digit, so
    retrieving "the" partner is not defined). ``similarity (n_queries, n_candidates)``, larger is
    better; ``query_labels (n_queries,)``, ``candidate_labels (n_candidates,)``. Ties are broken
    by candidate order (``topk``).
    """
    if not isinstance(similarity, Tensor) or similarity.dim() != 2 or 0 in similarity.shape:
        raise ValueError(
            "label_recall_at_k: similarity must be a non-empty tensor of shape (n_queries, n_candidates), "
            f"got {getattr(similarity, 'shape', type(similarity).__name__)}"
        )
    n, m = similarity.shape
    query_labels = check_labels(query_labels, "query_labels", "label_recall_at_k", n)
    candidate_labels = check_labels(candidate_labels, "candidate_labels", "label_recall_at_k", m)
    ks = list(ks)
    if not ks or any(not isinstance(k, int) or not 1 <= k <= m for k in ks):
        raise ValueError(f"label_recall_at_k: ks must be ints in [1, {m}], got {ks}")
    order = similarity.topk(max(ks), dim=1).indices  # (n, k_max)
    hit = candidate_labels[order] == query_labels[:, None]
    return {k: hit[:, :k].any(1).double().mean().item() for k in ks}
