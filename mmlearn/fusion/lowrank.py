"""Low-rank bilinear pooling (chapter 7): MLB, MFB, MFH and LMF, for ``M >= 2`` modalities.

Shapes: every module takes ``M`` tensors ``x_m`` of shape ``(batch, d_m)`` and returns
``(batch, output_dim)``; ``o`` below is ``output_dim``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import cast

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .._validation import check_positive_int, check_probability, renamed
from ..nn.functional import append_one, maybe_dropout, power_normalize
from ..nn.mlp import activation_function
from .base import Fusion
from .registry import register


def hadamard_of_projections(
    projections: Sequence[tuple[Tensor, Tensor]] | nn.ModuleList,
    inputs: Sequence[Tensor],
    act: Callable[[Tensor], Tensor] | None = None,
    dropout: float = 0.0,
    training: bool = False,
) -> Tensor:
    """``act(drop(U_1 x_1 + c_1)) ⊙ ... ⊙ act(drop(U_M x_M + c_M))``: ``(batch, R)``; ``act`` a
    function (``None`` for the identity), ``drop`` dropout with probability ``dropout``.

    ``projections``: the ``nn.Linear`` modules, or their ``(weight, bias)`` pairs.
    """
    z: Tensor | None = None
    for proj, x in zip(projections, inputs, strict=True):
        weight, bias = (proj.weight, proj.bias) if isinstance(proj, nn.Linear) else cast(tuple, proj)
        p = F.linear(x, weight, bias)  # the functional call skips Module.__call__
        p = maybe_dropout(p, dropout, training)
        p = p if act is None else act(p)
        z = p if z is None else z * p
    assert z is not None  # at least two modalities
    return z


def _weight_and_bias(module: object) -> tuple[Tensor, Tensor]:
    linear = cast(nn.Linear, module)
    return linear.weight, linear.bias


def _weights(linears: nn.ModuleList) -> list[tuple[Tensor, Tensor]]:
    return [_weight_and_bias(lin) for lin in linears]


def sum_pool(z: Tensor, factor: int) -> Tensor:
    """Sum over consecutive, non-overlapping windows of ``factor``: ``(batch, m k) -> (batch, m)``."""
    return z.view(z.shape[0], -1, factor).sum(-1)


DROPOUT_PLACES = ("dropout_input", "dropout_pre_norm", "dropout_pre_lin", "dropout_output")


class _LowRankBase(Fusion):
    """Shared hyper-parameters of MLB, MFB and MFH, in the library's one vocabulary:
    ``activation`` on each projection, ``normalize`` (signed square root + L2), and dropout
    probabilities at four places: ``dropout_input`` (on the projections), ``dropout_pre_norm``
    (on the Hadamard product, before pooling and normalisation), ``dropout_pre_lin`` (before
    the output factor) and ``dropout_output`` (after it)."""

    dropout_input: float
    dropout_pre_norm: float
    dropout_pre_lin: float
    dropout_output: float

    def _set_common(
        self,
        activation: str | None,
        normalize: bool,
        dropouts: tuple[float, float, float, float],
        old_dropout: float | None,
        old_place: str,
    ) -> None:
        """Check and store the shared hyper-parameters; ``old_dropout`` is mmlearn 0.1's single
        ``dropout=``, which goes to ``old_place`` (with a ``DeprecationWarning``)."""
        name = type(self).__name__
        self.activation = activation
        self._act = activation_function(activation, name)
        self.normalize = normalize
        values = dict(zip(DROPOUT_PLACES, dropouts, strict=True))
        if old_dropout is not None:
            values[old_place] = renamed(old_dropout, None, "dropout", old_place, name, 0.0)
        for key, value in values.items():
            setattr(self, key, check_probability(value, key, name))

    def _hadamard(self, inputs: Sequence[Tensor], block: int | None = None) -> Tensor:
        """The Hadamard product of the activated projections of ``self.projections`` (of block
        ``block`` of them, for MFH); the weights are looked up once (:meth:`Fusion.cached`)."""
        pairs = self.cached(block, self._projection_weights, block)
        return hadamard_of_projections(pairs, inputs, self._act, self.dropout_input, self.training)

    def _projection_weights(self, block: int | None) -> list[tuple[Tensor, Tensor]]:
        projections = cast(nn.ModuleList, self.projections)
        return _weights(cast(nn.ModuleList, projections if block is None else projections[block]))

    def _output_weights(self) -> tuple[Tensor, Tensor]:
        return _weight_and_bias(self.linear_out)

    def _out(self, z: Tensor) -> Tensor:
        z = maybe_dropout(z, self.dropout_pre_lin, self.training)
        weight, bias = self.cached("out", self._output_weights)
        out = F.linear(z, weight, bias)
        return maybe_dropout(out, self.dropout_output, self.training)


@register
class MLB(_LowRankBase):
    """Multimodal low-rank bilinear pooling: ``z = W_o norm(act(U_1 x_1) ⊙ ... ⊙ act(U_M x_M)) + b_o``.

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

    test_hyper = {"rank": 8}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        rank: int = 1200,
        activation: str | None = None,
        normalize: bool = False,
        dropout_input: float = 0.0,
        dropout_pre_norm: float = 0.0,
        dropout_pre_lin: float = 0.0,
        dropout_output: float = 0.0,
        dropout: float | None = None,
    ) -> None:
        super().__init__(input_dims, output_dim)
        self.rank = check_positive_int(rank, "rank", "MLB")
        self._set_common(
            activation,
            normalize,
            (dropout_input, dropout_pre_norm, dropout_pre_lin, dropout_output),
            dropout,
            "dropout_pre_lin",
        )
        self.projections = nn.ModuleList(nn.Linear(d, rank) for d in self.input_dims)
        self.linear_out = nn.Linear(rank, output_dim)

    def fuse(self, *inputs: Tensor) -> Tensor:
        z = self._hadamard(inputs)  # (batch, rank)
        z = maybe_dropout(z, self.dropout_pre_norm, self.training)
        if self.normalize:
            z = power_normalize(z)
        return self._out(z)


