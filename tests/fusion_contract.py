"""Helpers for the contract that every registered fusion must satisfy (see test_fusion_contract)."""

from __future__ import annotations

import torch

from mmlearn import fusion

# Small sizes for the generic tests; a fusion with constraints sets ``test_hyper``.
DIMS = (6, 5, 4)


def modality_counts(name: str) -> list[int]:
    """The modality counts the contract runs at: the fewest the fusion takes and, where the math
    allows it, 3 (so that every M >= 3 code path is exercised)."""
    cls = fusion.get(name)
    upper = cls.max_modalities if cls.max_modalities is not None else 3
    return sorted({cls.min_modalities, min(3, upper)})


def cases() -> list[tuple[str, int]]:
    """``(name, M)`` for every registered fusion and every count of :func:`modality_counts`."""
    return [(name, m) for name in fusion.available() for m in modality_counts(name)]


def make_fusion(
    name: str, n_modalities: int | None = None, dtype: torch.dtype = torch.float64
) -> fusion.Fusion:
    cls = fusion.get(name)
    m = n_modalities or cls.min_modalities
    dims = list(DIMS[:m] if m <= 3 else [4] * m)
    torch.manual_seed(0)
    module = fusion.build(name, dims, 7, **cls.test_hyper).to(dtype)
    assert module.n_modalities == m
    return module.eval()


def make_inputs(module: fusion.Fusion, batch: int = 3, length: int = 4, dtype=torch.float64, **kw):
    shapes = []
    for i, d in enumerate(module.input_dims):
        # sequences of different lengths per modality, as in real data
        shapes.append((batch, d) if module.input_ndim == 2 else (batch, length + i, d))
    gen = torch.Generator().manual_seed(1)
    return [torch.randn(s, generator=gen, dtype=dtype, **kw) for s in shapes]


def make_masks(module: fusion.Fusion, xs: list[torch.Tensor]) -> list[torch.Tensor]:
    """Masks that drop something in every row but never everything: for vectors, the last
    modality is missing in row 0; for sequences, every modality loses its last position in row 0."""
    masks = []
    for i, x in enumerate(xs):
        if module.input_ndim == 2:
            m = torch.ones(x.shape[0], dtype=torch.bool)
            if i == len(xs) - 1:
                m[0] = False
        else:
            m = torch.ones(x.shape[0], x.shape[1], dtype=torch.bool)
            m[0, -1] = False
        masks.append(m)
    return masks
