r"""Synthetic two-modality tasks whose redundancy, uniqueness and synergy are known by construction.

Each sample has two discrete latent values ``b_1, b_2`` in ``{0, ..., k-1}`` (``k = n_values``);
modality ``m`` shows ``b_m`` through a fixed random code, ``x_m = E_m[b_m] + noise * eps``
with ``E_m (k, dim)`` rows of unit norm and ``eps ~ N(0, I_dim)``. The label depends on the
latents in one of three ways:

============== ============================== ================================================
``kind``       latents and label              information about ``y`` (in bits, ``log2 k``
                                              for ``H(y)``)
============== ============================== ================================================
redundant      ``b_1 = b_2 = b``, ``y = b``   all of it in both modalities: redundancy
unique         ``b_1 ⊥ b_2``, ``y = b_1``     all of it in modality 1 only: unique to x_1
synergistic    ``b_1 ⊥ b_2``,                 none in either modality alone, all in the pair:
               ``y = (b_1 + b_2) mod k``      synergy (``k = 2``: XOR)
============== ============================== ================================================

With ``k = 2`` the codes are antipodal (``E_m[0] = -E_m[1]``), so in the synergistic task every
function ``g_1(x_1) + g_2(x_2)`` is at chance on noise-free data, while the product of the
two signs is exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from .._validation import check_choice, check_positive_int
from .dataset import MultimodalDataset

PID_KINDS = ("redundant", "unique", "synergistic")


@dataclass(frozen=True)
class PIDTask:
    """A generated task: features ``x1, x2 (n, dim)`` float32, latents ``b1, b2 (n,)`` and labels
    ``y (n,)`` int64, the ``kind`` and the codes ``codes (2, k, dim)``."""

    kind: str
    x1: Tensor
    x2: Tensor
    b1: Tensor
    b2: Tensor
    y: Tensor
    codes: Tensor

    def dataset(self) -> MultimodalDataset:
        """The features and labels as a :class:`MultimodalDataset` (names ``x1``, ``x2``)."""
        return MultimodalDataset([self.x1, self.x2], self.y, names=["x1", "x2"])


def make_pid_task(
    kind: str, n: int = 1000, dim: int = 8, n_values: int = 2, noise: float = 0.1, seed: int = 0
) -> PIDTask:
    """Generate the task ``kind`` (``"redundant"``, ``"unique"`` or ``"synergistic"``, see the
    module docstring) with ``n`` samples, features of size ``dim``, ``n_values`` latent values
    and feature noise of standard deviation ``noise``; seeded by ``seed``."""
    owner = "make_pid_task"
    check_choice(kind, "kind", owner, PID_KINDS)
    check_positive_int(n, "n", owner)
    check_positive_int(dim, "dim", owner)
    check_positive_int(n_values, "n_values", owner)
    if n_values < 2:
        raise ValueError(f"{owner}: n_values must be at least 2, got {n_values}")
    if not isinstance(noise, int | float) or noise < 0:
        raise ValueError(f"{owner}: noise must be a non-negative float, got {noise!r}")
    gen = torch.Generator().manual_seed(seed)
    if n_values == 2:
        u = torch.randn(2, 1, dim, generator=gen)
        codes = torch.cat([-u, u], dim=1)  # (2, 2, dim): antipodal
    else:
        codes = torch.randn(2, n_values, dim, generator=gen)
    codes = codes / codes.norm(dim=-1, keepdim=True)
    b1 = torch.randint(n_values, (n,), generator=gen)
    b2 = b1.clone() if kind == "redundant" else torch.randint(n_values, (n,), generator=gen)
    y = (b1 + b2) % n_values if kind == "synergistic" else b1.clone()
    x1 = codes[0, b1] + noise * torch.randn(n, dim, generator=gen)  # (n, dim)
    x2 = codes[1, b2] + noise * torch.randn(n, dim, generator=gen)
    return PIDTask(kind, x1, x2, b1, b2, y, codes)
