"""Tucker fusion and MUTAN (chapter 8): the bilinear tensor as a core between factor matrices.

A full bilinear fusion ``z_k = sum_ij W[k, i, j] x_i y_j`` needs ``d_1 d_2 d_o`` weights. Tucker
fusion writes ``W = T_c x_1 W_1 x_2 W_2 x_3 W_o``: each modality is projected,
``x~_m = W_m x_m + b_m`` of shape ``(batch, mm_dim)``, a small core ``T_c`` of shape
``(core_dim, mm_dim, ..., mm_dim)`` mixes the projections multilinearly, and ``W_o`` maps the
result to ``output_dim``. MUTAN further constrains every output slice of the core to rank ``R``.

Both accept ``M >= 2`` modalities (a core of order ``M + 1``). ``shared=True`` uses one set of
projection weights for every modality (all ``input_dims`` must then be equal).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .._validation import check_positive_int, check_probability
from ..nn.functional import maybe_dropout, power_normalize
from ..nn.mlp import activation_function
from ..nn.multilinear import contract_blocks, unit_uniform_
from .base import Fusion
from .registry import register


class TuckerFamily(Fusion):
    """What Tucker, MUTAN, BLOCK and BLOCK-Tucker share: the input projections, dropouts and the
    output factor.

    ``project(x_1..x_M)`` returns ``M`` tensors ``(batch, mm_dim)`` (dropout ``dropout_input``
    applied); ``finish(z)`` applies ``dropout_pre_lin``, the output factor
    ``Linear(mm_out -> output_dim)`` and ``dropout_output``. With ``shared=True`` a single
    ``nn.Linear`` is registered and used for every modality (its parameters are counted once).
    """

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        *,
        mm_dim: int,
        mm_out: int | None = None,
        shared: bool = False,
        dropout_input: float = 0.0,
        dropout_pre_lin: float = 0.0,
        dropout_output: float = 0.0,
    ) -> None:
        super().__init__(input_dims, output_dim)
        name = type(self).__name__
        self.mm_dim = check_positive_int(mm_dim, "mm_dim", name)
        if not isinstance(shared, bool):
            raise TypeError(f"{name}: shared must be a bool, got {shared!r}")
        if shared and len(set(self.input_dims)) != 1:
            raise ValueError(
                f"{name}: shared=True uses one projection for every modality, so all input_dims must "
                f"be equal, got input_dims={self.input_dims}"
            )
        self.shared = shared
        self.dropout_input = check_probability(dropout_input, "dropout_input", name)
        self.dropout_pre_lin = check_probability(dropout_pre_lin, "dropout_pre_lin", name)
        self.dropout_output = check_probability(dropout_output, "dropout_output", name)
        dims = self.input_dims[:1] if shared else self.input_dims
        self.linears = nn.ModuleList(nn.Linear(d, mm_dim) for d in dims)
        self.linear_out = nn.Linear(mm_dim if mm_out is None else mm_out, output_dim)

    def projection(self, m: int) -> nn.Linear:
        """The input factor ``W_m`` of modality ``m`` (the same module for all when shared)."""
        return self.linears[0 if self.shared else m]  # type: ignore[return-value]

    def project(self, inputs: Sequence[Tensor]) -> list[Tensor]:
        """``W_m x_m + b_m`` for each modality (``(batch, mm_dim)``), with ``dropout_input``."""
        weights = self.cached("projections", self._linear_weights, "linears")
        out = []
        for m, x in enumerate(inputs):
            # F.linear on cached weights: the same product without Module.__call__'s overhead
            weight, bias = weights[0 if self.shared else m]
            out.append(maybe_dropout(F.linear(x, weight, bias), self.dropout_input, self.training))
        return out

    def _linear_weights(self, name: str) -> list[tuple[Tensor, Tensor]]:
        """``(weight, bias)`` of every ``nn.Linear`` of the ``nn.ModuleList`` called ``name``."""
        return [(lin.weight, lin.bias) for lin in cast(list[nn.Linear], list(getattr(self, name)))]

    def _output_weights(self) -> tuple[Tensor, Tensor]:
        linear = cast(nn.Linear, self.linear_out)
        return linear.weight, linear.bias

    def finish(self, z: Tensor) -> Tensor:
        z = maybe_dropout(z, self.dropout_pre_lin, self.training)
        weight, bias = self.cached("out", self._output_weights)
        out = F.linear(z, weight, bias)
        return maybe_dropout(out, self.dropout_output, self.training)


@register
class Tucker(TuckerFamily):
    """Tucker fusion: a full core between projected modalities.

    ``x~_m = W_m x_m + b_m`` (``(batch, mm_dim)``),
    ``z_k = sum_{i_1..i_M} T[k, i_1, ..., i_M] x~_1[i_1] ... x~_M[i_M] + c_k`` with the core ``T``
    of shape ``(core_dim, mm_dim, ..., mm_dim)`` (``core_dim`` defaults to ``mm_dim``), optionally
    ``z <- normalize(signed_sqrt(z))``, then ``out = W_o z + b_o`` of shape ``(batch, output_dim)``.

    For two modalities with ``core_dim = mm_dim`` this is the reference's ``Tucker`` (its core is
    an ``nn.Bilinear(mm_dim, mm_dim, mm_dim)``; here ``core`` has the same ``(out, in_1, in_2)``
    layout and ``core_bias`` is its bias). Parameters:
    ``sum_m (d_m + 1) mm_dim + core_dim (mm_dim^M + 1) + (core_dim + 1) output_dim``
    (the first sum has one term when ``shared``).
    """

    test_hyper = {"mm_dim": 3}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        mm_dim: int = 32,
        core_dim: int | None = None,
        shared: bool = False,
        normalize: bool = False,
        eps: float = 1e-8,
        dropout_input: float = 0.0,
        dropout_pre_lin: float = 0.0,
        dropout_output: float = 0.0,
    ) -> None:
        core_dim = mm_dim if core_dim is None else check_positive_int(core_dim, "core_dim", "Tucker")
        super().__init__(
            input_dims,
            output_dim,
            mm_dim=mm_dim,
            mm_out=core_dim,
            shared=shared,
            dropout_input=dropout_input,
            dropout_pre_lin=dropout_pre_lin,
            dropout_output=dropout_output,
        )
        self.core_dim, self.normalize, self.eps = core_dim, normalize, eps
        m = self.n_modalities
        self.core = nn.Parameter(torch.empty(core_dim, *([mm_dim] * m)))
        self.core_bias = nn.Parameter(torch.empty(core_dim))
        # nn.Bilinear's initialisation, generalised: fan-in of one output is mm_dim^(M-1)
        unit_uniform_(self.core, mm_dim ** (m - 1))
        unit_uniform_(self.core_bias, mm_dim ** (m - 1))

    def fuse(self, *inputs: Tensor) -> Tensor:
        xs = self.project(inputs)
        if len(xs) == 2 and not torch.is_grad_enabled():
            # inference only: torch's bilinear kernel is the faster forward for two modalities
            z = F.bilinear(xs[0], xs[1], self.core, self.core_bias)
        else:
            # one matrix product with the core, then batched matrix-vector products: the same
            # function as F.bilinear for M = 2, whose backward is many times slower on CPU
            z = contract_blocks(self.core.unsqueeze(0), [x.unsqueeze(1) for x in xs]).squeeze(1)
            z = z + self.core_bias
        if self.normalize:
            z = power_normalize(z, self.eps)
        return self.finish(z)


@register
class MUTAN(TuckerFamily):
    """MUTAN: Tucker fusion whose core has rank-``R`` output slices, computed without the core.

    ``x~_m = W_m x_m + b_m`` (``(batch, mm_dim)``), then for ``r = 1..R`` a merge projection
    ``h_{m,r} = A_{m,r} x~_m + a_{m,r}`` (``A_{m,r}`` is ``(mm_dim, mm_dim)``), and
    ``z = sum_r h_{1,r} * ... * h_{M,r}`` (elementwise products, ``(batch, mm_dim)``),
    optionally ``z <- normalize(signed_sqrt(z))``, then ``out = W_o z + b_o``.

    ``activation`` (``None``, the default, or a name of :data:`mmlearn.nn.ACTIVATIONS`) is
    applied to every projection, ``x~_m = act(W_m x_m + b_m)``: Ben-younes et al. (2017) use
    ``"tanh"``. With the identity the module is exactly the Tucker model with rank-``R`` core
    slices (the chapter 8 theorem); with ``tanh`` the same holds for the bilinear form in the
    ``tanh`` features.

    The ``R`` merge matrices of modality ``m`` are stored stacked in ``merges[m]``, an
    ``nn.Linear(mm_dim, R mm_dim)`` whose output index is ``r * mm_dim + k`` (the reference's
    layout). Parameters: ``sum_m (d_m + 1) mm_dim + M' (mm_dim + 1) R mm_dim
    + (mm_dim + 1) output_dim`` with ``M' = 1`` when ``shared`` else ``M``.
    """

    test_hyper = {"mm_dim": 4, "rank": 2}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        mm_dim: int = 64,
        rank: int = 5,
        shared: bool = False,
        normalize: bool = False,
        eps: float = 1e-8,
        dropout_input: float = 0.0,
        dropout_pre_lin: float = 0.0,
        dropout_output: float = 0.0,
        activation: str | None = None,
    ) -> None:
        super().__init__(
            input_dims,
            output_dim,
            mm_dim=mm_dim,
            mm_out=None,
            shared=shared,
            dropout_input=dropout_input,
            dropout_pre_lin=dropout_pre_lin,
            dropout_output=dropout_output,
        )
        self.rank = check_positive_int(rank, "rank", "MUTAN")
        self.normalize, self.eps = normalize, eps
        self.activation = activation
        self._act = activation_function(activation, "MUTAN")
        n = 1 if shared else self.n_modalities
        self.merges = nn.ModuleList(nn.Linear(mm_dim, mm_dim * rank) for _ in range(n))

    def merge(self, m: int) -> nn.Linear:
        """The stacked merge projections of modality ``m``: ``(batch, mm_dim) -> (batch, R mm_dim)``."""
        return self.merges[0 if self.shared else m]  # type: ignore[return-value]

    def fuse(self, *inputs: Tensor) -> Tensor:
        xs = self.project(inputs)
        if self._act is not None:
            xs = [self._act(x) for x in xs]  # the papers' tanh on each projection
        merges = self.cached("merges", self._linear_weights, "merges")
        h = None
        for m, x in enumerate(xs):
            weight, bias = merges[0 if self.shared else m]
            hm = F.linear(x, weight, bias)  # (batch, R mm_dim)
            h = hm if h is None else h * hm
        assert h is not None  # at least two modalities
        z = h.view(h.shape[0], self.rank, self.mm_dim).sum(dim=1)  # (batch, R, mm_dim) -> (batch, mm_dim)
        if self.normalize:
            z = power_normalize(z, self.eps)
        return self.finish(z)


# name of mmlearn 0.1, kept for one release
Mutan = MUTAN
