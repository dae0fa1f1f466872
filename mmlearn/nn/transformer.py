"""Pre-norm transformer layers shared by the multimodal transformers of Part V.

Three layers, each with a residual path that the input passes through unchanged:

* :class:`PreNormSelfAttention`: ``x <- x + MHA(LN(x), LN(x))``, ``x <- x + FFN(LN(x))``;
* :class:`PreNormCrossAttention`: ``x <- x + MHA(LN(x), LN(c))``, ``x <- x + FFN(LN(x))`` (queries
  from ``x``, keys and values from a context ``c``);
* :class:`GatedCrossAttentionBlock`: the Flamingo block, the cross-attention layer with both residual
  branches multiplied by ``tanh(alpha)``, ``alpha`` a learned scalar that starts at 0 so that the
  layer is the identity at initialisation.

Pre-norm (the layer norm inside the residual branch, Xiong et al. 2020) keeps an identity path
from input to output, which the gated layer needs: with its gates at zero it returns ``x`` exactly.
The post-norm :class:`~mmlearn.nn.attention.TransformerBlock` of chapter 4 cannot (its last layer
norm acts on the sum). Shapes: ``x (batch, L_q, dim)``, ``c (batch, L_k, dim)``, key masks
``(batch, L_k)`` bool (``True`` = present); attention weights ``(batch, heads, L_q, L_k)``.
The feed-forward network is ``Linear(dim, ff_dim) -> GELU -> Linear(ff_dim, dim)``.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .attention import MultiHeadAttention


def _feed_forward(dim: int, ff_dim: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(dim, ff_dim), nn.GELU(), nn.Linear(ff_dim, dim))


class PreNormSelfAttention(nn.Module):
    r"""Pre-norm self-attention layer: ``y = x + MHA(LN_1 x, LN_1 x)``, ``out = y + FFN(LN_2 y)``.

    Shapes: ``x (batch, L, dim)``, ``mask (batch, L)`` (masked positions are never attended to;
    their own outputs are computed but meaningless). Returns ``(out (batch, L, dim),
    A (batch, heads, L, L))``. Parameters: ``4 dim^2 + 4 dim`` (attention) ``+ 2 dim ff_dim + ff_dim
    + dim`` (FFN) ``+ 4 dim`` (two layer norms).
    """

    def __init__(self, dim: int, heads: int, ff_dim: int) -> None:
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attention = MultiHeadAttention(dim, heads)
        self.ffn = _feed_forward(dim, ff_dim)

    def forward(self, x: Tensor, mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        h = self.norm1(x)
        attended, weights = self.attention(h, h, mask)
        y = x + attended
        return y + self.ffn(self.norm2(y)), weights


class PreNormCrossAttention(nn.Module):
    r"""Pre-norm cross-attention layer: ``y = x + MHA(LN_q x, LN_c c)``, ``out = y + FFN(LN_2 y)``.

    Queries come from ``x (batch, L_q, dim)``, keys and values from the context
    ``c (batch, L_k, dim)``; ``key_mask (batch, L_k)``. Returns ``(out (batch, L_q, dim),
    A (batch, heads, L_q, L_k))``; every row of ``A`` sums to one over the present keys.
    """

    def __init__(self, dim: int, heads: int, ff_dim: int) -> None:
        super().__init__()
        self.norm_q, self.norm_c, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attention = MultiHeadAttention(dim, heads)
        self.ffn = _feed_forward(dim, ff_dim)

    def forward(self, x: Tensor, context: Tensor, key_mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        attended, weights = self.attention(self.norm_q(x), self.norm_c(context), key_mask)
        y = x + attended
        return y + self.ffn(self.norm2(y)), weights


class GatedCrossAttentionBlock(nn.Module):
    r"""Gated cross-attention dense block (Flamingo, Alayrac et al. 2022).

    .. math::
        y = x + \tanh(\alpha_a)\, \mathrm{MHA}(\mathrm{LN}_q x, \mathrm{LN}_c c),\qquad
        \mathrm{out} = y + \tanh(\alpha_f)\, \mathrm{FFN}(\mathrm{LN}_2 y),

    with scalars ``alpha_a``, ``alpha_f`` initialised at ``gate_init`` (0 in the paper): at 0 the
    block returns ``x`` **exactly**, whatever ``c`` holds, so inserting it into a frozen network
    leaves that network's output unchanged at the start of training. The gradient with respect
    to ``alpha`` is not zero there (``d tanh(alpha)/d alpha = 1`` at 0), so the gates open as
    training needs them. Shapes as in :class:`PreNormCrossAttention`.
    """

    def __init__(self, dim: int, heads: int, ff_dim: int, gate_init: float = 0.0) -> None:
        super().__init__()
        self.norm_q, self.norm_c, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attention = MultiHeadAttention(dim, heads)
        self.ffn = _feed_forward(dim, ff_dim)
        self.alpha_attention = nn.Parameter(torch.full((), float(gate_init)))
        self.alpha_ffn = nn.Parameter(torch.full((), float(gate_init)))

    def forward(self, x: Tensor, context: Tensor, key_mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        attended, weights = self.attention(self.norm_q(x), self.norm_c(context), key_mask)
        y = x + torch.tanh(self.alpha_attention) * attended
        return y + torch.tanh(self.alpha_ffn) * self.ffn(self.norm2(y)), weights
