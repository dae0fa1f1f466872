"""Chapter 3, pooling over modalities: mixed max-average pooling with missing modalities, the
gradient of the gate, an experiment on where the evidence is, and a design question of Part II."""

from __future__ import annotations

import random

import numpy as np
import torch

from ..checks import (
    as_tensor,
    assert_close,
    assert_dtype_preserved,
    assert_not_modified,
    assert_shape,
    draw_batches,
)
from ..spec import Question
from ..subject import Answer


def mixed_pool_reference(projected, a, present):
    lowest = torch.finfo(projected.dtype).min
    w = present.to(projected.dtype).unsqueeze(-1)  # (B, M, 1)
    hmax = projected.masked_fill(~present.unsqueeze(-1), lowest).amax(dim=1)
    hmean = (projected * w).sum(dim=1) / w.sum(dim=1)
    return a * hmax + (1 - a) * hmean


def _pool_inputs(rng: random.Random, g: torch.Generator, batch: int, dtype=torch.float64):
    m, o = rng.randint(3, 5), rng.randint(1, 6)
    projected = torch.randn(batch, m, o, generator=g, dtype=dtype)
    present = torch.rand(batch, m, generator=g) > 0.4
    kept = torch.randint(m, (batch,), generator=g)
    present[torch.arange(batch), kept] = True  # one at least in every row
    present[0, (kept[0] + 1) % m] = False  # and one missing, so that ignoring the mask shows
    a = (
        torch.rand(o, generator=g, dtype=dtype)
        if rng.random() < 0.5
        else torch.rand((), generator=g, dtype=dtype)
    )
    return projected, a, present


def check_mixed_pool(fn: Answer, seed: int) -> None:
    rng, g = random.Random(seed), torch.Generator().manual_seed(seed)
    for batch in draw_batches(rng):
        projected, a, present = _pool_inputs(rng, g, batch)
        name = f"mixed_pool(projected {tuple(projected.shape)}, a {tuple(a.shape)}, present)"
        out = as_tensor(assert_not_modified(fn, projected, a, present, name=name), name)
        assert_shape(out, (batch, projected.shape[2]), name)
        assert_close(
            out,
            mixed_pool_reference(projected, a, present),
            name + " (max and mean over the PRESENT modalities only)",
        )
    # all present, a = 1 and a = 0: the two ends
    projected, _, _ = _pool_inputs(rng, g, 3)
    everyone = torch.ones(3, projected.shape[1], dtype=torch.bool)
    one = torch.tensor(1.0, dtype=torch.float64)
    assert_close(fn(projected, one, everyone), projected.amax(1), "mixed_pool with a = 1 (max pooling)")
    assert_close(
        fn(projected, 1 - one, everyone), projected.mean(1), "mixed_pool with a = 0 (average pooling)"
    )
    assert_dtype_preserved(
        fn,
        lambda dt: (projected.to(dt), torch.tensor(0.3, dtype=dt), everyone),
        name="mixed_pool(projected, a, present)",
    )


def _gate_reference(projected, omega, c):
    a = torch.sigmoid(torch.einsum("bmo,m->bo", projected, omega) + c)
    spread = projected.amax(1) - projected.mean(1)  # (B, o)
    return (a * (1 - a) * spread).unsqueeze(1) * projected  # (B, M, o)


