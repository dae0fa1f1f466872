"""Per-modality affine maps into one shared space."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn


class ModalityProjections(nn.Module):
    """``h_m = W_m x_m + b_m`` for each modality, stacked: ``M x (batch, d_m) -> (batch, M, out)``.

    Attributes:
        linears: ``nn.ModuleList`` of ``nn.Linear(d_m, out)``.
    """

    def __init__(self, input_dims: Sequence[int], out: int) -> None:
        super().__init__()
        self.linears = nn.ModuleList(nn.Linear(d, out) for d in input_dims)

    def forward(self, inputs: Sequence[Tensor]) -> Tensor:
        return torch.stack([lin(x) for lin, x in zip(self.linears, inputs, strict=True)], dim=1)
