"""A small multilayer perceptron, the default per-modality encoder and classifier head."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .._validation import check_probability

#: The one table of activations: name -> (module class, function). ``None`` is the identity.
ACTIVATIONS: dict[str, tuple[type[nn.Module], Callable[[Tensor], Tensor]]] = {
    "relu": (nn.ReLU, torch.relu),
    "tanh": (nn.Tanh, torch.tanh),
    "gelu": (nn.GELU, F.gelu),
    "sigmoid": (nn.Sigmoid, torch.sigmoid),
}


def _check_activation(name: str | None, owner: str) -> None:
    if name is not None and name not in ACTIVATIONS:
        raise ValueError(f"{owner}: activation must be one of {sorted(ACTIVATIONS)} or None, got {name!r}")


def make_activation(name: str | None, owner: str = "make_activation") -> nn.Module:
    """``"relu" | "tanh" | "gelu" | "sigmoid" | None`` -> module (``None`` is the identity)."""
    _check_activation(name, owner)
    return nn.Identity() if name is None else ACTIVATIONS[name][0]()


def activation_function(
    name: str | None, owner: str = "activation_function"
) -> Callable[[Tensor], Tensor] | None:
    """The functional form of :func:`make_activation` (``None`` for the identity)."""
    _check_activation(name, owner)
    return None if name is None else ACTIVATIONS[name][1]


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
        check_probability(dropout, "dropout", "MLP")
        layers: list[nn.Module] = []
        last = in_dim
        for width in hidden_dims:
            layers += [nn.Linear(last, width), make_activation(activation, "MLP")]
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
