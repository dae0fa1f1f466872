"""Chapter 13, fusion today: FiLM's bilinear core, the cross-attention of Perceiver latents, and a
design question about adding a modality to a frozen model."""

from __future__ import annotations

import random

import torch

from ..checks import assert_close, assert_dtype_preserved, assert_not_modified, assert_shape, draw_batches
from ..spec import Question
from ..subject import Answer

D = torch.float64


def _film_params(o: int, dx: int, dc: int, g: torch.Generator, dtype=D):
    return (
        torch.randn(o, dx, generator=g, dtype=dtype),
        torch.randn(o, generator=g, dtype=dtype),
        torch.randn(o, dc, generator=g, dtype=dtype),
        torch.randn(o, generator=g, dtype=dtype),
        torch.randn(o, dc, generator=g, dtype=dtype),
        torch.randn(o, generator=g, dtype=dtype),
    )


def _film_core(w_h, b_h, w_g, b_g, w_b, b_b):
    g = torch.cat([w_g, b_g[:, None]], 1)  # (o, dc + 1)
    u = torch.cat([w_h, b_h[:, None]], 1)  # (o, dx + 1)
    v = torch.cat([w_b, b_b[:, None]], 1)
    e = torch.zeros(u.shape[1], dtype=u.dtype)
    e[-1] = 1
    return g[:, :, None] * u[:, None, :] + v[:, :, None] * e


def check_film_core(fn: Answer, seed: int) -> None:
    rng = random.Random(seed)
    g = torch.Generator().manual_seed(seed)
    for _ in range(3):
        o, dx, dc = rng.randint(1, 6), rng.randint(1, 6), rng.randint(1, 6)
        params = _film_params(o, dx, dc, g)
        core = assert_not_modified(fn, *params, name="film_core(...)")
        assert_shape(core, (o, dc + 1, dx + 1), f"film_core for o={o}, d_x={dx}, d_c={dc}")
        assert_close(core, _film_core(*params), f"film_core for o={o}, d_x={dx}, d_c={dc}")
        # the property the core exists for: z_k = [c; 1]^T T_k [x; 1] equals FiLM's output
        x, c = torch.randn(4, dx, generator=g, dtype=D), torch.randn(4, dc, generator=g, dtype=D)
        w_h, b_h, w_g, b_g, w_b, b_b = params
        film = (c @ w_g.T + b_g) * (x @ w_h.T + b_h) + (c @ w_b.T + b_b)
        one = torch.ones(4, 1, dtype=D)
        via = torch.einsum("bi,kij,bj->bk", torch.cat([c, one], 1), core, torch.cat([x, one], 1))
        assert_close(via, film, "[c; 1]^T T_k [x; 1] with your core (it must equal FiLM's output)")
    assert_dtype_preserved(fn, lambda dt: _film_params(2, 3, 2, g, dt), name="film_core(...)")


def _cross(latents, tokens, w_q, w_k, w_v):
    q = latents @ w_q  # (N, d)
    k, v = tokens @ w_k, tokens @ w_v  # (B, L, d)
    scores = torch.einsum("nd,bld->bnl", q, k) / q.shape[-1] ** 0.5
    return scores.softmax(-1) @ v  # (B, N, d)


def check_latent_attention(fn: Answer, seed: int) -> None:
    rng = random.Random(seed)
    g = torch.Generator().manual_seed(seed + 1)
    for batch in draw_batches(rng):
        n, d_in, d = rng.randint(1, 5), rng.randint(2, 6), rng.randint(2, 6)
        lat = torch.randn(n, d_in, generator=g, dtype=D)
        w = [torch.randn(d_in, d, generator=g, dtype=D) for _ in range(3)]
        outs = []
        for length in (rng.randint(1, 4), rng.randint(5, 12)):
            tokens = torch.randn(batch, length, d_in, generator=g, dtype=D)
            out = assert_not_modified(fn, lat, tokens, *w, name="latent_cross_attention(...)")
            assert_shape(out, (batch, n, d), f"latent_cross_attention with B={batch}, N={n}, L={length}")
            assert_close(out, _cross(lat, tokens, *w), f"latent_cross_attention with B={batch}, L={length}")
            outs.append(out)
    assert_dtype_preserved(
        fn,
        lambda dt: (lat.to(dt), torch.randn(2, 3, d_in, dtype=dt), *(x.to(dt) for x in w)),
        name="latent_cross_attention(...)",
    )


RUBRIC_FROZEN = "\n".join(
    [
        "- [2] Keeps the pretrained audio model frozen and names a mechanism that leaves its "
        "function unchanged at the start (gated cross-attention with tanh gates at zero, or a "
        "prefix/projector whose tokens it learns to read), and says why that matters (no "
        "forgetting, nothing to re-validate).",
        "- [1] Handles the camera's long token sequence at a bounded cost (resampler/Perceiver "
        "latents, or a bottleneck), with the cost argument (linear vs quadratic in the number of "
        "tokens).",
        "- [1] Names a check that the new modality is used: EMAP or ablation of the camera, or a "
        "probe, on held-out data.",
        "A full answer is one or two paragraphs; naming a method without the reason earns at most "
        "half of its points.",
    ]
)

QUESTIONS = [
    Question(
        "q1",
        "film_core",
        ("w_h", "b_h", "w_gamma", "b_gamma", "w_beta", "b_beta"),
        check_film_core,
        3,
        "FiLM as a bilinear map: its core",
        kind="derivation",
    ),
    Question(
        "q2",
        "latent_cross_attention",
        ("latents", "tokens", "w_q", "w_k", "w_v"),
        check_latent_attention,
        3,
        "Perceiver latents: one cross-attention",
        kind="implementation",
    ),
    Question("q3", points=4, title="A camera for a frozen audio model", kind="design", rubric=RUBRIC_FROZEN),
]
