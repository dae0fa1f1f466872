"""Models built around a fusion: per-modality encoders -> fusion -> classifier head."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torch import Tensor, nn

from .fusion import Fusion, build
from .nn import MLP

#: Hyper-parameters at the book's CPU size for the fusions whose defaults are the papers' VQA sizes
#: (thousands of units); shared by the capstone comparison and the robustness curves.
CPU_HYPER: dict[str, dict] = {
    "mlb": {"rank": 64},
    "mfb": {"mm_dim": 64, "factor": 2},
    "mfh": {"mm_dim": 64, "factor": 2, "n_blocks": 2},
    "mcb": {"sketch_dim": 512},
    "mutan": {"mm_dim": 32, "rank": 4},
    "tucker": {"mm_dim": 32},
    "block": {"mm_dim": 64, "chunks": 8, "rank": 4},
    "block_tucker": {"mm_dim": 64, "chunks": 8},
    "lmf": {"rank": 4},
}


def unpack_inputs(owner: str, inputs: tuple, expected: int) -> tuple[Tensor, ...]:
    """Accept ``model(x1, x2)`` or ``model([x1, x2])``; check the number of modalities."""
    if len(inputs) == 1 and isinstance(inputs[0], list | tuple):
        inputs = tuple(inputs[0])
    if len(inputs) != expected:
        raise ValueError(f"{owner}: expected {expected} modality inputs, got {len(inputs)}")
    return inputs


class MultimodalClassifier(nn.Module):
    """``logits = head(fusion(enc_1(x_1), ..., enc_M(x_M)))``.

    Shapes: ``x_m`` is ``(batch, d_m)``; logits are ``(batch, n_classes)``. Encoders may be
    ``nn.Identity`` (early fusion on raw features). A decision-level fusion (late fusion) already
    outputs class scores, so its head is the identity.
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
        return sum(p.numel() for p in self.parameters() if p.requires_grad)

    def forward(self, *inputs: Tensor | Sequence[Tensor]) -> Tensor:
        inputs = unpack_inputs("MultimodalClassifier", inputs, len(self.encoders))
        encoded = [enc(x) for enc, x in zip(self.encoders, inputs, strict=True)]
        fused = self.fusion(*encoded)
        if isinstance(fused, tuple):  # fusions that also return attention weights
            fused = fused[0]
        return self.head(fused)


class UnimodalClassifier(nn.Module):
    """A single-view baseline: ``MLP(d -> hidden -> n_classes)``; takes a list of one tensor."""

    def __init__(self, input_dim: int, n_classes: int, hidden_dim: int = 64, dropout: float = 0.0):
        super().__init__()
        self.mlp = MLP(input_dim, [hidden_dim] if hidden_dim else [], n_classes, dropout=dropout)

    @property
    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters() if p.requires_grad)

    def forward(self, *inputs: Tensor | Sequence[Tensor]) -> Tensor:
        (x,) = unpack_inputs("UnimodalClassifier", inputs, 1)
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
    from .fusion import get

    if getattr(get(fusion), "decision_level", False):
        return MultimodalClassifier(encoders, build(fusion, dims, n_classes, **hyper))
    fused = build(fusion, dims, fusion_dim, **hyper)
    head = nn.Sequential(nn.ReLU(), nn.Dropout(dropout), nn.Linear(fusion_dim, n_classes))
    return MultimodalClassifier(encoders, fused, head)
