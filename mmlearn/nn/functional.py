"""Stateless building blocks shared by the fusions: signed square root, normalisations, ``[x; 1]``."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def signed_sqrt(x: Tensor, eps: float = 1e-8) -> Tensor:
    """``sign(x) * (sqrt(|x| + eps) - sqrt(eps))``: the signed square root with a finite gradient.

    The naive ``sign(x) * sqrt(|x|)`` has derivative ``1 / (2 sqrt|x|)``, infinite at 0: autograd
    multiplies it by ``sign(0) = 0`` and returns NaN. (``sqrt(relu(x))`` hides the same infinity
    behind ReLU's zero mask: its gradient at 0 is exactly 0, a dead unit, and it explodes for tiny
    positive inputs.) Shifting by ``eps`` bounds the
    derivative by ``1 / (2 sqrt(eps))`` and keeps ``signed_sqrt(0) = 0``; for ``|x| >> eps`` the
    result differs from ``sqrt|x|`` by less than ``sqrt(eps)``. Shape is preserved.
    """
    if eps <= 0:
        raise ValueError(f"signed_sqrt: eps must be positive, got {eps}")
    return torch.sign(x) * (torch.sqrt(x.abs() + eps) - eps**0.5)


def l2_normalize(x: Tensor, dim: int = -1, eps: float = 1e-12) -> Tensor:
    """``x / max(||x||_2, eps)`` along ``dim``; zero vectors stay zero with a finite gradient."""
    return F.normalize(x, p=2.0, dim=dim, eps=eps)


def power_normalize(x: Tensor, eps: float = 1e-8) -> Tensor:
    """Signed square root followed by L2 normalisation over the last axis, as in MCB and MLB."""
    return l2_normalize(signed_sqrt(x, eps), dim=-1)


def append_one(x: Tensor) -> Tensor:
    """``[x; 1]``: ``(batch, d) -> (batch, d + 1)``. With it, a multilinear map of the augmented
    inputs contains every lower-order term (the constant, each modality alone, each pair, ...)."""
    return torch.cat([x, x.new_ones(*x.shape[:-1], 1)], dim=-1)


def maybe_dropout(x: Tensor, p: float, training: bool) -> Tensor:
    """``F.dropout(x, p, training)``, skipped entirely (no copy) when ``p == 0``."""
    return F.dropout(x, p, training) if p > 0 else x
