"""Classifiers built around a fusion: per-modality encoders -> fusion -> classifier head."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torch import Tensor, nn

from ..fusion import Fusion, Masks, build, get
from ..nn import MLP, count_params, unpack_inputs


class MultimodalClassifier(nn.Module):
    """``logits = head(fusion(enc_1(x_1), ..., enc_M(x_M)))``.

    Shapes: ``x_m`` is ``(batch, d_m)``; logits are ``(batch, n_classes)``. Encoders may be
    ``nn.Identity`` (early fusion on raw features). A decision-level fusion (late fusion) already
    outputs class scores, so its head is the identity. ``masks`` (one entry per modality, see
    :class:`~mmlearn.fusion.Fusion`) go to the fusion unchanged.
    """

    def __init__(self, encoders: Sequence[nn.Module], fusion: Fusion, head: nn.Module | None = None) -> None:
        super().__init__()
        if len(encoders) != fusion.n_modalities:
            raise ValueError(
                f"MultimodalClassifier: {len(encoders)} encoders for a fusion of "
                f"{fusion.n_modalities} modalities"
            )
        self.encoders = nn.ModuleList(encoders)
        self.fusion = fusion
        self.head = head if head is not None else nn.Identity()

    @property
    def n_params(self) -> int:
        return count_params(self)

    def forward(self, *inputs: Tensor | Sequence[Tensor], masks: Masks = None) -> Tensor:
        tensors = unpack_inputs(inputs, "MultimodalClassifier", len(self.encoders))
        encoded = [enc(x) for enc, x in zip(self.encoders, tensors, strict=True)]
        return self.head(self.fusion(*encoded, masks=masks))


class UnimodalClassifier(nn.Module):
    """A single-view baseline: ``MLP(d -> hidden -> n_classes)``; takes a list of one tensor."""

    def __init__(self, input_dim: int, n_classes: int, hidden_dim: int = 64, dropout: float = 0.0):
        super().__init__()
        self.mlp = MLP(input_dim, [hidden_dim] if hidden_dim else [], n_classes, dropout=dropout)

    @property
    def n_params(self) -> int:
        return count_params(self)

    def forward(self, *inputs: Tensor | Sequence[Tensor]) -> Tensor:
        (x,) = unpack_inputs(inputs, "UnimodalClassifier", 1)
        return self.mlp(x)


def build_classifier(
    fusion: str,
    input_dims: Sequence[int],
    n_classes: int,
    embed_dim: int | None = 32,
    fusion_dim: int = 64,
    dropout: float = 0.0,
    **hyper: Any,
) -> MultimodalClassifier:
    """Encoders ``MLP(d_m -> embed_dim)`` (or none if ``embed_dim`` is None), the named fusion to
    ``fusion_dim``, and a head ``ReLU -> Dropout -> Linear(fusion_dim -> n_classes)``.

    For a decision-level fusion (``"late"``) the fusion maps straight to ``n_classes``.
    """
    if embed_dim is None:
        encoders: list[nn.Module] = [nn.Identity() for _ in input_dims]
        dims = list(input_dims)
    else:
        encoders = [nn.Sequential(nn.Linear(d, embed_dim), nn.ReLU()) for d in input_dims]
        dims = [embed_dim] * len(input_dims)
    if get(fusion).decision_level:
        return MultimodalClassifier(encoders, build(fusion, dims, n_classes, **hyper))
    fused = build(fusion, dims, fusion_dim, **hyper)
    head = nn.Sequential(nn.ReLU(), nn.Dropout(dropout), nn.Linear(fusion_dim, n_classes))
    return MultimodalClassifier(encoders, fused, head)
