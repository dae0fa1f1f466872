"""Low-rank bilinear pooling (chapter 7): MLB, MFB, MFH and LMF, for ``M >= 2`` modalities.

Shapes: every module takes ``M`` tensors ``x_m`` of shape ``(batch, d_m)`` and returns
``(batch, output_dim)``; ``o`` below is ``output_dim``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..nn.functional import power_normalize
from .base import Fusion, check_choice, check_positive_int
from .registry import register

_ACTIVATIONS = {None: None, "relu": torch.relu, "tanh": torch.tanh}


def hadamard_of_projections(
    projections: nn.ModuleList, inputs: Sequence[Tensor], activation: str | None = None
) -> Tensor:
    """``act(U_1 x_1 + c_1) ∘ ... ∘ act(U_M x_M + c_M)``: ``(batch, R)``; ``act`` is ``activation``
    (``None``, ``"relu"`` or ``"tanh"``)."""
    act = _ACTIVATIONS[activation]
    z = None
    for proj, x in zip(projections, inputs, strict=True):
        p = F.linear(x, proj.weight, proj.bias)  # the functional call skips Module.__call__ overhead
        p = p if act is None else act(p)
        z = p if z is None else z * p
    return z


def sum_pool(z: Tensor, factor: int) -> Tensor:
    """Sum over consecutive, non-overlapping windows of ``factor``: ``(batch, m k) -> (batch, m)``."""
    return z.view(z.shape[0], -1, factor).sum(-1)


def _check_dropout(owner: str, p: float) -> float:
    if not isinstance(p, int | float) or not 0.0 <= p < 1.0:
        raise ValueError(f"{owner}: dropout must be in [0, 1), got {p!r}")
    return float(p)


class _LowRankBase(Fusion):
    """Shared hyper-parameters: ``activation`` on each projection, ``normalize``, ``dropout``."""

    def _set_common(self, activation: str | None, normalize: bool, dropout: float) -> None:
        name = type(self).__name__
        self.activation = check_choice(name, "activation", activation, tuple(_ACTIVATIONS))
        self.normalize = normalize
        self.dropout = _check_dropout(name, dropout)

    def _drop(self, z: Tensor) -> Tensor:
        return F.dropout(z, self.dropout, self.training) if self.dropout > 0 else z


@register("mlb")
class MLB(_LowRankBase):
    """Multimodal low-rank bilinear pooling: ``z = W_o norm(act(U_1 x_1) ∘ ... ∘ act(U_M x_M)) + b_o``.

    With ``act`` the identity, no biases and ``M = 2``, output ``k`` is ``x^T W_k y`` with
    ``W_k = U_1^T diag(W_o[k]) U_2``: a sum of ``R = rank`` rank-one matrices, i.e. a CP
    decomposition of the ``(o, d_1, d_2)`` bilinear tensor with factors ``U_1, U_2, W_o``.
    Parameters: ``sum_m (d_m + 1) R + (R + 1) o``. Kim et al. use ``act = tanh``; the reference
    implementation of block.bootstrap uses ReLU; the default here is the identity.

    Attributes:
        projections: ``nn.ModuleList`` of ``nn.Linear(d_m, R)``, one per modality (``U_m``, ``c_m``).
        linear_out: ``nn.Linear(R, o)`` (``W_o``, ``b_o``).
        rank: ``R``.
    """

    example_hyper = {"rank": 8}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        rank: int = 1200,
        activation: str | None = None,
        normalize: bool = False,
        dropout: float = 0.0,
    ) -> None:
        super().__init__(input_dims, output_dim)
        self.rank = check_positive_int("MLB", "rank", rank)
        self._set_common(activation, normalize, dropout)
        self.projections = nn.ModuleList(nn.Linear(d, rank) for d in self.input_dims)
        self.linear_out = nn.Linear(rank, output_dim)

    def fuse(self, *inputs: Tensor) -> Tensor:
        z = hadamard_of_projections(self.projections, inputs, self.activation)
        if self.normalize:
            z = power_normalize(z)
        return F.linear(self._drop(z), self.linear_out.weight, self.linear_out.bias)


@register("mfb")
class MFB(_LowRankBase):
    """Multimodal factorized bilinear pooling: MLB with sum pooling over windows of ``k``.

    ``z = W_o norm(SumPool_k(act(U_1 x_1) ∘ ... ∘ act(U_M x_M))) + b_o`` with ``U_m`` of shape
    ``(m k, d_m)``: pooled unit ``j`` is a bilinear form of rank ``k``, so every one of the
    ``m = mm_dim`` pooled units has its own rank-``k`` matrix (MLB is the case ``k = 1``).
    ``norm`` is the signed square root + L2 normalisation. Parameters:
    ``sum_m (d_m + 1) m k + (m + 1) o``.

    Attributes:
        projections: ``nn.ModuleList`` of ``nn.Linear(d_m, m k)``.
        linear_out: ``nn.Linear(m, o)``.
        mm_dim, factor: ``m``, ``k``.
    """

    example_hyper = {"mm_dim": 4, "factor": 2}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        mm_dim: int = 1200,
        factor: int = 2,
        activation: str | None = None,
        normalize: bool = True,
        dropout: float = 0.0,
    ) -> None:
        super().__init__(input_dims, output_dim)
        self.mm_dim = check_positive_int("MFB", "mm_dim", mm_dim)
        self.factor = check_positive_int("MFB", "factor", factor)
        self._set_common(activation, normalize, dropout)
        self.projections = nn.ModuleList(nn.Linear(d, mm_dim * factor) for d in self.input_dims)
        self.linear_out = nn.Linear(mm_dim, output_dim)

    def fuse(self, *inputs: Tensor) -> Tensor:
        z = hadamard_of_projections(self.projections, inputs, self.activation)
        z = sum_pool(self._drop(z), self.factor)
        if self.normalize:
            z = power_normalize(z)
        return F.linear(z, self.linear_out.weight, self.linear_out.bias)


@register("mfh")
class MFH(_LowRankBase):
    """Multimodal factorized high-order pooling: ``p`` cascaded MFB blocks.

    Block ``i`` forms ``e_i = e_{i-1} ∘ act(U_1^i x_1) ∘ ... ∘ act(U_M^i x_M)`` (``e_0 = 1``), so
    ``e_i`` is a polynomial of degree ``i`` in each modality; ``z_i = norm(SumPool_k(e_i))`` and
    ``z = W_o [z_1; ...; z_p] + b_o``. Parameters: ``p sum_m (d_m + 1) m k + (p m + 1) o``.

    Attributes:
        projections: ``nn.ModuleList`` over blocks of ``nn.ModuleList`` over modalities of
            ``nn.Linear(d_m, m k)``: ``projections[i][m]`` is ``U_m^i``.
        linear_out: ``nn.Linear(p m, o)``.
        mm_dim, factor, n_blocks: ``m``, ``k``, ``p``.
    """

    example_hyper = {"mm_dim": 4, "factor": 2, "n_blocks": 2}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        mm_dim: int = 1200,
        factor: int = 2,
        n_blocks: int = 2,
        activation: str | None = None,
        normalize: bool = True,
        dropout: float = 0.0,
    ) -> None:
        super().__init__(input_dims, output_dim)
        self.mm_dim = check_positive_int("MFH", "mm_dim", mm_dim)
        self.factor = check_positive_int("MFH", "factor", factor)
        self.n_blocks = check_positive_int("MFH", "n_blocks", n_blocks)
        self._set_common(activation, normalize, dropout)
        self.projections = nn.ModuleList(
            nn.ModuleList(nn.Linear(d, mm_dim * factor) for d in self.input_dims) for _ in range(n_blocks)
        )
        self.linear_out = nn.Linear(n_blocks * mm_dim, output_dim)

    def fuse(self, *inputs: Tensor) -> Tensor:
        pooled, expanded = [], None
        for block in self.projections:
            e = hadamard_of_projections(block, inputs, self.activation)
            expanded = e if expanded is None else expanded * e
            z = sum_pool(self._drop(expanded), self.factor)
            pooled.append(power_normalize(z) if self.normalize else z)
        return F.linear(torch.cat(pooled, dim=-1), self.linear_out.weight, self.linear_out.bias)


@register("lmf")
class LMF(Fusion):
    """Low-rank multimodal fusion: TFN with a rank-``R`` weight, never forming the outer product.

    With ``h_m = [x_m; 1]`` and factors ``F_m^(r)`` of shape ``(d_m + 1, o)``,
    ``z = sum_r w_r prod_m (h_m F_m^(r)) + b``: the TFN weight restricted to
    ``W = sum_r w_r F_1^(r) ⊗ ... ⊗ F_M^(r)`` (per output). Cost and parameters are linear in
    ``M``: ``R sum_m (d_m + 1) o + R + o`` parameters.

    Every factor is a registered ``nn.Parameter`` (a plain Python list would hide them from
    ``parameters()`` and from the optimizer).

    Attributes:
        factors: ``nn.ParameterList`` of ``(R, d_m + 1, o)`` tensors, one per modality.
        fusion_weights: ``(R,)`` the ``w_r``.
        fusion_bias: ``(o,)`` the ``b``.
        rank: ``R``.
    """

    example_hyper = {"rank": 3}

    def __init__(self, input_dims: Sequence[int], output_dim: int, rank: int = 4) -> None:
        super().__init__(input_dims, output_dim)
        self.rank = check_positive_int("LMF", "rank", rank)
        self.factors = nn.ParameterList(
            nn.Parameter(torch.randn(rank, d + 1, output_dim) / math.sqrt(d + 1)) for d in self.input_dims
        )
        self.fusion_weights = nn.Parameter(torch.full((rank,), 1.0 / rank))
        self.fusion_bias = nn.Parameter(torch.zeros(output_dim))

    def fuse(self, *inputs: Tensor) -> Tensor:
        z = None
        for x, factor in zip(inputs, self.factors, strict=True):
            h = torch.cat([x, x.new_ones(x.shape[0], 1)], dim=-1)
            p = torch.einsum("bi,rio->bro", h, factor)
            z = p if z is None else z * p
        return torch.einsum("bro,r->bo", z, self.fusion_weights) + self.fusion_bias
