r"""Multimodal transformers (chapter 13): how tokens of different modalities meet.

Inputs are sequences ``x_m (batch, L_m, d_m)`` (lengths may differ); masks are ``(batch, L_m)``
bool tensors, ``True`` where a token is present. Every fusion first maps each modality into a
shared width ``mm_dim`` with its own affine map ``t_m = x_m W_m + b_m`` ``(batch, L_m, mm_dim)``.
The bias ``b_m`` is the learned *modality (segment) embedding* of BERT-style models: a separate
embedding added to the tokens of modality ``m`` would be redundant with it. No positional
encoding is added: inputs carry their own (add it before the fusion when order matters).

The families differ in *which tokens attend to which*, which sets both what can be fused and
the cost of one layer with ``L = sum_m L_m`` tokens of width ``d`` (multiply-adds, attention only):

* ``SingleStreamTransformer``: every token attends to every token: ``2 L^2 d``;
* ``DualStreamTransformer``: each stream attends to the others (co-attention), then to itself:
  ``2 sum_m L_m (L - L_m) d + 2 sum_m L_m^2 d``;
* ``AttentionBottleneck``: each modality attends to itself and ``B`` shared bottleneck tokens:
  ``2 sum_m (L_m + B)^2 d``;
* ``Perceiver``: ``N`` latents attend to all tokens: ``2 N L d`` (plus ``2 N^2 d`` per latent
  self-attention layer, independent of ``L``);
* ``GatedCrossAttention``: modality 0 attends to itself, and to the others through
  ``tanh``-gated cross-attention: ``2 L_0^2 d + 2 L_0 (L - L_0) d``;
* ``QueryResampler``: ``Q`` queries and modality 0 attend jointly to each other, the queries to
  the other modalities: ``2 (Q + L_0)^2 d + 2 Q (L - L_0) d``.

Projections ``Q, K, V, O`` add ``4 d^2`` per token and the FFN ``2 d ff_dim`` per token.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import torch
from torch import Tensor, nn

from .._validation import check_positive_int
from ..nn.masking import masked_mean
from ..nn.transformer import GatedCrossAttentionBlock, PreNormCrossAttention, PreNormSelfAttention
from .base import Fusion, FusionOutput
from .registry import register

Masks = Sequence[Tensor | None] | None


def _check_width(owner: str, mm_dim: int, heads: int, ff_dim: int, n_layers: int) -> None:
    check_positive_int(mm_dim, "mm_dim", owner)
    check_positive_int(heads, "heads", owner)
    check_positive_int(ff_dim, "ff_dim", owner)
    check_positive_int(n_layers, "n_layers", owner)
    if mm_dim % heads:
        raise ValueError(f"{owner}: heads ({heads}) must divide mm_dim ({mm_dim})")


def _learned_tokens(n: int, dim: int) -> nn.Parameter:
    """``n`` learned tokens ``(n, dim)``, initialised like BERT's embeddings (std 0.02)."""
    return nn.Parameter(0.02 * torch.randn(n, dim))


def _full_masks(masks: Masks, tokens: Sequence[Tensor]) -> list[Tensor] | None:
    """One ``(batch, L_m)`` mask per modality (``None`` entries filled with ``True``), or ``None``
    when nothing is masked."""
    if masks is None:
        return None
    return [
        torch.ones(t.shape[:2], dtype=torch.bool, device=t.device) if m is None else m
        for m, t in zip(masks, tokens, strict=True)
    ]


def _cat_masks(masks: Sequence[Tensor] | None) -> Tensor | None:
    return None if masks is None else torch.cat(list(masks), dim=1)


