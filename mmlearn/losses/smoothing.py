"""Label smoothing, derived so that its pieces are consistent.

With ``C`` classes and smoothing ``eps`` in ``[0, 1)``, the target of a sample of class ``y`` is
``q = (1 - eps) e_y + eps u`` with ``u = (1/C, ..., 1/C)``; the loss is the cross-entropy
``H(q, p) = -sum_c q_c log p_c`` with ``p = softmax(z)``, which splits as
``(1 - eps) (-log p_y) + eps (1/C) sum_c (-log p_c)``. Its minimiser over ``p`` is ``p = q``,
so the logit gap stays finite: ``z_y - z_c = log((1 - eps + eps/C) / (eps/C))``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from .._validation import check_labels


def _check(logits: Tensor, labels: Tensor, eps: float, owner: str) -> tuple[Tensor, Tensor]:
    if not isinstance(logits, Tensor) or logits.dim() != 2 or logits.shape[0] == 0 or logits.shape[1] < 2:
        raise ValueError(
            f"{owner}: logits must have shape (n, C) with n >= 1 and C >= 2, got "
            f"{getattr(logits, 'shape', type(logits).__name__)}"
        )
    labels = check_labels(labels, "labels", owner, logits.shape[0])
    n_classes = logits.shape[1]
    if labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(f"{owner}: labels must be in [0, {n_classes - 1}]")
    if not 0 <= eps < 1:
        raise ValueError(f"{owner}: eps must be in [0, 1), got {eps}")
    return logits, labels


def smooth_labels(labels: Tensor, n_classes: int, eps: float = 0.1, dtype=torch.float32) -> Tensor:
    """Smoothed targets ``q = (1 - eps) onehot(y) + eps / C``; ``(n,) -> (n, C)``, rows sum to 1."""
    if not isinstance(n_classes, int) or n_classes < 2:
        raise ValueError(f"smooth_labels: n_classes must be an int >= 2, got {n_classes!r}")
    if not isinstance(labels, Tensor) or labels.dim() != 1 or labels.shape[0] == 0:
        raise ValueError(
            "smooth_labels: labels must be a non-empty tensor of shape (n,), got "
            f"{getattr(labels, 'shape', type(labels).__name__)}"
        )
    labels = check_labels(labels, "labels", "smooth_labels", labels.shape[0])
    if labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(f"smooth_labels: labels must be in [0, {n_classes - 1}]")
    if not 0 <= eps < 1:
        raise ValueError(f"smooth_labels: eps must be in [0, 1), got {eps}")
    return _smooth(labels, n_classes, eps, dtype)


def _smooth(labels: Tensor, n_classes: int, eps: float, dtype: torch.dtype) -> Tensor:
    """:func:`smooth_labels` on inputs that are already validated."""
    return (1 - eps) * F.one_hot(labels, n_classes).to(dtype) + eps / n_classes


def label_smoothing_loss(logits: Tensor, labels: Tensor, eps: float = 0.1) -> Tensor:
    """Mean cross-entropy against smoothed targets: ``mean_i H(q_i, softmax(z_i))``.

    ``logits: (n, C)``, ``labels: (n,)``. Uses ``log_softmax`` (log-sum-exp), so it is finite
    for any finite logits. Equal to ``F.cross_entropy(logits, labels, label_smoothing=eps)``.
    """
    logits, labels = _check(logits, labels, eps, "label_smoothing_loss")
    q = _smooth(labels, logits.shape[1], eps, logits.dtype)
    # xlogy-style product: a zero target weight times a -inf log-probability counts 0, not NaN
    # (a -inf logit for a class with weight 0 when eps = 0), as in F.cross_entropy
    log_p = logits.log_softmax(-1)
    return -torch.where(q > 0, q * log_p, torch.zeros_like(log_p)).sum(-1).mean()


def optimal_logit_gap(n_classes: int, eps: float) -> float:
    """The gap ``z_y - z_c`` (any ``c != y``) at the minimum of the smoothed loss."""
    if not 0 < eps < 1:
        raise ValueError(f"optimal_logit_gap: eps must be in (0, 1) for a finite gap, got {eps}")
    high = 1 - eps + eps / n_classes
    return float(torch.log(torch.tensor(high / (eps / n_classes), dtype=torch.float64)))
