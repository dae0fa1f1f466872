"""Argument checks shared by the whole library: clear errors instead of silent broadcasting.

Every check takes ``(value, name, owner, ...)``: the value, the argument's name as the caller
wrote it, and the class or function that received it (both appear in the message). Each returns
the value (converted where that is its job), so that ``self.rank = check_positive_int(rank,
"rank", owner)`` reads in one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar, cast

import torch
from torch import Tensor

T = TypeVar("T")


def check_positive_int(value: Any, name: str, owner: str) -> int:
    """``value`` must be an int (not a bool) greater than 0."""
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive int, got {value!r}")
    return value


def check_choice(value: T, name: str, owner: str, choices: Sequence[T]) -> T:
    """``value`` must be one of ``choices``; the message lists them."""
    if value not in choices:
        raise ValueError(f"{owner}: {name} must be one of {list(choices)}, got {value!r}")
    return value


def check_probability(value: Any, name: str, owner: str, upper_open: bool = True) -> float:
    """``value`` must be a real number in ``[0, 1)`` (or ``[0, 1]`` with ``upper_open=False``)."""
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if ok and (0.0 <= value < 1.0 if upper_open else 0.0 <= value <= 1.0):
        return float(value)
    interval = "[0, 1)" if upper_open else "[0, 1]"
    raise ValueError(f"{owner}: {name} must be a float in {interval}, got {value!r}")


def check_positive_float(value: Any, name: str, owner: str) -> float:
    """``value`` must be a real number greater than 0."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{owner}: {name} must be a positive number, got {value!r}")
    return float(value)


def check_matrix(x: object, name: str, owner: str) -> Tensor:
    """``x`` must be a floating-point tensor of shape ``(n, d)`` with ``n >= 1``."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{owner}: {name} must be a torch.Tensor of shape (n, d), got {type(x).__name__}")
    if x.dim() != 2:
        raise ValueError(f"{owner}: {name} must have shape (n, d), got {tuple(x.shape)}")
    if x.shape[0] == 0:
        raise ValueError(f"{owner}: {name} is an empty batch, shape {tuple(x.shape)}")
    return x


def check_float_matrix(x: object, name: str, owner: str) -> Tensor:
    x = check_matrix(x, name, owner)
    if not x.is_floating_point():
        raise TypeError(f"{owner}: {name} must be a floating-point tensor, got dtype {x.dtype}")
    return x


def check_pair(
    a: object, b: object, owner: str, names: tuple[str, str] = ("a", "b"), same_rows: bool = True
) -> tuple[Tensor, Tensor]:
    """Two float matrices with the same feature size (and the same number of rows if asked)."""
    a = check_float_matrix(a, names[0], owner)
    b = check_float_matrix(b, names[1], owner)
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


def check_labels(labels: object, name: str, owner: str, n: int) -> Tensor:
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


def check_distribution(p: object, name: str, owner: str, atol: float = 1e-4) -> Tensor:
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


def renamed(old_value: Any, new_value: T | None, old: str, new: str, owner: str, default: T) -> T:
    """Resolve a keyword renamed in mmlearn 0.2: the old spelling still works, with a warning.

    ``new_value`` is ``None`` when the caller did not pass the new keyword; ``default`` is used
    when neither was passed.
    """
    import warnings

    if old_value is None:
        return default if new_value is None else new_value
    if new_value is not None:
        raise TypeError(f"{owner}: pass {new}=... only (its old name {old}=... was given as well)")
    warnings.warn(f"{owner}: {old}= is deprecated, use {new}=", DeprecationWarning, stacklevel=3)
    return cast(T, old_value)