class _TokenFusion(Fusion):
    """Shared parts: the per-modality projections to ``mm_dim`` and the output head
    ``Linear(LN(pooled))``, ``pooled (batch, head_in)``."""

    input_ndim = 3
    supports_masks = True

    def _build_common(self, mm_dim: int, head_in: int, project: Sequence[int] | None = None) -> None:
        self.mm_dim = mm_dim
        dims = self.input_dims if project is None else project
        self.project = nn.ModuleList(nn.Linear(d, mm_dim) for d in dims)
        self.norm = nn.LayerNorm(head_in)
        self.out = nn.Linear(head_in, self.output_dim)

    def _tokens(self, inputs: Sequence[Tensor]) -> list[Tensor]:
        return [lin(x) for lin, x in zip(self.project, inputs, strict=True)]  # (batch, L_m, mm_dim)

    def _head(self, pooled: Tensor) -> Tensor:
        return self.out(self.norm(pooled))  # (batch, head_in) -> (batch, output_dim)


@register
class SingleStreamTransformer(_TokenFusion):
    r"""Single-stream multimodal transformer (VisualBERT, UNITER style): one transformer over the
    concatenated tokens of all modalities.

    .. math::
        T^{(0)} = [\,t_{cls};\ x_1 W_1 + b_1;\ \dots;\ x_M W_M + b_M\,]
        \in \mathbb R^{(1 + L) \times d},\qquad
        T^{(l)} = \mathrm{Layer}_l(T^{(l-1)}),\qquad z = W_o\, \mathrm{LN}(T^{(n)}_{cls}) + b_o,

    with ``L = sum_m L_m``, ``d = mm_dim``, a learned ``[CLS]`` token ``t_cls (mm_dim,)`` and
    ``n_layers`` pre-norm self-attention layers (:class:`~mmlearn.nn.PreNormSelfAttention`). Every
    token may attend to every other, of its own modality or not, from the first layer on: the
    most expressive and the most expensive pattern, ``O((1 + L)^2 d)`` per layer. Any ``M >= 2``.
    Weights: ``{"self_attention": A (batch, heads, 1 + L, 1 + L)}`` of the last layer (row and
    column 0 are the ``[CLS]`` token, then the modalities in order). Masked tokens are never
    attended to.
    """

    weight_names = ("self_attention",)
    test_hyper = {"mm_dim": 4, "heads": 2, "ff_dim": 6, "n_layers": 2}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        mm_dim: int = 32,
        heads: int = 2,
        ff_dim: int = 64,
        n_layers: int = 2,
    ) -> None:
        super().__init__(input_dims, output_dim)
        _check_width(type(self).__name__, mm_dim, heads, ff_dim, n_layers)
        self._build_common(mm_dim, mm_dim)
        self.cls = _learned_tokens(1, mm_dim)
        self.layers = nn.ModuleList(PreNormSelfAttention(mm_dim, heads, ff_dim) for _ in range(n_layers))

    def fuse(self, *inputs: Tensor, masks: Masks = None) -> FusionOutput:
        tokens = self._tokens(inputs)
        batch = inputs[0].shape[0]
        x = torch.cat([self.cls.expand(batch, 1, -1), *tokens], dim=1)  # (batch, 1 + L, mm_dim)
        full = _full_masks(masks, tokens)
        mask = None
        if full is not None:
            mask = torch.cat([torch.ones(batch, 1, dtype=torch.bool, device=x.device), *full], dim=1)
        weights = x.new_empty(0)
        for layer in self.layers:
            x, weights = layer(x, mask)
        return FusionOutput(self._head(x[:, 0]), {"self_attention": weights})


