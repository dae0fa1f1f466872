"""Chapter 2, simple fusion: concatenation, weighted sum, max pooling, parameter counts."""

from __future__ import annotations

import random

import torch

from ..checks import (
    as_tensor,
    assert_close,
    assert_dtype_preserved,
    assert_equal,
    assert_not_modified,
    assert_shape,
    draw_batches,
    draw_dims,
)
from ..spec import Question
from ..subject import Answer


def _inputs(seed: int):
    g = torch.Generator().manual_seed(seed)
    xs = [torch.randn(5, d, generator=g, dtype=torch.float64) for d in (3, 4, 2)]
    weight = torch.randn(6, 9, generator=g, dtype=torch.float64)
    bias = torch.randn(6, generator=g, dtype=torch.float64)
    return xs, weight, bias


def check_concat(fn: Answer, seed: int) -> None:
    xs, weight, bias = _inputs(seed)
    expected = torch.cat(xs, dim=1) @ weight.T + bias
    assert_close(fn(xs, weight, bias), expected, "concat_fusion(xs, weight, bias)")
    two = xs[:2]
    w2 = weight[:, :7]
    assert_close(fn(two, w2, bias), torch.cat(two, 1) @ w2.T + bias, "the result for two modalities")
    rng, g = random.Random(seed), torch.Generator().manual_seed(seed + 5)
    for batch in draw_batches(rng):  # other sizes, three or more modalities, batch of one
        dims, o = draw_dims(rng, m_range=(3, 5)), rng.randint(1, 6)
        xs = [torch.randn(batch, d, generator=g, dtype=torch.float64) for d in dims]
        weight = torch.randn(o, sum(dims), generator=g, dtype=torch.float64)
        bias = torch.randn(o, generator=g, dtype=torch.float64)
        name = f"concat_fusion(xs of sizes {dims}, batch {batch})"
        out = assert_not_modified(fn, xs, weight, bias, name=name)
        assert_close(out, torch.cat(xs, 1) @ weight.T + bias, name)
    assert_dtype_preserved(
        fn,
        lambda dt: ([x.to(dt) for x in xs], weight.to(dt), bias.to(dt)),
        name="concat_fusion(xs, weight, bias)",
    )


def check_weighted_sum(fn: Answer, seed: int) -> None:
    g = torch.Generator().manual_seed(seed + 1)
    projected = torch.randn(4, 3, 5, generator=g, dtype=torch.float64)
    logits = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    expected = torch.einsum("bmd,m->bd", projected, logits.softmax(0))
    assert_close(fn(projected, logits), expected, "weighted_sum_fusion(projected, logits)")
    equal = fn(projected, torch.zeros(3, dtype=torch.float64))
    assert_close(equal, projected.mean(1), "the result for equal logits (should be the mean)")
    rng = random.Random(seed)
    for batch in draw_batches(rng):
        m, d = rng.randint(2, 5), rng.randint(1, 6)
        projected = torch.randn(batch, m, d, generator=g, dtype=torch.float64)
        logits = torch.randn(m, generator=g, dtype=torch.float64)
        name = f"weighted_sum_fusion(projected {tuple(projected.shape)}, logits)"
        out = assert_not_modified(fn, projected, logits, name=name)
        assert_close(out, torch.einsum("bmd,m->bd", projected, logits.softmax(0)), name)


def check_max_pool(fn: Answer, seed: int) -> None:
    rng, g = random.Random(seed), torch.Generator().manual_seed(seed + 2)
    # two modalities and four or more (an answer written for the three of the example fails)
    for batch, m in zip(draw_batches(rng), rng.sample([2, rng.randint(4, 6)], 2), strict=True):
        d = rng.randint(1, 7)  # every modality has the same size d
        xs = [torch.randn(batch, d, generator=g, dtype=torch.float64) for _ in range(m)]
        name = f"max_pool_fusion of {m} modalities of shape ({batch}, {d})"
        out = as_tensor(assert_not_modified(fn, xs, name=name), name)
        assert_shape(out, (batch, d), name)
        assert_close(out, torch.stack(xs, 0).amax(0), name + " (the max over modalities, per feature)")
    assert_dtype_preserved(
        fn,
        lambda dt: ([x.to(dt) for x in xs],),
        name="max_pool_fusion(xs)",
    )


def check_count(fn: Answer, seed: int) -> None:
    rng = random.Random(seed)
    drawn = ([rng.randint(1, 300) for _ in range(rng.randint(1, 4))], rng.randint(1, 50))
    for dims, out in [([3, 4], 5), ([216, 76, 64], 10), ([1], 1), drawn]:
        expected = (sum(dims) + 1) * out  # one weight per input feature and output, plus a bias
        assert_equal(fn(dims, out), expected, f"concat_param_count({dims}, {out})")


QUESTIONS = [
    Question(
        "q1",
        "concat_fusion",
        ("xs", "weight", "bias"),
        check_concat,
        2,
        "Concatenation followed by a linear map",
        kind="one-liner",
    ),
    Question(
        "q2",
        "weighted_sum_fusion",
        ("projected", "logits"),
        check_weighted_sum,
        2,
        "Softmax-weighted sum of projected modalities",
        kind="implementation",
    ),
    Question(
        "q3",
        "max_pool_fusion",
        ("xs",),
        check_max_pool,
        1,
        "Elementwise max over modalities",
        kind="one-liner",
    ),
    Question(
        "q4",
        "concat_param_count",
        ("input_dims", "output_dim"),
        check_count,
        1,
        "Parameters of a concatenation fusion",
        kind="count",
    ),
]
