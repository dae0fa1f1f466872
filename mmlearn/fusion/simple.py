"""Simple fusions (chapter 2): concatenation and its relatives.

Shapes: every module takes ``M`` tensors ``x_m`` of shape ``(batch, d_m)`` and returns
``(batch, output_dim)``. The pooling fusions accept ``masks=`` (one ``(batch,)`` bool per
modality, ``True`` = present) and pool over the present modalities only.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .._validation import check_choice, renamed
from ..nn.mlp import MLP, make_activation
from ..nn.projections import ModalityProjections
from .base import Fusion, stack_masks, stack_modalities
from .registry import register


@register
class Concat(Fusion):
    """Concatenation followed by a linear map: ``z = W [x_1; ...; x_M] + b``.

    ``W`` has shape ``(output_dim, sum(d_m))``. With ``project=False`` the module returns the
    concatenation itself, and ``output_dim`` must equal ``sum(d_m)``.
    """

    def __init__(self, input_dims: Sequence[int], output_dim: int, project: bool = True) -> None:
        super().__init__(input_dims, output_dim)
        total = sum(self.input_dims)
        if not project and output_dim != total:
            raise ValueError(
                f"Concat: with project=False, output_dim must equal sum(input_dims) = {total}, "
                f"got {output_dim}"
            )
        self.linear = nn.Linear(total, output_dim) if project else None

    def fuse(self, *inputs: Tensor) -> Tensor:
        z = torch.cat(inputs, dim=-1)  # (batch, sum d_m)
        return self.linear(z) if self.linear is not None else z


@register
class WeightedSum(Fusion):
    """Project every modality to a shared space and add them with one scalar weight each.

    ``z = sum_m alpha_m (W_m x_m + b_m)`` with ``W_m`` of shape ``(output_dim, d_m)``.
    ``weighting="softmax"`` learns ``alpha = softmax(a)`` (a convex mixture, global to the
    dataset); ``"free"`` learns unconstrained ``alpha``; ``"equal"`` fixes ``alpha_m = 1/M``
    (then ``alpha`` is a buffer, not a parameter).

    Attributes:
        alpha_logits: ``(M,)`` the ``a`` of ``softmax(a)``, or ``alpha`` itself for ``"free"``
            and ``"equal"``.
    """

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        weighting: str | None = None,
        weights: str | None = None,
    ) -> None:
        super().__init__(input_dims, output_dim)
        weighting = renamed(weights, weighting, "weights", "weighting", "WeightedSum", "softmax")
        self.weighting = check_choice(weighting, "weighting", "WeightedSum", ("softmax", "free", "equal"))
        self.project = ModalityProjections(self.input_dims, output_dim)
        m = self.n_modalities
        init = torch.zeros(m) if weighting == "softmax" else torch.full((m,), 1.0 / m)
        if weighting == "equal":
            self.register_buffer("alpha_logits", init)
        else:
            self.alpha_logits = nn.Parameter(init)

    def modality_weights(self) -> Tensor:
        """The weights ``alpha``, shape ``(M,)``."""
        return self.alpha_logits.softmax(0) if self.weighting == "softmax" else self.alpha_logits

    def fuse(self, *inputs: Tensor) -> Tensor:
        projected = self.project(inputs)  # (batch, M, output_dim)
        return torch.einsum("bmo,m->bo", projected, self.modality_weights())


@register
class MultimodalFC(Fusion):
    """Multimodal fully connected layer: ``z = sigma(W [x_1; ...; x_M] + b)``.

    With ``hidden_dims`` the single layer becomes an MLP on the concatenation whose last layer
    is followed by the activation as well. ``W`` has shape ``(output_dim, sum(d_m))``.
    """

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        hidden_dims: Sequence[int] = (),
        activation: str = "relu",
        dropout: float = 0.0,
    ) -> None:
        super().__init__(input_dims, output_dim)
        self.mlp = MLP(sum(self.input_dims), list(hidden_dims), output_dim, activation, dropout)
        self.activation = make_activation(activation, "MultimodalFC")

    def fuse(self, *inputs: Tensor) -> Tensor:
        return self.activation(self.mlp(torch.cat(inputs, dim=-1)))


class _Pool(Fusion):
    """Project every modality to ``output_dim``, then pool elementwise over present modalities."""

    supports_masks = True

    def __init__(self, input_dims: Sequence[int], output_dim: int) -> None:
        super().__init__(input_dims, output_dim)
        self.project = ModalityProjections(self.input_dims, output_dim)

    @abstractmethod
    def pool(self, projected: Tensor, mask: Tensor | None) -> Tensor:
        """``(batch, M, output_dim)`` and a ``(batch, M)`` mask -> ``(batch, output_dim)``."""

    def fuse(self, *inputs: Tensor, masks: Sequence[Tensor | None] | None = None) -> Tensor:
        return self.pool(self.project(inputs), stack_masks(masks, inputs[0]))


@register
class MaxPool(_Pool):
    """Max-pooling fuser: ``z_j = max_m (W_m x_m + b_m)_j`` over the present modalities.

    The gradient flows, per output unit, to the modality that wins the max.
    """

    def pool(self, projected: Tensor, mask: Tensor | None) -> Tensor:
        if mask is not None:
            lowest = torch.finfo(projected.dtype).min
            projected = projected.masked_fill(~mask.unsqueeze(-1), lowest)
        return projected.amax(dim=1)


@register
class AvgPool(_Pool):
    """Average-pooling fuser: ``z = (1/M) sum_m (W_m x_m + b_m)`` over the present modalities."""

    def pool(self, projected: Tensor, mask: Tensor | None) -> Tensor:
        if mask is None:
            return projected.mean(dim=1)
        w = mask.to(projected.dtype).unsqueeze(-1)  # (batch, M, 1)
        return (projected * w).sum(dim=1) / w.sum(dim=1)


@register
class JointEmbedding(Fusion):
    """Joint embedding: a small network per modality into one space, then pooled.

    ``e_m = g_m(x_m)`` with ``g_m`` an MLP ``d_m -> hidden_dim -> output_dim`` (optionally
    L2-normalised), then ``z = max_m e_m`` (``pooling="max"``) or
    ``z = sum_m softmax(a)_m e_m`` (``pooling="weighted"``; ``a`` is ``alpha_logits``).
    """

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        hidden_dim: int = 64,
        pooling: str = "max",
        normalize: bool = False,
    ) -> None:
        super().__init__(input_dims, output_dim)
        self.pooling = check_choice(pooling, "pooling", "JointEmbedding", ("max", "weighted"))
        self.normalize = normalize
        self.embed = nn.ModuleList(MLP(d, [hidden_dim], output_dim) for d in self.input_dims)
        self.alpha_logits = nn.Parameter(torch.zeros(self.n_modalities)) if pooling == "weighted" else None

    def embeddings(self, *inputs: Tensor) -> Tensor:
        """Per-modality embeddings ``(batch, M, output_dim)`` before pooling."""
        e = stack_modalities([g(x) for g, x in zip(self.embed, inputs, strict=True)])
        # eps keeps the gradient finite when an embedding is exactly zero
        return F.normalize(e, dim=-1, eps=1e-8) if self.normalize else e

    def fuse(self, *inputs: Tensor) -> Tensor:
        e = self.embeddings(*inputs)
        if self.alpha_logits is None:
            return e.amax(dim=1)
        return torch.einsum("bmo,m->bo", e, self.alpha_logits.softmax(0))


@register
class LateFusion(Fusion):
    """Late (decision-level) fusion: one predictor per modality, their scores combined.

    ``s_m = h_m(x_m)`` with ``h_m`` an MLP ``d_m -> hidden_dim -> output_dim`` (a linear map if
    ``hidden_dim`` is None); ``z = sum_m w_m s_m`` with ``w = 1/M`` (``combine="mean"``) or
    learned ``softmax(a)`` (``combine="weighted"``; ``a`` is ``alpha_logits``). The output is
    already a score per class, so a classifier puts no head after it (``decision_level``).
    """

    decision_level = True

    def __init__(
        self,
        input_dims: Sequence[int],
        output_dim: int,
        hidden_dim: int | None = None,
        combine: str = "mean",
    ) -> None:
        super().__init__(input_dims, output_dim)
        self.combine = check_choice(combine, "combine", "LateFusion", ("mean", "weighted"))
        hidden = [] if hidden_dim is None else [hidden_dim]
        self.heads = nn.ModuleList(MLP(d, hidden, output_dim) for d in self.input_dims)
        self.alpha_logits = nn.Parameter(torch.zeros(self.n_modalities)) if combine == "weighted" else None

    def scores(self, *inputs: Tensor) -> Tensor:
        """Per-modality scores ``(batch, M, output_dim)``."""
        return stack_modalities([h(x) for h, x in zip(self.heads, inputs, strict=True)])

    def fuse(self, *inputs: Tensor) -> Tensor:
        s = self.scores(*inputs)
        if self.alpha_logits is None:
            return s.mean(dim=1)
        return torch.einsum("bmo,m->bo", s, self.alpha_logits.softmax(0))
