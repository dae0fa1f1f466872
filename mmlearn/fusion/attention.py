"""Attention over modalities (chapter 4): per-sample weights, and self-attention between modalities.

Vector fusions: ``M`` tensors ``x_m`` of shape ``(batch, d_m)`` in, ``(batch, output_dim)`` out.
``return_weights=True`` adds the weights the fusion computed, so that figures draw what the model
used instead of recomputing it. ``masks=[m_1, ..., m_M]`` (``m_m`` a bool ``(batch,)`` tensor,
``True`` = present, or ``None``) drops missing modalities from the softmax.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from .._validation import check_positive_int
from ..nn.attention import AdditiveScore, TransformerBlock
from ..nn.masking import masked_mean, masked_softmax
from ..nn.projections import ModalityProjections
from .base import Fusion, FusionOutput, stack_masks
from .registry import register


@register
class AttentionPool(Fusion):
    r"""Attention pooling over modalities with per-sample weights.

    .. math::
        h_m = W_m x_m + b_m,\quad s_m = w^\top \tanh(U h_m + c),\quad
        \alpha = \mathrm{softmax}_m(s),\quad z = \textstyle\sum_m \alpha_m h_m .

    Shapes: ``x_m (batch, d_m)``; ``W_m (output_dim, d_m)``; ``U (hidden_dim, output_dim)``;
    ``w (hidden_dim,)``. Weights: ``{"modalities": alpha (batch, M)}``. Masks drop missing
    modalities from the softmax. With ``w = 0`` the weights are uniform and the module equals
    average pooling of the projections.
    """

    supports_masks = True
    weight_names = ("modalities",)
    test_hyper = {"hidden_dim": 4}

    def __init__(self, input_dims: Sequence[int], output_dim: int, hidden_dim: int = 32) -> None:
        super().__init__(input_dims, output_dim)
        check_positive_int(hidden_dim, "hidden_dim", type(self).__name__)
        self.project = ModalityProjections(self.input_dims, output_dim)
        self.score = AdditiveScore(output_dim, hidden_dim)

    def fuse(self, *inputs: Tensor, masks: Sequence[Tensor | None] | None = None) -> FusionOutput:
        h = self.project(inputs)  # (batch, M, output_dim)
        alpha = masked_softmax(self.score(h), stack_masks(masks, inputs[0]), dim=1)  # (batch, M)
        return FusionOutput(torch.einsum("bm,bmo->bo", alpha, h), {"modalities": alpha})


@register
class ModalitySelfAttention(Fusion):
    r"""Self-attention over modality tokens, then mean pooling.

    Every modality becomes a token ``t_m = W_m x_m + b_m + e_m`` (``e_m`` a learned modality
    embedding, so that attention can tell the tokens apart), the ``M`` tokens
    ``T (batch, M, output_dim)`` go through one :class:`~mmlearn.nn.TransformerBlock` with ``T``
    as queries, keys and values, and ``z`` is the mean of the updated tokens. Weights:
    ``{"self_attention": A (batch, heads, M, M)}``; row ``m`` says which modalities token ``m``
    read. Masks hide missing modalities from the keys and from the final mean.
    """

    supports_masks = True
    weight_names = ("self_attention",)
    test_hyper = {"heads": 1, "ff_dim": 8}

    def __init__(self, input_dims: Sequence[int], output_dim: int, heads: int = 2, ff_dim: int = 64) -> None:
        super().__init__(input_dims, output_dim)
        owner = type(self).__name__
        check_positive_int(heads, "heads", owner)
        check_positive_int(ff_dim, "ff_dim", owner)
        if output_dim % heads:
            raise ValueError(f"{owner}: heads ({heads}) must divide output_dim ({output_dim})")
        self.project = ModalityProjections(self.input_dims, output_dim)
        self.modality_embedding = nn.Parameter(torch.randn(self.n_modalities, output_dim) * 0.02)
        self.block = TransformerBlock(output_dim, heads, ff_dim)

    def fuse(self, *inputs: Tensor, masks: Sequence[Tensor | None] | None = None) -> FusionOutput:
        mask = stack_masks(masks, inputs[0])  # (batch, M) or None
        tokens = self.project(inputs) + self.modality_embedding  # (batch, M, output_dim)
        out, weights = self.block(tokens, tokens, mask)
        return FusionOutput(masked_mean(out, mask), {"self_attention": weights})
