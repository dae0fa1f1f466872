"""Multilinear algebra for the Tucker family: mode-n products and contracting a core with vectors.

Notation (chapter 8): a tensor ``T`` of order ``N`` has shape ``(I_1, ..., I_N)``; its mode-n
product with a matrix ``U`` of shape ``(J, I_n)`` is the tensor ``T x_n U`` of shape
``(I_1, ..., I_{n-1}, J, I_{n+1}, ..., I_N)`` with

    (T x_n U)[i_1, ..., j, ..., i_N] = sum_{i_n} T[i_1, ..., i_n, ..., i_N] U[j, i_n].
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor


def mode_product(tensor: Tensor, matrix: Tensor, mode: int) -> Tensor:
    """The mode-``mode`` product ``tensor x_mode matrix`` (modes counted from 0).

    Shapes: ``tensor (I_0, ..., I_{N-1})``, ``matrix (J, I_mode)`` -> ``(..., J at mode, ...)``.
    Same result as ``tensorly.tenalg.mode_dot(tensor, matrix, mode)``.
    """
    if matrix.dim() != 2:
        raise ValueError(f"mode_product: matrix must be 2-D (J, I_n), got shape {tuple(matrix.shape)}")
    if not -tensor.dim() <= mode < tensor.dim():
        raise ValueError(f"mode_product: mode {mode} out of range for a tensor of order {tensor.dim()}")
    mode %= tensor.dim()
    if tensor.shape[mode] != matrix.shape[1]:
        raise ValueError(
            f"mode_product: tensor has size {tensor.shape[mode]} along mode {mode} but matrix has "
            f"shape {tuple(matrix.shape)}; expected (J, {tensor.shape[mode]})"
        )
    # tensordot puts the new axis last; move it back to position ``mode``
    return torch.tensordot(tensor, matrix, dims=([mode], [1])).movedim(-1, mode)


def tucker_to_tensor(core: Tensor, factors: Sequence[Tensor]) -> Tensor:
    """``core x_0 U_0 x_1 U_1 ... x_{N-1} U_{N-1}``: the full tensor of a Tucker decomposition.

    Shapes: ``core (R_0, ..., R_{N-1})``, ``factors[n] (I_n, R_n)`` -> ``(I_0, ..., I_{N-1})``.
    """
    if len(factors) != core.dim():
        raise ValueError(f"tucker_to_tensor: a core of order {core.dim()} needs {core.dim()} factors")
    out = core
    for n, u in enumerate(factors):
        out = mode_product(out, u, n)
    return out


def contract_blocks(core: Tensor, vectors: Sequence[Tensor]) -> Tensor:
    """Contract a stack of ``C`` cores with one vector per input mode, all blocks at once.

    ``z[b, c, k] = sum_{i_1..i_M} core[c, k, i_1, ..., i_M] x_1[b, c, i_1] ... x_M[b, c, i_M]``.

    Shapes: ``core (C, K, t_1, ..., t_M)``, ``vectors[m] (B, C, t_m)`` -> ``(B, C, K)``.
    A single Tucker core is the case ``C = 1``. The last mode is contracted first (one
    batched matrix product over ``C``), then the others one by one from the right.
    """
    m = len(vectors)
    if core.dim() != m + 2:
        raise ValueError(
            f"contract_blocks: {m} vectors need a core of shape (C, K, t_1..t_{m}), got {tuple(core.shape)}"
        )
    c = core.shape[0]
    last = vectors[-1]  # (B, C, t_M)
    flat = core.reshape(c, -1, core.shape[-1])  # (C, K t_1 .. t_{M-1}, t_M)
    y = torch.bmm(last.transpose(0, 1), flat.transpose(1, 2))  # (C, B, K t_1 .. t_{M-1})
    y = y.transpose(0, 1).reshape(last.shape[0], c, *core.shape[1:-1])  # (B, C, K, t_1..t_{M-1})
    for x in reversed(vectors[:-1]):
        # y is (B, C, K, t_1, ..., t_m): contract its last axis with x (B, C, t_m)
        x = x.reshape(x.shape[0], c, *([1] * (y.dim() - 4)), x.shape[-1], 1)
        y = (y @ x).squeeze(-1)
    return y


def unit_uniform_(tensor: Tensor, fan_in: int) -> Tensor:
    """Fill ``tensor`` in place from ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` (``nn.Linear``'s rule)."""
    bound = fan_in**-0.5
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)
