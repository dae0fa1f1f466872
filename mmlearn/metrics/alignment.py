"""Alignment and uniformity of embeddings on the unit sphere (Wang and Isola, 2020).

For unit-norm embeddings of positive pairs ``(u_i, v_i)``, ``u, v (n, d)``:

- alignment ``l_align = mean_i ||u_i - v_i||^alpha`` (lower: partners are closer);
- uniformity ``l_unif = log mean_{i < j} exp(-t ||u_i - u_j||^2)`` (lower: the points spread
  more evenly over the sphere; its minimum over ``n`` points tends to that of the uniform
  distribution).

Wang and Isola show that InfoNCE with many negatives optimises exactly these two terms: the
numerator of its softmax rewards alignment, the log-sum-exp denominator rewards uniformity.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from .._validation import check_float_matrix, check_pair


def alignment(u: Tensor, v: Tensor, alpha: float = 2.0, normalize: bool = True) -> Tensor:
    """``mean_i ||u_i - v_i||^alpha`` of paired rows ``u, v (n, d)`` (normalised first by default)."""
    u, v = check_pair(u, v, "alignment", ("u", "v"))
    if not alpha > 0:
        raise ValueError(f"alignment: alpha must be positive, got {alpha}")
    if normalize:
        u, v = F.normalize(u, dim=1, eps=1e-12), F.normalize(v, dim=1, eps=1e-12)
    return (u - v).norm(dim=1).pow(alpha).mean()


def uniformity(u: Tensor, t: float = 2.0, normalize: bool = True) -> Tensor:
    """``log mean_{i<j} exp(-t ||u_i - u_j||^2)`` of ``u (n, d)``, ``n >= 2`` (log-sum-exp, stable).

    On the unit sphere it lies in ``[-4t, 0]``: 0 when all points coincide.
    """
    u = check_float_matrix(u, "u", "uniformity")
    if u.shape[0] < 2:
        raise ValueError(f"uniformity: needs n >= 2 rows, got shape {tuple(u.shape)}")
    if not t > 0:
        raise ValueError(f"uniformity: t must be positive, got {t}")
    if normalize:
        u = F.normalize(u, dim=1, eps=1e-12)
    sq = torch.pdist(u).pow(2)  # the n (n - 1) / 2 pairs i < j
    return torch.logsumexp(-t * sq, dim=0) - torch.log(torch.tensor(float(sq.numel()), dtype=u.dtype))
