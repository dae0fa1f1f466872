"""Shared checks and linear algebra of the coordinated-representation methods."""

from __future__ import annotations

import torch
from torch import Tensor


def check_views(
    x: object, y: object, owner: str, names: tuple[str, str] = ("x", "y")
) -> tuple[Tensor, Tensor]:
    """Two floating-point views ``(n, p)`` and ``(n, q)`` with the same ``n >= 2`` rows.

    Unlike the paired embeddings of the losses, the views may have different feature sizes.
    """
    out = []
    for name, v in zip(names, (x, y), strict=True):
        if not isinstance(v, Tensor):
            raise TypeError(
                f"{owner}: {name} must be a torch.Tensor of shape (n, features), got {type(v).__name__}"
            )
        if v.dim() != 2:
            raise ValueError(f"{owner}: {name} must have shape (n, features), got {tuple(v.shape)}")
        if not v.is_floating_point():
            raise TypeError(f"{owner}: {name} must be a floating-point tensor, got dtype {v.dtype}")
        out.append(v)
    a, b = out
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"{owner}: {names[0]} and {names[1]} must be paired row by row (same n), got shapes "
            f"{tuple(a.shape)} and {tuple(b.shape)}"
        )
    if a.shape[0] < 2:
        raise ValueError(f"{owner}: need at least 2 paired rows to estimate covariances, got {a.shape[0]}")
    return a, b


def check_reg(value: float, name: str, owner: str) -> float:
    if not value >= 0:
        raise ValueError(f"{owner}: {name} must be >= 0, got {value}")
    return float(value)


def inv_sqrt_psd(c: Tensor, floor: float = 1e-12) -> Tensor:
    """``C^{-1/2}`` of a symmetric positive (semi-)definite ``C (d, d)`` by its eigendecomposition.

    Eigenvalues below ``floor`` times the largest are raised to it, so a singular ``C`` gives a
    large but finite result rather than ``inf``.
    """
    evals, evecs = torch.linalg.eigh(c)
    evals = evals.clamp_min(floor * evals.abs().max().clamp_min(1e-300))
    return (evecs * evals.rsqrt()) @ evecs.T
