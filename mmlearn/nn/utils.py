"""Small helpers every model shares: parameter counts and ``f(x1, x2)`` / ``f([x1, x2])`` calls."""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn


def count_params(module: nn.Module) -> int:
    """Number of trainable parameters (frozen parameters and buffers do not count)."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def unpack_inputs(
    inputs: tuple[Tensor | Sequence[Tensor], ...], owner: str, expected: int | None = None
) -> tuple[Tensor, ...]:
    """Accept ``model(x1, x2)`` or ``model([x1, x2])``; check the number of modalities."""
    if len(inputs) == 1 and isinstance(inputs[0], list | tuple):
        inputs = tuple(inputs[0])
    if expected is not None and len(inputs) != expected:
        raise ValueError(f"{owner}: expected {expected} modality inputs, got {len(inputs)}")
    return inputs  # type: ignore[return-value]
