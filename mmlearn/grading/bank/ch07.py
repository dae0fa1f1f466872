"""Chapter 7, low-rank bilinear: MLB forward, MFB as a Tucker model with a fixed 0/1 core, the LMF
rank that represents a TFN of given CP ranks, and a signed square root with a finite gradient."""

from __future__ import annotations

import random

import torch

from ..checks import as_tensor, assert_close, assert_dtype_preserved, assert_shape
from ..spec import Question
from ..subject import Answer


def check_mlb(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    rng = random.Random(seed)
    drawn = tuple(rng.randint(1, 9) for _ in range(rng.randint(2, 5)))
    for dims, batch in [((4, 5), 5), ((3, 6, 2), 5), ((2, 3, 4, 5), 1), (drawn, rng.randint(1, 6))]:
        rank, out = 7, 3
        xs = [torch.randn(batch, d, generator=g, dtype=torch.float64) for d in dims]
        ws = [torch.randn(rank, d, generator=g, dtype=torch.float64) for d in dims]
        bs = [torch.randn(rank, generator=g, dtype=torch.float64) for _ in dims]
        w_out = torch.randn(out, rank, generator=g, dtype=torch.float64)
        b_out = torch.randn(out, generator=g, dtype=torch.float64)
        z = torch.ones(batch, rank, dtype=torch.float64)
        for x, w, b in zip(xs, ws, bs, strict=True):
            z = z * (x @ w.T + b)
        expected = z @ w_out.T + b_out
        result = fn.call([x.clone() for x in xs], ws, bs, w_out, b_out, return_args=True)
        assert_close(result.value, expected, f"mlb_forward for {len(dims)} modalities, batch {batch}")
        if any(
            not torch.equal(as_tensor(a, "xs"), x)
            for a, x in zip((result.args_after or [xs])[0], xs, strict=True)
        ):
            raise AssertionError("mlb_forward changed the inputs xs in place; build a new tensor")


def mfb_core_reference(mm_dim: int, factor: int) -> torch.Tensor:
    """The 0/1 core ``T (m, m k, m k)``: ``T[j, a, b] = 1`` iff ``a == b`` and ``a // k == j``."""
    width = mm_dim * factor
    core = torch.zeros(mm_dim, width, width, dtype=torch.float64)
    a = torch.arange(width)
    core[a // factor, a, a] = 1.0
    return core


def check_mfb_core(fn: Answer, seed: int) -> None:
    rng = random.Random(seed)
    g = torch.Generator().manual_seed(seed + 1)
    for m, k in [(4, 3), (1, 1), (3, 1), (2, 5), (rng.randint(2, 6), rng.randint(2, 4))]:
        value = as_tensor(fn(m, k), f"mfb_core({m}, {k})")
        if value.dtype.is_floating_point is False:
            value = value.double()
        expected = mfb_core_reference(m, k)
        assert_close(value, expected, f"mfb_core({m}, {k}) (shape (m, m k, m k), entries 0 or 1)")
        a = torch.randn(3, m * k, generator=g, dtype=torch.float64)
        b = torch.randn(3, m * k, generator=g, dtype=torch.float64)
        pooled = (a * b).view(3, m, k).sum(-1)  # MFB: windows of k consecutive products
        tucker = torch.einsum("jab,na,nb->nj", value.double(), a, b)
        assert_close(tucker, pooled, f"the Tucker core contraction with mfb_core({m}, {k}) (MFB's pooling)")


def _cp_case(dims, out, ranks, g):
    """Per-output CP factors of a TFN weight: factors[l][m] is (r_l, d_m + 1)."""
    return [[torch.randn(r, d + 1, generator=g, dtype=torch.float64) for d in dims] for r in ranks]


def _tfn_weight_from_cp(cp, dims):
    out = []
    for per_mod in cp:
        w = torch.zeros(*(d + 1 for d in dims), dtype=torch.float64)
        for r in range(per_mod[0].shape[0]):
            term = per_mod[0][r]
            for f in per_mod[1:]:
                term = torch.tensordot(term, f[r], dims=0)
            w = w + term
        out.append(w)
    return torch.stack(out)  # (o, d_1 + 1, ..., d_M + 1)


def check_lmf_from_cp(fn: Answer, seed: int) -> None:
    rng = random.Random(seed)
    g = torch.Generator().manual_seed(seed + 2)
    cases = [([3, 2], [2, 1, 3]), ([2, 3, 2], [1, 2]), ([2, 2, 1, 2], [3]), ([4, 3], [1, 1, 1, 1])]
    cases.append(
        (
            [rng.randint(1, 4) for _ in range(rng.randint(2, 4))],
            [rng.randint(1, 4) for _ in range(rng.randint(1, 4))],
        )
    )
    letters = "abcdefgh"
    for dims, ranks in cases:
        cp = _cp_case(dims, len(ranks), ranks, g)
        value = fn(cp)
        name = f"lmf_from_cp for input sizes {dims} and output slices of CP ranks {ranks}"
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            raise AssertionError(f"{name} should return (factors, fusion_weights)")
        factors, weights = value
        if not isinstance(factors, (tuple, list)) or len(factors) != len(dims):
            raise AssertionError(f"{name}: factors should be a list with one tensor per modality")
        rank = max(ranks)
        weights = assert_shape(weights, (rank,), f"{name}: fusion_weights (the smallest rank that works)")
        factors = [
            assert_shape(f, (rank, d + 1, len(ranks)), f"{name}: factor of modality {m}")
            for m, (f, d) in enumerate(zip(factors, dims, strict=True))
        ]
        spec = "r," + ",".join(f"r{c}o" for c in letters[: len(dims)]) + "->o" + letters[: len(dims)]
        rebuilt = torch.einsum(spec, weights.double(), *(f.double() for f in factors))
        assert_close(rebuilt, _tfn_weight_from_cp(cp, dims), f"{name}: the TFN weight the LMF represents")


def check_signed_sqrt(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed + 5)
    shape = [(5,), (int(torch.randint(1, 5, (1,), generator=g)), 7)][seed % 2]
    drawn = 3 * torch.randn(*shape, generator=g, dtype=torch.float64)
    drawn.view(-1)[0] = 0.0  # always one zero: where the naive gradient is NaN
    cases = [torch.tensor([4.0, -9.0, 0.25, -0.01, 0.0], dtype=torch.float64), drawn]
    for z in cases:
        name = f"signed_sqrt(z) for z of shape {tuple(z.shape)}"
        result = fn.call(z, grad=(0,))
        expected = z.sign() * z.abs().sqrt()
        assert_close(as_tensor(result.value, name), expected, name, atol=1e-3)
        grad = result.grads[0] if result.grads else None
        if not isinstance(grad, torch.Tensor) or grad.shape != z.shape:
            raise AssertionError(f"{name} should be differentiable with respect to z (no gradient came back)")
        if not torch.isfinite(grad).all():
            raise AssertionError("the gradient of signed_sqrt is NaN or inf somewhere (look at z = 0)")
        if (grad[z != 0] <= 0).any():
            raise AssertionError("signed_sqrt should be increasing: its gradient must be positive")
    assert_dtype_preserved(fn, lambda dt: (drawn.to(dt),), name="signed_sqrt(z)")


QUESTIONS = [
    Question(
        "q1",
        "mlb_forward",
        ("xs", "weights", "biases", "out_weight", "out_bias"),
        check_mlb,
        2,
        "MLB forward pass for M modalities",
        kind="implementation",
    ),
    Question(
        "q2",
        "mfb_core",
        ("mm_dim", "factor"),
        check_mfb_core,
        2,
        "MFB as a Tucker model with a fixed 0/1 core",
        kind="derivation",
    ),
    Question(
        "q3",
        "lmf_from_cp",
        ("cp_factors",),
        check_lmf_from_cp,
        2,
        "The LMF rank that represents a TFN of given CP ranks",
        kind="derivation",
    ),
    Question(
        "q4",
        "signed_sqrt",
        ("z",),
        check_signed_sqrt,
        1,
        "Signed square root with a finite gradient",
        kind="implementation",
    ),
]
