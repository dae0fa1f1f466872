"""A small multilayer perceptron, the default per-modality encoder and classifier head."""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

_ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU, "sigmoid": nn.Sigmoid}


def make_activation(name: str | None) -> nn.Module:
    """``"relu" | "tanh" | "gelu" | "sigmoid" | None`` -> module (``None`` is the identity)."""
    if name is None:
        return nn.Identity()
    if name not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)} or None, got {name!r}")
    return _ACTIVATIONS[name]()


class MLP(nn.Sequential):
    """``in_dim -> hidden_dims... -> out_dim`` with an activation (and dropout) between layers.

    Shapes: ``(..., in_dim) -> (..., out_dim)``. The last layer is linear (no activation).
    """

    def __init__(
        self,
        in_dim: int,
        hidden_dims: Sequence[int],
        out_dim: int,
        activation: str = "relu",
        dropout: float = 0.0,
    ) -> None:
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"MLP: dropout must be in [0, 1), got {dropout}")
        layers: list[nn.Module] = []
        last = in_dim
        for width in hidden_dims:
            layers += [nn.Linear(last, width), make_activation(activation)]
            if dropout:
                layers.append(nn.Dropout(dropout))
            last = width
        layers.append(nn.Linear(last, out_dim))
        super().__init__(*layers)
        self.in_dim, self.out_dim = in_dim, out_dim

    def forward(self, x: Tensor) -> Tensor:
        if x.shape[-1] != self.in_dim:
            raise ValueError(f"MLP: expected input of shape (..., {self.in_dim}), got {tuple(x.shape)}")
        return super().forward(x)
