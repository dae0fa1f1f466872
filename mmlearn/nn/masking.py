"""Presence masks: validation, a softmax that gives masked entries weight exactly 0, a masked mean.

A mask is a bool tensor, ``True`` where an element is present and ``False`` where it is missing
(padding, a dropped modality).
"""

from __future__ import annotations

import torch
from torch import Tensor


def check_mask(mask: object, name: str, owner: str, like: Tensor, length: int | None = None) -> Tensor | None:
    """Validate a presence mask against the tensor ``like``; ``None`` stays ``None``.

    Expected shape: ``(batch,)`` when ``length`` is None (one flag per sample, e.g. whether a
    modality is present), else ``(batch, length)`` with at least one ``True`` per row (a softmax
    over an empty set is undefined). Raises a ``TypeError`` for a non-boolean mask and a
    ``ValueError`` naming ``name`` for a wrong shape or another device.
    """
    if mask is None:
        return None
    if not isinstance(mask, Tensor) or mask.dtype != torch.bool:
        kind = mask.dtype if isinstance(mask, Tensor) else type(mask).__name__
        raise TypeError(f"{owner}: {name} must be a bool tensor (True = present), got {kind}")
    expected = (like.shape[0],) if length is None else (like.shape[0], length)
    if tuple(mask.shape) != expected:
        text = "(batch,)" if length is None else "(batch, length)"
        raise ValueError(f"{owner}: {name} must have shape {text} = {expected}, got {tuple(mask.shape)}")
    if mask.device != like.device:
        raise ValueError(f"{owner}: {name} is on {mask.device} but the inputs are on {like.device}")
    if length is not None:
        empty = (~mask.any(dim=1)).nonzero().flatten()
        if len(empty):
            raise ValueError(
                f"{owner}: {name} masks out every element of rows {empty.tolist()}; "
                "each row needs at least one True"
            )
    return mask


def masked_softmax(scores: Tensor, mask: Tensor | None, dim: int = -1) -> Tensor:
    """``softmax`` of ``scores`` along ``dim`` with masked-out entries given weight exactly 0.

    ``mask`` broadcasts against ``scores`` (``True`` = keep). Masked scores are replaced by the
    most negative finite number rather than ``-inf``, so a fully valid row's gradient stays finite.
    """
    if mask is not None:
        scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    weights = scores.softmax(dim=dim)
    return weights if mask is None else weights * mask


def masked_mean(x: Tensor, mask: Tensor | None) -> Tensor:
    """Mean of ``x (batch, L, d)`` over the positions where ``mask (batch, L)`` is True."""
    if mask is None:
        return x.mean(dim=1)
    w = mask.to(x.dtype).unsqueeze(-1)  # (batch, L, 1)
    return (x * w).sum(dim=1) / w.sum(dim=1)
