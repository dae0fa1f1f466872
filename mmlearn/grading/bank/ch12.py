"""Chapter 12, coordinated representations: canonical correlations, the InfoNCE estimate of
mutual information, Wang and Isola's uniformity, and the InfoNCE bound checked numerically on
Gaussian modalities (a derivation graded with the reference ``infonce_estimate``)."""

from __future__ import annotations

import math
import random

import torch

from ..checks import as_tensor, assert_close, assert_dtype_preserved, assert_not_modified, draw_batches
from ..spec import Question
from ..subject import Answer

D = torch.float64


def _views(n: int, p: int, q: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(n, 2, generator=g, dtype=D)
    x = torch.cat([z, torch.randn(n, p - 2, generator=g, dtype=D)], 1) @ torch.randn(
        p, p, generator=g, dtype=D
    )
    y = torch.cat(
        [
            0.8 * z + 0.6 * torch.randn(n, 2, generator=g, dtype=D),
            torch.randn(n, q - 2, generator=g, dtype=D),
        ],
        1,
    )
    return x + 3.0, y - 1.0  # non-zero means: the answer must centre


def _inv_sqrt(c: torch.Tensor) -> torch.Tensor:
    e, v = torch.linalg.eigh(c)
    return (v * e.rsqrt()) @ v.T


def _cca(x, y, reg):
    n = x.shape[0]
    xc, yc = x - x.mean(0), y - y.mean(0)
    cxx = xc.T @ xc / n + reg * torch.eye(x.shape[1], dtype=D)
    cyy = yc.T @ yc / n + reg * torch.eye(y.shape[1], dtype=D)
    return torch.linalg.svdvals(_inv_sqrt(cxx) @ (xc.T @ yc / n) @ _inv_sqrt(cyy))[
        : min(x.shape[1], y.shape[1])
    ]


def check_cca(fn: Answer, seed: int) -> None:
    x, y = _views(200, 5, 3, seed)
    assert_close(fn(x, y, 0.0), _cca(x, y, 0.0), "cca_correlations(x, y, 0.0) (3 values, descending)")
    assert_close(
        fn(x, y, 0.5), _cca(x, y, 0.5), "cca_correlations(x, y, 0.5) (the ridge on both covariances)"
    )
    assert_close(fn(y, x, 0.0), _cca(x, y, 0.0), "cca_correlations(y, x, 0.0) (CCA is symmetric)")
    wide_x, wide_y = _views(6, 8, 4, seed + 1)  # fewer rows than features
    assert_close(
        fn(wide_x, wide_y, 0.0 + 1e-9),
        torch.ones(4, dtype=D),
        "cca_correlations with 6 rows and 8 + 4 features (every correlation is 1 without a ridge)",
        atol=1e-4,
    )


def _scalar(value, name: str) -> torch.Tensor:
    t = as_tensor(value, name)
    if t.numel() != 1:
        raise AssertionError(f"{name} should be a scalar, got shape {tuple(t.shape)}")
    return t.reshape(())


def _estimate(s):
    return math.log(s.shape[0]) + (s.diagonal() - torch.logsumexp(s, dim=1)).mean()


def infonce_estimate_reference(scores):
    """log n - L_n for a critic's scores (n, n): row i scores u_i against every v_j."""
    n = scores.shape[0]
    return math.log(n) + (scores.diagonal() - torch.logsumexp(scores, dim=1)).mean()


def check_bound(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed + 2)
    rng = random.Random(seed + 2)
    for n in [*draw_batches(rng, 9), rng.randint(10, 50)]:
        sc = 3 * torch.randn(n, n, generator=g, dtype=D)
        out = assert_not_modified(fn, sc, name=f"infonce_estimate(scores {tuple(sc.shape)})")
        assert_close(
            _scalar(out, "infonce_estimate"), _estimate(sc), f"infonce_estimate on random ({n}, {n}) scores"
        )
    assert_dtype_preserved(
        fn, lambda dt: (torch.randn(4, 4, generator=g).to(dt),), name="infonce_estimate(scores)"
    )
    s = torch.randn(8, 8, generator=g, dtype=D)
    assert_close(
        _scalar(fn(s), "infonce_estimate(scores)"), _estimate(s), "infonce_estimate on random scores"
    )
    assert_close(
        _scalar(fn(torch.zeros(6, 6, dtype=D)), "infonce_estimate(0)"),
        torch.tensor(0.0, dtype=D),
        "infonce_estimate of a constant critic (it certifies nothing)",
    )
    sharp = 1000.0 * torch.eye(5, dtype=D)
    value = _scalar(fn(sharp), "infonce_estimate(1000 I)")
    if not torch.isfinite(value):
        raise AssertionError("infonce_estimate(1000 I) is not finite: use log-sum-exp, not exp")
    assert_close(
        value, torch.tensor(math.log(5), dtype=D), "infonce_estimate of a perfect critic (the ceiling)"
    )
    skew = s.clone()
    skew[0, 1:] += 5.0  # row 0's negatives score high: rows and columns differ
    assert_close(
        _scalar(fn(skew), "infonce_estimate"),
        _estimate(skew),
        "infonce_estimate when the scores are not symmetric (row i: u_i against every v_j)",
    )


def _uniformity(u, t):
    u = u / u.norm(dim=1, keepdim=True)
    sq = torch.pdist(u).pow(2)
    return torch.logsumexp(-t * sq, 0) - math.log(sq.numel())


def check_uniformity(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed + 3)
    rng = random.Random(seed + 3)
    for n in (2, rng.randint(3, 10), rng.randint(11, 40)):
        uu = torch.randn(n, rng.randint(2, 8), generator=g, dtype=D)
        t = rng.choice([0.5, 1.0, 2.0, 4.0])
        out = assert_not_modified(fn, uu, t, name=f"uniformity(u {tuple(uu.shape)}, {t})")
        assert_close(
            _scalar(out, "uniformity"), _uniformity(uu, t), f"uniformity on {tuple(uu.shape)} rows, t = {t}"
        )
    u = torch.randn(30, 4, generator=g, dtype=D)
    assert_close(
        _scalar(fn(u, 2.0), "uniformity(u, 2)"), _uniformity(u, 2.0), "uniformity(u, 2) on random rows"
    )
    assert_close(
        _scalar(fn(5.0 * u, 2.0), "uniformity(5u, 2)"),
        _uniformity(u, 2.0),
        "uniformity(5u, 2) (on the unit sphere: normalise the rows)",
    )
    same = torch.ones(6, 3, dtype=D)
    assert_close(
        _scalar(fn(same, 1.0), "uniformity(one point)"),
        torch.tensor(0.0, dtype=D),
        "uniformity of six copies of one point (log 1 = 0)",
    )
    assert_close(_scalar(fn(u, 0.5), "uniformity(u, 0.5)"), _uniformity(u, 0.5), "uniformity(u, 0.5)")


def _gaussian_pair(n: int, d: int, rho: float, g: torch.Generator):
    u = torch.randn(n, d, generator=g, dtype=D)
    v = rho * u + math.sqrt(1 - rho**2) * torch.randn(n, d, generator=g, dtype=D)
    return u, v


def _gaussian_infonce(u, v, rho):
    scores = -torch.cdist(rho * u, v).pow(2) / (2 * (1 - rho**2)) + 0.5 * v.pow(2).sum(1)[None, :]
    return float(_estimate(scores)), -0.5 * u.shape[1] * math.log(1 - rho**2)


def check_gaussian_bound(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed + 4)
    rng = random.Random(seed + 4)
    for _ in range(3):
        n, d, rho = rng.randint(2, 64), rng.randint(1, 6), rng.uniform(0.1, 0.95)
        u, v = _gaussian_pair(n, d, rho, g)
        out = assert_not_modified(fn, u, v, rho, name=f"gaussian_infonce(u {tuple(u.shape)}, v, {rho:.2f})")
        if not isinstance(out, tuple | list) or len(out) != 2:
            raise AssertionError("gaussian_infonce should return a pair (estimate, true_mi)")
        est, mi = (float(as_tensor(torch.as_tensor(x), "gaussian_infonce")) for x in out)
        want_est, want_mi = _gaussian_infonce(u, v, rho)
        if abs(mi - want_mi) > 1e-6 * max(1.0, want_mi):
            raise AssertionError(f"true_mi = {mi:.5f} for d = {d}, rho = {rho:.3f}; expected {want_mi:.5f}")
        if abs(est - want_est) > 1e-6 * max(1.0, abs(want_est)):
            raise AssertionError(
                f"estimate = {est:.5f} on a batch of {n} pairs in {d} dimensions, expected {want_est:.5f} "
                "(log n - L_n with the optimal critic log p(v | u) - log p(v), up to terms that cancel)"
            )
        if est > math.log(n) + 1e-9:
            raise AssertionError("the estimate exceeds log n, the ceiling of the bound")
    # the bound holds on average: many batches, estimate <= true MI (up to Monte Carlo error)
    rho, d, n = 0.8, 4, 32
    estimates = []
    for _ in range(40):
        u, v = _gaussian_pair(n, d, rho, g)
        estimates.append(float(as_tensor(torch.as_tensor(fn(u, v, rho)[0]), "estimate")))
    mean = sum(estimates) / len(estimates)
    true_mi = -0.5 * d * math.log(1 - rho**2)
    if mean > true_mi + 0.1:
        raise AssertionError(
            f"the mean estimate {mean:.3f} exceeds the true mutual information {true_mi:.3f}"
        )


QUESTIONS = [
    Question(
        "q1",
        "cca_correlations",
        ("x", "y", "reg"),
        check_cca,
        2,
        "Canonical correlations",
        kind="implementation",
    ),
    Question(
        "q2",
        "infonce_estimate",
        ("scores",),
        check_bound,
        2,
        "The InfoNCE estimate of mutual information",
        kind="implementation",
        reference=infonce_estimate_reference,
    ),
    Question(
        "q3", "uniformity", ("u", "t"), check_uniformity, 2, "Uniformity on the sphere", kind="implementation"
    ),
    Question(
        "q4",
        "gaussian_infonce",
        ("u", "v", "rho"),
        check_gaussian_bound,
        3,
        "The InfoNCE bound, checked on Gaussian modalities",
        kind="derivation",
        uses=("q2",),
    ),
]
