"""Input checks shared by the metrics and the losses: clear errors instead of silent broadcasting."""

from __future__ import annotations

import torch
from torch import Tensor


def check_matrix(name: str, x: object, owner: str) -> Tensor:
    """``x`` must be a floating-point tensor of shape ``(n, d)`` with ``n >= 1``."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{owner}: {name} must be a torch.Tensor of shape (n, d), got {type(x).__name__}")
    if x.dim() != 2:
        raise ValueError(f"{owner}: {name} must have shape (n, d), got {tuple(x.shape)}")
    if x.shape[0] == 0:
        raise ValueError(f"{owner}: {name} is an empty batch, shape {tuple(x.shape)}")
    return x


def check_float_matrix(name: str, x: object, owner: str) -> Tensor:
    x = check_matrix(name, x, owner)
    if not x.is_floating_point():
        raise TypeError(f"{owner}: {name} must be a floating-point tensor, got dtype {x.dtype}")
    return x


def check_pair(
    a: object, b: object, owner: str, names: tuple[str, str] = ("a", "b"), same_rows: bool = True
) -> tuple[Tensor, Tensor]:
    """Two float matrices with the same feature size (and the same number of rows if asked)."""
    a = check_float_matrix(names[0], a, owner)
    b = check_float_matrix(names[1], b, owner)
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"{owner}: {names[0]} and {names[1]} must share the feature size, got shapes "
            f"{tuple(a.shape)} and {tuple(b.shape)}"
        )
    if same_rows and a.shape[0] != b.shape[0]:
        raise ValueError(
            f"{owner}: {names[0]} and {names[1]} must be paired row by row (same n), got shapes "
            f"{tuple(a.shape)} and {tuple(b.shape)}"
        )
    if a.dtype != b.dtype:
        raise TypeError(f"{owner}: {names[0]} has dtype {a.dtype} but {names[1]} has dtype {b.dtype}")
    return a, b


def check_labels(labels: object, n: int, owner: str, name: str = "labels") -> Tensor:
    """Integer class labels of shape ``(n,)``."""
    if not isinstance(labels, Tensor):
        raise TypeError(
            f"{owner}: {name} must be a torch.Tensor of shape ({n},), got {type(labels).__name__}"
        )
    if labels.dim() != 1 or labels.shape[0] != n:
        raise ValueError(f"{owner}: {name} must have shape ({n},), got {tuple(labels.shape)}")
    if labels.is_floating_point() or labels.is_complex():
        raise TypeError(f"{owner}: {name} must hold integer class indices, got dtype {labels.dtype}")
    return labels


def check_distribution(name: str, p: object, owner: str, atol: float = 1e-4) -> Tensor:
    """Probability vectors ``(n, C)`` (or one ``(C,)`` vector): non-negative, rows summing to one."""
    if not isinstance(p, Tensor):
        raise TypeError(f"{owner}: {name} must be a torch.Tensor of probabilities, got {type(p).__name__}")
    if not p.is_floating_point():
        raise TypeError(f"{owner}: {name} must be a floating-point tensor, got dtype {p.dtype}")
    if p.dim() not in (1, 2) or p.shape[-1] == 0 or (p.dim() == 2 and p.shape[0] == 0):
        raise ValueError(
            f"{owner}: {name} must have shape (C,) or (n, C) with n, C >= 1, got {tuple(p.shape)}"
        )
    with torch.no_grad():
        if not torch.isfinite(p).all():
            raise ValueError(f"{owner}: {name} contains NaN or inf")
        if (p < 0).any():
            raise ValueError(
                f"{owner}: {name} has negative entries (min {p.min().item():.3g}); probabilities must be >= 0"
            )
        sums = p.sum(-1)
        bad = (sums - 1).abs() > atol
        if bad.any():
            raise ValueError(
                f"{owner}: every row of {name} must sum to one; a row sums to "
                f"{sums[bad].flatten()[0].item():.6g}"
            )
    return p