def check_gate_gradient(fn: Answer, seed: int) -> None:
    rng, g = random.Random(seed), torch.Generator().manual_seed(seed + 7)
    for batch in draw_batches(rng):
        m, o = rng.randint(3, 5), rng.randint(2, 6)
        projected = torch.randn(batch, m, o, generator=g, dtype=torch.float64)
        omega = torch.randn(m, generator=g, dtype=torch.float64)
        c = torch.randn((), generator=g, dtype=torch.float64)
        name = f"gate_gradient(projected {tuple(projected.shape)}, omega, c)"
        out = as_tensor(assert_not_modified(fn, projected, omega, c, name=name), name)
        assert_shape(out, (batch, m, o), name)
        # the grader's own autograd value of d z_{b j} / d omega_m
        w = omega.clone().requires_grad_(True)
        a = torch.sigmoid(torch.einsum("bmo,m->bo", projected, w) + c)
        z = a * projected.amax(1) + (1 - a) * projected.mean(1)
        grads = torch.stack(
            [torch.autograd.grad(z[b, j], w, retain_graph=True)[0] for b in range(batch) for j in range(o)]
        ).reshape(batch, o, m)
        assert_close(out, grads.transpose(1, 2), name + " (compare with the chain rule through sigma)")
    agree = torch.ones(2, 3, 4, dtype=torch.float64)  # every modality equal: the gate does not matter
    zero = as_tensor(
        fn(agree, torch.ones(3, dtype=torch.float64), torch.tensor(0.0, dtype=torch.float64)), ""
    )
    assert_close(zero, torch.zeros(2, 3, 4, dtype=torch.float64), "the gradient when all modalities agree")


def _regime_data(n: int, seed: int, regime: str):
    rng = np.random.default_rng(seed)
    protos = np.random.default_rng(100).normal(size=(3, 4, 8))
    y = rng.integers(0, 4, n)
    speaker = rng.integers(0, 3, n)
    xs = []
    for m in range(3):
        amp = np.where(speaker == m, 2.0, 0.0)[:, None] if regime == "one" else 0.5
        xs.append((amp * protos[m][y] + rng.normal(size=(n, 8))).astype(np.float32))
    return [torch.from_numpy(x) for x in xs], torch.from_numpy(y)


def check_learned_mix(fn: Answer, seed: int) -> None:
    values = {}
    for regime in ("one", "all"):
        xs, y = _regime_data(1000, seed % 1000, regime)
        a = fn(xs, y, seed % 7)
        if not isinstance(a, float):
            raise AssertionError(f"learned_mix should return a Python float, got {type(a).__name__}")
        if not 0.0 < a < 1.0:
            raise AssertionError(f"learned_mix returned {a}: a = sigmoid(theta) lies strictly in (0, 1)")
        values[regime] = a
    if not values["one"] > values["all"] + 0.01:
        raise AssertionError(
            "the learned proportion should be clearly larger when one view carries the evidence than "
            f"when all views carry a little (got {values['one']:.3f} and {values['all']:.3f}); train "
            "the classifier of the chapter's experiment (mixed_pool, raw features, a few epochs)"
        )


RUBRIC = "\n".join(
    [
        "- [2] Chooses where to fuse (early, intermediate or late) and justifies it with the properties"
        " of the two modalities (dimension, sampling rate, type, clarity).",
        "- [2] Handles the missing modality explicitly (masks over present modalities, late fusion that"
        " drops a term, or training with modality dropout) and says what the fused vector is when one"
        " is absent.",
        "- [1] Chooses the pooling (max, average, mixed or gated) from where the evidence is expected to"
        " be, and says what would change the choice.",
        "- [1] Names one measurement, with seeds and an interval, that would show the design is wrong.",
        "A full answer is one or two paragraphs. Common mistakes: standardising with test statistics;"
        " per-sample standardisation of heterogeneous features; claiming early fusion cannot model"
        " interactions.",
    ]
)


QUESTIONS = [
    Question(
        "q1",
        "mixed_pool",
        ("projected", "a", "present"),
        check_mixed_pool,
        2,
        "Mixed max-average pooling over the present modalities",
        kind="implementation",
        reference=mixed_pool_reference,
    ),
    Question(
        "q2",
        "gate_gradient",
        ("projected", "omega", "c"),
        check_gate_gradient,
        2,
        "Derivation: the gradient of gated pooling with respect to its gate",
        kind="derivation",
    ),
    Question(
        "q3",
        "learned_mix",
        ("xs", "y", "seed"),
        check_learned_mix,
        2,
        "Experiment: the proportion that mixed pooling learns",
        kind="experiment",
    ),
    Question(
        "q4",
        points=6,
        title="Design (Part II): fusing a camera and a microphone that may fail",
        kind="design",
        rubric=RUBRIC,
    ),
]
