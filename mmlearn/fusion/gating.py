"""Gates (chapter 4): per-feature gates that decide how much of each modality passes.

Vector fusions: ``M`` tensors ``x_m (batch, d_m)`` in, ``(batch, output_dim)`` out;
``return_weights=True`` adds ``{"gates": ...}``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from .._validation import check_positive_int
from ..nn.masking import masked_softmax
from ..nn.mlp import MLP
from ..nn.projections import ModalityProjections
from .base import Fusion, FusionOutput, stack_masks, zero_masked
from .registry import register


@register
class GMU(Fusion):
    r"""Gated multimodal unit (Arevalo et al., 2017), for ``M >= 2`` modalities.

    .. math::
        h_m = \tanh(W_m x_m),\quad g = \mathrm{softmax}_m\big(G_m [x_1;\dots;x_M]\big),\quad
        z = \textstyle\sum_m g_m \odot h_m .

    The softmax runs over modalities, separately for every output unit, so
    ``g (batch, M, output_dim)`` lies in ``(0, 1)`` and sums to one over ``m``: each unit of
    ``z`` is a convex mix of the modalities' ``tanh`` features, hence ``|z_j| < 1``. For two
    modalities ``g_1 = sigmoid(a_1 - a_2)`` and ``g_2 = 1 - g_1``: the original two-input GMU.
    Weights: ``{"gates": g (batch, M, output_dim)}``. A masked modality gets gate 0, and its
    features are zeroed before the gates read them.
    """

    supports_masks = True
    weight_names = ("gates",)

    def __init__(self, input_dims: Sequence[int], output_dim: int) -> None:
        super().__init__(input_dims, output_dim)
        self.hidden = nn.ModuleList(nn.Linear(d, output_dim, bias=False) for d in self.input_dims)
        self.gate = nn.Linear(sum(self.input_dims), self.n_modalities * output_dim)

    def fuse(self, *inputs: Tensor, masks: Sequence[Tensor | None] | None = None) -> FusionOutput:
        inputs = tuple(zero_masked(inputs, masks))
        h = torch.stack([torch.tanh(lin(x)) for lin, x in zip(self.hidden, inputs, strict=True)], dim=1)
        logits = self.gate(torch.cat(inputs, dim=-1)).view(-1, self.n_modalities, self.output_dim)
        mask = stack_masks(masks, inputs[0])
        g = masked_softmax(logits, None if mask is None else mask.unsqueeze(-1), dim=1)  # (batch, M, o)
        return FusionOutput((g * h).sum(dim=1), {"gates": g})


@register
class GatedSum(Fusion):
    r"""Gated sum: independent sigmoid gates filter each modality before the sum.

    .. math::
        h_m = W_m x_m + b_m,\quad g_m = \sigma\big(G_m [x_1;\dots;x_M] + c_m\big),\quad
        z = \textstyle\sum_m g_m \odot h_m .

    Unlike the GMU, the gates ``g (batch, M, output_dim)`` do not sum to one over modalities:
    a unit may keep both modalities or neither. Weights: ``{"gates": g}``. A masked modality
    gets gate 0.
    """

    supports_masks = True
    weight_names = ("gates",)

    def __init__(self, input_dims: Sequence[int], output_dim: int) -> None:
        super().__init__(input_dims, output_dim)
        self.project = ModalityProjections(self.input_dims, output_dim)
        self.gate = nn.Linear(sum(self.input_dims), self.n_modalities * output_dim)

    def fuse(self, *inputs: Tensor, masks: Sequence[Tensor | None] | None = None) -> FusionOutput:
        inputs = tuple(zero_masked(inputs, masks))
        h = self.project(inputs)  # (batch, M, output_dim)
        g = torch.sigmoid(self.gate(torch.cat(inputs, dim=-1))).view_as(h)
        mask = stack_masks(masks, inputs[0])
        if mask is not None:
            g = g * mask.unsqueeze(-1)
        return FusionOutput((g * h).sum(dim=1), {"gates": g})


@register
class TwoTowerGate(Fusion):
    r"""Two towers joined by an interaction module made of a gate and a residual block.

    *Book construction (not from a paper)*, assembled from the two-tower and gating ideas.
    Each modality has its own tower ``t_m = MLP_m(x_m)`` (``d_m -> hidden_dim -> output_dim``).
    The interaction module mixes them per feature and adds a learned correction:

    .. math::
        g = \sigma(W_g [t_1; t_2] + b_g),\quad
        z = \underbrace{g \odot t_1 + (1 - g) \odot t_2}_{\text{gated skip path}}
            + F([t_1; t_2]),

    with ``F = Linear(2 output_dim, hidden_dim) -> ReLU -> Linear(hidden_dim, output_dim)``.
    If ``F`` outputs zero, ``z`` is the gated mixture (the identity path of a residual block).
    Weights: ``{"gates": g (batch, output_dim)}``.
    """

    min_modalities = max_modalities = 2
    weight_names = ("gates",)
    test_hyper = {"hidden_dim": 4}

    def __init__(self, input_dims: Sequence[int], output_dim: int, hidden_dim: int = 32) -> None:
        super().__init__(input_dims, output_dim)
        check_positive_int(hidden_dim, "hidden_dim", type(self).__name__)
        self.towers = nn.ModuleList(MLP(d, [hidden_dim], output_dim) for d in self.input_dims)
        self.gate = nn.Linear(2 * output_dim, output_dim)
        self.residual = MLP(2 * output_dim, [hidden_dim], output_dim)

    def fuse(self, x1: Tensor, x2: Tensor) -> FusionOutput:
        t1, t2 = self.towers[0](x1), self.towers[1](x2)
        both = torch.cat([t1, t2], dim=-1)  # (batch, 2 output_dim)
        g = torch.sigmoid(self.gate(both))
        return FusionOutput(g * t1 + (1 - g) * t2 + self.residual(both), {"gates": g})
