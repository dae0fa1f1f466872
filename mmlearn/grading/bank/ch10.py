"""Chapter 10, similarity constraints: InfoNCE, triplet loss with hard negatives, Jensen-Shannon."""

from __future__ import annotations

import math

import torch

from ..checks import as_tensor, assert_close
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


def check_js(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed + 2)
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


QUESTIONS = [
    Question("q1", "info_nce", ("u", "v", "temperature"), check_info_nce, 2, "InfoNCE loss"),
    Question(
        "q2",
        "hard_triplet",
        ("u", "v", "margin"),
        check_hard_triplet,
        2,
        "Triplet loss with the hardest in-batch negative",
    ),
    Question("q3", "js_divergence", ("p", "q"), check_js, 2, "Jensen-Shannon divergence"),
]
