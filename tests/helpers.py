"""Helpers shared by the tests (import from here, not from conftest)."""

from __future__ import annotations

import torch

D64 = torch.float64


def randn(*shape: int, seed: int = 0, dtype: torch.dtype | None = None) -> torch.Tensor:
    """``torch.randn(*shape)`` from its own generator, so tests do not depend on their order."""
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def randn64(*shape: int, seed: int = 0) -> torch.Tensor:
    """:func:`randn` in float64, for exact comparisons."""
    return randn(*shape, seed=seed, dtype=D64)
