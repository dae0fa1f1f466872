"""Chapter 4, attention and gating: masked scaled dot-product attention, attention pooling, the
GMU, the GMU's gate as a sigmoid (derivation), softmax saturation without the 1/sqrt(d_k) scale
(experiment), and an open design question for Part II (rubric)."""

from __future__ import annotations

import math
import random

import torch

from ..checks import assert_close, assert_not_modified, draw_batches
from ..spec import Question
from ..subject import Answer


def _pair(result, name: str):
    if not isinstance(result, tuple) or len(result) != 2:
        raise AssertionError(f"{name} should return a tuple (output, weights), got {type(result).__name__}")
    return result


def _dtype_check(fn: Answer, args64: tuple, name: str) -> None:
    """Both outputs of an ``(output, weights)`` function keep float32 and float64."""
    for dtype in (torch.float32, torch.float64):
        args = tuple(
            a.to(dtype) if isinstance(a, torch.Tensor) and a.is_floating_point() else a for a in args64
        )
        out, w = _pair(fn(*args), name)
        for value, what in ((out, "output"), (w, "weights")):
            if not isinstance(value, torch.Tensor) or value.dtype != dtype:
                got = value.dtype if isinstance(value, torch.Tensor) else type(value).__name__
                raise AssertionError(f"{name}: the {what} should keep the inputs' dtype {dtype}, got {got}")


def _mask(rng: random.Random, b: int, lk: int) -> torch.Tensor:
    """A random key mask with at least one present key per row and at least one absent key."""
    rows = []
    for _ in range(b):
        row = [rng.random() < 0.6 for _ in range(lk)]
        row[rng.randrange(lk)] = True
        rows.append(row)
    rows[0][rng.randrange(lk)] = False
    if not any(rows[0]):
        rows[0][0] = True
        rows[0][-1] = False
    return torch.tensor(rows)


def check_masked_attention(fn: Answer, seed: int) -> None:
    rng = random.Random(seed)
    g = torch.Generator().manual_seed(seed)
    for b in draw_batches(rng):
        lq, lk, d, dv = rng.randint(1, 4), rng.randint(3, 7), rng.randint(2, 9), rng.randint(1, 6)
        q = torch.randn(b, lq, d, generator=g, dtype=torch.float64)
        k = torch.randn(b, lk, d, generator=g, dtype=torch.float64)
        v = torch.randn(b, lk, dv, generator=g, dtype=torch.float64)
        mask = _mask(rng, b, lk)
        scores = (q @ k.transpose(1, 2) / math.sqrt(d)).masked_fill(~mask[:, None, :], float("-inf"))
        weights = scores.softmax(-1)
        where = f"masked_attention with B={b}, L_q={lq}, L_k={lk}, d={d}"
        out, w = _pair(assert_not_modified(fn, q, k, v, mask, name=where), where)
        assert_close(w, weights, f"the attention weights ({where})")
        assert_close(out, weights @ v, f"the attended output ({where})")
    _dtype_check(fn, (q, k, v, mask), "masked_attention(q, k, v, mask)")


def check_attention_pool(fn: Answer, seed: int) -> None:
    rng = random.Random(seed + 1)
    g = torch.Generator().manual_seed(seed + 1)
    for b in draw_batches(rng):
        m, o = rng.randint(2, 5), rng.randint(2, 7)
        h = torch.randn(b, m, o, generator=g, dtype=torch.float64)
        w = torch.randn(o, generator=g, dtype=torch.float64)
        alpha = (torch.tanh(h) @ w).softmax(dim=1)
        where = f"attention_pool with B={b}, M={m}, o={o}"
        z, a = _pair(assert_not_modified(fn, h, w, name=where), where)
        assert_close(a, alpha, f"the modality weights alpha (B, M) ({where})")
        assert_close(z, torch.einsum("bm,bmo->bo", alpha, h), f"the pooled vector z (B, o) ({where})")
    z0, _ = _pair(fn(h, torch.zeros(o, dtype=torch.float64)), "attention_pool with w = 0")
    assert_close(z0, h.mean(1), "the result for w = 0 (should be average pooling)")
    _dtype_check(fn, (h, w), "attention_pool(h, w)")


def check_gmu(fn: Answer, seed: int) -> None:
    rng = random.Random(seed + 2)
    g = torch.Generator().manual_seed(seed + 2)
    for b in draw_batches(rng):
        d1, d2, o = rng.randint(1, 6), rng.randint(1, 6), rng.randint(1, 7)
        x1 = torch.randn(b, d1, generator=g, dtype=torch.float64)
        x2 = torch.randn(b, d2, generator=g, dtype=torch.float64)
        w1 = torch.randn(o, d1, generator=g, dtype=torch.float64)
        w2 = torch.randn(o, d2, generator=g, dtype=torch.float64)
        wg = torch.randn(o, d1 + d2, generator=g, dtype=torch.float64)
        gate = torch.sigmoid(torch.cat([x1, x2], 1) @ wg.T)
        expected = gate * torch.tanh(x1 @ w1.T) + (1 - gate) * torch.tanh(x2 @ w2.T)
        where = f"gmu with B={b}, d_1={d1}, d_2={d2}, o={o}"
        z, gt = _pair(assert_not_modified(fn, x1, x2, w1, w2, wg, name=where), where)
        assert_close(gt, gate, f"the gate g (B, o) ({where})")
        assert_close(z, expected, f"the fused vector z (B, o) ({where})")
    _dtype_check(fn, (x1, x2, w1, w2, wg), "gmu(x1, x2, w1, w2, wg)")


