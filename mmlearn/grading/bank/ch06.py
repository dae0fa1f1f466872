"""Chapter 6, bilinear pooling: count sketch, compact bilinear pooling by FFT, TFN parameters."""

from __future__ import annotations

import math
import random

import torch

from ..checks import assert_close, assert_equal
from ..spec import Question
from ..subject import Answer


def _sketch_reference(x, hashes, signs, dim):
    c = torch.zeros(x.shape[-1], dim, dtype=x.dtype)
    c[torch.arange(x.shape[-1]), hashes] = signs.to(x.dtype)
    return x @ c


def _hashes(d, dim, seed):
    g = torch.Generator().manual_seed(seed)
    hashes = torch.randint(dim, (d,), generator=g)
    signs = torch.randint(2, (d,), generator=g).double() * 2 - 1
    return hashes, signs


def check_count_sketch(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(4, 9, generator=g, dtype=torch.float64)
    hashes = torch.tensor([0, 2, 2, 4, 1, 0, 2, 3, 4])  # several collisions
    signs = torch.tensor([1, -1, 1, 1, -1, -1, 1, -1, 1], dtype=torch.float64)
    assert_close(
        fn(x, hashes, signs, 5),
        _sketch_reference(x, hashes, signs, 5),
        "count_sketch(x, hashes, signs, 5) (coordinates that share a bucket are added)",
    )
    for d, dim, k in [(12, 7, 1), (3, 8, 2)]:
        h, s = _hashes(d, dim, seed + k)
        x = torch.randn(2, d, generator=g, dtype=torch.float64)
        assert_close(fn(x, h, s, dim), _sketch_reference(x, h, s, dim), f"the sketch of size {dim}")


def check_mcb(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed + 3)
    for d1, d2, dim, k in [(6, 5, 7, 4), (4, 8, 10, 5)]:  # odd and even sketch sizes
        x = torch.randn(3, d1, generator=g, dtype=torch.float64)
        y = torch.randn(3, d2, generator=g, dtype=torch.float64)
        hx, sx = _hashes(d1, dim, seed + k)
        hy, sy = _hashes(d2, dim, seed + k + 10)
        outer = torch.einsum("bi,bj->bij", x, y).flatten(1)
        hashes = ((hx[:, None] + hy[None, :]) % dim).flatten()
        signs = (sx[:, None] * sy[None, :]).flatten()
        expected = _sketch_reference(outer, hashes, signs, dim)
        assert_close(
            fn(x, y, hx, sx, hy, sy, dim),
            expected,
            f"mcb_fft(...) with sketch size {dim} (the sketch of the outer product)",
        )


def check_tfn_count(fn: Answer, seed: int) -> None:
    rng = random.Random(seed)
    drawn = ([rng.randint(1, 40) for _ in range(rng.randint(2, 4))], rng.randint(1, 20))
    cases = [([3, 4], 5), ([32, 16, 8], 10), ([1, 1], 1), ([2, 3, 4, 5], 2), drawn]
    for dims, out in cases:
        expected = out * math.prod(d + 1 for d in dims) + out
        assert_equal(fn(dims, out), expected, f"tfn_param_count({dims}, {out})")


QUESTIONS = [
    Question(
        "q1",
        "count_sketch",
        ("x", "hashes", "signs", "sketch_dim"),
        check_count_sketch,
        2,
        "Count sketch of a batch of vectors",
    ),
    Question(
        "q2",
        "mcb_fft",
        ("x", "y", "hashes_x", "signs_x", "hashes_y", "signs_y", "sketch_dim"),
        check_mcb,
        2,
        "Compact bilinear pooling via the FFT",
    ),
    Question(
        "q3",
        "tfn_param_count",
        ("input_dims", "output_dim"),
        check_tfn_count,
        1,
        "Parameters of tensor fusion",
    ),
]
