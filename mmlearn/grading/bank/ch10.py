"""Chapter 10, similarity constraints: InfoNCE, triplet loss with hard negatives, Jensen-Shannon,
and a derivation: the two upper bounds of the Jensen-Shannon divergence."""

from __future__ import annotations

import math
import random

import torch

from ..checks import as_tensor, assert_close, assert_dtype_preserved, assert_not_modified, draw_batches
from ..spec import Question
from ..subject import Answer

D = torch.float64


def _pair(n: int, k: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, k, generator=g, dtype=D), torch.randn(n, k, generator=g, dtype=D)


def _info_nce(u, v, t):
    s = (u / u.norm(dim=1, keepdim=True)) @ (v / v.norm(dim=1, keepdim=True)).T / t
    return -(s.diagonal() - torch.logsumexp(s, dim=1)).mean()


def _scalar(value, name: str) -> torch.Tensor:
    t = as_tensor(value, name)
    if t.numel() != 1:
        raise AssertionError(f"{name} should be a scalar (a mean over the batch), got shape {tuple(t.shape)}")
    return t.reshape(())


def check_info_nce(fn: Answer, seed: int) -> None:
    rng = random.Random(seed)
    for n in [*draw_batches(rng, 9), rng.randint(10, 40)]:
        k = rng.randint(2, 9)
        uu, vv = _pair(n, k, seed + n)
        t = rng.choice([0.05, 0.2, 1.0])
        out = assert_not_modified(fn, uu, vv, t, name=f"info_nce(u {tuple(uu.shape)}, v, {t})")
        assert_close(
            _scalar(out, "info_nce"),
            _info_nce(uu, vv, t),
            f"info_nce on u, v of shape {tuple(uu.shape)}, temperature {t}",
        )
    assert_dtype_preserved(
        fn, lambda dt: (*(x.to(dt) for x in _pair(5, 3, seed)), 0.5), name="info_nce(u, v, 0.5)"
    )
    u, v = _pair(6, 4, seed)
    assert_close(
        _scalar(fn(u, v, 0.5), "info_nce(u, v, 0.5)"),
        _info_nce(u, v, 0.5),
        "info_nce(u, v, 0.5): rows of u against all rows of v, cosine similarities",
    )
    scaled = fn(3 * u, 0.1 * v, 0.5)
    assert_close(
        _scalar(scaled, "info_nce(3u, 0.1v, 0.5)"),
        _info_nce(u, v, 0.5),
        "info_nce(3u, 0.1v, 0.5) (cosine similarity ignores lengths: normalise the rows)",
    )
    cold = _scalar(fn(u, v, 1e-3), "info_nce(u, v, 1e-3)")
    if not torch.isfinite(cold):
        raise AssertionError(
            "info_nce(u, v, 1e-3) is not finite: use log-sum-exp (e.g. cross_entropy) "
            "instead of exponentiating the similarities"
        )
    assert_close(cold, _info_nce(u, v, 1e-3), "info_nce(u, v, 1e-3)", rtol=1e-6, atol=1e-6)
    eye = torch.eye(5, dtype=D)
    assert_close(
        _scalar(fn(eye, eye, 1.0), "info_nce(I, I, 1)"),
        torch.tensor(-1 + math.log(math.e + 4), dtype=D),
        "info_nce(I, I, 1) for orthonormal pairs",
    )


def _hard_triplet(u, v, m):
    d = torch.cdist(u, v)
    hardest = d.masked_fill(torch.eye(len(u), dtype=torch.bool), float("inf")).min(dim=1).values
    return torch.relu(d.diagonal() - hardest + m).mean()


def check_hard_triplet(fn: Answer, seed: int) -> None:
    rng = random.Random(seed + 1)
    for n in (2, rng.randint(3, 8), rng.randint(9, 30)):
        uu, vv = _pair(n, rng.randint(1, 6), seed + 10 + n)
        m = rng.choice([0.1, 0.5, 2.0])
        out = assert_not_modified(fn, uu, vv, m, name=f"hard_triplet(u {tuple(uu.shape)}, v, {m})")
        assert_close(
            _scalar(out, "hard_triplet"),
            _hard_triplet(uu, vv, m),
            f"hard_triplet on u, v of shape {tuple(uu.shape)}, margin {m}",
        )
    assert_dtype_preserved(
        fn, lambda dt: (*(x.to(dt) for x in _pair(5, 3, seed)), 0.5), name="hard_triplet(u, v, 0.5)"
    )
    u, v = _pair(7, 3, seed + 1)
    assert_close(
        _scalar(fn(u, v, 0.5), "hard_triplet(u, v, 0.5)"), _hard_triplet(u, v, 0.5), "hard_triplet(u, v, 0.5)"
    )
    near = v + 0.01 * u  # every positive very close: only the margin and the hardest negative matter
    assert_close(
        _scalar(fn(near, v, 2.0), "hard_triplet(u, v, 2.0)"),
        _hard_triplet(near, v, 2.0),
        "hard_triplet with positives close to their anchors (the positive is not a negative)",
    )
    far = v.clone()
    far[3:] += 100.0
    assert_close(
        _scalar(fn(u, far, 0.3), "hard_triplet"),
        _hard_triplet(u, far, 0.3),
        "hard_triplet when some candidates are far away (the hardest negative is the closest)",
    )


