"""Sizes and errors the bilinear chapters plot: parameter counts from the formulas, and the
relative error of the count-sketch estimate as the sketch grows."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from ..nn.sketch import circular_convolution


def param_counts(
    input_dims: Sequence[int],
    output_dim: int,
    rank: int = 16,
    factor: int = 2,
    sketch_dim: int = 1024,
    n_blocks: int = 2,
) -> dict[str, int]:
    """Trainable parameters of each bilinear fusion, from its formula.

    MLB and LMF use ``rank``; MFB and MFH use ``mm_dim = max(1, rank // factor)`` so that their
    projections have about the same width ``rank`` as MLB's; MCB uses ``sketch_dim``. The full
    bilinear form is only defined for two modalities.
    """
    o, dims = output_dim, list(input_dims)
    mm = max(1, rank // factor)
    counts = {
        "tfn": o * math.prod(d + 1 for d in dims) + o,
        "mcb": sketch_dim * o + o,
        "mlb": sum((d + 1) * rank for d in dims) + (rank + 1) * o,
        "mfb": sum((d + 1) * mm * factor for d in dims) + (mm + 1) * o,
        "mfh": n_blocks * sum((d + 1) * mm * factor for d in dims) + (n_blocks * mm + 1) * o,
        "lmf": rank * sum((d + 1) * o for d in dims) + rank + o,
    }
    if len(dims) == 2:
        counts = {"bilinear": dims[0] * dims[1] * o + o, **counts}
    return counts


def sketch_error(
    sketch_dim: int, dims: tuple[int, int] = (16, 16), n_draws: int = 256, seed: int = 0
) -> float:
    """Relative RMS error of the compact bilinear estimate of ``<x, x'><y, y'>``.

    Random unit vectors, ``n_draws`` independent pairs of count sketches of size ``sketch_dim``;
    the error is divided by ``|x||x'||y||y'| = 1``. It falls like ``1 / sqrt(sketch_dim)``.
    """
    g = torch.Generator().manual_seed(seed)
    vecs = [
        torch.nn.functional.normalize(torch.randn(d, generator=g, dtype=torch.float64), dim=0)
        for d in (dims[0], dims[0], dims[1], dims[1])
    ]
    x, x2, y, y2 = vecs

    def sketch_matrices(d: int) -> torch.Tensor:
        h = torch.randint(sketch_dim, (n_draws, d), generator=g)
        s = torch.randint(2, (n_draws, d), generator=g).to(torch.float64) * 2 - 1
        return torch.nn.functional.one_hot(h, sketch_dim).to(torch.float64) * s[..., None]

    c1, c2 = sketch_matrices(dims[0]), sketch_matrices(dims[1])
    p = circular_convolution(torch.einsum("i,nid->nd", x, c1), torch.einsum("j,njd->nd", y, c2))
    q = circular_convolution(torch.einsum("i,nid->nd", x2, c1), torch.einsum("j,njd->nd", y2, c2))
    truth = (x @ x2) * (y @ y2)
    return float(((p * q).sum(1) - truth).square().mean().sqrt())