@register
class MFB(_LowRankBase):
    """Multimodal factorized bilinear pooling: MLB with sum pooling over windows of ``k``.

    ``z = W_o norm(SumPool_k(act(U_1 x_1) ⊙ ... ⊙ act(U_M x_M))) + b_o`` with ``U_m`` of shape
    ``(m k, d_m)``: pooled unit ``j`` is a bilinear form of rank ``k``, so every one of the
    ``m = mm_dim`` pooled units has its own rank-``k`` matrix (MLB is the case ``k = 1``).
    ``norm`` is the signed square root + L2 normalisation. Parameters:
    ``sum_m (d_m + 1) m k + (m + 1) o``.

    Attributes:
        projections: ``nn.ModuleList`` of ``nn.Linear(d_m, m k)``.
        linear_out: ``nn.Linear(m, o)``.
        mm_dim, factor: ``m``, ``k``.
    """

    test_hyper = {"mm_dim": 4, "factor": 2}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        mm_dim: int = 1200,
        factor: int = 2,
        activation: str | None = None,
        normalize: bool = True,
        dropout_input: float = 0.0,
        dropout_pre_norm: float = 0.0,
        dropout_pre_lin: float = 0.0,
        dropout_output: float = 0.0,
        dropout: float | None = None,
    ) -> None:
        super().__init__(input_dims, output_dim)
        self.mm_dim = check_positive_int(mm_dim, "mm_dim", "MFB")
        self.factor = check_positive_int(factor, "factor", "MFB")
        self._set_common(
            activation,
            normalize,
            (dropout_input, dropout_pre_norm, dropout_pre_lin, dropout_output),
            dropout,
            "dropout_pre_norm",
        )
        self.projections = nn.ModuleList(nn.Linear(d, mm_dim * factor) for d in self.input_dims)
        self.linear_out = nn.Linear(mm_dim, output_dim)

    def fuse(self, *inputs: Tensor) -> Tensor:
        z = self._hadamard(inputs)  # (batch, mm_dim factor)
        z = sum_pool(maybe_dropout(z, self.dropout_pre_norm, self.training), self.factor)  # (batch, mm_dim)
        if self.normalize:
            z = power_normalize(z)
        return self._out(z)