def check_gate_as_sigmoid(fn: Answer, seed: int) -> None:
    rng = random.Random(seed + 3)
    g = torch.Generator().manual_seed(seed + 3)
    for _ in range(3):
        d, o, b = rng.randint(2, 9), rng.randint(1, 6), rng.randint(2, 6)
        a1 = torch.randn(o, d, generator=g, dtype=torch.float64)
        a2 = torch.randn(o, d, generator=g, dtype=torch.float64)
        x = torch.randn(b, d, generator=g, dtype=torch.float64)
        where = f"gate_as_sigmoid with o={o}, d={d}"
        w = assert_not_modified(fn, a1, a2, name=where)
        if not isinstance(w, torch.Tensor) or tuple(w.shape) != (o, d):
            shape = tuple(w.shape) if isinstance(w, torch.Tensor) else type(w).__name__
            raise AssertionError(f"{where}: return one matrix of shape ({o}, {d}), got {shape}")
        softmax_gate = torch.stack([x @ a1.T, x @ a2.T]).softmax(dim=0)[0]  # weight of modality 1
        assert_close(
            torch.sigmoid(x @ w.T), softmax_gate, f"sigmoid(x W^T) against the softmax gate ({where})"
        )


def check_saturation(fn: Answer, seed: int) -> None:
    rng = random.Random(seed + 4)
    n_keys = rng.randint(4, 10)
    small, large = rng.choice([2, 4, 8]), rng.choice([256, 512])
    results = {}
    for d in (small, large):
        for scaled in (True, False):
            value = fn(d, n_keys, scaled, seed)
            if type(value) is not float:
                raise AssertionError(
                    f"max_attention_weight should return a Python float, got {type(value).__name__}"
                )
            results[d, scaled] = value
            # the grader's own estimate from many more draws
            gen = torch.Generator().manual_seed(10_000 + seed)
            q = torch.randn(20_000, 1, d, generator=gen, dtype=torch.float64)
            k = torch.randn(20_000, n_keys, d, generator=gen, dtype=torch.float64)
            s = (q @ k.transpose(1, 2)).squeeze(1) / (math.sqrt(d) if scaled else 1.0)
            expected = float(s.softmax(-1).max(-1).values.mean())
            if abs(value - expected) > 0.04:
                raise AssertionError(
                    f"max_attention_weight(d_k={d}, n_keys={n_keys}, scaled={scaled}) = {value:.3f}; a "
                    f"mean over 2000 draws should be within 0.04 of {expected:.3f}"
                )
    # the conclusion: scaled attention keeps the same sharpness, unscaled saturates
    if abs(results[large, True] - results[small, True]) > 0.1:
        raise AssertionError("with the 1/sqrt(d_k) scale the largest weight should hardly change with d_k")
    if not results[large, False] > 0.9 > results[large, True]:
        raise AssertionError("without the scale the softmax should be nearly one-hot for large d_k")


RUBRIC = "\n".join(
    [
        "- [2] Chooses where the weights come from (per modality, per feature, per region, per hop) "
        "and justifies it with the task: which modality fails, and how often.",
        "- [2] Says how the design will be checked: a comparison with a fixed weighted sum on the "
        "same splits, at least five seeds, an interval on the paired difference.",
        "- [1] Names a cue the gate could exploit that is not the one intended (e.g. the norm or "
        "level of a corrupted input, as in this chapter) and how to remove or control it.",
        "- [1] Says what the returned weights can and cannot show (what was used, not why; a low "
        "weight on a modality is no proof that it carries no information).",
        "A full answer is one or two paragraphs. A list of method names without the checks earns "
        "at most two points.",
    ]
)

QUESTIONS = [
    Question(
        "q1",
        "masked_attention",
        ("q", "k", "v", "mask"),
        check_masked_attention,
        2,
        "Scaled dot-product attention with a key mask",
        kind="implementation",
    ),
    Question(
        "q2",
        "attention_pool",
        ("h", "w"),
        check_attention_pool,
        2,
        "Attention pooling over modalities",
        kind="implementation",
    ),
    Question(
        "q3",
        "gmu",
        ("x1", "x2", "w1", "w2", "wg"),
        check_gmu,
        2,
        "A gated multimodal unit",
        kind="implementation",
    ),
    Question(
        "q4",
        "gate_as_sigmoid",
        ("a1", "a2"),
        check_gate_as_sigmoid,
        2,
        "The two-modality softmax gate as a sigmoid",
        kind="derivation",
    ),
    Question(
        "q5",
        "max_attention_weight",
        ("d_k", "n_keys", "scaled", "seed"),
        check_saturation,
        2,
        "Softmax saturation without the scale",
        kind="experiment",
    ),
    Question(
        "q6",
        points=6,
        title="Design: a gate for a sensor that fails",
        kind="design",
        rubric=RUBRIC,
    ),
]
