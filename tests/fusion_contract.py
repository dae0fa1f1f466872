"""Helpers for the contract that every registered fusion must satisfy (see test_fusion_contract)."""

from __future__ import annotations

import torch

from mmlearn import fusion as F

# Small sizes for the generic tests; a fusion with constraints sets ``example_hyper``.
DIMS3 = (6, 5, 4)


def make_fusion(name: str, n_modalities: int | None = None, dtype=torch.float64) -> F.Fusion:
    cls = F.get(name)
    m = n_modalities or cls.min_modalities
    dims = list(getattr(cls, "example_input_dims", DIMS3[:m] if m <= 3 else [4] * m))
    out = getattr(cls, "example_output_dim", 7)
    torch.manual_seed(0)
    module = F.build(name, dims, out, **cls.example_hyper).to(dtype)
    return module.eval()


def make_inputs(module: F.Fusion, batch: int = 3, length: int = 4, dtype=torch.float64, **kw):
    shapes = []
    for d in module.input_dims:
        shapes.append((batch, d) if module.input_ndim == 2 else (batch, length, d))
    gen = torch.Generator().manual_seed(1)
    return [torch.randn(s, generator=gen, dtype=dtype, **kw) for s in shapes]