def _js(p, q):
    m = 0.5 * (p + q)
    kl_pm = (torch.xlogy(p, p) - torch.xlogy(p, m)).sum(-1)
    kl_qm = (torch.xlogy(q, q) - torch.xlogy(q, m)).sum(-1)
    return 0.5 * (kl_pm + kl_qm)


def _probs(n: int, c: int, g: torch.Generator, zeros: bool = False) -> torch.Tensor:
    p = torch.rand(n, c, generator=g, dtype=D) * 3
    if zeros:
        p = p * (torch.rand(n, c, generator=g, dtype=D) > 0.4)
        p[:, 0] += 0.1  # no empty row
    return p / p.sum(1, keepdim=True)


def check_js(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed + 2)
    rng = random.Random(seed + 2)
    for n in draw_batches(rng, 7):
        c = rng.randint(2, 9)
        pp, qq = _probs(n, c, g, zeros=True), _probs(n, c, g, zeros=True)
        out = assert_not_modified(fn, pp, qq, name=f"js_divergence(p {tuple(pp.shape)}, q)")
        assert_close(out, _js(pp, qq), f"js_divergence on {n} rows of {c} probabilities, some of them 0")
    assert_dtype_preserved(
        fn, lambda dt: (_probs(3, 4, g).to(dt), _probs(3, 4, g).to(dt)), name="js_divergence(p, q)"
    )
    p = torch.rand(4, 5, generator=g, dtype=D).softmax(1)
    q = torch.rand(4, 5, generator=g, dtype=D).softmax(1)
    assert_close(fn(p, q), _js(p, q), "js_divergence(p, q) for rows of probabilities (in nats)")
    assert_close(fn(q, p), _js(p, q), "js_divergence(q, p) (JS is symmetric)")
    a = torch.tensor([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]], dtype=D)
    b = torch.tensor([[0.0, 0.0, 1.0], [0.5, 0.0, 0.5]], dtype=D)
    out = fn(a, b)
    t = as_tensor(out, "js_divergence with zero probabilities")
    if not torch.isfinite(t).all():
        raise AssertionError(
            "js_divergence gives NaN or inf when some probabilities are 0: 0 log 0 counts as 0 (torch.xlogy)"
        )
    assert_close(out, _js(a, b), "js_divergence with zero probabilities (disjoint supports give log 2)")


def _kl_rows(p, q):
    out = (torch.xlogy(p, p) - torch.xlogy(p, q)).sum(-1)
    return torch.where(((p > 0) & (q == 0)).any(-1), torch.full_like(out, math.inf), out)


def _js_bound(p, q):
    sym = 0.25 * (_kl_rows(p, q) + _kl_rows(q, p))
    return torch.clamp(sym, max=math.log(2.0))


def check_js_bound(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed + 3)
    rng = random.Random(seed + 3)
    for n in draw_batches(rng, 6):
        c = rng.randint(2, 8)
        p, q = _probs(n, c, g), _probs(n, c, g)
        out = assert_not_modified(fn, p, q, name=f"js_bound(p {tuple(p.shape)}, q)")
        assert_close(out, _js_bound(p, q), f"js_bound on {n} rows of {c} strictly positive probabilities")
        if (_js(p, q) > as_tensor(out, "js_bound").detach().to(D) + 1e-9).any():
            raise AssertionError("js_bound is below the Jensen-Shannon divergence: it is not an upper bound")
    close = _probs(4, 5, g)
    near = 0.98 * close + 0.02 * _probs(4, 5, g)  # nearly equal rows: the KL bound is the tighter one
    assert_close(fn(close, near), _js_bound(close, near), "js_bound for nearly equal distributions")
    a = torch.tensor([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0]], dtype=D)
    b = torch.tensor([[0.0, 0.5, 0.5], [0.0, 0.0, 1.0]], dtype=D)
    out = as_tensor(fn(a, b), "js_bound with zero probabilities")
    if not torch.isfinite(out).all():
        raise AssertionError("js_bound must be finite even where a KL is infinite (log 2 bounds JS)")
    assert_close(out, _js_bound(a, b), "js_bound where supports differ (the KL terms are infinite)")
    assert_dtype_preserved(
        fn, lambda dt: (_probs(3, 4, g).to(dt), _probs(3, 4, g).to(dt)), name="js_bound(p, q)"
    )


QUESTIONS = [
    Question(
        "q1", "info_nce", ("u", "v", "temperature"), check_info_nce, 2, "InfoNCE loss", kind="implementation"
    ),
    Question(
        "q2",
        "hard_triplet",
        ("u", "v", "margin"),
        check_hard_triplet,
        2,
        "Triplet loss with the hardest in-batch negative",
        kind="implementation",
    ),
    Question(
        "q3", "js_divergence", ("p", "q"), check_js, 2, "Jensen-Shannon divergence", kind="implementation"
    ),
    Question(
        "q4",
        "js_bound",
        ("p", "q"),
        check_js_bound,
        3,
        "Two upper bounds of the Jensen-Shannon divergence",
        kind="derivation",
    ),
]
