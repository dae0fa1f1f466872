"""Chapter 6, bilinear pooling: count sketch, compact bilinear pooling by FFT, the variance of
the MCB estimate (checked against an exact enumeration), and how it scales with the sketch size."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import torch

from ..checks import as_tensor, assert_close
from ..spec import Question
from ..subject import Answer


def reference_count_sketch(x, hashes, signs, sketch_dim):
    """Count sketch of a batch ``x (B, d)``: add each signed coordinate into its bucket. Also
    shipped to the worker for question 2, whose function may call ``count_sketch`` (``uses``)."""
    return x.new_zeros(x.shape[0], sketch_dim).index_add(1, hashes, x * signs.to(x.dtype))


def _hashes(d, dim, seed):
    g = torch.Generator().manual_seed(seed)
    hashes = torch.randint(dim, (d,), generator=g)
    signs = torch.randint(2, (d,), generator=g).double() * 2 - 1
    return hashes, signs


def _same_dtype(value, dtype, name):
    t = as_tensor(value, name)
    if t.dtype != dtype:
        raise AssertionError(f"{name} should keep the dtype of the input ({dtype}), got {t.dtype}")
    return t


def _unchanged(before, after, names):
    for b, a, n in zip(before, after, names, strict=True):
        if isinstance(b, torch.Tensor) and not torch.equal(as_tensor(a, n), b):
            raise AssertionError(f"your function changed its argument `{n}` in place; work on a copy")


def check_count_sketch(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(4, 9, generator=g, dtype=torch.float64)
    hashes = torch.tensor([0, 2, 2, 4, 1, 0, 2, 3, 4])  # several collisions
    signs = torch.tensor([1, -1, 1, 1, -1, -1, 1, -1, 1], dtype=torch.float64)
    assert_close(
        fn(x, hashes, signs, 5),
        reference_count_sketch(x, hashes, signs, 5),
        "count_sketch(x, hashes, signs, 5) (coordinates that share a bucket are added)",
    )
    rng = random.Random(seed)
    cases = [(12, 7, 1, torch.float64), (3, 8, 2, torch.float64), (1, 3, 1, torch.float32)]
    cases += [(rng.randint(2, 30), rng.randint(2, 16), rng.choice([1, rng.randint(2, 9)]), torch.float32)]
    for k, (d, dim, batch, dtype) in enumerate(cases):
        h, s = _hashes(d, dim, seed + k)
        x = torch.randn(batch, d, generator=g, dtype=dtype)
        args = (x.clone(), h.clone(), s.clone(), dim)
        result = fn.call(*args, return_args=True)
        name = f"count_sketch of a ({batch}, {d}) {str(dtype)[6:]} batch, sketch size {dim}"
        _same_dtype(result.value, dtype, name)
        assert_close(
            result.value, reference_count_sketch(x.double(), h, s, dim).to(dtype), name, rtol=1e-4, atol=1e-5
        )
        _unchanged((x, h, s), (result.args_after or [])[:3], ("x", "hashes", "signs"))


def _mcb_reference(x, y, hx, sx, hy, sy, dim):
    outer = torch.einsum("bi,bj->bij", x, y).flatten(1)
    hashes = ((hx[:, None] + hy[None, :]) % dim).flatten()
    signs = (sx[:, None] * sy[None, :]).flatten()
    return reference_count_sketch(outer, hashes, signs, dim)


def check_mcb(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed + 3)
    rng = random.Random(seed)
    cases = [(6, 5, 7, 3, torch.float64), (4, 8, 10, 3, torch.float64), (5, 3, 6, 1, torch.float32)]
    cases.append(
        (rng.randint(2, 20), rng.randint(2, 20), rng.randint(3, 33), rng.randint(2, 6), torch.float32)
    )
    for k, (d1, d2, dim, batch, dtype) in enumerate(cases):  # odd and even sketch sizes, batch 1
        x = torch.randn(batch, d1, generator=g, dtype=dtype)
        y = torch.randn(batch, d2, generator=g, dtype=dtype)
        hx, sx = _hashes(d1, dim, seed + 4 + k)
        hy, sy = _hashes(d2, dim, seed + 14 + k)
        expected = _mcb_reference(x.double(), y.double(), hx, sx, hy, sy, dim)
        result = fn.call(x.clone(), y.clone(), hx, sx, hy, sy, dim, return_args=True)
        name = f"mcb_fft(...) on ({batch}, {d1}) and ({batch}, {d2}) inputs, sketch size {dim}"
        _same_dtype(result.value, dtype, name)
        assert_close(
            result.value, expected.to(dtype), f"{name} (the sketch of the outer product)", 1e-4, 1e-4
        )
        _unchanged((x, y), (result.args_after or [])[:2], ("x", "y"))
    # "Use the FFT; never form the outer product": with 200,000 features per modality the outer
    # product would hold 4e10 numbers per sample (an allocation that fails at once), while the
    # two count sketches and their FFTs are small. The expected value is computed the same way.
    d = 200_000
    dim = rng.randint(16, 64)
    x = torch.randn(2, d, generator=g, dtype=torch.float64)
    y = torch.randn(2, d, generator=g, dtype=torch.float64)
    hx, sx = _hashes(d, dim, seed + 40)
    hy, sy = _hashes(d, dim, seed + 41)
    px, py = reference_count_sketch(x, hx, sx, dim), reference_count_sketch(y, hy, sy, dim)
    expected = torch.fft.irfft(torch.fft.rfft(px) * torch.fft.rfft(py), n=dim)
    name = f"mcb_fft(...) on two (2, {d:,}) inputs, sketch size {dim} (the FFT route; no outer product)"
    assert_close(as_tensor(fn(x, y, hx, sx, hy, sy, dim), name), expected, name, 1e-6, 1e-6)


def exact_mcb_variance(x, xp, y, yp, dim: int) -> tuple[float, float]:
    """Mean and variance of <psi(x⊗y), psi(x'⊗y')> over EVERY hash and sign function (tiny sizes).

    Enumerates all ``dim^d1 2^d1`` draws of ``(h1, s1)`` and all ``dim^d2 2^d2`` of ``(h2, s2)``,
    which are equally likely: the exact moments, not an estimate.
    """

    def sketches(vectors, d):
        h = torch.tensor(list(itertools.product(range(dim), repeat=d)))  # (dim^d, d)
        s = torch.tensor(list(itertools.product([-1.0, 1.0], repeat=d)), dtype=torch.float64)
        onehot = torch.nn.functional.one_hot(h, dim).double()  # (dim^d, d, dim)
        return [torch.einsum("i,hia,si->hsa", v, onehot, s).reshape(-1, dim) for v in vectors]

    px, pxp = sketches([x, xp], len(x))
    py, pyp = sketches([y, yp], len(y))
    idx = (torch.arange(dim)[None, :] - torch.arange(dim)[:, None]) % dim  # idx[a, c] = (c - a) mod D

    def conv(p, q):  # circular convolution of every sketch of x with every sketch of y
        return torch.einsum("na,mac->nmc", p, q[:, idx])

    est = (conv(px, py) * conv(pxp, pyp)).sum(-1)
    return float(est.mean()), float(est.var(unbiased=False))


def check_mcb_variance(fn: Answer, seed: int) -> None:
    rng = random.Random(seed)
    g = torch.Generator().manual_seed(seed + 7)
    cases = [(2, 2, 3), (3, 2, 2), (2, 3, 4), (rng.randint(2, 3), 2, rng.randint(3, 5))]
    for k, (d1, d2, dim) in enumerate(cases):
        x, xp = (
            torch.randn(d1, generator=g, dtype=torch.float64),
            torch.randn(d1, generator=g, dtype=torch.float64),
        )
        y, yp = (
            torch.randn(d2, generator=g, dtype=torch.float64),
            torch.randn(d2, generator=g, dtype=torch.float64),
        )
        _, exact = exact_mcb_variance(x, xp, y, yp, dim)
        value = fn(x, xp, y, yp, dim, 40_000, seed + k)
        if isinstance(value, torch.Tensor) and value.numel() == 1:
            value = value.item()
        if not isinstance(value, float) or not math.isfinite(value):
            raise AssertionError(f"mcb_variance should return a finite float, got {type(value).__name__}")
        if not math.isclose(value, exact, rel_tol=0.08):
            raise AssertionError(
                f"mcb_variance for d1={d1}, d2={d2}, sketch size {dim}: {value:.4g}, but the exact variance "
                f"over all hash and sign functions is {exact:.4g} (independent draws of h1, s1, h2, s2; "
                "the sketch of x⊗y uses the hash (h1(i) + h2(j)) mod D)"
            )


def reference_mcb_variance(x, xp, y, yp, sketch_dim, n_draws, seed):
    gen = torch.Generator().manual_seed(seed)

    def matrices(d):
        h = torch.randint(sketch_dim, (n_draws, d), generator=gen)
        s = torch.randint(2, (n_draws, d), generator=gen).double() * 2 - 1
        return torch.nn.functional.one_hot(h, sketch_dim).double() * s[..., None]

    c1, c2 = matrices(len(x)), matrices(len(y))

    def conv(p, q):
        return torch.fft.irfft(torch.fft.rfft(p) * torch.fft.rfft(q), n=sketch_dim)

    p = conv(torch.einsum("i,nid->nd", x, c1), torch.einsum("j,njd->nd", y, c2))
    q = conv(torch.einsum("i,nid->nd", xp, c1), torch.einsum("j,njd->nd", yp, c2))
    return float((p * q).sum(1).var())


def check_variance_slope(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed + 11)
    for k, d in enumerate([8, 12]):
        vecs = [torch.randn(d, generator=g, dtype=torch.float64) for _ in range(4)]
        sizes = [16, 32, 64, 128, 256]
        value = fn(*vecs, sizes, 3000, seed + k)
        if isinstance(value, torch.Tensor) and value.numel() == 1:
            value = value.item()
        if not isinstance(value, float):
            raise AssertionError(f"variance_slope should return a float, got {type(value).__name__}")
        logs = np.log(
            [reference_mcb_variance(vecs[0], vecs[1], vecs[2], vecs[3], s, 3000, seed + k) for s in sizes]
        )
        expected = float(np.polyfit(np.log(sizes), logs, 1)[0])
        if abs(value - expected) > 0.12:
            raise AssertionError(
                f"variance_slope for d = {d}: {value:.3f}, expected about {expected:.3f} (the slope of "
                "log Var against log D, both natural logarithms, over the given sizes)"
            )


QUESTIONS = [
    Question(
        "q1",
        "count_sketch",
        ("x", "hashes", "signs", "sketch_dim"),
        check_count_sketch,
        2,
        "Count sketch of a batch of vectors",
        kind="implementation",
        reference=reference_count_sketch,
    ),
    Question(
        "q2",
        "mcb_fft",
        ("x", "y", "hashes_x", "signs_x", "hashes_y", "signs_y", "sketch_dim"),
        check_mcb,
        2,
        "Compact bilinear pooling via the FFT",
        kind="implementation",
        uses=("q1",),
    ),
    Question(
        "q3",
        "mcb_variance",
        ("x", "xp", "y", "yp", "sketch_dim", "n_draws", "seed"),
        check_mcb_variance,
        2,
        "The variance of the MCB estimate for two modalities (derivation, checked numerically)",
        kind="derivation",
        reference=reference_mcb_variance,
    ),
    Question(
        "q4",
        "variance_slope",
        ("x", "xp", "y", "yp", "sketch_dims", "n_draws", "seed"),
        check_variance_slope,
        2,
        "Experiment: how the variance scales with the sketch size",
        kind="experiment",
        uses=("q3",),
    ),
]