@register
class DualStreamTransformer(_TokenFusion):
    r"""Dual-stream (multi-stream) transformer with co-attention layers (ViLBERT, LXMERT style).

    Each modality keeps its own stream of tokens ``T_m (batch, L_m, d)``. A layer first lets
    every stream attend to the others (co-attention: queries from ``T_m``, keys and values from
    the concatenation ``T_{-m}`` of the other streams, all computed from the previous layer's
    states), then to itself:

    .. math::
        T_m \leftarrow \mathrm{CrossLayer}_m(T_m, T_{-m}),\qquad
        T_m \leftarrow \mathrm{SelfLayer}_m(T_m),\qquad
        z = W_o\, \mathrm{LN}\big[\bar T_1; \dots; \bar T_M\big] + b_o,

    ``bar T_m (batch, d)`` the mean over the present tokens of stream ``m``. For ``M = 2`` this is
    ViLBERT's co-attentional transformer layer (each stream queries the other); for ``M >= 3``
    each stream queries all others at once (this book's extension). Each stream has its own
    weights, so modalities of different nature get different processing, at twice the
    parameters of a single stream.
    Weights: ``{"modality_<m>": A_m (batch, heads, L_m, L - L_m)}``, the co-attention of stream
    ``m`` over the other streams' tokens (in modality order) in the last layer.
    """

    weight_names = ("modality_<m>",)
    test_hyper = {"mm_dim": 4, "heads": 2, "ff_dim": 6, "n_layers": 2}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        mm_dim: int = 32,
        heads: int = 2,
        ff_dim: int = 64,
        n_layers: int = 2,
    ) -> None:
        super().__init__(input_dims, output_dim)
        _check_width(type(self).__name__, mm_dim, heads, ff_dim, n_layers)
        self._build_common(mm_dim, self.n_modalities * mm_dim)
        m = self.n_modalities
        self.cross = nn.ModuleList(
            nn.ModuleList(PreNormCrossAttention(mm_dim, heads, ff_dim) for _ in range(m))
            for _ in range(n_layers)
        )
        self.self_attention = nn.ModuleList(
            nn.ModuleList(PreNormSelfAttention(mm_dim, heads, ff_dim) for _ in range(m))
            for _ in range(n_layers)
        )

    def fuse(self, *inputs: Tensor, masks: Masks = None) -> FusionOutput:
        streams = self._tokens(inputs)
        full = _full_masks(masks, streams)
        weights: list[Tensor] = []
        for cross_layers, self_layers in zip(self.cross, self.self_attention, strict=True):
            new, weights = [], []
            for m, (cross, own) in enumerate(
                zip(cast(nn.ModuleList, cross_layers), cast(nn.ModuleList, self_layers), strict=True)
            ):
                others = torch.cat([s for n, s in enumerate(streams) if n != m], dim=1)  # (b, L - L_m, d)
                other_mask = None if full is None else torch.cat([k for n, k in enumerate(full) if n != m], 1)
                y, w = cross(streams[m], others, other_mask)
                y, _ = own(y, None if full is None else full[m])
                new.append(y)
                weights.append(w)
            streams = new
        pooled = [masked_mean(s, None if full is None else full[m]) for m, s in enumerate(streams)]
        fused = self._head(torch.cat(pooled, dim=-1))  # (batch, M mm_dim) -> (batch, output_dim)
        return FusionOutput(fused, {f"modality_{m}": w for m, w in enumerate(weights)})