@register
class MFH(_LowRankBase):
    """Multimodal factorized high-order pooling: ``p`` cascaded MFB blocks.

    Block ``i`` forms ``e_i = e_{i-1} ⊙ act(U_1^i x_1) ⊙ ... ⊙ act(U_M^i x_M)`` (``e_0 = 1``), so
    ``e_i`` is a polynomial of degree ``i`` in each modality; ``z_i = norm(SumPool_k(e_i))`` and
    ``z = W_o [z_1; ...; z_p] + b_o``. Parameters: ``p sum_m (d_m + 1) m k + (p m + 1) o``.

    Attributes:
        projections: ``nn.ModuleList`` over blocks of ``nn.ModuleList`` over modalities of
            ``nn.Linear(d_m, m k)``: ``projections[i][m]`` is ``U_m^i``.
        linear_out: ``nn.Linear(p m, o)``.
        mm_dim, factor, n_blocks: ``m``, ``k``, ``p``.
    """

    test_hyper = {"mm_dim": 4, "factor": 2, "n_blocks": 2}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        mm_dim: int = 1200,
        factor: int = 2,
        n_blocks: int = 2,
        activation: str | None = None,
        normalize: bool = True,
        dropout_input: float = 0.0,
        dropout_pre_norm: float = 0.0,
        dropout_pre_lin: float = 0.0,
        dropout_output: float = 0.0,
        dropout: float | None = None,
    ) -> None:
        super().__init__(input_dims, output_dim)
        self.mm_dim = check_positive_int(mm_dim, "mm_dim", "MFH")
        self.factor = check_positive_int(factor, "factor", "MFH")
        self.n_blocks = check_positive_int(n_blocks, "n_blocks", "MFH")
        self._set_common(
            activation,
            normalize,
            (dropout_input, dropout_pre_norm, dropout_pre_lin, dropout_output),
            dropout,
            "dropout_pre_norm",
        )
        self.projections = nn.ModuleList(
            nn.ModuleList(nn.Linear(d, mm_dim * factor) for d in self.input_dims) for _ in range(n_blocks)
        )
        self.linear_out = nn.Linear(n_blocks * mm_dim, output_dim)

    def fuse(self, *inputs: Tensor) -> Tensor:
        pooled, expanded = [], None
        for block in range(self.n_blocks):
            e = self._hadamard(inputs, block)  # (batch, mm_dim factor)
            expanded = e if expanded is None else expanded * e
            z = sum_pool(maybe_dropout(expanded, self.dropout_pre_norm, self.training), self.factor)
            pooled.append(power_normalize(z) if self.normalize else z)
        return self._out(torch.cat(pooled, dim=-1))  # (batch, n_blocks mm_dim) in


@register
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

    test_hyper = {"rank": 3}

    def __init__(self, input_dims: Sequence[int], output_dim: int, rank: int = 4) -> None:
        super().__init__(input_dims, output_dim)
        self.rank = check_positive_int(rank, "rank", "LMF")
        self.factors = nn.ParameterList(
            nn.Parameter(torch.randn(rank, d + 1, output_dim) / math.sqrt(d + 1)) for d in self.input_dims
        )
        self.fusion_weights = nn.Parameter(torch.full((rank,), 1.0 / rank))
        self.fusion_bias = nn.Parameter(torch.zeros(output_dim))

    def fuse(self, *inputs: Tensor) -> Tensor:
        z = None
        for x, factor in zip(inputs, self.factors, strict=True):
            p = torch.einsum("bi,rio->bro", append_one(x), factor)  # (batch, rank, o)
            z = p if z is None else z * p
        return torch.einsum("bro,r->bo", z, self.fusion_weights) + self.fusion_bias
