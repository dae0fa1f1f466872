"""Divergences between probability vectors and the modality matching degree.

Shapes: ``p`` and ``q`` are ``(C,)`` or ``(n, C)``; results are scalars or ``(n,)``.

* ``KL(p || q) = sum_c p_c log(p_c / q_c)`` with ``0 log 0 = 0``; ``+inf`` when ``q_c = 0 < p_c``;
  asymmetric.
* ``JS(p, q) = KL(p || m) / 2 + KL(q || m) / 2`` with ``m = (p + q) / 2``: symmetric, finite,
  ``0 <= JS <= log 2`` (natural log), zero iff ``p = q`` (Lin, 1991).

Both use ``torch.xlogy`` so that zero probabilities give exact zeros, not ``0 * -inf = NaN``.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from .._validation import check_distribution, check_pair
from .distances import cosine_similarity


def _pair(p: Tensor, q: Tensor, owner: str) -> tuple[Tensor, Tensor]:
    p = check_distribution(p, "p", owner)
    q = check_distribution(q, "q", owner)
    if p.shape != q.shape:
        raise ValueError(
            f"{owner}: p and q must have the same shape, got {tuple(p.shape)} and {tuple(q.shape)}"
        )
    return p, q


def _renormalise(p: Tensor) -> Tensor:
    """Rows that passed the sum-to-one check within its tolerance, divided by their sum, so that
    the divergences are exactly those of distributions (never slightly negative)."""
    return p / p.sum(-1, keepdim=True)


def kl_divergence(p: Tensor, q: Tensor) -> Tensor:
    """``KL(p || q)`` in nats, per row: ``(n, C), (n, C) -> (n,)`` or ``(C,), (C,) -> ()``.

    Rows are renormalised first (the check accepts sums within ``1e-4`` of one), so the result is
    ``>= 0`` up to rounding, as Gibbs' inequality says.
    """
    p, q = _pair(p, q, "kl_divergence")
    p, q = _renormalise(p), _renormalise(q)
    return (torch.xlogy(p, p) - torch.xlogy(p, q)).sum(-1).clamp_min(0.0)


def js_divergence(p: Tensor, q: Tensor) -> Tensor:
    """Jensen-Shannon divergence in nats, per row; always finite and in ``[0, log 2]``."""
    p, q = _pair(p, q, "js_divergence")
    p, q = _renormalise(p), _renormalise(q)
    m = 0.5 * (p + q)
    # xlogy(p, m) is safe: m >= p / 2 > 0 wherever p > 0.
    kl_pm = (torch.xlogy(p, p) - torch.xlogy(p, m)).sum(-1)
    kl_qm = (torch.xlogy(q, q) - torch.xlogy(q, m)).sum(-1)
    return 0.5 * (kl_pm + kl_qm)


def matching_degree(a: Tensor, b: Tensor, method: str = "cosine", temperature: float | None = 1.0) -> Tensor:
    """How well two modalities agree, sample by sample; larger means better matched. ``(n,)``.

    ``a`` and ``b`` are paired embeddings ``(n, d)`` of two modalities in a shared space.

    * ``"cosine"``: ``cos(a_i, b_i)`` in ``[-1, 1]``.
    * ``"kl"``: ``exp(-KL(p_i || q_i))`` in ``(0, 1]`` with ``p_i = softmax(a_i / T)``,
      ``q_i = softmax(b_i / T)`` (a divergence is 0 for a perfect match, so it is turned into a
      degree by ``exp(-.)``; KL is asymmetric: ``a`` is the reference).
    * ``"js"``: ``1 - JS(p_i, q_i) / log 2`` in ``[0, 1]``, symmetric.

    With ``"kl"``/``"js"`` the inputs may also be probability vectors already
    (pass ``temperature=None``); they are then validated (non-negative, rows sum to one).
    """
    if method == "cosine":
        return cosine_similarity(a, b)
    if method not in ("kl", "js"):
        raise ValueError(f"matching_degree: method must be 'cosine', 'kl' or 'js', got {method!r}")
    if temperature is None:
        p, q = a, b
    else:
        if temperature <= 0:
            raise ValueError(f"matching_degree: temperature must be positive, got {temperature}")
        a, b = check_pair(a, b, "matching_degree")
        p, q = (a / temperature).softmax(-1), (b / temperature).softmax(-1)
    if method == "kl":
        return torch.exp(-kl_divergence(p, q))
    return 1.0 - js_divergence(p, q) / math.log(2.0)
