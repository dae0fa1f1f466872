"""Attention and gating (chapter 4): weights over modalities, gates per feature, attention layers.

Vector fusions take ``M`` tensors ``x_m`` of shape ``(batch, d_m)``; the cross-modal transformer
layer takes two sequences ``(batch, length_m, d_m)``. Every module returns ``(fused, weights)``:
``fused`` is ``(batch, output_dim)``; ``weights`` are the attention weights or gates it computed,
so that figures draw what the model used instead of recomputing it.

Masks are boolean tensors, ``True`` where an element is present and ``False`` where it is
missing (padding, a dropped modality); every row must keep at least one ``True``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn

from .base import Fusion, check_positive_int, stack_modalities
from .registry import register


def check_mask(owner: str, name: str, mask: Tensor | None, like: Tensor, length: int) -> Tensor | None:
    """Validate a presence mask of shape ``(batch, length)`` against the tensor ``like``.

    Returns the mask (``None`` stays ``None``). Raises a ``TypeError`` for a non-boolean mask and a
    ``ValueError`` naming ``name`` for a wrong shape, another device, or a row with no ``True``
    (a softmax over an empty set is undefined).
    """
    if mask is None:
        return None
    if not isinstance(mask, Tensor) or mask.dtype != torch.bool:
        kind = mask.dtype if isinstance(mask, Tensor) else type(mask).__name__
        raise TypeError(f"{owner}: {name} must be a bool tensor (True = present), got {kind}")
    expected = (like.shape[0], length)
    if tuple(mask.shape) != expected:
        raise ValueError(
            f"{owner}: {name} must have shape (batch, length) = {expected}, got {tuple(mask.shape)}"
        )
    if mask.device != like.device:
        raise ValueError(f"{owner}: {name} is on {mask.device} but the inputs are on {like.device}")
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


def scaled_dot_product_attention(
    query: Tensor, key: Tensor, value: Tensor, mask: Tensor | None = None
) -> tuple[Tensor, Tensor]:
    r"""``A = softmax(Q K^T / sqrt(d_k))`` row-wise and ``A V``, with a key mask.

    Shapes: ``query (..., L_q, d_k)``, ``key (..., L_k, d_k)``, ``value (..., L_k, d_v)``;
    ``mask`` broadcasts to ``(..., L_q, L_k)`` (``True`` = the key may be attended to).
    Returns ``(A V, A)`` with shapes ``(..., L_q, d_v)`` and ``(..., L_q, L_k)``; every row of
    ``A`` sums to one over the unmasked keys. Dividing by ``sqrt(d_k)`` keeps the variance of a
    score at 1 when the entries of ``q`` and ``k`` are independent with unit variance.
    """
    scores = query @ key.transpose(-2, -1) / math.sqrt(query.shape[-1])
    weights = masked_softmax(scores, mask, dim=-1)
    return weights @ value, weights


class ModalityProjections(nn.Module):
    """``W_m x_m + b_m`` for each modality, stacked to ``(batch, M, out)``."""

    def __init__(self, input_dims: Sequence[int], out: int) -> None:
        super().__init__()
        self.linears = nn.ModuleList(nn.Linear(d, out) for d in input_dims)

    def forward(self, inputs: Sequence[Tensor]) -> Tensor:
        return stack_modalities([lin(x) for lin, x in zip(self.linears, inputs, strict=True)])


class AdditiveScore(nn.Module):
    """Additive (Bahdanau) score ``s = w^T tanh(U h + b)``: ``(..., dim) -> (...)``."""

    def __init__(self, dim: int, hidden_dim: int) -> None:
        super().__init__()
        self.hidden = nn.Linear(dim, hidden_dim)
        self.w = nn.Linear(hidden_dim, 1, bias=False)

    def forward(self, h: Tensor) -> Tensor:
        return self.w(torch.tanh(self.hidden(h))).squeeze(-1)


@register("attention_pool")
class AttentionPooling(Fusion):
    r"""Attention pooling over modalities with per-sample weights.

    .. math::
        h_m = W_m x_m + b_m,\quad s_m = w^\top \tanh(U h_m + c),\quad
        \alpha = \mathrm{softmax}_m(s),\quad z = \textstyle\sum_m \alpha_m h_m .

    Shapes: ``x_m (batch, d_m)``; ``W_m (output_dim, d_m)``; ``U (hidden_dim, output_dim)``;
    ``w (hidden_dim,)``. Returns ``(z, alpha)`` with ``z (batch, output_dim)`` and
    ``alpha (batch, M)``. ``mask (batch, M)`` (``True`` = modality present) drops missing
    modalities from the softmax. With ``w = 0`` the weights are uniform and the module equals
    average pooling of the projections.
    """

    example_hyper = {"hidden_dim": 4}

    def __init__(self, input_dims: Sequence[int], output_dim: int, hidden_dim: int = 32) -> None:
        super().__init__(input_dims, output_dim)
        check_positive_int("AttentionPooling", "hidden_dim", hidden_dim)
        self.project = ModalityProjections(self.input_dims, output_dim)
        self.score = AdditiveScore(output_dim, hidden_dim)

    def fuse(self, *inputs: Tensor, mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        mask = check_mask("AttentionPooling", "mask", mask, inputs[0], self.n_modalities)
        h = self.project(inputs)  # (batch, M, output_dim)
        alpha = masked_softmax(self.score(h), mask, dim=1)  # (batch, M)
        return torch.einsum("bm,bmo->bo", alpha, h), alpha


@register("gmu")
class GatedMultimodalUnit(Fusion):
    r"""Gated multimodal unit (Arevalo et al., 2017), for ``M >= 2`` modalities.

    .. math::
        h_m = \tanh(W_m x_m),\quad g = \mathrm{softmax}_m\big(G_m [x_1;\dots;x_M]\big),\quad
        z = \textstyle\sum_m g_m \odot h_m .

    The softmax runs over modalities, separately for every output unit, so
    ``g (batch, M, output_dim)`` lies in ``(0, 1)`` and sums to one over ``m``: each unit of
    ``z`` is a convex mix of the modalities' ``tanh`` features, hence ``|z_j| < 1``. For two
    modalities ``g_1 = sigmoid(a_1 - a_2)`` and ``g_2 = 1 - g_1``: the original two-input GMU.
    Returns ``(z, g)``; ``z`` is ``(batch, output_dim)``.
    """

    example_hyper = {}

    def __init__(self, input_dims: Sequence[int], output_dim: int) -> None:
        super().__init__(input_dims, output_dim)
        self.hidden = nn.ModuleList(nn.Linear(d, output_dim, bias=False) for d in self.input_dims)
        self.gate = nn.Linear(sum(self.input_dims), self.n_modalities * output_dim)

    def fuse(self, *inputs: Tensor) -> tuple[Tensor, Tensor]:
        h = stack_modalities([torch.tanh(lin(x)) for lin, x in zip(self.hidden, inputs, strict=True)])
        logits = self.gate(torch.cat(inputs, dim=-1)).view(-1, self.n_modalities, self.output_dim)
        g = logits.softmax(dim=1)  # (batch, M, output_dim)
        return (g * h).sum(dim=1), g


@register("gated_sum")
class GatedFusion(Fusion):
    r"""Gated fusion: independent sigmoid gates filter each modality before the sum.

    .. math::
        h_m = W_m x_m + b_m,\quad g_m = \sigma\big(G_m [x_1;\dots;x_M] + c_m\big),\quad
        z = \textstyle\sum_m g_m \odot h_m .

    Unlike the GMU, the gates ``g (batch, M, output_dim)`` do not sum to one over modalities:
    a unit may keep both modalities or neither. Returns ``(z, g)``.
    """

    example_hyper = {}

    def __init__(self, input_dims: Sequence[int], output_dim: int) -> None:
        super().__init__(input_dims, output_dim)
        self.project = ModalityProjections(self.input_dims, output_dim)
        self.gate = nn.Linear(sum(self.input_dims), self.n_modalities * output_dim)

    def fuse(self, *inputs: Tensor) -> tuple[Tensor, Tensor]:
        h = self.project(inputs)
        g = torch.sigmoid(self.gate(torch.cat(inputs, dim=-1))).view_as(h)
        return (g * h).sum(dim=1), g


class MultiHeadAttention(nn.Module):
    r"""Multi-head attention that also returns its weights.

    ``Q = X_q W_Q``, ``K = X_k W_K``, ``V = X_k W_V`` split into ``heads`` heads of size
    ``dim / heads``; each head runs :func:`scaled_dot_product_attention`; the heads are
    concatenated and mapped by ``W_O``. Shapes: ``x_q (batch, L_q, dim)``,
    ``x_kv (batch, L_k, dim)``, ``key_mask (batch, L_k)``; returns ``(batch, L_q, dim)`` and
    weights ``(batch, heads, L_q, L_k)``.
    """

    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        if dim % heads:
            raise ValueError(f"MultiHeadAttention: heads ({heads}) must divide the model dim ({dim})")
        self.heads = heads
        self.q, self.k, self.v, self.o = (nn.Linear(dim, dim) for _ in range(4))

    def _split(self, x: Tensor) -> Tensor:
        b, n, d = x.shape
        return x.view(b, n, self.heads, d // self.heads).transpose(1, 2)

    def forward(self, x_q: Tensor, x_kv: Tensor, key_mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        mask = None if key_mask is None else key_mask[:, None, None, :]
        out, weights = scaled_dot_product_attention(
            self._split(self.q(x_q)), self._split(self.k(x_kv)), self._split(self.v(x_kv)), mask
        )
        b, _, n, _ = out.shape
        return self.o(out.transpose(1, 2).reshape(b, n, -1)), weights


class TransformerBlock(nn.Module):
    r"""Post-norm transformer block with cross-attention:

    ``y = LN(x_q + MHA(x_q, x_kv))`` then ``out = LN(y + FFN(y))`` with
    ``FFN = Linear(dim, ff_dim) -> ReLU -> Linear(ff_dim, dim)``. Self-attention is the case
    ``x_kv = x_q``. Shapes as in :class:`MultiHeadAttention`.
    """

    def __init__(self, dim: int, heads: int, ff_dim: int) -> None:
        super().__init__()
        self.attention = MultiHeadAttention(dim, heads)
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.ffn = nn.Sequential(nn.Linear(dim, ff_dim), nn.ReLU(), nn.Linear(ff_dim, dim))

    def forward(self, x_q: Tensor, x_kv: Tensor, key_mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        attended, weights = self.attention(x_q, x_kv, key_mask)
        y = self.norm1(x_q + attended)
        return self.norm2(y + self.ffn(y)), weights


def masked_mean(x: Tensor, mask: Tensor | None) -> Tensor:
    """Mean of ``x (batch, L, d)`` over the positions where ``mask (batch, L)`` is True."""
    if mask is None:
        return x.mean(dim=1)
    w = mask.to(x.dtype).unsqueeze(-1)
    return (x * w).sum(dim=1) / w.sum(dim=1)


@register("modality_self_attention")
class ModalitySelfAttention(Fusion):
    r"""Self-attention over modality tokens, then mean pooling.

    Every modality becomes a token ``t_m = W_m x_m + b_m + e_m`` (``e_m`` a learned modality
    embedding, so that attention can tell the tokens apart), the ``M`` tokens
    ``T (batch, M, output_dim)`` go through one :class:`TransformerBlock` with ``T`` as queries,
    keys and values, and ``z`` is the mean of the updated tokens. Returns ``(z, A)`` with
    ``A (batch, heads, M, M)``: row ``m`` says which modalities token ``m`` read.
    ``mask (batch, M)`` hides missing modalities from the keys and from the final mean.
    """

    example_hyper = {"heads": 1, "ff_dim": 8}

    def __init__(self, input_dims: Sequence[int], output_dim: int, heads: int = 2, ff_dim: int = 64) -> None:
        super().__init__(input_dims, output_dim)
        check_positive_int("ModalitySelfAttention", "heads", heads)
        check_positive_int("ModalitySelfAttention", "ff_dim", ff_dim)
        if output_dim % heads:
            raise ValueError(f"ModalitySelfAttention: heads ({heads}) must divide output_dim ({output_dim})")
        self.project = ModalityProjections(self.input_dims, output_dim)
        self.modality_embedding = nn.Parameter(torch.randn(self.n_modalities, output_dim) * 0.02)
        self.block = TransformerBlock(output_dim, heads, ff_dim)

    def fuse(self, *inputs: Tensor, mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        mask = check_mask("ModalitySelfAttention", "mask", mask, inputs[0], self.n_modalities)
        tokens = self.project(inputs) + self.modality_embedding
        out, weights = self.block(tokens, tokens, mask)
        return masked_mean(out, mask), weights


@register("cross_modal_transformer")
class CrossModalTransformer(Fusion):
    r"""A cross-modal transformer layer: queries from modality 0, keys and values from modality 1.

    Inputs are sequences: ``x_q (batch, L_q, d_0)`` (e.g. question words) and
    ``x_kv (batch, L_k, d_1)`` (e.g. image regions). Both are projected to
    ``output_dim``, then ``Y = LN(Q + MHA(Q, K))``, ``H = LN(Y + FFN(Y))``: every query position
    gathers what it needs from the other modality (Tsai et al., 2019). ``z`` is the mean of
    ``H (batch, L_q, output_dim)`` over the present query positions. Returns ``(z, A)`` with
    ``A (batch, heads, L_q, L_k)`` summing to one over the present keys.

    Optional masks: ``query_mask (batch, L_q)`` and ``key_mask (batch, L_k)``.
    """

    input_ndim = 3
    min_modalities = max_modalities = 2
    example_hyper = {"heads": 1, "ff_dim": 8}

    def __init__(self, input_dims: Sequence[int], output_dim: int, heads: int = 2, ff_dim: int = 64) -> None:
        super().__init__(input_dims, output_dim)
        check_positive_int("CrossModalTransformer", "heads", heads)
        check_positive_int("CrossModalTransformer", "ff_dim", ff_dim)
        if output_dim % heads:
            raise ValueError(f"CrossModalTransformer: heads ({heads}) must divide output_dim ({output_dim})")
        self.project_q = nn.Linear(self.input_dims[0], output_dim)
        self.project_kv = nn.Linear(self.input_dims[1], output_dim)
        self.block = TransformerBlock(output_dim, heads, ff_dim)

    def fuse(
        self, x_q: Tensor, x_kv: Tensor, query_mask: Tensor | None = None, key_mask: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        query_mask = check_mask("CrossModalTransformer", "query_mask", query_mask, x_q, x_q.shape[1])
        key_mask = check_mask("CrossModalTransformer", "key_mask", key_mask, x_kv, x_kv.shape[1])
        h, weights = self.block(self.project_q(x_q), self.project_kv(x_kv), key_mask)
        return masked_mean(h, query_mask), weights
