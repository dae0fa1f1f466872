"""A tiny search space for *where* to fuse two modalities, in the spirit of MFAS.

MFAS (Pérez-Rúa et al., 2019) searches over which hidden layers of two pretrained unimodal
networks to connect, and with which nonlinearity, by sequential model-based optimisation. This
module keeps only the first choice and a random search, small enough for a CPU:

* each modality has its own MLP with ``depth`` hidden layers of width ``hidden_dim``,
  ``h^{(m)}_\\ell = \\mathrm{ReLU}(W^{(m)}_\\ell h^{(m)}_{\\ell-1})`` with ``h^{(m)}_0 = x_m``;
* an architecture is a set of fusion points ``(\\ell_1, \\ell_2)`` (1-based layer indices); the
  fused vector is ``z = [h^{(1)}_{\\ell_1}; h^{(2)}_{\\ell_2}; \\dots]`` over the chosen points, and a
  linear head maps ``z`` to the logits.

``LayerFusionNet(dims, n_classes, points=[(depth, depth)])`` is late concatenation of the last
hidden layers; :func:`random_architectures` draws distinct sets of points.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from math import comb

import torch
from torch import Tensor, nn

from .._validation import check_positive_int
from ..nn import count_params

Point = tuple[int, int]


class LayerFusionNet(nn.Module):
    """Two unimodal MLPs fused by concatenating the hidden layers named in ``points``.

    Shapes: ``x1 (B, d_1)``, ``x2 (B, d_2)`` -> logits ``(B, n_classes)``. ``points`` is a
    non-empty sequence of distinct ``(layer of modality 1, layer of modality 2)`` pairs, each index
    in ``1..depth``; the head is ``Linear(2 * hidden_dim * len(points), n_classes)``.
    """

    def __init__(
        self,
        dims: Sequence[int],
        n_classes: int,
        points: Sequence[Point],
        hidden_dim: int = 32,
        depth: int = 3,
    ) -> None:
        super().__init__()
        if len(dims) != 2:
            raise ValueError(f"LayerFusionNet: dims must give two input sizes, got {list(dims)}")
        for value, name in (
            (n_classes, "n_classes"),
            (hidden_dim, "hidden_dim"),
            (depth, "depth"),
            *((d, "dims") for d in dims),
        ):
            check_positive_int(value, name, "LayerFusionNet")
        given = [tuple(p) for p in points]
        if not given or len(set(given)) != len(given):
            raise ValueError(
                f"LayerFusionNet: points must be a non-empty list of distinct pairs, got {given}"
            )
        for p in given:
            if len(p) != 2 or not all(isinstance(i, int) and 1 <= i <= depth for i in p):
                raise ValueError(
                    f"LayerFusionNet: every point must be (i, j) with 1 <= i, j <= {depth}, got {p}"
                )
        self.points: list[Point] = [(int(p[0]), int(p[1])) for p in given]
        self.towers = nn.ModuleList(
            nn.ModuleList(nn.Linear(d if k == 0 else hidden_dim, hidden_dim) for k in range(depth))
            for d in dims
        )
        self.head = nn.Linear(2 * hidden_dim * len(self.points), n_classes)

    @property
    def n_params(self) -> int:
        return count_params(self)

    def hidden(self, x: Tensor, modality: int) -> list[Tensor]:
        """The hidden layers ``[h_1, ..., h_depth]`` of one modality, each ``(B, hidden_dim)``."""
        out, h = [], x
        tower = self.towers[modality]
        assert isinstance(tower, nn.ModuleList)
        for layer in tower:
            h = torch.relu(layer(h))
            out.append(h)
        return out

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        h1, h2 = self.hidden(x1, 0), self.hidden(x2, 1)
        z = torch.cat([torch.cat([h1[i - 1], h2[j - 1]], dim=-1) for i, j in self.points], dim=-1)
        return self.head(z)


def random_architectures(n: int, depth: int = 3, max_points: int = 2, seed: int = 0) -> list[list[Point]]:
    """``n`` distinct random architectures: each a sorted list of 1 to ``max_points`` distinct
    fusion points drawn from the ``depth x depth`` grid. Deterministic given ``seed``.

    Raises:
        ValueError: ``n`` larger than the number of distinct architectures in the space.
    """
    check_positive_int(n, "n", "random_architectures")
    grid = [(i, j) for i in range(1, depth + 1) for j in range(1, depth + 1)]
    size = sum(comb(len(grid), k) for k in range(1, max_points + 1))
    if n > size:
        raise ValueError(f"random_architectures: only {size} architectures exist, asked for {n}")
    rng = random.Random(seed)
    found: list[list[Point]] = []
    while len(found) < n:
        arch = sorted(rng.sample(grid, rng.randint(1, max_points)))
        if arch not in found:
            found.append(arch)
    return found