@register
class AttentionBottleneck(_TokenFusion):
    r"""Attention bottlenecks, MBT (Nagrani et al., 2021): modalities exchange information only
    through ``B = n_bottlenecks`` shared tokens.

    Layers ``l < fusion_layer`` run each modality alone: ``T_m <- Layer_{l,m}(T_m)``. From
    ``fusion_layer`` on, each modality's layer also sees the bottleneck tokens
    ``Z (batch, B, d)`` (learned at the start), and the bottleneck is the average of what each
    modality wrote into it:

    .. math::
        [\,T_m;\ \hat Z_m\,] = \mathrm{Layer}_{l,m}\big([\,T_m;\ Z\,]\big),\qquad
        Z \leftarrow \tfrac 1M \textstyle\sum_m \hat Z_m,\qquad
        z = \tfrac 1M \textstyle\sum_m \big(W_o\, \mathrm{LN}(\bar T_m) + b_o\big),

    ``bar T_m`` the mean over present tokens: as in MBT, the output is the average of one read-out
    per modality (shared ``W_o``), so nothing but the bottleneck mixes modalities. No token of
    modality ``m`` ever attends to a token of another modality: what crosses goes through ``B``
    vectors of width ``d``, which forces the model to condense it, and the attention cost is ``sum_m
    (L_m + B)^2`` instead of ``(sum_m L_m)^2``. A consequence the tests check: in the first fusion
    layer ``T_m`` is updated from ``[T_m; Z]`` with ``Z`` still the learned initial tokens, so
    **with one layer the output is an additive function of the modalities** (its EMAP projection is
    itself); cross-modal interactions need two fusion layers. Any ``M >= 2``.
    Weights: ``{"bottleneck": A (batch, heads, B, sum_m (L_m + B))}``: the attention of the
    bottleneck tokens inside each modality's last layer, concatenated over modalities (block
    ``m`` has the ``L_m`` tokens of modality ``m``, then the ``B`` bottleneck tokens).
    """

    weight_names = ("bottleneck",)
    test_hyper = {"mm_dim": 4, "heads": 2, "ff_dim": 6, "n_layers": 2, "n_bottlenecks": 2}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        mm_dim: int = 32,
        heads: int = 2,
        ff_dim: int = 64,
        n_layers: int = 2,
        n_bottlenecks: int = 4,
        fusion_layer: int = 0,
    ) -> None:
        super().__init__(input_dims, output_dim)
        owner = type(self).__name__
        _check_width(owner, mm_dim, heads, ff_dim, n_layers)
        check_positive_int(n_bottlenecks, "n_bottlenecks", owner)
        if (
            not isinstance(fusion_layer, int)
            or isinstance(fusion_layer, bool)
            or not 0 <= fusion_layer < n_layers
        ):
            raise ValueError(
                f"{owner}: fusion_layer must be an int in [0, n_layers - 1] = [0, {n_layers - 1}] (at "
                f"least one layer must fuse), got {fusion_layer!r}"
            )
        self.fusion_layer = fusion_layer
        self._build_common(mm_dim, mm_dim)
        self.bottleneck = _learned_tokens(n_bottlenecks, mm_dim)
        self.layers = nn.ModuleList(
            nn.ModuleList(PreNormSelfAttention(mm_dim, heads, ff_dim) for _ in self.input_dims)
            for _ in range(n_layers)
        )

    def fuse(self, *inputs: Tensor, masks: Masks = None) -> FusionOutput:
        tokens = self._tokens(inputs)
        full = _full_masks(masks, tokens)
        batch, n_b = inputs[0].shape[0], self.bottleneck.shape[0]
        z = self.bottleneck.expand(batch, -1, -1)  # (batch, B, mm_dim)
        ones = torch.ones(batch, n_b, dtype=torch.bool, device=z.device)
        weights: list[Tensor] = []
        for index, layer_list in enumerate(self.layers):
            layers = cast(nn.ModuleList, layer_list)
            if index < self.fusion_layer:
                tokens = [
                    layer(t, None if full is None else full[m])[0]
                    for m, (layer, t) in enumerate(zip(layers, tokens, strict=True))
                ]
                continue
            written, weights, new = [], [], []
            for m, (layer, t) in enumerate(zip(layers, tokens, strict=True)):
                length = t.shape[1]
                mask = None if full is None else torch.cat([full[m], ones], dim=1)  # (batch, L_m + B)
                y, w = layer(torch.cat([t, z], dim=1), mask)  # (batch, L_m + B, mm_dim)
                new.append(y[:, :length])
                written.append(y[:, length:])
                weights.append(w[:, :, length:, :])  # (batch, heads, B, L_m + B)
            tokens = new
            z = torch.stack(written, dim=0).mean(dim=0)  # (batch, B, mm_dim)
        per_modality = torch.stack(
            [self._head(masked_mean(t, None if full is None else full[m])) for m, t in enumerate(tokens)],
            dim=1,
        )  # (batch, M, output_dim)
        return FusionOutput(per_modality.mean(dim=1), {"bottleneck": torch.cat(weights, dim=-1)})


