"""Count sketch, circular convolution and compact bilinear pooling: identities and unbiasedness."""

from __future__ import annotations

import math

import pytest
import torch

from mmlearn.nn.sketch import (
    CountSketch,
    circular_convolution,
    compact_bilinear,
    count_sketch,
    sketch_outer_product,
)
from tests.helpers import D64


def _pair(d1=7, d2=5, dim=11, seed=0):
    g = torch.Generator().manual_seed(seed)
    return CountSketch(d1, dim, g).double(), CountSketch(d2, dim, g).double()


def test_count_sketch_is_the_sparse_matrix_product():
    sketch = _pair()[0]
    x = torch.randn(4, 7, dtype=D64)
    c = sketch.matrix()
    torch.testing.assert_close(sketch(x), x @ c)
    # one +-1 per row, in column h(i)
    assert torch.equal(c.abs().sum(1), torch.ones(7, dtype=D64))
    assert torch.equal(c.abs().argmax(1), sketch.hashes)


def test_count_sketch_rejects_mismatched_hashes():
    with pytest.raises(ValueError, match="hashes and signs"):
        count_sketch(torch.randn(2, 3), torch.zeros(4, dtype=torch.long), torch.ones(4), 5)


def test_circular_convolution_matches_its_definition():
    g = torch.Generator().manual_seed(1)
    a, b, c = (torch.randn(3, 9, generator=g, dtype=D64) for _ in range(3))
    n = 9
    direct = torch.stack([sum(a[:, j] * b[:, (k - j) % n] for j in range(n)) for k in range(n)], 1)
    torch.testing.assert_close(circular_convolution(a, b), direct)
    # associative and commutative: three signals in any order
    nested = circular_convolution(c, circular_convolution(b, a))
    torch.testing.assert_close(circular_convolution(a, b, c), nested)


@pytest.mark.parametrize("dim", [1, 8, 11])
def test_fft_sketch_equals_sketch_of_the_explicit_outer_product(dim):
    first, second = _pair(dim=dim)
    x, y = torch.randn(4, 7, dtype=D64), torch.randn(4, 5, dtype=D64)
    fast = compact_bilinear([x, y], [first, second])
    torch.testing.assert_close(fast, sketch_outer_product(x, y, first, second))


def _estimates(x, y, x2, y2, dim, n_draws, seed):
    """<psi(x ⊗ y), psi(x2 ⊗ y2)> for ``n_draws`` independent pairs of hash functions."""
    g = torch.Generator().manual_seed(seed)
    d1, d2 = x.numel(), y.numel()

    def matrices(d):
        h = torch.randint(dim, (n_draws, d), generator=g)
        s = torch.randint(2, (n_draws, d), generator=g).to(D64) * 2 - 1
        return torch.nn.functional.one_hot(h, dim).to(D64) * s[..., None]  # (n, d, D)

    c1, c2 = matrices(d1), matrices(d2)
    p = circular_convolution(torch.einsum("i,nid->nd", x, c1), torch.einsum("j,njd->nd", y, c2))
    q = circular_convolution(torch.einsum("i,nid->nd", x2, c1), torch.einsum("j,njd->nd", y2, c2))
    return (p * q).sum(1)


@pytest.mark.parametrize("dim", [4, 32])
def test_compact_bilinear_inner_product_is_unbiased(dim):
    """E <psi(x⊗y), psi(x'⊗y')> = <x,x'><y,y'>: the mean of n draws lies within 4.5 standard
    errors (sample standard deviation / sqrt(n)) of the truth."""
    g = torch.Generator().manual_seed(3)
    x, x2 = torch.randn(6, generator=g, dtype=D64), torch.randn(6, generator=g, dtype=D64)
    y, y2 = torch.randn(5, generator=g, dtype=D64), torch.randn(5, generator=g, dtype=D64)
    truth = (x @ x2) * (y @ y2)
    est = _estimates(x, y, x2, y2, dim, n_draws=20000, seed=4)
    stderr = est.std() / math.sqrt(est.numel())
    assert abs(est.mean() - truth) < 4.5 * stderr, (est.mean().item(), truth.item(), stderr.item())
    # the test has power: the estimate is not trivially exact (variance > 0)
    assert est.std() > 1e-3


def test_count_sketch_variance_matches_the_formula():
    """Plain count sketch, i.i.d. uniform hash: Var <psi(u), psi(v)> =
    (|u|^2 |v|^2 + <u,v>^2 - 2 sum_i u_i^2 v_i^2) / D. The sample variance of n draws has a
    relative standard error about sqrt(2 / n) times a kurtosis factor; we allow 15%."""
    g = torch.Generator().manual_seed(5)
    u, v = torch.randn(12, generator=g, dtype=D64), torch.randn(12, generator=g, dtype=D64)
    dim, n = 8, 40000
    h = torch.randint(dim, (n, 12), generator=g)
    s = torch.randint(2, (n, 12), generator=g).to(D64) * 2 - 1
    c = torch.nn.functional.one_hot(h, dim).to(D64) * s[..., None]
    est = (torch.einsum("i,nid->nd", u, c) * torch.einsum("i,nid->nd", v, c)).sum(1)
    var = ((u @ u) * (v @ v) + (u @ v) ** 2 - 2 * (u**2 @ v**2)) / dim
    assert abs(est.mean() - u @ v) < 4.5 * math.sqrt(var / n)
    assert 0.85 < (est.var() / var).item() < 1.15


def test_variance_shrinks_with_the_sketch_size():
    g = torch.Generator().manual_seed(6)
    x, x2, y, y2 = (torch.randn(6, generator=g, dtype=D64) for _ in range(4))
    small = _estimates(x, y, x2, y2, 8, 8000, seed=7).var()
    large = _estimates(x, y, x2, y2, 64, 8000, seed=8).var()
    # variance ~ 1/D: eight times the size, well under half the variance
    assert large < small / 3
