"""Attention layers every attention fusion shares: scaled dot-product and multi-head attention,
a transformer block, additive (Bahdanau) scores, and one guided attention step.

Masks are boolean, ``True`` where an element is present (see :mod:`mmlearn.nn.masking`).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from .masking import masked_softmax


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


class AdditiveScore(nn.Module):
    """Additive (Bahdanau) score ``s = w^T tanh(U h + b)``: ``(..., dim) -> (...)``."""

    def __init__(self, dim: int, hidden_dim: int) -> None:
        super().__init__()
        self.hidden = nn.Linear(dim, hidden_dim)
        self.w = nn.Linear(hidden_dim, 1, bias=False)

    def forward(self, h: Tensor) -> Tensor:
        return self.w(torch.tanh(self.hidden(h))).squeeze(-1)


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
        return x.view(b, n, self.heads, d // self.heads).transpose(1, 2)  # (b, heads, n, d / heads)

    def forward(self, x_q: Tensor, x_kv: Tensor, key_mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        mask = None if key_mask is None else key_mask[:, None, None, :]
        out, weights = scaled_dot_product_attention(
            self._split(self.q(x_q)), self._split(self.k(x_kv)), self._split(self.v(x_kv)), mask
        )
        b, _, n, _ = out.shape  # out: (b, heads, L_q, d / heads)
        return self.o(out.transpose(1, 2).reshape(b, n, -1)), weights  # (b, L_q, d)


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


class GuidedAttention(nn.Module):
    r"""One attention step over a sequence guided by a vector (one hop of stacked attention).

    .. math::
        H = \tanh(X W_x + \mathbf 1 (g W_g + b)^\top),\quad p = \mathrm{softmax}(H w),\quad
        \hat x = \textstyle\sum_i p_i x_i .

    Shapes: ``x (batch, L, dim)``, ``guide (batch, dim)`` (or ``None``: no guide), ``mask
    (batch, L)``; ``W_x, W_g (dim, hidden_dim)``, ``w (hidden_dim,)``. Returns
    ``(x_hat (batch, dim), p (batch, L))``. With ``learn_scale=True`` the scores are multiplied
    by ``exp(tau)``, ``tau`` a learned scalar starting at 0: the ``tanh`` bounds a score by
    ``||w||_1``, and a log-scale lets the softmax sharpen quickly when it must pick one element
    among close competitors.
    """

    def __init__(self, dim: int, hidden_dim: int, learn_scale: bool = False) -> None:
        super().__init__()
        self.x_proj = nn.Linear(dim, hidden_dim, bias=False)
        self.g_proj = nn.Linear(dim, hidden_dim)
        self.w = nn.Linear(hidden_dim, 1, bias=False)
        self.log_scale = nn.Parameter(torch.zeros(())) if learn_scale else None

    def forward(self, x: Tensor, guide: Tensor | None, mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        pre = self.x_proj(x)
        if guide is not None:
            pre = pre + self.g_proj(guide).unsqueeze(1)
        else:
            pre = pre + self.g_proj.bias
        scores = self.w(torch.tanh(pre)).squeeze(-1)
        if self.log_scale is not None:
            scores = scores * self.log_scale.exp()
        p = masked_softmax(scores, mask, dim=1)
        return torch.einsum("bl,bld->bd", p, x), p
