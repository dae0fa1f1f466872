"""Chapter 4, attention and gating: masked scaled dot-product attention, attention pooling, GMU."""

from __future__ import annotations

import torch

from ..checks import assert_close
from ..spec import Question
from ..subject import Answer


def _pair(result, name: str):
    if not isinstance(result, tuple) or len(result) != 2:
        raise AssertionError(f"{name} should return a tuple (output, weights), got {type(result).__name__}")
    return result


def check_masked_attention(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(2, 3, 4, generator=g, dtype=torch.float64)
    k = torch.randn(2, 5, 4, generator=g, dtype=torch.float64)
    v = torch.randn(2, 5, 6, generator=g, dtype=torch.float64)
    mask = torch.tensor([[True, True, False, True, False], [True, True, True, True, True]])
    scores = (q @ k.transpose(1, 2) / 2.0).masked_fill(~mask[:, None, :], float("-inf"))
    weights = scores.softmax(-1)
    out, w = _pair(fn(q, k, v, mask), "masked_attention(q, k, v, mask)")
    assert_close(w, weights, "the attention weights")
    assert_close(out, weights @ v, "the attended output")
    full = torch.ones(2, 5, dtype=torch.bool)
    out, w = _pair(fn(q, k, v, full), "masked_attention with nothing masked")
    assert_close(w, (q @ k.transpose(1, 2) / 2.0).softmax(-1), "the weights when no key is masked")


def check_attention_pool(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed + 1)
    h = torch.randn(4, 3, 5, generator=g, dtype=torch.float64)
    w = torch.randn(5, generator=g, dtype=torch.float64)
    alpha = (torch.tanh(h) @ w).softmax(dim=1)
    z, a = _pair(fn(h, w), "attention_pool(h, w)")
    assert_close(a, alpha, "the modality weights alpha (B, M)")
    assert_close(z, torch.einsum("bm,bmo->bo", alpha, h), "the pooled vector z (B, o)")
    z0, a0 = _pair(fn(h, torch.zeros(5, dtype=torch.float64)), "attention_pool with w = 0")
    assert_close(z0, h.mean(1), "the result for w = 0 (should be average pooling)")


def check_gmu(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed + 2)
    x1 = torch.randn(4, 3, generator=g, dtype=torch.float64)
    x2 = torch.randn(4, 5, generator=g, dtype=torch.float64)
    w1 = torch.randn(6, 3, generator=g, dtype=torch.float64)
    w2 = torch.randn(6, 5, generator=g, dtype=torch.float64)
    wg = torch.randn(6, 8, generator=g, dtype=torch.float64)
    gate = torch.sigmoid(torch.cat([x1, x2], 1) @ wg.T)
    expected = gate * torch.tanh(x1 @ w1.T) + (1 - gate) * torch.tanh(x2 @ w2.T)
    z, gt = _pair(fn(x1, x2, w1, w2, wg), "gmu(x1, x2, w1, w2, wg)")
    assert_close(gt, gate, "the gate g (B, out)")
    assert_close(z, expected, "the fused vector z (B, out)")


QUESTIONS = [
    Question(
        "q1",
        "masked_attention",
        ("q", "k", "v", "mask"),
        check_masked_attention,
        2,
        "Scaled dot-product attention with a key mask",
    ),
    Question(
        "q2", "attention_pool", ("h", "w"), check_attention_pool, 2, "Attention pooling over modalities"
    ),
    Question("q3", "gmu", ("x1", "x2", "w1", "w2", "wg"), check_gmu, 2, "A gated multimodal unit"),
]
