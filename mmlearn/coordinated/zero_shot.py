"""Zero-shot classification through another modality's class prototypes.

Embed the labelled examples of modality B into the shared space, ``v_i (n, d)``, average them
per class and normalise: the prototypes ``c_k = mean_{i: y_i = k} v_i / ||.||`` ``(C, d)``. An
item of modality A, never seen with a label, is classified by its most similar prototype:
``yhat(u) = argmax_k cos(u, c_k)``. No classifier is trained on modality A.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from .._validation import check_float_matrix, check_labels


def class_prototypes(v: Tensor, labels: Tensor, n_classes: int | None = None) -> Tensor:
    """Unit-norm class means ``(C, d)`` of embeddings ``v (n, d)`` with labels ``(n,)``.

    Every class ``0 .. C-1`` needs at least one example.
    """
    v = check_float_matrix(v, "v", "class_prototypes")
    labels = check_labels(labels, "labels", "class_prototypes", v.shape[0])
    n_classes = int(labels.max()) + 1 if n_classes is None else n_classes
    counts = torch.bincount(labels, minlength=n_classes)
    if len(counts) > n_classes or (counts == 0).any():
        raise ValueError(
            f"class_prototypes: labels must cover every class 0..{n_classes - 1} and no other, "
            f"got counts {counts.tolist()}"
        )
    sums = torch.zeros(n_classes, v.shape[1], dtype=v.dtype, device=v.device).index_add_(0, labels, v)
    return F.normalize(sums / counts[:, None].to(v.dtype), dim=1, eps=1e-12)


def prototype_scores(u: Tensor, prototypes: Tensor) -> Tensor:
    """Cosine similarity of every query ``u (m, d)`` with every prototype ``(C, d)``: ``(m, C)``."""
    u = check_float_matrix(u, "u", "prototype_scores")
    prototypes = check_float_matrix(prototypes, "prototypes", "prototype_scores")
    if u.shape[1] != prototypes.shape[1]:
        raise ValueError(
            f"prototype_scores: u (m, d) and prototypes (C, d) must share d, got {tuple(u.shape)} "
            f"and {tuple(prototypes.shape)}"
        )
    return F.normalize(u, dim=1, eps=1e-12) @ F.normalize(prototypes, dim=1, eps=1e-12).T
