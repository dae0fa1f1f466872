"""Fusions of sequences (chapters 4 and 5): cross-modal transformer layer, BiRNN dual attention.

Inputs are sequences ``(batch, length_m, d_m)``; lengths may differ between modalities. Masks
are ``(batch, length_m)`` bool tensors, ``True`` where a position is present.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .._validation import check_positive_int
from ..nn.attention import GuidedAttention, TransformerBlock
from ..nn.masking import masked_mean
from .base import Fusion, FusionOutput
from .registry import register


@register
class CrossModalTransformer(Fusion):
    r"""A cross-modal transformer layer: queries from modality 0, keys and values from modality 1.

    Inputs are sequences: ``x_q (batch, L_q, d_0)`` (e.g. question words) and
    ``x_kv (batch, L_k, d_1)`` (e.g. image regions). Both are projected to
    ``output_dim``, then ``Y = LN(Q + MHA(Q, K))``, ``H = LN(Y + FFN(Y))``: every query position
    gathers what it needs from the other modality (Tsai et al., 2019). ``z`` is the mean of
    ``H (batch, L_q, output_dim)`` over the present query positions. Weights:
    ``{"cross_attention": A (batch, heads, L_q, L_k)}``, summing to one over the present keys.
    Masks: ``[query_mask (batch, L_q), key_mask (batch, L_k)]``, either may be ``None``.
    """

    input_ndim = 3
    min_modalities = max_modalities = 2
    supports_masks = True
    weight_names = ("cross_attention",)
    test_hyper = {"heads": 1, "ff_dim": 8}

    def __init__(self, input_dims: Sequence[int], output_dim: int, heads: int = 2, ff_dim: int = 64) -> None:
        super().__init__(input_dims, output_dim)
        check_positive_int(heads, "heads", "CrossModalTransformer")
        check_positive_int(ff_dim, "ff_dim", "CrossModalTransformer")
        if output_dim % heads:
            raise ValueError(f"CrossModalTransformer: heads ({heads}) must divide output_dim ({output_dim})")
        self.project_q = nn.Linear(self.input_dims[0], output_dim)
        self.project_kv = nn.Linear(self.input_dims[1], output_dim)
        self.block = TransformerBlock(output_dim, heads, ff_dim)

    def fuse(self, x_q: Tensor, x_kv: Tensor, masks: Sequence[Tensor | None] | None = None) -> FusionOutput:
        query_mask, key_mask = masks if masks is not None else (None, None)
        h, weights = self.block(self.project_q(x_q), self.project_kv(x_kv), key_mask)  # (b, L_q, o)
        return FusionOutput(masked_mean(h, query_mask), {"cross_attention": weights})


def _lengths_of_prefix_mask(owner: str, name: str, mask: Tensor) -> Tensor:
    """Lengths of a mask that is True on a prefix of every row; a ValueError otherwise."""
    lengths = mask.sum(dim=1)
    prefix = torch.arange(mask.shape[1], device=mask.device) < lengths.unsqueeze(1)
    if not torch.equal(prefix, mask):
        raise ValueError(
            f"{owner}: {name} must mark a prefix of each sequence (present steps first, padding "
            "after) so that the backward RNN starts at the last real step"
        )
    return lengths


@register
class BiRNNDualAttention(Fusion):
    r"""A bidirectional GRU per modality, then dual-modality attention over each sequence.

    Every modality ``m`` is a sequence ``x_m (batch, L_m, d_m)``; the lengths may differ (for
    instance image regions, frames sampled at 8 Hz and frames sampled at 2 Hz). A BiGRU with
    ``hidden_dim`` units per direction gives states ``S_m (batch, L_m, 2 hidden_dim)`` and a
    summary ``p^{(0)}_m = mean_t S_{m,t}``. Each modality is then attended *under the guidance
    of the others*, in ``rounds`` rounds, each round guided by the previous round's results:

    .. math::
        c^{(r)}_m = \mathrm{mean}_{n \ne m}\, p^{(r-1)}_n,\quad
        \alpha^{(r)}_{m,t} = \mathrm{softmax}_t\big(w_{rm}^\top
            \tanh(A_{rm} S_{m,t} + B_{rm} c^{(r)}_m)\big),\quad
        p^{(r)}_m = \textstyle\sum_t \alpha^{(r)}_{m,t} S_{m,t},

    and ``z = W_o [p^{(R)}_1; \dots; p^{(R)}_M] + b_o``. One round lets a modality use what the
    others contain on average; a second lets it use what the others *attended to* (the frames
    at the time of an event, say, to pick the image region seen at that time).

    *Book construction (not from a paper)*: the BiRNN encoders and dual attention follow the
    DTL-style description, the round structure is this book's.
    Weights: ``{"modality_0": alpha_1 (batch, L_1), ..., "modality_<M-1>": alpha_M (batch, L_M)}``,
    the weights of the last round. Masks: one ``(batch, L_m)`` mask (or ``None``) per modality; a
    mask must mark a prefix (padding at the end), and the BiGRU then skips the padding.
    """

    input_ndim = 3
    supports_masks = True
    weight_names = ("modality_<m>",)
    test_hyper = {"hidden_dim": 3, "attention_dim": 4, "rounds": 2}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        hidden_dim: int = 32,
        attention_dim: int = 32,
        rounds: int = 2,
    ) -> None:
        super().__init__(input_dims, output_dim)
        check_positive_int(hidden_dim, "hidden_dim", "BiRNNDualAttention")
        check_positive_int(attention_dim, "attention_dim", "BiRNNDualAttention")
        check_positive_int(rounds, "rounds", "BiRNNDualAttention")
        state = 2 * hidden_dim
        self.rnns = nn.ModuleList(
            nn.GRU(d, hidden_dim, batch_first=True, bidirectional=True) for d in self.input_dims
        )
        self.attention = nn.ModuleList(
            nn.ModuleList(GuidedAttention(state, attention_dim) for _ in self.input_dims)
            for _ in range(rounds)
        )
        self.out = nn.Linear(self.n_modalities * state, output_dim)

    def _encode(self, rnn: nn.GRU, x: Tensor, lengths: Tensor | None) -> Tensor:
        if lengths is None:
            return rnn(x)[0]
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        return pad_packed_sequence(rnn(packed)[0], batch_first=True, total_length=x.shape[1])[0]

    def fuse(self, *inputs: Tensor, masks: Sequence[Tensor | None] | None = None) -> FusionOutput:
        name = type(self).__name__
        checked = list(masks) if masks is not None else [None] * self.n_modalities
        states, summaries = [], []
        for i, (rnn, x, m) in enumerate(zip(self.rnns, inputs, checked, strict=True)):
            lengths = None if m is None else _lengths_of_prefix_mask(name, f"masks[{i}]", m)
            s = self._encode(cast(nn.GRU, rnn), x, lengths)
            states.append(s)
            summaries.append(masked_mean(s, m))
        pooled, weights = summaries, cast(list[Tensor], [])
        for round_attention in self.attention:
            total = torch.stack(pooled, 0).sum(0)  # (batch, 2 hidden_dim)
            new, weights = [], []
            layers = cast(nn.ModuleList, round_attention)
            for att, s, previous, m in zip(layers, states, pooled, checked, strict=True):
                p, alpha = att(s, (total - previous) / (self.n_modalities - 1), m)
                new.append(p)
                weights.append(alpha)
            pooled = new
        fused = self.out(torch.cat(pooled, dim=-1))  # (batch, M 2 hidden_dim) -> (batch, output_dim)
        return FusionOutput(fused, {f"modality_{m}": w for m, w in enumerate(weights)})