@register
class Perceiver(_TokenFusion):
    r"""Perceiver-style latent array (Jaegle et al., 2021): ``N = n_latents`` learned latents
    cross-attend to the tokens of all modalities, then attend among themselves.

    .. math::
        U = [\,x_1 W_1 + b_1;\ \dots;\ x_M W_M + b_M\,]\ (batch, L, d),\quad
        Z \leftarrow \mathrm{CrossLayer}(Z_0, U),\quad
        Z \leftarrow \mathrm{SelfLayer}_l(Z)\ (l = 1..n_\text{layers}),\quad
        z = W_o\, \mathrm{LN}(\bar Z) + b_o,

    ``Z_0 (N, d)`` learned, ``bar Z`` the mean over latents. The cross-attention costs
    ``O(N L d)``, linear in the number of input tokens ``L = sum_m L_m``, and everything after it
    ``O(N^2 d)``, independent of ``L``: the input can be long (pixels, audio frames) as long as
    ``N`` is small. The latents read all modalities in one softmax, so they can combine them from
    the first layer. Any ``M >= 2``; ``n_layers = 0`` keeps only the cross-attention.
    Weights: ``{"latents": A (batch, heads, N, L)}``, the latents' attention over the tokens
    (modalities in order).
    """

    weight_names = ("latents",)
    test_hyper = {"mm_dim": 4, "heads": 2, "ff_dim": 6, "n_layers": 1, "n_latents": 3}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        mm_dim: int = 32,
        heads: int = 2,
        ff_dim: int = 64,
        n_layers: int = 1,
        n_latents: int = 8,
    ) -> None:
        super().__init__(input_dims, output_dim)
        owner = type(self).__name__
        _check_width(owner, mm_dim, heads, ff_dim, 1)
        if not isinstance(n_layers, int) or isinstance(n_layers, bool) or n_layers < 0:
            raise ValueError(f"{owner}: n_layers must be a non-negative int, got {n_layers!r}")
        check_positive_int(n_latents, "n_latents", owner)
        self._build_common(mm_dim, mm_dim)
        self.latents = _learned_tokens(n_latents, mm_dim)
        self.cross = PreNormCrossAttention(mm_dim, heads, ff_dim)
        self.layers = nn.ModuleList(PreNormSelfAttention(mm_dim, heads, ff_dim) for _ in range(n_layers))

    def fuse(self, *inputs: Tensor, masks: Masks = None) -> FusionOutput:
        tokens = self._tokens(inputs)
        u = torch.cat(tokens, dim=1)  # (batch, L, mm_dim)
        z = self.latents.expand(u.shape[0], -1, -1)  # (batch, N, mm_dim)
        z, weights = self.cross(z, u, _cat_masks(_full_masks(masks, tokens)))
        for layer in self.layers:
            z, _ = layer(z)
        return FusionOutput(self._head(z.mean(dim=1)), {"latents": weights})


