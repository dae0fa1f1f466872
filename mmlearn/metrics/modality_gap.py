"""The modality gap (Liang, Zhang, Kwon, Yeung and Zou, 2022).

Embeddings of two modalities trained contrastively often occupy two separate cones of the unit
sphere. With unit-norm ``u (n, d)`` and ``v (m, d)``, the gap vector is the difference of the
centroids ``delta = mean_i u_i - mean_j v_j`` and the gap its length ``||delta||`` (0 when the
centroids coincide, at most 2).
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

from .._validation import check_float_matrix


def modality_gap_vector(u: Tensor, v: Tensor, normalize: bool = True) -> Tensor:
    """``delta = mean(u) - mean(v)`` ``(d,)`` of ``u (n, d)`` and ``v (m, d)`` (rows normalised first)."""
    u = check_float_matrix(u, "u", "modality_gap")
    v = check_float_matrix(v, "v", "modality_gap")
    if u.shape[1] != v.shape[1]:
        raise ValueError(
            f"modality_gap: u (n, d) and v (m, d) must share d, got {tuple(u.shape)} and {tuple(v.shape)}"
        )
    if normalize:
        u, v = F.normalize(u, dim=1, eps=1e-12), F.normalize(v, dim=1, eps=1e-12)
    return u.mean(0) - v.mean(0)


def modality_gap(u: Tensor, v: Tensor, normalize: bool = True) -> float:
    """``||mean(u) - mean(v)||``, the distance between the two modalities' centroids."""
    return modality_gap_vector(u, v, normalize).norm().item()


def close_gap(u: Tensor, v: Tensor, fraction: float = 1.0) -> tuple[Tensor, Tensor]:
    """Shift ``u`` by ``-fraction * delta / 2`` and ``v`` by ``+fraction * delta / 2``, renormalise.

    ``fraction = 1`` moves both centroids to their midpoint (before renormalisation): Liang et
    al.'s experiment that changes the gap without retraining.
    """
    delta = modality_gap_vector(u, v)
    u2 = F.normalize(F.normalize(u, dim=1, eps=1e-12) - fraction * delta / 2, dim=1, eps=1e-12)
    v2 = F.normalize(F.normalize(v, dim=1, eps=1e-12) + fraction * delta / 2, dim=1, eps=1e-12)
    return u2, v2
