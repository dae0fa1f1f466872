"""Simple fusions (chapter 2): concatenation and its relatives.

Shapes: every module takes ``M`` tensors ``x_m`` of shape ``(batch, d_m)`` and returns
``(batch, output_dim)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..nn import MLP, make_activation
from .base import Fusion, check_choice, stack_modalities
from .registry import register


class _PerModalityProjection(nn.Module):
    """``W_m x_m + b_m`` for every modality, stacked: ``M x (batch, d_m) -> (batch, M, out)``."""

    def __init__(self, input_dims: Sequence[int], output_dim: int) -> None:
        super().__init__()
        self.linears = nn.ModuleList(nn.Linear(d, output_dim) for d in input_dims)

    def forward(self, inputs: Sequence[Tensor]) -> Tensor:
        return stack_modalities([lin(x) for lin, x in zip(self.linears, inputs, strict=True)])


@register("concat")
class Concat(Fusion):
    """Concatenation followed by a linear map: ``z = W [x_1; ...; x_M] + b``.

    ``W`` has shape ``(output_dim, sum(d_m))``. With ``project=False`` the module returns the
    concatenation itself, and ``output_dim`` must equal ``sum(d_m)``.
    """

    example_hyper = {}

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
        z = torch.cat(inputs, dim=-1)
        return self.linear(z) if self.linear is not None else z


@register("weighted_sum")
class WeightedSum(Fusion):
    """Project every modality to a shared space and add them with one scalar weight each.

    ``z = sum_m alpha_m (W_m x_m + b_m)`` with ``W_m`` of shape ``(output_dim, d_m)``.
    ``weights="softmax"`` learns ``alpha = softmax(a)`` (a convex mixture, global to the
    dataset); ``"free"`` learns unconstrained ``alpha``; ``"equal"`` fixes ``alpha_m = 1/M``.
    """

    def __init__(self, input_dims: Sequence[int], output_dim: int, weights: str = "softmax") -> None:
        super().__init__(input_dims, output_dim)
        self.weights = check_choice("WeightedSum", "weights", weights, ("softmax", "free", "equal"))
        self.project = _PerModalityProjection(self.input_dims, output_dim)
        m = self.n_modalities
        init = torch.zeros(m) if weights == "softmax" else torch.full((m,), 1.0 / m)
        self.logits = nn.Parameter(init, requires_grad=weights != "equal")

    def modality_weights(self) -> Tensor:
        """The weights ``alpha``, shape ``(M,)``."""
        return self.logits.softmax(0) if self.weights == "softmax" else self.logits

    def fuse(self, *inputs: Tensor) -> Tensor:
        projected = self.project(inputs)  # (batch, M, output_dim)
        return torch.einsum("bmo,m->bo", projected, self.modality_weights())


@register("multimodal_fc")
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
        self.activation = make_activation(activation)

    def fuse(self, *inputs: Tensor) -> Tensor:
        return self.activation(self.mlp(torch.cat(inputs, dim=-1)))


class _PoolFusion(Fusion):
    """Project every modality to ``output_dim``, then pool elementwise over modalities."""

    pooling: str = "max"

    def __init__(self, input_dims: Sequence[int], output_dim: int) -> None:
        super().__init__(input_dims, output_dim)
        self.project = _PerModalityProjection(self.input_dims, output_dim)

    def fuse(self, *inputs: Tensor) -> Tensor:
        projected = self.project(inputs)  # (batch, M, output_dim)
        if self.pooling == "max":
            return projected.amax(dim=1)
        return projected.mean(dim=1)


@register("max_pool")
class MaxPoolFusion(_PoolFusion):
    """Max-pooling fuser: ``z_j = max_m (W_m x_m + b_m)_j``.

    The gradient flows, per output unit, to the modality that wins the max.
    """

    pooling = "max"


@register("avg_pool")
class AvgPoolFusion(_PoolFusion):
    """Average-pooling fuser: ``z = (1/M) sum_m (W_m x_m + b_m)``."""

    pooling = "mean"


@register("joint_embedding")
class JointEmbedding(Fusion):
    """Joint embedding: a small network per modality into one space, then pooled.

    ``e_m = g_m(x_m)`` with ``g_m`` an MLP ``d_m -> hidden_dim -> output_dim`` (optionally
    L2-normalised), then ``z = max_m e_m`` (``pooling="max"``) or
    ``z = sum_m softmax(a)_m e_m`` (``pooling="weighted"``).
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
        self.pooling = check_choice("JointEmbedding", "pooling", pooling, ("max", "weighted"))
        self.normalize = normalize
        self.embed = nn.ModuleList(MLP(d, [hidden_dim], output_dim) for d in self.input_dims)
        self.logits = nn.Parameter(torch.zeros(self.n_modalities), requires_grad=pooling == "weighted")

    def embeddings(self, *inputs: Tensor) -> Tensor:
        """Per-modality embeddings ``(batch, M, output_dim)`` before pooling."""
        e = stack_modalities([g(x) for g, x in zip(self.embed, inputs, strict=True)])
        # eps keeps the gradient finite when an embedding is exactly zero
        return F.normalize(e, dim=-1, eps=1e-8) if self.normalize else e

    def fuse(self, *inputs: Tensor) -> Tensor:
        e = self.embeddings(*inputs)
        if self.pooling == "max":
            return e.amax(dim=1)
        return torch.einsum("bmo,m->bo", e, self.logits.softmax(0))


@register("late")
class LateFusion(Fusion):
    """Late (decision-level) fusion: one predictor per modality, their scores averaged.

    ``s_m = h_m(x_m)`` with ``h_m`` an MLP ``d_m -> hidden_dim -> output_dim`` (a linear map if
    ``hidden_dim`` is None); ``z = sum_m w_m s_m`` with ``w = 1/M`` (``combine="mean"``) or
    learned ``softmax(a)`` (``combine="weighted"``). The output is already a score per class,
    so a classifier puts no head after it (``decision_level = True``).
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
        self.combine = check_choice("LateFusion", "combine", combine, ("mean", "weighted"))
        hidden = [] if hidden_dim is None else [hidden_dim]
        self.heads = nn.ModuleList(MLP(d, hidden, output_dim) for d in self.input_dims)
        self.logits = nn.Parameter(torch.zeros(self.n_modalities), requires_grad=combine == "weighted")

    def scores(self, *inputs: Tensor) -> Tensor:
        """Per-modality scores ``(batch, M, output_dim)``."""
        return stack_modalities([h(x) for h, x in zip(self.heads, inputs, strict=True)])

    def fuse(self, *inputs: Tensor) -> Tensor:
        return torch.einsum("bmo,m->bo", self.scores(*inputs), self.logits.softmax(0))