@register
class GatedCrossAttention(_TokenFusion):
    r"""Gated cross-attention into a frozen network (Flamingo, Alayrac et al., 2022).

    Modality 0 runs through a **frozen** transformer ``F`` (in Flamingo a pretrained language
    model; here ``self.frozen``: an input map, ``n_layers`` pre-norm self-attention layers, a layer
    norm and an output map, all with ``requires_grad = False``: load pretrained weights into it
    with ``self.frozen.load_state_dict``). Before each frozen layer a trainable
    :class:`~mmlearn.nn.GatedCrossAttentionBlock` lets the tokens of modality 0 read the other
    modalities ``C = [x_1 W_1 + b_1; ...]``:

    .. math::
        H \leftarrow H + \tanh(\alpha_a)\,\mathrm{MHA}(\mathrm{LN}\,H, \mathrm{LN}\,C),\quad
        H \leftarrow H + \tanh(\alpha_f)\,\mathrm{FFN}(\mathrm{LN}\,H),\quad
        H \leftarrow \mathrm{FrozenLayer}_l(H),

    and ``z = W_o LN(bar H) + b_o`` (frozen ``W_o``), ``bar H`` the mean over the present tokens
    of modality 0. With ``gate_init = 0`` (the paper's choice and the default) every ``tanh`` is
    0 and the output equals :meth:`frozen_forward` exactly: training starts from the frozen
    model's behaviour and the gates open only as far as the loss asks. ``n_params`` counts the
    trainable part only (the context projections and the gated blocks). Any ``M >= 2``.
    Weights: ``{"cross_attention": A (batch, heads, L_0, L - L_0)}`` of the last gated block.
    Masks: modality 0's mask masks the frozen self-attention and the pooling; the others mask
    the cross-attention keys.
    """

    weight_names = ("cross_attention",)
    test_hyper = {"mm_dim": 4, "heads": 2, "ff_dim": 6, "n_layers": 2, "gate_init": 0.5}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        mm_dim: int = 32,
        heads: int = 2,
        ff_dim: int = 64,
        n_layers: int = 2,
        gate_init: float = 0.0,
    ) -> None:
        super().__init__(input_dims, output_dim)
        owner = type(self).__name__
        _check_width(owner, mm_dim, heads, ff_dim, n_layers)
        if not isinstance(gate_init, int | float) or isinstance(gate_init, bool):
            raise TypeError(f"{owner}: gate_init must be a float, got {type(gate_init).__name__}")
        self.mm_dim = mm_dim
        self.frozen = nn.ModuleDict(
            {
                "embed": nn.Linear(self.input_dims[0], mm_dim),
                "layers": nn.ModuleList(PreNormSelfAttention(mm_dim, heads, ff_dim) for _ in range(n_layers)),
                "norm": nn.LayerNorm(mm_dim),
                "out": nn.Linear(mm_dim, output_dim),
            }
        )
        self.frozen.requires_grad_(False)
        self.project = nn.ModuleList(nn.Linear(d, mm_dim) for d in self.input_dims[1:])
        self.gated = nn.ModuleList(
            GatedCrossAttentionBlock(mm_dim, heads, ff_dim, float(gate_init)) for _ in range(n_layers)
        )

    def _read_out(self, h: Tensor, mask: Tensor | None) -> Tensor:
        return self.frozen["out"](self.frozen["norm"](masked_mean(h, mask)))  # (batch, output_dim)

    def frozen_forward(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        """The frozen path alone on modality 0: ``x (batch, L_0, d_0)`` -> ``(batch, output_dim)``."""
        h = self.frozen["embed"](x)
        for layer in cast(nn.ModuleList, self.frozen["layers"]):
            h, _ = layer(h, mask)
        return self._read_out(h, mask)

    def fuse(self, x: Tensor, *others: Tensor, masks: Masks = None) -> FusionOutput:
        context = torch.cat(self._tokens(others), dim=1)  # (batch, L - L_0, mm_dim)
        own_mask = None if masks is None else masks[0]
        context_mask = None
        if masks is not None and any(m is not None for m in masks[1:]):
            context_mask = _cat_masks(_full_masks(masks[1:], [o[..., :1] for o in others]))
        h = self.frozen["embed"](x)  # (batch, L_0, mm_dim)
        weights = h.new_empty(0)
        for gated, layer in zip(self.gated, cast(nn.ModuleList, self.frozen["layers"]), strict=True):
            h, weights = gated(h, context, context_mask)
            h, _ = layer(h, own_mask)
        return FusionOutput(self._read_out(h, own_mask), {"cross_attention": weights})


@register
class QueryResampler(_TokenFusion):
    r"""Learned-query resampler after the Q-Former of BLIP-2 (Li et al., 2023).

    ``Q = n_queries`` learned query tokens read the *context* modalities ``1..M-1`` (in BLIP-2 the
    frozen image encoder's features) through cross-attention, and share a self-attention with the
    tokens of modality 0 (BLIP-2's text):

    .. math::
        [\,Q;\ T_0\,] \leftarrow \mathrm{SelfLayer}_l([\,Q;\ T_0\,]),\qquad
        Q \leftarrow \mathrm{CrossLayer}_l(Q, C),\qquad
        z = W_o\, \mathrm{LN}\big(\mathrm{mean}[\,Q;\ T_0\,]\big) + b_o,

    ``C = [x_1 W_1 + b_1; ...] (batch, L - L_0, d)``. However long the context, it leaves as ``Q``
    tokens of width ``d`` (:meth:`resample`), the fixed-size summary that BLIP-2 (and, with a
    linear projector instead, LLaVA) feeds to a frozen language model. *Book construction, a
    simplified Q-Former*: one FFN for
    queries and text (BLIP-2 has two), no BERT initialisation, no pre-training objectives.
    Any ``M >= 2``. Weights: ``{"cross_attention": A (batch, heads, Q, L - L_0)}`` of the last
    layer. Masks: modality 0's mask masks its tokens in the self-attention and the pooling; the
    others mask the cross-attention keys.
    """

    weight_names = ("cross_attention",)
    test_hyper = {"mm_dim": 4, "heads": 2, "ff_dim": 6, "n_layers": 1, "n_queries": 3}

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        mm_dim: int = 32,
        heads: int = 2,
        ff_dim: int = 64,
        n_layers: int = 1,
        n_queries: int = 8,
    ) -> None:
        super().__init__(input_dims, output_dim)
        owner = type(self).__name__
        _check_width(owner, mm_dim, heads, ff_dim, n_layers)
        check_positive_int(n_queries, "n_queries", owner)
        self._build_common(mm_dim, mm_dim)
        self.queries = _learned_tokens(n_queries, mm_dim)
        self.self_layers = nn.ModuleList(PreNormSelfAttention(mm_dim, heads, ff_dim) for _ in range(n_layers))
        self.cross_layers = nn.ModuleList(
            PreNormCrossAttention(mm_dim, heads, ff_dim) for _ in range(n_layers)
        )

    def _run(self, inputs: Sequence[Tensor], masks: Masks) -> tuple[Tensor, Tensor, Tensor | None, Tensor]:
        tokens = self._tokens(inputs)
        text, context = tokens[0], torch.cat(tokens[1:], dim=1)  # (b, L_0, d), (b, L - L_0, d)
        full = _full_masks(masks, tokens)
        batch, n_q = text.shape[0], self.queries.shape[0]
        joint_mask = context_mask = None
        if full is not None:
            ones = torch.ones(batch, n_q, dtype=torch.bool, device=text.device)
            joint_mask, context_mask = torch.cat([ones, full[0]], dim=1), _cat_masks(full[1:])
        q = self.queries.expand(batch, -1, -1)  # (batch, Q, mm_dim)
        weights = q.new_empty(0)
        for own, cross in zip(self.self_layers, self.cross_layers, strict=True):
            joint, _ = own(torch.cat([q, text], dim=1), joint_mask)  # (batch, Q + L_0, mm_dim)
            q, text = joint[:, :n_q], joint[:, n_q:]
            q, weights = cross(q, context, context_mask)
        return q, text, joint_mask, weights

    def resample(self, *inputs: Tensor, masks: Masks = None) -> Tensor:
        """The ``Q`` query tokens after the last layer: ``(batch, n_queries, mm_dim)``, whatever
        the context length (inputs validated as in ``forward``)."""
        tensors = self.check_inputs(inputs)
        return self._run(tensors, self.check_masks(masks, tensors))[0]

    def fuse(self, *inputs: Tensor, masks: Masks = None) -> FusionOutput:
        q, text, joint_mask, weights = self._run(inputs, masks)
        pooled = masked_mean(torch.cat([q, text], dim=1), joint_mask)  # (batch, mm_dim)
        return FusionOutput(self._head(pooled), {"cross_attention": weights})
