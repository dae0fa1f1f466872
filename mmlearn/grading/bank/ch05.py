"""Chapter 5, co-attention and multi-step reasoning: one hop of stacked attention, rate alignment."""

from __future__ import annotations

import torch

from ..checks import assert_close
from ..spec import Question
from ..subject import Answer


def check_hop(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    v = torch.randn(3, 5, 4, generator=g, dtype=torch.float64)
    u = torch.randn(3, 4, generator=g, dtype=torch.float64)
    wa = torch.randn(4, 6, generator=g, dtype=torch.float64)
    wb = torch.randn(4, 6, generator=g, dtype=torch.float64)
    w = torch.randn(6, generator=g, dtype=torch.float64)
    p = (torch.tanh(v @ wa + (u @ wb)[:, None, :]) @ w).softmax(dim=1)
    result = fn(v, u, wa, wb, w)
    if not isinstance(result, tuple) or len(result) != 2:
        raise AssertionError("stacked_attention_hop should return a tuple (u_next, p)")
    u_next, p_got = result
    assert_close(p_got, p, "the hop weights p (B, L)")
    assert_close(u_next, u + torch.einsum("bl,bld->bd", p, v), "the refined query u_next (B, k)")


def check_align(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed + 1)
    fast = torch.randn(2, 12, 3, generator=g, dtype=torch.float64)
    for rate in (3, 4):
        expected = fast.reshape(2, 12 // rate, rate, 3).mean(2)
        assert_close(fn(fast, rate), expected, f"align_rates(fast, rate={rate})")
    assert_close(fn(fast, 1), fast, "align_rates(fast, rate=1) (should be the stream itself)")


QUESTIONS = [
    Question(
        "q1",
        "stacked_attention_hop",
        ("v", "u", "wa", "wb", "w"),
        check_hop,
        3,
        "One hop of stacked attention",
    ),
    Question("q2", "align_rates", ("fast", "rate"), check_align, 1, "Align a fast stream with a slow one"),
]
