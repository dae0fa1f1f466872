"""Chapter 7, low-rank bilinear: MLB forward, MFB sum pooling, parameter counts, signed sqrt."""

from __future__ import annotations

import random

import torch

from ..checks import assert_close, assert_equal
from ..spec import Question
from ..subject import Answer


def check_mlb(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    for dims in [(4, 5), (3, 6, 2)]:
        rank, out = 7, 3
        xs = [torch.randn(5, d, generator=g, dtype=torch.float64) for d in dims]
        ws = [torch.randn(rank, d, generator=g, dtype=torch.float64) for d in dims]
        bs = [torch.randn(rank, generator=g, dtype=torch.float64) for _ in dims]
        w_out = torch.randn(out, rank, generator=g, dtype=torch.float64)
        b_out = torch.randn(out, generator=g, dtype=torch.float64)
        z = torch.ones(5, rank, dtype=torch.float64)
        for x, w, b in zip(xs, ws, bs, strict=True):
            z = z * (x @ w.T + b)
        expected = z @ w_out.T + b_out
        assert_close(fn(xs, ws, bs, w_out, b_out), expected, f"mlb_forward for {len(dims)} modalities")


def check_mfb_pool(fn: Answer, seed: int) -> None:
    z = torch.arange(12, dtype=torch.float64).reshape(1, 12)
    assert_close(
        fn(z, 3),
        torch.tensor([[3.0, 12.0, 21.0, 30.0]], dtype=torch.float64),
        "sum_pool(arange(12), 3) (windows of consecutive entries)",
    )
    g = torch.Generator().manual_seed(seed + 1)
    z = torch.randn(4, 10, generator=g, dtype=torch.float64)
    assert_close(fn(z, 2), z.view(4, 5, 2).sum(-1), "sum_pool(z, 2) for a batch of 4")
    assert_close(fn(z, 1), z, "sum_pool(z, 1) (factor 1 changes nothing)")


def _drawn(seed: int) -> tuple[list[int], int, int]:
    """A case the student cannot know in advance: input dims, output dim, rank."""
    rng = random.Random(seed)
    return [rng.randint(1, 100) for _ in range(rng.randint(2, 4))], rng.randint(1, 30), rng.randint(1, 50)


def check_mlb_count(fn: Answer, seed: int) -> None:
    for dims, out, rank in [([3, 4], 5, 6), ([64, 64], 10, 160), ([8, 6, 4], 2, 3), _drawn(seed)]:
        expected = sum((d + 1) * rank for d in dims) + (rank + 1) * out
        assert_equal(fn(dims, out, rank), expected, f"mlb_param_count({dims}, {out}, {rank})")


def check_lmf_count(fn: Answer, seed: int) -> None:
    for dims, out, rank in [([3, 4], 5, 6), ([64, 64, 32], 10, 4), ([1, 1], 1, 1), _drawn(seed)]:
        expected = rank * sum((d + 1) * out for d in dims) + rank + out
        assert_equal(fn(dims, out, rank), expected, f"lmf_param_count({dims}, {out}, {rank})")


def check_signed_sqrt(fn: Answer, seed: int) -> None:
    z = torch.tensor([4.0, -9.0, 0.25, -0.01, 0.0], dtype=torch.float64)
    result = fn.call(z, grad=(0,))
    expected = torch.tensor([2.0, -3.0, 0.5, -0.1, 0.0], dtype=torch.float64)
    assert_close(result.value, expected, "signed_sqrt(z)", atol=1e-3)
    grad = result.grads[0] if result.grads else None
    if not isinstance(grad, torch.Tensor) or grad.shape != z.shape:
        raise AssertionError(
            "signed_sqrt(z) should be differentiable with respect to z (no gradient came back)"
        )
    if not torch.isfinite(grad).all():
        raise AssertionError("the gradient of signed_sqrt is NaN or inf somewhere (look at z = 0)")
    if grad[0] <= 0 or grad[1] <= 0:
        raise AssertionError("signed_sqrt should be increasing: its gradient must be positive")


QUESTIONS = [
    Question(
        "q1",
        "mlb_forward",
        ("xs", "weights", "biases", "out_weight", "out_bias"),
        check_mlb,
        2,
        "MLB forward pass for M modalities",
    ),
    Question("q2", "sum_pool", ("z", "factor"), check_mfb_pool, 1, "MFB sum pooling"),
    Question(
        "q3", "mlb_param_count", ("input_dims", "output_dim", "rank"), check_mlb_count, 1, "Parameters of MLB"
    ),
    Question(
        "q4", "lmf_param_count", ("input_dims", "output_dim", "rank"), check_lmf_count, 1, "Parameters of LMF"
    ),
    Question("q5", "signed_sqrt", ("z",), check_signed_sqrt, 1, "Signed square root with a finite gradient"),
]
